//! `/feeds/`: every feed with a sentence on what it carries.

use askama::Template;

use super::listing::listing_label;
use super::pages::Layout;
use super::urls::ListingKind;
use super::{Ctx, i18n, urls};
use crate::model::{Keyword, Kind, Severity};
use crate::site::Page;

pub(super) fn page(ctx: &Ctx<'_>) -> (String, Page) {
    let lang = ctx.settings.default_language.as_str();
    let t = i18n::strings(lang);
    let path = urls::FEEDS_PAGE;
    let root = urls::root_of(path);
    let link = |path: &str, label: &str, text: &str| FeedEntry {
        href: urls::link(&root, path),
        label: label.to_string(),
        text: text.to_string(),
    };
    let mut sections = vec![FeedSection {
        heading: "Whole site".into(),
        feeds: vec![
            link(
                &urls::feed(None),
                "RSS: all advisories",
                "every new advisory; an updated advisory keeps its place and its description starts with the newest update",
            ),
            link(
                urls::UPDATES_FEED,
                "RSS: advisories and updates",
                "every new advisory and every update to one, each as its own item, so your reader shows updates as new",
            ),
            link(urls::ATOM_FEED, "Atom: all advisories", "the main feed in Atom 1.0"),
            link(urls::JSON_FEED, "JSON Feed: all advisories", "the main feed in JSON Feed 1.1"),
            link(
                urls::API,
                "JSON API",
                "every public advisory's facts and checklist, for automation (versioned schema)",
            ),
        ],
    }];
    let listing = |heading: &str, kinds: Vec<ListingKind>| FeedSection {
        heading: heading.to_string(),
        feeds: kinds.iter().map(|k| link(&urls::feed(Some(k)), &listing_label(ctx, k), "")).collect(),
    };
    sections.push(listing("By severity", Severity::ALL.iter().map(|s| ListingKind::Severity(*s)).collect()));
    sections.push(listing("By type", Kind::ALL.iter().map(|k| ListingKind::Kind(*k)).collect()));
    sections.push(listing(
        "By exposed data",
        ctx.content.catalogue.classes.keys().map(|c| ListingKind::Data(c.clone())).collect(),
    ));
    sections.push(listing("By topic", ctx.tags().into_iter().map(ListingKind::Tag).collect()));
    let mut layout = ctx.layout(path, ctx.lang_ref(lang), t.feeds_title.clone(), t.feeds_intro.clone());
    layout.current = "feeds";
    let page = FeedsPage { layout, sections };
    ctx.html(path.into(), page.render(), ctx.newest)
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
}
