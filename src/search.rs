//! Full-text search over the public advisories, in each language of the site: an
//! inverted index built from the content as the live site shows it, and queries
//! answered from it. `serve` answers `/search/?q=…` with it, without JavaScript.
//!
//! Every advisory is searchable in every language (its translation's words where it
//! has one, the original's otherwise, as its pages are). A title or id match ranks
//! first, then the summary, tags and data classes, then the body; ties go to the
//! newest. Queries and texts are normalised alike ([`normalize`]).

pub mod normalize;

use std::collections::HashMap;

use jiff::Timestamp;
use rayon::prelude::*;

use crate::content::Content;
use crate::model::{Advisory, Catalogue, Keyword, Kind, Severity};

/// How much a term counts in each field.
const TITLE: u32 = 8;
const ID: u32 = 10;
const SUMMARY: u32 = 3;
const FACETS: u32 = 3;
const BODY: u32 = 1;
/// A query of more terms than this is cut (the rest would only narrow it further).
pub const MAX_TERMS: usize = 12;
/// The longest query read, in characters: longer ones are cut, not refused.
pub const MAX_QUERY: usize = 200;
/// Results per page.
pub const PAGE: usize = 20;

/// One searchable advisory in one language.
pub struct Doc {
    /// The advisory's place in the content's list.
    pub advisory: usize,
    /// The title as plain text.
    pub title: String,
    /// The summary as plain text, for snippets.
    pub summary: String,
    /// The body and checklist as plain text, paragraphs apart, for snippets.
    pub body: String,
}

/// The index of one language. Documents are numbered newest first (then in the
/// content's order), the same advisory under the same number in every language: among
/// equal scores the lower number wins, here and in the static site's script.
pub struct LanguageIndex {
    /// The documents, by number.
    pub docs: Vec<Doc>,
    /// Terms in order, each with (doc, weight) postings.
    pub terms: Vec<(String, Vec<(u32, u32)>)>,
}

/// The search index of the live site.
pub struct Index {
    languages: HashMap<String, LanguageIndex>,
    /// Public advisory ids in canonical case, for an exact id query.
    ids: HashMap<String, String>,
}

/// What a query asks for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// As typed (control characters removed, at most 200 characters).
    pub text: String,
    /// At most one per parameter, in [`Filter::PARAMS`] order.
    pub filters: Vec<Filter>,
}

/// What a search found: how many, and the best [`PAGE`] of them.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// How many advisories match.
    pub total: usize,
    /// The best of them, best first.
    pub hits: Vec<Hit>,
}

/// One way to narrow a search, as its link parameter has it (`severity=high`,
/// `kind=scam-alert`, `data=passwords`). The served results' filter links, the static
/// page's and the static index's filter files all come from [`Filter::all`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Only this severity.
    Severity(Severity),
    /// Only of this kind.
    Kind(Kind),
    /// Only with this data class exposed.
    Data(String),
}

impl Filter {
    /// The link parameters, in the order the filters are shown.
    pub const PARAMS: [&'static str; 3] = ["severity", "kind", "data"];

    /// Every filter the site offers, by parameter in [`Filter::PARAMS`] order.
    pub fn all(catalogue: &Catalogue) -> Vec<Filter> {
        Severity::ALL
            .iter()
            .map(|s| Filter::Severity(*s))
            .chain(Kind::ALL.iter().map(|k| Filter::Kind(*k)))
            .chain(catalogue.classes.keys().map(|c| Filter::Data(c.clone())))
            .collect()
    }

    /// The filter a link parameter names, if the site has it.
    pub fn parse(param: &str, value: &str, catalogue: &Catalogue) -> Option<Filter> {
        match param {
            "severity" => Keyword::parse(value).map(Filter::Severity),
            "kind" => Keyword::parse(value).map(Filter::Kind),
            "data" => catalogue.class(value).is_some().then(|| Filter::Data(value.to_string())),
            _ => None,
        }
    }

    /// Its link parameter.
    pub fn param(&self) -> &'static str {
        match self {
            Filter::Severity(_) => "severity",
            Filter::Kind(_) => "kind",
            Filter::Data(_) => "data",
        }
    }

    /// Its value in a link.
    pub fn value(&self) -> &str {
        match self {
            Filter::Severity(s) => s.as_str(),
            Filter::Kind(k) => k.as_str(),
            Filter::Data(class) => class,
        }
    }

    /// Whether `a` passes it.
    pub fn keeps(&self, a: &Advisory) -> bool {
        match self {
            Filter::Severity(s) => a.severity == *s,
            Filter::Kind(k) => a.kind == *k,
            Filter::Data(class) => a.data.iter().any(|c| c.as_str() == class),
        }
    }
}

impl Query {
    /// The filter chosen for `param`, if any.
    pub fn filter(&self, param: &str) -> Option<&Filter> {
        self.filters.iter().find(|f| f.param() == param)
    }

    /// This query with `param`'s filter replaced by `filter` (or removed).
    pub fn with(&self, param: &str, filter: Option<Filter>) -> Query {
        let mut filters: Vec<Filter> = self.filters.iter().filter(|f| f.param() != param).cloned().collect();
        filters.extend(filter);
        filters.sort_by_key(|f| Filter::PARAMS.iter().position(|p| *p == f.param()));
        Query { text: self.text.clone(), filters }
    }

    /// The query's search terms: normalised, repeats dropped, at most [`MAX_TERMS`].
    fn terms(&self) -> Vec<String> {
        let mut terms = normalize::terms(&self.text);
        terms.dedup();
        terms.truncate(MAX_TERMS);
        terms
    }
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The advisory's place in the content's list.
    pub advisory: usize,
    /// The sentence that matched, as (text, marked) runs (filled in by
    /// [`Index::add_snippets`] for the hits shown).
    pub snippet: Vec<(String, bool)>,
    /// The hit's place in its language's index.
    doc: usize,
    /// The language of the index that found it (the snippet's words).
    pub lang: String,
}

impl Index {
    /// Indexes what is public in `content` at `now`.
    pub fn build(content: &Content, now: Timestamp) -> Self {
        let all = content.all();
        let mut public: Vec<usize> = (0..all.len()).filter(|&i| all[i].is_public_at(now)).collect();
        public.sort_by_key(|&i| (std::cmp::Reverse(all[i].published), i));
        let mut languages = HashMap::new();
        for lang in &content.settings.languages {
            // Each document's terms in parallel; then the postings, in document order.
            let (docs, doc_terms): (Vec<Doc>, Vec<Vec<(String, u32)>>) = public
                .par_iter()
                .map(|&i| {
                    let d = doc(content, &all[i], i, lang);
                    let terms = doc_terms(content, &all[i], &d, lang);
                    (d, terms)
                })
                .unzip();
            let mut postings: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
            for (n, terms) in doc_terms.into_iter().enumerate() {
                for (term, weight) in terms {
                    postings.entry(term).or_default().push((n as u32, weight));
                }
            }
            let mut terms: Vec<(String, Vec<(u32, u32)>)> = postings.into_iter().collect();
            terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            languages.insert(lang.clone(), LanguageIndex { docs, terms });
        }
        let ids = public.iter().map(|&i| (all[i].id.as_str().to_ascii_uppercase(), all[i].id.0.clone())).collect();
        Self { languages, ids }
    }

    /// The index of `lang`, if the site has that language.
    pub fn language(&self, lang: &str) -> Option<&LanguageIndex> {
        self.languages.get(lang)
    }

    /// The public advisory whose id `text` is (in any case), for a jump to its page.
    pub fn exact_id(&self, text: &str) -> Option<&str> {
        self.ids.get(&text.trim().to_ascii_uppercase()).map(String::as_str)
    }

    /// Every advisory matching all terms of `query` (and its filters), best first, in
    /// `lang`'s words; if none does, in another language's (an Urdu query on the
    /// English page finds the Urdu translations).
    pub fn search(&self, content: &Content, lang: &str, query: &Query) -> Results {
        let lang = if self.languages.contains_key(lang) { lang } else { content.settings.default_language.as_str() };
        let found = self.search_in(content, lang, query);
        if found.total > 0 || query.text.trim().is_empty() {
            return found;
        }
        content
            .settings
            .languages
            .iter()
            .filter(|l| *l != lang)
            .map(|l| self.search_in(content, l, query))
            .find(|found| found.total > 0)
            .unwrap_or_default()
    }

    /// Fills in the snippets of the first `n` hits (the ones a page shows).
    pub fn add_snippets(&self, hits: &mut [Hit], query: &Query, n: usize) {
        let terms = query.terms();
        for hit in hits.iter_mut().take(n) {
            if let Some(index) = self.languages.get(&hit.lang) {
                hit.snippet = snippet(&index.docs[hit.doc], &terms);
            }
        }
    }

    fn search_in(&self, content: &Content, lang: &str, query: &Query) -> Results {
        let Some(index) = self.languages.get(lang) else {
            return Results::default();
        };
        let terms = query.terms();
        let all = content.all();
        let passes = |n: usize| query.filters.iter().all(|f| f.keeps(&all[index.docs[n].advisory]));
        let mut scores: Vec<(usize, u32)> = if terms.is_empty() {
            // Filters alone: every advisory that passes them.
            (0..index.docs.len()).filter(|&n| passes(n)).map(|n| (n, 0)).collect()
        } else {
            // Dense tables: at ten thousand documents a table per term costs less than hashing.
            let mut weights = vec![0u32; index.docs.len()];
            let mut total: Option<Vec<(usize, u32)>> = None;
            for term in &terms {
                weights.fill(0);
                let mut matched: Vec<usize> = Vec::new();
                let start = index.terms.partition_point(|(t, _)| t.as_str() < term.as_str());
                for (t, docs) in &index.terms[start..] {
                    let exact = t == term;
                    if !exact && (term.chars().count() < 3 || !t.starts_with(term.as_str())) {
                        break;
                    }
                    for &(doc, weight) in docs {
                        let weight = if exact { weight * 2 } else { weight };
                        let slot = &mut weights[doc as usize];
                        if *slot == 0 {
                            matched.push(doc as usize);
                        }
                        *slot = (*slot).max(weight);
                    }
                }
                total = Some(match total {
                    None => matched.into_iter().map(|n| (n, weights[n])).collect(),
                    Some(before) => {
                        before.into_iter().filter(|&(n, _)| weights[n] > 0).map(|(n, s)| (n, s + weights[n])).collect()
                    }
                });
            }
            total.unwrap_or_default().into_iter().filter(|&(n, _)| passes(n)).collect()
        };
        // Only the page shown is ordered: best score, then newest (the lower number).
        let total = scores.len();
        let key = |&(n, score): &(usize, u32)| (std::cmp::Reverse(score), n);
        if scores.len() > PAGE {
            scores.select_nth_unstable_by_key(PAGE - 1, key);
            scores.truncate(PAGE);
        }
        scores.sort_unstable_by_key(key);
        let hits = scores
            .into_iter()
            .map(|(n, _)| {
                let d = &index.docs[n];
                Hit { advisory: d.advisory, snippet: Vec::new(), lang: lang.to_string(), doc: n }
            })
            .collect();
        Results { total, hits }
    }
}

/// The terms of one document with their weights: each occurrence counts its field's weight.
fn doc_terms(content: &Content, a: &Advisory, d: &Doc, lang: &str) -> Vec<(String, u32)> {
    let mut weights: HashMap<String, u32> = HashMap::new();
    let mut add = |text: &str, weight: u32| {
        for term in normalize::terms(text) {
            *weights.entry(term).or_default() += weight;
        }
    };
    add(&d.title, TITLE);
    add(a.id.as_str(), ID);
    add(&d.summary, SUMMARY);
    let facets: Vec<&str> = a
        .tags
        .iter()
        .map(|t| t.as_str())
        .chain(a.data.iter().map(|c| content.catalogue.label(c.as_str(), lang)))
        .collect();
    add(&facets.join(" "), FACETS);
    add(&d.body, BODY);
    weights.into_iter().collect()
}

/// An advisory as it reads in `lang`: the public translation's words, else the original's.
fn doc(content: &Content, a: &Advisory, index: usize, lang: &str) -> Doc {
    let translation = a.public_translations().find(|t| t.lang == lang);
    let body = translation.map_or(&a.body, |t| &t.body);
    let mut text = plain_text(body);
    for item in a.checklist_in(&content.catalogue, translation).iter() {
        text.push_str("\n\n");
        text.push_str(&plain_text(content.catalogue.translated_text(&item.id, lang).unwrap_or(&item.text)));
    }
    Doc {
        advisory: index,
        title: translation.map_or(&a.title, |t| &t.title).clone(),
        summary: translation.map_or(&a.summary, |t| &t.summary).clone(),
        body: text,
    }
}

/// Markdown as plain text, paragraphs apart.
fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, crate::content::checklist::markdown_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => {
                out.push_str("\n\n")
            }
            _ => {}
        }
    }
    out
}

/// The first sentence of the summary or body holding a term, its matching words marked;
/// the summary when none does (a filter-only search, or a title match).
fn snippet(d: &Doc, terms: &[String]) -> Vec<(String, bool)> {
    let sentences = d
        .summary
        .split_inclusive(['.', '!', '?', '۔'])
        .chain(d.body.split("\n\n").flat_map(|p| p.split_inclusive(['.', '!', '?', '۔'])));
    let mut chosen: Option<&str> = None;
    if !terms.is_empty() {
        for s in sentences {
            if normalize::words(s).iter().any(|(_, w)| normalize::matches(w, terms)) {
                chosen = Some(s);
                break;
            }
        }
    }
    let sentence = chosen.unwrap_or(&d.summary).trim();
    let sentence: String = if sentence.chars().count() > 240 {
        sentence.chars().take(240).collect::<String>() + "…"
    } else {
        sentence.to_string()
    };
    let mut out = Vec::new();
    let mut at = 0;
    for (range, word) in normalize::words(&sentence) {
        if normalize::matches(&word, terms) {
            if range.start > at {
                out.push((sentence[at..range.start].to_string(), false));
            }
            out.push((sentence[range.clone()].to_string(), true));
            at = range.end;
        }
    }
    if at < sentence.len() {
        out.push((sentence[at..].to_string(), false));
    }
    out
}
