//! The one implementation of [`MailStore`], for both backends. A claim's
//! `SELECT` locks its rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//! several instances never claim the same mail; on SQLite it needs no lock,
//! its `BEGIN IMMEDIATE` already lets one writer in at a time.

use async_trait::async_trait;
use jiff::Timestamp;

use super::notices::{Notices, write_notices};
use super::{
    CLAIMED_MAIL, DUE_MAIL, ENSURE_PREFERENCES, LEASE_MAILS, LETTER_COUNTS, LETTER_FAILED,
    LETTER_SENT, MAIL_GIVE_UP, MAIL_RETRY, MAIL_SENT, MAILS_SENT, MailStore, NewMail,
    NotificationPreferences, OUTBOX_STATES, OutboxMail, OutboxRow, OutboxState, PREFERENCES,
    PRUNE_MAIL, PRUNE_UNSUBSCRIBE_TOKENS, PreferencesRow, StateRow, UNSUBSCRIBE_TOKEN,
    UPSERT_PREFERENCES, category_column, insert_mail,
};
use crate::db::query;
use crate::model::AccountId;
use crate::sql_store::SqlStore;
use crate::{Backend, StoreError, StoreResult};

#[async_trait]
impl MailStore for SqlStore {
    async fn enqueue_mail(&self, mail: &NewMail<'_>, now: Timestamp) -> StoreResult<i64> {
        let mut tx = self.db().begin().await?;
        let id = insert_mail(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn enqueue_notices(
        &self,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<usize> {
        let mut tx = self.db().begin().await?;
        let written = write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn claim_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMail>> {
        let mut tx = self.db().begin().await?;
        let lock = match tx.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let ids: Vec<i64> = query(format!("{DUE_MAIL}{lock}"))
            .bind(now)
            .bind(i64::from(limit))
            .scalars(&mut tx)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // One statement each for the lease and the read, whatever the
        // batch: a letter's mail is claimed hundreds at a time.
        let mut lease = query(LEASE_MAILS);
        let until = lease.arg(lease_until);
        lease.push(&until);
        lease.push(" WHERE id IN (");
        lease.push_list(ids.iter().copied());
        lease.push(")");
        lease.execute(&mut tx).await?;
        let mut read = query(CLAIMED_MAIL);
        read.push(" WHERE o.id IN (");
        read.push_list(ids.iter().copied());
        read.push(") ORDER BY o.not_before, o.id");
        let rows: Vec<OutboxRow> = read.fetch_all(&mut tx).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(OutboxRow::into_mail).collect())
    }

    async fn mark_mail_sent(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        // Counted once: only the attempt that marks an unsent row counts.
        if query(MAIL_SENT).bind(id).bind(now).execute(&mut tx).await? > 0 {
            query(LETTER_SENT).bind(id).execute(&mut tx).await?;
        }
        tx.commit().await
    }

    async fn mark_mails_sent(&self, ids: &[i64], now: Timestamp) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.db().begin().await?;
        // Counted once: only rows not marked yet count on their letter.
        let mut counts = query(LETTER_COUNTS);
        counts.push_list(ids.iter().copied());
        counts.push(") GROUP BY letter_id");
        let per_letter: Vec<(i64, i64)> = counts.fetch_all(&mut tx).await?;
        let mut mark = query(MAILS_SENT);
        let at = mark.arg(now);
        mark.push(&at);
        mark.push(" WHERE sent_at IS NULL AND id IN (");
        mark.push_list(ids.iter().copied());
        mark.push(")");
        mark.execute(&mut tx).await?;
        for (letter, n) in per_letter {
            query("UPDATE letters SET sent = sent + $2 WHERE id = $1")
                .bind(letter)
                .bind(n)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await
    }

    async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (sql, at) = match retry_at {
            Some(at) => (MAIL_RETRY, at),
            None => (MAIL_GIVE_UP, now),
        };
        let mut tx = self.db().begin().await?;
        let changed = query(sql)
            .bind(id)
            .bind(at)
            .bind(error)
            .execute(&mut tx)
            .await?;
        if retry_at.is_none() && changed > 0 {
            query(LETTER_FAILED).bind(id).execute(&mut tx).await?;
        }
        tx.commit().await
    }

    async fn prune_mail(&self, before: Timestamp, tokens_before: Timestamp) -> StoreResult<u64> {
        let mut tx = self.db().begin().await?;
        let pruned = query(PRUNE_MAIL).bind(before).execute(&mut tx).await?;
        query(PRUNE_UNSUBSCRIBE_TOKENS)
            .bind(tokens_before)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(pruned)
    }

    async fn outbox_states(&self) -> StoreResult<Vec<OutboxState>> {
        let rows: Vec<StateRow> = query(OUTBOX_STATES).fetch_all(self.db()).await?;
        rows.into_iter().map(StateRow::into_state).collect()
    }

    async fn notification_preferences(
        &self,
        account: AccountId,
    ) -> StoreResult<NotificationPreferences> {
        let row: Option<PreferencesRow> = query(PREFERENCES)
            .bind(account.0)
            .fetch_optional(self.db())
            .await?;
        Ok(row.map(Into::into).unwrap_or_default())
    }

    async fn set_notification_preferences(
        &self,
        account: AccountId,
        p: &NotificationPreferences,
        now: Timestamp,
    ) -> StoreResult<()> {
        query(UPSERT_PREFERENCES)
            .bind(account.0)
            .bind(p.reminder_24h)
            .bind(p.reminder_1h)
            .bind(p.announcements)
            .bind(p.meeting_changes)
            .bind(p.comment_replies)
            .bind(p.group_names_in_subjects)
            .bind(now)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn unsubscribe_category(&self, token_hash: &str) -> StoreResult<Option<String>> {
        let row: Option<(i64, String)> = query(UNSUBSCRIBE_TOKEN)
            .bind(token_hash)
            .fetch_optional(self.db())
            .await?;
        Ok(row.map(|(_, category)| category))
    }

    async fn unsubscribe(&self, token_hash: &str, now: Timestamp) -> StoreResult<String> {
        let mut tx = self.db().begin().await?;
        let (account, category): (i64, String) = query(UNSUBSCRIBE_TOKEN)
            .bind(token_hash)
            .fetch_one(&mut tx)
            .await?;
        let column =
            category_column(&category).ok_or_else(|| StoreError::corrupt("mail category"))?;
        query(ENSURE_PREFERENCES)
            .bind(account)
            .bind(now)
            .execute(&mut tx)
            .await?;
        // `column` is one of the known categories' codes, never stored text.
        query(format!(
            "UPDATE notification_preferences SET {column} = FALSE, updated_at = $2 \
             WHERE account_id = $1"
        ))
        .bind(account)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(category)
    }
}

#[cfg(test)]
mod tests;
