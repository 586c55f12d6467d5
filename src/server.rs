//! `bulletin serve`: the [`Site`] held in memory and answered over HTTP, swapped
//! atomically when the advisories change or an embargo lifts.
//!
//! The read path takes no lock: every request loads the current [`Live`] snapshot
//! from an [`ArcSwap`] and answers wholly from it. Reloads build the next snapshot
//! beside it (see [`reload`]) and swap it in only when it is complete and valid.

mod embargo;
mod error;
mod frontend;
mod handlers;
mod http;
pub mod reload;
mod search;
mod subscribe;
mod system;
mod triggers;
mod webhook;
#[cfg(target_os = "linux")]
pub mod zero_copy;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::routing::get;
use jiff::Timestamp;
use tokio::net::TcpListener;

use crate::content::Content;
use crate::site::Site;

/// Where the server gets the time from; tests move it to lift embargoes.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The real clock.
pub fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// Limits that keep hostile or broken clients from holding the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A client must send its request headers within this time, or is disconnected.
    pub header_read_timeout: Duration,
    /// A whole request must be answered within this time (408 otherwise).
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Largest request head (request line and headers) in bytes; larger gets 431.
    pub max_header_bytes: usize,
    /// How long a graceful shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// A connection is closed after this long, busy or not, so clients that read slowly
    /// (or never) cannot hold the connection slots.
    pub max_connection_age: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_header_bytes: 16 * 1024,
            shutdown_grace: Duration::from_secs(10),
            max_connection_age: Duration::from_secs(60),
        }
    }
}

/// `serve --git`: publish the committed tree of a branch.
#[derive(Debug, Clone)]
pub struct GitOptions {
    /// Remote to fetch from; `None` publishes the local branch.
    pub remote: Option<String>,
    /// Branch to publish; `None` is the current branch.
    pub branch: Option<String>,
    /// Webhook secret; enables `POST /hooks/git`.
    pub webhook_secret: Option<Vec<u8>>,
    /// Poll for new commits this often.
    pub pull_every: Option<Duration>,
    /// A fetch that takes longer is stopped (and retried at the next push or poll).
    pub fetch_timeout: Duration,
}

impl Default for GitOptions {
    fn default() -> Self {
        Self {
            remote: None,
            branch: None,
            webhook_secret: None,
            pull_every: None,
            fetch_timeout: Duration::from_secs(60),
        }
    }
}

/// How to run the server.
#[derive(Clone)]
pub struct ServeOptions {
    /// The advisories folder.
    pub dir: PathBuf,
    /// Overrides `base_url` of site.toml (an absolute URL ending in `/`).
    pub base_url: Option<String>,
    /// When set, `/_status` shows reload state to requests carrying this token.
    pub status_token: Option<String>,
    /// The clock.
    pub clock: Clock,
    /// Connection and time limits.
    pub limits: Limits,
    /// Publish commits of a git branch instead of the working copy.
    pub git: Option<GitOptions>,
    /// Staff preview: drafts and embargoed advisories shown, with a banner.
    pub preview: bool,
    /// Watch the folder and reload when it changes (not in `--git` mode, where only
    /// commits are published).
    pub watch: bool,
    /// Tells subscribers of new events (`--notify`); never in preview.
    pub notifier: Option<Arc<crate::notify::Notifier>>,
}

impl ServeOptions {
    /// Options with the system clock and default limits.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            base_url: None,
            status_token: None,
            clock: system_clock(),
            limits: Limits::default(),
            git: None,
            preview: false,
            watch: false,
            notifier: None,
        }
    }
}

/// One consistent snapshot: content, the site rendered from it, and when.
pub struct Live {
    /// The validated content.
    pub content: Arc<Content>,
    /// The rendered site, compressed variants computed.
    pub site: Site,
    /// The instant the site was rendered for.
    pub rendered_for: Timestamp,
    /// A fingerprint of every page's ETag: changes exactly when the output does.
    pub version: String,
    /// The commit the content came from (`--git`, or the working copy's HEAD).
    pub commit: Option<String>,
    /// Dynamic checklist pages already rendered from this snapshot, by class set.
    pub(crate) checklists: PageCache,
    /// Search results pages already rendered from this snapshot, by query.
    pub(crate) searches: PageCache,
    /// The search index of what this snapshot shows, built on first use.
    pub(crate) search: std::sync::OnceLock<crate::search::Index>,
}

impl Live {
    /// What this snapshot shows, as the notifier reads it.
    pub(crate) fn shown(&self) -> crate::notify::Shown<'_> {
        crate::notify::Shown {
            content: &self.content,
            site: &self.site,
            rendered_for: self.rendered_for,
            version: &self.version,
        }
    }

    /// The search index of what the site shows (built once per snapshot).
    pub fn search_index(&self) -> &crate::search::Index {
        self.search.get_or_init(|| crate::search::Index::build(&self.content, self.rendered_for))
    }
}

/// Pages the server renders on request from one snapshot (dynamic checklists, search
/// results), compressed, kept for the next request for the same thing: when a leak is in
/// the news, thousands ask for the same few. Cleared when full, so it never grows
/// without bound; a new snapshot starts with an empty one, so nothing outlives a reload.
#[derive(Default)]
pub(crate) struct PageCache {
    pages: Mutex<std::collections::HashMap<String, Arc<crate::site::Page>>>,
}

impl PageCache {
    /// At most this many pages (a search results page is 20–40 KB with its variants).
    const LIMIT: usize = 512;

    /// The page kept under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<crate::site::Page>> {
        self.pages.lock().ok().and_then(|pages| pages.get(key).cloned())
    }

    /// Keeps `page` under `key` and returns it.
    pub(crate) fn keep(&self, key: String, page: crate::site::Page) -> Arc<crate::site::Page> {
        let page = Arc::new(page);
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= Self::LIMIT {
                pages.clear();
            }
            pages.insert(key, page.clone());
        }
        page
    }
}

/// What `/_status` reports.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// When the live site was last (re)built.
    pub last_reload: Option<Timestamp>,
    /// How many reloads succeeded.
    pub reloads: u64,
    /// The problems of the last failed reload, if the last attempt failed.
    pub last_error: Option<String>,
    /// When that failure happened.
    pub last_error_at: Option<Timestamp>,
    /// The commit that failed (`--git`).
    pub failed_commit: Option<String>,
    /// What the rejected change may alter: the embargoes it could move are held.
    pub(crate) rejection: Option<embargo::Rejection>,
    /// Embargoes that are due but held by the rejected change.
    pub(crate) held: Vec<embargo::Held>,
    /// The last fetch failed (`--git` with a remote): why. The site keeps the commit
    /// fetched before, and its embargoes lift on time.
    pub fetch_error: Option<String>,
    /// When that fetch failed.
    pub fetch_error_at: Option<Timestamp>,
}

impl Status {
    /// Records a valid change: nothing is rejected or held any more.
    pub(crate) fn settle(&mut self) {
        self.last_error = None;
        self.last_error_at = None;
        self.failed_commit = None;
        self.rejection = None;
        self.held.clear();
    }
}

/// Everything the handlers share.
pub struct AppState {
    /// The live snapshot; swapped whole.
    pub live: ArcSwap<Live>,
    /// Reload state for `/_status`.
    pub status: Mutex<Status>,
    /// The options the server was started with.
    pub options: ServeOptions,
    /// The headers every response carries (HSTS when the site is published over https).
    common: http::CommonHeaders,
    /// What page responses start from (security and caching headers).
    pub(crate) heads: http::ResponseHeads,
    /// Where content comes from.
    pub(crate) source: reload::Source,
    /// Revision history, updated incrementally (None outside a git repository).
    pub(crate) history: Mutex<Option<crate::git::History>>,
    /// Webhook deliveries already handled (replays are ignored).
    pub(crate) deliveries: Mutex<std::collections::VecDeque<String>>,
    /// Tells subscribers of what becomes public (`--notify`).
    pub(crate) notifier: Option<Arc<crate::notify::Notifier>>,
    reload_tx: tokio::sync::mpsc::Sender<()>,
    reload_rx: Mutex<Option<tokio::sync::mpsc::Receiver<()>>>,
    fetch_tx: tokio::sync::mpsc::Sender<()>,
    fetch_rx: Mutex<Option<tokio::sync::mpsc::Receiver<()>>>,
}

impl AppState {
    /// The headers every response carries.
    pub(crate) fn common_headers(&self) -> http::CommonHeaders {
        self.common
    }

    /// Loads, validates and renders the content; fails if there is nothing valid to serve.
    pub fn load(options: ServeOptions) -> Result<Arc<Self>, reload::LoadError> {
        #[cfg(target_os = "linux")]
        zero_copy::enable();
        let source = reload::Source::new(&options)?;
        let mut status = Status { reloads: 1, ..Status::default() };
        // A remote that cannot be reached at start-up leaves the commit fetched before.
        if let Err(e) = source.fetch() {
            tracing::warn!(target: "bulletin::reload", error = %e.chain(), "fetch failed; publishing the commit fetched before");
            status.fetch_error = Some(e.chain());
            status.fetch_error_at = Some((options.clock)());
        }
        let history = Mutex::new(None);
        let (content, commit) = reload::load(&source, &options, &history, None)?;
        let notifier = options.notifier.clone().filter(|_| !options.preview);
        let hubs = notifier.as_ref().map_or(&[][..], |n| n.hubs());
        let live = reload::render(Arc::new(content), (options.clock)(), None, commit, options.preview, None, hubs);
        if let Some(notifier) = &notifier {
            // The first start records what is public as history; a restart tells what
            // became public while the server was down.
            notifier.observe(&live.shown(), (options.clock)());
        }
        let hsts = live.content.settings.base_url.starts_with("https://");
        let common = http::CommonHeaders { hsts, preview: options.preview };
        status.last_reload = Some((options.clock)());
        // One pending reload (and fetch) at most: a burst of changes or pushes gives one
        // running and one queued.
        let (reload_tx, reload_rx) = tokio::sync::mpsc::channel(1);
        let (fetch_tx, fetch_rx) = tokio::sync::mpsc::channel(1);
        Ok(Arc::new(Self {
            live: ArcSwap::from_pointee(live),
            status: Mutex::new(status),
            heads: http::ResponseHeads::new(common),
            common,
            options,
            source,
            history,
            deliveries: Mutex::new(std::collections::VecDeque::new()),
            notifier,
            reload_tx,
            reload_rx: Mutex::new(Some(reload_rx)),
            fetch_tx,
            fetch_rx: Mutex::new(Some(fetch_rx)),
        }))
    }

    /// The reload state, locked. A reload holds it while it swaps the site and records
    /// the outcome. A panic elsewhere under the lock does not hide the state: a rejected
    /// change must keep holding embargoes and keep showing at `/_status`.
    pub(crate) fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks for a reload; if one is already queued, that one will see the change.
    pub fn request_reload(&self) {
        let _ = self.reload_tx.try_send(());
    }

    /// Asks for the newest commit (a push or a poll): a fetch first when there is a
    /// remote, then a reload. The fetch runs apart from the reload loop, so a remote
    /// that hangs never holds a reload or an embargo lift.
    pub fn request_update(&self) {
        if self.source.has_remote() {
            let _ = self.fetch_tx.try_send(());
        } else {
            self.request_reload();
        }
    }
}

/// Every route in one place. Static pages come from the live [`Site`]; the few
/// dynamic routes read the same snapshot. What every answer gets (security headers, the
/// 404 page, a caught panic, the request log) is added by the connection pipeline.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(handlers::healthz))
        .route("/_status", get(handlers::status))
        .route("/hooks/git", axum::routing::post(webhook::receive))
        .route("/search/", axum::routing::any(search::handle))
        .route("/{lang}/search/", axum::routing::any(search::handle))
        .route("/subscribe/", axum::routing::any(subscribe::handle))
        .route("/subscribe/confirm/", axum::routing::any(subscribe::handle))
        .route("/unsubscribe/", axum::routing::any(subscribe::handle))
        .route("/{lang}/subscribe/", axum::routing::any(subscribe::handle))
        .route("/{lang}/subscribe/confirm/", axum::routing::any(subscribe::handle))
        .route("/{lang}/unsubscribe/", axum::routing::any(subscribe::handle))
        .fallback(handlers::page)
        .with_state(state)
}

/// Runs the server until `shutdown` resolves: watches the folder (when asked), keeps the
/// site current (reloads, embargo lifts, `--pull-every`) and answers on `listener`.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    started: std::time::Instant,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    system::raise_open_files_limit();
    let watcher = if state.options.watch && state.options.git.is_none() {
        match triggers::watch(&state.options.dir, &state) {
            // An edit made while the site was first loading is seen by one more reload.
            Ok(w) => {
                state.request_reload();
                Some(w)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the folder; changes need a restart");
                None
            }
        }
    } else {
        None
    };
    let live = state.live.load();
    tracing::info!(
        advisories = live.content.all().len(),
        pages = live.site.len(),
        warnings = live.content.warnings.len(),
        startup_ms = started.elapsed().as_millis() as u64,
        "serving {} on http://{}/ ({})",
        state.options.dir.display(),
        listener.local_addr()?,
        state.source.describe(live.commit.as_deref(), &state.options),
    );
    drop(live);
    tokio::spawn(reload::run(state.clone()));
    let notifier = state.notifier.clone().map(|n| tokio::spawn(n.run(state.options.clock.clone())));
    if let Some(fetches) = state.fetch_rx.lock().ok().and_then(|mut rx| rx.take()) {
        tokio::spawn(triggers::fetch(state.clone(), fetches));
    }
    if let Some(every) = state.options.git.as_ref().and_then(|g| g.pull_every) {
        tokio::spawn(triggers::poll(state.clone(), every));
    }
    let result = run(listener, state, shutdown).await;
    drop(watcher);
    // What is not sent yet stays in the outbox for the next start.
    if let Some(worker) = notifier {
        worker.abort();
    }
    result
}

/// Answers on `listener` until `shutdown` resolves (see [`frontend::serve_connections`]).
pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    frontend::serve_connections(listener, frontend::Frontend::new(state), shutdown).await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
