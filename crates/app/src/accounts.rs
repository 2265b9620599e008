//! Accounts: registering, logging in and out, sessions, the operator's
//! `kith admin create` and the first start's one-time setup link.
//!
//! Passwords are hashed with Argon2id ([`PasswordHasher`]); session tokens
//! are 128 random bits of which only the SHA-256 is stored, so a copy of the
//! database opens no session.

mod gate;
pub mod zone;

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use jiff::{SignedDuration, Timestamp};
use kith_domain::account::{Email, Handle, NewPassword, Role, normalize_password};
use kith_domain::ids::random_secret;
use kith_domain::validation::{FieldError, Refusals};
use kith_store::accounts::{NewAccount, NewSession, SessionKind, SessionRecord};
use kith_store::rooms::AccessChange;
use kith_store::{AccountId, AuditEntry, Store, StoreError};
use sha2::{Digest, Sha256};

use crate::{AppError, AppResult};

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

/// Argon2id with fixed parameters. Verification reads the parameters from
/// the stored hash, so raising them later keeps old passwords working.
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Arc<Argon2<'static>>,
    /// A few hash at once; a bounded line waits (`gate`).
    gate: Arc<gate::Gate>,
    /// A hash of nothing, verified when a login names no account, so both
    /// cases take the same time.
    decoy: Arc<String>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHasher")
    }
}

impl PasswordHasher {
    /// OWASP's Argon2id parameters: 19 MiB, two passes, one lane.
    pub fn production() -> Self {
        Self::with(19 * 1024, 2, 1)
    }

    /// The cheapest parameters Argon2 allows. **Tests only**: a password
    /// hashed with them is easy to guess.
    pub fn insecure_fast_for_tests() -> Self {
        Self::with(8, 1, 1)
    }

    fn with(memory_kib: u32, passes: u32, lanes: u32) -> Self {
        let params = Params::new(memory_kib, passes, lanes, None).unwrap_or_default();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let decoy = hash_with(&argon2, "decoy password that is never anyone's").unwrap_or_default();
        Self {
            argon2: Arc::new(argon2),
            gate: Arc::new(gate::Gate::for_this_machine()),
            decoy: Arc::new(decoy),
        }
    }

    /// The same hasher with `workers` hashing at once and at most `line`
    /// waiting.
    pub fn with_line(mut self, workers: usize, line: usize) -> Self {
        self.gate = Arc::new(gate::Gate::new(workers, line));
        self
    }

    /// A place to hash, or `Busy` when the line is full.
    async fn enter(&self) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
        self.gate
            .enter()
            .await
            .map_err(|gate::Full| AppError::Busy(gate::RETRY_AFTER_SECONDS))
    }

    /// The memory cost in KiB, passes and lanes new hashes use.
    pub fn params(&self) -> (u32, u32, u32) {
        let p = self.argon2.params();
        (p.m_cost(), p.t_cost(), p.p_cost())
    }

    /// Hashes a new password into a PHC string, off the async threads;
    /// `Busy` when too many wait already.
    pub async fn hash(&self, password: &NewPassword) -> AppResult<String> {
        let _place = self.enter().await?;
        let argon2 = self.argon2.clone();
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || hash_with(&argon2, &password))
            .await
            .map_err(|e| AppError::internal(format!("hashing task failed: {e}")))?
    }

    /// Whether `password` matches `stored`; with no stored hash it checks a
    /// decoy and answers false, taking as long as a real check. `Busy` when
    /// too many wait already.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> AppResult<bool> {
        let _place = self.enter().await?;
        let argon2 = self.argon2.clone();
        let password = normalize_password(password);
        let (phc, real) = match stored {
            Some(phc) => (phc.to_owned(), true),
            None => (self.decoy.as_ref().clone(), false),
        };
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&phc)
                .is_ok_and(|hash| argon2.verify_password(password.as_bytes(), &hash).is_ok())
        })
        .await
        .unwrap_or(false);
        Ok(matches && real)
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> AppResult<String> {
    use argon2::PasswordHasher as _;
    let salt = SaltString::generate(&mut OsRng);
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("hashing failed: {e}")))
}

/// The SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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
pub async fn register(
    store: &dyn Store,
    hasher: &PasswordHasher,
    site: &crate::mail::MailSite,
    registration: &Registration,
    now: Timestamp,
) -> AppResult<()> {
    register_in_zone(store, hasher, site, registration, None, now).await
}

/// As [`register`], keeping `zone` (the browser's) on the new account so
/// its mails give times where the person is.
pub async fn register_in_zone(
    store: &dyn Store,
    hasher: &PasswordHasher,
    site: &crate::mail::MailSite,
    registration: &Registration,
    zone: Option<&kith_domain::zone::Zone>,
    now: Timestamp,
) -> AppResult<()> {
    match create(store, hasher, registration, Role::Member, None, now).await {
        Ok(id) => {
            if let Some(zone) = zone {
                zone::remember(store, id, zone).await?;
            }
            crate::lifecycle::send_verification(store, site, id, now).await
        }
        Err(AppError::Conflict("email")) => {
            let email =
                Email::parse(&registration.email).map_err(|e| AppError::Invalid(vec![e]))?;
            crate::lifecycle::tell_account_exists(store, site, &email, now).await
        }
        Err(other) => Err(other),
    }
}

/// Creates a moderator or admin for the operator (`kith admin create`),
/// with an audit row. Unlike registration it says when the email is taken:
/// the operator already has the database.
pub async fn create_staff(
    store: &dyn Store,
    hasher: &PasswordHasher,
    registration: &Registration,
    role: Role,
    now: Timestamp,
) -> AppResult<AccountId> {
    let audit = AuditEntry {
        actor: None,
        actor_handle: "operator",
        action: match role {
            Role::Admin => "admin.create",
            _ => "moderator.create",
        },
        target: format!("account:{}", registration.handle.trim()),
        reason: "kith admin create",
    };
    create(store, hasher, registration, role, Some(&audit), now).await
}

async fn create(
    store: &dyn Store,
    hasher: &PasswordHasher,
    registration: &Registration,
    role: Role,
    audit: Option<&AuditEntry<'_>>,
    now: Timestamp,
) -> AppResult<AccountId> {
    let checked = registration.check().map_err(AppError::Invalid)?;
    let password_hash = hasher.hash(&checked.password).await?;
    let account = NewAccount {
        handle: &checked.handle,
        email: &checked.email,
        password_hash: &password_hash,
        role,
        // An operator (`kith admin create`) vouches for the accounts they
        // make; a person registering proves their address by mail.
        email_verified: audit.is_some(),
    };
    match store.create_account(&account, audit, now).await {
        Err(StoreError::Conflict { what: "handle" }) => {
            Err(AppError::Invalid(vec![FieldError::new("handle", "taken")]))
        }
        Err(StoreError::Conflict { what: "email" }) => Err(AppError::Conflict("email")),
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
    /// Over a limit: try again after this many seconds. No password was
    /// checked.
    Limited(u64),
}

/// Logs in with a handle or email and a password. `allow` is asked first
/// with the account the login names (`None` when none), so a limit can be
/// kept per account however it is named; it answers the seconds to wait
/// when over. A mismatch is `Refused` whether or not the account exists,
/// after the same amount of work.
pub async fn login(
    store: &dyn Store,
    hasher: &PasswordHasher,
    request: &LoginRequest<'_>,
    now: Timestamp,
    allow: impl FnOnce(Option<AccountId>) -> Result<(), u64>,
) -> AppResult<LoginOutcome> {
    let account = store.account_by_login(request.login).await?;
    if let Err(seconds) = allow(account.as_ref().map(|a| a.id)) {
        return Ok(LoginOutcome::Limited(seconds));
    }
    let stored = account.as_ref().and_then(|a| a.password_hash.as_deref());
    if !hasher.verify(request.password, stored).await? {
        return Ok(LoginOutcome::Refused);
    }
    let Some(account) = account else {
        return Ok(LoginOutcome::Refused);
    };
    let token = start_session(store, account.id, request.kind, request.remember, now).await?;
    Ok(LoginOutcome::LoggedIn {
        token,
        account: account.id,
    })
}

/// Begins a session for an account whose identity is already proven.
pub async fn start_session(
    store: &dyn Store,
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
        token: random_secret(),
        csrf_token: random_secret(),
        remember,
    };
    store
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
pub async fn session(
    store: &dyn Store,
    token: &str,
    now: Timestamp,
) -> AppResult<Option<SessionRecord>> {
    Ok(store.session(&token_hash(token), now).await?)
}

/// Ends a session on the server, and with it the live rooms it opened.
pub async fn logout(store: &dyn Store, token: &str) -> AppResult<()> {
    if let Some(account) = store.end_session(&token_hash(token)).await? {
        crate::rooms::access_changed(store, AccessChange::Account(account)).await;
    }
    Ok(())
}

/// On a site without an admin, a fresh one-time setup token (valid for a
/// day) for the first start to print; `None` once an admin exists.
pub async fn setup_link_token(store: &dyn Store, now: Timestamp) -> AppResult<Option<String>> {
    if store.admin_exists().await? {
        return Ok(None);
    }
    let token = random_secret();
    let expires = now.saturating_add(SETUP_LINK_VALID).unwrap_or(now);
    store
        .create_setup_token(&token_hash(&token), now, expires)
        .await?;
    Ok(Some(token))
}

/// Whether a setup link still works.
pub async fn setup_link_valid(store: &dyn Store, token: &str, now: Timestamp) -> AppResult<bool> {
    Ok(store.setup_token_valid(&token_hash(token), now).await?)
}

/// Creates the first admin through the setup link, which then stops
/// working. `NotFound` when the link is unknown, expired or used.
pub async fn create_first_admin(
    store: &dyn Store,
    hasher: &PasswordHasher,
    token: &str,
    registration: &Registration,
    now: Timestamp,
) -> AppResult<AccountId> {
    if !setup_link_valid(store, token, now).await? {
        return Err(AppError::NotFound);
    }
    let checked = registration.check().map_err(AppError::Invalid)?;
    let password_hash = hasher.hash(&checked.password).await?;
    let account = NewAccount {
        handle: &checked.handle,
        email: &checked.email,
        password_hash: &password_hash,
        role: Role::Admin,
        email_verified: true,
    };
    match store
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_as_their_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[tokio::test]
    async fn production_hashes_use_argon2id_with_owasp_parameters() {
        let hasher = PasswordHasher::production();
        assert_eq!(hasher.params(), (19 * 1024, 2, 1));
        let password = NewPassword::parse("a long and unusual passphrase", None, None)
            .expect("valid password");
        let phc = hasher.hash(&password).await.expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            hasher
                .verify("a long and unusual passphrase", Some(&phc))
                .await
                .expect("a place")
        );
        assert!(
            !hasher
                .verify("a long and unusual passphrasE", Some(&phc))
                .await
                .expect("a place")
        );
        // A hash made with other parameters still verifies: they are read
        // from the stored string.
        let fast = PasswordHasher::insecure_fast_for_tests();
        assert!(
            fast.verify("a long and unusual passphrase", Some(&phc))
                .await
                .expect("a place")
        );
        assert!(!fast.verify("anything", None).await.expect("a place"));
    }

    #[tokio::test]
    async fn a_hasher_whose_line_is_full_answers_busy_and_changes_nothing() {
        let hasher = PasswordHasher::insecure_fast_for_tests().with_line(1, 0);
        let place = hasher.enter().await.expect("the one worker");
        let password = NewPassword::parse("a long and unusual passphrase", None, None)
            .expect("valid password");
        assert!(matches!(
            hasher.hash(&password).await,
            Err(AppError::Busy(1))
        ));
        assert!(matches!(
            hasher.verify("x", None).await,
            Err(AppError::Busy(1))
        ));
        drop(place);
        assert!(hasher.hash(&password).await.is_ok());
    }
}
