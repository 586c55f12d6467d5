//! RSS 2.0: `/feed.xml`, a feed for every listing, and `/updates.xml` with one item per
//! publication and per update.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher as _};

use jiff::Timestamp;

use super::listing::listing_label;
use super::syndication::{categories, description, rfc822, rss_text, title, url, xml};
use super::urls::ListingKind;
use super::{Ctx, urls};
use crate::model::Strings;
use crate::site::{CachePolicy, Page};

const RSS: &str = "application/rss+xml; charset=utf-8";
/// Minutes a feed reader may cache a feed.
const TTL_MINUTES: u32 = 30;

/// `/feed.xml` (`listing` is `None`) or a listing's feed, in `lang`: every public
/// advisory, under its title in `lang` where it is translated, linking (and with a
/// guid) to its page in `lang`, so a reader subscribed to two languages loses nothing.
pub(super) fn feed<'a>(ctx: &Ctx<'a>, listing: Option<&ListingKind>, lang: &'a str) -> (String, Page) {
    let translated = ctx.translated(lang);
    let path = urls::feed(listing, translated);
    let indices: Vec<usize> = (0..ctx.public.len())
        .filter(|&i| listing.is_none_or(|kind| kind.matches(ctx.public[i])))
        .take(ctx.settings.feed_size)
        .collect();
    let source = {
        let mut h = ctx.inputs();
        path.trim_start_matches('/').hash(&mut h);
        indices.iter().for_each(|&i| ctx.advisory_hash(i).hash(&mut h));
        h.finish()
    };
    if let Some(page) = ctx.unchanged(&path, source) {
        return (path, page);
    }
    let last = indices.iter().map(|&i| ctx.public[i].last_changed()).max();
    let items = indices.iter().map(|&i| item(ctx, i, lang)).collect();
    let base = &ctx.settings.base_url;
    let texts = ctx.settings.texts(lang);
    let title = match listing {
        None => texts.title.clone(),
        Some(kind) => format!("{} — {}", texts.title, listing_label(ctx, kind, lang)),
    };
    let page_path = listing.map_or_else(|| urls::home(translated), |kind| urls::listing(kind, translated));
    let body = channel(
        ctx,
        lang,
        title,
        urls::absolute(base, &page_path),
        texts.description.clone(),
        urls::absolute(base, &path),
        items,
        last,
    );
    let mut page = Page::new(body, RSS, last, CachePolicy::Revalidate);
    page.source = Some(source);
    (path, page)
}

/// `/updates.xml` in `lang`: each publication and each update as its own item.
pub(super) fn updates_feed<'a>(ctx: &Ctx<'a>, lang: &'a str) -> (String, Page) {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let mut events: Vec<(Timestamp, usize, Option<usize>)> = Vec::new();
    for (i, a) in ctx.public.iter().enumerate() {
        events.push((a.published, i, None));
        for (u, update) in a.updates.iter().enumerate() {
            events.push((update.date, i, Some(u)));
        }
    }
    events.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| ctx.public[x.1].id.cmp(&ctx.public[y.1].id)).then(y.2.cmp(&x.2)));
    events.truncate(ctx.settings.feed_size);
    let last = events.first().map(|e| e.0);
    let items = events
        .iter()
        .map(|&(date, i, update)| match update {
            None => item(ctx, i, lang),
            Some(u) => {
                let a = ctx.public[i];
                let link = format!("{}#update-{}", url(ctx, a, lang), urls::update_anchor(date));
                let summary = super::syndication::translation(ctx, a, lang)
                    .and_then(|tr| tr.updates.get(&date))
                    .unwrap_or(&a.updates[u].summary);
                rss::Item {
                    title: Some(rss_text(&Strings::fill(&t.update_item, &[("name", title(ctx, a, lang))]))),
                    link: Some(link.clone()),
                    description: Some(rss_text(summary)),
                    guid: Some(rss::Guid { value: link, permalink: false }),
                    pub_date: Some(rfc822(date)),
                    categories: rss_categories(ctx, a, lang),
                    content: Some(xml(&format!(
                        "<p>{} {}: {}</p>",
                        t.updated,
                        t.date(date),
                        super::markdown::escape_html(summary)
                    ))),
                    ..Default::default()
                }
            }
        })
        .collect();
    let base = &ctx.settings.base_url;
    let texts = ctx.settings.texts(lang);
    let path = urls::updates_feed(translated);
    let body = channel(
        ctx,
        lang,
        format!("{} — {}", texts.title, t.updates_feed),
        urls::absolute(base, &urls::home(translated)),
        format!("{} {}", t.updates_feed_description, texts.description),
        urls::absolute(base, &path),
        items,
        last,
    );
    (path, Page::new(body, RSS, last, CachePolicy::Revalidate))
}

fn rss_categories(ctx: &Ctx<'_>, a: &crate::model::Advisory, lang: &str) -> Vec<rss::Category> {
    categories(ctx, a, lang)
        .into_iter()
        .map(|c| rss::Category { name: rss_text(&c.label), domain: Some(c.scheme.into()) })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn channel(
    ctx: &Ctx<'_>,
    lang: &str,
    title: String,
    link: String,
    description: String,
    self_url: String,
    items: Vec<rss::Item>,
    last: Option<Timestamp>,
) -> String {
    let mut channel = rss::Channel {
        title: rss_text(&title),
        link,
        description: rss_text(&description),
        language: Some(lang.to_string()),
        copyright: Some(xml(&format!("{} {}", ctx.settings.license.name, ctx.settings.license.url))),
        ttl: Some(TTL_MINUTES.to_string()),
        last_build_date: last.map(rfc822),
        pub_date: last.map(rfc822),
        generator: Some("bulletin".into()),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        items,
        ..Default::default()
    };
    channel.namespaces.insert("atom".into(), "http://www.w3.org/2005/Atom".into());
    channel.namespaces.insert("content".into(), "http://purl.org/rss/1.0/modules/content/".into());
    let link = rss::extension::Extension {
        name: "atom:link".into(),
        value: None,
        attrs: BTreeMap::from([
            ("href".into(), self_url),
            ("rel".into(), "self".into()),
            ("type".into(), "application/rss+xml".into()),
        ]),
        children: BTreeMap::new(),
    };
    let hubs = ctx.hubs.iter().map(|hub| rss::extension::Extension {
        name: "atom:link".into(),
        value: None,
        attrs: BTreeMap::from([("href".into(), hub.clone()), ("rel".into(), "hub".into())]),
        children: BTreeMap::new(),
    });
    let links = std::iter::once(link).chain(hubs).collect();
    channel.extensions.insert("atom".into(), BTreeMap::from([("link".into(), links)]));
    hex_ampersands_in_titles(&channel.to_string())
}

/// Writes each `&` of a title as `&#x26;` instead of `&amp;`: the same text to an XML
/// parser, and the RSS Best Practices Profile's sign that the title's `&lt;` is escaped
/// text, not markup (the W3C validator warns "title should not contain HTML" otherwise).
fn hex_ampersands_in_titles(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find("<title>") {
        let (before, from_title) = rest.split_at(start + "<title>".len());
        out.push_str(before);
        let end = from_title.find("</title>").unwrap_or(from_title.len());
        out.push_str(&from_title[..end].replace("&amp;", "&#x26;"));
        rest = &from_title[end..];
    }
    out.push_str(rest);
    out
}

/// The item of the public advisory at `index` in `lang`.
fn item<'a>(ctx: &Ctx<'a>, index: usize, lang: &'a str) -> rss::Item {
    let a = ctx.public[index];
    let url = url(ctx, a, lang);
    rss::Item {
        title: Some(rss_text(title(ctx, a, lang))),
        link: Some(url.clone()),
        description: Some(rss_text(&description(ctx, a, lang))),
        guid: Some(rss::Guid { value: url, permalink: true }),
        pub_date: Some(rfc822(a.published)),
        categories: rss_categories(ctx, a, lang),
        content: Some(ctx.content_html(index, lang).to_string()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_write_ampersands_as_hex_references() {
        let xml = "<title>A &amp;lt;b&amp;gt; &amp; B</title><description><![CDATA[x &amp; y]]></description>";
        assert_eq!(
            hex_ampersands_in_titles(xml),
            "<title>A &#x26;lt;b&#x26;gt; &#x26; B</title><description><![CDATA[x &amp; y]]></description>"
        );
    }

    #[test]
    fn rfc822_has_four_digit_year_and_utc_offset() {
        let t: Timestamp = "2025-07-29T12:00:00+05:00".parse().unwrap();
        assert_eq!(rfc822(t), "Tue, 29 Jul 2025 07:00:00 +0000");
    }
}
