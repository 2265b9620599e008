//! The mailing list's signup rules: the address (an [`Email`]), an
//! optional first name, the interests chosen among those offered ("check
//! all that apply"), and how a consent was given. Plain functions, so the
//! HTML form, the API and an import read input the same way.

use std::fmt;

use crate::account::Email;
use crate::validation::{FieldError, Refusals};

/// The longest first name kept, in characters.
pub const FIRST_NAME_MAX: usize = 100;

/// The most interests one signup may name (far more than are offered):
/// a longer list is refused before it is read.
pub const INTERESTS_MAX: usize = 64;

/// The address a signup gives, refused as the field `email`: `required`,
/// `too_long` or `invalid_email`.
pub fn parse_address(raw: &str) -> Result<Email, FieldError> {
    Email::parse(raw)
}

/// A first name, optional: trimmed, empty becomes `None`, at most
/// [`FIRST_NAME_MAX`] characters and no control characters (refused as
/// the field `first_name`: `too_long`, `invalid_characters`).
pub fn parse_first_name(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let name = raw.unwrap_or("").trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > FIRST_NAME_MAX {
        return Err(FieldError::new("first_name", "too_long"));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new("first_name", "invalid_characters"));
    }
    Ok(Some(name.to_owned()))
}

/// An interest code that is not among those offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownInterest {
    /// The code as given (trimmed, at most 64 characters of it).
    pub code: String,
}

impl UnknownInterest {
    /// The refusal as a form field: `interests`, `unknown_interest`.
    pub fn field_error(&self) -> FieldError {
        FieldError::new("interests", "unknown_interest")
    }
}

impl fmt::Display for UnknownInterest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown interest {:?}", self.code)
    }
}

/// The interests chosen, as codes among `offered`: each once, in the
/// order given; the first code not offered is refused by name. Too many
/// codes are refused as the first one past [`INTERESTS_MAX`].
pub fn parse_interests<S: AsRef<str>>(
    chosen: &[S],
    offered: &[&str],
) -> Result<Vec<String>, UnknownInterest> {
    let mut codes: Vec<String> = Vec::new();
    for (i, raw) in chosen.iter().enumerate() {
        let code = raw.as_ref().trim();
        if i >= INTERESTS_MAX || !offered.contains(&code) {
            return Err(UnknownInterest {
                code: code.chars().take(64).collect(),
            });
        }
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_owned());
        }
    }
    Ok(codes)
}

/// How a consent to receive letters was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentSource {
    /// A signup form, confirmed by mail.
    Form,
    /// A member, from their verified account address.
    Account,
    /// An operator's import, confirmed by mail.
    Import,
    /// An operator's import whose consent the operator attested.
    ImportAttested,
}

impl ConsentSource {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Account => "account",
            Self::Import => "import",
            Self::ImportAttested => "import_attested",
        }
    }

    /// The source a stored code names.
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "form" => Self::Form,
            "account" => Self::Account,
            "import" => Self::Import,
            "import_attested" => Self::ImportAttested,
            _ => return None,
        })
    }
}

/// A signup read whole: every field checked, every refusal at once.
#[derive(Clone, PartialEq, Eq)]
pub struct Signup {
    /// The address.
    pub email: Email,
    /// The first name, if given.
    pub first_name: Option<String>,
    /// The interest codes chosen.
    pub interests: Vec<String>,
}

impl fmt::Debug for Signup {
    // The address and name never reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signup")
            .field("interests", &self.interests)
            .finish_non_exhaustive()
    }
}

/// Why a signup was refused: its fields' refusals, and the unknown
/// interest by name if one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupRefusal {
    /// Every field refused (`email`, `first_name`, `interests`).
    pub fields: Vec<FieldError>,
    /// The interest code not offered, if that was one of the refusals.
    pub unknown_interest: Option<UnknownInterest>,
}

/// Reads a signup: the address, first name and interests among `offered`.
pub fn parse_signup<S: AsRef<str>>(
    email: &str,
    first_name: Option<&str>,
    interests: &[S],
    offered: &[&str],
) -> Result<Signup, SignupRefusal> {
    let mut refusals = Refusals::default();
    let email = refusals.check(parse_address(email));
    let first_name = refusals.check(parse_first_name(first_name));
    let mut unknown_interest = None;
    let interests = match parse_interests(interests, offered) {
        Ok(codes) => Some(codes),
        Err(unknown) => {
            refusals.push("interests", unknown.field_error().code);
            unknown_interest = Some(unknown);
            None
        }
    };
    match (email, first_name, interests) {
        (Some(email), Some(first_name), Some(interests)) if refusals.is_empty() => Ok(Signup {
            email,
            first_name,
            interests,
        }),
        _ => Err(SignupRefusal {
            fields: refusals.finish(|| ()).err().unwrap_or_default(),
            unknown_interest,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERED: &[&str] = &["coming-off", "events", "hearing-voices"];

    #[test]
    fn an_address_is_required_and_must_look_like_one() {
        assert_eq!(parse_address("").expect_err("refused").code, "required");
        assert_eq!(
            parse_address("nobody").expect_err("refused").code,
            "invalid_email"
        );
        assert_eq!(
            parse_address("a b@x.org").expect_err("refused").code,
            "invalid_email"
        );
        let long = format!("{}@example.org", "a".repeat(300));
        assert_eq!(parse_address(&long).expect_err("refused").code, "too_long");
        assert_eq!(
            parse_address("  Ada@Example.ORG ").expect("read").as_str(),
            "ada@example.org"
        );
    }

    #[test]
    fn a_first_name_is_optional_trimmed_and_bounded() {
        assert_eq!(parse_first_name(None).expect("read"), None);
        assert_eq!(parse_first_name(Some("   ")).expect("read"), None);
        assert_eq!(
            parse_first_name(Some("  Ada ")).expect("read").as_deref(),
            Some("Ada")
        );
        let hundred = "é".repeat(FIRST_NAME_MAX);
        assert_eq!(
            parse_first_name(Some(&hundred)).expect("read"),
            Some(hundred.clone())
        );
        let long = "é".repeat(FIRST_NAME_MAX + 1);
        assert_eq!(
            parse_first_name(Some(&long)).expect_err("refused").code,
            "too_long"
        );
        assert_eq!(
            parse_first_name(Some("Ada\u{7}"))
                .expect_err("refused")
                .code,
            "invalid_characters"
        );
        assert_eq!(
            parse_first_name(Some("A\nda")).expect_err("refused").code,
            "invalid_characters"
        );
    }

    #[test]
    fn interests_must_be_offered_and_the_unknown_one_is_named() {
        assert_eq!(
            parse_interests(&["events", "coming-off", "events"], OFFERED).expect("read"),
            vec!["events".to_owned(), "coming-off".to_owned()]
        );
        assert!(
            parse_interests::<&str>(&[], OFFERED)
                .expect("read")
                .is_empty()
        );
        let refused = parse_interests(&["events", "astrology"], OFFERED).expect_err("refused");
        assert_eq!(refused.code, "astrology");
        assert_eq!(refused.field_error().code, "unknown_interest");
        assert!(refused.to_string().contains("astrology"));
    }

    #[test]
    fn too_many_interests_are_refused() {
        let many = vec!["events"; INTERESTS_MAX + 1];
        assert!(parse_interests(&many, OFFERED).is_err());
        let enough = vec!["events"; INTERESTS_MAX];
        assert_eq!(parse_interests(&enough, OFFERED).expect("read").len(), 1);
    }

    #[test]
    fn consent_sources_read_back_as_written() {
        for source in [
            ConsentSource::Form,
            ConsentSource::Account,
            ConsentSource::Import,
            ConsentSource::ImportAttested,
        ] {
            assert_eq!(ConsentSource::parse(source.code()), Some(source));
        }
        assert_eq!(ConsentSource::parse("bought"), None);
    }

    #[test]
    fn a_signup_reports_every_refusal_at_once() {
        let refused =
            parse_signup("nope", Some("A\u{0}"), &["astrology"], OFFERED).expect_err("refused");
        let fields: Vec<_> = refused.fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["email", "first_name", "interests"]);
        assert_eq!(refused.unknown_interest.expect("read").code, "astrology");
        let ok = parse_signup("ada@example.org", None, &["events"], OFFERED).expect("read");
        assert_eq!(ok.interests, ["events"]);
        assert!(!format!("{ok:?}").contains("example.org"));
    }
}
