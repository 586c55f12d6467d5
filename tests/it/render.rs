//! Incremental rendering: a render given the previous site takes over the pages whose
//! inputs did not change, and must come out byte for byte like a render from scratch,
//! whatever changed (an advisory, a translation, site.toml, the catalogue, the clock).

use std::path::Path;

use bulletin::content::{self, Content};
use bulletin::render::{self, RenderOptions};
use bulletin::site::Site;
use jiff::Timestamp;

use crate::fixture::{NOW, samples_copy};

/// Renders `content` with `previous` at hand, checks every page against a render from
/// scratch, and returns the new site with how many pages were taken over unrendered.
fn render_after(content: &Content, now: Timestamp, previous: &Site) -> (Site, usize) {
    let options = RenderOptions { preview: false, previous: Some(previous), hubs: &[] };
    let incremental = render::site_with(content, &content.settings, now, options, &|_, _| {});
    let full = render::site(content, &content.settings, now);
    let paths = |s: &Site| s.pages().map(|(p, _)| p.to_string()).collect::<Vec<_>>();
    assert_eq!(paths(&incremental), paths(&full), "the same pages");
    for (path, page) in full.pages() {
        let got = incremental.get(path).unwrap();
        assert!(got.body == page.body, "{path} differs from a render from scratch");
        assert_eq!(
            (got.content_type, got.last_modified, got.cache, got.source),
            (page.content_type, page.last_modified, page.cache, page.source),
            "{path}"
        );
    }
    // A page taken over shares the previous page's bytes.
    let kept = incremental
        .pages()
        .filter(|(path, page)| previous.get(path).is_some_and(|old| old.body.as_ptr() == page.body.as_ptr()))
        .count();
    (incremental, kept)
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn reload(dir: &Path, previous: &Content) -> Content {
    content::load_after(dir, Some(previous)).unwrap_or_else(|d| panic!("{}", d.render_human(false)))
}

#[test]
fn a_render_after_any_change_is_the_same_as_a_render_from_scratch() {
    let tmp = samples_copy();
    let dir = tmp.path();
    let now: Timestamp = NOW.parse().unwrap();
    let mut content = content::load(dir).unwrap();
    let mut site = render::site(&content, &content.settings, now);
    let total = site.len();

    // Nothing changed: every page is taken over.
    let (next, kept) = render_after(&content, now, &site);
    assert_eq!(kept, total, "an unchanged render renders nothing again");
    site = next;

    let changes: [(&str, &str, &str); 5] = [
        // An advisory others list as related: its own page, theirs, listings and feeds.
        ("2025/PK-2025-0007.md", "title = \"Telecom subscriber", "title = \"Edited: Telecom subscriber"),
        (
            "2025/PK-2025-0007.md",
            "summary = \"The Ministry of Interior",
            "summary = \"Edited: The Ministry of Interior",
        ),
        ("2025/PK-2025-0007.ur.md", "## کیا ہوا", "## کیا ہوا (ترمیم)"),
        ("measures.toml", "label = \"Passwords\"", "label = \"Account passwords\""),
        ("site.toml", "title = \"Pakistan Data Breach Advisories\"", "title = \"Edited Advisories\""),
    ];
    for (rel, from, to) in changes {
        edit(dir, rel, from, to);
        content = reload(dir, &content);
        let (next, kept) = render_after(&content, now, &site);
        if rel.ends_with(".md") {
            assert!(kept > 0 && kept < total, "{rel}: {kept} of {total} pages taken over");
        }
        site = next;
    }

    // An advisory removed (one no other advisory links to), then the embargo lifting: no
    // file changes, a later instant.
    std::fs::remove_file(dir.join("2024/PK-2024-0011.md")).unwrap();
    content = reload(dir, &content);
    site = render_after(&content, now, &site).0;
    let later: Timestamp = "2031-01-01T00:00:00Z".parse().unwrap();
    let (lifted, _) = render_after(&content, later, &site);
    assert!(lifted.get("/advisories/PK-2030-0001/").is_some());
}

#[test]
fn listings_over_several_pages_render_again_only_where_an_advisory_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories");
    bulletin::corpus::generate(dir, &samples, 240, 7).unwrap();
    let now: Timestamp = NOW.parse().unwrap();
    let mut content = content::load(dir).unwrap();
    let mut site = render::site(&content, &content.settings, now);
    assert!(site.get("/advisories/page/4/").is_some(), "the archive spans several pages");

    // A title in the middle of the archive: its archive page changes, the others are kept.
    let middle = content.public_at(now).nth(120).unwrap();
    let (id, rel, title) = (middle.id.to_string(), middle.path.clone(), middle.title.clone());
    edit(dir, &rel, &format!("title = \"{title}\""), "title = \"A new title\"");
    content = reload(dir, &content);
    let (next, kept) = render_after(&content, now, &site);
    assert!(kept > site.len() / 2, "{kept} of {} kept", site.len());
    let changed = |a: &Site, b: &Site, path: &str| a.get(path).unwrap().body != b.get(path).unwrap().body;
    assert!(changed(&site, &next, &format!("/advisories/{id}/")));
    assert!(changed(&site, &next, "/advisories/page/3/"));
    assert!(!changed(&site, &next, "/advisories/"));
    site = next;

    // A new advisory shifts every archive page after its place.
    std::fs::write(dir.join("2025/PK-2025-0999.md"), crate::fixture::advisory("PK-2025-0999", "")).unwrap();
    content = reload(dir, &content);
    let (next, _) = render_after(&content, now, &site);
    let last = format!("/advisories/page/{}/", content.public_at(now).count().div_ceil(render::PAGE_SIZE));
    assert!(site.get(&last).is_none_or(|old| old.body != next.get(&last).unwrap().body));
}

/// A staff preview's marks depend on the clock ("Embargoed until …" is gone once the
/// instant passes): a preview render after the embargo takes over no page that still
/// says so, and equals a preview render from scratch.
#[test]
fn preview_marks_follow_the_clock_in_a_render_after_another() {
    let content = content::load(&crate::fixture::samples_dir()).unwrap();
    let preview = |now: &str, previous: Option<&Site>| {
        let options = RenderOptions { preview: true, previous, hubs: &[] };
        render::site_with(&content, &content.settings, now.parse().unwrap(), options, &|_, _| {})
    };
    let before = preview("2029-12-31T00:00:00Z", None);
    let after = preview("2030-01-02T00:00:00Z", Some(&before));
    let fresh = preview("2030-01-02T00:00:00Z", None);
    for path in ["/advisories/PK-2030-0001/", "/advisories/", "/ur/advisories/PK-2030-0001/"] {
        let body = String::from_utf8_lossy(&after.get(path).unwrap().body).into_owned();
        assert!(!body.contains("Embargoed until") && !body.contains("تک پابندی"), "{path} keeps a stale mark");
        assert!(after.get(path).unwrap().body == fresh.get(path).unwrap().body, "{path}");
    }
}
