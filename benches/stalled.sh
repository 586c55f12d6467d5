#!/usr/bin/env bash
# Slow-client benchmark: N connections (default 5,000, then 20,000) that send half a
# request line and stall, from many loopback addresses, against `bulletin serve` on the
# sample advisories; then the latency of fresh `GET /healthz` requests (each on a new
# connection), and the server's resident memory while it holds the stalled connections.
# Loopback only.
#   benches/stalled.sh [COUNTS...]          e.g. benches/stalled.sh 5000 20000
#   BULLETIN_BIN=FILE to measure that binary instead of this checkout's release build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(5000 20000)
port=${SERVE_PORT:-18491}
cargo build --release -q --bin bulletin
bin=${BULLETIN_BIN:-target/release/bulletin}
ulimit -n "$(ulimit -Hn)"
RUST_LOG=warn "$bin" serve --dir advisories --addr "127.0.0.1:$port" --no-watch 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
python3 - "$port" "$pid" "${counts[@]}" <<'PY'
import resource, socket, statistics, sys, time
port, pid, counts = int(sys.argv[1]), int(sys.argv[2]), [int(c) for c in sys.argv[3:]]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def fresh(n=50):
    times = []
    for _ in range(n):
        started = time.perf_counter()
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        s.close()
        assert data.startswith(b"HTTP/1.1 200"), data[:40]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times

base = fresh()
print(f"no stalled connections: fresh /healthz median {statistics.median(base):.2f} ms, max {base[-1]:.2f} ms; server RSS {rss_mb():.1f} MB")
for count in counts:
    stalled, opened = [], time.perf_counter()
    for i in range(count):
        s = socket.socket()
        s.bind((f"127.0.{1 + i // 250 % 250}.{1 + i % 250}", 0))  # many source addresses
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        stalled.append(s)
    time.sleep(0.5)
    for s in stalled:
        try:
            s.send(b"GET /adviso")
        except OSError:
            pass
    time.sleep(1.0)
    t = fresh()
    print(f"{count} stalled ({time.perf_counter() - opened:.1f} s to open): fresh /healthz median {statistics.median(t):.2f} ms, "
          f"p99 {t[int(len(t) * 0.99) - 1]:.2f} ms, max {t[-1]:.2f} ms; server RSS {rss_mb():.1f} MB")
    for s in stalled:
        s.close()
    time.sleep(1.0)
PY
