//! The Meeting Guide JSON feed (`code4recovery/spec`), so existing meeting
//! finders can list kith's groups. One object per weekly rule of a listed
//! group; other kinds of rule (every N weeks, monthly, once) have no form in
//! the spec and are left out. No call link, dial-in or street address —
//! unless the host of an open group chose to publish them; otherwise `url`
//! is the group's page, where one asks to join.

use kith_domain::group::{Focus, Format};
use kith_domain::meeting_guide::{attribute_code, language_code};
use kith_domain::schedule::Recurrence;
use kith_store::FeedGroup;
use serde::Serialize;

use crate::markdown::to_plain_text;

/// One meeting in the feed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Meeting {
    /// The group's name.
    pub name: String,
    /// The group's slug; `-2`, `-3`… for its further weekly rules.
    pub slug: String,
    /// 0–6, Sunday 0, in the group's zone; an array for several weekdays.
    pub day: serde_json::Value,
    /// `HH:MM`, in the group's zone.
    pub time: String,
    /// `HH:MM`, in the group's zone.
    pub end_time: String,
    /// The group's IANA zone.
    pub timezone: String,
    /// Spec type codes for attributes and language.
    pub types: Vec<String>,
    /// Plain text: the focus, then the description.
    pub notes: String,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    pub updated: String,
    /// The group's page.
    pub url: String,
    /// The city, if public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The region, if public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2, if public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The street address, only when its host published it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether the place is only approximate: `yes` unless the host
    /// published the street address.
    pub approximate: String,
    /// The call link, only when its host published it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conference_url: Option<String>,
    /// The dial-in, only when its host published it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conference_phone: Option<String>,
}

/// Words the feed uses, from the web layer's catalogue.
pub trait FocusWords: Sync {
    /// "Focus:" in the reader's words.
    fn focus_label(&self) -> &str;
    /// A focus kind's name.
    fn focus_name(&self, focus: Focus) -> &str;
}

/// The feed's meetings for these groups.
pub fn meetings(groups: &[FeedGroup], site: &str, words: &dyn FocusWords) -> Vec<Meeting> {
    let mut out = Vec::new();
    for group in groups {
        let mut types: Vec<String> = group
            .attributes
            .iter()
            .filter_map(|a| attribute_code(*a))
            .map(str::to_owned)
            .collect();
        if let Some(code) = language_code(&group.language) {
            types.push(code.to_owned());
        }
        let focus: Vec<&str> = group.focus.iter().map(|f| words.focus_name(*f)).collect();
        let notes = format!(
            "{} {}\n\n{}",
            words.focus_label(),
            focus.join(", "),
            to_plain_text(&group.description)
        );
        let weekly = group
            .schedule
            .rules
            .iter()
            .filter_map(|rule| match rule.recurrence {
                Recurrence::Weekly { weekdays } => Some((rule, weekdays)),
                _ => None,
            });
        for (n, (rule, weekdays)) in weekly.enumerate() {
            let days: Vec<i8> = weekdays
                .days()
                .iter()
                .map(|d| d.to_sunday_zero_offset())
                .collect();
            let in_person = matches!(group.format, Format::InPerson | Format::Hybrid);
            out.push(Meeting {
                name: group.name.clone(),
                slug: if n == 0 {
                    group.slug.to_string()
                } else {
                    format!("{}-{}", group.slug, n + 1)
                },
                day: match days.as_slice() {
                    [one] => serde_json::json!(one),
                    many => serde_json::json!(many),
                },
                time: rule.local_time.strftime("%H:%M").to_string(),
                end_time: rule.local_end_time().strftime("%H:%M").to_string(),
                timezone: group.schedule.zone.name().to_owned(),
                types: types.clone(),
                notes: notes.clone(),
                updated: group.updated_at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                url: format!("{site}/groups/{}", group.slug),
                city: group.place.city.clone().filter(|_| in_person),
                region: group.place.region.clone(),
                country: group.place.country.clone(),
                address: group.published.street_address.clone(),
                approximate: if group.published.street_address.is_some() {
                    "no"
                } else {
                    "yes"
                }
                .to_owned(),
                conference_url: group.published.call_link.clone(),
                conference_phone: group.published.dial_in.clone(),
            });
        }
    }
    out
}
