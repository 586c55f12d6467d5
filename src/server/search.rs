//! `/search/?q=…` (and `/{lang}/search/`): answered by the server from the live site's
//! search index, so it works without JavaScript and never shows what is not public.
//! An exact advisory id goes straight to the advisory.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Response, StatusCode, header};

use super::AppState;
use super::error::HttpError;
use super::http::respond;
use crate::render::SearchView;
use crate::search::{Filter, Query};
use crate::urls;

/// Whether `path` is the search page (any language).
pub(crate) fn is_search_path(path: &str, languages: &[String]) -> bool {
    urls::without_language(path, languages).1 == "/search/"
}

pub(crate) async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Result<Response<Body>, HttpError> {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return Err(HttpError::MethodNotAllowed);
    }
    let live = state.live.load_full();
    let settings = &live.content.settings;
    let path = request.uri().path();
    let lang = urls::language_of(path, &settings.languages).unwrap_or(&settings.default_language).to_string();
    let translated = (lang != settings.default_language).then_some(lang.as_str());
    if path != urls::search(translated) {
        return Err(HttpError::NotFound);
    }
    let pairs = super::http::parse_form(request.uri().query().unwrap_or(""));
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let text: String = get("q")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(crate::search::MAX_QUERY)
        .collect::<String>()
        .trim()
        .to_string();
    let filters = Filter::PARAMS
        .iter()
        .filter_map(|param| get(param).and_then(|value| Filter::parse(param, value, &live.content.catalogue)))
        .collect();
    let query = Query { text, filters };
    // The same query on the same snapshot is the same page: kept, compressed, answered
    // with ETag and 304 like every other page.
    let key = format!("{lang}\n{}\n{:?}", query.text, query.filters);
    if let Some(page) = live.searches.get(&key) {
        return Ok(respond(&state.heads, &page, &method, request.headers(), StatusCode::OK));
    }
    let snapshot = live.clone();
    let render = tokio::task::spawn_blocking(move || {
        let index = snapshot.search_index();
        let translated = (lang != snapshot.content.settings.default_language).then_some(lang.as_str());
        if let Some(id) = index.exact_id(&query.text) {
            let here = urls::search(translated);
            return Err(urls::link(&urls::root_of(&here), &urls::advisory(translated, id)));
        }
        let mut found = index.search(&snapshot.content, &lang, &query);
        index.add_snippets(&mut found.hits, &query, crate::search::PAGE);
        let view = SearchView::Served { query: &query, found: &found };
        let content = &snapshot.content;
        let page = crate::render::search_page(content, &content.settings, snapshot.rendered_for, &lang, view);
        page.compressed();
        Ok(page)
    });
    let rendered = match tokio::time::timeout(state.options.limits.request_timeout, render).await {
        Ok(rendered) => rendered.map_err(|e| HttpError::Internal(e.to_string()))?,
        Err(_) => return Err(HttpError::Busy),
    };
    match rendered {
        Ok(page) => {
            let page = live.searches.keep(key, page);
            Ok(respond(&state.heads, &page, &method, request.headers(), StatusCode::OK))
        }
        // An exact id: its page (relative, so it works under any host name).
        Err(location) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::SEE_OTHER;
            response.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&location).map_err(|e| HttpError::Internal(e.to_string()))?,
            );
            Ok(response)
        }
    }
}
