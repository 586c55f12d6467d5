//! The site's small files: the 404 page, the sitemap, robots.txt and security.txt.

use askama::Template;
use jiff::Timestamp;

use super::pages::{NotFoundPage, Sitemap, SitemapUrl};
use super::{Ctx, markdown, urls};
use crate::site::{CachePolicy, Page};

/// `/404.html` and `/{lang}/404.html`, linked from the root so that they work at any depth.
pub(super) fn not_found<'a>(ctx: &Ctx<'a>, lang: &'a str) -> (String, Page) {
    let t = ctx.t(lang);
    let (path, layout) = ctx.layout(&urls::not_found, lang, t.not_found_title.clone(), t.not_found_text.clone());
    // An id copied from an SMS is often mistyped: say what one looks like, with a real one.
    let id_hint = ctx.public.first().map(|a| {
        let id = format!("<code>{}</code>", markdown::escape_html(a.id.as_str()));
        markdown::escape_html(&t.not_found_ids).replace("{id}", &id)
    });
    let (path, mut page) = ctx.html(path, lang, NotFoundPage { layout, id_hint }.render(), None);
    page.cache = CachePolicy::Revalidate;
    (path, page)
}

/// `/sitemap.xml`: the home page, the archive and the checklist in every language, and
/// every public advisory in its original and in each translation (an untranslated page
/// in another language only repeats the original, so it is not listed).
pub(super) fn sitemap(ctx: &Ctx<'_>) -> (String, Page) {
    let base = &ctx.settings.base_url;
    let day = |t: Timestamp| t.strftime("%Y-%m-%d").to_string();
    let mut urls = Vec::new();
    for lang in &ctx.settings.languages {
        let l = ctx.translated(lang);
        urls.push(SitemapUrl { loc: urls::absolute(base, &urls::home(l)), lastmod: ctx.newest.map(day) });
        urls.push(SitemapUrl { loc: urls::absolute(base, &urls::archive(l)), lastmod: ctx.newest.map(day) });
        urls.push(SitemapUrl { loc: urls::absolute(base, &urls::checklist(None, l)), lastmod: None });
    }
    for a in &ctx.public {
        let lastmod = Some(day(a.last_changed()));
        let loc = urls::absolute(base, &urls::advisory(None, a.id.as_str()));
        urls.push(SitemapUrl { loc, lastmod: lastmod.clone() });
        for lang in ctx.public_translations(a) {
            let loc = urls::absolute(base, &urls::advisory(Some(lang), a.id.as_str()));
            urls.push(SitemapUrl { loc, lastmod: lastmod.clone() });
        }
    }
    let body = Sitemap { urls }.render().unwrap_or_default();
    (urls::SITEMAP.into(), Page::new(body, "application/xml; charset=utf-8", ctx.newest, CachePolicy::Revalidate))
}

/// `/robots.txt`: everything may be crawled; where the sitemap is.
pub(super) fn robots(ctx: &Ctx<'_>) -> (String, Page) {
    let sitemap = urls::absolute(&ctx.settings.base_url, urls::SITEMAP);
    (urls::ROBOTS.into(), ctx.text_page(format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n")))
}

/// `/.well-known/security.txt` (RFC 9116).
pub(super) fn security_txt(ctx: &Ctx<'_>) -> (String, Page) {
    // RFC 9116 requires an expiry; a year from the day of rendering keeps builds of one day identical.
    let expires = ctx.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().saturating_add(jiff::Span::new().years(1));
    let text = format!(
        "Contact: mailto:{}\nExpires: {}T00:00:00Z\nPreferred-Languages: {}\nCanonical: {}\n",
        ctx.settings.security_email,
        expires,
        ctx.settings.languages.join(", "),
        urls::absolute(&ctx.settings.base_url, urls::SECURITY_TXT),
    );
    (urls::SECURITY_TXT.into(), ctx.text_page(text))
}
