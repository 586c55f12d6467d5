//! One fixture per validation rule, each asserting the exact diagnostic:
//! file, line, column and message. All problems of a run are reported together.

use std::path::Path;
use std::process::Command;

use bulletin::content;

use crate::fixture::{Fixture, advisory};

fn one(rel: &str, text: impl AsRef<[u8]>) -> Vec<String> {
    Fixture::new().file(rel, text).errors()
}

const P: &str = "2025/PK-2025-0001.md";

fn valid() -> String {
    advisory("PK-2025-0001", "")
}

#[test]
fn valid_advisory_has_no_problem() {
    assert_eq!(one(P, valid()), Vec::<String>::new());
}

#[test]
fn crlf_and_byte_order_mark_are_accepted() {
    let text = format!("\u{feff}{}", valid().replace('\n', "\r\n"));
    let f = Fixture::new().file(P, text);
    let c = f.load().expect("valid");
    let a = c.get("PK-2025-0001").unwrap();
    assert_eq!(a.title, "Test advisory PK-2025-0001");
    assert_eq!(a.own_measures[0].text, "Do the first thing.");
}

#[test]
fn not_utf8() {
    let mut bytes = valid().into_bytes();
    let at = bytes.windows(9).position(|w| w == b"Something").unwrap();
    bytes[at + 2] = 0xff;
    assert_eq!(one(P, bytes), ["2025/PK-2025-0001.md:15:3: file is not valid UTF-8"]);
}

#[test]
fn empty_file() {
    assert_eq!(one(P, ""), ["2025/PK-2025-0001.md:1:1: file is empty"]);
}

#[test]
fn front_matter_never_closes() {
    assert_eq!(
        one(P, "+++\nid = \"PK-2025-0001\"\n\nBody\n"),
        ["2025/PK-2025-0001.md:1:1: the front matter opened here is never closed"]
    );
}

#[test]
fn no_front_matter() {
    assert_eq!(
        one(P, "# Title\n"),
        ["2025/PK-2025-0001.md:1:1: the file does not start with the front-matter line `+++`"]
    );
}

#[test]
fn toml_syntax_error() {
    let text = valid().replace("severity = \"high\"", "severity = \"high");
    assert_eq!(one(P, text), ["2025/PK-2025-0001.md:6:17: TOML syntax error: invalid basic string, expected `\"`"]);
}

#[test]
fn unknown_key_suggests_the_known_one() {
    let f = Fixture::new().file(P, advisory("PK-2025-0001", "sevrity = \"low\"\n"));
    let d = f.load().unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].line, d[0].column, d[0].message.as_str()), (11, 1, "unknown field `sevrity` in the front matter"));
    assert_eq!(d[0].help.as_deref(), Some("did you mean `severity`?"));
}

#[test]
fn wrong_types() {
    let text = advisory("PK-2025-0001", "affected_count = \"many\"\ndraft = \"no\"\ntags = \"telecom\"\n");
    assert_eq!(
        one(P, text),
        [
            "2025/PK-2025-0001.md:11:18: `affected_count` must be a whole number without quotes, found a string",
            "2025/PK-2025-0001.md:12:9: `draft` must be true or false (without quotes), found a string",
            "2025/PK-2025-0001.md:13:8: `tags` must be a list in square brackets, found a string",
        ]
    );
}

#[test]
fn missing_required_field_points_at_the_front_matter() {
    let text = valid().replace("status = \"active\"\n", "");
    assert_eq!(one(P, text), ["2025/PK-2025-0001.md:1:1: missing required field `status` in the front matter"]);
}

#[test]
fn date_without_offset_date_only_and_quoted() {
    let no_offset = valid().replace("2025-07-27T09:00:00Z", "2025-07-27T09:00:00");
    assert_eq!(
        one(P, no_offset),
        ["2025/PK-2025-0001.md:5:13: `published` has no UTC offset, so the instant is ambiguous"]
    );
    let date_only = valid().replace("2025-07-27T09:00:00Z", "2025-07-27");
    assert_eq!(one(P, date_only), ["2025/PK-2025-0001.md:5:13: `published` needs both a date and a time of day"]);
    let quoted = valid().replace("2025-07-27T09:00:00Z", "\"2025-07-27T09:00:00Z\"");
    assert_eq!(one(P, quoted), ["2025/PK-2025-0001.md:5:13: `published` must be a TOML date-time, not a string"]);
}

#[test]
fn updates_before_publication_and_out_of_order() {
    let text = advisory(
        "PK-2025-0001",
        "[[updates]]\ndate = 2025-07-20T09:00:00Z\nsummary = \"Too early.\"\n\n[[updates]]\ndate = 2025-08-02T09:00:00Z\nsummary = \"Second.\"\n\n[[updates]]\ndate = 2025-08-01T09:00:00Z\nsummary = \"Out of order.\"\n",
    );
    assert_eq!(
        one(P, text),
        [
            "2025/PK-2025-0001.md:12:8: update dated 2025-07-20T09:00:00Z is not after `published` (2025-07-27T09:00:00Z)",
            "2025/PK-2025-0001.md:20:8: update dated 2025-08-01T09:00:00Z is not after the update before it (2025-08-02T09:00:00Z)",
        ]
    );
}

#[test]
fn duplicate_ids_across_folders() {
    let f = Fixture::new().file("2025/PK-2025-0001.md", valid()).file("2024/PK-2025-0001.md", valid());
    assert_eq!(
        f.errors(),
        [
            "2024/PK-2025-0001.md:2:6: id `PK-2025-0001` is filed in the folder `2024/`, but its year differs",
            "2025/PK-2025-0001.md:2:6: duplicate id `PK-2025-0001`: 2024/PK-2025-0001.md uses it too",
        ]
    );
}

#[test]
fn id_differs_from_file_name() {
    assert_eq!(
        one("2025/PK-2025-0002.md", valid()),
        ["2025/PK-2025-0002.md:2:6: id `PK-2025-0001` does not match the file name `PK-2025-0002`"]
    );
}

#[test]
fn reference_url_not_absolute_http() {
    let text = advisory("PK-2025-0001", "[[references]]\ntitle = \"Statement\"\nurl = \"javascript:alert(1)\"\n");
    assert_eq!(
        one(P, text),
        ["2025/PK-2025-0001.md:13:7: `url` must be an absolute http(s) URL, found `javascript:alert(1)`"]
    );
    let relative = advisory("PK-2025-0001", "[[references]]\ntitle = \"Statement\"\nurl = \"/statement\"\n");
    assert_eq!(
        one(P, relative),
        ["2025/PK-2025-0001.md:13:7: `url` must be an absolute http(s) URL, found `/statement`"]
    );
}

#[test]
fn summary_too_long_for_a_feed() {
    let long = "word ".repeat(70);
    let text = valid().replace("A short summary.", long.trim());
    assert_eq!(
        one(P, text),
        ["2025/PK-2025-0001.md:8:11: `summary` is 349 characters long; at most 280 fit in feeds and link previews"]
    );
}

#[test]
fn unknown_data_class_suggests_the_nearest() {
    let f = Fixture::new().file(P, valid().replace("data = [\"passwords\"]", "data = [\"passwrods\"]"));
    let d = f.load().unwrap_err();
    assert_eq!((d[0].line, d[0].column, d[0].message.as_str()), (9, 9, "unknown data class `passwrods`"));
    assert_eq!(d[0].help.as_deref(), Some("did you mean `passwords`?"));
}

#[test]
fn unknown_keyword_values() {
    let text = valid()
        .replace("\"data-breach\"", "\"data-breech\"")
        .replace("\"high\"", "\"hgh\"")
        .replace("\"active\"", "\"open\"");
    assert_eq!(
        one(P, text),
        [
            "2025/PK-2025-0001.md:4:8: unknown kind `data-breech`",
            "2025/PK-2025-0001.md:6:12: unknown severity `hgh`",
            "2025/PK-2025-0001.md:7:10: unknown status `open`",
        ]
    );
}

#[test]
fn translation_without_original() {
    let text = "+++\nid = \"PK-2025-0009\"\ntitle = \"عنوان\"\nsummary = \"خلاصہ\"\ncovers = 2025-07-27T09:00:00Z\n+++\n\nمتن\n";
    assert_eq!(
        one("2025/PK-2025-0009.ur.md", text),
        ["2025/PK-2025-0009.ur.md:2:6: translation of `PK-2025-0009`, but there is no advisory `PK-2025-0009.md`"]
    );
}

#[test]
fn translation_carries_only_translated_fields() {
    let text = "+++\nid = \"PK-2025-0001\"\ntitle = \"عنوان\"\nsummary = \"خلاصہ\"\ncovers = 2025-07-27T09:00:00Z\nseverity = \"low\"\n+++\n\nمتن\n";
    let f = Fixture::new().file(P, valid()).file("2025/PK-2025-0001.ur.md", text);
    assert_eq!(f.errors(), ["2025/PK-2025-0001.ur.md:6:1: unknown field `severity` in the translation's front matter"]);
}

#[test]
fn translation_is_attached_and_knows_when_it_is_outdated() {
    let original = advisory("PK-2025-0001", "[[updates]]\ndate = 2025-08-01T09:00:00Z\nsummary = \"News.\"\n");
    let text = "+++\nid = \"PK-2025-0001\"\ntitle = \"عنوان\"\nsummary = \"خلاصہ\"\ncovers = 2025-07-27T09:00:00Z\n+++\n\nمتن\n";
    let f = Fixture::new().file(P, original).file("2025/PK-2025-0001.ur.md", text);
    let c = f.load().expect("valid");
    let a = c.get("PK-2025-0001").unwrap();
    let t = &a.translations["ur"];
    assert!(a.translation_is_outdated(t));
}

#[test]
fn symlink_outside_the_folder() {
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), valid()).unwrap();
    let f = Fixture::new().symlink(P, outside.path());
    let errors = f.errors();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("2025/PK-2025-0001.md:1:1: symlink leads outside the advisories folder"),
        "{errors:?}"
    );
}

#[test]
fn symlink_inside_the_folder_is_followed() {
    let f = Fixture::new().file("shared/PK-2025-0001.md", valid());
    let target = f.path().join("shared/PK-2025-0001.md");
    let f = f.symlink(P, &target);
    assert!(f.load().is_ok(), "{:?}", f.errors());
}

#[test]
fn measures_section_accepts_only_task_items() {
    let text = valid().replace("- [ ] Do the first thing.", "Some prose.\n\n- [ ] Do the first thing.");
    assert_eq!(
        one(P, text),
        ["2025/PK-2025-0001.md:19:1: only task-list items belong in the protective-measures section"]
    );
}

#[test]
fn catalogue_problems_are_reported_with_position() {
    let measures = format!(
        "{}\n[email]\nlabel = \"Email\"\ndescription = \"Addresses.\"\n\n[[email.measures]]\nid = \"no-such-measure\"\n\n[[email.measures]]\nid = \"x\"\nurgency = \"soon\"\ntext = \"Do it.\"\n",
        crate::fixture::MEASURES_TOML
    );
    let f = Fixture::new().file("measures.toml", measures).file(P, valid());
    assert_eq!(
        f.errors(),
        [
            "measures.toml:32:6: measure `no-such-measure` is used in [email] but defined nowhere",
            "measures.toml:36:11: unknown urgency `soon`",
        ]
    );
}

#[test]
fn every_problem_of_a_run_is_reported() {
    let f = Fixture::new()
        .file("2025/PK-2025-0001.md", valid().replace("\"high\"", "\"hgh\""))
        .file("2025/PK-2025-0002.md", "")
        .file("2025/PK-2025-0003.md", advisory("PK-2025-0003", "colour = 1\n"));
    assert_eq!(f.errors().len(), 3);
}

#[test]
fn placeholders_of_bulletin_new_are_rejected_until_edited() {
    let f = Fixture::new();
    let now: jiff::Timestamp = "2025-03-01T10:00:00Z".parse().unwrap();
    let path = bulletin::scaffold::new_advisory(f.path(), "SIM data for sale", None, now).unwrap();
    assert!(path.ends_with("2025/PK-2025-0001.md"), "{path:?}");
    let second = bulletin::scaffold::new_advisory(f.path(), "Another", Some("scam-alert"), now).unwrap();
    assert!(second.ends_with("2025/PK-2025-0002.md"), "{second:?}");
    let errors = f.errors();
    let first_file: Vec<_> = errors.iter().filter(|e| e.starts_with("2025/PK-2025-0001.md")).collect();
    for field in ["kind", "published", "severity", "status", "summary", "data", "affected", "title", "url"] {
        assert!(
            first_file.iter().any(|e| e.contains(&format!("`{field}` still holds the placeholder"))),
            "{field}: {first_file:#?}"
        );
    }
    assert!(first_file.iter().any(|e| e.contains("checklist item still holds the placeholder")));
}

fn bulletin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bulletin"))
}

#[test]
fn cli_exit_codes_and_json() {
    let f = Fixture::new().file(P, valid());
    let ok = bulletin().args(["check", "--dir"]).arg(f.path()).output().unwrap();
    assert_eq!(ok.status.code(), Some(0));

    let bad = Fixture::new().file(P, valid().replace("\"high\"", "\"hgh\""));
    let out = bulletin().args(["check", "--format", "json", "--dir"]).arg(bad.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["count"], 1);
    let d = &json["diagnostics"][0];
    assert_eq!((d["path"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some(P), Some(6), Some(12)));
    assert_eq!(d["help"], "did you mean `high`? severity is one of: critical, high, medium, low, info");

    let human = bulletin().args(["check", "--dir"]).arg(bad.path()).output().unwrap();
    let text = String::from_utf8_lossy(&human.stderr);
    assert!(text.contains("severity = \"hgh\""), "shows the source line: {text}");
    assert!(text.contains("^^^^^"), "marks the span: {text}");

    let usage = bulletin().args(["check", "--format", "xml"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let missing = bulletin().args(["check", "--dir", "/nonexistent/advisories"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2), "a usage error, like a bad option (issue 24)");
}

#[test]
fn translation_covers_must_be_a_date_of_the_original() {
    let text = "+++\nid = \"PK-2025-0001\"\ntitle = \"عنوان\"\nsummary = \"خلاصہ\"\ncovers = 2025-07-28T09:00:00Z\n+++\n\nمتن\n";
    let f = Fixture::new().file(P, valid()).file("2025/PK-2025-0001.ur.md", text);
    assert_eq!(
        f.errors(),
        [
            "2025/PK-2025-0001.ur.md:2:6: `covers` (2025-07-28T09:00:00Z) is neither the original's `published` nor one of its update dates"
        ]
    );
}

#[test]
fn catalogue_rejects_two_ids_for_the_same_step() {
    let measures = format!(
        "{}\n[email]\nlabel = \"Email\"\ndescription = \"Addresses.\"\n\n[[email.measures]]\nid = \"no-code\"\nurgency = \"now\"\ntext = \"Never share a one-time code!\"\n",
        crate::fixture::MEASURES_TOML
    );
    let f = Fixture::new().file("measures.toml", measures).file(P, valid());
    assert_eq!(f.errors(), ["measures.toml:34:8: measure `no-code` has the same text as `no-otp`"]);
}

#[test]
fn language_codes_are_checked() {
    let site = crate::fixture::SITE_TOML.replace("languages = [\"en\", \"ur\"]", "languages = [\"en\", \"../x\"]");
    let f = Fixture::new().file("site.toml", site).file(P, valid());
    assert_eq!(f.errors(), ["site.toml:6:20: language `../x` is not a two- or three-letter code"]);
}

#[test]
fn a_reload_reuses_unchanged_files_and_rechecks_the_rest() {
    let f = Fixture::new().file(P, valid()).file("2025/PK-2025-0002.md", advisory("PK-2025-0002", ""));
    let first = f.load().expect("valid");
    let again = bulletin::content::load_after(f.path(), Some(&first)).expect("valid");
    assert_eq!(again.all(), first.all(), "reuse gives the same content");
    // A changed file is parsed again; an unchanged one that now clashes is still checked.
    let f =
        f.file("2025/PK-2025-0002.md", advisory("PK-2025-0002", "").replace("Test advisory PK-2025-0002", "New title"));
    let changed = bulletin::content::load_after(f.path(), Some(&first)).expect("valid");
    assert_eq!(changed.get("PK-2025-0002").unwrap().title, "New title");
    let f = f.file("2024/PK-2025-0001.md", valid());
    let errors = bulletin::content::load_after(f.path(), Some(&changed)).unwrap_err();
    assert!(errors.items().iter().any(|d| d.message.starts_with("duplicate id `PK-2025-0001`")), "{errors:?}");
    // A changed catalogue invalidates every reused file.
    let f = f
        .file("2024/PK-2025-0001.md", "")
        .file("measures.toml", crate::fixture::MEASURES_TOML.replace("passwords", "passwordz"));
    std::fs::remove_file(f.path().join("2024/PK-2025-0001.md")).unwrap();
    let errors = bulletin::content::load_after(f.path(), Some(&changed)).unwrap_err();
    assert!(errors.items().iter().any(|d| d.message == "unknown data class `passwords`"), "{errors:?}");
}

/// Issue 25: site.toml and measures.toml follow the rules advisories follow. A link out
/// of the folder is refused without reading it (so no line of it is quoted), a FIFO is
/// refused without waiting for a writer, a device is never read, a huge file is not read.
#[test]
fn settings_files_are_read_only_when_regular_inside_and_small() {
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "root:SECRET-HASH:19000:0:99999:7:::\n").unwrap();
    let linked = |name: &str, target: &Path| {
        let f = Fixture::new().file(P, valid());
        std::fs::remove_file(f.path().join(name)).unwrap();
        std::os::unix::fs::symlink(target, f.path().join(name)).unwrap();
        f
    };
    for name in ["site.toml", "measures.toml"] {
        let f = linked(name, secret.path());
        let report = content::load(f.path()).unwrap_err().render_human(false);
        assert!(!report.contains("SECRET"), "{report}");
        assert!(
            f.errors()
                .iter()
                .any(|e| e.starts_with(&format!("{name}:1:1: symlink leads outside the advisories folder"))),
            "{:?}",
            f.errors()
        );
        let f = linked(name, Path::new("/dev/zero"));
        assert!(
            f.errors().iter().any(|e| e.starts_with(&format!("{name}:1:1: symlink leads outside"))),
            "{:?}",
            f.errors()
        );
    }
    // A FIFO in its place is refused at once: opening it would wait for a writer.
    let f = Fixture::new().file(P, valid());
    std::fs::remove_file(f.path().join("site.toml")).unwrap();
    let started = std::time::Instant::now();
    let status = std::process::Command::new("mkfifo").arg(f.path().join("site.toml")).status().unwrap();
    assert!(status.success());
    assert_eq!(f.errors(), ["site.toml:1:1: this is a named pipe (FIFO), not a regular file, so it is not read"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "a FIFO was waited on");

    let f = Fixture::new().file(P, valid()).file("measures.toml", "# padding\n".repeat(120_000));
    assert_eq!(f.errors(), ["measures.toml:1:1: the file is 1171 KiB; files of this kind are read up to 1024 KiB"]);
}

/// Issue 25: advisory files by the same rules: a FIFO named like an advisory is an
/// error, not skipped in silence; so is an advisory over 4 MiB.
#[test]
fn advisory_files_that_are_not_regular_or_too_large_are_errors() {
    let f = Fixture::new().file(P, valid());
    let status = std::process::Command::new("mkfifo").arg(f.path().join("2025/PK-2025-0002.md")).status().unwrap();
    assert!(status.success());
    assert_eq!(
        f.errors(),
        ["2025/PK-2025-0002.md:1:1: this is a named pipe (FIFO), not a regular file, so it is not read"]
    );
    let huge = valid().replace("Something.", &"Something. ".repeat(400_000));
    let expected = format!(
        "2025/PK-2025-0001.md:1:1: the file is {} KiB; files of this kind are read up to 4096 KiB",
        huge.len() / 1024
    );
    assert_eq!(one(P, huge), [expected]);
}

/// Issue 20: what a declared language lacks (site texts, catalogue words, UI words) is
/// a warning naming the file and the key; warnings fail only `--deny-warnings`.
#[test]
fn missing_translations_are_warnings() {
    let site = crate::fixture::SITE_TOML.split("[translations.ur]").next().unwrap().to_string();
    let f = Fixture::new().file(P, valid()).file("site.toml", site);
    std::fs::remove_file(f.path().join("measures.ur.toml")).unwrap();
    assert_eq!(f.errors(), Vec::<String>::new());
    let warnings = f.warnings();
    assert!(
        warnings
            .contains(&"site.toml:1:1: site.toml has no `title` in ur: pages in ur show the default language's".into()),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("measures.ur.toml:1:1: no measures.ur.toml: the protective measures show")),
        "{warnings:?}"
    );
    let check = |extra: &[&str]| bulletin().args(["check", "--dir"]).arg(f.path()).args(extra).output().unwrap();
    let out = check(&[]);
    assert_eq!(out.status.code(), Some(0), "warnings do not fail");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("warning: site.toml has no `title` in ur") && text.contains("ok: 1 advisories"), "{text}");
    assert_eq!(check(&["--deny-warnings"]).status.code(), Some(1));
    let json = check(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["diagnostics"][0]["level"], "warning");

    // A catalogue translation missing one step, with a typo in another id.
    let partial = crate::fixture::MEASURES_UR_TOML.replace("two-step = ", "two-stp = ");
    let f = Fixture::new().file(P, valid()).file("measures.ur.toml", partial);
    assert_eq!(f.errors(), ["measures.ur.toml:11:1: `two-stp` is not a measure of measures.toml"]);
    let f = Fixture::new()
        .file(P, valid())
        .file("measures.ur.toml", crate::fixture::MEASURES_UR_TOML.replace("two-step = ", "# two-step = "));
    assert_eq!(f.warnings(), ["measures.ur.toml:1:1: measures not translated here: two-step"]);
}

/// Issue 20: a third language is files, not code: its UI words in the folder's
/// `i18n/sd.toml`, its site texts and its catalogue words. Every page kind answers
/// under `/sd/`, right to left, in its words.
#[test]
fn a_third_language_is_files_not_code() {
    let sindhi_words = r#"dir = "rtl"
locale = "sd_PK"
lang_name = "سنڌي"
nav_home = "گهر"
nav_archive = "سڀ ايڊوائزريون"
"#;
    let site = crate::fixture::SITE_TOML.replace(r#"languages = ["en", "ur"]"#, r#"languages = ["en", "ur", "sd"]"#)
        + "\n[translations.sd]\ntitle = \"ٽيسٽ ايڊوائزريون\"\n";
    let f = Fixture::new()
        .file(P, valid())
        .file("site.toml", site)
        .file("i18n/sd.toml", sindhi_words)
        .file("measures.sd.toml", "[measures]\nchange-passwords = \"صاف ڊوائيس تان پاسورڊ مٽايو.\"\n");
    assert_eq!(f.errors(), Vec::<String>::new());
    let warnings = f.warnings();
    assert!(warnings.iter().any(|w| w.starts_with("i18n/sd.toml:1:1: words missing in sd: ")), "{warnings:?}");
    let (_tmp, out) = crate::fixture::build(f.path(), crate::fixture::NOW);
    for page in [
        "sd/index.html",
        "sd/advisories/index.html",
        "sd/advisories/PK-2025-0001/index.html",
        "sd/checklist/index.html",
        "sd/checklist/passwords/index.html",
        "sd/data/passwords/index.html",
        "sd/severity/high/index.html",
        "sd/kind/data-breach/index.html",
        "sd/feeds/index.html",
        "sd/404.html",
        "sd/feed.xml",
        "sd/updates.xml",
        "sd/data/passwords/feed.xml",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    let page = std::fs::read_to_string(out.join("sd/advisories/PK-2025-0001/index.html")).unwrap();
    assert!(page.contains(r#"<html lang="sd" dir="rtl">"#), "{page:.300}");
    assert!(page.contains("سڀ ايڊوائزريون") && page.contains("ٽيسٽ ايڊوائزريون"), "Sindhi words and title");
    assert!(page.contains("صاف ڊوائيس تان پاسورڊ مٽايو."), "the translated step");
    assert!(page.contains(r#"<li lang="en" dir="ltr"><input type="checkbox""#), "an untranslated step is marked");
    assert!(page.contains(r#"hreflang="sd""#) && page.contains(r#"hreflang="ur""#));
}

/// Issue 21: a step that repeats a catalogue measure of the advisory's data classes is a
/// warning naming both (the advisory still loads); `{id}` at its start makes it replace
/// that measure under its id; an unknown `{id}` is an error.
#[test]
fn steps_that_repeat_the_catalogue() {
    let repeat = valid().replace("- [ ] Do the first thing.", "- [ ] Change all your passwords from a clean device.");
    let f = Fixture::new().file(P, &repeat);
    let c = f.load().expect("warnings do not stop a load");
    assert_eq!(c.all().len(), 1, "the advisory with a warning is loaded");
    assert_eq!(
        f.warnings(),
        [
            "2025/PK-2025-0001.md:19:1: this step repeats the catalogue's `change-passwords`: \"Change your passwords from a clean device.\""
        ]
    );
    let refined = repeat.replace("- [ ] Change all", "- [ ] {change-passwords} Change all");
    let f = Fixture::new().file(P, refined);
    assert_eq!(f.warnings(), Vec::<String>::new());
    let c = f.load().unwrap();
    let a = c.get("PK-2025-0001").unwrap();
    let ids: Vec<&str> = a.checklist.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["change-passwords", "two-step"], "the own wording replaces the catalogue's, under its id");
    assert_eq!(a.checklist[0].text, "Change all your passwords from a clean device.");
    let typo = valid().replace("- [ ] Do the first thing.", "- [ ] {change-password} Change them.");
    assert_eq!(one(P, typo), ["2025/PK-2025-0001.md:19:7: `{change-password}` names no measure of measures.toml"]);
}

/// Issue 24: a title over 120 characters is a warning (real advisories run to 144), one
/// over 300 an error.
#[test]
fn a_long_title_is_a_warning_and_a_very_long_one_an_error() {
    let with_title = |n: usize| {
        crate::fixture::Fixture::new().file(
            "2025/PK-2025-0001.md",
            crate::fixture::advisory("PK-2025-0001", "").replace("Test advisory PK-2025-0001", &"t".repeat(n)),
        )
    };
    let long = with_title(131);
    assert!(long.errors().is_empty(), "{:?}", long.errors());
    assert_eq!(
        long.warnings(),
        [
            "2025/PK-2025-0001.md:3:9: `title` is 131 characters long; feed readers and phones cut titles after about 120"
        ]
    );
    assert!(long.load().is_ok(), "a warning never stops publishing");
    assert_eq!(
        with_title(301).errors(),
        ["2025/PK-2025-0001.md:3:9: `title` is 301 characters long; at most 300 fit in feeds and link previews"]
    );
}

/// Issue 24: a `--dir` that does not exist is a usage error (exit 2), said with the fix.
#[test]
fn a_missing_folder_is_a_usage_error() {
    for command in ["check", "build"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
            .args([command, "--dir", "/nonexistent/advisories"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: the advisories folder /nonexistent/advisories does not exist\n  = help: run bulletin from the repository's top level, or pass the folder with --dir\n",
            "{command}"
        );
    }
}

/// `path:line:col: message` and the help of each error, for the tests of the fixes' words.
fn with_help(f: &Fixture) -> Vec<(String, String)> {
    f.load()
        .err()
        .unwrap_or_default()
        .iter()
        .filter(|d| d.level == bulletin::diagnostics::Level::Error)
        .map(|d| (format!("{}:{}:{}: {}", d.path, d.line, d.column, d.message), d.help.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn a_misspelt_required_field_is_one_problem_and_no_severity_is_suggested() {
    let typo = valid().replace("severity = \"high\"", "severty = \"high\"");
    assert_eq!(
        with_help(&Fixture::new().file(P, typo)),
        [(
            "2025/PK-2025-0001.md:6:1: unknown field `severty` in the front matter".to_string(),
            "did you mean `severity`?".to_string()
        )]
    );
    let missing = valid().replace("severity = \"high\"\n", "");
    assert_eq!(
        with_help(&Fixture::new().file(P, missing)),
        [(
            "2025/PK-2025-0001.md:1:1: missing required field `severity` in the front matter".to_string(),
            "add a line `severity = \"…\"` with one of: critical, high, medium, low, info".to_string()
        )]
    );
}

#[test]
fn a_quoted_date_is_fixed_with_the_writers_own_date() {
    let cases = [
        ("\"2025-06-01T10:30:00+05:00\"", "remove the quotes: published = 2025-06-01T10:30:00+05:00"),
        (
            "\"2025-06-01 10:30:00\"",
            "remove the quotes and add `Z` (UTC) or an offset such as `+05:00`: published = 2025-06-01T10:30:00Z",
        ),
        (
            "\"2025-06-01\"",
            "remove the quotes and add the time of day and `Z` (UTC) or an offset: published = 2025-06-01T09:00:00Z",
        ),
        (
            "\"1 June 2025\"",
            "remove the quotes and write the date as YYYY-MM-DD, the time and `Z` (UTC) or an offset, e.g. published = 2025-07-27T09:00:00Z",
        ),
    ];
    for (written, help) in cases {
        let text = valid().replace("2025-07-27T09:00:00Z", written);
        assert_eq!(
            with_help(&Fixture::new().file(P, text)),
            [(
                "2025/PK-2025-0001.md:5:13: `published` must be a TOML date-time, not a string".to_string(),
                help.to_string()
            )],
            "{written}"
        );
    }
    let date_only = valid().replace("2025-07-27T09:00:00Z", "2025-06-01");
    assert_eq!(
        with_help(&Fixture::new().file(P, date_only))[0].1,
        "add the time of day and `Z` (UTC) or an offset: published = 2025-06-01T09:00:00Z"
    );
}

const URDU: &str =
    "+++\nid = \"PK-2025-0001\"\ntitle = \"عنوان\"\nsummary = \"خلاصہ\"\ncovers = 2025-07-27T09:00:00Z\n+++\n\nمتن\n";

#[test]
fn a_translation_whose_id_differs_is_told_to_keep_its_language_suffix() {
    let f = Fixture::new().file(P, valid()).file("2025/PK-2025-0002.ur.md", URDU);
    assert_eq!(
        with_help(&f)[0],
        (
            "2025/PK-2025-0002.ur.md:2:6: id `PK-2025-0001` does not match the file name `PK-2025-0002`".to_string(),
            "the id is part of the URL and must equal the file name: write id = \"PK-2025-0002\" or rename the file to PK-2025-0001.ur.md".to_string()
        )
    );
}

#[test]
fn a_translation_of_an_unreadable_original_is_not_called_orphaned() {
    let broken = valid().replace("severity = \"high\"", "severity = = \"high\"");
    let f = Fixture::new().file(P, broken).file("2025/PK-2025-0001.ur.md", URDU);
    assert_eq!(
        f.errors(),
        ["2025/PK-2025-0001.md:6:12: TOML syntax error: extra `=`, expected nothing"],
        "only the original's own error"
    );
}

#[test]
fn a_reference_url_with_a_space_or_without_a_scheme_gets_its_own_fix() {
    let url_of = |url: &str| {
        let text = advisory("PK-2025-0001", &format!("[[references]]\ntitle = \"Statement\"\nurl = \"{url}\"\n"));
        with_help(&Fixture::new().file(P, text))
    };
    let spaced = url_of("https://example.org/press release");
    assert_eq!(spaced.len(), 1);
    assert_eq!(
        spaced[0].1,
        "a web address has no spaces: remove the space after `https://example.org/press`, or write it as %20 if the address really has one"
    );
    assert_eq!(url_of("www.pkcert.gov.pk/notice")[0].1, "add the scheme: \"https://www.pkcert.gov.pk/notice\"");
}

#[test]
fn bulletin_new_outside_an_advisories_folder_names_the_folder() {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .args(["new", "--title", "Test", "--dir"])
        .arg(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: {} is not an advisories folder: it has no site.toml\n  = help: run `bulletin new` from the folder above the advisories folder, or name the folder that holds site.toml with --dir\n",
            elsewhere.path().display()
        )
    );
    let out = Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .current_dir(elsewhere.path())
        .args(["new", "--title", "Test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the advisories folder advisories does not exist\n  = help: run bulletin from the repository's top level, or pass the folder with --dir\n"
    );
}

/// Links and images of a body (line 15 of the fixture advisory), with a public
/// advisory and a draft beside it.
fn links_in(body: &str) -> Fixture {
    crate::fixture::with_body(body)
        .file("2025/PK-2025-0002.md", advisory("PK-2025-0002", ""))
        .file("2025/PK-2025-0003.md", advisory("PK-2025-0003", "draft = true\n"))
}

#[test]
fn links_into_the_site_must_reach_a_page_and_an_anchor() {
    assert_eq!(
        with_help(&links_in("[PKCERT notice](www.pkcert.gov.pk/notice) and [notice](pkcert.gov.pk) [image](sms.png)")),
        [
            (
                "2025/PK-2025-0001.md:15:1: link `www.pkcert.gov.pk/notice` has no https://, so browsers look for it on this site".to_string(),
                "write the full address: https://www.pkcert.gov.pk/notice".to_string()
            ),
            (
                "2025/PK-2025-0001.md:15:47: link `pkcert.gov.pk` has no https://, so browsers look for it on this site".to_string(),
                "write the full address: https://pkcert.gov.pk".to_string()
            ),
            // Reported in the same run, although the file has errors of its own.
            (
                "2025/PK-2025-0001.md:15:71: link `sms.png` leads to /advisories/PK-2025-0001/sms.png, which is not a page of this site".to_string(),
                "link to an advisory as /advisories/PK-2025-0007/ or ../PK-2025-0007/, or to another site with its full https:// address".to_string()
            ),
        ]
    );
    let body = "[PKCERT notice](https://www.pkcert.gov.pk/notice) [other](../other/) ![screenshot](/images/none.png) \
[two](../PK-2025-0002/#what-happened) [typo](#what-happend) [there](/advisories/PK-2025-0002/#nope) \
[draft](../PK-2025-0003/) [steps](/checklist/passwords/) [home](../../) [feed](/tags/none/feed.xml) \
[slash](/advisories/PK-2025-0002) [up](../../../x) [Urdu](/ur/advisories/PK-2025-0002/#checklist) [self](#)";
    let f = links_in(body);
    assert_eq!(
        with_help(&f),
        [
            (
                "2025/PK-2025-0001.md:15:51: link `../other/` leads to /advisories/other/, which is not a page of this site",
                "link to an advisory as /advisories/PK-2025-0007/ or ../PK-2025-0007/, or to another site with its full https:// address"
            ),
            (
                "2025/PK-2025-0001.md:15:70: image `/images/none.png` is not a file of this site",
                "save the image in the folder named after the advisory (2025/PK-2025-0007/sms.png) and write ![what it shows](sms.png)"
            ),
            (
                "2025/PK-2025-0001.md:15:140: link `#what-happend`: `#what-happend` is not a heading or section of /advisories/PK-2025-0001/",
                "did you mean `#what-happened`?"
            ),
            (
                "2025/PK-2025-0001.md:15:162: link `/advisories/PK-2025-0002/#nope`: `#nope` is not a heading or section of /advisories/PK-2025-0002/",
                "the page's anchors are: #what-happened, #what-we-are-doing"
            ),
            (
                "2025/PK-2025-0001.md:15:202: link `../PK-2025-0003/` leads to PK-2025-0003, a draft that is not published",
                "remove the link, or publish that advisory first"
            ),
            (
                "2025/PK-2025-0001.md:15:274: link `/tags/none/feed.xml` leads to /tags/none/feed.xml, which is not a page of this site",
                "link to an advisory as /advisories/PK-2025-0007/ or ../PK-2025-0007/, or to another site with its full https:// address"
            ),
            (
                "2025/PK-2025-0001.md:15:302: link `/advisories/PK-2025-0002` leads to /advisories/PK-2025-0002, which is not a page of this site",
                "end it with a slash: /advisories/PK-2025-0002/"
            ),
            ("2025/PK-2025-0001.md:15:336: link `../../../x` leads outside the site", "link to an advisory as /advisories/PK-2025-0007/ or ../PK-2025-0007/, or to another site with its full https:// address"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn dropped_links_images_from_other_sites_and_raw_html_are_warnings() {
    let f = links_in(
        "[click](javascript:alert(1)) <b>bold</b> ![logo](https://tracker.example/p.png)\n\n<!-- check with legal -->\n\n<div>\n<p>x</p>\n</div>",
    );
    assert_eq!(f.errors(), Vec::<String>::new());
    assert_eq!(
        f.warnings(),
        [
            "2025/PK-2025-0001.md:15:1: link to `javascript:alert(1)` is dropped: readers see only its text",
            "2025/PK-2025-0001.md:15:30: raw HTML `<b>` is shown to readers as typed, not as markup",
            "2025/PK-2025-0001.md:15:42: image `https://tracker.example/p.png` is on another site, so readers see a link instead of it",
            "2025/PK-2025-0001.md:17:1: an HTML comment is shown to readers as typed",
            "2025/PK-2025-0001.md:19:1: raw HTML `<div>` is shown to readers as typed, not as markup",
        ]
    );
}

#[test]
fn a_breach_notice_without_the_sections_readers_need_is_warned() {
    // The fixture advisory is a complete data-breach notice.
    assert_eq!(Fixture::new().file(P, valid()).warnings(), Vec::<String>::new());
    let f = Fixture::new().file(P, valid().replace("## What we are doing", "## Our work"));
    assert_eq!(
        f.warnings(),
        ["2025/PK-2025-0001.md:4:8: the data-breach notice does not say what is being done about it"]
    );
    let d = f.load().unwrap().warnings.items()[0].clone();
    assert_eq!(
        d.help.as_deref(),
        Some(
            "add a section `## What we are doing`: breach-notice laws (GDPR Art. 34, California Civ. Code 1798.82) ask for it, and readers look for it"
        )
    );
    let bare = valid().replace("## What happened", "## Details");
    assert_eq!(
        Fixture::new().file(P, bare).warnings(),
        ["2025/PK-2025-0001.md:4:8: the data-breach notice does not say what happened"]
    );
    // A scam alert is not a breach notice.
    let scam = valid().replace("data-breach", "scam-alert");
    assert_eq!(Fixture::new().file(P, scam).warnings(), Vec::<String>::new());
    // The folder's notice.toml replaces the built-in rules.
    let own = "[en]\nhedges = [\"rest assured\"]\n[en.sections]\nwhat-happened = [\"What happened\"]\n";
    let f = Fixture::new().file(P, valid().replace("Something.", "Rest assured, it is fine.")).file("notice.toml", own);
    assert_eq!(f.warnings(), ["2025/PK-2025-0001.md:15:1: hedging \"rest assured\" in: \"Rest assured, it is fine.\""]);
}

#[test]
fn hedges_are_warned_with_their_sentence_in_english_and_urdu() {
    let body = "We have seen the files. Your data may have been copied. There is no evidence of misuse.";
    let f = crate::fixture::with_body(body)
        .file("2025/PK-2025-0001.ur.md", URDU.replace("متن", "ممکنہ طور پر آپ کا نمبر لیک ہوا۔ باقی ٹھیک ہے۔"));
    assert_eq!(
        f.warnings(),
        [
            "2025/PK-2025-0001.md:15:35: hedging \"may have\" in: \"Your data may have been copied.\"",
            "2025/PK-2025-0001.md:15:66: hedging \"no evidence of misuse\" in: \"There is no evidence of misuse.\"",
            "2025/PK-2025-0001.ur.md:8:1: hedging \"ممکنہ طور پر\" in: \"ممکنہ طور پر آپ کا نمبر لیک ہوا۔\"",
        ]
    );
}

#[test]
fn occurred_and_discovered_are_dates_in_order() {
    let with = |extra: &str| Fixture::new().file(P, advisory("PK-2025-0001", extra)).errors();
    assert_eq!(with("occurred = 2025-06-01\ndiscovered = 2025-07-03\n"), Vec::<String>::new());
    assert_eq!(with("occurred = [2025-06-01, 2025-06-15]\n"), Vec::<String>::new());
    assert_eq!(with("occurred = \"unknown\"\n"), Vec::<String>::new());
    assert_eq!(
        with("occurred = \"June 2025\"\n"),
        ["2025/PK-2025-0001.md:11:12: `occurred` must be a date, found \"June 2025\""]
    );
    assert_eq!(
        with("occurred = [2025-06-15, 2025-06-01]\n"),
        ["2025/PK-2025-0001.md:11:12: `occurred` ends (2025-06-01) before it starts (2025-06-15)"]
    );
    assert_eq!(
        with("occurred = 2025-07-10\ndiscovered = 2025-07-03\n"),
        ["2025/PK-2025-0001.md:12:14: `discovered` (2025-07-03) is before the incident began (2025-07-10)"]
    );
    assert_eq!(
        with("discovered = 2025-08-01\n"),
        ["2025/PK-2025-0001.md:11:14: `discovered` (2025-08-01) is after `published` (2025-07-27)"]
    );
}

#[test]
fn bulletin_new_scaffolds_the_sections_of_a_breach_notice() {
    let f = Fixture::new();
    let out = Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .args(["new", "--title", "Portal leak", "--kind", "data-breach", "--dir"])
        .arg(f.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## What happened",
            "## What information was involved",
            "## What we are doing",
            "## Protective measures",
            "## For more information"
        ]
    );
    assert!(text.contains("# occurred = 2025-06-01"), "{text}");
}

#[test]
fn files_beside_an_advisory_need_a_description_an_advisory_and_a_known_type() {
    let f = crate::fixture::with_body("![](sms.png) ![ ](/advisories/PK-2025-0001/sms.png)")
        .file("2025/PK-2025-0001/sms.png", b"not a png")
        .file("2025/PK-2025-0001/notes.docx", b"PK")
        .file("2025/PK-2025-0009/x.pdf", b"%PDF-1.7");
    assert_eq!(
        with_help(&f),
        [
            (
                "2025/PK-2025-0001.md:15:1: image `sms.png` has no description",
                "say what it shows for people who cannot see it: ![SMS claiming to be from the bank, asking for a code](sms.png)"
            ),
            // A file that cannot be published is not there to show.
            (
                "2025/PK-2025-0001.md:15:1: image `sms.png` is not a file of this site (it would be /advisories/PK-2025-0001/sms.png)",
                "save the image in the folder named after the advisory (2025/PK-2025-0007/sms.png) and write ![what it shows](sms.png)"
            ),
            (
                "2025/PK-2025-0001.md:15:14: image `/advisories/PK-2025-0001/sms.png` has no description",
                "say what it shows for people who cannot see it: ![SMS claiming to be from the bank, asking for a code](/advisories/PK-2025-0001/sms.png)"
            ),
            (
                "2025/PK-2025-0001.md:15:14: image `/advisories/PK-2025-0001/sms.png` is not a file of this site",
                "save the image in the folder named after the advisory (2025/PK-2025-0007/sms.png) and write ![what it shows](sms.png)"
            ),
            (
                "2025/PK-2025-0001/notes.docx:1:1: `notes.docx` cannot be published",
                "an advisory's folder holds images (PNG, JPEG, WebP), PDFs and .txt files"
            ),
            (
                "2025/PK-2025-0001/sms.png:1:1: `sms.png` cannot be read as an image: The image format could not be determined",
                "export it again as PNG or JPEG"
            ),
            (
                "2025/PK-2025-0009:1:1: the folder `2025/PK-2025-0009/` is named after no advisory",
                "files beside an advisory live in a folder named after its id, next to it: rename the folder, or add PK-2025-0009.md"
            ),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

/// A site over real TCP that answers by path, counting requests: `/ok` 200, `/gone`
/// 404, `/moved` 301 to `/new`, `/no-head` 405 to HEAD and 200 to GET, `/broken` 503.
fn link_target_site() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or_default();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let mut parts = line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let (status, extra) = match path {
                "/ok" => ("200 OK", ""),
                "/gone" => ("404 Not Found", ""),
                "/moved" => ("301 Moved Permanently", "Location: /new\r\n"),
                "/no-head" if method == "HEAD" => ("405 Method Not Allowed", ""),
                "/no-head" => ("200 OK", ""),
                _ => ("503 Service Unavailable", ""),
            };
            let _ = write!(&stream, "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (base, count)
}

#[test]
fn check_external_asks_each_link_once_a_day() {
    let (base, requests) = link_target_site();
    let body = format!(
        "[a]({base}/ok) [b]({base}/gone) [c]({base}/moved)\n\n[d]({base}/no-head) [e]({base}/broken) [a again]({base}/ok)"
    );
    let f = crate::fixture::with_body(&body);
    let run = || {
        let out = bulletin().args(["check", "--external", "--format", "json", "--dir"]).arg(f.path()).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let lines: Vec<String> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{}: {}: {}",
                    d["path"].as_str().unwrap(),
                    d["line"],
                    d["column"],
                    d["level"].as_str().unwrap(),
                    d["message"].as_str().unwrap()
                )
            })
            .collect();
        (out.status.code(), lines)
    };
    let (code, lines) = run();
    assert_eq!(code, Some(1), "a page that is gone is an error");
    let (first_line, last_line) = body.split_once("\n\n").unwrap();
    let column = |line: &str, path: &str| line.find(&format!("{base}{path}")).unwrap() + 1;
    assert_eq!(
        lines,
        [
            format!(
                "2025/PK-2025-0001.md:15:{}: error: link `{base}/gone` is gone: the site answers 404",
                column(first_line, "/gone")
            ),
            format!(
                "2025/PK-2025-0001.md:15:{}: warning: link `{base}/moved` has moved permanently to `{base}/new`",
                column(first_line, "/moved")
            ),
            format!(
                "2025/PK-2025-0001.md:17:{}: warning: link `{base}/broken` could not be checked: the site answers 503",
                column(last_line, "/broken")
            ),
        ]
    );
    // HEAD and GET for /no-head and /broken (a server error is asked again with GET), one HEAD for the others.
    let first = requests.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(first, 7);
    // A day's cache: only the failure is asked again.
    let (_, again) = run();
    assert_eq!(again, lines);
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), first + 2);
}
