//! The journal's cryptography, as pure functions over RustCrypto: one
//! random data key per journal seals every entry (XChaCha20-Poly1305); the
//! key itself is stored only wrapped (sealed by another key) three ways —
//! by a key from Argon2id(password), by one from Argon2id(recovery code),
//! and per session by one from HKDF-SHA256(the session's raw token).
//!
//! Every seal carries associated data naming what it is and whose
//! (`kith-journal-key/v1/password/account:7`,
//! `kith-journal/v1/checkin/account:7/entry:…/day:…`), so a sealed value
//! moved to another row, account, purpose or day fails to open. Anything
//! that fails to open is [`CouldNotOpen`], never other bytes.
//!
//! Sealed bytes are the 24-byte random nonce followed by the ciphertext
//! and its 16-byte tag. Random nonces are safe at this size: XChaCha's
//! 192-bit nonce makes a repeat negligible for any number of entries.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use jiff::civil::Date;
use kith_domain::ids::{AccountId, CheckinId, DoseId, MedicineId};
use rand::RngCore;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const SALT_LEN: usize = 16;
/// HKDF's `info` for a session's wrapping key.
const SESSION_INFO: &[u8] = b"kith-journal-session/v1";

/// Something sealed did not open: a wrong key, a changed byte, or a value
/// moved from where it was sealed. Nothing of it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this could not be opened")]
pub struct CouldNotOpen;

/// Sealing failed (it cannot for the sizes kith seals; a typed error
/// rather than a panic all the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("could not seal")]
pub struct CouldNotSeal;

/// A journal's data key: 32 random bytes, wiped when dropped, never
/// printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; KEY_LEN]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut key = [0; KEY_LEN];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }
}

/// A key that wraps a data key, derived from a secret; wiped when dropped.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct WrappingKey([u8; KEY_LEN]);

impl std::fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrappingKey(…)")
    }
}

/// Argon2id's cost for deriving a wrapping key from a password or a
/// recovery code.
///
/// Production uses the password hash's own parameters (OWASP's 19 MiB,
/// two passes, one lane; see `passwords.rs`) on purpose: the hash sits
/// beside the wrap in the same database, so whoever holds the database
/// can guess the password against the cheaper of the two, and a dearer
/// derivation here would buy nothing. Raise both together. The parameters
/// are stored with each salt, so raising them keeps old wraps opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub passes: u32,
    /// Lanes.
    pub lanes: u32,
}

/// A derivation's parameters and random salt, stored beside its wrap as
/// `m=19456,t=2,p=1$<32 hex digits>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Salt {
    params: KdfParams,
    bytes: [u8; SALT_LEN],
}

impl std::fmt::Debug for Salt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Salt")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Salt {
    /// A fresh random salt for a derivation with `params`.
    pub fn generate(params: KdfParams) -> Self {
        let mut bytes = [0; SALT_LEN];
        rand::rng().fill_bytes(&mut bytes);
        Self { params, bytes }
    }

    /// The parameters it derives with.
    pub fn params(&self) -> KdfParams {
        self.params
    }

    /// As stored.
    pub fn to_stored(&self) -> String {
        let p = self.params;
        format!(
            "m={},t={},p={}${}",
            p.memory_kib,
            p.passes,
            p.lanes,
            hex(&self.bytes)
        )
    }

    /// A stored salt; one that does not read is as good as a wrong key.
    pub fn parse(stored: &str) -> Result<Self, CouldNotOpen> {
        let (params, salt) = stored.split_once('$').ok_or(CouldNotOpen)?;
        let mut values = [0_u32; 3];
        let mut parts = params.split(',');
        for (value, name) in values.iter_mut().zip(["m=", "t=", "p="]) {
            *value = parts
                .next()
                .and_then(|part| part.strip_prefix(name))
                .and_then(|n| n.parse().ok())
                .ok_or(CouldNotOpen)?;
        }
        let bytes: [u8; SALT_LEN] = unhex(salt)
            .and_then(|b| b.try_into().ok())
            .ok_or(CouldNotOpen)?;
        Ok(Self {
            params: KdfParams {
                memory_kib: values[0],
                passes: values[1],
                lanes: values[2],
            },
            bytes,
        })
    }
}

/// The wrapping key Argon2id derives from `secret` with `salt`. Blocking
/// and deliberately slow: run it off the async threads (the password
/// hasher's line does).
pub fn derive(secret: &[u8], salt: &Salt) -> Result<WrappingKey, CouldNotOpen> {
    let p = salt.params;
    let params = argon2::Params::new(p.memory_kib, p.passes, p.lanes, Some(KEY_LEN))
        .map_err(|_| CouldNotOpen)?;
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = [0; KEY_LEN];
    argon2
        .hash_password_into(secret, &salt.bytes, &mut key)
        .map_err(|_| CouldNotOpen)?;
    let derived = WrappingKey(key);
    key.zeroize();
    Ok(derived)
}

/// The wrapping key of a session: HKDF-SHA256 of its raw token. The
/// database keeps only the token's SHA-256, which does not give this.
pub fn session_key(token: &str) -> WrappingKey {
    let mut key = [0; KEY_LEN];
    // 32 bytes is far below HKDF-SHA256's limit of 8160: `expand` cannot
    // fail here.
    let _ = Hkdf::<Sha256>::new(None, token.as_bytes()).expand(SESSION_INFO, &mut key);
    let derived = WrappingKey(key);
    key.zeroize();
    derived
}

/// What a wrap is for; part of its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrapPurpose {
    /// Under the account's password.
    Password,
    /// Under the recovery code.
    Recovery,
    /// Under one session's token.
    Session,
}

impl WrapPurpose {
    fn code(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Recovery => "recovery",
            Self::Session => "session",
        }
    }
}

/// A wrap's associated data: its purpose and account.
fn wrap_aad(purpose: WrapPurpose, account: AccountId) -> String {
    format!(
        "kith-journal-key/v1/{}/account:{}",
        purpose.code(),
        account.0
    )
}

/// The data key sealed by `by`, for `purpose` on `account`.
pub fn wrap(
    key: &DataKey,
    by: &WrappingKey,
    purpose: WrapPurpose,
    account: AccountId,
) -> Result<Vec<u8>, CouldNotSeal> {
    seal_with(&by.0, &wrap_aad(purpose, account), &key.0)
}

/// The data key a wrap holds, if `by` opens it for `purpose` on `account`.
pub fn unwrap(
    wrapped: &[u8],
    by: &WrappingKey,
    purpose: WrapPurpose,
    account: AccountId,
) -> Result<DataKey, CouldNotOpen> {
    let opened = open_with(&by.0, &wrap_aad(purpose, account), wrapped)?;
    let key: [u8; KEY_LEN] = opened.as_slice().try_into().map_err(|_| CouldNotOpen)?;
    Ok(DataKey(key))
}

/// An entry a seal belongs to: what its associated data binds.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// A check-in, on its day.
    Checkin(&'a CheckinId, Date),
    /// A medicine.
    Medicine(&'a MedicineId),
    /// A dose change of a medicine, on its day.
    Dose(&'a DoseId, &'a MedicineId, Date),
}

/// An entry's associated data: kind, account and entry id, and what else
/// is kept in clear beside it (day, medicine), so that moving a sealed
/// value to another row, or changing the clear day, fails to open.
pub fn entry_aad(account: AccountId, entry: Entry<'_>) -> String {
    let a = account.0;
    match entry {
        Entry::Checkin(id, day) => {
            format!("kith-journal/v1/checkin/account:{a}/entry:{id}/day:{day}")
        }
        Entry::Medicine(id) => format!("kith-journal/v1/medicine/account:{a}/entry:{id}"),
        Entry::Dose(id, medicine, day) => {
            format!("kith-journal/v1/dose/account:{a}/entry:{id}/medicine:{medicine}/day:{day}")
        }
    }
}

/// `plaintext` sealed under the data key, bound to `aad`.
pub fn seal(key: &DataKey, aad: &str, plaintext: &[u8]) -> Result<Vec<u8>, CouldNotSeal> {
    seal_with(&key.0, aad, plaintext)
}

/// What `sealed` holds, if `key` opens it for `aad`; wiped when dropped.
pub fn open(key: &DataKey, aad: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CouldNotOpen> {
    open_with(&key.0, aad, sealed)
}

fn seal_with(key: &[u8; KEY_LEN], aad: &str, plaintext: &[u8]) -> Result<Vec<u8>, CouldNotSeal> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| CouldNotSeal)?;
    let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

fn open_with(
    key: &[u8; KEY_LEN],
    aad: &str,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CouldNotOpen> {
    if sealed.len() < NONCE_LEN {
        return Err(CouldNotOpen);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CouldNotOpen)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

mod recovery;

pub use recovery::{CodeError, RecoveryCode};

#[cfg(test)]
mod tests;
