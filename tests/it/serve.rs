//! `bulletin serve` over real TCP: routes, validators and 304s, encoding negotiation,
//! headers, methods, hostile requests, reload on change (and on a bad change), the
//! embargo lift with an injectable clock, graceful shutdown and slow clients.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bulletin::server::{AppState, Clock, Limits, ServeOptions};
use jiff::Timestamp;

use crate::fixture::{Fixture, advisory, samples_dir};

pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(dir: &Path, clock: Clock, limits: Limits, watch: bool) -> Server {
        let mut options = ServeOptions::new(dir.to_path_buf());
        options.clock = clock;
        options.limits = limits;
        Self::start_with(options, watch).await
    }

    pub(crate) async fn start_with(mut options: ServeOptions, watch: bool) -> Server {
        options.status_token = Some("staff-token".into());
        options.watch = watch;
        let state = AppState::load(options).unwrap_or_else(|e| panic!("{}", e.render()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let started = Instant::now();
        let task = tokio::spawn(bulletin::server::serve(listener, state.clone(), started, async move {
            let _ = rx.await;
        }));
        Server { addr, state, stop: Some(tx), task }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops serving as a shutdown signal would, and waits until it has.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
    }
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A clock that reaches `instant` `after_ms` milliseconds from now, then runs on.
pub(crate) fn clock_reaching(instant: &str, after_ms: i64) -> Clock {
    let at: Timestamp = instant.parse().unwrap();
    let offset = at.duration_since(Timestamp::now()) - jiff::SignedDuration::from_millis(after_ms);
    Arc::new(move || Timestamp::now() + offset)
}

pub(crate) fn limits() -> Limits {
    Limits { header_read_timeout: Duration::from_secs(1), ..Limits::default() }
}

async fn samples() -> Server {
    Server::start(&samples_dir(), bulletin::server::system_clock(), limits(), false).await
}

/// Sends raw bytes and returns the whole response (until the server closes or 3 s pass).
pub(crate) fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    // The server may answer (431) and close before a huge request is fully sent.
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

async fn raw_async(addr: SocketAddr, request: &'static [u8]) -> String {
    tokio::task::spawn_blocking(move || raw(addr, request)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_same_bytes_as_the_build() {
    let server = samples().await;
    let c = client();
    let live = server.state.live.load();
    for path in ["/", "/advisories/PK-2025-0007/", "/feed.xml", "/ur/advisories/PK-2025-0007/", "/checklist/"] {
        let r = c.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body = r.bytes().await.unwrap();
        assert_eq!(body, live.site.get(path).unwrap().body, "{path}");
    }
    let r = c.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_redirects_and_methods() {
    let server = samples().await;
    let c = client();
    let r = c.get(server.url("/no/such/page/")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.text().await.unwrap().contains("Page not found"));
    let r = c.get(server.url("/advisories/PK-2025-0007?x=1")).send().await.unwrap();
    assert_eq!(r.status(), 301);
    assert_eq!(r.headers()["location"], "/advisories/PK-2025-0007/?x=1");
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let r =
            c.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), server.url("/")).send().await.unwrap();
        assert_eq!(r.status(), 405, "{method}");
        assert_eq!(r.headers()["allow"], "GET, HEAD");
    }
    let get = c.get(server.url("/feed.xml")).send().await.unwrap();
    let len = get.headers()["content-length"].clone();
    let head = c.head(server.url("/feed.xml")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], len);
    assert!(head.bytes().await.unwrap().is_empty());
    let unknown = raw_async(server.addr, b"FROBNICATE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(unknown.starts_with("HTTP/1.1 405"), "{unknown}");
    // The dynamic checklist combines the chosen classes.
    let r = c.get(server.url("/checklist/?data=passwords&data=phone-numbers")).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Steps if your passwords and phone numbers leaked"), "heading names both classes");
    assert!(html.contains(r#"value="passwords" id="pick-passwords" checked"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_requests_get_304() {
    let server = samples().await;
    let c = client();
    let r = c.get(server.url("/advisories/PK-2025-0007/")).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let modified = r.headers()["last-modified"].to_str().unwrap().to_string();
    // A server dates pages by when their bytes changed, never earlier than the content.
    assert!(modified.ends_with(" GMT"), "{modified}");
    assert!(etag.starts_with('"') && etag.len() > 10);
    let r = c.get(server.url("/advisories/PK-2025-0007/")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"], etag.as_str());
    // What updates the stored copy (RFC 9110 15.4.5), the security headers, and no
    // representation metadata.
    assert_eq!(r.headers()["cache-control"], "public, max-age=60, must-revalidate");
    assert_eq!(r.headers()["vary"], "Accept-Encoding");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers().contains_key("content-security-policy"));
    for representation in ["content-type", "last-modified", "content-length", "content-encoding"] {
        assert!(r.headers().get(representation).is_none(), "{representation} on a 304");
    }
    assert!(r.bytes().await.unwrap().is_empty());
    let r = c
        .get(server.url("/advisories/PK-2025-0007/"))
        .header("if-none-match", "\"other\", W/".to_string() + &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304, "weak comparison for GET");
    let r = c.get(server.url("/advisories/PK-2025-0007/")).header("if-modified-since", &modified).send().await.unwrap();
    assert_eq!(r.status(), 304);
    let r = c
        .get(server.url("/advisories/PK-2025-0007/"))
        .header("if-modified-since", "Mon, 28 Jul 2025 12:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Each encoding is its own representation with its own strong ETag.
    let br = c.get(server.url("/advisories/PK-2025-0007/")).header("accept-encoding", "br").send().await.unwrap();
    let br_tag = br.headers()["etag"].to_str().unwrap().to_string();
    assert!(br_tag.ends_with("-br\"") && br_tag != etag, "{br_tag}");
    let r = c
        .get(server.url("/advisories/PK-2025-0007/"))
        .header("accept-encoding", "br")
        .header("if-none-match", &br_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    let r = c.get(server.url("/advisories/PK-2025-0007/")).header("if-none-match", &br_tag).send().await.unwrap();
    assert_eq!(r.status(), 200, "the identity representation has another tag");
    let r = c.get(server.url("/advisories/PK-2025-0007/")).header("if-none-match", "\"stale\"").send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_bodies_by_accept_encoding() {
    let server = samples().await;
    let c = client();
    let identity = c.get(server.url("/advisories/PK-2025-0007/")).send().await.unwrap();
    assert!(identity.headers().get("content-encoding").is_none());
    assert_eq!(identity.headers()["vary"], "Accept-Encoding");
    let plain = identity.bytes().await.unwrap();
    let br = c.get(server.url("/advisories/PK-2025-0007/")).header("accept-encoding", "gzip, br").send().await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut &br.bytes().await.unwrap()[..], &mut decoded).unwrap();
    assert_eq!(decoded, plain);
    let gz = c.get(server.url("/advisories/PK-2025-0007/")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..]).read_to_end(&mut text).unwrap();
    assert_eq!(text, plain);
    let refused = c.get(server.url("/")).header("accept-encoding", "br;q=0, gzip;q=0").send().await.unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_and_cache_headers() {
    let server = samples().await;
    let c = client();
    let r = c.get(server.url("/")).send().await.unwrap();
    let h = r.headers();
    assert_eq!(
        h["content-security-policy"],
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cross-origin-opener-policy"], "same-origin");
    assert!(h.contains_key("permissions-policy"));
    assert_eq!(h["strict-transport-security"], "max-age=31536000", "base_url is https");
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert!(h["cache-control"].to_str().unwrap().contains("must-revalidate"));
    assert!(h.get("access-control-allow-origin").is_none(), "no CORS on pages");
    assert!(h.get("server").is_none() && h.get("set-cookie").is_none());
    let feed = c.get(server.url("/feed.xml")).send().await.unwrap();
    assert_eq!(feed.headers()["access-control-allow-origin"], "*");
    assert_eq!(feed.headers()["content-type"], "application/rss+xml; charset=utf-8");
    let api = c.get(server.url("/api/advisories.json")).send().await.unwrap();
    assert_eq!(api.headers()["access-control-allow-origin"], "*");
    let html = c.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    let css =
        html.split("href=\"./").find_map(|s| s.split('"').next().filter(|p| p.ends_with(".css"))).unwrap().to_string();
    let asset = c.get(server.url(&format!("/{css}"))).send().await.unwrap();
    assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_4xx() {
    let server = samples().await;
    for request in [
        &b"GET /..%2f..%2fetc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..],
        b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /static/../../Cargo.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /static/..%5c..%5cCargo.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /%ff%fe%c3%28.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /index.html%00.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GARBAGE\r\n\r\n",
    ] {
        let response = raw_async(server.addr, request).await;
        let status: u16 = response.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        assert!((400..500).contains(&status), "{:?} -> {response:.80}", String::from_utf8_lossy(request));
        assert!(!response.contains("root:") && !response.contains("[package]"));
    }
    let long = format!("GET /{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "a".repeat(64 * 1024));
    let addr = server.addr;
    let response = tokio::task::spawn_blocking(move || raw(addr, long.as_bytes())).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 4"), "64 KB URL: {response:.60}");
    let huge = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n", "b".repeat(512 * 1024));
    let response = tokio::task::spawn_blocking(move || raw(addr, huge.as_bytes())).await.unwrap();
    assert!(response.is_empty() || response.starts_with("HTTP/1.1 4"), "512 KB header: {response:.60}");
    // Still serving.
    assert_eq!(client().get(server.url("/")).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_request_headers_get_431() {
    let server = samples().await;
    let headers: String = (0..150).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let request = format!("GET / HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n");
    let addr = server.addr;
    let response = tokio::task::spawn_blocking(move || raw(addr, request.as_bytes())).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 431"), "150 headers: {response:.60}");
    let few: String = (0..20).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let request = format!("GET / HTTP/1.1\r\nHost: x\r\n{few}Connection: close\r\n\r\n");
    let response = tokio::task::spawn_blocking(move || raw(addr, request.as_bytes())).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "20 headers: {response:.60}");
}

/// Connections beyond the cap wait in the kernel's backlog, unanswered, until one of
/// the connections being served ends. (Connections that have not sent a request yet are
/// closed to make room instead: see `stalled_clients_do_not_starve_a_fresh_one`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_until_one_ends() {
    let limits = Limits { max_connections: 2, header_read_timeout: Duration::from_secs(5), ..Limits::default() };
    let server = Server::start(&samples_dir(), bulletin::server::system_clock(), limits, false).await;
    let addr = server.addr;
    let answered = tokio::task::spawn_blocking(move || {
        // Two clients served and kept alive take both places.
        let served = || {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut head = [0u8; 12];
            s.read_exact(&mut head).unwrap();
            assert_eq!(&head, b"HTTP/1.1 200");
            s
        };
        let first = served();
        let _second = served();
        std::thread::sleep(Duration::from_millis(300));
        let mut third = TcpStream::connect(addr).unwrap();
        third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        third.set_read_timeout(Some(Duration::from_millis(700))).unwrap();
        let mut byte = [0u8; 1];
        let early = third.read(&mut byte);
        assert!(
            matches!(&early, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
            "the third connection was answered while two were open: {early:?}"
        );
        drop(first);
        third.set_read_timeout(Some(Duration::from_secs(4))).unwrap();
        let mut out = Vec::new();
        third.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap();
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered:.60}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_is_disconnected_by_the_header_timeout() {
    let server = samples().await;
    let addr = server.addr;
    let started = Instant::now();
    let result = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"GET / HT").unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).map(|_| buf)
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();
    // Closed by the server (EOF, possibly after a 408), not by our 5 s read timeout.
    let bytes = result.expect("the server closed the connection");
    assert!(bytes.is_empty() || String::from_utf8_lossy(&bytes).starts_with("HTTP/1.1 408"), "{bytes:?}");
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert_eq!(client().get(server.url("/")).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_drains_requests_in_flight() {
    let mut server = samples().await;
    let addr = server.addr;
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.stop.take().unwrap().send(()).unwrap();
    let response = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text:.60}");
    assert!(text.trim_end().ends_with("</rss>"), "the whole feed arrived");
    tokio::time::timeout(Duration::from_secs(5), &mut server.task).await.expect("server stopped").unwrap().unwrap();
    assert!(TcpStream::connect(addr).is_err(), "no longer accepting");
}

fn reloads(report: &str) -> u64 {
    report.lines().find_map(|l| l.strip_prefix("successful reloads: ")).and_then(|n| n.parse().ok()).unwrap_or(0)
}

pub(crate) async fn wait_for(mut check: impl AsyncFnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_on_change_keeps_the_last_good_site_and_recovers() {
    let f = Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""));
    let server = Server::start(f.path(), bulletin::server::system_clock(), limits(), true).await;
    let c = client();
    let page = server.url("/advisories/PK-2025-0001/");
    assert!(c.get(&page).send().await.unwrap().text().await.unwrap().contains("Test advisory PK-2025-0001"));

    // An editor's save: write a temp file, rename it over the original.
    let path = f.path().join("2025/PK-2025-0001.md");
    let tmp = f.path().join("2025/.PK-2025-0001.md.swp");
    std::fs::write(&tmp, advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", "Renamed headline"))
        .unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    wait_for(
        async || c.get(&page).send().await.unwrap().text().await.unwrap().contains("Renamed headline"),
        "the edit",
    )
    .await;

    // A broken save keeps the last good site live and is shown to staff.
    std::fs::write(&path, advisory("PK-2025-0001", "").replace("\"high\"", "\"hgh\"")).unwrap();
    let status = server.url("/_status");
    wait_for(
        async || {
            c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap().contains("REJECTED")
        },
        "the rejection",
    )
    .await;
    let report = c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap();
    assert!(report.contains("2025/PK-2025-0001.md") && report.contains("unknown severity `hgh`"), "{report}");
    assert!(
        c.get(&page).send().await.unwrap().text().await.unwrap().contains("Renamed headline"),
        "old site still live"
    );
    assert_eq!(c.get(&status).send().await.unwrap().status(), 404, "no token, no status");
    assert_eq!(c.get(&status).bearer_auth("wrong").send().await.unwrap().status(), 404);

    // Truncate-and-write of a fixed file recovers without a restart.
    std::fs::write(&path, advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", "Fixed headline"))
        .unwrap();
    wait_for(async || c.get(&page).send().await.unwrap().text().await.unwrap().contains("Fixed headline"), "the fix")
        .await;
    let report = c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap();
    assert!(report.contains("last change: valid"), "{report}");

    // A broken save undone byte for byte settles the rejection without a new site.
    let fixed = std::fs::read(&path).unwrap();
    let version = |report: &str| report.lines().find(|l| l.starts_with("site version:")).map(str::to_string);
    std::fs::write(&path, advisory("PK-2025-0001", "").replace("\"high\"", "\"hgh\"")).unwrap();
    wait_for(
        async || {
            c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap().contains("REJECTED")
        },
        "the second rejection",
    )
    .await;
    std::fs::write(&path, &fixed).unwrap();
    wait_for(
        async || {
            let report = c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap();
            report.contains("last change: valid")
        },
        "the undo",
    )
    .await;
    let after = c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap();
    assert_eq!(version(&after), version(&report), "the same content, the same site: {after}");
    assert!(after.contains(&format!("successful reloads: {}", reloads(&report))), "{after}");

    // A new advisory appears, a removed one disappears.
    std::fs::write(f.path().join("2025/PK-2025-0002.md"), advisory("PK-2025-0002", "")).unwrap();
    wait_for(
        async || c.get(server.url("/advisories/PK-2025-0002/")).send().await.unwrap().status() == 200,
        "the new advisory",
    )
    .await;
    // Deleting a public advisory's file is rejected (its URL is permanent; issue 25),
    // and the page stays; a draft's file may go.
    std::fs::remove_file(f.path().join("2025/PK-2025-0002.md")).unwrap();
    wait_for(
        async || {
            let report = c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap();
            report.contains("`PK-2025-0002` is public") && report.contains("status = \"withdrawn\"")
        },
        "the rejected removal",
    )
    .await;
    assert_eq!(c.get(server.url("/advisories/PK-2025-0002/")).send().await.unwrap().status(), 200);
    let withdrawn = advisory("PK-2025-0002", "").replace("status = \"active\"", "status = \"withdrawn\"");
    std::fs::write(f.path().join("2025/PK-2025-0002.md"), withdrawn).unwrap();
    wait_for(
        async || {
            let page = c.get(server.url("/advisories/PK-2025-0002/")).send().await.unwrap().text().await.unwrap();
            page.contains("Withdrawn")
        },
        "the withdrawal",
    )
    .await;
    std::fs::write(f.path().join("2025/PK-2025-0003.md"), advisory("PK-2025-0003", "draft = true\n")).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::remove_file(f.path().join("2025/PK-2025-0003.md")).unwrap();
    wait_for(
        async || {
            let report = c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap();
            report.contains("last change: valid")
        },
        "a draft removed",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embargo_lifts_everywhere_at_once_without_a_restart() {
    let embargoed = advisory("PK-2030-0001", "")
        .replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z")
        .replace("Test advisory", "Embargoed advisory");
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""))
        .file("2030/PK-2030-0001.md", embargoed);
    let server = Server::start(f.path(), clock_reaching("2030-01-01T09:00:00Z", 1500), limits(), false).await;
    let c = client();
    let page = server.url("/advisories/PK-2030-0001/");
    let unknown = c.get(server.url("/advisories/PK-2099-0001/")).send().await.unwrap();
    let (unknown_status, unknown_body) = (unknown.status(), unknown.text().await.unwrap());
    let before = c.get(&page).send().await.unwrap();
    assert_eq!(before.status(), unknown_status, "answers like an unknown page");
    assert_eq!(before.text().await.unwrap(), unknown_body);
    assert_eq!(c.get(server.url("/advisories/PK-2030-0001")).send().await.unwrap().status(), 404, "no redirect either");
    for path in ["/", "/feed.xml", "/sitemap.xml", "/api/advisories.json", "/advisories/"] {
        assert!(
            !c.get(server.url(path)).send().await.unwrap().text().await.unwrap().contains("PK-2030-0001"),
            "{path}"
        );
    }
    wait_for(async || c.get(&page).send().await.unwrap().status() == 200, "the embargo lift").await;
    for path in ["/", "/feed.xml", "/sitemap.xml", "/api/advisories.json", "/advisories/", "/updates.xml"] {
        assert!(c.get(server.url(path)).send().await.unwrap().text().await.unwrap().contains("PK-2030-0001"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embargo_is_held_while_the_latest_change_is_rejected() {
    let (f, _) = embargoed_site();
    let server = Server::start(f.path(), clock_reaching("2030-01-01T09:00:00Z", 2500), limits(), true).await;
    let c = client();
    // Staff withdraw it at the last minute, in a commit with a typo elsewhere.
    let withdrawn = advisory("PK-2030-0001", "draft = true\n").replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z");
    std::fs::write(f.path().join("2030/PK-2030-0001.md"), withdrawn.replace("\"high\"", "\"hgh\"")).unwrap();
    let status = server.url("/_status");
    wait_for(
        async || {
            c.get(&status).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap().contains("REJECTED")
        },
        "the rejection",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(
        c.get(server.url("/advisories/PK-2030-0001/")).send().await.unwrap().status(),
        404,
        "held, not lifted from stale content"
    );
    // The fixed file keeps it a draft: it never appears.
    std::fs::write(f.path().join("2030/PK-2030-0001.md"), withdrawn).unwrap();
    wait_for(
        async || {
            c.get(&status)
                .bearer_auth("staff-token")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                .contains("last change: valid")
        },
        "the fix",
    )
    .await;
    assert_eq!(c.get(server.url("/advisories/PK-2030-0001/")).send().await.unwrap().status(), 404);
}

/// Text that compresses poorly: `words` pseudo-random words.
fn noise(words: usize, seed: u64) -> String {
    let mut x = seed | 1;
    (0..words)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            format!("{:x}{}", x & 0xff_ffff, if i % 12 == 11 { "\n\n" } else { " " })
        })
        .collect()
}

/// GET with `Accept-Encoding: gzip` over a socket with a small receive buffer, read slowly.
#[cfg(target_os = "linux")]
fn slow_gzip_get(addr: SocketAddr, path: &str) -> Vec<u8> {
    let s = TcpStream::connect(addr).unwrap();
    rustix::net::sockopt::set_socket_recv_buffer_size(&s, 4096).unwrap();
    let mut s = s;
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: test\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let (mut out, mut chunk) = (Vec::new(), [0u8; 4096]);
    loop {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
        }
        if out.len() % (256 * 1024) < 4096 {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head") + 4;
    out.split_off(split)
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_are_sent_from_their_memory_file_byte_for_byte() {
    let text = |seed| advisory("PK-2025-0001", "").replace("Something.", &noise(40_000, seed));
    let f = Fixture::new().file("2025/PK-2025-0001.md", text(7));
    let server = Server::start(f.path(), bulletin::server::system_clock(), limits(), true).await;
    let (c, path) = (client(), "/advisories/PK-2025-0001/");
    let compressed = |server: &Server| {
        let live = server.state.live.load();
        let page = live.site.get(path).unwrap();
        let variants = page.compressed_if_ready()?;
        Some((page.body.clone(), variants.gzip.clone()?, variants.brotli.clone()?))
    };
    wait_for(async || compressed(&server).is_some(), "the compressed variants").await;
    let (body, gzip, brotli) = compressed(&server).unwrap();
    assert!(gzip.len() > 64 << 10, "a large body ({} bytes)", gzip.len());
    assert!(bulletin::server::zero_copy::is_mirrored(&gzip) && bulletin::server::zero_copy::is_mirrored(&brotli));

    for (encoding, expected) in [("gzip", &gzip), ("br", &brotli), ("identity", &body)] {
        let r = c.get(server.url(path)).header("Accept-Encoding", encoding).send().await.unwrap();
        assert_eq!(r.headers()["content-length"], expected.len().to_string().as_str(), "{encoding}");
        assert_eq!(&r.bytes().await.unwrap(), expected, "{encoding}");
        let head = c.head(server.url(path)).header("Accept-Encoding", encoding).send().await.unwrap();
        assert_eq!(head.headers()["content-length"], expected.len().to_string().as_str(), "HEAD {encoding}");
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {encoding}");
    }
    let addr = server.addr;
    let slow = tokio::task::spawn_blocking(move || slow_gzip_get(addr, "/advisories/PK-2025-0001/")).await.unwrap();
    assert!(slow == gzip, "a slow reader gets the whole body ({} of {} bytes)", slow.len(), gzip.len());

    // A new version of the page: its own memory, the old one's region gone with it.
    std::fs::write(f.path().join("2025/PK-2025-0001.md"), text(11)).unwrap();
    wait_for(async || compressed(&server).is_some_and(|(b, ..)| b != body), "the edit").await;
    wait_for(async || compressed(&server).is_some(), "the new compressed variants").await;
    let (_, new_gzip, _) = compressed(&server).unwrap();
    drop((gzip, brotli));
    let r = c.get(server.url(path)).header("Accept-Encoding", "gzip").send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap(), new_gzip);
    assert!(bulletin::server::zero_copy::is_mirrored(&new_gzip));
}

/// `GET path` on a new connection; the status line.
fn status_line(addr: SocketAddr, path: &str) -> String {
    let response = raw(addr, format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes());
    response.lines().next().unwrap_or_default().to_string()
}

/// A loopback address no one listens on (for the binary to bind).
fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn wait_until_listening(addr: SocketAddr) {
    poll_until("serve to start", Duration::from_secs(30), || TcpStream::connect(addr).is_ok());
}

/// Checks every 50 ms until `check` holds; fails the test after `limit`.
fn poll_until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends the binary SIGTERM, as a service manager stops it, and waits for it to exit.
fn terminate(server: &mut std::process::Child) -> std::process::ExitStatus {
    let kill = std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(kill.success());
    server.wait().unwrap()
}

#[test]
fn the_binary_holds_its_port_and_stops_on_sigterm() {
    let addr = free_addr();
    let serve = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
            .args(["serve", "--no-watch", "--addr", &addr.to_string(), "--dir"])
            .arg(samples_dir())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut server = serve();
    wait_until_listening(addr);
    for _ in 0..20 {
        assert_eq!(status_line(addr, "/feed.xml"), "HTTP/1.1 200 OK");
    }
    // A second server on the same port is an error.
    let second = serve().wait_with_output().unwrap();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("cannot listen"), "{second:?}");
    assert_eq!(status_line(addr, "/healthz"), "HTTP/1.1 200 OK");

    let exit = terminate(&mut server);
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    assert!(TcpStream::connect(addr).is_err(), "the listener is closed");
}

/// The binary's log, as an operator reads it from a pipe: no colour codes, one line per
/// request (method, path, status, bytes, latency) and per reload (advisories, pages,
/// duration), and a rejected change with its file and line.
#[test]
fn the_binary_logs_each_request_and_each_reload() {
    let f = Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""));
    let addr = free_addr();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .args(["serve", "--status-token", "staff-token", "--addr", &addr.to_string(), "--dir"])
        .arg(f.path())
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read the log as it comes, so a full pipe never blocks the server.
    let mut stderr = server.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    wait_until_listening(addr);
    assert_eq!(status_line(addr, "/feed.xml"), "HTTP/1.1 200 OK");
    assert_eq!(status_line(addr, "/no-such-page"), "HTTP/1.1 404 Not Found");

    let path = f.path().join("2025/PK-2025-0001.md");
    std::fs::write(&path, advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", "Logged headline"))
        .unwrap();
    poll_until("the edit", Duration::from_secs(20), || {
        raw(addr, b"GET /advisories/PK-2025-0001/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .contains("Logged headline")
    });
    std::fs::write(&path, advisory("PK-2025-0001", "").replace("\"high\"", "\"hgh\"")).unwrap();
    poll_until("the rejection", Duration::from_secs(20), || {
        raw(addr, b"GET /_status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer staff-token\r\nConnection: close\r\n\r\n")
            .contains("REJECTED")
    });

    let exit = terminate(&mut server);
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    let log = log.join().unwrap();

    assert!(!log.contains('\x1b'), "colour codes in a piped log:\n{log}");
    let line = |words: &[&str]| log.lines().any(|l| words.iter().all(|w| l.contains(w)));
    assert!(line(&["INFO", "serving", "advisories=1", "pages=", "startup_ms="]), "{log}");
    for request in [
        &["bulletin::request", "method=GET", "path=\"/feed.xml\"", "status=200", "latency_us="][..],
        &["bulletin::request", "method=GET", "path=\"/no-such-page\"", "status=404", "latency_us="],
    ] {
        assert!(line(request), "no line with {request:?}:\n{log}");
    }
    let feed_bytes = log
        .lines()
        .find(|l| l.contains("path=\"/feed.xml\""))
        .and_then(|l| l.split("bytes=").nth(1))
        .and_then(|b| b.split(' ').next())
        .and_then(|b| b.parse::<u64>().ok());
    assert!(feed_bytes.is_some_and(|b| b > 1000), "the feed's body size is logged as a number:\n{log}");
    assert!(line(&["bulletin::reload", "site reloaded", "advisories=1", "pages=", "duration_ms="]), "{log}");
    assert!(line(&["ERROR", "bulletin::reload", "change rejected"]), "{log}");
    assert!(log.contains("2025/PK-2025-0001.md:") && log.contains("unknown severity `hgh`"), "{log}");
}

/// A site with a public advisory and PK-2030-0001, embargoed until 2030-01-01T09:00:00Z
/// (whose text comes back too).
fn embargoed_site() -> (Fixture, String) {
    let embargoed = advisory("PK-2030-0001", "").replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z");
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""))
        .file("2030/PK-2030-0001.md", embargoed.clone());
    (f, embargoed)
}

/// The report of `/_status`.
async fn status_report(server: &Server) -> String {
    client().get(server.url("/_status")).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap()
}

/// Issue 25: an embargo is held only by a rejected change that could alter it. A typo in
/// another advisory, seconds before the embargo, does not hold it: it lifts on time from
/// the last good content, while `/_status` shows the rejection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrelated_invalid_file_does_not_hold_a_due_embargo() {
    let (f, _) = embargoed_site();
    let server = Server::start(f.path(), clock_reaching("2030-01-01T09:00:00Z", 2500), limits(), true).await;
    let c = client();
    std::fs::write(f.path().join("2025/PK-2025-0001.md"), advisory("PK-2025-0001", "").replace("\"high\"", "\"hgh\""))
        .unwrap();
    wait_for(async || status_report(&server).await.contains("REJECTED"), "the rejection").await;
    wait_for(
        async || c.get(server.url("/advisories/PK-2030-0001/")).send().await.unwrap().status() == 200,
        "the embargo lifting on time",
    )
    .await;
    let report = status_report(&server).await;
    assert!(report.contains("REJECTED") && !report.contains("EMBARGO HELD"), "{report}");
    let page = c.get(server.url("/advisories/PK-2025-0001/")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("High"), "the rest of the site is the last good content");
}

/// Issue 25: while a rejected change holds a due embargo, `/_status` says so first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_embargo_is_shown_first_in_the_status() {
    let (f, embargoed) = embargoed_site();
    let server = Server::start(f.path(), clock_reaching("2030-01-01T09:00:00Z", 1500), limits(), true).await;
    std::fs::write(f.path().join("2030/PK-2030-0001.md"), embargoed.replace("\"high\"", "\"hgh\"")).unwrap();
    wait_for(async || status_report(&server).await.contains("REJECTED"), "the rejection").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let held = |report: &str| {
        report.starts_with("bulletin status\n\nEMBARGO HELD: PK-2030-0001 was due at 2030-01-01T09:00:00Z")
            && report.contains("2030/PK-2030-0001.md")
    };
    let mut report = status_report(&server).await;
    while !held(&report) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        report = status_report(&server).await;
    }
    assert!(held(&report) && report.contains("REJECTED"), "the held embargo at the top: {report}");
    assert_eq!(client().get(server.url("/advisories/PK-2030-0001/")).send().await.unwrap().status(), 404);
    // Undoing the change releases it at once.
    std::fs::write(f.path().join("2030/PK-2030-0001.md"), embargoed).unwrap();
    wait_for(
        async || client().get(server.url("/advisories/PK-2030-0001/")).send().await.unwrap().status() == 200,
        "the release",
    )
    .await;
    let report = status_report(&server).await;
    assert!(!report.contains("EMBARGO HELD") && report.contains("last change: valid"), "{report}");
}

/// Issue 25: edits every 30 ms never let the folder be quiet, yet the site follows at
/// least every second (before, continuous edits postponed every reload).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuous_edits_still_reload_every_second() {
    let f = Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""));
    let server = Server::start(f.path(), bulletin::server::system_clock(), limits(), true).await;
    let dir = f.path().to_path_buf();
    let editor = std::thread::spawn(move || {
        let started = Instant::now();
        let mut n = 0;
        while started.elapsed() < Duration::from_millis(3500) {
            n += 1;
            // As editors save: a hidden temporary file renamed over the advisory.
            let text = advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", &format!("Edit {n}"));
            std::fs::write(dir.join("2025/.edit.tmp"), text).unwrap();
            std::fs::rename(dir.join("2025/.edit.tmp"), dir.join("2025/PK-2025-0001.md")).unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
    });
    let c = client();
    let mut seen = std::collections::BTreeSet::new();
    while !editor.is_finished() {
        let page = c.get(server.url("/advisories/PK-2025-0001/")).send().await.unwrap().text().await.unwrap();
        if let Some(at) = page.find("Edit ") {
            seen.insert(page[at..].chars().take_while(|ch| *ch != '<').collect::<String>());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    editor.join().unwrap();
    assert!(seen.len() >= 2, "the site followed the edits only {} time(s) in 3.5 s: {seen:?}", seen.len());
}

/// Issue 25: clients that send half a request and stall cannot starve a fresh one. With
/// a cap of 32 connections and 10 s to send a request head, 300 stalled connections
/// would hold every slot for 10 s; the oldest waiting ones are closed to make room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_do_not_starve_a_fresh_one() {
    let limits = Limits { max_connections: 32, header_read_timeout: Duration::from_secs(10), ..Limits::default() };
    let server = Server::start(&samples_dir(), bulletin::server::system_clock(), limits, false).await;
    let addr = server.addr;
    let stalled = tokio::task::spawn_blocking(move || {
        (0..300)
            .filter_map(|_| {
                let mut s = TcpStream::connect(addr).ok()?;
                s.write_all(b"GET /adviso").ok()?;
                Some(s)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(stalled.len() >= 250, "only {} stalled connections opened", stalled.len());
    for _ in 0..5 {
        let started = Instant::now();
        let response = raw_async(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response:.60}");
        assert!(started.elapsed() < Duration::from_secs(1), "a fresh request waited {:?}", started.elapsed());
    }
    drop(stalled);
}

/// Issue 20: the server answers in the language of the path: an unknown `/ur/…` path
/// gets the Urdu 404 page, and the checklist for picked classes comes in Urdu.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urdu_paths_are_answered_in_urdu() {
    let server = samples().await;
    let c = client();
    let r = c.get(server.url("/ur/no/such/page/")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="ur" dir="rtl">"#), "{page:.200}");
    let english = c.get(server.url("/no/such/page/")).send().await.unwrap().text().await.unwrap();
    assert!(english.contains(r#"<html lang="en" dir="ltr">"#));
    let r = c.get(server.url("/ur/checklist/?data=passwords")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"<html lang="ur" dir="rtl">"#) && page.contains("پاس ورڈ"), "{page:.300}");
    assert!(page.contains(r#"data-measure="change-passwords-clean-device""#));
    assert!(!page.contains(r#"data-measure="never-share-otp""#), "only the picked class's steps");
    for path in ["/ur/", "/ur/advisories/", "/ur/feeds/", "/ur/feed.xml", "/ur/tags/telecom/"] {
        assert_eq!(c.get(server.url(path)).send().await.unwrap().status(), 200, "{path}");
    }
}

/// Issue 26: an id typed in another case (from an SMS) is redirected to its canonical
/// page, in every language; an embargoed id in any case answers exactly like an unknown
/// one; the 404 page says what an id looks like and links the archive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advisory_id_in_any_case_leads_to_its_page() {
    let server = samples().await;
    let c = client();
    for (typed, canonical) in [
        ("/advisories/pk-2025-0007/", "/advisories/PK-2025-0007/"),
        ("/advisories/Pk-2025-0007", "/advisories/PK-2025-0007/"),
        ("/ur/advisories/pk-2025-0007/", "/ur/advisories/PK-2025-0007/"),
    ] {
        let r = c.get(server.url(typed)).send().await.unwrap();
        assert_eq!(r.status(), 301, "{typed}");
        assert_eq!(r.headers()["location"], canonical, "{typed}");
    }
    let unknown = c.get(server.url("/advisories/pk-2099-0001/")).send().await.unwrap();
    let (status, body) = (unknown.status(), unknown.text().await.unwrap());
    assert_eq!(status, 404);
    for embargoed in ["/advisories/pk-2030-0001/", "/advisories/PK-2030-0001/", "/advisories/pK-2030-0001"] {
        let r = c.get(server.url(embargoed)).send().await.unwrap();
        assert_eq!(r.status(), status, "{embargoed}");
        assert_eq!(r.text().await.unwrap(), body, "{embargoed}");
    }
    assert!(body.contains("an id like <code>PK-"), "{body}");
    assert!(
        body.contains(r#"<a href="/advisories/">"#) || body.contains("advisories/\">"),
        "links the archive: {body}"
    );
    let ur = c.get(server.url("/ur/advisories/pk-2099-0001/")).send().await.unwrap().text().await.unwrap();
    assert!(ur.contains("جیسی شناخت") && ur.contains("<code>PK-"), "{ur}");
}
