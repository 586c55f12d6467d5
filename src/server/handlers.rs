//! The handlers: the site's pages (with redirects and the 404 page), the dynamic
//! checklist, `/healthz` and the staff-only `/_status`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri, header};

use super::AppState;
use super::error::{HttpError, plain};
use super::http::{BadPath, decode_path, respond};
use crate::site::{CachePolicy, Page};
use crate::urls;

/// `/healthz`: the server is up and has a site.
pub(crate) async fn healthz(State(state): State<Arc<AppState>>) -> Result<Response<Body>, HttpError> {
    let live = state.live.load();
    if live.site.is_empty() { Err(HttpError::NoSite) } else { Ok(plain(StatusCode::OK, "ok\n")) }
}

/// `/_status`: for staff holding the token, the live version, the last reload and the
/// last error. Without the right token it answers exactly like an unknown page.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response<Body>, HttpError> {
    let Some(token) = state.options.status_token.as_deref() else {
        return Err(HttpError::NotFound);
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let query_token = uri.query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token="))
            .map(|t| percent_encoding::percent_decode_str(t).decode_utf8_lossy().into_owned())
    });
    let given = bearer.or(query_token).unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
        return Err(HttpError::NotFound);
    }
    // Read together under the status lock, which a reload holds while it swaps the site
    // and records the outcome: the page never shows a new site beside the old outcome.
    let (live, status) = {
        let status = state.status();
        (state.live.load_full(), status.clone())
    };
    let mut text = String::from("bulletin status\n");
    // What staff must act on comes first.
    for held in &status.held {
        text.push_str(&format!(
            "\nEMBARGO HELD: {} was due at {} and is held because {}; fix or undo the rejected change below.\n",
            held.id, held.due, held.why
        ));
    }
    if let Some(error) = &status.fetch_error {
        text.push_str(&format!(
            "\nFETCH FAILED{}: {error}\nThe site stays at the commit fetched before; the next push or poll tries again.\n",
            status.fetch_error_at.map_or_else(String::new, |t| format!(" at {t}"))
        ));
    }
    text.push_str(&format!(
        "\nsite version: {}\nrendered for: {}\npages: {}\nadvisories: {} ({} public)\nlast reload: {}\nsuccessful reloads: {}\n",
        live.version,
        live.rendered_for,
        live.site.len(),
        live.content.all().len(),
        live.content.public_at(live.rendered_for).count(),
        status.last_reload.map_or_else(|| "never".to_string(), |t| t.to_string()),
        status.reloads,
    ));
    if let Some(commit) = &live.commit {
        text.push_str(&format!("commit: {commit}\n"));
    }
    text.push_str(&format!("publishing: {}\n", state.source.describe(live.commit.as_deref(), &state.options)));
    let rejection = status.rejection.as_ref();
    if let Some(next) =
        live.content.next_embargo_lift_except(live.rendered_for, |a| rejection.is_some_and(|r| r.holds(a)))
    {
        text.push_str(&format!("next embargo lifts: {next}\n"));
    }
    match (&status.last_error, status.last_error_at) {
        (Some(error), at) => text.push_str(&format!(
            "\nTHE LAST CHANGE WAS REJECTED{}{}; the site above stays live.\n\n{error}",
            status.failed_commit.as_ref().map_or_else(String::new, |c| format!(" (commit {c})")),
            at.map_or_else(String::new, |t| format!(" at {t}"))
        )),
        (None, _) => text.push_str("\nlast change: valid\n"),
    }
    if let Some(notifier) = state.notifier.clone() {
        let outbox = tokio::task::spawn_blocking(move || notifier.status()).await.unwrap_or_default();
        text.push('\n');
        text.push_str(&outbox);
    }
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The site's 404 page in the language of `path` (under `/ur/`, the Urdu one), with
/// status 404, never cached: the answer to every [`HttpError::NotFound`], given by the
/// connection pipeline.
pub(crate) fn not_found_page(state: &AppState, method: &Method, path: &str) -> Response<Body> {
    let live = state.live.load();
    let lang = urls::language_of(path, &live.content.settings.languages)
        .filter(|l| *l != live.content.settings.default_language);
    match live.site.get(&urls::not_found(lang)).or_else(|| live.site.get(&urls::not_found(None))) {
        Some(page) => respond(&state.heads, page, method, &HeaderMap::new(), StatusCode::NOT_FOUND),
        None => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// The common case without the router: a GET or HEAD for a page the live site has
/// under exactly this path, with the security headers. Anything else (other methods,
/// redirects, the 404 page, the dynamic checklist, staff and hook routes, bad paths)
/// is `None` and goes through the router.
pub(crate) fn static_page<B>(state: &AppState, request: &axum::http::Request<B>) -> Option<Response<Body>> {
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let uri = request.uri();
    // The checklist with `?data=…` is made for the request (in any language).
    if uri.query().is_some() && uri.path().ends_with("/checklist/") {
        return None;
    }
    let path = decode_path(uri.path()).ok()?;
    let live = state.live.load();
    // Search, and with email subscriptions on the subscription pages, are made for each
    // request.
    let languages = &live.content.settings.languages;
    if super::search::is_search_path(&path, languages)
        || (state.notifier.as_ref().is_some_and(|n| n.has_email())
            && super::subscribe::is_subscription_path(&path, languages))
    {
        return None;
    }
    let page = live.site.get(path.as_ref())?;
    Some(respond(&state.heads, page, method, request.headers(), StatusCode::OK))
}

/// Every other path: a page of the live site, a redirect to its canonical form, the
/// dynamic checklist, or the 404 page.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
) -> Result<Response<Body>, HttpError> {
    let (method, uri, headers) = (request.method(), request.uri(), request.headers());
    if method != Method::GET && method != Method::HEAD {
        return Err(HttpError::MethodNotAllowed);
    }
    let path = decode_path(uri.path()).map_err(|bad| match bad {
        BadPath::Encoding => HttpError::MalformedPath,
        BadPath::Traversal => HttpError::PathNotAllowed,
    })?;
    let live = state.live.load();
    let settings = &live.content.settings;
    let lang = urls::language_of(&path, &settings.languages).unwrap_or(&settings.default_language).to_string();
    let translated = (lang != settings.default_language).then_some(lang.as_str());
    if *path == urls::checklist(None, translated)
        && let Some(query) = uri.query()
    {
        let classes: Vec<String> =
            super::http::parse_form(query).into_iter().filter(|(k, _)| k == "data").map(|(_, v)| v).take(64).collect();
        if !classes.is_empty() {
            let mut key: Vec<&str> = classes.iter().map(String::as_str).collect();
            key.sort_unstable();
            key.dedup();
            let key = format!("{lang}:{}", key.join(","));
            let page = match live.checklists.get(&key) {
                Some(page) => page,
                None => {
                    // Rendering is real work: off the async workers, and within the request timeout.
                    let snapshot = state.live.load_full();
                    let render = tokio::task::spawn_blocking(move || {
                        let refs: Vec<&str> = classes.iter().map(String::as_str).collect();
                        let content = &snapshot.content;
                        let mut page: Page = crate::render::checklist_for_classes(
                            content,
                            &content.settings,
                            snapshot.rendered_for,
                            &refs,
                            &lang,
                        );
                        page.cache = CachePolicy::Revalidate;
                        page.compressed();
                        page
                    });
                    match tokio::time::timeout(state.options.limits.request_timeout, render).await {
                        Ok(Ok(page)) => live.checklists.keep(key, page),
                        Ok(Err(e)) => return Err(HttpError::Internal(format!("checklist render failed: {e}"))),
                        Err(_) => return Err(HttpError::Busy),
                    }
                }
            };
            return Ok(respond(&state.heads, &page, method, headers, StatusCode::OK));
        }
    }

    if let Some(page) = live.site.get(path.as_ref()) {
        return Ok(respond(&state.heads, page, method, headers, StatusCode::OK));
    }
    // An id typed from an SMS in lower case. Only a public advisory has a page, so an
    // embargoed or draft id in any case answers exactly like an unknown one.
    if let Some(canonical) = urls::advisory_in_canonical_case(&path, &settings.languages)
        && live.site.get(&canonical).is_some()
    {
        return moved_permanently(canonical);
    }
    if !path.ends_with('/') && !path.rsplit('/').next().unwrap_or("").contains('.') {
        let with_slash = urls::with_trailing_slash(&path);
        if live.site.get(&with_slash).is_some() {
            return moved_permanently(match uri.query() {
                Some(q) => format!("{}?{q}", urls::with_trailing_slash(uri.path())),
                None => urls::with_trailing_slash(uri.path()),
            });
        }
    }
    Err(HttpError::NotFound)
}

/// A 301 to `location`, cached for an hour.
fn moved_permanently(location: String) -> Result<Response<Body>, HttpError> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
    let Ok(location) = HeaderValue::try_from(location) else {
        return Err(HttpError::MalformedPath);
    };
    response.headers_mut().insert(header::LOCATION, location);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(response)
}
