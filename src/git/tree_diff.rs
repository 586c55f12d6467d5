//! The files that differ between two trees, as `git diff-tree -r` lists them (in tree
//! order, without rename detection), read through [`Reader`]. Subtrees with the same id
//! are skipped whole, so a commit that changes one file reads only the trees on its path.

use std::cmp::Ordering;

use super::GitError;
use super::objects::{Object, Oid, Reader};

/// How a file changed between two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Added,
    Deleted,
    /// Contents, mode or kind (file, link, submodule) changed.
    Modified,
}

/// One changed file.
pub(super) struct Changed {
    pub(super) status: Status,
    pub(super) path: Vec<u8>,
    /// A submodule (gitlink) on either side.
    pub(super) submodule: bool,
}

/// Folder levels below the diffed tree; git's own `core.maxTreeDepth` is 2048.
pub(super) const MAX_DEPTH: usize = 2048;

/// One entry of a tree: `MODE SP NAME NUL ID`, the mode canonical as git makes it.
#[derive(Clone, Copy)]
struct Entry<'a> {
    mode: u32,
    name: &'a [u8],
    id: &'a [u8],
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == 0o040000
    }

    fn is_submodule(&self) -> bool {
        self.mode == 0o160000
    }
}

/// git's `canon_mode`: old trees hold modes like 100664, which compare as 100644.
fn canonical_mode(mode: u32) -> u32 {
    match mode & 0o170000 {
        0o100000 if mode & 0o100 != 0 => 0o100755,
        0o100000 => 0o100644,
        0o120000 => 0o120000,
        0o040000 => 0o040000,
        _ => 0o160000,
    }
}

/// The entries of a tree object, in the order git stores them.
struct Entries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, GitError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let parsed = (|| {
            let space = memchr::memchr(b' ', self.rest)?;
            let nul = space + 1 + memchr::memchr(0, &self.rest[space + 1..])?;
            let mut mode = 0u32;
            for &digit in &self.rest[..space] {
                if !(b'0'..=b'7').contains(&digit) {
                    return None;
                }
                mode = mode.checked_mul(8)? + u32::from(digit - b'0');
            }
            let entry = Entry {
                mode: canonical_mode(mode),
                name: &self.rest[space + 1..nul],
                id: self.rest.get(nul + 1..nul + 21)?,
            };
            self.rest = &self.rest[nul + 21..];
            Some(entry)
        })();
        match parsed {
            Some(entry) => Some(Ok(entry)),
            None => {
                self.rest = &[];
                Some(Err(GitError("cannot read the object folder: a damaged tree".into())))
            }
        }
    }
}

/// Git's order of tree entries: by name, a tree's name as if it ended in `/`.
fn tree_order(a: &Entry, b: &Entry) -> Ordering {
    let len = a.name.len().min(b.name.len());
    a.name[..len].cmp(&b.name[..len]).then_with(|| {
        let next = |e: &Entry| match e.name.get(len) {
            Some(&c) => c,
            None if e.is_tree() => b'/',
            None => 0,
        };
        next(a).cmp(&next(b))
    })
}

/// The id of the tree at `path` (slash-separated, empty: the root itself) in the tree
/// `root`; `None` if there is no tree there.
pub(super) fn subtree(reader: &mut Reader, root: &Oid, path: &str) -> Result<Option<Oid>, GitError> {
    let mut id = *root;
    for component in path.split('/').filter(|c| !c.is_empty()) {
        let tree = reader.tree(&id)?;
        let mut found = None;
        for entry in (Entries { rest: &tree }) {
            let entry = entry?;
            if entry.name == component.as_bytes() {
                found = entry.is_tree().then(|| entry.id.try_into().ok()).flatten();
                break;
            }
        }
        match found {
            Some(next) => id = next,
            None => return Ok(None),
        }
    }
    Ok(Some(id))
}

/// Appends to `out` every file that differs between the trees `old` and `new` (either
/// may be absent: an empty tree), with its path: `base` followed by its path in the tree.
pub(super) fn diff(
    reader: &mut Reader,
    old: Option<&Oid>,
    new: Option<&Oid>,
    base: &mut Vec<u8>,
    out: &mut Vec<Changed>,
) -> Result<(), GitError> {
    diff_at(reader, old, new, base, out, 0)
}

fn diff_at(
    reader: &mut Reader,
    old: Option<&Oid>,
    new: Option<&Oid>,
    base: &mut Vec<u8>,
    out: &mut Vec<Changed>,
    depth: usize,
) -> Result<(), GitError> {
    if depth > MAX_DEPTH {
        return Err(GitError("folders nested too deep are read by git".into()));
    }
    let read = |reader: &mut Reader, id: Option<&Oid>| -> Result<Object, GitError> {
        id.map_or_else(|| Ok(Object::default()), |id| reader.tree(id))
    };
    let (old_tree, new_tree) = (read(reader, old)?, read(reader, new)?);
    // Two versions of a tree mostly differ in an entry or two: the entries in their common
    // first and last bytes are skipped without parsing them.
    let prefix = common_prefix(&old_tree, &new_tree);
    let start = entries_within(&old_tree, prefix);
    let (old_rest, new_rest) = (&old_tree[start..], &new_tree[start..]);
    let suffix = common_suffix(old_rest, new_rest);
    let (mut olds, mut news) = (Entries { rest: old_rest }, Entries { rest: new_rest });
    let (mut a_at, mut b_at) = (olds.rest, news.rest);
    let (mut a, mut b) = (olds.next().transpose()?, news.next().transpose()?);
    loop {
        if a_at.len() == b_at.len() && a_at.len() <= suffix {
            return Ok(()); // the rest of both trees is the same bytes from an entry's start
        }
        let order = match (&a, &b) {
            (None, None) => return Ok(()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => tree_order(x, y),
        };
        match order {
            Ordering::Less => {
                one_side(reader, a.as_ref(), Status::Deleted, base, out, depth)?;
                a_at = olds.rest;
                a = olds.next().transpose()?;
            }
            Ordering::Greater => {
                one_side(reader, b.as_ref(), Status::Added, base, out, depth)?;
                b_at = news.rest;
                b = news.next().transpose()?;
            }
            Ordering::Equal => {
                if let (Some(x), Some(y)) = (&a, &b)
                    && (x.id != y.id || x.mode != y.mode)
                {
                    if x.is_tree() {
                        within(base, x.name, |base| {
                            diff_at(reader, Some(&oid(x)?), Some(&oid(y)?), base, out, depth + 1)
                        })?;
                    } else {
                        let submodule = x.is_submodule() || y.is_submodule();
                        out.push(Changed { status: Status::Modified, path: path(base, x.name), submodule });
                    }
                }
                (a_at, b_at) = (olds.rest, news.rest);
                a = olds.next().transpose()?;
                b = news.next().transpose()?;
            }
        }
    }
}

/// Compared a block at a time: slice equality is a vectorised `memcmp`.
const BLOCK: usize = 128;

/// How many bytes `a` and `b` have in common at the start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= n && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..n].iter().zip(&b[at..n]).take_while(|(x, y)| x == y).count()
}

/// How many bytes `a` and `b` have in common at the end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut at = n;
    while at >= BLOCK && a[at - BLOCK..at] == b[at - BLOCK..at] {
        at -= BLOCK;
    }
    n - at + a[..at].iter().rev().zip(b[..at].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// Where the first entry of `tree` that does not end within its first `limit` bytes starts.
fn entries_within(tree: &[u8], limit: usize) -> usize {
    let mut at = 0;
    // Names hold no NUL and the mode no NUL: each entry ends 20 bytes after its first NUL.
    while let Some(nul) = memchr::memchr(0, &tree[at..limit.min(tree.len())]) {
        let end = at + nul + 21;
        if end > limit {
            break;
        }
        at = end;
    }
    at
}

/// An entry only one of the trees has: a file added or deleted, or every file of a subtree.
fn one_side(
    reader: &mut Reader,
    entry: Option<&Entry>,
    status: Status,
    base: &mut Vec<u8>,
    out: &mut Vec<Changed>,
    depth: usize,
) -> Result<(), GitError> {
    let Some(entry) = entry else { return Ok(()) };
    if !entry.is_tree() {
        out.push(Changed { status, path: path(base, entry.name), submodule: entry.is_submodule() });
        return Ok(());
    }
    let id = oid(entry)?;
    within(base, entry.name, |base| match status {
        Status::Added => diff_at(reader, None, Some(&id), base, out, depth + 1),
        _ => diff_at(reader, Some(&id), None, base, out, depth + 1),
    })
}

fn oid(entry: &Entry) -> Result<Oid, GitError> {
    entry.id.try_into().map_err(|_| GitError("cannot read the object folder: a damaged tree".into()))
}

fn path(base: &[u8], name: &[u8]) -> Vec<u8> {
    [base, name].concat()
}

/// Runs `f` with `name/` appended to `base`, then restores it.
fn within<T>(base: &mut Vec<u8>, name: &[u8], f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    let len = base.len();
    base.extend_from_slice(name);
    base.push(b'/');
    let result = f(base);
    base.truncate(len);
    result
}
