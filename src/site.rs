//! [`Site`]: every public URL of the rendered site mapped to its bytes, content
//! type, validators and precompressed variants. The static build writes it to
//! disk; the server answers from it in memory, so both publish the same bytes.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use jiff::Timestamp;
use rayon::prelude::*;

/// How long clients and caches may keep a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// Content-hashed assets: the name changes when the bytes do.
    Immutable,
    /// Pages and feeds: short freshness, then revalidate with the ETag.
    Revalidate,
}

/// One file of the site.
#[derive(Debug, Clone)]
pub struct Page {
    /// The uncompressed bytes.
    pub body: Bytes,
    /// Gzip of the body, when it is text and compression pays.
    pub gzip: Option<Bytes>,
    /// Brotli of the body, when it is text and compression pays.
    pub brotli: Option<Bytes>,
    /// `Content-Type`, with charset for text.
    pub content_type: &'static str,
    /// A strong ETag derived from the body alone (so replicas agree), quoted.
    pub etag: String,
    /// When the content last changed (derived from advisories, never the build time).
    pub last_modified: Option<Timestamp>,
    /// Caching.
    pub cache: CachePolicy,
}

impl Page {
    /// A page from its bytes; computes the ETag and the compressed variants.
    pub fn new(
        body: impl Into<Bytes>,
        content_type: &'static str,
        last_modified: Option<Timestamp>,
        cache: CachePolicy,
    ) -> Self {
        let body: Bytes = body.into();
        let etag = format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(&body));
        let compressible = is_text(content_type) && body.len() > 200;
        let (gzip, brotli) = if compressible {
            (smaller(gzip(&body), &body), smaller(brotli(&body), &body))
        } else {
            (None, None)
        };
        Self {
            body,
            gzip,
            brotli,
            content_type,
            etag,
            last_modified,
            cache,
        }
    }
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.contains("xml")
        || content_type.contains("json")
        || content_type.contains("javascript")
}

fn smaller(compressed: Vec<u8>, body: &[u8]) -> Option<Bytes> {
    (compressed.len() < body.len()).then(|| Bytes::from(compressed))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::new(6),
    );
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    // Quality 5 compresses pages nearly as well as 11 at a small fraction of the time.
    let params = brotli::enc::BrotliEncoderParams {
        quality: 5,
        lgwin: 20,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
    out
}

/// The whole site: URL path → page.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pages: BTreeMap<String, Page>,
}

/// A summary of a written site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files of the site (not counting compressed copies).
    pub files: usize,
    /// Bytes of those files, uncompressed.
    pub bytes: u64,
}

impl Site {
    /// Adds or replaces the page at `path` (a URL path starting with `/`).
    pub fn insert(&mut self, path: impl Into<String>, page: Page) {
        self.pages.insert(path.into(), page);
    }

    /// The page at a URL path, exactly as stored (`/advisories/X/`, `/feed.xml`).
    pub fn get(&self, path: &str) -> Option<&Page> {
        self.pages.get(path)
    }

    /// Every URL path and page, sorted by path.
    pub fn pages(&self) -> impl Iterator<Item = (&str, &Page)> {
        self.pages.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// True when there is no page.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The file a URL path is written to: `/a/` → `a/index.html`, `/feed.xml` → `feed.xml`.
    pub fn file_for(path: &str) -> PathBuf {
        let rel = path.trim_start_matches('/');
        if rel.is_empty() || rel.ends_with('/') {
            PathBuf::from(format!("{rel}index.html"))
        } else {
            PathBuf::from(rel)
        }
    }

    /// Writes the site into `out` atomically: everything goes into a fresh sibling
    /// folder, which replaces `out` only when complete, so a failed write never leaves
    /// half a site and files of earlier builds never linger. Text files are also written
    /// as `.gz` and `.br` for static hosts.
    pub fn write_to(&self, out: &Path) -> std::io::Result<WriteStats> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        let result = self.write_files(&staging);
        let stats = match result {
            Ok(stats) => stats,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        if out.exists() {
            std::fs::rename(out, &old)?;
        }
        if let Err(e) = std::fs::rename(&staging, out) {
            // Put the previous site back rather than leave nothing.
            let _ = std::fs::rename(&old, out);
            return Err(e);
        }
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(stats)
    }

    fn write_files(&self, root: &Path) -> std::io::Result<WriteStats> {
        let mut dirs: Vec<PathBuf> = self
            .pages
            .keys()
            .filter_map(|p| root.join(Self::file_for(p)).parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        for dir in &dirs {
            std::fs::create_dir_all(dir)?;
        }
        let pages: Vec<(&String, &Page)> = self.pages.iter().collect();
        pages
            .par_iter()
            .try_for_each(|(path, page)| -> std::io::Result<()> {
                let file = root.join(Self::file_for(path));
                std::fs::write(&file, &page.body)?;
                if let Some(gz) = &page.gzip {
                    std::fs::write(with_suffix(&file, "gz"), gz)?;
                }
                if let Some(br) = &page.brotli {
                    std::fs::write(with_suffix(&file, "br"), br)?;
                }
                Ok(())
            })?;
        Ok(WriteStats {
            files: self.pages.len(),
            bytes: self.pages.values().map(|p| p.body.len() as u64).sum(),
        })
    }
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_for_url_paths() {
        assert_eq!(Site::file_for("/"), PathBuf::from("index.html"));
        assert_eq!(
            Site::file_for("/advisories/PK-1/"),
            PathBuf::from("advisories/PK-1/index.html")
        );
        assert_eq!(Site::file_for("/feed.xml"), PathBuf::from("feed.xml"));
    }

    #[test]
    fn etag_depends_only_on_bytes_and_compression_round_trips() {
        let body = "<p>hello</p>".repeat(100);
        let a = Page::new(
            body.clone(),
            "text/html; charset=utf-8",
            None,
            CachePolicy::Revalidate,
        );
        let b = Page::new(
            body.clone(),
            "text/html; charset=utf-8",
            None,
            CachePolicy::Revalidate,
        );
        assert_eq!(a.etag, b.etag);
        let mut out = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&a.gzip.unwrap()[..]),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, body);
        let mut dec = Vec::new();
        brotli::BrotliDecompress(&mut &a.brotli.unwrap()[..], &mut dec).unwrap();
        assert_eq!(dec, body.as_bytes());
    }

    #[test]
    fn write_replaces_the_old_site_wholly() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("stale")).unwrap();
        std::fs::write(out.join("stale/index.html"), "old").unwrap();
        let mut site = Site::default();
        site.insert(
            "/",
            Page::new(
                "x".repeat(500),
                "text/html; charset=utf-8",
                None,
                CachePolicy::Revalidate,
            ),
        );
        let stats = site.write_to(&out).unwrap();
        assert_eq!(stats.files, 1);
        assert!(out.join("index.html").exists());
        assert!(out.join("index.html.gz").exists());
        assert!(out.join("index.html.br").exists());
        assert!(!out.join("stale").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }
}
