//! Reading an advisory file: bytes to text (UTF-8, optional BOM, CRLF allowed)
//! and the split into TOML front matter between `+++` lines and the Markdown body.

use std::ops::Range;

use crate::diagnostics::{Diagnostic, SourceFile};

/// The parts of an advisory file, with their byte ranges in the file text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split<'t> {
    /// The opening `+++` line (without its line ending); "missing field" errors point here.
    pub(crate) opening: Range<usize>,
    /// The TOML between the delimiters.
    pub(crate) front_matter: &'t str,
    /// Where the front matter starts in the file.
    pub(crate) front_matter_offset: usize,
    /// The Markdown after the closing delimiter.
    pub(crate) body: &'t str,
    /// Where the body starts in the file.
    pub(crate) body_offset: usize,
}

/// Decodes file bytes as UTF-8, dropping a byte-order mark. On failure the
/// diagnostic points at the first invalid byte and the text is decoded lossily.
pub(crate) fn decode(path: &str, bytes: &[u8]) -> Result<SourceFile, (SourceFile, Diagnostic)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => {
            let valid = e.valid_up_to();
            let file = SourceFile::new(path, String::from_utf8_lossy(bytes).into_owned());
            // The lossy text has the same prefix, so `valid` is still the right offset.
            let d = file
                .error(valid..valid + '\u{FFFD}'.len_utf8(), "file is not valid UTF-8")
                .help("save the file as UTF-8 (most editors offer \"UTF-8\" under \"Save with encoding\")");
            Err((file, d))
        }
    }
}

/// Lines of `text` with their byte range, without the line ending (`\n` or `\r\n`).
fn lines(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let line = raw.trim_end_matches('\n').trim_end_matches('\r');
        let range = start..start + line.len();
        start += raw.len();
        (range, line)
    })
}

fn is_delimiter(line: &str) -> bool {
    line.trim_end() == "+++"
}

/// Splits a file into front matter and body, or says what is wrong with the delimiters.
pub(crate) fn split<'t>(file: &'t SourceFile) -> Result<Split<'t>, Diagnostic> {
    let text = file.text.as_str();
    if text.trim().is_empty() {
        return Err(file.error(0..0, "file is empty").help(
            "an advisory starts with a line `+++`, then its TOML fields, then `+++` and the Markdown body; `bulletin new` writes one for you",
        ));
    }
    let mut it = lines(text);
    let (opening, first) = it.next().unwrap_or((0..0, ""));
    if !is_delimiter(first) {
        return Err(file.error(opening, "the file does not start with the front-matter line `+++`").help(
            "put a line with only `+++` first, then the TOML fields, then another `+++` line before the Markdown body",
        ));
    }
    let front_matter_offset = opening.end + line_ending_len(text, opening.end);
    for (range, line) in it {
        if is_delimiter(line) {
            let body_offset = range.end + line_ending_len(text, range.end);
            return Ok(Split {
                opening,
                front_matter: &text[front_matter_offset..range.start],
                front_matter_offset,
                body: &text[body_offset..],
                body_offset,
            });
        }
    }
    Err(file
        .error(opening, "the front matter opened here is never closed")
        .help("add a line with only `+++` after the last front-matter field, before the Markdown body"))
}

fn line_ending_len(text: &str, at: usize) -> usize {
    let rest = &text.as_bytes()[at..];
    if rest.starts_with(b"\r\n") {
        2
    } else if rest.starts_with(b"\n") {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Result<(String, String), String> {
        let file = SourceFile::new("x.md", text);
        split(&file).map(|s| (s.front_matter.to_string(), s.body.to_string())).map_err(|d| d.message)
    }

    #[test]
    fn splits_table_driven() {
        type Case = (&'static str, Result<(&'static str, &'static str), &'static str>);
        let cases: &[Case] = &[
            ("+++\na = 1\n+++\nbody\n", Ok(("a = 1\n", "body\n"))),
            ("+++\r\na = 1\r\n+++\r\nbody\r\n", Ok(("a = 1\r\n", "body\r\n"))),
            ("+++\n+++\n", Ok(("", ""))),
            ("+++\na = 1\n+++", Ok(("a = 1\n", ""))),
            ("+++ \na = 1\n+++  \nb", Ok(("a = 1\n", "b"))),
            ("", Err("file is empty")),
            ("  \n\n", Err("file is empty")),
            ("a = 1\n+++\n", Err("the file does not start with the front-matter line `+++`")),
            ("+++\na = 1\n", Err("the front matter opened here is never closed")),
        ];
        for (input, want) in cases {
            let got = parts(input);
            let want = want.map(|(a, b)| (a.to_string(), b.to_string())).map_err(str::to_string);
            assert_eq!(got, want, "input {input:?}");
        }
    }

    #[test]
    fn decode_strips_bom_and_reports_invalid_utf8() {
        let ok = decode("a.md", b"\xEF\xBB\xBF+++\n").unwrap();
        assert_eq!(ok.text, "+++\n");
        let (_, d) = decode("a.md", b"+++\nti\xFFtle").unwrap_err();
        assert_eq!((d.line, d.column), (2, 3));
        assert_eq!(d.message, "file is not valid UTF-8");
    }
}
