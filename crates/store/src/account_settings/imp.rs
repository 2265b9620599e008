//! The one implementation of [`AccountSettingsStore`], for both backends.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Email;
use kith_domain::ids::{SessionId, Slug};

use super::{
    AccountDetails, AccountSettingsStore, CHANGE_EMAIL, CURRENT_EMAIL, DELETE_ACCOUNT,
    DELETE_OTHER_SESSIONS, DELETE_RESET_TOKENS, DELETE_SESSIONS, DELETE_SOLE_DRAFTS, DELETE_TOKEN,
    DETAILS, DetailsRow, EMAIL_TAKEN_BY_OTHER, END_SESSION_OF, INSERT_TOKEN, MARK_VERIFIED,
    NewAccountToken, PRUNE_TOKENS, RESET_TOKEN, SESSIONS_OF, SET_PASSWORD, SET_PASSWORD_VERIFIED,
    SOLE_HOSTED, SessionInfo, SessionInfoRow, SoleHost, VERIFY_TOKEN,
};
use crate::accounts::{ACCOUNT_COLUMNS, AccountRecord, AccountRow};
use crate::db::query;
use crate::journal::{CLEAR_PASSWORD_WRAP, KeyWrap, SET_PASSWORD_WRAP};
use crate::mail::{NewMail, insert_mail};
use crate::model::AccountId;
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult};

#[async_trait]
impl AccountSettingsStore for SqlStore {
    async fn account_details(&self, account: AccountId) -> StoreResult<AccountDetails> {
        let row: DetailsRow = query(DETAILS).bind(account.0).fetch_one(self.db()).await?;
        row.into_details()
    }

    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<AccountRecord>> {
        let row: Option<AccountRow> = query(format!("{ACCOUNT_COLUMNS} WHERE email = $1"))
            .bind(email.as_str())
            .fetch_optional(self.db())
            .await?;
        row.map(AccountRow::into_record).transpose()
    }

    async fn create_account_token(
        &self,
        token: &NewAccountToken<'_>,
        mail: &NewMail<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(INSERT_TOKEN)
            .bind(token.token_hash)
            .bind(token.account.0)
            .bind(token.purpose.code())
            .bind(token.email.as_str())
            .bind(now)
            .bind(token.expires_at)
            .execute(&mut tx)
            .await?;
        insert_mail(&mut tx, mail, now).await?;
        tx.commit().await
    }

    async fn use_verify_token(&self, token_hash: &str, now: Timestamp) -> StoreResult<AccountId> {
        let mut tx = self.db().begin().await?;
        let (account, email): (i64, String) = query(VERIFY_TOKEN)
            .bind(token_hash)
            .bind(now)
            .fetch_one(&mut tx)
            .await?;
        query(DELETE_TOKEN)
            .bind(token_hash)
            .execute(&mut tx)
            .await?;
        let current: Option<String> = query(CURRENT_EMAIL).bind(account).scalar(&mut tx).await?;
        if current.as_deref() == Some(email.as_str()) {
            query(MARK_VERIFIED)
                .bind(account)
                .bind(now)
                .execute(&mut tx)
                .await?;
        } else {
            let taken: i64 = query(EMAIL_TAKEN_BY_OTHER)
                .bind(&email)
                .bind(account)
                .scalar(&mut tx)
                .await?;
            if taken > 0 {
                // The token is spent either way.
                tx.commit().await?;
                return Err(StoreError::Conflict { what: "email" });
            }
            query(CHANGE_EMAIL)
                .bind(account)
                .bind(&email)
                .bind(now)
                .execute(&mut tx)
                .await?;
            crate::newsletter::follow_account_email(&mut tx, AccountId(account), &email).await?;
            // Links sent to the old address stop working.
            query(DELETE_RESET_TOKENS)
                .bind(account)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(AccountId(account))
    }

    async fn verify_token_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool> {
        let row: Option<(i64, String)> = query(VERIFY_TOKEN)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.db())
            .await?;
        Ok(row.is_some())
    }

    async fn reset_token_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool> {
        let account: Option<i64> = query(RESET_TOKEN)
            .bind(token_hash)
            .bind(now)
            .scalar_optional(self.db())
            .await?;
        Ok(account.is_some())
    }

    async fn use_reset_token(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<AccountId> {
        let mut tx = self.db().begin().await?;
        let account: i64 = query(RESET_TOKEN)
            .bind(token_hash)
            .bind(now)
            .scalar(&mut tx)
            .await?;
        query(SET_PASSWORD_VERIFIED)
            .bind(account)
            .bind(password_hash)
            .bind(now)
            .execute(&mut tx)
            .await?;
        query(DELETE_RESET_TOKENS)
            .bind(account)
            .execute(&mut tx)
            .await?;
        query(DELETE_SESSIONS)
            .bind(account)
            .execute(&mut tx)
            .await?;
        query(CLEAR_PASSWORD_WRAP)
            .bind(account)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(AccountId(account))
    }

    async fn set_password(
        &self,
        account: AccountId,
        password_hash: &str,
        keep: Option<&str>,
        journal: Option<&KeyWrap>,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(SET_PASSWORD)
            .bind(account.0)
            .bind(password_hash)
            .execute(&mut tx)
            .await?;
        if let Some(wrap) = journal {
            query(SET_PASSWORD_WRAP)
                .bind(account.0)
                .bind(wrap.salt.as_str())
                .bind(wrap.wrapped.as_slice())
                .execute_or_not_found(&mut tx)
                .await?;
        }
        query(DELETE_OTHER_SESSIONS)
            .bind(account.0)
            .bind(keep.unwrap_or(""))
            .execute(&mut tx)
            .await?;
        query(DELETE_RESET_TOKENS)
            .bind(account.0)
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn sessions_of(
        &self,
        account: AccountId,
        now: Timestamp,
    ) -> StoreResult<Vec<SessionInfo>> {
        let rows: Vec<SessionInfoRow> = query(SESSIONS_OF)
            .bind(account.0)
            .bind(now)
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(SessionInfoRow::into_info).collect()
    }

    async fn end_session_of(&self, account: AccountId, id: &SessionId) -> StoreResult<()> {
        query(END_SESSION_OF)
            .bind(account.0)
            .bind(id.as_str())
            .execute_or_not_found(self.db())
            .await
    }

    async fn sole_hosted_groups(&self, account: AccountId) -> StoreResult<Vec<(Slug, String)>> {
        let rows: Vec<(String, String)> = query(SOLE_HOSTED)
            .bind(account.0)
            .fetch_all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(slug, name)| (Slug::from_trusted(slug), name))
            .collect())
    }

    async fn delete_account(&self, account: AccountId) -> StoreResult<Result<(), SoleHost>> {
        let mut tx = self.db().begin().await?;
        let blocking: Vec<(String, String)> = query(SOLE_HOSTED)
            .bind(account.0)
            .fetch_all(&mut tx)
            .await?;
        if !blocking.is_empty() {
            return Ok(Err(SoleHost));
        }
        query(DELETE_SOLE_DRAFTS)
            .bind(account.0)
            .execute(&mut tx)
            .await?;
        crate::comments::forget_author(&mut tx, account).await?;
        crate::newsletter::forget_account(&mut tx, account).await?;
        query(DELETE_ACCOUNT)
            .bind(account.0)
            .execute_or_not_found(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn prune_account_tokens(&self, now: Timestamp) -> StoreResult<u64> {
        query(PRUNE_TOKENS).bind(now).execute(self.db()).await
    }
}

#[cfg(test)]
mod tests;
