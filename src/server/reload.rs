//! Keeping the live site current: watch the advisories folder (debounced) or follow a
//! git branch, rebuild beside the live snapshot, swap atomically; re-render when an
//! embargo lifts. A change that fails validation leaves the last good site live and is
//! shown at `/_status`; the next valid change recovers without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use notify_debouncer_full::notify::RecursiveMode;
use tokio::sync::mpsc;

use super::{AppState, Live, ServeOptions};
use crate::content::{self, Content};
use crate::diagnostics::Diagnostics;
use crate::git::{Checkout, GitError, History};

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
            Some(git) => Ok(Source::Git(Checkout::new(&options.dir, git.remote.clone(), git.branch.clone())?)),
            None => Ok(Source::WorkingCopy(options.dir.clone())),
        }
    }

    /// The commit that would be loaded now (`--git`: fetched tip), if any.
    pub(crate) fn tip(&self) -> Result<Option<String>, GitError> {
        match self {
            Source::WorkingCopy(_) => Ok(None),
            Source::Git(checkout) => checkout.fetch().map(Some),
        }
    }
}

/// Loads and validates the content from `source`, with its revision history.
pub(crate) fn load(
    source: &Source,
    options: &ServeOptions,
    history: &Mutex<Option<History>>,
    tip: Option<String>,
    previous: Option<&Content>,
) -> Result<(Content, Option<String>), LoadError> {
    let (dir, commit, history_dir) = match source {
        Source::WorkingCopy(dir) => (dir.clone(), None, dir.clone()),
        Source::Git(checkout) => {
            let commit = match tip {
                Some(tip) => tip,
                None => checkout.fetch()?,
            };
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

/// Renders `content` as it is at `now`, reusing compressed pages of `previous` that did not change.
pub(crate) fn render(
    content: Arc<Content>,
    now: Timestamp,
    previous: Option<&Live>,
    commit: Option<String>,
    preview: bool,
) -> Live {
    let options = crate::render::RenderOptions { preview, previous: previous.map(|p| &p.site) };
    let started = Instant::now();
    let mut site = crate::render::site_with(&content, &content.settings, now, options, &|_, _| {});
    let rendered = started.elapsed();
    site.date_changes(previous.map(|p| &p.site), now);
    // On a reload unchanged pages are the previous site's (compressed already) and the
    // new site goes live at once; changed pages are compressed in the background (see
    // `rebuild`) and served uncompressed until then.
    if previous.is_none() {
        site.precompress();
        super::memory::return_free_memory();
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
        let (content, commit) = match trigger {
            Trigger::Embargo => (previous.content.clone(), previous.commit.clone()),
            Trigger::Change => {
                // A push or poll that brings no new commit changes nothing, and a commit
                // already rejected is not checked again.
                let tip = state2.source.tip()?;
                if let Some(tip) = &tip {
                    let failed = state2.status().failed_commit.clone();
                    if Some(tip) == previous.commit.as_ref() || Some(tip) == failed.as_ref() {
                        return Ok(None);
                    }
                }
                let loading = Instant::now();
                let (content, commit) =
                    load(&state2.source, &state2.options, &state2.history, tip, Some(&previous.content))?;
                tracing::debug!(target: "bulletin::reload", load_ms = loading.elapsed().as_millis() as u64, "loaded");
                if commit == previous.commit && content.same_as(&previous.content) {
                    // A save that changed no byte, a touch, the check after start-up, or a
                    // rejected change undone: the live site is already this content.
                    let mut status = state2.status();
                    status.last_error = None;
                    status.last_error_at = None;
                    return Ok(None);
                }
                (Arc::new(content), commit)
            }
        };
        Ok::<Option<Live>, LoadError>(Some(render(content, now, Some(&previous), commit, state2.options.preview)))
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
                status.last_error = None;
                status.last_error_at = None;
                status.failed_commit = None;
            }
            drop(status);
            // Freeing the old site (hundreds of MB at 10,000 advisories) and compressing the
            // changed pages both happen off the async workers that answer requests, and on
            // one thread outside the render pool: the next reload must not queue behind
            // them (it did, and a save 1 s after the last took 1.7 s to go live).
            let watched = state.clone();
            tokio::task::spawn_blocking(move || {
                drop(old);
                live.site.precompress_in_background(|| !Arc::ptr_eq(&watched.live.load(), &live));
                super::memory::return_free_memory();
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
        Ok(Err(error)) => {
            let text = error.render();
            tracing::error!(target: "bulletin::reload", "change rejected, the last good site stays live:\n{text}");
            let mut status = state.status();
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

/// Starts watching `dir`; each debounced burst of changes sends one message on `tx`.
/// Keep the returned watcher alive as long as changes should be seen.
pub fn watch(dir: &Path, tx: mpsc::Sender<()>) -> notify_debouncer_full::notify::Result<impl Drop + Send + use<>> {
    let mut debouncer = notify_debouncer_full::new_debouncer(
        Duration::from_millis(100),
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            // Reading the files (our own reload does) raises access events: ignore them, or
            // every reload would trigger the next. Anything else may matter: editors write
            // temp files and rename them, and an error means events were lost.
            let relevant = match &result {
                Ok(events) => {
                    let changes: Vec<_> = events
                        .iter()
                        .filter(|e| !matches!(e.event.kind, notify_debouncer_full::notify::EventKind::Access(_)))
                        .collect();
                    for e in &changes {
                        tracing::debug!(target: "bulletin::watch", kind = ?e.event.kind, paths = ?e.event.paths, "change");
                    }
                    !changes.is_empty()
                }
                Err(_) => true,
            };
            if relevant {
                // A full channel already holds a pending reload, which will see this change.
                let _ = tx.try_send(());
            }
        },
    )?;
    debouncer.watch(dir, RecursiveMode::Recursive)?;
    Ok(debouncer)
}

/// Asks for a reload every `every` (`--pull-every`); a reload without a new commit does nothing.
pub async fn poll(state: Arc<AppState>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        state.request_reload();
    }
}

/// The reload loop: rebuilds on every reload request and at every embargo lift.
/// Requests are handled one at a time, so updates never overlap and the newest wins.
pub async fn run(state: Arc<AppState>) {
    let Some(mut changes) = state.reload_rx.lock().ok().and_then(|mut rx| rx.take()) else {
        tracing::warn!("the reload loop is already running");
        return;
    };
    loop {
        let live = state.live.load_full();
        let now = (state.options.clock)();
        // While the latest change is rejected, embargoes are held: the rejected change may
        // have postponed or withdrawn one, and publishing early cannot be undone.
        let holding = state.status().last_error.is_some();
        let next_lift =
            if state.options.preview || holding { None } else { live.content.next_embargo_lift(live.rendered_for) };
        if holding && live.content.next_embargo_lift(live.rendered_for).is_some_and(|t| t <= now) {
            tracing::error!(target: "bulletin::reload", "an embargo is due but held until the rejected change is fixed");
        }
        let wait = next_lift.map(|lift| {
            let ms = lift.as_millisecond().saturating_sub(now.as_millisecond()).max(0) as u64;
            // Wake at the instant (plus a millisecond, so `published <= now` holds), or after a
            // minute at most to look again: the wall clock may jump while we sleep.
            Duration::from_millis(ms + 1).min(Duration::from_secs(60))
        });
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
                let due = live.content.next_embargo_lift(live.rendered_for).is_some_and(|t| t <= (state.options.clock)());
                if due {
                    rebuild(&state, Trigger::Embargo).await;
                }
            }
        }
    }
}
