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
