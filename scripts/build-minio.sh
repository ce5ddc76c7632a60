#!/usr/bin/env bash
# Builds MinIO (the S3-compatible server the tiered-storage tests talk to, instead of any fake S3)
# from the Go module proxy into a cache outside the repository, once; later runs print the cached
# path. About 4 minutes on 2 cores, the first time.
#
# Usage: scripts/build-minio.sh [BIN_DIR]
#   BIN_DIR defaults to $SLUICE_TOOLS_DIR/bin, else ~/.cache/sluice-tools/bin.
# Prints the binary's absolute path on its last line of stdout; exit 2 when Go is missing.
# Run:   MINIO_ROOT_USER=sluice MINIO_ROOT_PASSWORD=sluice-secret "$BIN/minio" server DIR --address 127.0.0.1:PORT
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
BIN_DIR=${1:-${SLUICE_TOOLS_DIR:-$HOME/.cache/sluice-tools}/bin}
BINARY="$BIN_DIR/minio"

if [ -x "$BINARY" ]; then
  echo "$BINARY"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-minio: Go is not installed (apt-get install golang-go, or a Go >= 1.25 toolchain)" >&2
  exit 2
fi

mkdir -p "$BIN_DIR"
STAGE_DIR=$(mktemp -d)
trap 'rm -rf "$STAGE_DIR"' EXIT
echo "build-minio: go install github.com/minio/minio@$MINIO_VERSION (once, a few minutes)" >&2
# Installed into a staging directory and moved: a build cut short never leaves a binary that looks done.
GOBIN="$STAGE_DIR" go install "github.com/minio/minio@$MINIO_VERSION" >&2
mv "$STAGE_DIR/minio" "$BINARY"
echo "$BINARY"
