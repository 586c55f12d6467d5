//! The connection pipeline: accept connections (capped, with header and age limits),
//! and for every request the same steps, whatever answers it and whatever the log level:
//! the live site's page straight from memory when there is one (no router), the router
//! otherwise; a panic in either becomes a 500; a [`HttpError::NotFound`] becomes the
//! site's 404 page; the security headers; one log line when the request log is on.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use tokio::net::TcpListener;

use super::AppState;
use super::error::{HttpError, ShowNotFoundPage};
use super::handlers;

/// Answers a request from the live site without the router, or declines (`None`).
pub(crate) type FastPath = fn(&AppState, &hyper::Request<Incoming>) -> Option<Response>;

/// What each connection serves: see the module documentation.
#[derive(Clone)]
pub(crate) struct Frontend {
    pub(crate) state: Arc<AppState>,
    pub(crate) router: Router,
    /// [`handlers::static_page`]; replaceable so that tests can make it panic.
    pub(crate) fast_path: FastPath,
    /// The connection this copy serves (each connection gets its own copy).
    slot: Option<Arc<Slot>>,
    /// The client's address on that connection (for rate limits).
    peer: Option<std::net::IpAddr>,
}

impl Frontend {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { router: super::router(state.clone()), state, fast_path: handlers::static_page, slot: None, peer: None }
    }

    #[cfg(test)]
    pub(crate) fn with_fast_path(state: Arc<AppState>, router: Router, fast_path: FastPath) -> Self {
        Self { router, state, fast_path, slot: None, peer: None }
    }
}

/// One accepted connection, as the accept loop sees it when it must make room.
#[derive(Default)]
struct Slot {
    /// A whole request head has arrived on it (a client that means to be served).
    requested: std::sync::atomic::AtomicBool,
    /// Closes the connection.
    close: tokio::sync::Notify,
}

impl hyper::service::Service<hyper::Request<Incoming>> for Frontend {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = FrontendFuture;

    fn call(&self, mut request: hyper::Request<Incoming>) -> Self::Future {
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(super::subscribe::ClientAddr(peer));
        }
        if let Some(slot) = &self.slot {
            slot.requested.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let finish = Finish { method: request.method().clone(), log: RequestLog::start(&request) };
        let answer = std::panic::catch_unwind(AssertUnwindSafe(|| (self.fast_path)(&self.state, &request)));
        // An answer at hand is finished here; a routed one when it is ready.
        let step = match answer {
            Ok(Some(response)) => Step::Ready(finish.apply(&self.state, response, "")),
            Ok(None) => Step::Routed {
                path: request.uri().path().to_string(),
                future: Box::pin(tower::ServiceExt::oneshot(self.router.clone(), request)),
                state: self.state.clone(),
                finish,
            },
            Err(panic) => Step::Ready(finish.apply(&self.state, panic_response(panic), request.uri().path())),
        };
        FrontendFuture { step }
    }
}

/// A request on its way through the pipeline.
pub(crate) struct FrontendFuture {
    step: Step,
}

enum Step {
    /// Finished, to be handed to hyper.
    Ready(Response),
    /// With the router, then to be finished.
    Routed {
        future: Pin<Box<tower::util::Oneshot<Router, hyper::Request<Incoming>>>>,
        state: Arc<AppState>,
        finish: Finish,
        /// The request's path, for the 404 page in its language.
        path: String,
    },
    Done,
}

impl std::future::Future for FrontendFuture {
    type Output = Result<Response, std::convert::Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let response = match std::mem::replace(&mut this.step, Step::Done) {
            Step::Ready(response) => response,
            Step::Routed { mut future, state, finish, path } => {
                let response = match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                    Ok(Poll::Pending) => {
                        this.step = Step::Routed { future, state, finish, path };
                        return Poll::Pending;
                    }
                    Ok(Poll::Ready(Ok(response))) => response,
                    Ok(Poll::Ready(Err(never))) => match never {},
                    Err(panic) => panic_response(panic),
                };
                finish.apply(&state, response, &path)
            }
            Step::Done => HttpError::Internal("a request was polled after its answer".into()).into_response(),
        };
        Poll::Ready(Ok(response))
    }
}

/// What every answer gets before it leaves.
struct Finish {
    method: Method,
    log: Option<RequestLog>,
}

impl Finish {
    /// Finishes the answer to a request for `path`.
    fn apply(self, state: &AppState, mut response: Response, path: &str) -> Response {
        if response.extensions().get::<ShowNotFoundPage>().is_some() {
            response = handlers::not_found_page(state, &self.method, path);
        }
        // Page responses start from heads that hold the security headers (the CSP marks them).
        if !response.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
            state.common_headers().apply(response.headers_mut());
        }
        if let Some(log) = self.log {
            log.finish(&self.method, &response);
        }
        response
    }
}

/// A panic while answering becomes a 500 with no detail; the server keeps running.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    HttpError::Internal(format!("a request handler panicked: {detail}")).into_response()
}

/// One log line per request (method, path, status, body bytes, latency), when the
/// `bulletin::request` target is enabled at info level (`RUST_LOG`).
struct RequestLog {
    started: Instant,
    path: String,
}

impl RequestLog {
    fn start(request: &hyper::Request<Incoming>) -> Option<Self> {
        tracing::enabled!(target: "bulletin::request", tracing::Level::INFO)
            .then(|| RequestLog { started: Instant::now(), path: request.uri().path().chars().take(200).collect() })
    }

    fn finish(self, method: &Method, response: &Response) {
        // Body bytes sent: none for HEAD and 304, whose bodies are empty.
        let size = axum::body::HttpBody::size_hint(response.body());
        let bytes = size.exact().unwrap_or(size.lower());
        tracing::info!(
            target: "bulletin::request",
            %method,
            path = self.path,
            status = response.status().as_u16(),
            bytes,
            latency_us = self.started.elapsed().as_micros() as u64,
        );
    }
}

/// Serves `frontend` on `listener` until `shutdown` resolves, then drains requests in
/// flight (up to the grace period). Each connection gets a header-read timeout and a
/// maximum age, and connections are capped before they are accepted.
///
/// At the cap, the oldest connection that has not sent a whole request yet is closed
/// to make room, as nginx reuses its waiting connections: thousands of clients that
/// send half a request and stall cannot keep a fresh reader waiting for their header
/// timeouts. Only when every connection is busy with a request does a new one wait.
///
/// One work-stealing runtime serves every connection. Two thread-per-core variants
/// were measured on 2 cores shared with wrk (benches/serve.sh): a runtime per
/// `SO_REUSEPORT` listener, and single-threaded runtimes fed round-robin by one
/// acceptor. The second served small pages 1.23-1.27x nginx (this one: 1.08-1.13x)
/// but gained nothing on `/feed.xml`, and p99 rose to 4-8 ms (this one: 2.5-4.3 ms):
/// a connection waits whenever its thread is descheduled, with no other to steal it.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    frontend: Frontend,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};

    let limits = frontend.state.options.limits;
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    // Every open connection, oldest first (the accept loop alone reads it).
    let mut slots: std::collections::VecDeque<std::sync::Weak<Slot>> = std::collections::VecDeque::new();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: make room, wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    make_room(&mut slots);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // At the cap, this connection waits for a place (and the ones behind it wait in
        // the kernel's backlog), unless a connection without a request makes room.
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                make_room(&mut slots);
                tokio::select! {
                    permit = permits.clone().acquire_owned() => permit.map_err(std::io::Error::other)?,
                    () = &mut shutdown => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let slot = Arc::new(Slot::default());
        if slots.len() >= 2 * limits.max_connections {
            slots.retain(|s| s.strong_count() > 0);
        }
        slots.push_back(Arc::downgrade(&slot));
        let service = Frontend { slot: Some(slot.clone()), peer: Some(peer.ip()), ..frontend.clone() };
        // hyper's HTTP/1 builder with hyper-util's timer, IO adapter and graceful
        // shutdown. hyper-util's `auto` builder would add HTTP/2 without TLS (h2c), which
        // browsers never speak, at the cost of the h2 crate and four more dependencies.
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_buf_size(limits.max_header_bytes.max(8192))
            .keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(connection(stream)), service);
        let connection = graceful.watch(connection);
        let max_age = limits.max_connection_age;
        tokio::spawn(async move {
            tokio::select! {
                ended = tokio::time::timeout(max_age, connection) => match ended {
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "connection ended with an error"),
                    Err(_) => tracing::debug!(%peer, "connection closed at its maximum age"),
                    Ok(Ok(())) => {}
                },
                () = slot.close.notified() => tracing::debug!(%peer, "connection without a request closed to make room"),
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

/// Closes the oldest open connection that has not sent a whole request; false if every
/// connection has (they are being served, and a new one waits for one of them to end).
fn make_room(slots: &mut std::collections::VecDeque<std::sync::Weak<Slot>>) -> bool {
    let mut index = 0;
    while index < slots.len() {
        match slots[index].upgrade() {
            None => {
                slots.remove(index);
            }
            Some(slot) if !slot.requested.load(std::sync::atomic::Ordering::Relaxed) => {
                slots.remove(index);
                slot.close.notify_one();
                return true;
            }
            Some(_) => index += 1,
        }
    }
    false
}

/// An accepted connection as the server writes to it: large precompressed bodies go out
/// with `sendfile` on Linux ([`super::zero_copy`]), everything else with plain writes.
#[cfg(target_os = "linux")]
fn connection(stream: tokio::net::TcpStream) -> super::zero_copy::Connection {
    super::zero_copy::Connection::new(stream)
}

/// An accepted connection as the server writes to it: plain writes.
#[cfg(not(target_os = "linux"))]
fn connection(stream: tokio::net::TcpStream) -> tokio::net::TcpStream {
    stream
}

#[cfg(test)]
mod tests {
    use axum::routing::get;

    use super::*;
    use crate::server::ServeOptions;

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
        let frontend =
            Frontend::with_fast_path(state.clone(), routes.with_state(state), |state, request| {
                match request.uri().path() {
                    "/fast-panic" => panic!("a fast-path bug"),
                    _ => handlers::static_page(state, request),
                }
            });
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
