//! The outbox: events and deliveries in SQLite, so that a restart resumes where it
//! stopped and never tells anyone twice. A delivery is written (with its payload)
//! before it is attempted, and marked when it is done or given up.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

/// A delivery due to be attempted.
#[derive(Debug, Clone)]
pub struct Due {
    /// Row id.
    pub id: i64,
    /// The event it tells.
    pub event: String,
    /// `webhook` or `websub`.
    pub channel: String,
    /// The endpoint URL or hub.
    pub target: String,
    /// What is sent.
    pub payload: Vec<u8>,
    /// Attempts made before this one.
    pub attempts: u32,
    /// When it was written (Unix seconds).
    pub created_at: i64,
}

/// One delivery to write with its event.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// `webhook` or `websub`.
    pub channel: &'static str,
    /// The endpoint URL or hub.
    pub target: String,
    /// What is sent.
    pub payload: Vec<u8>,
}

/// Counts for `/_status`, per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelCounts {
    /// The channel.
    pub channel: String,
    /// Waiting (first attempt or retry).
    pub pending: u64,
    /// Given up after a day of retries.
    pub failed: u64,
    /// Done.
    pub delivered: u64,
}

/// The outbox database.
pub struct Store {
    db: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let db = Connection::open(path)?;
        // WAL: readers (the status page) never wait for the writer; NORMAL is durable
        // across a crash of the process, which is what a restart needs.
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS events (
               id TEXT PRIMARY KEY,
               advisory TEXT NOT NULL,
               kind TEXT NOT NULL,
               seen_at INTEGER NOT NULL,
               told INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS deliveries (
               id INTEGER PRIMARY KEY,
               event TEXT NOT NULL REFERENCES events(id),
               channel TEXT NOT NULL,
               target TEXT NOT NULL,
               payload BLOB NOT NULL,
               state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
               attempts INTEGER NOT NULL DEFAULT 0,
               next_at INTEGER NOT NULL,
               created_at INTEGER NOT NULL,
               done_at INTEGER,
               last_error TEXT,
               UNIQUE (event, channel, target)
             );
             CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at);
             CREATE TABLE IF NOT EXISTS subscribers (
               id INTEGER PRIMARY KEY,
               email TEXT NOT NULL UNIQUE,
               language TEXT NOT NULL,
               topics TEXT NOT NULL,
               created_at INTEGER NOT NULL,
               confirmed_at INTEGER,
               confirm_hash BLOB
             );
             CREATE TABLE IF NOT EXISTS messages (
               event TEXT NOT NULL,
               language TEXT NOT NULL,
               subject TEXT NOT NULL,
               text TEXT NOT NULL,
               html TEXT NOT NULL,
               PRIMARY KEY (event, language)
             );
             CREATE TABLE IF NOT EXISTS rate (
               key TEXT PRIMARY KEY,
               window_start INTEGER NOT NULL,
               count INTEGER NOT NULL
             );",
        )?;
        Ok(Self { db })
    }

    /// Whether the store has recorded the site once already (after that, what is new is
    /// told; before, what is public is history).
    pub fn has_baseline(&self) -> rusqlite::Result<bool> {
        self.db.query_row("SELECT 1 FROM meta WHERE key = 'baseline'", [], |_| Ok(())).optional().map(|r| r.is_some())
    }

    /// The ids of every recorded event.
    pub fn event_ids(&self) -> rusqlite::Result<std::collections::HashSet<String>> {
        let mut stmt = self.db.prepare("SELECT id FROM events")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Records `events` as history: known, never told (the first start).
    pub fn record_baseline(&mut self, events: &[(String, String, String)], now: i64) -> rusqlite::Result<()> {
        let tx = self.db.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO events (id, advisory, kind, seen_at, told) VALUES (?1, ?2, ?3, ?4, 0)",
            )?;
            for (id, advisory, kind) in events {
                insert.execute(params![id, advisory, kind, now])?;
            }
            tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('baseline', ?1)", params![now.to_string()])?;
        }
        tx.commit()
    }

    /// Records one event, its mails (one per language) and its deliveries in one
    /// transaction: all are written or none. An event recorded before is left as it is
    /// (and nothing is added).
    pub fn record(
        &mut self,
        id: &str,
        advisory: &str,
        kind: &str,
        messages: &[Mail],
        deliveries: &[NewDelivery],
        now: i64,
    ) -> rusqlite::Result<bool> {
        let tx = self.db.transaction()?;
        let told = i64::from(!deliveries.is_empty());
        let added = tx.execute(
            "INSERT OR IGNORE INTO events (id, advisory, kind, seen_at, told) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, advisory, kind, now, told],
        )?;
        if added == 1 {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO deliveries (event, channel, target, payload, state, next_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
            )?;
            for d in deliveries {
                insert.execute(params![id, d.channel, d.target, d.payload, now])?;
            }
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO messages (event, language, subject, text, html) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for m in messages {
                insert.execute(params![id, m.language, m.subject, m.text, m.html])?;
            }
        }
        tx.commit()?;
        Ok(added == 1)
    }

    /// Deliveries due at `now`, oldest first, at most `limit`.
    pub fn due(&self, now: i64, limit: usize) -> rusqlite::Result<Vec<Due>> {
        let mut stmt = self.db.prepare_cached(
            "SELECT id, event, channel, target, payload, attempts, created_at FROM deliveries
             WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit as i64], |r| {
            Ok(Due {
                id: r.get(0)?,
                event: r.get(1)?,
                channel: r.get(2)?,
                target: r.get(3)?,
                payload: r.get(4)?,
                attempts: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?;
        rows.collect()
    }

    /// When the next pending delivery is due, if any.
    pub fn next_due(&self) -> rusqlite::Result<Option<i64>> {
        self.db.query_row("SELECT MIN(next_at) FROM deliveries WHERE state = 'pending'", [], |r| r.get(0))
    }

    /// Marks a delivery done.
    pub fn delivered(&self, id: i64, now: i64) -> rusqlite::Result<()> {
        self.db.execute(
            "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, done_at = ?2, last_error = NULL WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or given up when that is `None`.
    pub fn attempt_failed(&self, id: i64, error: &str, retry_at: Option<i64>, now: i64) -> rusqlite::Result<()> {
        match retry_at {
            Some(at) => self.db.execute(
                "UPDATE deliveries SET attempts = attempts + 1, next_at = ?2, last_error = ?3 WHERE id = ?1",
                params![id, at, error],
            )?,
            None => self.db.execute(
                "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, done_at = ?2, last_error = ?3 WHERE id = ?1",
                params![id, now, error],
            )?,
        };
        Ok(())
    }

    /// Pending, failed and delivered counts per channel.
    pub fn counts(&self) -> rusqlite::Result<Vec<ChannelCounts>> {
        let mut stmt = self.db.prepare(
            "SELECT channel,
                    SUM(state = 'pending'), SUM(state = 'failed'), SUM(state = 'delivered')
             FROM deliveries GROUP BY channel ORDER BY channel",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ChannelCounts {
                channel: r.get(0)?,
                pending: r.get::<_, i64>(1)? as u64,
                failed: r.get::<_, i64>(2)? as u64,
                delivered: r.get::<_, i64>(3)? as u64,
            })
        })?;
        rows.collect()
    }

    /// The newest error of each endpoint whose last attempt failed.
    pub fn last_errors(&self) -> rusqlite::Result<Vec<(String, String, String)>> {
        let mut stmt = self.db.prepare(
            "SELECT channel, target, last_error FROM deliveries d
             WHERE last_error IS NOT NULL AND id = (
               SELECT id FROM deliveries e WHERE e.channel = d.channel AND e.target = d.target
               ORDER BY COALESCE(done_at, next_at) DESC, id DESC LIMIT 1)
             ORDER BY channel, target",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    }

    /// The mail of `event` in `language`.
    pub fn mail(&self, event: &str, language: &str) -> rusqlite::Result<Option<Mail>> {
        self.db
            .query_row(
                "SELECT language, subject, text, html FROM messages WHERE event = ?1 AND language = ?2",
                params![event, language],
                |r| Ok(Mail { language: r.get(0)?, subject: r.get(1)?, text: r.get(2)?, html: r.get(3)? }),
            )
            .optional()
    }

    /// Removes a delivery that concerns nobody any more (its subscriber left).
    pub fn forget(&self, id: i64) -> rusqlite::Result<()> {
        self.db.execute("DELETE FROM deliveries WHERE id = ?1", params![id])?;
        Ok(())
    }

    /// A random key kept in the database, made at first use (it signs unsubscribe links,
    /// so that no token has to be stored for them).
    pub fn key(&self) -> rusqlite::Result<Vec<u8>> {
        if let Some(hex) = self
            .db
            .query_row("SELECT value FROM meta WHERE key = 'link_key'", [], |r| r.get::<_, String>(0))
            .optional()?
            && let Ok(key) = hex::decode(hex)
        {
            return Ok(key);
        }
        let mut key = vec![0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(e.to_string()))))?;
        self.db
            .execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('link_key', ?1)", params![hex::encode(&key)])?;
        Ok(key)
    }

    /// Adds an unconfirmed subscriber, or gives an unconfirmed one a new confirmation;
    /// `None` when the address is confirmed already (nothing changes). Unconfirmed
    /// addresses older than a week are removed first.
    pub fn subscribe(
        &mut self,
        email: &str,
        language: &str,
        topics: &str,
        confirm_hash: &[u8],
        now: i64,
    ) -> rusqlite::Result<Option<i64>> {
        let tx = self.db.transaction()?;
        tx.execute(
            "DELETE FROM subscribers WHERE confirmed_at IS NULL AND created_at < ?1",
            params![now - 7 * 24 * 3600],
        )?;
        let existing: Option<(i64, Option<i64>)> = tx
            .query_row("SELECT id, confirmed_at FROM subscribers WHERE email = ?1", params![email], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let id = match existing {
            Some((_, Some(_))) => None,
            Some((id, None)) => {
                tx.execute(
                    "UPDATE subscribers SET language = ?2, topics = ?3, confirm_hash = ?4, created_at = ?5 WHERE id = ?1",
                    params![id, language, topics, confirm_hash, now],
                )?;
                Some(id)
            }
            None => {
                tx.execute(
                    "INSERT INTO subscribers (email, language, topics, created_at, confirm_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![email, language, topics, now, confirm_hash],
                )?;
                Some(tx.last_insert_rowid())
            }
        };
        tx.commit()?;
        Ok(id)
    }

    /// Confirms subscriber `id` if `confirm_hash` is its confirmation's; true if it was.
    pub fn confirm(&self, id: i64, confirm_hash: &[u8], now: i64) -> rusqlite::Result<bool> {
        let changed = self.db.execute(
            "UPDATE subscribers SET confirmed_at = ?3, confirm_hash = NULL WHERE id = ?1 AND confirm_hash = ?2",
            params![id, confirm_hash, now],
        )?;
        Ok(changed == 1)
    }

    /// Whether `id` waits for this confirmation (the confirm page shows its button only then).
    pub fn awaits_confirmation(&self, id: i64, confirm_hash: &[u8]) -> rusqlite::Result<bool> {
        self.db
            .query_row(
                "SELECT 1 FROM subscribers WHERE id = ?1 AND confirm_hash = ?2",
                params![id, confirm_hash],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
    }

    /// The address and language of subscriber `id`, and whether it is confirmed.
    pub fn subscriber(&self, id: i64) -> rusqlite::Result<Option<(String, String, bool)>> {
        self.db
            .query_row(
                "SELECT email, language, confirmed_at IS NOT NULL FROM subscribers WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
    }

    /// Deletes subscriber `id` (and what was waiting to be sent to it).
    pub fn unsubscribe(&self, id: i64) -> rusqlite::Result<bool> {
        self.db.execute(
            "DELETE FROM deliveries WHERE channel = 'email' AND target = ?1 AND state = 'pending'",
            params![id.to_string()],
        )?;
        Ok(self.db.execute("DELETE FROM subscribers WHERE id = ?1", params![id])? == 1)
    }

    /// Every confirmed subscriber: id, language and topics (JSON).
    pub fn confirmed(&self) -> rusqlite::Result<Vec<(i64, String, String)>> {
        let mut stmt = self
            .db
            .prepare("SELECT id, language, topics FROM subscribers WHERE confirmed_at IS NOT NULL ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    }

    /// Counts a request against `key` (at most `max` per `window` seconds); false when
    /// the limit is reached.
    pub fn allow(&self, key: &str, max: i64, window: i64, now: i64) -> rusqlite::Result<bool> {
        self.db.execute("DELETE FROM rate WHERE window_start < ?1", params![now - 24 * 3600])?;
        let current: Option<(i64, i64)> = self
            .db
            .query_row("SELECT window_start, count FROM rate WHERE key = ?1", params![key], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (start, count) = match current {
            Some((start, count)) if now - start < window => (start, count),
            _ => (now, 0),
        };
        if count >= max {
            return Ok(false);
        }
        self.db.execute(
            "INSERT OR REPLACE INTO rate (key, window_start, count) VALUES (?1, ?2, ?3)",
            params![key, start, count + 1],
        )?;
        Ok(true)
    }
}

/// One event's mail in one language. `{unsubscribe}` in the text and HTML stands for
/// each subscriber's own link.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Language code.
    pub language: String,
    /// The subject line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
}
