#!/usr/bin/env bash
# Instructions per operation of the primitives' hot paths, counted by callgrind (valgrind):
# the same on every run, so a change of a few percent shows, where criterion's times on a
# shared machine move by 10%. Each figure is (instructions of N rounds - of 0 rounds) / N.
#
#   bash scripts/icount.sh                 # every operation
#   bash scripts/icount.sh put-get chain   # some
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}/icount
CARGO_TARGET_DIR=$target cargo build --release -q --manifest-path "$root/scripts/icount/Cargo.toml"
bin=$target/release/icount
rounds=100000
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        grep -oP 'Collected : \K[0-9]+'
}
operations=("$@")
[ ${#operations[@]} -gt 0 ] ||
    operations=(put-get get-waits-put floor run cancel chain chain-returning-deferreds)
for operation in "${operations[@]}"; do
    empty=$(count "$operation" 0)
    full=$(count "$operation" "$rounds")
    echo "$operation: $(((full - empty) / rounds)) instructions per operation (per link for chains)"
done
