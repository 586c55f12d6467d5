//! `/subscribe/`: advisories by email. The static site's page says email needs the
//! server and points to the feeds; the server answers the same path with the form, and
//! its confirm and unsubscribe pages, through [`page`].

use askama::Template;

use super::pages::Layout;
use super::{Ctx, urls};
use crate::model::{Keyword, Severity};
use crate::site::Page;

/// Which page of the subscription the server (or the static site) shows.
#[derive(Debug, Clone)]
pub enum SubscribeStep {
    /// The static site: email needs the server; the feeds instead.
    Static,
    /// The form, with what was typed and the problem with it, if any.
    Form {
        /// Why the address was refused.
        error: Option<String>,
        /// As typed.
        email: String,
        /// `all`, `high` or `critical`.
        severity: String,
        /// Data classes ticked.
        data: Vec<String>,
        /// Topic tags ticked.
        tags: Vec<String>,
    },
    /// Submitted: check your inbox (the same whether the address was known or not).
    Sent,
    /// The confirmation mail's link: a button that confirms by POST.
    Confirm {
        /// Subscriber id.
        id: String,
        /// The token from the mail.
        token: String,
    },
    /// Confirmed.
    Confirmed,
    /// A mail's unsubscribe link: a button that unsubscribes by POST.
    Unsubscribe {
        /// Subscriber id.
        id: String,
        /// The token from the mail.
        token: String,
    },
    /// Unsubscribed (the address is deleted).
    Unsubscribed,
    /// A confirm or unsubscribe link that is not (or no longer) valid.
    Invalid,
    /// Rate-limited.
    TooMany,
}

impl SubscribeStep {
    /// The empty form.
    pub fn form() -> Self {
        SubscribeStep::Form {
            error: None,
            email: String::new(),
            severity: "all".into(),
            data: Vec::new(),
            tags: Vec::new(),
        }
    }
}

/// The subscription page in `lang` at this `step`.
pub(super) fn page<'a>(ctx: &Ctx<'a>, lang: &'a str, step: SubscribeStep) -> (String, Page) {
    let t = ctx.t(lang);
    let translated = ctx.translated(lang);
    let path_of = |l: Option<&str>| match &step {
        SubscribeStep::Confirm { .. } | SubscribeStep::Confirmed => urls::subscribe_confirm(l),
        SubscribeStep::Unsubscribe { .. } | SubscribeStep::Unsubscribed => urls::unsubscribe(l),
        _ => urls::subscribe(l),
    };
    let (path, mut layout) = ctx.layout(&path_of, lang, t.subscribe_title.clone(), t.subscribe_intro.clone());
    let root = urls::root_of(&path);
    layout.current = "feeds";
    let severities = vec![
        ("all".to_string(), t.subscribe_all.clone()),
        (Severity::High.as_str().to_string(), t.subscribe_high.clone()),
        (Severity::Critical.as_str().to_string(), t.subscribe_critical.clone()),
    ];
    let catalogue = &ctx.content.catalogue;
    let classes = catalogue.classes.keys().map(|k| (k.clone(), catalogue.label(k, lang).to_string())).collect();
    let page = SubscribePage {
        layout,
        // The forms post to the page they are on.
        action: urls::link(&root, &path),
        feed_url: urls::link(&root, &urls::feed(None, translated)),
        feeds_url: urls::link(&root, &urls::feeds_page(translated)),
        severities,
        classes,
        all_tags: ctx.tags(),
        step,
    };
    ctx.html(path, lang, page.render(), None)
}

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage<'a> {
    layout: Layout<'a>,
    action: String,
    feed_url: String,
    feeds_url: String,
    severities: Vec<(String, String)>,
    classes: Vec<(String, String)>,
    all_tags: Vec<String>,
    step: SubscribeStep,
}
