//! One advisory and its translations, as validated from front matter and body.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::{Catalogue, ChecklistItem, keyword_enum};

/// A stable advisory id such as `PK-2025-0007`: the file stem and part of the URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AdvisoryId(pub String);

impl AdvisoryId {
    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AdvisoryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A data-class key of the measures catalogue, such as `passwords`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DataClass(pub String);

impl DataClass {
    /// The key as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lowercase topic tag such as `telecom`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Tag(pub String);

impl Tag {
    /// The tag as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

keyword_enum!(
    /// What sort of advisory this is.
    Kind {
        /// Personal data exposed or stolen.
        DataBreach => "data-breach",
        /// Logins and passwords stolen.
        CredentialTheft => "credential-theft",
        /// A fraud campaign targeting the public.
        ScamAlert => "scam-alert",
        /// A flaw in software or a service.
        Vulnerability => "vulnerability",
        /// Advice that is not tied to one incident.
        Guidance => "guidance",
    }
);

keyword_enum!(
    /// How much harm the advisory's subject can do; ordered most severe first.
    Severity {
        /// Act now: widespread, severe harm.
        Critical => "critical",
        /// Serious harm likely.
        High => "high",
        /// Some harm possible.
        Medium => "medium",
        /// Little harm expected.
        Low => "low",
        /// For information.
        Info => "info",
    }
);

keyword_enum!(
    /// Where the incident stands.
    Status {
        /// Ongoing: act on it.
        Active => "active",
        /// Contained, being watched.
        Monitoring => "monitoring",
        /// Over.
        Resolved => "resolved",
        /// Retracted by the publisher.
        Withdrawn => "withdrawn",
    }
);

keyword_enum!(
    /// How sure the publisher is of the facts.
    Verification {
        /// Confirmed by the publisher or the affected organisation.
        Confirmed => "confirmed",
        /// Reported but not yet confirmed.
        Unverified => "unverified",
        /// Contested by a party involved.
        Disputed => "disputed",
    }
);

/// A source the advisory cites.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Reference {
    /// Link text.
    pub title: String,
    /// Absolute http(s) URL.
    pub url: String,
}

/// A dated development after publication; news for subscribers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Update {
    /// When it happened (after `published`, in order).
    pub date: Timestamp,
    /// One or two plain sentences.
    pub summary: String,
}

/// When the incident happened, as far as the publisher knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Occurred {
    /// Not known (yet).
    Unknown,
    /// On this day.
    On(jiff::civil::Date),
    /// Over these days, first and last.
    Between(jiff::civil::Date, jiff::civil::Date),
}

impl std::fmt::Display for Occurred {
    /// ISO 8601: `2025-06-01`, the interval `2025-06-01/2025-06-15`, or `unknown`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Occurred::Unknown => f.write_str("unknown"),
            Occurred::On(d) => write!(f, "{d}"),
            Occurred::Between(a, b) => write!(f, "{a}/{b}"),
        }
    }
}

/// A file published beside an advisory's page (`2025/PK-2025-0007/sms.png`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attachment {
    /// The file name in the folder, which links and images use (`sms.png`).
    pub name: String,
    /// The name it is published under (`sms.webp` when an image is re-encoded as WebP).
    pub published_name: String,
    /// What is published: an image re-encoded without metadata, other files as they are.
    pub bytes: bytes::Bytes,
    /// `Content-Type` of `bytes`.
    pub content_type: &'static str,
    /// Width and height in pixels of a published image.
    pub size: Option<(u32, u32)>,
    /// Path of the source file, relative to the advisories folder.
    pub path: String,
    /// Hash of the source file's bytes: an unchanged file is not processed again.
    pub source_hash: u128,
}

/// What kind of address a link points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlKind {
    /// This site (a relative or root-relative path, or a fragment).
    Local,
    /// http(s), mailto: or tel:.
    External,
    /// Anything else: never rendered as a link.
    Unsafe,
}

/// A link or image in a body: one into the site is checked against the site's pages
/// once every file is loaded, an external one by `check --external`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BodyLink {
    /// As written.
    pub url: String,
    /// Into the site, or to another one.
    pub kind: UrlKind,
    /// Where the link or image is in its file.
    pub span: std::ops::Range<usize>,
    /// An image rather than a link.
    pub image: bool,
}

/// A translation of an advisory into another language: only the words, never the facts.
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct Translation {
    /// Language code, such as `ur`.
    pub lang: String,
    /// Path relative to the advisories folder.
    pub path: String,
    /// Translated title.
    pub title: String,
    /// Translated summary.
    pub summary: String,
    /// The original's newest update (or `published`) this translation covers.
    pub covers: Timestamp,
    /// Translated update summaries, keyed by the original update's date.
    pub updates: BTreeMap<Timestamp, String>,
    /// Translated Markdown body, without its protective-measures section.
    pub body: String,
    /// The translation's own checklist items (from its protective-measures section).
    pub own_measures: Vec<ChecklistItem>,
    /// A translated draft is not published even when the original is.
    pub draft: bool,
    /// Links and images of the body that point into the site.
    #[serde(skip)]
    pub links: Vec<BodyLink>,
}

/// One validated advisory. `Hash` covers every field: a reload renders again only the
/// pages whose advisories hash differently (see `render`).
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct Advisory {
    /// Stable id, equal to the file stem.
    pub id: AdvisoryId,
    /// Path relative to the advisories folder.
    pub path: String,
    /// Headline.
    pub title: String,
    /// What sort of advisory.
    pub kind: Kind,
    /// When it becomes public (embargoed until then).
    pub published: Timestamp,
    /// How severe.
    pub severity: Severity,
    /// Where it stands.
    pub status: Status,
    /// How sure the facts are.
    pub verification: Verification,
    /// One or two plain sentences for lists and feeds.
    pub summary: String,
    /// Data classes exposed, in the order written.
    pub data: Vec<DataClass>,
    /// Who is affected.
    pub affected: String,
    /// When the incident happened, if the advisory says.
    pub occurred: Option<Occurred>,
    /// When it was discovered, if the advisory says.
    pub discovered: Option<jiff::civil::Date>,
    /// How many people, when known.
    pub affected_count: Option<u64>,
    /// Topic tags.
    pub tags: Vec<Tag>,
    /// Drafts are never published.
    pub draft: bool,
    /// Sources.
    pub references: Vec<Reference>,
    /// Developments after publication, oldest first.
    pub updates: Vec<Update>,
    /// Markdown body without its protective-measures section (the checklist replaces it).
    pub body: String,
    /// The advisory's own checklist items (from its protective-measures section), in
    /// the order written.
    pub own_measures: Vec<ChecklistItem>,
    /// The checklist in the original language: the own items, then the catalogue's
    /// measures for the exposed data classes ([`Catalogue::checklist`], at load).
    pub checklist: Vec<ChecklistItem>,
    /// Translations by language code.
    pub translations: BTreeMap<String, Translation>,
    /// Commits that touched the file, newest first (empty outside a git repository).
    pub history: Vec<super::Revision>,
    /// Links and images of the body that point into the site.
    #[serde(skip)]
    pub links: Vec<BodyLink>,
    /// Files published beside the page, from the folder named after the id.
    #[serde(skip)]
    pub attachments: Vec<Attachment>,
}

impl Advisory {
    /// Whether the public may see it at `now`: not a draft and no longer embargoed.
    pub fn is_public_at(&self, now: Timestamp) -> bool {
        !self.draft && self.published <= now
    }

    /// The newest of `published` and every update: when the advisory last changed.
    pub fn last_changed(&self) -> Timestamp {
        self.updates.last().map_or(self.published, |u| u.date)
    }

    /// Every instant something of it becomes public: its publication and each update.
    pub fn embargoes(&self) -> impl Iterator<Item = Timestamp> + '_ {
        std::iter::once(self.published).chain(self.updates.iter().map(|u| u.date))
    }

    /// The year it is filed under.
    pub fn year(&self) -> i16 {
        self.published.to_zoned_datetime(jiff::tz::TimeZone::UTC).year()
    }

    /// The translations that are published with it (drafts are not).
    pub fn public_translations(&self) -> impl Iterator<Item = &Translation> {
        self.translations.values().filter(|t| !t.draft)
    }

    /// The checklist a reader gets, in the original or in `translation`: the
    /// translation's own steps (or, when it has none, the original's), then the
    /// catalogue's measures for the exposed data classes; merged by
    /// [`Catalogue::checklist`]. The original's is merged once, when the advisory is
    /// loaded ([`Advisory::checklist`]); a translation with steps of its own is merged here.
    pub fn checklist_in(&self, catalogue: &Catalogue, translation: Option<&Translation>) -> Cow<'_, [ChecklistItem]> {
        match translation {
            Some(tr) if !tr.own_measures.is_empty() => {
                Cow::Owned(catalogue.checklist(&tr.own_measures, self.data.iter().map(DataClass::as_str)))
            }
            _ => Cow::Borrowed(&self.checklist),
        }
    }

    /// Whether a translation is behind the original's newest update.
    pub fn translation_is_outdated(&self, translation: &Translation) -> bool {
        translation.covers < self.last_changed()
    }
}
