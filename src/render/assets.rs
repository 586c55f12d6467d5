//! The stylesheet and script, compiled into the binary and published under
//! content-hashed names so they can be cached forever.

use super::urls;
use crate::site::{CachePolicy, Page};

const CSS: &str = include_str!("../../templates/assets/style.css");
const JS: &str = include_str!("../../templates/assets/checklist.js");
const SEARCH_JS: &str = include_str!("../../templates/assets/search.js");

/// The content-hashed file names of the assets (their paths: [`crate::urls::asset`]).
#[derive(Clone)]
pub(crate) struct Assets {
    pub(crate) css: String,
    pub(crate) js: String,
    /// The static site's search (see `search_index`).
    pub(crate) search_js: String,
}

fn hashed(name: &str, ext: &str, body: &str) -> String {
    format!("{name}.{:016x}.{ext}", xxhash_rust::xxh3::xxh3_64(body.as_bytes()))
}

impl Assets {
    /// The names (hashed once per process: the server renders pages per request).
    pub(crate) fn new() -> Self {
        static NAMES: std::sync::OnceLock<Assets> = std::sync::OnceLock::new();
        NAMES
            .get_or_init(|| Self {
                css: hashed("style", "css", CSS),
                js: hashed("checklist", "js", JS),
                search_js: hashed("search", "js", SEARCH_JS),
            })
            .clone()
    }

    pub(crate) fn pages(&self) -> Vec<(String, Page)> {
        vec![
            (urls::asset(&self.css), Page::new(CSS, "text/css; charset=utf-8", None, CachePolicy::Immutable)),
            (urls::asset(&self.js), Page::new(JS, "text/javascript; charset=utf-8", None, CachePolicy::Immutable)),
            (
                urls::asset(&self.search_js),
                Page::new(SEARCH_JS, "text/javascript; charset=utf-8", None, CachePolicy::Immutable),
            ),
        ]
    }
}
