//! The recovery code at work: opening a journal with it (which spends
//! it: the key is wrapped under a new code, shown once) and replacing a
//! lost one from a session that has the journal open.

use jiff::Timestamp;
use kith_domain::validation::FieldError;
use kith_store::StoreError;

use super::keys::{CodeError, RecoveryCode, WrapPurpose};
use super::{
    code_secret, open_key, password_matches, password_secret, unwrap_under, wrap_for_session,
    wrap_under,
};
use crate::access::Person;
use crate::tokens::token_hash;
use crate::{App, AppError, AppResult, Conflict};

/// What an attempt to open a journal with its recovery code came to.
/// No `Debug` or `PartialEq`: it may hold the new code.
pub enum Recovered {
    /// Open in this session, and the code used is spent: the key is now
    /// wrapped under this new one, to show exactly once.
    Opened(RecoveryCode),
    /// The code did not match. Nothing changed.
    Refused,
    /// Over a limit: try again after this many seconds. Nothing was
    /// checked.
    Limited(u64),
}

/// Opens the journal with its recovery code, for this session, and
/// replaces the code: a code that was typed somewhere may have been seen,
/// so it opens once. With the person's current password (`password`,
/// checked), the key is wrapped under it again too, so the password opens
/// it at login from then on — what a member needs after a reset by mail.
/// The new code's wrap, the session's and the password's are written in
/// one transaction. A code that is not one is refused on the field
/// `recovery_code` (`malformed`, or `mistyped` when its check fails)
/// before `allow` is asked; a wrong password on the field `password`.
pub async fn unlock_with_recovery(
    app: &App,
    person: &Person,
    session_token: &str,
    code: &str,
    password: Option<&str>,
    now: Timestamp,
    allow: impl FnOnce() -> Result<(), u64>,
) -> AppResult<Recovered> {
    let store = app.store();
    let code = RecoveryCode::parse(code).map_err(|e| {
        AppError::Invalid(vec![FieldError::new(
            "recovery_code",
            match e {
                CodeError::Malformed => "malformed",
                CodeError::Mistyped => "mistyped",
            },
        )])
    })?;
    let stored = store
        .journal_keys(person.id)
        .await?
        .ok_or(AppError::Conflict(Conflict::NoJournal))?;
    if let Err(seconds) = allow() {
        return Ok(Recovered::Limited(seconds));
    }
    let Some(key) = unwrap_under(
        app,
        &stored.recovery,
        code_secret(&code),
        WrapPurpose::Recovery,
        person.id,
    )
    .await?
    else {
        return Ok(Recovered::Refused);
    };
    let rewrapped = match password {
        None => None,
        Some(password) => {
            if !password_matches(app, person, password).await? {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "password",
                    "wrong_password",
                )]));
            }
            Some(
                wrap_under(
                    app,
                    &key,
                    password_secret(password),
                    WrapPurpose::Password,
                    person.id,
                )
                .await?,
            )
        }
    };
    let new_code = RecoveryCode::generate();
    let by_code = wrap_under(
        app,
        &key,
        code_secret(&new_code),
        WrapPurpose::Recovery,
        person.id,
    )
    .await?;
    let wrapped = wrap_for_session(&key, session_token, person.id)?;
    store
        .reopen_journal(
            person.id,
            &by_code,
            rewrapped.as_ref(),
            &token_hash(session_token),
            &wrapped,
            now,
        )
        .await?;
    Ok(Recovered::Opened(new_code))
}

/// A new recovery code for a journal open in this session, after
/// checking the person's password (`allow` asked first, as for a login):
/// for a member who lost theirs. The old code stops opening it at once.
/// Answers the new code, to show exactly once. `Conflict::NoJournal`
/// without a journal, `Conflict::JournalLocked` when this session has not
/// opened it; a wrong password is refused on the field `password`.
pub async fn replace_recovery_code(
    app: &App,
    person: &Person,
    session_token: &str,
    password: &str,
    allow: impl FnOnce() -> Result<(), u64>,
) -> AppResult<Result<RecoveryCode, u64>> {
    let key = open_key(app, person, session_token).await?;
    if let Err(seconds) = allow() {
        return Ok(Err(seconds));
    }
    if !password_matches(app, person, password).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "password",
            "wrong_password",
        )]));
    }
    let code = RecoveryCode::generate();
    let by_code = wrap_under(
        app,
        &key,
        code_secret(&code),
        WrapPurpose::Recovery,
        person.id,
    )
    .await?;
    match app.store().set_recovery_wrap(person.id, &by_code).await {
        Err(StoreError::NotFound) => Err(AppError::Conflict(Conflict::NoJournal)),
        other => Ok(other.map(|()| Ok(code))?),
    }
}
