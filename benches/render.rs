//! `cargo bench --bench render`: render the whole site of a generated corpus of 10,000
//! advisories (override with BULLETIN_BENCH_COUNT), from scratch as `bulletin build`
//! does and again after a one-title edit as a server reload does. No compression.
//! Prints min and median of several runs.

use std::time::{Duration, Instant};

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name}: min {:.1} ms, median {:.1} ms ({} runs)",
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times.len()
    );
}

fn main() {
    let count: usize = std::env::var("BULLETIN_BENCH_COUNT").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let runs: usize = std::env::var("BULLETIN_BENCH_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir().expect("tempdir");
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories");
    bulletin::corpus::generate(dir.path(), &samples, count, 42).expect("generate corpus");
    let load = || bulletin::content::load(dir.path()).unwrap_or_else(|d| panic!("{}", d.render_human(false)));
    let content = load();
    let now: jiff::Timestamp = "2026-11-25T00:00:00Z".parse().expect("timestamp");

    let mut cold = Vec::new();
    let mut site = bulletin::render::site(&content, &content.settings, now);
    for _ in 0..runs {
        let started = Instant::now();
        site = bulletin::render::site(&content, &content.settings, now);
        cold.push(started.elapsed());
    }
    summary(&format!("render {} pages from scratch", site.len()), cold);

    // A reload: one advisory's title changed, the previous site at hand.
    let file = content.all().last().expect("an advisory").path.clone();
    let path = dir.path().join(&file);
    let text = std::fs::read_to_string(&path).expect("advisory file");
    let mut reload = Vec::new();
    for n in 0..runs {
        let edited = text.replacen("title = \"", &format!("title = \"Edit {n}: "), 1);
        std::fs::write(&path, edited).expect("write");
        let content = bulletin::content::load_after(dir.path(), Some(&content)).expect("valid edit");
        let options = bulletin::render::RenderOptions { preview: false, previous: Some(&site), hubs: &[] };
        let started = Instant::now();
        let next = bulletin::render::site_with(&content, &content.settings, now, options, &|_, _| {});
        reload.push(started.elapsed());
        site = next;
    }
    summary(&format!("re-render after editing {file}"), reload);
}
