//! What the feeds share: text made safe for XML, RFC 822 dates, an advisory's
//! description and categories, its full HTML for `content:encoded`, and the names of
//! the feeds of listings.
//!
//! Every date in a feed comes from the advisories, never from the clock, so two
//! renders of the same content give the same bytes.

use askama::Template;
use jiff::Timestamp;

use super::markdown::{MarkdownOptions, strip_controls};
use super::pages::AdvisoryBody;
use super::{Ctx, urls};
use crate::model::{Advisory, Keyword, Translation};

/// RFC 822 date as RSS wants it: four-digit year, always `+0000`.
pub(super) fn rfc822(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// Text safe for XML 1.0 (without the characters it forbids).
pub(super) fn xml(s: &str) -> String {
    strip_controls(s).into_owned()
}

/// An advisory's page in `lang`, in full.
pub(super) fn url(ctx: &Ctx<'_>, a: &Advisory, lang: &str) -> String {
    urls::absolute(&ctx.settings.base_url, &urls::advisory(ctx.translated(lang), a.id.as_str()))
}

/// `a`'s translation into `lang`, when it is published (never for the default language).
pub(super) fn translation<'t>(ctx: &Ctx<'_>, a: &'t Advisory, lang: &str) -> Option<&'t Translation> {
    ctx.translated(lang).and_then(|l| a.public_translations().find(|tr| tr.lang == l))
}

/// An item's title in `lang`: the translation's, or the original's.
pub(super) fn title<'t>(ctx: &Ctx<'_>, a: &'t Advisory, lang: &str) -> &'t str {
    translation(ctx, a, lang).map_or(&a.title, |tr| &tr.title)
}

/// One category of a feed item.
pub(super) struct Category {
    /// The machine value: `high`, `passwords`.
    pub(super) key: String,
    /// What a reader sees, in the feed's language: "High", "Passwords".
    pub(super) label: String,
    /// Which taxonomy: `severity`, `status`, `kind`, `data` or `tag`.
    pub(super) scheme: &'static str,
}

/// An item's categories in `lang`: severity, status, kind, data classes and tags, each
/// once: a tag that names a data class already listed ("passwords") is left out.
pub(super) fn categories(ctx: &Ctx<'_>, a: &Advisory, lang: &str) -> Vec<Category> {
    let t = ctx.t(lang);
    let catalogue = &ctx.content.catalogue;
    let mut out = vec![
        Category { key: a.severity.as_str().into(), label: t.severity(a.severity).into(), scheme: "severity" },
        Category { key: a.status.as_str().into(), label: t.status(a.status).into(), scheme: "status" },
        Category { key: a.kind.as_str().into(), label: t.kind(a.kind).into(), scheme: "kind" },
    ];
    out.extend(a.data.iter().map(|d| Category {
        key: d.as_str().into(),
        label: catalogue.label(d.as_str(), lang).into(),
        scheme: "data",
    }));
    for tag in a.tags.iter().map(|t| t.as_str()) {
        if !out.iter().any(|c| c.key == tag || c.label.to_lowercase() == tag.to_lowercase()) {
            out.push(Category { key: tag.into(), label: tag.into(), scheme: "tag" });
        }
    }
    out
}

/// Text for an RSS field that readers render as HTML (`title`, `description`): escaped,
/// so that "versions < 2.0" or `StackSlot<'_, T>` shows as written instead of as a tag.
pub(super) fn rss_text(s: &str) -> String {
    super::markdown::escape_html(&xml(s)).into_owned()
}

/// Plain-text description in `lang`: the newest update first, then the summary (each
/// translated where the translation has it).
pub(super) fn description(ctx: &Ctx<'_>, a: &Advisory, lang: &str) -> String {
    let t = ctx.t(lang);
    let tr = translation(ctx, a, lang);
    let summary = tr.map_or(&a.summary, |tr| &tr.summary);
    match a.updates.last() {
        Some(u) => {
            let update = tr.and_then(|tr| tr.updates.get(&u.date)).unwrap_or(&u.summary);
            xml(&format!("{} {}: {} — {}", t.updated, t.date(u.date), update, summary))
        }
        None => xml(summary),
    }
}

/// The full advisory HTML in `lang` for `content:encoded`, with absolute links (cached
/// by [`Ctx::content_html`]).
pub(super) fn content_html<'a>(ctx: &Ctx<'a>, index: usize, lang: &'a str) -> String {
    let a = ctx.public[index];
    let t = ctx.t(lang);
    let base = ctx.settings.base_url.as_str();
    let page = urls::advisory(ctx.translated(lang), a.id.as_str());
    let md = MarkdownOptions {
        absolute_base: Some(base),
        attachments: &a.attachments,
        ..MarkdownOptions::on(&page, &t.section_link)
    };
    let (view, checklist) = super::advisory::view(ctx, a, translation(ctx, a, lang), lang, base, &md);
    let (_, layout) = ctx.layout(&|l| urls::feed(None, l), lang, view.title.clone(), view.summary.clone());
    let html = AdvisoryBody { layout, a: view, checklist }.render().unwrap_or_default();
    // Feed readers resolve links against the feed, not the page: footnote and
    // other in-page links must name the page.
    let html = html.replace("href=\"#", &format!("href=\"{}#", url(ctx, a, lang)));
    xml(&html)
}
