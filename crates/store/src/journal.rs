//! The private journal and taper log, as the store sees it: wrapped keys
//! and sealed bytes it cannot open. The app seals every word and number
//! before it comes here; the store keeps the days (in clear, for order),
//! the times and which rows belong together. [`JournalStore`] and its one
//! implementation for both backends (`imp`).
//!
//! Every entry query names the account as well as the entry's public id,
//! so another person's id answers exactly as none.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kith_domain::ids::{CheckinId, DoseId, MedicineId};

use crate::StoreResult;
use crate::model::AccountId;

/// A data key wrapped by a key derived from a secret: the derivation's
/// parameters and salt (`m=…,t=…,p=…$<hex>`) and the sealed key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyWrap {
    /// How the wrapping key is derived, with its salt.
    pub salt: String,
    /// The sealed data key (nonce and ciphertext).
    pub wrapped: Vec<u8>,
}

impl std::fmt::Debug for KeyWrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyWrap(…)")
    }
}

/// A new journal's wraps, and its creator's session's.
#[derive(Debug, Clone, Copy)]
pub struct NewJournal<'a> {
    /// Whose.
    pub account: AccountId,
    /// Wrapped under the account's password.
    pub password: &'a KeyWrap,
    /// Wrapped under the recovery code.
    pub recovery: &'a KeyWrap,
    /// The session it is created in: its token's hash and the key wrapped
    /// for it.
    pub session: Option<(&'a str, &'a [u8])>,
}

/// A journal's stored keys and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalKeys {
    /// Wrapped under the account's password; `None` after a reset by mail,
    /// until the recovery code opens it again.
    pub password: Option<KeyWrap>,
    /// Wrapped under the recovery code.
    pub recovery: KeyWrap,
    /// When it was made.
    pub created_at: Timestamp,
    /// When its owner said they saved the recovery code.
    pub recovery_confirmed_at: Option<Timestamp>,
}

/// A check-in as stored: its day and sealed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedCheckin {
    /// Its public id.
    pub id: CheckinId,
    /// The day it is about.
    pub day: Date,
    /// Its sealed content.
    pub sealed: Vec<u8>,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A medicine as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedMedicine {
    /// Its public id.
    pub id: MedicineId,
    /// Its sealed name.
    pub sealed: Vec<u8>,
    /// When it was added.
    pub created_at: Timestamp,
}

/// A dose change as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedDose {
    /// Its public id.
    pub id: DoseId,
    /// The medicine it is a dose of.
    pub medicine: MedicineId,
    /// The day it began.
    pub day: Date,
    /// Its sealed amount, unit and note.
    pub sealed: Vec<u8>,
    /// When it was written.
    pub created_at: Timestamp,
}

/// A whole journal's entries, for an import into an empty one.
#[derive(Debug, Clone, Default)]
pub struct JournalEntries {
    /// The check-ins.
    pub checkins: Vec<SealedCheckin>,
    /// The medicines.
    pub medicines: Vec<SealedMedicine>,
    /// The doses, each naming one of `medicines`.
    pub doses: Vec<SealedDose>,
}

/// Why an import was refused: the journal has entries already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotEmpty;

/// The journal's keys and sealed entries.
#[async_trait]
pub trait JournalStore {
    /// Creates an account's journal with its wraps (and its creator's
    /// session's), in one transaction; `Conflict` when it has one.
    async fn create_journal(&self, journal: &NewJournal<'_>, now: Timestamp) -> StoreResult<()>;

    /// The account's journal's keys, if it has a journal.
    async fn journal_keys(&self, account: AccountId) -> StoreResult<Option<JournalKeys>>;

    /// Notes that the owner saved their recovery code (the first time
    /// counts); `NotFound` without a journal.
    async fn confirm_recovery_saved(&self, account: AccountId, now: Timestamp) -> StoreResult<()>;

    /// Replaces the password wrap; `NotFound` without a journal.
    async fn set_password_wrap(&self, account: AccountId, wrap: &KeyWrap) -> StoreResult<()>;

    /// Keeps the data key wrapped for one of the account's live sessions
    /// (replacing an earlier one); `NotFound` when the session is not the
    /// account's or there is no journal.
    async fn put_session_key(
        &self,
        account: AccountId,
        session_token_hash: &str,
        wrapped: &[u8],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Replaces the recovery wrap (a new code) and forgets that the old
    /// one was saved, so the owner is asked about the new one; `NotFound`
    /// without a journal.
    async fn set_recovery_wrap(&self, account: AccountId, wrap: &KeyWrap) -> StoreResult<()>;

    /// After the recovery code opened the journal: replaces the recovery
    /// wrap (a used code is spent: the key is wrapped under a new one, as
    /// [`JournalStore::set_recovery_wrap`]), keeps the key for the session
    /// and, with `password`, replaces the password wrap, all in one
    /// transaction; `NotFound` as [`JournalStore::put_session_key`].
    async fn reopen_journal(
        &self,
        account: AccountId,
        recovery: &KeyWrap,
        password: Option<&KeyWrap>,
        session_token_hash: &str,
        wrapped: &[u8],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The data key as wrapped for this session of the account, if it was.
    async fn session_key(
        &self,
        account: AccountId,
        session_token_hash: &str,
    ) -> StoreResult<Option<Vec<u8>>>;

    /// Forgets the session's wrapped key: the journal is locked there.
    async fn drop_session_key(
        &self,
        account: AccountId,
        session_token_hash: &str,
    ) -> StoreResult<()>;

    /// Deletes the journal with all its entries and session keys;
    /// `NotFound` without one.
    async fn delete_journal(&self, account: AccountId) -> StoreResult<()>;

    /// Adds a check-in.
    async fn add_checkin(
        &self,
        account: AccountId,
        id: &CheckinId,
        day: Date,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Replaces a check-in's day and content; `NotFound` unless it is the
    /// account's.
    async fn update_checkin(
        &self,
        account: AccountId,
        id: &CheckinId,
        day: Date,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Deletes a check-in; `NotFound` unless it is the account's.
    async fn delete_checkin(&self, account: AccountId, id: &CheckinId) -> StoreResult<()>;

    /// One of the account's check-ins.
    async fn checkin(&self, account: AccountId, id: &CheckinId) -> StoreResult<SealedCheckin>;

    /// The account's check-ins from `from` to `to` (both included, either
    /// open), newest day first, then newest written.
    async fn checkins(
        &self,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
    ) -> StoreResult<Vec<SealedCheckin>>;

    /// Adds a medicine.
    async fn add_medicine(
        &self,
        account: AccountId,
        id: &MedicineId,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Replaces a medicine's sealed name; `NotFound` unless it is the
    /// account's.
    async fn rename_medicine(
        &self,
        account: AccountId,
        id: &MedicineId,
        sealed: &[u8],
    ) -> StoreResult<()>;

    /// Deletes a medicine with its doses; `NotFound` unless it is the
    /// account's.
    async fn delete_medicine(&self, account: AccountId, id: &MedicineId) -> StoreResult<()>;

    /// One of the account's medicines.
    async fn medicine(&self, account: AccountId, id: &MedicineId) -> StoreResult<SealedMedicine>;

    /// The account's medicines, in the order they were added.
    async fn medicines(&self, account: AccountId) -> StoreResult<Vec<SealedMedicine>>;

    /// Adds a dose change to one of the account's medicines; `NotFound`
    /// unless the medicine is the account's.
    async fn add_dose(
        &self,
        account: AccountId,
        medicine: &MedicineId,
        id: &DoseId,
        day: Date,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Replaces a dose change's day and content; `NotFound` unless it is
    /// the account's.
    async fn update_dose(
        &self,
        account: AccountId,
        id: &DoseId,
        day: Date,
        sealed: &[u8],
    ) -> StoreResult<()>;

    /// Deletes a dose change; `NotFound` unless it is the account's.
    async fn delete_dose(&self, account: AccountId, id: &DoseId) -> StoreResult<()>;

    /// One of the account's dose changes.
    async fn dose(&self, account: AccountId, id: &DoseId) -> StoreResult<SealedDose>;

    /// The dose changes of one of the account's medicines, oldest day
    /// first (then in the order written); `NotFound` unless the medicine
    /// is the account's.
    async fn doses(
        &self,
        account: AccountId,
        medicine: &MedicineId,
    ) -> StoreResult<Vec<SealedDose>>;

    /// Every dose change of the account, by medicine (in the order added),
    /// then as [`JournalStore::doses`].
    async fn all_doses(&self, account: AccountId) -> StoreResult<Vec<SealedDose>>;

    /// Writes a whole journal's entries into the account's journal in one
    /// transaction, if it has none yet; `Ok(Err(NotEmpty))`, and nothing
    /// written, if it has.
    async fn import_journal(
        &self,
        account: AccountId,
        entries: &JournalEntries,
    ) -> StoreResult<Result<(), NotEmpty>>;
}

pub(crate) const INSERT_JOURNAL: &str = "INSERT INTO journals
    (account_id, password_salt, password_wrapped, recovery_salt, recovery_wrapped, created_at)
VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const KEYS: &str = "SELECT password_salt, password_wrapped, recovery_salt,
    recovery_wrapped, created_at, recovery_confirmed_at
FROM journals WHERE account_id = $1";
pub(crate) const CONFIRM_RECOVERY: &str = "UPDATE journals
SET recovery_confirmed_at = COALESCE(recovery_confirmed_at, $2) WHERE account_id = $1";
pub(crate) const SET_PASSWORD_WRAP: &str =
    "UPDATE journals SET password_salt = $2, password_wrapped = $3 WHERE account_id = $1";
/// A new code is not yet saved, whatever was said of the old one.
pub(crate) const SET_RECOVERY_WRAP: &str = "UPDATE journals
SET recovery_salt = $2, recovery_wrapped = $3, recovery_confirmed_at = NULL
WHERE account_id = $1";
/// A reset by mail sets a password the old wrap does not answer to.
pub(crate) const CLEAR_PASSWORD_WRAP: &str =
    "UPDATE journals SET password_salt = NULL, password_wrapped = NULL WHERE account_id = $1";
/// Only for a session of the account, and only with a journal.
pub(crate) const PUT_SESSION_KEY: &str = "INSERT INTO journal_session_keys
    (session_token_hash, account_id, wrapped, created_at)
SELECT s.token_hash, j.account_id, $3, $4
FROM sessions s JOIN journals j ON j.account_id = s.account_id
WHERE s.token_hash = $1 AND s.account_id = $2
ON CONFLICT (session_token_hash) DO UPDATE SET wrapped = excluded.wrapped";
pub(crate) const SESSION_KEY: &str = "SELECT wrapped FROM journal_session_keys
WHERE session_token_hash = $1 AND account_id = $2";
pub(crate) const DROP_SESSION_KEY: &str =
    "DELETE FROM journal_session_keys WHERE session_token_hash = $1 AND account_id = $2";
pub(crate) const DELETE_JOURNAL: &str = "DELETE FROM journals WHERE account_id = $1";

pub(crate) const INSERT_CHECKIN: &str = "INSERT INTO journal_checkins
    (public_id, account_id, day, sealed, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)";
pub(crate) const UPDATE_CHECKIN: &str = "UPDATE journal_checkins
SET day = $3, sealed = $4, updated_at = $5 WHERE public_id = $1 AND account_id = $2";
pub(crate) const DELETE_CHECKIN: &str =
    "DELETE FROM journal_checkins WHERE public_id = $1 AND account_id = $2";
pub(crate) const CHECKIN: &str = "SELECT public_id, day, sealed, created_at, updated_at
FROM journal_checkins WHERE public_id = $1 AND account_id = $2";
pub(crate) const CHECKINS: &str = "SELECT public_id, day, sealed, created_at, updated_at
FROM journal_checkins WHERE account_id = $1 AND day >= $2 AND day <= $3
ORDER BY day DESC, created_at DESC, id DESC";

pub(crate) const INSERT_MEDICINE: &str = "INSERT INTO journal_medicines
    (public_id, account_id, sealed, created_at) VALUES ($1, $2, $3, $4)";
pub(crate) const RENAME_MEDICINE: &str =
    "UPDATE journal_medicines SET sealed = $3 WHERE public_id = $1 AND account_id = $2";
pub(crate) const DELETE_MEDICINE: &str =
    "DELETE FROM journal_medicines WHERE public_id = $1 AND account_id = $2";
pub(crate) const MEDICINE: &str = "SELECT public_id, sealed, created_at
FROM journal_medicines WHERE public_id = $1 AND account_id = $2";
pub(crate) const MEDICINES: &str = "SELECT public_id, sealed, created_at
FROM journal_medicines WHERE account_id = $1 ORDER BY created_at, id";

/// Only onto a medicine of the same account.
pub(crate) const INSERT_DOSE: &str = "INSERT INTO journal_doses
    (public_id, account_id, medicine_id, day, sealed, created_at)
SELECT $1, m.account_id, m.id, $4, $5, $6
FROM journal_medicines m WHERE m.public_id = $3 AND m.account_id = $2";
pub(crate) const UPDATE_DOSE: &str =
    "UPDATE journal_doses SET day = $3, sealed = $4 WHERE public_id = $1 AND account_id = $2";
pub(crate) const DELETE_DOSE: &str =
    "DELETE FROM journal_doses WHERE public_id = $1 AND account_id = $2";
pub(crate) const DOSE_COLUMNS: &str =
    "SELECT d.public_id, m.public_id AS medicine, d.day, d.sealed, d.created_at
FROM journal_doses d JOIN journal_medicines m ON m.id = d.medicine_id";
pub(crate) const DOSE_WHERE_ONE: &str = " WHERE d.public_id = $1 AND d.account_id = $2";
pub(crate) const DOSE_WHERE_MEDICINE: &str = " WHERE m.public_id = $1 AND d.account_id = $2
ORDER BY d.day, d.created_at, d.id";
pub(crate) const DOSE_WHERE_ACCOUNT: &str = " WHERE d.account_id = $1
ORDER BY m.created_at, m.id, d.day, d.created_at, d.id";
pub(crate) const ENTRY_COUNT: &str = "SELECT
    (SELECT COUNT(*) FROM journal_checkins WHERE account_id = $1)
  + (SELECT COUNT(*) FROM journal_medicines WHERE account_id = $1)";

mod imp;
