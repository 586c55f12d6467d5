//! The front page in each language: the active advisories, then the newest others.

use askama::Template;

use super::listing::card;
use super::pages::{Card, HomePage};
use super::{Ctx, HOME_SIZE, i18n, urls};
use crate::model::{Advisory, Status};
use crate::site::Page;

/// `/` and `/{lang}/`. The translated front page lists the advisories translated into
/// its language; the default one lists all.
pub(super) fn page(ctx: &Ctx<'_>, lang: &str) -> (String, Page) {
    let lang = ctx.lang_ref(lang);
    let translated = ctx.translated(lang);
    let path = urls::home(translated);
    let t = i18n::strings(lang);
    let root = urls::root_of(&path);
    let visible: Vec<&Advisory> = ctx
        .public
        .iter()
        .copied()
        .filter(|a| translated.is_none() || a.public_translations().any(|tr| tr.lang == lang))
        .collect();
    let active: Vec<&Advisory> =
        visible.iter().copied().filter(|a| a.status == Status::Active).take(HOME_SIZE).collect();
    // "Latest" continues after the active ones, so nothing is listed twice.
    let latest: Vec<Card> = visible
        .iter()
        .filter(|a| !active.iter().any(|shown| shown.id == a.id))
        .take(HOME_SIZE)
        .map(|a| card(ctx, a, &root, lang, t))
        .collect();
    let active: Vec<Card> = active.iter().map(|a| card(ctx, a, &root, lang, t)).collect();
    let mut layout = ctx.layout(&path, lang, ctx.settings.title.clone(), ctx.settings.description.clone());
    layout.is_home = true;
    layout.current = "home";
    ctx.add_language_links(&mut layout, &root, ctx.settings.languages.iter().map(String::as_str), urls::home);
    ctx.html(path, HomePage { layout, active, latest }.render(), ctx.newest)
}
