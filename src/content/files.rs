//! Reading the advisories folder from disk: which files are advisories and
//! translations, and the rules every read follows (hidden entries skipped, symlinks
//! only within the folder).

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile, display_path};

use super::front_matter;

/// What a file in the advisories folder is.
pub(super) enum FileRole {
    Advisory { stem: String, year: String },
    Translation { stem: String, lang: String },
}

pub(super) fn read_required(
    root: &Path,
    name: &str,
    report: &mut Diagnostics,
    diags: &mut Vec<Diagnostic>,
) -> Option<SourceFile> {
    let path = root.join(name);
    match std::fs::read(&path) {
        Ok(bytes) => match front_matter::decode(name, &bytes) {
            Ok(file) => {
                report.add_source(file.clone());
                Some(file)
            }
            Err((file, d)) => {
                report.add_source(file);
                diags.push(d);
                None
            }
        },
        Err(e) => {
            diags.push(
                SourceFile::new(name, "")
                    .error(0..0, format!("cannot read {name}: {e}"))
                    .help(format!("every advisories folder needs {name}; see README.md for its fields")),
            );
            None
        }
    }
}

/// Finds the advisory files: `YYYY/ID.md` and `YYYY/ID.LANG.md`. Hidden entries are skipped;
/// a symlink that leads outside the folder is an error, never followed.
pub(super) fn discover(root: &Path, canonical_root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(PathBuf, FileRole)> {
    let mut out = Vec::new();
    let mut years: Vec<PathBuf> = Vec::new();
    for entry in read_dir_sorted(root, diags) {
        let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') || !escapes_checked(root, &entry, canonical_root, diags) {
            continue;
        }
        if entry.is_dir() && name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit()) {
            years.push(entry);
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
            if name.starts_with('.') || !name.ends_with(".md") || !escapes_checked(root, &entry, canonical_root, diags)
            {
                continue;
            }
            if !entry.is_file() {
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

/// True if `path` is safe to read: not a symlink, or a symlink that stays inside the folder.
fn escapes_checked(root: &Path, path: &Path, canonical_root: &Path, diags: &mut Vec<Diagnostic>) -> bool {
    let is_link = path.symlink_metadata().map(|m| m.file_type().is_symlink()).unwrap_or(false);
    if !is_link {
        return true;
    }
    match path.canonicalize() {
        Ok(target) if target.starts_with(canonical_root) => true,
        Ok(target) => {
            diags.push(
                SourceFile::new(display_path(root, path), "")
                    .error(0..0, format!("symlink leads outside the advisories folder (to {})", target.display()))
                    .help("copy the file into the folder instead of linking to it; links out of the folder are never followed"),
            );
            false
        }
        Err(e) => {
            diags.push(
                SourceFile::new(display_path(root, path), "")
                    .error(0..0, format!("broken symlink: {e}"))
                    .help("remove the link or point it at a file inside the folder"),
            );
            false
        }
    }
}
