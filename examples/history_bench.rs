//! Times the git revision history of an advisories folder: the one-pass load at
//! start-up, then an incremental update after one new commit.
//! `cargo run --release --example history_bench -- REPO/advisories` (see benches/history.sh).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.org")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.org")
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "git {args:?} failed");
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: history_bench REPO/advisories");
    let dir = Path::new(&dir);
    let mut times = Vec::new();
    let mut history = None;
    for _ in 0..3 {
        let started = Instant::now();
        history = Some(bulletin::git::History::load(dir, "HEAD").expect("history"));
        times.push(started.elapsed());
    }
    times.sort();
    let mut history = history.expect("loaded");
    let probe = "2020/PK-2020-0001.md";
    println!(
        "start-up: full history in one pass: median {:.0} ms (min {:.0} ms); {} revisions of {probe}",
        times[1].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        history.of(probe).len()
    );
    let mut updates = Vec::new();
    for n in 0..3 {
        let file = dir.join(probe);
        let mut text = std::fs::read_to_string(&file).expect("probe file");
        text.push_str(&format!("\nbench edit {n}\n"));
        std::fs::write(&file, text).expect("write");
        git(dir, &["commit", "-q", "-am", &format!("Bench edit {n}")]);
        let started = Instant::now();
        history.update(dir, "HEAD").expect("update");
        updates.push(started.elapsed());
    }
    updates.sort();
    println!(
        "incremental update after one new commit: median {:.1} ms (min {:.1} ms); {} revisions of {probe} now",
        updates[1].as_secs_f64() * 1e3,
        updates[0].as_secs_f64() * 1e3,
        history.of(probe).len()
    );
}
