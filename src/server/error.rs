//! [`HttpError`]: every error answer the server gives. The status and the words a
//! client sees are chosen in one `match`; what went wrong inside is logged, never sent.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;

/// Why a request gets no page.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// A path that is not valid percent-encoded UTF-8, or that holds a NUL.
    MalformedPath,
    /// A path that tries to climb (`..`) or smuggle a separator: never one of ours.
    PathNotAllowed,
    /// Nothing here (or nothing the client may see). The site's 404 page is sent in its
    /// place by the connection's pipeline, which holds the live site.
    NotFound,
    /// Pages are only read.
    MethodNotAllowed,
    /// A webhook without a valid signature.
    BadSignature,
    /// A request body that did not arrive within the request timeout.
    BodyTimeout,
    /// A webhook body over the limit; the connection closes after the answer.
    BodyTooLarge,
    /// Work that did not finish within the request timeout.
    Busy,
    /// The server has no site to serve.
    NoSite,
    /// A bug: the detail goes to the log.
    Internal(String),
}

/// Marks a 404 whose body the pipeline replaces with the site's 404 page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShowNotFoundPage;

impl IntoResponse for HttpError {
    fn into_response(self) -> Response<Body> {
        let (status, text) = match &self {
            HttpError::MalformedPath => (StatusCode::BAD_REQUEST, "bad request: malformed path\n"),
            HttpError::PathNotAllowed => (StatusCode::BAD_REQUEST, "bad request: path not allowed\n"),
            HttpError::NotFound => (StatusCode::NOT_FOUND, "not found\n"),
            HttpError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n"),
            HttpError::BadSignature => (StatusCode::UNAUTHORIZED, "missing or invalid signature\n"),
            HttpError::BodyTimeout => (StatusCode::REQUEST_TIMEOUT, "the body did not arrive in time\n"),
            HttpError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n"),
            HttpError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy, try again\n"),
            HttpError::NoSite => (StatusCode::SERVICE_UNAVAILABLE, "no site\n"),
            HttpError::Internal(detail) => {
                tracing::error!(detail, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")
            }
        };
        let mut response = plain(status, text);
        let headers = response.headers_mut();
        match self {
            HttpError::MethodNotAllowed => {
                headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            }
            HttpError::BodyTooLarge => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            HttpError::NotFound => {
                response.extensions_mut().insert(ShowNotFoundPage);
            }
            _ => {}
        }
        response
    }
}

/// A small plain-text answer that no cache keeps.
pub(crate) fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
