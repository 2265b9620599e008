//! A group as a host submits it (form or JSON), checked field by field into
//! a [`NewGroup`]. Every problem is reported at once, each with its field,
//! so the form can show them all next to the person's own input.

use serde::{Deserialize, Serialize};

use crate::group::{
    Attribute, Facilitation, FacilitationStyle, Focus, Format, GroupProfile, ListingStatus,
    NewGroup, Place, PrivateDetails,
};
use crate::ids::Slug;
use crate::schedule::{Rule, Schedule};
use crate::validation::{FieldError, Refusals, optional_text, text_within};

use crate::membership::{JoinPolicy, JoinSettings};
use crate::zone::Zone;
use fields::{call_link, capacity, choice, codes, country, dial_in, language, switch};
use rule::{rule, rule_key};

/// Limits on a group's texts, in characters.
pub mod limits {
    /// Name.
    pub const NAME: (usize, usize) = (3, 120);
    /// Description.
    pub const DESCRIPTION: usize = 10_000;
    /// Agreements.
    pub const AGREEMENTS: usize = 5_000;
    /// The host's description of how meetings run.
    pub const FACILITATION: usize = 2_000;
    /// Region and city.
    pub const PLACE: usize = 100;
    /// Call link.
    pub const CALL_LINK: usize = 500;
    /// Dial-in.
    pub const DIAL_IN: usize = 200;
    /// Street address.
    pub const STREET_ADDRESS: usize = 500;
    /// The most people a meeting may be limited to.
    pub const CAPACITY: u32 = 1_000;
}

/// The most schedule rules one group may have.
pub const MAX_RULES: usize = 8;

/// A group as submitted: every field as text, exactly as typed, so a form
/// refused can be shown again unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupInput {
    /// Name, 3–120 characters.
    pub name: String,
    /// Markdown, up to 10,000 characters.
    pub description: String,
    /// Markdown, up to 5,000 characters.
    pub agreements: String,
    /// A facilitation style code.
    pub facilitation_style: String,
    /// How meetings run, in the host's words.
    pub facilitation_description: String,
    /// Focus codes, at least one.
    pub focus: Vec<String>,
    /// Attribute codes.
    pub attributes: Vec<String>,
    /// A format code.
    pub format: String,
    /// A BCP 47 tag.
    pub language: String,
    /// ISO 3166-1 alpha-2, optional.
    pub country: String,
    /// Optional.
    pub region: String,
    /// Required for groups that meet in a room.
    pub city: String,
    /// Optional, 2–1000.
    #[serde(deserialize_with = "fields::loose_string")]
    pub capacity: String,
    /// The group's IANA zone.
    pub time_zone: String,
    /// At least one rule.
    pub rules: Vec<RuleInput>,
    /// Private: `https://` link to the call.
    pub call_link: String,
    /// Private: phone number with pauses and PIN.
    pub dial_in: String,
    /// Private: street address of the room.
    pub street_address: String,
    /// `open`, `approval` (the default) or `invite_only`.
    pub join_policy: String,
    /// The question people who ask to join answer; optional.
    pub join_question: String,
    /// Open groups only: show the call link to everyone.
    #[serde(deserialize_with = "fields::loose_string")]
    pub publish_call_link: String,
    /// Members see each other's pseudonyms.
    #[serde(deserialize_with = "fields::loose_string")]
    pub members_visible: String,
}

impl GroupInput {
    /// Reads a form's fields (`name=…&focus=a&focus=b&rules[0].start=…`).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut input = Self::default();
        for (key, value) in pairs {
            let value = value.to_owned();
            if let Some((index, field)) = rule_key(key) {
                if input.rules.len() <= index {
                    input.rules.resize_with(index + 1, RuleInput::default);
                }
                input.rules[index].set(field, value);
                continue;
            }
            match key {
                "name" => input.name = value,
                "description" => input.description = value,
                "agreements" => input.agreements = value,
                "facilitation_style" => input.facilitation_style = value,
                "facilitation_description" => input.facilitation_description = value,
                "focus" => input.focus.push(value),
                "attributes" => input.attributes.push(value),
                "format" => input.format = value,
                "language" => input.language = value,
                "country" => input.country = value,
                "region" => input.region = value,
                "city" => input.city = value,
                "capacity" => input.capacity = value,
                "time_zone" => input.time_zone = value,
                "call_link" => input.call_link = value,
                "dial_in" => input.dial_in = value,
                "street_address" => input.street_address = value,
                "join_policy" => input.join_policy = value,
                "join_question" => input.join_question = value,
                "publish_call_link" => input.publish_call_link = value,
                "members_visible" => input.members_visible = value,
                _ => {}
            }
        }
        input
    }

    /// Checks every field; answers the group (with a fresh slug, pending) or
    /// every refusal.
    pub fn parse(&self) -> Result<NewGroup, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let name = refusals.check(text_within(
            "name",
            &self.name,
            limits::NAME.0,
            limits::NAME.1,
        ));
        let description = refusals.check(text_within(
            "description",
            &self.description,
            1,
            limits::DESCRIPTION,
        ));
        let agreements = refusals.check(text_within(
            "agreements",
            &self.agreements,
            0,
            limits::AGREEMENTS,
        ));
        let style = refusals.check(choice(
            "facilitation_style",
            &self.facilitation_style,
            FacilitationStyle::parse,
        ));
        let facilitation_description = refusals.check(text_within(
            "facilitation_description",
            &self.facilitation_description,
            0,
            limits::FACILITATION,
        ));
        let focus = refusals.check(codes("focus", &self.focus, Focus::parse, true));
        let attributes = refusals.check(codes(
            "attributes",
            &self.attributes,
            Attribute::parse,
            false,
        ));
        if let Some(attributes) = &attributes {
            if attributes.contains(&Attribute::Open) && attributes.contains(&Attribute::MembersOnly)
            {
                refusals.push("attributes", "open_and_members_only");
            }
        }
        let format = refusals.check(choice("format", &self.format, Format::parse));
        let language = refusals.check(language(&self.language));
        let country = refusals.check(country(&self.country));
        let region = refusals.check(optional_text("region", Some(&self.region), limits::PLACE));
        let city = refusals.check(optional_text("city", Some(&self.city), limits::PLACE));
        if matches!(format, Some(Format::InPerson | Format::Hybrid)) && matches!(city, Some(None)) {
            refusals.push("city", "required_in_person");
        }
        let capacity = refusals.check(capacity(&self.capacity));
        let zone = refusals.check(
            Zone::parse(self.time_zone.trim())
                .map_err(|_| FieldError::new("time_zone", "unknown_time_zone")),
        );
        let rules = self.rules(&mut refusals);
        let call_link = refusals.check(call_link(&self.call_link));
        let dial_in = refusals.check(dial_in(&self.dial_in));
        let street_address = refusals.check(optional_text(
            "street_address",
            Some(&self.street_address),
            limits::STREET_ADDRESS,
        ));
        let join = join_settings(self, &mut refusals);
        refusals.finish(|| ())?;
        // Every check passed, so every value is present.
        let name = name.ok_or_else(Vec::new)?;
        let group = || {
            Some(NewGroup {
                profile: GroupProfile {
                    slug: Slug::for_name(&name),
                    name: name.clone(),
                    description: description?,
                    agreements: agreements?,
                    facilitation: Facilitation {
                        style: style?,
                        description: facilitation_description?,
                    },
                    focus: focus?,
                    attributes: attributes?,
                    format: format?,
                    language: language?,
                    place: Place {
                        country: country?,
                        region: region?,
                        city: city?,
                    },
                    capacity: capacity?,
                    schedule: Schedule { zone: zone?, rules },
                    hosts: Vec::new(),
                    status: ListingStatus::Pending,
                    source: None,
                    join: join?,
                },
                private: PrivateDetails {
                    call_link: call_link?,
                    dial_in: dial_in?,
                    street_address: street_address?,
                },
            })
        };
        group().ok_or_else(Vec::new)
    }

    fn rules(&self, refusals: &mut Refusals) -> Vec<Rule> {
        let submitted: Vec<&RuleInput> = self.rules.iter().filter(|r| !r.is_blank()).collect();
        if submitted.is_empty() {
            refusals.push("rules", "required");
            return Vec::new();
        }
        if submitted.len() > MAX_RULES {
            refusals.push("rules", "too_many");
            return Vec::new();
        }
        let mut rules = Vec::new();
        for (input, fields) in submitted.into_iter().zip(RULE_FIELDS) {
            if let Some(rule) = rule(input, fields, refusals) {
                rules.push(rule);
            }
        }
        rules
    }
}

/// The join settings: a policy (approval when left empty), an optional
/// question, and two switches; publishing the call link needs an open group.
fn join_settings(input: &GroupInput, refusals: &mut Refusals) -> Option<JoinSettings> {
    let policy = match input.join_policy.trim() {
        "" => Some(JoinPolicy::default()),
        code => refusals
            .check(JoinPolicy::parse(code).ok_or(FieldError::new("join_policy", "invalid_value"))),
    };
    let question = refusals.check(text_within(
        "join_question",
        &input.join_question,
        0,
        crate::membership::limits::QUESTION,
    ));
    let publish_call_link = refusals.check(switch("publish_call_link", &input.publish_call_link));
    let members_visible = refusals.check(switch("members_visible", &input.members_visible));
    if publish_call_link == Some(true) && policy.is_some_and(|p| p != JoinPolicy::Open) {
        refusals.push("publish_call_link", "needs_open_policy");
    }
    // "Open to anyone" says who may come; a group that takes members by
    // invitation only would contradict it on the same page.
    let open_to_anyone = input.attributes.iter().any(|a| a.trim() == "open");
    if open_to_anyone && policy == Some(JoinPolicy::InviteOnly) {
        refusals.push("join_policy", "invite_only_but_open");
    }
    Some(JoinSettings {
        policy: policy?,
        question: question?,
        publish_call_link: publish_call_link?,
        members_visible: members_visible?,
    })
}

mod fields;
mod rule;
pub mod typed;

pub use rule::{RULE_FIELDS, RuleFields, RuleInput};
#[cfg(test)]
mod tests;
