//! Feeds for newsrooms: RSS 2.0 for the site and each tag, severity, kind and data
//! class; `/updates.xml` with one item per publication and per update; Atom 1.0;
//! JSON Feed 1.1; the JSON API; and the `/feeds/` page that lists them.
//!
//! Every date in a feed comes from the advisories, never from the clock, so two
//! renders of the same content give the same bytes. Every text is stripped of the
//! characters XML 1.0 forbids before it is written.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher as _};

use askama::Template;
use jiff::Timestamp;
use serde::Serialize;

use super::markdown::{MarkdownOptions, strip_controls};
use super::pages::{AdvisoryBody, FeedLink};
use super::{Ctx, ListingKind, i18n};
use crate::model::{Advisory, Keyword, Kind, Severity};
use crate::site::{CachePolicy, Page};

const RSS: &str = "application/rss+xml; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";
/// JSON Feed allows `application/json`; common feed parsers (feedparser among them)
/// do not know `application/feed+json` and try to read it as XML.
const JSON_FEED: &str = "application/json; charset=utf-8";
/// Minutes a feed reader may cache a feed.
const TTL_MINUTES: u32 = 30;
/// Version of the `/api/advisories.json` schema (docs/api.md).
pub(crate) const API_VERSION: u32 = 1;

/// RFC 822 date as RSS wants it: four-digit year, always `+0000`.
pub(crate) fn rfc822(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// Text safe for XML 1.0.
fn xml(s: &str) -> String {
    strip_controls(s).into_owned()
}

/// Which advisories a feed carries.
#[derive(Clone)]
pub(crate) enum Scope {
    All,
    Listing(ListingKind),
}

impl Scope {
    /// The feed's path and the listing page it belongs to (both without a leading slash).
    fn paths(&self) -> (String, String) {
        match self {
            Scope::All => ("feed.xml".into(), String::new()),
            Scope::Listing(kind) => {
                let page = kind.path();
                (format!("{page}feed.xml"), page)
            }
        }
    }
}

impl ListingKind {
    /// The listing's path without a leading slash, e.g. `tags/telecom/`.
    pub(crate) fn path(&self) -> String {
        match self {
            ListingKind::Tag(t) => format!("tags/{t}/"),
            ListingKind::Severity(s) => format!("severity/{s}/"),
            ListingKind::Kind(k) => format!("kind/{k}/"),
            ListingKind::Data(c) => format!("data/{c}/"),
        }
    }

    pub(crate) fn matches(&self, a: &Advisory) -> bool {
        match self {
            ListingKind::Tag(t) => a.tags.iter().any(|x| x.as_str() == t),
            ListingKind::Severity(s) => a.severity == *s,
            ListingKind::Kind(k) => a.kind == *k,
            ListingKind::Data(c) => a.data.iter().any(|d| d.as_str() == c),
        }
    }
}

/// The `<link rel="alternate">` of a listing's own feed.
pub(crate) fn listing_feed_link(ctx: &Ctx<'_>, kind: &ListingKind, root: &str) -> FeedLink {
    FeedLink {
        title: format!("{} — {}", ctx.settings.title, ctx.scope_label(&Scope::Listing(kind.clone()))),
        href: format!("{root}{}feed.xml", kind.path()),
        mime: "application/rss+xml",
    }
}

impl<'a> Ctx<'a> {
    fn scope_label(&self, scope: &Scope) -> String {
        let t = i18n::strings(&self.settings.default_language);
        match scope {
            Scope::All => "all advisories".into(),
            Scope::Listing(ListingKind::Tag(tag)) => format!("tag {tag}"),
            Scope::Listing(ListingKind::Severity(s)) => format!("severity {}", t.severity(*s)),
            Scope::Listing(ListingKind::Kind(k)) => t.kind(*k).to_string(),
            Scope::Listing(ListingKind::Data(c)) => {
                format!("data: {}", self.content.catalogue.class(c).map_or(c.as_str(), |i| i.label.as_str()))
            }
        }
    }

    fn url(&self, a: &Advisory) -> String {
        format!("{}advisories/{}/", self.settings.base_url, a.id)
    }

    /// The full advisory HTML for `content:encoded`, with absolute links; rendered once per advisory.
    pub(crate) fn content_html(&self, index: usize) -> &str {
        self.content_html[index].get_or_init(|| {
            let a = self.public[index];
            let lang = self.settings.default_language.as_str();
            let t = i18n::strings(lang);
            let base = self.settings.base_url.as_str();
            let md = MarkdownOptions { absolute_base: Some(base), section_link_label: &t.section_link };
            let (view, checklist) = self.advisory_view(a, None, lang, base, &md);
            let layout = self.layout("/feed.xml", self.lang_ref(lang), view.title.clone(), view.summary.clone());
            let html = AdvisoryBody { layout, a: view, checklist }.render().unwrap_or_default();
            // Feed readers resolve links against the feed, not the page: footnote and
            // other in-page links must name the page.
            let html = html.replace("href=\"#", &format!("href=\"{}#", self.url(a)));
            xml(&html)
        })
    }

    fn rss_categories(&self, a: &Advisory) -> Vec<rss::Category> {
        self.categories(a)
            .into_iter()
            .map(|(name, domain)| rss::Category { name: xml(&name), domain: Some(domain.into()) })
            .collect()
    }

    fn categories(&self, a: &Advisory) -> Vec<(String, &'static str)> {
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
    fn description(&self, a: &Advisory) -> String {
        let t = i18n::strings(&self.settings.default_language);
        match a.updates.last() {
            Some(u) => xml(&format!("{} {}: {} — {}", t.updated, t.date(u.date), u.summary, a.summary)),
            None => xml(&a.summary),
        }
    }

    fn channel(
        &self,
        title: String,
        link: String,
        description: String,
        self_url: String,
        items: Vec<rss::Item>,
        last: Option<Timestamp>,
    ) -> String {
        let mut channel = rss::Channel {
            title: xml(&title),
            link,
            description: xml(&description),
            language: Some(self.settings.default_language.clone()),
            copyright: Some(xml(&format!("{} {}", self.settings.license.name, self.settings.license.url))),
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
        channel.extensions.insert("atom".into(), BTreeMap::from([("link".into(), vec![link])]));
        channel.to_string()
    }

    fn item(&self, index: usize) -> rss::Item {
        let a = self.public[index];
        let url = self.url(a);
        rss::Item {
            title: Some(xml(&a.title)),
            link: Some(url.clone()),
            description: Some(self.description(a)),
            guid: Some(rss::Guid { value: url, permalink: true }),
            pub_date: Some(rfc822(a.published)),
            categories: self.rss_categories(a),
            content: Some(self.content_html(index).to_string()),
            ..Default::default()
        }
    }

    /// `/feed.xml` or a listing's feed.
    pub(crate) fn rss_feed(&self, scope: &Scope) -> (String, Page) {
        let (path, page) = scope.paths();
        let indices: Vec<usize> = (0..self.public.len())
            .filter(|&i| match scope {
                Scope::All => true,
                Scope::Listing(kind) => kind.matches(self.public[i]),
            })
            .take(self.settings.feed_size)
            .collect();
        let source = {
            let mut h = self.inputs();
            path.hash(&mut h);
            indices.iter().for_each(|&i| self.advisory_hash(i).hash(&mut h));
            h.finish()
        };
        if let Some(page) = self.unchanged(&format!("/{path}"), source) {
            return (format!("/{path}"), page);
        }
        let last = indices.iter().map(|&i| self.public[i].last_changed()).max();
        let items = indices.iter().map(|&i| self.item(i)).collect();
        let base = &self.settings.base_url;
        let title = match scope {
            Scope::All => self.settings.title.clone(),
            _ => format!("{} — {}", self.settings.title, self.scope_label(scope)),
        };
        let body = self.channel(
            title,
            format!("{base}{page}"),
            self.settings.description.clone(),
            format!("{base}{path}"),
            items,
            last,
        );
        let mut page = Page::new(body, RSS, last, CachePolicy::Revalidate);
        page.source = Some(source);
        (format!("/{path}"), page)
    }

    /// `/updates.xml`: each publication and each update as its own item.
    pub(crate) fn updates_feed(&self) -> (String, Page) {
        let t = i18n::strings(&self.settings.default_language);
        let mut events: Vec<(Timestamp, usize, Option<usize>)> = Vec::new();
        for (i, a) in self.public.iter().enumerate() {
            events.push((a.published, i, None));
            for (u, update) in a.updates.iter().enumerate() {
                events.push((update.date, i, Some(u)));
            }
        }
        events.sort_by(|x, y| {
            y.0.cmp(&x.0).then_with(|| self.public[x.1].id.cmp(&self.public[y.1].id)).then(y.2.cmp(&x.2))
        });
        events.truncate(self.settings.feed_size);
        let last = events.first().map(|e| e.0);
        let items = events
            .iter()
            .map(|&(date, i, update)| match update {
                None => self.item(i),
                Some(u) => {
                    let a = self.public[i];
                    let link = format!("{}#update-{}", self.url(a), date.as_second());
                    rss::Item {
                        title: Some(xml(&format!("Update: {}", a.title))),
                        link: Some(link.clone()),
                        description: Some(xml(&a.updates[u].summary)),
                        guid: Some(rss::Guid { value: link, permalink: false }),
                        pub_date: Some(rfc822(date)),
                        categories: self.rss_categories(a),
                        content: Some(xml(&format!(
                            "<p>{} {}: {}</p>",
                            t.updated,
                            t.date(date),
                            super::markdown::escape_html(&a.updates[u].summary)
                        ))),
                        ..Default::default()
                    }
                }
            })
            .collect();
        let base = &self.settings.base_url;
        let body = self.channel(
            format!("{} — updates", self.settings.title),
            base.clone(),
            format!("Every new advisory and every update to one, each as its own item. {}", self.settings.description),
            format!("{base}updates.xml"),
            items,
            last,
        );
        ("/updates.xml".into(), Page::new(body, RSS, last, CachePolicy::Revalidate))
    }

    /// `/atom.xml`.
    pub(crate) fn atom_feed(&self) -> (String, Page) {
        let base = &self.settings.base_url;
        let n = self.public.len().min(self.settings.feed_size);
        let entries: Vec<AtomEntry> = (0..n)
            .map(|i| {
                let a = self.public[i];
                AtomEntry {
                    title: xml(&a.title),
                    url: self.url(a),
                    published: a.published.to_string(),
                    updated: a.last_changed().to_string(),
                    summary: self.description(a),
                    content: self.content_html(i).to_string(),
                    categories: self
                        .categories(a)
                        .into_iter()
                        .map(|(term, scheme)| AtomCategory { term, scheme: format!("{base}{scheme}") })
                        .collect(),
                }
            })
            .collect();
        let last = self.public.iter().take(n).map(|a| a.last_changed()).max();
        let feed = AtomFeed {
            lang: self.settings.default_language.clone(),
            title: xml(&self.settings.title),
            subtitle: xml(&self.settings.description),
            self_url: format!("{base}atom.xml"),
            home: base.clone(),
            // A feed with no entry still needs a date; the epoch says "never updated".
            updated: last.unwrap_or(Timestamp::UNIX_EPOCH).to_string(),
            rights: xml(&format!("{} {}", self.settings.license.name, self.settings.license.url)),
            author: xml(&self.settings.title),
            entries,
        };
        ("/atom.xml".into(), Page::new(feed.render().unwrap_or_default(), ATOM, last, CachePolicy::Revalidate))
    }

    /// `/feed.json` (JSON Feed 1.1).
    pub(crate) fn json_feed(&self) -> (String, Page) {
        let base = &self.settings.base_url;
        let n = self.public.len().min(self.settings.feed_size);
        let items: Vec<JsonFeedItem> = (0..n)
            .map(|i| {
                let a = self.public[i];
                JsonFeedItem {
                    id: self.url(a),
                    url: self.url(a),
                    title: xml(&a.title),
                    summary: self.description(a),
                    content_html: self.content_html(i).to_string(),
                    date_published: a.published,
                    date_modified: a.last_changed(),
                    tags: self.categories(a).into_iter().map(|(name, _)| name).collect(),
                    language: self.settings.default_language.clone(),
                }
            })
            .collect();
        let last = self.public.iter().take(n).map(|a| a.last_changed()).max();
        let feed = JsonFeed {
            version: "https://jsonfeed.org/version/1.1",
            title: xml(&self.settings.title),
            home_page_url: base.clone(),
            feed_url: format!("{base}feed.json"),
            description: xml(&self.settings.description),
            language: self.settings.default_language.clone(),
            items,
        };
        let body = serde_json::to_string_pretty(&feed).unwrap_or_default();
        ("/feed.json".into(), Page::new(body, JSON_FEED, last, CachePolicy::Revalidate))
    }

    /// `/api/advisories.json`: every public advisory's facts and checklist (docs/api.md).
    pub(crate) fn api(&self) -> (String, Page) {
        let base = &self.settings.base_url;
        // Ten thousand advisories make 30 MB of JSON, written straight into the page's
        // buffer: serializing each advisory apart (in parallel) held the text twice during
        // a reload, beside the live site.
        let advisories = ApiAdvisories { ctx: self };
        let api = Api {
            version: API_VERSION,
            site: base.as_str(),
            license: &self.settings.license.url,
            count: self.public.len(),
            advisories,
        };
        let body = serde_json::to_string(&api).unwrap_or_default();
        ("/api/advisories.json".into(), Page::new(body, JSON, self.newest, CachePolicy::Revalidate))
    }

    /// One advisory as `/api/advisories.json` describes it.
    fn api_advisory<'s>(&'s self, a: &'s Advisory) -> ApiAdvisory<'s> {
        let base = &self.settings.base_url;
        ApiAdvisory {
            id: a.id.as_str(),
            url: self.url(a),
            title: a.title.as_str(),
            summary: a.summary.as_str(),
            kind: a.kind,
            severity: a.severity,
            status: a.status,
            verification: a.verification,
            published: a.published,
            updated: a.last_changed(),
            updates: a.updates.iter().map(|u| ApiUpdate { date: u.date, summary: u.summary.as_str() }).collect(),
            data: a
                .data
                .iter()
                .map(|d| ApiClass {
                    key: d.as_str(),
                    label: self.content.catalogue.class(d.as_str()).map_or(d.as_str(), |c| c.label.as_str()),
                })
                .collect(),
            affected: a.affected.as_str(),
            affected_count: a.affected_count,
            tags: a.tags.iter().map(|t| t.as_str()).collect(),
            references: a
                .references
                .iter()
                .map(|r| ApiReference { title: r.title.clone(), url: r.url.clone() })
                .collect(),
            translations: a
                .public_translations()
                .map(|t| (t.lang.as_str(), format!("{base}{}/advisories/{}/", t.lang, a.id)))
                .collect(),
            checklist: a
                .checklist
                .iter()
                .map(|i| ApiMeasure {
                    id: i.id.as_str(),
                    urgency: i.urgency,
                    text: i.text.as_str(),
                    link: i.link.as_deref(),
                    source: match &i.source {
                        crate::model::MeasureSource::Advisory => "advisory",
                        crate::model::MeasureSource::Catalogue { .. } => "catalogue",
                    },
                    class: match &i.source {
                        crate::model::MeasureSource::Advisory => None,
                        crate::model::MeasureSource::Catalogue { class } => Some(class.as_str()),
                    },
                })
                .collect(),
        }
    }

    /// `/feeds/`: every feed with a sentence on what it carries.
    pub(crate) fn feeds_page(&self) -> (String, Page) {
        let lang = self.settings.default_language.as_str();
        let t = i18n::strings(lang);
        let path = "/feeds/";
        let root = Self::root(path);
        let link = |href: String, label: String, text: &str| FeedEntry {
            href: format!("{root}{href}"),
            label,
            text: text.to_string(),
        };
        let mut sections = vec![FeedSection {
            heading: "Whole site".into(),
            feeds: vec![
                link(
                    "feed.xml".into(),
                    "RSS: all advisories".into(),
                    "every new advisory; an updated advisory keeps its place and its description starts with the newest update",
                ),
                link(
                    "updates.xml".into(),
                    "RSS: advisories and updates".into(),
                    "every new advisory and every update to one, each as its own item, so your reader shows updates as new",
                ),
                link("atom.xml".into(), "Atom: all advisories".into(), "the main feed in Atom 1.0"),
                link("feed.json".into(), "JSON Feed: all advisories".into(), "the main feed in JSON Feed 1.1"),
                link(
                    "api/advisories.json".into(),
                    "JSON API".into(),
                    "every public advisory's facts and checklist, for automation (versioned schema)",
                ),
            ],
        }];
        let listing = |heading: &str, kinds: Vec<ListingKind>| FeedSection {
            heading: heading.to_string(),
            feeds: kinds
                .into_iter()
                .map(|k| {
                    let label = self.scope_label(&Scope::Listing(k.clone()));
                    link(format!("{}feed.xml", k.path()), label, "")
                })
                .collect(),
        };
        sections.push(listing("By severity", Severity::ALL.iter().map(|s| ListingKind::Severity(*s)).collect()));
        sections.push(listing("By type", Kind::ALL.iter().map(|k| ListingKind::Kind(*k)).collect()));
        sections.push(listing(
            "By exposed data",
            self.content.catalogue.classes.keys().map(|c| ListingKind::Data(c.clone())).collect(),
        ));
        sections.push(listing("By topic", self.tags().into_iter().map(ListingKind::Tag).collect()));
        let mut layout = self.layout(path, self.lang_ref(lang), t.feeds_title.clone(), t.feeds_intro.clone());
        layout.current = "feeds";
        layout.feeds = self.site_feed_links(&root);
        let page = FeedsPage { layout, sections };
        self.html(path.into(), page.render(), self.newest)
    }

    /// The feeds every page links with `<link rel="alternate">`.
    pub(crate) fn site_feed_links(&self, root: &str) -> Vec<FeedLink> {
        vec![
            FeedLink {
                title: self.settings.title.clone(),
                href: format!("{root}feed.xml"),
                mime: "application/rss+xml",
            },
            FeedLink {
                title: format!("{} — updates", self.settings.title),
                href: format!("{root}updates.xml"),
                mime: "application/rss+xml",
            },
        ]
    }
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
    layout: super::pages::Layout<'a>,
    sections: Vec<FeedSection>,
}

struct AtomCategory {
    term: String,
    scheme: String,
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
    entries: Vec<AtomEntry>,
}

#[derive(Serialize)]
struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    description: String,
    language: String,
    items: Vec<JsonFeedItem>,
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

#[derive(Serialize)]
struct Api<'a> {
    version: u32,
    site: &'a str,
    license: &'a str,
    count: usize,
    advisories: ApiAdvisories<'a>,
}

/// The advisories of the API, serialized one after the other as they are described.
struct ApiAdvisories<'a> {
    ctx: &'a Ctx<'a>,
}

impl Serialize for ApiAdvisories<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.ctx.public.iter().map(|a| self.ctx.api_advisory(a)))
    }
}

#[derive(Serialize)]
struct ApiAdvisory<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    summary: &'a str,
    kind: Kind,
    severity: Severity,
    status: crate::model::Status,
    verification: crate::model::Verification,
    published: Timestamp,
    updated: Timestamp,
    updates: Vec<ApiUpdate<'a>>,
    data: Vec<ApiClass<'a>>,
    affected: &'a str,
    affected_count: Option<u64>,
    tags: Vec<&'a str>,
    references: Vec<ApiReference>,
    translations: BTreeMap<&'a str, String>,
    checklist: Vec<ApiMeasure<'a>>,
}

#[derive(Serialize)]
struct ApiUpdate<'a> {
    date: Timestamp,
    summary: &'a str,
}

#[derive(Serialize)]
struct ApiClass<'a> {
    key: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct ApiReference {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct ApiMeasure<'a> {
    id: &'a str,
    urgency: crate::model::Urgency,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc822_has_four_digit_year_and_utc_offset() {
        let t: Timestamp = "2025-07-29T12:00:00+05:00".parse().unwrap();
        assert_eq!(rfc822(t), "Tue, 29 Jul 2025 07:00:00 +0000");
    }
}
