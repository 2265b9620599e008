//! The Meeting Guide format's vocabulary (the public `code4recovery/spec`):
//! which of kith's attributes and languages have a type code there. Codes
//! are limited to those both the spec's `types.json` and its draft schema
//! know, so an exported feed validates.

use serde_json::Value;

use crate::group::{Attribute, Focus};
use crate::group_input::{GroupInput, RuleInput};
use crate::ids::Slug;
use crate::validation::FieldError;

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

/// A record of a feed, read into kith's terms: the group's slug, its form
/// fields (checked afterwards like any group), and its original listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    /// The record's slug, kept as the group's: a second import of the same
    /// feed finds the same groups.
    pub slug: Slug,
    /// The group as a form would hold it.
    pub input: GroupInput,
    /// The record's `url`, when it is a web address.
    pub source: Option<String>,
}

/// The spec's name for one of kith's form fields, so an import's errors
/// speak the feed's language.
pub fn spec_field(field: &'static str) -> &'static str {
    match field {
        "rules[0].weekdays" => "day",
        "rules[0].start" => "time",
        "rules[0].duration_minutes" => "end_time",
        "time_zone" => "timezone",
        "description" => "notes",
        "call_link" => "conference_url",
        "dial_in" => "conference_phone",
        other => other,
    }
}

/// Reads one record of a Meeting Guide feed. Only weekly meetings can be
/// read: a record without `day` is refused.
pub fn read_record(record: &Value) -> Result<ImportRecord, Vec<FieldError>> {
    let Some(object) = record.as_object() else {
        return Err(vec![FieldError::new("record", "not_an_object")]);
    };
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    let mut errors = Vec::new();
    let slug = match object.get("slug").and_then(Value::as_str) {
        None => {
            errors.push(FieldError::new("slug", "required"));
            None
        }
        Some(raw) => Slug::parse(raw.trim()).or_else(|| {
            errors.push(FieldError::new("slug", "invalid_value"));
            None
        }),
    };
    let days: Vec<String> = match object.get("day") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new("day", "required"));
            Vec::new()
        }
        Some(Value::Array(items)) => items.iter().map(day_code).collect(),
        Some(one) => vec![day_code(one)],
    };
    // The spec allows `H:MM`; kith's rules are `HH:MM`.
    let start = text("time");
    let start = minutes(&start).map_or(start, |m| format!("{:02}:{:02}", m / 60, m % 60));
    let duration = match (minutes(&start), minutes(&text("end_time"))) {
        (Some(from), Some(to)) => ((to - from).rem_euclid(24 * 60)).to_string(),
        // The spec's default: an hour.
        _ => "60".to_owned(),
    };
    let mut types: Vec<&str> = object
        .get("types")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    types.dedup();
    let attributes: Vec<String> = types
        .iter()
        .filter_map(|code| attribute_for_code(code))
        .map(|a| a.code().to_owned())
        .collect();
    let language = types
        .iter()
        .find_map(|code| language_for_code(code))
        // BCP 47's "undetermined": the record names no language.
        .unwrap_or("und");
    let conference_url = text("conference_url");
    let conference_phone = text("conference_phone");
    let city = text("city");
    // A record with no place meets online, even when (like kith's own
    // feed) it keeps its link to itself.
    let format = match (
        !conference_url.is_empty() || !conference_phone.is_empty(),
        !city.is_empty() || !text("address").is_empty(),
    ) {
        (true, true) => "hybrid",
        (false, true) => "in_person",
        (_, false) if conference_url.is_empty() && !conference_phone.is_empty() => "phone",
        (_, false) => "video",
    };
    let country = text("country");
    let url = text("url");
    let published = !conference_url.is_empty() || !conference_phone.is_empty();
    let input = GroupInput {
        name: text("name"),
        description: without_focus_line(&strip_html(&text("notes"))),
        agreements: String::new(),
        facilitation_style: "agenda_free".to_owned(),
        facilitation_description: String::new(),
        focus: vec![Focus::PeerSupport.code().to_owned()],
        attributes,
        format: format.to_owned(),
        language: language.to_owned(),
        country: if country.len() == 2 {
            country
        } else {
            String::new()
        },
        region: text("region"),
        city,
        capacity: String::new(),
        time_zone: text("timezone"),
        rules: vec![RuleInput {
            kind: "weekly".to_owned(),
            weekdays: days,
            start: start.clone(),
            duration_minutes: duration,
            ..RuleInput::default()
        }],
        // The source published its link, so the copy is an open group
        // that publishes it too.
        join_policy: if published { "open" } else { "" }.to_owned(),
        publish_call_link: if published { "on" } else { "" }.to_owned(),
        call_link: conference_url,
        dial_in: conference_phone,
        street_address: String::new(),
        ..GroupInput::default()
    };
    let input = GroupInput {
        // A feed's notes may be empty; kith's description may not.
        // (Without a name the record is refused for the name alone.)
        description: if !input.description.is_empty() {
            input.description
        } else if !input.name.is_empty() {
            input.name.clone()
        } else {
            "-".to_owned()
        },
        ..input
    };
    match slug {
        Some(slug) if errors.is_empty() => Ok(ImportRecord {
            slug,
            input,
            source: (url.starts_with("https://") || url.starts_with("http://")).then_some(url),
        }),
        _ => Err(errors),
    }
}

fn day_code(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => "x".to_owned(),
    }
}

/// `H:MM` or `HH:MM` to minutes after midnight.
fn minutes(time: &str) -> Option<i32> {
    let (h, m) = time.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
}

/// Text without HTML tags, with the common entities decoded.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

/// kith's own feed opens the notes with a "Focus: …" line; it is not part
/// of the description.
fn without_focus_line(notes: &str) -> String {
    match notes.split_once("\n\n") {
        Some((first, rest)) if first.starts_with("Focus:") => rest.trim().to_owned(),
        _ if notes.starts_with("Focus:") && !notes.contains('\n') => String::new(),
        _ => notes.to_owned(),
    }
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

    #[test]
    fn a_feed_record_becomes_a_group_form() {
        let record = serde_json::json!({
            "name": "Sunday Serenity", "slug": "sunday-serenity-14", "day": [0, 3],
            "time": "18:00", "end_time": "19:30", "timezone": "America/Los_Angeles",
            "types": ["O", "LGBTQ", "S", "ZZZ"], "notes": "<p>Ring the <b>buzzer</b> &amp; wait.</p>",
            "url": "https://district123.org/meetings/sunday-serenity", "city": "Anytown",
            "country": "US", "address": "123 Main Street"
        });
        let read = read_record(&record).expect("valid");
        assert_eq!(read.slug.as_str(), "sunday-serenity-14");
        assert_eq!(
            read.source.as_deref(),
            Some("https://district123.org/meetings/sunday-serenity")
        );
        let group = read.input.parse().expect("a valid group");
        assert_eq!(
            group.profile.attributes,
            [Attribute::Open, Attribute::Lgbtq]
        );
        assert_eq!(group.profile.language, "es");
        assert_eq!(group.profile.description, "Ring the buzzer & wait.");
        assert_eq!(group.profile.schedule.rules[0].duration().minutes(), 90);
        assert!(
            group.private.street_address.is_none(),
            "never imported as public text"
        );
    }

    #[test]
    fn bad_records_name_the_field_in_the_feeds_words() {
        assert_eq!(
            read_record(&serde_json::json!([1])),
            Err(vec![FieldError::new("record", "not_an_object")])
        );
        assert_eq!(
            read_record(&serde_json::json!({"name": "x", "slug": "Not A Slug"})),
            Err(vec![
                FieldError::new("slug", "invalid_value"),
                FieldError::new("day", "required")
            ])
        );
        let bad = read_record(&serde_json::json!({"name": "Bad times", "slug": "bad", "day": 7, "time": "25:00", "timezone": "Mars/Olympus", "city": "X"}))
            .expect("readable");
        let fields: Vec<&str> = bad
            .input
            .parse()
            .expect_err("refused")
            .iter()
            .map(|e| spec_field(e.field))
            .collect();
        assert_eq!(fields, ["timezone", "day", "time"]);
    }

    #[test]
    fn kiths_own_focus_line_is_not_part_of_the_description() {
        assert_eq!(
            without_focus_line("Focus: Tapering\n\nWe meet."),
            "We meet."
        );
        assert_eq!(without_focus_line("We meet."), "We meet.");
    }
}
