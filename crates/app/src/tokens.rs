//! Secret tokens: the links kith mails (verification, resets, invitations,
//! unsubscribing), session cookies, calendar links and the setup link. Each
//! is 128 random bits shown once; only its SHA-256 is stored, so a copy of
//! the database opens nothing.

use kith_domain::ids::random_secret;
use sha2::{Digest, Sha256};

/// A fresh token: 32 hex digits of randomness. Store only [`token_hash`].
pub fn new_token() -> String {
    random_secret()
}

/// The SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a string has the shape of kith's tokens (32 hex digits), so
/// nothing else reaches the database.
pub fn is_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
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

    #[test]
    fn a_new_token_has_the_shape_of_a_token() {
        assert!(is_token(&new_token()));
        assert!(!is_token("not a token"));
        assert_ne!(new_token(), new_token());
    }
}
