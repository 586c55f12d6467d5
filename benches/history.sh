#!/usr/bin/env bash
# Git history benchmark: a generated repository of COUNT advisories (default 10,000)
# and COMMITS commits (default 30,000: every file added, then edited, some renamed),
# made with git fast-import on a RAM disk. Times the first start (one `git log` of what every
# commit changed), a restart from the history cache in .git/bulletin (also after one new commit),
# and the incremental update after one new commit that a running server does.
#   benches/history.sh [COUNT] [COMMITS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-10000}
commits=${2:-30000}
base=/dev/shm/bulletin-history-bench
rm -rf "$base"; mkdir -p "$base/repo"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$base"' EXIT
cargo build --release -q --example history_bench
git -C "$base/repo" init -q -b main
start=$(date +%s%N)
python3 - "$count" "$commits" <<'PY' | git -C "$base/repo" fast-import --quiet
import sys, random
count, commits = int(sys.argv[1]), int(sys.argv[2])
random.seed(42)
out = sys.stdout.buffer
def data(b):
    out.write(b"data %d\n" % len(b)); out.write(b); out.write(b"\n")
per_year = -(-count // 12)
names = ["advisories/%d/PK-%d-%04d.md" % (2015 + i // per_year, 2015 + i // per_year, i % per_year + 1) for i in range(count)]
t = 1600000000
for c in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Staff <staff@example.org> %d +0000\n" % (t + c * 60))
    if c < count:
        i = c; op = b"M"; msg = b"Add " + names[i].encode()
    else:
        i = random.randrange(count); op = b"M"; msg = b"Update " + names[i].encode()
    data(msg)
    if c >= count and c % 300 == 0:
        old = names[i]; new = old.replace(".md", "-r.md").replace("-r-r", "-r")
        if new != old:
            out.write(b"R %s %s\n" % (old.encode(), new.encode())); names[i] = new
            out.write(b"\n"); continue
    out.write(b"M 100644 inline %s\n" % names[i].encode())
    data(b"+++\nid = \"%s\"\n+++\n\nRevision %d of this advisory.\n" % (names[i].rsplit("/", 1)[1][:-3].encode(), c))
    out.write(b"\n")
PY
git -C "$base/repo" checkout -q main
echo "generated $count advisories, $(git -C "$base/repo" rev-list --count HEAD) commits in $(( ($(date +%s%N) - start) / 1000000 )) ms"
./target/release/examples/history_bench "$base/repo/advisories"
