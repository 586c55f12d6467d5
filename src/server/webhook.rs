//! `POST /hooks/git`: push webhooks from GitHub (`X-Hub-Signature-256`), Gitea and
//! Forgejo (`X-Gitea-Signature`, `X-Forgejo-Signature`) and GitLab (`X-Gitlab-Token`).
//! The signature is checked in constant time over the raw body before anything is
//! parsed; the answer comes at once and the update runs in the background.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response, StatusCode};
use hmac::{KeyInit, Mac};
use http_body_util::BodyExt;

use super::AppState;
use super::error::{HttpError, plain};

/// Largest webhook body accepted.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Delivery ids remembered to refuse replays.
const REMEMBERED: usize = 1024;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Which forge signed the request, and whether the signature holds.
fn verify(headers: &HeaderMap, body: &[u8], secret: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let hmac_ok = |hex_sig: &str| {
        let Ok(expected) = hex::decode(hex_sig) else { return false };
        let Ok(mut mac) = <HmacSha256 as KeyInit>::new_from_slice(secret) else { return false };
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    };
    if let Some(sig) = header("x-hub-signature-256") {
        return sig.strip_prefix("sha256=").is_some_and(hmac_ok);
    }
    if let Some(sig) = header("x-gitea-signature").or_else(|| header("x-forgejo-signature")) {
        return hmac_ok(sig);
    }
    if let Some(token) = header("x-gitlab-token") {
        let token = token.as_bytes();
        return token.len() == secret.len() && token.iter().zip(secret).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    }
    false
}

/// The event name, normalised: `push`, `ping` or something else.
fn event(headers: &HeaderMap) -> String {
    ["x-github-event", "x-gitea-event", "x-forgejo-event", "x-gitlab-event"]
        .iter()
        .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .map(|e| match e.trim() {
            "Push Hook" => "push".to_string(),
            other => other.to_ascii_lowercase(),
        })
        .unwrap_or_default()
}

fn delivery(headers: &HeaderMap) -> Option<String> {
    ["x-github-delivery", "x-gitea-delivery", "x-forgejo-delivery", "x-gitlab-event-uuid"]
        .iter()
        .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .map(str::to_string)
}

/// Reads and discards the rest of a refused body for a little while, as nginx's
/// lingering close does: closing a socket with unread data sends a reset, and the
/// client, still writing, would lose the 413 and see only a broken connection.
async fn linger(mut body: Body) {
    const LINGER_BYTES: usize = 16 * 1024 * 1024;
    let mut discarded = 0;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while discarded < LINGER_BYTES {
            match body.frame().await {
                Some(Ok(frame)) => discarded += frame.data_ref().map_or(0, |d| d.len()),
                _ => break,
            }
        }
    })
    .await;
}

/// A request body of at most `max` bytes, within `timeout`. A larger one is refused at
/// once when declared, or when it passes `max`; its rest is read away first (see
/// [`linger`]) so the client sees the answer.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    mut body: Body,
    max: usize,
    timeout: Duration,
) -> Result<bytes::Bytes, HttpError> {
    let declared_too_large = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > max);
    let received = if declared_too_large {
        None
    } else {
        let limited = http_body_util::Limited::new(&mut body, max).collect();
        match tokio::time::timeout(timeout, limited).await {
            Ok(Ok(collected)) => Some(collected.to_bytes()),
            Ok(Err(_)) => None,
            Err(_) => return Err(HttpError::BodyTimeout),
        }
    };
    match received {
        Some(bytes) => Ok(bytes),
        None => {
            linger(body).await;
            Err(HttpError::BodyTooLarge)
        }
    }
}

pub(crate) async fn receive(State(state): State<Arc<AppState>>, request: Request) -> Result<Response<Body>, HttpError> {
    let (Some(git), super::reload::Source::Git(checkout)) = (&state.options.git, &state.source) else {
        return Err(HttpError::NotFound);
    };
    let Some(secret) = git.webhook_secret.as_deref() else {
        tracing::warn!(
            target: "bulletin::webhook",
            "a push webhook arrived, but webhooks are off: start serve with --webhook-secret-file FILE (the forge's secret) to accept them"
        );
        return Err(HttpError::NotFound);
    };
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body, MAX_BODY, state.options.limits.request_timeout).await?;
    if !verify(&parts.headers, &body, secret) {
        tracing::warn!(target: "bulletin::webhook", "unsigned or badly signed webhook refused");
        return Err(HttpError::BadSignature);
    }
    let event = event(&parts.headers);
    if event == "ping" {
        return Ok(plain(StatusCode::OK, "pong\n"));
    }
    if event != "push" {
        return Ok(plain(StatusCode::ACCEPTED, "ignored: not a push\n"));
    }
    let wanted = format!("refs/heads/{}", checkout.branch);
    let pushed = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("ref").and_then(|r| r.as_str()).map(str::to_string));
    if pushed.as_deref() != Some(wanted.as_str()) {
        return Ok(plain(StatusCode::ACCEPTED, "ignored: a push to another branch\n"));
    }
    if let Some(id) = delivery(&parts.headers)
        && let Ok(mut seen) = state.deliveries.lock()
    {
        if seen.contains(&id) {
            return Ok(plain(StatusCode::ACCEPTED, "ignored: this delivery was already handled\n"));
        }
        if seen.len() >= REMEMBERED {
            seen.pop_front();
        }
        seen.push_back(id);
    }
    state.request_update();
    tracing::info!(target: "bulletin::webhook", branch = %checkout.branch, "push received; update scheduled");
    if checkout.remote.is_none() {
        // Nothing is fetched: only commits made in this repository itself can be published.
        return Ok(plain(
            StatusCode::ACCEPTED,
            "update scheduled, from the local branch only: this server has no remote to fetch (start it with --remote, or give the branch an upstream)\n",
        ));
    }
    Ok(plain(StatusCode::ACCEPTED, "update scheduled\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn githubs_published_test_vector() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-hub-signature-256",
            HeaderValue::from_static("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
        );
        assert!(verify(&h, b"Hello, World!", b"It's a Secret to Everybody"));
        assert!(!verify(&h, b"Hello, World?", b"It's a Secret to Everybody"));
        assert!(!verify(&h, b"Hello, World!", b"another secret"));
        assert!(!verify(&HeaderMap::new(), b"Hello, World!", b"It's a Secret to Everybody"));
    }
}
