//! The journal's JSON Schemas, written from the domain's limits
//! (`kith_domain::journal`) so the document says what kith takes: a day
//! as `YYYY-MM-DD`, a mood of 1–5, half hours of sleep, notes and names
//! by their counts once trimmed, and the export's shape.

use kith_domain::journal::{
    AMOUNT_MAX_MILLI, DOSE_NOTE_MAX, MEDICINE_NAME_MAX, NOTE_MAX, TAG_MAX, TAGS_MAX, UNIT_MAX,
};
use serde_json::{Value, json};
use utoipa::openapi::{RefOr, Schema};

use crate::api::schemas::{CONTROL, SPACE, raw, text};

/// A text of `min`–`max` characters once trimmed, on one line: no control
/// character but those in `allowed` (a regex class body).
fn line_pattern(min: usize, max: usize, allowed: &str) -> String {
    let edge = format!("[^{SPACE}{CONTROL}]");
    let inner = format!("(?:[{allowed}]|[^{CONTROL}])");
    let body = match (min, max) {
        (_, 1) => edge,
        (0 | 1, _) => format!("{edge}(?:{inner}{{0,{}}}{edge})?", max - 2),
        _ => format!("{edge}{inner}{{{},{}}}{edge}", min - 2, max - 2),
    };
    let body = if min == 0 {
        format!("(?:{body})?")
    } else {
        body
    };
    format!("^[{SPACE}]*{body}[{SPACE}]*$")
}

/// A day, `YYYY-MM-DD`: from 1900-01-01, not after today in the person's
/// zone (the account's, else UTC).
pub fn day_schema() -> RefOr<Schema> {
    raw(json!({
        "type": "string",
        "format": "date",
        "description": "`YYYY-MM-DD`, from 1900-01-01 and not after today in the person's zone."
    }))
}

/// How the day felt, 1 (very low) to 5 (very good).
pub fn mood_schema() -> RefOr<Schema> {
    raw(json!({"type": "integer", "minimum": 1, "maximum": 5,
        "description": "1 very low, 2 low, 3 so-so, 4 good, 5 very good."}))
}

/// Hours slept, in halves, 0–24.
pub fn sleep_schema() -> RefOr<Schema> {
    raw(
        json!({"type": ["number", "null"], "minimum": 0, "maximum": 24, "multipleOf": 0.5,
        "description": "Hours slept, in halves (`6.5`); absent or null for no answer."}),
    )
}

/// The person's own symptom tags.
pub fn symptoms_schema() -> RefOr<Schema> {
    raw(json!({
        "type": "array",
        "maxItems": TAGS_MAX,
        "items": {"type": "string", "pattern": line_pattern(0, TAG_MAX, r"\t\r")},
        "description": "The person's own tags, each up to 40 characters on one line; at most 20. A tag given twice (in any case) is kept once; empty ones are dropped."
    }))
}

/// A check-in's note.
pub fn note_schema() -> RefOr<Schema> {
    raw(text(0, NOTE_MAX, "A free note; up to 4000 characters."))
}

/// A dose change's note.
pub fn dose_note_schema() -> RefOr<Schema> {
    raw(text(0, DOSE_NOTE_MAX, "A note; up to 1000 characters."))
}

/// A medicine's name, by the person's own word for it.
pub fn name_schema() -> RefOr<Schema> {
    raw(
        json!({"type": "string", "pattern": line_pattern(1, MEDICINE_NAME_MAX, r"\r"),
        "description": "The person's own name for it; 1–80 characters on one line."}),
    )
}

/// A dose's unit.
pub fn unit_schema() -> RefOr<Schema> {
    raw(
        json!({"type": "string", "pattern": line_pattern(1, UNIT_MAX, r"\r"),
        "description": "`mg`, `mcg`, `g`, `ml`, `drops`, `beads`, `tablets`, or the person's own word (up to 16 characters)."}),
    )
}

/// An amount, as a number or as text (so `37.5` stays exactly that).
pub fn amount_schema() -> RefOr<Schema> {
    #[expect(clippy::cast_precision_loss, reason = "10,000 is exact")]
    let max = AMOUNT_MAX_MILLI as f64 / 1000.0;
    raw(json!({
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": max, "multipleOf": 0.001},
            {"type": "string", "pattern": format!("^[{SPACE}]*[0-9]{{1,5}}(?:[.,][0-9]{{1,3}})?[{SPACE}]*$")},
        ],
        "description": "Above 0 and at most 10,000 of the unit, with up to three decimals; a number or text (`\"37.5\"`, `\"37,5\"`)."
    }))
}

/// The journal export's document: what `GET /api/v1/me/journal/export`
/// answers and `POST /api/v1/me/journal/import` takes.
pub struct ExportDocument;

fn export_schema() -> Value {
    let text_or_number = json!({"anyOf": [{"type": "number"}, {"type": "string"}]});
    let checkin = json!({
        "type": "object",
        "required": ["day", "mood"],
        "properties": {
            "day": {"type": "string", "description": "`YYYY-MM-DD`."},
            "mood": text_or_number,
            "hours_slept": {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]},
            "symptoms": {"type": "array", "items": {"type": "string"}},
            "note": {"type": "string"},
            "written_at": {"type": ["string", "null"], "description": "RFC 3339."}
        }
    });
    let dose = json!({
        "type": "object",
        "required": ["day", "amount", "unit"],
        "properties": {
            "day": {"type": "string", "description": "`YYYY-MM-DD`."},
            "amount": text_or_number,
            "unit": {"type": "string"},
            "note": {"type": "string"},
            "written_at": {"type": ["string", "null"], "description": "RFC 3339."}
        }
    });
    let medicine = json!({
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "added_at": {"type": ["string", "null"], "description": "RFC 3339."},
            "doses": {"type": "array", "items": dose}
        }
    });
    let count = json!({"type": "integer", "minimum": 0});
    json!({
        "type": "object",
        "required": ["kith_journal"],
        "properties": {
            "kith_journal": {"type": "integer", "const": kith_app::journal::FORMAT_VERSION, "description": "The format's version."},
            "exported_at": {"type": ["string", "null"], "description": "RFC 3339."},
            "checkins": {"type": "array", "items": checkin, "description": "Newest first."},
            "medicines": {"type": "array", "items": medicine},
            "could_not_open": {
                "type": "object",
                "description": "How many entries could not be opened and are not in the document.",
                "properties": {"checkins": count, "medicines": count, "doses": count}
            }
        },
        "description": "A journal, opened: `{\"kith_journal\": 1, \"checkins\": […], \"medicines\": [{…, \"doses\": […]}]}`."
    })
}

impl utoipa::PartialSchema for ExportDocument {
    fn schema() -> RefOr<Schema> {
        raw(export_schema())
    }
}

impl utoipa::ToSchema for ExportDocument {}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).expect("pattern").is_match(text)
    }

    #[test]
    fn a_line_pattern_counts_trimmed_characters_and_refuses_line_breaks() {
        let name = line_pattern(1, MEDICINE_NAME_MAX, r"\r");
        assert!(matches(&name, "Sertraline"));
        assert!(matches(&name, " x "));
        assert!(!matches(&name, "  "));
        assert!(!matches(&name, "a\nb"));
        assert!(matches(&name, &"y".repeat(80)));
        assert!(!matches(&name, &"y".repeat(81)));
        let tag = line_pattern(0, TAG_MAX, r"\t\r");
        assert!(matches(&tag, ""));
        assert!(matches(&tag, "brain zaps"));
        assert!(!matches(&tag, &"z".repeat(41)));
    }
}
