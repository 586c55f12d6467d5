//! `/feed.json`: the main feed in JSON Feed 1.1.

use jiff::Timestamp;
use serde::Serialize;

use super::syndication::{categories, description, url, xml};
use super::{Ctx, urls};
use crate::site::{CachePolicy, Page};

/// JSON Feed allows `application/json`; common feed parsers (feedparser among them)
/// do not know `application/feed+json` and try to read it as XML.
const JSON_FEED: &str = "application/json; charset=utf-8";

pub(super) fn feed(ctx: &Ctx<'_>) -> (String, Page) {
    let base = &ctx.settings.base_url;
    let default = ctx.lang_ref(&ctx.settings.default_language);
    let n = ctx.public.len().min(ctx.settings.feed_size);
    let items: Vec<JsonFeedItem> = (0..n)
        .map(|i| {
            let a = ctx.public[i];
            JsonFeedItem {
                id: url(ctx, a, default),
                url: url(ctx, a, default),
                title: xml(&a.title),
                summary: description(ctx, a, default),
                content_html: ctx.content_html(i, default).to_string(),
                date_published: a.published,
                date_modified: a.last_changed(),
                tags: categories(ctx, a, default).into_iter().map(|c| c.key).collect(),
                language: ctx.settings.default_language.clone(),
            }
        })
        .collect();
    let last = ctx.public.iter().take(n).map(|a| a.last_changed()).max();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: xml(&ctx.settings.texts(default).title),
        home_page_url: base.clone(),
        feed_url: urls::absolute(base, urls::JSON_FEED),
        description: xml(&ctx.settings.texts(default).description),
        language: ctx.settings.default_language.clone(),
        hubs: ctx.hubs.iter().map(|url| JsonFeedHub { kind: "WebSub", url: url.clone() }).collect(),
        items,
    };
    let body = serde_json::to_string_pretty(&feed).unwrap_or_default();
    (urls::JSON_FEED.into(), Page::new(body, JSON_FEED, last, CachePolicy::Revalidate))
}

#[derive(Serialize)]
struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    description: String,
    language: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<JsonFeedHub>,
    items: Vec<JsonFeedItem>,
}

#[derive(Serialize)]
struct JsonFeedHub {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct JsonFeedItem {
    id: String,
    url: String,
    title: String,
    summary: String,
    content_html: String,
    date_published: Timestamp,
    date_modified: Timestamp,
    tags: Vec<String>,
    language: String,
}
