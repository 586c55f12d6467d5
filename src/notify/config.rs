//! `notify.toml`: where the outbox lives and whom to tell. It sits on the server, never
//! in the advisories repository: secrets come from files it names.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics, SourceFile};
use crate::model::{Keyword, Severity};

/// The notifier's configuration.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The SQLite database of the outbox (created if missing).
    pub database: PathBuf,
    /// Webhook endpoints.
    pub webhooks: Vec<WebhookEndpoint>,
    /// WebSub hubs told of every changed feed.
    pub hubs: Vec<String>,
    /// Email subscriptions, if configured.
    pub email: Option<EmailConfig>,
}

/// How mail is sent.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// `smtp://host:port` (STARTTLS, required unless the host is this machine) or
    /// `smtps://host:port` (TLS from the start).
    pub smtp: String,
    /// The sender, `Name <address>`.
    pub from: String,
    /// SMTP login, if the server needs one.
    pub smtp_user: Option<String>,
    /// The password, read from `smtp_password_file`.
    pub smtp_password: Option<String>,
}

/// One webhook receiver.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    /// Where events are POSTed (http or https).
    pub url: String,
    /// The signing key (Standard Webhooks: the bytes after `whsec_`, base64-decoded).
    pub secret: Vec<u8>,
    /// Only events matching this are sent.
    pub topics: Topics,
    /// The language of titles, summaries and `text_short` (the site's default if unset).
    pub language: Option<String>,
}

/// Which advisories an endpoint (or a subscriber) wants to hear about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topics {
    /// This severity or worse.
    pub severity: Option<Severity>,
    /// Any of these data classes (empty: all).
    pub data: Vec<String>,
    /// Any of these tags (empty: all).
    pub tags: Vec<String>,
}

impl Topics {
    /// Whether an advisory with these facts is wanted.
    pub fn matches(&self, severity: Severity, data: &[&str], tags: &[&str]) -> bool {
        self.severity.is_none_or(|min| severity <= min)
            && (self.data.is_empty() || self.data.iter().any(|d| data.contains(&d.as_str())))
            && (self.tags.is_empty() || self.tags.iter().any(|t| tags.contains(&t.as_str())))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    database: PathBuf,
    #[serde(default)]
    webhooks: Vec<WebhookFile>,
    websub: Option<WebSubFile>,
    email: Option<EmailFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailFile {
    smtp: String,
    from: String,
    smtp_user: Option<String>,
    smtp_password_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookFile {
    url: String,
    secret_file: PathBuf,
    #[serde(default)]
    topics: TopicsFile,
    language: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    severity: Option<String>,
    #[serde(default)]
    data: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebSubFile {
    hubs: Vec<String>,
}

impl NotifyConfig {
    /// Reads `path`; relative paths in it are relative to its folder. Every problem is
    /// reported with the file, line and a fix.
    pub fn load(path: &Path) -> Result<Self, Diagnostics> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            one(SourceFile::new(name.clone(), "")
                .error(0..0, format!("cannot read the notify config: {e}"))
                .help("pass the path of a notify.toml with `database = \"…\"` (see docs/notifications.md)"))
        })?;
        let file = SourceFile::new(name, text);
        let parsed: File = toml::from_str(&file.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().trim_end_matches('.').to_string();
            one(file.error(span, format!("notify config: {message}")).help(
                "the keys are `database`, [[webhooks]] with `url`, `secret_file`, `topics` and `language`, and [websub] with `hubs`",
            ))
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let at = |needle: &str| file.text.find(needle).map_or(0..0, |i| i..i + needle.len());
        let mut diags: Vec<Diagnostic> = Vec::new();
        let mut webhooks = Vec::new();
        for w in parsed.webhooks {
            if !crate::content::is_absolute_http_url(&w.url) {
                diags.push(
                    file.error(at(&w.url), format!("webhook url `{}` is not an absolute http(s) URL", w.url)).help(
                        "write the receiver's full address, e.g. url = \"https://newsroom.example/hooks/bulletin\"",
                    ),
                );
                continue;
            }
            let secret_path = base.join(&w.secret_file);
            let secret = match std::fs::read_to_string(&secret_path) {
                Ok(s) => signing_key(s.trim()),
                Err(e) => {
                    diags.push(
                        file.error(
                            at(&w.secret_file.display().to_string()),
                            format!("cannot read the secret file {}: {e}", secret_path.display()),
                        )
                        .help("create it with the endpoint's secret (`whsec_…` or any text of 16 bytes or more), readable only by bulletin"),
                    );
                    continue;
                }
            };
            if secret.len() < 16 {
                diags.push(
                    file.error(at(&w.secret_file.display().to_string()), "the webhook secret is shorter than 16 bytes")
                        .help("use a long random secret, e.g. `echo whsec_$(head -c 32 /dev/urandom | base64)`"),
                );
                continue;
            }
            let severity = match w.topics.severity.as_deref() {
                None => None,
                Some(word) => match Severity::parse(word) {
                    Some(s) => Some(s),
                    None => {
                        diags.push(
                            file.error(at(&format!("\"{word}\"")), format!("unknown severity `{word}`"))
                                .help(format!("severity is one of: {}", Severity::words().join(", "))),
                        );
                        continue;
                    }
                },
            };
            webhooks.push(WebhookEndpoint {
                url: w.url,
                secret,
                topics: Topics { severity, data: w.topics.data, tags: w.topics.tags },
                language: w.language,
            });
        }
        let hubs = parsed.websub.map(|w| w.hubs).unwrap_or_default();
        for hub in &hubs {
            if !crate::content::is_absolute_http_url(hub) {
                diags.push(
                    file.error(at(hub), format!("hub `{hub}` is not an absolute http(s) URL"))
                        .help("write the hub's full address, e.g. \"https://pubsubhubbub.appspot.com/\""),
                );
            }
        }
        let email = match parsed.email {
            None => None,
            Some(e) => {
                let smtp_ok = ["smtp://", "smtps://"].iter().any(|s| e.smtp.starts_with(s));
                if !smtp_ok {
                    diags.push(file.error(at(&e.smtp), format!("`{}` is not an smtp:// or smtps:// address", e.smtp)).help(
                        "write smtp = \"smtps://mail.example.pk:465\" or \"smtp://mail.example.pk:587?tls=required\"",
                    ));
                }
                if e.from.parse::<lettre::message::Mailbox>().is_err() {
                    diags.push(
                        file.error(at(&e.from), format!("`{}` is not a sender address", e.from))
                            .help("write from = \"PK Advisories <alerts@advisories.example.pk>\""),
                    );
                }
                let password = match &e.smtp_password_file {
                    None => None,
                    Some(p) => match std::fs::read_to_string(base.join(p)) {
                        Ok(s) => Some(s.trim_end_matches(['\r', '\n']).to_string()),
                        Err(err) => {
                            diags.push(
                                file.error(
                                    at(&p.display().to_string()),
                                    format!("cannot read the password file {}: {err}", base.join(p).display()),
                                )
                                .help("create it with the SMTP password alone, readable only by bulletin"),
                            );
                            None
                        }
                    },
                };
                Some(EmailConfig { smtp: e.smtp, from: e.from, smtp_user: e.smtp_user, smtp_password: password })
            }
        };
        if !diags.is_empty() {
            let mut report = Diagnostics::default();
            report.add_source(file);
            for d in diags {
                report.push(d);
            }
            return Err(report);
        }
        Ok(Self { database: base.join(parsed.database), webhooks, hubs, email })
    }
}

/// The HMAC key of a Standard Webhooks secret: `whsec_` and base64 is decoded (as the
/// specification's libraries do); any other text is used as it is.
pub(crate) fn signing_key(secret: &str) -> Vec<u8> {
    use base64::Engine as _;
    match secret.strip_prefix("whsec_") {
        Some(b64) => {
            base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_else(|_| secret.as_bytes().to_vec())
        }
        None => secret.as_bytes().to_vec(),
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    let mut report = Diagnostics::default();
    report.push(d);
    report
}
