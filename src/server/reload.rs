//! Keeping the live site current: watch the advisories folder (debounced), rebuild
//! beside the live snapshot, swap atomically; re-render when an embargo lifts.
//! A change that fails validation leaves the last good site live and is shown at
//! `/_status`; the next valid change recovers without a restart.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use notify_debouncer_full::notify::RecursiveMode;
use tokio::sync::mpsc;

use super::{AppState, Live, ServeOptions};
use crate::content::{self, Content};
use crate::diagnostics::Diagnostics;

/// Loads and validates the folder, applying `--base-url`.
pub fn load_content(options: &ServeOptions) -> Result<Content, Diagnostics> {
    let mut content = content::load(&options.dir)?;
    if let Some(url) = &options.base_url {
        content.settings.base_url = if url.ends_with('/') { url.clone() } else { format!("{url}/") };
    }
    Ok(content)
}

/// Renders `content` as it is at `now`, reusing compressed pages of `previous` that did not change.
pub fn render(content: Arc<Content>, now: Timestamp, previous: Option<&Live>) -> Live {
    let site = crate::render::site(&content, &content.settings, now);
    if let Some(previous) = previous {
        site.reuse_compressed(&previous.site);
    }
    site.precompress();
    let mut fingerprint = xxhash_rust::xxh3::Xxh3::new();
    for (path, page) in site.pages() {
        fingerprint.update(path.as_bytes());
        fingerprint.update(page.etag.as_bytes());
    }
    Live { content, site, rendered_for: now, version: format!("{:016x}", fingerprint.digest()) }
}

/// Why the site is rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Files changed (or the watcher lost track and everything must be rescanned).
    Files,
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
        let content = match trigger {
            Trigger::Files => Arc::new(load_content(&state2.options)?),
            Trigger::Embargo => previous.content.clone(),
        };
        Ok::<Live, Diagnostics>(render(content, now, Some(&previous)))
    })
    .await;
    let now = (state.options.clock)();
    match result {
        Ok(Ok(live)) => {
            let (advisories, pages, version) = (live.content.all().len(), live.site.len(), live.version.clone());
            state.live.store(Arc::new(live));
            if let Ok(mut status) = state.status.lock() {
                status.last_reload = Some(now);
                status.reloads += 1;
                status.last_error = None;
                status.last_error_at = None;
            }
            tracing::info!(
                target: "bulletin::reload",
                ?trigger,
                advisories,
                pages,
                version,
                duration_ms = started.elapsed().as_millis() as u64,
                "site reloaded"
            );
        }
        Ok(Err(diags)) => {
            let text = diags.render_human(false);
            tracing::error!(target: "bulletin::reload", problems = diags.len(), "change rejected, the last good site stays live:\n{text}");
            if let Ok(mut status) = state.status.lock() {
                status.last_error = Some(text);
                status.last_error_at = Some(now);
            }
        }
        Err(e) => {
            tracing::error!(target: "bulletin::reload", error = %e, "rebuild task failed; the last good site stays live")
        }
    }
}

/// Starts watching `dir`: returns the watcher (keep it alive) and a channel that
/// receives one message per debounced burst of changes.
pub fn watch(dir: &Path) -> notify_debouncer_full::notify::Result<(impl Drop + Send + use<>, mpsc::Receiver<()>)> {
    let (tx, rx) = mpsc::channel(16);
    let mut debouncer = notify_debouncer_full::new_debouncer(
        Duration::from_millis(250),
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            let relevant = match &result {
                // Editors write temp files and rename them; any event in the folder may
                // matter, and an error or a rescan flag means events were lost.
                // Reading the files (our own reload does) raises access events: ignore them,
                // or every reload would trigger the next.
                Ok(events) => {
                    events.iter().any(|e| !matches!(e.event.kind, notify_debouncer_full::notify::EventKind::Access(_)))
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
    Ok((debouncer, rx))
}

/// The reload loop: rebuilds on file changes (if `changes` is given) and at every
/// embargo lift, until the channel closes and no embargo is pending forever.
pub async fn run(state: Arc<AppState>, mut changes: Option<mpsc::Receiver<()>>) {
    loop {
        let live = state.live.load_full();
        let now = (state.options.clock)();
        let next_lift = live.content.next_embargo_lift(live.rendered_for);
        let wait = next_lift.map(|lift| {
            let ms = lift.as_millisecond().saturating_sub(now.as_millisecond()).max(0) as u64;
            // Wake at the instant (plus a millisecond, so `published <= now` holds).
            Duration::from_millis(ms + 1)
        });
        drop(live);
        let embargo = async {
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        let change = async {
            match changes.as_mut() {
                Some(rx) => rx.recv().await,
                None => std::future::pending::<Option<()>>().await,
            }
        };
        tokio::select! {
            received = change => {
                if received.is_none() {
                    changes = None;
                    continue;
                }
                // Coalesce a burst: anything queued meanwhile is covered by this rebuild.
                if let Some(rx) = changes.as_mut() {
                    while rx.try_recv().is_ok() {}
                }
                rebuild(&state, Trigger::Files).await;
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
