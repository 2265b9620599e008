//! Accounts, sessions and the one-time setup link: the [`AccountStore`]
//! trait and its one implementation for both backends (`imp`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::{Email, Handle, Role};

use crate::model::{AccountId, AuditEntry};
use crate::{StoreError, StoreResult};

/// An account as the store keeps it.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    /// The internal id.
    pub id: AccountId,
    /// The pseudonym, as typed.
    pub handle: Handle,
    /// What the person may do on the whole site.
    pub role: Role,
    /// The PHC string of the password's hash; `None` for accounts that
    /// cannot log in.
    pub password_hash: Option<String>,
    /// Whether the person proved they read mail at the account's address
    /// (staff made by an operator count as verified).
    pub email_verified: bool,
    /// The IANA zone the person reads times in, once known.
    pub time_zone: Option<String>,
}

/// An account to create.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    /// The pseudonym.
    pub handle: &'a Handle,
    /// The normalised email.
    pub email: &'a Email,
    /// The PHC string of the password's hash.
    pub password_hash: &'a str,
    /// The role.
    pub role: Role,
    /// Whether the address counts as verified from the start (staff made
    /// by an operator or through the setup link).
    pub email_verified: bool,
}

/// The verification mailed to a new account, written with it.
#[derive(Clone, Copy)]
pub struct Verification<'a> {
    /// SHA-256 of the link's token, hex.
    pub token_hash: &'a str,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// The mail, sent to the new account.
    pub mail: &'a crate::mail::MailDraft,
}

impl std::fmt::Debug for Verification<'_> {
    // The mail holds the link: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verification").finish_non_exhaustive()
    }
}

/// How a session's token travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser's cookie; its changes need the CSRF token.
    Browser,
    /// An API client's bearer token.
    Api,
}

impl SessionKind {
    fn code(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::Api => "api",
        }
    }
}

/// A session to begin.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Whose.
    pub account: AccountId,
    /// Cookie or bearer.
    pub kind: SessionKind,
    /// The synchronizer token for forms.
    pub csrf_token: String,
    /// Seconds of inactivity after which it ends.
    pub idle_seconds: i64,
    /// When it ends regardless of activity.
    pub expires_at: Timestamp,
}

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The account.
    pub account: AccountRecord,
    /// Cookie or bearer.
    pub kind: SessionKind,
    /// The synchronizer token for forms.
    pub csrf_token: String,
    /// Whether the account hosts a group: read with the session, so pages
    /// ask for a host's groups only when the reader has some.
    pub hosts: bool,
}

/// Everything about accounts and sessions.
#[async_trait]
pub trait AccountStore {
    /// Creates an account, with an audit row when an admin or operator made
    /// it. `Conflict { what: "handle" }` or `Conflict { what: "email" }` when
    /// either is taken.
    async fn create_account(
        &self,
        account: &NewAccount<'_>,
        audit: Option<&AuditEntry<'_>>,
        now: Timestamp,
    ) -> StoreResult<AccountId>;

    /// Creates a member's account with the token and mail that verify its
    /// address, in one transaction: no account exists without its
    /// verification mail, even if the process dies between them. Conflicts
    /// as [`AccountStore::create_account`].
    async fn register_account(
        &self,
        account: &NewAccount<'_>,
        verification: &Verification<'_>,
        now: Timestamp,
    ) -> StoreResult<AccountId>;

    /// The account whose handle (any case) or email is `login`.
    async fn account_by_login(&self, login: &str) -> StoreResult<Option<AccountRecord>>;

    /// The account with this handle, in any case.
    async fn account_by_handle(&self, handle: &Handle) -> StoreResult<Option<AccountRecord>>;

    /// Begins a session.
    async fn create_session(&self, session: &NewSession, now: Timestamp) -> StoreResult<()>;

    /// The live session with this token hash (neither idle too long nor
    /// past its end), marking it used.
    async fn session(&self, token_hash: &str, now: Timestamp)
    -> StoreResult<Option<SessionRecord>>;

    /// Ends a session; answers whose it was, if it existed.
    async fn end_session(&self, token_hash: &str) -> StoreResult<Option<AccountId>>;

    /// Deletes sessions that have ended; answers how many.
    async fn end_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;

    /// Whether any admin exists.
    async fn admin_exists(&self) -> StoreResult<bool>;

    /// The moderators and admins, who review listings, oldest first.
    async fn staff_accounts(&self) -> StoreResult<Vec<AccountId>>;

    /// Stores a one-time setup link's token hash.
    async fn create_setup_token(
        &self,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;

    /// Whether a setup token is valid now (and no admin exists yet).
    async fn setup_token_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool>;

    /// Sets (replacing any) or removes an account's calendar token hash.
    async fn set_calendar_token(
        &self,
        account: AccountId,
        token_hash: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The account a calendar token hash belongs to, and when it was made.
    async fn calendar_token_owner(&self, token_hash: &str) -> StoreResult<Option<AccountId>>;

    /// When an account's calendar token was made, if it has one.
    async fn calendar_token_made(&self, account: AccountId) -> StoreResult<Option<Timestamp>>;

    /// Sets (or with `None` forgets) the zone an account reads times in.
    async fn set_account_zone(&self, account: AccountId, zone: Option<&str>) -> StoreResult<()>;

    /// Keeps `zone` as the account's zone unless it has one already;
    /// answers whether it was kept.
    async fn remember_account_zone(&self, account: AccountId, zone: &str) -> StoreResult<bool>;

    /// The zone an account reads times in, if known.
    async fn account_zone(&self, account: AccountId) -> StoreResult<Option<String>>;

    /// Creates the first admin through a setup link, consuming every setup
    /// token, with an audit row. `NotFound` when the token is unknown or
    /// expired, or an admin exists already.
    async fn create_first_admin(
        &self,
        token_hash: &str,
        account: &NewAccount<'_>,
        now: Timestamp,
    ) -> StoreResult<AccountId>;
}

/// An account row.
#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub handle: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub email_verified: bool,
    pub time_zone: Option<String>,
}

impl AccountRow {
    pub(crate) fn into_record(self) -> StoreResult<AccountRecord> {
        Ok(AccountRecord {
            id: AccountId(self.id),
            handle: Handle::from_trusted(self.handle),
            role: Role::parse(&self.role).ok_or_else(|| StoreError::corrupt("role"))?,
            password_hash: self.password_hash,
            email_verified: self.email_verified,
            time_zone: self.time_zone,
        })
    }
}

/// A session row joined with its account.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub kind: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub id: i64,
    pub handle: String,
    pub role: String,
    pub email_verified: bool,
    pub time_zone: Option<String>,
    pub hosts: bool,
}

impl SessionRow {
    pub(crate) fn into_record(self) -> StoreResult<SessionRecord> {
        Ok(SessionRecord {
            kind: match self.kind.as_str() {
                "browser" => SessionKind::Browser,
                "api" => SessionKind::Api,
                _ => return Err(StoreError::corrupt("session kind")),
            },
            csrf_token: self.csrf_token,
            hosts: self.hosts,
            account: AccountRow {
                id: self.id,
                handle: self.handle,
                role: self.role,
                password_hash: None,
                email_verified: self.email_verified,
                time_zone: self.time_zone,
            }
            .into_record()?,
        })
    }
}

pub(crate) fn kind_code(kind: SessionKind) -> &'static str {
    kind.code()
}

pub(crate) const ACCOUNT_COLUMNS: &str = "SELECT id, handle, role, password_hash,
    email_verified_at IS NOT NULL AS email_verified, time_zone FROM accounts";
pub(crate) const HANDLE_TAKEN: &str = "SELECT COUNT(*) FROM accounts WHERE handle_key = $1";
pub(crate) const EMAIL_TAKEN: &str = "SELECT COUNT(*) FROM accounts WHERE email = $1";
pub(crate) const INSERT_ACCOUNT: &str = "INSERT INTO accounts
    (handle, handle_key, email, password_hash, role, created_at, email_verified_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
pub(crate) const INSERT_SESSION: &str = "INSERT INTO sessions
    (token_hash, account_id, kind, csrf_token, idle_seconds, created_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $6, $7)";
pub(crate) const LIVE_SESSION: &str =
    "SELECT s.kind, s.csrf_token, s.last_seen_at, a.id, a.handle, a.role,
    a.email_verified_at IS NOT NULL AS email_verified, a.time_zone,
    EXISTS (SELECT 1 FROM group_hosts h WHERE h.account_id = a.id) AS hosts
FROM sessions s JOIN accounts a ON a.id = s.account_id
WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at + s.idle_seconds > $2
    AND (a.suspended_until IS NULL OR a.suspended_until <= $2)";
/// Marks a session used. Only run when the mark is over a minute old, so
/// reading pages does not take the write lock on every request.
pub(crate) const TOUCH_SESSION: &str =
    "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1";
/// How stale a session's last-used mark may get before it is written.
pub(crate) const TOUCH_AFTER_SECONDS: i64 = 60;
pub(crate) const DELETE_SESSION: &str =
    "DELETE FROM sessions WHERE token_hash = $1 RETURNING account_id";
pub(crate) const DELETE_EXPIRED_SESSIONS: &str =
    "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at + idle_seconds <= $1";
pub(crate) const SET_ACCOUNT_ZONE: &str = "UPDATE accounts SET time_zone = $2 WHERE id = $1";
pub(crate) const REMEMBER_ACCOUNT_ZONE: &str =
    "UPDATE accounts SET time_zone = $2 WHERE id = $1 AND time_zone IS NULL";
pub(crate) const ACCOUNT_ZONE: &str = "SELECT time_zone FROM accounts WHERE id = $1";
pub(crate) const ADMIN_EXISTS: &str = "SELECT COUNT(*) FROM accounts WHERE role = 'admin'";
pub(crate) const STAFF_ACCOUNTS: &str =
    "SELECT id FROM accounts WHERE role IN ('moderator', 'admin') ORDER BY id";
pub(crate) const INSERT_SETUP_TOKEN: &str =
    "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)";
pub(crate) const SETUP_TOKEN_VALID: &str =
    "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2";
pub(crate) const DELETE_SETUP_TOKENS: &str = "DELETE FROM setup_tokens";

mod imp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_kinds_have_stable_codes() {
        assert_eq!(SessionKind::Browser.code(), "browser");
        assert_eq!(SessionKind::Api.code(), "api");
    }
}
