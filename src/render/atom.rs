//! `/atom.xml`: the main feed in Atom 1.0.

use askama::Template;
use jiff::Timestamp;

use super::syndication::{categories, description, url, xml};
use super::{Ctx, urls};
use crate::site::{CachePolicy, Page};

const ATOM: &str = "application/atom+xml; charset=utf-8";

pub(super) fn feed(ctx: &Ctx<'_>) -> (String, Page) {
    let base = &ctx.settings.base_url;
    let default = ctx.lang_ref(&ctx.settings.default_language);
    let n = ctx.public.len().min(ctx.settings.feed_size);
    let entries: Vec<AtomEntry> = (0..n)
        .map(|i| {
            let a = ctx.public[i];
            AtomEntry {
                title: xml(&a.title),
                url: url(ctx, a, default),
                published: a.published.to_string(),
                updated: a.last_changed().to_string(),
                summary: description(ctx, a, default),
                content: ctx.content_html(i, default).to_string(),
                categories: categories(ctx, a, default)
                    .into_iter()
                    .map(|c| AtomCategory { term: c.key, label: c.label, scheme: format!("{base}{}", c.scheme) })
                    .collect(),
            }
        })
        .collect();
    let last = ctx.public.iter().take(n).map(|a| a.last_changed()).max();
    let feed = AtomFeed {
        lang: ctx.settings.default_language.clone(),
        title: xml(&ctx.settings.texts(default).title),
        subtitle: xml(&ctx.settings.texts(default).description),
        self_url: urls::absolute(base, urls::ATOM_FEED),
        home: base.clone(),
        // A feed with no entry still needs a date; the epoch says "never updated".
        updated: last.unwrap_or(Timestamp::UNIX_EPOCH).to_string(),
        rights: xml(&format!("{} {}", ctx.settings.license.name, ctx.settings.license.url)),
        author: xml(&ctx.settings.texts(default).title),
        entries,
        hubs: ctx.hubs.iter().map(|h| xml(h)).collect(),
    };
    (urls::ATOM_FEED.into(), Page::new(feed.render().unwrap_or_default(), ATOM, last, CachePolicy::Revalidate))
}

struct AtomCategory {
    term: String,
    scheme: String,
    label: String,
}

struct AtomEntry {
    title: String,
    url: String,
    published: String,
    updated: String,
    summary: String,
    content: String,
    categories: Vec<AtomCategory>,
}

#[derive(Template)]
#[template(path = "atom.xml")]
struct AtomFeed {
    lang: String,
    title: String,
    subtitle: String,
    self_url: String,
    home: String,
    updated: String,
    rights: String,
    author: String,
    hubs: Vec<String>,
    entries: Vec<AtomEntry>,
}
