#!/usr/bin/env bash
# Builds the helm v3 CLI from the Go module proxy and caches it by version outside the
# repository, for the chart tests (helm lint, helm template) and scripts/render-deploy.ts.
# Only the first run on a machine pays.
#
#   scripts/build-helm.sh          # build if missing, print the binary's path on stdout
#
# Layout and locking as build-vault.sh (scripts/lib/cached-bin.sh):
# $EXKEY_CACHE_DIR/bin/helm-<version>/helm. helm's go.mod has no replace directives, so a plain
# `go install` works; the -X flags are the ones helm's Makefile sets. Without the Kubernetes
# version ones, `helm template` and `helm lint` assume Kubernetes v1.20 and refuse charts that
# need a newer one (kubeVersion).
set -euo pipefail

HELM_VERSION="${EXKEY_HELM_VERSION:-3.22.0}"
# shellcheck source=lib/cached-bin.sh
source "$(dirname "$0")/lib/cached-bin.sh"
DIR="$BIN_ROOT/helm-$HELM_VERSION"

log() { echo "[build-helm] $*" >&2; }

cached_bin_lock "helm-$HELM_VERSION" "$DIR/helm"

if [ ! -x "$DIR/helm" ]; then
  log "building helm v$HELM_VERSION (first run only; about 4 min cold on 2 cores)"
  started=$SECONDS
  stage="$(cached_bin_stage "helm-$HELM_VERSION")"
  trap 'rm -rf "$stage"' EXIT
  # Like the Makefile: Kubernetes 1.N for client-go v0.N (capabilities and deprecation checks).
  gomod="$(go mod download -json "helm.sh/helm/v3@v$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  client_go="$(sed -n 's|^[[:space:]]*k8s.io/client-go v0\.\([0-9]*\)\..*|\1|p' "$gomod")"
  [ -n "$client_go" ] || { log "cannot find k8s.io/client-go in $gomod"; exit 1; }
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$client_go"
  done
  GOBIN="$stage" go install -trimpath -ldflags="$ldflags" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
  "$stage/helm" version --short >&2
  cached_bin_commit "$stage" "$DIR"
  log "helm v$HELM_VERSION built in $((SECONDS - started)) s"
fi

echo "$DIR/helm"
