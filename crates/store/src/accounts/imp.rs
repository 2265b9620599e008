//! The one implementation of [`AccountStore`], for both backends.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Handle;

use super::{
    ACCOUNT_COLUMNS, ACCOUNT_ZONE, ADMIN_EXISTS, AccountRecord, AccountRow, AccountStore,
    DELETE_EXPIRED_SESSIONS, DELETE_SESSION, DELETE_SETUP_TOKENS, EMAIL_TAKEN, HANDLE_TAKEN,
    INSERT_ACCOUNT, INSERT_SESSION, INSERT_SETUP_TOKEN, LIVE_SESSION, NewAccount, NewSession,
    REMEMBER_ACCOUNT_ZONE, SET_ACCOUNT_ZONE, SETUP_TOKEN_VALID, STAFF_ACCOUNTS, SessionRecord,
    SessionRow, TOUCH_AFTER_SECONDS, TOUCH_SESSION, Verification, kind_code,
};
use crate::account_settings::{INSERT_TOKEN, TokenPurpose};
use crate::audit::insert_audit;
use crate::db::{Tx, query};
use crate::mail::{Recipient, insert_mail};
use crate::model::{AccountId, AuditEntry};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

/// Inserts an account, answering its id, or the conflict that names the
/// taken field: checked first so the person learns which one, where the
/// unique indexes alone would only say that one was.
async fn insert_account(
    tx: &mut Tx,
    account: &NewAccount<'_>,
    now: Timestamp,
) -> StoreResult<AccountId> {
    let handle_taken: i64 = query(HANDLE_TAKEN)
        .bind(account.handle.key())
        .scalar(&mut *tx)
        .await?;
    if handle_taken > 0 {
        return Err(StoreError::Conflict { what: "handle" });
    }
    let email_taken: i64 = query(EMAIL_TAKEN)
        .bind(account.email.as_str())
        .scalar(&mut *tx)
        .await?;
    if email_taken > 0 {
        return Err(StoreError::Conflict { what: "email" });
    }
    let id: i64 = query(INSERT_ACCOUNT)
        .bind(account.handle.as_str())
        .bind(account.handle.key())
        .bind(account.email.as_str())
        .bind(account.password_hash)
        .bind(account.role.code())
        .bind(now)
        .bind(account.email_verified.then_some(now))
        .scalar(tx)
        .await?;
    Ok(AccountId(id))
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_account(
        &self,
        account: &NewAccount<'_>,
        audit: Option<&AuditEntry<'_>>,
        now: Timestamp,
    ) -> StoreResult<AccountId> {
        let mut tx = self.db().begin().await?;
        let id = insert_account(&mut tx, account, now).await?;
        if let Some(audit) = audit {
            insert_audit(&mut tx, audit, now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn register_account(
        &self,
        account: &NewAccount<'_>,
        verification: &Verification<'_>,
        now: Timestamp,
    ) -> StoreResult<AccountId> {
        let mut tx = self.db().begin().await?;
        let id = insert_account(&mut tx, account, now).await?;
        query(INSERT_TOKEN)
            .bind(verification.token_hash)
            .bind(id.0)
            .bind(TokenPurpose::VerifyEmail.code())
            .bind(account.email.as_str())
            .bind(now)
            .bind(verification.expires_at)
            .execute(&mut tx)
            .await?;
        let mail = verification.mail.to(Recipient::Account(id), now);
        insert_mail(&mut tx, &mail, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn account_by_login(&self, login: &str) -> StoreResult<Option<AccountRecord>> {
        let row: Option<AccountRow> = query(format!(
            "{ACCOUNT_COLUMNS} WHERE handle_key = $1 OR email = $2"
        ))
        .bind(login.trim().to_ascii_lowercase())
        .bind(login.trim().to_lowercase())
        .fetch_optional(self.db())
        .await?;
        row.map(AccountRow::into_record).transpose()
    }

    async fn account_by_handle(&self, handle: &Handle) -> StoreResult<Option<AccountRecord>> {
        let row: Option<AccountRow> = query(format!("{ACCOUNT_COLUMNS} WHERE handle_key = $1"))
            .bind(handle.key())
            .fetch_optional(self.db())
            .await?;
        row.map(AccountRow::into_record).transpose()
    }

    async fn create_session(&self, session: &NewSession, now: Timestamp) -> StoreResult<()> {
        query(INSERT_SESSION)
            .bind(&session.token_hash)
            .bind(session.account.0)
            .bind(kind_code(session.kind))
            .bind(&session.csrf_token)
            .bind(session.idle_seconds)
            .bind(now)
            .bind(session.expires_at)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = query(LIVE_SESSION)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.db())
            .await?;
        let Some(row) = row else { return Ok(None) };
        if row.last_seen_at < now.as_second() - TOUCH_AFTER_SECONDS {
            query(TOUCH_SESSION)
                .bind(token_hash)
                .bind(now)
                .execute(self.db())
                .await?;
        }
        row.into_record().map(Some)
    }

    async fn end_session(&self, token_hash: &str) -> StoreResult<Option<AccountId>> {
        let account: Option<i64> = query(DELETE_SESSION)
            .bind(token_hash)
            .scalar_optional(self.db())
            .await?;
        Ok(account.map(AccountId))
    }

    async fn end_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        query(DELETE_EXPIRED_SESSIONS)
            .bind(now)
            .execute(self.db())
            .await
    }

    async fn admin_exists(&self) -> StoreResult<bool> {
        let n: i64 = query(ADMIN_EXISTS).scalar(self.db()).await?;
        Ok(n > 0)
    }

    async fn staff_accounts(&self) -> StoreResult<Vec<AccountId>> {
        let ids: Vec<i64> = query(STAFF_ACCOUNTS).scalars(self.db()).await?;
        Ok(ids.into_iter().map(AccountId).collect())
    }

    async fn create_setup_token(
        &self,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        query(INSERT_SETUP_TOKEN)
            .bind(token_hash)
            .bind(now)
            .bind(expires_at)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn setup_token_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool> {
        let n: i64 = query(SETUP_TOKEN_VALID)
            .bind(token_hash)
            .bind(now)
            .scalar(self.db())
            .await?;
        Ok(n > 0 && !self.admin_exists().await?)
    }

    async fn set_calendar_token(
        &self,
        account: AccountId,
        token_hash: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query("DELETE FROM calendar_tokens WHERE account_id = $1")
            .bind(account.0)
            .execute(&mut tx)
            .await?;
        if let Some(hash) = token_hash {
            query(
                "INSERT INTO calendar_tokens (account_id, token_hash, created_at) \
                 VALUES ($1, $2, $3)",
            )
            .bind(account.0)
            .bind(hash)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await
    }

    async fn calendar_token_owner(&self, token_hash: &str) -> StoreResult<Option<AccountId>> {
        let id: Option<i64> = query("SELECT account_id FROM calendar_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .scalar_optional(self.db())
            .await?;
        Ok(id.map(AccountId))
    }

    async fn calendar_token_made(&self, account: AccountId) -> StoreResult<Option<Timestamp>> {
        let at: Option<i64> = query("SELECT created_at FROM calendar_tokens WHERE account_id = $1")
            .bind(account.0)
            .scalar_optional(self.db())
            .await?;
        at.map(from_seconds).transpose()
    }

    async fn set_account_zone(&self, account: AccountId, zone: Option<&str>) -> StoreResult<()> {
        query(SET_ACCOUNT_ZONE)
            .bind(account.0)
            .bind(zone)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn remember_account_zone(&self, account: AccountId, zone: &str) -> StoreResult<bool> {
        let kept = query(REMEMBER_ACCOUNT_ZONE)
            .bind(account.0)
            .bind(zone)
            .execute(self.db())
            .await?;
        Ok(kept > 0)
    }

    async fn account_zone(&self, account: AccountId) -> StoreResult<Option<String>> {
        let zone: Option<Option<String>> = query(ACCOUNT_ZONE)
            .bind(account.0)
            .scalar_optional(self.db())
            .await?;
        Ok(zone.flatten())
    }

    async fn create_first_admin(
        &self,
        token_hash: &str,
        account: &NewAccount<'_>,
        now: Timestamp,
    ) -> StoreResult<AccountId> {
        let mut tx = self.db().begin().await?;
        let valid: i64 = query(SETUP_TOKEN_VALID)
            .bind(token_hash)
            .bind(now)
            .scalar(&mut tx)
            .await?;
        let admins: i64 = query(ADMIN_EXISTS).scalar(&mut tx).await?;
        if valid == 0 || admins > 0 {
            return Err(StoreError::NotFound);
        }
        let id = insert_account(&mut tx, account, now).await?;
        query(DELETE_SETUP_TOKENS).execute(&mut tx).await?;
        let audit = AuditEntry {
            actor: Some(id),
            actor_handle: account.handle.as_str(),
            action: "admin.create_first",
            target: format!("account:{}", account.handle),
            reason: "",
        };
        insert_audit(&mut tx, &audit, now).await?;
        tx.commit().await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests;
