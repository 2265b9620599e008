//! The one implementation of [`super::AccountStore`], stamped out for
//! each backend by `impl_store!`.

/// Implements [`AccountStore`] for a backend type with a `pool` field.
macro_rules! impl_accounts {
    ($ty:ty, $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::accounts::AccountStore for $ty {
            async fn create_account(
                &self,
                account: &$crate::accounts::NewAccount<'_>,
                audit: Option<&$crate::model::AuditEntry<'_>>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<$crate::AccountId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let id = $crate::accounts::insert_account!(tx, account, now);
                if let Some(audit) = audit {
                    $crate::accounts::insert_audit_typed!(tx, audit, now);
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn account_by_login(
                &self,
                login: &str,
            ) -> $crate::StoreResult<Option<$crate::accounts::AccountRecord>> {
                let row: Option<$crate::accounts::AccountRow> = sqlx::query_as(&format!(
                    "{} WHERE handle_key = $1 OR email = $2",
                    $crate::accounts::ACCOUNT_COLUMNS
                ))
                .bind(login.trim().to_ascii_lowercase())
                .bind(login.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::accounts::AccountRow::into_record)
                    .transpose()
            }

            async fn account_by_handle(
                &self,
                handle: &kith_domain::account::Handle,
            ) -> $crate::StoreResult<Option<$crate::accounts::AccountRecord>> {
                let row: Option<$crate::accounts::AccountRow> = sqlx::query_as(&format!(
                    "{} WHERE handle_key = $1",
                    $crate::accounts::ACCOUNT_COLUMNS
                ))
                .bind(handle.key())
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::accounts::AccountRow::into_record)
                    .transpose()
            }

            async fn create_session(
                &self,
                session: &$crate::accounts::NewSession,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::accounts::INSERT_SESSION)
                    .bind(&session.token_hash)
                    .bind(session.account.0)
                    .bind($crate::accounts::kind_code(session.kind))
                    .bind(&session.csrf_token)
                    .bind(session.idle_seconds)
                    .bind(now.as_second())
                    .bind(session.expires_at.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<Option<$crate::accounts::SessionRecord>> {
                let row: Option<$crate::accounts::SessionRow> =
                    sqlx::query_as($crate::accounts::LIVE_SESSION)
                        .bind(token_hash)
                        .bind(now.as_second())
                        .fetch_optional(&self.pool)
                        .await?;
                let Some(row) = row else { return Ok(None) };
                if row.last_seen_at < now.as_second() - $crate::accounts::TOUCH_AFTER_SECONDS {
                    sqlx::query($crate::accounts::TOUCH_SESSION)
                        .bind(token_hash)
                        .bind(now.as_second())
                        .execute(&self.pool)
                        .await?;
                }
                row.into_record().map(Some)
            }

            async fn end_session(
                &self,
                token_hash: &str,
            ) -> $crate::StoreResult<Option<$crate::AccountId>> {
                let account: Option<i64> = sqlx::query_scalar($crate::accounts::DELETE_SESSION)
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(account.map($crate::AccountId))
            }

            async fn end_expired_sessions(&self, now: jiff::Timestamp) -> $crate::StoreResult<u64> {
                let done = sqlx::query($crate::accounts::DELETE_EXPIRED_SESSIONS)
                    .bind(now.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn admin_exists(&self) -> $crate::StoreResult<bool> {
                let n: i64 = sqlx::query_scalar($crate::accounts::ADMIN_EXISTS)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n > 0)
            }

            async fn staff_accounts(&self) -> $crate::StoreResult<Vec<$crate::AccountId>> {
                let ids: Vec<i64> = sqlx::query_scalar($crate::accounts::STAFF_ACCOUNTS)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(ids.into_iter().map($crate::AccountId).collect())
            }

            async fn create_setup_token(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
                expires_at: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::accounts::INSERT_SETUP_TOKEN)
                    .bind(token_hash)
                    .bind(now.as_second())
                    .bind(expires_at.as_second())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn setup_token_valid(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<bool> {
                let n: i64 = sqlx::query_scalar($crate::accounts::SETUP_TOKEN_VALID)
                    .bind(token_hash)
                    .bind(now.as_second())
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n > 0 && !self.admin_exists().await?)
            }

            async fn set_calendar_token(
                &self,
                account: $crate::AccountId,
                token_hash: Option<&str>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query("DELETE FROM calendar_tokens WHERE account_id = $1")
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                if let Some(hash) = token_hash {
                    sqlx::query("INSERT INTO calendar_tokens (account_id, token_hash, created_at) VALUES ($1, $2, $3)")
                        .bind(account.0)
                        .bind(hash)
                        .bind(now.as_second())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn calendar_token_owner(&self, token_hash: &str) -> $crate::StoreResult<Option<$crate::AccountId>> {
                let id: Option<i64> = sqlx::query_scalar("SELECT account_id FROM calendar_tokens WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(id.map($crate::AccountId))
            }

            async fn calendar_token_made(&self, account: $crate::AccountId) -> $crate::StoreResult<Option<jiff::Timestamp>> {
                let at: Option<i64> = sqlx::query_scalar("SELECT created_at FROM calendar_tokens WHERE account_id = $1")
                    .bind(account.0)
                    .fetch_optional(&self.pool)
                    .await?;
                at.map($crate::from_seconds).transpose()
            }

            async fn set_account_zone(
                &self,
                account: $crate::AccountId,
                zone: Option<&str>,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::accounts::SET_ACCOUNT_ZONE)
                    .bind(account.0)
                    .bind(zone)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn remember_account_zone(
                &self,
                account: $crate::AccountId,
                zone: &str,
            ) -> $crate::StoreResult<bool> {
                let done = sqlx::query($crate::accounts::REMEMBER_ACCOUNT_ZONE)
                    .bind(account.0)
                    .bind(zone)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn account_zone(
                &self,
                account: $crate::AccountId,
            ) -> $crate::StoreResult<Option<String>> {
                let zone: Option<Option<String>> = sqlx::query_scalar($crate::accounts::ACCOUNT_ZONE)
                    .bind(account.0)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(zone.flatten())
            }

            async fn create_first_admin(
                &self,
                token_hash: &str,
                account: &$crate::accounts::NewAccount<'_>,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<$crate::AccountId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let valid: i64 = sqlx::query_scalar($crate::accounts::SETUP_TOKEN_VALID)
                    .bind(token_hash)
                    .bind(now.as_second())
                    .fetch_one(&mut *tx)
                    .await?;
                let admins: i64 = sqlx::query_scalar($crate::accounts::ADMIN_EXISTS)
                    .fetch_one(&mut *tx)
                    .await?;
                if valid == 0 || admins > 0 {
                    return Err($crate::StoreError::NotFound);
                }
                let id = $crate::accounts::insert_account!(tx, account, now);
                sqlx::query($crate::accounts::DELETE_SETUP_TOKENS)
                    .execute(&mut *tx)
                    .await?;
                let audit = $crate::model::AuditEntry {
                    actor: Some(id),
                    actor_handle: account.handle.as_str(),
                    action: "admin.create_first",
                    target: format!("account:{}", account.handle),
                    reason: "",
                };
                $crate::accounts::insert_audit_typed!(tx, &audit, now);
                tx.commit().await?;
                Ok(id)
            }
        }
    };
}
pub(crate) use impl_accounts;
