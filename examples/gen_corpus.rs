//! Writes a generated advisories folder: `cargo run --release --example gen_corpus -- DIR [COUNT]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "/tmp/bulletin-corpus".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories");
    if let Err(e) = bulletin::corpus::generate(std::path::Path::new(&dir), &samples, count, 42) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!("{dir}: {count} advisories");
}
