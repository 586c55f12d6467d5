//! Links and images in advisory bodies, checked so that readers never trip over them
//! (external ones only on request: [`crate::external_links`]).
//!
//! [`scan`] runs on each file as it is validated. A web address written without
//! `https://` is an error: a browser reads `www.example.org/notice` as a page of this
//! site and shows a 404. A link the renderer drops (`javascript:`), an image from another
//! site (shown as a link) and raw HTML (shown as typed) are warnings that say what
//! readers will see. The links into the site are kept on the model; [`check_targets`]
//! resolves them once every file is loaded: each must reach a page of the site or a file
//! published beside an advisory, and an `#anchor` must name an element of its target.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

use super::checklist::{markdown_options, slug};
use crate::diagnostics::{Diagnostic, SourceFile};
pub use crate::model::UrlKind;
use crate::model::{Advisory, BodyLink, Catalogue, Keyword, Kind, Settings, Severity};
use crate::urls::{self, ListingKind};

/// Which kind of address `url` is, as a browser would read it.
pub fn classify(url: &str) -> UrlKind {
    // Browsers ignore ASCII whitespace and controls inside a scheme ("java\tscript:").
    let squeezed: String =
        url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    // Browsers read `\` as `/`, so `/\host` is another site: no backslashes at all.
    if squeezed.contains('\\') {
        return UrlKind::Unsafe;
    }
    let scheme_end = squeezed.find(':');
    let path_start = squeezed.find(['/', '?', '#']);
    match scheme_end {
        Some(i) if path_start.is_none_or(|p| i < p) => {
            let scheme = &squeezed[..i];
            if matches!(scheme, "http" | "https" | "mailto" | "tel") { UrlKind::External } else { UrlKind::Unsafe }
        }
        _ if squeezed.starts_with("//") => UrlKind::External,
        _ => UrlKind::Local,
    }
}

/// Element ids the advisory page's templates use themselves (see templates/): a
/// heading never takes one, and a link may point at them.
pub(crate) const TEMPLATE_IDS: &[&str] = &[
    "main",
    "checklist",
    "checklist-title",
    "updates-title",
    "references-title",
    "related-title",
    "channels-title",
    "history-title",
    "classes-title",
    "cta-title",
    "do-now-title",
    "active-title",
    "latest-title",
];

/// Gives each heading of one page its id: the `{#id}` written, or a slug of its text,
/// made unique on the page and never one of [`TEMPLATE_IDS`].
pub(crate) struct HeadingIds {
    used: HashSet<String>,
}

impl Default for HeadingIds {
    fn default() -> Self {
        Self { used: TEMPLATE_IDS.iter().map(|s| s.to_string()).collect() }
    }
}

impl HeadingIds {
    /// The id of the next heading, whose `{#id}` is `written` and whose text is `text`.
    pub(crate) fn next(&mut self, written: Option<&str>, text: &str) -> String {
        let base = written.map(str::to_string).filter(|s| !s.is_empty()).unwrap_or_else(|| slug(text, 80));
        let base = if base.is_empty() { "section".to_string() } else { base };
        let mut id = base.clone();
        let mut n = 1;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// The ids the renderer gives the headings of `body`, in order.
pub(crate) fn heading_ids(body: &str) -> Vec<String> {
    let mut ids = HeadingIds::default();
    let mut out = Vec::new();
    let mut heading: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => heading = Some((id.map(|s| s.to_string()), String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = &mut heading {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((written, text)) = heading.take() {
                    out.push(ids.next(written.as_deref(), &text));
                }
            }
            _ => {}
        }
    }
    out
}

/// Reports what readers would trip over in one body and returns its links into the site.
pub(crate) fn scan(file: &SourceFile, body: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> Vec<BodyLink> {
    let mut links = Vec::new();
    let mut block_warned = false;
    // The image being read: its address, span and description so far.
    let mut image: Option<(String, Range<usize>, String)> = None;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        let span = range.start + offset..range.end + offset;
        match &event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((dest_url.to_string(), span.clone(), String::new()))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, alt)) = &mut image {
                    alt.push_str(t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((url, span, alt)) = image.take()
                    && alt.trim().is_empty()
                    && classify(&url) != UrlKind::Unsafe
                {
                    diags.push(file.error(span, format!("image `{url}` has no description")).help(format!(
                        "say what it shows for people who cannot see it: ![SMS claiming to be from the bank, asking for a code]({url})"
                    )));
                }
            }
            _ => {}
        }
        match event {
            Event::Start(Tag::Link { dest_url, link_type, .. }) if link_type != LinkType::Email => {
                links.extend(one_link(file, &dest_url, span, false, diags));
            }
            Event::Start(Tag::Image { dest_url, .. }) => links.extend(one_link(file, &dest_url, span, true, diags)),
            // One warning per block of HTML, and one per inline tag (not its closing tag).
            Event::Start(Tag::HtmlBlock) => block_warned = false,
            Event::Html(raw) if !block_warned => {
                block_warned = true;
                diags.push(raw_html_warning(file, &raw, span));
            }
            Event::InlineHtml(raw) if !raw.starts_with("</") => diags.push(raw_html_warning(file, &raw, span)),
            _ => {}
        }
    }
    links
}

fn raw_html_warning(file: &SourceFile, raw: &str, span: Range<usize>) -> Diagnostic {
    if raw.trim_start().starts_with("<!--") {
        file.warning(span, "an HTML comment is shown to readers as typed")
            .help("remove it: notes for staff belong in the commit message or as a `# …` line in the front matter")
    } else {
        let shown: String = raw.trim().chars().take(40).collect();
        file.warning(span, format!("raw HTML `{shown}` is shown to readers as typed, not as markup")).help(
            "write it in Markdown (**bold**, *italic*, [text](https://…)), or put it in `backticks` to show it as code",
        )
    }
}

/// Whether `url` starts with what reads as a host name (`www.example.org/page`,
/// `pkcert.gov.pk`): a web address written without `https://`, which a browser would
/// take for a path on this site.
pub(crate) fn looks_like_host(url: &str) -> bool {
    if url.contains("://") || url.starts_with(['/', '.', '#', '?']) {
        return false;
    }
    let host = url.split(['/', '?', '#']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
        // `sms.png` or `notice.html` beside the advisory are files, not hosts.
        && (host.starts_with("www.") || !FILE_EXTENSIONS.contains(&tld.to_ascii_lowercase().as_str()))
}

/// Endings that make `name.ext` a file name rather than a host.
const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "pdf", "html", "htm", "txt", "xml", "json", "md", "csv", "zip",
];

/// The checks of one link or image that need no other file; a link into the site is
/// returned for [`check_targets`].
fn one_link(
    file: &SourceFile,
    url: &str,
    span: Range<usize>,
    image: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<BodyLink> {
    let what = if image { "image" } else { "link" };
    match classify(url) {
        UrlKind::Unsafe => {
            let shown: String = url.chars().take(40).collect();
            let seen = if image { "nothing, not even its description" } else { "only its text" };
            diags.push(
                file.warning(span, format!("{what} to `{shown}` is dropped: readers see {seen}"))
                    .help("link only to https://, mailto: or tel: addresses, or to pages of this site"),
            );
            None
        }
        UrlKind::External if image => {
            diags.push(
                file.warning(span, format!("image `{url}` is on another site, so readers see a link instead of it"))
                    .help("pages never load files from other sites: save the image in the folder named after the advisory and write ![what it shows](name.png)"),
            );
            None
        }
        UrlKind::External => Some(BodyLink { url: url.to_string(), kind: UrlKind::External, span, image }),
        UrlKind::Local if looks_like_host(url) => {
            diags.push(
                file.error(span, format!("{what} `{url}` has no https://, so browsers look for it on this site"))
                    .help(format!("write the full address: https://{url}")),
            );
            None
        }
        UrlKind::Local => Some(BodyLink { url: url.to_string(), kind: UrlKind::Local, span, image }),
    }
}

/// A path of the site split from its fragment, `None` when `..` climbs above the root.
pub(crate) fn resolve(page: &str, url: &str) -> Option<(String, Option<String>)> {
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(percent_decode(f))),
        None => (url, None),
    };
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Some((page.to_string(), fragment));
    }
    let joined = if path.starts_with('/') { path.to_string() } else { format!("{page}{path}") };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => {
                segments.pop()?;
            }
            s => segments.push(s),
        }
    }
    // `a/./` and `a/..` end in a folder: keep the trailing slash they imply.
    let folder = joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/..");
    let mut out = format!("/{}", segments.join("/"));
    if folder && !out.ends_with('/') {
        out.push('/');
    }
    Some((percent_decode(&out), fragment))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every page of the site whose existence does not depend on the clock: each language's
/// home, archive, feeds page, checklists, listings and feeds, and the files at the root.
/// (Advisory pages are added from the advisories themselves.)
pub(crate) fn fixed_pages(settings: &Settings, catalogue: &Catalogue, tags: &HashSet<&str>) -> HashSet<String> {
    let mut listings: Vec<ListingKind> = Vec::new();
    listings.extend(Severity::ALL.iter().map(|s| ListingKind::Severity(*s)));
    listings.extend(Kind::ALL.iter().map(|k| ListingKind::Kind(*k)));
    listings.extend(catalogue.classes.keys().map(|k| ListingKind::Data(k.clone())));
    listings.extend(tags.iter().map(|t| ListingKind::Tag(t.to_string())));
    let mut pages: HashSet<String> =
        [urls::ATOM_FEED, urls::JSON_FEED, urls::API, urls::SITEMAP, urls::ROBOTS, urls::SECURITY_TXT]
            .into_iter()
            .map(str::to_string)
            .collect();
    for lang in &settings.languages {
        let l = (*lang != settings.default_language).then_some(lang.as_str());
        pages.extend([
            urls::home(l),
            urls::archive(l),
            urls::feeds_page(l),
            urls::subscribe(l),
            urls::search(l),
            urls::checklist(None, l),
            urls::feed(None, l),
            urls::updates_feed(l),
        ]);
        pages.extend(catalogue.classes.keys().map(|class| urls::checklist(Some(class), l)));
        for listing in &listings {
            pages.insert(urls::listing(listing, l));
            pages.insert(urls::feed(Some(listing), l));
        }
    }
    pages
}

/// The links of one advisory or translation file, read whether the file is valid or not.
pub(crate) struct Document {
    id: String,
    lang: Option<String>,
    /// The file's place among the sources.
    source: usize,
    links: Vec<BodyLink>,
}

impl Document {
    pub(crate) fn new(id: &str, lang: Option<&str>, source: usize, links: &[BodyLink]) -> Self {
        let links = links.iter().filter(|l| l.kind == UrlKind::Local).cloned().collect();
        Self { id: id.to_string(), lang: lang.map(str::to_string), source, links }
    }
}

/// One advisory page a link may reach: which advisory, in which translation.
struct Target<'a> {
    advisory: &'a Advisory,
    lang: Option<&'a str>,
}

/// Checks every link into the site of every document: its target page or file exists
/// and is published, and its `#anchor` names an element of that page. `advisories` are
/// the valid ones, which links may reach.
pub(crate) fn check_targets(
    documents: &[Document],
    sources: &[SourceFile],
    advisories: &[&Advisory],
    settings: &Settings,
    catalogue: &Catalogue,
    diags: &mut Vec<Diagnostic>,
) {
    let tags: HashSet<&str> =
        advisories.iter().filter(|a| !a.draft).flat_map(|a| a.tags.iter().map(|t| t.as_str())).collect();
    let fixed = fixed_pages(settings, catalogue, &tags);
    let mut pages: HashMap<String, Target<'_>> = HashMap::new();
    for a in advisories {
        for lang in &settings.languages {
            let l = (*lang != settings.default_language).then_some(lang.as_str());
            pages.insert(urls::advisory(l, a.id.as_str()), Target { advisory: a, lang: l });
        }
    }
    // The files beside each advisory, under its page in every language, as links name them.
    let files: HashSet<String> = advisories
        .iter()
        .filter(|a| !a.draft)
        .flat_map(|a| {
            settings.languages.iter().flat_map(move |lang| {
                let l = (*lang != settings.default_language).then_some(lang.as_str());
                let page = urls::advisory(l, a.id.as_str());
                a.attachments.iter().map(move |f| format!("{page}{}", f.name))
            })
        })
        .collect();
    let mut anchors: HashMap<(&str, Option<&str>), HashSet<String>> = HashMap::new();
    for doc in documents {
        let Some(file) = sources.get(doc.source) else { continue };
        let page = urls::advisory(doc.lang.as_deref(), &doc.id);
        for link in &doc.links {
            if let Some(d) = check_one(link, &page, file, &pages, &fixed, &files, &mut anchors) {
                diags.push(d);
            }
        }
    }
}

fn check_one<'a>(
    link: &BodyLink,
    page: &str,
    file: &SourceFile,
    pages: &HashMap<String, Target<'a>>,
    fixed: &HashSet<String>,
    files: &HashSet<String>,
    anchors: &mut HashMap<(&'a str, Option<&'a str>), HashSet<String>>,
) -> Option<Diagnostic> {
    let what = if link.image { "image" } else { "link" };
    let url = &link.url;
    let fix = if link.image {
        "save the image in the folder named after the advisory (2025/PK-2025-0007/sms.png) and write ![what it shows](sms.png)"
    } else {
        "link to an advisory as /advisories/PK-2025-0007/ or ../PK-2025-0007/, or to another site with its full https:// address"
    };
    let Some((path, fragment)) = resolve(page, url) else {
        return Some(file.error(link.span.clone(), format!("{what} `{url}` leads outside the site")).help(fix));
    };
    if link.image || files.contains(&path) {
        return (!files.contains(&path)).then(|| {
            let resolved = if *url == path { String::new() } else { format!(" (it would be {path})") };
            file.error(link.span.clone(), format!("{what} `{url}` is not a file of this site{resolved}")).help(fix)
        });
    }
    if fixed.contains(&path) {
        return None;
    }
    let Some(target) = pages.get(&path) else {
        let hint = if !path.ends_with('/') && pages.contains_key(&format!("{path}/")) {
            format!("end it with a slash: {path}/")
        } else {
            fix.to_string()
        };
        return Some(
            file.error(link.span.clone(), format!("{what} `{url}` leads to {path}, which is not a page of this site"))
                .help(hint),
        );
    };
    let a = target.advisory;
    if a.draft {
        return Some(
            file.error(link.span.clone(), format!("{what} `{url}` leads to {}, a draft that is not published", a.id))
                .help("remove the link, or publish that advisory first"),
        );
    }
    let fragment = fragment.filter(|f| !f.is_empty())?;
    let ids = anchors.entry((a.id.as_str(), target.lang)).or_insert_with(|| {
        let body = target.lang.and_then(|l| a.translations.get(l)).filter(|t| !t.draft).map_or(&a.body, |t| &t.body);
        heading_ids(body)
            .into_iter()
            .chain(TEMPLATE_IDS.iter().map(|s| s.to_string()))
            .chain(a.updates.iter().map(|u| urls::update_anchor(u.date)))
            .collect()
    });
    if ids.contains(&fragment) {
        return None;
    }
    let mut headings: Vec<&str> = ids.iter().map(String::as_str).filter(|id| !TEMPLATE_IDS.contains(id)).collect();
    headings.sort_unstable();
    let help = match super::did_you_mean(&fragment, headings.iter().copied()) {
        Some(near) => format!("did you mean `#{near}`?"),
        None => format!("the page's anchors are: #{}", headings.join(", #")),
    };
    Some(
        file.error(link.span.clone(), format!("{what} `{url}`: `#{fragment}` is not a heading or section of {path}"))
            .help(help),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_as_a_browser_does() {
        let page = "/advisories/PK-2025-0001/";
        let r = |url: &str| resolve(page, url);
        assert_eq!(r("#what-happened"), Some((page.to_string(), Some("what-happened".to_string()))));
        assert_eq!(r("../PK-2025-0002/"), Some(("/advisories/PK-2025-0002/".to_string(), None)));
        assert_eq!(r("../other/"), Some(("/advisories/other/".to_string(), None)));
        assert_eq!(r("sms.png"), Some(("/advisories/PK-2025-0001/sms.png".to_string(), None)));
        assert_eq!(r("/checklist/?data=passwords"), Some(("/checklist/".to_string(), None)));
        assert_eq!(r("../.."), Some(("/".to_string(), None)));
        assert_eq!(r("../../../x"), None);
        assert_eq!(r("a%20b.png#%D8%A7"), Some(("/advisories/PK-2025-0001/a b.png".to_string(), Some("ا".into()))));
    }

    /// `fixed_pages` repeats what the render's job list makes: this keeps them in step.
    #[test]
    fn every_fixed_page_is_rendered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories");
        let content = crate::content::load(&dir).expect("the samples are valid");
        let now = jiff::Timestamp::now();
        let site = crate::render::site(&content, &content.settings, now);
        let tags: HashSet<&str> = content.public_at(now).flat_map(|a| a.tags.iter().map(|t| t.as_str())).collect();
        let pages = fixed_pages(&content.settings, &content.catalogue, &tags);
        assert!(pages.len() > 100, "{}", pages.len());
        for path in pages {
            assert!(site.get(&path).is_some(), "{path} is not rendered");
        }
    }

    #[test]
    fn heading_ids_are_those_the_renderer_gives() {
        assert_eq!(
            heading_ids("## What happened\n\n## What happened\n\n## Checklist\n\n### Own {#mine}\n\n## کیا ہوا\n"),
            ["what-happened", "what-happened-1", "checklist-1", "mine", "کیا-ہوا"]
        );
    }
}
