//! `bulletin build` end to end: pages, embargo and drafts, atomic replacement,
//! hostile Markdown, snapshots of representative pages.

use crate::fixture::{Fixture, NOW, advisory, build, files, run_build, samples_dir};

fn text(out: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn builds_every_kind_of_page_with_compressed_copies() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    for rel in [
        "index.html",
        "advisories/index.html",
        "advisories/PK-2025-0007/index.html",
        "ur/advisories/PK-2025-0007/index.html",
        "ur/index.html",
        "checklist/index.html",
        "checklist/passwords/index.html",
        "tags/telecom/index.html",
        "severity/high/index.html",
        "data/call-logs/index.html",
        "kind/data-breach/index.html",
        "feeds/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        ".well-known/security.txt",
        "feed.xml",
        "updates.xml",
        "atom.xml",
        "feed.json",
        "api/advisories.json",
        "tags/telecom/feed.xml",
    ] {
        assert!(out.join(rel).is_file(), "{rel} missing");
    }
    assert!(out.join("index.html.gz").is_file() && out.join("index.html.br").is_file());
    let page = text(&out, "advisories/PK-2025-0007/index.html");
    assert!(page.contains(r#"<link rel="canonical" href="https://advisories.example.pk/advisories/PK-2025-0007/">"#));
    assert!(page.contains(r#"property="og:title""#) && page.contains(r#"name="twitter:card""#));
    assert!(page.contains(r#"<time datetime="2025-07-29T12:00:00Z">"#), "update time");
    assert!(page.contains("Verification: </span>Unverified"), "verification as text (its label for screen readers)");
    assert!(page.contains(r#"<p class="verification">Not yet confirmed"#), "and said on the first screen");
    assert!(page.contains(r#"href="../../data/call-logs/""#), "data class links");
    let ur = text(&out, "ur/advisories/PK-2025-0007/index.html");
    assert!(ur.contains(r#"<html lang="ur" dir="rtl">"#));
    let security = text(&out, ".well-known/security.txt");
    assert!(
        security.contains("Contact: mailto:security@advisories.example.pk") && security.contains("Expires: 2027-11-25")
    );
    let assets: Vec<_> =
        std::fs::read_dir(out.join("assets")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(assets.iter().any(|a| a.starts_with("style.") && a.ends_with(".css") && a.len() > 20), "{assets:?}");
}

#[test]
fn when_it_happened_and_was_discovered_are_shown_and_in_the_api() {
    let body = "## What happened\n\nSomething.\n\n## What we are doing\n\nWork.\n";
    let f = Fixture::new()
        .file(
            "2025/PK-2025-0001.md",
            advisory("PK-2025-0001", "occurred = [2025-06-01, 2025-06-15]\ndiscovered = 2025-07-03\n")
                .replace("## What happened\n\nSomething.\n", body),
        )
        .file("2025/PK-2025-0002.md", advisory("PK-2025-0002", "occurred = \"unknown\"\n"));
    let (_tmp, out) = build(f.path(), NOW);
    let page = text(&out, "advisories/PK-2025-0001/index.html");
    assert!(
        page.contains(r#"<dt>Happened</dt><dd><time datetime="2025-06-01">1 Jun 2025</time> – <time datetime="2025-06-15">15 Jun 2025</time></dd>"#),
        "{page}"
    );
    assert!(page.contains(r#"<dt>Discovered</dt><dd><time datetime="2025-07-03">3 Jul 2025</time></dd>"#), "{page}");
    let urdu = text(&out, "ur/advisories/PK-2025-0002/index.html");
    assert!(urdu.contains("<dt>واقعہ کب ہوا</dt><dd>ابھی معلوم نہیں</dd>"), "{urdu}");
    let api: serde_json::Value = serde_json::from_str(&text(&out, "api/advisories.json")).unwrap();
    let by_id = |id: &str| api["advisories"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!(by_id("PK-2025-0001")["occurred"], "2025-06-01/2025-06-15");
    assert_eq!(by_id("PK-2025-0001")["discovered"], "2025-07-03");
    assert_eq!(by_id("PK-2025-0002")["occurred"], "unknown");
    assert!(by_id("PK-2025-0002").get("discovered").is_none());
}

#[test]
fn drafts_and_embargoed_advisories_appear_nowhere() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    for (rel, bytes) in files(&out) {
        let s = String::from_utf8_lossy(&bytes);
        for secret in ["DRAFT-SECRET-MARKER", "EMBARGO-SECRET-MARKER", "PK-2026-0001", "PK-2030-0001", "2030"] {
            assert!(!s.contains(secret), "{secret} leaked into {rel}");
        }
    }
    // At the embargo instant it appears everywhere at once.
    let (_tmp2, later) = build(&samples_dir(), "2030-01-01T09:00:00Z");
    for rel in [
        "advisories/PK-2030-0001/index.html",
        "index.html",
        "advisories/index.html",
        "feed.xml",
        "sitemap.xml",
        "api/advisories.json",
    ] {
        assert!(text(&later, rel).contains("PK-2030-0001"), "{rel} lacks the lifted advisory");
    }
    assert!(!files(&later).iter().any(|(_, b)| String::from_utf8_lossy(b).contains("DRAFT-SECRET-MARKER")));
}

#[test]
fn two_builds_are_byte_identical() {
    let (_a, one) = build(&samples_dir(), NOW);
    let (_b, two) = build(&samples_dir(), NOW);
    assert_eq!(files(&one), files(&two));
}

#[test]
fn invalid_content_leaves_the_previous_site_untouched() {
    let f = Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""));
    let out = f.path().join("../public-keep");
    let ok = run_build(f.path(), &out, &[]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let before = files(&out);
    let f = f.file("2025/PK-2025-0002.md", "not an advisory");
    let bad = run_build(f.path(), &out, &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2025/PK-2025-0002.md:1:1"));
    assert_eq!(files(&out), before, "the old site changed");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn hostile_markdown_is_neutralised() {
    let body = "\n<script>alert('x')</script>\n\n<iframe src=\"https://evil.example/\"></iframe>\n\nText <img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\" onclick=\"steal()\">raw</a>\n\n[md link](javascript:alert(3)) [vb](vbscript:msgbox) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n![pixel](https://tracker.example/p.gif)\n\nControl \u{1}\u{7}\u{1b} chars\u{0}.\n";
    let f = crate::fixture::with_body(body);
    let (_tmp, out) = build(f.path(), NOW);
    for (rel, bytes) in files(&out) {
        let s = String::from_utf8_lossy(&bytes);
        if rel.ends_with(".html") {
            // The search page's configuration is data (JSON), not a script.
            let scripts = s.matches("<script").count()
                - s.matches(r#"<script type="application/json" id="search-config">"#).count();
            assert!(scripts <= 1 && !s.contains("<script>"), "{rel}: inline script");
            assert!(
                !s.contains("<iframe") && !s.contains("<img src=\"https://tracker"),
                "{rel}: embedded third-party content"
            );
            for tag in real_tags(&s) {
                let lower = tag.to_ascii_lowercase();
                assert!(
                    !lower.split_whitespace().any(|a| a.starts_with("on") && a.contains('=')),
                    "{rel}: event handler in <{tag}>"
                );
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(!lower.contains(&format!("=\"{scheme}")), "{rel}: {scheme} URL in <{tag}>");
                }
            }
        }
        assert!(
            !s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
            "{rel} has a control character"
        );
    }
    let page = std::fs::read_to_string(out.join("advisories/PK-2025-0001/index.html")).unwrap();
    assert!(page.contains("&lt;script&gt;"), "raw HTML is shown escaped");
    assert!(page.contains("md link"), "the text of an unsafe link stays");
}

#[test]
fn snapshots_of_representative_pages() {
    let samples = crate::fixture::samples_copy();
    let (_tmp, out) = build(samples.path(), NOW);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!("advisory_page", text(&out, "advisories/PK-2025-0007/index.html"));
        insta::assert_snapshot!("advisory_page_urdu", text(&out, "ur/advisories/PK-2025-0007/index.html"));
        insta::assert_snapshot!("home_page", text(&out, "index.html"));
        insta::assert_snapshot!("checklist_page", text(&out, "checklist/index.html"));
        insta::assert_snapshot!("feed", text(&out, "feed.xml"));
        insta::assert_snapshot!("updates_feed", text(&out, "updates.xml"));
    });
}

#[test]
fn pages_stay_within_the_2g_budget() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let css = std::fs::read_dir(out.join("assets")).unwrap().map(|e| e.unwrap().path()).collect::<Vec<_>>();
    let gz = |p: &std::path::Path| std::fs::metadata(format!("{}.gz", p.display())).map(|m| m.len()).unwrap_or(0);
    let assets: u64 =
        css.iter().filter(|p| p.extension().is_some_and(|e| e == "css" || e == "js")).map(|p| gz(p)).sum();
    for page in [
        "index.html",
        "advisories/PK-2025-0007/index.html",
        "ur/advisories/PK-2025-0007/index.html",
        "advisories/index.html",
        "checklist/index.html",
    ] {
        let total = gz(&out.join(page)) + assets;
        assert!(total < 20 * 1024, "{page} with CSS and JS is {total} bytes gzip");
    }
}

/// The insides of the real tags of an HTML document (escaped text has `&lt;`, not `<`).
fn real_tags(html: &str) -> Vec<&str> {
    html.split('<').skip(1).filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag)).collect()
}

#[test]
fn an_update_dated_in_the_future_is_embargoed_too() {
    let text = advisory(
        "PK-2025-0001",
        "[[updates]]\ndate = 2025-08-01T09:00:00Z\nsummary = \"PAST-UPDATE\"\n\n[[updates]]\ndate = 2030-01-01T09:00:00Z\nsummary = \"FUTURE-UPDATE\"\n",
    );
    let f = Fixture::new().file("2025/PK-2025-0001.md", text);
    let (_tmp, out) = build(f.path(), NOW);
    let all: String = files(&out).into_iter().map(|(_, b)| String::from_utf8_lossy(&b).into_owned()).collect();
    assert!(all.contains("PAST-UPDATE"));
    assert!(!all.contains("FUTURE-UPDATE"), "a future update leaked");
    assert!(!all.contains("2030"), "its date leaked");
    let (_tmp2, later) = build(f.path(), "2030-01-01T09:00:00Z");
    for rel in ["advisories/PK-2025-0001/index.html", "updates.xml", "api/advisories.json", "feed.xml"] {
        assert!(text_of(&later, rel).contains("FUTURE-UPDATE"), "{rel}");
    }
}

fn text_of(out: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap()
}

#[test]
fn build_refuses_an_output_folder_that_would_replace_the_advisories() {
    let f = Fixture::new().file("2025/PK-2025-0001.md", advisory("PK-2025-0001", ""));
    for out in [f.path().to_path_buf(), f.path().join(".."), f.path().join("2025"), std::path::PathBuf::from("/")] {
        let r = run_build(f.path(), &out, &[]);
        assert_eq!(r.status.code(), Some(2), "{out:?}: {}", String::from_utf8_lossy(&r.stderr));
    }
    assert!(f.path().join("2025/PK-2025-0001.md").is_file(), "nothing was lost");
}

/// Issue 25: a build killed while writing leaves its staging folder; the next build
/// removes it, and the output folder is replaced whole (it is never missing: on Linux
/// the new and the old folder swap in one step).
#[test]
fn a_killed_build_is_cleaned_up_by_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    bulletin::corpus::generate(&corpus, &samples_dir(), 1500, 7).unwrap();
    let out = tmp.path().join("public");
    let first = run_build(&corpus, &out, &["--now", NOW]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let staging = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(".public.new-") || n.starts_with(".public.old-"))
            .collect()
    };
    // Kill builds until one dies while writing (its staging folder is there).
    let mut left = Vec::new();
    for _ in 0..20 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
            .args(["build", "--now", NOW, "--dir"])
            .arg(&corpus)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while staging(tmp.path()).is_empty() && started.elapsed() < std::time::Duration::from_secs(20) {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        child.kill().unwrap();
        child.wait().unwrap();
        left = staging(tmp.path());
        if !left.is_empty() {
            break;
        }
    }
    assert!(!left.is_empty(), "no build was killed while writing");
    assert!(out.join("index.html").is_file(), "the previous site is still there");
    let next = run_build(&corpus, &out, &["--now", NOW]);
    assert!(next.status.success(), "{}", String::from_utf8_lossy(&next.stderr));
    assert_eq!(staging(tmp.path()), Vec::<String>::new(), "leftovers of {left:?}");
    assert!(out.join("advisories/index.html").is_file());
}

/// Issue 20: no advisory disappears in a language. Built from the samples, every public
/// advisory is on the Urdu home page, archive and feeds, under its Urdu title where it
/// is translated and marked untranslated (in Urdu) where not; its Urdu page exists; the
/// Urdu feed says `ur` and has its own guids, so a reader of both feeds loses nothing.
#[test]
fn every_advisory_is_in_every_language() {
    let (_tmp, out) = build(&samples_dir(), NOW);
    let public = ["PK-2025-0004", "PK-2025-0007", "PK-2025-0008", "PK-2025-0010", "PK-2024-0003", "PK-2024-0011"];
    let home = text(&out, "ur/index.html");
    let archive = text(&out, "ur/advisories/index.html");
    let feed = text(&out, "ur/feed.xml");
    for id in public {
        assert!(home.contains(&format!("advisories/{id}/")), "{id} on /ur/");
        assert!(archive.contains(&format!("advisories/{id}/")), "{id} on /ur/advisories/");
        assert!(
            feed.contains(&format!("<guid>https://advisories.example.pk/ur/advisories/{id}/</guid>")),
            "{id} in /ur/feed.xml"
        );
        assert!(out.join(format!("ur/advisories/{id}/index.html")).is_file(), "{id}'s Urdu page");
    }
    assert!(!home.contains("ابھی کوئی ایڈوائزری موجود نہیں"), "the Urdu home page never says there are none");
    assert!(home.contains("ابھی ترجمہ نہیں ہوا"), "untranslated ones are marked in Urdu");
    assert!(feed.contains("<language>ur</language>"));
    let parsed = feed_rs::parser::parse(feed.as_bytes()).expect("the Urdu feed parses");
    assert_eq!(parsed.entries.len(), public.len());

    // An untranslated advisory's Urdu page: Urdu words around the original, isolated.
    let page = text(&out, "ur/advisories/PK-2025-0004/index.html");
    assert!(page.contains(r#"<html lang="ur" dir="rtl">"#));
    assert!(page.contains("اس ایڈوائزری کا ابھی اردو ترجمہ نہیں ہوا"), "the note");
    assert!(page.contains(r#"<h1 lang="en" dir="ltr">"#), "the original title, isolated");
    assert!(page.contains(r#"<div class="body" lang="en" dir="ltr">"#), "the original body, isolated");
    assert!(page.contains("پاکستان ڈیٹا لیک ایڈوائزریز"), "the Urdu site title");
    // Every page kind answers in Urdu.
    for rel in [
        "ur/checklist/index.html",
        "ur/checklist/passwords/index.html",
        "ur/tags/telecom/index.html",
        "ur/severity/high/index.html",
        "ur/data/call-logs/index.html",
        "ur/kind/data-breach/index.html",
        "ur/feeds/index.html",
        "ur/404.html",
        "ur/updates.xml",
        "ur/tags/telecom/feed.xml",
    ] {
        assert!(out.join(rel).is_file(), "{rel} missing");
    }
    // The Urdu checklist is Urdu: every catalogue step of the samples is translated.
    let checklist = text(&out, "ur/checklist/index.html");
    assert!(!checklist.contains(r#"<li lang="en""#), "an English step on the Urdu checklist");
    assert!(checklist.contains(r#"data-measure="never-share-otp""#));
}

/// Issue 21: the home page's active advisories come most severe first, then newest; the
/// archive stays newest first.
#[test]
fn the_home_page_lists_active_advisories_most_severe_first() {
    let dated = |id: &str, severity: &str, day: u8| {
        advisory(id, "")
            .replace("severity = \"high\"", &format!("severity = \"{severity}\""))
            .replace("2025-07-27T09:00:00Z", &format!("2025-07-{day:02}T09:00:00Z"))
    };
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", dated("PK-2025-0001", "critical", 1))
        .file("2025/PK-2025-0002.md", dated("PK-2025-0002", "low", 2))
        .file("2025/PK-2025-0003.md", dated("PK-2025-0003", "high", 3))
        .file("2025/PK-2025-0004.md", dated("PK-2025-0004", "high", 4));
    let (_tmp, out) = build(f.path(), NOW);
    let order = |page: &str| {
        let html = text(&out, page);
        let mut found: Vec<(usize, &str)> = ["PK-2025-0001", "PK-2025-0002", "PK-2025-0003", "PK-2025-0004"]
            .into_iter()
            .map(|id| (html.find(&format!("advisories/{id}/")).unwrap_or_else(|| panic!("{id} on {page}")), id))
            .collect();
        found.sort();
        found.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    assert_eq!(order("index.html"), ["PK-2025-0001", "PK-2025-0004", "PK-2025-0003", "PK-2025-0002"]);
    assert_eq!(order("advisories/index.html"), ["PK-2025-0004", "PK-2025-0003", "PK-2025-0002", "PK-2025-0001"]);
}

/// A JPEG photo of `w`×`h` noise (what compresses worst) with an EXIF segment naming a
/// GPS position right after the start-of-image marker.
fn photo_with_gps(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 11u32;
    let photo = image::RgbImage::from_fn(w, h, |x, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        image::Rgb([(seed >> 16) as u8, (x % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode_image(&image::DynamicImage::ImageRgb8(photo))
        .unwrap();
    let exif = b"Exif\0\0MM\0*GPSLatitude 24.8607 N GPSLongitude 67.0011 E Owner Staff Name";
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn images_beside_an_advisory_are_published_small_without_metadata_and_only_when_it_is() {
    let shown = "![The fake notice, with the scammers' number](notice.jpg)\n\n[The full letter](letter.pdf)";
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", advisory("PK-2025-0001", "").replace("Something.", shown))
        .file("2025/PK-2025-0001/notice.jpg", photo_with_gps(1400, 1000))
        .file("2025/PK-2025-0001/letter.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        .file("2025/PK-2025-0001/.DS_Store", b"junk")
        .file(
            "2025/PK-2025-0002.md",
            advisory("PK-2025-0002", "")
                .replace("2025-07-27T09:00:00Z", "2099-01-01T00:00:00Z")
                .replace("Something.", "![Secret](plan.jpg)"),
        )
        .file("2025/PK-2025-0002/plan.jpg", photo_with_gps(200, 100));
    let (_tmp, out) = build(f.path(), NOW);
    let names = files(&out).into_iter().map(|(p, _)| p).filter(|p| p.contains("PK-2025-000")).collect::<Vec<_>>();
    let image = names.iter().find(|p| p.starts_with("advisories/PK-2025-0001/notice.")).expect("published").clone();
    let bytes = std::fs::read(out.join(&image)).unwrap();
    assert!(bytes.len() <= 60 * 1024, "{image}: {} bytes", bytes.len());
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("GPS") && !text.contains("Exif") && !text.contains("Staff Name"), "metadata published");
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert!(decoded.width() <= 800, "{}", decoded.width());
    let page = text_of(&out, "advisories/PK-2025-0001/index.html");
    let name = image.rsplit('/').next().unwrap();
    assert!(
        page.contains(&format!(
            r#"<img src="{name}" alt="The fake notice, with the scammers&#39; number" width="{}" height="{}" loading="lazy">"#,
            decoded.width(),
            decoded.height()
        )),
        "{page}"
    );
    assert!(page.contains(r#"<a href="letter.pdf">The full letter</a>"#), "{page}");
    assert!(names.contains(&"advisories/PK-2025-0001/letter.pdf".to_string()), "{names:?}");
    // The Urdu page's relative links find the same files.
    assert!(names.contains(&format!("ur/{image}")), "{names:?}");
    // Hidden files are not published; an embargoed advisory's files are as invisible as its page.
    assert!(!names.iter().any(|p| p.contains(".DS_Store") || p.contains("PK-2025-0002")), "{names:?}");
}

#[test]
fn the_scam_alert_sample_shows_its_screenshot_without_who_took_it() {
    let source = std::fs::read(samples_dir().join("2025/PK-2025-0008/sms.png")).unwrap();
    let marks = ["RT-LHR-07", "GPSLatitude"];
    assert!(marks.iter().all(|m| String::from_utf8_lossy(&source).contains(m)), "the sample carries metadata");
    let (_tmp, out) = build(&samples_dir(), NOW);
    let page = text(&out, "advisories/PK-2025-0008/index.html");
    let img = page.split("<img ").nth(1).expect("an image").split('>').next().unwrap().to_string();
    assert!(img.contains(r#"alt="A text message from"#) && img.contains("width=") && img.contains("height="), "{img}");
    let src = img.split("src=\"").nth(1).unwrap().split('"').next().unwrap();
    let bytes = std::fs::read(out.join("advisories/PK-2025-0008").join(src)).unwrap();
    assert!(bytes.len() <= 60 * 1024, "{} bytes", bytes.len());
    assert!(page.len() < 20 * 1024, "page {} bytes", page.len());
    let published = String::from_utf8_lossy(&bytes);
    assert!(marks.iter().all(|m| !published.contains(m)), "metadata published");
}
