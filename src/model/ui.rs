//! The words of the user interface in each language of the site: [`Strings`] per
//! language, from `i18n/{lang}.toml` (built in for English and Urdu; the advisories
//! folder may add languages or change words), gathered in [`Ui`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::{Kind, Severity, Status, Urgency, Verification};

/// The user-interface words of every language of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ui {
    by_lang: BTreeMap<String, Arc<Strings>>,
    /// The language used where another has no words.
    default: String,
}

impl Ui {
    /// The words of each language; `default` must be among them.
    pub fn new(default: &str, by_lang: BTreeMap<String, Arc<Strings>>) -> Self {
        Self { by_lang, default: default.to_string() }
    }

    /// The words of `lang`, or of the default language.
    pub fn get(&self, lang: &str) -> &Strings {
        self.by_lang
            .get(lang)
            .or_else(|| self.by_lang.get(&self.default))
            .map(|s| &**s)
            .unwrap_or_else(|| Strings::english())
    }
}

/// Every UI string of one language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    /// `ltr` or `rtl`: the direction the language is written in.
    pub dir: String,
    /// The Open Graph locale, e.g. `en_US`, `ur_PK`.
    pub locale: String,
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
    /// `preview_draft` in i18n/en.toml.
    pub preview_draft: String,
    /// `preview_embargoed` in i18n/en.toml.
    pub preview_embargoed: String,
    /// `all_steps` in i18n/en.toml.
    pub all_steps: String,
    /// `verification_note_unverified` in i18n/en.toml.
    pub verification_note_unverified: String,
    /// `verification_note_disputed` in i18n/en.toml.
    pub verification_note_disputed: String,
    /// `latest_update` in i18n/en.toml.
    pub latest_update: String,
    /// `list_separator` in i18n/en.toml.
    pub list_separator: String,
    /// `list_and` in i18n/en.toml.
    pub list_and: String,
    /// `updates_feed` in i18n/en.toml.
    pub updates_feed: String,
    /// `updates_feed_description` in i18n/en.toml.
    pub updates_feed_description: String,
    /// `update_item` in i18n/en.toml.
    pub update_item: String,
    /// `untranslated` in i18n/en.toml.
    pub untranslated: String,
    /// `untranslated_note` in i18n/en.toml.
    pub untranslated_note: String,
    /// `feed_tag` in i18n/en.toml.
    pub feed_tag: String,
    /// `feed_severity` in i18n/en.toml.
    pub feed_severity: String,
    /// `feed_kind` in i18n/en.toml.
    pub feed_kind: String,
    /// `feed_data` in i18n/en.toml.
    pub feed_data: String,

    /// `feeds_whole_site` in i18n/en.toml.
    pub feeds_whole_site: String,
    /// `feeds_by_severity` in i18n/en.toml.
    pub feeds_by_severity: String,
    /// `feeds_by_kind` in i18n/en.toml.
    pub feeds_by_kind: String,
    /// `feeds_by_data` in i18n/en.toml.
    pub feeds_by_data: String,
    /// `feeds_by_topic` in i18n/en.toml.
    pub feeds_by_topic: String,
    /// `feed_all_label` in i18n/en.toml.
    pub feed_all_label: String,
    /// `feed_all_text` in i18n/en.toml.
    pub feed_all_text: String,
    /// `feed_updates_label` in i18n/en.toml.
    pub feed_updates_label: String,
    /// `feed_updates_text` in i18n/en.toml.
    pub feed_updates_text: String,
    /// `feed_atom_label` in i18n/en.toml.
    pub feed_atom_label: String,
    /// `feed_atom_text` in i18n/en.toml.
    pub feed_atom_text: String,
    /// `feed_json_label` in i18n/en.toml.
    pub feed_json_label: String,
    /// `feed_json_text` in i18n/en.toml.
    pub feed_json_text: String,
    /// `feed_api_label` in i18n/en.toml.
    pub feed_api_label: String,
    /// `feed_api_text` in i18n/en.toml.
    pub feed_api_text: String,
    /// Published
    pub published: String,
    /// Updated
    pub updated: String,
    /// Last updated
    pub last_updated: String,
    /// Happened
    pub occurred: String,
    /// Not known yet
    pub occurred_unknown: String,
    /// Discovered
    pub discovered: String,
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
    /// Looking for an advisory? Its address ends in an id like {id}: …
    pub not_found_ids: String,
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
    /// Advisories by email
    pub subscribe_title: String,
    /// We email you once, the moment an advisory is published or updated. Nothing else.
    pub subscribe_intro: String,
    /// Your email address
    pub subscribe_email: String,
    /// Which advisories
    pub subscribe_which: String,
    /// All advisories
    pub subscribe_all: String,
    /// High and critical only
    pub subscribe_high: String,
    /// Critical only
    pub subscribe_critical: String,
    /// Only when one of these leaked (tick none for all)
    pub subscribe_data: String,
    /// Only about these topics (tick none for all)
    pub subscribe_tags: String,
    /// Subscribe
    pub subscribe_button: String,
    /// We keep only your address, your choices and the dates. Every email has a link th
    pub subscribe_privacy: String,
    /// Email alerts are sent by the advisory server, and this copy of the site cannot s
    pub subscribe_needs_server: String,
    /// Enter one email address, such as name@example.com.
    pub subscribe_bad_email: String,
    /// Check your inbox. If this address can receive email, we have sent it a link to c
    pub subscribe_sent: String,
    /// Press the button to confirm that you want advisory emails at this address.
    pub subscribe_confirm: String,
    /// Confirm my subscription
    pub subscribe_confirm_button: String,
    /// Confirmed. We will email you the moment an advisory is published.
    pub subscribe_confirmed: String,
    /// Press the button to stop all advisory emails to this address. We will delete the
    pub unsubscribe_text: String,
    /// Unsubscribe
    pub unsubscribe_button: String,
    /// Done: we have deleted your address and will not email it again.
    pub unsubscribed: String,
    /// This link is not valid any more: it may have been used already, or the subscript
    pub subscribe_invalid: String,
    /// Too many requests. Please try again in an hour.
    pub subscribe_too_many: String,
    /// Update
    pub email_update: String,
    /// Do now:
    pub email_do_now: String,
    /// The advisory and all the steps:
    pub email_read: String,
    /// Stop these emails:
    pub email_stop: String,
    /// Confirm your advisory emails
    pub email_confirm_subject: String,
    /// Someone, probably you, asked for advisory emails at this address. To confirm, op
    pub email_confirm_text: String,
    /// If it was not you, ignore this email: nothing will be sent.
    pub email_confirm_ignore: String,
    /// Search
    pub nav_search: String,
    /// Search advisories
    pub search_title: String,
    /// Words to look for, or an advisory id
    pub search_label: String,
    /// Search
    pub search_button: String,
    /// {n} advisories for “{q}”
    pub search_results: String,
    /// 1 advisory for “{q}”
    pub search_one_result: String,
    /// {n} advisories (filters alone, no words)
    pub search_filtered: String,
    /// 1 advisory (filters alone, no words)
    pub search_filtered_one: String,
    /// No advisory matches. Try fewer or other words, or browse all advisories.
    pub search_none: String,
    /// Search on this copy of the site needs JavaScript, which is off or blocked in this browser. Browse all advisories, or the listings by severity, type and data:
    pub search_static: String,
    /// Search could not load its index. Check your connection and try again, or browse all advisories.
    pub search_failed: String,
    /// Narrow down
    pub search_narrow: String,
    /// Any
    pub search_any: String,
}

/// The built-in words: English and Urdu, from the repository's `i18n/` folder.
pub const BUILT_IN: &[(&str, &str)] =
    &[("en", include_str!("../../i18n/en.toml")), ("ur", include_str!("../../i18n/ur.toml"))];

/// "National ID" → "national ID"; "CNIC copies" stays (the first word is an acronym).
fn lowercase_initial(label: &str) -> String {
    let first_word = label.split_whitespace().next().unwrap_or_default();
    let mut chars = first_word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), Some(next)) if c.is_uppercase() && !next.is_uppercase() => {
            c.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_string(),
    }
}

impl Strings {
    /// The built-in English words (every key is there: a test checks it).
    pub fn english() -> &'static Strings {
        static ENGLISH: std::sync::OnceLock<Strings> = std::sync::OnceLock::new();
        ENGLISH.get_or_init(|| toml::from_str(BUILT_IN[0].1).unwrap_or_else(|e| panic!("i18n/en.toml: {e}")))
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(&self) -> bool {
        self.dir == "rtl"
    }

    /// The `dir` attribute of the language's text: `rtl` or `ltr`.
    pub fn direction(&self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    /// Fills `{name}`-style placeholders.
    pub fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
        let mut out = template.to_string();
        for (k, v) in pairs {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }

    /// Labels as a list inside a sentence: "national ID (CNIC), phone numbers and call
    /// records". A label's capital is dropped unless the word is all capitals (an acronym);
    /// scripts without case are unchanged.
    pub fn list_in_sentence<S: AsRef<str>>(&self, labels: &[S]) -> String {
        let words: Vec<String> = labels.iter().map(|l| lowercase_initial(l.as_ref())).collect();
        match words.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{}{}{last}", init.join(&self.list_separator), self.list_and),
        }
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

    /// "1 Jan 2030 09:00 UTC" in this language.
    pub fn date_time(&self, t: jiff::Timestamp) -> String {
        let d = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        format!("{} {:02}:{:02} UTC", self.date(t), d.hour(), d.minute())
    }

    /// "27 Jul 2025" in this language (UTC).
    pub fn date(&self, t: jiff::Timestamp) -> String {
        self.day(t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
    }

    /// "27 Jul 2025" in this language.
    pub fn day(&self, d: jiff::civil::Date) -> String {
        let month = self.months.get(d.month() as usize - 1).map_or("", String::as_str);
        format!("{} {} {}", d.day(), month, d.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 26: "Steps if your national ID (CNIC) and phone numbers leaked", in each language.
    #[test]
    fn lists_of_data_classes_read_as_a_sentence() {
        let en = Strings::english();
        let ur: Strings = toml::from_str(BUILT_IN[1].1).unwrap();
        let fill =
            |t: &Strings, labels: &[&str]| Strings::fill(&t.checklist_for, &[("name", &t.list_in_sentence(labels))]);
        assert_eq!(fill(en, &["Passwords"]), "Steps if your passwords leaked");
        assert_eq!(
            fill(en, &["National ID (CNIC)", "Phone numbers"]),
            "Steps if your national ID (CNIC) and phone numbers leaked"
        );
        assert_eq!(
            en.list_in_sentence(&["CNIC copies", "Phone numbers", "Call records"]),
            "CNIC copies, phone numbers and call records"
        );
        assert_eq!(
            fill(&ur, &["شناختی کارڈ (CNIC)", "فون نمبر", "کال ریکارڈ"]),
            "شناختی کارڈ (CNIC)، فون نمبر اور کال ریکارڈ لیک ہونے کی صورت میں اقدامات"
        );
    }

    #[test]
    fn every_built_in_language_has_every_key_and_the_same_placeholders() {
        let en: toml::Table = toml::from_str(BUILT_IN[0].1).unwrap();
        for (lang, text) in BUILT_IN {
            let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let strings: Strings = toml::from_str(text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            for (key, value) in &en {
                let other = table.get(key).unwrap_or_else(|| panic!("{lang} lacks {key}"));
                if let (Some(a), Some(b)) = (value.as_str(), other.as_str()) {
                    for p in ["{n}", "{total}", "{done}", "{name}"] {
                        assert_eq!(a.contains(p), b.contains(p), "{lang}.{key}: placeholder {p}");
                    }
                }
            }
            assert_eq!(strings.months.len(), 12);
        }
    }
}
