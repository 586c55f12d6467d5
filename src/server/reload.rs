//! Keeping the live site current: on a change (see [`triggers`](super::triggers)) load
//! the folder or the fetched commit, rebuild beside the live snapshot, swap atomically;
//! re-render when an embargo lifts. A change that fails validation, or deletes a public
//! advisory, leaves the last good site live and is shown at `/_status`; the next valid
//! change recovers without a restart.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::embargo::{Rejection, Touched};
use super::{AppState, Live, ServeOptions};
use crate::content::{self, Content};
use crate::diagnostics::Diagnostics;
use crate::git::{Checkout, GitError, History};
use crate::model::Advisory;

/// How often a held embargo is logged again.
const HELD_WARNING_EVERY: Duration = Duration::from_secs(60);

/// Where the served content comes from.
pub(crate) enum Source {
    /// The folder as it is on disk.
    WorkingCopy(PathBuf),
    /// The committed tree of a branch (`--git`).
    Git(Checkout),
}

/// Why content could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The content is invalid (at this commit, in `--git` mode).
    Content(Diagnostics, Option<String>),
    /// Git failed (fetch, checkout, unknown branch).
    Git(GitError),
}

impl LoadError {
    /// A report for the terminal and `/_status`.
    pub fn render(&self) -> String {
        match self {
            LoadError::Content(diags, Some(commit)) => format!("commit {commit}:\n{}", diags.render_human(false)),
            LoadError::Content(diags, None) => diags.render_human(false),
            LoadError::Git(e) => format!("git: {}\n", e.chain()),
        }
    }
}

impl From<GitError> for LoadError {
    fn from(e: GitError) -> Self {
        LoadError::Git(e)
    }
}

impl Source {
    pub(crate) fn new(options: &ServeOptions) -> Result<Self, GitError> {
        match &options.git {
            Some(git) => {
                Ok(Source::Git(Checkout::new(&options.dir, git.remote.clone(), git.branch.clone(), git.fetch_timeout)?))
            }
            None => Ok(Source::WorkingCopy(options.dir.clone())),
        }
    }

    /// The commit that would be loaded now (`--git`: the tip last fetched), if any.
    pub(crate) fn tip(&self) -> Result<Option<String>, GitError> {
        match self {
            Source::WorkingCopy(_) => Ok(None),
            Source::Git(checkout) => checkout.tip().map(Some),
        }
    }

    /// What is published and how it is kept current, for the start-up line and `/_status`.
    pub(crate) fn describe(&self, commit: Option<&str>, options: &ServeOptions) -> String {
        match self {
            Source::WorkingCopy(_) if options.watch => "the folder as it is, reloaded when it changes".into(),
            Source::WorkingCopy(_) => "the folder as it is, not watched".into(),
            Source::Git(checkout) => {
                let git = options.git.as_ref();
                let updates = match (git.and_then(|g| g.webhook_secret.as_ref()), git.and_then(|g| g.pull_every)) {
                    (Some(_), Some(every)) => format!("push webhooks and a poll every {every:?}"),
                    (Some(_), None) => "push webhooks".into(),
                    (None, Some(every)) => format!("a poll every {every:?}"),
                    (None, None) => "nothing: without --webhook-secret-file or --pull-every it never updates".into(),
                };
                let remote = match &checkout.remote {
                    Some(remote) => format!("fetched from {remote}"),
                    None => "the local branch, no remote (none given, and the branch has no upstream)".into(),
                };
                format!(
                    "git mode: branch {}, {remote}, commit {}; updated by {updates}",
                    checkout.branch,
                    commit.map_or("-", |c| &c[..c.len().min(12)])
                )
            }
        }
    }

    /// Whether updates come by fetching a remote.
    pub(crate) fn has_remote(&self) -> bool {
        matches!(self, Source::Git(checkout) if checkout.remote.is_some())
    }

    /// Fetches the remote, if there is one (bounded by `--fetch-timeout`).
    pub(crate) fn fetch(&self) -> Result<(), GitError> {
        match self {
            Source::Git(checkout) => checkout.fetch(checkout.fetch_timeout),
            Source::WorkingCopy(_) => Ok(()),
        }
    }

    /// What a rejected change may alter, compared with the live content: the files that
    /// differ on disk, or between the live commit and the rejected one.
    fn touched(&self, live: &Live, error: &LoadError) -> Touched {
        let files = match (self, error) {
            (_, LoadError::Git(e)) => return Touched::Everything(format!("git failed: {}", e.chain())),
            (Source::WorkingCopy(_), LoadError::Content(..)) => {
                let changes = live.content.changes_on_disk();
                if changes.settings {
                    return Touched::Everything("the rejected change edits site.toml or measures.toml".into());
                }
                changes.files
            }
            (Source::Git(checkout), LoadError::Content(_, failed)) => {
                let (Some(from), Some(to)) = (&live.commit, failed) else {
                    return Touched::Everything("the rejected commit cannot be compared with the live one".into());
                };
                match checkout.changed_between(from, to) {
                    Ok(files) if files.iter().any(|f| f == "site.toml" || f == "measures.toml") => {
                        return Touched::Everything(format!("commit {to} edits site.toml or measures.toml"));
                    }
                    Ok(files) => files.into_iter().collect(),
                    Err(e) => return Touched::Everything(format!("git failed: {}", e.chain())),
                }
            }
        };
        // The files named in the problems belong to the change too (a file removed, say).
        let mut files = files;
        if let LoadError::Content(diags, _) = error {
            files.extend(diags.items().iter().map(|d| d.path.clone()));
        }
        if files.iter().any(|f| f == "site.toml" || f == "measures.toml") {
            return Touched::Everything("the rejected change edits site.toml or measures.toml".into());
        }
        Touched::Files(files)
    }
}

/// Loads and validates the content from `source` (`--git`: its tip as last fetched),
/// with its revision history.
pub(crate) fn load(
    source: &Source,
    options: &ServeOptions,
    history: &Mutex<Option<History>>,
    previous: Option<&Content>,
) -> Result<(Content, Option<String>), LoadError> {
    let (dir, commit, history_dir) = match source {
        Source::WorkingCopy(dir) => (dir.clone(), None, dir.clone()),
        Source::Git(checkout) => {
            let commit = checkout.tip()?;
            let dir = checkout.materialize(&commit)?;
            (dir, Some(commit), checkout.repo.join(&checkout.prefix))
        }
    };
    let rev = commit.clone().unwrap_or_else(|| "HEAD".into());
    let mut kept = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let options = content::LoadOptions {
        base_url: options.base_url.as_deref(),
        previous,
        history: Some(content::HistorySource {
            dir: &history_dir,
            rev: &rev,
            kept: &mut kept,
            required: commit.is_some(),
        }),
    };
    let content = content::load_with(&dir, options).map_err(|d| LoadError::Content(d, commit.clone()))?;
    drop(kept);
    if let Source::Git(checkout) = source
        && let Some(c) = &commit
    {
        checkout.prune(c);
    }
    Ok((content, commit))
}

/// Renders `content` as it is at `now`, reusing compressed pages of `previous` that did
/// not change; what `rejection` holds stays as it was (see [`embargo`](super::embargo)).
pub(crate) fn render(
    content: Arc<Content>,
    now: Timestamp,
    previous: Option<&Live>,
    commit: Option<String>,
    preview: bool,
    rejection: Option<&Rejection>,
    hubs: &[String],
) -> Live {
    let options = crate::render::RenderOptions { preview, previous: previous.map(|p| &p.site), hubs };
    let started = Instant::now();
    let frozen = rejection.filter(|_| !preview).map(|r| content.frozen(r.since, |a| r.holds(a)));
    let shown = frozen.as_ref().unwrap_or(&content);
    let mut site = crate::render::site_with(shown, &content.settings, now, options, &|_, _| {});
    let rendered = started.elapsed();
    site.date_changes(previous.map(|p| &p.site), now);
    // On a reload unchanged pages are the previous site's (compressed already) and the
    // new site goes live at once; changed pages are compressed in the background (see
    // `rebuild`) and served uncompressed until then.
    if previous.is_none() {
        site.precompress();
        super::system::return_free_memory();
    }
    tracing::debug!(target: "bulletin::reload", render_ms = rendered.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "rendered");
    let mut fingerprint = xxhash_rust::xxh3::Xxh3::new();
    for (path, page) in site.pages() {
        fingerprint.update(path.as_bytes());
        fingerprint.update(page.etag.as_bytes());
    }
    Live {
        content,
        site,
        rendered_for: now,
        version: format!("{:016x}", fingerprint.digest()),
        commit,
        checklists: Default::default(),
        searches: Default::default(),
        search: Default::default(),
    }
}

/// Why the site is rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Files changed, a push arrived, or a poll is due.
    Change,
    /// An embargo lifted: same content, new instant.
    Embargo,
}

/// Rebuilds and swaps; on invalid content keeps the live site and records the problems.
pub async fn rebuild(state: &Arc<AppState>, trigger: Trigger) {
    let started = Instant::now();
    let state2 = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let now = (state2.options.clock)();
        let previous = state2.live.load_full();
        let rejection = state2.status().rejection.clone();
        let (content, commit) = match trigger {
            Trigger::Embargo => (previous.content.clone(), previous.commit.clone()),
            Trigger::Change => match load_change(&state2, &previous, now) {
                Ok(Some(loaded)) => loaded,
                Ok(None) => return Ok(None),
                // What the change may alter decides which embargoes it holds.
                Err(error) => {
                    let touched = state2.source.touched(&previous, &error);
                    return Err((error, touched, previous.rendered_for));
                }
            },
        };
        // An embargo lift keeps holding what the rejected change may alter; a change that
        // loads settles the rejection.
        let holds = if trigger == Trigger::Embargo { rejection.as_ref() } else { None };
        let hubs = state2.notifier.as_ref().map_or(&[][..], |n| n.hubs());
        Ok(Some(render(content, now, Some(&previous), commit, state2.options.preview, holds, hubs)))
    })
    .await;
    let now = (state.options.clock)();
    match result {
        Ok(Ok(None)) => tracing::debug!(target: "bulletin::reload", "nothing new to publish"),
        Ok(Ok(Some(live))) => {
            let (advisories, pages, version) = (live.content.all().len(), live.site.len(), live.version.clone());
            let commit = live.commit.clone();
            let live = Arc::new(live);
            // The swap and its outcome in /_status change together (the status page reads
            // both under this lock).
            let mut status = state.status();
            let old = state.live.swap(live.clone());
            status.last_reload = Some(now);
            status.reloads += 1;
            // Only a valid change settles a rejected one; an embargo lift does not.
            if trigger == Trigger::Change {
                status.settle();
            }
            drop(status);
            // Subscribers hear of what the new site shows that the old did not.
            if let Some(notifier) = state.notifier.clone() {
                let (live, old) = (live.clone(), old.clone());
                tokio::task::spawn_blocking(move || {
                    notifier.observe(&live.shown(), now);
                    notifier.feeds_changed(&old.shown(), &live.shown(), now);
                });
            }
            // Freeing the old site (hundreds of MB at 10,000 advisories) and compressing the
            // changed pages both happen off the async workers that answer requests, and on
            // one thread outside the render pool: the next reload must not queue behind
            // them (it did, and a save 1 s after the last took 1.7 s to go live).
            let watched = state.clone();
            // Rebuilding the search index costs seconds of CPU at 10,000 advisories: only
            // where people search (the old snapshot's index was used) is it built before
            // the first search asks; elsewhere the first search builds it.
            let searched = old.search.get().is_some();
            tokio::task::spawn_blocking(move || {
                drop(old);
                if searched {
                    live.search_index();
                }
                live.site.precompress_in_background(|| !Arc::ptr_eq(&watched.live.load(), &live));
                super::system::return_free_memory();
            });
            tracing::info!(
                target: "bulletin::reload",
                ?trigger,
                advisories,
                pages,
                version,
                commit = commit.as_deref().unwrap_or("-"),
                duration_ms = started.elapsed().as_millis() as u64,
                "site reloaded"
            );
        }
        Ok(Err((error, touched, rendered_for))) => {
            let text = error.render();
            tracing::error!(target: "bulletin::reload", "change rejected, the last good site stays live:\n{text}");
            let mut status = state.status();
            // A rejection that follows another holds from where the first began.
            let since = status.rejection.as_ref().map_or(rendered_for, |r| r.since);
            status.rejection = Some(Rejection { touched, since });
            status.last_error = Some(text);
            status.last_error_at = Some(now);
            status.failed_commit = match &error {
                LoadError::Content(_, commit) => commit.clone(),
                LoadError::Git(_) => None,
            };
        }
        Err(e) => {
            tracing::error!(target: "bulletin::reload", error = %e, "rebuild task failed; the last good site stays live")
        }
    }
}

/// Content to publish and the commit it came from.
type Loaded = (Arc<Content>, Option<String>);

/// Loads what changed: `None` when there is nothing new to publish. The live site's own
/// content is loaded again only when a rejection held embargoes: the fix (undoing the
/// change) must release them.
fn load_change(state: &AppState, previous: &Live, now: Timestamp) -> Result<Option<Loaded>, LoadError> {
    // A push or poll that brings no new commit changes nothing, and a commit already
    // rejected is not checked again.
    let tip = state.source.tip()?;
    if let Some(tip) = &tip {
        if Some(tip) == state.status().failed_commit.as_ref() {
            return Ok(None);
        }
        if Some(tip) == previous.commit.as_ref() {
            return Ok(settle_undone(state, previous, now));
        }
    }
    let loading = Instant::now();
    let (content, commit) = load(&state.source, &state.options, &state.history, Some(&previous.content))?;
    tracing::debug!(target: "bulletin::reload", load_ms = loading.elapsed().as_millis() as u64, "loaded");
    // Ids are permanent: a change that deletes a public advisory's file is not published.
    if !state.options.preview {
        content::removed_public(&previous.content, &content, now).map_err(|d| LoadError::Content(d, commit.clone()))?;
    }
    if commit == previous.commit && content.same_as(&previous.content) {
        // A save that changed no byte, a touch, the check after start-up, or a rejected
        // change undone: the live site is already this content.
        return Ok(settle_undone(state, previous, now));
    }
    Ok(Some((Arc::new(content), commit)))
}

/// The live content is what is published again (a rejected change undone): the rejection
/// is settled, and if it held an embargo that is due, the site is rendered again to
/// release it; otherwise the live site is already right.
fn settle_undone(state: &AppState, previous: &Live, now: Timestamp) -> Option<Loaded> {
    let mut status = state.status();
    let held = status.rejection.as_ref().is_some_and(|r| !r.due(&previous.content, now).is_empty());
    status.settle();
    held.then(|| (previous.content.clone(), previous.commit.clone()))
}

/// The reload loop: rebuilds on every reload request and at every embargo lift.
/// Requests are handled one at a time, so updates never overlap and the newest wins.
/// While a change is rejected, the embargoes it may alter are held (see
/// [`embargo`](super::embargo)) and said so every minute.
pub async fn run(state: Arc<AppState>) {
    let Some(mut changes) = state.reload_rx.lock().ok().and_then(|mut rx| rx.take()) else {
        tracing::warn!("the reload loop is already running");
        return;
    };
    let mut warned: Option<Instant> = None;
    loop {
        let live = state.live.load_full();
        let now = (state.options.clock)();
        let rejection = state.status().rejection.clone();
        let holds = |a: &Advisory| rejection.as_ref().is_some_and(|r| r.holds(a));
        let next_lift =
            if state.options.preview { None } else { live.content.next_embargo_lift_except(live.rendered_for, holds) };
        let held = match &rejection {
            Some(r) if !state.options.preview => r.due(&live.content, now),
            _ => Vec::new(),
        };
        if held.is_empty() {
            warned = None;
        } else if warned.is_none_or(|at| at.elapsed() >= HELD_WARNING_EVERY) {
            for h in &held {
                tracing::warn!(target: "bulletin::reload", advisory = %h.id, due = %h.due, "embargo held: {}", h.why);
            }
            warned = Some(Instant::now());
        }
        state.status().held = held.clone();
        // A held embargo that falls due is noticed (and said) on time.
        let next_held = match &rejection {
            Some(r) if !state.options.preview => live.content.next_embargo_lift_except(now, |a| !r.holds(a)),
            _ => None,
        };
        let wait = [next_lift, next_held].into_iter().flatten().min().map(|at| {
            let ms = at.as_millisecond().saturating_sub(now.as_millisecond()).max(0) as u64;
            // Wake at the instant (plus a millisecond, so `published <= now` holds), or after a
            // minute at most to look again: the wall clock may jump while we sleep.
            Duration::from_millis(ms + 1).min(Duration::from_secs(60))
        });
        // A held embargo is said again every minute.
        let wait =
            if held.is_empty() { wait } else { Some(wait.map_or(HELD_WARNING_EVERY, |w| w.min(HELD_WARNING_EVERY))) };
        drop(live);
        let embargo = async {
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            received = changes.recv() => {
                if received.is_none() {
                    return;
                }
                rebuild(&state, Trigger::Change).await;
            }
            () = embargo => {
                let live = state.live.load_full();
                let rejection = state.status().rejection.clone();
                let due = live
                    .content
                    .next_embargo_lift_except(live.rendered_for, |a| rejection.as_ref().is_some_and(|r| r.holds(a)))
                    .is_some_and(|t| t <= (state.options.clock)());
                if due && !state.options.preview {
                    rebuild(&state, Trigger::Embargo).await;
                }
            }
        }
    }
}
