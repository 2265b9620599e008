//! The words people read, from `messages/en.json`, so kith can be
//! translated without touching Rust code.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::civil::Weekday;

/// A message catalogue: keys to words.
#[derive(Debug)]
pub struct Messages {
    entries: HashMap<String, String>,
}

static ENGLISH: LazyLock<Messages> = LazyLock::new(|| Messages {
    // The file is part of the binary and checked by a test; an empty
    // catalogue would show keys instead of words, never crash.
    entries: serde_json::from_str(include_str!("../messages/en.json")).unwrap_or_default(),
});

/// The catalogue for the reader (English, for now).
pub fn messages() -> &'static Messages {
    &ENGLISH
}

impl Messages {
    /// The words for `key`, or the key itself when it is missing.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.entries.get(key).map_or(key, String::as_str)
    }

    /// The words for `prefix.code`.
    pub fn of(&self, prefix: &str, code: &str) -> &str {
        self.entries
            .get(&format!("{prefix}.{code}"))
            .map_or("", String::as_str)
    }

    /// The explanation of a field's error code. A field of a list item
    /// (`rules[0].start`) reads the list's words (`rules.start`).
    pub fn error<'a>(&'a self, field: &str, code: &'a str) -> &'a str {
        let mut general = String::with_capacity(field.len());
        let mut in_index = false;
        for c in field.chars() {
            match c {
                '[' => in_index = true,
                ']' => in_index = false,
                c if !in_index => general.push(c),
                _ => {}
            }
        }
        self.entries
            .get(&format!("error.{general}.{code}"))
            .or_else(|| self.entries.get(&format!("error.{code}")))
            .map_or(code, String::as_str)
    }

    /// A weekday's full name.
    pub fn weekday(&self, day: Weekday) -> &str {
        self.of("weekday", &day.to_sunday_zero_offset().to_string())
    }

    /// A weekday's short name.
    pub fn weekday_short(&self, day: Weekday) -> &str {
        self.of("weekday_short", &day.to_sunday_zero_offset().to_string())
    }

    /// A language's name for a BCP 47 tag: the tag's own entry, else its
    /// primary language's, else the tag itself.
    pub fn language<'a>(&'a self, tag: &'a str) -> &'a str {
        let primary = tag.split('-').next().unwrap_or(tag);
        self.entries
            .get(&format!("language.{tag}"))
            .or_else(|| self.entries.get(&format!("language.{primary}")))
            .map_or(tag, String::as_str)
    }

    /// A country's name for its code, else the code itself.
    pub fn country<'a>(&'a self, code: &'a str) -> &'a str {
        self.entries
            .get(&format!("country.{code}"))
            .map_or(code, String::as_str)
    }

    /// The codes the catalogue names under `prefix` (`country` gives `AU`,
    /// `DE`, …), in no particular order.
    pub fn codes(&self, prefix: &str) -> Vec<String> {
        let prefix = format!("{prefix}.");
        self.entries
            .keys()
            .filter_map(|key| key.strip_prefix(&prefix))
            .map(str::to_owned)
            .collect()
    }

    /// Whether `key` exists.
    pub fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use kith_domain::directory::TimeOfDay;
    use kith_domain::group::{Attribute, FacilitationStyle, Focus, Format};

    use super::*;

    /// A catalogue's keys in order, duplicates kept (a map would keep only
    /// the last, silently).
    struct Keys(Vec<String>);

    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object of messages")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((key, _)) = map.next_entry::<String, String>()? {
                        keys.push(key);
                    }
                    Ok(Keys(keys))
                }
            }
            deserializer.deserialize_map(Visitor)
        }
    }

    #[test]
    fn no_message_is_written_twice() {
        let Keys(keys) = serde_json::from_str(include_str!("../messages/en.json")).expect("json");
        let mut seen = std::collections::HashSet::new();
        let twice: Vec<&String> = keys.iter().filter(|key| !seen.insert(*key)).collect();
        assert!(
            twice.is_empty(),
            "written twice in messages/en.json: {twice:?}"
        );
        assert_eq!(keys.len(), messages().entries.len());
    }

    #[test]
    fn every_vocabulary_word_has_a_message() {
        let m = messages();
        let keys = Format::ALL
            .iter()
            .map(|f| format!("format.{}", f.code()))
            .chain(Focus::ALL.iter().map(|f| format!("focus.{}", f.code())))
            .chain(
                Attribute::ALL
                    .iter()
                    .map(|a| format!("attribute.{}", a.code())),
            )
            .chain(
                FacilitationStyle::ALL
                    .iter()
                    .map(|s| format!("style.{}", s.code())),
            )
            .chain(TimeOfDay::ALL.iter().map(|t| format!("time.{}", t.code())))
            .chain((0..7).flat_map(|d| [format!("weekday.{d}"), format!("weekday_short.{d}")]))
            .chain((1..=12).map(|n| format!("month_short.{n}")))
            .chain(
                ["now", "soon", "today", "tomorrow", "later"]
                    .iter()
                    .map(|w| format!("when.{w}")),
            );
        for key in keys {
            assert!(m.has(&key), "{key} is missing from messages/en.json");
        }
    }

    /// Every `*.rs` and template file under the web crate's `src/` and
    /// `templates/`.
    fn sources() -> Vec<(std::path::PathBuf, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut pending = vec![root.join("src"), root.join("templates")];
        let mut files = Vec::new();
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("a source directory") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    files.push((path, text));
                }
            }
        }
        files
    }

    /// The first argument of each `{call}"…"` in `text`, when it is a
    /// string literal.
    fn literal_arguments<'a>(text: &'a str, call: &str) -> Vec<&'a str> {
        text.match_indices(call)
            .filter_map(|(at, _)| {
                let rest = &text[at + call.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
            .collect()
    }

    #[test]
    fn every_message_a_page_or_handler_names_exists() {
        let m = messages();
        let prefixes: Vec<&str> = m.entries.keys().map(String::as_str).collect();
        let mut missing = Vec::new();
        let mut seen = 0;
        for (path, text) in sources() {
            for key in literal_arguments(&text, ".t(\"") {
                seen += 1;
                if !m.has(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
            // A looked-up family (`of` with a literal prefix): some key of
            // that family must exist.
            for prefix in literal_arguments(&text, ".of(\"") {
                seen += 1;
                let dotted = format!("{prefix}.");
                if !prefixes.iter().any(|k| k.starts_with(&dotted)) {
                    missing.push(format!("{}: {prefix}.*", path.display()));
                }
            }
        }
        assert!(
            seen > 400,
            "the scan found only {seen} uses: is it still reading the sources?"
        );
        assert!(
            missing.is_empty(),
            "missing from messages/en.json: {missing:#?}"
        );
    }

    #[test]
    fn languages_are_named_with_a_fallback_to_the_tag() {
        let m = messages();
        assert_eq!(m.language("pt-BR"), "Brazilian Portuguese");
        assert_eq!(m.language("de-AT"), "German");
        assert_eq!(m.language("xx"), "xx");
    }

    #[test]
    fn every_filter_error_has_words() {
        let m = messages();
        for field in [
            "format",
            "day",
            "time",
            "starts_within",
            "in_progress",
            "focus",
            "attribute",
            "language",
            "country",
            "page",
        ] {
            assert!(m.has(&format!("error.{field}.invalid_value")), "{field}");
        }
        assert!(m.has("error.tz.unknown_time_zone"));
        assert!(m.has("error.q.too_long"));
    }
}
