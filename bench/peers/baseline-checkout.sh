#!/usr/bin/env bash
# A built checkout of another revision of this repository, for `pnpm bench:builds --baseline`:
#   bench/peers/baseline-checkout.sh <git-rev>   -> prints the checkout's directory
# A detached git worktree under ~/.cache/sluice-baseline/<rev>, installed and built once.
set -euo pipefail
rev="${1:?usage: bench/peers/baseline-checkout.sh <git-rev>}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
sha="$(git -C "$repo" rev-parse --short=12 "$rev")"
dir="${SLUICE_BASELINE_CACHE:-$HOME/.cache/sluice-baseline}/$sha"
if [ ! -f "$dir/bench/dist/compare.js" ]; then
  if [ ! -d "$dir" ]; then
    mkdir -p "$(dirname "$dir")"
    git -C "$repo" worktree add --detach "$dir" "$sha" >&2
  fi
  (cd "$dir" && npx -y pnpm@12 install --frozen-lockfile >&2 && npx -y pnpm@12 build >&2)
fi
echo "$dir"
