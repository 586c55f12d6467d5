//! Embargoes while a change is rejected. The rejected change may have postponed or
//! withdrawn an embargo, and publishing early cannot be undone: an embargo that the
//! change could alter (its advisory's file or translations, or site.toml or
//! measures.toml) is held, loudly, until the change is fixed. Every other embargo lifts
//! on time from the last good content.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::Timestamp;

use crate::content::Content;
use crate::model::Advisory;

/// What a rejected change may alter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Touched {
    /// Everything, and why (the settings or the catalogue changed, or git failed).
    Everything(String),
    /// These advisory and translation files (paths in the folder).
    Files(BTreeSet<String>),
}

/// A rejected change: what it may alter, and the instant the live site stood for when
/// it came. What was public then stays public; an embargo after it that the change may
/// alter waits for the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) touched: Touched,
    pub(crate) since: Timestamp,
}

/// An embargo that is due and held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    pub(crate) id: String,
    pub(crate) due: Timestamp,
    pub(crate) why: String,
}

impl Rejection {
    /// Why `a` is held, if the change may alter it and it has an embargo after `since`.
    pub(crate) fn why_held(&self, a: &Advisory) -> Option<String> {
        if a.draft || !a.embargoes().any(|t| t > self.since) {
            return None;
        }
        match &self.touched {
            Touched::Everything(why) => Some(why.clone()),
            Touched::Files(files) => files
                .iter()
                .find(|f| is_file_of(f, a))
                .map(|f| format!("the rejected change touches {f}, which may alter its embargo")),
        }
    }

    /// Whether `a` is held.
    pub(crate) fn holds(&self, a: &Advisory) -> bool {
        self.why_held(a).is_some()
    }

    /// The held embargoes that are due at `now`, soonest first.
    pub(crate) fn due(&self, content: &Content, now: Timestamp) -> Vec<Held> {
        let mut held: Vec<Held> = content
            .all()
            .iter()
            .filter_map(|a| {
                let due = a.embargoes().filter(|t| *t > self.since).min()?;
                let why = self.why_held(a)?;
                (due <= now).then(|| Held { id: a.id.to_string(), due, why })
            })
            .collect();
        held.sort_by_key(|h| h.due);
        held
    }
}

/// Whether `file` (a path in the folder) is `a`'s own file or one of its translations,
/// present or to come: `YYYY/ID.md` or `YYYY/ID.LANG.md` beside it.
fn is_file_of(file: &str, a: &Advisory) -> bool {
    if file == a.path {
        return true;
    }
    let (folder, name) = (Path::new(file).parent(), Path::new(file).file_name().and_then(|n| n.to_str()));
    folder == Path::new(&a.path).parent()
        && name.and_then(|n| n.strip_prefix(a.id.as_str())).is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_holds_only_the_advisories_whose_files_it_touches() {
        let content = crate::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories")).unwrap();
        let embargoed = content.get("PK-2030-0001").unwrap();
        let since: Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
        let files = |f: &[&str]| Touched::Files(f.iter().map(|s| s.to_string()).collect());
        let rejection = |touched| Rejection { touched, since };
        assert!(rejection(files(&["2030/PK-2030-0001.md"])).holds(embargoed));
        assert!(rejection(files(&["2030/PK-2030-0001.ur.md"])).holds(embargoed), "a translation to come");
        assert!(!rejection(files(&["2025/PK-2025-0007.md"])).holds(embargoed), "another advisory");
        assert!(!rejection(files(&["2030/PK-2030-00011.md"])).holds(embargoed), "a longer id");
        assert!(rejection(Touched::Everything("site.toml changed".into())).holds(embargoed));
        let published = content.get("PK-2025-0007").unwrap();
        assert!(!rejection(files(&["2025/PK-2025-0007.md"])).holds(published), "nothing of it is still to come");
        let after: Timestamp = "2030-01-01T09:00:01Z".parse().unwrap();
        let due = rejection(files(&["2030/PK-2030-0001.md"])).due(&content, after);
        assert_eq!(due.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["PK-2030-0001"]);
    }
}
