//! Content problems with their position: what is wrong, where, and how to fix it.
//!
//! A [`Diagnostic`] points into a file by byte span; line and column are computed
//! once from the file text, so every output (terminal, JSON, `/_status`) agrees.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Stops `check`, `build` and a reload: what is published would be wrong.
    Error,
    /// Printed, never blocking (unless `check --deny-warnings`): readers are served,
    /// but less well than they could be.
    Warning,
}

/// One problem in the content, with its position and a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// An error or a warning.
    pub level: Level,
    /// Path relative to the advisories folder, with `/` separators.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Byte span in the file (empty when the whole file is meant).
    #[serde(skip)]
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Another place that explains this one (for example the first use of a duplicate id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// The text of one file, kept so diagnostics can show the offending line.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the advisories folder, with `/` separators.
    pub path: String,
    /// The file's text (lossily decoded if it was not UTF-8).
    pub text: String,
}

impl SourceFile {
    /// A source file with its display path.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self { path: path.into(), text: text.into() }
    }

    /// An error at `span` in this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_column(&self.text, span.start);
        Diagnostic {
            level: Level::Error,
            path: self.path.clone(),
            line,
            column,
            span,
            message: message.into(),
            help: None,
            note: None,
        }
    }

    /// A warning at `span` in this file.
    pub fn warning(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { level: Level::Warning, ..self.error(span, message) }
    }
}

impl Diagnostic {
    /// Adds how to fix the problem.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a pointer to a related place.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// The 1-based line and character column of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Every problem found in one run, with the sources needed to show them.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    sources: Vec<SourceFile>,
}

impl Diagnostics {
    /// Adds a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Keeps a file's text so its problems can be shown in context.
    pub fn add_source(&mut self, source: SourceFile) {
        self.sources.push(source);
    }

    /// Adds every problem (and source) of `other`, in order.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
        self.sources.extend(other.sources);
        self.sort();
    }

    /// True when there is neither an error nor a warning.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// True when there is an error (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.level == Level::Error)
    }

    /// The warnings alone, with the sources of their files.
    pub fn warnings(&self) -> Diagnostics {
        let items: Vec<Diagnostic> = self.items.iter().filter(|d| d.level == Level::Warning).cloned().collect();
        let sources = self.sources.iter().filter(|s| items.iter().any(|d| d.path == s.path)).cloned().collect();
        Diagnostics { items, sources }
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The problems, sorted by file and position.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Sorts by path, then position, and drops exact repeats.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.path, a.span.start, a.line, a.column, &a.message).cmp(&(
                &b.path,
                b.span.start,
                b.line,
                b.column,
                &b.message,
            ))
        });
        self.items.dedup();
    }

    /// Keeps only the problems in files for which `keep(path)` holds (a duplicate id
    /// is kept when either of its files is kept).
    pub fn retain_paths(mut self, keep: impl Fn(&str) -> bool) -> Self {
        self.items.retain(|d| keep(&d.path) || d.note.as_deref().is_some_and(|n| n.split(' ').any(&keep)));
        self
    }

    /// Renders every problem as rustc does: the message, the source line and a marker under the span.
    pub fn render_human(&self, color: bool) -> String {
        let mut files = SimpleFiles::new();
        let ids: Vec<_> =
            self.sources.iter().map(|s| (s.path.as_str(), files.add(s.path.clone(), s.text.clone()))).collect();
        let config = Config::default();
        let mut out = String::new();
        for d in &self.items {
            let cs = match d.level {
                Level::Error => CsDiagnostic::error(),
                Level::Warning => CsDiagnostic::warning(),
            };
            let mut cs = cs.with_message(&d.message);
            match ids.iter().find(|(p, _)| *p == d.path) {
                Some((_, id)) if !d.span.is_empty() || !files.get(*id).is_ok_and(|f| f.source().is_empty()) => {
                    cs = cs.with_labels(vec![Label::primary(*id, d.span.clone())]);
                }
                _ => {
                    cs = cs.with_notes(vec![format!("in {}:{}:{}", d.path, d.line, d.column)]);
                }
            }
            let mut notes = Vec::new();
            if let Some(note) = &d.note {
                notes.push(format!("note: {note}"));
            }
            if let Some(help) = &d.help {
                notes.push(format!("help: {help}"));
            }
            cs.notes.extend(notes);
            let rendered = if color {
                let mut buf = term::termcolor::Buffer::ansi();
                term::emit_to_write_style(&mut buf, &config, &files, &cs)
                    .map(|()| String::from_utf8_lossy(buf.as_slice()).into_owned())
            } else {
                term::emit_into_string(&config, &files, &cs)
            };
            match rendered {
                Ok(text) => out.push_str(&text),
                Err(_) => {
                    let _ = writeln!(out, "error: {d}");
                }
            }
        }
        let count = |level: Level| {
            let mut paths: Vec<&str> =
                self.items.iter().filter(|d| d.level == level).map(|d| d.path.as_str()).collect();
            let n = paths.len();
            paths.sort_unstable();
            paths.dedup();
            (n, paths.len())
        };
        let ((errors, error_files), (warnings, warning_files)) = (count(Level::Error), count(Level::Warning));
        if errors > 0 || warnings == 0 {
            let _ =
                writeln!(out, "error: {errors} problem{} in {error_files} file{}", plural(errors), plural(error_files));
        }
        if warnings > 0 {
            let _ = writeln!(
                out,
                "warning: {warnings} warning{} in {warning_files} file{}",
                plural(warnings),
                plural(warning_files)
            );
        }
        out
    }

    /// Renders every problem as a JSON document for CI annotations; `ok` says whether
    /// the check passed (no error, and no warning under `--deny-warnings`).
    pub fn render_json(&self, ok: bool) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            version: u32,
            ok: bool,
            count: usize,
            diagnostics: &'a [Diagnostic],
        }
        let report = Report { version: 1, ok, count: self.items.len(), diagnostics: &self.items };
        serde_json::to_string_pretty(&report).unwrap_or_default()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The display form of `path` relative to `root`, with `/` separators.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf());
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\nاردو x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(line_column(text, x), (2, 6));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}
