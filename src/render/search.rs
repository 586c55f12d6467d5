//! `/search/`: the server's results (no JavaScript needed), or on a static site where
//! to turn instead.

use askama::Template;

use super::listing::{card, listing_label};
use super::pages::{Card, Layout};
use super::{Ctx, urls};
use crate::model::{Keyword, Kind, Severity};
use crate::search::{Query, Results};
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
                    // The words' language: the index's, which is the page's unless the
                    // query only matched another language, or the advisory's original.
                    let words = if h.lang == lang
                        && a.public_translations().all(|tr| tr.lang != lang)
                        && lang != ctx.settings.default_language
                    {
                        ctx.settings.default_language.clone()
                    } else {
                        h.lang.clone()
                    };
                    let snippet_lang = (words != lang).then(|| {
                        let dir = if ctx.t(&words).is_rtl() { "rtl" } else { "ltr" };
                        (words, dir)
                    });
                    SearchResult { card: card(ctx, a, &root, lang, t), snippet: h.snippet.clone(), snippet_lang }
                })
                .collect();
            let searched = !query.text.trim().is_empty()
                || query.severity.is_some()
                || query.kind.is_some()
                || query.data.is_some();
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

/// What the static page's script needs to search the static index and show results as
/// the server does, as JSON for a `<script type="application/json">` element.
fn script_config(ctx: &Ctx<'_>, lang: &str, root: &str) -> String {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let catalogue = &ctx.content.catalogue;
    let group = |label: &str, param: &str, options: Vec<(&str, String)>| serde_json::json!({ "label": label, "param": param, "options": options });
    let config = serde_json::json!({
        "index": urls::link(root, super::search_index::ROOT),
        "lang": lang,
        "languages": ctx.settings.languages.iter()
            .map(|l| (l, if ctx.t(l).is_rtl() { "rtl" } else { "ltr" }))
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
        "filters": [
            group(&t.severity, "severity", Severity::ALL.iter().map(|s| (s.as_str(), t.severity(*s).to_string())).collect()),
            group(&t.kind, "kind", Kind::ALL.iter().map(|k| (k.as_str(), t.kind(*k).to_string())).collect()),
            group(&t.data_exposed, "data",
                catalogue.classes.keys().map(|c| (c.as_str(), catalogue.label(c, lang).to_string())).collect()),
        ],
    });
    // Inside <script>, "</script>" or "<!--" in a string would end or confuse the element.
    config.to_string().replace('<', "\\u003c")
}

/// Links that narrow the query by severity, type or data class (or widen it again).
fn filters(ctx: &Ctx<'_>, lang: &str, path: &str, query: &Query) -> Vec<(String, Vec<Filter>)> {
    let t = ctx.t(lang);
    let href = |q: &Query| {
        let mut parts = vec![format!("q={}", encode(&q.text))];
        parts.extend(q.severity.map(|s| format!("severity={s}")));
        parts.extend(q.kind.map(|k| format!("kind={k}")));
        parts.extend(q.data.as_ref().map(|d| format!("data={}", encode(d))));
        format!("{}?{}", urls::link(&urls::root_of(path), path), parts.join("&"))
    };
    let any = |current: bool, q: Query| Filter { href: href(&q), label: t.search_any.clone(), current };
    let severities = std::iter::once(any(query.severity.is_none(), Query { severity: None, ..query.clone() }))
        .chain(Severity::ALL.iter().map(|s| Filter {
            href: href(&Query { severity: Some(*s), ..query.clone() }),
            label: t.severity(*s).to_string(),
            current: query.severity == Some(*s),
        }))
        .collect();
    let kinds = std::iter::once(any(query.kind.is_none(), Query { kind: None, ..query.clone() }))
        .chain(Kind::ALL.iter().map(|k| Filter {
            href: href(&Query { kind: Some(*k), ..query.clone() }),
            label: t.kind(*k).to_string(),
            current: query.kind == Some(*k),
        }))
        .collect();
    let catalogue = &ctx.content.catalogue;
    let data = std::iter::once(any(query.data.is_none(), Query { data: None, ..query.clone() }))
        .chain(catalogue.classes.keys().map(|c| Filter {
            href: href(&Query { data: Some(c.clone()), ..query.clone() }),
            label: catalogue.label(c, lang).to_string(),
            current: query.data.as_deref() == Some(c.as_str()),
        }))
        .collect();
    vec![(t.severity.clone(), severities), (t.kind.clone(), kinds), (t.data_exposed.clone(), data)]
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

struct Filter {
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
    filters: Vec<(String, Vec<Filter>)>,
    archive_url: String,
    listings: Vec<(String, String)>,
    /// The static page's script configuration (JSON), empty when served.
    config: String,
}
