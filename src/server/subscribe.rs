//! Email subscriptions on the served site (`serve --notify` with `[email]`):
//! `/subscribe/` (the form, posted to itself), `/subscribe/confirm/` and
//! `/unsubscribe/`, in every language. A GET never changes anything (mail scanners
//! follow links): the confirm and unsubscribe pages show a button that POSTs. The
//! unsubscribe URL also takes the one-click POST of RFC 8058. Without `[email]`, the
//! static page (feeds instead) is served.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Response, StatusCode, header};

use super::AppState;
use super::error::HttpError;
use crate::notify::Subscribed;
use crate::notify::config::Topics;
use crate::render::SubscribeStep;
use crate::urls;

/// The largest form accepted: an address and a few choices fit in far less.
const MAX_FORM: usize = 8 * 1024;

/// The peer's IP address, put on each request by the connection pipeline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddr(pub(crate) std::net::IpAddr);

/// Whether `path` is one of the subscription pages (any language).
pub(crate) fn is_subscription_path(path: &str, languages: &[String]) -> bool {
    matches!(urls::without_language(path, languages).1, "/subscribe/" | "/subscribe/confirm/" | "/unsubscribe/")
}

/// Which page of the subscription a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Subscribe,
    Confirm,
    Unsubscribe,
}

/// Every subscription path, GET and POST.
pub(crate) async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Result<Response<Body>, HttpError> {
    let live = state.live.load_full();
    let settings = &live.content.settings;
    let path = request.uri().path().to_string();
    let lang = urls::language_of(&path, &settings.languages).unwrap_or(&settings.default_language).to_string();
    let translated = (lang != settings.default_language).then_some(lang.as_str());
    let route = if path == urls::subscribe(translated) {
        Route::Subscribe
    } else if path == urls::subscribe_confirm(translated) {
        Route::Confirm
    } else if path == urls::unsubscribe(translated) {
        Route::Unsubscribe
    } else {
        return Err(HttpError::NotFound);
    };
    let Some(notifier) = state.notifier.clone().filter(|n| n.has_email()) else {
        // The static page (the feeds instead), as a static host would answer.
        return match (route, request.method()) {
            (Route::Subscribe, &Method::GET | &Method::HEAD) => match live.site.get(&path) {
                Some(page) => {
                    Ok(super::http::respond(&state.heads, page, request.method(), request.headers(), StatusCode::OK))
                }
                None => Err(HttpError::NotFound),
            },
            _ => Err(HttpError::NotFound),
        };
    };
    let now = (state.options.clock)();
    let head = request.method() == Method::HEAD;
    let page = |step: SubscribeStep, status: StatusCode| {
        let page = crate::render::subscribe_page(&live.content, settings, now, &lang, step);
        let mut response = Response::new(if head { Body::empty() } else { Body::from(page.body) });
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(page.content_type));
        // Every answer is made for this request: nothing may keep it.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    };
    let method = request.method().clone();
    let query = request.uri().query().map(super::http::parse_form).unwrap_or_default();
    match (route, &method) {
        (Route::Subscribe, &Method::GET | &Method::HEAD) => Ok(page(SubscribeStep::form(), StatusCode::OK)),
        (Route::Confirm | Route::Unsubscribe, &Method::GET | &Method::HEAD) => {
            let (id, token) = (field(&query, "id"), field(&query, "t"));
            let valid = id.parse::<i64>().ok().is_some_and(|id| match route {
                Route::Confirm => notifier.awaits_confirmation(id, token),
                _ => notifier.may_unsubscribe(id, token),
            });
            let step = match (valid, route) {
                (false, _) => SubscribeStep::Invalid,
                (true, Route::Confirm) => SubscribeStep::Confirm { id: id.to_string(), token: token.to_string() },
                (true, _) => SubscribeStep::Unsubscribe { id: id.to_string(), token: token.to_string() },
            };
            let status = if valid { StatusCode::OK } else { StatusCode::NOT_FOUND };
            Ok(page(step, status))
        }
        (_, &Method::POST) => {
            let client = request.extensions().get::<ClientAddr>().map(|c| c.0.to_string()).unwrap_or_default();
            let (parts, body) = request.into_parts();
            let body =
                super::webhook::read_body(&parts.headers, body, MAX_FORM, state.options.limits.request_timeout).await?;
            let form = super::http::parse_form(std::str::from_utf8(&body).unwrap_or(""));
            match route {
                Route::Subscribe => {
                    let typed = field(&form, "email").to_string();
                    let severity = field(&form, "severity").to_string();
                    let data: Vec<String> = form
                        .iter()
                        .filter(|(k, _)| k == "data")
                        .map(|(_, v)| v.clone())
                        .filter(|c| live.content.catalogue.class(c).is_some())
                        .take(64)
                        .collect();
                    let known_tags: std::collections::HashSet<&str> =
                        live.content.public_at(now).flat_map(|a| a.tags.iter().map(|t| t.as_str())).collect();
                    let tags: Vec<String> = form
                        .iter()
                        .filter(|(k, v)| k == "tags" && known_tags.contains(v.as_str()))
                        .map(|(_, v)| v.clone())
                        .take(64)
                        .collect();
                    let topics = Topics {
                        severity: crate::model::Keyword::parse(&severity),
                        data: data.clone(),
                        tags: tags.clone(),
                    };
                    let (notifier, content, lang2, client2, typed2) =
                        (notifier.clone(), live.content.clone(), lang.clone(), client.clone(), typed.clone());
                    // SQLite and the SMTP conversation block: off the async workers.
                    let outcome = tokio::task::spawn_blocking(move || {
                        notifier.subscribe(&content, &typed2, &lang2, &topics, &client2, now)
                    })
                    .await
                    .map_err(|e| HttpError::Internal(e.to_string()))?;
                    Ok(match outcome {
                        Subscribed::Sent => page(SubscribeStep::Sent, StatusCode::OK),
                        Subscribed::TooMany => page(SubscribeStep::TooMany, StatusCode::TOO_MANY_REQUESTS),
                        Subscribed::BadAddress => {
                            let t = live.content.ui.get(&lang);
                            let step = SubscribeStep::Form {
                                error: Some(t.subscribe_bad_email.clone()),
                                email: typed.chars().filter(|c| !c.is_control()).take(254).collect(),
                                severity,
                                data,
                                tags,
                            };
                            page(step, StatusCode::UNPROCESSABLE_ENTITY)
                        }
                    })
                }
                Route::Confirm => {
                    let id = field(&form, "id").parse::<i64>().ok();
                    let confirmed = id.is_some_and(|id| notifier.confirm(id, field(&form, "t"), now));
                    Ok(if confirmed {
                        page(SubscribeStep::Confirmed, StatusCode::OK)
                    } else {
                        page(SubscribeStep::Invalid, StatusCode::NOT_FOUND)
                    })
                }
                Route::Unsubscribe => {
                    // RFC 8058: the one-click POST has the id and token in the URL and
                    // `List-Unsubscribe=One-Click` as its body; the page's button posts them.
                    let id = field(&form, "id").parse::<i64>().ok().or_else(|| field(&query, "id").parse().ok());
                    let token = Some(field(&form, "t")).filter(|t| !t.is_empty()).unwrap_or(field(&query, "t"));
                    let removed = id.is_some_and(|id| notifier.unsubscribe(id, token));
                    Ok(if removed {
                        page(SubscribeStep::Unsubscribed, StatusCode::OK)
                    } else {
                        page(SubscribeStep::Invalid, StatusCode::NOT_FOUND)
                    })
                }
            }
        }
        _ => Err(HttpError::MethodNotAllowed),
    }
}

fn field<'f>(form: &'f [(String, String)], name: &str) -> &'f str {
    form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}
