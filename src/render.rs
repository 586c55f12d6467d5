//! `render::site(&Content, &Settings, now) -> Site`: the only producer of public
//! output. Pure: no I/O, no clock; the same inputs give the same bytes. Drafts and
//! advisories embargoed at `now` are filtered out once, at the top, so nothing
//! below can see them.

mod assets;
mod feeds;
pub mod i18n;
pub mod markdown;
mod pages;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use askama::Template;
use jiff::Timestamp;
use rayon::prelude::*;

use crate::content::Content;
use crate::model::{
    Advisory, ChecklistItem, Keyword, Kind, MeasureSource, Settings, Severity, Status, Translation, Urgency,
};
use crate::site::{CachePolicy, Page, Site};
use i18n::Strings;
use markdown::MarkdownOptions;
use pages::*;

/// Advisories per listing page: keeps every listing small on a slow network.
pub const PAGE_SIZE: usize = 50;
/// Advisories in each section of the home page.
pub const HOME_SIZE: usize = 10;
/// Related advisories shown on an advisory page.
const RELATED: usize = 5;

const HTML: &str = "text/html; charset=utf-8";

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'p> {
    /// Staff preview: drafts and embargoed advisories are shown, every page carries a
    /// "PREVIEW – not public" banner. Never for publishing.
    pub preview: bool,
    /// A site rendered earlier. Advisory pages, listing pages and RSS feeds whose inputs
    /// hash the same as when that site was rendered are taken from it without rendering
    /// (see [`Page::source`]); any other page whose bytes come out the same shares its
    /// bytes and compressed variants. Either way the result is byte for byte what a
    /// render from scratch gives, and a reload holds one copy of every unchanged page.
    pub previous: Option<&'p Site>,
}

/// Renders the whole public site as it is at `now`.
pub fn site(content: &Content, settings: &Settings, now: Timestamp) -> Site {
    site_with(content, settings, now, RenderOptions::default(), &|_, _| {})
}

/// [`site`], calling `progress(done, total)` as pages are rendered (for a progress bar).
pub fn site_with_progress(
    content: &Content,
    settings: &Settings,
    now: Timestamp,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Site {
    site_with(content, settings, now, RenderOptions::default(), progress)
}

/// [`site`] with options and a progress callback.
pub fn site_with(
    content: &Content,
    settings: &Settings,
    now: Timestamp,
    options: RenderOptions<'_>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Site {
    // Updates dated after `now` are embargoed like advisories: render a copy without them.
    let without_future_updates = if options.preview { None } else { content.as_of(now) };
    let content = without_future_updates.as_ref().unwrap_or(content);
    let ctx = Ctx::new(content, settings, now, options.preview, options.previous);
    // Every advisory page needs it: computed before the pages, in parallel.
    ctx.related();
    let jobs = ctx.jobs();
    let total = jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let rendered: Vec<(String, Page)> = jobs
        .par_iter()
        .flat_map_iter(|job| {
            let mut pages = ctx.render(job);
            if let Some(previous) = options.previous {
                for (path, page) in &mut pages {
                    if let Some(old) = previous.get(path)
                        && old.etag == page.etag
                        && old.body.len() == page.body.len()
                        && old.last_modified == page.last_modified
                    {
                        let source = page.source;
                        *page = old.clone();
                        page.source = source;
                    }
                }
            }
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
            pages
        })
        .collect();
    let mut site = Site::default();
    for (path, page) in rendered {
        site.insert(path, page);
    }
    site
}

/// The protective-measures checklist for the chosen data classes, for the server's
/// `/checklist/?data=…` (unknown classes are ignored; none known gives the full page).
pub fn checklist_for_classes(content: &Content, settings: &Settings, now: Timestamp, classes: &[&str]) -> Page {
    let ctx = Ctx::new(content, settings, now, false, None);
    let mut known: Vec<&str> = classes.iter().copied().filter(|c| content.catalogue.class(c).is_some()).collect();
    let mut seen = HashSet::new();
    known.retain(|c| seen.insert(*c));
    ctx.checklist_page("/checklist/".to_string(), &known).1
}

/// One unit of rendering work; rendered in parallel.
enum Job {
    Home(String),
    Advisory(usize, Option<String>),
    Archive,
    Listing(ListingKind),
    Checklist(Option<String>),
    NotFound,
    Assets,
    Sitemap,
    Robots,
    SecurityTxt,
    Feed(feeds::Scope),
    UpdatesFeed,
    AtomFeed,
    JsonFeed,
    Api,
    FeedsPage,
}

#[derive(Clone)]
enum ListingKind {
    Tag(String),
    Severity(Severity),
    Kind(Kind),
    Data(String),
}

struct Ctx<'a> {
    content: &'a Content,
    settings: &'a Settings,
    now: Timestamp,
    /// Public advisories, newest first.
    public: Vec<&'a Advisory>,
    assets: assets::Assets,
    /// For each public advisory, indices of related public advisories (computed once,
    /// before the pages: every advisory page and its inputs' hash need them).
    related: std::sync::OnceLock<Vec<Vec<usize>>>,
    /// The newest publication or update among public advisories.
    newest: Option<Timestamp>,
    /// Each public advisory's feed HTML, rendered on first use.
    content_html: Vec<std::sync::OnceLock<String>>,
    /// Staff preview (drafts and embargoed included, banner on every page).
    preview: bool,
    /// Files of public advisories and translations (computed on first use).
    public_paths: std::sync::OnceLock<HashSet<String>>,
    /// The site rendered before, whose pages are taken over when their inputs are unchanged.
    previous: Option<&'a Site>,
    /// Hash of what every page depends on: settings, catalogue, assets, preview mode.
    global: u64,
    /// Each public advisory's hash (every field), computed on first use.
    advisory_hashes: Vec<OnceLock<u64>>,
}

impl<'a> Ctx<'a> {
    fn new(
        content: &'a Content,
        settings: &'a Settings,
        now: Timestamp,
        preview: bool,
        previous: Option<&'a Site>,
    ) -> Self {
        let public: Vec<&Advisory> =
            if preview { content.all().iter().map(|a| &**a).collect() } else { content.public_at(now).collect() };
        let newest = public.iter().map(|a| a.last_changed()).max();
        let content_html = public.iter().map(|_| std::sync::OnceLock::new()).collect();
        let assets = assets::Assets::new();
        let global = {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            (settings, &content.catalogue, &assets.css, &assets.js, preview).hash(&mut h);
            h.finish()
        };
        Self {
            content,
            settings,
            now,
            advisory_hashes: public.iter().map(|_| OnceLock::new()).collect(),
            public,
            assets,
            related: std::sync::OnceLock::new(),
            newest,
            content_html,
            preview,
            public_paths: std::sync::OnceLock::new(),
            previous,
            global,
        }
    }

    /// A hasher for a page's inputs, seeded with what every page depends on.
    fn inputs(&self) -> xxhash_rust::xxh3::Xxh3 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.write_u64(self.global);
        h
    }

    /// The hash of everything the public advisory at `index` says.
    fn advisory_hash(&self, index: usize) -> u64 {
        *self.advisory_hashes[index].get_or_init(|| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            self.public[index].hash(&mut h);
            h.finish()
        })
    }

    /// The previous render's page at `path` if it was rendered from the same inputs.
    fn unchanged(&self, path: &str, source: u64) -> Option<Page> {
        self.previous?.get(path).filter(|page| page.source == Some(source)).cloned()
    }

    /// Whether every file a commit touched may be named in public (else its subject is withheld).
    fn revision_is_public(&self, revision: &crate::model::Revision) -> bool {
        revision.files.iter().all(|f| self.is_public_path(f))
    }

    /// Related public advisories of each public advisory (computed once).
    fn related(&self) -> &[Vec<usize>] {
        self.related.get_or_init(|| related(&self.public))
    }

    fn jobs(&self) -> Vec<Job> {
        let mut jobs = vec![
            Job::Archive,
            Job::NotFound,
            Job::Assets,
            Job::Sitemap,
            Job::Robots,
            Job::SecurityTxt,
            Job::Checklist(None),
            Job::Feed(feeds::Scope::All),
            Job::UpdatesFeed,
            Job::AtomFeed,
            Job::JsonFeed,
            Job::Api,
            Job::FeedsPage,
        ];
        for lang in &self.settings.languages {
            jobs.push(Job::Home(lang.clone()));
        }
        for (i, a) in self.public.iter().enumerate() {
            jobs.push(Job::Advisory(i, None));
            for lang in self.public_translations(a) {
                jobs.push(Job::Advisory(i, Some(lang.to_string())));
            }
        }
        let mut listings: Vec<ListingKind> = Vec::new();
        listings.extend(Severity::ALL.iter().map(|s| ListingKind::Severity(*s)));
        listings.extend(Kind::ALL.iter().map(|k| ListingKind::Kind(*k)));
        for key in self.content.catalogue.classes.keys() {
            listings.push(ListingKind::Data(key.clone()));
            jobs.push(Job::Checklist(Some(key.clone())));
        }
        listings.extend(self.tags().into_iter().map(ListingKind::Tag));
        for listing in listings {
            jobs.push(Job::Feed(feeds::Scope::Listing(listing.clone())));
            jobs.push(Job::Listing(listing));
        }
        jobs
    }

    /// Whether a file of the advisories folder may be named in public: anything that is
    /// not an advisory or translation file, or the file of a public advisory or translation.
    fn is_public_path(&self, path: &str) -> bool {
        let is_advisory_file =
            path.len() > 5 && path.as_bytes()[..4].iter().all(u8::is_ascii_digit) && path.ends_with(".md");
        !is_advisory_file
            || self
                .public_paths
                .get_or_init(|| {
                    self.public
                        .iter()
                        .flat_map(|a| {
                            std::iter::once(a.path.clone()).chain(a.public_translations().map(|t| t.path.clone()))
                        })
                        .collect()
                })
                .contains(path)
    }

    /// Tags of public advisories, sorted.
    fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> =
            self.public.iter().flat_map(|a| a.tags.iter().map(|t| t.as_str().to_string())).collect();
        tags.sort_unstable();
        tags.dedup();
        tags
    }

    fn public_translations(&self, a: &'a Advisory) -> impl Iterator<Item = &'a str> + 'a {
        a.public_translations().map(|t| t.lang.as_str())
    }

    fn render(&self, job: &Job) -> Vec<(String, Page)> {
        match job {
            Job::Home(lang) => vec![self.home(lang)],
            Job::Advisory(i, lang) => vec![self.advisory(*i, lang.as_deref())],
            Job::Archive => self.listing_pages(None),
            Job::Listing(kind) => self.listing_pages(Some(kind)),
            Job::Checklist(class) => vec![self.checklist(class.as_deref())],
            Job::NotFound => vec![self.not_found()],
            Job::Assets => self.assets.pages(),
            Job::Sitemap => vec![self.sitemap()],
            Job::Robots => vec![(
                "/robots.txt".into(),
                self.text_page(format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", self.settings.base_url)),
            )],
            Job::SecurityTxt => vec![("/.well-known/security.txt".into(), self.text_page(self.security_txt()))],
            Job::Feed(scope) => vec![self.rss_feed(scope)],
            Job::UpdatesFeed => vec![self.updates_feed()],
            Job::AtomFeed => vec![self.atom_feed()],
            Job::JsonFeed => vec![self.json_feed()],
            Job::Api => vec![self.api()],
            Job::FeedsPage => vec![self.feeds_page()],
        }
    }

    fn text_page(&self, text: String) -> Page {
        Page::new(text, "text/plain; charset=utf-8", self.newest, CachePolicy::Revalidate)
    }

    fn html(
        &self,
        path: String,
        html: Result<String, askama::Error>,
        last_modified: Option<Timestamp>,
    ) -> (String, Page) {
        // Templates are compiled and their inputs typed; a render error would be a bug,
        // and an empty page is better than a crashed build.
        let body = html.unwrap_or_else(|e| format!("<!DOCTYPE html><title>error</title><p>{e}</p>"));
        (path, Page::new(body, HTML, last_modified, CachePolicy::Revalidate))
    }

    /// Relative prefix from `path` (a URL path) to the site root: `/a/b/` → `../../`.
    fn root(path: &str) -> String {
        let depth = path.trim_start_matches('/').matches('/').count();
        if depth == 0 { "./".into() } else { "../".repeat(depth) }
    }

    fn layout(&self, path: &str, lang: &'a str, title: String, description: String) -> Layout<'a> {
        let root = if path == "/404.html" { "/".to_string() } else { Self::root(path) };
        let lang_root = if lang == self.settings.default_language { root.clone() } else { format!("{root}{lang}/") };
        let t = i18n::strings(lang);
        let rtl = i18n::is_rtl(lang);
        Layout {
            lang,
            dir: if rtl { "rtl" } else { "ltr" },
            og_locale: if lang == "ur" { "ur_PK" } else { "en_US" },
            t,
            site_title: &self.settings.title,
            is_home: false,
            title,
            description,
            canonical: format!("{}{}", self.settings.base_url, path.trim_start_matches('/')),
            og_type: "website",
            css: format!("{root}{}", self.assets.css),
            js: None,
            home_url: lang_root,
            archive_url: format!("{root}advisories/"),
            checklist_url: format!("{root}checklist/"),
            feeds_url: format!("{root}feeds/"),
            current: "",
            alternates: Vec::new(),
            languages: Vec::new(),
            feeds: self.site_feed_links(&root),
            preview: self.preview,
            contact_email: &self.settings.contact_email,
            license_name: &self.settings.license.name,
            license_url: &self.settings.license.url,
        }
    }

    fn advisory_path(&self, a: &Advisory, lang: Option<&str>) -> String {
        match lang {
            Some(l) => format!("/{l}/advisories/{}/", a.id),
            None => format!("/advisories/{}/", a.id),
        }
    }

    fn card(&self, a: &Advisory, root: &str, lang: &str, t: &Strings) -> Card {
        let translation = (lang != self.settings.default_language).then(|| a.translations.get(lang)).flatten();
        let (url, title, summary, card_lang) = match translation {
            Some(tr) => (format!("{root}{lang}/advisories/{}/", a.id), tr.title.clone(), tr.summary.clone(), None),
            None => {
                let other = lang != self.settings.default_language;
                (
                    format!("{root}advisories/{}/", a.id),
                    a.title.clone(),
                    a.summary.clone(),
                    other.then(|| self.settings.default_language.clone()),
                )
            }
        };
        Card {
            level: 3,
            url,
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

    fn home(&self, lang: &str) -> (String, Page) {
        let default = lang == self.settings.default_language;
        let path = if default { "/".to_string() } else { format!("/{lang}/") };
        let t = i18n::strings(lang);
        let root = Self::root(&path);
        // The translated home lists translated advisories; the default lists all.
        let visible: Vec<&Advisory> = self
            .public
            .iter()
            .copied()
            .filter(|a| default || a.public_translations().any(|tr| tr.lang == lang))
            .collect();
        let active: Vec<Card> = visible
            .iter()
            .filter(|a| a.status == Status::Active)
            .take(HOME_SIZE)
            .map(|a| self.card(a, &root, lang, t))
            .collect();
        // "Latest" continues after the active ones, so nothing is listed twice.
        let latest: Vec<Card> = visible
            .iter()
            .filter(|a| !(a.status == Status::Active && active.iter().any(|c| c.url.ends_with(&format!("/{}/", a.id)))))
            .take(HOME_SIZE)
            .map(|a| self.card(a, &root, lang, t))
            .collect();
        let lang_static: &'a str = self.lang_ref(lang);
        let mut layout =
            self.layout(&path, lang_static, self.settings.title.clone(), self.settings.description.clone());
        layout.is_home = true;
        layout.current = "home";
        self.add_language_links(&mut layout, &root, |l| {
            if l == self.settings.default_language { String::new() } else { format!("{l}/") }
        });
        self.html(path, HomePage { layout, active, latest }.render(), self.newest)
    }

    fn lang_ref(&self, lang: &str) -> &'a str {
        self.settings.languages.iter().find(|l| *l == lang).map_or("en", String::as_str)
    }

    /// Adds hreflang alternates and the language switch for a page that exists in every language.
    fn add_language_links(&self, layout: &mut Layout<'_>, root: &str, rel_path: impl Fn(&str) -> String) {
        for l in &self.settings.languages {
            let href = format!("{root}{}", rel_path(l));
            layout.alternates.push(Alternate {
                lang: l.clone(),
                name: i18n::strings(l).lang_name.clone(),
                href: href.clone(),
            });
            if l != layout.lang {
                layout.languages.push(Alternate { lang: l.clone(), name: i18n::strings(l).lang_name.clone(), href });
            }
        }
    }

    fn checklist_view(
        &self,
        key: &str,
        items: &[ChecklistItem],
        interactive: bool,
        lang: &str,
        item_lang: impl Fn(&ChecklistItem) -> Option<String>,
        md: &MarkdownOptions<'_>,
    ) -> ChecklistView {
        let t = i18n::strings(lang);
        let mut groups: Vec<UrgencyGroup> = Vec::new();
        for urgency in Urgency::ALL {
            let items: Vec<ItemView> = items
                .iter()
                .filter(|i| i.urgency == *urgency)
                .map(|i| ItemView {
                    n: 0,
                    id: i.id.clone(),
                    html: match i.source {
                        MeasureSource::Advisory => markdown::inline_to_html(&i.text, md),
                        MeasureSource::Catalogue { .. } => markdown::escape_html(&i.text).into_owned(),
                    },
                    link: i.link.clone(),
                    classes: None,
                    lang: item_lang(i),
                })
                .collect();
            if !items.is_empty() {
                groups.push(UrgencyGroup { urgency: urgency.as_str(), label: t.urgency(*urgency).to_string(), items });
            }
        }
        for (n, item) in groups.iter_mut().flat_map(|g| g.items.iter_mut()).enumerate() {
            item.n = n + 1;
        }
        ChecklistView { key: key.to_string(), interactive, groups }
    }

    /// The view of an advisory for a page (`base` = relative root) or a feed (`base` = absolute URL).
    fn advisory_view(
        &self,
        a: &Advisory,
        translation: Option<&Translation>,
        lang: &str,
        base: &str,
        md: &MarkdownOptions<'_>,
    ) -> (AdvisoryView, ChecklistView) {
        let t = i18n::strings(lang);
        let mut updates: Vec<UpdateView> = a
            .updates
            .iter()
            .map(|u| UpdateView {
                anchor: u.date.as_second().to_string(),
                iso: u.date.to_string(),
                text: t.date(u.date),
                summary: translation
                    .and_then(|tr| tr.updates.get(&u.date))
                    .cloned()
                    .unwrap_or_else(|| u.summary.clone()),
            })
            .collect();
        updates.reverse();
        let body = translation.map_or(a.body.as_str(), |tr| tr.body.as_str());
        let checklist_items: Vec<ChecklistItem> = match translation {
            Some(tr) => {
                // A translation without its own measures section keeps the original's steps.
                let mut items = if tr.own_measures.is_empty() {
                    a.checklist.iter().filter(|i| i.source == MeasureSource::Advisory).cloned().collect()
                } else {
                    tr.own_measures.clone()
                };
                self.content.catalogue.extend_checklist(&mut items, a.data.iter().map(|d| d.as_str()));
                crate::model::sort_by_urgency(&mut items);
                items
            }
            None => a.checklist.clone(),
        };
        let default_lang = self.settings.default_language.clone();
        let item_lang = |i: &ChecklistItem| match (translation, &i.source) {
            (Some(_), MeasureSource::Catalogue { .. }) => Some(default_lang.clone()),
            (Some(tr), MeasureSource::Advisory) if tr.own_measures.is_empty() => Some(default_lang.clone()),
            _ => None,
        };
        let interactive = !base.starts_with("http");
        let checklist = self.checklist_view(a.id.as_str(), &checklist_items, interactive, lang, item_lang, md);
        let facts_lang = translation.map(|_| self.settings.default_language.clone());
        let view = AdvisoryView {
            facts_lang,
            title: translation.map_or(&a.title, |tr| &tr.title).clone(),
            summary: translation.map_or(&a.summary, |tr| &tr.summary).clone(),
            severity: a.severity.as_str(),
            severity_label: t.severity(a.severity).to_string(),
            status_label: t.status(a.status).to_string(),
            verification_label: t.verification(a.verification).to_string(),
            kind_label: t.kind(a.kind).to_string(),
            kind_url: format!("{base}kind/{}/", a.kind),
            published_iso: a.published.to_string(),
            published_text: t.date(a.published),
            last_updated: a.updates.last().map(|u| Date { iso: u.date.to_string(), text: t.date(u.date) }),
            affected: a.affected.clone(),
            affected_count: a.affected_count.map(|n| Strings::fill(&t.affected_count, &[("n", &group_digits(n))])),
            data: a
                .data
                .iter()
                .map(|d| Link {
                    href: format!("{base}data/{}/", d.as_str()),
                    label: self
                        .content
                        .catalogue
                        .class(d.as_str())
                        .map_or_else(|| d.as_str().to_string(), |c| c.label.clone()),
                })
                .collect(),
            body_html: markdown::to_html(body, md),
            updates,
            references: a.references.iter().map(|r| Link { href: r.url.clone(), label: r.title.clone() }).collect(),
            tags: a
                .tags
                .iter()
                .map(|tag| Link { href: format!("{base}tags/{}/", tag.as_str()), label: tag.as_str().to_string() })
                .collect(),
            outdated: translation
                .filter(|tr| a.translation_is_outdated(tr))
                .map(|_| format!("{base}advisories/{}/", a.id)),
            history: a
                .history
                .iter()
                .map(|r| HistoryView {
                    iso: r.date.to_string(),
                    text: t.date(r.date),
                    // A subject may describe an advisory that is not public yet.
                    subject: if self.revision_is_public(r) { r.subject.clone() } else { t.history_withheld.clone() },
                    short: r.short.clone(),
                    href: self
                        .settings
                        .repository_url
                        .as_ref()
                        .map(|repo| format!("{}/commit/{}", repo.trim_end_matches('/'), r.hash)),
                })
                .collect(),
        };
        (view, checklist)
    }

    fn advisory(&self, index: usize, lang: Option<&str>) -> (String, Page) {
        let a = self.public[index];
        let path = self.advisory_path(a, lang);
        // Besides the advisory itself, its page shows its related advisories' titles and
        // withholds the subjects of commits that touched unpublished files.
        let source = {
            let mut h = self.inputs();
            (self.advisory_hash(index), lang).hash(&mut h);
            for &j in &self.related()[index] {
                let r = self.public[j];
                (&r.id, &r.title).hash(&mut h);
                r.public_translations().for_each(|tr| (&tr.lang, &tr.title).hash(&mut h));
            }
            a.history.iter().for_each(|r| self.revision_is_public(r).hash(&mut h));
            h.finish()
        };
        if let Some(page) = self.unchanged(&path, source) {
            return (path, page);
        }
        let root = Self::root(&path);
        let page_lang = lang.unwrap_or(&self.settings.default_language);
        let t = i18n::strings(page_lang);
        let translation = lang.and_then(|l| a.translations.get(l));
        let md = MarkdownOptions { absolute_base: None, section_link_label: &t.section_link };
        let (view, checklist) = self.advisory_view(a, translation, page_lang, &root, &md);
        let mut layout = self.layout(&path, self.lang_ref(page_lang), view.title.clone(), view.summary.clone());
        layout.og_type = "article";
        layout.js = Some(format!("{root}{}", self.assets.js));
        let mut langs: Vec<&str> = vec![self.settings.default_language.as_str()];
        langs.extend(self.public_translations(a));
        if langs.len() > 1 {
            let id = a.id.clone();
            let default = self.settings.default_language.clone();
            let rel = move |l: &str| {
                if l == default { format!("advisories/{id}/") } else { format!("{l}/advisories/{id}/") }
            };
            for l in langs {
                let href = format!("{root}{}", rel(l));
                let name = i18n::strings(l).lang_name.clone();
                layout.alternates.push(Alternate { lang: l.to_string(), name: name.clone(), href: href.clone() });
                if l != page_lang {
                    layout.languages.push(Alternate { lang: l.to_string(), name, href });
                }
            }
        }
        let related = self.related()[index]
            .iter()
            .map(|&j| {
                let r = self.public[j];
                let tr = lang.and_then(|l| r.public_translations().find(|tr| tr.lang == l));
                match tr {
                    Some(tr) => {
                        Link { href: format!("{root}{}/advisories/{}/", tr.lang, r.id), label: tr.title.clone() }
                    }
                    None => Link { href: format!("{root}advisories/{}/", r.id), label: r.title.clone() },
                }
            })
            .collect();
        let channels =
            self.settings.channels.iter().map(|c| Link { href: c.url.clone(), label: c.name.clone() }).collect();
        let page = AdvisoryPage { layout, a: view, checklist, related, channels, never_ask: &self.settings.never_ask };
        let (path, mut page) = self.html(path, page.render(), Some(a.last_changed()));
        page.source = Some(source);
        (path, page)
    }

    fn listing_pages(&self, kind: Option<&ListingKind>) -> Vec<(String, Page)> {
        let lang = self.settings.default_language.as_str();
        let t = i18n::strings(lang);
        let (base_path, heading, intro, items): (String, String, Option<String>, Vec<&Advisory>) = match kind {
            None => {
                ("/advisories/".into(), t.archive_title.clone(), Some(t.archive_intro.clone()), self.public.clone())
            }
            Some(kind) => {
                let (heading, intro) = match kind {
                    ListingKind::Tag(tag) => (Strings::fill(&t.tag_title, &[("name", tag)]), None),
                    ListingKind::Severity(s) => (Strings::fill(&t.severity_title, &[("name", t.severity(*s))]), None),
                    ListingKind::Kind(k) => (Strings::fill(&t.kind_title, &[("name", t.kind(*k))]), None),
                    ListingKind::Data(class) => {
                        let info = self.content.catalogue.class(class);
                        let name = info.map_or(class.as_str(), |c| c.label.as_str());
                        (Strings::fill(&t.data_title, &[("name", name)]), info.map(|c| c.description.clone()))
                    }
                };
                let items = self.public.iter().copied().filter(|a| kind.matches(a)).collect();
                (format!("/{}", kind.path()), heading, intro, items)
            }
        };
        let chunks: Vec<&[&Advisory]> = if items.is_empty() { vec![&[]] } else { items.chunks(PAGE_SIZE).collect() };
        let total = chunks.len();
        let page_path = |n: usize| {
            if n <= 1 { base_path.clone() } else { format!("{base_path}page/{n}/") }
        };
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
                let path = page_path(n);
                let newest = chunk.iter().map(|a| a.last_changed()).max().or(self.newest);
                // A listing page shows its chunk's cards, the links to every page and year,
                // and is dated by its newest advisory.
                let source = {
                    let mut h = self.inputs();
                    (&path, total, &year_pages, newest).hash(&mut h);
                    for a in chunk.iter() {
                        let updated = a.updates.last().map(|u| u.date);
                        (&a.id, &a.title, &a.summary, a.severity, a.status, a.kind, a.published, updated).hash(&mut h);
                    }
                    h.finish()
                };
                if let Some(page) = self.unchanged(&path, source) {
                    return (path, page);
                }
                let root = Self::root(&path);
                let rel = |p: &str| format!("{root}{}", p.trim_start_matches('/'));
                let mut groups: Vec<CardGroup> = Vec::new();
                for a in chunk.iter() {
                    let heading = kind.is_none().then(|| a.year().to_string());
                    let mut card = self.card(a, &root, lang, t);
                    if heading.is_none() {
                        card.level = 2;
                    }
                    match groups.last_mut() {
                        Some(g) if g.heading == heading => g.cards.push(card),
                        _ => groups.push(CardGroup {
                            anchor: heading.as_ref().map_or_else(String::new, |y| format!("y{y}")),
                            heading,
                            cards: vec![card],
                        }),
                    }
                }
                let title = if n > 1 {
                    format!(
                        "{heading} ({})",
                        Strings::fill(&t.page_n, &[("n", &n.to_string()), ("total", &total.to_string())])
                    )
                } else {
                    heading.clone()
                };
                let mut layout =
                    self.layout(&path, self.lang_ref(lang), title, intro.clone().unwrap_or_else(|| heading.clone()));
                if kind.is_none() {
                    layout.current = "archive";
                }
                let own_feed = kind.map(|k| feeds::listing_feed_link(self, k, &root));
                let feed = own_feed.as_ref().map(|f| f.href.clone());
                layout.feeds.extend(own_feed);
                let years = year_pages
                    .iter()
                    .map(|(y, p)| Link { href: format!("{}#y{y}", rel(&page_path(*p))), label: y.to_string() })
                    .collect();
                let page = ListingPage {
                    layout,
                    heading: heading.clone(),
                    intro: intro.clone(),
                    feed,
                    years,
                    groups,
                    pages: (1..=total).map(|p| rel(&page_path(p))).collect(),
                    page_label: Strings::fill(&t.page_n, &[("n", &n.to_string()), ("total", &total.to_string())]),
                    prev: (n > 1).then(|| rel(&page_path(n - 1))),
                    next: (n < total).then(|| rel(&page_path(n + 1))),
                };
                let (path, mut page) = self.html(path, page.render(), newest);
                page.source = Some(source);
                (path, page)
            })
            .collect()
    }

    fn checklist(&self, class: Option<&str>) -> (String, Page) {
        match class {
            Some(c) => self.checklist_page(format!("/checklist/{c}/"), &[c]),
            None => self.checklist_page("/checklist/".to_string(), &[]),
        }
    }

    /// The checklist page for the `selected` data classes (all classes when empty).
    fn checklist_page(&self, path: String, selected: &[&str]) -> (String, Page) {
        let lang = self.settings.default_language.as_str();
        let t = i18n::strings(lang);
        let root = Self::root(&path);
        let catalogue = &self.content.catalogue;
        let keys: Vec<&str> = if selected.is_empty() {
            catalogue.classes.keys().map(String::as_str).collect()
        } else {
            selected.to_vec()
        };
        let items = catalogue.checklist_for(keys.iter().copied());
        let md = MarkdownOptions { absolute_base: None, section_link_label: &t.section_link };
        let mut view = self.checklist_view("checklist", &items, true, lang, |_| None, &md);
        // Each item names the classes that bring it in, so the script can combine picked classes.
        let mut classes_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for (key, info) in &catalogue.classes {
            for id in &info.measures {
                classes_of.entry(id.as_str()).or_default().push(key.as_str());
            }
        }
        for group in &mut view.groups {
            for item in &mut group.items {
                item.classes = classes_of.get(item.id.as_str()).map(|c| c.join(" "));
            }
        }
        let label_of = |key: &str| catalogue.class(key).map_or_else(|| key.to_string(), |c| c.label.clone());
        let (heading, list_heading) = if selected.is_empty() {
            (t.checklist_page_title.clone(), t.checklist_all.clone())
        } else {
            let names = selected.iter().map(|c| label_of(c)).collect::<Vec<_>>().join(", ");
            let title = Strings::fill(&t.checklist_for, &[("name", &names)]);
            (title.clone(), title)
        };
        let choices = catalogue
            .classes
            .iter()
            .map(|(key, info)| ClassChoice {
                key: key.clone(),
                label: info.label.clone(),
                href: format!("{root}checklist/{key}/"),
                only: Strings::fill(&t.checklist_class_link, &[("name", &info.label)]),
                checked: selected.contains(&key.as_str()),
            })
            .collect();
        let descriptions = keys
            .iter()
            .filter_map(|k| catalogue.class(k))
            .map(|c| ClassDescription {
                href: format!("{root}data/{}/", c.key.as_str()),
                label: c.label.clone(),
                text: c.description.clone(),
            })
            .collect();
        let mut layout = self.layout(&path, self.lang_ref(lang), heading.clone(), t.checklist_page_intro.clone());
        layout.current = "checklist";
        layout.js = Some(format!("{root}{}", self.assets.js));
        let page = ChecklistPage {
            layout,
            heading,
            intro: t.checklist_page_intro.clone(),
            form_action: format!("{root}checklist/"),
            classes: choices,
            list_heading,
            checklist: view,
            descriptions,
        };
        self.html(path, page.render(), None)
    }

    fn not_found(&self) -> (String, Page) {
        let lang = self.settings.default_language.as_str();
        let t = i18n::strings(lang);
        let layout = self.layout("/404.html", self.lang_ref(lang), t.not_found_title.clone(), t.not_found_text.clone());
        let (path, mut page) = self.html("/404.html".into(), NotFoundPage { layout }.render(), None);
        page.cache = CachePolicy::Revalidate;
        (path, page)
    }

    fn sitemap(&self) -> (String, Page) {
        let base = &self.settings.base_url;
        let day = |t: Timestamp| t.strftime("%Y-%m-%d").to_string();
        let mut urls = vec![
            SitemapUrl { loc: base.clone(), lastmod: self.newest.map(day) },
            SitemapUrl { loc: format!("{base}advisories/"), lastmod: self.newest.map(day) },
            SitemapUrl { loc: format!("{base}checklist/"), lastmod: None },
        ];
        for a in &self.public {
            urls.push(SitemapUrl { loc: format!("{base}advisories/{}/", a.id), lastmod: Some(day(a.last_changed())) });
            for lang in self.public_translations(a) {
                urls.push(SitemapUrl {
                    loc: format!("{base}{lang}/advisories/{}/", a.id),
                    lastmod: Some(day(a.last_changed())),
                });
            }
        }
        let body = Sitemap { urls }.render().unwrap_or_default();
        ("/sitemap.xml".into(), Page::new(body, "application/xml; charset=utf-8", self.newest, CachePolicy::Revalidate))
    }

    fn security_txt(&self) -> String {
        // RFC 9116 requires an expiry; a year from the day of rendering keeps builds of one day identical.
        let expires =
            self.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().saturating_add(jiff::Span::new().years(1));
        format!(
            "Contact: mailto:{}\nExpires: {}T00:00:00Z\nPreferred-Languages: {}\nCanonical: {}.well-known/security.txt\n",
            self.settings.security_email,
            expires,
            self.settings.languages.join(", "),
            self.settings.base_url
        )
    }
}

/// 2700000 → "2,700,000".
fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// For each advisory, up to [`RELATED`] others sharing data classes or tags, most shared
/// first, then nearest in time. Candidates come from the neighbours in time within each
/// shared class or tag, so the cost stays linear in the number of advisories.
fn related(public: &[&Advisory]) -> Vec<Vec<usize>> {
    const WINDOW: usize = 8;
    // Each data class and tag gets a number; its posting list holds the advisories that
    // carry it, in order, and each advisory remembers where it stands in each of its lists.
    let mut numbers: HashMap<(bool, &str), usize> = HashMap::new();
    let mut postings: Vec<Vec<usize>> = Vec::new();
    let mut places: Vec<Vec<(usize, usize)>> = Vec::with_capacity(public.len());
    for (i, a) in public.iter().enumerate() {
        let keys = a.data.iter().map(|d| (true, d.as_str())).chain(a.tags.iter().map(|t| (false, t.as_str())));
        let mut own = Vec::with_capacity(a.data.len() + a.tags.len());
        for key in keys {
            let n = *numbers.entry(key).or_insert_with(|| {
                postings.push(Vec::new());
                postings.len() - 1
            });
            if postings[n].last() != Some(&i) {
                own.push((n, postings[n].len()));
                postings[n].push(i);
            }
        }
        places.push(own);
    }
    places
        .par_iter()
        .enumerate()
        .map(|(i, own)| {
            let mut candidates: Vec<usize> = Vec::with_capacity(own.len() * (2 * WINDOW));
            for &(n, pos) in own {
                let list = &postings[n];
                let (lo, hi) = (pos.saturating_sub(WINDOW), (pos + WINDOW + 1).min(list.len()));
                candidates.extend(list[lo..hi].iter().copied().filter(|&j| j != i));
            }
            candidates.sort_unstable();
            // (advisory, how many classes and tags it shares with this one)
            let mut ranked: Vec<(usize, usize)> = Vec::with_capacity(candidates.len());
            for j in candidates {
                match ranked.last_mut() {
                    Some((last, shared)) if *last == j => *shared += 1,
                    _ => ranked.push((j, 1)),
                }
            }
            ranked.sort_unstable_by_key(|&(j, shared)| (std::cmp::Reverse(shared), j.abs_diff(i), j));
            ranked.into_iter().map(|(j, _)| j).take(RELATED).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_digits() {
        assert_eq!(Ctx::root("/"), "./");
        assert_eq!(Ctx::root("/advisories/"), "../");
        assert_eq!(Ctx::root("/ur/advisories/X/"), "../../../");
        assert_eq!(group_digits(2_700_000), "2,700,000");
        assert_eq!(group_digits(999), "999");
    }
}
