//! Publishing by git commit, with real repositories in temporary folders: revision
//! history (with a rename), `check --changed-since`, `serve --git` with webhooks
//! (signatures, replays, other branches), polling, force-push, a bad commit, uncommitted
//! edits, and `--preview`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bulletin::server::{GitOptions, Limits, ServeOptions};
use hmac::{KeyInit, Mac};

use crate::fixture::{MEASURES_TOML, SITE_TOML, advisory};
use crate::serve::{Server, client, limits, raw, wait_for};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_NAME", "Staff")
        .env("GIT_AUTHOR_EMAIL", "staff@advisories.test")
        .env("GIT_COMMITTER_NAME", "Staff")
        .env("GIT_COMMITTER_EMAIL", "staff@advisories.test")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with `advisories/` holding the test site and one advisory, committed.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(root.join("advisories/2025")).unwrap();
    git(&root, &["init", "-q"]);
    let site = "repository_url = \"https://git.example.org/team/advisories\"\nhistory_subjects = true\n".to_string()
        + SITE_TOML;
    std::fs::write(root.join("advisories/site.toml"), site).unwrap();
    std::fs::write(root.join("advisories/measures.toml"), MEASURES_TOML).unwrap();
    std::fs::write(root.join("advisories/measures.ur.toml"), crate::fixture::MEASURES_UR_TOML).unwrap();
    std::fs::write(root.join("advisories/2025/PK-2025-0001.md"), advisory("PK-2025-0001", "")).unwrap();
    commit(&root, "Add PK-2025-0001");
    (tmp, root)
}

fn commit(root: &Path, message: &str) -> String {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", message]);
    git(root, &["rev-parse", "HEAD"])
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join("advisories").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn history_follows_renames_and_updates_incrementally() {
    let (_tmp, root) = repo();
    write(&root, "2025/PK-2025-0001.md", &advisory("PK-2025-0001", "").replace("Something.", "Something more."));
    commit(&root, "Clarify what happened");
    git(&root, &["mv", "advisories/2025/PK-2025-0001.md", "advisories/2025/PK-2025-0002.md"]);
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "").replace("Something.", "Something more."));
    let renamed = commit(&root, "Renumber as PK-2025-0002");
    let dir = root.join("advisories");
    let history = bulletin::git::History::load(&dir, "HEAD").unwrap();
    let subjects: Vec<&str> = history.of("2025/PK-2025-0002.md").iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(subjects, ["Renumber as PK-2025-0002", "Clarify what happened", "Add PK-2025-0001"]);
    assert_eq!(history.of("2025/PK-2025-0002.md")[0].hash, renamed);

    // The page shows it, newest first, linked to the forge.
    let (_out_tmp, out) = crate::fixture::build(&dir, crate::fixture::NOW);
    let page = std::fs::read_to_string(out.join("advisories/PK-2025-0002/index.html")).unwrap();
    let (a, b, c) =
        (page.find("Renumber as").unwrap(), page.find("Clarify what").unwrap(), page.find("Add PK-2025-0001").unwrap());
    assert!(a < b && b < c, "newest first");
    assert!(page.contains(&format!("https://git.example.org/team/advisories/commit/{renamed}")));

    // One more commit: the incremental update equals a fresh load.
    let mut incremental = history.clone();
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "").replace("Something.", "Something else."));
    write(&root, "2025/PK-2025-0003.md", &advisory("PK-2025-0003", ""));
    commit(&root, "Another change");
    incremental.update(&dir, "HEAD").unwrap();
    let fresh = bulletin::git::History::load_uncached(&dir, "HEAD").unwrap();
    for path in ["2025/PK-2025-0002.md", "2025/PK-2025-0003.md", "site.toml"] {
        assert_eq!(incremental.of(path), fresh.of(path), "{path}");
    }
    assert_eq!(incremental.of("2025/PK-2025-0002.md").len(), 4);
}

/// Start-up keeps the history in the git folder: a restart reads the cache and only the
/// commits made since; a cache that does not lead to the head, or is damaged, is read
/// again from git. Whatever the path, the history equals one read from git alone.
#[test]
fn history_is_cached_between_starts() {
    use bulletin::git::History;
    let (_tmp, root) = repo();
    let dir = root.join("advisories");
    let cache_dir = root.join(".git/bulletin");
    let uncached = || History::load_uncached(&dir, "HEAD").unwrap();
    assert_eq!(History::load(&dir, "HEAD").unwrap(), uncached(), "first start");
    let cache = std::fs::read_dir(&cache_dir).unwrap().next().expect("a cache file").unwrap().path();
    let written = std::fs::read(&cache).unwrap();
    assert_eq!(History::load(&dir, "HEAD").unwrap(), uncached(), "restart from the cache");
    assert_eq!(std::fs::read(&cache).unwrap(), written, "an up-to-date cache is not rewritten");

    // New commits since the cache was written, one of them a rename.
    write(&root, "2025/PK-2025-0003.md", &advisory("PK-2025-0003", ""));
    commit(&root, "Add PK-2025-0003");
    git(&root, &["mv", "advisories/2025/PK-2025-0001.md", "advisories/2025/PK-2025-0004.md"]);
    write(&root, "2025/PK-2025-0004.md", &advisory("PK-2025-0004", ""));
    commit(&root, "Renumber PK-2025-0001 as PK-2025-0004");
    let restarted = History::load(&dir, "HEAD").unwrap();
    assert_eq!(restarted, uncached(), "cache plus the new commits");
    assert_eq!(restarted.of("2025/PK-2025-0004.md").len(), 2);
    assert!(std::fs::read(&cache).unwrap() != written, "the cache follows the head");

    // History rewritten (a force-push): the cached head is no ancestor any more.
    git(&root, &["reset", "-q", "--hard", "HEAD~2"]);
    write(&root, "2025/PK-2025-0005.md", &advisory("PK-2025-0005", ""));
    commit(&root, "Add PK-2025-0005 instead");
    assert_eq!(History::load(&dir, "HEAD").unwrap(), uncached(), "after a rewrite");
    assert!(History::load(&dir, "HEAD").unwrap().of("2025/PK-2025-0004.md").is_empty());

    // A damaged cache is ignored and replaced.
    std::fs::write(&cache, "bulletin history cache 1\nnot the prefix\n").unwrap();
    assert_eq!(History::load(&dir, "HEAD").unwrap(), uncached(), "damaged cache");
    std::fs::write(&cache, b"\x1e\x1f\x1f garbage \0\0\0").unwrap();
    assert_eq!(History::load(&dir, "HEAD").unwrap(), uncached(), "garbage cache");
    assert!(std::fs::read(&cache).unwrap().starts_with(b"bulletin history cache 1\n"));
}

/// A history longer than one run of the parallel reader (1,500 commits), made with
/// `git fast-import`: 3,400 commits over 40 files, a rename and a merged branch.
/// Loading it at once must equal loading its first commit and updating from there,
/// which reads the rest with one plain `git log`.
#[test]
fn a_long_history_loads_the_same_in_parallel_as_incrementally() {
    use std::fmt::Write as _;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "-q"]);
    let mut stream = String::new();
    let name = |i: usize| format!("advisories/2025/PK-2025-{:04}.md", i % 40 + 1);
    let mut renamed = false;
    for c in 1..=3400u64 {
        let branch = if (3000..3100).contains(&c) { "side" } else { "main" };
        writeln!(stream, "commit refs/heads/{branch}\nmark :{c}").unwrap();
        writeln!(stream, "committer Staff <staff@advisories.test> {} +0000", 1_700_000_000 + c * 60).unwrap();
        let message = format!("Change {c}");
        write!(stream, "data {}\n{message}\n", message.len()).unwrap();
        if c > 1 {
            let parent = if c == 3000 || c == 3100 { 2999 } else { c - 1 };
            writeln!(stream, "from :{parent}").unwrap();
        }
        if c == 3100 {
            writeln!(stream, "merge :3099").unwrap();
        }
        if c == 2000 && !renamed {
            writeln!(stream, "R advisories/2025/PK-2025-0001.md advisories/2025/PK-2025-0101.md\n").unwrap();
            renamed = true;
            continue;
        }
        let path = if renamed && c.is_multiple_of(40) {
            "advisories/2025/PK-2025-0101.md".to_string()
        } else {
            name(c as usize)
        };
        let body = format!("+++\nid = \"x\"\n+++\nRevision {c}\n");
        write!(stream, "M 100644 inline {path}\ndata {}\n{body}\n", body.len()).unwrap();
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stream.as_bytes()).unwrap();
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    git(&root, &["checkout", "-q", "main"]);
    let dir = root.join("advisories");
    let first = git(&root, &["rev-list", "--max-parents=0", "HEAD"]);

    let parallel = bulletin::git::History::load_uncached(&dir, "HEAD").unwrap();
    let mut incremental = bulletin::git::History::load(&dir, &first).unwrap();
    incremental.update(&dir, "HEAD").unwrap();
    assert_eq!(parallel.head, incremental.head);
    let mut revisions = 0;
    for i in 2..=40 {
        let path = format!("2025/PK-2025-{i:04}.md");
        assert_eq!(parallel.of(&path), incremental.of(&path), "{path}");
        revisions += parallel.of(&path).len();
    }
    let renamed = parallel.of("2025/PK-2025-0101.md");
    assert_eq!(renamed, incremental.of("2025/PK-2025-0101.md"));
    assert!(
        renamed.iter().any(|r| r.subject == "Change 40"),
        "history follows the rename back to the file's first commit"
    );
    assert!(renamed.iter().any(|r| r.subject == "Change 3360"), "and forward after it");
    assert!(parallel.of("2025/PK-2025-0001.md").is_empty(), "the old name has no history of its own");
    assert_eq!(
        revisions + renamed.len(),
        3400 - 1,
        "every commit but the merge (shown without files, as by git log) counts"
    );
}

#[test]
fn check_changed_since_reports_only_changed_files() {
    let (_tmp, root) = repo();
    let base = git(&root, &["rev-parse", "HEAD"]);
    // A broken file committed before REV is not reported; a broken change after it is.
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "").replace("\"high\"", "\"hgh\""));
    let run = |rev: &str| {
        Command::new(env!("CARGO_BIN_EXE_bulletin"))
            .args(["check", "--changed-since", rev, "--dir"])
            .arg(root.join("advisories"))
            .output()
            .unwrap()
    };
    let out = run(&base);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2025/PK-2025-0002.md:6:12"));
    commit(&root, "Broken");
    write(&root, "2025/PK-2025-0003.md", &advisory("PK-2025-0003", ""));
    let head = git(&root, &["rev-parse", "HEAD"]);
    let out = run(&head);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // A duplicate id across files is reported when one of them changed.
    write(&root, "2024/PK-2025-0003.md", &advisory("PK-2025-0003", ""));
    let out = run(&head);
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate id `PK-2025-0003`"));
}

fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn git_server(root: &Path, remote: Option<&str>, secret: &[u8], pull: Option<Duration>) -> Server {
    git_server_with(root, remote, secret, pull, limits()).await
}

async fn git_server_with(
    root: &Path,
    remote: Option<&str>,
    secret: &[u8],
    pull: Option<Duration>,
    limits: Limits,
) -> Server {
    let mut options = ServeOptions::new(root.join("advisories"));
    options.limits = limits;
    options.git = Some(GitOptions {
        remote: remote.map(str::to_string),
        branch: Some("main".into()),
        webhook_secret: Some(secret.to_vec()),
        pull_every: pull,
        ..GitOptions::default()
    });
    Server::start_with(options, false).await
}

async fn status_of(server: &Server) -> String {
    client().get(server.url("/_status")).bearer_auth("staff-token").send().await.unwrap().text().await.unwrap()
}

async fn title(server: &Server, id: &str) -> Option<String> {
    let r = client().get(server.url(&format!("/advisories/{id}/"))).send().await.unwrap();
    if r.status() != 200 {
        return None;
    }
    let html = r.text().await.unwrap();
    html.split("<h1>").nth(1).and_then(|s| s.split("</h1>").next()).map(str::to_string)
}

/// A client that declares a body and stops sending it gets a 408 within the request
/// timeout, and does not hold the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_body_that_stalls_gets_408() {
    let (_tmp, root) = repo();
    let limits = Limits { request_timeout: Duration::from_secs(1), ..limits() };
    let server = git_server_with(&root, None, b"secret", None, limits).await;
    let addr = server.addr;
    let started = std::time::Instant::now();
    let request =
        b"POST /hooks/git HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nX-GitHub-Event: push\r\n\r\n{\"ref\":";
    let response = tokio::task::spawn_blocking(move || raw(addr, request)).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 408"), "{response:.80}");
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
    assert_eq!(client().get(server.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_verified_and_publish_the_pushed_commit() {
    let (_tmp, root) = repo();
    let secret = b"It's a Secret to Everybody";
    let server = git_server(&root, None, secret, None).await;
    let c = client();
    let hook = server.url("/hooks/git");
    let push = br#"{"ref":"refs/heads/main","after":"x"}"#.to_vec();

    // GitHub's published test vector, as a ping.
    let r = c
        .post(&hook)
        .header("x-github-event", "ping")
        .header("x-hub-signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        .body("Hello, World!")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Uncommitted edits are never served.
    write(
        &root,
        "2025/PK-2025-0001.md",
        &advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", "Uncommitted title"),
    );
    // Refused: missing signature, wrong secret, one changed byte.
    let r = c.post(&hook).header("x-github-event", "push").body(push.clone()).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(&hook)
        .header("x-github-event", "push")
        .header("x-hub-signature-256", sign(b"wrong", &push))
        .body(push.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let mut tampered = push.clone();
    tampered[3] ^= 1;
    let r = c
        .post(&hook)
        .header("x-github-event", "push")
        .header("x-hub-signature-256", sign(secret, &push))
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let big = vec![b' '; 1024 * 1024 + 10];
    let r = c
        .post(&hook)
        .header("x-github-event", "push")
        .header("x-hub-signature-256", sign(secret, &big))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(title(&server, "PK-2025-0001").await.as_deref(), Some("Test advisory PK-2025-0001"));

    // A signed push to the branch: answered at once, published in the background.
    git(&root, &["checkout", "-q", "--", "."]);
    write(
        &root,
        "2025/PK-2025-0001.md",
        &advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", "Committed title"),
    );
    let second = commit(&root, "Retitle");
    let started = std::time::Instant::now();
    let r = c
        .post(&hook)
        .header("x-github-event", "push")
        .header("x-github-delivery", "delivery-1")
        .header("x-hub-signature-256", sign(secret, &push))
        .body(push.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert!(started.elapsed() < Duration::from_millis(100), "answered in {:?}", started.elapsed());
    wait_for(async || title(&server, "PK-2025-0001").await.as_deref() == Some("Committed title"), "the pushed commit")
        .await;
    assert!(status_of(&server).await.contains(&second));

    // A replayed delivery, a push to another branch and another event change nothing.
    write(
        &root,
        "2025/PK-2025-0001.md",
        &advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", "Third title"),
    );
    commit(&root, "Third");
    let replay = c
        .post(&hook)
        .header("x-github-event", "push")
        .header("x-github-delivery", "delivery-1")
        .header("x-hub-signature-256", sign(secret, &push))
        .body(push.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 202);
    let other = br#"{"ref":"refs/heads/other"}"#.to_vec();
    let r = c
        .post(&hook)
        .header("x-gitea-event", "push")
        .header("x-gitea-signature", sign(secret, &other).trim_start_matches("sha256=").to_string())
        .body(other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = c
        .post(&hook)
        .header("x-gitlab-event", "Issue Hook")
        .header("x-gitlab-token", "It's a Secret to Everybody")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(title(&server, "PK-2025-0001").await.as_deref(), Some("Committed title"), "nothing changed");

    // GitLab's token for the branch publishes it.
    let r = c
        .post(&hook)
        .header("x-gitlab-event", "Push Hook")
        .header("x-gitlab-token", "It's a Secret to Everybody")
        .body(push.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    wait_for(async || title(&server, "PK-2025-0001").await.as_deref() == Some("Third title"), "the GitLab push").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_commit_keeps_the_last_good_site_and_a_force_push_resets() {
    // A bare "origin", a staff clone that pushes, and the server fetching from origin.
    let (_tmp, staff) = repo();
    let origin = staff.parent().unwrap().join("origin.git");
    git(staff.parent().unwrap(), &["clone", "-q", "--bare", staff.to_str().unwrap(), origin.to_str().unwrap()]);
    git(&staff, &["remote", "add", "origin", origin.to_str().unwrap()]);
    let served = staff.parent().unwrap().join("served");
    git(staff.parent().unwrap(), &["clone", "-q", origin.to_str().unwrap(), served.to_str().unwrap()]);
    let server = git_server(&served, Some("origin"), b"s3cret", Some(Duration::from_millis(300))).await;

    write(&staff, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", ""));
    let good = commit(&staff, "Add PK-2025-0002");
    git(&staff, &["push", "-q", "origin", "main"]);
    wait_for(async || title(&server, "PK-2025-0002").await.is_some(), "the polled commit").await;

    write(&staff, "2025/PK-2025-0001.md", &advisory("PK-2025-0001", "").replace("\"high\"", "\"hgh\""));
    let bad = commit(&staff, "Broken severity");
    git(&staff, &["push", "-q", "origin", "main"]);
    wait_for(async || status_of(&server).await.contains(&bad), "the rejection").await;
    let status = status_of(&server).await;
    assert!(status.contains("REJECTED") && status.contains("unknown severity `hgh`"), "{status}");
    assert!(status.contains(&format!("commit: {good}")), "still serving the good commit: {status}");
    assert!(title(&server, "PK-2025-0002").await.is_some(), "last good site stays live");

    // A force-push that drops both commits would delete the public PK-2025-0002: ids are
    // permanent (issue 25), so it is rejected, and the page stays.
    git(&staff, &["reset", "-q", "--hard", "HEAD~2"]);
    write(&staff, "2025/PK-2025-0003.md", &advisory("PK-2025-0003", ""));
    let dropping = commit(&staff, "Add PK-2025-0003 instead");
    git(&staff, &["push", "-q", "--force", "origin", "main"]);
    wait_for(async || status_of(&server).await.contains(&dropping), "the rejected force-push").await;
    let status = status_of(&server).await;
    assert!(status.contains("`PK-2025-0002` is public") && status.contains(&format!("commit: {good}")), "{status}");
    assert!(title(&server, "PK-2025-0002").await.is_some(), "a public advisory never disappears");

    // A force-push that only drops the bad commit publishes.
    git(&staff, &["reset", "-q", "--hard", &good]);
    write(&staff, "2025/PK-2025-0003.md", &advisory("PK-2025-0003", ""));
    let rewritten = commit(&staff, "Add PK-2025-0003 after the good commit");
    git(&staff, &["push", "-q", "--force", "origin", "main"]);
    wait_for(async || title(&server, "PK-2025-0003").await.is_some(), "the force-pushed tip").await;
    assert!(title(&server, "PK-2025-0002").await.is_some());
    let status = status_of(&server).await;
    assert!(status.contains(&format!("commit: {rewritten}")) && status.contains("last change: valid"), "{status}");
}

/// A served clone of a bare "origin" that a staff clone pushes to; `embargoed` is
/// committed as PK-2030-0001 (due at 2030-01-01T09:00:00Z).
fn origin_and_clones(embargoed: bool) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let (tmp, staff) = repo();
    if embargoed {
        let text = advisory("PK-2030-0001", "").replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z");
        write(&staff, "2030/PK-2030-0001.md", &text);
        commit(&staff, "Embargoed PK-2030-0001");
    }
    let origin = staff.parent().unwrap().join("origin.git");
    git(staff.parent().unwrap(), &["clone", "-q", "--bare", staff.to_str().unwrap(), origin.to_str().unwrap()]);
    git(&staff, &["remote", "add", "origin", origin.to_str().unwrap()]);
    let served = staff.parent().unwrap().join("served");
    git(staff.parent().unwrap(), &["clone", "-q", origin.to_str().unwrap(), served.to_str().unwrap()]);
    (tmp, staff, origin, served)
}

/// Issue 25: a git outage around an embargo does not hold it. The remote goes away
/// before the embargo and comes back after: the page appears on time, `/_status` says
/// the fetch fails while it does, and the next fetch after the outage clears it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_git_outage_never_holds_a_due_embargo() {
    let (_tmp, _staff, origin, served) = origin_and_clones(true);
    let mut options = ServeOptions::new(served.join("advisories"));
    options.limits = limits();
    options.clock = crate::serve::clock_reaching("2030-01-01T09:00:00Z", 2500);
    options.git = Some(GitOptions {
        remote: Some("origin".into()),
        branch: Some("main".into()),
        pull_every: Some(Duration::from_millis(300)),
        ..GitOptions::default()
    });
    let server = Server::start_with(options, false).await;
    assert!(title(&server, "PK-2030-0001").await.is_none(), "embargoed");
    let away = origin.with_extension("away");
    std::fs::rename(&origin, &away).unwrap();
    wait_for(async || status_of(&server).await.contains("FETCH FAILED"), "the failing fetch").await;
    wait_for(async || title(&server, "PK-2030-0001").await.is_some(), "the embargo lifting during the outage").await;
    std::fs::rename(&away, &origin).unwrap();
    wait_for(async || !status_of(&server).await.contains("FETCH FAILED"), "the fetch after the outage").await;
    assert!(status_of(&server).await.contains("last change: valid"));
}

/// Issue 25: a remote that accepts the connection and never answers. The fetch is
/// stopped after `fetch_timeout` and reported; meanwhile reloads and embargoes go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fetch_that_never_answers_times_out() {
    let (_tmp, _staff, _origin, served) = origin_and_clones(true);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        // Accepts and keeps every connection open, saying nothing.
        let mut held = Vec::new();
        for stream in silent.incoming().take(8) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    git(&served, &["remote", "add", "silent", &format!("git://127.0.0.1:{port}/advisories.git")]);
    let mut options = ServeOptions::new(served.join("advisories"));
    options.limits = limits();
    options.clock = crate::serve::clock_reaching("2030-01-01T09:00:00Z", 3000);
    options.git = Some(GitOptions {
        remote: Some("silent".into()),
        branch: Some("main".into()),
        pull_every: Some(Duration::from_millis(500)),
        fetch_timeout: Duration::from_secs(1),
        ..GitOptions::default()
    });
    // Start-up fetches too, and goes on with the local branch when the fetch fails.
    git(&served, &["update-ref", "refs/remotes/silent/main", "refs/remotes/origin/main"]);
    let started = std::time::Instant::now();
    let server = Server::start_with(options, false).await;
    assert!(started.elapsed() < Duration::from_secs(5), "start-up waited {:?}", started.elapsed());
    let status = status_of(&server).await;
    assert!(status.contains("FETCH FAILED") && status.contains("no answer within 1 s"), "{status}");
    wait_for(async || title(&server, "PK-2030-0001").await.is_some(), "the embargo lifting on time").await;
    drop(holder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_shows_drafts_with_a_banner() {
    let dir = crate::fixture::samples_dir();
    let mut options = ServeOptions::new(dir);
    options.preview = true;
    options.limits = limits();
    let server = Server::start_with(options, false).await;
    let r = client().get(server.url("/advisories/PK-2026-0001/")).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    assert_eq!(r.headers()["x-robots-tag"], "noindex, nofollow");
    let html = r.text().await.unwrap();
    assert!(html.contains("PREVIEW – not public") && html.contains("DRAFT-SECRET-MARKER"));
    // Issue 21: each unpublished advisory says what it is; a draft shows no publication date.
    assert!(html.contains(r#"<p class="preview-mark" role="status">Draft: not public</p>"#), "{html:.2000}");
    assert!(!html.contains("<dt>Published</dt>"), "a draft has no publication date");
    let embargoed = client().get(server.url("/advisories/PK-2030-0001/")).send().await.unwrap();
    assert_eq!(embargoed.status(), 200);
    let html = embargoed.text().await.unwrap();
    assert!(html.contains("Embargoed until 1 Jan 2030 09:00 UTC"), "{html:.2000}");
    let home = client().get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(r#"<p class="preview-mark">Draft: not public</p>"#), "cards are marked too");
}

#[test]
fn preview_refuses_a_non_loopback_address() {
    let out = Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .args(["serve", "--preview", "--addr", "0.0.0.0:0", "--dir"])
        .arg(crate::fixture::samples_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[test]
fn a_commit_that_also_touched_an_unpublished_advisory_keeps_its_subject_private() {
    let (_tmp, root) = repo();
    // Not related to 0001 (no data class in common), so that only the withheld subject
    // ties 0001's page to it.
    let embargoed = advisory("PK-2030-0001", "")
        .replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z")
        .replace(r#"data = ["passwords"]"#, r#"data = ["phone-numbers"]"#);
    write(&root, "2030/PK-2030-0001.md", &embargoed);
    write(&root, "2025/PK-2025-0001.md", &advisory("PK-2025-0001", "").replace("Something.", "Something else."));
    commit(&root, "Add SECRET wallet flaw PK-2030-0001; fix typo in 0001");
    let (_out_tmp, out) = crate::fixture::build(&root.join("advisories"), crate::fixture::NOW);
    let page = std::fs::read_to_string(out.join("advisories/PK-2025-0001/index.html")).unwrap();
    assert!(!page.contains("SECRET") && !page.contains("PK-2030-0001"), "the subject leaked");
    assert!(page.contains("also touched an unpublished advisory"));
    assert!(page.contains("Add PK-2025-0001"), "other subjects stay");

    // Once the embargo lifts the subject may be shown, also by a render that takes
    // unchanged pages over from the one before.
    let dir = root.join("advisories");
    let mut history = None;
    let source = bulletin::content::HistorySource { dir: &dir, rev: "HEAD", kept: &mut history, required: true };
    let options = bulletin::content::LoadOptions { history: Some(source), ..Default::default() };
    let content = bulletin::content::load_with(&dir, options).unwrap();
    let before = bulletin::render::site(&content, &content.settings, crate::fixture::NOW.parse().unwrap());
    let options = bulletin::render::RenderOptions { preview: false, previous: Some(&before), hubs: &[] };
    let lifted = "2031-01-01T00:00:00Z".parse().unwrap();
    let after = bulletin::render::site_with(&content, &content.settings, lifted, options, &|_, _| {});
    let page = String::from_utf8(after.get("/advisories/PK-2025-0001/").unwrap().body.to_vec()).unwrap();
    assert!(page.contains("Add SECRET wallet flaw PK-2030-0001"), "the subject is public now");
}

/// Issue 25: `check` reports a public advisory whose file is deleted, against the last
/// commit or `--changed-since REV`, with the fix; an unpublished draft may go.
#[test]
fn check_reports_a_deleted_public_advisory() {
    let (_tmp, root) = repo();
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "draft = true\n"));
    let base = commit(&root, "Add a draft");
    let check = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_bulletin"))
            .args(["check", "--dir"])
            .arg(root.join("advisories"))
            .args(extra)
            .output()
            .unwrap()
    };
    std::fs::remove_file(root.join("advisories/2025/PK-2025-0002.md")).unwrap();
    let out = check(&[]);
    assert_eq!(out.status.code(), Some(0), "a draft may go: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(root.join("advisories/2025/PK-2025-0001.md")).unwrap();
    let out = check(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("2025/PK-2025-0001.md") && stderr.contains("`PK-2025-0001` is public"), "{stderr}");
    assert!(stderr.contains("status = \"withdrawn\""), "the fix: {stderr}");
    // Committed: the pre-commit hook's `--changed-since` still sees it.
    commit(&root, "Delete PK-2025-0001");
    assert_eq!(check(&[]).status.code(), Some(0), "against the new HEAD nothing is deleted");
    let out = check(&["--changed-since", &base]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Issue 21: by default the public history shows when each published revision was made
/// (linked to the commit), never staff's commit subjects; a commit made before the
/// advisory was published is not a revision of the public page.
#[test]
fn the_public_history_shows_dates_not_subjects_by_default() {
    let (_tmp, root) = repo();
    let site =
        std::fs::read_to_string(root.join("advisories/site.toml")).unwrap().replace("history_subjects = true\n", "");
    write(&root, "site.toml", &site);
    commit(&root, "Internal: fix typo found by Ali in the PTA call");
    // A commit dated before the advisory's publication (2025-07-27): drafting, not a revision.
    write(&root, "2025/PK-2025-0001.md", &advisory("PK-2025-0001", "").replace("Something.", "Something, drafted."));
    let out = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["-c", "commit.gpgsign=false", "commit", "-q", "-am", "Drafting before publication"])
        .env("GIT_AUTHOR_NAME", "Staff")
        .env("GIT_AUTHOR_EMAIL", "staff@advisories.test")
        .env("GIT_COMMITTER_NAME", "Staff")
        .env("GIT_COMMITTER_EMAIL", "staff@advisories.test")
        .env("GIT_COMMITTER_DATE", "2025-07-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_out_tmp, out) = crate::fixture::build(&root.join("advisories"), crate::fixture::NOW);
    let page = std::fs::read_to_string(out.join("advisories/PK-2025-0001/index.html")).unwrap();
    let history = page.split(r#"<ol class="history">"#).nth(1).unwrap().split("</ol>").next().unwrap();
    assert!(!history.contains("Add PK-2025-0001") && !history.contains("Internal"), "no subjects: {history}");
    assert!(history.contains("https://git.example.org/team/advisories/commit/"), "linked: {history}");
    assert_eq!(history.matches("<li>").count(), 1, "the drafting commit is not a public revision: {history}");
}

/// Issue 21: only revisions readers saw are listed. A commit whose file would have been
/// rejected (an invalid severity) and commits made while an advisory was a draft are not
/// revisions of the public page, even with subjects opted in; the fix that followed is.
#[test]
fn the_public_history_leaves_out_rejected_and_draft_commits() {
    let (_tmp, root) = repo();
    write(&root, "2025/PK-2025-0001.md", &advisory("PK-2025-0001", "").replace("\"high\"", "\"hgh\""));
    let rejected = commit(&root, "Raise the severity (typo)");
    write(&root, "2025/PK-2025-0001.md", &advisory("PK-2025-0001", "").replace("\"high\"", "\"critical\""));
    commit(&root, "Raise the severity");
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "draft = true\n"));
    let drafted = commit(&root, "Start PK-2025-0002 for the embargoed bank leak");
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "draft = true\n").replace("Something.", "More."));
    let redrafted = commit(&root, "PK-2025-0002: second draft");
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "").replace("Something.", "More."));
    commit(&root, "Publish PK-2025-0002");

    let (_out_tmp, out) = crate::fixture::build(&root.join("advisories"), crate::fixture::NOW);
    let history_of = |id: &str| {
        let page = std::fs::read_to_string(out.join(format!("advisories/{id}/index.html"))).unwrap();
        page.split(r#"<ol class="history">"#).nth(1).unwrap().split("</ol>").next().unwrap().to_string()
    };
    let first = history_of("PK-2025-0001");
    assert!(first.contains("Raise the severity<") || first.contains("Raise the severity "), "the fix: {first}");
    assert!(!first.contains("typo") && !first.contains(&rejected), "the rejected commit: {first}");
    assert_eq!(first.matches("<li>").count(), 2, "added, then the fix: {first}");
    let second = history_of("PK-2025-0002");
    assert!(second.contains("Publish PK-2025-0002"), "{second}");
    for hidden in ["embargoed bank leak", "second draft", drafted.as_str(), redrafted.as_str()] {
        assert!(!second.contains(hidden), "draft commit {hidden:?} listed: {second}");
    }
    assert_eq!(second.matches("<li>").count(), 1, "{second}");
}

/// Issue 24: `serve --git` on a clone without `--remote` follows the branch's upstream,
/// as `git pull` would: a push to the bare origin is published by the poll. `/_status`
/// says what is published and how it is kept current.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clone_without_remote_follows_its_upstream() {
    let (_tmp, staff, _origin, served) = origin_and_clones(false);
    let mut options = ServeOptions::new(served.join("advisories"));
    options.limits = limits();
    options.git = Some(GitOptions {
        remote: None,
        branch: None,
        pull_every: Some(Duration::from_millis(300)),
        ..GitOptions::default()
    });
    let server = Server::start_with(options, false).await;
    let status = status_of(&server).await;
    assert!(status.contains("publishing: git mode: branch main, fetched from origin"), "{status}");
    assert!(status.contains("updated by a poll every 300ms"), "{status}");
    write(&staff, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", ""));
    commit(&staff, "Add PK-2025-0002");
    git(&staff, &["push", "-q", "origin", "main"]);
    wait_for(async || title(&server, "PK-2025-0002").await.is_some(), "the pushed commit, fetched from the upstream")
        .await;
    // Webhooks are off without a secret: 404, like an unknown page.
    let r = client().post(server.url("/hooks/git")).body("{}").send().await.unwrap();
    assert_eq!(r.status(), 404);
}

/// Issue 22: in git mode, a commit that is rejected tells nobody; the commit that fixes
/// it tells each receiver once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_commit_tells_nobody_and_its_fix_tells_once() {
    let (_tmp, root) = repo();
    let receiver = crate::notify::Receiver::start(0);
    let config_dir = tempfile::tempdir().unwrap();
    std::fs::write(config_dir.path().join("hook.secret"), crate::notify::SECRET).unwrap();
    std::fs::write(
        config_dir.path().join("notify.toml"),
        format!(
            "database = \"notify.sqlite\"\n[[webhooks]]\nurl = \"{}\"\nsecret_file = \"hook.secret\"\n",
            receiver.url
        ),
    )
    .unwrap();
    let config = bulletin::notify::NotifyConfig::load(&config_dir.path().join("notify.toml")).unwrap();
    let mut options = ServeOptions::new(root.join("advisories"));
    options.limits = limits();
    options.git = Some(GitOptions {
        branch: Some("main".into()),
        pull_every: Some(Duration::from_millis(300)),
        ..GitOptions::default()
    });
    options.notifier = Some(bulletin::notify::Notifier::open(config).unwrap());
    let server = Server::start_with(options, false).await;
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", "").replace("\"high\"", "\"hgh\""));
    let bad = commit(&root, "Broken severity");
    wait_for(async || status_of(&server).await.contains(&bad), "the rejection").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(receiver.received().is_empty(), "a rejected commit told someone");
    write(&root, "2025/PK-2025-0002.md", &advisory("PK-2025-0002", ""));
    commit(&root, "Fix the severity");
    wait_for(async || !receiver.received().is_empty(), "the webhook").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["data"]["event"], "PK-2025-0002/published");
}
