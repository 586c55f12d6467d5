#!/usr/bin/env bash
# Hugo comparison: a cold `bulletin build` against a cold Hugo build of the same generated
# corpus (default 10,000 advisories), both measured in this run on this machine, with
# output on the RAM disk. The issue's target is Hugo wall / bulletin wall >= 2.
#   benches/hugo.sh [COUNT]
# The Hugo site is benches/hugo/ (config and layouts only); the advisories are copied
# into its content/advisories/ on /dev/shm. Runs alternate Hugo, bulletin, Hugo, ... so
# that drift in the machine's speed hits both alike; the medians are compared.
# Hugo's related pages (.Site.RegularPages.Related) are most of its time on this corpus;
# HUGO_BENCH_RELATED=0 benches/hugo.sh leaves them out of the Hugo site to show the rest
# (bulletin still renders its 5 related advisories a page).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-10000}
runs=3
now=2026-11-25T00:00:00Z
base=/dev/shm/bulletin-hugo-bench

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
apt_install() {
  as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
    { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}
command -v hugo >/dev/null || apt_install hugo
[ -x /usr/bin/time ] || apt_install time

if ! cargo build --release -q --bin bulletin --example gen_corpus; then
  if [ -x target/release/bulletin ] && [ -x target/release/examples/gen_corpus ]; then
    echo "WARNING: cargo build failed; using the existing target/release binaries" >&2
  else
    exit 1
  fi
fi
bulletin=$PWD/target/release/bulletin

rm -rf "$base"
trap 'rm -rf "$base"' EXIT
mkdir -p "$base"
target/release/examples/gen_corpus "$base/corpus" "$count" >/dev/null

# The Hugo site: the advisories (not site.toml, measures.toml or the *.ur.md
# translations), keeping the year folders. Hugo has no --now, so instead of relying on
# its clock (buildFuture = false), the advisories bulletin would hold back at $now
# (published later, or draft = true) are left out here, and both build the same set.
site=$base/site
mkdir -p "$site/content/advisories" "$site/static"
cp -r benches/hugo/. "$site/"
cp -r templates/assets "$site/static/assets"
(
  cd "$base/corpus"
  find 20* -name 'PK-*.md' ! -name '*.ur.md' -print0 | xargs -0 awk -v now="$now" '
    FNR == 1 { fence = 0; hold = 0 }
    /^\+\+\+[ \t]*$/ { fence++; if (fence == 2 && !hold) print FILENAME; next }
    fence == 1 && /^published[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); gsub(/"/, "", v); if (v > now) hold = 1 }
    fence == 1 && /^draft[ \t]*=[ \t]*true/ { hold = 1 }
  ' | tr "\n" "\0" | xargs -0r cp --parents -t "$site/content/advisories"
)
public=$(find "$site/content/advisories" -name 'PK-*.md' | wc -l)

# One run: removes the output, times the build, appends "wall user sys rss" to $1.times.
measure() {
  local name=$1 out=$2
  shift 2
  rm -rf "$out"
  /usr/bin/time -f '%e %U %S %M' -o "$base/$name.time" "$@" >"$base/$name.log" 2>&1 ||
    { cat "$base/$name.log" "$base/$name.time" >&2; exit 1; }
  cat "$base/$name.time" >>"$base/$name.times"
  read -r wall user sys rss <"$base/$name.time"
  printf '%-8s run %d: wall %6.2f s, user %6.2f s, sys %5.2f s, peak RSS %7d KB\n' "$name" "$i" "$wall" "$user" "$sys" "$rss"
}
median() { # column $2 of file $1
  cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "corpus: $count advisories, $public public at $now; $(nproc) cores; $(date -u +%FT%TZ)"
echo "hugo: $(hugo version | cut -d' ' -f1-2), related pages $([ "${HUGO_BENCH_RELATED:-1}" = 0 ] && echo OFF || echo on); bulletin: $bulletin"
for i in $(seq "$runs"); do
  measure hugo "$base/out-hugo" hugo --quiet --source "$site" --destination "$base/out-hugo" \
    --cacheDir "$base/hugo-cache" --cleanDestinationDir
  measure bulletin "$base/out-bulletin" "$bulletin" build --dir "$base/corpus" --out "$base/out-bulletin" --now "$now"
done
echo "bulletin: $(tail -1 "$base/bulletin.log")"
if grep -qiE 'warn|error' "$base/hugo.log"; then
  echo "hugo said:"; sed 's/^/  /' "$base/hugo.log"
fi

echo
echo "median of $runs cold builds:"
for name in hugo bulletin; do
  printf '%-8s wall %6.2f s, user %6.2f s, sys %5.2f s, peak RSS %7d KB\n' "$name" \
    "$(median "$base/$name.times" 1)" "$(median "$base/$name.times" 2)" \
    "$(median "$base/$name.times" 3)" "$(median "$base/$name.times" 4)"
done

echo
echo "output:"
mb() { awk '{ s += $1 } END { printf "%.1f MB", s / 1e6 }'; }
for name in hugo bulletin; do
  out=$base/out-$name
  printf '%-8s %6d index.html (%d advisory pages, %d with related ones), %6d files, %s\n' "$name" \
    "$(find "$out" -name index.html | wc -l)" \
    "$(find "$out/advisories" -mindepth 2 -maxdepth 2 -path '*/PK-*/index.html' | wc -l)" \
    "$(find "$out/advisories" -mindepth 2 -maxdepth 2 -path '*/PK-*/index.html' -print0 |
      xargs -0r grep -l 'id="related-title"' | wc -l)" \
    "$(find "$out" -type f | wc -l)" "$(find "$out" -type f -printf '%s\n' | mb)"
done
printf 'bulletin without its .gz/.br copies: %d files, %s\n' \
  "$(find "$base/out-bulletin" -type f ! -name '*.gz' ! -name '*.br' | wc -l)" \
  "$(find "$base/out-bulletin" -type f ! -name '*.gz' ! -name '*.br' -printf '%s\n' | mb)"
echo "note: bulletin also writes a .gz and a .br copy of every text file; Hugo writes none."
echo "note: Hugo's index.html count includes its page/1/ redirect pages (aliases)."
hugo_pages=$(find "$base/out-hugo/advisories" -mindepth 2 -maxdepth 2 -path '*/PK-*/index.html' | wc -l)
if [ "$hugo_pages" -ne "$public" ]; then
  echo "MISMATCH: Hugo rendered $hugo_pages advisory pages, expected $public" >&2
  exit 1
fi

echo
awk -v h="$(median "$base/hugo.times" 1)" -v b="$(median "$base/bulletin.times" 1)" \
  'BEGIN { r = h / b; printf "hugo wall / bulletin wall = %.2f (target >= 2.00: %s)\n", r, (r >= 2 ? "met" : "NOT met") }'
