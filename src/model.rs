//! The typed, validated model of an advisories repository. Everything
//! downstream of [`crate::content::load`] reads these types, never files.

mod advisory;
mod measures;
mod revision;
mod settings;
mod ui;

pub use advisory::{
    Advisory, AdvisoryId, Attachment, BodyLink, DataClass, Kind, Occurred, Reference, Severity, Status, Tag,
    Translation, Update, UrlKind, Verification,
};
pub use measures::{
    Catalogue, CatalogueTexts, ChecklistItem, DataClassInfo, Measure, MeasureSource, REPEAT_SIMILARITY, Urgency,
    similarity,
};
pub use revision::Revision;
pub use settings::{Channel, License, Settings, SiteTexts};
pub use ui::{BUILT_IN as BUILT_IN_UI, Strings, Ui};

/// A closed set of names written in advisories (`kind`, `severity`, …).
pub trait Keyword: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The word used in front matter and URLs.
    fn as_str(self) -> &'static str;
    /// Parses the front-matter word.
    fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == word)
    }
    /// The words, for "one of: …" messages.
    fn words() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.as_str()).collect()
    }
}

macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
        impl $crate::model::Keyword for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $word),+ }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::model::Keyword::as_str(*self))
            }
        }
    };
}
pub(crate) use keyword_enum;
