//! Site-wide settings from `site.toml`.

use serde::Serialize;

/// An official channel of the publishing team.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Channel {
    /// Name shown to readers ("WhatsApp", "This website").
    pub name: String,
    /// Absolute http(s) or mailto: URL.
    pub url: String,
}

/// The licence under which media may republish the content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct License {
    /// Short name, such as "CC BY 4.0".
    pub name: String,
    /// Where the licence text is.
    pub url: String,
}

/// What `site.toml` says in one language: what every page repeats.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SiteTexts {
    /// The language these texts are in (the default language's for one that is not translated).
    pub lang: String,
    /// Site title.
    pub title: String,
    /// One-sentence description.
    pub description: String,
    /// The team's official channels.
    pub channels: Vec<Channel>,
    /// Completions of "We will never ask you for …".
    pub never_ask: Vec<String>,
}

/// Everything `site.toml` says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Settings {
    /// What pages repeat, by language: every language of `languages` is here (a
    /// language site.toml does not translate has the default language's texts).
    pub texts: std::collections::BTreeMap<String, SiteTexts>,
    /// Absolute base URL, always ending in `/`.
    pub base_url: String,
    /// Prefix of advisory ids (`PK` in `PK-2025-0007`).
    pub id_prefix: String,
    /// The language advisories are written in.
    pub default_language: String,
    /// Every language of the site, the default first.
    pub languages: Vec<String>,
    /// Where readers write to.
    pub contact_email: String,
    /// Where security researchers write to (security.txt).
    pub security_email: String,
    /// Republishing licence.
    pub license: License,
    /// Items per feed.
    pub feed_size: usize,
    /// Web URL of the advisories repository, for commit links.
    pub repository_url: Option<String>,
    /// Whether the public revision history shows commit subjects (staff's words);
    /// by default it shows dates and links only.
    pub history_subjects: bool,
}

impl Settings {
    /// What pages in `lang` repeat (the default language's when `lang` is not declared).
    pub fn texts(&self, lang: &str) -> &SiteTexts {
        self.texts.get(lang).or_else(|| self.texts.get(&self.default_language)).unwrap_or_else(|| {
            self.texts.values().next().expect("site.toml parsing gives the default language's texts")
        })
    }

    /// The languages other than the default, in the order of `languages`.
    pub fn translated_languages(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().skip(1).map(String::as_str)
    }
}
