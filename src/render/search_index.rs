//! The static site's search index: the server's [`Index`], written as many small JSON
//! files under `/search/index/` that `search.js` fetches as a query needs them, so a
//! query at ten thousand advisories downloads tens of kilobytes, not the whole index.
//!
//! - `{lang}/t/{hex}.json`: the terms of `lang` whose first three characters are the
//!   hex-encoded (UTF-8) key (shorter terms: the whole term), each with its postings as
//!   `[doc gap, weight, doc gap, weight, …]`; a query term's prefix matches are all in
//!   the file of its first three characters.
//! - `{lang}/d/{n}.json`: document `n` as a result card on the `lang` search page, and
//!   its words in `lang` for the snippet.
//! - `f/{param}/{hex}.json`: the documents of one severity, kind or data class (gaps).
//! - `ids/{k}.json`: public ids (upper case → as written), by [`id_shard`].
//!
//! Documents are numbered as in [`Index`] (newest first), the same in every language.
//! Only what `Index::build` indexed is written, and it indexes only what is public.

use serde::Serialize;

use super::listing::card;
use super::{Ctx, urls};
use crate::search::{Filter, Index, LanguageIndex};
use crate::site::{CachePolicy, Page};

/// Where the index lives.
pub(crate) const ROOT: &str = "/search/index/";

/// How many id files for `ids` public advisories (about 256 ids each).
pub(crate) fn id_shards(ids: usize) -> usize {
    ids.div_ceil(256).clamp(1, 256)
}

/// The id file of an upper-case id: FNV-1a of its UTF-8 bytes (the script computes the same).
fn id_shard(upper: &str, shards: usize) -> usize {
    let hash = upper.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    hash as usize % shards
}

/// Lower-case hex of the UTF-8 bytes: a file name for any word.
fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The file key of a term: its first three characters.
fn key(term: &str) -> &str {
    term.char_indices().nth(3).map_or(term, |(i, _)| &term[..i])
}

/// Document numbers as gaps from the one before (the first from 0).
fn gaps(docs: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut last = 0;
    docs.map(|d| {
        let gap = d - last;
        last = d;
        gap
    })
    .collect()
}

fn json(path: String, value: &impl Serialize) -> (String, Page) {
    let body = serde_json::to_vec(value).unwrap_or_default();
    (path, Page::new(body, "application/json", None, CachePolicy::Revalidate))
}

/// One result as the `lang` search page shows it.
#[derive(Serialize)]
struct Fragment<'a> {
    url: String,
    title: String,
    /// The title's language and direction when they are not the page's.
    #[serde(skip_serializing_if = "Option::is_none")]
    title_lang: Option<String>,
    title_dir: &'static str,
    severity: &'static str,
    severity_label: String,
    status_label: String,
    kind_label: String,
    date_iso: String,
    date_text: String,
    /// The language of `summary` and `body`.
    words: &'a str,
    summary: &'a str,
    body: &'a str,
}

/// Every file of the static search index of `ctx`'s public site.
pub(super) fn pages(ctx: &Ctx<'_>, index: &Index) -> Vec<(String, Page)> {
    let settings = ctx.settings;
    let all = ctx.content.all();
    let mut out = Vec::new();
    let Some(first) = index.language(&settings.default_language) else { return out };
    let advisories: Vec<usize> = first.docs.iter().map(|d| d.advisory).collect();
    for lang in &settings.languages {
        let Some(language) = index.language(lang) else { continue };
        out.extend(term_files(lang, language));
        let t = ctx.t(lang);
        let root = urls::root_of(&urls::search(ctx.translated(lang)));
        for (n, doc) in language.docs.iter().enumerate() {
            let a = &all[doc.advisory];
            let card = card(ctx, a, &root, lang, t);
            let words = super::search::words_language(settings, a, lang);
            let fragment = Fragment {
                url: card.url,
                title: card.title,
                title_dir: card.lang_dir,
                title_lang: card.lang,
                severity: card.severity,
                severity_label: card.severity_label,
                status_label: card.status_label,
                kind_label: card.kind_label,
                date_iso: card.date_iso,
                date_text: card.date_text,
                words,
                summary: &doc.summary,
                body: &doc.body,
            };
            out.push(json(format!("{ROOT}{lang}/d/{n}.json"), &fragment));
        }
    }
    for filter in Filter::all(&ctx.content.catalogue) {
        let docs = advisories.iter().enumerate().filter(|(_, i)| filter.keeps(&all[**i])).map(|(n, _)| n as u32);
        out.push(json(format!("{ROOT}f/{}/{}.json", filter.param(), hex(filter.value())), &gaps(docs)));
    }
    let shards = id_shards(advisories.len());
    let mut ids = vec![std::collections::BTreeMap::new(); shards];
    for &i in &advisories {
        let id = all[i].id.as_str();
        let upper = id.to_ascii_uppercase();
        ids[id_shard(&upper, shards)].insert(upper, id);
    }
    out.extend(ids.iter().enumerate().map(|(k, ids)| json(format!("{ROOT}ids/{k}.json"), ids)));
    out
}

/// The term files of one language: terms grouped by [`key`], postings as gaps and weights.
fn term_files(lang: &str, language: &LanguageIndex) -> Vec<(String, Page)> {
    let mut out = Vec::new();
    let mut group: Vec<(&str, Vec<u32>)> = Vec::new();
    let mut flush = |group: &mut Vec<(&str, Vec<u32>)>| {
        if let Some((first, _)) = group.first() {
            let path = format!("{ROOT}{lang}/t/{}.json", hex(key(first)));
            let map: serde_json::Map<String, serde_json::Value> =
                group.drain(..).map(|(term, postings)| (term.to_string(), postings.into())).collect();
            out.push(json(path, &map));
        }
    };
    for (term, postings) in &language.terms {
        if group.first().is_some_and(|(first, _)| key(first) != key(term)) {
            flush(&mut group);
        }
        let docs = gaps(postings.iter().map(|&(doc, _)| doc));
        group.push((term, docs.into_iter().zip(postings).flat_map(|(gap, &(_, weight))| [gap, weight]).collect()));
    }
    flush(&mut group);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_first_three_characters_and_ids_spread_over_files() {
        assert_eq!(key("password"), "pas");
        assert_eq!(key("pk"), "pk");
        assert_eq!(key("شناختی"), "شنا");
        assert_eq!(hex("pas"), "706173");
        // FNV-1a 32 of "PK-2025-0007" (the script's test computes the same).
        assert_eq!(id_shard("a", usize::MAX), 0xe40c_292c);
        assert_eq!(id_shards(10_000), 40);
        assert_eq!(gaps([3, 5, 9].into_iter()), [3, 2, 4]);
    }
}
