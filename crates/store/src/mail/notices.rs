//! The mail a change causes, written in the change's own transaction: the
//! change and its mail are kept together or not at all, and a crash between
//! the two cannot lose one.
//!
//! A mutating store method takes a [`Notices`]. Once it knows its outcome
//! it asks whom the mail goes to ([`Notices::audience`]), reads those of
//! them who have an address, with their preferences and zone, and writes
//! what [`Notices::mail_for`] composes for each, in one batch insert.

use jiff::Timestamp;
use kith_domain::ids::GroupId;
use kith_domain::mail_category::MailCategory;

use super::{NewMail, NotificationPreferences, Recipient, Unsubscribe, insert_mails};
use crate::db::{Tx, query};
use crate::model::AccountId;
use crate::{StoreError, StoreResult};

/// Whom a change's mail goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Nobody: the change mails no one.
    Nobody,
    /// These accounts (repeats are mailed once).
    Accounts(Vec<AccountId>),
    /// The group's members as the change finds them, read in its
    /// transaction.
    MembersOf(GroupId),
}

/// An account a change's mail may go to: it has an address.
#[derive(Debug, Clone)]
pub struct Addressee {
    /// The account.
    pub account: AccountId,
    /// What mail it wants.
    pub preferences: NotificationPreferences,
    /// The zone kept on the account (an IANA name), if any.
    pub time_zone: Option<String>,
}

/// A composed mail to one account, as a change hands it to the store.
#[derive(Clone)]
pub struct MailDraft {
    /// Its kind (`request_news`, …).
    pub kind: &'static str,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
    /// For optional mail: the category, the unsubscribe token's hash and
    /// the link that holds the token.
    pub unsubscribe: Option<(MailCategory, String, String)>,
}

impl std::fmt::Debug for MailDraft {
    // Bodies may hold single-use links: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailDraft")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl MailDraft {
    /// The outbox row for `recipient`, not sent before `not_before`.
    /// Optional mail needs an account recipient (its unsubscribe is the
    /// account's).
    pub fn to<'a>(&'a self, recipient: Recipient<'a>, not_before: Timestamp) -> NewMail<'a> {
        NewMail {
            recipient,
            kind: self.kind,
            subject: &self.subject,
            text: &self.text,
            html: &self.html,
            unsubscribe: self
                .unsubscribe
                .as_ref()
                .map(|(category, hash, url)| Unsubscribe {
                    category: *category,
                    token_hash: hash,
                    url,
                }),
            not_before,
        }
    }
}

/// A composing error, for the log; the change it belongs to is rolled back.
pub type ComposeError = Box<dyn std::error::Error + Send + Sync>;

/// The mails a change with outcome `T` causes.
pub trait Notices<T: ?Sized>: Sync {
    /// Who hears of this outcome.
    fn audience(&self, outcome: &T) -> Audience;

    /// The mail for one of them, or `None` when they want none.
    fn mail_for(&self, outcome: &T, to: &Addressee) -> Result<Option<MailDraft>, ComposeError>;
}

/// A change that mails nobody.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMail;

impl<T: ?Sized> Notices<T> for NoMail {
    fn audience(&self, _: &T) -> Audience {
        Audience::Nobody
    }

    fn mail_for(&self, _: &T, _: &Addressee) -> Result<Option<MailDraft>, ComposeError> {
        Ok(None)
    }
}

/// The accounts among an audience that have an address, each with its
/// preferences (the defaults without a row) and zone.
const ADDRESSEES: &str = "SELECT a.id, a.time_zone, p.reminder_24h, p.reminder_1h,
    p.announcements, p.meeting_changes, p.comment_replies, p.group_names_in_subjects,
    p.journal_reminder
FROM accounts a LEFT JOIN notification_preferences p ON p.account_id = a.id
WHERE a.email IS NOT NULL AND a.id IN (";
const MEMBERS: &str =
    "SELECT account_id FROM join_requests WHERE group_id = $1 AND state = 'approved'";

#[derive(sqlx::FromRow)]
struct AddresseeRow {
    id: i64,
    time_zone: Option<String>,
    reminder_24h: Option<bool>,
    reminder_1h: Option<bool>,
    announcements: Option<bool>,
    meeting_changes: Option<bool>,
    comment_replies: Option<bool>,
    group_names_in_subjects: Option<bool>,
    journal_reminder: Option<bool>,
}

impl From<AddresseeRow> for Addressee {
    fn from(row: AddresseeRow) -> Self {
        let default = NotificationPreferences::default();
        Self {
            account: AccountId(row.id),
            preferences: NotificationPreferences {
                reminder_24h: row.reminder_24h.unwrap_or(default.reminder_24h),
                reminder_1h: row.reminder_1h.unwrap_or(default.reminder_1h),
                announcements: row.announcements.unwrap_or(default.announcements),
                meeting_changes: row.meeting_changes.unwrap_or(default.meeting_changes),
                comment_replies: row.comment_replies.unwrap_or(default.comment_replies),
                group_names_in_subjects: row
                    .group_names_in_subjects
                    .unwrap_or(default.group_names_in_subjects),
                journal_reminder: row.journal_reminder.unwrap_or(default.journal_reminder),
            },
            time_zone: row.time_zone,
        }
    }
}

/// Writes the mails `notices` causes for `outcome` inside `tx`, in one
/// batch; answers how many. Call it where the change's outcome is known
/// and before what the audience hangs on is deleted.
pub(crate) async fn write_notices<T: ?Sized>(
    tx: &mut Tx,
    notices: &dyn Notices<T>,
    outcome: &T,
    now: Timestamp,
) -> StoreResult<usize> {
    let mut accounts: Vec<i64> = match notices.audience(outcome) {
        Audience::Nobody => return Ok(0),
        Audience::Accounts(accounts) => accounts.into_iter().map(|a| a.0).collect(),
        Audience::MembersOf(group) => query(MEMBERS).bind(group.0).scalars(&mut *tx).await?,
    };
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.is_empty() {
        return Ok(0);
    }
    let mut addressees = query(ADDRESSEES);
    addressees.push_list(accounts);
    addressees.push(") ORDER BY a.id");
    let rows: Vec<AddresseeRow> = addressees.fetch_all(&mut *tx).await?;
    let mut drafts = Vec::with_capacity(rows.len());
    for to in rows.into_iter().map(Addressee::from) {
        let draft = notices.mail_for(outcome, &to).map_err(StoreError::Other)?;
        if let Some(draft) = draft {
            drafts.push((to.account, draft));
        }
    }
    let mails: Vec<NewMail<'_>> = drafts
        .iter()
        .map(|(account, draft)| draft.to(Recipient::Account(*account), now))
        .collect();
    insert_mails(tx, &mails, now).await?;
    Ok(mails.len())
}
