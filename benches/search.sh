#!/usr/bin/env bash
# Served search under load: `bulletin serve` on a generated corpus of COUNT advisories
# (default 10,000, English and Urdu) on a RAM disk, queried by wrk with 64 connections
# twice: 12 queries round-robin (words, prefixes, Urdu, filters, misses), which the server
# answers from the results pages it keeps, and 10,000 varied queries made of the corpus's
# words, which it must search and render.
#
#   benches/search.sh [COUNT] [DURATION]
#
# Reports requests/s and latency percentiles (wrk --latency), the time to build the
# index (the first search after start-up), and the server's peak memory. wrk and the
# server share the machine's cores: the figures are relative to this machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-10000}
duration=${2:-10s}
port=${SERVE_PORT:-18491}
bin=${BULLETIN_BIN:-target/release/bulletin}
base=$(mktemp -d /dev/shm/bulletin-search.XXXXXX)
pids=()
cleanup() { for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done; rm -rf "$base"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$bin" ] || cargo build --release
cargo run -q --release --example gen_corpus -- "$base/corpus" "$count" >/dev/null
"$bin" serve --dir "$base/corpus" --addr "127.0.0.1:$port" --no-watch 2> "$base/serve.log" &
serve=$!
pids+=("$serve")
until grep -q "serving" "$base/serve.log"; do sleep 0.2; done
# The first search builds the index (a reload builds it in the background).
first=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/search/?q=bank")
cat > "$base/queries.txt" <<'EOF'
/search/?q=bank
/search/?q=telecom+records
/search/?q=pass
/search/?q=leaked+customers
/search/?q=wallet&severity=high
/search/?q=portal&data=passwords
/search/?q=CNIC
/search/?q=zzzz+nothing
/ur/search/?q=%D8%A8%DB%8C%D9%86%DA%A9
/ur/search/?q=records
/search/?q=customers&kind=data-breach
/search/?q=sim
EOF
# wrk asks for the addresses of the file named by QUERIES, round-robin.
cat > "$base/requests.lua" <<'EOF'
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do queries[#queries + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1])
end
EOF
load() {
  QUERIES="$1" wrk -t2 -c64 -d"$duration" --latency -H "Accept-Encoding: br, gzip" -s "$base/requests.lua" \
    "http://127.0.0.1:$port" | grep -E "Requests/sec|Latency|50%|90%|99%"
}
echo "advisories: $count; first search (index build): ${first}s"
for q in bank "telecom+records" pass zzzz; do
  n=$(curl -s "http://127.0.0.1:$port/search/?q=$q" | grep -c '<article class="card' || true)
  echo "  q=$q: $n results shown"
done
echo "12 queries round-robin (the server keeps each results page once rendered):"
load "$base/queries.txt"
# Varied queries: every word of the corpus (of four letters or more), then pairs of them,
# 10,000 in all, far more than the 512 results pages the server keeps, so that almost
# every request is searched and rendered afresh (6,400 at 10,000 generated advisories).
find "$base/corpus" -name '*.md' -print0 | xargs -0 cat | tr -cs 'A-Za-z' '\n' | tr 'A-Z' 'a-z' |
  awk 'length($0) > 3' | sort -u > "$base/words.txt"
awk '{w[n++] = $0} END {for (i = 0; i < n; i++) print w[i]; for (i = 0; i < n; i++) for (j = 0; j < n; j++) if (i != j) print w[i] "+" w[j]}' \
  "$base/words.txt" | head -10000 | sed 's|^|/search/?q=|' > "$base/varied.txt"
echo "$(wc -l < "$base/varied.txt") varied queries (almost all searched and rendered afresh):"
load "$base/varied.txt"
echo "server peak memory (VmHWM): $(( $(grep VmHWM "/proc/$serve/status" | awk '{print $2}') / 1024 )) MB"
