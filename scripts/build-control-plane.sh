#!/usr/bin/env bash
# Builds the local control plane's binaries from the Go module proxy and caches them by
# version outside the repository, so only the first run on a machine pays for the build.
#
#   scripts/build-control-plane.sh            # build whatever is missing, print the bin dir
#
# Layout: $EXKEY_CACHE_DIR/bin/<name>-<version>/<name>; a build goes to a temporary
# directory and is renamed into place, so an interrupted build never leaves a half binary.
set -euo pipefail

K8S_VERSION="${EXKEY_K8S_VERSION:-1.36.3}"
ETCD_VERSION="${EXKEY_ETCD_VERSION:-3.6.16}"
KWOK_VERSION="${EXKEY_KWOK_VERSION:-0.8.0}"
CACHE_DIR="${EXKEY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/exkey}"
BIN_ROOT="$CACHE_DIR/bin"
# Bump when the build recipe (flags, copied files) changes, so stale caches are not reused.
RECIPE=2
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$BIN_ROOT"

log() { echo "[build-control-plane] $*" >&2; }

have() { [ -x "$BIN_ROOT/$1/$2" ]; }

# Kubernetes' go.mod replaces every staging module with a local path, which breaks
# `go install` (kubernetes/kubernetes#79384). A wrapper module pins each staging module to its
# published v0.Y.Z instead; the list comes from the go.mod the proxy serves for this version.
build_kubernetes() {
  local dir="kubernetes-$K8S_VERSION-r$RECIPE"
  if have "$dir" kube-apiserver && have "$dir" kube-controller-manager && have "$dir" kube-scheduler; then return; fi
  log "building kube-apiserver, kube-controller-manager, kube-scheduler v$K8S_VERSION (first run only; 10-25 min)"
  local work; work="$(mktemp -d)"
  (
    cd "$work"
    go mod init exkey.io/k8sbin >/dev/null 2>&1
    local gomod
    gomod="$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | python3 -c 'import json,sys;print(json.load(sys.stdin)["GoMod"])')"
    local minor="${K8S_VERSION#1.}"
    for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/src/.*|\1|p' "$gomod"); do
      go mod edit "-replace=$m=$m@v0.$minor"
    done
    go get "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null
    # `go get` on the command packages records the go.sum entries their imports need.
    go get "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" \
      "k8s.io/kubernetes/cmd/kube-controller-manager@v$K8S_VERSION" \
      "k8s.io/kubernetes/cmd/kube-scheduler@v$K8S_VERSION" >/dev/null
    mkdir -p out
    # Stamp the version the way Kubernetes' own build does; without it the API server reports
    # v0.0.0-master and `kubectl version` cannot parse it.
    local major="${K8S_VERSION%%.*}" rest="${K8S_VERSION#*.}"
    local minor="${rest%%.*}" ldflags="-s -w"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags="$ldflags -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    done
    go build -trimpath -ldflags="$ldflags" -o out/ \
      k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler
  )
  rm -rf "$BIN_ROOT/$dir"; mv "$work/out" "$BIN_ROOT/$dir"; rm -rf "$work"
}

# etcd's server module has the same replace problem (etcd-io/etcd#18501): a wrapper module
# that requires it uses the published api/client/pkg modules instead of the local paths.
build_etcd() {
  local dir="etcd-$ETCD_VERSION"
  if have "$dir" etcd; then return; fi
  log "building etcd v$ETCD_VERSION"
  local work; work="$(mktemp -d)"
  (
    cd "$work"
    go mod init exkey.io/etcdbin >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null
    mkdir -p out
    go build -trimpath -ldflags='-s -w' -o out/etcd go.etcd.io/etcd/server/v3
  )
  rm -rf "$BIN_ROOT/$dir"; mv "$work/out" "$BIN_ROOT/$dir"; rm -rf "$work"
}

# kwok also needs Stage definitions (how fake nodes and pods move through their lifecycle); the
# module ships them under kustomize/stage, so they are copied next to the binary.
build_kwok() {
  local dir="kwok-$KWOK_VERSION"
  if have "$dir" kwok && [ -f "$BIN_ROOT/$dir/stages/pod-ready.yaml" ]; then return; fi
  log "building kwok v$KWOK_VERSION"
  local work; work="$(mktemp -d)"
  GOBIN="$work/out" go install -trimpath -ldflags='-s -w' "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  local src
  src="$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | python3 -c 'import json,sys;print(json.load(sys.stdin)["Dir"])')"
  mkdir -p "$work/out/stages"
  cp "$src"/kustomize/stage/node/fast/node-initialize.yaml \
     "$src"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
     "$src"/kustomize/stage/pod/fast/pod-ready.yaml \
     "$src"/kustomize/stage/pod/fast/pod-complete.yaml \
     "$src"/kustomize/stage/pod/fast/pod-delete.yaml "$work/out/stages/"
  chmod -R u+w "$work/out/stages"
  rm -rf "$BIN_ROOT/$dir"; mv "$work/out" "$BIN_ROOT/$dir"; rm -rf "$work"
}

build_etcd
build_kwok
build_kubernetes
log "binaries ready under $BIN_ROOT"
echo "$BIN_ROOT"
