//! What changed between two states of the folder, for the rules that span time: an
//! advisory that is public stays (its URL is permanent; retracting it is `status =
//! "withdrawn"`), and a rejected change holds only the embargoes it could alter.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::Timestamp;

use super::Content;
use super::files::{self, read_required};
use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, display_path};
use crate::git::GitError;

/// The files of the folder that differ from what a [`Content`] was loaded from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// site.toml or measures.toml changed: every advisory may read differently.
    pub settings: bool,
    /// Advisory and translation files changed, added or removed (paths in the folder).
    pub files: BTreeSet<String>,
}

impl Content {
    /// What differs on disk now from what this content was loaded from (read by the same
    /// rules as a load). A server asks after a rejected change.
    pub fn changes_on_disk(&self) -> Changes {
        let root = &self.root;
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        let (mut report, mut diags) = (Diagnostics::default(), Vec::new());
        let (_, site) = read_required(root, &canonical_root, "site.toml", &mut report, &mut diags);
        let (_, measures) = read_required(root, &canonical_root, "measures.toml", &mut report, &mut diags);
        let mut changes = Changes {
            settings: super::context_hash(site, measures) != self.fingerprints.context,
            ..Changes::default()
        };
        let mut seen = BTreeSet::new();
        for (path, _) in files::discover(root, &canonical_root, &mut diags) {
            let display = display_path(root, &path);
            let hash = files::read_file(&path, &canonical_root, files::ADVISORY_MAX)
                .map(|bytes| xxhash_rust::xxh3::xxh3_128(&bytes))
                .ok();
            if hash.is_none() || self.fingerprints.files.get(&display).map(|(h, _)| *h) != hash {
                changes.files.insert(display.clone());
            }
            seen.insert(display);
        }
        changes.files.extend(self.fingerprints.files.keys().filter(|p| !seen.contains(*p)).cloned());
        changes
    }
}

/// Every advisory public at `now` in `before` that `after` no longer has, as errors: a
/// change that removes a published advisory (or many at once) is not published.
pub fn removed_public(before: &Content, after: &Content, now: Timestamp) -> Result<(), Diagnostics> {
    let gone: Vec<(String, String, Timestamp)> = before
        .public_at(now)
        .filter(|a| after.get(a.id.as_str()).is_none())
        .map(|a| (a.id.to_string(), a.path.clone(), a.published))
        .collect();
    removal_errors(gone)
}

/// [`removed_public`] for a folder against a git revision (`check`): every advisory file
/// that `rev` holds, public at `now` there, and that the folder no longer has.
pub fn removed_since(dir: &Path, rev: &str, now: Timestamp) -> Result<Result<(), Diagnostics>, GitError> {
    let listed = crate::git::git(dir, &["ls-tree", "-r", "--name-only", "-z", rev, "--", "."])?;
    let mut gone = Vec::new();
    for path in listed.split(|&b| b == 0).filter_map(|p| std::str::from_utf8(p).ok()) {
        let Some((_, name)) = path.split_once('/') else { continue };
        let Some(id) = name.strip_suffix(".md").filter(|stem| !stem.contains('.')) else { continue };
        if dir.join(path).exists() {
            continue;
        }
        let bytes = crate::git::git(dir, &["show", &format!("{rev}:./{path}")])?;
        if let Some(published) = public_at(&bytes, now) {
            gone.push((id.to_string(), path.to_string(), published));
        }
    }
    Ok(removal_errors(gone))
}

/// When the advisory in `bytes` was published, if it is public at `now` (not a draft).
fn public_at(bytes: &[u8], now: Timestamp) -> Option<Timestamp> {
    let file = super::front_matter::decode("", bytes).ok()?;
    let split = super::front_matter::split(&file).ok()?;
    let table: toml::Table = toml::from_str(split.front_matter).ok()?;
    let published: Timestamp = table.get("published")?.as_datetime()?.to_string().parse().ok()?;
    let draft = table.get("draft").and_then(toml::Value::as_bool).unwrap_or(false);
    (!draft && published <= now).then_some(published)
}

fn removal_errors(gone: Vec<(String, String, Timestamp)>) -> Result<(), Diagnostics> {
    if gone.is_empty() {
        return Ok(());
    }
    let mut report = Diagnostics::default();
    let count = gone.len();
    for (id, path, published) in gone {
        let mut error: Diagnostic = SourceFile::new(path, "")
            .error(0..0, format!("`{id}` is public (published {published}) and this change deletes its file"))
            .help(format!(
                "an advisory's URL is permanent: restore the file and set `status = \"withdrawn\"` to retract `{id}` (its page stays, marked withdrawn)"
            ));
        if count > 1 {
            error =
                error.note(format!("this change removes {count} public advisories at once; none of it is published"));
        }
        report.push(error);
    }
    report.sort();
    Err(report)
}
