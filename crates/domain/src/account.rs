//! Accounts: handles (pseudonyms), emails and passwords, parsed at the edge
//! so nothing further in can hold an invalid one, and the roles a person may
//! have on the site.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

use crate::validation::FieldError;

/// The shortest handle.
pub const HANDLE_MIN: usize = 3;
/// The longest handle.
pub const HANDLE_MAX: usize = 30;
/// The shortest password, in characters (ASVS 2.1.1 asks at least 8; we ask 10).
pub const PASSWORD_MIN: usize = 10;
/// The longest password, in characters; never truncated below this.
pub const PASSWORD_MAX: usize = 1024;
/// The longest email address (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;

/// Handles nobody may take: they would let a person pose as the site.
const RESERVED_HANDLES: &[&str] = &[
    "admin",
    "administrator",
    "kith",
    "moderator",
    "mod",
    "root",
    "staff",
    "support",
    "system",
    "host",
];

/// The 10,000 most common passwords, lowercase (see `data/README.md`).
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .collect()
});

/// A person's public pseudonym: 3–30 ASCII letters, digits, `_`, `-` or `.`,
/// starting with a letter or digit. Unique regardless of case; shown as
/// typed. ASCII only, so no two handles look alike in another script.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle(String);

impl Handle {
    /// Parses a handle a person typed.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let handle = raw.trim();
        let refuse = |code| Err(FieldError::new("handle", code));
        if handle.is_empty() {
            return refuse("required");
        }
        if handle.len() < HANDLE_MIN {
            return refuse("too_short");
        }
        if handle.len() > HANDLE_MAX {
            return refuse("too_long");
        }
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        if !handle.bytes().all(allowed) || !handle.as_bytes()[0].is_ascii_alphanumeric() {
            return refuse("invalid_characters");
        }
        if RESERVED_HANDLES.contains(&handle.to_ascii_lowercase().as_str()) {
            return refuse("reserved");
        }
        Ok(Self(handle.to_owned()))
    }

    /// Wraps a handle read back from the store.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    /// The handle as the person typed it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes handles unique regardless of case.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, normalised: trimmed, Unicode NFC, lowercase. kith
/// only ever sends mail to it and compares it; it is never shown to another
/// person and never logged, so `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address a person typed. The check is deliberately loose
    /// (one `@`, a dotted domain, no spaces): the verification mail is the
    /// real test.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email: String = raw.trim().nfc().collect::<String>().to_lowercase();
        let refuse = |code| Err(FieldError::new("email", code));
        if email.is_empty() {
            return refuse("required");
        }
        if email.chars().count() > EMAIL_MAX {
            return refuse("too_long");
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return refuse("invalid_email");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        let no_space = !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if local.is_empty() || local.len() > 64 || !domain_ok || !no_space || local.contains('@') {
            return refuse("invalid_email");
        }
        Ok(Self(email))
    }

    /// Wraps an address read back from the store.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    /// The normalised address, for the store and the mail system only.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(…)")
    }
}

/// A new password that meets the rules: 10–1024 characters (Unicode
/// allowed, compared after NFC so the same password typed on another
/// keyboard matches), not one of the 10,000 most common, not the handle.
/// `Debug` hides it.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks a chosen password; `handle` and `email` are refused as
    /// passwords.
    pub fn parse(raw: &str, handle: Option<&str>, email: Option<&str>) -> Result<Self, FieldError> {
        let password = normalize_password(raw);
        let refuse = |code| Err(FieldError::new("password", code));
        let chars = password.chars().count();
        if chars == 0 {
            return refuse("required");
        }
        if chars < PASSWORD_MIN {
            return refuse("too_short");
        }
        if chars > PASSWORD_MAX {
            return refuse("too_long");
        }
        let lower = password.to_lowercase();
        if COMMON_PASSWORDS.contains(lower.as_str()) {
            return refuse("too_common");
        }
        let is_own = |own: Option<&str>| own.is_some_and(|o| o.trim().to_lowercase() == lower);
        if is_own(handle) || is_own(email) {
            return refuse("same_as_account");
        }
        Ok(Self(password))
    }

    /// The password, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// The form in which a password is hashed and compared: NFC, nothing
/// trimmed or truncated.
pub fn normalize_password(raw: &str) -> String {
    raw.nfc().collect()
}

/// What a person may do on the whole site, beyond their own groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Anyone with an account.
    Member,
    /// Writes the resource library's pages; moderates nothing.
    Editor,
    /// Reviews listings; sees the moderation queue.
    Moderator,
    /// A moderator who also reads the audit log and edits the safety text.
    Admin,
}

impl Role {
    /// The stable code stored and answered in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Editor => "editor",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Member, Self::Editor, Self::Moderator, Self::Admin]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// Whether this role reviews listings.
    pub fn moderates(self) -> bool {
        self >= Self::Moderator
    }

    /// Whether this role writes the resource library: editors, and admins,
    /// who may do all an editor does. Moderators as such do not.
    pub fn edits_resources(self) -> bool {
        matches!(self, Self::Editor | Self::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_ascii_and_unique_regardless_of_case() {
        let a = Handle::parse("  River_Stone ").expect("valid");
        assert_eq!(a.as_str(), "River_Stone");
        assert_eq!(a.key(), "river_stone");
        for (raw, code) in [
            ("ab", "too_short"),
            ("a".repeat(31).as_str(), "too_long"),
            ("rivеr", "invalid_characters"), // Cyrillic е
            ("_river", "invalid_characters"),
            ("a b c", "invalid_characters"),
            ("Admin", "reserved"),
            ("", "required"),
        ] {
            assert_eq!(
                Handle::parse(raw),
                Err(FieldError::new("handle", code)),
                "{raw}"
            );
        }
    }

    #[test]
    fn emails_are_normalised_and_loosely_checked() {
        let email = Email::parse("  Ada.Lovelace@Example.ORG ").expect("valid");
        assert_eq!(email.as_str(), "ada.lovelace@example.org");
        assert_eq!(format!("{email:?}"), "Email(…)");
        for raw in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@ex..org",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn passwords_follow_the_rules_and_are_never_truncated() {
        let refused = |raw: &str| {
            NewPassword::parse(raw, Some("river"), Some("river@example.org"))
                .err()
                .map(|e| e.code)
        };
        assert_eq!(refused("short"), Some("too_short"));
        assert_eq!(refused(&"x".repeat(1025)), Some("too_long"));
        assert_eq!(refused("Password123"), Some("too_common"));
        assert_eq!(refused("qwertyuiop"), Some("too_common"));
        assert_eq!(refused("River@Example.org"), Some("same_as_account"));
        assert_eq!(refused("a quiet river at dusk"), None);
        let long = "ключ ".repeat(200);
        let password = NewPassword::parse(&long, None, None).expect("1000 characters, Unicode");
        assert_eq!(password.expose().chars().count(), 1000);
        assert!(format!("{password:?}").contains('…'));
        // NFC: "é" typed as one or as two code points is the same password.
        assert_eq!(
            normalize_password("cafe\u{301}"),
            normalize_password("caf\u{e9}")
        );
    }

    #[test]
    fn a_password_may_not_be_the_handle() {
        let result = NewPassword::parse("RiverStone99", Some("riverstone99"), None);
        assert_eq!(result.err().map(|e| e.code), Some("same_as_account"));
    }

    #[test]
    fn the_shipped_list_holds_ten_thousand_passwords() {
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
        assert!(COMMON_PASSWORDS.contains("password"));
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Member, Role::Editor, Role::Moderator, Role::Admin] {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert!(Role::Admin.moderates() && !Role::Member.moderates());
        assert!(!Role::Editor.moderates(), "an editor reviews no listings");
        assert!(Role::Editor.edits_resources() && Role::Admin.edits_resources());
        assert!(!Role::Moderator.edits_resources() && !Role::Member.edits_resources());
    }
}
