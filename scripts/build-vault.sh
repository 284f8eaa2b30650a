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
# v1.14.8 is Vault's last MPL-2.0 release (later ones are BUSL). Its go.mod replaces
# github.com/hashicorp/vault/api and .../sdk with local paths, which `go install` refuses; a
# wrapper module that requires Vault ignores those replaces (they apply only to a main module) and
# takes the published api and sdk versions Vault's go.mod itself requires (api v1.9.2, sdk v0.9.2).
set -euo pipefail

VAULT_VERSION="${EXKEY_VAULT_VERSION:-1.14.8}"
CACHE_DIR="${EXKEY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/exkey}"
BIN_ROOT="$CACHE_DIR/bin"
DIR="$BIN_ROOT/vault-$VAULT_VERSION"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$BIN_ROOT"

log() { echo "[build-vault] $*" >&2; }

if [ ! -x "$DIR/vault" ]; then
  # One builder at a time; a caller that waited finds the binary already there.
  exec 9>"$BIN_ROOT/.vault-$VAULT_VERSION.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
fi

if [ ! -x "$DIR/vault" ]; then
  log "building vault v$VAULT_VERSION (first run only; about 10 min cold on 2 cores)"
  started=$SECONDS
  work="$(mktemp -d)"
  # Staged next to the cache so the final rename is atomic (same filesystem).
  stage="$BIN_ROOT/.vault-$VAULT_VERSION.tmp.$$"
  trap 'rm -rf "$work" "$stage"' EXIT
  mkdir -p "$stage"
  (
    cd "$work"
    go mod init exkey.io/vaultbin >/dev/null 2>&1
    if ! go get "github.com/hashicorp/vault@v$VAULT_VERSION" >get.log 2>&1; then
      tail -n 30 get.log >&2
      exit 1
    fi
    # The version comes from the module's embedded VERSION file; no -X stamping needed. Without the
    # `ui` build tag the web UI is left out, which the tests do not use.
    go build -trimpath -ldflags='-s -w' -o "$stage/vault" github.com/hashicorp/vault
  )
  "$stage/vault" version >&2
  rm -rf "$DIR"
  mv "$stage" "$DIR"
  log "vault v$VAULT_VERSION built in $((SECONDS - started)) s"
fi

echo "$DIR/vault"
