//! Search (issue 23), served: `/search/?q=…` over real HTTP from the live site, without
//! JavaScript; Urdu and Arabic keyboards find the same advisories; nothing unpublished
//! is ever found; hostile queries get a normal answer or a 4xx.

use std::time::Duration;

use crate::fixture::{Fixture, advisory, samples_dir};
use crate::serve::{Server, client, clock_reaching, limits, wait_for};

async fn start(dir: &std::path::Path, clock: bulletin::server::Clock) -> Server {
    let mut options = bulletin::server::ServeOptions::new(dir.to_path_buf());
    options.clock = clock;
    options.limits = limits();
    Server::start_with(options, false).await
}

/// The advisory ids a search returns, in order.
async fn found(server: &Server, path_and_query: &str) -> Vec<String> {
    let page = client().get(server.url(path_and_query)).send().await.unwrap();
    assert_eq!(page.status(), 200, "{path_and_query}");
    let html = page.text().await.unwrap();
    html.split("<h2><a href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter_map(|href| href.trim_end_matches('/').rsplit('/').next().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_samples_answer_what_people_type() {
    let server = start(&samples_dir(), bulletin::server::system_clock()).await;
    // What a person who heard of a leak types, and what they must find first.
    assert_eq!(found(&server, "/search/?q=jazz").await, ["PK-2025-0004"], "a prefix of JazzCash");
    let cnic = found(&server, "/search/?q=CNIC").await;
    assert!(cnic.len() >= 4 && cnic.contains(&"PK-2025-0007".to_string()), "{cnic:?}");
    let leaked = found(&server, "/search/?q=leaked").await;
    assert!(leaked.contains(&"PK-2024-0003".to_string()), "stemmed: {leaked:?}");
    let bank = found(&server, "/search/?q=my+bank").await;
    assert!(!bank.is_empty(), "\"my\" is not required");
    // A title match ranks first.
    assert_eq!(found(&server, "/search/?q=infostealer").await.first().map(String::as_str), Some("PK-2025-0004"));
    // Filters narrow, as links.
    let high = found(&server, "/search/?q=CNIC&severity=high").await;
    assert!(!high.is_empty() && high.len() < cnic.len(), "{high:?} of {cnic:?}");
    // An exact id (any case) goes to the advisory.
    let jump = client().get(server.url("/search/?q=pk-2025-0007")).send().await.unwrap();
    assert_eq!(jump.status(), 303);
    assert_eq!(jump.headers()["location"], "../advisories/PK-2025-0007/");
    let ur_jump = client().get(server.url("/ur/search/?q=PK-2025-0007")).send().await.unwrap();
    assert_eq!(ur_jump.headers()["location"], "../../ur/advisories/PK-2025-0007/", "the Urdu page");
    // Every page links to search; the results mark the words found.
    let home = client().get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains(r#"<a href="./search/">Search</a>"#), "{home}");
    let page = client().get(server.url("/search/?q=leaked")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<mark>"), "{page}");
    // Results travel compressed, with an ETag; asked again, a 304.
    let compressed =
        client().get(server.url("/search/?q=leaked")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "br");
    let etag = compressed.headers()["etag"].clone();
    let again = client()
        .get(server.url("/search/?q=leaked"))
        .header("accept-encoding", "br")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arabic_keyboard_finds_urdu_and_an_urdu_keyboard_finds_arabic_letters() {
    let server = start(&samples_dir(), bulletin::server::system_clock()).await;
    // "شناختی" (national identity) typed with Arabic yeh finds the Urdu translation.
    let arabic_keyboard = found(&server, "/ur/search/?q=%D8%B4%D9%86%D8%A7%D8%AE%D8%AA%D9%8A").await;
    let urdu_keyboard = found(&server, "/ur/search/?q=%D8%B4%D9%86%D8%A7%D8%AE%D8%AA%DB%8C").await;
    assert!(!urdu_keyboard.is_empty());
    assert_eq!(arabic_keyboard, urdu_keyboard);
    // The reverse: a text written with Arabic letters (kaf, yeh, heh) is found by Urdu ones.
    let arabic_text = "+++\nid = \"PK-2025-0001\"\ntitle = \"بينك كارڈ كي معلومات\"\nsummary = \"خلاصہ\"\ncovers = 2025-07-27T09:00:00Z\n+++\n\nمتن\n";
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""))
        .file("2025/PK-2025-0001.ur.md", arabic_text);
    let server = start(f.path(), bulletin::server::system_clock()).await;
    // "بینک کارڈ کی" typed on an Urdu keyboard.
    assert_eq!(
        found(&server, "/ur/search/?q=%D8%A8%DB%8C%D9%86%DA%A9+%DA%A9%D8%A7%D8%B1%DA%88").await,
        ["PK-2025-0001"]
    );
    // An Urdu query on the English page finds the Urdu words too.
    assert_eq!(found(&server, "/search/?q=%D8%A8%DB%8C%D9%86%DA%A9").await, ["PK-2025-0001"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_unpublished_is_found_and_a_lifted_embargo_is_at_once() {
    let embargoed = advisory("PK-2030-0001", "")
        .replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z")
        .replace("Something.", "EMBARGOMARKER leak.");
    let draft = advisory("PK-2025-0002", "draft = true\n").replace("Something.", "DRAFTMARKER leak.");
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""))
        .file("2025/PK-2025-0002.md", draft)
        .file("2030/PK-2030-0001.md", embargoed);
    let server = start(f.path(), clock_reaching("2030-01-01T09:00:00Z", 2000)).await;
    for q in ["EMBARGOMARKER", "DRAFTMARKER", "PK-2030-0001", "PK-2025-0002"] {
        for lang in ["", "/ur"] {
            let page = client().get(server.url(&format!("{lang}/search/?q={q}"))).send().await.unwrap();
            assert_eq!(page.status(), 200, "{q}: an unpublished id is not a redirect");
            let html = page.text().await.unwrap();
            assert!(!html.contains("PK-2030-0001/") && !html.contains("PK-2025-0002/"), "{q} found: {html}");
        }
    }
    wait_for(async || found(&server, "/search/?q=EMBARGOMARKER").await == ["PK-2030-0001"], "the lifted embargo").await;
    assert_eq!(found(&server, "/search/?q=DRAFTMARKER").await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_queries_get_an_answer_or_a_4xx() {
    let server = start(&samples_dir(), bulletin::server::system_clock()).await;
    let c = client();
    let many_terms = "a+".repeat(5_000);
    let long = "x".repeat(64 * 1024);
    for q in [
        many_terms.as_str(),
        ".*%5B(%3F%3D%5C",
        "%00%01%1b%5B31m",
        "%E2%80%AEevil",
        "%FF%FE",
        "%",
        "a&q=b&q=c",
        "CNIC&severity=nope&kind=%00&data=../../etc",
    ] {
        let answer = c.get(server.url(&format!("/search/?q={q}"))).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{q}");
    }
    let request = format!("GET /search/?q={long} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let addr = server.addr;
    let answer = tokio::task::spawn_blocking(move || crate::serve::raw(addr, request.as_bytes())).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 4"), "a 64 KB query: {}", answer.lines().next().unwrap_or(""));
    assert_eq!(c.post(server.url("/search/")).send().await.unwrap().status(), 405);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// Every file of the static index, decompressed (`.gz` and `.br` copies too), lower-cased.
fn index_files(out: &std::path::Path) -> Vec<(String, String)> {
    use std::io::Read;
    let mut found = Vec::new();
    let mut stack = vec![out.join("search/index")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let mut text = String::new();
            match path.extension().and_then(|e| e.to_str()) {
                Some("gz") => flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).map(|_| ()),
                Some("br") => brotli::Decompressor::new(&bytes[..], 4096).read_to_string(&mut text).map(|_| ()),
                _ => String::from_utf8(bytes).map(|s| text = s).map_err(std::io::Error::other),
            }
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            found.push((path.display().to_string(), text.to_lowercase()));
        }
    }
    found
}

/// Issue 23: "nothing unpublished is ever in an index". The static index of a folder with
/// a draft and an embargoed advisory holds neither, in any file, compressed or not, as
/// text or as terms (stemmed, lower-cased); at the embargo instant the same grep finds it.
#[test]
fn no_static_index_file_holds_a_draft_or_an_embargoed_advisory() {
    let embargoed = advisory("PK-2030-0001", "")
        .replace("2025-07-27T09:00:00Z", "2030-01-01T09:00:00Z")
        .replace("Something.", "EMBARGOMARKER leak.");
    let draft = advisory("PK-2025-0002", "draft = true\n").replace("Something.", "DRAFTMARKER leak.");
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", advisory("PK-2025-0001", "").replace("Something.", "PUBLICMARKER leak."))
        .file("2025/PK-2025-0002.md", draft)
        .file("2030/PK-2030-0001.md", embargoed);
    let (_tmp, out) = crate::fixture::build(f.path(), crate::fixture::NOW);
    let files = index_files(&out);
    assert!(files.len() > 20 && files.iter().any(|(name, _)| name.ends_with(".br")), "{} files", files.len());
    assert!(files.iter().any(|(_, text)| text.contains("publicmark")), "the public advisory is indexed");
    for (name, text) in &files {
        for secret in ["embargomark", "draftmark", "pk-2030-0001", "pk-2025-0002", "2030-01-01"] {
            assert!(!text.contains(secret), "{secret} is in {name}");
        }
    }
    let (_tmp, later) = crate::fixture::build(f.path(), "2030-01-01T09:00:00Z");
    let files = index_files(&later);
    assert!(files.iter().any(|(_, text)| text.contains("embargomark")), "the lifted embargo is indexed");
    assert!(!files.iter().any(|(_, text)| text.contains("draftmark")), "a draft never is");
}

/// The static page's script normalises as the server does: every word of the Snowball
/// English vocabulary (tests/search/voc_en.txt, 29,417 words) and every line of the
/// sample advisories (English and Urdu) and of the interface strings give the same
/// terms in `templates/assets/search.js` (run by node) as in `search::normalize`.
#[test]
fn the_script_and_the_server_normalise_alike() {
    if std::process::Command::new("node").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "node is missing in CI");
        eprintln!("SKIPPED: node is missing");
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut lines: Vec<String> =
        std::fs::read_to_string(root.join("tests/search/voc_en.txt")).unwrap().lines().map(str::to_string).collect();
    let mut texts = vec![root.join("i18n/en.toml"), root.join("i18n/ur.toml")];
    texts.extend(
        crate::fixture::files(&samples_dir())
            .into_iter()
            .filter(|(rel, _)| rel.ends_with(".md"))
            .map(|(rel, _)| samples_dir().join(rel)),
    );
    for file in texts {
        lines.extend(std::fs::read_to_string(file).unwrap().lines().map(str::to_string));
    }
    lines.extend(
        ["Ｆｕｌｌ ｗｉｄｔｈ İstanbul ΣΊΣΥΦΟΣ", "كيہ ۃ ى ـ ‌ ‍ ٠١٢ ۳۴۵ مَعلُومات", "a.b-c_d e'f"].map(String::from),
    );
    let input = root.join("target/normalise-lines.json");
    std::fs::write(&input, serde_json::to_string(&lines).unwrap()).unwrap();
    let script = format!(
        "await import({:?}); const lines = JSON.parse(require('fs').readFileSync({:?}, 'utf8')); \
         console.log(JSON.stringify(lines.map((l) => globalThis.bulletinSearch.terms(l))));",
        root.join("templates/assets/search.js").display().to_string(),
        input.display().to_string()
    );
    let output = std::process::Command::new("node")
        .args(["--input-type=module", "-e"])
        .arg(script.replace("require('fs')", "(await import('node:fs'))"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let script_terms: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(script_terms.len(), lines.len());
    let mut differ = Vec::new();
    for (line, theirs) in lines.iter().zip(&script_terms) {
        let ours = bulletin::search::normalize::terms(line);
        if &ours != theirs {
            differ.push(format!("{line:?}: server {ours:?}, script {theirs:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} lines differ:\n{}",
        differ.len(),
        lines.len(),
        differ[..differ.len().min(20)].join("\n")
    );
}
