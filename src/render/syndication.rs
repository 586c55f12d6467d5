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
use super::{Ctx, i18n, urls};
use crate::model::{Advisory, Keyword};

/// RFC 822 date as RSS wants it: four-digit year, always `+0000`.
pub(super) fn rfc822(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// Text safe for XML 1.0 (without the characters it forbids).
pub(super) fn xml(s: &str) -> String {
    strip_controls(s).into_owned()
}

/// An advisory's page, in full.
pub(super) fn url(ctx: &Ctx<'_>, a: &Advisory) -> String {
    urls::absolute(&ctx.settings.base_url, &urls::advisory(None, a.id.as_str()))
}

/// An item's categories: severity, status, kind, tags and data classes, each with its scheme.
pub(super) fn categories(a: &Advisory) -> Vec<(String, &'static str)> {
    let mut out = vec![
        (a.severity.as_str().to_string(), "severity"),
        (a.status.as_str().to_string(), "status"),
        (a.kind.as_str().to_string(), "kind"),
    ];
    out.extend(a.tags.iter().map(|t| (t.as_str().to_string(), "tag")));
    out.extend(a.data.iter().map(|d| (d.as_str().to_string(), "data")));
    out
}

/// Plain-text description: the newest update first, then the summary.
pub(super) fn description(ctx: &Ctx<'_>, a: &Advisory) -> String {
    let t = i18n::strings(&ctx.settings.default_language);
    match a.updates.last() {
        Some(u) => xml(&format!("{} {}: {} — {}", t.updated, t.date(u.date), u.summary, a.summary)),
        None => xml(&a.summary),
    }
}

/// The full advisory HTML for `content:encoded`, with absolute links (cached by
/// [`Ctx::content_html`]).
pub(super) fn content_html(ctx: &Ctx<'_>, index: usize) -> String {
    let a = ctx.public[index];
    let lang = ctx.settings.default_language.as_str();
    let t = i18n::strings(lang);
    let base = ctx.settings.base_url.as_str();
    let md = MarkdownOptions { absolute_base: Some(base), section_link_label: &t.section_link };
    let (view, checklist) = super::advisory::view(ctx, a, None, lang, base, &md);
    let layout = ctx.layout(&urls::feed(None), ctx.lang_ref(lang), view.title.clone(), view.summary.clone());
    let html = AdvisoryBody { layout, a: view, checklist }.render().unwrap_or_default();
    // Feed readers resolve links against the feed, not the page: footnote and
    // other in-page links must name the page.
    let html = html.replace("href=\"#", &format!("href=\"{}#", url(ctx, a)));
    xml(&html)
}
