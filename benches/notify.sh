#!/usr/bin/env bash
# One event told to 100,000 confirmed email subscribers and 100 webhook endpoints:
# the time from the embargo lift until every delivery is handed to the local SMTP sink
# (aiosmtpd, discarding) and to the receivers (a threaded Python HTTP server), and the
# server's peak memory.
#
#   benches/notify.sh [SUBSCRIBERS] [ENDPOINTS]
#
# Needs tests/smtp/install.sh (aiosmtpd) and a release build (BULLETIN_BIN to pick one).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
subscribers=${1:-100000}
endpoints=${2:-100}
bin=${BULLETIN_BIN:-target/release/bulletin}
python=tests/smtp/.venv/bin/python
[ -x "$python" ] || bash tests/smtp/install.sh
[ -x "$bin" ] || cargo build --release
work=$(mktemp -d /dev/shm/bulletin-notify.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

smtp_port=$(free_port); http_port=$(free_port); serve_port=$(free_port)
"$python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Sink &
pids+=($!)
cat > "$work/receiver.py" <<'EOF'
import http.server, sys, threading
count = 0
lock = threading.Lock()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with lock:
            count += 1
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
"$python" "$work/receiver.py" "$http_port" &
pids+=($!)

# The samples, and one advisory whose embargo lifts 20 s from now.
cp -r advisories "$work/site"
lift=$(date -u -d '+20 seconds' +%Y-%m-%dT%H:%M:%SZ)
sed -e "s/^published = .*/published = $lift/" -e 's/^id = .*/id = "PK-2026-0099"/' \
  advisories/2025/PK-2025-0004.md > "$work/site/2026/PK-2026-0099.md"
echo "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" > "$work/hook.secret"
{
  echo "database = \"$work/notify.sqlite\""
  echo "[email]"
  echo "smtp = \"smtp://127.0.0.1:$smtp_port\""
  echo "from = \"Bench <bench@advisories.example.pk>\""
  for i in $(seq 1 "$endpoints"); do
    printf '[[webhooks]]\nurl = "http://127.0.0.1:%s/hook/%s"\nsecret_file = "%s/hook.secret"\n' "$http_port" "$i" "$work"
  done
} > "$work/notify.toml"

"$bin" serve --dir "$work/site" --addr "127.0.0.1:$serve_port" --no-watch --notify "$work/notify.toml" 2> "$work/serve.log" &
serve=$!
pids+=($serve)
until grep -q "serving" "$work/serve.log"; do sleep 0.2; done
# The subscribers, confirmed, half in English and half in Urdu.
"$python" - "$work/notify.sqlite" "$subscribers" <<'EOF'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
now = int(time.time())
rows = ((f"reader{i}@example.pk", "ur" if i % 2 else "en", '{"severity":null,"data":[],"tags":[]}', now, now) for i in range(int(sys.argv[2])))
db.executemany("INSERT INTO subscribers (email, language, topics, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?)", rows)
db.commit()
EOF
echo "subscribers: $subscribers, endpoints: $endpoints, the embargo lifts at $lift"
lift_s=$(date -u -d "$lift" +%s)
while [ "$(date +%s)" -lt "$lift_s" ]; do sleep 0.1; done
start=$(date +%s.%N)
pending() {
  "$python" - "$work/notify.sqlite" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
print(db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'").fetchone()[0],
      db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'").fetchone()[0],
      db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'failed'").fetchone()[0])
EOF
}
total=$((subscribers + endpoints))
while :; do
  read -r p d f < <(pending)
  if [ "$d" -ge "$total" ] || { [ "$p" -eq 0 ] && [ "$((d + f))" -gt 0 ]; }; then break; fi
  sleep 0.5
done
end=$(date +%s.%N)
hwm=$(grep VmHWM "/proc/$serve/status" | awk '{print $2}')
ticks=$(getconf CLK_TCK)
cpu=$(awk -v t="$ticks" '{printf "%.1f", ($14 + $15) / t}' "/proc/$serve/stat")
sink_cpu=$(awk -v t="$ticks" '{printf "%.1f", ($14 + $15) / t}' "/proc/${pids[0]}/stat")
queued=$(grep -m1 '"PK-2026-0099/published"\|PK-2026-0099/published' "$work/serve.log" | head -1 || true)
echo "delivered: $d, failed: $f"
printf 'from the lift to the last delivery: %.1f s\n' "$(echo "$end - $start" | bc)"
echo "server peak memory (VmHWM): $((hwm / 1024)) MB"
echo "CPU time: bulletin $cpu s (start-up included), the SMTP sink $sink_cpu s"
echo "event line: $queued"
