//! [`Site`]: every public URL of the rendered site mapped to its bytes, content
//! type, validators and precompressed variants. The static build writes it to
//! disk; the server answers from it in memory, so both publish the same bytes.
//! Plain data: it knows no HTTP library, and the server turns it into headers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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
    /// `Content-Type`, with charset for text.
    pub content_type: &'static str,
    /// A strong ETag derived from the body alone (so replicas agree), quoted.
    pub etag: String,
    /// When the content last changed (derived from advisories, never the build time).
    pub last_modified: Option<Timestamp>,
    /// Caching.
    pub cache: CachePolicy,
    /// A hash of everything the page was rendered from, when the renderer tracks it: a
    /// later render whose inputs hash the same takes this page instead of rendering it.
    pub source: Option<u64>,
    /// Gzip and brotli of the body, computed on first use (or taken over from an
    /// earlier render of the same bytes), so rendering stays cheap.
    compressed: OnceLock<Compressed>,
    /// HTTP validators formatted once, for the server.
    validators: OnceLock<Validators>,
}

/// A page's validators formatted once as HTTP header values (ASCII), so that answering
/// a request copies them instead of formatting them again.
#[derive(Debug, Clone)]
pub struct Validators {
    /// ETag of the uncompressed representation.
    pub etag: Bytes,
    /// ETag of the gzip representation (each encoding is its own representation).
    pub etag_gzip: Bytes,
    /// ETag of the brotli representation.
    pub etag_br: Bytes,
    /// `Last-Modified` as an HTTP date.
    pub last_modified: Option<Bytes>,
}

/// The precompressed variants of a page.
#[derive(Debug, Clone, Default)]
pub struct Compressed {
    /// Gzip of the body, when it is text and compression pays.
    pub gzip: Option<Bytes>,
    /// Brotli of the body, when it is text and compression pays.
    pub brotli: Option<Bytes>,
}

impl Page {
    /// A page from its bytes, with its ETag.
    pub fn new(
        body: impl Into<Bytes>,
        content_type: &'static str,
        last_modified: Option<Timestamp>,
        cache: CachePolicy,
    ) -> Self {
        let body: Bytes = body.into();
        let etag = format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(&body));
        Self {
            body,
            content_type,
            etag,
            last_modified,
            cache,
            source: None,
            compressed: OnceLock::new(),
            validators: OnceLock::new(),
        }
    }

    /// The validators formatted for HTTP (computed once).
    pub fn http_validators(&self) -> &Validators {
        self.validators.get_or_init(|| {
            let base = self.etag.trim_end_matches('"');
            Validators {
                etag: Bytes::from(self.etag.clone()),
                etag_gzip: Bytes::from(format!("{base}-gz\"")),
                etag_br: Bytes::from(format!("{base}-br\"")),
                last_modified: self.last_modified.map(|t| Bytes::from(http_date(t))),
            }
        })
    }

    /// Whether compressed variants are worth having (text of some size).
    pub fn is_compressible(&self) -> bool {
        is_text(self.content_type) && self.body.len() > 200
    }

    /// The compressed variants if they are computed already (never computes).
    pub fn compressed_if_ready(&self) -> Option<&Compressed> {
        self.compressed.get()
    }

    /// The compressed variants, computing them on first use.
    pub fn compressed(&self) -> &Compressed {
        self.compressed.get_or_init(|| {
            if self.is_compressible() {
                Compressed {
                    gzip: smaller(gzip(&self.body), &self.body),
                    brotli: smaller(brotli(&self.body), &self.body),
                }
            } else {
                Compressed::default()
            }
        })
    }
}

/// An HTTP date: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.contains("xml")
        || content_type.contains("json")
        || content_type.contains("javascript")
}

/// The compressed bytes if they are worth sending; an encoder that failed left them empty.
fn smaller(mut compressed: Vec<u8>, body: &[u8]) -> Option<Bytes> {
    // Encoders size their buffers by the input: a server would hold the spare room for as
    // long as the page is live (about 20 MB of brotli at ten thousand advisories).
    compressed.shrink_to_fit();
    (!compressed.is_empty() && compressed.len() < body.len()).then(|| match BODY_STORE.get() {
        Some(store) => store(compressed),
        None => Bytes::from(compressed),
    })
}

/// Where compressed variants are kept: on the heap, unless the server installed a store
/// that lets the kernel send large bodies without copying them (see `server`).
static BODY_STORE: OnceLock<fn(Vec<u8>) -> Bytes> = OnceLock::new();

/// Installs the store for compressed variants made from now on; the first one installed stays.
pub fn set_body_store(store: fn(Vec<u8>) -> Bytes) {
    let _ = BODY_STORE.set(store);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    thread_local! {
        // libdeflate compresses a whole buffer at once, 30 % faster than zlib-rs at the
        // same size on our pages; its state is a few hundred KB, so each thread keeps one.
        // Level 5: level 6 is 0.1 % smaller and 12 % slower; gzip is the fallback for
        // clients without brotli (feed readers, curl).
        static COMPRESSOR: std::cell::RefCell<libdeflater::Compressor> =
            std::cell::RefCell::new(libdeflater::Compressor::new(libdeflater::CompressionLvl::new(5).unwrap_or_default()));
    }
    COMPRESSOR.with_borrow_mut(|compressor| {
        let mut out = vec![0; compressor.gzip_compress_bound(data.len())];
        let written = compressor.gzip_compress(data, &mut out).unwrap_or(0);
        out.truncate(written);
        out
    })
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    // Quality 4: quality 3 came out larger than gzip on real advisory text, and 5 takes
    // 40 % longer, which decides the cold build of ten thousand pages. The window is no
    // larger than the page, because the encoder zeroes a ring buffer of the window's size
    // on every call (10 % of the time on 10 KB pages). Careful: at quality 5 and above
    // this encoder becomes 30x slower with a window under 2^20.
    let window_bits = (usize::BITS - data.len().leading_zeros()).clamp(16, 20) as i32;
    let params = brotli::enc::BrotliEncoderParams { quality: 4, lgwin: window_bits, ..Default::default() };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
    out
}

/// The whole site: URL path → page. (Hashed, not sorted: the server looks a page up
/// on every request, and the few callers that need an order sort.)
#[derive(Debug, Clone, Default)]
pub struct Site {
    pages: HashMap<String, Page>,
}

/// A summary of a written site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files of the site (not counting compressed copies).
    pub files: usize,
    /// Bytes of those files, uncompressed.
    pub bytes: u64,
    /// Pages whose compressed copies were taken over from the previous build unchanged.
    pub compressed_reused: usize,
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
        let mut pages: Vec<(&str, &Page)> = self.pages.iter().map(|(k, v)| (k.as_str(), v)).collect();
        pages.sort_unstable_by_key(|&(path, _)| path);
        pages.into_iter()
    }

    /// How many pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// True when there is no page.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Computes every page's compressed variants now, in parallel (the server does this
    /// before it swaps a new site in, so no request waits for compression).
    pub fn precompress(&self) {
        self.pages.par_iter().for_each(|(_, page)| {
            page.compressed();
        });
    }

    /// Computes the compressed variants still missing, one page at a time on the calling
    /// thread, smallest first (most pages are ready soonest), until `superseded()` says the
    /// site is no longer live. A server does this after a reload, beside the requests and
    /// the next reload instead of in front of them.
    pub fn precompress_in_background(&self, superseded: impl Fn() -> bool) {
        let mut missing: Vec<&Page> = self.pages.values().filter(|p| p.compressed.get().is_none()).collect();
        missing.sort_by_key(|p| p.body.len());
        for page in missing {
            if superseded() {
                return;
            }
            page.compressed();
        }
    }

    /// Sets `Last-Modified` for a server: a page whose bytes did not change since
    /// `previous` keeps its date; any other page is dated `now` unless its content date
    /// is later. Content dates alone would miss an edit made without an `[[updates]]`
    /// entry, and a client asking `If-Modified-Since` would never see it.
    pub fn date_changes(&mut self, previous: Option<&Site>, now: Timestamp) {
        for (path, page) in &mut self.pages {
            let kept = previous.and_then(|p| p.pages.get(path)).filter(|old| old.etag == page.etag);
            match kept {
                // The same bytes: the live page, with its date, validators and compressed
                // variants, so the two sites share one copy.
                Some(old) => *page = Page { source: page.source, ..old.clone() },
                None => {
                    page.last_modified = Some(page.last_modified.map_or(now, |t| t.max(now)));
                    page.validators = OnceLock::new();
                }
            }
        }
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
    /// folder, which takes the place of `out` only when complete (in one step on Linux),
    /// so a failed or killed write never leaves half a site and files of earlier builds
    /// never linger. Text files are also written as `.gz` and `.br` for static hosts.
    /// Builds into the same `out` take turns (a lock file beside it), and each removes
    /// the staging folders that killed builds left behind.
    pub fn write_to(&self, out: &Path) -> std::io::Result<WriteStats> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(parent.join(format!(".{name}.lock")))?;
        lock.lock()?;
        // Holding the lock, no other build is writing: any staging folder here is a leftover.
        remove_leftovers(&parent, &name);
        let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
        std::fs::create_dir_all(&staging)?;
        let previous = out.is_dir().then_some(out);
        let stats = match self.write_files(&staging, previous) {
            Ok(stats) => stats,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if let Some(replaced) = replace(&staging, out, &old)? {
            std::fs::remove_dir_all(replaced)?;
        }
        Ok(stats)
    }

    fn write_files(&self, root: &Path, previous: Option<&Path>) -> std::io::Result<WriteStats> {
        let mut dirs: Vec<PathBuf> =
            self.pages.keys().filter_map(|p| root.join(Self::file_for(p)).parent().map(Path::to_path_buf)).collect();
        dirs.sort();
        dirs.dedup();
        // `create_dir_all` copes with a parent made by another thread meanwhile.
        dirs.par_iter().try_for_each(std::fs::create_dir_all)?;
        // Largest first, so that the big files (the JSON API, the feeds) are not left to
        // compress on one core at the end while the other waits.
        let mut pages: Vec<(&String, &Page)> = self.pages.iter().collect();
        pages.sort_by_key(|(_, page)| std::cmp::Reverse(page.body.len()));
        let reused = std::sync::atomic::AtomicUsize::new(0);
        pages.par_iter().try_for_each(|(path, page)| -> std::io::Result<()> {
            let rel = Self::file_for(path);
            let file = root.join(&rel);
            std::fs::write(&file, &page.body)?;
            if !page.is_compressible() {
                return Ok(());
            }
            // A page whose bytes are unchanged since the previous build keeps that build's
            // compressed files (hard-linked, so the live site is untouched): a rebuild only
            // compresses what changed.
            if let Some(old) = previous.map(|p| p.join(&rel))
                && std::fs::read(&old).is_ok_and(|b| b == page.body[..])
                && link_compressed(&old, &file)
            {
                reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(());
            }
            let c = page.compressed();
            if let Some(gz) = &c.gzip {
                std::fs::write(with_suffix(&file, "gz"), gz)?;
            }
            if let Some(br) = &c.brotli {
                std::fs::write(with_suffix(&file, "br"), br)?;
            }
            Ok(())
        })?;
        Ok(WriteStats {
            files: self.pages.len(),
            bytes: self.pages.values().map(|p| p.body.len() as u64).sum(),
            compressed_reused: reused.into_inner(),
        })
    }
}

/// Removes the `.NAME.new-*` and `.NAME.old-*` folders that builds killed before their
/// end left in `parent`.
fn remove_leftovers(parent: &Path, name: &str) {
    let (new, old) = (format!(".{name}.new-"), format!(".{name}.old-"));
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&new) || file_name.starts_with(&old) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Puts the folder `new` in the place of `out`; returns where the site it replaced now
/// is, to be removed. On Linux the two swap in one step (`renameat2` with
/// `RENAME_EXCHANGE`), so `out` always exists for a web server reading it; elsewhere,
/// or on a file system without the exchange, `out` moves aside to `old` first.
fn replace(new: &Path, out: &Path, old: &Path) -> std::io::Result<Option<PathBuf>> {
    if !out.exists() {
        std::fs::rename(new, out)?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, new, CWD, out, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(Some(new.to_path_buf())),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::rename(out, old)?;
    if let Err(e) = std::fs::rename(new, out) {
        // Put the previous site back rather than leave nothing.
        let _ = std::fs::rename(old, out);
        return Err(e);
    }
    Ok(Some(old.to_path_buf()))
}

/// Hard-links (or copies) the `.gz` and `.br` of `old` next to `new`; false if either is missing.
fn link_compressed(old: &Path, new: &Path) -> bool {
    ["gz", "br"].iter().all(|ext| {
        let (from, to) = (with_suffix(old, ext), with_suffix(new, ext));
        from.is_file() && (std::fs::hard_link(&from, &to).is_ok() || std::fs::copy(&from, &to).is_ok())
    })
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
        assert_eq!(Site::file_for("/advisories/PK-1/"), PathBuf::from("advisories/PK-1/index.html"));
        assert_eq!(Site::file_for("/feed.xml"), PathBuf::from("feed.xml"));
    }

    #[test]
    fn etag_depends_only_on_bytes_and_compression_round_trips() {
        let body = "<p>hello</p>".repeat(100);
        let a = Page::new(body.clone(), "text/html; charset=utf-8", None, CachePolicy::Revalidate);
        let b = Page::new(body.clone(), "text/html; charset=utf-8", None, CachePolicy::Revalidate);
        assert_eq!(a.etag, b.etag);
        let c = a.compressed().clone();
        // Decoded by another implementation (zlib-rs) than the encoder's.
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&c.gzip.unwrap()[..]), &mut out).unwrap();
        assert_eq!(out, body);
        let mut dec = Vec::new();
        brotli::BrotliDecompress(&mut &c.brotli.unwrap()[..], &mut dec).unwrap();
        assert_eq!(dec, body.as_bytes());
    }

    #[test]
    fn write_replaces_the_old_site_wholly() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("stale")).unwrap();
        std::fs::write(out.join("stale/index.html"), "old").unwrap();
        let mut site = Site::default();
        site.insert("/", Page::new("x".repeat(500), "text/html; charset=utf-8", None, CachePolicy::Revalidate));
        let stats = site.write_to(&out).unwrap();
        assert_eq!(stats.files, 1);
        assert!(out.join("index.html").exists());
        assert!(out.join("index.html.gz").exists());
        assert!(out.join("index.html.br").exists());
        assert!(!out.join("stale").exists());
        let mut leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        leftovers.sort();
        assert_eq!(leftovers, [".public.lock", "public"].map(std::ffi::OsString::from));
    }
}
