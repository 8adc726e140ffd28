#!/usr/bin/env bash
# The crates `cargo run --example tour` compiles (as cargo resolves that very command, with
# the root's default members selected), against the list in scripts/tour-deps.txt: fails when
# the tour would link a crate nobody put on the list (a dev-dependency leaking into the demo,
# a heavy feature), so a newcomer's first build stays lean.
# `scripts/tour-deps.sh --bless` rewrites the list after a change that is meant.
set -euo pipefail
cd "$(dirname "$0")/.."
actual=$(cargo check --locked --example tour --message-format=json 2>/dev/null \
  | jq -r 'select(.reason == "compiler-artifact") | .package_id' \
  | sed -E 's/^.*\/([^/#]+)#[0-9][^@]*$/\1/; s/.*#//; s/@.*$//' | sort -u)
if [[ "${1:-}" == "--bless" ]]; then
  printf '%s\n' "$actual" > scripts/tour-deps.txt
  exit 0
fi
extra=$(comm -23 <(printf '%s\n' "$actual") <(sort -u scripts/tour-deps.txt))
if [[ -n "$extra" ]]; then
  echo "the tour now compiles crates that are not on scripts/tour-deps.txt:"
  printf '  %s\n' $extra
  echo "move what only tests need out of the examples' package, or bless a meant change"
  exit 1
fi
echo "the tour compiles $(wc -l <<<"$actual") crates, all on the list"
