#!/usr/bin/env bash
# Compile-time cost of #[txaio::portable]: a generated crate of N portable async fns against
# the same N plain async fns wrapped by hand in txaio::spawn. Prints the clean build time of
# each crate (its dependencies built beforehand, shared by both) and the ratio.
#
#   bash scripts/compile-cost.sh [N=300] [ROUNDS=3]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-300}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() { # name, kind
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
txaio = { path = "$root" }
TOML
  {
    echo "use std::time::Duration;"
    for i in $(seq 1 "$count"); do
      if [ "$2" = portable ]; then
        cat <<RS
#[txaio::portable]
pub async fn step_$i(x: u64) -> Result<u64, txaio::Failure> {
    txaio::sleep(Duration::from_millis(x % 3)).await?;
    Ok(x.wrapping_mul($i))
}
RS
      else
        cat <<RS
async fn step_${i}_body(x: u64) -> Result<u64, txaio::Failure> {
    txaio::sleep(Duration::from_millis(x % 3)).await?;
    Ok(x.wrapping_mul($i))
}
pub fn step_$i(x: u64) -> txaio::Deferred<u64> {
    txaio::spawn(step_${i}_body(x))
}
RS
      fi
    done
  } > "$dir/src/lib.rs"
}

generate gen_portable portable
generate gen_by_hand by_hand
cat > "$work/Cargo.toml" <<TOML
[workspace]
members = ["gen_portable", "gen_by_hand"]
resolver = "3"
TOML
export CARGO_TARGET_DIR="$work/target"
cd "$work"
cargo build -q -p gen_portable -p gen_by_hand >/dev/null 2>&1 # dependencies, once

measure() { # crate -> best seconds over the rounds
  local best=""
  for _ in $(seq 1 "$rounds"); do
    cargo clean -q -p "$1"
    local start end elapsed
    start=$(date +%s.%N)
    cargo build -q -p "$1"
    end=$(date +%s.%N)
    elapsed=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$elapsed < $best" | bc -l)" = 1 ]; then best=$elapsed; fi
  done
  echo "$best"
}

portable=$(measure gen_portable)
by_hand=$(measure gen_by_hand)
printf '%s functions, best of %s clean builds (dependencies prebuilt):\n' "$count" "$rounds"
printf '| crate | build time |\n|---|---|\n'
printf '| %s #[txaio::portable] async fns | %.2f s |\n' "$count" "$portable"
printf '| %s async fns wrapped by hand in txaio::spawn | %.2f s |\n' "$count" "$by_hand"
printf 'ratio: %.2fx\n' "$(echo "$portable / $by_hand" | bc -l)"
