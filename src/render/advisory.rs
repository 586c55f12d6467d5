//! An advisory's page in each language it is published in, and the view of an
//! advisory that the page and the feeds' full-text items share.

use std::hash::{Hash, Hasher};

use askama::Template;

use super::i18n::Strings;
use super::markdown::{self, MarkdownOptions};
use super::pages::{AdvisoryPage, AdvisoryView, ChecklistView, Date, HistoryView, Link, UpdateView};
use super::{Ctx, checklist, group_digits, i18n, urls};
use crate::model::{Advisory, ChecklistItem, Keyword, MeasureSource, Translation};
use crate::site::Page;

/// The view of advisory `a` in `lang` (through `translation` when there is one). Links
/// are made from `base`: a page's way to the root, or the site's URL for a feed, which
/// also gets the checklist as a plain list.
pub(super) fn view(
    ctx: &Ctx<'_>,
    a: &Advisory,
    translation: Option<&Translation>,
    lang: &str,
    base: &str,
    md: &MarkdownOptions<'_>,
) -> (AdvisoryView, ChecklistView) {
    let t = i18n::strings(lang);
    let mut updates: Vec<UpdateView> = a
        .updates
        .iter()
        .map(|u| UpdateView {
            anchor: urls::update_anchor(u.date),
            iso: u.date.to_string(),
            text: t.date(u.date),
            summary: translation.and_then(|tr| tr.updates.get(&u.date)).cloned().unwrap_or_else(|| u.summary.clone()),
        })
        .collect();
    updates.reverse();
    let body = translation.map_or(a.body.as_str(), |tr| tr.body.as_str());
    let items = a.checklist_in(&ctx.content.catalogue, translation);
    let default_lang = ctx.settings.default_language.clone();
    // On a translated page, what is not translated is marked as the default language.
    let item_lang = |i: &ChecklistItem| match (translation, &i.source) {
        (Some(_), MeasureSource::Catalogue { .. }) => Some(default_lang.clone()),
        (Some(tr), MeasureSource::Advisory) if tr.own_measures.is_empty() => Some(default_lang.clone()),
        _ => None,
    };
    let interactive = md.absolute_base.is_none();
    let checklist = checklist::view(a.id.as_str(), &items, interactive, lang, item_lang, md);
    let catalogue = &ctx.content.catalogue;
    let view = AdvisoryView {
        facts_lang: translation.map(|_| ctx.settings.default_language.clone()),
        title: translation.map_or(&a.title, |tr| &tr.title).clone(),
        summary: translation.map_or(&a.summary, |tr| &tr.summary).clone(),
        severity: a.severity.as_str(),
        severity_label: t.severity(a.severity).to_string(),
        status_label: t.status(a.status).to_string(),
        verification_label: t.verification(a.verification).to_string(),
        kind_label: t.kind(a.kind).to_string(),
        kind_url: urls::link(base, &urls::kind(a.kind)),
        published_iso: a.published.to_string(),
        published_text: t.date(a.published),
        last_updated: a.updates.last().map(|u| Date { iso: u.date.to_string(), text: t.date(u.date) }),
        affected: a.affected.clone(),
        affected_count: a.affected_count.map(|n| Strings::fill(&t.affected_count, &[("n", &group_digits(n))])),
        data: a
            .data
            .iter()
            .map(|d| Link {
                href: urls::link(base, &urls::data_class(d.as_str())),
                label: catalogue.class(d.as_str()).map_or_else(|| d.as_str().to_string(), |c| c.label.clone()),
            })
            .collect(),
        body_html: markdown::to_html(body, md),
        updates,
        references: a.references.iter().map(|r| Link { href: r.url.clone(), label: r.title.clone() }).collect(),
        tags: a
            .tags
            .iter()
            .map(|tag| Link { href: urls::link(base, &urls::tag(tag.as_str())), label: tag.as_str().to_string() })
            .collect(),
        outdated: translation
            .filter(|tr| a.translation_is_outdated(tr))
            .map(|_| urls::link(base, &urls::advisory(None, a.id.as_str()))),
        history: a
            .history
            .iter()
            .map(|r| HistoryView {
                iso: r.date.to_string(),
                text: t.date(r.date),
                // A subject may describe an advisory that is not public yet.
                subject: if ctx.revision_is_public(r) { r.subject.clone() } else { t.history_withheld.clone() },
                short: r.short.clone(),
                href: ctx
                    .settings
                    .repository_url
                    .as_ref()
                    .map(|repo| format!("{}/commit/{}", repo.trim_end_matches('/'), r.hash)),
            })
            .collect(),
    };
    (view, checklist)
}

/// The page of the public advisory at `index`, in `lang` (`None`: the default language).
pub(super) fn page(ctx: &Ctx<'_>, index: usize, lang: Option<&str>) -> (String, Page) {
    let a = ctx.public[index];
    let path = urls::advisory(lang, a.id.as_str());
    // Besides the advisory itself, its page shows its related advisories' titles and
    // withholds the subjects of commits that touched unpublished files.
    let source = {
        let mut h = ctx.inputs();
        (ctx.advisory_hash(index), lang).hash(&mut h);
        for &j in &ctx.related()[index] {
            let r = ctx.public[j];
            (&r.id, &r.title).hash(&mut h);
            r.public_translations().for_each(|tr| (&tr.lang, &tr.title).hash(&mut h));
        }
        a.history.iter().for_each(|r| ctx.revision_is_public(r).hash(&mut h));
        h.finish()
    };
    if let Some(page) = ctx.unchanged(&path, source) {
        return (path, page);
    }
    let root = urls::root_of(&path);
    let page_lang = ctx.lang_ref(lang.unwrap_or(&ctx.settings.default_language));
    let t = i18n::strings(page_lang);
    let translation = lang.and_then(|l| a.translations.get(l));
    let md = MarkdownOptions { absolute_base: None, section_link_label: &t.section_link };
    let (view, checklist) = view(ctx, a, translation, page_lang, &root, &md);
    let mut layout = ctx.layout(&path, page_lang, view.title.clone(), view.summary.clone());
    layout.og_type = "article";
    layout.js = Some(urls::link(&root, &urls::asset(&ctx.assets.js)));
    let mut langs: Vec<&str> = vec![ctx.settings.default_language.as_str()];
    langs.extend(ctx.public_translations(a));
    if langs.len() > 1 {
        ctx.add_language_links(&mut layout, &root, langs, |l| urls::advisory(l, a.id.as_str()));
    }
    let related = ctx.related()[index]
        .iter()
        .map(|&j| {
            let r = ctx.public[j];
            match lang.and_then(|l| r.public_translations().find(|tr| tr.lang == l)) {
                Some(tr) => Link {
                    href: urls::link(&root, &urls::advisory(Some(&tr.lang), r.id.as_str())),
                    label: tr.title.clone(),
                },
                None => Link { href: urls::link(&root, &urls::advisory(None, r.id.as_str())), label: r.title.clone() },
            }
        })
        .collect();
    let channels = ctx.settings.channels.iter().map(|c| Link { href: c.url.clone(), label: c.name.clone() }).collect();
    let page = AdvisoryPage { layout, a: view, checklist, related, channels, never_ask: &ctx.settings.never_ask };
    let (path, mut page) = ctx.html(path, page.render(), Some(a.last_changed()));
    page.source = Some(source);
    (path, page)
}
