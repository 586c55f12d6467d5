//! Checklists as pages show them: grouped by urgency and numbered; and the standalone
//! `/checklist/` pages, where a person picks which of their data leaked.

use std::collections::HashMap;

use askama::Template;

use super::i18n::Strings;
use super::markdown::{self, MarkdownOptions};
use super::pages::{ChecklistPage, ChecklistView, ClassChoice, ClassDescription, ItemView, UrgencyGroup};
use super::{Ctx, i18n, urls};
use crate::model::{ChecklistItem, Keyword, MeasureSource, Urgency};
use crate::site::Page;

/// A checklist grouped by urgency. `key` names where ticks are stored (an advisory's
/// id, or `checklist`); `item_lang` marks items in another language than the page's.
pub(super) fn view(
    key: &str,
    items: &[ChecklistItem],
    interactive: bool,
    lang: &str,
    item_lang: impl Fn(&ChecklistItem) -> Option<String>,
    md: &MarkdownOptions<'_>,
) -> ChecklistView {
    let t = i18n::strings(lang);
    let mut groups: Vec<UrgencyGroup> = Vec::new();
    for urgency in Urgency::ALL {
        let items: Vec<ItemView> = items
            .iter()
            .filter(|i| i.urgency == *urgency)
            .map(|i| ItemView {
                n: 0,
                id: i.id.clone(),
                html: match i.source {
                    MeasureSource::Advisory => markdown::inline_to_html(&i.text, md),
                    MeasureSource::Catalogue { .. } => markdown::escape_html(&i.text).into_owned(),
                },
                link: i.link.clone(),
                classes: None,
                lang: item_lang(i),
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

/// The checklist page at `path` for the `selected` data classes (every class when empty).
pub(super) fn page(ctx: &Ctx<'_>, path: String, selected: &[&str]) -> (String, Page) {
    let lang = ctx.settings.default_language.as_str();
    let t = i18n::strings(lang);
    let root = urls::root_of(&path);
    let catalogue = &ctx.content.catalogue;
    let keys: Vec<&str> =
        if selected.is_empty() { catalogue.classes.keys().map(String::as_str).collect() } else { selected.to_vec() };
    let items = catalogue.checklist(&[], keys.iter().copied());
    let md = MarkdownOptions { absolute_base: None, section_link_label: &t.section_link };
    let mut checklist = view("checklist", &items, true, lang, |_| None, &md);
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
    let label_of = |key: &str| catalogue.class(key).map_or_else(|| key.to_string(), |c| c.label.clone());
    let (heading, list_heading) = if selected.is_empty() {
        (t.checklist_page_title.clone(), t.checklist_all.clone())
    } else {
        let names = selected.iter().map(|c| label_of(c)).collect::<Vec<_>>().join(", ");
        let title = Strings::fill(&t.checklist_for, &[("name", &names)]);
        (title.clone(), title)
    };
    let classes = catalogue
        .classes
        .iter()
        .map(|(key, info)| ClassChoice {
            key: key.clone(),
            label: info.label.clone(),
            href: urls::link(&root, &urls::checklist(Some(key))),
            only: Strings::fill(&t.checklist_class_link, &[("name", &info.label)]),
            checked: selected.contains(&key.as_str()),
        })
        .collect();
    let descriptions = keys
        .iter()
        .filter_map(|k| catalogue.class(k))
        .map(|c| ClassDescription {
            href: urls::link(&root, &urls::data_class(c.key.as_str())),
            label: c.label.clone(),
            text: c.description.clone(),
        })
        .collect();
    let mut layout = ctx.layout(&path, ctx.lang_ref(lang), heading.clone(), t.checklist_page_intro.clone());
    layout.current = "checklist";
    layout.js = Some(urls::link(&root, &urls::asset(&ctx.assets.js)));
    let page = ChecklistPage {
        layout,
        heading,
        intro: t.checklist_page_intro.clone(),
        form_action: urls::link(&root, &urls::checklist(None)),
        classes,
        list_heading,
        checklist,
        descriptions,
    };
    ctx.html(path, page.render(), None)
}
