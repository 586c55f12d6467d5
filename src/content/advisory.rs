//! Validating one advisory file or translation: spanned TOML front matter to
//! typed [`Advisory`] / [`Translation`], with every problem reported.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::model::{
    Advisory, AdvisoryId, BodyLink, Catalogue, DataClass, Keyword, Kind, REPEAT_SIMILARITY, Reference, Settings,
    Severity, Status, Tag, Translation, Update, Verification, similarity,
};

use super::checklist;
use super::fields::{Fields, Value, did_you_mean, errors, parse_toml};
use super::front_matter;
use super::notice::{self, NoticeRules};

/// Longest title, in characters, that fits a feed reader's list and a phone screen: a
/// longer one is a warning (real advisories run to 144), one over [`TITLE_HARD_MAX`] an error.
pub const TITLE_MAX: usize = 120;
/// Longest title accepted at all.
pub(super) const TITLE_HARD_MAX: usize = 300;
/// Longest summary or update summary, in characters: feed readers cut longer text.
pub const SUMMARY_MAX: usize = 280;

const ADVISORY_KEYS: &[&str] = &[
    "id",
    "title",
    "kind",
    "published",
    "severity",
    "status",
    "verification",
    "summary",
    "data",
    "affected",
    "affected_count",
    "occurred",
    "discovered",
    "tags",
    "draft",
    "references",
    "updates",
];
const TRANSLATION_KEYS: &[&str] = &["id", "title", "summary", "covers", "updates", "draft"];

/// What validating a file needs from the rest of the repository.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) settings: Option<&'a Settings>,
    pub(crate) catalogue: Option<&'a Catalogue>,
    pub(crate) notice: &'a NoticeRules,
}

/// A validated file (if valid) and its id with the id's span, for the cross-file rules,
/// which run even on files with other problems.
pub(crate) struct Parsed<T> {
    pub(crate) value: Option<T>,
    pub(crate) id: Option<(String, Range<usize>)>,
    /// The body's links, checked against the site even when the file has other problems.
    pub(crate) links: Vec<BodyLink>,
}

impl<T> Parsed<T> {
    fn none() -> Self {
        Self { value: None, id: None, links: Vec::new() }
    }
}

/// Validates an advisory file named `stem.md` in the folder `year`.
pub(crate) fn advisory(
    file: &SourceFile,
    stem: &str,
    year: &str,
    ctx: Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Parsed<Advisory> {
    let Ok(split) = front_matter::split(file).map_err(|d| diags.push(d)) else {
        return Parsed::none();
    };
    let Some(table) = parse_toml(file, split.front_matter, split.front_matter_offset, diags) else {
        return Parsed::none();
    };
    let f = Fields::new(table.get_ref(), split.opening.clone(), split.front_matter_offset, "the front matter");
    let before = errors(diags);

    let Some((id, id_span)) = id_field(file, &f, stem, ".md", diags) else {
        f.finish(file, diags, ADVISORY_KEYS);
        return Parsed::none();
    };
    check_id_shape(file, &id, id_span.clone(), year, ctx, diags);
    let title = f
        .required(file, diags, "title", "\"What happened, in a few words\"")
        .and_then(|v| title_text(file, diags, &v, "a headline of a few words"));
    let kind = keyword::<Kind>(file, &f, diags, "kind", true);
    let published = f
        .required(file, diags, "published", "2025-07-27T09:00:00Z")
        .and_then(|v| v.timestamp(file, diags, "published"));
    let severity = keyword::<Severity>(file, &f, diags, "severity", true);
    let status = keyword::<Status>(file, &f, diags, "status", true);
    let verification = match f.get("verification") {
        Some(_) => keyword::<Verification>(file, &f, diags, "verification", false),
        None => Some(Verification::Confirmed),
    };
    let summary = f
        .required(file, diags, "summary", "\"One or two plain sentences.\"")
        .and_then(|v| bounded_text(file, diags, &v, "summary", SUMMARY_MAX, "one or two plain sentences"));
    let data =
        f.required(file, diags, "data", "[\"phone-numbers\"]").and_then(|v| data_classes(file, &f, &v, ctx, diags));
    let affected = f
        .required(file, diags, "affected", "\"Who is affected\"")
        .and_then(|v| v.text(file, diags, "affected", "say who is affected, e.g. \"Customers of the portal\""));
    let affected_count = f.get("affected_count").map(|v| v.unsigned(file, diags, "affected_count"));
    let occurred = notice::occurred(file, &f, diags);
    let discovered = notice::discovered(file, &f, diags);
    if let (Some(occurred), Some(Some(found))) = (occurred, discovered) {
        let span = f.get("discovered").map(|v| v.span).unwrap_or_default();
        let published = published.map(|p| p.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
        notice::check_order(file, occurred, Some((found, span)), published, diags);
    }
    let tags = match f.get("tags") {
        Some(v) => tags(file, &f, &v, diags),
        None => Some(Vec::new()),
    };
    let draft = f.get("draft").map_or(Some(false), |v| v.boolean(file, diags, "draft"));
    let references = match f.get("references") {
        Some(v) => references(file, &f, &v, diags),
        None => Some(Vec::new()),
    };
    let updates = match f.get("updates") {
        Some(v) => updates(file, &f, &v, published, diags),
        None => Some(Vec::new()),
    };
    let (kind_span, summary_span) = (f.get("kind").map(|v| v.span), f.get("summary").map(|v| v.span));
    f.finish(file, diags, ADVISORY_KEYS);

    placeholders_in_body(file, split.body, split.body_offset, diags);
    let extracted = checklist::extract(file, split.body, split.body_offset, diags);
    if let Some(catalogue) = ctx.catalogue {
        check_steps(file, &extracted, catalogue, data.as_deref().unwrap_or_default(), diags);
    }
    let links = super::links::scan(file, split.body, split.body_offset, diags);
    let checklist = match (ctx.catalogue, &data) {
        (Some(catalogue), Some(data)) => catalogue.checklist(&extracted.items, data.iter().map(DataClass::as_str)),
        _ => Vec::new(),
    };
    if let Some(settings) = ctx.settings {
        let lang = settings.default_language.as_str();
        // A file with errors is fixed first: its sections are judged once it is valid.
        if let (Some(kind), Some(at), true) = (kind, kind_span, errors(diags) == before) {
            let given = notice::Given {
                data_classes: data.as_ref().is_some_and(|d| !d.is_empty()),
                steps: !checklist.is_empty(),
                contacts: settings.texts.values().any(|t| !t.channels.is_empty())
                    || references.as_ref().is_some_and(|r| !r.is_empty()),
            };
            notice::check_sections(file, split.body, kind, lang, ctx.notice, &given, at, diags);
        }
        notice::check_hedges(file, split.body, split.body_offset, lang, ctx.notice, diags);
        if let Some(span) = summary_span {
            notice::check_hedges(file, &file.text[span.clone()], span.start, lang, ctx.notice, diags);
        }
    }

    let id_out = Some((id.clone(), id_span));
    if errors(diags) > before {
        return Parsed { value: None, id: id_out, links };
    }
    let found_links = links.clone();
    let value = (|| {
        Some(Advisory {
            id: AdvisoryId(id),
            path: file.path.clone(),
            title: title?,
            kind: kind?,
            published: published?,
            severity: severity?,
            status: status?,
            verification: verification?,
            summary: summary?,
            data: data?,
            affected: affected?,
            affected_count: affected_count.flatten(),
            occurred: occurred?,
            discovered: discovered?,
            tags: tags?,
            draft: draft?,
            references: references?,
            updates: updates?,
            body: extracted.body,
            checklist,
            own_measures: extracted.items,
            translations: BTreeMap::new(),
            history: Vec::new(),
            links: links.clone(),
            attachments: Vec::new(),
        })
    })();
    Parsed { value, id: id_out, links: found_links }
}

/// Validates a translation file named `stem.lang.md`. Matching it to its original is done by the caller.
pub(crate) fn translation(
    file: &SourceFile,
    stem: &str,
    lang: &str,
    ctx: Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Parsed<Translation> {
    let Ok(split) = front_matter::split(file).map_err(|d| diags.push(d)) else {
        return Parsed::none();
    };
    let Some(table) = parse_toml(file, split.front_matter, split.front_matter_offset, diags) else {
        return Parsed::none();
    };
    let f = Fields::new(
        table.get_ref(),
        split.opening.clone(),
        split.front_matter_offset,
        "the translation's front matter",
    );
    let before = errors(diags);

    if let Some(settings) = ctx.settings
        && (!settings.languages.iter().any(|l| l == lang) || lang == settings.default_language)
    {
        diags.push(file.error(0..0, format!("`{lang}` is not a translation language of this site")).help(format!(
                "name the file ID.LANG.md with LANG one of the non-default `languages` in site.toml: {}",
                settings
                    .languages
                    .iter()
                    .filter(|l| **l != settings.default_language)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
    }
    let Some((id, id_span)) = id_field(file, &f, stem, &format!(".{lang}.md"), diags) else {
        f.finish(file, diags, TRANSLATION_KEYS);
        return Parsed::none();
    };
    let title = f
        .required(file, diags, "title", "\"the translated title\"")
        .and_then(|v| title_text(file, diags, &v, "the translated headline"));
    let summary = f
        .required(file, diags, "summary", "\"the translated summary\"")
        .and_then(|v| bounded_text(file, diags, &v, "summary", SUMMARY_MAX, "the translated summary"));
    let covers =
        f.required(file, diags, "covers", "2025-07-29T12:00:00Z").and_then(|v| v.timestamp(file, diags, "covers"));
    let draft = f.get("draft").map_or(Some(false), |v| v.boolean(file, diags, "draft"));
    let updates = match f.get("updates") {
        Some(v) => updates(file, &f, &v, None, diags)
            .map(|list| list.into_iter().map(|u| (u.date, u.summary)).collect::<BTreeMap<_, _>>()),
        None => Some(BTreeMap::new()),
    };
    f.finish(file, diags, TRANSLATION_KEYS);
    let extracted = checklist::extract(file, split.body, split.body_offset, diags);
    if let Some(catalogue) = ctx.catalogue {
        check_refines(file, &extracted, catalogue, diags);
    }
    let links = super::links::scan(file, split.body, split.body_offset, diags);
    notice::check_hedges(file, split.body, split.body_offset, lang, ctx.notice, diags);
    let id_out = Some((id, id_span));
    if errors(diags) > before {
        return Parsed { value: None, id: id_out, links };
    }
    let found_links = links.clone();
    let value = (|| {
        Some(Translation {
            lang: lang.to_string(),
            path: file.path.clone(),
            title: title?,
            summary: summary?,
            covers: covers?,
            updates: updates?,
            body: extracted.body,
            own_measures: extracted.items,
            draft: draft?,
            links: links.clone(),
        })
    })();
    Parsed { value, id: id_out, links: found_links }
}

fn id_field(
    file: &SourceFile,
    f: &Fields<'_, '_>,
    stem: &str,
    suffix: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, Range<usize>)> {
    let v = f.required(file, diags, "id", &format!("\"{stem}\""))?;
    let id = v.text(file, diags, "id", &format!("write the file name without `{suffix}`: id = \"{stem}\""))?;
    if id != stem {
        diags.push(
            file.error(v.span.clone(), format!("id `{id}` does not match the file name `{stem}`"))
                .help(format!("the id is part of the URL and must equal the file name: write id = \"{stem}\" or rename the file to {id}{suffix}")),
        );
    }
    Some((id, v.span))
}

fn check_id_shape(
    file: &SourceFile,
    id: &str,
    span: Range<usize>,
    year: &str,
    ctx: Context<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(settings) = ctx.settings else { return };
    let prefix = &settings.id_prefix;
    let rest = id.strip_prefix(prefix.as_str()).and_then(|r| r.strip_prefix('-'));
    let shape_ok = rest.is_some_and(|r| {
        let mut parts = r.splitn(2, '-');
        let y = parts.next().unwrap_or("");
        let n = parts.next().unwrap_or("");
        y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit())
    });
    if !shape_ok {
        diags.push(
            file.error(span, format!("id `{id}` is not of the form `{prefix}-YYYY-NNNN`"))
                .help(format!("use the prefix from site.toml, the year and a four-digit number, e.g. `{prefix}-{year}-0001`; `bulletin new` picks the next free one")),
        );
    } else if !id[prefix.len() + 1..].starts_with(year) {
        diags.push(
            file.error(span, format!("id `{id}` is filed in the folder `{year}/`, but its year differs")).help(
                format!("move the file into the folder of the year in its id, or give it a `{prefix}-{year}-` id"),
            ),
        );
    }
}

/// A title: an error over [`TITLE_HARD_MAX`] characters, a warning over [`TITLE_MAX`].
fn title_text(file: &SourceFile, diags: &mut Vec<Diagnostic>, v: &Value<'_, '_>, what: &str) -> Option<String> {
    let text = bounded_text(file, diags, v, "title", TITLE_HARD_MAX, what)?;
    let n = text.chars().count();
    if n > TITLE_MAX {
        diags.push(
            file.warning(
                v.span.clone(),
                format!("`title` is {n} characters long; feed readers and phones cut titles after about {TITLE_MAX}"),
            )
            .help("shorten it to a headline of a few words; details belong in the summary"),
        );
    }
    Some(text)
}

fn bounded_text(
    file: &SourceFile,
    diags: &mut Vec<Diagnostic>,
    v: &Value<'_, '_>,
    key: &str,
    max: usize,
    what: &str,
) -> Option<String> {
    let text = v.text(file, diags, key, &format!("write {what}"))?;
    let n = text.chars().count();
    if n > max {
        diags.push(
            file.error(
                v.span.clone(),
                format!("`{key}` is {n} characters long; at most {max} fit in feeds and link previews"),
            )
            .help("shorten it; details belong in the body"),
        );
        return None;
    }
    Some(text)
}

fn keyword<K: Keyword>(
    file: &SourceFile,
    f: &Fields<'_, '_>,
    diags: &mut Vec<Diagnostic>,
    key: &str,
    required: bool,
) -> Option<K> {
    let words = K::words();
    // No example value: the first word (`critical`) would be copied by whoever is in a hurry.
    let choose = format!("add a line `{key} = \"…\"` with one of: {}", words.join(", "));
    let v = if required { f.required_with(file, diags, key, &choose)? } else { f.get(key)? };
    let word = v.text(file, diags, key, &format!("write one of: {}", words.join(", ")))?;
    match K::parse(&word) {
        Some(k) => Some(k),
        None => {
            let mut d = file.error(v.span.clone(), format!("unknown {key} `{word}`"));
            d = match did_you_mean(&word, words.iter().copied()) {
                Some(near) => d.help(format!("did you mean `{near}`? {key} is one of: {}", words.join(", "))),
                None => d.help(format!("{key} is one of: {}", words.join(", "))),
            };
            diags.push(d);
            None
        }
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn data_classes(
    file: &SourceFile,
    f: &Fields<'_, '_>,
    v: &Value<'_, '_>,
    ctx: Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<DataClass>> {
    let items = v.strings(file, diags, "data", f.offset())?;
    let mut out: Vec<DataClass> = Vec::new();
    let mut ok = true;
    for (class, span) in items {
        if class.starts_with(super::fields::PLACEHOLDER) {
            diags.push(
                file.error(span, "`data` still holds the placeholder from `bulletin new`")
                    .help("list the exposed data classes, the table names of measures.toml, e.g. data = [\"phone-numbers\", \"national-id\"]"),
            );
            ok = false;
            continue;
        }
        if out.iter().any(|c| c.0 == class) {
            diags.push(file.error(span, format!("data class `{class}` is listed twice")).help("remove the repeat"));
            ok = false;
            continue;
        }
        if let Some(catalogue) = ctx.catalogue
            && catalogue.class(&class).is_none()
        {
            let keys = catalogue.classes.keys().map(String::as_str);
            let mut d = file.error(span, format!("unknown data class `{class}`"));
            d = match did_you_mean(&class, keys) {
                Some(near) => d.help(format!("did you mean `{near}`?")),
                None => d.help(format!(
                    "use a table name of measures.toml ({}), or add the class there with its measures",
                    catalogue.classes.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            };
            diags.push(d);
            ok = false;
            continue;
        }
        out.push(DataClass(class));
    }
    ok.then_some(out)
}

fn tags(file: &SourceFile, f: &Fields<'_, '_>, v: &Value<'_, '_>, diags: &mut Vec<Diagnostic>) -> Option<Vec<Tag>> {
    let items = v.strings(file, diags, "tags", f.offset())?;
    let mut out: Vec<Tag> = Vec::new();
    let mut ok = true;
    for (tag, span) in items {
        if !is_slug(&tag) {
            diags.push(file.error(span, format!("tag `{tag}` is not a lowercase word")).help(format!(
                "tags are part of URLs: use a-z, 0-9 and single dashes, e.g. \"{}\"",
                checklist::slug(&tag, 40).to_ascii_lowercase()
            )));
            ok = false;
        } else if out.iter().any(|t| t.0 == tag) {
            diags.push(file.error(span, format!("tag `{tag}` is listed twice")).help("remove the repeat"));
            ok = false;
        } else {
            out.push(Tag(tag));
        }
    }
    ok.then_some(out)
}

/// Whether `url` is an absolute http(s) URL with a host and no spaces.
pub(crate) fn is_absolute_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !host.starts_with(':') && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

pub(crate) fn url_field(
    file: &SourceFile,
    f: &Fields<'_, '_>,
    diags: &mut Vec<Diagnostic>,
    key: &str,
    allow_mailto: bool,
) -> Option<String> {
    let v = f.required(file, diags, key, "\"https://example.org/page\"")?;
    let url = v.text(file, diags, key, "write the full address, starting with https://")?;
    if url.contains(super::fields::PLACEHOLDER) {
        diags.push(
            file.error(v.span.clone(), format!("`{key}` still holds the placeholder from `bulletin new`"))
                .help("write the source's full address, starting with https://"),
        );
        return None;
    }
    let ok =
        is_absolute_http_url(&url) || (allow_mailto && url.strip_prefix("mailto:").is_some_and(|r| r.contains('@')));
    if !ok {
        let help = if let Some(space) = url.trim().find(char::is_whitespace) {
            let shown = url.trim();
            format!(
                "a web address has no spaces: remove the space after `{}`, or write it as %20 if the address really has one",
                &shown[..space]
            )
        } else if super::links::looks_like_host(&url) {
            format!("add the scheme: \"https://{url}\"")
        } else {
            "write the full address including https://, e.g. \"https://www.example.org/statement\"".to_string()
        };
        diags.push(
            file.error(v.span.clone(), format!("`{key}` must be an absolute http(s) URL, found `{url}`")).help(help),
        );
        return None;
    }
    Some(url)
}

fn references(
    file: &SourceFile,
    f: &Fields<'_, '_>,
    v: &Value<'_, '_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Reference>> {
    let items = v.array(file, diags, "references", f.offset())?;
    let mut out = Vec::new();
    let mut ok = true;
    for item in items {
        let Some(r) = item.table(file, diags, "references", f.offset(), "a [[references]] entry".into()) else {
            ok = false;
            continue;
        };
        let title = r
            .required(file, diags, "title", "\"Name of the source\"")
            .and_then(|v| v.text(file, diags, "title", "name the source, e.g. \"Interior ministry statement\""));
        let url = url_field(file, &r, diags, "url", false);
        r.finish(file, diags, &["title", "url"]);
        match (title, url) {
            (Some(title), Some(url)) => out.push(Reference { title, url }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn updates(
    file: &SourceFile,
    f: &Fields<'_, '_>,
    v: &Value<'_, '_>,
    published: Option<jiff::Timestamp>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Update>> {
    let items = v.array(file, diags, "updates", f.offset())?;
    let mut out: Vec<Update> = Vec::new();
    let mut ok = true;
    for item in items {
        let Some(u) = item.table(file, diags, "updates", f.offset(), "an [[updates]] entry".into()) else {
            ok = false;
            continue;
        };
        let date_value = u.required(file, diags, "date", "2025-07-29T12:00:00Z");
        let date = date_value.as_ref().and_then(|v| v.timestamp(file, diags, "date"));
        let summary = u.required(file, diags, "summary", "\"What changed, in one or two sentences.\"").and_then(|v| {
            bounded_text(file, diags, &v, "summary", SUMMARY_MAX, "what changed, in one or two sentences")
        });
        u.finish(file, diags, &["date", "summary"]);
        let (Some(date), Some(summary), Some(dv)) = (date, summary, date_value) else {
            ok = false;
            continue;
        };
        if let Some(p) = published
            && date <= p
        {
            diags
                .push(file.error(dv.span.clone(), format!("update dated {date} is not after `published` ({p})")).help(
                "an update reports something that happened after publication; fix the date or fold it into the body",
            ));
            ok = false;
            continue;
        }
        if let Some(prev) = out.last()
            && date <= prev.date
        {
            diags.push(
                file.error(
                    dv.span.clone(),
                    format!("update dated {date} is not after the update before it ({})", prev.date),
                )
                .help("list updates oldest first, each with a later date"),
            );
            ok = false;
            continue;
        }
        out.push(Update { date, summary });
    }
    ok.then_some(out)
}

/// Reports body lines that still start with the `TODO` of `bulletin new` (checklist items report their own).
fn placeholders_in_body(file: &SourceFile, body: &str, offset: usize, diags: &mut Vec<Diagnostic>) {
    let mut start = 0;
    for raw in body.split_inclusive('\n') {
        let line = raw.trim();
        if line.starts_with(super::fields::PLACEHOLDER) {
            let at = offset + start + (raw.len() - raw.trim_start().len());
            diags.push(
                file.error(at..at + line.len(), "the body still holds a placeholder from `bulletin new`")
                    .help("replace the TODO line with the text readers should see, or delete it"),
            );
        }
        start += raw.len();
    }
}

/// An advisory's own steps against the catalogue: a `{id}` that names no measure is an
/// error; a step that repeats a catalogue measure of its data classes in other words
/// (above [`REPEAT_SIMILARITY`]) is a warning naming both, with the fix.
fn check_steps(
    file: &SourceFile,
    extracted: &checklist::Extracted,
    catalogue: &Catalogue,
    data: &[DataClass],
    diags: &mut Vec<Diagnostic>,
) {
    check_refines(file, extracted, catalogue, diags);
    let refined: Vec<usize> = extracted.refines.iter().map(|(i, _)| *i).collect();
    for (index, (item, span)) in extracted.items.iter().zip(&extracted.spans).enumerate() {
        if refined.contains(&index) {
            continue;
        }
        let close = data
            .iter()
            .filter_map(|d| catalogue.class(d.as_str()))
            .flat_map(|c| &c.measures)
            .filter_map(|id| catalogue.measure(id))
            .map(|m| (similarity(&item.text, &m.text), m))
            .filter(|(score, _)| *score >= REPEAT_SIMILARITY)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, measure)) = close {
            diags.push(
                file.warning(
                    span.clone(),
                    format!("this step repeats the catalogue's `{}`: \"{}\"", measure.id, measure.text),
                )
                .help(format!(
                    "start it with `{{{}}}` so your wording replaces the catalogue's, or remove it",
                    measure.id
                )),
            );
        }
    }
}

/// Every `{id}` that starts a step names a catalogue measure.
fn check_refines(
    file: &SourceFile,
    extracted: &checklist::Extracted,
    catalogue: &Catalogue,
    diags: &mut Vec<Diagnostic>,
) {
    for (index, span) in &extracted.refines {
        let id = &extracted.items[*index].id;
        if catalogue.measure(id).is_none() {
            let mut d = file.error(span.clone(), format!("`{{{id}}}` names no measure of measures.toml"));
            d = match did_you_mean(id, catalogue.measures().map(|m| m.id.as_str())) {
                Some(near) => d.help(format!("did you mean `{{{near}}}`?")),
                None => d.help("write the id of the catalogue measure this step replaces, or remove the braces"),
            };
            diags.push(d);
        }
    }
}
