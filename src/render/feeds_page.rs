//! `/feeds/`: every feed with a sentence on what it carries.

use askama::Template;

use super::listing::listing_label;
use super::pages::Layout;
use super::urls::ListingKind;
use super::{Ctx, urls};
use crate::model::{Keyword, Kind, Severity};
use crate::site::Page;

/// `/feeds/` in `lang`: that language's RSS feeds, and the language-neutral ones.
pub(super) fn page<'a>(ctx: &Ctx<'a>, lang: &'a str) -> (String, Page) {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let (path, mut layout) = ctx.layout(&urls::feeds_page, lang, t.feeds_title.clone(), t.feeds_intro.clone());
    let root = urls::root_of(&path);
    let link = |path: &str, label: &str, text: &str| FeedEntry {
        href: urls::link(&root, path),
        label: label.to_string(),
        text: text.to_string(),
    };
    let mut sections = vec![FeedSection {
        heading: t.feeds_whole_site.clone(),
        feeds: vec![
            link(&urls::feed(None, translated), &t.feed_all_label, &t.feed_all_text),
            link(&urls::updates_feed(translated), &t.feed_updates_label, &t.feed_updates_text),
            link(urls::ATOM_FEED, &t.feed_atom_label, &t.feed_atom_text),
            link(urls::JSON_FEED, &t.feed_json_label, &t.feed_json_text),
            link(urls::API, &t.feed_api_label, &t.feed_api_text),
        ],
    }];
    let listing = |heading: &str, kinds: Vec<ListingKind>| FeedSection {
        heading: heading.to_string(),
        feeds: kinds.iter().map(|k| link(&urls::feed(Some(k), translated), &listing_label(ctx, k, lang), "")).collect(),
    };
    sections.push(listing(&t.feeds_by_severity, Severity::ALL.iter().map(|s| ListingKind::Severity(*s)).collect()));
    sections.push(listing(&t.feeds_by_kind, Kind::ALL.iter().map(|k| ListingKind::Kind(*k)).collect()));
    sections.push(listing(
        &t.feeds_by_data,
        ctx.content.catalogue.classes.keys().map(|c| ListingKind::Data(c.clone())).collect(),
    ));
    sections.push(listing(&t.feeds_by_topic, ctx.tags().into_iter().map(ListingKind::Tag).collect()));
    layout.current = "feeds";
    let subscribe_url = urls::link(&root, &urls::subscribe(translated));
    let page = FeedsPage { layout, sections, subscribe_url };
    ctx.html(path, lang, page.render(), ctx.newest)
}

struct FeedSection {
    heading: String,
    feeds: Vec<FeedEntry>,
}

struct FeedEntry {
    href: String,
    label: String,
    text: String,
}

#[derive(Template)]
#[template(path = "feeds.html")]
struct FeedsPage<'a> {
    layout: Layout<'a>,
    sections: Vec<FeedSection>,
    subscribe_url: String,
}
