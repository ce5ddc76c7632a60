#!/usr/bin/env bash
# A Python virtualenv with grpcio and grpcio-tools from PyPI (versions pinned), in a cache
# outside the repository, made once; later runs print the cached interpreter. The e2e that drives
# sluice from another language generates its stubs from proto/ with it.
#
# Usage: scripts/python-grpc-venv.sh   (prints the venv's python on its last line of stdout)
#   The venv lives in $SLUICE_TOOLS_DIR/python-grpcio-<version>, else ~/.cache/sluice-tools/...
set -euo pipefail

GRPCIO_VERSION=1.85.4
VENV=${SLUICE_TOOLS_DIR:-$HOME/.cache/sluice-tools}/python-grpcio-$GRPCIO_VERSION
READY="$VENV/.sluice-ready"

if [ -f "$READY" ]; then
  echo "$VENV/bin/python"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "python-grpc-venv: python3 is not installed (apt-get install python3 python3-venv)" >&2
  exit 2
fi
rm -rf "$VENV"
python3 -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "grpcio==$GRPCIO_VERSION" "grpcio-tools==$GRPCIO_VERSION" >&2
touch "$READY"
echo "$VENV/bin/python"
