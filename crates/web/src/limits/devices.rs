//! OWASP's device cookies: a browser that has logged in to an account
//! before (or set its password through a reset link) carries a
//! `kith_device` cookie that proves it, and gets an allowance of login
//! attempts of its own for that account. Guessers from anywhere else share
//! the account's other allowance, so they can lock out only browsers the
//! owner has never used.
//!
//! The cookie is `<nonce>.<HMAC-SHA256(key, account id, nonce)>`: it names
//! no account (the login form does) and kith stores nothing. The key is
//! drawn at start and kept in memory, like the counts it guards: a restart
//! forgets both, so no browser is locked out across one.

use hmac::{Hmac, Mac};
use kith_app::AccountId;
use kith_domain::ids::random_secret;
use sha2::Sha256;

/// The device cookie.
pub const DEVICE_COOKIE: &str = "kith_device";
/// How long a browser stays trusted: a year.
pub const DEVICE_MAX_AGE: i64 = 365 * 24 * 60 * 60;

/// Signs and checks device cookies.
pub struct DeviceKey {
    key: String,
}

impl DeviceKey {
    /// A fresh random key.
    pub fn random() -> Self {
        Self {
            key: random_secret(),
        }
    }

    fn mac(&self, account: AccountId, nonce: &str) -> Hmac<Sha256> {
        // A key of any length is accepted; this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(&account.0.to_be_bytes());
        mac.update(nonce.as_bytes());
        mac
    }

    /// A new cookie value that vouches for this browser and `account`.
    pub fn issue(&self, account: AccountId) -> String {
        let nonce = random_secret();
        let tag = self.mac(account, &nonce).finalize().into_bytes();
        let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        format!("{nonce}.{tag}")
    }

    /// The device's id when `value` is a cookie this key issued for
    /// `account`; compared in constant time.
    pub fn device(&self, value: &str, account: AccountId) -> Option<String> {
        let (nonce, tag) = value.split_once('.')?;
        if nonce.len() != 32 || tag.len() != 64 {
            return None;
        }
        let tag = (0..tag.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(tag.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        self.mac(account, nonce)
            .verify_slice(&tag)
            .ok()
            .map(|()| nonce.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_cookie_vouches_only_for_its_account_and_its_key() {
        let key = DeviceKey::random();
        let cookie = key.issue(AccountId(7));
        let nonce = key.device(&cookie, AccountId(7)).expect("trusted");
        assert!(cookie.starts_with(&nonce));
        assert_eq!(key.device(&cookie, AccountId(8)), None);
        assert_eq!(DeviceKey::random().device(&cookie, AccountId(7)), None);
        let mut forged = cookie.clone();
        forged.replace_range(40..41, if &cookie[40..41] == "0" { "1" } else { "0" });
        assert_eq!(key.device(&forged, AccountId(7)), None);
        assert_eq!(key.device("garbage", AccountId(7)), None);
        assert_eq!(key.device("é.é", AccountId(7)), None);
    }
}
