//! HTTP details in one place: safe path decoding, conditional requests, encoding
//! negotiation, the headers every response carries, and a page of the [`crate::site::Site`]
//! turned into a response.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, header};
use bytes::Bytes;
use jiff::Timestamp;

use crate::site::{CachePolicy, Page};

pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Features the pages never use. (Not `interest-cohort`: browsers dropped it and log an
/// error for a feature they do not know.)
pub(crate) const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

const PERMISSIONS_POLICY_HEADER: HeaderName = HeaderName::from_static("permissions-policy");
const CROSS_ORIGIN_OPENER_POLICY: HeaderName = HeaderName::from_static("cross-origin-opener-policy");
const X_ROBOTS_TAG: HeaderName = HeaderName::from_static("x-robots-tag");

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BadPath {
    /// Not valid percent-encoding of UTF-8, or a NUL.
    Encoding,
    /// `..`, a backslash or an encoded slash: never a path this site has.
    Traversal,
}

/// Decodes a request path strictly. The site has no file system behind it, but a
/// path that tries to climb or smuggle separators gets a clear 400, not a 404.
pub(crate) fn decode_path(raw: &str) -> Result<std::borrow::Cow<'_, str>, BadPath> {
    if !raw.starts_with('/') {
        return Err(BadPath::Encoding);
    }
    // The site's own URLs have nothing to decode: one pass tells (this runs per request).
    let plain = raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~'));
    let decoded = if plain {
        std::borrow::Cow::Borrowed(raw)
    } else {
        if raw.contains('\\') {
            return Err(BadPath::Traversal);
        }
        let bytes = raw.as_bytes();
        if bytes.windows(3).any(|w| w[0] == b'%' && matches!(&[w[1], w[2].to_ascii_lowercase()], b"2f" | b"5c")) {
            return Err(BadPath::Traversal);
        }
        let decoded = percent_encoding::percent_decode_str(raw).decode_utf8().map_err(|_| BadPath::Encoding)?;
        if decoded.chars().any(|c| c.is_control()) {
            return Err(BadPath::Encoding);
        }
        decoded
    };
    if decoded.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(BadPath::Traversal);
    }
    Ok(decoded)
}

/// The encodings a client accepts, best first among those we have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// Picks brotli, then gzip, then identity, honouring `q=0` exclusions.
pub(crate) fn negotiate(headers: &HeaderMap) -> Encoding {
    let Some(accept) = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return Encoding::Identity;
    };
    let mut br = false;
    let mut gzip = false;
    let mut star = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        let ok = q > 0.0;
        if name.eq_ignore_ascii_case("br") {
            br = ok;
        } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            gzip = ok;
        } else if name == "*" {
            star = Some(ok);
        }
    }
    if br || (star == Some(true) && !accept.contains("br")) {
        Encoding::Brotli
    } else if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

fn parse_http_date(s: &str) -> Option<Timestamp> {
    jiff::fmt::strtime::parse("%a, %d %b %Y %H:%M:%S GMT", s.trim())
        .ok()?
        .to_datetime()
        .ok()?
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Whether the client's cached copy is current: `If-None-Match` first, else `If-Modified-Since`.
fn not_modified(page: &Page, etag: &[u8], headers: &HeaderMap) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == etag);
    }
    match (page.last_modified, headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok())) {
        (Some(modified), Some(since)) => {
            parse_http_date(since).is_some_and(|since| modified.as_second() <= since.as_second())
        }
        _ => false,
    }
}

fn cache_control(policy: CachePolicy) -> HeaderValue {
    HeaderValue::from_static(match policy {
        CachePolicy::Immutable => "public, max-age=31536000, immutable",
        // Short, so a lifted embargo or an update reaches readers within a minute.
        CachePolicy::Revalidate => "public, max-age=60, must-revalidate",
    })
}

fn is_feed_or_json(content_type: &str) -> bool {
    content_type.starts_with("application/rss+xml")
        || content_type.starts_with("application/atom+xml")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/feed+json")
}

/// The headers every response carries, whatever produced it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommonHeaders {
    /// `Strict-Transport-Security`, for a site published over https.
    pub hsts: bool,
    /// Staff preview: never stored by a cache, never indexed.
    pub preview: bool,
}

impl CommonHeaders {
    /// Sets the security headers (static values: no allocation), overriding any set before.
    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(PERMISSIONS_POLICY_HEADER, HeaderValue::from_static(PERMISSIONS_POLICY));
        headers.insert(CROSS_ORIGIN_OPENER_POLICY, HeaderValue::from_static("same-origin"));
        if self.hsts {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
        }
        if self.preview {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            headers.insert(X_ROBOTS_TAG, HeaderValue::from_static("noindex, nofollow"));
        }
    }
}

/// The headers a page response starts from, made once per server for each kind of
/// response: the security headers and the caching headers that depend only on the kind
/// of page. Copying one is cheaper than inserting a dozen headers on every request.
pub(crate) struct ResponseHeads {
    /// Indexed by [`ResponseHeads::index`].
    heads: Vec<HeaderMap>,
}

impl ResponseHeads {
    /// The heads for a server sending `common` on every response.
    pub(crate) fn new(common: CommonHeaders) -> Self {
        let heads = (0..16)
            .map(|index| {
                let (ok, immutable, vary, cors) = (index & 1 != 0, index & 2 != 0, index & 4 != 0, index & 8 != 0);
                let mut head = HeaderMap::with_capacity(20);
                head.insert(
                    header::CACHE_CONTROL,
                    match (ok, immutable) {
                        (false, _) => HeaderValue::from_static("no-store"),
                        (true, true) => cache_control(CachePolicy::Immutable),
                        (true, false) => cache_control(CachePolicy::Revalidate),
                    },
                );
                if vary {
                    head.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
                }
                if cors {
                    head.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
                }
                common.apply(&mut head);
                head
            })
            .collect();
        Self { heads }
    }

    fn index(page: &Page, ok: bool) -> usize {
        usize::from(ok)
            | usize::from(ok && page.cache == CachePolicy::Immutable) << 1
            | usize::from(page.is_compressible()) << 2
            | usize::from(is_feed_or_json(page.content_type)) << 3
    }

    fn for_page(&self, page: &Page, ok: bool) -> HeaderMap {
        self.heads[Self::index(page, ok)].clone()
    }
}

/// `application/x-www-form-urlencoded` (a form body or a query string) as decoded
/// pairs, `+` read as a space; at most 256, so a hostile request cannot make many.
pub(crate) fn parse_form(text: &str) -> Vec<(String, String)> {
    let decode = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    text.split('&')
        .filter(|kv| !kv.is_empty())
        .take(256)
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

/// A header value from bytes the site formatted (ASCII); shares them, never copies.
fn header_value(bytes: &Bytes) -> HeaderValue {
    HeaderValue::from_maybe_shared(bytes.clone()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Answers a GET or HEAD for `page`: validators, 304, precompressed body by `Accept-Encoding`.
/// The page's own validators are formatted once per page ([`Page::http_validators`]).
pub(crate) fn respond(
    heads: &ResponseHeads,
    page: &Page,
    method: &Method,
    headers: &HeaderMap,
    status: StatusCode,
) -> Response<Body> {
    // Never compress on the request path: a page compressed in the background after a
    // reload is sent uncompressed until its variants are ready.
    let empty = crate::site::Compressed::default();
    let compressed = page.compressed_if_ready().unwrap_or(&empty);
    let validators = page.http_validators();
    let (body, encoding, etag) = match negotiate(headers) {
        Encoding::Brotli if let Some(br) = &compressed.brotli => (br, Some("br"), &validators.etag_br),
        Encoding::Brotli | Encoding::Gzip if let Some(gz) = &compressed.gzip => {
            (gz, Some("gzip"), &validators.etag_gzip)
        }
        _ => (&page.body, None, &validators.etag),
    };
    let ok = status == StatusCode::OK;
    let mut response = Response::new(Body::empty());
    *response.headers_mut() = heads.for_page(page, ok);
    let out = response.headers_mut();
    if ok {
        out.insert(header::ETAG, header_value(etag));
    }
    // A 304 carries what updates the client's stored copy (ETag, Cache-Control, Vary;
    // RFC 9110 15.4.5) and not the representation's metadata, which the client has.
    if ok && not_modified(page, etag, headers) {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        return response;
    }
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(page.content_type));
    if ok && let Some(modified) = &validators.last_modified {
        out.insert(header::LAST_MODIFIED, header_value(modified));
    }
    if let Some(encoding) = encoding {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    *response.status_mut() = status;
    // Cloned only here: the count of a page's body is shared by every request for it.
    if method != Method::HEAD {
        *response.body_mut() = Body::from(body.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_refused() {
        assert_eq!(decode_path("/advisories/X/").as_deref(), Ok("/advisories/X/"));
        assert_eq!(decode_path("/tags/caf%C3%A9/").as_deref(), Ok("/tags/café/"));
        assert_eq!(decode_path("/.well-known/security.txt").as_deref(), Ok("/.well-known/security.txt"));
        assert_eq!(decode_path("/feed.xml").as_deref(), Ok("/feed.xml"));
        for (raw, why) in [
            ("/..%2f..%2fetc/passwd", BadPath::Traversal),
            ("/%2e%2e/%2e%2e/etc/passwd", BadPath::Traversal),
            ("/static/../../Cargo.toml", BadPath::Traversal),
            ("/..", BadPath::Traversal),
            ("/a/./b", BadPath::Traversal),
            ("/a/.", BadPath::Traversal),
            ("/static/..%5c..%5cCargo.toml", BadPath::Traversal),
            ("/a\\b", BadPath::Traversal),
            ("/%ff%fe%c3%28.html", BadPath::Encoding),
            ("/index.html%00.txt", BadPath::Encoding),
            ("relative", BadPath::Encoding),
        ] {
            assert_eq!(decode_path(raw).map(|p| p.into_owned()), Err(why), "{raw}");
        }
    }

    #[test]
    fn negotiation_prefers_brotli_and_honours_q0() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(negotiate(&h("gzip, deflate, br")), Encoding::Brotli);
        assert_eq!(negotiate(&h("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&h("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(negotiate(&h("identity")), Encoding::Identity);
        assert_eq!(negotiate(&h("gzip;q=0")), Encoding::Identity);
    }

    #[test]
    fn http_dates_round_trip() {
        let t: Timestamp = "2025-07-29T12:00:00Z".parse().unwrap();
        assert_eq!(crate::site::http_date(t), "Tue, 29 Jul 2025 12:00:00 GMT");
        assert_eq!(parse_http_date("Tue, 29 Jul 2025 12:00:00 GMT"), Some(t));
    }
}
