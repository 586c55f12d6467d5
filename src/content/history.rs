//! Which commits of an advisory's file are revisions of its public page. A commit made
//! before publication, one whose file would have been rejected (it does not validate) and
//! one made while the advisory was still a draft never reached readers: the page's
//! history leaves them out. The file is read as it was at each commit (`git cat-file`)
//! and validated with the current settings and catalogue.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::Level;
use crate::git::History;
use crate::model::{Advisory, Revision};

use super::{Content, advisory, front_matter};

/// Gives each advisory its revisions from `history`, each judged published or not. An
/// advisory that already carries the same commits keeps its judgement (a reload reads
/// only the files of advisories with new commits). `dir` is the folder of the repository
/// the history was read in, `rev` the commit it goes up to.
pub(super) fn attach(content: &mut Content, history: &History, dir: &Path, rev: &str) {
    let mut to_judge: Vec<(usize, Vec<Revision>)> = Vec::new();
    for (index, a) in content.advisories.iter().enumerate() {
        let revisions = history.of(&a.path);
        if !a.history.iter().map(|r| &r.hash).eq(revisions.iter().map(|r| &r.hash)) {
            to_judge.push((index, revisions.to_vec()));
        }
    }
    if to_judge.is_empty() {
        return;
    }
    let started = std::time::Instant::now();
    // The newest commit of a file the loaded content has unchanged made what readers see
    // now: valid, so only its draft flag decides, and nothing needs reading.
    let modified = modified_since(dir, rev);
    let current = |a: &Advisory, r: &Revision, revisions: &[Revision]| {
        revisions.first().is_some_and(|newest| newest.hash == r.hash)
            && modified.as_ref().is_some_and(|m| !m.contains(&a.path))
    };
    // Only a commit made since publication can be a revision of the public page.
    let requests: Vec<(String, String)> = to_judge
        .iter()
        .flat_map(|(index, revisions)| {
            let a = &content.advisories[*index];
            revisions
                .iter()
                .filter(|r| r.date >= a.published && !current(a, r, revisions))
                .map(|r| (r.hash.clone(), a.path.clone()))
        })
        .collect();
    let files = match read_at_commits(dir, &requests) {
        Ok(files) => files,
        Err(e) => {
            tracing::warn!(error = %e, "the files of earlier commits could not be read; their revisions are listed unjudged");
            HashMap::new()
        }
    };
    // Notice rules only add warnings, which do not decide whether a revision was public.
    let ctx = advisory::Context {
        settings: Some(&content.settings),
        catalogue: Some(&content.catalogue),
        notice: super::notice::NoticeRules::built_in(),
    };
    let mut judged: Vec<(usize, Vec<Revision>)> = to_judge
        .into_par_iter()
        .map(|(index, mut revisions)| {
            let a = &content.advisories[index];
            let newest_is_current: Vec<bool> = revisions.iter().map(|r| current(a, r, &revisions)).collect();
            for (r, is_current) in revisions.iter_mut().zip(newest_is_current) {
                r.published = r.date >= a.published
                    && if is_current {
                        !a.draft
                    } else {
                        match files.get(&(r.hash.clone(), a.path.clone())) {
                            Some(Some(bytes)) => was_public(a, bytes, ctx),
                            // A file missing at its own commit: renamed since (git gives
                            // the current name). Its date says nothing unpublished.
                            Some(None) | None => true,
                        }
                    };
            }
            (index, revisions)
        })
        .collect();
    tracing::debug!(advisories = judged.len(), files_read = files.len(), elapsed = ?started.elapsed(), "revisions judged");
    for (index, revisions) in judged.drain(..) {
        Arc::make_mut(&mut content.advisories[index]).history = revisions;
    }
}

/// Whether the file's bytes at some commit were a valid, non-draft advisory: what a
/// server would have published.
fn was_public(a: &Advisory, bytes: &[u8], ctx: advisory::Context<'_>) -> bool {
    let Ok(file) = front_matter::decode(&a.path, bytes) else { return false };
    let (year, name) = a.path.rsplit_once('/').unwrap_or(("", &a.path));
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let mut diags = Vec::new();
    let parsed = advisory::advisory(&file, stem, year, ctx, &mut diags);
    let valid = !diags.iter().any(|d| d.level == Level::Error);
    valid && parsed.value.is_some_and(|then| !then.draft)
}

/// (commit, path) → the file's bytes at that commit, `None` where it did not exist.
type FilesAtCommits = HashMap<(String, String), Option<Vec<u8>>>;

/// The bytes of each (commit, path) pair, `None` where the path did not exist at that
/// commit. Paths are relative to `dir`; one `git cat-file --batch` reads them all.
fn read_at_commits(dir: &Path, requests: &[(String, String)]) -> std::io::Result<FilesAtCommits> {
    let mut found = HashMap::with_capacity(requests.len());
    if requests.is_empty() {
        return Ok(found);
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let input: String = object_names(dir, requests).into_iter().map(|name| name + "\n").collect();
    // Written from another thread: git answers while it reads, and a full pipe either way
    // would stop both.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut header = String::new();
    for request in requests {
        header.clear();
        out.read_line(&mut header)?;
        let bytes = match header.trim_end().rsplit_once(' ') {
            Some((id_type, size)) if id_type.ends_with(" blob") => {
                let size: usize = size.parse().map_err(std::io::Error::other)?;
                let mut bytes = vec![0; size + 1]; // the blob and its closing newline
                out.read_exact(&mut bytes)?;
                bytes.truncate(size);
                Some(bytes)
            }
            // "<name> missing", or a tree where a file was expected.
            _ if header.trim_end().ends_with(" missing") => None,
            _ => return Err(std::io::Error::other(format!("git cat-file answered {header:?}"))),
        };
        found.insert(request.clone(), bytes);
    }
    drop(out);
    writer.join().map_err(|_| std::io::Error::other("writer panicked"))??;
    child.wait()?;
    Ok(found)
}

/// How `git cat-file` is to name each requested file. `commit:./path` makes git walk the
/// commit's trees for every name (10,000 names: 2.2 s), so the files of a commit with many
/// requests (a bulk edit) are looked up with one `git ls-tree` and named by blob id (0.3 s).
fn object_names(dir: &Path, requests: &[(String, String)]) -> Vec<String> {
    const MANY: usize = 16;
    let mut per_commit: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
    for (commit, path) in requests {
        per_commit.entry(commit.as_str()).or_default().insert(path.as_str());
    }
    let mut blobs: HashMap<(&str, &str), String> = HashMap::new();
    for (&commit, wanted) in per_commit.iter().filter(|(_, paths)| paths.len() >= MANY) {
        let Ok(listing) = crate::git::git(dir, &["ls-tree", "-r", "-z", commit]) else { continue };
        for entry in listing.split(|&b| b == 0) {
            let Some((meta, path)) = std::str::from_utf8(entry).ok().and_then(|e| e.split_once('\t')) else { continue };
            if let Some(&path) = wanted.get(path) {
                blobs.insert((commit, path), meta.rsplit(' ').next().unwrap_or_default().to_string());
            }
        }
    }
    requests
        .iter()
        .map(|(commit, path)| {
            blobs.get(&(commit.as_str(), path.as_str())).cloned().unwrap_or_else(|| format!("{commit}:./{path}"))
        })
        .collect()
}

/// Files under `dir` that differ from `rev` in the working tree or the index (`None` when
/// git cannot tell, so that every commit is read).
fn modified_since(dir: &Path, rev: &str) -> Option<std::collections::HashSet<String>> {
    let out = crate::git::git(dir, &["diff", "--name-only", "-z", "--relative", rev, "--"]).ok()?;
    Some(out.split(|&b| b == 0).filter(|p| !p.is_empty()).map(|p| String::from_utf8_lossy(p).into_owned()).collect())
}
