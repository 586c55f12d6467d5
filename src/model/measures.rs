//! The protective-measures catalogue and the checklist items built from it.

use indexmap::IndexMap;
use serde::Serialize;

use super::{DataClass, keyword_enum};

keyword_enum!(
    /// How soon a measure should be done; ordered most urgent first.
    Urgency {
        /// Today.
        Now => "now",
        /// Within the week.
        ThisWeek => "this-week",
        /// A habit to keep.
        Ongoing => "ongoing",
    }
);

/// One protective measure of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Measure {
    /// Stable id, unique in the catalogue; checklist progress is keyed by it.
    pub id: String,
    /// How soon.
    pub urgency: Urgency,
    /// What to do, in one or two sentences.
    pub text: String,
    /// Where to do it or read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// One data class of the catalogue and its measures in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DataClassInfo {
    /// The key used in advisories' `data`.
    pub key: DataClass,
    /// Short human label.
    pub label: String,
    /// What this data is.
    pub description: String,
    /// Ids of its measures, most urgent first.
    pub measures: Vec<String>,
}

/// The whole catalogue: data classes in file order and every measure by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// Data classes in the order of `measures.toml`.
    pub classes: IndexMap<String, DataClassInfo>,
    /// Every measure by id; private so that [`Catalogue::insert_measure`] keeps `normalized` in step.
    measures: IndexMap<String, Measure>,
    /// Each measure's text reduced to lowercase words, to spot an advisory item that repeats it.
    normalized: std::collections::HashMap<String, String>,
    /// The catalogue's words in the other languages (`measures.LANG.toml`).
    pub texts: std::collections::BTreeMap<String, CatalogueTexts>,
}

/// The catalogue in another language: what `measures.LANG.toml` translates. What it
/// leaves out is shown in the default language, marked as such.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CatalogueTexts {
    /// Data class key → (label, description).
    pub classes: std::collections::BTreeMap<String, (String, String)>,
    /// Measure id → text.
    pub measures: std::collections::BTreeMap<String, String>,
}

/// Hashes what the catalogue says, in file order (`normalized` is derived from it).
impl std::hash::Hash for Catalogue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.classes.len());
        for (key, class) in &self.classes {
            key.hash(state);
            class.hash(state);
        }
        state.write_usize(self.measures.len());
        for (id, measure) in &self.measures {
            id.hash(state);
            measure.hash(state);
        }
        self.texts.hash(state);
    }
}

impl Catalogue {
    /// Adds a measure (keeping the lookup of its normalised text current).
    pub fn insert_measure(&mut self, measure: Measure) {
        self.normalized.insert(measure.id.clone(), normalized(&measure.text));
        self.measures.insert(measure.id.clone(), measure);
    }

    /// The measure with this id.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.get(id)
    }

    /// A measure whose text is `text` in other words (case, punctuation, spacing).
    pub fn measure_with_text(&self, text: &str) -> Option<&Measure> {
        let wanted = normalized(text);
        self.normalized.iter().find(|(_, t)| **t == wanted).and_then(|(id, _)| self.measures.get(id))
    }

    /// Every measure, in definition order.
    pub fn measures(&self) -> impl Iterator<Item = &Measure> {
        self.measures.values()
    }

    /// The class with this key.
    pub fn class(&self, key: &str) -> Option<&DataClassInfo> {
        self.classes.get(key)
    }

    /// A class's label in `lang` (the default language's when untranslated); the key
    /// itself for an unknown class.
    pub fn label<'a>(&'a self, key: &'a str, lang: &str) -> &'a str {
        self.texts
            .get(lang)
            .and_then(|t| t.classes.get(key))
            .map(|(label, _)| label.as_str())
            .or_else(|| self.classes.get(key).map(|c| c.label.as_str()))
            .unwrap_or(key)
    }

    /// A class's description in `lang` (the default language's when untranslated).
    pub fn description(&self, key: &str, lang: &str) -> Option<&str> {
        self.texts
            .get(lang)
            .and_then(|t| t.classes.get(key))
            .map(|(_, description)| description.as_str())
            .or_else(|| self.classes.get(key).map(|c| c.description.as_str()))
    }

    /// A measure's text in `lang`, when it is translated into it.
    pub fn translated_text(&self, id: &str, lang: &str) -> Option<&str> {
        self.texts.get(lang).and_then(|t| t.measures.get(id)).map(String::as_str)
    }

    /// A checklist: the `own` steps (an advisory's, or none for the standalone
    /// checklist), then the measures of these classes in class order, leaving out any
    /// measure already there (same id, or the same words); most urgent first, and in
    /// the order above within an urgency. Every checklist is merged here: the page, the
    /// feeds, the API and the standalone checklist.
    pub fn checklist<'a>(
        &self,
        own: &[ChecklistItem],
        classes: impl IntoIterator<Item = &'a str>,
    ) -> Vec<ChecklistItem> {
        let mut items = own.to_vec();
        let mut texts: Vec<String> = items.iter().map(|i| normalized(&i.text)).collect();
        for key in classes {
            let Some(class) = self.classes.get(key) else {
                continue;
            };
            for id in &class.measures {
                let Some(m) = self.measures.get(id) else {
                    continue;
                };
                let text = self.normalized.get(id).map(String::as_str).unwrap_or_default();
                if items.iter().any(|i| i.id == m.id) || texts.iter().any(|t| t == text) {
                    continue;
                }
                texts.push(text.to_string());
                items.push(ChecklistItem {
                    id: m.id.clone(),
                    urgency: m.urgency,
                    text: m.text.clone(),
                    link: m.link.clone(),
                    source: MeasureSource::Catalogue { class: class.key.clone() },
                });
            }
        }
        // Stable: earlier items (the advisory's own) stay ahead within an urgency.
        items.sort_by_key(|i| i.urgency);
        items
    }
}

/// How alike two steps are in words, from 0 to 1: the share of their content words
/// they have in common (Jaccard, small words left out). Measured on the samples: steps
/// that repeat a catalogue measure score 0.39–0.70, unrelated ones at most 0.25.
pub fn similarity(a: &str, b: &str) -> f64 {
    const SMALL: &[&str] = &[
        "a", "an", "the", "to", "of", "and", "or", "your", "you", "for", "in", "on", "with", "is", "it", "be", "by",
        "as", "at", "from", "that", "this", "any", "if", "are", "was", "who", "what", "when", "which", "their", "them",
        "they", "its", "into", "than", "then", "so", "do", "does", "can", "may", "our", "we",
    ];
    let words = |t: &str| -> std::collections::BTreeSet<String> {
        t.split_whitespace()
            .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase())
            .filter(|w| !w.is_empty() && !SMALL.contains(&w.as_str()))
            .collect()
    };
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 { 0.0 } else { a.intersection(&b).count() as f64 / union as f64 }
}

/// Above this [`similarity`], an advisory's own step is taken for a repeat of a
/// catalogue measure (`check` warns).
pub const REPEAT_SIMILARITY: f64 = 0.35;

fn normalized(text: &str) -> String {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a checklist item came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum MeasureSource {
    /// Written in the advisory's own "Protective measures" section.
    Advisory,
    /// From the catalogue, for an exposed data class.
    Catalogue {
        /// The data class that brought it in.
        class: DataClass,
    },
}

/// One item of an effective checklist.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ChecklistItem {
    /// Stable id: the catalogue id, or a slug of the advisory's own text.
    pub id: String,
    /// How soon.
    pub urgency: Urgency,
    /// What to do. For the advisory's own items this is inline Markdown.
    pub text: String,
    /// Where to do it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Where it came from.
    #[serde(flatten)]
    pub source: MeasureSource,
}
