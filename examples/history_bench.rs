//! Times the git revision history of an advisories folder: the first start (one `git log`
//! of what every commit changed), restarts from the cache in the git folder, and the
//! incremental update after one new commit that a running server does.
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

/// Runs `load` three times and returns the median and the minimum.
fn time3(mut load: impl FnMut()) -> (f64, f64) {
    let mut times: Vec<f64> = (0..3)
        .map(|_| {
            let started = Instant::now();
            load();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[1], times[0])
}

fn main() {
    use bulletin::git::History;
    let dir = std::env::args().nth(1).expect("usage: history_bench REPO/advisories");
    let dir = Path::new(&dir);
    let cache = dir.join("../.git/bulletin");
    let probe = "2020/PK-2020-0001.md";

    let (median, min) = time3(|| {
        let _ = std::fs::remove_dir_all(&cache);
        History::load(dir, "HEAD").expect("history");
    });
    println!("first start (no cache; reads every commit, writes the cache): median {median:.0} ms (min {min:.0} ms)");
    let (median, min) = time3(|| {
        History::load_uncached(dir, "HEAD").expect("history");
    });
    println!("  of which reading what every commit changed: median {median:.0} ms (min {min:.0} ms)");
    let mut history = History::default();
    let (median, min) = time3(|| history = History::load(dir, "HEAD").expect("history"));
    println!(
        "restart (cache up to date): median {median:.0} ms (min {min:.0} ms); {} revisions of {probe}",
        history.of(probe).len()
    );
    let mut restarts = Vec::new();
    for n in 0..3 {
        commit_edit(dir, probe, &format!("Bench restart edit {n}"));
        let started = Instant::now();
        history = History::load(dir, "HEAD").expect("history");
        restarts.push(started.elapsed().as_secs_f64() * 1e3);
    }
    restarts.sort_by(f64::total_cmp);
    let (median, min) = (restarts[1], restarts[0]);
    println!(
        "restart after one new commit (cache + that commit, rewrites the cache): median {median:.0} ms (min {min:.0} ms)"
    );

    let mut updates = Vec::new();
    for n in 0..3 {
        commit_edit(dir, probe, &format!("Bench edit {n}"));
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

/// Appends a line to `file` and commits it.
fn commit_edit(dir: &Path, file: &str, message: &str) {
    let path = dir.join(file);
    let mut text = std::fs::read_to_string(&path).expect("probe file");
    text.push_str(&format!("\n{message}\n"));
    std::fs::write(&path, text).expect("write");
    git(dir, &["commit", "-q", "-am", message]);
}
