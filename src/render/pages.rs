//! The askama view structs: one per template, holding only display-ready values
//! (labels, formatted dates, relative URLs), so templates stay free of logic.

use askama::Template;

use crate::model::Strings;

/// What every page's layout needs.
pub(crate) struct Layout<'a> {
    pub(crate) lang: &'a str,
    pub(crate) dir: &'static str,
    pub(crate) og_locale: String,
    pub(crate) t: &'a Strings,
    pub(crate) site_title: &'a str,
    pub(crate) is_home: bool,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) canonical: String,
    pub(crate) og_type: &'static str,
    pub(crate) css: String,
    pub(crate) js: Option<String>,
    pub(crate) home_url: String,
    pub(crate) archive_url: String,
    pub(crate) checklist_url: String,
    pub(crate) feeds_url: String,
    pub(crate) search_url: String,
    pub(crate) current: &'static str,
    /// The same page in other languages (hreflang links and the language switch).
    pub(crate) alternates: Vec<Alternate>,
    pub(crate) languages: Vec<Alternate>,
    pub(crate) feeds: Vec<FeedLink>,
    pub(crate) preview: bool,
    pub(crate) contact_email: &'a str,
    pub(crate) license_name: &'a str,
    pub(crate) license_url: &'a str,
}

/// A link to the same page in another language.
pub(crate) struct Alternate {
    pub(crate) lang: String,
    pub(crate) name: String,
    pub(crate) href: String,
}

/// A `<link rel="alternate">` to a feed.
pub(crate) struct FeedLink {
    pub(crate) title: String,
    pub(crate) href: String,
    pub(crate) mime: &'static str,
}

/// A labelled link.
pub(crate) struct Link {
    pub(crate) href: String,
    pub(crate) label: String,
}

/// A labelled link whose label may be in another language than the page.
pub(crate) struct LangLink {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) lang: Option<String>,
}

/// A date as `<time>` wants it.
pub(crate) struct Date {
    pub(crate) iso: String,
    pub(crate) text: String,
}

/// One advisory in a list.
pub(crate) struct Card {
    /// Heading level of the title: 3 under a section heading, 2 directly under the page's h1.
    pub(crate) level: u8,
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) severity: &'static str,
    pub(crate) severity_label: String,
    pub(crate) status_label: String,
    pub(crate) kind_label: String,
    pub(crate) date_iso: String,
    pub(crate) date_text: String,
    pub(crate) updated: Option<Date>,
    /// The language of title and summary when it is not the page's (an untranslated advisory).
    pub(crate) lang: Option<String>,
    /// Their direction then.
    pub(crate) lang_dir: &'static str,
    /// "Not yet translated", in the page's language, for an untranslated advisory.
    pub(crate) untranslated: Option<String>,
    /// In a staff preview: "Draft: not public" or "Embargoed until …".
    pub(crate) preview_mark: Option<String>,
}

/// A checklist, grouped by urgency.
pub(crate) struct ChecklistView {
    /// Storage key: the advisory id, or `checklist` for the standalone page.
    pub(crate) key: String,
    /// Checkboxes (pages) or a plain list (feeds).
    pub(crate) interactive: bool,
    pub(crate) groups: Vec<UrgencyGroup>,
}

/// The items of one urgency.
pub(crate) struct UrgencyGroup {
    pub(crate) urgency: &'static str,
    pub(crate) label: String,
    pub(crate) items: Vec<ItemView>,
}

/// One checklist item.
#[derive(Clone)]
pub(crate) struct ItemView {
    /// Position in the page's checklist: short element ids keep pages light.
    pub(crate) n: usize,
    pub(crate) id: String,
    pub(crate) html: String,
    pub(crate) link: Option<String>,
    /// Data classes it belongs to (standalone checklist), space-separated.
    pub(crate) classes: Option<String>,
    /// Set when the item's language differs from the page's.
    pub(crate) lang: Option<String>,
    /// The item's direction then.
    pub(crate) dir: &'static str,
}

/// An update, newest first on the page.
pub(crate) struct UpdateView {
    pub(crate) anchor: String,
    pub(crate) iso: String,
    pub(crate) text: String,
    pub(crate) summary: String,
    /// The summary's language when it is not translated into the page's.
    pub(crate) lang: Option<String>,
}

/// Everything the advisory body partial shows; shared by the page and the feeds.
pub(crate) struct AdvisoryView {
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) severity: &'static str,
    pub(crate) severity_label: String,
    pub(crate) status_label: String,
    pub(crate) verification_label: String,
    pub(crate) kind_label: String,
    pub(crate) kind_url: String,
    pub(crate) published_iso: String,
    pub(crate) published_text: String,
    pub(crate) last_updated: Option<Date>,
    /// When the incident happened: one day or first and last, empty when not known.
    pub(crate) occurred: Option<Vec<Date>>,
    pub(crate) discovered: Option<Date>,
    pub(crate) affected: String,
    pub(crate) affected_count: Option<String>,
    pub(crate) data: Vec<LangLink>,
    pub(crate) body_html: String,
    pub(crate) updates: Vec<UpdateView>,
    pub(crate) references: Vec<Link>,
    pub(crate) tags: Vec<Link>,
    pub(crate) outdated: Option<String>,
    pub(crate) history: Vec<HistoryView>,
    /// Language of the facts nobody translates (who is affected) on a page in another language.
    pub(crate) facts_lang: Option<String>,
    /// Language of title, summary and body when the advisory is not translated into the page's.
    pub(crate) words_lang: Option<String>,
    /// Their direction.
    pub(crate) words_dir: &'static str,
    /// Said on the first screen when the facts are not confirmed.
    pub(crate) verification_note: Option<String>,
    /// The newest update, for the first screen.
    pub(crate) latest_update: Option<UpdateView>,
    /// The first "do now" steps, for the first screen of a page (none in feeds).
    pub(crate) do_now: Vec<ItemView>,
    /// "All 18 steps", linking to the checklist, when there are more than `do_now`.
    pub(crate) all_steps: Option<String>,
    /// In a staff preview: "Draft: not public" or "Embargoed until …".
    pub(crate) preview_mark: Option<String>,
    /// Whether it is a draft (which has no publication date to show).
    pub(crate) draft: bool,
}

/// One commit of the file's git history.
pub(crate) struct HistoryView {
    pub(crate) iso: String,
    pub(crate) text: String,
    /// The commit's subject, where site.toml opts in.
    pub(crate) subject: Option<String>,
    pub(crate) short: String,
    pub(crate) href: Option<String>,
}

/// `/advisories/{id}/` and `/LANG/advisories/{id}/`.
#[derive(Template)]
#[template(path = "advisory.html")]
pub(crate) struct AdvisoryPage<'a> {
    pub(crate) layout: Layout<'a>,
    pub(crate) a: AdvisoryView,
    pub(crate) checklist: ChecklistView,
    pub(crate) related: Vec<LangLink>,
    pub(crate) channels: Vec<Link>,
    pub(crate) never_ask: &'a [String],
    /// The language of channels and never-ask when site.toml does not translate them.
    pub(crate) texts_lang: Option<String>,
    /// On a page in another language, why the advisory's words are the original's.
    pub(crate) untranslated: Option<String>,
}

/// The advisory body alone, for feed items' `content:encoded`.
#[derive(Template)]
#[template(path = "partials/advisory_body.html")]
pub(crate) struct AdvisoryBody<'a> {
    pub(crate) layout: Layout<'a>,
    pub(crate) a: AdvisoryView,
    pub(crate) checklist: ChecklistView,
}

/// `/` and `/LANG/`.
#[derive(Template)]
#[template(path = "home.html")]
pub(crate) struct HomePage<'a> {
    pub(crate) layout: Layout<'a>,
    pub(crate) active: Vec<Card>,
    pub(crate) latest: Vec<Card>,
}

/// A group of cards under an optional heading (a year in the archive).
pub(crate) struct CardGroup {
    pub(crate) heading: Option<String>,
    pub(crate) anchor: String,
    pub(crate) cards: Vec<Card>,
}

/// The archive and every listing (tag, severity, data class, kind), paginated.
#[derive(Template)]
#[template(path = "listing.html")]
pub(crate) struct ListingPage<'a> {
    pub(crate) layout: Layout<'a>,
    pub(crate) heading: String,
    pub(crate) intro: Option<String>,
    pub(crate) feed: Option<String>,
    pub(crate) years: Vec<Link>,
    pub(crate) groups: Vec<CardGroup>,
    pub(crate) pages: Vec<String>,
    pub(crate) page_label: String,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
}

/// A data class in the checklist picker.
pub(crate) struct ClassChoice {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) href: String,
    pub(crate) only: String,
    pub(crate) checked: bool,
}

/// A data class's description.
pub(crate) struct ClassDescription {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) text: String,
}

/// `/checklist/` and `/checklist/{class}/`.
#[derive(Template)]
#[template(path = "checklist.html")]
pub(crate) struct ChecklistPage<'a> {
    pub(crate) layout: Layout<'a>,
    pub(crate) heading: String,
    pub(crate) intro: String,
    pub(crate) form_action: String,
    pub(crate) classes: Vec<ClassChoice>,
    pub(crate) list_heading: String,
    pub(crate) checklist: ChecklistView,
    pub(crate) descriptions: Vec<ClassDescription>,
}

/// `/404.html`.
#[derive(Template)]
#[template(path = "not_found.html")]
pub(crate) struct NotFoundPage<'a> {
    pub(crate) layout: Layout<'a>,
    /// "Advisory addresses end in an id like PK-2025-0007 …" (HTML: the id is code).
    pub(crate) id_hint: Option<String>,
}

/// One `<url>` of the sitemap.
pub(crate) struct SitemapUrl {
    pub(crate) loc: String,
    pub(crate) lastmod: Option<String>,
}

/// `/sitemap.xml`.
#[derive(Template)]
#[template(path = "sitemap.xml")]
pub(crate) struct Sitemap {
    pub(crate) urls: Vec<SitemapUrl>,
}
