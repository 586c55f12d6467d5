#!/usr/bin/env bash
# Slow-client benchmark: N connections (default 5,000, then 20,000) that send half a
# request line and stall, from many loopback addresses, against `bulletin serve` on the
# sample advisories; then the latency of fresh `GET /healthz` requests (each on a new
# connection), and the server's resident memory while it holds the stalled connections.
# Loopback only.
#   benches/stalled.sh [COUNTS...]          e.g. benches/stalled.sh 5000 20000
#   BULLETIN_BIN=FILE to measure that binary instead of this checkout's release build;
#   FRESH=N fresh requests per measurement (default 50)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(5000 20000)
port=${SERVE_PORT:-18491}
cargo build --release -q --bin bulletin
bin=${BULLETIN_BIN:-target/release/bulletin}
# 20,000 client sockets and as many server-side ones: raise the limit (root may go past the hard one).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
RUST_LOG=warn "$bin" serve --dir advisories --addr "127.0.0.1:$port" --no-watch 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
FRESH=${FRESH:-50} python3 - "$port" "$pid" "${counts[@]}" <<'PY'
import multiprocessing, os, resource, socket, statistics, sys, time
port, pid, counts = int(sys.argv[1]), int(sys.argv[2]), [int(c) for c in sys.argv[3:]]
FRESH = int(os.environ["FRESH"])
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def fresh(n=None):
    n = n or FRESH
    times = []
    for _ in range(n):
        started = time.perf_counter()
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        s.close()
        assert data.startswith(b"HTTP/1.1 200"), data[:40]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times

def hold(port, count, first, ready, done):
    """Opens `count` connections (from many source addresses), sends half a request line
    on each, then holds them until `done`. A process of its own: one process may open
    only so many files."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stalled = []
    for i in range(first, first + count):
        s = socket.socket()
        s.bind((f"127.0.{1 + i // 250 % 250}.{1 + i % 250}", 0))
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
    ready.set()
    done.wait()
    for s in stalled:
        s.close()

base = fresh()
print(f"no stalled connections: fresh /healthz median {statistics.median(base):.2f} ms, max {base[-1]:.2f} ms; server RSS {rss_mb():.1f} MB")
for count in counts:
    per = 4000
    opened = time.perf_counter()
    done = multiprocessing.Event()
    holders = []
    for first in range(0, count, per):
        ready = multiprocessing.Event()
        p = multiprocessing.Process(target=hold, args=(port, min(per, count - first), first, ready, done))
        p.start()
        holders.append((p, ready))
    for p, ready in holders:
        ready.wait()
    time.sleep(1.0)
    t = fresh()
    print(f"{count} stalled ({time.perf_counter() - opened:.1f} s to open): fresh /healthz median {statistics.median(t):.2f} ms, "
          f"p99 {t[int(len(t) * 0.99) - 1]:.2f} ms, max {t[-1]:.2f} ms; server RSS {rss_mb():.1f} MB")
    done.set()
    for p, _ in holders:
        p.join()
    time.sleep(1.0)
PY
