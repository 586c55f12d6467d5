//! Turns the RustSec advisory database (1,205 real advisories that nobody here wrote)
//! into a bulletin advisories folder, to try `bulletin check` on real text:
//!
//! ```sh
//! git clone https://github.com/rustsec/advisory-db /tmp/advisory-db
//! cargo run --release --example rustsec_corpus -- /tmp/advisory-db /tmp/rustsec
//! bulletin check --dir /tmp/rustsec
//! ```
//!
//! Each `crates/NAME/RUSTSEC-YYYY-NNNN.md` becomes `YYYY/RUSTSEC-YYYY-NNNN.md`: its `#`
//! heading is the title, its first paragraph the summary (cut at a sentence to fit),
//! the rest the body, unchanged; `url` and `references` become references.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: rustsec_corpus ADVISORY-DB-DIR OUT-DIR");
        std::process::exit(2);
    };
    match convert(Path::new(&db), Path::new(&out)) {
        Ok(n) => println!("{out}: {n} advisories"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

fn convert(db: &Path, out: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("site.toml"), SITE)?;
    std::fs::write(out.join("measures.toml"), MEASURES)?;
    let mut count = 0;
    let mut crates: Vec<_> = std::fs::read_dir(db.join("crates"))?.filter_map(Result::ok).map(|e| e.path()).collect();
    crates.sort();
    for dir in crates {
        let mut files: Vec<_> = std::fs::read_dir(&dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "md")) {
            let text = std::fs::read_to_string(&file)?;
            let (id, advisory) =
                advisory(&text).ok_or_else(|| format!("{}: not a RustSec advisory", file.display()))?;
            let year = &id["RUSTSEC-".len().."RUSTSEC-".len() + 4];
            std::fs::create_dir_all(out.join(year))?;
            std::fs::write(out.join(year).join(format!("{id}.md")), advisory)?;
            count += 1;
        }
    }
    Ok(count)
}

/// The advisory in bulletin's format, and its id.
fn advisory(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix("```toml\n")?;
    let (front, markdown) = rest.split_once("\n```\n")?;
    let meta: toml::Table = toml::from_str(front).ok()?;
    let a = meta.get("advisory")?.as_table()?;
    let get = |k: &str| a.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let id = get("id").to_string();
    let markdown = markdown.trim_start();
    let (title, body) = match markdown.strip_prefix("# ") {
        Some(rest) => rest.split_once('\n').unwrap_or((rest, "")),
        None => ("", markdown),
    };
    let body = body.trim();
    let first_paragraph = body.split("\n\n").next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    let summary = fit(&first_paragraph, 280).unwrap_or_else(|| fit(title, 280).unwrap_or_default());
    let severity = if a.contains_key("informational") { "info" } else { "medium" };
    let kind = if a.contains_key("informational") { "guidance" } else { "vulnerability" };
    let status = if a.contains_key("withdrawn") { "withdrawn" } else { "active" };
    let package = get("package");
    let mut tags: Vec<String> = vec![slug(package)];
    for c in a.get("categories").and_then(|v| v.as_array()).into_iter().flatten().filter_map(|v| v.as_str()) {
        tags.push(slug(c));
    }
    tags.retain(|t| !t.is_empty());
    tags.dedup();
    let mut urls: Vec<&str> = Vec::new();
    urls.extend(Some(get("url")).filter(|u| !u.is_empty()));
    urls.extend(a.get("references").and_then(|v| v.as_array()).into_iter().flatten().filter_map(|v| v.as_str()));
    let mut out = String::new();
    // A JSON string is a valid TOML basic string.
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    writeln!(out, "+++").ok()?;
    writeln!(out, "id = {}", q(&id)).ok()?;
    writeln!(out, "title = {}", q(title.trim())).ok()?;
    writeln!(out, "kind = \"{kind}\"").ok()?;
    writeln!(out, "published = {}T00:00:00Z", get("date")).ok()?;
    writeln!(out, "severity = \"{severity}\"").ok()?;
    writeln!(out, "status = \"{status}\"").ok()?;
    writeln!(out, "summary = {}", q(&summary)).ok()?;
    writeln!(out, "data = [\"software\"]").ok()?;
    writeln!(out, "affected = {}", q(&format!("Users of the Rust crate {package}"))).ok()?;
    writeln!(out, "tags = [{}]", tags.iter().map(|t| q(t)).collect::<Vec<_>>().join(", ")).ok()?;
    for url in urls {
        writeln!(out, "\n[[references]]\ntitle = \"Source\"\nurl = {}", q(url)).ok()?;
    }
    writeln!(out, "+++\n\n{body}").ok()?;
    Some((id, out))
}

/// `text` cut at the last sentence end that fits in `max` characters (or at a word).
fn fit(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= max {
        return Some(text.to_string());
    }
    let head: String = text.chars().take(max - 1).collect();
    let cut = head.rfind(". ").map(|i| head[..=i].to_string()).unwrap_or_else(|| {
        let at = head.rfind(' ').unwrap_or(head.len());
        format!("{}…", &head[..at])
    });
    Some(cut)
}

fn slug(s: &str) -> String {
    let lower: String =
        s.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    lower.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

const SITE: &str = r#"title = "RustSec advisories (converted)"
description = "The RustSec advisory database, converted to try bulletin check on real text."
base_url = "https://rustsec.example/"
id_prefix = "RUSTSEC"
default_language = "en"
languages = ["en"]
contact_email = "help@rustsec.example"
security_email = "security@rustsec.example"
never_ask = ["your password"]

[license]
name = "CC0 1.0"
url = "https://creativecommons.org/publicdomain/zero/1.0/"

[[channels]]
name = "This website"
url = "https://rustsec.example/"
"#;

const MEASURES: &str = r#"[software]
label = "Software"
description = "A software package used by other programs."

[[software.measures]]
id = "update-the-package"
urgency = "now"
text = "Update the package to a version the advisory names as patched, or stop using it."
"#;
