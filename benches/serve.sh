#!/usr/bin/env bash
# Serve benchmark: `bulletin serve` against nginx serving the same `bulletin build`
# output, on a generated corpus of COUNT advisories (default 10,000) on a RAM disk.
#   benches/serve.sh [COUNT] [DURATION]        e.g. benches/serve.sh 500 2s (smoke test)
#   RUNS=N (default 3) wrk runs per URL and server; URLS=feed.xml,home to load only those URLs;
#   BULLETIN_BIN=FILE to measure that binary instead of this checkout's release build
#
# Reports, in one run:
#   - requests/s and p99 latency (median of RUNS wrk runs, 2 threads, 64 connections,
#     `Accept-Encoding: gzip`, loopback only) for an advisory page, the home page,
#     /feed.xml and a 304 revalidation of the advisory page (If-None-Match with the
#     ETag each server itself sends), nginx and bulletin side by side;
#   - CPU time per request of each server and of wrk: on cores shared with wrk, req/s
#     follows the sum, so a longer response head (bulletin's security headers, ~560 B
#     more than plain nginx) costs wrk's parser time that the server does not get;
#   - peak resident memory (VmHWM) of `bulletin serve` after the load runs, and the
#     size of the built site with and without the precompressed .gz/.br copies;
#   - save-to-live: time from an editor-style save (write a temp file, rename it over
#     the advisory) to the new title being served by a watching `bulletin serve`
#     (polled every 20 ms; median of 3).
#
# nginx is the reference, tuned as a user would tune it for a static site: sendfile,
# tcp_nopush, open_file_cache, gzip_static (serves the .gz copies `build` writes),
# access_log off, worker_processes auto (one worker per core, as `bulletin serve` uses
# one runtime thread per core). It runs in the foreground from a config in the bench
# folder, never as a system service. The same nginx also answers on a second port
# ("nginx+hdr") with the headers `bulletin serve` sends (security headers, Cache-Control,
# Vary, CORS on feeds, no Server version), i.e. configured to publish the build as
# safely; both are reported, the plain one is the target.
#
# wrk, both servers and the poller share the machine: the figures are relative, not
# absolute. Needs wrk and nginx; installs them with apt-get if missing (as root or
# via sudo). Only 127.0.0.1 is ever targeted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-10000}
duration=${2:-10s}
runs=${RUNS:-3}
base=/dev/shm/bulletin-serve-bench
nginx_port=${NGINX_PORT:-18480}
serve_port=${SERVE_PORT:-18481}
nginx_hdr_port=${NGINX_HDR_PORT:-18482}

die() { echo "error: $*" >&2; exit 1; }
[[ $count =~ ^[0-9]+$ && $count -ge 12 ]] || die "COUNT must be a number >= 12 (got '$count')"
[[ $duration =~ ^[0-9]+[smh]?$ ]] || die "DURATION must look like 10s, 2s or 1m (got '$duration')"

# --- tools -------------------------------------------------------------------------
find_nginx() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $(find_nginx) ]] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need ${missing[*]}; run as root or install them first"
    sudo=(sudo)
  fi
  # Refresh the package lists only if a package has no install candidate.
  for p in "${missing[@]}"; do
    if apt-cache policy "$p" | grep -q 'Candidate: (none)' || [[ -z $(apt-cache policy "$p") ]]; then
      "${sudo[@]}" apt-get update -q >/dev/null
      break
    fi
  done
  echo "installing ${missing[*]} with apt-get..."
  # On a systemd host, installing nginx also starts the distribution's nginx service
  # on port 80; this script never uses it.
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx_bin=$(find_nginx)
[[ -n $nginx_bin ]] || die "nginx not found after install"

# --- ports -------------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$nginx_port" "$serve_port" "$nginx_hdr_port"; do
  ! port_busy "$p" || die "port $p on 127.0.0.1 is in use; set NGINX_PORT / SERVE_PORT"
done

# --- cleanup -----------------------------------------------------------------------
pids=()
cleanup() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done
  for p in ${pids[@]+"${pids[@]}"}; do wait "$p" 2>/dev/null || true; done
  rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget() { # drop a pid we have already stopped
  local keep=() p
  for p in ${pids[@]+"${pids[@]}"}; do [[ $p == "$1" ]] || keep+=("$p"); done
  pids=(${keep[@]+"${keep[@]}"})
}

rm -rf "$base"
mkdir -p "$base/nginx"

# --- build once, use a private copy (src/ may change while we run) -----------------
# BULLETIN_BIN=path/to/bulletin measures another build (e.g. the one before a change).
echo "building bulletin (release)..."
if ! cargo build --release -q --bin bulletin --example gen_corpus; then
  die "cargo build --release failed (the source may be mid-edit); fix the build and rerun"
fi
cp "${BULLETIN_BIN:-target/release/bulletin}" "$base/bulletin"
cp target/release/examples/gen_corpus "$base/gen_corpus"
bulletin=$base/bulletin

echo "generating $count advisories..."
"$base/gen_corpus" "$base/corpus" "$count" >/dev/null
# Built at the current time, as `serve` renders at its own start: both publish the same advisories.
"$bulletin" build --dir "$base/corpus" --out "$base/out" >/dev/null 2>"$base/build.log" \
  || { cat "$base/build.log" >&2; die "bulletin build failed"; }

# --- the advisory used for the page, 304 and save-to-live ---------------------------
adv_file=$base/corpus/2020/PK-2020-0001.md
[[ -f $adv_file ]] || adv_file=$(find "$base/corpus" -name 'PK-*.md' | sort | head -1)
adv_id=$(basename "$adv_file" .md)
adv_url=/advisories/$adv_id/

# --- nginx ---------------------------------------------------------------------------
nginx_v=$("$nginx_bin" -V 2>&1)
temp_paths="client_body_temp_path $base/nginx/client_body;"
for m in proxy fastcgi uwsgi scgi; do
  [[ $nginx_v == *"--without-http_${m}_module"* ]] || temp_paths+=$'\n'"  ${m}_temp_path $base/nginx/$m;"
done
[[ $nginx_v == *http_gzip_static_module* ]] || die "this nginx lacks the gzip_static module"
mime=""
[[ -f /etc/nginx/mime.types ]] && mime="include /etc/nginx/mime.types;"
# What `bulletin serve` adds to a page (src/server/http.rs), for the nginx+hdr server.
# The corpus's base URL is https, so HSTS too. (add_header covers 200 and 304.)
csp="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
same_headers="add_header Content-Security-Policy \"$csp\";
      add_header X-Content-Type-Options nosniff;
      add_header Referrer-Policy no-referrer;
      add_header X-Frame-Options DENY;
      add_header Permissions-Policy \"camera=(), microphone=(), geolocation=(), payment=(), usb=()\";
      add_header Cross-Origin-Opener-Policy same-origin;
      add_header Strict-Transport-Security max-age=31536000;
      add_header Cache-Control \"public, max-age=60, must-revalidate\";"
cat >"$base/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $base/nginx/nginx.pid;
error_log $base/nginx/error.log warn;
events { worker_connections 1024; }
http {
  $mime
  default_type application/octet-stream;
  $temp_paths
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=20000 inactive=60s;
  open_file_cache_valid 60s;
  gzip_static on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $base/out;
    index index.html;
    location / { try_files \$uri \$uri/ =404; }
  }
  server {
    listen 127.0.0.1:$nginx_hdr_port;
    root $base/out;
    index index.html;
    server_tokens off;
    gzip_vary on;
    location / {
      $same_headers
      try_files \$uri \$uri/ =404;
    }
    location ~ \.(xml|json)\$ {
      $same_headers
      add_header Access-Control-Allow-Origin *;
    }
  }
}
EOF
"$nginx_bin" -p "$base/nginx" -e "$base/nginx/error.log" -c "$base/nginx/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")

# --- bulletin serve --------------------------------------------------------------------
# Starts `bulletin serve` in the background; the caller reads its pid from $serve_pid.
start_serve() {
  RUST_LOG=warn "$bulletin" serve --dir "$base/corpus" --addr "127.0.0.1:$serve_port" "$@" \
    2>>"$base/serve.log" >/dev/null &
  serve_pid=$!
  pids+=("$serve_pid")
}
stop_serve() {
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  forget "$serve_pid"
}
wait_up() { # name url pid
  local i
  for ((i = 0; i < 1200; i++)); do
    [[ $(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$2" || true) == 200 ]] && return 0
    kill -0 "$3" 2>/dev/null || die "$1 exited during startup (see above / $base/serve.log)"
    sleep 0.05
  done
  die "$1 did not answer $2 within 60 s"
}
ms_now() { if [[ -n ${EPOCHREALTIME:-} ]]; then echo $((${EPOCHREALTIME/[.,]/} / 1000)); else echo $(($(date +%s%N) / 1000000)); fi; }

start_serve --no-watch
t0=$(ms_now)
wait_up nginx "http://127.0.0.1:$nginx_port/" "$nginx_pid"
wait_up "bulletin serve" "http://127.0.0.1:$serve_port/healthz" "$serve_pid"
echo "bulletin serve up after $(($(ms_now) - t0)) ms (healthz 200)"

nginx_base=http://127.0.0.1:$nginx_port
nginx_hdr_base=http://127.0.0.1:$nginx_hdr_port
serve_base=http://127.0.0.1:$serve_port
servers=(nginx nginx+hdr bulletin)
declare -A base_of=([nginx]=$nginx_base [nginx+hdr]=$nginx_hdr_base [bulletin]=$serve_base) etag_of

# --- sanity: same answers from both servers --------------------------------------------
header() { # url name -> value of response header `name` (GET, Accept-Encoding: gzip)
  curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "$1" | tr -d '\r' \
    | awk -v n="$(tr 'A-Z' 'a-z' <<<"$2")" -F': ' 'tolower($1) == n { v = $2 } END { print v }'
}
echo
echo "responses (GET, Accept-Encoding: gzip):"
printf '  %-32s %-9s %-6s %-6s %-9s %-6s %s\n' url server status enc bytes head content-type
for path in "$adv_url" / /feed.xml; do
  for s in "${servers[@]}"; do
    b=${base_of[$s]}
    read -r code size head < <(curl -s -o /dev/null -w '%{http_code} %{size_download} %{size_header}\n' \
      -H 'Accept-Encoding: gzip' "$b$path")
    printf '  %-32s %-9s %-6s %-6s %-9s %-6s %s\n' "$path" "$s" "$code" "$(header "$b$path" content-encoding)" \
      "$size" "$head" "$(header "$b$path" content-type)"
    [[ $code == 200 ]] || die "$s answered $code for $path"
  done
done
# The same content from both, or the comparison would not be fair.
for path in "$adv_url" / /feed.xml; do
  cmp -s <(curl -s --compressed "$nginx_base$path") <(curl -s --compressed "$serve_base$path") \
    || die "nginx and bulletin serve send different content for $path"
done
# nginx+hdr copies bulletin's headers by value (above): stop if they drifted apart.
for h in content-security-policy x-content-type-options referrer-policy x-frame-options permissions-policy \
  cross-origin-opener-policy strict-transport-security cache-control vary; do
  [[ $(header "$nginx_hdr_base$adv_url" "$h") == $(header "$serve_base$adv_url" "$h") ]] \
    || die "nginx+hdr sends another $h than bulletin serve: update same_headers"
done
# Each server's own ETag for the gzip variant, as a browser would have cached it.
for s in "${servers[@]}"; do
  b=${base_of[$s]}
  e=$(header "$b$adv_url" etag)
  [[ -n $e ]] || die "$s sent no ETag for $adv_url"
  etag_of[$s]=$e
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' -H "If-None-Match: $e" "$b$adv_url")
  printf '  %-32s %-9s %-6s If-None-Match: %s (%s header bytes)\n' "$adv_url (304)" "$s" "$code" "$e" \
    "$(curl -s -o /dev/null -w '%{size_header}' -H 'Accept-Encoding: gzip' -H "If-None-Match: $e" "$b$adv_url")"
  [[ $code == 304 ]] || die "$s answered $code, not 304, to If-None-Match: $e"
done

# --- load ------------------------------------------------------------------------------
# wrk's latency to milliseconds: 850.00us, 1.23ms, 2.01s, 1.00m
to_ms() { awk -v v="$1" 'BEGIN {
  n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
  f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
  if (f < 0) { print "nan"; exit } printf "%.3f\n", n * f }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# One wrk run: records req/s and p99 (ms) under server/label; medians are taken after
# all runs. The runs of one URL go round the servers in turn (run 1 of each, then run 2
# of each, ...), so a drift in machine load hits every server alike.
# Also the server's CPU time (user + system, all threads) per request: unlike req/s it
# does not depend on how the scheduler shares the cores between wrk and the server.
declare -A rps p99 cpu client all_rps all_p99 all_cpu all_client
server_pids() { # server -> the processes doing its work
  if [[ $1 == bulletin ]]; then echo "$serve_pid"; else pgrep -P "$nginx_pid" | tr '\n' ' '; fi
}
cpu_ticks() { # pids -> utime + stime of all their threads, in clock ticks
  local p t=0 stat fields
  for p in "$@"; do
    for stat in /proc/"$p"/task/*/stat; do
      stat=$(<"$stat") || continue
      read -r -a fields <<<"${stat##*) }" # after the command name, which may hold spaces
      t=$((t + fields[11] + fields[12]))
    done
  done
  echo "$t"
}
tick=$(getconf CLK_TCK)
run_wrk() { # server label url run [extra header]
  local server=$1 label=$2 url=$3 i=$4 hdr=${5:-} out r l args pids before n us
  args=(-t2 -c64 "-d$duration" --latency -H 'Accept-Encoding: gzip')
  [[ -n $hdr ]] && args+=(-H "$hdr")
  read -r -a pids <<<"$(server_pids "$server")"
  before=$(cpu_ticks "${pids[@]}")
  # wrk's own CPU time (user + system) too: it shares the cores, so what it spends per
  # response (parsing a longer head, say) is taken from the server.
  out=$( { TIMEFORMAT='wrk-cpu %U %S'; time wrk "${args[@]}" "$url"; } 2>&1) \
    || { echo "$out" >&2; die "wrk failed against $url"; }
  n=$(awk '/ requests in / { print $1 }' <<<"$out")
  wrk_us=$(awk -v n="$n" '$1 == "wrk-cpu" { printf "%.2f", ($2 + $3) * 1e6 / n }' <<<"$out")
  us=$(awk -v c="$(($(cpu_ticks "${pids[@]}") - before))" -v t="$tick" -v n="$n" 'BEGIN { printf "%.2f", c / t * 1e6 / n }')
  r=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  l=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  [[ -n $r && -n $l ]] || { echo "$out" >&2; die "could not parse wrk output"; }
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' <<<"$out"; then
    echo "  warning: $server $label run $i: $(grep -E 'Non-2xx or 3xx responses|Socket errors' <<<"$out" | tr -s ' ' | paste -sd';')" >&2
  fi
  l=$(to_ms "$l")
  all_rps[$server/$label]+=" $r"
  all_p99[$server/$label]+=" $l"
  all_cpu[$server/$label]+=" $us"
  all_client[$server/$label]+=" $wrk_us"
  printf '  %-10s %-16s run %d: %10.0f req/s  p99 %8.2f ms  CPU us/req: server %6.2f, wrk %6.2f\n' \
    "$server" "$label" "$i" "$r" "$l" "$us" "$wrk_us"
}

echo
echo "load: wrk -t2 -c64 -d$duration --latency -H 'Accept-Encoding: gzip', $runs runs each (nginx: worker_processes auto, $(nproc) cores)"
labels=("advisory" "home" "feed.xml" "advisory 304")
if [[ -n ${URLS:-} ]]; then # e.g. URLS=feed.xml RUNS=11: more runs of the URLs in doubt
  chosen=()
  for label in "${labels[@]}"; do [[ ",$URLS," == *",$label,"* ]] && chosen+=("$label"); done
  ((${#chosen[@]})) || die "URLS names none of: ${labels[*]} (comma-separated)"
  labels=("${chosen[@]}")
fi
for label in "${labels[@]}"; do
  case $label in
    advisory) path=$adv_url ;;
    home) path=/ ;;
    feed.xml) path=/feed.xml ;;
    "advisory 304") path=$adv_url ;;
  esac
  for ((i = 1; i <= runs; i++)); do
    for s in "${servers[@]}"; do
      if [[ $label == "advisory 304" ]]; then
        run_wrk "$s" "$label" "${base_of[$s]}$path" "$i" "If-None-Match: ${etag_of[$s]}"
      else
        run_wrk "$s" "$label" "${base_of[$s]}$path" "$i"
      fi
    done
  done
  for s in "${servers[@]}"; do
    # shellcheck disable=SC2086 # the runs are space-separated numbers
    rps[$s/$label]=$(median ${all_rps[$s/$label]})
    # shellcheck disable=SC2086
    p99[$s/$label]=$(median ${all_p99[$s/$label]})
    # shellcheck disable=SC2086
    cpu[$s/$label]=$(median ${all_cpu[$s/$label]})
    # shellcheck disable=SC2086
    client[$s/$label]=$(median ${all_client[$s/$label]})
  done
done

kb_status() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo '?'; }
serve_hwm=$(kb_status "$serve_pid" VmHWM)
serve_rss=$(kb_status "$serve_pid" VmRSS)
nginx_mem=""
for p in $(pgrep -P "$nginx_pid" 2>/dev/null || true); do nginx_mem+=" $(kb_status "$p" VmHWM)"; done

echo
echo "results ($count advisories, $duration x $runs runs, median; advisory = $adv_url):"
printf '  %-14s %12s %10s %12s %10s %12s %10s %7s %7s\n' url "nginx req/s" p99 "+hdr req/s" p99 \
  "serve req/s" p99 ratio "+hdr"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for label in "${labels[@]}"; do
  n=${rps[nginx/$label]} h=${rps[nginx+hdr/$label]} b=${rps[bulletin/$label]}
  printf '  %-14s %12.0f %7.2f ms %12.0f %7.2f ms %12.0f %7.2f ms %6.2fx %6.2fx\n' "$label" \
    "$n" "${p99[nginx/$label]}" "$h" "${p99[nginx+hdr/$label]}" "$b" "${p99[bulletin/$label]}" \
    "$(ratio "$b" "$n")" "$(ratio "$b" "$h")"
done
echo "  (ratio = bulletin serve req/s / nginx req/s; +hdr = against nginx sending the same headers)"
echo
echo "CPU time per request (median, us), server + wrk: on shared cores req/s follows the sum"
printf '  %-14s %22s %22s %22s\n' url nginx nginx+hdr "bulletin serve"
for label in "${labels[@]}"; do
  printf '  %-14s' "$label"
  for s in "${servers[@]}"; do
    printf ' %22s' "$(printf '%s + %s' "${cpu[$s/$label]}" "${client[$s/$label]}")"
  done
  echo
done

echo
echo "memory:"
printf '  bulletin serve peak RSS (VmHWM): %s KB (%.1f MB); current RSS %s KB\n' "$serve_hwm" \
  "$(awk -v k="$serve_hwm" 'BEGIN { print k / 1024 }')" "$serve_rss"
# Large bodies also live in memory files that `sendfile` reads (src/zero_copy.rs); not in RSS.
memfd_kb=0
for fd in /proc/"$serve_pid"/fd/*; do
  [[ $(readlink "$fd" 2>/dev/null) == /memfd:bulletin-bodies* ]] || continue
  memfd_kb=$((memfd_kb + $(stat -L -c '%b*%B' "$fd") / 1024))
done
echo "  bulletin serve memory files for sendfile (outside RSS): $memfd_kb KB"
echo "  nginx master VmHWM: $(kb_status "$nginx_pid" VmHWM) KB; workers VmHWM:${nginx_mem:- ?} KB"
all=$(du -sb "$base/out" | cut -f1)
plain=$(du -sb --exclude='*.gz' --exclude='*.br' "$base/out" | cut -f1)
files=$(find "$base/out" -type f ! -name '*.gz' ! -name '*.br' | wc -l)
printf '  built site: %s bytes (%.1f MB) with .gz/.br copies, %s bytes (%.1f MB) without; %s files without copies\n' \
  "$all" "$(awk -v b="$all" 'BEGIN { print b / 1048576 }')" "$plain" "$(awk -v b="$plain" 'BEGIN { print b / 1048576 }')" "$files"

# --- save to live ------------------------------------------------------------------------
stop_serve
start_serve
t0=$(ms_now)
wait_up "bulletin serve (watching)" "$serve_base/healthz" "$serve_pid"
echo
echo "save-to-live ($adv_file, serve restarted with watching; up after $(($(ms_now) - t0)) ms):"
sleep 1 # let the watcher settle
lives=()
for ((i = 1; i <= 3; i++)); do
  title="Save to live probe $i $$ $RANDOM"
  tmp="$(dirname "$adv_file")/.$(basename "$adv_file").bench-tmp"
  sed "0,/^title = .*/s//title = \"$title\"/" "$adv_file" >"$tmp"
  grep -q "^title = \"$title\"" "$tmp" || die "could not rewrite the title line of $adv_file"
  start=$(ms_now)
  mv -f "$tmp" "$adv_file"
  seen=""
  while (($(ms_now) - start < 60000)); do
    if curl -s --max-time 5 --compressed "$serve_base$adv_url" | grep -qF "$title"; then seen=$(($(ms_now) - start)); break; fi
    sleep 0.02
  done
  [[ -n $seen ]] || die "the new title did not appear within 60 s (see $base/serve.log)"
  lives+=("$seen")
  echo "  save $i: new title served after $seen ms"
  sleep 1
done
echo "  median save-to-live: $(median "${lives[@]}") ms (polled every 20 ms)"
echo "  watching instance after the saves: peak RSS (VmHWM) $(kb_status "$serve_pid" VmHWM) KB, current $(kb_status "$serve_pid" VmRSS) KB"
if [[ -s $base/serve.log ]]; then
  echo
  echo "bulletin serve warnings/errors:"
  sed 's/^/  /' "$base/serve.log" | tail -20
fi
