//! The "Protective measures" section of an advisory body: its task-list items
//! become the advisory's own checklist items, and the section is cut from the
//! body because the page shows the combined checklist in its place.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::model::{ChecklistItem, MeasureSource, Urgency};

use super::fields::PLACEHOLDER;

/// Headings that open the section, per language.
const SECTION_HEADINGS: &[&str] = &["protective measures", "حفاظتی اقدامات"];

/// Sub-headings that set the urgency of the items below them.
const URGENCY_HEADINGS: &[(&str, Urgency)] = &[
    ("now", Urgency::Now),
    ("this week", Urgency::ThisWeek),
    ("ongoing", Urgency::Ongoing),
    ("ابھی", Urgency::Now),
    ("اس ہفتے", Urgency::ThisWeek),
    ("مستقل", Urgency::Ongoing),
];

/// The Markdown options every part of bulletin parses advisories with.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The body without its measures section, and the section's items.
pub(crate) struct Extracted {
    pub(crate) body: String,
    pub(crate) items: Vec<ChecklistItem>,
    /// Each item's span in the file, in the order of `items`.
    pub(crate) spans: Vec<Range<usize>>,
    /// The items that name the catalogue measure they refine (`- [ ] {id} …`): the
    /// item's index, and the span of `{id}`.
    pub(crate) refines: Vec<(usize, Range<usize>)>,
}

/// Finds the section in `body` (which starts at byte `offset` of `file`) and reads its items.
pub(crate) fn extract(file: &SourceFile, body: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> Extracted {
    let mut section: Option<Range<usize>> = None;
    let mut heading: Option<(HeadingLevel, usize, String)> = None;
    let mut urgency = Urgency::Now;
    let mut items: Vec<ChecklistItem> = Vec::new();
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut refines: Vec<(usize, Range<usize>)> = Vec::new();
    let mut item_depth = 0usize;
    let mut pending_item: Option<Range<usize>> = None;
    let mut stray: Vec<Range<usize>> = Vec::new();

    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, range.start, String::new())),
            Event::End(TagEnd::Heading(level)) => {
                let Some((_, start, text)) = heading.take() else {
                    continue;
                };
                let name = text.trim().to_lowercase();
                if let Some(open) = &mut section {
                    if level <= HeadingLevel::H2 {
                        open.end = start;
                        break;
                    }
                    urgency = URGENCY_HEADINGS.iter().find(|(h, _)| *h == name).map_or(urgency, |(_, u)| *u);
                } else if level == HeadingLevel::H2 && SECTION_HEADINGS.contains(&name.as_str()) {
                    section = Some(start..body.len());
                }
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, _, text)) = &mut heading {
                    text.push_str(&t);
                }
            }
            _ if section.is_none() => {}
            Event::Start(Tag::Item) => {
                item_depth += 1;
                if item_depth == 1 {
                    pending_item = Some(range);
                }
            }
            Event::End(TagEnd::Item) => item_depth = item_depth.saturating_sub(1),
            Event::TaskListMarker(_) if item_depth == 1 => {
                if let Some(item) = pending_item.take() {
                    read_item(file, body, offset, item, urgency, (&mut items, &mut spans, &mut refines), diags);
                }
            }
            Event::Start(Tag::Paragraph) if item_depth == 0 => stray.push(range),
            Event::End(TagEnd::List(_)) if item_depth == 0 => {
                if let Some(item) = pending_item.take() {
                    stray.push(item);
                }
            }
            _ => {
                if item_depth == 1 && matches!(event, Event::Text(_)) && pending_item.is_some() {
                    // A plain list item: the first text came before any task marker.
                    if let Some(item) = pending_item.take() {
                        stray.push(item);
                    }
                }
            }
        }
    }

    for range in stray {
        diags.push(
            file.error(range.start + offset..range.end + offset, "only task-list items belong in the protective-measures section")
                .help("write each measure as `- [ ] Do this.`; put explanations above the section, where they are shown as written"),
        );
    }

    let body = match section {
        Some(range) => {
            let mut out = String::with_capacity(body.len());
            out.push_str(body[..range.start].trim_end());
            out.push('\n');
            let rest = body[range.end..].trim_start();
            if !rest.is_empty() {
                out.push('\n');
                out.push_str(rest);
            }
            out
        }
        None => body.to_string(),
    };
    Extracted { body, items, spans, refines }
}

/// What [`read_item`] adds to: the items, their spans, and the refinements.
type ItemsOut<'o> = (&'o mut Vec<ChecklistItem>, &'o mut Vec<Range<usize>>, &'o mut Vec<(usize, Range<usize>)>);

fn read_item(
    file: &SourceFile,
    body: &str,
    offset: usize,
    range: Range<usize>,
    urgency: Urgency,
    (items, spans, refines): ItemsOut<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let source = &body[range.clone()];
    // Skip the bullet and the `[ ]` marker: the text starts after the first `]`.
    let text_start = source.find(']').map_or(0, |i| i + 1);
    let mut text: String = source[text_start..].split_whitespace().collect::<Vec<_>>().join(" ");
    let span = range.start + offset..range.end.min(range.start + source.trim_end().len()) + offset;
    // `{measure-id}` first: this step replaces that catalogue measure, under its id.
    let mut refined = None;
    if let Some(rest) = text.strip_prefix('{')
        && let Some((id, after)) = rest.split_once('}')
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        let at = source[text_start..].find('{').map_or(0, |i| i + text_start) + range.start + offset;
        refined = Some((id.to_string(), at..at + id.len() + 2));
        text = after.trim().to_string();
    }
    if text.is_empty() {
        diags.push(file.error(span, "empty checklist item").help("write what to do after `- [ ]`, or remove the line"));
        return;
    }
    if text.starts_with(PLACEHOLDER) {
        diags.push(file.error(span, "checklist item still holds the placeholder from `bulletin new`").help(
            "replace it with one concrete step, such as `- [ ] Change your email password from a clean device.`",
        ));
        return;
    }
    let id = match &refined {
        Some((id, _)) => id.clone(),
        None => {
            let base = slug(&text, 60);
            let mut id = base.clone();
            let mut n = 2;
            while items.iter().any(|i| i.id == id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        }
    };
    if let Some((_, at)) = refined {
        refines.push((items.len(), at));
    }
    spans.push(span);
    items.push(ChecklistItem { id, urgency, text, link: None, source: MeasureSource::Advisory });
}

/// A GitHub-style slug that keeps Unicode letters and digits (so Urdu text
/// stays readable), lowercases, and joins words with `-`; at most `max` characters.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || is_combining_mark(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            dash = true;
        }
        if out.chars().count() >= max {
            break;
        }
    }
    out
}

/// Marks that belong to the letter before them (Urdu vowel signs, for example).
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_keeps_unicode() {
        assert_eq!(slug("What happened?", 60), "what-happened");
        assert_eq!(slug("حفاظتی اقدامات", 60), "حفاظتی-اقدامات");
        assert_eq!(slug("  Check: SIMs (PTA) -- now! ", 60), "check-sims-pta-now");
    }

    #[test]
    fn extracts_items_with_urgency_and_cuts_section() {
        let body = "Intro.\n\n## Protective measures\n\n- [ ] Block unknown SIMs.\n\n### Ongoing\n\n- [ ] Be *careful* with\n  callers.\n\n## References\n\nMore.\n";
        let file = SourceFile::new("a.md", body);
        let mut diags = Vec::new();
        let out = extract(&file, body, 0, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(out.body, "Intro.\n\n## References\n\nMore.\n");
        let got: Vec<_> = out.items.iter().map(|i| (i.id.as_str(), i.urgency, i.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("block-unknown-sims", Urgency::Now, "Block unknown SIMs."),
                ("be-careful-with-callers", Urgency::Ongoing, "Be *careful* with callers."),
            ]
        );
    }

    #[test]
    fn reports_text_that_is_not_a_task() {
        let body = "## Protective measures\n\nSome words.\n\n- plain item\n- [ ] ok\n";
        let file = SourceFile::new("a.md", body);
        let mut diags = Vec::new();
        let out = extract(&file, body, 0, &mut diags);
        assert_eq!(out.items.len(), 1);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(diags[0].line, 3);
        assert_eq!(diags[1].line, 5);
    }
}
