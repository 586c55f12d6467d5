//! Advisory Markdown to safe HTML.
//!
//! Raw HTML in advisories is **escaped**, not sanitised: advisories are written in
//! Markdown by staff, so raw HTML is never needed, and escaping keeps any pasted
//! markup visible to the author instead of silently rewriting it (and costs no HTML
//! parser). Links and images are checked by scheme: only http(s), mailto, tel and
//! site-relative URLs survive; anything else (`javascript:`, `vbscript:`, `data:`)
//! drops the link and keeps its text. External links get `rel="noopener noreferrer"`.
//! Images from other origins become links, so a page never makes a third-party
//! request. Control characters are removed before parsing.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};
use std::borrow::Cow;

use crate::content::checklist::markdown_options;
use crate::content::links::{HeadingIds, UrlKind, classify};
use crate::model::Attachment;
use crate::urls;

/// How to render one document.
pub struct MarkdownOptions<'a> {
    /// The site's URL (`https://site/`), for feeds: links into the site are made
    /// absolute, resolved against `page`. `None` keeps them as written.
    pub absolute_base: Option<&'a str>,
    /// Accessible name of the "#" link next to each heading.
    pub section_link_label: &'a str,
    /// The site-absolute path of the page the document is shown on (`/advisories/ID/`).
    pub page: &'a str,
    /// The files published beside the page: links to them use their published name, and
    /// images get their width and height (no layout shift while they load).
    pub attachments: &'a [Attachment],
}

impl<'a> MarkdownOptions<'a> {
    /// Options for a document shown on `page` that has no files beside it.
    pub fn on(page: &'a str, section_link_label: &'a str) -> Self {
        Self { absolute_base: None, section_link_label, page, attachments: &[] }
    }

    /// The file beside the page that `url` names (`sms.png`, `./sms.png`), if any.
    fn attachment(&self, url: &str) -> Option<&'a Attachment> {
        let name = url.strip_prefix("./").unwrap_or(url);
        self.attachments.iter().find(|a| a.name == name)
    }

    /// The `href` or `src` of a link into the site.
    fn local(&self, url: &str) -> String {
        let url = match self.attachment(url) {
            Some(file) => file.published_name.as_str(),
            None => url,
        };
        match self.absolute_base {
            Some(base) if !url.starts_with('#') => match crate::content::links::resolve(self.page, url) {
                Some((path, fragment)) => {
                    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
                    format!("{}{fragment}", urls::absolute(base, &path))
                }
                None => url.to_string(),
            },
            _ => url.to_string(),
        }
    }
}

/// Escapes text for an HTML attribute value or text node.
pub fn escape_html(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Removes characters that must never reach HTML or XML: C0/C1 controls other than
/// tab, LF and CR, and the noncharacters U+FFFE and U+FFFF.
pub fn strip_controls(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    if s.chars().any(bad) { Cow::Owned(s.chars().filter(|&c| !bad(c)).collect()) } else { Cow::Borrowed(s) }
}

/// Renders Markdown to HTML under the rules of this module.
pub fn to_html(markdown: &str, options: &MarkdownOptions<'_>) -> String {
    convert(markdown, options)
}

fn convert(markdown: &str, options: &MarkdownOptions<'_>) -> String {
    let source = strip_controls(markdown);
    let events: Vec<Event<'_>> = Parser::new_ext(&source, markdown_options()).collect();
    let mut out_events: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut heading_ids = HeadingIds::default();
    // For each open link or image: whether its closing tag is kept (false = dropped).
    let mut link_stack: Vec<Option<&'static str>> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let event = events[i].clone();
        i += 1;
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => out_events.push(Event::Text(raw)),
            Event::Start(Tag::Link { dest_url, link_type, .. }) => match classify(&dest_url) {
                // `<help@example.org>`: the destination is the bare address.
                _ if link_type == pulldown_cmark::LinkType::Email => {
                    let href = escape_html(&format!("mailto:{dest_url}")).into_owned();
                    out_events.push(Event::InlineHtml(CowStr::from(format!("<a href=\"{href}\">"))));
                    link_stack.push(Some("</a>"));
                }
                UrlKind::Unsafe => link_stack.push(None),
                kind => {
                    let href = if kind == UrlKind::Local { options.local(&dest_url) } else { dest_url.to_string() };
                    let href = escape_html(&href).into_owned();
                    let rel = if kind == UrlKind::External { " rel=\"noopener noreferrer\"" } else { "" };
                    out_events.push(Event::InlineHtml(CowStr::from(format!("<a href=\"{href}\"{rel}>"))));
                    link_stack.push(Some("</a>"));
                }
            },
            Event::Start(Tag::Image { dest_url, title, .. }) => match classify(&dest_url) {
                UrlKind::Local => {
                    let src = escape_html(&options.local(&dest_url)).into_owned();
                    let size = options
                        .attachment(&dest_url)
                        .and_then(|a| a.size)
                        .map_or(String::new(), |(w, h)| format!(" width=\"{w}\" height=\"{h}\""));
                    let mut alt = String::new();
                    while i < events.len() && !matches!(events[i], Event::End(TagEnd::Image)) {
                        if let Event::Text(t) | Event::Code(t) = &events[i] {
                            alt.push_str(t);
                        }
                        i += 1;
                    }
                    i += 1;
                    let title =
                        if title.is_empty() { String::new() } else { format!(" title=\"{}\"", escape_html(&title)) };
                    out_events.push(Event::InlineHtml(CowStr::from(format!(
                        "<img src=\"{src}\" alt=\"{}\"{title}{size} loading=\"lazy\">",
                        escape_html(&alt)
                    ))));
                }
                UrlKind::External => {
                    let href = escape_html(&dest_url).into_owned();
                    out_events.push(Event::InlineHtml(CowStr::from(format!(
                        "<a href=\"{href}\" rel=\"noopener noreferrer\">"
                    ))));
                    link_stack.push(Some("</a>"));
                }
                UrlKind::Unsafe => link_stack.push(None),
            },
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(Some(close)) = link_stack.pop() {
                    out_events.push(Event::InlineHtml(CowStr::from(close)));
                }
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                let level = if level == HeadingLevel::H1 { HeadingLevel::H2 } else { level };
                let mut inner = Vec::new();
                let mut text = String::new();
                while i < events.len() && !matches!(events[i], Event::End(TagEnd::Heading(_))) {
                    match &events[i] {
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                    inner.push(match &events[i] {
                        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw.clone()),
                        other => other.clone(),
                    });
                    i += 1;
                }
                i += 1;
                let anchor = heading_ids.next(id.as_deref(), &text);
                let anchor = escape_html(&anchor).into_owned();
                out_events.push(Event::Html(CowStr::from(format!("<{level} id=\"{anchor}\">"))));
                // Links inside headings are kept as text: the heading carries its own anchor link.
                out_events.extend(inner.into_iter().filter(|e| {
                    !matches!(
                        e,
                        Event::Start(Tag::Link { .. } | Tag::Image { .. }) | Event::End(TagEnd::Link | TagEnd::Image)
                    )
                }));
                // Feeds (absolute links) get no anchor link: a reader has no use for it.
                let link = if options.absolute_base.is_some() {
                    String::new()
                } else {
                    format!(
                        // A no-break space keeps the "#" on the heading's last line.
                        "&#160;<a class=\"anchor\" href=\"#{anchor}\" aria-label=\"{}: {}\">#</a>",
                        escape_html(options.section_link_label),
                        escape_html(&text)
                    )
                };
                out_events.push(Event::Html(CowStr::from(format!("{link}</{level}>\n"))));
            }
            Event::TaskListMarker(done) => {
                out_events.push(Event::Text(CowStr::from(if done { "☑ " } else { "☐ " })))
            }
            Event::Start(Tag::Table(a)) => {
                out_events.push(Event::Html(CowStr::from("<div class=\"table-wrap\" tabindex=\"0\">")));
                out_events.push(Event::Start(Tag::Table(a)));
            }
            Event::End(TagEnd::Table) => {
                out_events.push(Event::End(TagEnd::Table));
                out_events.push(Event::Html(CowStr::from("</div>\n")));
            }
            other => out_events.push(other),
        }
    }
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out_events.into_iter());
    html
}

/// Renders one line of inline Markdown (a checklist item) without the wrapping `<p>`.
pub fn inline_to_html(markdown: &str, options: &MarkdownOptions<'_>) -> String {
    let html = to_html(markdown, options);
    let trimmed = html.trim();
    trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")).unwrap_or(trimmed).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        to_html(md, &MarkdownOptions::on("/advisories/X/", "Link"))
    }

    #[test]
    fn raw_html_is_escaped() {
        let out =
            html("<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> and <iframe src=//evil></iframe>\n");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img src=x"), "{out}");
        assert!(!out.contains("<iframe"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
    }

    #[test]
    fn unsafe_links_keep_only_their_text() {
        for url in
            ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "vbscript:x", "data:text/html,x"]
        {
            let out = html(&format!("[click]({url})"));
            assert!(!out.contains("<a"), "{url}: {out}");
            assert!(out.contains("click"), "{out}");
        }
        let img = html("![x](data:image/png;base64,AAAA)");
        assert!(!img.contains("<img") && !img.contains("data:"), "{img}");
    }

    #[test]
    fn external_links_get_rel_and_local_links_can_be_absolute() {
        let out = html("[a](https://example.org/) [b](/advisories/X/)");
        assert!(out.contains(r#"<a href="https://example.org/" rel="noopener noreferrer">a</a>"#), "{out}");
        assert!(out.contains(r#"<a href="/advisories/X/">b</a>"#), "{out}");
        let abs = to_html(
            "[b](/advisories/X/)",
            &MarkdownOptions { absolute_base: Some("https://s.test/"), ..MarkdownOptions::on("/advisories/Y/", "L") },
        );
        assert!(abs.contains(r#"href="https://s.test/advisories/X/""#), "{abs}");
    }

    #[test]
    fn third_party_images_become_links() {
        let out = html("![chart](https://tracker.example/pixel.png)");
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.contains(r#"<a href="https://tracker.example/pixel.png" rel="noopener noreferrer">chart</a>"#),
            "{out}"
        );
    }

    #[test]
    fn headings_get_unicode_ids_and_anchor_links() {
        let out = html("# Top\n\n## کیا ہوا\n\n## کیا ہوا\n");
        assert!(out.contains(r#"<h2 id="top">"#), "{out}");
        assert!(out.contains(r#"<h2 id="کیا-ہوا">"#), "{out}");
        assert!(out.contains(r#"<h2 id="کیا-ہوا-1">"#), "{out}");
        assert!(out.contains(r##"href="#کیا-ہوا""##), "{out}");
    }

    #[test]
    fn headings_drop_images_and_avoid_template_ids() {
        let out = html(
            "## Checklist\n\n## Photo ![x](https://tracker.example/p.gif)\n\n[a](/\\evil.example/) <help@example.org>\n",
        );
        assert!(!out.contains("<img") && !out.contains("tracker"), "{out}");
        assert!(out.contains(r#"id="checklist-1""#), "{out}");
        assert!(!out.contains("evil.example/\""), "{out}");
        assert!(out.contains(r#"<a href="mailto:help@example.org">"#), "{out}");
    }

    #[test]
    fn control_characters_never_reach_html() {
        let out = html("a\u{0}b\u{7}c\u{1b}[31m \u{85}\u{FFFE}d");
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    }

    #[test]
    fn tables_footnotes_strikethrough_tasks() {
        let out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n[^1]: note\n\n- [x] done\n");
        assert!(out.contains("<table>") && out.contains("table-wrap"), "{out}");
        assert!(out.contains("<del>old</del>"), "{out}");
        assert!(out.contains("footnote"), "{out}");
        assert!(out.contains("☑"), "{out}");
    }
}
