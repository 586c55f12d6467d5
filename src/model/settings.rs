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

/// Everything `site.toml` says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Settings {
    /// Site title.
    pub title: String,
    /// One-sentence description.
    pub description: String,
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
    /// The team's official channels.
    pub channels: Vec<Channel>,
    /// Completions of "We will never ask you for …".
    pub never_ask: Vec<String>,
    /// Republishing licence.
    pub license: License,
    /// Items per feed.
    pub feed_size: usize,
    /// Web URL of the advisories repository, for commit links.
    pub repository_url: Option<String>,
}
