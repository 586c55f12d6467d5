//! Webhooks for newsrooms, SMS and WhatsApp gateways and chat bridges: one JSON
//! payload per event, signed per the Standard Webhooks specification
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`),
//! with `text_short`, the advisory in one SMS.

use std::time::Duration;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde::Serialize;

use super::events::{Event, EventKind};
use crate::content::Content;
use crate::model::{Advisory, Keyword};
use crate::urls;

/// The longest wait for a receiver's answer.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    timestamp: String,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Data<'a> {
    event: &'a str,
    id: &'a str,
    title: &'a str,
    summary: &'a str,
    severity: &'static str,
    status: &'static str,
    data: Vec<&'a str>,
    url: String,
    language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    update: Option<UpdateData<'a>>,
    text_short: String,
}

#[derive(Serialize)]
struct UpdateData<'a> {
    date: String,
    summary: &'a str,
}

/// The payload of `event` about `a`, in `lang` where the advisory is translated.
pub(crate) fn payload(event: &Event, a: &Advisory, content: &Content, lang: &str, now: jiff::Timestamp) -> Vec<u8> {
    let settings = &content.settings;
    let translation =
        (lang != settings.default_language).then(|| a.public_translations().find(|t| t.lang == lang)).flatten();
    // A language the advisory is not translated into still gets the page in it (Urdu
    // chrome and checklist); its words stay in the original.
    let lang_ref = if settings.languages.iter().any(|l| l == lang) { lang } else { settings.default_language.as_str() };
    let page_lang = (lang_ref != settings.default_language).then_some(lang_ref);
    let words_lang = translation.map_or(settings.default_language.as_str(), |t| t.lang.as_str());
    let title = translation.map_or(a.title.as_str(), |t| t.title.as_str());
    let summary = translation.map_or(a.summary.as_str(), |t| t.summary.as_str());
    let mut url = urls::absolute(&settings.base_url, &urls::advisory(page_lang, a.id.as_str()));
    let update = match &event.kind {
        EventKind::Updated(date) => a.updates.iter().find(|u| u.date == *date).map(|u| {
            url = format!("{url}#{}", urls::update_anchor(u.date));
            let summary = translation.and_then(|t| t.updates.get(date)).map_or(u.summary.as_str(), String::as_str);
            UpdateData { date: u.date.to_string(), summary }
        }),
        _ => None,
    };
    let t = content.ui.get(lang_ref);
    let label = match &event.kind {
        EventKind::Published => t.severity(a.severity).to_string(),
        EventKind::Updated(_) => t.updated.clone(),
        EventKind::Resolved | EventKind::Withdrawn => t.status(a.status).to_string(),
    };
    let body = Payload {
        kind: event.kind.name(),
        timestamp: now.to_string(),
        data: Data {
            event: &event.id,
            id: a.id.as_str(),
            title,
            summary,
            severity: a.severity.as_str(),
            status: a.status.as_str(),
            data: a.data.iter().map(|d| d.as_str()).collect(),
            text_short: text_short(&label, title, &url),
            url,
            language: words_lang,
            update,
        },
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// `label: title url` in one SMS: at most 160 GSM-7 characters, or 70 UCS-2 characters
/// when the text needs more than GSM-7 (Urdu). The title is shortened to fit; the
/// link is never cut.
pub(crate) fn text_short(label: &str, title: &str, url: &str) -> String {
    let label = gsm_friendly(label);
    let title = gsm_friendly(title);
    let whole = format!("{label}: {title} {url}");
    let gsm = whole.chars().all(|c| gsm7_cost(c).is_some());
    let (budget, cost): (usize, fn(char) -> usize) =
        if gsm { (160, |c| gsm7_cost(c).unwrap_or(2)) } else { (70, char::len_utf16) };
    let length = |s: &str| s.chars().map(cost).sum::<usize>();
    if length(&whole) <= budget {
        return whole;
    }
    let fixed = length(&format!("{label}:  {url}")) + if gsm { 3 } else { 1 };
    let mut room = budget.saturating_sub(fixed);
    let mut short = String::new();
    for c in title.chars() {
        if cost(c) > room {
            break;
        }
        room -= cost(c);
        short.push(c);
    }
    let ellipsis = if gsm { "..." } else { "…" };
    let short = short.trim_end();
    if short.is_empty() { format!("{label}: {url}") } else { format!("{label}: {short}{ellipsis} {url}") }
}

/// Typographic characters a phone would otherwise send as UCS-2, as their GSM-7 look-alikes.
fn gsm_friendly(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '‘' | '’' | '‚' | '′' => '\'',
            '“' | '”' | '„' | '″' => '"',
            '–' | '—' | '‐' | '−' => '-',
            '\u{a0}' | '\u{2009}' | '\u{202f}' => ' ',
            c => c,
        })
        .collect::<String>()
        .replace('…', "...")
}

/// What `c` costs in GSM 03.38: 1 in the basic set, 2 in the extension table, `None`
/// outside it.
fn gsm7_cost(c: char) -> Option<usize> {
    const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    const EXTENDED: &str = "^{}\\[~]|€\u{c}";
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the Standard Webhooks signature.
pub(crate) fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) else { return String::new() };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// POSTs one signed delivery; `Err` says why it did not arrive.
pub(crate) fn send(agent: &ureq::Agent, url: &str, key: &[u8], id: &str, body: &[u8], now: i64) -> Result<(), String> {
    let response = agent
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", sign(key, id, now, body))
        .send(body)
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) { Ok(()) } else { Err(format!("the receiver answered {status}")) }
}

/// WebSub: tells `hub` that `feed` changed (`hub.mode=publish`).
pub(crate) fn ping_hub(agent: &ureq::Agent, hub: &str, feed: &str) -> Result<(), String> {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    let body = format!("hub.mode=publish&hub.url={}", encode(feed));
    let response = agent
        .post(hub)
        .header("content-type", "application/x-www-form-urlencoded")
        .send(body.as_bytes())
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) { Ok(()) } else { Err(format!("the hub answered {status}")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_example() {
        let key = super::super::config::signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn text_short_fits_one_sms() {
        let url = "https://advisories.example.pk/advisories/PK-2025-0007/";
        let short = text_short("High", "Telecom subscriber records offered for sale online", url);
        assert_eq!(short, format!("High: Telecom subscriber records offered for sale online {url}"));
        let long = text_short("High", &"Very long headline about the leak ".repeat(8), url);
        assert!(long.chars().map(|c| gsm7_cost(c).unwrap()).sum::<usize>() <= 160, "{long}");
        assert!(long.ends_with(&format!("... {url}")), "{long}");
        let curly = text_short("High", "Don’t share “codes” – ever", url);
        assert!(curly.contains("Don't share \"codes\" - ever"), "{curly}");
        let urdu = text_short(
            "زیادہ",
            "ٹیلی کام صارفین کا ریکارڈ آن لائن فروخت کے لیے پیش",
            "https://a.pk/ur/advisories/PK-2025-0007/",
        );
        assert!(urdu.encode_utf16().count() <= 70, "{} {urdu}", urdu.encode_utf16().count());
        assert!(urdu.ends_with(" https://a.pk/ur/advisories/PK-2025-0007/"), "{urdu}");
    }
}
