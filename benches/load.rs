//! `cargo bench --bench load`: load and validate a generated corpus of 10,000
//! advisories (override with BULLETIN_BENCH_COUNT). Prints min and median of several runs.

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
    times.sort();
    println!(
        "load+validate {count} advisories: min {:.1} ms, median {:.1} ms ({} runs)",
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times.len()
    );
}
