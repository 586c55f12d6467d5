//! The archive and the listings by tag, severity, kind and data class, paginated, with
//! the names of their feeds, and the card that shows one advisory in any list.

use std::hash::{Hash, Hasher};

use askama::Template;

use super::pages::{Card, CardGroup, Date, FeedLink, Link, ListingPage};
use super::urls::ListingKind;
use super::{Ctx, PAGE_SIZE, urls};
use crate::model::{Advisory, Keyword, Strings};
use crate::site::Page;

/// What a listing's feed is called in `lang`, one pattern for all: "Topic: telecom",
/// "Severity: High", "Type: Scam alert", "Data exposed: Passwords".
pub(super) fn listing_label(ctx: &Ctx<'_>, kind: &ListingKind, lang: &str) -> String {
    let t = ctx.t(lang);
    match kind {
        ListingKind::Tag(tag) => Strings::fill(&t.feed_tag, &[("name", tag)]),
        ListingKind::Severity(s) => Strings::fill(&t.feed_severity, &[("name", t.severity(*s))]),
        ListingKind::Kind(k) => Strings::fill(&t.feed_kind, &[("name", t.kind(*k))]),
        ListingKind::Data(c) => Strings::fill(&t.feed_data, &[("name", ctx.content.catalogue.label(c, lang))]),
    }
}

/// The `<link rel="alternate">` of a listing's own feed in `lang`.
pub(super) fn listing_feed_link(ctx: &Ctx<'_>, kind: &ListingKind, root: &str, lang: &str) -> FeedLink {
    FeedLink {
        title: format!("{} — {}", ctx.settings.texts(lang).title, listing_label(ctx, kind, lang)),
        href: urls::link(root, &urls::feed(Some(kind), ctx.translated(lang))),
        mime: "application/rss+xml",
    }
}

/// One advisory in a list on a page in `lang`, linking to its page in `lang`: its
/// translation when there is one, else the original, marked as in the default
/// language and as not translated.
pub(super) fn card(ctx: &Ctx<'_>, a: &Advisory, root: &str, lang: &str, t: &Strings) -> Card {
    let default = ctx.settings.default_language.as_str();
    let translation = (lang != default).then(|| a.public_translations().find(|tr| tr.lang == lang)).flatten();
    let (title, summary, card_lang) = match translation {
        Some(tr) => (tr.title.clone(), tr.summary.clone(), None),
        None => (a.title.clone(), a.summary.clone(), (lang != default).then(|| default.to_string())),
    };
    Card {
        level: 3,
        url: urls::link(root, &urls::advisory(ctx.translated(lang), a.id.as_str())),
        untranslated: card_lang.as_ref().map(|_| t.untranslated.clone()),
        preview_mark: ctx.preview_mark(a, lang),
        lang_dir: ctx.t(default).direction(),
        title,
        summary,
        severity: a.severity.as_str(),
        severity_label: t.severity(a.severity).to_string(),
        status_label: t.status(a.status).to_string(),
        kind_label: t.kind(a.kind).to_string(),
        date_iso: a.published.to_string(),
        date_text: t.date(a.published),
        updated: a.updates.last().map(|u| Date { iso: u.date.to_string(), text: t.date(u.date) }),
        lang: card_lang,
    }
}

/// The archive (`kind` is `None`) or a listing in `lang`, [`PAGE_SIZE`] advisories a page.
pub(super) fn pages<'a>(ctx: &Ctx<'a>, kind: Option<&ListingKind>, lang: &'a str) -> Vec<(String, Page)> {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let (first_page, heading, intro, items): (String, String, Option<String>, Vec<&Advisory>) = match kind {
        None => (urls::archive(translated), t.archive_title.clone(), Some(t.archive_intro.clone()), ctx.public.clone()),
        Some(kind) => {
            let (heading, intro) = match kind {
                ListingKind::Tag(tag) => (Strings::fill(&t.tag_title, &[("name", tag)]), None),
                ListingKind::Severity(s) => (Strings::fill(&t.severity_title, &[("name", t.severity(*s))]), None),
                ListingKind::Kind(k) => (Strings::fill(&t.kind_title, &[("name", t.kind(*k))]), None),
                ListingKind::Data(class) => {
                    let catalogue = &ctx.content.catalogue;
                    let name = catalogue.label(class, lang);
                    (
                        Strings::fill(&t.data_title, &[("name", name)]),
                        catalogue.description(class, lang).map(str::to_string),
                    )
                }
            };
            let items = ctx.public.iter().copied().filter(|a| kind.matches(a)).collect();
            (urls::listing(kind, translated), heading, intro, items)
        }
    };
    let chunks: Vec<&[&Advisory]> = if items.is_empty() { vec![&[]] } else { items.chunks(PAGE_SIZE).collect() };
    let total = chunks.len();
    // Where each year starts, for the archive's "jump to year".
    let year_pages: Vec<(i16, usize)> = if kind.is_none() {
        let mut v: Vec<(i16, usize)> = Vec::new();
        for (i, a) in items.iter().enumerate() {
            let y = a.year();
            if v.last().is_none_or(|(last, _)| *last != y) {
                v.push((y, i / PAGE_SIZE + 1));
            }
        }
        v
    } else {
        Vec::new()
    };
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let n = i + 1;
            let path = urls::page(&first_page, n);
            let newest = chunk.iter().map(|a| a.last_changed()).max().or(ctx.newest);
            // A listing page shows its chunk's cards, the links to every page and year,
            // and is dated by its newest advisory.
            let source = {
                let mut h = ctx.inputs();
                (&path, total, &year_pages, newest).hash(&mut h);
                for a in chunk.iter() {
                    let updated = a.updates.last().map(|u| u.date);
                    (&a.id, &a.title, &a.summary, a.severity, a.status, a.kind, a.published, updated).hash(&mut h);
                    a.public_translations().for_each(|tr| (&tr.lang, &tr.title, &tr.summary).hash(&mut h));
                    ctx.preview_mark(a, lang).hash(&mut h);
                }
                h.finish()
            };
            if let Some(page) = ctx.unchanged(&path, source) {
                return (path, page);
            }
            let root = urls::root_of(&path);
            let mut groups: Vec<CardGroup> = Vec::new();
            for a in chunk.iter() {
                let heading = kind.is_none().then(|| a.year().to_string());
                let mut card = card(ctx, a, &root, lang, t);
                if heading.is_none() {
                    card.level = 2;
                }
                match groups.last_mut() {
                    Some(g) if g.heading == heading => g.cards.push(card),
                    _ => groups.push(CardGroup {
                        anchor: if heading.is_some() { urls::year_anchor(a.year()) } else { String::new() },
                        heading,
                        cards: vec![card],
                    }),
                }
            }
            let page_n = Strings::fill(&t.page_n, &[("n", &n.to_string()), ("total", &total.to_string())]);
            let title = if n > 1 { format!("{heading} ({page_n})") } else { heading.clone() };
            let path_in = |l: Option<&str>| {
                let first = match kind {
                    None => urls::archive(l),
                    Some(kind) => urls::listing(kind, l),
                };
                urls::page(&first, n)
            };
            let (_, mut layout) = ctx.layout(&path_in, lang, title, intro.clone().unwrap_or_else(|| heading.clone()));
            if kind.is_none() {
                layout.current = "archive";
            }
            let own_feed = kind.map(|k| listing_feed_link(ctx, k, &root, lang));
            let feed = own_feed.as_ref().map(|f| f.href.clone());
            layout.feeds.extend(own_feed);
            let page_link = |p: usize| urls::link(&root, &urls::page(&first_page, p));
            let years = year_pages
                .iter()
                .map(|(y, p)| Link {
                    href: format!("{}#{}", page_link(*p), urls::year_anchor(*y)),
                    label: y.to_string(),
                })
                .collect();
            let page = ListingPage {
                layout,
                heading: heading.clone(),
                intro: intro.clone(),
                feed,
                years,
                groups,
                pages: (1..=total).map(page_link).collect(),
                page_label: page_n,
                prev: (n > 1).then(|| page_link(n - 1)),
                next: (n < total).then(|| page_link(n + 1)),
            };
            let (path, mut page) = ctx.html(path, lang, page.render(), newest);
            page.source = Some(source);
            (path, page)
        })
        .collect()
}
