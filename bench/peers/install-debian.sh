#!/usr/bin/env bash
# Installs the Debian peers of the side-by-side bench: nats-server (JetStream) and redis-server.
# Needs root (or sudo) and apt. Skips whatever is already on PATH. Does not start the services:
# bench/src/compare.ts starts its own processes on free loopback ports and stops them by pid.
set -euo pipefail
missing=()
command -v nats-server >/dev/null || missing+=(nats-server)
command -v redis-server >/dev/null || missing+=(redis-server)
if [[ ${#missing[@]} -eq 0 ]]; then echo "nats-server and redis-server are installed"; exit 0; fi
command -v apt-get >/dev/null || { echo "install-debian: no apt-get here; install ${missing[*]} yourself and put them on PATH" >&2; exit 2; }
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "install-debian: ${missing[*]} missing and not root (no sudo): run 'apt-get install -y ${missing[*]}' as root" >&2; exit 2; }
  sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
# Debian's packages start system services on their default ports; the bench never uses those.
for service in redis-server nats-server; do
  command -v systemctl >/dev/null && "${sudo[@]}" systemctl disable --now "$service" >/dev/null 2>&1 || true
done
echo "installed ${missing[*]}"
