//! What makes a query and a text match however they were typed: case folded;
//! Arabic-script letters folded to one form (an Arabic keyboard's ك ي ى ه ة and Urdu's
//! ک ی ے ہ ۃ are the same letters to a reader); diacritics (harakat), tatweel and
//! invisible joiners and marks removed; Urdu and Arabic-Indic digits read as 0–9;
//! English words stemmed ("leaked" finds "leak").

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// One character as search sees it: `None` when it is dropped (a diacritic, a joiner).
fn fold(c: char) -> Option<char> {
    Some(match c {
        // Kaf: Arabic kaf, Urdu keheh.
        'ك' | 'ک' => 'ک',
        // Yeh: Arabic yeh, alef maksura, Farsi/Urdu yeh, yeh barree, and the hamza seat.
        'ي' | 'ى' | 'ی' | 'ے' | 'ې' | 'ۍ' | 'ئ' | 'ۓ' => 'ی',
        // Heh: Arabic heh, heh goal, heh doachashmee, teh marbuta (and their forms).
        'ه' | 'ہ' | 'ۂ' | 'ۃ' | 'ة' | 'ھ' | 'ە' => 'ہ',
        // Alef with hamza or madda, wasla.
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ؤ' => 'و',
        // Urdu (extended) and Arabic-Indic digits.
        '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10)?,
        '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10)?,
        // Harakat, superscript alef, Quranic marks, tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0610}'..='\u{061A}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' => {
            return None;
        }
        // Zero-width joiners and direction marks.
        '\u{200B}'..='\u{200F}' | '\u{061C}' | '\u{2060}' | '\u{FEFF}' => return None,
        c => c,
    })
}

fn english() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The English stem of a word, remembered: a language has a few thousand words, and
/// indexing and snippets stem each of them over and over.
fn stem(word: &str) -> String {
    thread_local! {
        static STEMS: std::cell::RefCell<std::collections::HashMap<String, String>> = Default::default();
    }
    STEMS.with_borrow_mut(|stems| {
        if let Some(stem) = stems.get(word) {
            return stem.clone();
        }
        if stems.len() >= 100_000 {
            stems.clear();
        }
        let stem = english().stem(word).into_owned();
        stems.insert(word.to_string(), stem.clone());
        stem
    })
}

/// Words that match everything and say nothing ("my bank" is a search for "bank").
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "i", "in", "is", "it", "its", "me",
    "my", "of", "on", "or", "our", "that", "the", "their", "this", "to", "was", "we", "were", "with", "you", "your",
];

/// The search terms of `text`, in order: folded, split at anything that is not a
/// letter or digit, English words stemmed, stop words dropped.
pub fn terms(text: &str) -> Vec<String> {
    words(text).into_iter().filter_map(|(_, w)| term(&w)).collect()
}

/// The term of one folded word, or `None` for a stop word.
fn term(word: &str) -> Option<String> {
    if STOP_WORDS.contains(&word) {
        return None;
    }
    if word.chars().all(|c| c.is_ascii_alphabetic()) { Some(stem(word)) } else { Some(word.to_string()) }
}

/// The words of `text` with their byte ranges in it, each folded and lowercased.
pub fn words(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let folded = fold(c);
        match folded {
            // Dropped characters (diacritics, joiners) do not split a word.
            None => {}
            Some(f) if f.is_alphanumeric() => {
                if current.is_empty() {
                    start = i;
                }
                current.extend(f.to_lowercase());
            }
            Some(_) if !current.is_empty() => out.push((start..i, std::mem::take(&mut current))),
            Some(_) => {}
        }
    }
    if !current.is_empty() {
        out.push((start..text.len(), current));
    }
    out
}

/// Whether the word at hand (folded) is one of `terms`: the same term, or one a term
/// of three or more letters starts.
pub fn matches(word: &str, terms: &[String]) -> bool {
    // Stemming changes only a word's ending, so a term can match only a word that starts
    // with the term's first letter: most words of a snippet's sentences are not stemmed.
    let first = word.chars().next();
    if !terms.iter().any(|q| q.chars().next() == first) {
        return false;
    }
    term(word).is_some_and(|t| terms.iter().any(|q| t == *q || (q.chars().count() >= 3 && t.starts_with(q.as_str()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arabic_keyboard_finds_urdu_letters_and_the_reverse() {
        // "شناختی کارڈ" typed on an Arabic keyboard: Arabic yeh and kaf.
        assert_eq!(terms("شناختي كارڈ"), terms("شناختی کارڈ"));
        // Heh goal and Arabic heh; teh marbuta; yeh barree and alef maksura.
        assert_eq!(terms("ہیکنگ"), terms("هیکنگ"));
        assert_eq!(terms("معلومة"), terms("معلومہ"));
        assert_eq!(terms("لیے"), terms("لىى"));
    }

    #[test]
    fn diacritics_tatweel_joiners_and_digits_are_ignored() {
        assert_eq!(terms("مَعلُومات"), terms("معلومات"));
        assert_eq!(terms("معـــلومات"), terms("معلومات"));
        assert_eq!(terms("سم\u{200C}کارڈ"), terms("سمکارڈ"));
        assert_eq!(terms("۲۰۲۵"), ["2025"]);
        assert_eq!(terms("٢٠٢٥"), ["2025"]);
    }

    #[test]
    fn stemming_keeps_the_first_letter() {
        // What `matches` relies on, over the Snowball English vocabulary.
        let vocabulary = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/search/voc_en.txt"));
        let vocabulary = vocabulary.expect("tests/search/voc_en.txt");
        let words: Vec<&str> = vocabulary.lines().filter(|w| w.chars().all(|c| c.is_ascii_lowercase())).collect();
        assert!(words.len() > 29_000);
        for word in words {
            assert_eq!(stem(word).chars().next(), word.chars().next(), "{word}");
        }
    }

    #[test]
    fn english_is_case_folded_and_stemmed_and_stop_words_dropped() {
        assert_eq!(terms("Leaked"), terms("leak"));
        assert_eq!(terms("My BANK"), ["bank"]);
        assert_eq!(terms("PK-2025-0007"), ["pk", "2025", "0007"]);
        assert!(matches("jazzcash", &terms("jazz")));
        assert!(!matches("ja", &terms("jazz")));
    }
}
