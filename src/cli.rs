//! The command line: `bulletin check`, `bulletin new` (and later `build`, `serve`).
//! Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Publish breach notifications and security advisories written in Markdown.
///
/// Advisories live in a folder (default `advisories/`) as `YYYY/ID.md` files with
/// TOML front matter, next to `site.toml` and `measures.toml`. See README.md.
#[derive(Debug, Parser)]
#[command(name = "bulletin", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate every advisory and settings file and print every problem with file, line and a fix.
    ///
    /// Exits 0 when everything is valid, 1 when there are content problems.
    Check {
        /// The advisories folder.
        #[arg(long, default_value = "advisories")]
        dir: PathBuf,
        /// How to print problems: `human` (with the source line) or `json` (for CI annotations).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Render the public site into a folder, ready for any static host.
    ///
    /// The folder is replaced only when the new site is complete; invalid content
    /// leaves the previous site untouched. Drafts and advisories embargoed at `--now`
    /// appear nowhere.
    Build {
        /// The advisories folder.
        #[arg(long, default_value = "advisories")]
        dir: PathBuf,
        /// Where to write the site (replaced as a whole).
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Publish under this URL instead of `base_url` from site.toml (canonical links, feeds, sitemap).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Render the site as it is at this instant (RFC 3339, e.g. 2025-08-01T00:00:00Z) instead of now.
        #[arg(long, value_name = "RFC3339")]
        now: Option<jiff::Timestamp>,
    },
    /// Serve the site from memory over HTTP, reloading when the advisories change.
    ///
    /// Serves exactly what `build` writes. An invalid change keeps the last good site
    /// live (see `/_status`); embargoed advisories appear at their `published` instant.
    Serve {
        /// The advisories folder.
        #[arg(long, default_value = "advisories")]
        dir: PathBuf,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Publish under this URL instead of `base_url` from site.toml.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Token that unlocks `/_status` (send `Authorization: Bearer TOKEN`); without it `/_status` is a 404.
        #[arg(long, env = "BULLETIN_STATUS_TOKEN", hide_env_values = true)]
        status_token: Option<String>,
        /// Do not watch the folder for changes (embargoes still lift on time).
        #[arg(long)]
        no_watch: bool,
    },
    /// Start a new advisory with the next free id in this year's folder and print its path.
    ///
    /// Every field you must fill in holds a `TODO` placeholder that `bulletin check`
    /// rejects until you replace it.
    New {
        /// The headline, in a few plain words.
        #[arg(long)]
        title: String,
        /// What sort of advisory: data-breach, credential-theft, scam-alert, vulnerability or guidance.
        #[arg(long)]
        kind: Option<String>,
        /// The advisories folder.
        #[arg(long, default_value = "advisories")]
        dir: PathBuf,
    },
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable, with the offending source line and a marker under it.
    Human,
    /// A JSON document with every diagnostic.
    Json,
}
