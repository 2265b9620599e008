//! Passwords: Argon2id hashing and checking, behind a gate (`gate`) so
//! that a burst of logins waits in a bounded line instead of piling up
//! behind the cores. Verification reads the parameters from the stored
//! hash, so raising them later keeps old passwords working. The journal's
//! wrapping keys are derived from passwords and recovery codes through
//! the same line, at the same cost ([`crate::journal::keys::KdfParams`]).

mod gate;

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use kith_domain::account::{NewPassword, normalize_password};

use crate::journal::keys::{self, CouldNotOpen, KdfParams, Salt, WrappingKey};
use crate::{AppError, AppResult};

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
    /// What new journal wrapping keys are derived with: the hash's own
    /// cost.
    key_params: KdfParams,
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
            key_params: KdfParams {
                memory_kib,
                passes,
                lanes,
            },
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

impl PasswordHasher {
    /// A fresh salt for deriving a journal's wrapping key at this hasher's
    /// cost.
    pub fn new_key_salt(&self) -> Salt {
        Salt::generate(self.key_params)
    }

    /// The wrapping key derived from `secret` (a password or a recovery
    /// code's secret) with `salt` and the parameters stored in it, off the
    /// async threads and through the same line as hashing; `Busy` when the
    /// line is full, `Ok(Err(CouldNotOpen))` when the salt does not read
    /// as one.
    pub async fn derive_key(
        &self,
        secret: zeroize::Zeroizing<Vec<u8>>,
        salt: Salt,
    ) -> AppResult<Result<WrappingKey, CouldNotOpen>> {
        let _place = self.enter().await?;
        tokio::task::spawn_blocking(move || keys::derive(&secret, &salt))
            .await
            .map_err(|e| AppError::internal(format!("key derivation task failed: {e}")))
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

#[cfg(test)]
mod tests {
    use super::*;

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
    async fn journal_keys_derive_at_the_password_hashs_own_cost() {
        let hasher = PasswordHasher::production();
        let salt = hasher.new_key_salt();
        assert!(salt.to_stored().starts_with("m=19456,t=2,p=1$"));
        let secret = || zeroize::Zeroizing::new(b"a long and unusual passphrase".to_vec());
        let key = keys::DataKey::generate();
        let account = kith_domain::ids::AccountId(1);
        let by = hasher
            .derive_key(secret(), salt.clone())
            .await
            .expect("a place")
            .expect("derives");
        let wrapped = keys::wrap(&key, &by, keys::WrapPurpose::Password, account).expect("wrap");
        // A cheaper hasher still opens it: the cost is read from the salt.
        let fast = PasswordHasher::insecure_fast_for_tests();
        let again = fast
            .derive_key(secret(), salt)
            .await
            .expect("a place")
            .expect("derives");
        assert!(keys::unwrap(&wrapped, &again, keys::WrapPurpose::Password, account).is_ok());
        assert!(fast.new_key_salt().to_stored().starts_with("m=8,t=1,p=1$"));
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
        assert!(matches!(
            hasher
                .derive_key(zeroize::Zeroizing::new(vec![1]), hasher.new_key_salt())
                .await,
            Err(AppError::Busy(1))
        ));
        drop(place);
        assert!(hasher.hash(&password).await.is_ok());
    }
}
