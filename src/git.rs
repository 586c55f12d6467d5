//! Git as the publishing system: the revision history of every advisory (what every
//! commit changed, read once with `git rev-list` and `git diff-tree`, kept in a cache
//! in the git folder and updated incrementally with `git log`), and the committed tree
//! of a branch, which `serve --git` publishes instead of the working copy.
//!
//! Everything goes through the `git` command line: it fetches, resets and checks out,
//! every staff machine has it, and it leaves no binary format for us to parse.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::Timestamp;

use crate::model::Revision;

/// Why a git operation failed; the cause is kept ([`std::error::Error::source`]).
#[derive(Debug)]
pub enum GitError {
    /// `git` could not be run, or its files could not be written.
    Io {
        /// What was being done, e.g. `cannot run git`.
        doing: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A git command ran and failed.
    Command {
        /// The command's arguments, e.g. `fetch --quiet origin`.
        args: String,
        /// What git printed on its standard error.
        stderr: String,
    },
    /// The repository cannot be published as asked (not a repository, detached HEAD).
    Setup(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The cause follows in the chain (`{:#}`-style printers and `error_chain`).
            GitError::Io { doing, .. } => f.write_str(doing),
            GitError::Command { args, stderr } => write!(f, "git {args}: {stderr}"),
            GitError::Setup(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for GitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GitError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl GitError {
    fn io(doing: impl Into<String>) -> impl FnOnce(std::io::Error) -> GitError {
        let doing = doing.into();
        move |source| GitError::Io { doing, source }
    }

    /// The error and its causes on one line: `cannot run git: No such file or directory`.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }
}

/// `git -C dir`, never prompting for credentials (nobody is there to answer).
fn git_in(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).env("GIT_TERMINAL_PROMPT", "0");
    command
}

/// Runs `git` in `dir` and returns its standard output.
pub fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = git_in(dir).args(args).output().map_err(GitError::io("cannot run git"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(GitError::Command { args: args.join(" "), stderr: String::from_utf8_lossy(&output.stderr).trim().into() })
    }
}

/// [`git`], stopped (and an error) when it has not finished within `timeout`.
fn git_within(dir: &Path, args: &[&str], timeout: std::time::Duration) -> Result<Vec<u8>, GitError> {
    use std::io::{Read, Seek};
    // Output goes to files, not pipes: a child blocked on a full pipe would never end.
    let temp = || tempfile::tempfile().map_err(GitError::io("cannot create a temporary file"));
    let (mut out, mut err) = (temp()?, temp()?);
    let share = |f: &std::fs::File| f.try_clone().map_err(GitError::io("cannot share a temporary file"));
    let mut child = git_in(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(share(&out)?)
        .stderr(share(&err)?)
        .spawn()
        .map_err(GitError::io("cannot run git"))?;
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(GitError::io("cannot wait for git"))? {
            Some(status) => break status,
            None if std::time::Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError::Command {
                    args: args.join(" "),
                    stderr: format!("no answer within {} s; stopped", timeout.as_secs_f64()),
                });
            }
            None => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    let read = |f: &mut std::fs::File| -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        f.rewind()?;
        f.read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let stdout = read(&mut out).map_err(GitError::io("cannot read what git wrote"))?;
    if status.success() {
        Ok(stdout)
    } else {
        let stderr = read(&mut err).unwrap_or_default();
        Err(GitError::Command { args: args.join(" "), stderr: String::from_utf8_lossy(&stderr).trim().into() })
    }
}

fn git_text(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    git(dir, args).map(|b| String::from_utf8_lossy(&b).trim().to_string())
}

/// Whether `dir` is inside a git work tree.
pub fn is_repository(dir: &Path) -> bool {
    git_text(dir, &["rev-parse", "--is-inside-work-tree"]).is_ok_and(|s| s == "true")
}

/// The commit `rev` names.
fn resolve(dir: &Path, rev: &str) -> Result<String, GitError> {
    git_text(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
}

/// Whether `older` is `newer` or one of its ancestors.
fn is_ancestor(dir: &Path, older: &str, newer: &str) -> bool {
    git(dir, &["merge-base", "--is-ancestor", older, newer]).is_ok()
}

/// The revision history of every file under a folder, by path relative to it, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    by_path: HashMap<String, Vec<Revision>>,
    /// The commit the history goes up to.
    pub head: Option<String>,
}

impl History {
    /// The history of `dir` at `rev` (e.g. `HEAD`), following renames. Reading every
    /// commit's changes is git's slowest work (a second for 30,000 commits), so the result
    /// is kept in the repository's git folder (`bulletin/history-*`, like git's own
    /// commit-graph): a later start reads the cache and only the commits made since.
    /// A cache that does not lead to `rev` (a force-push, another branch) is read again
    /// from git; one that cannot be written (a read-only repository) is skipped.
    pub fn load(dir: &Path, rev: &str) -> Result<Self, GitError> {
        let head = resolve(dir, rev)?;
        let cache = HistoryCache::locate(dir);
        let cached = cache.as_ref().and_then(HistoryCache::read);
        let commits = match cached {
            Some((cached_head, commits)) if cached_head == head => return Ok(Self::from_commits(head, commits)),
            Some((cached_head, mut older)) if is_ancestor(dir, &cached_head, &head) => {
                let range = format!("{cached_head}..{head}");
                let mut commits = parse_log(&git(dir, &[&LOG_ARGS[..], &[range.as_str()]].concat())?);
                commits.append(&mut older);
                commits
            }
            _ => log_all(dir, &head)?,
        };
        if let Some(cache) = &cache {
            cache.write(&head, &commits);
        }
        Ok(Self::from_commits(head, commits))
    }

    /// [`History::load`] without the cache: every commit is read from git.
    pub fn load_uncached(dir: &Path, rev: &str) -> Result<Self, GitError> {
        let head = resolve(dir, rev)?;
        let commits = log_all(dir, &head)?;
        Ok(Self::from_commits(head, commits))
    }

    /// The history from its commits, newest first.
    fn from_commits(head: String, commits: Vec<LoggedCommit>) -> Self {
        let mut history = History { by_path: HashMap::new(), head: Some(head) };
        // Newest first: a rename maps the old name onto the file's current name for every older commit.
        let mut current_name: HashMap<String, String> = HashMap::new();
        for commit in commits {
            let mut names = Vec::with_capacity(commit.changes.len());
            for change in &commit.changes {
                let (path, renamed_from) = match change {
                    Change::Touched(p) => (p.clone(), None),
                    Change::Renamed { from, to } => (to.clone(), Some(from.clone())),
                };
                let now_named = current_name.get(&path).cloned().unwrap_or(path);
                if let Some(from) = renamed_from {
                    current_name.insert(from, now_named.clone());
                }
                names.push(now_named);
            }
            // The commit's files under the names they have now, so a page can tell whether
            // they are all public.
            let revision = Revision { files: names.clone().into(), ..commit.revision };
            for name in names {
                history.by_path.entry(name).or_default().push(revision.clone());
            }
        }
        history
    }

    /// Brings the history from its head up to `rev`: only the new commits are read when
    /// the old head is an ancestor; after a force-push the history is read again.
    pub fn update(&mut self, dir: &Path, rev: &str) -> Result<(), GitError> {
        let new_head = resolve(dir, rev)?;
        let Some(old) = self.head.clone() else {
            *self = Self::load(dir, &new_head)?;
            return Ok(());
        };
        if old == new_head {
            return Ok(());
        }
        if !is_ancestor(dir, &old, &new_head) {
            *self = Self::load(dir, &new_head)?;
            return Ok(());
        }
        let range = format!("{old}..{new_head}");
        let log = git(dir, &[&LOG_ARGS[..], &[range.as_str()]].concat())?;
        // Oldest first, each commit goes in front of the file's history.
        for commit in parse_log(&log).into_iter().rev() {
            for change in commit.changes {
                let path = match change {
                    Change::Touched(p) => p,
                    Change::Renamed { from, to } => {
                        if let Some(older) = self.by_path.remove(&from) {
                            self.by_path.entry(to.clone()).or_default().extend(older);
                        }
                        self.rename_in_files(&from, &to);
                        to
                    }
                };
                self.by_path.entry(path).or_default().insert(0, commit.revision.clone());
            }
        }
        self.head = Some(new_head);
        Ok(())
    }

    /// Older commits list a renamed file under its new name, as a full load does, so
    /// that withholding subjects judges the file as it is now.
    fn rename_in_files(&mut self, from: &str, to: &str) {
        for revision in self.by_path.values_mut().flatten() {
            if revision.files.iter().any(|f| f == from) {
                revision.files = revision.files.iter().map(|f| if f == from { to } else { f }.to_string()).collect();
            }
        }
    }

    /// The revisions of a file, newest first.
    pub fn of(&self, path: &str) -> &[Revision] {
        self.by_path.get(path).map_or(&[], Vec::as_slice)
    }
}

/// `git log` of commits with the files they touched under the folder, renames detected.
/// `--relative` limits the files to the folder; a `-- .` pathspec would do the same but
/// makes git walk each tree twice (measured: 2.6 s instead of 1.5 s for 30,000 commits).
const LOG_FORMAT: &str = "--format=%x1e%H%x1f%h%x1f%cI%x1f%s";
const LOG_ARGS: [&str; 6] = ["log", LOG_FORMAT, "--name-status", "-M", "--relative", "-z"];
/// The same output as [`LOG_ARGS`] for the commit ids written to its standard input
/// (`--root`: the first commit's files count; merges show nothing, as in `git log`).
const DIFF_TREE_ARGS: [&str; 10] =
    ["diff-tree", "--stdin", "--root", "-r", "--abbrev", LOG_FORMAT, "--name-status", "-M", "--relative", "-z"];

/// The commits reachable from `head` that changed files under `dir`, newest first, as
/// one `git log` with [`LOG_ARGS`] gives them. Diffing trees is nearly all of git's cost
/// and takes one core per process (one `git log` of 30,000 commits: 2.7 s here), so
/// `git rev-list` streams the commit ids and runs of them go in turn to `DIFF_WORKERS`
/// `git diff-tree --stdin` processes, each parsed on its own thread (1.3 s). Runs of
/// consecutive commits keep git's cache of recently read trees useful (alternating
/// single commits costs a third more).
fn log_all(dir: &Path, head: &str) -> Result<Vec<LoggedCommit>, GitError> {
    use std::io::{BufRead, BufReader, Read, Seek, Write};
    use std::process::{Child, Stdio};

    const DIFF_WORKERS: usize = 2;
    const RUN: usize = 1500;
    let temp = || tempfile::tempfile().map_err(GitError::io("cannot create a temporary file"));
    // Each diff-tree writes to a file, not a pipe: `--stdin` flushes after every commit,
    // and waking a reader 30,000 times cost more than the diffs saved by running two.
    let mut workers: Vec<(Child, std::fs::File, std::fs::File)> = Vec::with_capacity(DIFF_WORKERS);
    for _ in 0..DIFF_WORKERS {
        let (out, err) = (temp()?, temp()?);
        let child = git_in(dir)
            .args(DIFF_TREE_ARGS)
            .stdin(Stdio::piped())
            .stdout(out.try_clone().map_err(GitError::io("cannot share a temporary file"))?)
            .stderr(err.try_clone().map_err(GitError::io("cannot share a temporary file"))?)
            .spawn()
            .map_err(GitError::io("cannot run git"))?;
        workers.push((child, out, err));
    }
    let mut rev_list = git_in(dir)
        .args(["rev-list", head])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(GitError::io("cannot run git"))?;

    let mut inputs: Vec<_> = workers.iter_mut().map(|(child, ..)| child.stdin.take()).collect();
    let mut order = Vec::new();
    let mut feed_error = None;
    let mut run = Vec::with_capacity(RUN * 41);
    let mut send = |run: &mut Vec<u8>, worker: usize| {
        if let Some(Err(e)) = inputs[worker].as_mut().map(|i| i.write_all(run)) {
            feed_error.get_or_insert(e);
        }
        run.clear();
    };
    if let Some(ids) = rev_list.stdout.take() {
        for id in BufReader::new(ids).lines() {
            let Ok(id) = id else { break };
            run.extend_from_slice(id.as_bytes());
            run.push(b'\n');
            order.push(id);
            if order.len().is_multiple_of(RUN) {
                send(&mut run, (order.len() / RUN - 1) % DIFF_WORKERS);
            }
        }
    }
    send(&mut run, (order.len() / RUN) % DIFF_WORKERS);
    drop(inputs); // end of input: each diff-tree finishes its last run and exits
    if !rev_list.wait().is_ok_and(|s| s.success()) {
        return Err(GitError::Command { args: format!("rev-list {head}"), stderr: "failed".into() });
    }
    let parsed: Vec<Result<Vec<LoggedCommit>, GitError>> = std::thread::scope(|scope| {
        let threads: Vec<_> = workers
            .into_iter()
            .map(|(mut child, mut out, mut err)| {
                scope.spawn(move || {
                    let status = child.wait().map_err(GitError::io("cannot wait for git diff-tree"))?;
                    let mut log = Vec::new();
                    if !status.success() {
                        let mut text = String::new();
                        let _ = err.rewind().and_then(|()| err.read_to_string(&mut text));
                        return Err(GitError::Command { args: "diff-tree --stdin".into(), stderr: text.trim().into() });
                    }
                    out.rewind()
                        .and_then(|()| out.read_to_end(&mut log))
                        .map_err(GitError::io("cannot read what git diff-tree wrote"))?;
                    Ok(parse_log(&log))
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join().unwrap_or_else(|_| Err(GitError::Setup("the thread reading git diff-tree failed".into())))
            })
            .collect()
    });
    if let Some(e) = feed_error {
        return Err(GitError::Io { doing: "cannot feed git diff-tree".into(), source: e });
    }
    let mut by_hash = HashMap::with_capacity(order.len());
    for commits in parsed {
        by_hash.extend(commits?.into_iter().map(|c| (c.revision.hash.clone(), c)));
    }
    Ok(order.iter().filter_map(|id| by_hash.remove(id)).collect())
}

/// The commits of a folder's history as of a head, kept in the repository's git folder
/// between runs, written in the format [`parse_log`] reads, so a cached history and one
/// read from git go through the same parser.
struct HistoryCache {
    file: PathBuf,
    /// The folder's path in the repository (`git log --relative` names files relative to it).
    prefix: String,
}

impl HistoryCache {
    const MAGIC: &'static str = "bulletin history cache 1";

    fn locate(dir: &Path) -> Option<Self> {
        let out = git_text(dir, &["rev-parse", "--absolute-git-dir", "--show-prefix"]).ok()?;
        let mut lines = out.lines();
        let git_dir = PathBuf::from(lines.next()?);
        let prefix = lines.next().unwrap_or("").to_string();
        let name = format!("history-{:016x}", xxhash_rust::xxh3::xxh3_64(prefix.as_bytes()));
        Some(Self { file: git_dir.join("bulletin").join(name), prefix })
    }

    /// The cached head and its commits, newest first; `None` if missing or not ours.
    fn read(&self) -> Option<(String, Vec<LoggedCommit>)> {
        let bytes = std::fs::read(&self.file).ok()?;
        let mut parts = bytes.splitn(4, |&b| b == b'\n');
        let (magic, prefix, head, log) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if magic != Self::MAGIC.as_bytes() || prefix != self.prefix.as_bytes() {
            return None;
        }
        let head =
            std::str::from_utf8(head).ok().filter(|h| h.len() >= 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))?;
        Some((head.to_string(), parse_log(log)))
    }

    /// Replaces the cache (a new file renamed over the old, so readers never see half of one).
    fn write(&self, head: &str, commits: &[LoggedCommit]) {
        let mut text = format!("{}\n{}\n{head}\n", Self::MAGIC, self.prefix);
        write_log(&mut text, commits);
        let written = self.file.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| {
            let mut temp = tempfile::NamedTempFile::new_in(self.file.parent().unwrap_or(Path::new(".")))?;
            std::io::Write::write_all(&mut temp, text.as_bytes())?;
            temp.persist(&self.file).map(|_| ()).map_err(|e| e.error)
        });
        if let Err(e) = written {
            tracing::debug!(file = %self.file.display(), error = %e, "history cache not written");
        }
    }
}

enum Change {
    Touched(String),
    Renamed { from: String, to: String },
}

struct LoggedCommit {
    revision: Revision,
    changes: Vec<Change>,
}

impl LoggedCommit {
    fn new(hash: String, short: String, date: Timestamp, subject: String, changes: Vec<Change>) -> Self {
        let files: Vec<String> = changes
            .iter()
            .map(|c| match c {
                Change::Touched(p) => p.clone(),
                // The old name of a renamed file is not a file of its own: the new name decides.
                Change::Renamed { to, .. } => to.clone(),
            })
            .collect();
        LoggedCommit {
            revision: Revision { hash, short, date, subject, files: files.into(), published: true },
            changes,
        }
    }
}

/// Writes commits in the format [`parse_log`] reads.
fn write_log(text: &mut String, commits: &[LoggedCommit]) {
    use std::fmt::Write as _;
    for c in commits {
        let r = &c.revision;
        let _ = write!(text, "\x1e{}\x1f{}\x1f{}\x1f{}\0", r.hash, r.short, r.date, r.subject);
        for change in &c.changes {
            let _ = match change {
                Change::Touched(path) => write!(text, "M\0{path}\0"),
                Change::Renamed { from, to } => write!(text, "R100\0{from}\0{to}\0"),
            };
        }
    }
}

/// Parses `git log --format=%x1e%H%x1f%h%x1f%cI%x1f%s --name-status -z`.
fn parse_log(log: &[u8]) -> Vec<LoggedCommit> {
    let mut out = Vec::new();
    for record in log.split(|&b| b == 0x1e).skip(1) {
        let mut fields = record.split(|&b| b == 0);
        let header = String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
        let mut parts = header.splitn(4, '\u{1f}');
        let (Some(hash), Some(short), Some(date), subject) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(date) = date.parse::<Timestamp>() else { continue };
        let mut changes = Vec::new();
        let rest: Vec<String> =
            fields.map(|f| String::from_utf8_lossy(f).trim_start_matches('\n').to_string()).collect();
        let mut i = 0;
        while i < rest.len() {
            let status = rest[i].as_str();
            if status.is_empty() {
                i += 1;
                continue;
            }
            if status.starts_with('R') || status.starts_with('C') {
                if let (Some(from), Some(to)) = (rest.get(i + 1), rest.get(i + 2)) {
                    changes.push(if status.starts_with('R') {
                        Change::Renamed { from: from.clone(), to: to.clone() }
                    } else {
                        Change::Touched(to.clone())
                    });
                }
                i += 3;
            } else {
                if let Some(path) = rest.get(i + 1) {
                    changes.push(Change::Touched(path.clone()));
                }
                i += 2;
            }
        }
        out.push(LoggedCommit::new(hash.into(), short.into(), date, subject.unwrap_or_default().to_string(), changes));
    }
    out
}

/// The files under `dir` changed since `rev` (committed, staged or not), relative to `dir`.
pub fn changed_since(dir: &Path, rev: &str) -> Result<Vec<String>, GitError> {
    let mut files: Vec<String> = Vec::new();
    for args in [
        vec!["diff", "--name-only", "--relative", "-z", rev, "--", "."],
        vec!["ls-files", "--others", "--exclude-standard", "-z", "--", "."],
    ] {
        let out = git(dir, &args)?;
        files.extend(out.split(|&b| b == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()));
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// The committed tree of a branch, checked out into a private folder that is replaced
/// whole on every update; `serve --git` loads its content from there, so uncommitted
/// edits in the working copy are never served.
#[derive(Debug)]
pub struct Checkout {
    /// The repository (any folder inside it).
    pub repo: PathBuf,
    /// The advisories folder's path inside the repository (`advisories` or empty).
    pub prefix: String,
    /// The remote to fetch from, if any.
    pub remote: Option<String>,
    /// The branch to publish.
    pub branch: String,
    /// How long a fetch may take.
    pub fetch_timeout: std::time::Duration,
    /// Where checked-out trees are kept: a private folder (mode 0700, random name),
    /// removed when the checkout is dropped.
    workdir: tempfile::TempDir,
}

impl Checkout {
    /// Prepares to publish `branch` (default: the current branch) of the repository around `dir`.
    pub fn new(
        dir: &Path,
        remote: Option<String>,
        branch: Option<String>,
        fetch_timeout: std::time::Duration,
    ) -> Result<Self, GitError> {
        if !is_repository(dir) {
            return Err(GitError::Setup(format!("{} is not inside a git repository", dir.display())));
        }
        let prefix = git_text(dir, &["rev-parse", "--show-prefix"])?.trim_end_matches('/').to_string();
        let top = PathBuf::from(git_text(dir, &["rev-parse", "--show-toplevel"])?);
        let branch = match branch {
            Some(b) => b,
            None => git_text(dir, &["symbolic-ref", "--short", "HEAD"])
                .map_err(|_| GitError::Setup("HEAD is detached: name the branch to publish with --branch".into()))?,
        };
        // Without --remote, the branch's upstream (as `git pull` would use it); a clone
        // that served its own local branch would never see a push.
        let remote = remote.or_else(|| {
            git_text(dir, &["config", "--get", &format!("branch.{branch}.remote")])
                .ok()
                .filter(|r| !r.is_empty() && r != ".")
        });
        let workdir = tempfile::Builder::new()
            .prefix("bulletin-git-")
            .tempdir()
            .map_err(GitError::io("cannot create a folder for checkouts"))?;
        Ok(Self { repo: top, prefix, remote, branch, fetch_timeout, workdir })
    }

    /// The ref that names the published tip.
    fn tip_ref(&self) -> String {
        match &self.remote {
            Some(remote) => format!("refs/remotes/{remote}/{}", self.branch),
            None => format!("refs/heads/{}", self.branch),
        }
    }

    /// Fetches the branch from the remote (nothing to do without one). A fetch that has
    /// not finished within `timeout` (a remote that accepts the connection and never
    /// answers) is stopped and is an error.
    pub fn fetch(&self, timeout: std::time::Duration) -> Result<(), GitError> {
        let Some(remote) = &self.remote else { return Ok(()) };
        let refspec = format!("+refs/heads/{0}:refs/remotes/{remote}/{0}", self.branch);
        git_within(&self.repo, &["fetch", "--quiet", "--no-tags", remote, &refspec], timeout).map(drop)
    }

    /// The commit to publish: the branch's tip as last fetched (or, without a remote, as
    /// committed locally). Reads only the local repository.
    pub fn tip(&self) -> Result<String, GitError> {
        git_text(&self.repo, &["rev-parse", "--verify", "--quiet", &format!("{}^{{commit}}", self.tip_ref())])
    }

    /// The files under the folder that differ between two commits (relative paths).
    pub fn changed_between(&self, from: &str, to: &str) -> Result<Vec<String>, GitError> {
        let dir = self.repo.join(&self.prefix);
        let out = git(&dir, &["diff", "--name-only", "--relative", "-z", from, to, "--", "."])?;
        Ok(out.split(|&b| b == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect())
    }

    /// Writes the advisories folder of `commit` into a fresh folder and returns its path.
    /// Removed files are gone because every commit gets a new folder.
    pub fn materialize(&self, commit: &str) -> Result<PathBuf, GitError> {
        let target = self.workdir.path().join(&commit[..commit.len().min(12)]);
        if target.exists() {
            return Ok(target.join(&self.prefix));
        }
        let staging = self.workdir.path().join(format!(".{commit}.tmp"));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(GitError::io(format!("cannot create {}", staging.display())))?;
        let index = staging.join(".index");
        let status = git_in(&self.repo)
            .args(["--work-tree"])
            .arg(&staging)
            .args([
                "checkout",
                "--quiet",
                "--force",
                commit,
                "--",
                if self.prefix.is_empty() { "." } else { &self.prefix },
            ])
            .env("GIT_INDEX_FILE", &index)
            .output()
            .map_err(GitError::io("cannot run git"))?;
        let _ = std::fs::remove_file(&index);
        if !status.status.success() {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(GitError::Command {
                args: format!("checkout {commit}"),
                stderr: String::from_utf8_lossy(&status.stderr).trim().into(),
            });
        }
        std::fs::rename(&staging, &target).map_err(GitError::io(format!("cannot rename {}", staging.display())))?;
        Ok(target.join(&self.prefix))
    }

    /// Removes checked-out trees other than `keep`.
    pub fn prune(&self, keep: &str) {
        let keep = &keep[..keep.len().min(12)];
        if let Ok(entries) = std::fs::read_dir(self.workdir.path()) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy() != keep {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
}
