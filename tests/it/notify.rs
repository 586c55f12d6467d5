//! Notifications (issue 22): events found by comparing what is public before and after
//! each swap of the live site, written to a SQLite outbox before they are sent, and
//! delivered to real HTTP receivers over TCP, signed per Standard Webhooks.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bulletin::notify::{Notifier, NotifyConfig};
use bulletin::server::ServeOptions;
use hmac::{KeyInit, Mac};

use crate::fixture::{Fixture, advisory};
use crate::serve::{Server, client, clock_reaching, limits, wait_for};

pub(crate) const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// One request a receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    at: Instant,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map_or("", |(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A webhook receiver over real TCP: answers 500 to its first `failures` requests, then 200.
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) fn start(failures: usize) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/bulletin", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let answered = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap_or_default();
                let mut headers = Vec::new();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = header.trim_end().split_once(':') {
                        headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                }
                let length: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap_or_default();
                seen.lock().unwrap().push(Received { at: Instant::now(), headers, body });
                let status = if answered.fetch_add(1, Ordering::SeqCst) < failures { "500 Oops" } else { "200 OK" };
                let _ = write!(&stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        Self { url, got }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// A notify.toml in `dir` for `receivers` (the outbox beside it).
fn notify_config(dir: &Path, receivers: &[&Receiver]) -> NotifyConfig {
    std::fs::write(dir.join("newsroom.secret"), SECRET).unwrap();
    let mut text = String::from("database = \"outbox/notify.sqlite\"\n");
    for r in receivers {
        text.push_str(&format!("\n[[webhooks]]\nurl = \"{}\"\nsecret_file = \"newsroom.secret\"\n", r.url));
    }
    std::fs::write(dir.join("notify.toml"), text).unwrap();
    NotifyConfig::load(&dir.join("notify.toml")).unwrap_or_else(|d| panic!("{}", d.render_human(false)))
}

async fn start(f: &Fixture, config: &NotifyConfig, clock: bulletin::server::Clock, watch: bool) -> Server {
    let mut options = ServeOptions::new(f.path().to_path_buf());
    options.clock = clock;
    options.limits = limits();
    options.notifier = Some(Notifier::open(config.clone()).unwrap());
    Server::start_with(options, watch).await
}

/// Checks the signature as a receiver would, by the Standard Webhooks rules, written
/// here apart from bulletin's own signing code.
fn signature_holds(r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD.decode(SECRET.trim_start_matches("whsec_")).unwrap();
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", r.header("webhook-id"), r.header("webhook-timestamp")).as_bytes());
    mac.update(&r.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    r.header("webhook-signature").split(' ').any(|s| s == format!("v1,{expected}"))
}

fn embargoed_site() -> Fixture {
    let embargoed = advisory("PK-2030-0001", "")
        .replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z")
        .replace("Test advisory PK-2030-0001", "Telecom subscriber records offered for sale online");
    Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", "")).file("2030/PK-2030-0001.md", embargoed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embargo_lift_is_told_once_signed_and_never_before() {
    let receiver = Receiver::start(0);
    let f = embargoed_site();
    let config = notify_config(f.path(), &[&receiver]);
    let lift_in = Duration::from_millis(2500);
    let started = Instant::now();
    let server = start(&f, &config, clock_reaching("2030-01-01T09:00:00Z", lift_in.as_millis() as i64), false).await;
    // What was public at the first start is history: nobody is told of PK-2025-0001.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(receiver.received().is_empty(), "told before the embargo lifted: {:?}", receiver.received());
    wait_for(async || !receiver.received().is_empty(), "the webhook").await;
    let got = receiver.received();
    let lifted_at = started + lift_in;
    assert!(got[0].at >= lifted_at - Duration::from_millis(50), "sent before the instant");
    assert!(got[0].at <= lifted_at + Duration::from_secs(2), "{:?} after the instant", got[0].at - lifted_at);
    let r = &got[0];
    assert!(signature_holds(r), "signature: {:?}", r.headers);
    assert_eq!(r.header("content-type"), "application/json");
    let json = r.json();
    assert_eq!(json["type"], "advisory.published");
    let data = &json["data"];
    assert_eq!(data["id"], "PK-2030-0001");
    assert_eq!(data["event"], "PK-2030-0001/published");
    assert_eq!(data["severity"], "high");
    assert_eq!(data["data"], serde_json::json!(["passwords"]));
    assert_eq!(data["language"], "en");
    assert_eq!(data["url"], "https://advisories.test/advisories/PK-2030-0001/");
    assert_eq!(
        data["text_short"],
        "High: Telecom subscriber records offered for sale online https://advisories.test/advisories/PK-2030-0001/"
    );
    // Once: later reloads and embargo checks send nothing more.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.received().len(), 1);
    let status = client().get(server.url("/_status")).bearer_auth("staff-token").send().await.unwrap();
    let status = status.text().await.unwrap();
    assert!(status.contains("webhook: 0 pending, 0 failed, 1 delivered"), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_endpoint_is_retried_and_a_restart_sends_nothing_twice() {
    let receiver = Receiver::start(1);
    let f = embargoed_site();
    let config = notify_config(f.path(), &[&receiver]);
    let clock = clock_reaching("2030-01-01T09:00:00Z", 1000);
    let server = start(&f, &config, clock.clone(), false).await;
    wait_for(async || !receiver.received().is_empty(), "the first attempt").await;
    let status = client().get(server.url("/_status")).bearer_auth("staff-token").send().await.unwrap();
    let status = status.text().await.unwrap();
    assert!(status.contains("webhook: 1 pending, 0 failed, 0 delivered"), "{status}");
    assert!(status.contains(&format!("last error, webhook {}: the receiver answered 500", receiver.url)), "{status}");
    // The retry comes about 5 s later, with the same message id and a fresh signature.
    let deadline = Instant::now() + Duration::from_secs(12);
    while receiver.received().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = receiver.received();
    assert_eq!(got.len(), 2, "one failure, one success");
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert!(got[1].at - got[0].at >= Duration::from_secs(4), "{:?}", got[1].at - got[0].at);
    assert!(signature_holds(&got[1]));
    server.stop().await;
    // A restart on the same outbox: nothing is sent again.
    let again = start(&f, &config, clock, false).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.received().len(), 2);
    let status = client().get(again.url("/_status")).bearer_auth("staff-token").send().await.unwrap();
    assert!(status.text().await.unwrap().contains("webhook: 0 pending, 0 failed, 1 delivered"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_pending_at_a_restart_is_sent_after_it_and_a_rejected_change_tells_nobody() {
    // A receiver that is down: nothing arrives, the delivery waits in the outbox.
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down_url = format!("http://{}/hooks", down.local_addr().unwrap());
    drop(down);
    let f = Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""));
    let receiver = Receiver::start(0);
    std::fs::write(f.path().join("newsroom.secret"), SECRET).unwrap();
    let write_config = |url: &str| {
        std::fs::write(
            f.path().join("notify.toml"),
            format!(
                "database = \"notify.sqlite\"\n\n[[webhooks]]\nurl = \"{url}\"\nsecret_file = \"newsroom.secret\"\n"
            ),
        )
        .unwrap();
        NotifyConfig::load(&f.path().join("notify.toml")).unwrap_or_else(|d| panic!("{}", d.render_human(false)))
    };
    let server = start(&f, &write_config(&down_url), bulletin::server::system_clock(), true).await;
    // A change that is rejected (an invalid advisory) publishes nothing and tells nobody.
    std::fs::write(f.path().join("2025/PK-2025-0002.md"), advisory("PK-2025-0002", "").replace("\"high\"", "\"hgh\""))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let status = client().get(server.url("/_status")).bearer_auth("staff-token").send().await.unwrap();
    let status = status.text().await.unwrap();
    assert!(status.contains("REJECTED") && status.contains("nothing sent yet"), "{status}");
    // Fixed: one event, whose delivery fails while the receiver is down.
    std::fs::write(f.path().join("2025/PK-2025-0002.md"), advisory("PK-2025-0002", "")).unwrap();
    wait_for(
        async || {
            let status = client().get(server.url("/_status")).bearer_auth("staff-token").send().await.unwrap();
            status.text().await.unwrap().contains("webhook: 1 pending")
        },
        "the delivery to be written",
    )
    .await;
    server.stop().await;
    // The receiver is back at another address (the config moved with it): the restart
    // sends what was pending there, and only that.
    let sqlite = f.path().join("notify.sqlite");
    let db = rusqlite::Connection::open(&sqlite).unwrap();
    db.execute("UPDATE deliveries SET target = ?1, next_at = 0", [&receiver.url]).unwrap();
    drop(db);
    let _again = start(&f, &write_config(&receiver.url), bulletin::server::system_clock(), true).await;
    wait_for(async || !receiver.received().is_empty(), "the pending delivery").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["data"]["id"], "PK-2025-0002");
}

#[test]
fn a_notify_config_mistake_is_reported_with_file_line_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.toml");
    std::fs::write(
        &path,
        "database = \"n.sqlite\"\n\n[[webhooks]]\nurl = \"newsroom.example/hook\"\nsecret_file = \"missing.secret\"\n",
    )
    .unwrap();
    let problems = NotifyConfig::load(&path).unwrap_err();
    let lines: Vec<String> =
        problems.items().iter().map(|d| format!("{}:{}: {}", d.line, d.column, d.message)).collect();
    assert_eq!(lines, ["4:8: webhook url `newsroom.example/hook` is not an absolute http(s) URL"]);
    std::fs::write(&path, "database = \"n.sqlite\"\nwebhook = []\n").unwrap();
    let problems = NotifyConfig::load(&path).unwrap_err();
    let d = &problems.items()[0];
    assert_eq!((d.line, d.column), (2, 1));
    assert!(d.message.starts_with("notify config: unknown field `webhook`"), "{}", d.message);
}

/// aiosmtpd (tests/smtp/install.sh) on a free port, writing what it receives into a
/// Maildir; stopped when dropped. `None` locally when it is not installed (in CI, a
/// missing server fails the test).
struct SmtpSink {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpSink {
    fn start() -> Option<Self> {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/.venv/bin/python");
        if !python.exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "aiosmtpd is missing in CI: .ci/run must run tests/smtp/install.sh"
            );
            eprintln!("skipped: run tests/smtp/install.sh for the SMTP tests");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Self { child, port, maildir })
    }

    /// Every message received, as text (headers and body), oldest first.
    fn messages(&self) -> Vec<String> {
        let dir = self.maildir.path().join("mail/new");
        let mut files: Vec<_> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect()
    }

    fn to(&self, address: &str) -> Vec<String> {
        self.messages().into_iter().filter(|m| m.contains(&format!("X-RcptTo: {address}"))).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The quoted-printable body of a mail, decoded enough to find links in it.
fn unfolded(mail: &str) -> String {
    mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The path and query of the first link in `mail` that contains `path`.
fn link_in(mail: &str, path: &str) -> String {
    let text = unfolded(mail);
    let start =
        text.find(&format!("https://advisories.test{path}")).unwrap_or_else(|| panic!("no {path} link in {text}"));
    let link: String =
        text[start..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"')).collect();
    link.trim_start_matches("https://advisories.test").replace("&amp;", "&")
}

fn subscribers(f: &Fixture) -> Vec<(String, bool)> {
    let db = rusqlite::Connection::open(f.path().join("outbox/notify.sqlite")).unwrap();
    let mut stmt = db.prepare("SELECT email, confirmed_at IS NOT NULL FROM subscribers ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_confirm_by_post_publish_one_mail_unsubscribe_by_one_click() {
    let Some(smtp) = SmtpSink::start() else { return };
    let f = embargoed_site();
    std::fs::write(
        f.path().join("notify.toml"),
        format!(
            "database = \"outbox/notify.sqlite\"\n\n[email]\nsmtp = \"smtp://127.0.0.1:{}\"\nfrom = \"PK Advisories <alerts@advisories.test>\"\n",
            smtp.port
        ),
    )
    .unwrap();
    let config =
        NotifyConfig::load(&f.path().join("notify.toml")).unwrap_or_else(|d| panic!("{}", d.render_human(false)));
    let started = Instant::now();
    let server = start(&f, &config, clock_reaching("2030-01-01T09:00:00Z", 7000), false).await;
    let lifted_at = started + Duration::from_millis(7000);
    let c = client();
    let form = |body: String| {
        c.post(server.url("/subscribe/")).header("content-type", "application/x-www-form-urlencoded").body(body).send()
    };
    // The form is the server's, not the static page.
    let page = c.get(server.url("/subscribe/")).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.text().await.unwrap().contains(r#"<input type="email" id="email" name="email""#));
    // Subscribe: the same answer for a new address and a known one.
    let first = form("email=Reader%40Example.pk&severity=all&language=en".into()).await.unwrap();
    assert_eq!(first.status(), 200);
    let first = first.text().await.unwrap();
    assert!(first.contains("Check your inbox"), "{first}");
    form("email=lurker%40example.pk&severity=all".into()).await.unwrap();
    wait_for(async || smtp.to("reader@example.pk").len() == 1, "the confirmation mail").await;
    let confirmation = &smtp.to("reader@example.pk")[0];
    assert!(confirmation.contains("Subject: Confirm your advisory emails"), "{confirmation}");
    let link = link_in(confirmation, "/subscribe/confirm/");
    // A GET (a mail scanner following the link) confirms nothing: it shows a button.
    let shown = c.get(server.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(shown.contains(r#"<form action="./" method="post">"#) || shown.contains(r#"method="post""#), "{shown}");
    assert_eq!(subscribers(&f), [("reader@example.pk".to_string(), false), ("lurker@example.pk".to_string(), false)]);
    let (id, token) = {
        let query = link.split_once('?').unwrap().1;
        let id = query.split('&').find_map(|kv| kv.strip_prefix("id=")).unwrap().to_string();
        let token = query.split('&').find_map(|kv| kv.strip_prefix("t=")).unwrap().to_string();
        (id, token)
    };
    let confirmed = c
        .post(server.url("/subscribe/confirm/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("id={id}&t={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("Confirmed"));
    assert_eq!(subscribers(&f)[0], ("reader@example.pk".to_string(), true));
    // Subscribing again changes nothing and answers the same.
    let again = form("email=reader%40example.pk".into()).await.unwrap().text().await.unwrap();
    assert!(again.contains("Check your inbox"));
    // The embargo lifts: exactly one mail, to the confirmed address only.
    wait_for(async || smtp.to("reader@example.pk").len() == 2, "the advisory mail").await;
    assert!(Instant::now() >= lifted_at, "mailed before the embargo lifted");
    assert!(
        Instant::now() <= lifted_at + Duration::from_millis(2200),
        "{:?} after the lift",
        Instant::now() - lifted_at
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.to("reader@example.pk").len(), 2, "one confirmation, one advisory");
    assert_eq!(smtp.to("lurker@example.pk").len(), 1, "an unconfirmed address gets only its confirmation");
    let mail = &smtp.to("reader@example.pk")[1];
    assert!(mail.contains("Subject: [High] Telecom subscriber records offered for sale online"), "{mail}");
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{mail}");
    assert!(mail.contains("List-Unsubscribe: <https://advisories.test/unsubscribe/?id="), "{mail}");
    assert!(mail.contains("Content-Language: en"), "{mail}");
    let body = unfolded(mail);
    assert!(
        body.contains("A short summary.") && body.contains("Do now:") && body.contains("- Do the first thing."),
        "{body}"
    );
    assert!(body.contains("https://advisories.test/advisories/PK-2030-0001/"), "{body}");
    assert!(body.contains("Content-Type: text/html"), "HTML as well as text: {body}");
    // Unsubscribe: a GET only shows the button; the one-click POST deletes the address.
    let unsubscribe = link_in(mail, "/unsubscribe/");
    let shown = c.get(server.url(&unsubscribe)).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    assert_eq!(subscribers(&f).len(), 2);
    let one_click = c
        .post(server.url(&unsubscribe))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    assert_eq!(subscribers(&f), [("lurker@example.pk".to_string(), false)], "the address is deleted");
    let reused = c.post(server.url(&unsubscribe)).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(reused.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_subscription_forms_get_4xx_or_a_limit_never_a_mail() {
    let Some(smtp) = SmtpSink::start() else { return };
    let f = Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""));
    std::fs::write(
        f.path().join("notify.toml"),
        format!("database = \"outbox/notify.sqlite\"\n[email]\nsmtp = \"smtp://127.0.0.1:{}\"\nfrom = \"a@advisories.test\"\n", smtp.port),
    )
    .unwrap();
    let config = NotifyConfig::load(&f.path().join("notify.toml")).unwrap();
    let server = start(&f, &config, bulletin::server::system_clock(), false).await;
    let c = client();
    let post = |path: &str, body: Vec<u8>| {
        c.post(server.url(path)).header("content-type", "application/x-www-form-urlencoded").body(body).send()
    };
    let huge = post("/subscribe/", vec![b'a'; 100_000]).await.unwrap();
    assert_eq!(huge.status(), 413);
    for hostile in [
        "email=a%40example.pk%0d%0aBcc%3a%20all%40example.pk",
        "email=a%40example.pk%2c%20b%40example.pk",
        "email=%3Cscript%3E",
        "email=",
        "data=x&data=y",
    ] {
        let answer = post("/subscribe/", hostile.as_bytes().to_vec()).await.unwrap();
        assert_eq!(answer.status(), 422, "{hostile}");
        let page = answer.text().await.unwrap();
        assert!(page.contains("Enter one email address") && !page.contains("<script>"), "{page}");
    }
    for bad in ["/subscribe/confirm/?id=1&t=nope", "/subscribe/confirm/?id=%00", "/unsubscribe/?id=1&t=x"] {
        assert_eq!(c.get(server.url(bad)).send().await.unwrap().status(), 404, "{bad}");
        let path = bad.split('?').next().unwrap();
        let query = bad.split_once('?').unwrap().1.as_bytes().to_vec();
        assert_eq!(post(path, query).await.unwrap().status(), 404, "POST {bad}");
    }
    // 10 an hour from one client, then a limit: never a 5xx.
    let mut statuses = Vec::new();
    for n in 0..30 {
        let answer = post("/subscribe/", format!("email=person{n}%40example.pk").into_bytes()).await.unwrap();
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(&statuses[..10], [200; 10]);
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");
    // 10,000 more: each is refused by the limit, none fails.
    for n in 0..10_000 {
        let answer = post("/subscribe/", format!("email=flood{n}%40example.pk").into_bytes()).await.unwrap();
        assert_eq!(answer.status(), 429);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 10, "only the accepted requests got a confirmation mail");
    assert!(smtp.messages().iter().all(|m| m.contains("Subject: Confirm your advisory emails")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websub_hubs_are_named_in_every_feed_and_told_when_one_changes() {
    let hub = Receiver::start(0);
    let f = embargoed_site();
    std::fs::write(
        f.path().join("notify.toml"),
        format!("database = \"outbox/notify.sqlite\"\n\n[websub]\nhubs = [\"{}\"]\n", hub.url),
    )
    .unwrap();
    let config = NotifyConfig::load(&f.path().join("notify.toml")).unwrap();
    let server = start(&f, &config, clock_reaching("2030-01-01T09:00:00Z", 2000), false).await;
    let c = client();
    let rss = c.get(server.url("/feed.xml")).send().await.unwrap().text().await.unwrap();
    assert!(rss.contains(&format!(r#"<atom:link href="{}" rel="hub"></atom:link>"#, hub.url)), "{rss}");
    assert!(
        rss.contains(
            r#"<atom:link href="https://advisories.test/feed.xml" rel="self" type="application/rss+xml"></atom:link>"#
        ),
        "{rss}"
    );
    let ur = c.get(server.url("/ur/updates.xml")).send().await.unwrap().text().await.unwrap();
    assert!(ur.contains(r#"rel="hub""#), "{ur}");
    let atom = c.get(server.url("/atom.xml")).send().await.unwrap().text().await.unwrap();
    assert!(atom.contains(&format!(r#"<link rel="hub" href="{}"/>"#, hub.url)), "{atom}");
    let json: serde_json::Value =
        serde_json::from_str(&c.get(server.url("/feed.json")).send().await.unwrap().text().await.unwrap()).unwrap();
    assert_eq!(json["hubs"][0]["type"], "WebSub");
    assert!(hub.received().is_empty(), "nothing changed yet");
    // The embargo lifts: every feed that now lists the advisory is announced, once.
    let expected: Vec<String> =
        ["feed.xml", "updates.xml", "atom.xml", "feed.json", "ur%2Ffeed.xml", "severity%2Fhigh%2Ffeed.xml"]
            .iter()
            .map(|feed| {
                format!("hub.mode=publish&hub.url=https%3A%2F%2Fadvisories%2Etest%2F{}", feed.replace('.', "%2E"))
            })
            .collect();
    let bodies =
        || -> Vec<String> { hub.received().iter().map(|r| String::from_utf8_lossy(&r.body).into_owned()).collect() };
    // Waits for every ping (a loaded machine delivers them over seconds), then a while
    // longer for any second one.
    wait_for(async || expected.iter().all(|e| bodies().contains(e)), "the hub pings").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let bodies = bodies();
    for expected in &expected {
        assert_eq!(bodies.iter().filter(|b| *b == expected).count(), 1, "{expected} in {bodies:#?}");
    }
    assert!(!bodies.iter().any(|b| b.contains("severity%2Flow")), "an unchanged feed is not announced: {bodies:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_hears_only_the_topics_it_asked_for() {
    let (all, critical, passwords) = (Receiver::start(0), Receiver::start(0), Receiver::start(0));
    let f = embargoed_site();
    std::fs::write(f.path().join("newsroom.secret"), SECRET).unwrap();
    let hook = |r: &Receiver, topics: &str| {
        format!("\n[[webhooks]]\nurl = \"{}\"\nsecret_file = \"newsroom.secret\"\n{topics}", r.url)
    };
    let text = format!(
        "database = \"notify.sqlite\"\n{}{}{}",
        hook(&all, ""),
        hook(&critical, "topics = { severity = \"critical\" }\n"),
        hook(&passwords, "topics = { severity = \"high\", data = [\"passwords\"] }\nlanguage = \"ur\"\n"),
    );
    std::fs::write(f.path().join("notify.toml"), text).unwrap();
    let config =
        NotifyConfig::load(&f.path().join("notify.toml")).unwrap_or_else(|d| panic!("{}", d.render_human(false)));
    let _server = start(&f, &config, clock_reaching("2030-01-01T09:00:00Z", 1000), false).await;
    wait_for(async || all.received().len() == 1 && passwords.received().len() == 1, "the matching endpoints").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(critical.received().is_empty(), "a high advisory is not for a critical-only endpoint");
    let urdu = passwords.received()[0].json();
    assert_eq!(urdu["data"]["url"], "https://advisories.test/ur/advisories/PK-2030-0001/");
    let short = urdu["data"]["text_short"].as_str().unwrap();
    assert!(short.encode_utf16().count() <= 70, "{short}");
    assert!(short.ends_with(" https://advisories.test/ur/advisories/PK-2030-0001/"), "{short}");
}
