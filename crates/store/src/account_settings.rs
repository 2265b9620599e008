//! An account's life after registering: single-use tokens that verify an
//! address or reset a password, changing the password, listing and ending
//! one's sessions, and deleting the account. [`AccountSettingsStore`] and
//! its one implementation for both backends (`imp`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Email;
use kith_domain::ids::{SessionId, Slug};

use crate::accounts::{AccountRecord, SessionKind};
use crate::journal::KeyWrap;
use crate::mail::NewMail;
use crate::model::AccountId;
use crate::{StoreError, StoreResult};

/// What a single-use account token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Proves the person reads mail at an address (a new account's, or a
    /// changed one).
    VerifyEmail,
    /// Lets the person set a new password.
    PasswordReset,
}

impl TokenPurpose {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// A token to store, with the mail that carries it.
#[derive(Clone, Copy)]
pub struct NewAccountToken<'a> {
    /// SHA-256 of the token, hex.
    pub token_hash: &'a str,
    /// Whose.
    pub account: AccountId,
    /// What for.
    pub purpose: TokenPurpose,
    /// The address it was sent to (for verification: the address it
    /// proves).
    pub email: &'a Email,
    /// When it stops working.
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for NewAccountToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccountToken")
            .field("account", &self.account)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

/// An account with what only its owner may read.
#[derive(Debug, Clone)]
pub struct AccountDetails {
    /// Handle, role, verification.
    pub record: AccountRecord,
    /// The address (hidden by `Debug`); `None` for accounts that cannot log
    /// in.
    pub email: Option<Email>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When its address was verified.
    pub email_verified_at: Option<Timestamp>,
}

/// Why an account was not deleted: it alone hosts a listed or unlisted
/// group ([`AccountSettingsStore::sole_hosted_groups`] names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoleHost;

/// One of a person's sessions, without its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Its public id.
    pub id: SessionId,
    /// Cookie or bearer.
    pub kind: SessionKind,
    /// When it began.
    pub created_at: Timestamp,
    /// When it was last used (to the minute).
    pub last_seen_at: Timestamp,
    /// When it ends regardless of use.
    pub expires_at: Timestamp,
}

/// Everything about an account's life after registering.
#[async_trait]
pub trait AccountSettingsStore {
    /// An account with its address and dates; `NotFound` if it is gone.
    async fn account_details(&self, account: AccountId) -> StoreResult<AccountDetails>;

    /// The account whose address is `email`.
    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<AccountRecord>>;

    /// Stores a single-use token and writes the mail that carries it, in
    /// one transaction.
    async fn create_account_token(
        &self,
        token: &NewAccountToken<'_>,
        mail: &NewMail<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Uses a verification token: the account's address becomes the
    /// token's, verified now. `NotFound` when the token is unknown, used or
    /// expired; `Conflict { what: "email" }` (token spent) when another
    /// account took that address meanwhile.
    async fn use_verify_token(&self, token_hash: &str, now: Timestamp) -> StoreResult<AccountId>;

    /// Whether a verification token works now.
    async fn verify_token_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool>;

    /// Whether a password reset token works now.
    async fn reset_token_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool>;

    /// Uses a password reset token: sets the password, spends every reset
    /// token of the account, ends all its sessions (and with them their
    /// journal keys), forgets the journal's password wrap (the new
    /// password cannot open it; the recovery code can) and (the link
    /// proved the address) marks the address verified. `NotFound` when the token
    /// is unknown, used, expired, or was sent to an address the account no
    /// longer has.
    async fn use_reset_token(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<AccountId>;

    /// Sets a password and ends every session of the account but `keep`
    /// (a token hash); with `journal`, the journal's key wrapped under the
    /// new password replaces the old wrap in the same transaction, so the
    /// two never disagree.
    async fn set_password(
        &self,
        account: AccountId,
        password_hash: &str,
        keep: Option<&str>,
        journal: Option<&KeyWrap>,
    ) -> StoreResult<()>;

    /// The account's live sessions, most recently used first.
    async fn sessions_of(
        &self,
        account: AccountId,
        now: Timestamp,
    ) -> StoreResult<Vec<SessionInfo>>;

    /// Ends the account's session listed as `id`; `NotFound` when it has
    /// none such.
    async fn end_session_of(&self, account: AccountId, id: &SessionId) -> StoreResult<()>;

    /// Listed or unlisted groups that this account alone hosts, by name.
    async fn sole_hosted_groups(&self, account: AccountId) -> StoreResult<Vec<(Slug, String)>>;

    /// Deletes the account and everything of it: sessions, tokens, mail,
    /// preferences, co-hostings, claims, and the pending or rejected
    /// listings it alone hosts (never public). `Ok(Err(SoleHost))`, and
    /// nothing deleted, when it alone hosts a listed or unlisted group.
    async fn delete_account(&self, account: AccountId) -> StoreResult<Result<(), SoleHost>>;

    /// Deletes expired account tokens; answers how many.
    async fn prune_account_tokens(&self, now: Timestamp) -> StoreResult<u64>;
}

/// An account with its private columns.
#[derive(sqlx::FromRow)]
pub(crate) struct DetailsRow {
    pub id: i64,
    pub handle: String,
    pub role: String,
    pub email: Option<String>,
    pub created_at: i64,
    pub email_verified_at: Option<i64>,
    pub time_zone: Option<String>,
}

impl DetailsRow {
    pub(crate) fn into_details(self) -> StoreResult<AccountDetails> {
        let record = crate::accounts::AccountRow {
            id: self.id,
            handle: self.handle,
            role: self.role,
            password_hash: None,
            email_verified: self.email_verified_at.is_some(),
            time_zone: self.time_zone,
        }
        .into_record()?;
        Ok(AccountDetails {
            record,
            email: self.email.map(Email::from_trusted),
            created_at: crate::from_seconds(self.created_at)?,
            email_verified_at: self
                .email_verified_at
                .map(crate::from_seconds)
                .transpose()?,
        })
    }
}

/// A session row without its secrets.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionInfoRow {
    pub token_hash: String,
    pub kind: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

impl SessionInfoRow {
    pub(crate) fn into_info(self) -> StoreResult<SessionInfo> {
        Ok(SessionInfo {
            id: SessionId::of_token_hash(&self.token_hash),
            kind: match self.kind.as_str() {
                "browser" => SessionKind::Browser,
                "api" => SessionKind::Api,
                _ => return Err(StoreError::corrupt("session kind")),
            },
            created_at: crate::from_seconds(self.created_at)?,
            last_seen_at: crate::from_seconds(self.last_seen_at)?,
            expires_at: crate::from_seconds(self.expires_at)?,
        })
    }
}

pub(crate) const DETAILS: &str =
    "SELECT id, handle, role, email, created_at, email_verified_at, time_zone
FROM accounts WHERE id = $1";
pub(crate) const INSERT_TOKEN: &str = "INSERT INTO account_tokens
    (token_hash, account_id, purpose, email, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const VERIFY_TOKEN: &str = "SELECT account_id, email FROM account_tokens
WHERE token_hash = $1 AND purpose = 'verify_email' AND expires_at > $2";
pub(crate) const RESET_TOKEN: &str = "SELECT t.account_id FROM account_tokens t
JOIN accounts a ON a.id = t.account_id
WHERE t.token_hash = $1 AND t.purpose = 'password_reset' AND t.expires_at > $2
  AND a.email = t.email";
pub(crate) const DELETE_TOKEN: &str = "DELETE FROM account_tokens WHERE token_hash = $1";
pub(crate) const CURRENT_EMAIL: &str = "SELECT email FROM accounts WHERE id = $1";
pub(crate) const EMAIL_TAKEN_BY_OTHER: &str =
    "SELECT COUNT(*) FROM accounts WHERE email = $1 AND id <> $2";
pub(crate) const MARK_VERIFIED: &str =
    "UPDATE accounts SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1";
pub(crate) const CHANGE_EMAIL: &str =
    "UPDATE accounts SET email = $2, email_verified_at = $3 WHERE id = $1";
pub(crate) const SET_PASSWORD: &str = "UPDATE accounts SET password_hash = $2 WHERE id = $1";
pub(crate) const SET_PASSWORD_VERIFIED: &str = "UPDATE accounts
SET password_hash = $2, email_verified_at = COALESCE(email_verified_at, $3) WHERE id = $1";
pub(crate) const DELETE_RESET_TOKENS: &str =
    "DELETE FROM account_tokens WHERE account_id = $1 AND purpose = 'password_reset'";
pub(crate) const DELETE_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1";
pub(crate) const DELETE_OTHER_SESSIONS: &str =
    "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2";
pub(crate) const SESSIONS_OF: &str =
    "SELECT token_hash, kind, created_at, last_seen_at, expires_at FROM sessions
WHERE account_id = $1 AND expires_at > $2 AND last_seen_at + idle_seconds > $2
ORDER BY last_seen_at DESC, created_at DESC";
pub(crate) const END_SESSION_OF: &str =
    "DELETE FROM sessions WHERE account_id = $1 AND substr(token_hash, 1, 16) = $2";
pub(crate) const SOLE_HOSTED: &str = "SELECT g.slug, g.name FROM groups g
JOIN group_hosts h ON h.group_id = g.id
WHERE h.account_id = $1 AND g.status IN ('listed', 'unlisted')
  AND (SELECT COUNT(*) FROM group_hosts o WHERE o.group_id = g.id) = 1
ORDER BY g.name, g.slug";
/// Never-public listings the account alone hosts go with it.
pub(crate) const DELETE_SOLE_DRAFTS: &str = "DELETE FROM groups WHERE id IN (
    SELECT g.id FROM groups g JOIN group_hosts h ON h.group_id = g.id
    WHERE h.account_id = $1 AND g.status IN ('pending', 'rejected')
      AND (SELECT COUNT(*) FROM group_hosts o WHERE o.group_id = g.id) = 1)";
pub(crate) const DELETE_ACCOUNT: &str = "DELETE FROM accounts WHERE id = $1";
pub(crate) const PRUNE_TOKENS: &str = "DELETE FROM account_tokens WHERE expires_at <= $1";

mod imp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_purposes_have_stable_codes() {
        assert_eq!(TokenPurpose::PasswordReset.code(), "password_reset");
    }
}
