//! `bulletin serve`: the [`Site`] held in memory and answered over HTTP, swapped
//! atomically when the advisories change or an embargo lifts.
//!
//! The read path takes no lock: every request loads the current [`Live`] snapshot
//! from an [`ArcSwap`] and answers wholly from it. Reloads build the next snapshot
//! beside it (see [`reload`]) and swap it in only when it is complete and valid.

mod handlers;
mod http;
pub mod reload;
mod webhook;

use std::net::SocketAddr;
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
#[derive(Debug, Clone, Default)]
pub struct GitOptions {
    /// Remote to fetch from; `None` publishes the local branch.
    pub remote: Option<String>,
    /// Branch to publish; `None` is the current branch.
    pub branch: Option<String>,
    /// Webhook secret; enables `POST /hooks/git`.
    pub webhook_secret: Option<Vec<u8>>,
    /// Poll for new commits this often.
    pub pull_every: Option<Duration>,
}

/// How to run the server.
#[derive(Clone)]
pub struct ServeOptions {
    /// The advisories folder.
    pub dir: PathBuf,
    /// Overrides `base_url` of site.toml.
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
    pub(crate) checklists: Mutex<std::collections::HashMap<String, Arc<crate::site::Page>>>,
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
    reload_tx: tokio::sync::mpsc::Sender<()>,
    reload_rx: Mutex<Option<tokio::sync::mpsc::Receiver<()>>>,
}

impl AppState {
    /// The headers every response carries.
    pub(crate) fn common_headers(&self) -> http::CommonHeaders {
        self.common
    }

    /// Loads, validates and renders the content; fails if there is nothing valid to serve.
    pub fn load(options: ServeOptions) -> Result<Arc<Self>, reload::LoadError> {
        crate::zero_copy::enable();
        let source = reload::Source::new(&options)?;
        let history = Mutex::new(None);
        let (content, commit) = reload::load(&source, &options, &history, None, None)?;
        let live = reload::render(Arc::new(content), (options.clock)(), None, commit, options.preview);
        let hsts = live.content.settings.base_url.starts_with("https://");
        let common = http::CommonHeaders { hsts, preview: options.preview };
        let status = Status { last_reload: Some((options.clock)()), reloads: 1, ..Status::default() };
        // One pending reload at most: a burst of changes or pushes gives one running and one queued.
        let (reload_tx, reload_rx) = tokio::sync::mpsc::channel(1);
        Ok(Arc::new(Self {
            live: ArcSwap::from_pointee(live),
            status: Mutex::new(status),
            heads: http::ResponseHeads::new(common),
            common,
            options,
            source,
            history,
            deliveries: Mutex::new(std::collections::VecDeque::new()),
            reload_tx,
            reload_rx: Mutex::new(Some(reload_rx)),
        }))
    }

    /// The reload state, locked. A reload holds it while it swaps the site and records
    /// the outcome. A panic elsewhere under the lock does not hide the state: a rejected
    /// change must keep holding embargoes and keep showing at `/_status`.
    pub(crate) fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A sender that asks for a reload (file watcher, webhook, poller).
    pub fn reload_sender(&self) -> tokio::sync::mpsc::Sender<()> {
        self.reload_tx.clone()
    }

    /// Asks for a reload; if one is already queued, that one will see the change.
    pub fn request_reload(&self) {
        let _ = self.reload_tx.try_send(());
    }
}

/// Every route in one place. Static pages come from the live [`Site`]; the few
/// dynamic routes read the same snapshot.
pub fn router(state: Arc<AppState>) -> Router {
    let routes = Router::new()
        .route("/healthz", get(handlers::healthz))
        .route("/_status", get(handlers::status))
        .route("/hooks/git", axum::routing::post(webhook::receive))
        .fallback(handlers::page);
    hardened(routes, state)
}

/// `routes` behind what every routed response needs: a panic becomes a 500 (the server
/// keeps running), the security headers, and the request log when it is on.
fn hardened(routes: Router<Arc<AppState>>, state: Arc<AppState>) -> Router {
    let common = state.common_headers();
    let mut app = routes
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(handlers::panic_response))
        // Security headers on every response, from static values. Page responses start
        // from `ResponseHeads`, which hold them already (the CSP marks those).
        .layer(tower::util::MapResponseLayer::new(move |mut response: axum::response::Response| {
            if !response.headers().contains_key(axum::http::header::CONTENT_SECURITY_POLICY) {
                common.apply(response.headers_mut());
            }
            response
        }));
    // One line per request when request logging is on (RUST_LOG); no cost when it is off.
    if request_log_enabled() {
        app = app.layer(axum::middleware::from_fn(http::log_request));
    }
    app.with_state(state)
}

fn request_log_enabled() -> bool {
    tracing::enabled!(target: "bulletin::request", tracing::Level::INFO)
}

/// Answers a request from the live site without the router, or declines (`None`).
type FastPath = fn(&AppState, &hyper::Request<hyper::body::Incoming>) -> Option<axum::response::Response>;

/// What each connection serves: a page of the live site straight from memory (the
/// common case, without the router's per-request machinery: it doubled the cost of
/// a 304), and everything else through [`router`].
#[derive(Clone)]
struct Frontend {
    state: Arc<AppState>,
    router: Router,
    /// [`handlers::static_page`]; `None` when requests are logged (the log is a router layer).
    fast_path: Option<FastPath>,
}

impl Frontend {
    fn new(state: Arc<AppState>) -> Self {
        let fast_path = (!request_log_enabled()).then_some(handlers::static_page as FastPath);
        Self { router: router(state.clone()), state, fast_path }
    }
}

impl hyper::service::Service<hyper::Request<hyper::body::Incoming>> for Frontend {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = FrontendFuture;

    fn call(&self, request: hyper::Request<hyper::body::Incoming>) -> Self::Future {
        if let Some(fast_path) = self.fast_path {
            let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fast_path(&self.state, &request)));
            match answer {
                Ok(Some(response)) => return FrontendFuture::Ready(Some(response)),
                Ok(None) => {}
                Err(panic) => {
                    let mut response = handlers::panic_response(panic);
                    self.state.common_headers().apply(response.headers_mut());
                    return FrontendFuture::Ready(Some(response));
                }
            }
        }
        FrontendFuture::Routed(Box::pin(tower::ServiceExt::oneshot(self.router.clone(), request)))
    }
}

enum FrontendFuture {
    Ready(Option<axum::response::Response>),
    Routed(std::pin::Pin<Box<tower::util::Oneshot<Router, hyper::Request<hyper::body::Incoming>>>>),
}

impl std::future::Future for FrontendFuture {
    type Output = Result<axum::response::Response, std::convert::Infallible>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        match self.get_mut() {
            FrontendFuture::Ready(response) => std::task::Poll::Ready(Ok(response.take().unwrap_or_default())),
            FrontendFuture::Routed(future) => future.as_mut().poll(cx),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains requests in
/// flight (up to the grace period). Each connection gets a header-read timeout and a
/// maximum age, and connections are capped before they are accepted.
///
/// One work-stealing runtime serves every connection. Two thread-per-core variants
/// were measured on 2 cores shared with wrk (benches/serve.sh): a runtime per
/// `SO_REUSEPORT` listener, and single-threaded runtimes fed round-robin by one
/// acceptor. The second served small pages 1.23-1.27x nginx (this one: 1.08-1.13x)
/// but gained nothing on `/feed.xml`, and p99 rose to 4-8 ms (this one: 2.5-4.3 ms):
/// a connection waits whenever its thread is descheduled, with no other to steal it.
pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    serve_connections(listener, Frontend::new(state), shutdown).await
}

async fn serve_connections(
    listener: TcpListener,
    frontend: Frontend,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};

    let limits = frontend.state.options.limits;
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = frontend.clone();
        // hyper's HTTP/1 builder with hyper-util's timer, IO adapter and graceful
        // shutdown. hyper-util's `auto` builder would add HTTP/2 without TLS (h2c), which
        // browsers never speak, at the cost of the h2 crate and four more dependencies.
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_buf_size(limits.max_header_bytes.max(8192))
            .keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(crate::zero_copy::Connection::new(stream)), service);
        let connection = graceful.watch(connection);
        let max_age = limits.max_connection_age;
        tokio::spawn(async move {
            match tokio::time::timeout(max_age, connection).await {
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "connection ended with an error"),
                Err(_) => tracing::debug!(%peer, "connection closed at its maximum age"),
                Ok(Ok(())) => {}
            }
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("shutting down: draining requests in flight");
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("some connections did not finish within the grace period");
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn buggy_handler() -> &'static str {
        panic!("a handler bug")
    }

    /// A panic in a routed handler or in the fast path is a 500 with the security
    /// headers, and the server goes on answering, over real TCP.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_handler_gets_a_500_and_the_server_keeps_running() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories");
        let state = AppState::load(ServeOptions::new(dir)).unwrap_or_else(|e| panic!("{}", e.render()));
        let routes = Router::new().route("/routed-panic", get(buggy_handler)).fallback(handlers::page);
        let frontend = Frontend {
            router: hardened(routes, state.clone()),
            state,
            fast_path: Some(|state, request| match request.uri().path() {
                "/fast-panic" => panic!("a fast-path bug"),
                _ => handlers::static_page(state, request),
            }),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_connections(listener, frontend, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        for path in ["/routed-panic", "/fast-panic", "/routed-panic"] {
            let response = client.get(format!("http://{addr}{path}")).send().await.unwrap();
            assert_eq!(response.status(), 500, "{path}");
            assert_eq!(response.headers()["x-content-type-options"], "nosniff", "{path}");
            assert!(response.headers().contains_key("content-security-policy"), "{path}");
            assert_eq!(response.text().await.unwrap(), "internal error\n", "no detail leaks: {path}");
            let home = client.get(format!("http://{addr}/")).send().await.unwrap();
            assert_eq!(home.status(), 200, "still serving after {path}");
        }
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}
