#!/usr/bin/env bash
# Installs what the integration tests need beyond npm packages, when missing, so `npm test` works
# on a fresh machine: moto's AWS-protocol server (PyPI), the cached control-plane binaries and the
# cached Vault binary (a dev server for the vault-transit tests), and the cached helm binary (chart
# lint, template and render-deploy). The Go builds run side by side; on a warm machine each is a
# cache hit.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import moto.server, flask_cors' >/dev/null 2>&1; then
  echo "[test-deps] installing moto[server] (AWS KMS test server) from PyPI" >&2
  python3 -m pip install --quiet --user 'moto[server]>=5,<6' || python3 -m pip install --quiet 'moto[server]>=5,<6'
fi
bash scripts/build-control-plane.sh >/dev/null &
control_plane=$!
bash scripts/build-vault.sh >/dev/null &
vault=$!
bash scripts/build-helm.sh >/dev/null &
helm=$!
status=0
wait "$control_plane" || status=$?
wait "$vault" || status=$?
wait "$helm" || status=$?
exit "$status"

