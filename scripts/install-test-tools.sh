#!/usr/bin/env bash
# Installs, from Debian, the outside programs the test suite runs for real: Prometheus (the
# metrics e2e scrapes a running cluster with it). Run as root (CI does, before the README's test
# command) or through sudo; does nothing when everything is already on PATH. The tests themselves
# install nothing: without a tool they fail with this script's name and the apt-get command.
# Debian's packages start system services on their default ports; the tests never use those.
set -euo pipefail
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-test-tools: prometheus is installed ($(prometheus --version 2>&1 | head -1))"
  exit 0
fi
command -v apt-get >/dev/null || {
  echo "install-test-tools: no apt-get here; install ${missing[*]} yourself and put it on PATH" >&2
  exit 2
}
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || {
    echo "install-test-tools: ${missing[*]} missing and not root (no sudo): run 'apt-get install -y ${missing[*]}' as root" >&2
    exit 2
  }
  sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
for service in prometheus; do
  if command -v systemctl >/dev/null; then "${sudo[@]}" systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
done
echo "install-test-tools: installed ${missing[*]}"
