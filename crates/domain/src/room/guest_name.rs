//! The name a facilitator types for someone without a device: shown to
//! everyone in the room, so it is held to the rules of a display name.

use unicode_normalization::UnicodeNormalization;

/// The longest guest name, in characters.
pub const GUEST_NAME_MAX: usize = 40;

/// Characters that change the direction of the text around them, which
/// could make a name read as something else ("roomhost" reversed).
fn changes_direction(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The name as shown — trimmed, in NFC — when it is 1–40 characters with
/// no control or direction-changing character; `None` otherwise.
pub fn guest_name(raw: &str) -> Option<String> {
    let name: String = raw.trim().nfc().collect();
    let length = name.chars().count();
    let clean = !name.chars().any(|c| c.is_control() || changes_direction(c));
    ((1..=GUEST_NAME_MAX).contains(&length) && clean).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_first_name_is_kept_trimmed_and_composed() {
        assert_eq!(guest_name("  Marta "), Some("Marta".to_owned()));
        assert_eq!(guest_name("Jose\u{301}"), Some("Jos\u{e9}".to_owned()));
        assert_eq!(guest_name("Ōtsuka 大塚"), Some("Ōtsuka 大塚".to_owned()));
        assert_eq!(guest_name(&"a".repeat(40)).map(|n| n.len()), Some(40));
    }

    #[test]
    fn empty_long_controlling_or_direction_changing_names_are_refused() {
        for bad in [
            "",
            "   ",
            "\u{202E}tsohmoor",
            "Ann\u{2066}a",
            "Ann\u{0}",
            "Ann\nBen",
            "tab\there",
            &"a".repeat(41),
            &"x".repeat(3_900),
        ] {
            assert_eq!(guest_name(bad), None, "{bad:?}");
        }
    }
}
