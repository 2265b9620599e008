//! Checks of single fields of a submitted group.

use jiff::civil::Date;
use serde::{Deserialize, Deserializer};

use super::limits;
use crate::directory::{is_country_code, is_language_tag, normalize_language};
use crate::validation::{FieldError, optional_text};

/// Codes of a vocabulary, each once; `required` when empty and required.
pub(super) fn codes<T: PartialEq>(
    field: &'static str,
    raw: &[String],
    parse: impl Fn(&str) -> Option<T>,
    required: bool,
) -> Result<Vec<T>, FieldError> {
    let mut out = Vec::new();
    for code in raw.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let value = parse(code).ok_or(FieldError::new(field, "invalid_value"))?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    if required && out.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    Ok(out)
}

/// One value of a closed vocabulary: `required` when empty.
pub(super) fn choice<T>(
    field: &'static str,
    raw: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, FieldError> {
    match raw.trim() {
        "" => Err(FieldError::new(field, "required")),
        code => parse(code).ok_or(FieldError::new(field, "invalid_value")),
    }
}

/// A BCP 47 tag, case normalised.
pub(super) fn language(raw: &str) -> Result<String, FieldError> {
    let tag = raw.trim();
    if tag.is_empty() {
        Err(FieldError::new("language", "required"))
    } else if is_language_tag(tag) {
        Ok(normalize_language(tag))
    } else {
        Err(FieldError::new("language", "invalid_value"))
    }
}

/// An optional ISO 3166-1 alpha-2 code, uppercase.
pub(super) fn country(raw: &str) -> Result<Option<String>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        code if is_country_code(code) => Ok(Some(code.to_ascii_uppercase())),
        _ => Err(FieldError::new("country", "invalid_value")),
    }
}

/// An optional limit of 2 to 1,000 people.
pub(super) fn capacity(raw: &str) -> Result<Option<u32>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        n => n
            .parse::<u32>()
            .ok()
            .filter(|n| (2..=limits::CAPACITY).contains(n))
            .map(Some)
            .ok_or(FieldError::new("capacity", "out_of_range")),
    }
}

/// An optional `YYYY-MM-DD` date.
pub(super) fn date(field: &'static str, raw: &str) -> Result<Option<Date>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        d => d
            .parse::<Date>()
            .map(Some)
            .map_err(|_| FieldError::new(field, "invalid_date")),
    }
}

/// Only `https://` (or `http://`) links with a host: never `javascript:` or
/// any other scheme that could run in a member's browser.
pub(super) fn call_link(raw: &str) -> Result<Option<String>, FieldError> {
    let Some(link) = optional_text("call_link", Some(raw), limits::CALL_LINK)? else {
        return Ok(None);
    };
    let lower = link.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && host.contains('.')
    });
    if !host_ok
        || link
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return Err(FieldError::new("call_link", "invalid_link"));
    }
    Ok(Some(link))
}

/// Digits, `+`, spaces, `-`, `(`, `)`, `.`, and the pause and tone
/// characters `,` `;` `#` `*` `p` `w`.
pub(super) fn dial_in(raw: &str) -> Result<Option<String>, FieldError> {
    let Some(number) = optional_text("dial_in", Some(raw), limits::DIAL_IN)? else {
        return Ok(None);
    };
    let allowed = |c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '+' | ' ' | '-' | '(' | ')' | '.' | ',' | ';' | '#' | '*' | 'p' | 'w' | 'P' | 'W'
            )
    };
    if !number.chars().all(allowed) || !number.chars().any(|c| c.is_ascii_digit()) {
        return Err(FieldError::new("dial_in", "invalid_phone"));
    }
    Ok(Some(number))
}

/// A checkbox or JSON boolean: empty, `false`, `off` or `0` is off;
/// `true`, `on` or `1` is on.
pub(super) fn switch(field: &'static str, raw: &str) -> Result<bool, FieldError> {
    match raw.trim() {
        "" | "false" | "off" | "0" => Ok(false),
        "true" | "on" | "1" => Ok(true),
        _ => Err(FieldError::new(field, "invalid_value")),
    }
}

pub(super) fn loose_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

pub(super) fn loose_strings<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        serde_json::Value::Null => Vec::new(),
        other => vec![other.to_string()],
    })
}
