//! The first reading of a long history, in this process: `git log` names the commits
//! (id, tree, parents and what a revision shows) and, while it is still writing, the
//! files each commit changed come from diffing its tree with its parent's, one thread
//! per core over runs of consecutive commits (a parent's trees are then still in that
//! thread's cache). The result is exactly what `git diff-tree` gives: a commit that
//! both adds and deletes files may hold a rename, which git finds by similarity of
//! contents, and a submodule change may be one git is configured to ignore, so those
//! few commits are asked of `git diff-tree -M`. Repositories with replaced objects,
//! SHA-256 ids or paths that are not UTF-8 are left to git altogether.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;

use jiff::Timestamp;

use super::objects::{self, Kind, ObjectStore, Oid, Reader};
use super::tree_diff::{self, Status};
use super::{Change, GitError, LoggedCommit, diff_tree, git, git_in};

/// Commits handed to a thread at a time.
const RUN: usize = 1000;
/// Diffing recurses once per folder level (at most [`tree_diff::MAX_DEPTH`]).
const WORKER_STACK: usize = 16 << 20;

/// One commit as `git log` names it.
struct Logged {
    id: String,
    tree: Oid,
    parents: Vec<Oid>,
    short: String,
    date: Timestamp,
    subject: String,
}

/// A run of commits and what diffing each found (or why it could not).
struct Diffed {
    number: usize,
    run: Vec<Logged>,
    found: Result<Vec<Found>, GitError>,
}

/// What diffing a commit found.
enum Found {
    Changes(Vec<Change>),
    /// Files added and deleted (git decides which are renames), or a submodule changed
    /// (git may be told to ignore it): this commit is asked of git.
    AskGit,
}

/// The commits reachable from `head` that changed files under `dir`, newest first.
pub(super) fn log_all(dir: &Path, head: &str) -> Result<Vec<LoggedCommit>, GitError> {
    let repo = git(dir, &["rev-parse", "--show-object-format", "--git-path", "objects", "--show-prefix"])?;
    let repo = std::str::from_utf8(&repo).map_err(|_| GitError("a path that is not UTF-8 is read by git".into()))?;
    // Exactly three lines: a path holding a newline is left to git.
    let [format, objects, prefix] = repo.strip_suffix('\n').unwrap_or(repo).split('\n').collect::<Vec<_>>()[..] else {
        return Err(GitError(format!("unexpected git rev-parse output: {repo:?}")));
    };
    if format != "sha1" {
        return Err(GitError(format!("object format {format} is read by git")));
    }
    // git reads replaced objects in place of the originals; this reader would not.
    let replaced = std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_none()
        && (std::env::var_os("GIT_REPLACE_REF_BASE").is_some()
            || !git(dir, &["for-each-ref", "--count=1", "--format=x", "refs/replace/"])?.is_empty());
    if replaced {
        return Err(GitError("replaced objects are read by git".into()));
    }
    let store = ObjectStore::open(&dir.join(objects))?;

    let mut log = git_in(dir)
        .args(["log", "--format=%H%x1f%T%x1f%P%x1f%h%x1f%cI%x1f%s", head])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    let mut runs: Vec<Diffed> = std::thread::scope(|scope| {
        let (done, results) = mpsc::channel();
        let mut workers = Vec::with_capacity(threads);
        let mut queues = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (queue, runs) = mpsc::channel::<(usize, Vec<Logged>)>();
            let (done, store) = (done.clone(), &store);
            let worker = std::thread::Builder::new().stack_size(WORKER_STACK).spawn_scoped(scope, move || {
                let mut reader = Reader::new(store);
                for (number, run) in runs {
                    let found = run.iter().map(|commit| changes(&mut reader, commit, prefix)).collect();
                    if done.send(Diffed { number, run, found }).is_err() {
                        break;
                    }
                }
            });
            match worker {
                Ok(worker) => workers.push(worker),
                Err(e) => {
                    return vec![Diffed { number: usize::MAX, run: Vec::new(), found: Err(GitError(e.to_string())) }];
                }
            }
            queues.push(queue);
        }
        drop(done);
        let read = read_log(log.stdout.take(), |number, run| {
            // A thread that stopped has reported why, or its share is missing below.
            let _ = queues[number % threads].send((number, run));
        });
        drop(queues);
        let mut runs: Vec<_> = results.iter().collect();
        if let Err(e) = read {
            runs.push(Diffed { number: usize::MAX, run: Vec::new(), found: Err(e) });
        }
        // Joined here, so that a thread that panicked is an error (and git is asked) rather
        // than a panic of the scope.
        if workers.into_iter().map(|w| w.join()).any(|joined| joined.is_err()) {
            runs.push(Diffed {
                number: usize::MAX,
                run: Vec::new(),
                found: Err(GitError("a history thread failed".into())),
            });
        }
        runs
    });
    if !log.wait().is_ok_and(|s| s.success()) {
        return Err(GitError(format!("git log {head} failed")));
    }
    runs.sort_by_key(|diffed| diffed.number);
    let mut commits = Vec::new();
    for (number, diffed) in runs.into_iter().enumerate() {
        let found = diffed.found?;
        if number != diffed.number {
            return Err(GitError("a history thread stopped early".into()));
        }
        commits.extend(diffed.run.into_iter().zip(found));
    }

    let asked: Vec<&str> =
        commits.iter().filter(|(_, f)| matches!(f, Found::AskGit)).map(|(c, _)| c.id.as_str()).collect();
    let mut answered: HashMap<String, LoggedCommit> =
        diff_tree(dir, &asked)?.into_iter().map(|c| (c.revision.hash.clone(), c)).collect();
    Ok(commits
        .into_iter()
        .filter_map(|(commit, found)| match found {
            Found::Changes(changes) if changes.is_empty() => None,
            Found::Changes(changes) => {
                Some(LoggedCommit::new(commit.id, commit.short, commit.date, commit.subject, changes))
            }
            Found::AskGit => answered.remove(&commit.id),
        })
        .collect())
}

/// Reads `git log` output as it is written and hands on runs of [`RUN`] commits, numbered.
fn read_log(
    stdout: Option<std::process::ChildStdout>,
    mut hand_on: impl FnMut(usize, Vec<Logged>),
) -> Result<(), GitError> {
    let stdout = stdout.ok_or_else(|| GitError("git log has no output".into()))?;
    let mut lines = std::io::BufReader::with_capacity(1 << 16, stdout);
    let mut line = Vec::new();
    let (mut run, mut number) = (Vec::with_capacity(RUN), 0);
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).map_err(|e| GitError(format!("git log: {e}")))? == 0 {
            break;
        }
        let record = String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line)).into_owned();
        run.push(parse_record(&record).ok_or_else(|| GitError(format!("unexpected git log output: {record:?}")))?);
        if run.len() == RUN {
            hand_on(number, std::mem::replace(&mut run, Vec::with_capacity(RUN)));
            number += 1;
        }
    }
    if !run.is_empty() {
        hand_on(number, run);
    }
    Ok(())
}

/// `%H %T %P %h %cI %s`, separated by U+001F.
fn parse_record(record: &str) -> Option<Logged> {
    let mut fields = record.splitn(6, '\u{1f}');
    let (id, tree, parents, short, date, subject) =
        (fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    Some(Logged {
        id: id.to_string(),
        tree: objects::parse_oid(tree.as_bytes())?,
        parents: parents
            .split(' ')
            .filter(|p| !p.is_empty())
            .map(|p| objects::parse_oid(p.as_bytes()))
            .collect::<Option<_>>()?,
        short: short.to_string(),
        date: date.parse().ok()?,
        subject: subject.to_string(),
    })
}

/// The files under `prefix` that `commit` changed.
fn changes(reader: &mut Reader, commit: &Logged, prefix: &str) -> Result<Found, GitError> {
    // Merges list no files, as in `git log`.
    let parent = match commit.parents[..] {
        [] => None,
        [parent] => Some(parent),
        _ => return Ok(Found::Changes(Vec::new())),
    };
    let old = match parent {
        Some(parent) => {
            let tree = tree_of(reader, &parent)?;
            tree_diff::subtree(reader, &tree, prefix)?
        }
        None => None,
    };
    let new = tree_diff::subtree(reader, &commit.tree, prefix)?;
    let mut changed = Vec::new();
    if old != new {
        tree_diff::diff(reader, old.as_ref(), new.as_ref(), &mut Vec::new(), &mut changed)?;
    }
    let has = |status| changed.iter().any(|c| c.status == status);
    if has(Status::Added) && has(Status::Deleted) || changed.iter().any(|c| c.submodule) {
        return Ok(Found::AskGit);
    }
    Ok(Found::Changes(
        changed.into_iter().map(|c| Change::Touched(String::from_utf8_lossy(&c.path).into_owned())).collect(),
    ))
}

/// The tree of a commit, from the commit object's first line (`tree ID`).
fn tree_of(reader: &mut Reader, commit: &Oid) -> Result<Oid, GitError> {
    match reader.read(commit)? {
        (Kind::Commit, data) => data
            .strip_prefix(b"tree ")
            .and_then(|rest| objects::parse_oid(rest.get(..40)?))
            .ok_or_else(|| GitError(format!("commit {} has no tree", hex::encode(commit)))),
        (kind, _) => Err(GitError(format!("{} is a {kind:?}, not a commit", hex::encode(commit)))),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Stdio;

    fn git(dir: &Path, args: &[&str]) -> String {
        git_with_input(dir, args, "")
    }

    /// Runs git in `dir` as a committer on a machine without git configuration, with
    /// `input` on its standard input; its output, trimmed.
    fn git_with_input(dir: &Path, args: &[&str], input: &str) -> String {
        let mut child = super::git_in(dir)
            .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "gc.auto=0"])
            .args(args)
            .env("GIT_AUTHOR_NAME", "Staff")
            .env("GIT_AUTHOR_EMAIL", "staff@advisories.test")
            .env("GIT_COMMITTER_NAME", "Staff")
            .env("GIT_COMMITTER_EMAIL", "staff@advisories.test")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run git");
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The changes read in this process, written as the cache writes them, must be
    /// byte for byte what `git diff-tree` gives.
    fn assert_same_as_git(dir: &Path, stage: &str) {
        assert_same_as_git_with(dir, stage, 10);
    }

    fn assert_same_as_git_with(dir: &Path, stage: &str, commits: usize) {
        let head = git(dir, &["rev-parse", "HEAD"]);
        let ours = super::log_all(dir, &head).unwrap_or_else(|e| panic!("{stage}: {e}"));
        let theirs = super::super::log_all_with_diff_tree(dir, &head).unwrap();
        assert!(theirs.len() >= commits, "{stage}: only {} commits", theirs.len());
        let (mut a, mut b) = (String::new(), String::new());
        super::super::write_log(&mut a, &ours);
        super::super::write_log(&mut b, &theirs);
        let records = |log: &str| log.split('\x1e').map(|r| r.replace(['\0', '\x1f'], "|")).collect::<Vec<_>>();
        let (ours, theirs) = (records(&a), records(&b));
        for (ours, theirs) in ours.iter().zip(&theirs) {
            assert_eq!(ours, theirs, "{stage}");
        }
        assert_eq!(ours.len(), theirs.len(), "{stage}");
    }

    /// How many trees the repository's one pack stores as deltas.
    fn tree_deltas(root: &Path) -> usize {
        let packs = root.join(".git/objects/pack");
        let idx = std::fs::read_dir(&packs)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"));
        let listing = git(root, &["verify-pack", "-v", idx.unwrap().to_str().unwrap()]);
        // `ID TYPE SIZE PACKED-SIZE OFFSET DEPTH BASE` for a delta.
        listing
            .lines()
            .filter(|l| l.split_whitespace().nth(1) == Some("tree") && l.split_whitespace().count() == 7)
            .count()
    }

    /// This reader declines `dir` (an error), and the history, read by git instead, is whole.
    fn assert_left_to_git(dir: &Path, why: &str, commits: usize) {
        let head = git(dir, &["rev-parse", "HEAD"]);
        assert!(super::log_all(dir, &head).is_err(), "{why}: not read in this process");
        let (mut a, mut b) = (String::new(), String::new());
        super::super::write_log(&mut a, &super::super::log_all(dir, &head).unwrap());
        super::super::write_log(&mut b, &super::super::log_all_with_diff_tree(dir, &head).unwrap());
        assert_eq!(a, b, "{why}");
        assert_eq!(a.matches('\x1e').count(), commits, "{why}");
    }

    /// Twelve commits of four files in `dir`.
    fn twelve_commits(root: &Path, dir: &Path) -> Vec<String> {
        std::fs::create_dir_all(dir).unwrap();
        (0..12)
            .map(|n| {
                std::fs::write(dir.join(format!("PK-{}.md", n % 4)), format!("revision {n}\n")).unwrap();
                git(root, &["add", "-A"]);
                git(root, &["commit", "-q", "-m", &format!("Revision {n}")]);
                git(root, &["rev-parse", "HEAD"])
            })
            .collect()
    }

    #[test]
    fn repositories_this_reader_does_not_know_are_read_by_git() {
        let tmp = tempfile::tempdir().unwrap();
        let sha256 = tmp.path().join("sha256");
        std::fs::create_dir(&sha256).unwrap();
        git(&sha256, &["init", "-q", "--object-format=sha256"]);
        twelve_commits(&sha256, &sha256);
        assert_left_to_git(&sha256, "SHA-256 object ids", 12);

        // A replaced commit that also adds a file: git reads the replacement.
        let replaced = tmp.path().join("replaced");
        std::fs::create_dir(&replaced).unwrap();
        git(&replaced, &["init", "-q"]);
        let commits = twelve_commits(&replaced, &replaced);
        git(&replaced, &["checkout", "-q", "-b", "other", &commits[0]]);
        std::fs::write(replaced.join("PK-1.md"), "revision 1\n").unwrap();
        std::fs::write(replaced.join("X.md"), "only in the replacement\n").unwrap();
        git(&replaced, &["add", "-A"]);
        git(&replaced, &["commit", "-q", "-m", "Replacement of revision 1"]);
        let replacement = git(&replaced, &["rev-parse", "HEAD"]);
        git(&replaced, &["checkout", "-q", "main"]);
        git(&replaced, &["replace", &commits[1], &replacement]);
        assert_left_to_git(&replaced, "replaced objects", 12);

        // A folder whose name is not UTF-8.
        use std::os::unix::ffi::OsStrExt;
        let bytes = tmp.path().join("bytes");
        std::fs::create_dir(&bytes).unwrap();
        git(&bytes, &["init", "-q"]);
        let folder = bytes.join(std::ffi::OsStr::from_bytes(b"adv\xff"));
        twelve_commits(&bytes, &folder);
        assert_left_to_git(&folder, "a folder name that is not UTF-8", 12);
    }

    #[test]
    fn modes_compare_as_git_canonicalises_them() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        git(root, &["init", "-q"]);
        let blob = |text: &str| {
            let file = root.join("blob.tmp");
            std::fs::write(&file, text).unwrap();
            git(root, &["hash-object", "-w", file.to_str().unwrap()])
        };
        let (a, mut parent) = (blob("a\n"), None::<String>);
        // Old trees stored group-writable files as 100664; git reads them as 100644.
        for (n, mode) in ["100664", "100644", "100664", "100755", "100775", "100644"].iter().enumerate() {
            let listing = format!("{mode} blob {a}\ta.md\n100644 blob {}\tb.md\n", blob(&format!("b {}\n", n / 2)));
            let tree = git_with_input(root, &["mktree"], &listing);
            let mut args = vec!["commit-tree", tree.as_str(), "-m", "mode"];
            if let Some(p) = &parent {
                args.extend(["-p", p.as_str()]);
            }
            parent = Some(git(root, &args));
        }
        git(root, &["update-ref", "refs/heads/main", parent.as_deref().unwrap()]);
        assert_same_as_git_with(root, "modes", 4);
    }

    #[test]
    fn folders_nested_deeper_than_git_allows_are_an_error_not_a_crash() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        git(root, &["init", "-q"]);
        let path = "d/".repeat(super::tree_diff::MAX_DEPTH + 10) + "PK-1.md";
        let import = format!(
            "commit refs/heads/main\ncommitter Staff <staff@advisories.test> 1700000000 +0000\ndata 4\ndeep\nM 100644 inline {path}\ndata 3\nhi\n\n"
        );
        git_with_input(root, &["fast-import", "--quiet"], &import);
        let head = git(root, &["rev-parse", "main"]);
        assert!(super::log_all(root, &head).is_err());
    }

    #[test]
    fn changes_read_in_process_are_the_ones_git_diff_tree_reports() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let adv = root.join("advisories");
        git(root, &["init", "-q"]);
        let write = |rel: &str, text: &str| {
            let path = adv.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let commit = |message: &str| {
            git(root, &["add", "-A"]);
            git(root, &["commit", "-q", "--allow-empty", "-m", message]);
        };
        let body = |n: usize| format!("+++\nid = \"PK-{n}\"\n+++\n\n{}\n", "A paragraph of the advisory.\n".repeat(20));
        // Trees of 40 entries, so that packing stores most of their versions as deltas.
        for n in 0..80 {
            write(&format!("{}/PK-{n:03}.md", 2024 + n % 2), &body(n));
        }
        std::fs::write(root.join("README.md"), "outside the folder\n").unwrap();
        commit("Add eighty advisories");
        for n in 0..30 {
            write(&format!("{}/PK-{:03}.md", 2024 + n % 2, n * 2 % 80), &format!("{}\nEdit {n}\n", body(n)));
            commit(&format!("Edit {n}"));
        }
        std::fs::write(root.join("README.md"), "only outside\n").unwrap();
        commit("Touch only a file outside the folder");
        commit("An empty commit");
        std::fs::remove_file(adv.join("2024/PK-010.md")).unwrap();
        commit("Delete one");
        git(root, &["mv", "advisories/2025/PK-011.md", "advisories/2025/PK-011-renamed.md"]);
        commit("Rename one exactly");
        std::fs::remove_file(adv.join("2024/PK-012.md")).unwrap();
        write("2024/PK-012-moved.md", &format!("{}\nMoved and edited\n", body(12)));
        write("2024/PK-900.md", "a new and different file\n");
        commit("Rename with an edit beside an unrelated new file");
        write("2026/PK-901.md", "a new year\n");
        commit("A new folder");
        std::fs::remove_dir_all(adv.join("2026")).unwrap();
        commit("The folder removed again");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(adv.join("2025/PK-013.md"), std::fs::Permissions::from_mode(0o755)).unwrap();
        commit("Mode change only");
        std::os::unix::fs::symlink("PK-013.md", adv.join("2025/latest.md")).unwrap();
        commit("A symbolic link");
        std::fs::remove_file(adv.join("2025/latest.md")).unwrap();
        write("2025/latest.md/index.md", "a file where a link was\n");
        commit("A file replaced by a folder of the same name");
        git(root, &["checkout", "-q", "-b", "side"]);
        write("2024/PK-020.md", "edited on a branch\n");
        commit("Edit on a branch");
        git(root, &["checkout", "-q", "main"]);
        write("2025/PK-021.md", "edited on main\n");
        commit("Edit on main");
        git(root, &["merge", "-q", "--no-ff", "-m", "Merge the branch", "side"]);
        write("2025/PK-021.md", "after the merge\n");
        commit("Edit after the merge");

        // A submodule that .gitmodules tells git to ignore, moved twice (its folder exists,
        // empty, as for a submodule not checked out).
        std::fs::create_dir_all(adv.join("mod")).unwrap();
        std::fs::write(
            root.join(".gitmodules"),
            "[submodule \"mod\"]\n\tpath = advisories/mod\n\turl = ./mod\n\tignore = all\n",
        )
        .unwrap();
        for n in 0..2 {
            let target = git(root, &["rev-parse", &format!("HEAD~{n}")]);
            git(root, &["update-index", "--add", "--cacheinfo", &format!("160000,{target},advisories/mod")]);
            write("2025/PK-021.md", &format!("beside the submodule {n}\n"));
            git(root, &["add", ".gitmodules", "advisories/2025/PK-021.md"]);
            git(root, &["commit", "-q", "-m", &format!("Submodule moved {n}")]);
        }

        assert_same_as_git(&adv, "loose objects");
        assert_same_as_git(root, "the folder is the repository's root");
        git(root, &["repack", "-adfq", "--depth=50", "--window=50"]);
        assert!(tree_deltas(root) > 20, "the pack stores trees as deltas");
        assert_same_as_git(&adv, "packed, deltas by offset");
        git(root, &["-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq"]);
        assert_same_as_git(&adv, "packed, deltas by object id");
        for n in 0..5 {
            write(&format!("2024/PK-{:03}.md", n * 2), &format!("{}\nLater edit {n}\n", body(n)));
            commit(&format!("Later edit {n}"));
        }
        assert_same_as_git(&adv, "a pack and loose objects");
    }
}
