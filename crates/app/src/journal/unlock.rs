//! A journal's keys over its life: made with three wraps, opened for a
//! session by a login or the password (by the recovery code: `recover`),
//! wrapped again under a new password, locked, discarded.

use jiff::Timestamp;
use kith_domain::ids::AccountId;
use kith_domain::validation::FieldError;
use kith_store::StoreError;
use kith_store::journal::{KeyWrap, NewJournal};

use super::keys::{DataKey, RecoveryCode, WrapPurpose};
use super::{
    code_secret, open_key, password_matches, password_secret, unwrap_under, wrap_for_session,
    wrap_under,
};
use crate::access::Person;
use crate::tokens::token_hash;
use crate::{App, AppError, AppResult, Conflict};

/// Where a person's journal stands for one session: what its page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No journal yet: the page offers to start one.
    None,
    /// This session has it open.
    Open {
        /// Whether the person said they saved the recovery code; until
        /// then the page asks.
        recovery_saved: bool,
        /// Whether the password opens it at login. After a reset by mail
        /// and a recovery without the password, it does not: the page
        /// offers to wrap it under the current password.
        opens_at_login: bool,
    },
    /// Closed in this session; the password opens it.
    Locked,
    /// Closed, and the password no longer opens it (it was reset by mail):
    /// the recovery code does, or the person starts a new journal.
    NeedsRecovery,
}

/// What an attempt to open a journal came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlock {
    /// Open in this session.
    Opened,
    /// The password or code did not match. Nothing changed.
    Refused,
    /// Over a limit: try again after this many seconds. Nothing was
    /// checked.
    Limited(u64),
}

/// Where the person's journal stands for the session `session_token`.
pub async fn status(app: &App, person: &Person, session_token: &str) -> AppResult<Status> {
    let Some(stored) = app.store().journal_keys(person.id).await? else {
        return Ok(Status::None);
    };
    match open_key(app, person, session_token).await {
        Ok(_) => Ok(Status::Open {
            recovery_saved: stored.recovery_confirmed_at.is_some(),
            opens_at_login: stored.password.is_some(),
        }),
        Err(AppError::Conflict(Conflict::JournalLocked | Conflict::NoJournal)) => {
            Ok(if stored.password.is_some() {
                Status::Locked
            } else {
                Status::NeedsRecovery
            })
        }
        Err(other) => Err(other),
    }
}

/// Starts the person's journal after checking their password: a fresh
/// data key, wrapped under the password, under a new recovery code and
/// for this session, stored in one transaction. Answers the recovery
/// code, to show exactly once. `Conflict::JournalExists` when there is
/// one; a wrong password is refused on the field `password`.
pub async fn create(
    app: &App,
    person: &Person,
    password: &str,
    session_token: &str,
    now: Timestamp,
) -> AppResult<RecoveryCode> {
    if !password_matches(app, person, password).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "password",
            "wrong_password",
        )]));
    }
    if app.store().journal_keys(person.id).await?.is_some() {
        return Err(AppError::Conflict(Conflict::JournalExists));
    }
    let key = DataKey::generate();
    let code = RecoveryCode::generate();
    let by_password = wrap_under(
        app,
        &key,
        password_secret(password),
        WrapPurpose::Password,
        person.id,
    )
    .await?;
    let by_code = wrap_under(
        app,
        &key,
        code_secret(&code),
        WrapPurpose::Recovery,
        person.id,
    )
    .await?;
    let for_session = wrap_for_session(&key, session_token, person.id)?;
    let hash = token_hash(session_token);
    let made = app
        .store()
        .create_journal(
            &NewJournal {
                account: person.id,
                password: &by_password,
                recovery: &by_code,
                session: Some((&hash, &for_session)),
            },
            now,
        )
        .await;
    match made {
        Err(StoreError::Conflict { .. }) => Err(AppError::Conflict(Conflict::JournalExists)),
        other => Ok(other.map(|()| code)?),
    }
}

/// Notes that the person saved their recovery code.
pub async fn confirm_recovery_saved(app: &App, person: &Person, now: Timestamp) -> AppResult<()> {
    match app.store().confirm_recovery_saved(person.id, now).await {
        Err(StoreError::NotFound) => Err(AppError::Conflict(Conflict::NoJournal)),
        other => Ok(other?),
    }
}

/// At login, with the password just checked: wraps the journal's key for
/// the new session, so it opens without asking again. Never fails the
/// login: when the key cannot be opened (no journal, a reset by mail, a
/// full line) the journal simply stays locked in that session.
pub async fn open_at_login(
    app: &App,
    account: AccountId,
    password: &str,
    session_token: &str,
    now: Timestamp,
) {
    if let Err(err) = try_open_at_login(app, account, password, session_token, now).await {
        tracing::warn!(error = %err, "a journal stayed locked at login");
    }
}

async fn try_open_at_login(
    app: &App,
    account: AccountId,
    password: &str,
    session_token: &str,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let Some(wrap) = store.journal_keys(account).await?.and_then(|k| k.password) else {
        return Ok(());
    };
    let Some(key) = unwrap_under(
        app,
        &wrap,
        password_secret(password),
        WrapPurpose::Password,
        account,
    )
    .await?
    else {
        return Ok(());
    };
    let wrapped = wrap_for_session(&key, session_token, account)?;
    store
        .put_session_key(account, &token_hash(session_token), &wrapped, now)
        .await?;
    Ok(())
}

/// Opens the journal in a session that began without the password (a
/// link that logged the person in, or a journal locked by hand), with the
/// password. `allow` is asked first, to keep a limit on attempts as logins
/// do. `Conflict::NoJournal` without a journal,
/// `Conflict::JournalNeedsRecovery` when the password no longer opens it.
pub async fn unlock_with_password(
    app: &App,
    person: &Person,
    session_token: &str,
    password: &str,
    now: Timestamp,
    allow: impl FnOnce() -> Result<(), u64>,
) -> AppResult<Unlock> {
    let store = app.store();
    let stored = store
        .journal_keys(person.id)
        .await?
        .ok_or(AppError::Conflict(Conflict::NoJournal))?;
    let wrap = stored
        .password
        .ok_or(AppError::Conflict(Conflict::JournalNeedsRecovery))?;
    if let Err(seconds) = allow() {
        return Ok(Unlock::Limited(seconds));
    }
    if !password_matches(app, person, password).await? {
        return Ok(Unlock::Refused);
    }
    let key = unwrap_under(
        app,
        &wrap,
        password_secret(password),
        WrapPurpose::Password,
        person.id,
    )
    .await?
    .ok_or(AppError::Conflict(Conflict::JournalNeedsRecovery))?;
    let wrapped = wrap_for_session(&key, session_token, person.id)?;
    store
        .put_session_key(person.id, &token_hash(session_token), &wrapped, now)
        .await?;
    Ok(Unlock::Opened)
}

/// Closes the journal in this session (its other sessions keep it open).
pub async fn lock(app: &App, person: &Person, session_token: &str) -> AppResult<()> {
    Ok(app
        .store()
        .drop_session_key(person.id, &token_hash(session_token))
        .await?)
}

/// Deletes the person's journal and every entry in it, after checking
/// their password: for a member who lost their recovery code after a
/// reset and starts again. `Conflict::NoJournal` without one.
pub async fn discard(app: &App, person: &Person, password: &str) -> AppResult<()> {
    if !password_matches(app, person, password).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "password",
            "wrong_password",
        )]));
    }
    match app.store().delete_journal(person.id).await {
        Err(StoreError::NotFound) => Err(AppError::Conflict(Conflict::NoJournal)),
        other => Ok(other?),
    }
}

/// For a password change (the current password checked already): the
/// journal's key wrapped under `new`, to store with the new hash in one
/// transaction; `None` without a journal, or when neither the current
/// password nor the session `keep` can open it (after a reset by mail it
/// stays for the recovery code).
pub(crate) async fn rewrap_for_new_password(
    app: &App,
    person: &Person,
    current: &str,
    new: &str,
    keep: Option<&str>,
) -> AppResult<Option<KeyWrap>> {
    let Some(stored) = app.store().journal_keys(person.id).await? else {
        return Ok(None);
    };
    let mut key = match &stored.password {
        Some(wrap) => {
            unwrap_under(
                app,
                wrap,
                password_secret(current),
                WrapPurpose::Password,
                person.id,
            )
            .await?
        }
        None => None,
    };
    if key.is_none() {
        if let Some(token) = keep {
            key = open_key(app, person, token).await.ok();
        }
    }
    match key {
        Some(key) => Ok(Some(
            wrap_under(
                app,
                &key,
                password_secret(new),
                WrapPurpose::Password,
                person.id,
            )
            .await?,
        )),
        None => Ok(None),
    }
}
