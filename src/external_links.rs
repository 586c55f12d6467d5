//! `bulletin check --external`: every http(s) link of every advisory (body links and
//! references) is asked for once: HEAD, then GET where a server refuses HEAD. A page
//! that is gone (404, 410) is an error; a permanent redirect, a server error or no
//! answer is a warning. Requests run a few at a time with a timeout, redirects are not
//! followed (they are reported), and answers are kept for a day in a cache file, so a
//! pre-commit hook or a CI run does not ask the same sites again and again.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::content::Content;
use crate::content::links::UrlKind;
use crate::diagnostics::{Diagnostic, SourceFile};

/// How long an answer is trusted.
const CACHE_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// Requests at a time: enough to check hundreds of links in seconds, few enough not
/// to look like an attack to any one site.
const CONCURRENCY: usize = 8;
/// The longest wait for one request, answer included.
const TIMEOUT: Duration = Duration::from_secs(15);

/// What a link's server said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
enum Answer {
    /// 2xx, or a temporary redirect.
    Fine,
    /// 301 or 308 to `location`.
    Moved { location: String },
    /// 404 or 410.
    Gone { status: u16 },
    /// Another status, or no answer at all: perhaps only for now.
    Failed { reason: String },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    /// URL → the answer and when it was given (Unix seconds).
    links: BTreeMap<String, (i64, Answer)>,
}

/// Checks the external links of `content` (read from `dir`) and returns what is wrong.
pub fn check(content: &Content, dir: &Path, now: jiff::Timestamp) -> Vec<Diagnostic> {
    let mut by_url: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in content.all() {
        let body = a.links.iter().filter(|l| l.kind == UrlKind::External).map(|l| &l.url);
        let translated = a
            .translations
            .values()
            .flat_map(|t| t.links.iter().filter(|l| l.kind == UrlKind::External).map(move |l| (&l.url, &t.path)));
        let urls = body.chain(a.references.iter().map(|r| &r.url)).map(|u| (u, &a.path)).chain(translated);
        for (url, path) in urls {
            if url.starts_with("http://") || url.starts_with("https://") {
                let paths = by_url.entry(url.clone()).or_default();
                if !paths.contains(path) {
                    paths.push(path.clone());
                }
            }
        }
    }
    let cache_path = cache_path(dir);
    let mut cache: Cache =
        std::fs::read(&cache_path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let fresh = |(at, _): &(i64, Answer)| now.as_second() - at < CACHE_FOR.as_secs() as i64;
    let todo: Vec<&String> = by_url.keys().filter(|u| !cache.links.get(*u).is_some_and(fresh)).collect();
    let asked: HashMap<String, Answer> = ask_all(&todo).into_iter().collect();
    for (url, answer) in &asked {
        // A failure may be gone in a minute: it is asked again next time.
        if !matches!(answer, Answer::Failed { .. }) {
            cache.links.insert(url.clone(), (now.as_second(), answer.clone()));
        }
    }
    cache.links.retain(|_, entry| fresh(entry));
    if let Some(parent) = cache_path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Ok(bytes) = serde_json::to_vec_pretty(&cache)
        && let Err(e) = std::fs::write(&cache_path, bytes)
    {
        tracing::warn!(path = %cache_path.display(), error = %e, "cannot keep the link answers for next time");
    }
    let mut sources: HashMap<&str, SourceFile> = HashMap::new();
    let mut diags = Vec::new();
    for (url, paths) in &by_url {
        let Some(answer) = asked.get(url).or_else(|| cache.links.get(url).map(|(_, a)| a)) else { continue };
        for path in paths {
            let file = sources.entry(path).or_insert_with(|| {
                SourceFile::new(path.clone(), std::fs::read_to_string(dir.join(path)).unwrap_or_default())
            });
            let at = file.text.find(url.as_str()).map_or(0..0, |i| i..i + url.len());
            diags.extend(diagnostic(file, at, url, answer));
        }
    }
    diags
}

fn diagnostic(file: &SourceFile, at: std::ops::Range<usize>, url: &str, answer: &Answer) -> Option<Diagnostic> {
    Some(match answer {
        Answer::Fine => return None,
        Answer::Gone { status } => file.error(at, format!("link `{url}` is gone: the site answers {status}")).help(
            "find where the page moved (the Wayback Machine, web.archive.org, may have a copy), or remove the link",
        ),
        Answer::Moved { location } => file
            .warning(at, format!("link `{url}` has moved permanently to `{location}`"))
            .help(format!("link to {location}")),
        Answer::Failed { reason } => file
            .warning(at, format!("link `{url}` could not be checked: {reason}"))
            .help("open it in a browser; if it is gone for good, replace or remove it"),
    })
}

/// Where answers are kept: inside `.git` for a repository (never committed), else in
/// the system's temporary folder, one file per advisories folder.
fn cache_path(dir: &Path) -> PathBuf {
    let git = dir.join(".git");
    if git.is_dir() {
        return git.join("bulletin").join("external-links.json");
    }
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let key = xxhash_rust::xxh3::xxh3_64(canonical.to_string_lossy().as_bytes());
    std::env::temp_dir().join(format!("bulletin-external-links-{key:016x}.json"))
}

/// Asks every URL, [`CONCURRENCY`] at a time.
fn ask_all(urls: &[&String]) -> Vec<(String, Answer)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .user_agent(concat!("bulletin-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let queue = Mutex::new(urls.iter().map(|u| u.to_string()).collect::<Vec<_>>());
    let answers = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(urls.len()) {
            scope.spawn(|| {
                loop {
                    let Some(url) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop() else { break };
                    let answer = ask(&agent, &url);
                    answers.lock().unwrap_or_else(|e| e.into_inner()).push((url, answer));
                }
            });
        }
    });
    answers.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// HEAD, then GET if the server will not answer HEAD properly (many refuse it).
fn ask(agent: &ureq::Agent, url: &str) -> Answer {
    let head = agent.head(url).call();
    let response = match head {
        Ok(r) if !matches!(r.status().as_u16(), 400 | 403 | 405 | 429 | 500..=599) => Ok(r),
        _ => agent.get(url).call(),
    };
    match response {
        Ok(r) => {
            let status = r.status().as_u16();
            match status {
                200..=299 | 302 | 303 | 307 => Answer::Fine,
                301 | 308 => {
                    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
                    Answer::Moved { location: absolute_location(url, location) }
                }
                404 | 410 => Answer::Gone { status },
                other => Answer::Failed { reason: format!("the site answers {other}") },
            }
        }
        Err(e) => Answer::Failed { reason: e.to_string() },
    }
}

/// A `Location` header, made absolute against the URL it answered.
fn absolute_location(url: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let origin_end = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[origin_end..].find('/').map_or(url.len(), |i| origin_end + i);
    if location.starts_with('/') {
        format!("{}{location}", &url[..host_end])
    } else {
        let dir_end = url.rfind('/').filter(|i| *i >= host_end).map_or(url.len(), |i| i + 1);
        format!("{}{location}", &url[..dir_end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_made_absolute() {
        assert_eq!(absolute_location("https://a.pk/x/y", "https://b.pk/"), "https://b.pk/");
        assert_eq!(absolute_location("https://a.pk/x/y", "/z"), "https://a.pk/z");
        assert_eq!(absolute_location("https://a.pk/x/y", "z"), "https://a.pk/x/z");
        assert_eq!(absolute_location("https://a.pk", "/z"), "https://a.pk/z");
    }
}
