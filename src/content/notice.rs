//! What a breach notice must tell readers: the rules of `notice.toml` (built in, or the
//! advisories folder's own copy), the completeness warnings for data-breach and
//! credential-theft advisories, the hedge-word warnings, and the dates `occurred` and
//! `discovered`.

use std::collections::BTreeMap;
use std::ops::Range;

use jiff::civil::Date;
use toml::de::DeValue;

use super::fields::{Fields, Value};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::model::{Kind, Occurred};

/// The built-in rules (i18n/notice.toml).
pub(crate) const BUILT_IN: &str = include_str!("../../i18n/notice.toml");

/// The sections a notice must have, in order, with why the law asks for each.
pub(crate) const SECTIONS: &[(&str, &str)] = &[
    ("what-happened", "what happened"),
    ("what-information", "what information was involved"),
    ("what-we-are-doing", "what is being done about it"),
    ("what-you-can-do", "what readers can do"),
    ("more-information", "how to get more information"),
];

/// One language's rules.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct LanguageRules {
    #[serde(default)]
    pub(crate) hedges: Vec<String>,
    /// Section key → heading words; the first is the heading `bulletin new` writes.
    #[serde(default)]
    pub(crate) sections: BTreeMap<String, Vec<String>>,
}

/// The rules of every language, by language code.
#[derive(Debug, Default, Clone)]
pub(crate) struct NoticeRules {
    pub(crate) languages: BTreeMap<String, LanguageRules>,
}

impl NoticeRules {
    /// Parses `notice.toml`; a mistake is reported in `file` and the built-in rules apply.
    pub(crate) fn parse(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Self {
        match toml::from_str::<BTreeMap<String, LanguageRules>>(&file.text) {
            Ok(languages) => {
                for (lang, rules) in &languages {
                    for key in rules.sections.keys() {
                        if !SECTIONS.iter().any(|(k, _)| k == key) {
                            diags.push(file.error(0..0, format!("unknown section `{key}` in [{lang}.sections]")).help(
                                format!(
                                    "the sections are: {}",
                                    SECTIONS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                                ),
                            ));
                        }
                    }
                }
                Self { languages }
            }
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                diags.push(
                    file.error(span, format!("notice.toml: {}", e.message().trim()))
                        .help("each language is a table with `hedges = [\"…\"]` and a [LANG.sections] table"),
                );
                Self::built_in().clone()
            }
        }
    }

    /// The rules shipped with bulletin.
    pub(crate) fn built_in() -> &'static Self {
        static RULES: std::sync::OnceLock<NoticeRules> = std::sync::OnceLock::new();
        RULES.get_or_init(|| {
            let languages = toml::from_str(BUILT_IN).unwrap_or_else(|e| panic!("i18n/notice.toml: {e}"));
            Self { languages }
        })
    }

    /// The heading `bulletin new` writes for `section` in `lang`, if the rules have one.
    pub(crate) fn heading(&self, lang: &str, section: &str) -> Option<&str> {
        self.languages.get(lang)?.sections.get(section)?.first().map(String::as_str)
    }
}

/// What a notice already says without a section of its own.
pub(crate) struct Given {
    /// The `data` field lists what was involved.
    pub(crate) data_classes: bool,
    /// The checklist has steps.
    pub(crate) steps: bool,
    /// References or the site's official channels.
    pub(crate) contacts: bool,
}

/// Warns when a data-breach or credential-theft notice in `lang` lacks a section that
/// readers and the law expect. `at` is where the warning points (the `kind` line).
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_sections(
    file: &SourceFile,
    body: &str,
    kind: Kind,
    lang: &str,
    rules: &NoticeRules,
    given: &Given,
    at: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    if !matches!(kind, Kind::DataBreach | Kind::CredentialTheft) {
        return;
    }
    let Some(language) = rules.languages.get(lang) else { return };
    let headings = headings(body);
    for (key, what) in SECTIONS {
        let covered = match *key {
            "what-information" => given.data_classes,
            "what-you-can-do" => given.steps,
            "more-information" => given.contacts,
            _ => false,
        };
        let Some(words) = language.sections.get(*key).filter(|w| !w.is_empty()) else { continue };
        if covered || headings.iter().any(|h| words.iter().any(|w| h.contains(&w.to_lowercase()))) {
            continue;
        }
        diags.push(file.warning(at.clone(), format!("the {kind} notice does not say {what}")).help(format!(
            "add a section `## {}`: breach-notice laws (GDPR Art. 34, California Civ. Code 1798.82) ask for it, and readers look for it",
            words[0]
        )));
    }
}

/// The text of every heading of `body`, lowercased.
fn headings(body: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(body, super::checklist::markdown_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = &mut current {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => out.extend(current.take().map(|h| h.to_lowercase())),
            _ => {}
        }
    }
    out
}

/// Warns at each hedge of `lang`'s list in `text` (a body or a summary at `offset` in
/// the file), quoting its sentence.
pub(crate) fn check_hedges(
    file: &SourceFile,
    text: &str,
    offset: usize,
    lang: &str,
    rules: &NoticeRules,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(language) = rules.languages.get(lang) else { return };
    // ASCII lowercasing keeps byte offsets; Urdu has no case.
    let lower = text.to_ascii_lowercase();
    let mut found: Vec<(usize, &str)> = Vec::new();
    for hedge in &language.hedges {
        let needle = hedge.to_ascii_lowercase();
        if needle.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            let at = from + i;
            let end = at + needle.len();
            let starts_word = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let ends_word = lower[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            if starts_word && ends_word && !found.iter().any(|(f, _)| *f == at) {
                found.push((at, hedge));
            }
            from = end;
        }
    }
    found.sort_unstable();
    for (at, hedge) in found {
        let sentence = sentence_around(text, at);
        diags.push(
            file.warning(offset + at..offset + at + hedge.len(), format!("hedging \"{hedge}\" in: \"{sentence}\""))
                .help("say what is known and what is not (\"Your phone number was exposed\", \"We do not yet know whether passwords were taken\"): hedged notices are read as \"nothing to do\" (Zou et al., CHI 2019)"),
        );
    }
}

/// The sentence of `text` around byte `at`, on one line and at most about 160 characters.
fn sentence_around(text: &str, at: usize) -> String {
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '۔');
    let after_end = text[..at].rfind(is_end).map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8));
    let after_paragraph = text[..at].rfind("\n\n").map(|i| i + 2);
    let start = after_end.max(after_paragraph).unwrap_or(0);
    let to_end = text[at..].find(is_end).map(|i| at + i + text[at + i..].chars().next().map_or(0, char::len_utf8));
    let to_paragraph = text[at..].find("\n\n").map(|i| at + i);
    let end = match (to_end, to_paragraph) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(text.len()),
    };
    let sentence: String = text[start..end].split_whitespace().collect::<Vec<_>>().join(" ");
    if sentence.chars().count() > 160 {
        let cut: String = sentence.chars().take(157).collect();
        format!("{cut}…")
    } else {
        sentence
    }
}

/// `occurred`: a date, `[first, last]`, or `"unknown"`.
pub(crate) fn occurred(file: &SourceFile, f: &Fields<'_, '_>, diags: &mut Vec<Diagnostic>) -> Option<Option<Occurred>> {
    let Some(v) = f.get("occurred") else { return Some(None) };
    let help =
        "write a date (occurred = 2025-06-01), a range (occurred = [2025-06-01, 2025-06-15]) or occurred = \"unknown\"";
    match v.value {
        DeValue::String(s) if s.trim() == "unknown" => Some(Some(Occurred::Unknown)),
        DeValue::Array(items) if items.len() == 2 => {
            let span = |i: usize| {
                let s = items[i].span();
                s.start + f.offset()..s.end + f.offset()
            };
            let first = date_of(file, &Value { value: items[0].get_ref(), span: span(0) }, "occurred", help, diags)?;
            let last = date_of(file, &Value { value: items[1].get_ref(), span: span(1) }, "occurred", help, diags)?;
            if last < first {
                diags.push(
                    file.error(v.span.clone(), format!("`occurred` ends ({last}) before it starts ({first})"))
                        .help("write the earlier date first: occurred = [first, last]"),
                );
                return None;
            }
            Some(Some(if first == last { Occurred::On(first) } else { Occurred::Between(first, last) }))
        }
        _ => date_of(file, &v, "occurred", help, diags).map(|d| Some(Occurred::On(d))),
    }
}

/// `discovered`: a date.
pub(crate) fn discovered(file: &SourceFile, f: &Fields<'_, '_>, diags: &mut Vec<Diagnostic>) -> Option<Option<Date>> {
    let Some(v) = f.get("discovered") else { return Some(None) };
    date_of(file, &v, "discovered", "write the date without quotes: discovered = 2025-07-03", diags).map(Some)
}

/// A TOML date (or the date of a date-time).
fn date_of(file: &SourceFile, v: &Value<'_, '_>, key: &str, help: &str, diags: &mut Vec<Diagnostic>) -> Option<Date> {
    let date = match v.value {
        DeValue::Datetime(dt) => dt.date,
        _ => None,
    };
    let parsed = date.and_then(|d| Date::new(d.year as i16, d.month as i8, d.day as i8).ok());
    if parsed.is_none() {
        let found = match v.value {
            DeValue::String(s) => format!("\"{s}\""),
            _ => "something else".to_string(),
        };
        diags.push(file.error(v.span.clone(), format!("`{key}` must be a date, found {found}")).help(help.to_string()));
    }
    parsed
}

/// Dates that cannot be in this order: it ended after it was discovered, or it was
/// discovered after the advisory was published.
pub(crate) fn check_order(
    file: &SourceFile,
    occurred: Option<Occurred>,
    discovered: Option<(Date, Range<usize>)>,
    published: Option<Date>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some((found, span)) = discovered else { return };
    let started = match occurred {
        Some(Occurred::On(d) | Occurred::Between(d, _)) => Some(d),
        _ => None,
    };
    if let Some(start) = started
        && start > found
    {
        diags.push(
            file.error(span.clone(), format!("`discovered` ({found}) is before the incident began ({start})"))
                .help("check both dates: an incident is discovered when or after it begins"),
        );
    }
    if let Some(published) = published
        && found > published
    {
        diags.push(
            file.error(span, format!("`discovered` ({found}) is after `published` ({published})"))
                .help("check both dates: the advisory is published after the incident is discovered"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_rules_have_every_section_in_every_language() {
        let rules = NoticeRules::built_in();
        for lang in ["en", "ur"] {
            for (key, _) in SECTIONS {
                assert!(rules.heading(lang, key).is_some(), "{lang} {key}");
            }
            assert!(!rules.languages[lang].hedges.is_empty());
        }
    }

    #[test]
    fn a_sentence_is_quoted_on_one_line() {
        let text = "First one. Your data may have\nbeen seen. Last.";
        assert_eq!(sentence_around(text, text.find("may").unwrap()), "Your data may have been seen.");
        let urdu = "پہلا۔ آپ کا ڈیٹا شاید لیک ہوا۔ آخری";
        assert_eq!(sentence_around(urdu, urdu.find("شاید").unwrap()), "آپ کا ڈیٹا شاید لیک ہوا۔");
    }
}
