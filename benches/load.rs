//! `cargo bench --bench load`: load and validate a generated corpus of 10,000
//! advisories (override with BULLETIN_BENCH_COUNT), then reload it after one edit as a
//! server does. Prints min and median of several runs.

use std::time::Instant;

fn main() {
    let count: usize = std::env::var("BULLETIN_BENCH_COUNT").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories");
    bulletin::corpus::generate(dir.path(), &samples, count, 42).expect("generate corpus");
    let mut times = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let content = bulletin::content::load(dir.path()).unwrap_or_else(|d| panic!("{}", d.render_human(false)));
        times.push(start.elapsed());
        assert_eq!(content.all().len(), count);
    }
    summary(&format!("load+validate {count} advisories"), times);

    // A server's reload: one file edited, the previous content at hand.
    let mut content = bulletin::content::load(dir.path()).expect("valid corpus");
    let file = dir.path().join(&content.all()[0].path);
    let text = std::fs::read_to_string(&file).expect("advisory file");
    let mut times = Vec::new();
    for n in 0..7 {
        std::fs::write(&file, text.replacen("title = \"", &format!("title = \"Edit {n}: "), 1)).expect("write");
        let start = Instant::now();
        content = bulletin::content::load_after(dir.path(), Some(&content)).expect("valid edit");
        times.push(start.elapsed());
    }
    summary(&format!("reload after editing one of {count} advisories"), times);
}

fn summary(name: &str, mut times: Vec<std::time::Duration>) {
    times.sort();
    println!(
        "{name}: min {:.1} ms, median {:.1} ms ({} runs)",
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times.len()
    );
}
