//! Advisories by email: the mail of an event in each subscriber's language (plain text
//! and HTML, no tracking), the confirmation mail, the tokens of the confirm and
//! unsubscribe links, and sending over SMTP (lettre).
//!
//! A subscriber is stored with its address, topics, language, dates and the hash of its
//! pending confirmation token, nothing else. Unsubscribe links carry an HMAC of the
//! subscriber's id under a key kept in the database, so no token is stored for them.

use std::str::FromStr;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport};
use sha2::Digest;

use super::config::{EmailConfig, Topics};
use super::events::{Event, EventKind};
use super::store::Mail;
use crate::content::Content;
use crate::model::{Advisory, Keyword, Severity, Urgency};
use crate::render::markdown::escape_html;
use crate::urls;

/// Stands for each subscriber's unsubscribe link in a stored mail.
pub(crate) const UNSUBSCRIBE: &str = "{unsubscribe}";
/// "Do now" steps a mail lists before the link to all of them.
const STEPS: usize = 3;

/// A random token for a link (32 bytes, URL-safe base64).
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // The system's random source never fails on the platforms bulletin runs on; if it
    // did, an all-zero token would be guessable, so refuse instead.
    getrandom::fill(&mut bytes).expect("the system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a token: its SHA-256.
pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

/// The unsubscribe token of subscriber `id`: an HMAC under the database's key.
pub(crate) fn unsubscribe_token(key: &[u8], id: i64) -> String {
    let Ok(mut mac) = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) else { return String::new() };
    mac.update(format!("unsubscribe:{id}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether `token` is subscriber `id`'s unsubscribe token (in constant time).
pub(crate) fn unsubscribe_token_holds(key: &[u8], id: i64, token: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token) else { return false };
    let Ok(mut mac) = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) else { return false };
    mac.update(format!("unsubscribe:{id}").as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// A subscriber's topics as stored (JSON).
pub(crate) fn topics_json(topics: &Topics) -> String {
    serde_json::json!({
        "severity": topics.severity.map(|s| s.as_str()),
        "data": topics.data,
        "tags": topics.tags,
    })
    .to_string()
}

/// Topics read back from [`topics_json`].
pub(crate) fn topics_of(json: &str) -> Topics {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let list = |k: &str| -> Vec<String> {
        v[k].as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
    };
    Topics { severity: v["severity"].as_str().and_then(Severity::parse), data: list("data"), tags: list("tags") }
}

/// The mail of `event` about `a` in `lang`: subject `[High] title`, the summary, the
/// first "Do now" steps, the link, and [`UNSUBSCRIBE`] where each subscriber's link goes.
pub(crate) fn compose(event: &Event, a: &Advisory, content: &Content, lang: &str) -> Mail {
    let settings = &content.settings;
    let lang = if settings.languages.iter().any(|l| l == lang) { lang } else { settings.default_language.as_str() };
    let page_lang = (lang != settings.default_language).then_some(lang);
    let t = content.ui.get(lang);
    let translation = page_lang.and_then(|l| a.public_translations().find(|tr| tr.lang == l));
    let title = translation.map_or(a.title.as_str(), |tr| tr.title.as_str());
    let mut summary = translation.map_or(a.summary.as_str(), |tr| tr.summary.as_str()).to_string();
    let mut url = urls::absolute(&settings.base_url, &urls::advisory(page_lang, a.id.as_str()));
    let label = match &event.kind {
        EventKind::Published => t.severity(a.severity).to_string(),
        EventKind::Updated(date) => {
            if let Some(u) = a.updates.iter().find(|u| u.date == *date) {
                summary = translation.and_then(|tr| tr.updates.get(date)).unwrap_or(&u.summary).clone();
                url = format!("{url}#{}", urls::update_anchor(u.date));
            }
            t.email_update.clone()
        }
        EventKind::Resolved | EventKind::Withdrawn => t.status(a.status).to_string(),
    };
    let catalogue = &content.catalogue;
    let steps: Vec<String> = a
        .checklist_in(catalogue, translation)
        .iter()
        .filter(|i| i.urgency == Urgency::Now)
        .take(STEPS)
        .map(|i| plain(catalogue.translated_text(&i.id, lang).unwrap_or(&i.text)))
        .collect();
    let subject = format!("[{label}] {title}");
    let mut text = format!("{title}\n\n{summary}\n\n");
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<h1>{}</h1>\n<p>{}</p>\n",
        t.direction(),
        escape_html(&subject),
        escape_html(title),
        escape_html(&summary)
    );
    if !steps.is_empty() && event.kind == EventKind::Published {
        text.push_str(&format!("{}\n", t.email_do_now));
        html.push_str(&format!("<p><strong>{}</strong></p>\n<ul>\n", escape_html(&t.email_do_now)));
        for step in &steps {
            text.push_str(&format!("- {step}\n"));
            html.push_str(&format!("<li>{}</li>\n", escape_html(step)));
        }
        text.push('\n');
        html.push_str("</ul>\n");
    }
    text.push_str(&format!("{}\n{url}\n\n-- \n{} {UNSUBSCRIBE}\n", t.email_read, t.email_stop));
    html.push_str(&format!(
        "<p>{}<br><a href=\"{url}\">{url}</a></p>\n<hr>\n<p><small>{} <a href=\"{UNSUBSCRIBE}\">{UNSUBSCRIBE}</a></small></p>\n</body></html>\n",
        escape_html(&t.email_read),
        escape_html(&t.email_stop),
        url = escape_html(&url),
    ));
    Mail { language: lang.to_string(), subject, text, html }
}

/// Inline Markdown as plain text: the words, without markup or link targets.
fn plain(markdown: &str) -> String {
    use pulldown_cmark::{Event as Md, Parser};
    Parser::new(markdown)
        .filter_map(|e| match e {
            Md::Text(t) | Md::Code(t) => Some(t.into_string()),
            Md::SoftBreak | Md::HardBreak => Some(" ".into()),
            _ => None,
        })
        .collect()
}

/// `Content-Language: ur` (RFC 3282), so mail programs pick the right font and voice.
#[derive(Clone)]
struct Language(String);

impl Header for Language {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// Sends mail through one SMTP server (connections pooled).
pub(crate) struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Mailer {
    pub(crate) fn new(config: &EmailConfig) -> Result<Self, String> {
        let url = with_starttls(&config.smtp);
        let mut builder = SmtpTransport::from_url(&url).map_err(|e| format!("smtp = {}: {e}", config.smtp))?;
        if let (Some(user), Some(password)) = (&config.smtp_user, &config.smtp_password) {
            builder = builder
                .credentials(lettre::transport::smtp::authentication::Credentials::new(user.clone(), password.clone()));
        }
        // Enough connections for the deliveries in flight; the SMTP server queues the rest.
        let pool = lettre::transport::smtp::PoolConfig::new().max_size(32);
        let transport = builder.timeout(Some(std::time::Duration::from_secs(20))).pool_config(pool).build();
        let from = Mailbox::from_str(&config.from).map_err(|e| format!("from = {}: {e}", config.from))?;
        Ok(Self { transport, from })
    }

    /// Sends `mail` to `to`, with its unsubscribe link filled in.
    pub(crate) fn send(&self, to: &str, mail: &Mail, unsubscribe_url: &str) -> Result<(), String> {
        let html_url = escape_html(unsubscribe_url).into_owned();
        let filled = Mail {
            text: mail.text.replace(UNSUBSCRIBE, unsubscribe_url),
            html: mail.html.replace(UNSUBSCRIBE, &html_url),
            ..mail.clone()
        };
        self.deliver(to, &filled, Some(unsubscribe_url))
    }

    /// The confirmation mail: a link to the page whose button confirms.
    pub(crate) fn send_confirmation(&self, to: &str, content: &Content, lang: &str, link: &str) -> Result<(), String> {
        let t = content.ui.get(lang);
        let site = &content.settings.texts(lang).title;
        let text = format!("{}\n\n{link}\n\n{}\n\n-- \n{site}\n", t.email_confirm_text, t.email_confirm_ignore);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<p>{}</p>\n<p><a href=\"{link}\">{link}</a></p>\n<p>{}</p>\n<hr>\n<p><small>{}</small></p>\n</body></html>\n",
            t.direction(),
            escape_html(&t.email_confirm_subject),
            escape_html(&t.email_confirm_text),
            escape_html(&t.email_confirm_ignore),
            escape_html(site),
            link = escape_html(link),
        );
        let subject = format!("{} – {site}", t.email_confirm_subject);
        self.deliver(to, &Mail { language: lang.to_string(), subject, text, html }, None)
    }

    /// Sends `mail` (text and HTML) to `to`, with the list headers when it has an
    /// unsubscribe link.
    fn deliver(&self, to: &str, mail: &Mail, unsubscribe_url: Option<&str>) -> Result<(), String> {
        let to = Mailbox::from_str(to).map_err(|e| format!("bad address: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(Language(mail.language.clone()));
        if let Some(url) = unsubscribe_url {
            builder = builder.header(ListUnsubscribe(url.to_string())).header(ListUnsubscribePost);
        }
        let message = builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html.clone())),
            )
            .map_err(|e| e.to_string())?;
        self.transport.send(&message).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// `smtp://` without a `tls=` choice made to insist on STARTTLS, except for a server
/// on the same machine (a local relay, or the tests' sink), where STARTTLS is used if
/// offered: mail and its links must not cross a network in clear.
fn with_starttls(url: &str) -> String {
    let Some(rest) = url.strip_prefix("smtp://") else { return url.to_string() };
    if rest.contains("tls=") {
        return url.to_string();
    }
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let local = ["127.0.0.1", "localhost", "[::1]"].iter().any(|h| host == *h || host.starts_with(&format!("{h}:")));
    let tls = if local { "opportunistic" } else { "required" };
    let sep = if rest.contains('?') { '&' } else { '?' };
    format!("{url}{sep}tls={tls}")
}

/// An address a person typed, checked and normalised (lowercase), or `None`. Anything
/// with a line break, a second address or a display name is refused: the address goes
/// into a mail header.
pub(crate) fn normalise_address(typed: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() || typed.len() > 254 || typed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let address = lettre::Address::from_str(typed).ok()?;
    let domain = address.domain();
    if !domain.contains('.') || domain.starts_with('[') || address.user().len() > 64 {
        return None;
    }
    Some(typed.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_they_reach_a_header() {
        assert_eq!(normalise_address(" Ali@Example.PK "), Some("ali@example.pk".into()));
        for bad in [
            "ali@example.pk\r\nBcc: all@example.pk",
            "ali@example.pk, b@example.pk",
            "Ali <ali@example.pk>",
            "ali",
            "ali@localhost",
            "",
            &format!("{}@example.pk", "a".repeat(300)),
        ] {
            assert_eq!(normalise_address(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn smtp_insists_on_starttls_across_a_network() {
        assert_eq!(with_starttls("smtp://mail.example.pk:587"), "smtp://mail.example.pk:587?tls=required");
        assert_eq!(with_starttls("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525?tls=opportunistic");
        assert_eq!(
            with_starttls("smtp://mail.example.pk?tls=opportunistic"),
            "smtp://mail.example.pk?tls=opportunistic"
        );
        assert_eq!(with_starttls("smtps://mail.example.pk:465"), "smtps://mail.example.pk:465");
    }

    #[test]
    fn unsubscribe_tokens_hold_only_for_their_subscriber() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = unsubscribe_token(key, 7);
        assert!(unsubscribe_token_holds(key, 7, &token));
        assert!(!unsubscribe_token_holds(key, 8, &token));
        assert!(!unsubscribe_token_holds(b"another key 0123456789abcdef0123", 7, &token));
        assert!(!unsubscribe_token_holds(key, 7, "not base64!"));
    }
}
