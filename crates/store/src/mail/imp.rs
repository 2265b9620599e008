//! The one implementation of [`super::MailStore`], stamped out for each
//! backend by `impl_store!`.

/// Implements [`MailStore`] for a backend type with a `pool` field, given
/// the statement that begins a writing transaction and the row lock the
/// claim's `SELECT` ends with (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
/// nothing on SQLite, whose `BEGIN IMMEDIATE` already serializes writers).
macro_rules! impl_mail {
    ($ty:ty, $begin:expr, $lock:expr) => {
        #[async_trait::async_trait]
        impl $crate::mail::MailStore for $ty {
            async fn enqueue_mail(
                &self,
                mail: &$crate::mail::NewMail<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let id = $crate::mail::insert_mail_typed!(tx, mail, now);
                tx.commit().await?;
                Ok(id)
            }

            async fn claim_mail(
                &self,
                now: jiff::Timestamp,
                lease_until: jiff::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::mail::OutboxMail>> {
                let mut tx = self.pool.begin_with($begin).await?;
                let ids: Vec<i64> =
                    sqlx::query_scalar(&format!("{}{}", $crate::mail::DUE_MAIL, $lock))
                        .bind(now.as_second())
                        .bind(i64::from(limit))
                        .fetch_all(&mut *tx)
                        .await?;
                let mut claimed = Vec::with_capacity(ids.len());
                for id in ids {
                    sqlx::query($crate::mail::LEASE_MAIL)
                        .bind(id)
                        .bind(lease_until.as_second())
                        .execute(&mut *tx)
                        .await?;
                    let row: $crate::mail::OutboxRow = sqlx::query_as($crate::mail::CLAIMED_MAIL)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                    claimed.push(row.into_mail());
                }
                tx.commit().await?;
                Ok(claimed)
            }

            async fn mark_mail_sent(&self, id: i64, now: jiff::Timestamp) -> $crate::StoreResult<()> {
                sqlx::query($crate::mail::MAIL_SENT)
                    .bind(id)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn mark_mail_failed(
                &self,
                id: i64,
                error: &str,
                retry_at: Option<jiff::Timestamp>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let (sql, at) = match retry_at {
                    Some(at) => ($crate::mail::MAIL_RETRY, at),
                    None => ($crate::mail::MAIL_GIVE_UP, now),
                };
                sqlx::query(sql)
                    .bind(id)
                    .bind(at.as_second())
                    .bind(error)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn prune_mail(
                &self,
                before: jiff::Timestamp,
                tokens_before: jiff::Timestamp,
            ) -> $crate::StoreResult<u64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let done = sqlx::query($crate::mail::PRUNE_MAIL)
                    .bind(before.as_second())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::mail::PRUNE_UNSUBSCRIBE_TOKENS)
                    .bind(tokens_before.as_second())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            async fn outbox_states(&self) -> $crate::StoreResult<Vec<$crate::mail::OutboxState>> {
                let rows: Vec<$crate::mail::StateRow> = sqlx::query_as($crate::mail::OUTBOX_STATES)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::mail::StateRow::into_state).collect()
            }

            async fn notification_preferences(
                &self,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<$crate::mail::NotificationPreferences> {
                let row: Option<$crate::mail::PreferencesRow> =
                    sqlx::query_as($crate::mail::PREFERENCES)
                        .bind(account.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(Into::into).unwrap_or_default())
            }

            async fn set_notification_preferences(
                &self,
                account: $crate::AccountId,
                p: &$crate::mail::NotificationPreferences,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::mail::UPSERT_PREFERENCES)
                    .bind(account.0)
                    .bind(p.reminder_24h)
                    .bind(p.reminder_1h)
                    .bind(p.announcements)
                    .bind(p.meeting_changes)
                    .bind(p.group_names_in_subjects)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn unsubscribe_category(
                &self,
                token_hash: &str,
            ) -> $crate::StoreResult<Option<String>> {
                let row: Option<(i64, String)> = sqlx::query_as($crate::mail::UNSUBSCRIBE_TOKEN)
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|(_, category)| category))
            }

            async fn unsubscribe(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<String> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (account, category): (i64, String) =
                    sqlx::query_as($crate::mail::UNSUBSCRIBE_TOKEN)
                        .bind(token_hash)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or($crate::StoreError::NotFound)?;
                let column = $crate::mail::category_column(&category)
                    .ok_or_else(|| $crate::StoreError::corrupt("mail category"))?;
                sqlx::query($crate::mail::ENSURE_PREFERENCES)
                    .bind(account)
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!(
                    "UPDATE notification_preferences SET {column} = FALSE, updated_at = $2 WHERE account_id = $1"
                ))
                .bind(account)
                .bind(now.as_second())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(category)
            }
        }
    };
}
pub(crate) use impl_mail;
