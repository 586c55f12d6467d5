//! The shipped sample advisories are valid, and the model answers the questions later stages ask.

use std::path::Path;

use bulletin::content;
use bulletin::model::{MeasureSource, Severity, Urgency};

fn samples() -> content::Content {
    content::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories").as_path())
        .unwrap_or_else(|d| panic!("samples invalid:\n{}", d.render_human(false)))
}

#[test]
fn samples_are_valid_and_sorted_newest_first() {
    let c = samples();
    assert!(c.all().len() >= 6);
    assert!(c.all().windows(2).all(|w| w[0].published >= w[1].published));
    assert!(c.get("PK-2025-0007").is_some());
}

#[test]
fn drafts_and_embargoed_are_not_public() {
    let c = samples();
    let now: jiff::Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
    let public: Vec<_> = c.public_at(now).map(|a| a.id.as_str()).collect();
    assert!(!public.contains(&"PK-2026-0001"), "draft is public");
    assert!(!public.contains(&"PK-2030-0001"), "embargoed is public");
    assert!(public.contains(&"PK-2025-0007"));
    assert_eq!(c.next_embargo_lift(now), Some("2030-01-01T09:00:00Z".parse().unwrap()));
    let later: jiff::Timestamp = "2030-01-01T09:00:00Z".parse().unwrap();
    assert!(c.public_at(later).any(|a| a.id.as_str() == "PK-2030-0001"));
}

#[test]
fn lookups_by_tag_severity_kind_and_class() {
    let c = samples();
    let now: jiff::Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
    assert!(c.by_tag("telecom", now).any(|a| a.id.as_str() == "PK-2025-0007"));
    assert!(c.by_severity(Severity::Critical, now).any(|a| a.id.as_str() == "PK-2025-0004"));
    assert!(c.by_data_class("call-logs", now).all(|a| a.data.iter().any(|d| d.as_str() == "call-logs")));
}

#[test]
fn checklist_is_own_items_then_catalogue_without_duplicates_most_urgent_first() {
    let c = samples();
    let a = c.get("PK-2025-0007").unwrap();
    let list = &a.checklist;
    assert!(list.windows(2).all(|w| w[0].urgency <= w[1].urgency), "not sorted by urgency");
    let mut ids: Vec<_> = list.iter().map(|i| &i.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), list.len(), "duplicate ids");
    // Within "now", the advisory's own items come first.
    let first_now: Vec<_> = list.iter().filter(|i| i.urgency == Urgency::Now).collect();
    assert_eq!(first_now[0].source, MeasureSource::Advisory);
    assert!(list.iter().any(|i| matches!(i.source, MeasureSource::Catalogue { .. })));
    // The measures section is cut from the body: the checklist replaces it.
    assert!(!a.body.contains("Protective measures"));
    assert!(a.translations.contains_key("ur"));
}

#[test]
fn checklist_holds_every_catalogue_measure_of_the_exposed_classes() {
    let c = samples();
    for a in c.all() {
        for class in &a.data {
            for id in &c.catalogue.class(class.as_str()).unwrap().measures {
                let m = c.catalogue.measure(id).unwrap();
                assert!(
                    a.checklist.iter().any(|i| &i.id == id || i.text == m.text),
                    "{}: measure {id} of {} missing",
                    a.id,
                    class.as_str()
                );
            }
        }
    }
    let all = c.catalogue.checklist(&[], c.catalogue.classes.keys().map(String::as_str));
    assert_eq!(all.len(), c.catalogue.measures().count());
}

/// Issue 21: no step of any sample checklist repeats another (by the measure `check`
/// warns with), in either language's catalogue words.
#[test]
fn no_sample_checklist_repeats_a_step() {
    let c = samples();
    assert!(c.warnings.is_empty(), "{}", c.warnings.render_human(false));
    for a in c.all() {
        for (i, x) in a.checklist.iter().enumerate() {
            for y in &a.checklist[i + 1..] {
                let score = bulletin::model::similarity(&x.text, &y.text);
                assert!(score < bulletin::model::REPEAT_SIMILARITY, "{}: {score:.2}\n  {}\n  {}", a.id, x.text, y.text);
            }
        }
    }
}
