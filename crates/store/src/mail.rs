//! Mail: the outbox that the background sender drains, notification
//! preferences and one-click unsubscribe tokens. [`MailStore`] and its one
//! implementation for both backends (`imp`).
//!
//! Other store methods write a mail in the same transaction as the change
//! it reports with `insert_mail`:
//!
//! ```ignore
//! let mut tx = self.db().begin().await?;
//! // … the change …
//! crate::mail::insert_mail(&mut tx, &mail, now).await?;
//! tx.commit().await?;
//! ```
//!
//! Sending claims rows with a lease (`claimed_until`): on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so several instances never claim the same row;
//! on SQLite the claim is one `BEGIN IMMEDIATE` transaction.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Email;
use kith_domain::mail_category::MailCategory;

use crate::model::AccountId;
use crate::{StoreError, StoreResult};

/// Who a mail goes to.
#[derive(Clone, Copy)]
pub enum Recipient<'a> {
    /// An account, at whatever address it has when the mail is sent; the
    /// mail goes with the account if it is deleted first.
    Account(AccountId),
    /// An address that belongs to no account.
    Address(&'a Email),
    /// An account, at an address it does not have yet (confirming a new
    /// address); the mail goes with the account if it is deleted first.
    AccountAt(AccountId, &'a Email),
    /// A guest who commented (`guests.id`), at the address they gave. The
    /// token of its one-click unsubscribe is the guest's (`guest_tokens`),
    /// written with the mail by the comments store.
    Guest(i64, &'a Email),
}

impl std::fmt::Debug for Recipient<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Account(id) => write!(f, "Account({})", id.0),
            Self::Address(_) => f.write_str("Address(…)"),
            Self::AccountAt(id, _) => write!(f, "AccountAt({}, …)", id.0),
            Self::Guest(id, _) => write!(f, "Guest({id}, …)"),
        }
    }
}

impl Recipient<'_> {
    /// The account the mail belongs to, if any.
    pub fn account(&self) -> Option<AccountId> {
        match self {
            Self::Account(id) | Self::AccountAt(id, _) => Some(*id),
            Self::Address(_) | Self::Guest(..) => None,
        }
    }

    /// The explicit address, if any.
    pub fn address(&self) -> Option<&str> {
        match self {
            Self::Account(_) => None,
            Self::Address(email) | Self::AccountAt(_, email) | Self::Guest(_, email) => {
                Some(email.as_str())
            }
        }
    }
}

/// The one-click unsubscribe a non-essential mail carries (RFC 8058).
#[derive(Clone, Copy)]
pub struct Unsubscribe<'a> {
    /// The preference it turns off.
    pub category: MailCategory,
    /// SHA-256 of the token in the URL, hex.
    pub token_hash: &'a str,
    /// The `List-Unsubscribe` URL (it holds the token).
    pub url: &'a str,
}

/// A mail to send.
#[derive(Clone, Copy)]
pub struct NewMail<'a> {
    /// Who it goes to.
    pub recipient: Recipient<'a>,
    /// What kind of mail it is (`verify_email`, `password_reset`, …), for
    /// logs and tests.
    pub kind: &'a str,
    /// The subject: neutral unless the person opted into group names.
    pub subject: &'a str,
    /// The plain-text body.
    pub text: &'a str,
    /// The HTML body.
    pub html: &'a str,
    /// One-click unsubscribe, for non-essential mail; needs an account's
    /// or a guest's recipient.
    pub unsubscribe: Option<Unsubscribe<'a>>,
    /// Not sent before this instant (reminders are written ahead).
    pub not_before: Timestamp,
}

impl std::fmt::Debug for NewMail<'_> {
    // Bodies may hold single-use links: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMail")
            .field("recipient", &self.recipient)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A claimed mail, ready to send.
#[derive(Clone)]
pub struct OutboxMail {
    /// The row.
    pub id: i64,
    /// The random left part of its Message-ID, the same on every attempt.
    pub message_key: String,
    /// Its kind.
    pub kind: String,
    /// Where it goes now: the explicit address, else the account's; `None`
    /// when the account has no address.
    pub address: Option<Email>,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
    /// The `List-Unsubscribe` URL, for non-essential mail.
    pub unsubscribe_url: Option<String>,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// The letter whose mail this is: its bodies are empty, drawn from
    /// the letter when sent.
    pub letter_id: Option<i64>,
}

impl std::fmt::Debug for OutboxMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMail")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A row of the outbox as tests and operators see it: no bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxState {
    /// The row.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
    /// When kith stopped trying.
    pub gave_up_at: Option<Timestamp>,
    /// Not sent before.
    pub not_before: Timestamp,
    /// What went wrong last (no address, no server answer text).
    pub last_error: Option<String>,
}

/// What a person wants to be mailed about. Essential mail (confirming an
/// address, password resets, answers to one's own requests) is always sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationPreferences {
    /// A reminder 24 hours before a meeting.
    pub reminder_24h: bool,
    /// A reminder 1 hour before a meeting.
    pub reminder_1h: bool,
    /// Hosts' announcements.
    pub announcements: bool,
    /// A meeting was cancelled or moved.
    pub meeting_changes: bool,
    /// Someone answered one's comment.
    pub comment_replies: bool,
    /// Group names in subjects (off: subjects stay neutral on a lock
    /// screen).
    pub group_names_in_subjects: bool,
    /// The daily journal reminder (off by default). Read here so its mail
    /// is weighed like any other; it is set with its time
    /// ([`crate::journal_reminders::JournalReminderStore`]) and turned off
    /// by its one-click unsubscribe: saving the other preferences leaves
    /// it as it is.
    pub journal_reminder: bool,
}

impl Default for NotificationPreferences {
    fn default() -> Self {
        Self {
            reminder_24h: true,
            reminder_1h: true,
            announcements: true,
            meeting_changes: true,
            comment_replies: true,
            group_names_in_subjects: false,
            journal_reminder: false,
        }
    }
}

impl NotificationPreferences {
    /// Whether mail of `category` is wanted.
    pub fn wants(&self, category: MailCategory) -> bool {
        match category {
            MailCategory::Reminder24h => self.reminder_24h,
            MailCategory::Reminder1h => self.reminder_1h,
            MailCategory::Announcements => self.announcements,
            MailCategory::MeetingChanges => self.meeting_changes,
            MailCategory::CommentReplies => self.comment_replies,
            MailCategory::JournalReminder => self.journal_reminder,
        }
    }
}

/// The preference column a stored category turns off: only a known
/// category's code ever reaches SQL.
pub(crate) fn category_column(category: &str) -> Option<&'static str> {
    MailCategory::parse(category).map(MailCategory::code)
}

/// The outbox, preferences and unsubscribe tokens.
#[async_trait]
pub trait MailStore {
    /// Writes a mail to the outbox; answers its row id.
    async fn enqueue_mail(&self, mail: &NewMail<'_>, now: Timestamp) -> StoreResult<i64>;

    /// Writes the mail `notices` makes, to its whole audience, in one
    /// transaction (a host's announcement); answers how many.
    async fn enqueue_notices(
        &self,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<usize>;

    /// Claims up to `limit` mails that are due (not sent, not given up,
    /// `not_before` passed, no live lease) until `lease_until`, counting an
    /// attempt for each. Two callers never claim the same row while its
    /// lease lasts.
    async fn claim_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMail>>;

    /// Marks a mail sent and blanks its bodies; a letter's mail counts
    /// on its letter, once.
    async fn mark_mail_sent(&self, id: i64, now: Timestamp) -> StoreResult<()>;

    /// Marks mails sent in one transaction, as [`Self::mark_mail_sent`]
    /// does one (a letter's mails, sent many at a time).
    async fn mark_mails_sent(&self, ids: &[i64], now: Timestamp) -> StoreResult<()>;

    /// Records a failed attempt: retried from `retry_at`, or given up (and
    /// its bodies blanked) when `None`. `error` must hold no address.
    async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Deletes mail sent or given up before `before`, and unsubscribe
    /// tokens made before `tokens_before`; answers how many mails.
    async fn prune_mail(&self, before: Timestamp, tokens_before: Timestamp) -> StoreResult<u64>;

    /// Every outbox row, oldest first, without bodies (tests, operators).
    async fn outbox_states(&self) -> StoreResult<Vec<OutboxState>>;

    /// A person's preferences (the defaults without a row).
    async fn notification_preferences(
        &self,
        account: AccountId,
    ) -> StoreResult<NotificationPreferences>;

    /// Saves a person's preferences.
    async fn set_notification_preferences(
        &self,
        account: AccountId,
        preferences: &NotificationPreferences,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The category an unsubscribe token turns off, if the token is known.
    async fn unsubscribe_category(&self, token_hash: &str) -> StoreResult<Option<String>>;

    /// Turns off the category of an unsubscribe token; `NotFound` for an
    /// unknown token. Doing it twice changes nothing more.
    async fn unsubscribe(&self, token_hash: &str, now: Timestamp) -> StoreResult<String>;
}

/// A claimed row joined with its account's address.
#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub id: i64,
    pub message_key: String,
    pub kind: String,
    pub address: Option<String>,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub unsubscribe_url: Option<String>,
    pub attempts: i64,
    pub letter_id: Option<i64>,
}

impl OutboxRow {
    pub(crate) fn into_mail(self) -> OutboxMail {
        OutboxMail {
            id: self.id,
            message_key: self.message_key,
            kind: self.kind,
            address: self.address.map(Email::from_trusted),
            subject: self.subject,
            text: self.text_body,
            html: self.html_body,
            unsubscribe_url: self.unsubscribe_url,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            letter_id: self.letter_id,
        }
    }
}

/// An outbox row's state.
#[derive(sqlx::FromRow)]
pub(crate) struct StateRow {
    pub id: i64,
    pub kind: String,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub gave_up_at: Option<i64>,
    pub not_before: i64,
    pub last_error: Option<String>,
}

impl StateRow {
    pub(crate) fn into_state(self) -> StoreResult<OutboxState> {
        Ok(OutboxState {
            id: self.id,
            kind: self.kind,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            sent_at: self.sent_at.map(crate::from_seconds).transpose()?,
            gave_up_at: self.gave_up_at.map(crate::from_seconds).transpose()?,
            not_before: crate::from_seconds(self.not_before)?,
            last_error: self.last_error,
        })
    }
}

/// A preferences row.
#[derive(sqlx::FromRow)]
pub(crate) struct PreferencesRow {
    pub reminder_24h: bool,
    pub reminder_1h: bool,
    pub announcements: bool,
    pub meeting_changes: bool,
    pub comment_replies: bool,
    pub group_names_in_subjects: bool,
    pub journal_reminder: bool,
}

impl From<PreferencesRow> for NotificationPreferences {
    fn from(row: PreferencesRow) -> Self {
        Self {
            reminder_24h: row.reminder_24h,
            reminder_1h: row.reminder_1h,
            announcements: row.announcements,
            meeting_changes: row.meeting_changes,
            comment_replies: row.comment_replies,
            group_names_in_subjects: row.group_names_in_subjects,
            journal_reminder: row.journal_reminder,
        }
    }
}

/// Followed by one `VALUES` row per mail.
pub(crate) const INSERT_MAIL: &str = "INSERT INTO outbox
    (account_id, address, kind, subject, text_body, html_body, unsubscribe_url, message_key,
     created_at, not_before)";
/// Followed by one `VALUES` row per token.
pub(crate) const INSERT_UNSUBSCRIBE_TOKENS: &str = "INSERT INTO unsubscribe_tokens
    (token_hash, account_id, category, created_at)";
/// Due rows, oldest first; the backend appends its row lock.
pub(crate) const DUE_MAIL: &str = "SELECT id FROM outbox
WHERE sent_at IS NULL AND gave_up_at IS NULL AND not_before <= $1
  AND (claimed_until IS NULL OR claimed_until <= $1)
ORDER BY not_before, id LIMIT $2";
/// Followed by the lease's end, then ` WHERE id IN (…)`.
pub(crate) const LEASE_MAILS: &str = "UPDATE outbox SET attempts = attempts + 1, claimed_until = ";
pub(crate) const CLAIMED_MAIL: &str = "SELECT o.id, o.message_key, o.kind,
    COALESCE(o.address, a.email) AS address, o.subject, o.text_body, o.html_body,
    o.unsubscribe_url, o.attempts, o.letter_id
FROM outbox o LEFT JOIN accounts a ON a.id = o.account_id";
pub(crate) const MAIL_SENT: &str = "UPDATE outbox
SET sent_at = $2, claimed_until = NULL, text_body = '', html_body = '', last_error = NULL
WHERE id = $1 AND sent_at IS NULL";
/// Followed by the time, then ` WHERE sent_at IS NULL AND id IN (…)`.
pub(crate) const MAILS_SENT: &str = "UPDATE outbox
SET claimed_until = NULL, text_body = '', html_body = '', last_error = NULL, sent_at = ";
/// Followed by the ids, then `) GROUP BY letter_id`.
pub(crate) const LETTER_COUNTS: &str = "SELECT letter_id, COUNT(*) FROM outbox
WHERE letter_id IS NOT NULL AND sent_at IS NULL AND id IN (";
pub(crate) const MAIL_RETRY: &str =
    "UPDATE outbox SET claimed_until = NULL, not_before = $2, last_error = $3 WHERE id = $1";
pub(crate) const MAIL_GIVE_UP: &str = "UPDATE outbox
SET claimed_until = NULL, gave_up_at = $2, last_error = $3, text_body = '', html_body = ''
WHERE id = $1 AND sent_at IS NULL AND gave_up_at IS NULL";
/// A letter's counts follow its mail, in the transaction that marks it.
pub(crate) const LETTER_SENT: &str = "UPDATE letters SET sent = sent + 1
WHERE id = (SELECT letter_id FROM outbox WHERE id = $1)";
pub(crate) const LETTER_FAILED: &str = "UPDATE letters SET failed = failed + 1
WHERE id = (SELECT letter_id FROM outbox WHERE id = $1)";
pub(crate) const PRUNE_MAIL: &str = "DELETE FROM outbox WHERE sent_at < $1 OR gave_up_at < $1";
pub(crate) const PRUNE_UNSUBSCRIBE_TOKENS: &str =
    "DELETE FROM unsubscribe_tokens WHERE created_at < $1";
pub(crate) const OUTBOX_STATES: &str = "SELECT id, kind, attempts, sent_at, gave_up_at,
    not_before, last_error FROM outbox ORDER BY id";
pub(crate) const PREFERENCES: &str = "SELECT reminder_24h, reminder_1h, announcements,
    meeting_changes, comment_replies, group_names_in_subjects, journal_reminder
FROM notification_preferences WHERE account_id = $1";
pub(crate) const UPSERT_PREFERENCES: &str = "INSERT INTO notification_preferences
    (account_id, reminder_24h, reminder_1h, announcements, meeting_changes,
     comment_replies, group_names_in_subjects, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (account_id) DO UPDATE SET
    reminder_24h = excluded.reminder_24h, reminder_1h = excluded.reminder_1h,
    announcements = excluded.announcements, meeting_changes = excluded.meeting_changes,
    comment_replies = excluded.comment_replies,
    group_names_in_subjects = excluded.group_names_in_subjects,
    updated_at = excluded.updated_at";
pub(crate) const UNSUBSCRIBE_TOKEN: &str =
    "SELECT account_id, category FROM unsubscribe_tokens WHERE token_hash = $1";
pub(crate) const ENSURE_PREFERENCES: &str = "INSERT INTO notification_preferences
    (account_id, updated_at) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING";

/// Refuses a mail whose unsubscribe has no account or guest to
/// unsubscribe.
pub(crate) fn check_mail(mail: &NewMail<'_>) -> StoreResult<()> {
    let someone =
        mail.recipient.account().is_some() || matches!(mail.recipient, Recipient::Guest(..));
    if mail.unsubscribe.is_some() && !someone {
        return Err(StoreError::Other(
            "an unsubscribe link needs an account or a guest recipient".into(),
        ));
    }
    Ok(())
}

mod imp;
pub mod notices;

pub use notices::{Addressee, Audience, MailDraft, NoMail, Notices};

/// Writes a mail (and its unsubscribe token) to the outbox inside the
/// transaction of the change it reports, answering its row id: either both
/// happen or neither.
pub(crate) async fn insert_mail(
    tx: &mut crate::db::Tx,
    mail: &NewMail<'_>,
    now: Timestamp,
) -> crate::StoreResult<i64> {
    let mut insert = mail_rows(std::slice::from_ref(mail), now)?;
    insert.push(" RETURNING id");
    let id: i64 = insert.scalar(&mut *tx).await?;
    insert_unsubscribe_tokens(tx, std::slice::from_ref(mail), now).await?;
    Ok(id)
}

/// Rows per statement: well under SQLite's 32,766 bound values.
const MAILS_PER_INSERT: usize = 500;

/// Writes mails (and their unsubscribe tokens) to the outbox inside the
/// transaction of the change they report, a batch per statement.
pub(crate) async fn insert_mails(
    tx: &mut crate::db::Tx,
    mails: &[NewMail<'_>],
    now: Timestamp,
) -> crate::StoreResult<()> {
    for chunk in mails.chunks(MAILS_PER_INSERT) {
        mail_rows(chunk, now)?.execute(&mut *tx).await?;
        insert_unsubscribe_tokens(tx, chunk, now).await?;
    }
    Ok(())
}

/// `INSERT INTO outbox … VALUES (…), (…)` for `mails` (at least one).
fn mail_rows<'a>(mails: &'a [NewMail<'a>], now: Timestamp) -> StoreResult<crate::db::Query<'a>> {
    let mut insert = crate::db::query(INSERT_MAIL);
    let mut rows = Vec::with_capacity(mails.len());
    for mail in mails {
        check_mail(mail)?;
        rows.push([
            crate::db::Arg::from(mail.recipient.account().map(|a| a.0)),
            mail.recipient.address().into(),
            mail.kind.into(),
            mail.subject.into(),
            mail.text.into(),
            mail.html.into(),
            mail.unsubscribe.map(|u| u.url).into(),
            kith_domain::ids::random_secret().into(),
            now.into(),
            mail.not_before.into(),
        ]);
    }
    insert.push_values(rows);
    Ok(insert)
}

/// The one-click unsubscribe tokens of `mails` to accounts, in one
/// statement (a guest's are written with their mail, with an expiry).
async fn insert_unsubscribe_tokens(
    tx: &mut crate::db::Tx,
    mails: &[NewMail<'_>],
    now: Timestamp,
) -> StoreResult<()> {
    let rows: Vec<[crate::db::Arg<'_>; 4]> = mails
        .iter()
        .filter_map(|mail| Some((mail.unsubscribe?, mail.recipient.account()?)))
        .map(|(u, account)| {
            [
                u.token_hash.into(),
                account.0.into(),
                u.category.code().into(),
                now.into(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = crate::db::query(INSERT_UNSUBSCRIBE_TOKENS);
    insert.push_values(rows);
    insert.execute(tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_categories_reach_sql() {
        assert_eq!(category_column("announcements"), Some("announcements"));
        assert_eq!(category_column("x; DROP TABLE outbox"), None);
        assert!(NotificationPreferences::default().wants(MailCategory::Reminder1h));
        assert!(!NotificationPreferences::default().group_names_in_subjects);
    }

    #[test]
    fn debug_never_shows_an_address_or_a_body() {
        let email = Email::from_trusted("secret@example.org".into());
        let mail = NewMail {
            recipient: Recipient::AccountAt(AccountId(7), &email),
            kind: "verify_email",
            subject: "kith: confirm your email",
            text: "https://kith.example/verify-email/abc",
            html: "<p>abc</p>",
            unsubscribe: None,
            not_before: Timestamp::UNIX_EPOCH,
        };
        let shown = format!("{mail:?}");
        assert!(
            !shown.contains("example.org") && !shown.contains("abc"),
            "{shown}"
        );
    }
}
