//! The words of the user interface for every language the site declares: the built-in
//! English and Urdu (`i18n/*.toml` of bulletin), changed or extended by the advisories
//! folder's own `i18n/{lang}.toml`. A new language is a file there, not code. A key a
//! language lacks is taken from the default language, with a warning naming it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};
use crate::model::{BUILT_IN_UI, Settings, Strings, Ui};

use super::files::{self, Refusal};

/// The words of every language in `settings`.
pub(super) fn load(
    root: &Path,
    canonical_root: &Path,
    settings: &Settings,
    report: &mut Diagnostics,
    diags: &mut Vec<Diagnostic>,
) -> Ui {
    let built_in = |lang: &str| -> Option<toml::Table> {
        BUILT_IN_UI.iter().find(|(l, _)| *l == lang).and_then(|(_, text)| toml::from_str(text).ok())
    };
    let english: toml::Table = built_in("en").unwrap_or_default();
    let default = built_in(&settings.default_language).unwrap_or_else(|| english.clone());
    let mut by_lang = BTreeMap::new();
    for lang in &settings.languages {
        let display = format!("i18n/{lang}.toml");
        let own = match files::read_file(
            &root.join("i18n").join(format!("{lang}.toml")),
            canonical_root,
            files::SETTINGS_MAX,
        ) {
            Ok(bytes) => match super::front_matter::decode(&display, &bytes) {
                Ok(file) => Some(file),
                Err((file, d)) => {
                    report.add_source(file);
                    diags.push(d);
                    None
                }
            },
            Err(Refusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(refusal) => {
                diags.push(refusal.diagnostic(&display));
                None
            }
        };
        let base = built_in(lang);
        let mut words = base.clone().unwrap_or_else(|| default.clone());
        match &own {
            Some(file) => {
                report.add_source(file.clone());
                if let Some(table) = own_words(file, &english, diags) {
                    let missing: Vec<&str> = english
                        .keys()
                        .map(String::as_str)
                        .filter(|k| !table.contains_key(*k) && base.as_ref().is_none_or(|b| !b.contains_key(*k)))
                        .collect();
                    if !missing.is_empty() {
                        diags.push(
                            file.warning(0..0, format!("words missing in {lang}: {}", missing.join(", ")))
                                .help("add them to this file; until then pages show the default language's words"),
                        );
                    }
                    words.extend(table);
                }
            }
            None if base.is_none() => diags.push(
                SourceFile::new(display.clone(), "")
                    .warning(0..0, format!("no words for the language `{lang}`: its pages use the default language's"))
                    .help(format!(
                        "add {display} with the keys of bulletin's i18n/en.toml (dir = \"ltr\" or \"rtl\", lang_name, …)"
                    )),
            ),
            None => {}
        }
        match toml::Value::Table(words).try_into::<Strings>() {
            Ok(strings) => {
                by_lang.insert(lang.clone(), Arc::new(strings));
            }
            Err(e) => diags.push(
                SourceFile::new(display, "")
                    .error(0..0, format!("the words of `{lang}` do not fit: {}", e.message()))
                    .help("every key takes text; `months` takes 12 names"),
            ),
        }
    }
    Ui::new(&settings.default_language, by_lang)
}

/// The keys of an `i18n/{lang}.toml`; an unknown key is an error (a typo would leave a
/// word untranslated).
fn own_words(file: &SourceFile, english: &toml::Table, diags: &mut Vec<Diagnostic>) -> Option<toml::Table> {
    let spanned = super::fields::parse_toml(file, &file.text, 0, diags)?;
    for (key, _) in spanned.get_ref().iter() {
        let name = key.get_ref().as_ref();
        if !english.contains_key(name) {
            let mut d = file.error(key.span(), format!("unknown word `{name}` in {}", file.path));
            d = match super::fields::did_you_mean(name, english.keys().map(String::as_str)) {
                Some(near) => d.help(format!("did you mean `{near}`?")),
                None => d.help("use the keys of bulletin's i18n/en.toml"),
            };
            diags.push(d);
        }
    }
    let table: toml::Table = toml::from_str(&file.text).ok()?;
    Some(table.into_iter().filter(|(key, _)| english.contains_key(key)).collect())
}
