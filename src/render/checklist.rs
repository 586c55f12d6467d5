//! Checklists as pages show them: grouped by urgency and numbered; and the standalone
//! `/checklist/` pages, where a person picks which of their data leaked.

use std::collections::HashMap;

use askama::Template;

use super::markdown::{self, MarkdownOptions};
use super::pages::{ChecklistPage, ChecklistView, ClassChoice, ClassDescription, ItemView, UrgencyGroup};
use super::{Ctx, urls};
use crate::model::{ChecklistItem, Keyword, MeasureSource, Strings, Urgency};
use crate::site::Page;

/// A checklist grouped by urgency. `key` names where ticks are stored (an advisory's
/// id, or `checklist`); `item_lang` marks items in another language than the page's.
pub(super) fn view(
    ctx: &Ctx<'_>,
    key: &str,
    items: &[ChecklistItem],
    interactive: bool,
    lang: &str,
    item_lang: impl Fn(&ChecklistItem) -> Option<String>,
    md: &MarkdownOptions<'_>,
) -> ChecklistView {
    let t = ctx.t(lang);
    let mut groups: Vec<UrgencyGroup> = Vec::new();
    for urgency in Urgency::ALL {
        let items: Vec<ItemView> = items
            .iter()
            .filter(|i| i.urgency == *urgency)
            .map(|i| {
                let lang = item_lang(i);
                let dir = match &lang {
                    Some(l) if ctx.t(l).is_rtl() => "rtl",
                    _ => "ltr",
                };
                ItemView {
                    n: 0,
                    id: i.id.clone(),
                    html: match i.source {
                        MeasureSource::Advisory => markdown::inline_to_html(&i.text, md),
                        MeasureSource::Catalogue { .. } => markdown::escape_html(&i.text).into_owned(),
                    },
                    link: i.link.clone(),
                    classes: None,
                    lang,
                    dir,
                }
            })
            .collect();
        if !items.is_empty() {
            groups.push(UrgencyGroup { urgency: urgency.as_str(), label: t.urgency(*urgency).to_string(), items });
        }
    }
    for (n, item) in groups.iter_mut().flat_map(|g| g.items.iter_mut()).enumerate() {
        item.n = n + 1;
    }
    ChecklistView { key: key.to_string(), interactive, groups }
}

/// The checklist page in `lang` of `class` (every class when `None`), showing the steps
/// for the `selected` classes (every class when empty).
pub(super) fn page<'a>(ctx: &Ctx<'a>, lang: &'a str, class: Option<&str>, selected: &[&str]) -> (String, Page) {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let catalogue = &ctx.content.catalogue;
    let keys: Vec<&str> =
        if selected.is_empty() { catalogue.classes.keys().map(String::as_str).collect() } else { selected.to_vec() };
    let foreign = translated.map(|_| ctx.settings.default_language.clone());
    let items: Vec<ChecklistItem> = catalogue
        .checklist(&[], keys.iter().copied())
        .into_iter()
        .map(|i| ChecklistItem {
            text: catalogue.translated_text(&i.id, lang).map_or_else(|| i.text.clone(), str::to_string),
            ..i
        })
        .collect();
    let page = urls::checklist(None, None);
    let md = MarkdownOptions::on(&page, &t.section_link);
    let untranslated = |i: &ChecklistItem| match i.source {
        MeasureSource::Catalogue { .. } if catalogue.translated_text(&i.id, lang).is_none() => foreign.clone(),
        _ => None,
    };
    let mut checklist = view(ctx, "checklist", &items, true, lang, untranslated, &md);
    // Each item names the classes that bring it in, so the script can combine picked classes.
    let mut classes_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (key, info) in &catalogue.classes {
        for id in &info.measures {
            classes_of.entry(id.as_str()).or_default().push(key.as_str());
        }
    }
    for group in &mut checklist.groups {
        for item in &mut group.items {
            item.classes = classes_of.get(item.id.as_str()).map(|c| c.join(" "));
        }
    }
    let (heading, list_heading) = if selected.is_empty() {
        (t.checklist_page_title.clone(), t.checklist_all.clone())
    } else {
        let names = t.list_in_sentence(&selected.iter().map(|c| catalogue.label(c, lang)).collect::<Vec<_>>());
        let title = Strings::fill(&t.checklist_for, &[("name", &names)]);
        (title.clone(), title)
    };
    let (path, mut layout) =
        ctx.layout(&|l| urls::checklist(class, l), lang, heading.clone(), t.checklist_page_intro.clone());
    let root = urls::root_of(&path);
    let classes = catalogue
        .classes
        .keys()
        .map(|key| {
            let label = catalogue.label(key, lang);
            ClassChoice {
                key: key.clone(),
                label: label.to_string(),
                href: urls::link(&root, &urls::checklist(Some(key), translated)),
                only: Strings::fill(&t.checklist_class_link, &[("name", &t.list_in_sentence(&[label]))]),
                checked: selected.contains(&key.as_str()),
            }
        })
        .collect();
    let descriptions = keys
        .iter()
        .filter(|k| catalogue.class(k).is_some())
        .map(|k| ClassDescription {
            href: urls::link(&root, &urls::data_class(k, translated)),
            label: catalogue.label(k, lang).to_string(),
            text: catalogue.description(k, lang).unwrap_or_default().to_string(),
        })
        .collect();
    layout.current = "checklist";
    layout.js = Some(urls::link(&root, &urls::asset(&ctx.assets.js)));
    let page = ChecklistPage {
        layout,
        heading,
        intro: t.checklist_page_intro.clone(),
        // The answer opens at the list, past the picker (on `serve`, filtered to the picks).
        form_action: format!("{}#checklist", urls::link(&root, &urls::checklist(None, translated))),
        classes,
        list_heading,
        checklist,
        descriptions,
    };
    ctx.html(path, lang, page.render(), None)
}
