//! A commit in an advisory file's history, as the advisory page lists it.

use jiff::Timestamp;
use serde::Serialize;

/// One commit that touched a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Revision {
    /// Full commit id.
    pub hash: String,
    /// Abbreviated commit id, as `git log` shows it.
    pub short: String,
    /// Committer date.
    pub date: Timestamp,
    /// First line of the commit message.
    pub subject: String,
    /// Every file under the folder the commit touched (relative paths), so a page can
    /// withhold the subject of a commit that also touched an unpublished advisory.
    #[serde(skip)]
    pub files: std::sync::Arc<[String]>,
    /// Whether readers saw the file as it was at this commit: made since publication, valid
    /// and not a draft (judged when content is loaded; `true` until then).
    #[serde(skip)]
    pub published: bool,
}
