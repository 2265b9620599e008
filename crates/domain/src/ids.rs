//! Identifiers. Internal row ids never leave the server; public identifiers
//! (slugs, occurrence ids) are random so that they reveal nothing about order
//! or volume.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// The internal row id of an account; never shown to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// The internal row id of a group; never shown to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(pub i64);

/// The internal row id of a schedule rule; never shown to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub i64);

/// Declares a public, random, 128-bit id: lowercase hex that reveals
/// nothing about order or volume, parsed strictly so a malformed id never
/// reaches a query.
macro_rules! random_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh random id: 128 bits, lowercase hex.
            pub fn random() -> Self {
                Self(random_hex::<16>())
            }

            /// Accepts only the shape `random` produces.
            pub fn parse(raw: &str) -> Option<Self> {
                is_hex_128(raw).then(|| Self(raw.to_owned()))
            }

            /// Wraps an id read back from the store.
            pub fn from_trusted(raw: String) -> Self {
                Self(raw)
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

random_id!(
    /// The public, random id of one meeting occurrence (`/meetings/{id}`).
    OccurrenceId
);

random_id!(
    /// The public, random id of one schedule rule's series of meetings: its
    /// `UID` in calendars, which must not say which group it is.
    SeriesId
);

random_id!(
    /// The public, random id of one person's request to join one group
    /// (`/requests/{id}`); it names the private thread too.
    RequestId
);

random_id!(
    /// The public, random id of one invitation link, to revoke it by (not
    /// its token, which only the link holds).
    InvitationId
);

random_id!(
    /// The public, random id of one member's story (`/stories/{id}`).
    StoryId
);

random_id!(
    /// The public, random id of one comment: its permalink's anchor.
    CommentId
);

random_id!(
    /// The public, random id of one report (`/moderation/reports/{id}`,
    /// the author's appeal link).
    ReportId
);

random_id!(
    /// The public, random id of one journal check-in; it is bound into
    /// the entry's seal, so a row moved elsewhere no longer opens.
    CheckinId
);

random_id!(
    /// The public, random id of one medicine in a taper log.
    MedicineId
);

random_id!(
    /// The public, random id of one dose change in a taper log.
    DoseId
);

/// The public id of one of a person's sessions: the first 16 hex digits
/// of its token's SHA-256 — enough to name it, useless to open it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(String);

impl SessionId {
    const LEN: usize = 16;

    /// The id of the session whose token hashes to `token_hash` (hex).
    pub fn of_token_hash(token_hash: &str) -> Self {
        Self(token_hash.chars().take(Self::LEN).collect())
    }

    /// Accepts only the shape [`SessionId::of_token_hash`] makes.
    pub fn parse(raw: &str) -> Option<Self> {
        let hex =
            raw.len() == Self::LEN && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        hex.then(|| Self(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_hex_128(raw: &str) -> bool {
    raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A group's public identifier in URLs: readable words plus a random suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

/// The longest slug accepted in a URL.
pub const MAX_SLUG_LEN: usize = 80;

impl Slug {
    /// A new slug for a group name: its ASCII words and a random suffix.
    pub fn for_name(name: &str) -> Self {
        let mut base = crate::text::slug_words(name, 48);
        if base.is_empty() {
            base.push_str("group");
        }
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstvwxyz23456789";
        let mut rng = rand::rng();
        let suffix: String = (0..5)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self(format!("{base}-{suffix}"))
    }

    /// Accepts lowercase ASCII letters, digits and single hyphens; anything
    /// else cannot be a slug, so it is rejected before any query.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_SLUG_LEN
            && raw
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--");
        ok.then(|| Self(raw.to_owned()))
    }

    /// Wraps a slug read back from the store.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A fresh 128-bit secret (session tokens, CSRF tokens, setup links), as
/// lowercase hex.
pub fn random_secret() -> String {
    random_hex::<16>()
}

fn random_hex<const N: usize>() -> String {
    let bytes: [u8; N] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrence_ids_are_random_and_parse_back() {
        let a = OccurrenceId::random();
        let b = OccurrenceId::random();
        assert_ne!(a, b);
        assert_eq!(OccurrenceId::parse(a.as_str()), Some(a));
        assert_eq!(OccurrenceId::parse("../etc/passwd"), None);
        assert_eq!(
            OccurrenceId::parse("ABCDEF0123456789abcdef0123456789"),
            None
        );
    }

    #[test]
    fn a_session_id_is_its_token_hash_prefix_and_parses_strictly() {
        let hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let id = SessionId::of_token_hash(hash);
        assert_eq!(id.as_str(), "ba7816bf8f01cfea");
        assert_eq!(SessionId::parse("ba7816bf8f01cfea"), Some(id));
        for bad in [
            "ba7816bf8f01cfe",
            "ba7816bf8f01cfeaa",
            "BA7816BF8F01CFEA",
            "ba7816bf8f01cfe'",
        ] {
            assert_eq!(SessionId::parse(bad), None, "{bad}");
        }
        let invitation = InvitationId::random();
        assert_eq!(InvitationId::parse(invitation.as_str()), Some(invitation));
        assert_eq!(InvitationId::parse("not-an-id"), None);
    }

    #[test]
    fn slugs_carry_readable_words_and_a_random_suffix() {
        let slug = Slug::for_name("Tapering Together — Tuesday evenings");
        assert!(
            slug.as_str()
                .starts_with("tapering-together-tuesday-evenings-")
        );
        assert!(Slug::parse(slug.as_str()).is_some());
        assert_ne!(slug, Slug::for_name("Tapering Together — Tuesday evenings"));
    }

    #[test]
    fn slugs_from_names_without_ascii_words_still_work() {
        let slug = Slug::for_name("断薬の会");
        assert!(slug.as_str().starts_with("group-"), "{slug}");
    }

    #[test]
    fn malformed_slugs_are_rejected() {
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a/b", &"a".repeat(81)] {
            assert_eq!(Slug::parse(bad), None, "{bad}");
        }
    }
}
