#!/usr/bin/env bash
# The static site's search at scale: builds a generated corpus of COUNT advisories
# (default 10,000) with `bulletin build`, reports the build time (and the part spent
# indexing), the index's size on disk (raw, gzip, brotli; files), and what three typical
# queries transfer in chromium with a cold and a warm cache (benches/search_static.mjs).
#
#   benches/search_static.sh [COUNT]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-10000}
bin=${BULLETIN_BIN:-target/release/bulletin}
base=$(mktemp -d /dev/shm/bulletin-static-search.XXXXXX)
trap 'rm -rf "$base"' EXIT
[ -x "$bin" ] || cargo build --release
[ -d tests/browser/node_modules/playwright-core ] || tests/browser/install.sh
cargo run -q --release --example gen_corpus -- "$base/corpus" "$count" >/dev/null
"$bin" build --dir "$base/corpus" --out "$base/public" --now 2026-11-25T00:00:00Z 2>&1 | tail -1
index="$base/public/search/index"
size() { find "$index" -type f "$@" -printf '%s\n' | awk '{s+=$1; n++} END {printf "%.1f MB in %d files", s/1e6, n}'; }
echo "index: $(size -name '*.json') raw; $(size -name '*.json.gz') gzip; $(size -name '*.json.br') brotli"
echo "  terms: $(size -path '*/t/*.json'); cards: $(size -path '*/d/*.json'); largest term file: $(find "$index" -path '*/t/*.json' -printf '%s %p\n' | sort -n | tail -1 | awk '{printf "%.0f KB (%s)", $1/1024, $2}')"
echo "whole site: $(du -sh "$base/public" | cut -f1)"
node benches/search_static.mjs "$base/public" "bank" "leaked customers" "CNIC"
