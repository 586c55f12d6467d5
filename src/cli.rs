//! The command line: `bulletin check`, `build`, `serve` and `new`. Doc comments here
//! are the `--help` text; [`crate::commands`] runs what is parsed.

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
        /// Report only problems in files changed since this git revision (plus the rules
        /// that span files, such as duplicate ids), e.g. `origin/main` in a pre-commit hook.
        #[arg(long, value_name = "REV")]
        changed_since: Option<String>,
        /// Fail on warnings too (for the CI of the advisories repository); without it,
        /// warnings are printed and only errors fail.
        #[arg(long)]
        deny_warnings: bool,
        /// Also ask every http(s) link's site whether the page is still there (HEAD, then
        /// GET; 8 at a time, 15 s each; answers kept for a day). Off by default: it needs
        /// the network and takes a while.
        #[arg(long)]
        external: bool,
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
        #[arg(long, value_name = "URL", value_parser = parse_base_url)]
        base_url: Option<String>,
        /// Render the site as it is at this instant (RFC 3339, e.g. 2025-08-01T00:00:00Z) instead of now.
        #[arg(long, value_name = "RFC3339")]
        now: Option<jiff::Timestamp>,
    },
    /// Serve the site from memory over HTTP, reloading when the advisories change.
    ///
    /// Serves exactly what `build` writes. An invalid change keeps the last good site
    /// live (see `/_status`); embargoed advisories appear at their `published` instant.
    Serve(ServeArgs),
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

/// The options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The advisories folder.
    #[arg(long, default_value = "advisories")]
    pub dir: PathBuf,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Publish under this URL instead of `base_url` from site.toml.
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
    /// Token that unlocks `/_status` (send `Authorization: Bearer TOKEN`); without it `/_status` is a 404.
    #[arg(long, env = "BULLETIN_STATUS_TOKEN", hide_env_values = true)]
    pub status_token: Option<String>,
    /// Do not watch the folder for changes (embargoes still lift on time).
    #[arg(long)]
    pub no_watch: bool,
    /// Serve the committed tree of a git branch instead of the working copy; new
    /// commits arrive by webhook (`POST /hooks/git`) or `--pull-every`.
    #[arg(long)]
    pub git: bool,
    /// With --git: the remote to fetch (default: none, publish the local branch).
    #[arg(long, requires = "git")]
    pub remote: Option<String>,
    /// With --git: the branch to publish (default: the current branch).
    #[arg(long, requires = "git")]
    pub branch: Option<String>,
    /// With --git: file holding the webhook secret (GitHub, Gitea/Forgejo or GitLab); enables `POST /hooks/git`.
    #[arg(long, requires = "git", value_name = "FILE")]
    pub webhook_secret_file: Option<PathBuf>,
    /// With --git: look for new commits this often, e.g. `30s`, `5m`.
    #[arg(long, requires = "git", value_name = "DURATION", value_parser = parse_duration)]
    pub pull_every: Option<std::time::Duration>,
    /// With --git: stop a fetch that has not finished in this time (a remote that
    /// accepts the connection and never answers); the next push or poll tries again.
    #[arg(long, requires = "git", value_name = "DURATION", value_parser = parse_duration, default_value = "60s")]
    pub fetch_timeout: std::time::Duration,
    /// Show drafts and embargoed advisories with a "PREVIEW – not public" banner.
    /// For staff on their own machine: refuses any address but loopback.
    #[arg(long, conflicts_with = "notify")]
    pub preview: bool,
    /// Tell subscribers (webhooks, WebSub hubs) when an advisory becomes public, per
    /// this config file (see docs/notifications.md). Run it on one replica only.
    #[arg(long, value_name = "FILE")]
    pub notify: Option<PathBuf>,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable, with the offending source line and a marker under it.
    Human,
    /// A JSON document with every diagnostic.
    Json,
}

/// Parses `30s`, `5m`, `1h` or a number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (number, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: u64 = number.parse().map_err(|_| format!("`{s}` is not a duration such as 30s, 5m or 1h"))?;
    let seconds = match unit {
        "s" | "sec" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        "ms" => return Ok(std::time::Duration::from_millis(n.max(1))),
        _ => return Err(format!("`{s}`: use s, m or h, e.g. 30s")),
    };
    if seconds == 0 {
        return Err("the interval must be more than zero".into());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// An absolute http(s) URL, ending in `/` (added if missing).
pub fn parse_base_url(s: &str) -> Result<String, String> {
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return Err(format!("--base-url must be an absolute http(s) URL, got `{s}`"));
    }
    Ok(if s.ends_with('/') { s.to_string() } else { format!("{s}/") })
}
