//! Accounts: registering, logging in and out, sessions, the operator's
//! `kith admin create` and the first start's one-time setup link.
//!
//! Passwords are hashed with Argon2id ([`crate::passwords`]); session
//! tokens are [`crate::tokens`], of which only the SHA-256 is stored, so a
//! copy of the database opens no session.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::{Email, Handle, NewPassword, Role};
use kith_domain::ids::{AccountId, SessionId, random_secret};
use kith_domain::validation::{FieldError, Refusals};
pub use kith_store::accounts::SessionKind;
use kith_store::accounts::{NewAccount, NewSession, SessionRecord, Verification};
use kith_store::rooms::AccessChange;
use kith_store::{AuditEntry, Store, StoreError};

use crate::tokens::{new_token, token_hash};
use crate::{App, AppError, AppResult, Conflict};

/// How long a browser session lasts without use; "remember me" lasts longer.
pub const IDLE: SignedDuration = SignedDuration::from_hours(12);
/// Idle limit with "remember me" and for API tokens.
pub const IDLE_REMEMBERED: SignedDuration = SignedDuration::from_hours(30 * 24);
/// The longest any browser session lasts without "remember me".
pub const ABSOLUTE: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The longest a remembered session or an API token lasts.
pub const ABSOLUTE_REMEMBERED: SignedDuration = SignedDuration::from_hours(90 * 24);
/// How long the first start's setup link works.
pub const SETUP_LINK_VALID: SignedDuration = SignedDuration::from_hours(24);

/// What a person submits to register.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Registration {
    /// The pseudonym.
    pub handle: String,
    /// The email.
    pub email: String,
    /// The password.
    pub password: String,
}

/// A registration's checked parts.
struct CheckedRegistration {
    handle: Handle,
    email: Email,
    password: NewPassword,
}

impl Registration {
    fn check(&self) -> Result<CheckedRegistration, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let handle = refusals.check(Handle::parse(&self.handle));
        let email = refusals.check(Email::parse(&self.email));
        let password = refusals.check(NewPassword::parse(
            &self.password,
            Some(self.handle.as_str()),
            Some(self.email.as_str()),
        ));
        refusals.finish(|| ())?;
        match (handle, email, password) {
            (Some(handle), Some(email), Some(password)) => Ok(CheckedRegistration {
                handle,
                email,
                password,
            }),
            _ => Err(Vec::new()),
        }
    }
}

/// Registers a member and mails the link that verifies their address. An
/// email that is taken already is not revealed: the caller answers exactly
/// as for a new account, and the owner of the address is told by mail. A
/// taken handle is refused, since handles are public anyway.
pub async fn register(app: &App, registration: &Registration, now: Timestamp) -> AppResult<()> {
    register_in_zone(app, registration, None, now).await
}

/// As [`register`], keeping `zone` (the browser's) on the new account so
/// its mails give times where the person is.
pub async fn register_in_zone(
    app: &App,
    registration: &Registration,
    zone: Option<&kith_domain::zone::Zone>,
    now: Timestamp,
) -> AppResult<()> {
    // The account and its verification mail are written together: an
    // account never waits for a mail a crash in between lost.
    let verification =
        crate::account_settings::verification_mail(app, registration.handle.trim(), false)?;
    let expires_at = now
        .saturating_add(crate::account_settings::VERIFY_VALID)
        .unwrap_or(now);
    let first_mail = FirstMail::Verification(&verification, expires_at);
    match create(app, registration, Role::Member, first_mail, now).await {
        Ok(id) => {
            app.mailed();
            if let Some(zone) = zone {
                crate::account_zone::remember(app, id, zone).await?;
            }
            Ok(())
        }
        Err(AppError::Conflict(Conflict::EmailTaken)) => {
            let email =
                Email::parse(&registration.email).map_err(|e| AppError::Invalid(vec![e]))?;
            crate::account_settings::tell_account_exists(app, &email, now).await
        }
        Err(other) => Err(other),
    }
}

/// What is written with a new account: an operator's audit row, or the
/// mail that verifies a member's address.
enum FirstMail<'a> {
    Audit(&'a AuditEntry<'a>),
    Verification(&'a crate::account_settings::VerificationMail, Timestamp),
}

/// Creates a moderator or admin for the operator (`kith admin create`),
/// with an audit row. Unlike registration it says when the email is taken:
/// the operator already has the database.
pub async fn create_staff(
    app: &App,
    registration: &Registration,
    role: Role,
    now: Timestamp,
) -> AppResult<AccountId> {
    let audit = AuditEntry {
        actor: None,
        actor_handle: "operator",
        action: match role {
            Role::Admin => "admin.create",
            Role::Editor => "editor.create",
            _ => "moderator.create",
        },
        target: format!("account:{}", registration.handle.trim()),
        reason: "kith admin create",
    };
    create(app, registration, role, FirstMail::Audit(&audit), now).await
}

async fn create(
    app: &App,
    registration: &Registration,
    role: Role,
    first: FirstMail<'_>,
    now: Timestamp,
) -> AppResult<AccountId> {
    let checked = registration.check().map_err(AppError::Invalid)?;
    let password_hash = app.hasher().hash(&checked.password).await?;
    let account = NewAccount {
        handle: &checked.handle,
        email: &checked.email,
        password_hash: &password_hash,
        role,
        // An operator (`kith admin create`) vouches for the accounts they
        // make; a person registering proves their address by mail.
        email_verified: matches!(first, FirstMail::Audit(_)),
    };
    let created = match first {
        FirstMail::Audit(audit) => app.store().create_account(&account, Some(audit), now).await,
        FirstMail::Verification(verification, expires_at) => {
            app.store()
                .register_account(
                    &account,
                    &Verification {
                        token_hash: &verification.token_hash,
                        expires_at,
                        mail: &verification.composed,
                    },
                    now,
                )
                .await
        }
    };
    match created {
        Err(StoreError::Conflict { what: "handle" }) => {
            Err(AppError::Invalid(vec![FieldError::new("handle", "taken")]))
        }
        Err(StoreError::Conflict { what: "email" }) => {
            Err(AppError::Conflict(Conflict::EmailTaken))
        }
        other => Ok(other?),
    }
}

/// A new session's secrets, for the cookie or the API client only.
#[derive(Clone)]
pub struct NewToken {
    /// The session token.
    pub token: String,
    /// The synchronizer token for its forms.
    pub csrf_token: String,
    /// Whether the session should outlive the browser.
    pub remember: bool,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewToken(…)")
    }
}

/// A login to check: a handle or email, a password, and the session it
/// opens.
#[derive(Clone, Copy)]
pub struct LoginRequest<'a> {
    /// A handle or an email.
    pub login: &'a str,
    /// The password as typed.
    pub password: &'a str,
    /// A browser or an API session.
    pub kind: SessionKind,
    /// Whether the session should outlive the browser.
    pub remember: bool,
}

impl std::fmt::Debug for LoginRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginRequest(…)")
    }
}

/// What a login came to.
#[derive(Debug)]
pub enum LoginOutcome {
    /// The password matched: a new session for this account.
    LoggedIn {
        /// The new session's secrets.
        token: NewToken,
        /// Whose session it is.
        account: AccountId,
    },
    /// Any mismatch, whether or not the account exists.
    Refused,
    /// The password matched, but the account is suspended until then: no
    /// session. Said only after the right password, so nobody learns that
    /// an account is suspended without it.
    Suspended {
        /// When the suspension lapses.
        until: Timestamp,
    },
    /// Over a limit: try again after this many seconds. No password was
    /// checked.
    Limited(u64),
}

/// Logs in with a handle or email and a password. `allow` is asked first
/// with the account the login names (`None` when none), so a limit can be
/// kept per account however it is named; it answers the seconds to wait
/// when over. A mismatch is `Refused` whether or not the account exists,
/// after the same amount of work; the right password of a suspended
/// account is `Suspended`.
pub async fn login(
    app: &App,
    request: &LoginRequest<'_>,
    now: Timestamp,
    allow: impl FnOnce(Option<AccountId>) -> Result<(), u64>,
) -> AppResult<LoginOutcome> {
    let account = app.store().account_by_login(request.login).await?;
    if let Err(seconds) = allow(account.as_ref().map(|a| a.id)) {
        return Ok(LoginOutcome::Limited(seconds));
    }
    let stored = account.as_ref().and_then(|a| a.password_hash.as_deref());
    if !app.hasher().verify(request.password, stored).await? {
        return Ok(LoginOutcome::Refused);
    }
    let Some(account) = account else {
        return Ok(LoginOutcome::Refused);
    };
    // A suspended account cannot log in until its suspension lapses.
    if let Some(until) = app.store().suspended_until(account.id, now).await? {
        return Ok(LoginOutcome::Suspended { until });
    }
    let token = start_session(app, account.id, request.kind, request.remember, now).await?;
    // The password is in hand only now: the journal opens for the new
    // session without asking again.
    crate::journal::open_at_login(app, account.id, request.password, &token.token, now).await;
    Ok(LoginOutcome::LoggedIn {
        token,
        account: account.id,
    })
}

/// Begins a session for an account whose identity is already proven.
pub async fn start_session(
    app: &App,
    account: AccountId,
    kind: SessionKind,
    remember: bool,
    now: Timestamp,
) -> AppResult<NewToken> {
    let remember = remember || kind == SessionKind::Api;
    let (idle, absolute) = if remember {
        (IDLE_REMEMBERED, ABSOLUTE_REMEMBERED)
    } else {
        (IDLE, ABSOLUTE)
    };
    let token = NewToken {
        token: new_token(),
        csrf_token: random_secret(),
        remember,
    };
    app.store()
        .create_session(
            &NewSession {
                token_hash: token_hash(&token.token),
                account,
                kind,
                csrf_token: token.csrf_token.clone(),
                idle_seconds: idle.as_secs(),
                expires_at: now.saturating_add(absolute).unwrap_or(now),
            },
            now,
        )
        .await?;
    Ok(token)
}

/// The live session a token opens, if any.
pub async fn session(app: &App, token: &str, now: Timestamp) -> AppResult<Option<SessionRecord>> {
    Ok(app.store().session(&token_hash(token), now).await?)
}

/// The public id of the session a token opens (as
/// [`crate::account_settings::sessions`] lists them), so a page can mark the
/// reader's own.
pub fn session_id(token: &str) -> SessionId {
    SessionId::of_token_hash(&token_hash(token))
}

/// Ends a session on the server, and with it the live rooms it opened.
pub async fn logout(app: &App, token: &str) -> AppResult<()> {
    if let Some(account) = app.store().end_session(&token_hash(token)).await? {
        app.access_changed(AccessChange::Account(account)).await;
    }
    Ok(())
}

/// On a site without an admin, a fresh one-time setup token (valid for a
/// day) for the first start to print; `None` once an admin exists.
pub async fn setup_link_token(app: &App, now: Timestamp) -> AppResult<Option<String>> {
    let store = app.store();
    if store.admin_exists().await? {
        return Ok(None);
    }
    let token = new_token();
    let expires = now.saturating_add(SETUP_LINK_VALID).unwrap_or(now);
    store
        .create_setup_token(&token_hash(&token), now, expires)
        .await?;
    Ok(Some(token))
}

/// Whether a setup link still works.
pub async fn setup_link_valid(app: &App, token: &str, now: Timestamp) -> AppResult<bool> {
    Ok(app
        .store()
        .setup_token_valid(&token_hash(token), now)
        .await?)
}

/// Creates the first admin through the setup link, which then stops
/// working. `NotFound` when the link is unknown, expired or used.
pub async fn create_first_admin(
    app: &App,
    token: &str,
    registration: &Registration,
    now: Timestamp,
) -> AppResult<AccountId> {
    if !setup_link_valid(app, token, now).await? {
        return Err(AppError::NotFound);
    }
    let checked = registration.check().map_err(AppError::Invalid)?;
    let password_hash = app.hasher().hash(&checked.password).await?;
    let account = NewAccount {
        handle: &checked.handle,
        email: &checked.email,
        password_hash: &password_hash,
        role: Role::Admin,
        email_verified: true,
    };
    match app
        .store()
        .create_first_admin(&token_hash(token), &account, now)
        .await
    {
        Err(StoreError::Conflict { what: "handle" }) => {
            Err(AppError::Invalid(vec![FieldError::new("handle", "taken")]))
        }
        Err(StoreError::Conflict { .. }) => {
            Err(AppError::Invalid(vec![FieldError::new("email", "taken")]))
        }
        other => Ok(other?),
    }
}

/// Deletes ended sessions every `period`, for as long as the process runs.
pub async fn run_session_sweeper(
    store: Arc<dyn Store>,
    clock: crate::Clock,
    period: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        match store.end_expired_sessions(clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "ended sessions deleted"),
            Err(err) => tracing::warn!(error = %err, "could not delete ended sessions"),
        }
    }
}
