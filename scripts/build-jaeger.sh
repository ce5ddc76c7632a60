#!/usr/bin/env bash
# Builds Jaeger v2 (the OTLP receiver and trace query API the tracing e2e talks to) from the Go
# module proxy into a cache outside the repository, once; later runs print the cached path.
#
# Jaeger's go.mod carries a replace line, so `go install pkg@version` refuses it: the build runs
# in a throw-away wrapper module that repeats the replace. The checksum database here lacks some
# OpenTelemetry collector modules, so GONOSUMDB skips it for those two prefixes (the wrapper's
# go.sum still pins what was downloaded). About 5 minutes on 2 cores, the first time.
#
# Usage: scripts/build-jaeger.sh [BIN_DIR]
#   BIN_DIR defaults to $SLUICE_TOOLS_DIR/bin, else ~/.cache/sluice-tools/bin.
# Prints the binary's absolute path on its last line of stdout; exit 2 when Go is missing.
set -euo pipefail

JAEGER_VERSION=v1.76.0 # the module version of Jaeger v2 (its v2 binaries ship from the v1 module path)
BIN_DIR=${1:-${SLUICE_TOOLS_DIR:-$HOME/.cache/sluice-tools}/bin}
BINARY="$BIN_DIR/jaeger-$JAEGER_VERSION"

if [ -x "$BINARY" ]; then
  echo "$BINARY"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-jaeger: Go is not installed (apt-get install golang-go, or a Go >= 1.25 toolchain)" >&2
  exit 2
fi

mkdir -p "$BIN_DIR"
WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT
cd "$WORK_DIR"
export GONOSUMDB=github.com/open-telemetry,go.opentelemetry.io GOFLAGS=-mod=mod
cat >go.mod <<MOD
module jaegerbuild

go 1.25.0

replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0
MOD
echo "build-jaeger: fetching github.com/jaegertracing/jaeger@$JAEGER_VERSION (once)" >&2
go get "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" >&2
echo "build-jaeger: building (a few minutes)" >&2
# Built under a temporary name and renamed: a build cut short never leaves a binary that looks done.
go build -o "$BINARY.partial" github.com/jaegertracing/jaeger/cmd/jaeger >&2
mv "$BINARY.partial" "$BINARY"
echo "$BINARY"
