//! Letters to the mailing list: drafts admins and editors write, their
//! audience among confirmed subscribers, their schedule, and queuing —
//! one outbox row and one `manage` link per recipient, written in one
//! transaction that claims the letter, so it is queued once even with
//! several instances. [`LetterStore`] and its one implementation for both
//! backends (`imp`).
//!
//! A letter's outbox rows hold no bodies: the sender draws them from the
//! letter when it sends (one copy, not 100,000). Sending a letter's mail
//! adds to its `sent` or `failed` count in the transaction that marks the
//! mail (see [`crate::mail::MailStore`]).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::letter::{Audience, AudienceMode, LetterStatus, LetterText};

use crate::StoreResult;
use crate::model::AccountId;

mod imp;

/// A letter as the admin pages and the sender read it.
#[derive(Clone, PartialEq, Eq)]
pub struct Letter {
    /// The row.
    pub id: i64,
    /// The subject line.
    pub subject: String,
    /// The body, in Markdown.
    pub body: String,
    /// Whom it goes to.
    pub audience: Audience,
    /// Who wrote it, while their account lasts.
    pub author: Option<AccountId>,
    /// When it is (or was) to be sent; `None` for a draft.
    pub send_at: Option<Timestamp>,
    /// When it was queued.
    pub queued_at: Option<Timestamp>,
    /// Mails queued.
    pub recipients: u64,
    /// Mails sent.
    pub sent: u64,
    /// Mails given up.
    pub failed: u64,
    /// Recipients who unsubscribed through this letter's links.
    pub unsubscribed: u64,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl std::fmt::Debug for Letter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Letter")
            .field("id", &self.id)
            .field("send_at", &self.send_at)
            .field("queued_at", &self.queued_at)
            .field("recipients", &self.recipients)
            .finish_non_exhaustive()
    }
}

impl Letter {
    /// Where it stands.
    pub fn status(&self) -> LetterStatus {
        LetterStatus::of(
            self.send_at.is_some(),
            self.queued_at.is_some(),
            self.recipients,
            self.sent + self.failed,
        )
    }
}

/// An interest a letter may choose (not retired).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterInterest {
    /// Its stable code.
    pub code: String,
    /// Its label.
    pub label: String,
}

/// One letter queued by [`LetterStore::queue_due_letters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedLetter {
    /// The letter.
    pub id: i64,
    /// Mails written.
    pub recipients: u64,
}

/// A fresh token and its stored hash (the app makes them).
pub type TokenMaker = dyn Fn() -> (String, String) + Send + Sync;

/// Letters, their audience and their queuing.
#[async_trait]
pub trait LetterStore {
    /// The interests a letter may choose, in their order.
    async fn letter_interests(&self) -> StoreResult<Vec<LetterInterest>>;

    /// Writes a draft; answers its id. `Conflict { what: "unknown
    /// interest" }` (nothing written) when an interest code is unknown or
    /// retired.
    async fn create_letter(
        &self,
        text: &LetterText,
        author: AccountId,
        now: Timestamp,
    ) -> StoreResult<i64>;

    /// Replaces a letter's text and audience; `NotFound` for no such
    /// letter, `Stale` once it is queued, `Conflict` for an unknown
    /// interest (nothing written).
    async fn update_letter(&self, id: i64, text: &LetterText, now: Timestamp) -> StoreResult<()>;

    /// Deletes a letter not queued yet; `NotFound` or `Stale` as above.
    async fn delete_letter(&self, id: i64) -> StoreResult<()>;

    /// Every letter, newest first.
    async fn letters(&self) -> StoreResult<Vec<Letter>>;

    /// One letter; `NotFound` when there is none.
    async fn letter(&self, id: i64) -> StoreResult<Letter>;

    /// How many confirmed subscribers `audience` reaches now (unknown
    /// codes reach nobody).
    async fn count_audience(&self, audience: &Audience) -> StoreResult<u64>;

    /// Sets (or, with `None`, clears) when a letter is sent; `NotFound`,
    /// or `Stale` once it is queued.
    async fn schedule_letter(
        &self,
        id: i64,
        send_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Queues every letter due at `now` that no one queued yet, each in
    /// one transaction that claims it: an outbox row (`kind` `letter`,
    /// no bodies, unsubscribe URL `{base}/newsletter/unsubscribe/{token}`)
    /// and a `manage` token (expiring `manage_until`) per confirmed
    /// recipient, and its `recipients` count. Two instances never both
    /// queue a letter.
    async fn queue_due_letters(
        &self,
        base: &str,
        tokens: &TokenMaker,
        manage_until: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<QueuedLetter>>;
}

/// The outbox kind of a letter's mail.
pub const LETTER_KIND: &str = "letter";

/// A letter's row.
#[derive(sqlx::FromRow)]
pub(crate) struct LetterRow {
    pub id: i64,
    pub subject: String,
    pub body: String,
    pub audience: String,
    pub author_id: Option<i64>,
    pub send_at: Option<i64>,
    pub queued_at: Option<i64>,
    pub recipients: i64,
    pub sent: i64,
    pub failed: i64,
    pub unsubscribed: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl LetterRow {
    pub(crate) fn into_letter(self, interests: Vec<String>) -> StoreResult<Letter> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(Letter {
            id: self.id,
            subject: self.subject,
            body: self.body,
            audience: Audience {
                mode: AudienceMode::parse(&self.audience)
                    .ok_or_else(|| crate::StoreError::corrupt("letter audience"))?,
                interests,
            },
            author: self.author_id.map(AccountId),
            send_at: self.send_at.map(crate::from_seconds).transpose()?,
            queued_at: self.queued_at.map(crate::from_seconds).transpose()?,
            recipients: count(self.recipients),
            sent: count(self.sent),
            failed: count(self.failed),
            unsubscribed: count(self.unsubscribed),
            created_at: crate::from_seconds(self.created_at)?,
            updated_at: crate::from_seconds(self.updated_at)?,
        })
    }
}

pub(crate) const LETTER_COLUMNS: &str = "id, subject, body, audience, author_id, send_at,
    queued_at, recipients, sent, failed, unsubscribed, created_at, updated_at";

#[cfg(test)]
mod tests;

/// Subscribers for tests and the benchmark (feature `testing`): signing
/// up is the newsletter's; these write rows with SQL.
#[cfg(feature = "testing")]
pub mod fixtures {
    /// Writes `count` subscribers `{prefix}{i}@example.org` (`i` from 1),
    /// confirmed or not, each with the interests `interests` (codes). The
    /// SQL spells no whole address: statements reach the test logs, which
    /// the log check reads for addresses. Prefixes must not begin one
    /// another within a test.
    pub async fn insert_subscribers(
        url: &str,
        prefix: &str,
        count: u32,
        confirmed: bool,
        interests: &[&str],
    ) {
        assert!(
            prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "a plain prefix"
        );
        let confirmed_at = if confirmed { "0" } else { "NULL" };
        let expires_at = if confirmed { "NULL" } else { "4102444800" };
        let mut sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
             INSERT INTO subscribers (email, created_at, confirmed_at, expires_at, consent_at, \
             consent_source) SELECT '{prefix}' || i || '@' || 'example.org', 0, {confirmed_at}, \
             {expires_at}, 0, 'form' FROM n"
        );
        for code in interests {
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            sql.push_str(&format!(
                "; INSERT INTO subscriber_interests (subscriber_id, interest_id) \
                 SELECT s.id, i.id FROM subscribers s, newsletter_interests i \
                 WHERE s.email LIKE '{prefix}%' AND i.code = '{code}'"
            ));
        }
        crate::testing::execute_sql(url, &sql).await;
    }
}
