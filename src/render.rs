//! `render::site(&Content, &Settings, now) -> Site`: the only producer of public
//! output. Pure: no I/O, no clock; the same inputs give the same bytes. Drafts and
//! advisories embargoed at `now` are filtered out once, at the top, so nothing
//! below can see them.
//!
//! This module holds the job list and [`Ctx`], what every page shares (the public
//! advisories, the layout, the hashes that let a reload reuse unchanged pages). Each
//! kind of output has its own module of plain functions over a `&Ctx`: pages
//! ([`home`], [`advisory`], [`listing`], [`checklist`], [`misc`], [`feeds_page`]),
//! feeds ([`rss`], [`atom`], [`json_feed`], with [`syndication`] for what they share)
//! and the JSON [`api`]. Every path comes from [`urls`].

mod advisory;
mod api;
mod assets;
mod atom;
mod bidi;
mod checklist;
mod feeds_page;
mod home;
mod json_feed;
mod listing;
pub mod markdown;
mod misc;
mod pages;
mod related;
mod rss;
mod search;
mod search_index;
mod subscribe;
mod syndication;
use crate::urls;
pub use search::SearchView;
pub use subscribe::SubscribeStep;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use jiff::Timestamp;
use rayon::prelude::*;

use crate::content::Content;
use crate::model::{Advisory, Keyword, Kind, Settings, Severity, Strings};
use crate::site::{CachePolicy, Page, Site};
use pages::{Alternate, FeedLink, Layout};
pub use urls::ListingKind;

/// Advisories per listing page: keeps every listing small on a slow network.
pub const PAGE_SIZE: usize = 50;
/// Advisories in each section of the home page.
pub const HOME_SIZE: usize = 10;

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
    /// WebSub hubs every feed names (`rel="hub"`): the server's `--notify` pings them.
    pub hubs: &'p [String],
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
    let ctx = Ctx::new(content, settings, now, options.preview, options.previous).with_hubs(options.hubs);
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

/// The protective-measures checklist in `lang` for the chosen data classes, for the
/// server's `/checklist/?data=…` (unknown classes are ignored; none known gives the
/// full page).
pub fn checklist_for_classes(
    content: &Content,
    settings: &Settings,
    now: Timestamp,
    classes: &[&str],
    lang: &str,
) -> Page {
    let ctx = Ctx::new(content, settings, now, false, None);
    let mut known: Vec<&str> = classes.iter().copied().filter(|c| content.catalogue.class(c).is_some()).collect();
    let mut seen = HashSet::new();
    known.retain(|c| seen.insert(*c));
    let lang = ctx.lang_ref(lang);
    checklist::page(&ctx, lang, None, &known).1
}

/// A page of the email subscription as the server shows it (`/subscribe/` and its
/// confirm and unsubscribe pages), in `lang`.
pub fn subscribe_page(content: &Content, settings: &Settings, now: Timestamp, lang: &str, step: SubscribeStep) -> Page {
    let ctx = Ctx::new(content, settings, now, false, None);
    let lang = ctx.lang_ref(lang);
    subscribe::page(&ctx, lang, step).1
}

/// The server's search page in `lang`: the form and the results of `view`.
pub fn search_page(content: &Content, settings: &Settings, now: Timestamp, lang: &str, view: SearchView<'_>) -> Page {
    let ctx = Ctx::for_one_page(content, settings, now);
    let lang = ctx.lang_ref(lang);
    search::page(&ctx, lang, view).1
}

/// The static site's search index (`/search/index/…`, see `search_index`): what
/// `build` publishes beside [`site`] for the search page's script. The server answers
/// searches itself and does not hold it.
pub fn static_search_index(content: &Content, settings: &Settings, now: Timestamp) -> Vec<(String, Page)> {
    let ctx = Ctx::new(content, settings, now, false, None);
    search_index::pages(&ctx, &crate::search::Index::build(content, now))
}

/// One unit of rendering work; rendered in parallel. Pages and RSS feeds come in every
/// language of the site (the `String` is the language).
enum Job {
    Home(String),
    Advisory(usize, String),
    Archive(String),
    Listing(ListingKind, String),
    Checklist(Option<String>, String),
    NotFound(String),
    FeedsPage(String),
    Subscribe(String),
    Search(String),
    Feed(Option<ListingKind>, String),
    UpdatesFeed(String),
    Assets,
    Sitemap,
    Robots,
    SecurityTxt,
    AtomFeed,
    JsonFeed,
    Api,
}

/// What every page of one render shares.
struct Ctx<'a> {
    content: &'a Content,
    settings: &'a Settings,
    now: Timestamp,
    /// Public advisories, newest first.
    public: Vec<&'a Advisory>,
    assets: assets::Assets,
    /// For each public advisory, indices of related public advisories (computed once,
    /// before the pages: every advisory page and its inputs' hash need them).
    related: OnceLock<Vec<Vec<usize>>>,
    /// The newest publication or update among public advisories.
    newest: Option<Timestamp>,
    /// Each public advisory's feed HTML in each language (by the language's place in
    /// `settings.languages`), rendered on first use. (The tables are made on first use
    /// too: the server's one-page renders, such as search results, never need them.)
    content_html: OnceLock<Vec<Vec<OnceLock<String>>>>,
    /// Staff preview (drafts and embargoed included, banner on every page).
    preview: bool,
    /// For each commit in public advisories' histories, whether every file it touched
    /// is public (computed on first use, once per commit: a bulk commit touches them all).
    public_revisions: OnceLock<HashMap<String, bool>>,
    /// The site rendered before, whose pages are taken over when their inputs are unchanged.
    previous: Option<&'a Site>,
    /// Hash of what every page depends on: settings, catalogue, assets, preview mode.
    global: u64,
    /// Each public advisory's hash (every field), computed on first use.
    advisory_hashes: OnceLock<Vec<OnceLock<u64>>>,
    /// WebSub hubs the feeds name.
    hubs: &'a [String],
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
        let mut ctx = Self::for_one_page(content, settings, now);
        ctx.newest = public.iter().map(|a| a.last_changed()).max();
        ctx.public = public;
        ctx.preview = preview;
        ctx.previous = previous;
        ctx.global = {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            let assets = &ctx.assets;
            (settings, &content.catalogue, &content.ui, &assets.css, &assets.js, &assets.search_js, preview)
                .hash(&mut h);
            h.finish()
        };
        ctx
    }

    /// A context for one page that lists no advisories of its own, such as the server's
    /// search results (which are cards of the advisories found): it skips what only the
    /// site's render needs (the list of public advisories, the newest date, the inputs'
    /// hash), which at ten thousand advisories would cost more than the page.
    fn for_one_page(content: &'a Content, settings: &'a Settings, now: Timestamp) -> Self {
        Self {
            content,
            settings,
            now,
            advisory_hashes: OnceLock::new(),
            content_html: OnceLock::new(),
            public: Vec::new(),
            assets: assets::Assets::new(),
            related: OnceLock::new(),
            newest: None,
            preview: false,
            public_revisions: OnceLock::new(),
            previous: None,
            global: 0,
            hubs: &[],
        }
    }

    /// The feeds name these WebSub hubs (part of every page's inputs).
    fn with_hubs(mut self, hubs: &'a [String]) -> Self {
        if !hubs.is_empty() {
            let mut h = xxhash_rust::xxh3::Xxh3::with_seed(self.global);
            hubs.hash(&mut h);
            self.global = h.finish();
        }
        self.hubs = hubs;
        self
    }

    /// A hasher for a page's inputs, seeded with what every page depends on.
    fn inputs(&self) -> xxhash_rust::xxh3::Xxh3 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.write_u64(self.global);
        h
    }

    /// The hash of everything the public advisory at `index` says.
    fn advisory_hash(&self, index: usize) -> u64 {
        let hashes = self.advisory_hashes.get_or_init(|| self.public.iter().map(|_| OnceLock::new()).collect());
        *hashes[index].get_or_init(|| {
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
        let verdicts = self.public_revisions.get_or_init(|| {
            let public_paths: HashSet<&str> = self
                .public
                .iter()
                .flat_map(|a| std::iter::once(a.path.as_str()).chain(a.public_translations().map(|t| t.path.as_str())))
                .collect();
            let mut verdicts = HashMap::new();
            for r in self.public.iter().flat_map(|a| &a.history) {
                if !verdicts.contains_key(&r.hash) {
                    verdicts.insert(r.hash.clone(), r.files.iter().all(|f| is_public_path(&public_paths, f)));
                }
            }
            verdicts
        });
        verdicts.get(&revision.hash).copied().unwrap_or(false)
    }

    /// Related public advisories of each public advisory (computed once).
    fn related(&self) -> &[Vec<usize>] {
        self.related.get_or_init(|| related::related(&self.public))
    }

    /// The public advisory at `index` in full HTML with absolute links, for feed items in
    /// `lang` (rendered once per advisory and language, whichever feed asks first).
    fn content_html(&self, index: usize, lang: &'a str) -> &str {
        let place = self.settings.languages.iter().position(|l| l == lang).unwrap_or(0);
        let tables = self.content_html.get_or_init(|| {
            self.settings.languages.iter().map(|_| self.public.iter().map(|_| OnceLock::new()).collect()).collect()
        });
        tables[place][index].get_or_init(|| syndication::content_html(self, index, lang))
    }

    /// The user-interface words of `lang`.
    fn t(&self, lang: &str) -> &'a Strings {
        self.content.ui.get(lang)
    }

    fn jobs(&self) -> Vec<Job> {
        let mut jobs =
            vec![Job::Assets, Job::Sitemap, Job::Robots, Job::SecurityTxt, Job::AtomFeed, Job::JsonFeed, Job::Api];
        let mut listings: Vec<ListingKind> = Vec::new();
        listings.extend(Severity::ALL.iter().map(|s| ListingKind::Severity(*s)));
        listings.extend(Kind::ALL.iter().map(|k| ListingKind::Kind(*k)));
        listings.extend(self.content.catalogue.classes.keys().map(|key| ListingKind::Data(key.clone())));
        listings.extend(self.tags().into_iter().map(ListingKind::Tag));
        for lang in &self.settings.languages {
            jobs.extend([
                Job::Home(lang.clone()),
                Job::Archive(lang.clone()),
                Job::NotFound(lang.clone()),
                Job::FeedsPage(lang.clone()),
                Job::Subscribe(lang.clone()),
                Job::Search(lang.clone()),
                Job::Checklist(None, lang.clone()),
                Job::Feed(None, lang.clone()),
                Job::UpdatesFeed(lang.clone()),
            ]);
            jobs.extend((0..self.public.len()).map(|i| Job::Advisory(i, lang.clone())));
            for key in self.content.catalogue.classes.keys() {
                jobs.push(Job::Checklist(Some(key.clone()), lang.clone()));
            }
            for listing in &listings {
                jobs.push(Job::Feed(Some(listing.clone()), lang.clone()));
                jobs.push(Job::Listing(listing.clone(), lang.clone()));
            }
        }
        jobs
    }

    fn render(&self, job: &Job) -> Vec<(String, Page)> {
        match job {
            Job::Home(lang) => vec![home::page(self, self.lang_ref(lang))],
            Job::Advisory(i, lang) => {
                let lang = self.lang_ref(lang);
                std::iter::once(advisory::page(self, *i, lang)).chain(advisory::attachments(self, *i, lang)).collect()
            }
            Job::Archive(lang) => listing::pages(self, None, self.lang_ref(lang)),
            Job::Listing(kind, lang) => listing::pages(self, Some(kind), self.lang_ref(lang)),
            Job::Checklist(class, lang) => {
                let selected: Vec<&str> = class.iter().map(String::as_str).collect();
                vec![checklist::page(self, self.lang_ref(lang), class.as_deref(), &selected)]
            }
            Job::NotFound(lang) => vec![misc::not_found(self, self.lang_ref(lang))],
            Job::FeedsPage(lang) => vec![feeds_page::page(self, self.lang_ref(lang))],
            Job::Subscribe(lang) => vec![subscribe::page(self, self.lang_ref(lang), SubscribeStep::Static)],
            Job::Search(lang) => vec![search::page(self, self.lang_ref(lang), SearchView::Static)],
            Job::Feed(listing, lang) => vec![rss::feed(self, listing.as_ref(), self.lang_ref(lang))],
            Job::UpdatesFeed(lang) => vec![rss::updates_feed(self, self.lang_ref(lang))],
            Job::Assets => self.assets.pages(),
            Job::Sitemap => vec![misc::sitemap(self)],
            Job::Robots => vec![misc::robots(self)],
            Job::SecurityTxt => vec![misc::security_txt(self)],
            Job::AtomFeed => vec![atom::feed(self)],
            Job::JsonFeed => vec![json_feed::feed(self)],
            Job::Api => vec![api::advisories(self)],
        }
    }

    /// In a staff preview, what is not public about `a`, in `lang`: "Draft: not public"
    /// or "Embargoed until …". Nothing when publishing.
    fn preview_mark(&self, a: &Advisory, lang: &str) -> Option<String> {
        if !self.preview {
            return None;
        }
        let t = self.t(lang);
        if a.draft {
            Some(t.preview_draft.clone())
        } else if a.published > self.now {
            Some(Strings::fill(&t.preview_embargoed, &[("name", &t.date_time(a.published))]))
        } else {
            None
        }
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

    /// A plain-text file, dated by the newest advisory.
    fn text_page(&self, text: String) -> Page {
        Page::new(text, "text/plain; charset=utf-8", self.newest, CachePolicy::Revalidate)
    }

    /// A page in `lang` from its template's output. In a right-to-left language, every
    /// embedded left-to-right run is isolated ([`bidi`]).
    fn html(
        &self,
        path: String,
        lang: &str,
        html: Result<String, askama::Error>,
        last_modified: Option<Timestamp>,
    ) -> (String, Page) {
        // Templates are compiled and their inputs typed; a render error would be a bug,
        // and an empty page is better than a crashed build.
        let body = html.unwrap_or_else(|e| format!("<!DOCTYPE html><title>error</title><p>{e}</p>"));
        let body = if self.t(lang).is_rtl() { bidi::isolate_ltr(&body, lang) } else { body };
        (path, Page::new(body, HTML, last_modified, CachePolicy::Revalidate))
    }

    /// What the page at `path_in(lang)` shares with every page: head, header, footer, and
    /// the same page in every other language (every page kind exists in each).
    fn layout(
        &self,
        path_in: &dyn Fn(Option<&str>) -> String,
        lang: &'a str,
        title: String,
        description: String,
    ) -> (String, Layout<'a>) {
        let translated = self.translated(lang);
        let path = path_in(translated);
        let root = urls::root_of(&path);
        let t = self.t(lang);
        let mut layout = Layout {
            lang,
            dir: t.direction(),
            og_locale: t.locale.clone(),
            t,
            site_title: &self.settings.texts(lang).title,
            is_home: false,
            title,
            description,
            canonical: urls::absolute(&self.settings.base_url, &path),
            og_type: "website",
            css: urls::link(&root, &urls::asset(&self.assets.css)),
            js: None,
            home_url: urls::link(&root, &urls::home(translated)),
            archive_url: urls::link(&root, &urls::archive(translated)),
            checklist_url: urls::link(&root, &urls::checklist(None, translated)),
            feeds_url: urls::link(&root, &urls::feeds_page(translated)),
            search_url: urls::link(&root, &urls::search(translated)),
            current: "",
            alternates: Vec::new(),
            languages: Vec::new(),
            feeds: self.site_feed_links(&root, lang),
            preview: self.preview,
            contact_email: &self.settings.contact_email,
            license_name: &self.settings.license.name,
            license_url: &self.settings.license.url,
        };
        if self.settings.languages.len() > 1 {
            for l in &self.settings.languages {
                let href = urls::link(&root, &path_in(self.translated(l)));
                let name = self.t(l).lang_name.clone();
                layout.alternates.push(Alternate { lang: l.clone(), name: name.clone(), href: href.clone() });
                if l != lang {
                    layout.languages.push(Alternate { lang: l.clone(), name, href });
                }
            }
        }
        (path, layout)
    }

    /// The language code as borrowed from the settings (the default language for one
    /// the site does not declare).
    fn lang_ref(&self, lang: &str) -> &'a str {
        self.settings.languages.iter().find(|l| *l == lang).unwrap_or(&self.settings.default_language).as_str()
    }

    /// `lang` as a path prefix: `None` for the default language.
    fn translated<'l>(&self, lang: &'l str) -> Option<&'l str> {
        (lang != self.settings.default_language).then_some(lang)
    }

    /// The feeds every page in `lang` links with `<link rel="alternate">`.
    fn site_feed_links(&self, root: &str, lang: &str) -> Vec<FeedLink> {
        let (translated, title) = (self.translated(lang), &self.settings.texts(lang).title);
        vec![
            FeedLink {
                title: title.clone(),
                href: urls::link(root, &urls::feed(None, translated)),
                mime: "application/rss+xml",
            },
            FeedLink {
                title: format!("{title} — {}", self.t(lang).updates_feed),
                href: urls::link(root, &urls::updates_feed(translated)),
                mime: "application/rss+xml",
            },
        ]
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

/// Whether a file of the advisories folder may be named in public: anything that is not
/// an advisory or translation file, or the file of a public advisory or translation.
fn is_public_path(public_paths: &HashSet<&str>, path: &str) -> bool {
    let is_advisory_file =
        path.len() > 5 && path.as_bytes()[..4].iter().all(u8::is_ascii_digit) && path.ends_with(".md");
    !is_advisory_file || public_paths.contains(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(2_700_000), "2,700,000");
        assert_eq!(group_digits(999), "999");
    }
}
