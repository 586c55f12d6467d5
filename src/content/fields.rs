//! A reader over a spanned TOML table that collects every problem instead of
//! stopping at the first: missing keys, wrong types, unknown keys (with a
//! "did you mean"), placeholders left by `bulletin new`.

use std::cell::Cell;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, SourceFile};

/// The prefix `bulletin new` puts in every field it cannot fill in.
pub(crate) const PLACEHOLDER: &str = "TODO";

/// How many of `diags` are errors: a file whose parse added only warnings still loads.
pub(crate) fn errors(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.level == crate::diagnostics::Level::Error).count()
}

/// One TOML value with its absolute byte span in the file.
pub(crate) struct Value<'a, 'i> {
    pub(crate) value: &'a DeValue<'i>,
    pub(crate) span: Range<usize>,
}

/// A key, its value, and whether a reader asked for it.
type Entry<'a, 'i> = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>, Cell<bool>);

/// Reads the keys of one table; [`Fields::finish`] reports the keys nobody asked for.
pub(crate) struct Fields<'a, 'i> {
    entries: Vec<Entry<'a, 'i>>,
    /// Where "missing key" errors point: the table header or the front matter's opening line.
    anchor: Range<usize>,
    /// Added to every TOML span to make it a file offset.
    offset: usize,
    /// What the table is called in messages ("front matter", "[[references]] entry", "site.toml").
    pub(crate) what: String,
}

impl<'a, 'i> Fields<'a, 'i> {
    pub(crate) fn new(table: &'a DeTable<'i>, anchor: Range<usize>, offset: usize, what: impl Into<String>) -> Self {
        Self {
            entries: table.iter().map(|(k, v)| (k, v, Cell::new(false))).collect(),
            anchor,
            offset,
            what: what.into(),
        }
    }

    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    fn abs(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.offset..span.end + self.offset
    }

    /// The value under `key`, if present; marks the key as known.
    pub(crate) fn get(&self, key: &str) -> Option<Value<'a, 'i>> {
        self.entries.iter().find(|(k, _, _)| k.get_ref().as_ref() == key).map(|(_, v, used)| {
            used.set(true);
            Value { value: v.get_ref(), span: self.abs(v.span()) }
        })
    }

    /// Every key with its span and value, in file order; marks them all as known.
    pub(crate) fn entries(&self) -> Vec<(String, Range<usize>, Value<'a, 'i>)> {
        self.entries
            .iter()
            .map(|(k, v, used)| {
                used.set(true);
                (k.get_ref().to_string(), self.abs(k.span()), Value { value: v.get_ref(), span: self.abs(v.span()) })
            })
            .collect()
    }

    /// Where "missing key" problems of this table point.
    pub(crate) fn anchor(&self) -> Range<usize> {
        self.anchor.clone()
    }

    /// The value under `key`, or an error saying it is missing and what to write.
    pub(crate) fn required(
        &self,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        key: &str,
        example: &str,
    ) -> Option<Value<'a, 'i>> {
        self.required_with(file, diags, key, &format!("add a line `{key} = {example}`"))
    }

    /// [`Fields::required`] with the whole fix written by the caller. A missing key with a
    /// misspelt one in its place (`severty`) is one problem, reported by [`Fields::finish`]
    /// as an unknown field with "did you mean", not also as a missing one.
    pub(crate) fn required_with(
        &self,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        key: &str,
        help: &str,
    ) -> Option<Value<'a, 'i>> {
        let value = self.get(key);
        let misspelt = || {
            self.entries.iter().any(|(k, _, used)| !used.get() && did_you_mean(k.get_ref().as_ref(), [key]).is_some())
        };
        if value.is_none() && !misspelt() {
            diags.push(
                file.error(self.anchor.clone(), format!("missing required field `{key}` in {}", self.what))
                    .help(help.to_string()),
            );
        }
        value
    }

    /// Reports every key that no reader asked for, suggesting the nearest known one.
    pub(crate) fn finish(self, file: &SourceFile, diags: &mut Vec<Diagnostic>, known: &[&str]) {
        for (key, _, used) in &self.entries {
            if used.get() {
                continue;
            }
            let name = key.get_ref().as_ref();
            let mut d = file.error(self.abs(key.span()), format!("unknown field `{name}` in {}", self.what));
            d = match did_you_mean(name, known.iter().copied()) {
                Some(near) => d.help(format!("did you mean `{near}`?")),
                None => d.help(format!("remove it; the known fields are: {}", known.join(", "))),
            };
            diags.push(d);
        }
    }
}

impl<'a, 'i> Value<'a, 'i> {
    /// A string, or an error naming the expected type.
    pub(crate) fn string(&self, file: &SourceFile, diags: &mut Vec<Diagnostic>, key: &str) -> Option<String> {
        match self.value {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                diags.push(type_error(file, self.span.clone(), key, "a string in quotes", other));
                None
            }
        }
    }

    /// A non-empty string without a placeholder, trimmed.
    pub(crate) fn text(&self, file: &SourceFile, diags: &mut Vec<Diagnostic>, key: &str, help: &str) -> Option<String> {
        let s = self.string(file, diags, key)?;
        let trimmed = s.trim();
        if trimmed.is_empty() {
            diags.push(file.error(self.span.clone(), format!("`{key}` is empty")).help(help.to_string()));
            return None;
        }
        if trimmed.chars().any(|c| c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}') {
            diags.push(file.error(self.span.clone(), format!("`{key}` contains a control character")).help(
                "remove invisible control characters (often pasted from other programs) and write it on one line",
            ));
            return None;
        }
        if trimmed.starts_with(PLACEHOLDER) {
            diags.push(placeholder_error(file, self.span.clone(), key, help));
            return None;
        }
        Some(trimmed.to_string())
    }

    /// A boolean.
    pub(crate) fn boolean(&self, file: &SourceFile, diags: &mut Vec<Diagnostic>, key: &str) -> Option<bool> {
        match self.value {
            DeValue::Boolean(b) => Some(*b),
            other => {
                diags.push(type_error(file, self.span.clone(), key, "true or false (without quotes)", other));
                None
            }
        }
    }

    /// A non-negative integer.
    pub(crate) fn unsigned(&self, file: &SourceFile, diags: &mut Vec<Diagnostic>, key: &str) -> Option<u64> {
        match self.value {
            DeValue::Integer(i) => match u64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(n),
                Err(_) => {
                    diags.push(
                        file.error(self.span.clone(), format!("`{key}` must be a whole number of 0 or more"))
                            .help("write a number such as 2700000 (underscores like 2_700_000 are fine)"),
                    );
                    None
                }
            },
            other => {
                diags.push(type_error(file, self.span.clone(), key, "a whole number without quotes", other));
                None
            }
        }
    }

    /// An array of values with their spans.
    pub(crate) fn array(
        &self,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        key: &str,
        offset: usize,
    ) -> Option<Vec<Value<'a, 'i>>> {
        match self.value {
            DeValue::Array(items) => Some(
                items
                    .iter()
                    .map(|v| Value { value: v.get_ref(), span: v.span().start + offset..v.span().end + offset })
                    .collect(),
            ),
            other => {
                diags.push(type_error(file, self.span.clone(), key, "a list in square brackets", other));
                None
            }
        }
    }

    /// An array of strings.
    pub(crate) fn strings(
        &self,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        key: &str,
        offset: usize,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let items = self.array(file, diags, key, offset)?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match item.string(file, diags, &format!("{key}[]")) {
                Some(s) => out.push((s, item.span)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A date and time with an offset, as an instant.
    pub(crate) fn timestamp(
        &self,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        key: &str,
    ) -> Option<jiff::Timestamp> {
        let example = "2025-07-27T09:00:00Z";
        let dt = match self.value {
            DeValue::Datetime(dt) => dt,
            DeValue::String(s) if s.trim().starts_with(PLACEHOLDER) => {
                diags.push(placeholder_error(
                    file,
                    self.span.clone(),
                    key,
                    &format!("write the date and time without quotes, with `Z` or an offset, e.g. {key} = {example}"),
                ));
                return None;
            }
            DeValue::String(s) => {
                diags.push(
                    file.error(self.span.clone(), format!("`{key}` must be a TOML date-time, not a string"))
                        .help(unquoted_timestamp_help(key, s)),
                );
                return None;
            }
            other => {
                diags.push(type_error(
                    file,
                    self.span.clone(),
                    key,
                    "a date and time such as 2025-07-27T09:00:00Z",
                    other,
                ));
                return None;
            }
        };
        let (Some(date), Some(time)) = (dt.date, dt.time) else {
            let help = match dt.date {
                Some(date) => format!("add the time of day and `Z` (UTC) or an offset: {key} = {date}T09:00:00Z"),
                None => format!("write a full date and time with an offset, e.g. {key} = {example}"),
            };
            diags
                .push(file.error(self.span.clone(), format!("`{key}` needs both a date and a time of day")).help(help));
            return None;
        };
        let Some(offset) = dt.offset else {
            diags.push(
                file.error(self.span.clone(), format!("`{key}` has no UTC offset, so the instant is ambiguous"))
                    .help(format!("add `Z` for UTC or an offset such as `+05:00`: {key} = {dt}Z")),
            );
            return None;
        };
        let minutes: i32 = match offset {
            toml::value::Offset::Z => 0,
            toml::value::Offset::Custom { minutes } => minutes.into(),
        };
        let civil = jiff::civil::DateTime::new(
            date.year as i16,
            date.month as i8,
            date.day as i8,
            time.hour as i8,
            time.minute as i8,
            time.second.unwrap_or(0) as i8,
            time.nanosecond.unwrap_or(0) as i32,
        );
        let tz_offset = jiff::tz::Offset::from_seconds(minutes * 60);
        match (civil, tz_offset) {
            (Ok(civil), Ok(off)) => match off.to_timestamp(civil) {
                Ok(ts) => Some(ts),
                Err(e) => {
                    diags.push(file.error(self.span.clone(), format!("`{key}` is out of range: {e}")));
                    None
                }
            },
            _ => {
                diags.push(
                    file.error(self.span.clone(), format!("`{key}` is not a valid date and time"))
                        .help(format!("e.g. {key} = {example}")),
                );
                None
            }
        }
    }

    /// A table, read with [`Fields`].
    pub(crate) fn table(
        &self,
        file: &SourceFile,
        diags: &mut Vec<Diagnostic>,
        key: &str,
        offset: usize,
        what: String,
    ) -> Option<Fields<'a, 'i>> {
        match self.value {
            DeValue::Table(t) => Some(Fields::new(t, self.span.clone(), offset, what)),
            other => {
                diags.push(type_error(file, self.span.clone(), key, "a table", other));
                None
            }
        }
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

fn type_error(file: &SourceFile, span: Range<usize>, key: &str, expected: &str, found: &DeValue<'_>) -> Diagnostic {
    file.error(span, format!("`{key}` must be {expected}, found {}", type_name(found)))
        .help(format!("write `{key}` as {expected}"))
}

fn placeholder_error(file: &SourceFile, span: Range<usize>, key: &str, help: &str) -> Diagnostic {
    file.error(span, format!("`{key}` still holds the placeholder from `bulletin new`")).help(help.to_string())
}

/// The closest candidate to `word`, if any is close enough to be a likely typo.
pub fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(1) || c.starts_with(word) && word.len() >= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The fix for a date-time written in quotes, built from what the writer wrote: their
/// own date with the quotes removed, completed where it lacks a time or an offset.
fn unquoted_timestamp_help(key: &str, written: &str) -> String {
    let written = written.trim();
    match written.parse::<toml::value::Datetime>() {
        Ok(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(_), Some(_), Some(_)) => format!("remove the quotes: {key} = {dt}"),
            (Some(_), Some(_), None) => {
                format!("remove the quotes and add `Z` (UTC) or an offset such as `+05:00`: {key} = {dt}Z")
            }
            (Some(date), None, _) => {
                format!(
                    "remove the quotes and add the time of day and `Z` (UTC) or an offset: {key} = {date}T09:00:00Z"
                )
            }
            _ => format!("remove the quotes and write a date and time: {key} = 2025-07-27T09:00:00Z"),
        },
        Err(_) => format!(
            "remove the quotes and write the date as YYYY-MM-DD, the time and `Z` (UTC) or an offset, e.g. {key} = 2025-07-27T09:00:00Z"
        ),
    }
}

/// Parses `text` (front matter or a whole TOML file) and reports syntax errors at `offset`.
pub(crate) fn parse_toml<'i>(
    file: &SourceFile,
    text: &'i str,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<DeTable<'i>>> {
    match DeTable::parse(text) {
        Ok(table) => Some(table),
        Err(e) => {
            let span = e.span().map_or(offset..offset, |s| s.start + offset..s.end + offset);
            let message = e.message().trim().trim_end_matches('.').to_string();
            diags
                .push(file.error(span, format!("TOML syntax error: {message}")).help(
                    "check the quotes, brackets and `key = value` form on this line; strings need double quotes",
                ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_near_names() {
        let known = ["passwords", "phone-numbers", "email-addresses"];
        assert_eq!(did_you_mean("passwrods", known), Some("passwords"));
        assert_eq!(did_you_mean("phone-number", known), Some("phone-numbers"));
        assert_eq!(did_you_mean("bananas", known), None);
    }
}
