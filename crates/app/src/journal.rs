//! The private journal and taper log, sealed at rest with keys only its
//! writer holds (issue 22; see `docs/journal.md`).
//!
//! Every use case takes the [`Person`] and the raw token of the session
//! asking: the journal's data key is kept per session, wrapped by a key
//! derived from that token, which the database does not hold (it keeps
//! the token's hash). So a use case opens the key from the session's wrap
//! ([`keys`]), seals or opens what it touches, and forgets the key.
//!
//! - `unlock`: creating a journal (its recovery code shown once), what
//!   state it is in for a session ([`status`]), opening it for a session
//!   with the password, locking it, discarding it, and the account hooks: wrapping the key for a new session at login
//!   ([`open_at_login`]) and again under a new password
//!   ([`rewrap_for_new_password`]).
//! - `recover`: the recovery code at work — opening with it, which
//!   spends it, and replacing a lost one.
//! - `entries`: check-ins, medicines and dose changes — add, edit,
//!   delete, list; each read entry either opens or says it could not.
//! - `charts`: the charts of a range ending today, drawn from what
//!   opens ([`charts`]).
//! - `transfer`: the versioned JSON export (`{"kith_journal": 1, …}`) and
//!   the import of one into an empty journal.
//! - `sheets`: the same export as CSV, one file per kind, with formulas
//!   defused.
//! - [`keys`]: the cryptography, as pure functions.
//!
//! Nothing here logs a value: no entry, key, code or token reaches a log
//! line, in a message or a field.

pub mod keys;

mod charts;
mod entries;
mod paging;
mod recover;
mod sheets;
mod transfer;
mod unlock;

pub use charts::{ChartsRead, charts};
pub use entries::{
    CheckinEntry, DoseEntry, MedicineEntry, add_checkin, add_dose, add_medicine, checkin, checkins,
    delete_checkin, delete_dose, delete_medicine, dose, doses, edit_checkin, edit_dose, medicine,
    medicines, rename_medicine,
};
pub use keys::{CouldNotOpen, RecoveryCode};
pub use paging::{CHECKINS_PER_PAGE, CheckinPage, checkin_page};
pub use recover::{Recovered, replace_recovery_code, unlock_with_recovery};
pub use sheets::{Sheet, defuse, sheet};
pub use transfer::{
    CheckinExport, DoseExport, FORMAT_VERSION, IMPORT_MAX_ENTRIES, JournalExport, MedicineExport,
    Number, Unopened, export, import,
};
pub(crate) use unlock::rewrap_for_new_password;
pub use unlock::{
    Status, Unlock, confirm_recovery_saved, create, discard, lock, open_at_login, status,
    unlock_with_password,
};

use kith_domain::account::normalize_password;
use kith_domain::ids::AccountId;
use kith_store::journal::KeyWrap;
use zeroize::Zeroizing;

use crate::access::Person;
use crate::tokens::token_hash;
use crate::{App, AppError, AppResult, Conflict};
use keys::{DataKey, WrapPurpose};

/// The journal's data key for this session, opened from the session's
/// wrap; `Conflict::NoJournal` without a journal, `Conflict::JournalLocked`
/// when this session has not opened it (or its wrap does not open).
async fn open_key(app: &App, person: &Person, session_token: &str) -> AppResult<DataKey> {
    let store = app.store();
    let wrapped = store
        .session_key(person.id, &token_hash(session_token))
        .await?;
    if let Some(wrapped) = wrapped {
        let by = keys::session_key(session_token);
        if let Ok(key) = keys::unwrap(&wrapped, &by, WrapPurpose::Session, person.id) {
            return Ok(key);
        }
    }
    match store.journal_keys(person.id).await? {
        None => Err(AppError::Conflict(Conflict::NoJournal)),
        Some(_) => Err(AppError::Conflict(Conflict::JournalLocked)),
    }
}

/// `key` wrapped under a secret (a password or a recovery code's secret),
/// with a fresh salt at the hasher's cost.
async fn wrap_under(
    app: &App,
    key: &DataKey,
    secret: Zeroizing<Vec<u8>>,
    purpose: WrapPurpose,
    person: AccountId,
) -> AppResult<KeyWrap> {
    let salt = app.hasher().new_key_salt();
    let stored = salt.to_stored();
    let by = app
        .hasher()
        .derive_key(secret, salt)
        .await?
        .map_err(|_| AppError::internal("a fresh salt did not derive a key"))?;
    let wrapped = keys::wrap(key, &by, purpose, person)
        .map_err(|_| AppError::internal("a journal key could not be wrapped"))?;
    Ok(KeyWrap {
        salt: stored,
        wrapped,
    })
}

/// The data key in `wrap`, if `secret` opens it; `Busy` when the line of
/// derivations is full.
async fn unwrap_under(
    app: &App,
    wrap: &KeyWrap,
    secret: Zeroizing<Vec<u8>>,
    purpose: WrapPurpose,
    person: AccountId,
) -> AppResult<Option<DataKey>> {
    let Ok(salt) = keys::Salt::parse(&wrap.salt) else {
        return Ok(None);
    };
    let Ok(by) = app.hasher().derive_key(secret, salt).await? else {
        return Ok(None);
    };
    Ok(keys::unwrap(&wrap.wrapped, &by, purpose, person).ok())
}

/// `key` wrapped for the session whose raw token is `session_token`.
fn wrap_for_session(key: &DataKey, session_token: &str, person: AccountId) -> AppResult<Vec<u8>> {
    keys::wrap(
        key,
        &keys::session_key(session_token),
        WrapPurpose::Session,
        person,
    )
    .map_err(|_| AppError::internal("a journal key could not be wrapped"))
}

/// A password as keys are derived from it: in the form it is hashed in
/// (NFC), so what verifies also derives.
fn password_secret(password: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(normalize_password(password).into_bytes())
}

/// A recovery code's secret, to derive from.
fn code_secret(code: &RecoveryCode) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(code.secret().to_vec())
}

/// Whether `password` is the person's current one.
async fn password_matches(app: &App, person: &Person, password: &str) -> AppResult<bool> {
    let account = app.store().account_by_handle(&person.handle).await?;
    let stored = account
        .as_ref()
        .filter(|a| a.id == person.id)
        .and_then(|a| a.password_hash.as_deref());
    app.hasher().verify(password, stored).await
}
