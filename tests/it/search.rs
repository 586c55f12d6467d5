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
