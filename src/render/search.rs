//! `/search/`: the server's results (no JavaScript needed), or on a static site where
//! to turn instead.

use askama::Template;

use super::listing::{card, listing_label};
use super::pages::{Card, Layout};
use super::{Ctx, urls};
use crate::model::{Advisory, Keyword, Kind, Settings, Severity, Strings};
use crate::search::{Filter, Query, Results};
use crate::site::Page;
use crate::urls::ListingKind;

/// What the search page shows.
pub enum SearchView<'h> {
    /// The static site: no search here; the archive and the listings instead.
    Static,
    /// The server's answer to `query` (an empty query shows just the form).
    Served {
        /// What was asked.
        query: &'h Query,
        /// What matched: how many, and the best, best first.
        found: &'h Results,
    },
}

pub(super) fn page<'a>(ctx: &Ctx<'a>, lang: &'a str, view: SearchView<'_>) -> (String, Page) {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let (path, mut layout) = ctx.layout(&urls::search, lang, t.search_title.clone(), t.search_label.clone());
    layout.current = "search";
    let root = urls::root_of(&path);
    let listings: Vec<(String, String)> = Severity::ALL
        .iter()
        .map(|s| ListingKind::Severity(*s))
        .chain(Kind::ALL.iter().map(|k| ListingKind::Kind(*k)))
        .map(|k| (urls::link(&root, &urls::listing(&k, translated)), listing_label(ctx, &k, lang)))
        .collect();
    let archive_url = urls::link(&root, &urls::archive(translated));
    let mut config = String::new();
    let (served, searched, query, summary_line, results, filters) = match view {
        SearchView::Static => {
            layout.js = Some(urls::link(&root, &urls::asset(&ctx.assets.search_js)));
            config = script_config(ctx, lang, &root);
            (false, false, String::new(), String::new(), Vec::new(), Vec::new())
        }
        SearchView::Served { query, found } => {
            let hits = &found.hits;
            let all = ctx.content.all();
            let results: Vec<SearchResult> = hits
                .iter()
                .take(crate::search::PAGE)
                .map(|h| {
                    let a = &all[h.advisory];
                    // The page's language, unless the query only matched another one.
                    let words = if h.lang == lang { words_language(ctx.settings, a, lang) } else { &h.lang };
                    let snippet_lang = (words != lang).then(|| (words.to_string(), ctx.t(words).direction()));
                    SearchResult { card: card(ctx, a, &root, lang, t), snippet: h.snippet.clone(), snippet_lang }
                })
                .collect();
            let searched = !query.text.trim().is_empty() || !query.filters.is_empty();
            let line = match found.total {
                0 => t.search_none.clone(),
                // Filters alone: no words to quote.
                1 if query.text.is_empty() => t.search_filtered_one.clone(),
                n if query.text.is_empty() => crate::model::Strings::fill(&t.search_filtered, &[("n", &n.to_string())]),
                1 => crate::model::Strings::fill(&t.search_one_result, &[("q", &query.text)]),
                n => crate::model::Strings::fill(&t.search_results, &[("q", &query.text), ("n", &n.to_string())]),
            };
            (true, searched, query.text.clone(), line, results, filters(ctx, lang, &path, query))
        }
    };
    let page = SearchPage {
        layout,
        action: urls::link(&root, &path),
        served,
        searched,
        query,
        summary_line,
        results,
        filters,
        archive_url,
        listings,
        config,
    };
    ctx.html(path, lang, page.render(), None)
}

/// The language of the words the index of `lang` holds for `a`: `lang`'s, unless the
/// advisory has no public translation into it (then its original's, as its page shows).
pub(super) fn words_language<'s>(settings: &'s Settings, a: &Advisory, lang: &'s str) -> &'s str {
    if lang != settings.default_language && a.public_translations().all(|tr| tr.lang != lang) {
        &settings.default_language
    } else {
        lang
    }
}

/// The filters offered, by parameter: (heading, parameter, filters).
fn filter_groups(ctx: &Ctx<'_>, lang: &str) -> Vec<(String, &'static str, Vec<Filter>)> {
    let t = ctx.t(lang);
    let all = Filter::all(&ctx.content.catalogue);
    Filter::PARAMS
        .iter()
        .map(|&param| {
            let heading = match param {
                "severity" => &t.severity,
                "kind" => &t.kind,
                _ => &t.data_exposed,
            };
            (heading.clone(), param, all.iter().filter(|f| f.param() == param).cloned().collect())
        })
        .collect()
}

/// A filter's label in `lang`.
fn filter_label(ctx: &Ctx<'_>, filter: &Filter, lang: &str) -> String {
    let t: &Strings = ctx.t(lang);
    match filter {
        Filter::Severity(s) => t.severity(*s).to_string(),
        Filter::Kind(k) => t.kind(*k).to_string(),
        Filter::Data(class) => ctx.content.catalogue.label(class, lang).to_string(),
    }
}

/// What the static page's script needs to search the static index and show results as
/// the server does, as JSON for a `<script type="application/json">` element.
fn script_config(ctx: &Ctx<'_>, lang: &str, root: &str) -> String {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let filters: Vec<serde_json::Value> = filter_groups(ctx, lang)
        .into_iter()
        .map(|(heading, param, filters)| {
            let options: Vec<(&str, String)> =
                filters.iter().map(|f| (f.value(), filter_label(ctx, f, lang))).collect();
            serde_json::json!({ "label": heading, "param": param, "options": options })
        })
        .collect();
    let config = serde_json::json!({
        "index": urls::link(root, super::search_index::ROOT),
        "lang": lang,
        "languages": ctx.settings.languages.iter()
            .map(|l| (l, ctx.t(l).direction()))
            .collect::<Vec<_>>(),
        "docs": ctx.public.len(),
        "id_files": super::search_index::id_shards(ctx.public.len()),
        "advisory": urls::link(root, &urls::advisory(translated, "{id}")),
        "archive": urls::link(root, &urls::archive(translated)),
        "page": crate::search::PAGE,
        "max_terms": crate::search::MAX_TERMS,
        "max_query": crate::search::MAX_QUERY,
        "strings": {
            "results": t.search_results, "one": t.search_one_result, "none": t.search_none,
            "filtered": t.search_filtered, "filtered_one": t.search_filtered_one,
            "any": t.search_any, "failed": t.search_failed, "narrow": t.search_narrow,
            "archive": t.archive_title,
        },
        "filters": filters,
    });
    // Inside <script>, "</script>" or "<!--" in a string would end or confuse the element.
    config.to_string().replace('<', "\\u003c")
}

/// Links that narrow the query by severity, type or data class (or widen it again).
fn filters(ctx: &Ctx<'_>, lang: &str, path: &str, query: &Query) -> Vec<(String, Vec<FilterLink>)> {
    let t = ctx.t(lang);
    let href = |q: &Query| {
        let parts = std::iter::once(format!("q={}", encode(&q.text)))
            .chain(q.filters.iter().map(|f| format!("{}={}", f.param(), encode(f.value()))));
        format!("{}?{}", urls::link(&urls::root_of(path), path), parts.collect::<Vec<_>>().join("&"))
    };
    filter_groups(ctx, lang)
        .into_iter()
        .map(|(heading, param, filters)| {
            let chosen = query.filter(param);
            let any = FilterLink {
                href: href(&query.with(param, None)),
                label: t.search_any.clone(),
                current: chosen.is_none(),
            };
            let links = std::iter::once(any).chain(filters.into_iter().map(|f| FilterLink {
                current: chosen == Some(&f),
                label: filter_label(ctx, &f, lang),
                href: href(&query.with(param, Some(f))),
            }));
            (heading, links.collect())
        })
        .collect()
}

/// A query parameter's value as a link has it (unreserved characters as they are).
fn encode(s: &str) -> String {
    const COMPONENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// One filter link.
struct FilterLink {
    href: String,
    label: String,
    current: bool,
}

struct SearchResult {
    card: Card,
    snippet: Vec<(String, bool)>,
    /// The snippet's language and direction when they are not the page's.
    snippet_lang: Option<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    layout: Layout<'a>,
    action: String,
    served: bool,
    searched: bool,
    query: String,
    summary_line: String,
    results: Vec<SearchResult>,
    filters: Vec<(String, Vec<FilterLink>)>,
    archive_url: String,
    listings: Vec<(String, String)>,
    /// The static page's script configuration (JSON), empty when served.
    config: String,
}
