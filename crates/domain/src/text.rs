//! Text normalisation shared by every backend, so that free-text search
//! matches the same words on SQLite and PostgreSQL: lowercase, diacritics
//! removed, split on anything that is not a letter or digit, no stemming.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// The most search terms one query may carry.
pub const MAX_TERMS: usize = 8;

/// Splits text into normalised search tokens.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The text a group is indexed by: its tokens joined by single spaces.
pub fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .flat_map(tokens)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A place name as a case- and accent-insensitive key ("Zürich" = "zurich").
pub fn place_key(text: &str) -> String {
    tokens(text).join(" ")
}

/// Up to `max_len` bytes of ASCII words from `text`, joined by hyphens.
pub fn slug_words(text: &str, max_len: usize) -> String {
    let mut slug = String::new();
    for token in tokens(text) {
        let ascii: String = token.chars().filter(char::is_ascii_alphanumeric).collect();
        if ascii.is_empty() {
            continue;
        }
        if slug.len() + ascii.len() + 1 > max_len {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&ascii);
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercase_without_diacritics() {
        assert_eq!(
            tokens("Absetzen in Zürich — Café-Runde, 19:00!"),
            ["absetzen", "in", "zurich", "cafe", "runde", "19", "00"]
        );
    }

    #[test]
    fn search_text_joins_every_part() {
        assert_eq!(
            search_text(["Hearing Voices", "São Paulo"]),
            "hearing voices sao paulo"
        );
    }

    #[test]
    fn place_keys_ignore_case_and_accents() {
        assert_eq!(place_key("ZÜRICH"), place_key("zurich"));
        assert_eq!(place_key("  New   York "), "new york");
    }

    #[test]
    fn slug_words_stop_at_the_length_limit() {
        assert_eq!(slug_words("one two three", 8), "one-two");
    }
}
