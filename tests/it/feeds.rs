//! Every feed of the sample build parses with an independent parser (feed-rs) and a
//! strict XML parser (quick-xml); guids, order, counts and update items are right;
//! text with control characters and `]]>` still gives well-formed feeds.

use std::path::Path;

use crate::fixture::{NOW, build, files, samples_dir};

/// Parses every XML event; any error fails.
fn strict_xml(rel: &str, bytes: &[u8]) {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{rel}: not well-formed XML at {}: {e}", reader.buffer_position()),
        }
        buf.clear();
    }
}

fn parse(rel: &str, bytes: &[u8]) -> feed_rs::model::Feed {
    feed_rs::parser::parse(bytes).unwrap_or_else(|e| panic!("{rel}: feed-rs cannot parse it: {e}"))
}

fn feeds(out: &Path) -> Vec<(String, Vec<u8>)> {
    files(out)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with("feed.xml") || rel == "updates.xml" || rel == "atom.xml" || rel == "feed.json")
        .collect()
}

#[test]
fn every_feed_parses_strictly_and_independently() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let all = feeds(&out);
    assert!(all.len() > 20, "{} feeds", all.len());
    for (rel, bytes) in &all {
        if rel.ends_with(".xml") {
            strict_xml(rel, bytes);
        }
        let feed = parse(rel, bytes);
        for entry in &feed.entries {
            assert!(
                entry.title.is_some() && !entry.links.is_empty() && entry.published.is_some(),
                "{rel}: incomplete item {}",
                entry.id
            );
        }
    }
}

#[test]
fn main_feed_items_have_stable_guids_newest_first_and_update_descriptions() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let xml = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    let feed = parse("feed.xml", xml.as_bytes());
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://advisories.example.pk/advisories/PK-2025-0010/",
            "https://advisories.example.pk/advisories/PK-2025-0008/",
            "https://advisories.example.pk/advisories/PK-2025-0007/",
            "https://advisories.example.pk/advisories/PK-2025-0004/",
            "https://advisories.example.pk/advisories/PK-2024-0011/",
            "https://advisories.example.pk/advisories/PK-2024-0003/",
        ]
    );
    let telecom = &feed.entries[2];
    assert_eq!(telecom.published.unwrap().to_rfc3339(), "2025-07-27T09:00:00+00:00", "pubDate stays the publication");
    let summary = telecom.summary.as_ref().unwrap().content.as_str();
    assert!(summary.starts_with("Updated 29 Jul 2025: The Ministry of Interior"), "{summary}");
    let content = telecom.content.as_ref().and_then(|c| c.body.as_deref()).unwrap();
    assert!(content.contains("href=\"https://advisories.example.pk/data/call-logs/\""), "absolute links in content");
    assert!(content.contains("NCCIA"), "full body");
    assert!(xml.contains("<pubDate>Sun, 27 Jul 2025 09:00:00 +0000</pubDate>"));
    // lastBuildDate is the newest change among the items, never the build time.
    assert!(xml.contains("<lastBuildDate>Tue, 05 Aug 2025 09:00:00 +0000</lastBuildDate>"));
    assert!(xml.contains(
        r#"<atom:link href="https://advisories.example.pk/feed.xml" rel="self" type="application/rss+xml">"#
    ));
    for category in [
        "<category domain=\"severity\">High</category>",
        "<category domain=\"status\">Active</category>",
        "<category domain=\"kind\">Data breach</category>",
        "<category domain=\"tag\">telecom</category>",
        "<category domain=\"data\">Call records</category>",
    ] {
        assert!(xml.contains(category), "{category}");
    }
}

#[test]
fn updates_feed_has_an_item_per_publication_and_per_update() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let xml = std::fs::read_to_string(out.join("updates.xml")).unwrap();
    let feed = parse("updates.xml", xml.as_bytes());
    let content = bulletin::content::load(&samples_dir()).unwrap();
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let expected: usize = content.public_at(now).map(|a| 1 + a.updates.len()).sum();
    assert_eq!(feed.entries.len(), expected);
    let update = feed.entries.iter().find(|e| e.id.ends_with("#update-1753790400")).expect("the 29 Jul update");
    assert_eq!(update.id, "https://advisories.example.pk/advisories/PK-2025-0007/#update-1753790400");
    assert_eq!(update.title.as_ref().unwrap().content, "Update: Telecom subscriber records offered for sale online");
    assert_eq!(update.published.unwrap().to_rfc3339(), "2025-07-29T12:00:00+00:00");
    assert!(xml.contains(
        r#"<guid isPermaLink="false">https://advisories.example.pk/advisories/PK-2025-0007/#update-1753790400</guid>"#
    ));
    let dates: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[test]
fn a_newsroom_can_subscribe_to_one_topic() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let feed = parse("tags/telecom/feed.xml", &std::fs::read(out.join("tags/telecom/feed.xml")).unwrap());
    assert!(!feed.entries.is_empty());
    let page = std::fs::read_to_string(out.join("tags/telecom/index.html")).unwrap();
    assert!(page.contains(r#"<link rel="alternate" type="application/rss+xml" title="Pakistan Data Breach Advisories — Topic: telecom" href="../../tags/telecom/feed.xml">"#), "listing links its own feed");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains(r#"type="application/rss+xml""#) && home.contains(r#"href="./feed.xml""#));
    let feeds_page = std::fs::read_to_string(out.join("feeds/index.html")).unwrap();
    for f in [
        "feed.xml",
        "updates.xml",
        "atom.xml",
        "feed.json",
        "api/advisories.json",
        "tags/telecom/feed.xml",
        "severity/critical/feed.xml",
        "data/passwords/feed.xml",
        "kind/scam-alert/feed.xml",
    ] {
        assert!(feeds_page.contains(&format!("href=\"../{f}\"")), "/feeds/ lacks {f}");
    }
}

#[test]
fn control_characters_and_cdata_terminators_keep_feeds_well_formed() {
    let body = "A body with ]]> inside, and <![CDATA[ too, and \u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f} controls and \u{FFFE}\u{FFFF}.\n\n```\ncode ]]> here\n```\n";
    let f = crate::fixture::with_body(body);
    let (_tmp, out) = build(f.path(), NOW);
    for (rel, bytes) in feeds(&out) {
        let s = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !s.chars()
                .any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')),
            "{rel}"
        );
        if rel.ends_with(".xml") {
            strict_xml(&rel, &bytes);
        }
        let feed = parse(&rel, &bytes);
        if rel == "feed.xml" {
            let content = feed.entries[0].content.as_ref().and_then(|c| c.body.as_deref()).unwrap();
            assert!(content.contains("]]&gt;") || content.contains("]]>"), "the text survives: {content}");
        }
    }
}

#[test]
fn json_api_is_versioned_and_complete() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let api: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("api/advisories.json")).unwrap()).unwrap();
    assert_eq!(api["version"], 1);
    assert_eq!(api["count"], 6);
    let a = api["advisories"].as_array().unwrap().iter().find(|a| a["id"] == "PK-2025-0007").unwrap();
    for key in [
        "title",
        "kind",
        "severity",
        "status",
        "verification",
        "published",
        "updated",
        "updates",
        "data",
        "affected",
        "tags",
        "references",
        "url",
        "checklist",
    ] {
        assert!(!a[key].is_null(), "{key} missing");
    }
    assert_eq!(a["verification"], "unverified");
    assert_eq!(a["updates"][0]["date"], "2025-07-29T12:00:00Z");
    assert_eq!(a["translations"]["ur"], "https://advisories.example.pk/ur/advisories/PK-2025-0007/");
    let first = &a["checklist"][0];
    assert!(first["id"].is_string() && first["urgency"] == "now" && first["text"].is_string());
}

/// The RSS Advisory Board's best practices that readers depend on, checked on every
/// RSS feed of the sample build (the W3C validator cannot be fetched on this machine).
#[test]
fn rss_feeds_follow_the_best_practices_profile() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let rfc822 = |s: &str| {
        // "Sun, 27 Jul 2025 09:00:00 +0000"
        let parts: Vec<&str> = s.split(' ').collect();
        parts.len() == 6 && parts[0].ends_with(',') && parts[3].len() == 4 && parts[5] == "+0000"
    };
    for (rel, bytes) in feeds(&out).into_iter().filter(|(r, _)| r.ends_with(".xml") && r != "atom.xml") {
        let xml = String::from_utf8(bytes).unwrap();
        let channel = xml.split("<item>").next().unwrap();
        for tag in ["<title>", "<link>", "<description>", "<language>", "<lastBuildDate>", "<ttl>", "<copyright>"] {
            assert!(
                channel.contains(tag) || (tag == "<lastBuildDate>" && !xml.contains("<item>")),
                "{rel}: channel lacks {tag}"
            );
        }
        let self_link = format!(
            "<atom:link href=\"https://advisories.example.pk/{rel}\" rel=\"self\" type=\"application/rss+xml\">"
        );
        assert!(channel.contains(&self_link), "{rel}: atom:link rel=self");
        if let Some(date) = channel.split("<lastBuildDate>").nth(1).and_then(|s| s.split('<').next()) {
            assert!(rfc822(date), "{rel}: lastBuildDate {date}");
        }
        for item in xml.split("<item>").skip(1) {
            let field = |tag: &str| {
                item.split(&format!("<{tag}"))
                    .nth(1)
                    .and_then(|s| s.split_once('>'))
                    .map(|(_, v)| v.split(&format!("</{tag}>")).next().unwrap_or(""))
            };
            let link = field("link").unwrap_or_else(|| panic!("{rel}: item without link"));
            assert!(link.starts_with("https://advisories.example.pk/"), "{rel}: link {link}");
            let guid = field("guid").unwrap_or_else(|| panic!("{rel}: item without guid"));
            assert!(guid == link || item.contains("<guid isPermaLink=\"false\">"), "{rel}: guid {guid} vs link {link}");
            assert!(field("title").is_some_and(|t| !t.is_empty()), "{rel}: title");
            assert!(field("description").is_some_and(|t| !t.is_empty()), "{rel}: description");
            let date = field("pubDate").unwrap_or_else(|| panic!("{rel}: pubDate"));
            assert!(rfc822(date), "{rel}: pubDate {date}");
            if let Some(content) = field("content:encoded") {
                for attr in ["href=\"", "src=\""] {
                    for value in content.split(attr).skip(1) {
                        assert!(
                            value.starts_with("https://")
                                || value.starts_with("http://")
                                || value.starts_with("mailto:")
                                || value.starts_with("tel:"),
                            "{rel}: relative URL in content: {attr}{}",
                            &value[..value.len().min(40)]
                        );
                    }
                }
            }
        }
    }
}

/// Issue 21: feeds carry the advisory, never the checklist's interface words (ticking,
/// printing, "your ticks stay on this device"), in any language.
#[test]
fn feeds_carry_no_checklist_interface_text() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    for (rel, bytes) in feeds(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for words in ["Tick each step", "ticks stay on this device", "Print this checklist", "نشان لگائیں"] {
            assert!(!text.contains(words), "{rel} carries {words:?}");
        }
    }
}

/// Issue 26: RSS readers treat `title` and `description` as HTML, so text with `<` is
/// escaped for HTML and reads as written ("versions < 2.0", `StackSlot<'_, T>`, a title
/// with `<b>`); each item's categories carry a readable label and their taxonomy, once.
#[test]
fn rss_text_reads_as_written_and_categories_are_labelled_once() {
    let text = crate::fixture::advisory("PK-2025-0001", "tags = [\"passwords\", \"banking\"]\n")
        .replace("Test advisory PK-2025-0001", "Fix <b>now</b>: versions < 2.0")
        .replace("A short summary.", "StackSlot<'_, T> is unsound in versions < 2.0 & older.");
    let f = crate::fixture::Fixture::new().file("2025/PK-2025-0001.md", text);
    let (_tmp, out) = build(f.path(), NOW);
    let rss = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    let item = rss.split("<item>").nth(1).unwrap().split("</item>").next().unwrap();
    assert!(
        item.contains("<title>Fix &#x26;lt;b&#x26;gt;now&#x26;lt;/b&#x26;gt;: versions &#x26;lt; 2.0</title>"),
        "{item}"
    );
    assert!(item.contains("StackSlot&lt;&#39;_, T&gt; is unsound in versions &lt; 2.0 &amp; older."), "{item}");
    // An HTML reader (feed-rs keeps the HTML) sees the text, not a tag.
    let feed = parse("feed.xml", rss.as_bytes());
    let summary = feed.entries[0].summary.as_ref().unwrap().content.clone();
    assert!(summary.contains("StackSlot&lt;&#39;_, T&gt;"), "{summary}");
    let categories: Vec<(String, String)> = item
        .match_indices("<category domain=\"")
        .map(|(i, _)| {
            let rest = &item[i + "<category domain=\"".len()..];
            let (domain, rest) = rest.split_once("\">").unwrap();
            (domain.to_string(), rest.split_once("</category>").unwrap().0.to_string())
        })
        .collect();
    assert_eq!(
        categories,
        [
            ("severity", "High"),
            ("status", "Active"),
            ("kind", "Data breach"),
            ("data", "Passwords"),
            ("tag", "banking")
        ]
        .map(|(d, l)| (d.to_string(), l.to_string())),
        "{item}"
    );
}
