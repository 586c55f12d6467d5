//! Every public path of the site is made here and nowhere else. A path is site-absolute
//! (`/ur/advisories/PK-2025-0007/`); pages link to it relatively from where they stand
//! ([`link`]), so a built site works from any folder, and feeds, the sitemap and the
//! API name it in full ([`absolute`]).
//!
//! A page in the default language has no prefix; the same page in another language
//! lives under `/{lang}/` (`lang` is `None` for the default language throughout).
//! Every page kind and every RSS feed exists in every language; the Atom and JSON
//! feeds, the API and the small files at the root do not depend on a language.

use jiff::Timestamp;

use crate::model::{Advisory, Kind, Severity};

/// Which advisories a listing (and its feed) holds.
#[derive(Debug, Clone)]
pub enum ListingKind {
    /// Those with this topic tag.
    Tag(String),
    /// Those of this severity.
    Severity(Severity),
    /// Those of this kind.
    Kind(Kind),
    /// Those that exposed this data class.
    Data(String),
}

impl ListingKind {
    /// Whether `a` belongs in the listing.
    pub fn matches(&self, a: &Advisory) -> bool {
        match self {
            ListingKind::Tag(t) => a.tags.iter().any(|x| x.as_str() == t),
            ListingKind::Severity(s) => a.severity == *s,
            ListingKind::Kind(k) => a.kind == *k,
            ListingKind::Data(c) => a.data.iter().any(|d| d.as_str() == c),
        }
    }
}

/// `path` (site-absolute, in the default language) in `lang`.
fn localized(lang: Option<&str>, path: &str) -> String {
    match lang {
        Some(lang) => format!("/{lang}{path}"),
        None => path.to_string(),
    }
}

/// The language of a request path: its first segment when that is one of `languages`.
pub fn language_of<'p>(path: &'p str, languages: &[String]) -> Option<&'p str> {
    let first = path.trim_start_matches('/').split('/').next()?;
    languages.iter().any(|l| l == first).then_some(first)
}

/// The site's front page.
pub fn home(lang: Option<&str>) -> String {
    localized(lang, "/")
}

/// An advisory's page.
pub fn advisory(lang: Option<&str>, id: &str) -> String {
    localized(lang, &format!("/advisories/{id}/"))
}

/// `path` without its language prefix (`/ur/search/` → `/search/`), and the language.
pub fn without_language<'p>(path: &'p str, languages: &[String]) -> (Option<&'p str>, &'p str) {
    match language_of(path, languages) {
        Some(lang) => (Some(lang), &path[lang.len() + 1..]),
        None => (None, path),
    }
}

/// The canonical page of an advisory whose id was typed in another case
/// (`/advisories/pk-2025-0007` → `/advisories/PK-2025-0007/`), or `None` when the path is
/// no advisory page or already in its canonical case. Ids are upper case (`check` enforces it).
pub fn advisory_in_canonical_case(path: &str, languages: &[String]) -> Option<String> {
    let (lang, rest) = without_language(path, languages);
    let id = rest.strip_prefix("/advisories/")?;
    let id = id.strip_suffix('/').unwrap_or(id);
    if id.is_empty() || id.contains('/') || !id.bytes().any(|b| b.is_ascii_lowercase()) {
        return None;
    }
    Some(advisory(lang, &id.to_ascii_uppercase()))
}

/// The archive of every advisory: `/advisories/`.
pub fn archive(lang: Option<&str>) -> String {
    localized(lang, "/advisories/")
}

/// A listing's first page: `/tags/telecom/`, `/severity/high/`, `/kind/scam-alert/`, `/data/passwords/`.
pub fn listing(kind: &ListingKind, lang: Option<&str>) -> String {
    match kind {
        ListingKind::Tag(t) => tag(t, lang),
        ListingKind::Severity(s) => localized(lang, &format!("/severity/{s}/")),
        ListingKind::Kind(k) => self::kind(*k, lang),
        ListingKind::Data(c) => data_class(c, lang),
    }
}

/// The listing of a topic tag.
pub fn tag(tag: &str, lang: Option<&str>) -> String {
    localized(lang, &format!("/tags/{tag}/"))
}

/// The listing of a kind of advisory.
pub fn kind(kind: Kind, lang: Option<&str>) -> String {
    localized(lang, &format!("/kind/{kind}/"))
}

/// The listing of a data class.
pub fn data_class(class: &str, lang: Option<&str>) -> String {
    localized(lang, &format!("/data/{class}/"))
}

/// Page `n` (from 1) of a paginated listing whose first page is `first`.
pub fn page(first: &str, n: usize) -> String {
    if n <= 1 { first.to_string() } else { format!("{first}page/{n}/") }
}

/// The anchor of a year's first advisory on the archive page holding it.
pub fn year_anchor(year: i16) -> String {
    format!("y{year}")
}

/// The anchor of an update on its advisory's page.
pub fn update_anchor(date: Timestamp) -> String {
    date.as_second().to_string()
}

/// The RSS feed of the whole site (`listing` is `None`) or of a listing.
pub fn feed(listing: Option<&ListingKind>, lang: Option<&str>) -> String {
    match listing {
        None => localized(lang, "/feed.xml"),
        Some(kind) => format!("{}feed.xml", self::listing(kind, lang)),
    }
}

/// Every publication and every update as its own item.
pub fn updates_feed(lang: Option<&str>) -> String {
    localized(lang, "/updates.xml")
}
/// The main feed in Atom 1.0.
pub const ATOM_FEED: &str = "/atom.xml";
/// The main feed in JSON Feed 1.1.
pub const JSON_FEED: &str = "/feed.json";
/// Every public advisory's facts and checklist (docs/api.md).
pub const API: &str = "/api/advisories.json";
/// The page that lists every feed.
pub fn feeds_page(lang: Option<&str>) -> String {
    localized(lang, "/feeds/")
}
/// Search: the server answers `?q=…`; a static site says where to turn.
pub fn search(lang: Option<&str>) -> String {
    localized(lang, "/search/")
}

/// Advisories by email: the form (the server's), or on a static site where to turn.
pub fn subscribe(lang: Option<&str>) -> String {
    localized(lang, "/subscribe/")
}

/// The page a confirmation mail links to; its button confirms (by POST).
pub fn subscribe_confirm(lang: Option<&str>) -> String {
    localized(lang, "/subscribe/confirm/")
}

/// The page every mail links to; its button (or a one-click POST) unsubscribes.
pub fn unsubscribe(lang: Option<&str>) -> String {
    localized(lang, "/unsubscribe/")
}

/// The sitemap.
pub const SITEMAP: &str = "/sitemap.xml";
/// For crawlers.
pub const ROBOTS: &str = "/robots.txt";
/// RFC 9116.
pub const SECURITY_TXT: &str = "/.well-known/security.txt";
/// What static hosts and the server answer for an unknown path (under `/{lang}/`: the
/// page in that language).
pub fn not_found(lang: Option<&str>) -> String {
    localized(lang, "/404.html")
}

/// The protective-measures checklist: for every data class (`class` is `None`) or for
/// one. The server also answers the first with `?data=…` for the classes a person picks.
pub fn checklist(class: Option<&str>, lang: Option<&str>) -> String {
    match class {
        Some(class) => localized(lang, &format!("/checklist/{class}/")),
        None => localized(lang, "/checklist/"),
    }
}

/// A stylesheet or script, by its content-hashed file name: `/assets/style.1234.css`.
pub fn asset(file: &str) -> String {
    format!("/assets/{file}")
}

/// The relative way from the page at `from` to the site's root: `/` → `./`,
/// `/a/b/` → `../../`. A 404 page is served at any depth, so it links from the root.
pub fn root_of(from: &str) -> String {
    if from.ends_with("/404.html") {
        return "/".into();
    }
    let depth = from.trim_start_matches('/').matches('/').count();
    if depth == 0 { "./".into() } else { "../".repeat(depth) }
}

/// `path` as linked from a page whose way to the root is `root` (see [`root_of`]).
pub fn link(root: &str, path: &str) -> String {
    format!("{root}{}", path.trim_start_matches('/'))
}

/// `path` in full under the site's base URL (which ends in `/`).
pub fn absolute(base_url: &str, path: &str) -> String {
    format!("{base_url}{}", path.trim_start_matches('/'))
}

/// Where a request for a folder path written without its final slash is sent.
pub fn with_trailing_slash(path: &str) -> String {
    format!("{path}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_ids_in_any_case() {
        let languages = ["en".to_string(), "ur".to_string()];
        let canonical = |p| advisory_in_canonical_case(p, &languages);
        assert_eq!(canonical("/advisories/pk-2025-0007/").as_deref(), Some("/advisories/PK-2025-0007/"));
        assert_eq!(canonical("/advisories/Pk-2025-0007").as_deref(), Some("/advisories/PK-2025-0007/"));
        assert_eq!(canonical("/ur/advisories/pk-2025-0007/").as_deref(), Some("/ur/advisories/PK-2025-0007/"));
        assert_eq!(canonical("/advisories/PK-2025-0007/"), None);
        assert_eq!(canonical("/advisories/pk-2025-0007/x"), None);
        assert_eq!(canonical("/tags/telecom/"), None);
    }

    #[test]
    fn paths_roots_and_links() {
        assert_eq!(advisory(Some("ur"), "PK-2025-0007"), "/ur/advisories/PK-2025-0007/");
        assert_eq!(advisory(None, "PK-2025-0007"), "/advisories/PK-2025-0007/");
        assert_eq!(page(&archive(None), 1), "/advisories/");
        assert_eq!(page(&archive(Some("ur")), 3), "/ur/advisories/page/3/");
        assert_eq!(feed(Some(&ListingKind::Tag("telecom".into())), None), "/tags/telecom/feed.xml");
        assert_eq!(feed(None, Some("ur")), "/ur/feed.xml");
        assert_eq!(root_of("/"), "./");
        assert_eq!(root_of("/advisories/"), "../");
        assert_eq!(root_of("/ur/advisories/X/"), "../../../");
        assert_eq!(root_of(&not_found(None)), "/");
        assert_eq!(root_of(&not_found(Some("ur"))), "/");
        let languages = ["en".to_string(), "ur".to_string()];
        assert_eq!(language_of("/ur/advisories/", &languages), Some("ur"));
        assert_eq!(language_of("/urgent/", &languages), None);
        assert_eq!(link("../../", "/advisories/X/"), "../../advisories/X/");
        assert_eq!(absolute("https://example.org/", SITEMAP), "https://example.org/sitemap.xml");
    }
}
