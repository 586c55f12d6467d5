//! The front page in each language: the active advisories, most severe first, then
//! the newest others.
//! Every public advisory is listed in every language, translated or not.

use askama::Template;

use super::listing::card;
use super::pages::{Card, HomePage};
use super::{Ctx, HOME_SIZE, urls};
use crate::model::{Advisory, Status};
use crate::site::Page;

/// `/` and `/{lang}/`.
pub(super) fn page<'a>(ctx: &Ctx<'a>, lang: &'a str) -> (String, Page) {
    let t = ctx.t(lang);
    let texts = ctx.settings.texts(lang);
    let (path, mut layout) = ctx.layout(&urls::home, lang, texts.title.clone(), texts.description.clone());
    let root = urls::root_of(&path);
    // Active advisories most severe first, then newest (the listings stay newest first).
    let mut active: Vec<&Advisory> = ctx.public.iter().copied().filter(|a| a.status == Status::Active).collect();
    active.sort_by_key(|a| a.severity);
    active.truncate(HOME_SIZE);
    // "Latest" continues after the active ones, so nothing is listed twice.
    let latest: Vec<Card> = ctx
        .public
        .iter()
        .filter(|a| !active.iter().any(|shown| shown.id == a.id))
        .take(HOME_SIZE)
        .map(|a| card(ctx, a, &root, lang, t))
        .collect();
    let active: Vec<Card> = active.iter().map(|a| card(ctx, a, &root, lang, t)).collect();
    layout.is_home = true;
    layout.current = "home";
    ctx.html(path, lang, HomePage { layout, active, latest }.render(), ctx.newest)
}
