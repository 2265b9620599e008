//! The OpenAPI schemas of a group as `POST /api/v1/groups` and
//! `PATCH /api/v1/groups/{slug}` read it.
//!
//! [`GroupFieldsJson`] mirrors [`GroupInput`] field for field (a test holds
//! the two to the same names) and derives its schema; each field's schema is
//! built from the domain's own vocabularies and limits, so the document
//! moves when the rules do. The rules array says each rule kind's fields.
//! Creating adds what one field alone cannot say: the required fields, a
//! city for groups that meet in a room, `open` and `members_only` never
//! together, a published call link only for an open group, an `open`
//! attribute never with an `invite_only` policy. What JSON Schema
//! cannot say at all — a last date before the first — is in the
//! description, and answers 422.
//!
//! [`GroupInput`]: kith_domain::group_input::GroupInput

use std::borrow::Cow;

use kith_domain::group::{Attribute, FacilitationStyle, Focus, Format};
use kith_domain::group_input::{MAX_RULES, limits};
use kith_domain::membership::JoinPolicy;
use kith_domain::schedule::{MAX_DURATION_MINUTES, MAX_INTERVAL_WEEKS, MIN_DURATION_MINUTES};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::api::schemas::{LANGUAGE_TAG, SPACE, codes, raw, text, zone_schema};

macro_rules! field_schemas {
    ($($name:ident => $value:expr;)+) => {
        $(fn $name() -> RefOr<Schema> { raw($value) })+
    };
}

field_schemas! {
    name => text(limits::NAME.0, limits::NAME.1, "3–120 characters.");
    description => text(1, limits::DESCRIPTION, "Markdown, up to 10,000 characters.");
    agreements => text(0, limits::AGREEMENTS, "Markdown, up to 5,000 characters.");
    facilitation_style => one_of(codes(FacilitationStyle::ALL, FacilitationStyle::code));
    facilitation_description => text(0, limits::FACILITATION, "How meetings run, in the host's words.");
    focus => json!({"type": "array", "minItems": 1, "items": one_of(codes(Focus::ALL, Focus::code))});
    attributes => json!({"type": "array", "items": one_of(codes(Attribute::ALL, Attribute::code)), "description": ATTRIBUTES});
    format => one_of(codes(Format::ALL, Format::code));
    language => json!({"type": "string", "pattern": format!("^[{SPACE}]*{LANGUAGE_TAG}[{SPACE}]*$"), "description": "A BCP 47 tag."});
    country => json!({"type": "string", "pattern": format!("^[{SPACE}]*(?:[A-Za-z]{{2}})?[{SPACE}]*$"), "description": "ISO 3166-1 alpha-2, optional."});
    region => text(0, limits::PLACE, "Optional.");
    city => text(0, limits::PLACE, "Required for groups that meet in a room.");
    capacity => json!({"anyOf": [
        {"type": "integer", "minimum": 2, "maximum": limits::CAPACITY},
        {"type": "null"},
        {"const": ""},
    ], "description": "The most people a meeting takes, 2–1000; none when left out."});
    time_zone => zone_schema("The group's IANA zone.");
    rules => rules_schema();
    call_link => json!({"type": "string", "maxLength": limits::CALL_LINK, "pattern": call_link_pattern(), "description": "Private: an `https://` (or `http://`) link to the call."});
    dial_in => json!({"type": "string", "maxLength": limits::DIAL_IN, "pattern": format!("^[{SPACE}]*(?:[0-9+ ().,;#*pwPW-]*[0-9][0-9+ ().,;#*pwPW-]*)?[{SPACE}]*$"), "description": "Private: a phone number, with pauses (`,` `;` `p` `w`) and tones (`#` `*`)."});
    street_address => text(0, limits::STREET_ADDRESS, "Private: the room's street address.");
    join_policy => json!({"type": "string", "enum": join_policies(), "description": JOIN_POLICY});
    join_question => text(0, kith_domain::membership::limits::QUESTION, "Asked of people who ask to join; optional.");
    publish_call_link => switch("Only with the `open` join policy: show the call link, dial-in and address to everyone.");
    members_visible => switch("Members see each other's pseudonyms.");
}

/// Who may come, as the `open` and `members_only` attributes say it.
pub(crate) const ATTRIBUTES: &str = "Attribute codes. Who may come: `open` — anyone, not only people with the group's own experience (Meeting Guide `O`); `members_only` — only people with that experience (Meeting Guide `C`); never both. How one gets in is `join_policy`.";

/// How one gets in, and how it fits with the `open` attribute.
const JOIN_POLICY: &str = "How one gets in, whoever may come: `open` — anyone joins at once; `approval` (when empty) — the hosts answer each request; `invite_only` — by an invitation link. A group with the `open` attribute is not `invite_only` (422, `invite_only_but_open`).";

/// A group's fields, every one optional: the body of a change, and the
/// shape [`NewGroupJson`] adds its rules to. Never read: the handlers read
/// `GroupInput`, which this mirrors.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(default)]
#[schema(as = GroupFields)]
pub struct GroupFieldsJson {
    #[schema(schema_with = name)]
    name: Value,
    #[schema(schema_with = description)]
    description: Value,
    #[schema(schema_with = agreements)]
    agreements: Value,
    #[schema(schema_with = facilitation_style)]
    facilitation_style: Value,
    #[schema(schema_with = facilitation_description)]
    facilitation_description: Value,
    #[schema(schema_with = focus)]
    focus: Value,
    #[schema(schema_with = attributes)]
    attributes: Value,
    #[schema(schema_with = format)]
    format: Value,
    #[schema(schema_with = language)]
    language: Value,
    #[schema(schema_with = country)]
    country: Value,
    #[schema(schema_with = region)]
    region: Value,
    #[schema(schema_with = city)]
    city: Value,
    #[schema(schema_with = capacity)]
    capacity: Value,
    #[schema(schema_with = time_zone)]
    time_zone: Value,
    #[schema(schema_with = rules)]
    rules: Value,
    #[schema(schema_with = call_link)]
    call_link: Value,
    #[schema(schema_with = dial_in)]
    dial_in: Value,
    #[schema(schema_with = street_address)]
    street_address: Value,
    #[schema(schema_with = join_policy)]
    join_policy: Value,
    #[schema(schema_with = join_question)]
    join_question: Value,
    #[schema(schema_with = publish_call_link)]
    publish_call_link: Value,
    #[schema(schema_with = members_visible)]
    members_visible: Value,
}

/// A new group: [`GroupFieldsJson`] with its required fields and the rules
/// between fields.
pub struct NewGroupJson;

impl PartialSchema for NewGroupJson {
    fn schema() -> RefOr<Schema> {
        // The fields inline rather than a `$ref`: fuzzers read `allOf`
        // with a reference less well than one object.
        let fields = serde_json::to_value(GroupFieldsJson::schema()).unwrap_or_default();
        raw(json!({
            "type": "object",
            "description": "A group to list. A rule's last date may not be before its first (422, `before_first_date`).",
            "properties": fields["properties"],
            "required": ["name", "description", "facilitation_style", "focus", "format", "language", "time_zone", "rules"],
            "allOf": [
                {"anyOf": [
                    {"properties": {"format": {"enum": without_room()}}},
                    {"required": ["city"], "properties": {"city": text(1, limits::PLACE, "")}},
                ]},
                {"not": {"required": ["attributes"], "properties": {"attributes": {"allOf": [
                    {"contains": {"const": "open"}}, {"contains": {"const": "members_only"}}]}}}},
                {"anyOf": [
                    {"properties": {"publish_call_link": {"enum": [false, null, 0, "", "false", "off", "0"]}}},
                    {"required": ["join_policy"], "properties": {"join_policy": {"const": "open"}}},
                ]},
                {"not": {"required": ["attributes", "join_policy"], "properties": {
                    "attributes": {"contains": {"const": "open"}},
                    "join_policy": {"const": "invite_only"}}}},
            ]
        }))
    }
}

impl ToSchema for NewGroupJson {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NewGroup")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push(("GroupFields".to_owned(), GroupFieldsJson::schema()));
    }
}

/// The formats that meet in no room, so need no city.
fn without_room() -> Vec<&'static str> {
    Format::ALL
        .iter()
        .filter(|f| !matches!(f, Format::InPerson | Format::Hybrid))
        .map(|f| f.code())
        .collect()
}

fn one_of(values: Vec<&str>) -> Value {
    json!({"type": "string", "enum": values})
}

fn join_policies() -> Vec<&'static str> {
    let mut all = vec![""];
    all.extend(codes(JoinPolicy::ALL, JoinPolicy::code));
    all
}

fn switch(description: &str) -> Value {
    json!({"enum": [true, false, null, 0, 1, "", "true", "false", "on", "off", "0", "1"], "description": description})
}

fn call_link_pattern() -> String {
    let no = format!(r#"{SPACE}\x00-\x1f\x7f-\x9f"<>"#);
    format!(
        "^[{SPACE}]*(?:[hH][tT][tT][pP][sS]?://[^/?#{no}]*\\.[^/?#{no}]*(?:[/?#][^{no}]*)?)?[{SPACE}]*$"
    )
}

fn rules_schema() -> Value {
    let weekday = json!({"type": "integer", "minimum": 0, "maximum": 6});
    let date = json!({"type": "string", "format": "date"});
    let month_week =
        json!({"anyOf": [{"type": "integer", "minimum": 1, "maximum": 4}, {"const": "last"}]});
    let optional_date = json!({"anyOf": [date, {"const": ""}, {"type": "null"}]});
    let common = |kind: Value, extra: Value, extra_required: &[&'static str]| {
        let mut properties = json!({
            "kind": kind,
            "start": {"type": "string", "pattern": format!("^[{SPACE}]*(?:[01][0-9]|2[0-3]):[0-5][0-9][{SPACE}]*$"), "description": "Local start, `HH:MM`."},
            "duration_minutes": {"type": "integer", "minimum": MIN_DURATION_MINUTES, "maximum": MAX_DURATION_MINUTES},
            "first_date": optional_date,
            "last_date": optional_date,
        });
        if let (Some(all), Value::Object(extra)) = (properties.as_object_mut(), extra) {
            all.extend(extra);
        }
        let mut required = vec!["start", "duration_minutes"];
        required.extend_from_slice(extra_required);
        json!({"type": "object", "properties": properties, "required": required})
    };
    // A single value stands for a list of one, as in a form.
    let days = json!({"anyOf": [{"type": "array", "minItems": 1, "items": weekday}, weekday],
        "description": "Weekdays 0–6, Sunday 0, in the group's zone."});
    let weekly = common(
        json!({"enum": ["weekly", ""]}),
        json!({"weekdays": days}),
        &["weekdays"],
    );
    let mut every = common(
        json!({"const": "every_n_weeks"}),
        json!({
            "weekdays": days,
            "interval_weeks": {"type": "integer", "minimum": 2, "maximum": MAX_INTERVAL_WEEKS},
            "anchor_date": {"anyOf": [date, {"const": ""}, {"type": "null"}], "description": "A date in a week the series meets; the first date when left out."},
        }),
        &["kind", "weekdays", "interval_weeks"],
    );
    every["anyOf"] = json!([
        {"required": ["anchor_date"], "properties": {"anchor_date": date}},
        {"required": ["first_date"], "properties": {"first_date": date}},
    ]);
    let monthly = common(
        json!({"const": "monthly"}),
        json!({
            "weekdays": {"anyOf": [{"type": "array", "minItems": 1, "maxItems": 1, "items": weekday}, weekday]},
            "month_weeks": {"anyOf": [{"type": "array", "minItems": 1, "items": month_week}, month_week],
                "description": "Which of the month's weekdays: 1–4 or `last`."},
        }),
        &["kind", "weekdays", "month_weeks"],
    );
    let once = common(
        json!({"const": "once"}),
        json!({"date": date}),
        &["kind", "date"],
    );
    json!({
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_RULES,
        "description": "When the group meets: `weekly` (the default kind), `every_n_weeks`, `monthly` or `once`.",
        "items": {"oneOf": [weekly, every, monthly, once]},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_domain::group_input::{GroupInput, RuleInput};
    use std::collections::BTreeSet;

    fn keys(value: Value) -> BTreeSet<String> {
        value.as_object().expect("object").keys().cloned().collect()
    }

    #[test]
    fn the_schema_names_every_field_the_handler_reads_and_no_other() {
        let mirrored = keys(serde_json::to_value(GroupFieldsJson::default()).expect("json"));
        let read = keys(serde_json::to_value(GroupInput::default()).expect("json"));
        assert_eq!(mirrored, read);
        let schema = serde_json::to_value(GroupFieldsJson::schema()).expect("json");
        assert_eq!(keys(schema["properties"].clone()), read);
    }

    #[test]
    fn the_rule_kinds_together_name_every_field_of_a_rule() {
        let rules = rules_schema();
        let mut named = BTreeSet::new();
        for kind in rules["items"]["oneOf"].as_array().expect("kinds") {
            named.extend(keys(kind["properties"].clone()));
        }
        let read = keys(serde_json::to_value(RuleInput::default()).expect("json"));
        assert_eq!(named, read);
    }
}
