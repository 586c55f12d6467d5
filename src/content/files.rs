//! Reading the advisories folder from disk: which files are advisories and
//! translations, and the rules every read follows. A file is read only when it is a
//! regular file (not a folder, FIFO, socket or device) inside the folder (a symlink
//! only when its target is), and no larger than its kind allows; every refusal is an
//! error naming the file and the reason, never what the file holds.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, display_path};

use super::front_matter;

/// The largest site.toml or measures.toml read (the samples' are under 16 KB).
pub(crate) const SETTINGS_MAX: u64 = 1 << 20;
/// The largest advisory or translation read: the longest sample is 9 KB and the
/// longest of 1,205 real advisories (RustSec's) 40 KB, so 4 MiB leaves room for
/// tables and long timelines while a runaway file cannot fill memory.
pub(crate) const ADVISORY_MAX: u64 = 4 << 20;

/// What a file in the advisories folder is.
pub(super) enum FileRole {
    Advisory {
        stem: String,
        year: String,
    },
    Translation {
        stem: String,
        lang: String,
    },
    /// A file in the folder named after an advisory (`2025/PK-2025-0007/sms.png`).
    Attachment {
        stem: String,
        name: String,
    },
}

/// Why a file was not read.
pub(crate) enum Refusal {
    /// A symlink whose target is outside the folder.
    Outside(PathBuf),
    /// A symlink that leads nowhere.
    Broken(std::io::Error),
    /// Not a regular file: what it is instead.
    NotAFile(&'static str),
    /// Over the limit: its size (at least), and the limit.
    TooLarge(u64, u64),
    /// Missing, unreadable, or failed while reading.
    Io(std::io::Error),
}

impl Refusal {
    /// The error for the file at `display` (its path in the folder).
    pub(crate) fn diagnostic(&self, display: &str) -> Diagnostic {
        let file = SourceFile::new(display, "");
        match self {
            Refusal::Outside(target) => file
                .error(0..0, format!("symlink leads outside the advisories folder (to {})", target.display()))
                .help("copy the file into the folder instead of linking to it; links out of the folder are never followed"),
            Refusal::Broken(e) => file
                .error(0..0, format!("broken symlink: {e}"))
                .help("remove the link or point it at a file inside the folder"),
            Refusal::NotAFile(what) => file
                .error(0..0, format!("this is {what}, not a regular file, so it is not read"))
                .help("replace it with a plain text file, or remove it"),
            Refusal::TooLarge(size, limit) => file
                .error(0..0, format!("the file is {} KiB; files of this kind are read up to {} KiB", size / 1024, limit / 1024))
                .help("advisories are plain text: move large material to a linked reference"),
            Refusal::Io(e) => file.error(0..0, format!("cannot read the file: {e}")).help("check its permissions"),
        }
    }
}

/// Reads `path` by the rules of the module: a regular file inside `canonical_root`,
/// at most `limit` bytes.
pub(crate) fn read_file(path: &Path, canonical_root: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    let link = std::fs::symlink_metadata(path).map_err(Refusal::Io)?;
    if link.file_type().is_symlink() {
        let target = path.canonicalize().map_err(Refusal::Broken)?;
        if !target.starts_with(canonical_root) {
            return Err(Refusal::Outside(target));
        }
    }
    // Checked before opening: opening a FIFO would wait for a writer that never comes.
    let meta = std::fs::metadata(path).map_err(Refusal::Io)?;
    not_a_file(&meta).map_or(Ok(()), |what| Err(Refusal::NotAFile(what)))?;
    if meta.len() > limit {
        return Err(Refusal::TooLarge(meta.len(), limit));
    }
    let file = std::fs::File::open(path).map_err(Refusal::Io)?;
    // And again on what was opened, in case the file was replaced in between.
    let opened = file.metadata().map_err(Refusal::Io)?;
    not_a_file(&opened).map_or(Ok(()), |what| Err(Refusal::NotAFile(what)))?;
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(Refusal::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// What `meta` is when it is not a regular file.
fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a file")
}

/// Reads site.toml or measures.toml; its source for diagnostics and a hash of its
/// bytes (what validating an advisory depends on).
pub(super) fn read_required(
    root: &Path,
    canonical_root: &Path,
    name: &str,
    report: &mut Diagnostics,
    diags: &mut Vec<Diagnostic>,
) -> (Option<SourceFile>, u128) {
    let bytes = match read_file(&root.join(name), canonical_root, SETTINGS_MAX) {
        Ok(bytes) => bytes,
        Err(Refusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(
                SourceFile::new(name, "")
                    .error(0..0, format!("cannot read {name}: {e}"))
                    .help(format!("every advisories folder needs {name}; see README.md for its fields")),
            );
            return (None, 0);
        }
        Err(refusal) => {
            diags.push(refusal.diagnostic(name));
            return (None, 0);
        }
    };
    let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
    match front_matter::decode(name, &bytes) {
        Ok(file) => {
            report.add_source(file.clone());
            (Some(file), hash)
        }
        Err((file, d)) => {
            report.add_source(file);
            diags.push(d);
            (None, hash)
        }
    }
}

/// Finds the advisory files: `YYYY/ID.md` and `YYYY/ID.LANG.md`. Hidden entries are skipped;
/// a year folder linked from outside the folder is an error, never followed.
pub(super) fn discover(root: &Path, canonical_root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(PathBuf, FileRole)> {
    let mut out = Vec::new();
    let mut years: Vec<PathBuf> = Vec::new();
    for entry in read_dir_sorted(root, diags) {
        let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let year_named = name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit());
        if year_named && entry.is_dir() {
            if escapes_checked(root, &entry, canonical_root, diags) {
                years.push(entry);
            }
        } else if entry.is_file() && name.ends_with(".md") && name != "README.md" {
            diags.push(
                SourceFile::new(display_path(root, &entry), "")
                    .error(0..0, "advisory files live in a folder named after their year")
                    .help("move it into a folder such as 2025/"),
            );
        }
    }
    for dir in years {
        let year = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for entry in read_dir_sorted(&dir, diags) {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if !name.starts_with('.') && !name.contains('.') && entry.is_dir() {
                if escapes_checked(root, &entry, canonical_root, diags) {
                    out.extend(attachments_in(&entry, &name, diags));
                }
                continue;
            }
            // Whatever bears an advisory's name is read, so that a link out of the folder,
            // a FIFO or a folder named like one is reported (by `read_file`), not skipped.
            if name.starts_with('.') || !name.ends_with(".md") {
                continue;
            }
            let stem = &name[..name.len() - 3];
            let role = match stem.rsplit_once('.') {
                Some((id, lang)) if (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase()) => {
                    FileRole::Translation { stem: id.to_string(), lang: lang.to_string() }
                }
                Some(_) => {
                    diags.push(
                        SourceFile::new(display_path(root, &entry), "")
                            .error(0..0, format!("`{name}` is neither `ID.md` nor `ID.LANG.md`"))
                            .help("name advisories after their id, e.g. PK-2025-0007.md, and translations PK-2025-0007.ur.md"),
                    );
                    continue;
                }
                None => FileRole::Advisory { stem: stem.to_string(), year: year.clone() },
            };
            out.push((entry, role));
        }
    }
    out
}

/// The files of an advisory's folder (`2025/PK-2025-0007/`); hidden ones are skipped and
/// folders inside it are not published.
fn attachments_in(dir: &Path, stem: &str, diags: &mut Vec<Diagnostic>) -> Vec<(PathBuf, FileRole)> {
    read_dir_sorted(dir, diags)
        .into_iter()
        .filter_map(|entry| {
            let name = entry.file_name()?.to_string_lossy().into_owned();
            (!name.starts_with('.') && !entry.is_dir())
                .then(|| (entry, FileRole::Attachment { stem: stem.to_string(), name }))
        })
        .collect()
}

fn read_dir_sorted(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            paths
        }
        Err(e) => {
            diags.push(
                SourceFile::new(dir.display().to_string(), "").error(0..0, format!("cannot list the folder: {e}")),
            );
            Vec::new()
        }
    }
}

/// True if `path` may be entered: not a symlink, or a symlink that stays inside the folder.
fn escapes_checked(root: &Path, path: &Path, canonical_root: &Path, diags: &mut Vec<Diagnostic>) -> bool {
    let is_link = path.symlink_metadata().map(|m| m.file_type().is_symlink()).unwrap_or(false);
    if !is_link {
        return true;
    }
    let refusal = match path.canonicalize() {
        Ok(target) if target.starts_with(canonical_root) => return true,
        Ok(target) => Refusal::Outside(target),
        Err(e) => Refusal::Broken(e),
    };
    diags.push(refusal.diagnostic(&display_path(root, path)));
    false
}
