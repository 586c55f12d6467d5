//! `measures.toml`: the protective-measures catalogue, one table per data class.
//!
//! A measure is defined once (`id`, `urgency`, `text`, optional `link`) and may be
//! reused by another class that names only its `id`.

use std::ops::Range;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::model::{Catalogue, DataClass, DataClassInfo, Keyword, Measure, Urgency};

use super::advisory::is_absolute_http_url;
use super::fields::{Fields, did_you_mean, errors, parse_toml};

/// A measure id and where it is written.
type SpannedId = (String, Range<usize>);

pub(crate) fn parse(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Catalogue> {
    let table = parse_toml(file, &file.text, 0, diags)?;
    let before = errors(diags);
    let mut catalogue = Catalogue::default();
    // Class key → (measure id, span, is definition) in order; references are resolved after all definitions are known.
    let mut order: Vec<(String, Vec<SpannedId>)> = Vec::new();
    // Ids whose definition had errors: already reported, so uses of them are not reported again.
    let mut failed: Vec<String> = Vec::new();

    for (key, value) in table.get_ref().iter() {
        let class = key.get_ref().to_string();
        let key_span = key.span();
        if !class.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())) {
            diags.push(file.error(key_span.clone(), format!("data class `{class}` is not a lowercase word")).help(
                "class keys appear in URLs and in advisories' `data`: use a-z, 0-9 and dashes, e.g. [phone-numbers]",
            ));
            continue;
        }
        let toml::de::DeValue::Table(t) = value.get_ref() else {
            diags.push(
                file.error(
                    key_span,
                    format!("`{class}` must be a table `[{class}]` with label, description and measures"),
                )
                .help(format!("write [{class}] on its own line, then label = \"…\" and description = \"…\"")),
            );
            continue;
        };
        let f = Fields::new(t, key_span.clone(), 0, format!("[{class}]"));
        let label = f
            .required(file, diags, "label", "\"Passwords\"")
            .and_then(|v| v.text(file, diags, "label", "a short name"));
        let description = f
            .required(file, diags, "description", "\"What this data is.\"")
            .and_then(|v| v.text(file, diags, "description", "one sentence saying what this data is"));
        let mut ids = Vec::new();
        let mut last_urgency = Urgency::Now;
        if let Some(v) = f.required(file, diags, "measures", "[…] (write [[class.measures]] tables)") {
            for item in v.array(file, diags, "measures", 0).unwrap_or_default() {
                let Some(m) = item.table(file, diags, "measures", 0, format!("a [[{class}.measures]] entry")) else {
                    continue;
                };
                let Some(id) = m.required(file, diags, "id", "\"change-passwords\"").and_then(|v| {
                    let id = v.text(file, diags, "id", "a stable lowercase id such as \"change-passwords\"")?;
                    if id
                        .split('-')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
                    {
                        Some((id, v.span))
                    } else {
                        diags.push(
                            file.error(v.span, format!("measure id `{id}` is not a lowercase word"))
                                .help("use a-z, 0-9 and dashes"),
                        );
                        None
                    }
                }) else {
                    m.finish(file, diags, &["id", "urgency", "text", "link"]);
                    continue;
                };
                let is_definition = m.get("text").is_some() || m.get("urgency").is_some() || m.get("link").is_some();
                if is_definition {
                    let urgency = m.required(file, diags, "urgency", "\"now\"").and_then(|v| {
                        let word = v.text(file, diags, "urgency", "now, this-week or ongoing")?;
                        let parsed = Urgency::parse(&word);
                        if parsed.is_none() {
                            let help = match did_you_mean(&word, Urgency::words()) {
                                Some(n) => format!("did you mean `{n}`? urgency is one of: now, this-week, ongoing"),
                                None => "urgency is one of: now, this-week, ongoing".into(),
                            };
                            diags.push(file.error(v.span.clone(), format!("unknown urgency `{word}`")).help(help));
                        }
                        if let Some(u) = parsed {
                            if u < last_urgency {
                                diags.push(
                                    file.error(v.span, format!("measure `{}` ({word}) comes after a less urgent one", id.0))
                                        .help("order each class's measures most urgent first: now, then this-week, then ongoing"),
                                );
                            }
                            last_urgency = u;
                        }
                        parsed
                    });
                    let text = m
                        .required(file, diags, "text", "\"What to do, in one or two sentences.\"")
                        .and_then(|v| v.text(file, diags, "text", "say what to do"));
                    let link = m.get("link").and_then(|v| {
                        let url = v.string(file, diags, "link")?;
                        if is_absolute_http_url(&url) {
                            Some(url)
                        } else {
                            diags.push(
                                file.error(v.span, format!("`link` must be an absolute http(s) URL, found `{url}`"))
                                    .help("write the full address, starting with https://"),
                            );
                            None
                        }
                    });
                    if urgency.is_none() || text.is_none() {
                        failed.push(id.0.clone());
                    }
                    if let (Some(urgency), Some(text)) = (urgency, text) {
                        if catalogue.measure(&id.0).is_some() {
                            diags
                                .push(file.error(id.1.clone(), format!("measure `{}` is defined twice", id.0)).help(
                                    "give it another id, or reuse the first definition by writing only `id = …`",
                                ));
                        } else if let Some(same) = catalogue.measure_with_text(&text) {
                            // Two ids for one step would let a checklist drop one of them.
                            failed.push(id.0.clone());
                            let span = m.get("text").map_or(id.1.clone(), |v| v.span);
                            diags.push(
                                file.error(span, format!("measure `{}` has the same text as `{}`", id.0, same.id))
                                    .help(format!("reuse it by writing only `id = \"{}\"` in this class", same.id)),
                            );
                        } else {
                            catalogue.insert_measure(Measure { id: id.0.clone(), urgency, text, link });
                        }
                    }
                }
                m.finish(file, diags, &["id", "urgency", "text", "link"]);
                ids.push(id);
            }
        }
        f.finish(file, diags, &["label", "description", "measures"]);
        if let (Some(label), Some(description)) = (label, description) {
            catalogue.classes.insert(
                class.clone(),
                DataClassInfo { key: DataClass(class.clone()), label, description, measures: Vec::new() },
            );
        }
        order.push((class, ids));
    }

    for (class, ids) in order {
        let mut resolved = Vec::new();
        for (id, span) in ids {
            if catalogue.measure(&id).is_some() {
                if !resolved.contains(&id) {
                    resolved.push(id);
                }
            } else if !failed.contains(&id) {
                let mut d = file.error(span, format!("measure `{id}` is used in [{class}] but defined nowhere"));
                d = match did_you_mean(&id, catalogue.measures().map(|m| m.id.as_str())) {
                    Some(n) => d.help(format!("did you mean `{n}`?")),
                    None => d.help("define it once with id, urgency and text; other classes may then name only its id"),
                };
                diags.push(d);
            }
        }
        // Keep the class's own order, most urgent first (references may bring in any urgency).
        resolved.sort_by_key(|id| catalogue.measure(id).map(|m| m.urgency));
        if let Some(info) = catalogue.classes.get_mut(&class) {
            info.measures = resolved;
        }
    }
    if catalogue.classes.is_empty() && errors(diags) == before {
        diags.push(
            file.error(0..0, "measures.toml defines no data class").help(
                "add a table per data class, e.g. [passwords] with label, description and [[passwords.measures]]",
            ),
        );
    }
    (errors(diags) == before).then_some(catalogue)
}

/// Reads `measures.LANG.toml`, the catalogue's words in another language:
///
/// ```toml
/// [classes.passwords]
/// label = "…"
/// description = "…"
///
/// [measures]
/// change-passwords-clean-device = "…"
/// ```
///
/// Keyed by class and measure id, so that a translator works through one short file and
/// a reviewer sees at a glance what is missing; an unknown key is an error (a typo would
/// leave a step in English), a missing one a warning.
pub(crate) fn parse_texts(
    file: &SourceFile,
    catalogue: &Catalogue,
    diags: &mut Vec<Diagnostic>,
) -> Option<crate::model::CatalogueTexts> {
    let table = parse_toml(file, &file.text, 0, diags)?;
    let f = Fields::new(table.get_ref(), 0..0, 0, file.path.clone());
    let mut texts = crate::model::CatalogueTexts::default();
    if let Some(classes) = f.get("classes").and_then(|v| v.table(file, diags, "classes", 0, "[classes]".into())) {
        for (key, span, value) in classes.entries() {
            if catalogue.class(&key).is_none() {
                let mut d = file.error(span, format!("`{key}` is not a data class of measures.toml"));
                d = match did_you_mean(&key, catalogue.classes.keys().map(String::as_str)) {
                    Some(near) => d.help(format!("did you mean `{near}`?")),
                    None => d.help("translate the classes measures.toml defines"),
                };
                diags.push(d);
                continue;
            }
            let Some(t) = value.table(file, diags, &key, 0, format!("[classes.{key}]")) else { continue };
            let label =
                t.required(file, diags, "label", "\"…\"").and_then(|v| v.text(file, diags, "label", "translate it"));
            let description = t
                .required(file, diags, "description", "\"…\"")
                .and_then(|v| v.text(file, diags, "description", "translate it"));
            t.finish(file, diags, &["label", "description"]);
            if let (Some(label), Some(description)) = (label, description) {
                texts.classes.insert(key, (label, description));
            }
        }
    }
    if let Some(measures) = f.get("measures").and_then(|v| v.table(file, diags, "measures", 0, "[measures]".into())) {
        for (id, span, value) in measures.entries() {
            if catalogue.measure(&id).is_none() {
                let mut d = file.error(span, format!("`{id}` is not a measure of measures.toml"));
                d = match did_you_mean(&id, catalogue.measures().map(|m| m.id.as_str())) {
                    Some(near) => d.help(format!("did you mean `{near}`?")),
                    None => d.help("translate the measures measures.toml defines, by their id"),
                };
                diags.push(d);
                continue;
            }
            if let Some(text) = value.text(file, diags, &id, "translate the step") {
                texts.measures.insert(id, text);
            }
        }
    }
    f.finish(file, diags, &["classes", "measures"]);
    let untranslated: Vec<&str> =
        catalogue.classes.keys().map(String::as_str).filter(|k| !texts.classes.contains_key(*k)).collect();
    if !untranslated.is_empty() {
        diags.push(
            file.warning(0..0, format!("data classes not translated here: {}", untranslated.join(", ")))
                .help("add a [classes.KEY] table with label and description for each; until then pages show them in the default language"),
        );
    }
    let untranslated: Vec<&str> =
        catalogue.measures().map(|m| m.id.as_str()).filter(|id| !texts.measures.contains_key(*id)).collect();
    if !untranslated.is_empty() {
        diags.push(
            file.warning(0..0, format!("measures not translated here: {}", untranslated.join(", ")))
                .help("add `ID = \"…\"` under [measures] for each; until then the step shows in the default language, marked as such"),
        );
    }
    Some(texts)
}
