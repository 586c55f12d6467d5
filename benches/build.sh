#!/usr/bin/env bash
# Build benchmark: a generated corpus of N advisories (default 10,000) built on a RAM
# disk, as the issue's reference figures were measured (ext4 adds seconds of noise
# creating 10,000 folders). Reports wall, CPU and peak memory of a cold build (empty
# output) and of a warm rebuild (unchanged output, compressed copies reused), 3 runs each.
#   benches/build.sh [COUNT]        (BULLETIN_BIN=FILE measures that binary instead)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-10000}
base=/dev/shm/bulletin-bench
rm -rf "$base"; mkdir -p "$base"
cargo build --release -q
cargo run --release -q --example gen_corpus -- "$base/corpus" "$count" >/dev/null
bin=${BULLETIN_BIN:-./target/release/bulletin}
run() {
  /usr/bin/time -f "$1: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
    "$bin" build --dir "$base/corpus" --out "$base/out" --now 2026-11-25T00:00:00Z 2>&1 | tail -1
}
for i in 1 2 3; do rm -rf "$base/out"; run "cold build $i"; done
for i in 1 2 3; do run "warm rebuild $i"; done
du -sh --apparent-size "$base/out" | sed 's/^/output: /'
rm -rf "$base"
