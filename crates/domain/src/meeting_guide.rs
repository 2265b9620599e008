//! The Meeting Guide format's vocabulary (the public `code4recovery/spec`):
//! which of kith's attributes and languages have a type code there. Codes
//! are limited to those both the spec's `types.json` and its draft schema
//! know, so an exported feed validates.

use crate::group::Attribute;

/// The spec's type code for an attribute, where one exists (`captions` has
/// none).
pub fn attribute_code(attribute: Attribute) -> Option<&'static str> {
    Some(match attribute {
        Attribute::Open => "O",
        Attribute::MembersOnly => "C",
        Attribute::NewcomerFriendly => "BE",
        Attribute::Women => "W",
        Attribute::Men => "M",
        Attribute::Lgbtq => "LGBTQ",
        Attribute::Bipoc => "POC",
        Attribute::YoungPeople => "Y",
        Attribute::Wheelchair => "X",
        Attribute::CrossTalk => "XT",
        Attribute::Captions => return None,
    })
}

/// The attribute a type code stands for, if any.
pub fn attribute_for_code(code: &str) -> Option<Attribute> {
    Attribute::ALL
        .iter()
        .copied()
        .find(|a| attribute_code(*a) == Some(code))
}

/// Primary language subtags and their type codes.
const LANGUAGES: &[(&str, &str)] = &[
    ("am", "AM"),
    ("da", "DA"),
    ("de", "DE"),
    ("el", "EL"),
    ("en", "EN"),
    ("es", "S"),
    ("fa", "FA"),
    ("fr", "FR"),
    ("he", "HE"),
    ("hi", "HI"),
    ("hr", "HR"),
    ("hu", "HU"),
    ("it", "ITA"),
    ("ja", "JA"),
    ("ko", "KOR"),
    ("lt", "LT"),
    ("ml", "ML"),
    ("nb", "NO"),
    ("no", "NO"),
    ("pa", "PUN"),
    ("pl", "POL"),
    ("pt", "POR"),
    ("ru", "RUS"),
    ("sk", "SK"),
    ("sv", "SV"),
    ("th", "TH"),
    ("tl", "TL"),
    ("tr", "TUR"),
    ("uk", "UK"),
];

/// The spec's type code for a BCP 47 tag's language, where one exists.
pub fn language_code(tag: &str) -> Option<&'static str> {
    let primary = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(lang, _)| *lang == primary)
        .map(|(_, code)| *code)
}

/// The language a type code stands for, if any.
pub fn language_for_code(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(lang, _)| *lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_both_ways() {
        for attribute in Attribute::ALL {
            if let Some(code) = attribute_code(*attribute) {
                assert_eq!(attribute_for_code(code), Some(*attribute));
            }
        }
        assert_eq!(language_code("pt-BR"), Some("POR"));
        assert_eq!(language_code("es"), Some("S"));
        assert_eq!(language_for_code("S"), Some("es"));
        assert_eq!(language_code("xx"), None);
    }
}
