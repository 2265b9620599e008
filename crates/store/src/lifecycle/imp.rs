//! The one implementation of [`super::LifecycleStore`], stamped out for
//! each backend by `impl_store!`.

/// Implements [`LifecycleStore`] for a backend type with a `pool` field.
macro_rules! impl_lifecycle {
    ($ty:ty, $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::lifecycle::LifecycleStore for $ty {
            async fn account_details(
                &self,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<$crate::lifecycle::AccountDetails> {
                let row: $crate::lifecycle::DetailsRow = sqlx::query_as($crate::lifecycle::DETAILS)
                    .bind(account.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                row.into_details()
            }

            async fn account_by_email(
                &self,
                email: &kith_domain::account::Email,
            ) -> $crate::StoreResult<Option<$crate::accounts::AccountRecord>> {
                let row: Option<$crate::accounts::AccountRow> = sqlx::query_as(&format!(
                    "{} WHERE email = $1",
                    $crate::accounts::ACCOUNT_COLUMNS
                ))
                .bind(email.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::accounts::AccountRow::into_record)
                    .transpose()
            }

            async fn create_account_token(
                &self,
                token: &$crate::lifecycle::NewAccountToken<'_>,
                mail: &$crate::mail::NewMail<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query($crate::lifecycle::INSERT_TOKEN)
                    .bind(token.token_hash)
                    .bind(token.account.0)
                    .bind(token.purpose.code())
                    .bind(token.email.as_str())
                    .bind(now.as_second())
                    .bind(token.expires_at.as_second())
                    .execute(&mut *tx)
                    .await?;
                $crate::mail::insert_mail_typed!(tx, mail, now);
                tx.commit().await?;
                Ok(())
            }

            async fn use_verify_token(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<$crate::AccountId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (account, email): (i64, String) =
                    sqlx::query_as($crate::lifecycle::VERIFY_TOKEN)
                        .bind(token_hash)
                        .bind(now.as_second())
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or($crate::StoreError::NotFound)?;
                sqlx::query($crate::lifecycle::DELETE_TOKEN)
                    .bind(token_hash)
                    .execute(&mut *tx)
                    .await?;
                let current: Option<String> = sqlx::query_scalar($crate::lifecycle::CURRENT_EMAIL)
                    .bind(account)
                    .fetch_one(&mut *tx)
                    .await?;
                if current.as_deref() == Some(email.as_str()) {
                    sqlx::query($crate::lifecycle::MARK_VERIFIED)
                        .bind(account)
                        .bind(now.as_second())
                        .execute(&mut *tx)
                        .await?;
                } else {
                    let taken: i64 = sqlx::query_scalar($crate::lifecycle::EMAIL_TAKEN_BY_OTHER)
                        .bind(&email)
                        .bind(account)
                        .fetch_one(&mut *tx)
                        .await?;
                    if taken > 0 {
                        // The token is spent either way.
                        tx.commit().await?;
                        return Err($crate::StoreError::Conflict { what: "email" });
                    }
                    sqlx::query($crate::lifecycle::CHANGE_EMAIL)
                        .bind(account)
                        .bind(&email)
                        .bind(now.as_second())
                        .execute(&mut *tx)
                        .await?;
                    // Links sent to the old address stop working.
                    sqlx::query($crate::lifecycle::DELETE_RESET_TOKENS)
                        .bind(account)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok($crate::AccountId(account))
            }

            async fn verify_token_valid(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<bool> {
                let row: Option<(i64, String)> = sqlx::query_as($crate::lifecycle::VERIFY_TOKEN)
                    .bind(token_hash)
                    .bind(now.as_second())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.is_some())
            }

            async fn reset_token_valid(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<bool> {
                let account: Option<i64> = sqlx::query_scalar($crate::lifecycle::RESET_TOKEN)
                    .bind(token_hash)
                    .bind(now.as_second())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(account.is_some())
            }

            async fn use_reset_token(
                &self,
                token_hash: &str,
                password_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<$crate::AccountId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let account: i64 = sqlx::query_scalar($crate::lifecycle::RESET_TOKEN)
                    .bind(token_hash)
                    .bind(now.as_second())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                sqlx::query($crate::lifecycle::SET_PASSWORD_VERIFIED)
                    .bind(account)
                    .bind(password_hash)
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::lifecycle::DELETE_RESET_TOKENS)
                    .bind(account)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::lifecycle::DELETE_SESSIONS)
                    .bind(account)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok($crate::AccountId(account))
            }

            async fn set_password(
                &self,
                account: $crate::AccountId,
                password_hash: &str,
                keep: Option<&str>,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query($crate::lifecycle::SET_PASSWORD)
                    .bind(account.0)
                    .bind(password_hash)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::lifecycle::DELETE_OTHER_SESSIONS)
                    .bind(account.0)
                    .bind(keep.unwrap_or(""))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::lifecycle::DELETE_RESET_TOKENS)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn sessions_of(
                &self,
                account: $crate::AccountId,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<Vec<$crate::lifecycle::SessionInfo>> {
                let rows: Vec<$crate::lifecycle::SessionInfoRow> =
                    sqlx::query_as($crate::lifecycle::SESSIONS_OF)
                        .bind(account.0)
                        .bind(now.as_second())
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::lifecycle::SessionInfoRow::into_info)
                    .collect()
            }

            async fn end_session_of(
                &self,
                account: $crate::AccountId,
                id: &str,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query($crate::lifecycle::END_SESSION_OF)
                    .bind(account.0)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn sole_hosted_groups(
                &self,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<Vec<(kith_domain::ids::Slug, String)>> {
                let rows: Vec<(String, String)> = sqlx::query_as($crate::lifecycle::SOLE_HOSTED)
                    .bind(account.0)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(slug, name)| (kith_domain::ids::Slug::from_trusted(slug), name))
                    .collect())
            }

            async fn delete_account(&self, account: $crate::AccountId) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let blocking: Vec<(String, String)> =
                    sqlx::query_as($crate::lifecycle::SOLE_HOSTED)
                        .bind(account.0)
                        .fetch_all(&mut *tx)
                        .await?;
                if !blocking.is_empty() {
                    return Err($crate::StoreError::Conflict {
                        what: "hosts_groups",
                    });
                }
                sqlx::query($crate::lifecycle::DELETE_SOLE_DRAFTS)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                let done = sqlx::query($crate::lifecycle::DELETE_ACCOUNT)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                tx.commit().await?;
                Ok(())
            }

            async fn prune_account_tokens(&self, now: jiff::Timestamp) -> $crate::StoreResult<u64> {
                let done = sqlx::query($crate::lifecycle::PRUNE_TOKENS)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(crate) use impl_lifecycle;
