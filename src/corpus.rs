//! A generated advisories folder of any size, for benchmarks and load tests.
//! Deterministic: the same `count` and `seed` always give the same files.

use std::fmt::Write as _;
use std::path::Path;

const KINDS: &[&str] = &["data-breach", "credential-theft", "scam-alert", "vulnerability", "guidance"];
const SEVERITIES: &[&str] = &["critical", "high", "medium", "low", "info"];
const STATUSES: &[&str] = &["active", "monitoring", "resolved", "withdrawn"];
const CLASSES: &[&str] = &[
    "passwords",
    "email-addresses",
    "phone-numbers",
    "call-logs",
    "location",
    "national-id",
    "home-address",
    "travel-history",
    "bank-details",
    "biometrics",
    "photos",
    "health-records",
];
const WORDS: &[&str] = &[
    "telecom",
    "bank",
    "wallet",
    "portal",
    "records",
    "customers",
    "leak",
    "database",
    "server",
    "exposed",
    "sale",
    "forum",
    "identity",
    "sim",
    "travel",
    "hospital",
    "school",
    "university",
    "ministry",
    "app",
    "courier",
    "phishing",
    "calls",
    "messages",
    "accounts",
    "passwords",
    "cards",
    "transfers",
    "elections",
    "retail",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: fast, deterministic, good enough for fake content.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.pick(WORDS)).collect::<Vec<_>>().join(" ")
    }
}

/// Writes `count` advisories (with the sample `site.toml` and `measures.toml` from
/// `samples`) into `dir`, spread over the years 2015–2026.
pub fn generate(dir: &Path, samples: &Path, count: usize, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::copy(samples.join("site.toml"), dir.join("site.toml"))?;
    std::fs::copy(samples.join("measures.toml"), dir.join("measures.toml"))?;
    let mut rng = Rng(seed.max(1));
    let years = 12;
    let per_year = count.div_ceil(years);
    for i in 0..count {
        let year = 2015 + i / per_year;
        let n = i % per_year + 1;
        let id = format!("PK-{year}-{n:04}");
        let day_of_year = (n * 360 / per_year.max(1)).min(359);
        let month = day_of_year / 30 + 1;
        let day = day_of_year % 28 + 1;
        let hour = rng.below(24);
        let mut text = String::with_capacity(3000);
        let _ = writeln!(text, "+++\nid = \"{id}\"");
        let _ = writeln!(text, "title = \"{} {}\"", capitalise(&rng.words(6)), n);
        let _ = writeln!(text, "kind = \"{}\"", rng.pick(KINDS));
        let _ = writeln!(text, "published = {year}-{month:02}-{day:02}T{hour:02}:00:00Z");
        let _ = writeln!(text, "severity = \"{}\"", rng.pick(SEVERITIES));
        let _ = writeln!(text, "status = \"{}\"", rng.pick(STATUSES));
        let _ = writeln!(text, "summary = \"{}.\"", capitalise(&rng.words(25)));
        let mut classes: Vec<&str> = (0..1 + rng.below(4)).map(|_| rng.pick(CLASSES)).collect();
        classes.sort_unstable();
        classes.dedup();
        let _ =
            writeln!(text, "data = [{}]", classes.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "));
        let _ = writeln!(text, "affected = \"{}\"", capitalise(&rng.words(4)));
        let _ = writeln!(text, "affected_count = {}", rng.below(5_000_000));
        let mut tags: Vec<&str> = (0..1 + rng.below(3)).map(|_| rng.pick(WORDS)).collect();
        tags.sort_unstable();
        tags.dedup();
        let _ = writeln!(text, "tags = [{}]", tags.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "));
        let _ = writeln!(
            text,
            "\n[[references]]\ntitle = \"Statement {n}\"\nurl = \"https://www.example.org/statement/{id}\""
        );
        if rng.below(3) == 0 {
            let _ = writeln!(
                text,
                "\n[[updates]]\ndate = {year}-{month:02}-{day:02}T{:02}:30:00Z\nsummary = \"{}.\"",
                hour,
                capitalise(&rng.words(15))
            );
        }
        text.push_str("+++\n\n## What happened\n\n");
        for _ in 0..3 {
            let _ = writeln!(text, "{}.\n", capitalise(&rng.words(60)));
        }
        text.push_str("| Data | Exposed |\n|---|---|\n");
        for c in &classes {
            let _ = writeln!(text, "| {c} | yes |");
        }
        text.push_str("\n## What this means for you\n\n");
        let _ = writeln!(text, "{}.\n", capitalise(&rng.words(50)));
        text.push_str("## Protective measures\n\n");
        for _ in 0..2 + rng.below(3) {
            let _ = writeln!(text, "- [ ] {}.", capitalise(&rng.words(10)));
        }
        let folder = dir.join(year.to_string());
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(format!("{id}.md")), text)?;
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
