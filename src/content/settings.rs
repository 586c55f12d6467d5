//! `site.toml`: the site's title, base URL, languages, contacts, channels and licence.

use crate::diagnostics::{Diagnostic, SourceFile};
use std::collections::BTreeMap;

use crate::model::{Channel, License, Settings, SiteTexts};

use super::advisory::url_field;
use super::fields::{Fields, errors, parse_toml};

const KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "id_prefix",
    "default_language",
    "languages",
    "contact_email",
    "security_email",
    "channels",
    "never_ask",
    "license",
    "feed_size",
    "repository_url",
    "history_subjects",
    "translations",
];

/// What `[translations.LANG]` may say: the texts every page repeats.
const TEXT_KEYS: &[&str] = &["title", "description", "channels", "never_ask"];

/// Default number of items per feed.
pub const DEFAULT_FEED_SIZE: usize = 50;

pub(crate) fn parse(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Settings> {
    let table = parse_toml(file, &file.text, 0, diags)?;
    let f = Fields::new(table.get_ref(), 0..0, 0, "site.toml");
    let before = errors(diags);
    let text = |key: &str, example: &str, help: &str, diags: &mut Vec<Diagnostic>| {
        f.required(file, diags, key, example).and_then(|v| v.text(file, diags, key, help))
    };
    let title = text("title", "\"Data Breach Advisories\"", "write the site's name", diags);
    let description = text("description", "\"What this site publishes.\"", "write one sentence about the site", diags);
    let base_url =
        url_field(file, &f, diags, "base_url", false).map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
    let id_prefix = text("id_prefix", "\"PK\"", "write the prefix of advisory ids, e.g. \"PK\"", diags).and_then(|p| {
        if p.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            Some(p)
        } else {
            let span = f.get("id_prefix").map_or(0..0, |v| v.span);
            diags.push(
                file.error(span, "`id_prefix` must be capital letters and digits").help("e.g. id_prefix = \"PK\""),
            );
            None
        }
    });
    let default_language = text("default_language", "\"en\"", "write a language code such as \"en\"", diags);
    let languages =
        f.required(file, diags, "languages", "[\"en\", \"ur\"]").and_then(|v| v.strings(file, diags, "languages", 0));
    // Language codes become folders (`/ur/`) and file suffixes (`ID.ur.md`).
    let languages = languages.and_then(|list| {
        let mut ok = true;
        for (code, span) in &list {
            if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                diags.push(
                    file.error(span.clone(), format!("language `{code}` is not a two- or three-letter code"))
                        .help("use lowercase ISO 639 codes such as \"en\" or \"ur\""),
                );
                ok = false;
            }
        }
        ok.then_some(list)
    });
    let contact_email = text("contact_email", "\"help@example.org\"", "write the address readers write to", diags);
    let security_email =
        text("security_email", "\"security@example.org\"", "write the address for security reports", diags);
    let never_ask = f
        .required(file, diags, "never_ask", "[\"your password or PIN\"]")
        .and_then(|v| v.strings(file, diags, "never_ask", 0))
        .map(|list| list.into_iter().map(|(s, _)| s).collect::<Vec<_>>());
    let feed_size = match f.get("feed_size") {
        None => Some(DEFAULT_FEED_SIZE as u64),
        Some(v) => v.unsigned(file, diags, "feed_size").filter(|n| {
            let ok = (1..=1000).contains(n);
            if !ok {
                diags.push(
                    file.error(v.span.clone(), "`feed_size` must be between 1 and 1000").help("50 is a good size"),
                );
            }
            ok
        }),
    };
    let history_subjects =
        f.get("history_subjects").map_or(Some(false), |v| v.boolean(file, diags, "history_subjects"));
    let repository_url = match f.get("repository_url") {
        None => Some(None),
        Some(_) => url_field(file, &f, diags, "repository_url", false).map(Some),
    };
    let license = f
        .required(
            file,
            diags,
            "license",
            "{ name = \"CC BY 4.0\", url = \"https://creativecommons.org/licenses/by/4.0/\" }",
        )
        .and_then(|v| {
            let t = v.table(file, diags, "license", 0, "[license]".into())?;
            let name = t
                .required(file, diags, "name", "\"CC BY 4.0\"")
                .and_then(|v| v.text(file, diags, "name", "name the licence"));
            let url = url_field(file, &t, diags, "url", false);
            t.finish(file, diags, &["name", "url"]);
            Some(License { name: name?, url: url? })
        });
    let channels = f
        .required(file, diags, "channels", "[{ name = \"This website\", url = \"https://…\" }]")
        .and_then(|v| channels(file, &v, diags));
    let translations =
        f.get("translations").and_then(|v| v.table(file, diags, "translations", 0, "[translations]".into()));
    f.finish(file, diags, KEYS);

    let languages: Vec<String> = languages?.into_iter().map(|(l, _)| l).collect();
    let default_language = default_language?;
    if !languages.contains(&default_language) {
        let span = f_span(&table, "languages");
        diags.push(
            file.error(span, format!("`languages` does not include the default language `{default_language}`"))
                .help(format!("list it first: languages = [\"{default_language}\", …]")),
        );
    }
    if errors(diags) > before {
        return None;
    }
    let mut languages = languages;
    languages.retain(|l| *l != default_language);
    languages.insert(0, default_language.clone());
    let default_texts = SiteTexts {
        lang: default_language.clone(),
        title: title?,
        description: description?,
        channels: channels?,
        never_ask: never_ask?,
    };
    let texts = translated_texts(file, translations, &languages, default_texts, diags)?;
    Some(Settings {
        texts,
        base_url: base_url?,
        id_prefix: id_prefix?,
        default_language,
        languages,
        contact_email: contact_email?,
        security_email: security_email?,
        license: license?,
        feed_size: feed_size? as usize,
        repository_url: repository_url?,
        history_subjects: history_subjects?,
    })
}

/// A `channels` list: `[[channels]]` entries with `name` and `url`.
fn channels(file: &SourceFile, v: &super::fields::Value<'_, '_>, diags: &mut Vec<Diagnostic>) -> Option<Vec<Channel>> {
    let mut out = Vec::new();
    for item in v.array(file, diags, "channels", 0)? {
        let t = item.table(file, diags, "channels", 0, "a [[channels]] entry".into())?;
        let name = t
            .required(file, diags, "name", "\"This website\"")
            .and_then(|v| v.text(file, diags, "name", "name the channel"));
        let url = url_field(file, &t, diags, "url", true);
        t.finish(file, diags, &["name", "url"]);
        out.push(Channel { name: name?, url: url? });
    }
    Some(out)
}

/// Every language's texts: the default language's from the top level, each other's
/// from `[translations.LANG]`. What a language does not translate is taken from the
/// default language, with a warning naming the missing key.
fn translated_texts(
    file: &SourceFile,
    translations: Option<super::fields::Fields<'_, '_>>,
    languages: &[String],
    default: SiteTexts,
    diags: &mut Vec<Diagnostic>,
) -> Option<BTreeMap<String, SiteTexts>> {
    let before = errors(diags);
    let mut tables = BTreeMap::new();
    let anchor = translations.as_ref().map_or(0..0, |t| t.anchor());
    if let Some(translations) = &translations {
        for (lang, key_span, value) in translations.entries() {
            if !languages[1..].contains(&lang) {
                diags.push(
                    file.error(
                        key_span,
                        format!("`[translations.{lang}]`: `{lang}` is not one of the site's other languages"),
                    )
                    .help(format!(
                        "add \"{lang}\" to `languages`, or remove the table; the languages are {}",
                        languages.join(", ")
                    )),
                );
                continue;
            }
            if let Some(t) = value.table(file, diags, &lang, 0, format!("[translations.{lang}]")) {
                tables.insert(lang, t);
            }
        }
    }
    let mut texts = BTreeMap::new();
    for lang in &languages[1..] {
        let missing = |key: &str, span: std::ops::Range<usize>| {
            file.warning(
                span,
                format!("site.toml has no `{key}` in {lang}: pages in {lang} show the default language's"),
            )
            .help(format!("add `{key}` under [translations.{lang}]"))
        };
        let Some(t) = tables.remove(lang) else {
            for key in TEXT_KEYS {
                diags.push(missing(key, anchor.clone()));
            }
            texts.insert(lang.clone(), default.clone());
            continue;
        };
        let text =
            |key: &str, diags: &mut Vec<Diagnostic>| t.get(key).and_then(|v| v.text(file, diags, key, "translate it"));
        let title = text("title", diags);
        let description = text("description", diags);
        let channels = t.get("channels").and_then(|v| channels(file, &v, diags));
        let never_ask = t
            .get("never_ask")
            .and_then(|v| v.strings(file, diags, "never_ask", 0))
            .map(|list| list.into_iter().map(|(s, _)| s).collect::<Vec<_>>());
        for (key, present) in [
            ("title", title.is_some()),
            ("description", description.is_some()),
            ("channels", channels.is_some()),
            ("never_ask", never_ask.is_some()),
        ] {
            if !present && t.get(key).is_none() {
                diags.push(missing(key, t.anchor()));
            }
        }
        t.finish(file, diags, TEXT_KEYS);
        texts.insert(
            lang.clone(),
            SiteTexts {
                // Partly translated texts count as the language's; what is missing was warned about.
                lang: lang.clone(),
                title: title.unwrap_or_else(|| default.title.clone()),
                description: description.unwrap_or_else(|| default.description.clone()),
                channels: channels.unwrap_or_else(|| default.channels.clone()),
                never_ask: never_ask.unwrap_or_else(|| default.never_ask.clone()),
            },
        );
    }
    texts.insert(languages[0].clone(), default);
    (errors(diags) == before).then_some(texts)
}

fn f_span(table: &toml::Spanned<toml::de::DeTable<'_>>, key: &str) -> std::ops::Range<usize> {
    table.get_ref().iter().find(|(k, _)| k.get_ref().as_ref() == key).map_or(0..0, |(_, v)| v.span())
}
