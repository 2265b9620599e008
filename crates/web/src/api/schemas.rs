//! JSON Schemas written from kith's own rules rather than by hand: the
//! vocabularies come from the domain's lists, the zones from the zone
//! database kith reads, and texts from the limits the checks apply. A
//! fuzzer generating from the document then sends what kith accepts and
//! little else.
//!
//! Texts are checked after trimming, count characters and refuse control
//! characters other than tab and line breaks; [`text_pattern`] says exactly
//! that, so `"   "` is not a valid name in the document either.
//!
//! [`add_parameter_vocabularies`] gives the query parameters their enums
//! after the routes are gathered: utoipa's parameter tuples cannot take a
//! schema built at run time.

use kith_domain::directory::TimeOfDay;
use kith_domain::group::{Attribute, Focus, Format};
use serde_json::{Value, json};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType};
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// What Rust's `trim` removes (Unicode `White_Space`), as a regex class body.
pub const SPACE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Control characters (`char::is_control`, category Cc), as a class body.
pub const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// A BCP 47 tag of up to three subtags: at most 30 characters, within the
/// 35 kith takes, which a count on the whole string could not say once
/// spaces around it are allowed.
pub const LANGUAGE_TAG: &str = "[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}";

/// Control characters a text may hold: tab, line feed, carriage return.
const ALLOWED_CONTROL: &str = r"\t\n\r";

/// A regex for a text of `min`–`max` characters once trimmed, with no
/// control character but tab and line breaks.
pub fn text_pattern(min: usize, max: usize) -> String {
    let edge = format!("[^{SPACE}{CONTROL}]");
    let inner = format!("(?:[{ALLOWED_CONTROL}]|[^{CONTROL}])");
    let body = match max {
        0 => String::new(),
        1 => edge.clone(),
        _ => format!(
            "{edge}(?:{inner}{{{},{}}}{edge})?",
            min.saturating_sub(2),
            max - 2
        ),
    };
    let body = match min {
        0 => format!("(?:{body})?"),
        1 => body,
        // Two or more characters: the optional tail is not optional.
        _ => format!("{edge}{inner}{{{},{}}}{edge}", min - 2, max - 2),
    };
    format!("^[{SPACE}]*{body}[{SPACE}]*$")
}

/// A schema given as its JSON Schema keywords, for what utoipa's builders
/// cannot say (`if`/`then`, `not`, `contains`, `anyOf` of literals).
pub fn raw(keywords: Value) -> RefOr<Schema> {
    let extensions: Extensions = match keywords {
        Value::Object(map) => map.into_iter().collect(),
        _ => Extensions::default(),
    };
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::AnyValue)
            .extensions(Some(extensions))
            .build(),
    ))
}

/// A text field of `min`–`max` characters once trimmed.
pub fn text(min: usize, max: usize, description: &str) -> Value {
    json!({"type": "string", "pattern": text_pattern(min, max), "description": description})
}

/// The codes of one of the domain's vocabularies.
pub fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| code(*v)).collect()
}

/// Every zone name kith accepts: the zone database's names that
/// `Zone::parse` finds plausible.
pub fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| kith_domain::zone::Zone::parse(name).is_ok())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The zone names as a schema. An enum rather than a pattern: a pattern
/// would let a fuzzer spend its examples on names that cannot exist, and
/// ~600 names cost schemathesis nothing measurable.
pub fn zone_schema(description: &str) -> Value {
    json!({"type": "string", "enum": zone_names(), "description": description})
}

/// An email address as `Email::parse` takes it: one `@`, a dotted domain,
/// no space or control character; the local part up to 64 bytes (64 ASCII
/// characters, or 16 of any kind).
pub fn email_pattern() -> String {
    let c = format!("[^@{SPACE}{CONTROL}]");
    let ascii = r"[\x21-\x3f\x41-\x7e]";
    let label = format!("[^@.{SPACE}{CONTROL}]+");
    format!("^(?:{ascii}{{1,64}}|{c}{{1,16}})@{label}(?:\\.{label})+$")
}

/// An email field: see [`email_pattern`].
pub fn email_schema() -> RefOr<Schema> {
    raw(json!({
        "type": "string",
        "minLength": 3,
        "maxLength": kith_domain::account::EMAIL_MAX,
        "pattern": email_pattern(),
        "description": "An email address; never shown to anyone."
    }))
}

/// A value matching `body` once trimmed, or nothing but spaces (a filter
/// left empty).
fn trimmed(body: &str, description: &str) -> Value {
    json!({"type": "string", "pattern": format!("^[{SPACE}]*(?:{body})?[{SPACE}]*$"), "description": description})
}

/// Gives the query parameters that take codes, days or zones their enums.
pub fn add_parameter_vocabularies(doc: &mut OpenApi) {
    let list =
        |values: Vec<&str>| json!({"type": "array", "items": {"type": "string", "enum": values}});
    for item in doc.paths.paths.values_mut() {
        let operations = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if !matches!(parameter.parameter_in, ParameterIn::Query) {
                    continue;
                }
                let schema = match parameter.name.as_str() {
                    "format" => list(codes(Format::ALL, Format::code)),
                    "focus" => list(codes(Focus::ALL, Focus::code)),
                    "attribute" => list(codes(Attribute::ALL, Attribute::code)),
                    "time" => {
                        json!({"type": "string", "enum": codes(&TimeOfDay::ALL, TimeOfDay::code)})
                    }
                    // Left empty, as a form sends it, it is not given.
                    "tz" => json!({
                        "anyOf": [
                            zone_schema("An IANA zone name."),
                            {"type": "string", "pattern": format!("^[{SPACE}]*$")},
                        ],
                        "description": "An IANA zone name; empty means not given.",
                    }),
                    "language" => trimmed(LANGUAGE_TAG, "BCP 47; `pt` matches `pt-BR`."),
                    "country" => trimmed("[A-Za-z]{2}", "ISO 3166-1 alpha-2."),
                    _ => continue,
                };
                parameter.schema = Some(raw(schema));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The document's patterns are ECMA-262; these use only what the regex
    // crate reads the same way (`\xHH`, `\uHHHH`, classes, counts).
    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).expect("pattern").is_match(text)
    }

    #[test]
    fn a_text_pattern_counts_what_is_left_after_trimming() {
        let name = text_pattern(3, 120);
        assert!(matches(&name, "abc"));
        assert!(matches(&name, "  a b\n"));
        assert!(!matches(&name, "   "));
        assert!(!matches(&name, " ab "));
        assert!(!matches(&name, "a\u{1b}c"));
        assert!(matches(&name, &"x".repeat(120)));
        assert!(!matches(&name, &"x".repeat(121)));
        let optional = text_pattern(0, 5);
        assert!(matches(&optional, ""));
        assert!(matches(&optional, " \t "));
        assert!(matches(&optional, "a"));
        assert!(!matches(&optional, "abcdef"));
    }

    #[test]
    fn the_email_pattern_refuses_control_characters_and_spaces() {
        let email = email_pattern();
        assert!(matches(&email, "ana@example.org"));
        assert!(!matches(&email, "a\u{1b}a@example.org"));
        assert!(!matches(&email, "ana@exa\u{7}mple.org"));
        assert!(!matches(&email, "a na@example.org"));
        assert!(!matches(&email, "ana@example"));
    }

    #[test]
    fn every_zone_in_the_schema_is_one_kith_accepts() {
        let names = zone_names();
        assert!(names.len() > 300, "{}", names.len());
        assert!(names.iter().any(|n| n == "Europe/Berlin"));
    }
}
