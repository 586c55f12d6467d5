//! An advisory's page in each language it is published in, and the view of an
//! advisory that the page and the feeds' full-text items share.

use std::hash::{Hash, Hasher};

use askama::Template;

use super::markdown::{self, MarkdownOptions};
use super::pages::{
    AdvisoryPage, AdvisoryView, ChecklistView, Date, HistoryView, ItemView, LangLink, Link, UpdateView,
};
use super::{Ctx, checklist, group_digits, urls};
use crate::model::{
    Advisory, ChecklistItem, Keyword, MeasureSource, Occurred, Strings, Translation, Urgency, Verification,
};
use crate::site::{CachePolicy, Page};

/// The view of advisory `a` on a page in `lang`: through `translation` when there is
/// one; otherwise its words are the original's, marked as in the default language. Links
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
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let default_lang = ctx.settings.default_language.as_str();
    // On a page in another language, the words nobody translated are marked as the default language's.
    let foreign = (lang != default_lang).then(|| default_lang.to_string());
    let mut updates: Vec<UpdateView> = a
        .updates
        .iter()
        .map(|u| {
            let own = translation.and_then(|tr| tr.updates.get(&u.date));
            UpdateView {
                anchor: urls::update_anchor(u.date),
                iso: u.date.to_string(),
                text: t.date(u.date),
                lang: if own.is_some() { None } else { foreign.clone() },
                summary: own.cloned().unwrap_or_else(|| u.summary.clone()),
            }
        })
        .collect();
    let latest_update = updates.last().map(|u| UpdateView {
        anchor: u.anchor.clone(),
        iso: u.iso.clone(),
        text: u.text.clone(),
        summary: u.summary.clone(),
        lang: u.lang.clone(),
    });
    updates.reverse();
    let body = translation.map_or(a.body.as_str(), |tr| tr.body.as_str());
    let items = a.checklist_in(&ctx.content.catalogue, translation);
    let catalogue = &ctx.content.catalogue;
    // A catalogue measure takes its text in `lang` where it is translated; an advisory's
    // own step is in the language of the text it comes from.
    let own_steps_translated = translation.is_some_and(|tr| !tr.own_measures.is_empty());
    let items: Vec<ChecklistItem> = items
        .iter()
        .map(|i| match &i.source {
            MeasureSource::Catalogue { .. } => ChecklistItem {
                text: catalogue.translated_text(&i.id, lang).map_or_else(|| i.text.clone(), str::to_string),
                ..i.clone()
            },
            MeasureSource::Advisory => i.clone(),
        })
        .collect();
    let item_lang = |i: &ChecklistItem| match &i.source {
        MeasureSource::Catalogue { .. } if catalogue.translated_text(&i.id, lang).is_none() => foreign.clone(),
        MeasureSource::Advisory if !own_steps_translated => foreign.clone(),
        _ => None,
    };
    let interactive = md.absolute_base.is_none();
    let checklist = checklist::view(ctx, a.id.as_str(), &items, interactive, lang, item_lang, md);
    let words_lang = if translation.is_some() { None } else { foreign.clone() };
    // The first screen: up to three "do now" steps, as a list to read (the checklist
    // below is where they are ticked).
    const DO_NOW: usize = 3;
    let steps = checklist.groups.iter().map(|g| g.items.len()).sum::<usize>();
    let do_now: Vec<ItemView> = if interactive {
        checklist
            .groups
            .iter()
            .filter(|g| g.urgency == Urgency::Now.as_str())
            .flat_map(|g| g.items.iter().take(DO_NOW))
            .map(|i| ItemView { link: None, ..i.clone() })
            .collect()
    } else {
        Vec::new()
    };
    let all_steps =
        (interactive && steps > do_now.len()).then(|| Strings::fill(&t.all_steps, &[("n", &steps.to_string())]));
    let verification_note = match a.verification {
        Verification::Confirmed => None,
        Verification::Unverified => Some(t.verification_note_unverified.clone()),
        Verification::Disputed => Some(t.verification_note_disputed.clone()),
    };
    let view = AdvisoryView {
        facts_lang: foreign.clone(),
        words_lang,
        words_dir: ctx.t(default_lang).direction(),
        verification_note,
        preview_mark: ctx.preview_mark(a, lang),
        draft: a.draft,
        latest_update,
        do_now,
        all_steps,
        title: translation.map_or(&a.title, |tr| &tr.title).clone(),
        summary: translation.map_or(&a.summary, |tr| &tr.summary).clone(),
        severity: a.severity.as_str(),
        severity_label: t.severity(a.severity).to_string(),
        status_label: t.status(a.status).to_string(),
        verification_label: t.verification(a.verification).to_string(),
        kind_label: t.kind(a.kind).to_string(),
        kind_url: urls::link(base, &urls::kind(a.kind, translated)),
        published_iso: a.published.to_string(),
        published_text: t.date(a.published),
        last_updated: a.updates.last().map(|u| Date { iso: u.date.to_string(), text: t.date(u.date) }),
        occurred: a.occurred.map(|o| {
            let days = match o {
                Occurred::Unknown => vec![],
                Occurred::On(d) => vec![d],
                Occurred::Between(first, last) => vec![first, last],
            };
            days.into_iter().map(|d| Date { iso: d.to_string(), text: t.day(d) }).collect()
        }),
        discovered: a.discovered.map(|d| Date { iso: d.to_string(), text: t.day(d) }),
        affected: a.affected.clone(),
        affected_count: a.affected_count.map(|n| Strings::fill(&t.affected_count, &[("n", &group_digits(n))])),
        data: a
            .data
            .iter()
            .map(|d| LangLink {
                href: urls::link(base, &urls::data_class(d.as_str(), translated)),
                label: catalogue.label(d.as_str(), lang).to_string(),
                lang: if catalogue.texts.get(lang).is_some_and(|t| t.classes.contains_key(d.as_str())) {
                    None
                } else {
                    foreign.clone()
                },
            })
            .collect(),
        body_html: markdown::to_html(body, md),
        updates,
        references: a.references.iter().map(|r| Link { href: r.url.clone(), label: r.title.clone() }).collect(),
        tags: a
            .tags
            .iter()
            .map(|tag| Link {
                href: urls::link(base, &urls::tag(tag.as_str(), translated)),
                label: tag.as_str().to_string(),
            })
            .collect(),
        outdated: translation
            .filter(|tr| a.translation_is_outdated(tr))
            .map(|_| urls::link(base, &urls::advisory(None, a.id.as_str()))),
        history: a
            .history
            .iter()
            // A revision of the public page: made once the advisory was published, with
            // content that was valid and not a draft (judged at load).
            .filter(|r| ctx.preview || r.published)
            .map(|r| HistoryView {
                iso: r.date.to_string(),
                text: t.date(r.date),
                // Subjects are staff's words: shown only where site.toml opts in (and
                // in preview), never one that may describe an unpublished advisory.
                subject: (ctx.preview || ctx.settings.history_subjects).then(|| {
                    if ctx.preview || ctx.revision_is_public(r) {
                        r.subject.clone()
                    } else {
                        t.history_withheld.clone()
                    }
                }),
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

/// The page of the public advisory at `index` in `lang`: its translation, or (when
/// there is none) the original in the page of that language.
/// The files published beside an advisory's page in `lang` (the same bytes under each
/// language's page, so that a translation's relative links find them too). They are
/// public exactly when the page is.
pub(super) fn attachments<'a>(ctx: &Ctx<'a>, index: usize, lang: &'a str) -> Vec<(String, Page)> {
    let a = ctx.public[index];
    let page = urls::advisory(ctx.translated(lang), a.id.as_str());
    a.attachments
        .iter()
        .map(|f| {
            let body = Page::new(f.bytes.clone(), f.content_type, Some(a.published), CachePolicy::Revalidate);
            (format!("{page}{}", f.published_name), body)
        })
        .collect()
}

pub(super) fn page<'a>(ctx: &Ctx<'a>, index: usize, lang: &'a str) -> (String, Page) {
    let a = ctx.public[index];
    let translated = ctx.translated(lang);
    let path = urls::advisory(translated, a.id.as_str());
    // Besides the advisory itself, its page shows its related advisories' titles and
    // withholds the subjects of commits that touched unpublished files.
    let source = {
        let mut h = ctx.inputs();
        // In a preview the page also says whether it is still embargoed, which the clock decides.
        (ctx.advisory_hash(index), lang, ctx.preview_mark(a, lang)).hash(&mut h);
        for &j in &ctx.related()[index] {
            let r = ctx.public[j];
            (&r.id, &r.title).hash(&mut h);
            r.public_translations().for_each(|tr| (&tr.lang, &tr.title).hash(&mut h));
        }
        if ctx.settings.history_subjects && !ctx.preview {
            a.history.iter().for_each(|r| ctx.revision_is_public(r).hash(&mut h));
        }
        h.finish()
    };
    if let Some(page) = ctx.unchanged(&path, source) {
        return (path, page);
    }
    let root = urls::root_of(&path);
    let t = ctx.t(lang);
    let translation = translated.and_then(|l| a.public_translations().find(|tr| tr.lang == l));
    let md = MarkdownOptions { attachments: &a.attachments, ..MarkdownOptions::on(&path, &t.section_link) };
    let (view, checklist) = view(ctx, a, translation, lang, &root, &md);
    let (_, mut layout) =
        ctx.layout(&|l| urls::advisory(l, a.id.as_str()), lang, view.title.clone(), view.summary.clone());
    layout.og_type = "article";
    layout.js = Some(urls::link(&root, &urls::asset(&ctx.assets.js)));
    // "What should I do?" on an advisory page means this advisory's steps.
    layout.checklist_url = "#checklist".into();
    let related = ctx.related()[index]
        .iter()
        .map(|&j| {
            let r = ctx.public[j];
            let tr = translated.and_then(|l| r.public_translations().find(|tr| tr.lang == l));
            LangLink {
                href: urls::link(&root, &urls::advisory(translated, r.id.as_str())),
                label: tr.map_or(&r.title, |tr| &tr.title).clone(),
                lang: (tr.is_none() && translated.is_some()).then(|| ctx.settings.default_language.clone()),
            }
        })
        .collect();
    let texts = ctx.settings.texts(lang);
    let channels = texts.channels.iter().map(|c| Link { href: c.url.clone(), label: c.name.clone() }).collect();
    let untranslated = (translated.is_some() && translation.is_none()).then(|| t.untranslated_note.clone());
    let texts_lang = (texts.lang != lang).then(|| texts.lang.clone());
    let page = AdvisoryPage {
        layout,
        a: view,
        checklist,
        related,
        channels,
        never_ask: &texts.never_ask,
        texts_lang,
        untranslated,
    };
    let (path, mut page) = ctx.html(path, lang, page.render(), Some(a.last_changed()));
    page.source = Some(source);
    (path, page)
}
