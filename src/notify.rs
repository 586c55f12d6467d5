//! Telling subscribers the moment an advisory is public, once, and never earlier.
//!
//! After every swap of the live site (a reload, a git update, an embargo lift), the
//! notifier compares what the site shows ([`events::shown`]) with the events it has
//! recorded, and records each new one with its deliveries in the outbox
//! ([`store`], SQLite) before anything is sent. A worker sends what is due, one
//! delivery per endpoint at a time, so that a dead endpoint does not slow the others,
//! and retries with exponential backoff for a day. The first start records what is
//! already public as history and tells no one.
//!
//! One process per deployment sends: run `--notify` on one `serve` replica only (the
//! outbox is a local SQLite file, and two notifiers would each tell everyone).

pub mod config;
pub mod email;
pub mod events;
pub mod store;
pub mod webhook;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;

pub use config::NotifyConfig;
use events::{Event, EventKind};
use store::{Mail, NewDelivery, Store};

/// A delivery that fails is tried again after 5 s, 10 s, 20 s … (at most an hour
/// apart), and given up a day after it was written.
const FIRST_RETRY: i64 = 5;
const MAX_RETRY_GAP: i64 = 3600;
const GIVE_UP_AFTER: i64 = 24 * 3600;
/// Deliveries in flight at once (each to a different endpoint).
const IN_FLIGHT: usize = 64;
/// Deliveries read from the outbox at a time.
const BATCH: usize = 4096;

/// What is being sent right now.
#[derive(Default)]
struct Busy {
    /// Endpoints (webhook URLs, subscribers, hub and feed) with a delivery in flight.
    targets: HashSet<String>,
    /// The deliveries in flight.
    ids: HashSet<i64>,
}

/// What the live site shows: the notifier's view of a snapshot of `serve`.
pub struct Shown<'a> {
    /// The content the site was rendered from.
    pub content: &'a crate::content::Content,
    /// The rendered site.
    pub site: &'a crate::site::Site,
    /// The instant it was rendered for.
    pub rendered_for: Timestamp,
    /// Its version (a fingerprint of every page).
    pub version: &'a str,
}

/// The time, as the server reads it (the same type as `server::Clock`; tests move it).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The notifier of one `serve` process.
pub struct Notifier {
    config: NotifyConfig,
    store: Mutex<Store>,
    /// Event ids recorded, so that a reload compares in memory.
    known: Mutex<HashSet<String>>,
    /// Deliveries in flight, and their endpoints.
    busy: Mutex<Busy>,
    wake: tokio::sync::Notify,
    agent: ureq::Agent,
    /// Sends mail, when `[email]` is configured.
    mailer: Option<email::Mailer>,
    /// Signs unsubscribe links.
    link_key: Vec<u8>,
    /// The live site's base URL and default language.
    site: Mutex<SiteLinks>,
}

/// What a subscription request led to; the page says the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// A confirmation mail went out (or the address was confirmed already).
    Sent,
    /// The address is not one.
    BadAddress,
    /// Too many requests from this client or for this address.
    TooMany,
}

impl Notifier {
    /// Opens the outbox named by `config`.
    pub fn open(config: NotifyConfig) -> Result<Arc<Self>, String> {
        let store = Store::open(&config.database)
            .map_err(|e| format!("cannot open the notification database {}: {e}", config.database.display()))?;
        let known = store.event_ids().map_err(|e| format!("cannot read the notification database: {e}"))?;
        let link_key = store.key().map_err(|e| format!("cannot read the notification database: {e}"))?;
        let mailer = config.email.as_ref().map(email::Mailer::new).transpose()?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(webhook::TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("bulletin/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Arc::new(Self {
            config,
            store: Mutex::new(store),
            known: Mutex::new(known),
            busy: Mutex::new(Busy::default()),
            wake: tokio::sync::Notify::new(),
            agent,
            mailer,
            link_key,
            site: Mutex::new(SiteLinks::default()),
        }))
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records what `live` shows that was not recorded before, with its deliveries, and
    /// wakes the worker. Called after every swap of the live site and at start-up.
    pub fn observe(&self, live: &Shown<'_>, now: Timestamp) {
        self.set_site(&live.content.settings.base_url, &live.content.settings.default_language);
        let shown = events::shown(live);
        let mut known = self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut store = self.store();
        let result = (|| -> rusqlite::Result<usize> {
            if !store.has_baseline()? {
                let all: Vec<(String, String, String)> =
                    shown.iter().map(|e| (e.id.clone(), e.advisory.clone(), e.kind.name().to_string())).collect();
                store.record_baseline(&all, now.as_second())?;
                known.extend(all.into_iter().map(|(id, _, _)| id));
                tracing::info!(target: "bulletin::notify", events = known.len(), "notifications start: what is public now is history");
                return Ok(0);
            }
            let new: Vec<&Event> = shown.iter().filter(|e| !known.contains(&e.id)).collect();
            // An advisory that becomes public with updates (or already resolved) is told once.
            let published: HashSet<&str> =
                new.iter().filter(|e| e.kind == EventKind::Published).map(|e| e.advisory.as_str()).collect();
            let mut queued = 0;
            for event in new {
                let covered = event.kind != EventKind::Published && published.contains(event.advisory.as_str());
                let (mails, deliveries) =
                    if covered { (Vec::new(), Vec::new()) } else { self.deliveries(&store, event, live, now)? };
                store.record(&event.id, &event.advisory, event.kind.name(), &mails, &deliveries, now.as_second())?;
                known.insert(event.id.clone());
                queued += deliveries.len();
                tracing::info!(target: "bulletin::notify", event = %event.id, deliveries = deliveries.len(), "event");
            }
            Ok(queued)
        })();
        match result {
            Ok(0) => {}
            Ok(_) => self.wake.notify_one(),
            Err(e) => {
                tracing::error!(target: "bulletin::notify", error = %e, "cannot record events; they are recorded at the next reload")
            }
        }
    }

    /// The deliveries `event` needs: one per webhook endpoint and per confirmed
    /// subscriber whose topics match, and the event's mail in each of their languages.
    fn deliveries(
        &self,
        store: &Store,
        event: &Event,
        live: &Shown<'_>,
        now: Timestamp,
    ) -> rusqlite::Result<(Vec<Mail>, Vec<NewDelivery>)> {
        let Some(a) = live.content.get(&event.advisory) else { return Ok((Vec::new(), Vec::new())) };
        let data: Vec<&str> = a.data.iter().map(|d| d.as_str()).collect();
        let tags: Vec<&str> = a.tags.iter().map(|t| t.as_str()).collect();
        let mut deliveries: Vec<NewDelivery> = self
            .config
            .webhooks
            .iter()
            .filter(|w| w.topics.matches(a.severity, &data, &tags))
            .map(|w| {
                let lang = w.language.as_deref().unwrap_or(&live.content.settings.default_language);
                NewDelivery {
                    channel: "webhook",
                    target: w.url.clone(),
                    payload: webhook::payload(event, a, live.content, lang, now),
                }
            })
            .collect();
        let mut mails: Vec<Mail> = Vec::new();
        if self.mailer.is_some() {
            for (id, language, topics) in store.confirmed()? {
                if !email::topics_of(&topics).matches(a.severity, &data, &tags) {
                    continue;
                }
                if !mails.iter().any(|m| m.language == language) {
                    mails.push(email::compose(event, a, live.content, &language));
                }
                deliveries.push(NewDelivery {
                    channel: "email",
                    target: id.to_string(),
                    payload: language.into_bytes(),
                });
            }
        }
        Ok((mails, deliveries))
    }

    /// Sends what is due, for ever: woken by new events, else at the next retry.
    pub async fn run(self: Arc<Self>, clock: Clock) {
        // Deliveries read from the outbox and not started yet, oldest first. Reading in
        // batches keeps an event for 100,000 subscribers from costing a query per mail.
        let mut queue: std::collections::VecDeque<store::Due> = std::collections::VecDeque::new();
        loop {
            let now = clock().as_second();
            if queue.len() < IN_FLIGHT * 2 {
                let due = self.store().due(now, BATCH).unwrap_or_else(|e| {
                    tracing::error!(target: "bulletin::notify", error = %e, "cannot read the outbox");
                    Vec::new()
                });
                let busy = self.busy.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let queued: HashSet<i64> = queue.iter().map(|d| d.id).collect();
                queue.extend(due.into_iter().filter(|d| !busy.ids.contains(&d.id) && !queued.contains(&d.id)));
            }
            // Start what may start: one delivery per endpoint, IN_FLIGHT in all.
            for _ in 0..queue.len() {
                let Some(delivery) = queue.pop_front() else { break };
                let mut busy = self.busy.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if busy.ids.len() >= IN_FLIGHT {
                    queue.push_front(delivery);
                    break;
                }
                if !busy.targets.insert(delivery.target.clone()) {
                    queue.push_back(delivery);
                    continue;
                }
                busy.ids.insert(delivery.id);
                drop(busy);
                let me = self.clone();
                let clock = clock.clone();
                tokio::task::spawn_blocking(move || me.attempt(delivery, &clock));
            }
            let wait = if queue.is_empty() {
                let next = self.store().next_due().ok().flatten();
                next.map_or(Duration::from_secs(60), |at| {
                    Duration::from_secs(at.saturating_sub(clock().as_second()).clamp(0, 60) as u64)
                })
            } else {
                Duration::from_secs(1)
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait.max(Duration::from_millis(200))) => {}
            }
        }
    }

    /// One attempt at one delivery, and its outcome recorded.
    fn attempt(&self, d: store::Due, clock: &Clock) {
        let result = match d.channel.as_str() {
            "webhook" => match self.config.webhooks.iter().find(|w| w.url == d.target) {
                Some(w) => webhook::send(
                    &self.agent,
                    &w.url,
                    &w.secret,
                    &format!("evt_{}", d.id),
                    &d.payload,
                    clock().as_second(),
                ),
                None => Err("the endpoint is no longer in the notify config".to_string()),
            },
            "email" => match self.send_mail(&d) {
                Ok(true) => Ok(()),
                // The subscriber left: the delivery concerns nobody.
                Ok(false) => {
                    let _ = self.store().forget(d.id);
                    self.done(&d);
                    return;
                }
                Err(e) => Err(e),
            },
            "websub" => match d.target.split_once(' ') {
                Some((hub, _)) => webhook::ping_hub(&self.agent, hub, &String::from_utf8_lossy(&d.payload)),
                None => Err(format!("bad websub target {}", d.target)),
            },
            other => Err(format!("unknown channel {other}")),
        };
        let now = clock().as_second();
        let store = self.store();
        let recorded = match &result {
            Ok(()) => store.delivered(d.id, now),
            Err(error) => {
                let gap = (FIRST_RETRY << d.attempts.min(20)).min(MAX_RETRY_GAP);
                let retry = (now + gap <= d.created_at + GIVE_UP_AFTER).then_some(now + gap);
                tracing::warn!(target: "bulletin::notify", target_url = %d.target, event = %d.event, error = %error, retry_in_s = retry.map(|r| r - now), "delivery failed");
                store.attempt_failed(d.id, error, retry, now)
            }
        };
        drop(store);
        if let Err(e) = recorded {
            tracing::error!(target: "bulletin::notify", error = %e, "cannot record a delivery's outcome");
        }
        if result.is_ok() {
            tracing::info!(target: "bulletin::notify", target_url = %d.target, event = %d.event, "delivered");
        }
        self.done(&d);
    }

    /// A delivery is no longer in flight: its endpoint may take the next.
    fn done(&self, d: &store::Due) {
        let mut busy = self.busy.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        busy.targets.remove(&d.target);
        busy.ids.remove(&d.id);
        drop(busy);
        self.wake.notify_one();
    }

    /// The outbox for `/_status`: counts per channel and the last error per endpoint.
    pub fn status(&self) -> String {
        let store = self.store();
        let mut out = String::from("notifications:\n");
        match store.counts() {
            Ok(counts) if counts.is_empty() => out.push_str("  nothing sent yet\n"),
            Ok(counts) => {
                for c in counts {
                    out.push_str(&format!(
                        "  {}: {} pending, {} failed, {} delivered\n",
                        c.channel, c.pending, c.failed, c.delivered
                    ));
                }
            }
            Err(e) => out.push_str(&format!("  cannot read the outbox: {e}\n")),
        }
        if let Ok(errors) = store.last_errors() {
            for (channel, target, error) in errors {
                out.push_str(&format!("  last error, {channel} {target}: {error}\n"));
            }
        }
        out
    }

    /// Sends one event's mail to one subscriber; `Ok(false)` if the subscriber left.
    fn send_mail(&self, d: &store::Due) -> Result<bool, String> {
        let Some(mailer) = &self.mailer else { return Err("[email] is no longer configured".into()) };
        let id: i64 = d.target.parse().map_err(|_| format!("bad subscriber id {}", d.target))?;
        let (subscriber, mail) = {
            let store = self.store();
            let subscriber = store.subscriber(id).map_err(|e| e.to_string())?;
            let language = String::from_utf8_lossy(&d.payload).into_owned();
            let mail = store.mail(&d.event, &language).map_err(|e| e.to_string())?;
            (subscriber, mail)
        };
        let Some((address, language, true)) = subscriber else { return Ok(false) };
        let mail = mail.ok_or("the mail of this event is missing from the outbox")?;
        let unsubscribe = self.unsubscribe_url(id, &language);
        mailer.send(&address, &mail, &unsubscribe).map(|()| true)
    }

    /// The WebSub hubs the feeds name.
    pub fn hubs(&self) -> &[String] {
        &self.config.hubs
    }

    /// Tells each WebSub hub of each feed whose bytes changed between two sites.
    pub fn feeds_changed(&self, old: &Shown<'_>, new: &Shown<'_>, now: Timestamp) {
        if self.config.hubs.is_empty() {
            return;
        }
        let base = &new.content.settings.base_url;
        let changed: Vec<String> = new
            .site
            .pages()
            .filter(|(path, page)| is_feed(path) && old.site.get(path).is_none_or(|o| o.etag != page.etag))
            .map(|(path, _)| crate::urls::absolute(base, path))
            .collect();
        if changed.is_empty() {
            return;
        }
        let deliveries: Vec<NewDelivery> = self
            .config
            .hubs
            .iter()
            .flat_map(|hub| {
                changed.iter().map(move |feed| NewDelivery {
                    channel: "websub",
                    target: format!("{hub} {feed}"),
                    payload: feed.clone().into_bytes(),
                })
            })
            .collect();
        let id = format!("feeds/{}", new.version);
        match self.store().record(&id, "-", "feeds.changed", &[], &deliveries, now.as_second()) {
            Ok(_) => self.wake.notify_one(),
            Err(e) => tracing::error!(target: "bulletin::notify", error = %e, "cannot record the feeds' change"),
        }
    }

    /// Whether email subscriptions are on (`[email]` in the config).
    pub fn has_email(&self) -> bool {
        self.mailer.is_some()
    }

    /// The link in every mail: the unsubscribe page, in the subscriber's language.
    fn unsubscribe_url(&self, id: i64, language: &str) -> String {
        let site = self.site.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let lang = (language != site.default_language).then_some(language);
        format!(
            "{}?id={id}&t={}",
            crate::urls::absolute(&site.base_url, &crate::urls::unsubscribe(lang)),
            email::unsubscribe_token(&self.link_key, id)
        )
    }

    /// A subscription request from `client` (its IP address): a new or unconfirmed
    /// address gets a confirmation mail; a confirmed one nothing. The answer is the same.
    pub fn subscribe(
        &self,
        content: &crate::content::Content,
        typed: &str,
        language: &str,
        topics: &config::Topics,
        client: &str,
        now: Timestamp,
    ) -> Subscribed {
        let Some(mailer) = &self.mailer else { return Subscribed::BadAddress };
        let Some(address) = email::normalise_address(typed) else { return Subscribed::BadAddress };
        let token = email::new_token();
        let settings = &content.settings;
        let language =
            if settings.languages.iter().any(|l| l == language) { language } else { &settings.default_language };
        let now_s = now.as_second();
        let id = {
            let mut store = self.store();
            // Per client: 10 an hour; per address: 3 a day (a confirmation mail each).
            let allowed = store.allow(&format!("ip:{client}"), 10, 3600, now_s).unwrap_or(false)
                && store.allow(&format!("to:{address}"), 3, 24 * 3600, now_s).unwrap_or(false);
            if !allowed {
                return Subscribed::TooMany;
            }
            match store.subscribe(&address, language, &email::topics_json(topics), &email::token_hash(&token), now_s) {
                Ok(id) => id,
                Err(e) => {
                    tracing::error!(target: "bulletin::notify", error = %e, "cannot record a subscription");
                    return Subscribed::TooMany;
                }
            }
        };
        if let Some(id) = id {
            let lang = (language != settings.default_language).then_some(language);
            let link = format!(
                "{}?id={id}&t={token}",
                crate::urls::absolute(&settings.base_url, &crate::urls::subscribe_confirm(lang))
            );
            if let Err(e) = mailer.send_confirmation(&address, content, language, &link) {
                tracing::warn!(target: "bulletin::notify", error = %e, "cannot send a confirmation mail");
            }
        }
        Subscribed::Sent
    }

    /// Whether `token` confirms subscriber `id` (the confirm page shows its button then).
    pub fn awaits_confirmation(&self, id: i64, token: &str) -> bool {
        self.store().awaits_confirmation(id, &email::token_hash(token)).unwrap_or(false)
    }

    /// Confirms subscriber `id`; false if the token does not hold (or was used).
    pub fn confirm(&self, id: i64, token: &str, now: Timestamp) -> bool {
        self.store().confirm(id, &email::token_hash(token), now.as_second()).unwrap_or(false)
    }

    /// Whether `token` is subscriber `id`'s unsubscribe token and the subscriber exists.
    pub fn may_unsubscribe(&self, id: i64, token: &str) -> bool {
        email::unsubscribe_token_holds(&self.link_key, id, token) && matches!(self.store().subscriber(id), Ok(Some(_)))
    }

    /// Deletes subscriber `id` if `token` is its unsubscribe token.
    pub fn unsubscribe(&self, id: i64, token: &str) -> bool {
        email::unsubscribe_token_holds(&self.link_key, id, token) && self.store().unsubscribe(id).unwrap_or(false)
    }

    /// Remembers where the site is published, for the links in mails.
    pub fn set_site(&self, base_url: &str, default_language: &str) {
        *self.site.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            SiteLinks { base_url: base_url.to_string(), default_language: default_language.to_string() };
    }
}

/// Whether `path` is one of the site's feeds (RSS, Atom, JSON Feed).
fn is_feed(path: &str) -> bool {
    path.ends_with("/feed.xml")
        || path.ends_with("/updates.xml")
        || path == crate::urls::ATOM_FEED
        || path == crate::urls::JSON_FEED
}

/// Where the site is published (its base URL may change with site.toml).
#[derive(Debug, Clone, Default)]
struct SiteLinks {
    base_url: String,
    default_language: String,
}
