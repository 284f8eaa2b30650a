# Shared by scripts/build-vault.sh and scripts/build-helm.sh (sourced, not run): the layout and
# locking of binaries built once per machine and cached by version outside the repository.
#   $EXKEY_CACHE_DIR/bin/<name>-<version>/<binary>
# A build goes to a staging directory next to the cache and is renamed into place, so an
# interrupted build never leaves a half binary; a lock keeps two concurrent callers from building
# twice (a caller that waited finds the binary already there).

CACHE_DIR="${EXKEY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/exkey}"
BIN_ROOT="$CACHE_DIR/bin"
mkdir -p "$BIN_ROOT"
# Static binaries that run on any Linux host; no VCS stamping (module builds have no checkout).
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"

# cached_bin_lock ID BINARY: waits for the build lock of ID (e.g. vault-1.14.8) unless BINARY
# already exists. The lock is held on fd 9 until the script exits.
cached_bin_lock() {
  [ -x "$2" ] && return 0
  exec 9>"$BIN_ROOT/.$1.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
}

# cached_bin_stage ID: creates and prints a staging directory for ID, removed on exit unless
# cached_bin_commit moved it into place.
cached_bin_stage() {
  local stage="$BIN_ROOT/.$1.tmp.$$"
  mkdir -p "$stage"
  echo "$stage"
}

# cached_bin_commit STAGE DIR: replaces DIR with the finished STAGE (an atomic rename).
cached_bin_commit() {
  rm -rf "$2"
  mv "$1" "$2"
}
