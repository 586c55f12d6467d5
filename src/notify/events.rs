//! What subscribers are told about: an advisory becoming public, an update becoming
//! public, an advisory resolved or withdrawn. Each has a stable id, so that whatever
//! happens (a restart, a reverted publication, a change rejected and fixed) an event
//! is recorded, and told, once.

use jiff::Timestamp;

use super::Shown;
use crate::model::{Advisory, Status};
use crate::urls;

/// What happened to an advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// It became public (first publication or embargo lift).
    Published,
    /// One of its updates became public.
    Updated(Timestamp),
    /// Its status became `resolved`.
    Resolved,
    /// Its status became `withdrawn`.
    Withdrawn,
}

impl EventKind {
    /// The Standard Webhooks event type.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Published => "advisory.published",
            EventKind::Updated(_) => "advisory.updated",
            EventKind::Resolved => "advisory.resolved",
            EventKind::Withdrawn => "advisory.withdrawn",
        }
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable: `PK-2025-0007/published`, `PK-2025-0007/update/1753779600`,
    /// `PK-2025-0007/resolved`.
    pub id: String,
    /// The advisory.
    pub advisory: String,
    /// What happened.
    pub kind: EventKind,
}

/// Every event the live site shows as having happened: each public advisory's
/// publication, its public updates, and its status if resolved or withdrawn. The
/// notifier tells those it has not recorded yet.
pub fn shown(live: &Shown<'_>) -> Vec<Event> {
    let now = live.rendered_for;
    let mut out = Vec::new();
    // What the live site shows: a page held back by a rejected change is not public.
    let public = live.content.public_at(now).filter(|a| live.site.get(&urls::advisory(None, a.id.as_str())).is_some());
    for a in public {
        out.extend(of_advisory(a, now));
    }
    out
}

fn of_advisory(a: &Advisory, now: Timestamp) -> impl Iterator<Item = Event> + '_ {
    let id = a.id.as_str();
    let event =
        move |kind: EventKind, suffix: String| Event { id: format!("{id}/{suffix}"), advisory: id.to_string(), kind };
    let updates = a
        .updates
        .iter()
        .filter(move |u| u.date <= now)
        .map(move |u| event(EventKind::Updated(u.date), format!("update/{}", u.date.as_second())));
    let status = match a.status {
        Status::Resolved => Some(event(EventKind::Resolved, "resolved".into())),
        Status::Withdrawn => Some(event(EventKind::Withdrawn, "withdrawn".into())),
        _ => None,
    };
    std::iter::once(event(EventKind::Published, "published".into())).chain(updates).chain(status)
}
