//! What asks for a reload: the advisories folder changing (watched, debounced), and in
//! `--git` mode a push or a poll, which fetch the remote first.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::AppState;

/// How long the folder must be quiet after a change before the reload: an editor's
/// save is several events (a temporary file, a rename), and one reload sees them all.
const QUIET: Duration = Duration::from_millis(100);
/// The longest a reload waits while changes keep coming (a sync tool, an editor saving
/// on every keystroke): the site follows at least this often.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// Starts watching `dir`: changes ask for a reload once the folder has been quiet for
/// [`QUIET`], or [`MAX_WAIT`] after the first change at the latest. Keep the returned
/// watcher alive as long as changes should be seen; dropping it ends the watch.
pub(crate) fn watch(dir: &Path, state: &Arc<AppState>) -> notify::Result<impl Drop + Send + use<>> {
    let (tx, rx) = mpsc::channel(1);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading the files (our own reload does) raises access events: ignore them, or
        // every reload would trigger the next. Anything else may matter: editors write
        // temp files and rename them, and an error means events were lost.
        let relevant = match &event {
            Ok(e) => {
                tracing::debug!(target: "bulletin::watch", kind = ?e.kind, paths = ?e.paths, "change");
                !matches!(e.kind, notify::EventKind::Access(_))
            }
            Err(_) => true,
        };
        if relevant {
            // A full channel already holds a change that the debounce has not taken yet.
            let _ = tx.try_send(());
        }
    })?;
    notify::Watcher::watch(&mut watcher, dir, notify::RecursiveMode::Recursive)?;
    tokio::spawn(debounce(rx, state.clone()));
    Ok(watcher)
}

/// Turns a stream of changes into reload requests (see [`watch`]); ends with the watcher.
async fn debounce(mut changes: mpsc::Receiver<()>, state: Arc<AppState>) {
    while changes.recv().await.is_some() {
        let first = tokio::time::Instant::now();
        loop {
            let until = (tokio::time::Instant::now() + QUIET).min(first + MAX_WAIT);
            match tokio::time::timeout_at(until, changes.recv()).await {
                Ok(Some(())) if first.elapsed() < MAX_WAIT => continue,
                Ok(None) => {
                    state.request_reload();
                    return;
                }
                _ => break,
            }
        }
        state.request_reload();
    }
}

/// Asks for the newest commit every `every` (`--pull-every`); an update that finds no
/// new commit does nothing.
pub(crate) async fn poll(state: Arc<AppState>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        state.request_update();
    }
}

/// Fetches the remote when asked (a push, a poll), each fetch bounded by
/// `--fetch-timeout`, then asks for a reload. A failed fetch is logged and shown at
/// `/_status`; the site keeps the commit fetched before and its embargoes lift on time.
pub(crate) async fn fetch(state: Arc<AppState>, mut requests: mpsc::Receiver<()>) {
    while requests.recv().await.is_some() {
        let fetching = state.clone();
        let fetched = tokio::task::spawn_blocking(move || fetching.source.fetch()).await;
        let now = (state.options.clock)();
        match fetched {
            Ok(Ok(())) => {
                if state.status().fetch_error.take().is_some() {
                    tracing::info!(target: "bulletin::reload", "fetch works again");
                }
                state.request_reload();
            }
            Ok(Err(e)) => {
                tracing::warn!(target: "bulletin::reload", error = %e.chain(), "fetch failed; the site stays at the commit fetched before");
                let mut status = state.status();
                status.fetch_error = Some(e.chain());
                status.fetch_error_at = Some(now);
            }
            Err(e) => tracing::error!(target: "bulletin::reload", error = %e, "the fetch task failed"),
        }
    }
}
