//! A journal's recovery code: the one secret besides the password that
//! opens the journal, shown once.

use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Crockford's base32 alphabet: no I, L, O or U to misread.
pub(super) const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_RANDOM: usize = 16;
const CODE_CHECK: usize = 4;
const CODE_CHARS: usize = 32;

/// A journal's recovery code: 128 random bits and a 32-bit check, shown
/// once as 8 groups of 4 Crockford base32 characters (`7KQ2-…`). The check
/// catches a mistyped code before any slow work; only the random part
/// derives the wrapping key. Wiped when dropped, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryCode {
    random: [u8; CODE_RANDOM],
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

/// Why a typed recovery code was refused before trying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Not 32 characters of the alphabet (spaces and dashes aside).
    Malformed,
    /// The right shape, but its check does not match: a typo.
    Mistyped,
}

impl RecoveryCode {
    /// A fresh random code.
    pub fn generate() -> Self {
        let mut random = [0; CODE_RANDOM];
        rand::rng().fill_bytes(&mut random);
        Self { random }
    }

    /// The code as a person types it: case, spaces and dashes do not
    /// matter, and `I`/`L` read as `1`, `O` as `0`.
    pub fn parse(typed: &str) -> Result<Self, CodeError> {
        let mut bits: u64 = 0;
        let mut held = 0;
        let mut bytes = Zeroizing::new(Vec::with_capacity(CODE_RANDOM + CODE_CHECK));
        let mut chars = 0;
        for c in typed.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                other => other,
            };
            let value = CROCKFORD
                .iter()
                .position(|&a| char::from(a) == c)
                .ok_or(CodeError::Malformed)?;
            chars += 1;
            if chars > CODE_CHARS {
                return Err(CodeError::Malformed);
            }
            bits = (bits << 5) | value as u64;
            held += 5;
            if held >= 8 {
                held -= 8;
                bytes.push((bits >> held) as u8);
            }
        }
        bits.zeroize();
        if chars != CODE_CHARS {
            return Err(CodeError::Malformed);
        }
        let (random, check) = bytes.split_at(CODE_RANDOM);
        let random: [u8; CODE_RANDOM] = random.try_into().map_err(|_| CodeError::Malformed)?;
        let code = Self { random };
        if code.check() != check {
            return Err(CodeError::Mistyped);
        }
        Ok(code)
    }

    fn check(&self) -> [u8; CODE_CHECK] {
        let digest = Sha256::new()
            .chain_update(b"kith-recovery-code/v1")
            .chain_update(self.random)
            .finalize();
        let mut check = [0; CODE_CHECK];
        check.copy_from_slice(&digest[..CODE_CHECK]);
        check
    }

    /// The code to show once: `XXXX-XXXX-…`, 8 groups of 4.
    pub fn expose(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new(self.random.to_vec());
        bytes.extend_from_slice(&self.check());
        let mut out = Zeroizing::new(String::with_capacity(CODE_CHARS + 7));
        let mut bits: u64 = 0;
        let mut held = 0;
        let mut written = 0;
        for &byte in bytes.iter() {
            bits = (bits << 8) | u64::from(byte);
            held += 8;
            while held >= 5 {
                held -= 5;
                if written > 0 && written % 4 == 0 {
                    out.push('-');
                }
                out.push(char::from(CROCKFORD[((bits >> held) & 31) as usize]));
                written += 1;
            }
        }
        bits.zeroize();
        out
    }

    /// The secret the recovery wrap's key is derived from.
    pub fn secret(&self) -> &[u8] {
        &self.random
    }
}
