//! The daily journal reminder: whether a member wants it and at what local
//! time (two columns beside their other mail preferences, so the one-click
//! unsubscribe turns it off as it turns theirs off), who has it on, and the
//! ledger (`journal_reminders_sent`) that lets each local day's reminder go
//! out once, even with several instances. [`JournalReminderStore`] and its
//! one implementation for both backends.
//!
//! A day's row is claimed before its mail is written, in one transaction
//! with it (as meeting reminders are): a crash loses that day's reminder
//! rather than sending it twice.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;
use crate::db::query;
use crate::mail::Notices;
use crate::mail::notices::write_notices;
use crate::model::AccountId;
use crate::sql_store::SqlStore;

/// A member's choice: on or off, and the time (`HH:MM`) chosen last, which
/// stays when it is turned off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalReminderChoice {
    /// Whether it goes out.
    pub on: bool,
    /// The local time chosen, as stored (`HH:MM`).
    pub at: Option<String>,
}

/// A member who has the reminder on and an address to send it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderHolder {
    /// Who.
    pub account: AccountId,
    /// The local time, as stored (`HH:MM`).
    pub at: String,
    /// The zone kept on their account (an IANA name), if any.
    pub time_zone: Option<String>,
}

/// The journal reminder's choice, holders and ledger.
#[async_trait]
pub trait JournalReminderStore {
    /// The member's choice; off, with no time, if they never chose.
    async fn journal_reminder(&self, account: AccountId) -> StoreResult<JournalReminderChoice>;

    /// Saves the member's choice, leaving their other preferences as they
    /// are.
    async fn set_journal_reminder(
        &self,
        account: AccountId,
        choice: &JournalReminderChoice,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Up to `limit` members who have the reminder on, with a time and an
    /// address, after the account `after` in id order (pages through
    /// them all).
    async fn journal_reminder_holders(
        &self,
        after: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<ReminderHolder>>;

    /// Records `day`'s (`YYYY-MM-DD`, the member's local day) reminder as
    /// written, with the mail `notices` makes; `false` (and no mail) when
    /// it was already, by this instance or another.
    async fn claim_journal_reminder(
        &self,
        account: AccountId,
        day: &str,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Forgets ledger rows written before `before`: a day is never
    /// weighed again once its window closed.
    async fn prune_journal_reminders(&self, before: Timestamp) -> StoreResult<u64>;
}

const CHOICE: &str = "SELECT journal_reminder, journal_reminder_at
FROM notification_preferences WHERE account_id = $1";
const ENSURE_PREFERENCES: &str = "INSERT INTO notification_preferences
    (account_id, updated_at) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING";
const SET_CHOICE: &str = "UPDATE notification_preferences
SET journal_reminder = $2, journal_reminder_at = $3, updated_at = $4 WHERE account_id = $1";
const HOLDERS: &str = "SELECT p.account_id, p.journal_reminder_at, a.time_zone
FROM notification_preferences p JOIN accounts a ON a.id = p.account_id
WHERE p.journal_reminder AND p.journal_reminder_at IS NOT NULL AND a.email IS NOT NULL
  AND p.account_id > $1
ORDER BY p.account_id LIMIT $2";
const CLAIM: &str = "INSERT INTO journal_reminders_sent (account_id, day, sent_at)
VALUES ($1, $2, $3) ON CONFLICT (account_id, day) DO NOTHING";
const PRUNE: &str = "DELETE FROM journal_reminders_sent WHERE sent_at < $1";

#[async_trait]
impl JournalReminderStore for SqlStore {
    async fn journal_reminder(&self, account: AccountId) -> StoreResult<JournalReminderChoice> {
        let row: Option<(bool, Option<String>)> = query(CHOICE)
            .bind(account.0)
            .fetch_optional(self.db())
            .await?;
        Ok(row
            .map(|(on, at)| JournalReminderChoice { on, at })
            .unwrap_or_default())
    }

    async fn set_journal_reminder(
        &self,
        account: AccountId,
        choice: &JournalReminderChoice,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(ENSURE_PREFERENCES)
            .bind(account.0)
            .bind(now)
            .execute(&mut tx)
            .await?;
        query(SET_CHOICE)
            .bind(account.0)
            .bind(choice.on)
            .bind(choice.at.as_deref())
            .bind(now)
            .execute_or_not_found(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn journal_reminder_holders(
        &self,
        after: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<ReminderHolder>> {
        let rows: Vec<(i64, String, Option<String>)> = query(HOLDERS)
            .bind(after.0)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(account, at, time_zone)| ReminderHolder {
                account: AccountId(account),
                at,
                time_zone,
            })
            .collect())
    }

    async fn claim_journal_reminder(
        &self,
        account: AccountId,
        day: &str,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.db().begin().await?;
        let claimed = query(CLAIM)
            .bind(account.0)
            .bind(day)
            .bind(now)
            .execute(&mut tx)
            .await?
            == 1;
        if claimed {
            write_notices(&mut tx, notices, &(), now).await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn prune_journal_reminders(&self, before: Timestamp) -> StoreResult<u64> {
        query(PRUNE).bind(before).execute(self.db()).await
    }
}

#[cfg(test)]
mod tests;
