//! User-interface strings per language, from `i18n/*.toml` compiled into the binary.
//! A missing key in any language fails to deserialize, and a test loads every language.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Kind, Severity, Status, Urgency, Verification};

/// Every UI string of one language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    /// Link to section
    pub section_link: String,
    /// English
    pub lang_name: String,
    /// Shown instead of a commit subject that may name an unpublished advisory.
    pub history_withheld: String,
    /// Heading of the git revision history.
    pub history_title: String,
    /// Text of the link to a measure's instructions.
    pub more_info: String,
    /// Skip to content
    pub skip_to_content: String,
    /// Main
    pub nav_label: String,
    /// Home
    pub nav_home: String,
    /// All advisories
    pub nav_archive: String,
    /// What should I do?
    pub nav_checklist: String,
    /// Subscribe
    pub nav_feeds: String,
    /// What should I do?
    pub what_should_i_do: String,
    /// Tick the kinds of data that leaked about you and get the steps to take, most urg
    pub what_should_i_do_text: String,
    /// Active advisories
    pub active_title: String,
    /// Latest advisories
    pub latest_title: String,
    /// No advisories yet.
    pub no_advisories: String,
    /// All advisories
    pub archive_title: String,
    /// Every published advisory, newest first.
    pub archive_intro: String,
    /// Jump to year
    pub jump_to_year: String,
    /// Page {n} of {total}
    pub page_n: String,
    /// Newer
    pub previous_page: String,
    /// Older
    pub next_page: String,
    /// Pages
    pub pagination: String,
    /// Severity
    pub severity: String,
    /// Status
    pub status: String,
    /// Type
    pub kind: String,
    /// Verification
    pub verification: String,
    /// Published
    pub published: String,
    /// Updated
    pub updated: String,
    /// Last updated
    pub last_updated: String,
    /// Who is affected
    pub affected: String,
    /// About {n} people
    pub affected_count: String,
    /// What data was exposed
    pub data_exposed: String,
    /// Details
    pub what_happened: String,
    /// What to do now
    pub checklist_title: String,
    /// Tick each step when you have done it. Your ticks stay on this device only; nothi
    pub checklist_intro: String,
    /// {done} of {total} done
    pub checklist_progress: String,
    /// Print this checklist
    pub print_checklist: String,
    /// Updates
    pub updates_title: String,
    /// Sources
    pub references_title: String,
    /// Related advisories
    pub related_title: String,
    /// How to recognise us
    pub channels_title: String,
    /// We publish only through these channels:
    pub channels_intro: String,
    /// We will never ask you for:
    pub never_ask_intro: String,
    /// You may republish this advisory under
    pub license_text: String,
    /// This translation does not include the latest update.
    pub translation_outdated: String,
    /// Read the English original
    pub read_original: String,
    /// Also in
    pub also_in: String,
    /// Page not found
    pub not_found_title: String,
    /// There is no page at this address. It may have moved, or the address may be misty
    pub not_found_text: String,
    /// Advisories tagged “{name}”
    pub tag_title: String,
    /// {name} severity advisories
    pub severity_title: String,
    /// Advisories that exposed: {name}
    pub data_title: String,
    /// {name} advisories
    pub kind_title: String,
    /// Topics
    pub tags_title: String,
    /// Protective-measures checklist
    pub checklist_page_title: String,
    /// Choose the kinds of your data that leaked. You get every step for them, without
    pub checklist_page_intro: String,
    /// Which of your data leaked?
    pub checklist_pick: String,
    /// Show my steps
    pub checklist_show: String,
    /// Steps for every kind of data
    pub checklist_all: String,
    /// Steps if your {name} leaked
    pub checklist_for: String,
    /// Only the steps for {name}
    pub checklist_class_link: String,
    /// Subscribe
    pub feeds_title: String,
    /// Feed
    pub feed_link: String,
    /// Feeds for newsrooms and feed readers. Every feed lists new advisories; the updat
    pub feeds_intro: String,
    /// Breach notifications and protective measures, published by the response team.
    pub footer_about: String,
    /// Contact
    pub contact: String,
    /// month abbreviations
    pub months: Vec<String>,
    /// Do now
    pub urgency_now: String,
    /// This week
    pub urgency_this_week: String,
    /// Keep doing
    pub urgency_ongoing: String,
    /// Critical
    pub severity_critical: String,
    /// High
    pub severity_high: String,
    /// Medium
    pub severity_medium: String,
    /// Low
    pub severity_low: String,
    /// Information
    pub severity_info: String,
    /// Active
    pub status_active: String,
    /// Monitoring
    pub status_monitoring: String,
    /// Resolved
    pub status_resolved: String,
    /// Withdrawn
    pub status_withdrawn: String,
    /// Data breach
    pub kind_data_breach: String,
    /// Credential theft
    pub kind_credential_theft: String,
    /// Scam alert
    pub kind_scam_alert: String,
    /// Vulnerability
    pub kind_vulnerability: String,
    /// Guidance
    pub kind_guidance: String,
    /// Confirmed
    pub verification_confirmed: String,
    /// Unverified
    pub verification_unverified: String,
    /// Disputed
    pub verification_disputed: String,
}

const SOURCES: &[(&str, &str)] =
    &[("en", include_str!("../../i18n/en.toml")), ("ur", include_str!("../../i18n/ur.toml"))];

/// Languages with UI strings.
pub fn languages() -> impl Iterator<Item = &'static str> {
    SOURCES.iter().map(|(l, _)| *l)
}

/// The strings of `lang`, falling back to English for a language without strings.
pub fn strings(lang: &str) -> &'static Strings {
    static LOADED: OnceLock<Vec<(&'static str, Strings)>> = OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, text)| {
                // The files are part of the binary and checked by a test, so this cannot fail at run time.
                let strings: Strings = toml::from_str(text).unwrap_or_else(|e| panic!("i18n/{lang}.toml: {e}"));
                (*lang, strings)
            })
            .collect()
    });
    loaded.iter().find(|(l, _)| *l == lang).or_else(|| loaded.first()).map(|(_, s)| s).expect("English strings")
}

/// Whether a language is written right to left.
pub fn is_rtl(lang: &str) -> bool {
    matches!(lang, "ur" | "ar" | "fa" | "ps" | "sd" | "he")
}

impl Strings {
    /// Fills `{name}`-style placeholders.
    pub fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
        let mut out = template.to_string();
        for (k, v) in pairs {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }

    /// Label of a severity.
    pub fn severity(&self, s: Severity) -> &str {
        match s {
            Severity::Critical => &self.severity_critical,
            Severity::High => &self.severity_high,
            Severity::Medium => &self.severity_medium,
            Severity::Low => &self.severity_low,
            Severity::Info => &self.severity_info,
        }
    }

    /// Label of a status.
    pub fn status(&self, s: Status) -> &str {
        match s {
            Status::Active => &self.status_active,
            Status::Monitoring => &self.status_monitoring,
            Status::Resolved => &self.status_resolved,
            Status::Withdrawn => &self.status_withdrawn,
        }
    }

    /// Label of a kind.
    pub fn kind(&self, k: Kind) -> &str {
        match k {
            Kind::DataBreach => &self.kind_data_breach,
            Kind::CredentialTheft => &self.kind_credential_theft,
            Kind::ScamAlert => &self.kind_scam_alert,
            Kind::Vulnerability => &self.kind_vulnerability,
            Kind::Guidance => &self.kind_guidance,
        }
    }

    /// Label of a verification state.
    pub fn verification(&self, v: Verification) -> &str {
        match v {
            Verification::Confirmed => &self.verification_confirmed,
            Verification::Unverified => &self.verification_unverified,
            Verification::Disputed => &self.verification_disputed,
        }
    }

    /// Label of an urgency.
    pub fn urgency(&self, u: Urgency) -> &str {
        match u {
            Urgency::Now => &self.urgency_now,
            Urgency::ThisWeek => &self.urgency_this_week,
            Urgency::Ongoing => &self.urgency_ongoing,
        }
    }

    /// "27 Jul 2025" in this language (UTC).
    pub fn date(&self, t: jiff::Timestamp) -> String {
        let d = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let month = self.months.get(d.month() as usize - 1).map_or("", String::as_str);
        format!("{} {} {}", d.day(), month, d.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_and_the_same_placeholders() {
        let en: toml::Table = toml::from_str(SOURCES[0].1).unwrap();
        for (lang, text) in SOURCES {
            let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let _: Strings = toml::from_str(text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            for (key, value) in &en {
                let other = table.get(key).unwrap_or_else(|| panic!("{lang} lacks {key}"));
                if let (Some(a), Some(b)) = (value.as_str(), other.as_str()) {
                    for p in ["{n}", "{total}", "{done}", "{name}"] {
                        assert_eq!(a.contains(p), b.contains(p), "{lang}.{key}: placeholder {p}");
                    }
                }
            }
            assert_eq!(strings(lang).months.len(), 12);
        }
    }
}
