#!/usr/bin/env bash
# Installs the npm clients of the NATS and Redis drivers (nats.js, ioredis) into
# bench/peers/node_modules (gitignored). bench/src/compare-nats.ts and compare-redis.ts load them
# from there, so the workspace's package.json and lockfile stay as they are.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v npm >/dev/null || { echo "install-npm: npm is not on PATH" >&2; exit 2; }
if [[ -f "$here/node_modules/nats/package.json" && -f "$here/node_modules/ioredis/package.json" ]]; then echo "nats and ioredis are installed in $here/node_modules"; exit 0; fi
cd "$here"
npm install --no-audit --no-fund --loglevel=error
echo "installed nats and ioredis into $here/node_modules"
