#!/bin/sh
# The image's one entrypoint; the first argument picks what runs:
#   sluice.sh controller|broker|coordinator|tiering --config FILE   a service (exec: it receives SIGTERM itself)
#   sluice.sh prepare                                       a pod's init step (prepare-pod.sh)
#   sluice.sh <anything else>                               the `sluice` CLI with those arguments
# Node.js is whatever `node` is on PATH: the image's Node 24, or the workspace's node_modules/.bin.
set -eu
app_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
case "${1:-}" in
  controller | broker | coordinator | tiering)
    role=$1
    shift
    # The service's own Node/V8 flags (services/<role>/node-flags: one per line, # comments).
    flags=""
    if [ -f "$app_dir/services/$role/node-flags" ]; then
      flags=$(sed -e 's/#.*//' "$app_dir/services/$role/node-flags" | tr -s ' \n' ' ')
    fi
    # shellcheck disable=SC2086 # one word per flag, by design
    exec node $flags "$app_dir/services/$role/dist/main.js" "$@"
    ;;
  prepare)
    shift
    exec sh "$app_dir/deploy/docker/prepare-pod.sh" "$@"
    ;;
  *)
    exec node "$app_dir/packages/cli/dist/main.js" "$@"
    ;;
esac
