#!/usr/bin/env bash
# Issue 24's measure of a newcomer's first build: the tour, cold (a clean target directory,
# crates already downloaded), against a plain tokio hello-world (`rt-multi-thread`, `macros`,
# `time`) built cold the same way, one after the other in one run. Prints both and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/hello/src"
cat > "$work/hello/Cargo.toml" <<'TOML'
[package]
name = "tokio-hello"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
tokio = { version = "1", features = ["rt-multi-thread", "macros", "time"] }

[workspace]
TOML
cat > "$work/hello/src/main.rs" <<'RS'
#[tokio::main]
async fn main() {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    println!("hello from tokio");
}
RS
(cd "$work/hello" && cargo fetch -q)
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc; }
hello=$(cd "$work/hello" && seconds env CARGO_TARGET_DIR="$work/hello-target" cargo build --release)
tour=$(seconds env CARGO_TARGET_DIR="$work/tour-target" cargo build --release --example tour)
printf 'tokio hello-world, cold release build: %.1f s\n' "$hello"
printf 'txaio tour, cold release build:        %.1f s\n' "$tour"
printf 'ratio: %.2fx (target: at most 2.5x)\n' "$(echo "$tour / $hello" | bc -l)"
