#!/usr/bin/env bash
# Builds HashiCorp Vault (server and CLI in one binary) from the Go module proxy and caches it by
# version outside the repository, for the vault-transit and KV-mirror integration tests
# (test/support/vault.ts runs it as `vault server -dev`). Only the first run on a machine pays.
#
#   scripts/build-vault.sh          # build if missing, print the binary's path on stdout
#
# Layout (same as build-control-plane.sh): $EXKEY_CACHE_DIR/bin/vault-<version>/vault; the build
# goes to a temporary directory that is renamed into place, so an interrupted build never leaves a
# half binary, and a lock file keeps two concurrent callers from building twice.
#
# v1.14.8 is Vault's last MPL-2.0 release (later ones are BUSL). It cannot be built with
# `go install`: its go.mod replaces github.com/hashicorp/vault/api and .../sdk with the local
# directories ./api and ./sdk, and the module zip the proxy serves leaves nested modules out. So:
#  1. a wrapper module requires Vault; replace directives apply only to a main module, so Go takes
#     the api and sdk versions Vault's go.mod requires (api v1.9.2, sdk v0.9.2);
#  2. but the tree's own api and sdk had gained a few backports after those were tagged, and no
#     later tag matches the 1.14 branch (v0.10.x and up come from main):
#     - api: v1.10.0 has the two methods the CLI needs (Raft autopilot with a DR token), its go.mod
#       is identical to v1.9.2's and its changes are additive, so the wrapper pins it;
#     - sdk: the missing declarations are copied from the first sdk tags that carry them (v0.10.2,
#       v0.11.0; MPL-2.0) into a local copy of sdk v0.9.2 that the wrapper uses through a replace.
#       They are additive: a context key type, two context helpers and the fencing-HA interface
#       used only by the Consul storage backend. One start-up check that came from main is
#       dropped (see fix_api_sdk).
set -euo pipefail

VAULT_VERSION="${EXKEY_VAULT_VERSION:-1.14.8}"
# shellcheck source=lib/cached-bin.sh
source "$(dirname "$0")/lib/cached-bin.sh"
DIR="$BIN_ROOT/vault-$VAULT_VERSION"

log() { echo "[build-vault] $*" >&2; }

# Vault 1.14.x's tree expects slightly newer api and sdk than its go.mod names (see the top).
fix_api_sdk() {
  if [ "$(go list -m -f '{{.Version}}' github.com/hashicorp/vault/api)" = v1.9.2 ]; then
    go get github.com/hashicorp/vault/api@v1.10.0 >>get.log 2>&1
  fi
  # Only sdk v0.9.2 (what every 1.14.x go.mod requires) lacks exactly these declarations.
  [ "$(go list -m -f '{{.Version}}' github.com/hashicorp/vault/sdk)" = v0.9.2 ] || return 0
  local src
  src="$(go list -m -f '{{.Dir}}' github.com/hashicorp/vault/sdk)"
  cp -r "$src" ./sdk
  chmod -R u+w ./sdk
  cat > ./sdk/logical/exkey_backport.go <<'GO'
// Copyright (c) HashiCorp, Inc.
// SPDX-License-Identifier: MPL-2.0

// Backported from github.com/hashicorp/vault/sdk v0.10.2 and v0.11.0 (logical/request.go).

package logical

import (
	"context"
	"io"
)

type CtxKeyRequestRole struct{}

func (c CtxKeyRequestRole) String() string {
	return "request-role"
}

type ctxKeyOriginalBody struct{}

func ContextOriginalBodyValue(ctx context.Context) (io.ReadCloser, bool) {
	value, ok := ctx.Value(ctxKeyOriginalBody{}).(io.ReadCloser)
	return value, ok
}

func CreateContextOriginalBody(parent context.Context, body io.ReadCloser) context.Context {
	return context.WithValue(parent, ctxKeyOriginalBody{}, body)
}
GO
  cat > ./sdk/physical/exkey_backport.go <<'GO'
// Copyright (c) HashiCorp, Inc.
// SPDX-License-Identifier: MPL-2.0

// Backported from github.com/hashicorp/vault/sdk v0.10.2 (physical/physical.go).

package physical

import "context"

// FencingHABackend is an HABackend whose locks also fence writes (Consul sessions).
type FencingHABackend interface {
	HABackend

	RegisterActiveNodeLock(l Lock) error
}

type unfencedWriteContextKeyType string

const unfencedWriteContextKey unfencedWriteContextKeyType = "vault-disable-fencing"

// UnfencedWriteCtx marks writes that must skip fencing.
func UnfencedWriteCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, unfencedWriteContextKey, true)
}

// IsUnfencedWrite reports whether UnfencedWriteCtx marked ctx.
func IsUnfencedWrite(ctx context.Context) bool {
	isUnfenced, ok := ctx.Value(unfencedWriteContextKey).(bool)
	return ok && isUnfenced
}
GO
  # sdk v0.9.2 was tagged on main after the 1.14 branch was cut, and carries a start-up check the
  # branch did not have: it panics on a path that accepts "create" without an existence check,
  # which 1.14.8's stubs for enterprise-only paths (managed-keys/...) do. Drop that check.
  sed -i 's|panic(fmt.Sprintf("Pattern %v defines a CreateOperation but no ExistenceCheck", p.Pattern))|_ = ok // exkey: check absent on the 1.14 branch|' \
    ./sdk/framework/backend.go
  go mod edit -replace github.com/hashicorp/vault/sdk=./sdk
}

cached_bin_lock "vault-$VAULT_VERSION" "$DIR/vault"

if [ ! -x "$DIR/vault" ]; then
  log "building vault v$VAULT_VERSION (first run only; about 20 min cold on 2 cores)"
  started=$SECONDS
  work="$(mktemp -d)"
  stage="$(cached_bin_stage "vault-$VAULT_VERSION")"
  trap 'rm -rf "$work" "$stage"' EXIT
  (
    cd "$work"
    go mod init exkey.io/vaultbin >/dev/null 2>&1
    # Run with the GODEBUG defaults of Go 1.21, which built the official 1.14.8 binaries. With the
    # current ones, a dependency's init (gosnowflake's embedded CA bundle, a certificate with a
    # negative serial number) panics at start-up: "failed to parse CA certificate".
    go mod edit -godebug=default=go1.21
    if ! go get "github.com/hashicorp/vault@v$VAULT_VERSION" >get.log 2>&1; then
      tail -n 30 get.log >&2
      exit 1
    fi
    fix_api_sdk
    # The version comes from the module's embedded VERSION file; no -X stamping needed. Without the
    # `ui` build tag the web UI is left out, which the tests do not use.
    go build -trimpath -ldflags='-s -w' -o "$stage/vault" github.com/hashicorp/vault
  )
  "$stage/vault" version >&2
  cached_bin_commit "$stage" "$DIR"
  log "vault v$VAULT_VERSION built in $((SECONDS - started)) s"
fi

echo "$DIR/vault"
