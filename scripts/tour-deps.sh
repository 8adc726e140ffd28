#!/usr/bin/env bash
# The crates `cargo run --example tour` compiles, against the list in scripts/tour-deps.txt:
# fails when the tour would link a crate nobody put on the list (a dev-dependency that leaked
# into the demo's package, a heavy feature), so a newcomer's first build stays lean.
# `scripts/tour-deps.sh --bless` rewrites the list after a change that is meant.
set -euo pipefail
cd "$(dirname "$0")/.."
actual=$(cargo tree --locked -p txaio-examples-basics -e normal,build,dev --prefix none \
  | sed 's/ v[0-9].*//' | sort -u)
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
