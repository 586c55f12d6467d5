//! Left-to-right runs in right-to-left pages. In an Urdu sentence, an embedded
//! "OTP", "PK-2025-0007" or "help@example.org" must be isolated, or the bidirectional
//! algorithm moves its neighbouring punctuation to the wrong end. Rather than mark each
//! field of each template, the finished page is read once: every run of Latin script in
//! its text is wrapped in `<bdi dir="ltr">`, except where it is already isolated or
//! marked as another language (`lang`, `<bdi>`, `<code>`, `<pre>`), and outside the
//! body (`<head>`, scripts, styles).
//!
//! The input is the HTML that bulletin's templates and Markdown renderer write: tags
//! well formed, attribute values quoted, `<` and `>` escaped in text and attributes.

/// Elements whose text is never touched.
const SKIPPED: &[&str] = &["head", "script", "style", "code", "pre", "bdi", "textarea", "svg"];
/// Elements without a closing tag.
const VOID: &[&str] = &["meta", "link", "input", "br", "img", "hr", "source", "wbr"];

/// `html` with every Latin run of its text isolated, for a page in `lang`.
pub(super) fn isolate_ltr(html: &str, lang: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    // Open elements, and whether each (or one of its ancestors) is skipped.
    let mut open: Vec<(&str, bool)> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let skipping = open.last().is_some_and(|(_, skip)| *skip);
        match rest.find('<') {
            Some(0) => {
                let end = rest.find('>').map_or(rest.len(), |i| i + 1);
                let tag = &rest[..end];
                out.push_str(tag);
                rest = &rest[end..];
                track(tag, lang, skipping, &mut open);
            }
            found => {
                let end = found.unwrap_or(rest.len());
                let text = &rest[..end];
                if skipping {
                    out.push_str(text)
                } else {
                    isolate_text(text, &mut out)
                }
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Follows the open elements across one tag.
fn track<'h>(tag: &'h str, lang: &str, skipping: bool, open: &mut Vec<(&'h str, bool)>) {
    if tag.starts_with("<!") || tag.starts_with("<?") {
        return;
    }
    if let Some(name) = tag.strip_prefix("</") {
        let name = name.trim_end_matches('>').trim();
        if let Some(at) = open.iter().rposition(|(n, _)| n.eq_ignore_ascii_case(name)) {
            open.truncate(at);
        }
        return;
    }
    let name_end =
        tag[1..].find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').map_or(tag.len(), |i| i + 1);
    let name = &tag[1..name_end];
    if VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) || tag.ends_with("/>") {
        return;
    }
    let other_language = lang_attribute(tag).is_some_and(|l| l != lang);
    let skip = skipping || other_language || SKIPPED.iter().any(|s| s.eq_ignore_ascii_case(name));
    open.push((name, skip));
}

/// The value of the `lang` attribute of `tag`, if it has one (double-quoted, as we write them).
fn lang_attribute(tag: &str) -> Option<&str> {
    const NEEDLE: &str = " lang=\"";
    let start = tag.find(NEEDLE)? + NEEDLE.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Copies `text` (escaped HTML text) to `out`, each Latin run wrapped in `<bdi dir="ltr">`.
/// A run starts at a Latin letter and goes on over letters, digits, entities and the
/// punctuation that joins words (`.-_/@:'+&,` and spaces), ending at its last letter or digit.
fn isolate_text(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() || inside_entity(bytes, i) {
            let next = i + utf8_len(bytes[i]);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        let mut j = i + 1;
        while j < bytes.len() {
            let b = bytes[j];
            if b.is_ascii_alphanumeric() {
                j += 1;
                end = j;
            } else if b == b'&' {
                // An entity (`&amp;`, `&#39;`) joins the words around it.
                match text[j..].find(';').filter(|n| *n <= 8) {
                    Some(n) => j += n + 1,
                    None => break,
                }
            } else if matches!(b, b' ' | b'.' | b'-' | b'_' | b'/' | b'@' | b':' | b'+' | b',') {
                j += 1;
            } else {
                break;
            }
        }
        out.push_str("<bdi dir=\"ltr\">");
        out.push_str(&text[start..end]);
        out.push_str("</bdi>");
        i = end;
    }
}

/// Whether byte `i` is a letter of an entity name (`&amp;`): those are not words.
fn inside_entity(bytes: &[u8], i: usize) -> bool {
    let before = &bytes[..i];
    match before.iter().rposition(|&b| b == b'&' || b == b';' || !(b.is_ascii_alphanumeric() || b == b'#')) {
        Some(at) => bytes[at] == b'&',
        None => false,
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_runs_are_isolated_where_they_are_not_marked() {
        let html = r#"<html lang="ur"><head><title>OTP</title></head><body><p>کوڈ (OTP) نہ بتائیں۔ PTA&#39;s web service، 668</p><p lang="en">Left alone</p><code>x = 1</code><a href="https://x.test/">یہاں</a> help@advisories.example.pk<br><input type="checkbox" id="m-1"> <bdi>#tag</bdi></body></html>"#;
        assert_eq!(
            isolate_ltr(html, "ur"),
            r#"<html lang="ur"><head><title>OTP</title></head><body><p>کوڈ (<bdi dir="ltr">OTP</bdi>) نہ بتائیں۔ <bdi dir="ltr">PTA&#39;s web service</bdi>، 668</p><p lang="en">Left alone</p><code>x = 1</code><a href="https://x.test/">یہاں</a> <bdi dir="ltr">help@advisories.example.pk</bdi><br><input type="checkbox" id="m-1"> <bdi>#tag</bdi></body></html>"#
        );
    }

    #[test]
    fn entities_are_never_taken_for_words() {
        let mut out = String::new();
        isolate_text("اے &amp; بی &#39;ج&#39;", &mut out);
        assert_eq!(out, "اے &amp; بی &#39;ج&#39;");
    }
}
