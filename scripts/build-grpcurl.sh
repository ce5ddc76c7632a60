#!/usr/bin/env bash
# Builds grpcurl (a gRPC client that learns services through server reflection) from the Go
# module proxy into a cache outside the repository, once; later runs print the cached path. The
# any-gRPC-client e2e uses it to list, describe and call sluice services with no proto files.
#
# Usage: scripts/build-grpcurl.sh [BIN_DIR]
#   BIN_DIR defaults to $SLUICE_TOOLS_DIR/bin, else ~/.cache/sluice-tools/bin.
# Prints the binary's absolute path on its last line of stdout; exit 2 when Go is missing.
set -euo pipefail

GRPCURL_VERSION=v1.9.3
BIN_DIR=${1:-${SLUICE_TOOLS_DIR:-$HOME/.cache/sluice-tools}/bin}
BINARY="$BIN_DIR/grpcurl-$GRPCURL_VERSION"

if [ -x "$BINARY" ]; then
  echo "$BINARY"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-grpcurl: Go is not installed (apt-get install golang-go, or a Go toolchain)" >&2
  exit 2
fi
mkdir -p "$BIN_DIR"
WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT
GOBIN="$WORK_DIR" go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" >&2
mv "$WORK_DIR/grpcurl" "$BINARY"
echo "$BINARY"
