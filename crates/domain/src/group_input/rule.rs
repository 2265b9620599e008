//! One schedule rule as submitted, and its check into a [`Rule`]: weekly,
//! every N weeks, the nth weekday of a month, or once.

use serde::{Deserialize, Serialize};

use super::MAX_RULES;
use super::fields::date;
use crate::schedule::{
    MAX_INTERVAL_WEEKS, MeetingDuration, MonthWeeks, Recurrence, Rule, WeekdaySet, parse_local_time,
};
use crate::validation::{FieldError, Refusals};

/// One schedule rule as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleInput {
    /// `weekly` (the default), `every_n_weeks`, `monthly` or `once`.
    pub kind: String,
    /// Weekdays 0–6, Sunday 0, in the group's zone (one for `monthly`; none
    /// for `once`).
    #[serde(deserialize_with = "super::fields::loose_strings")]
    pub weekdays: Vec<String>,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Minutes, 15–720.
    #[serde(deserialize_with = "super::fields::loose_string")]
    pub duration_minutes: String,
    /// First local date, `YYYY-MM-DD`, optional.
    #[serde(deserialize_with = "super::fields::loose_string")]
    pub first_date: String,
    /// Last local date, `YYYY-MM-DD`, optional.
    #[serde(deserialize_with = "super::fields::loose_string")]
    pub last_date: String,
    /// `every_n_weeks`: 2–8.
    #[serde(deserialize_with = "super::fields::loose_string")]
    pub interval_weeks: String,
    /// `every_n_weeks`: a date in a week the series meets (default: the
    /// first date).
    #[serde(deserialize_with = "super::fields::loose_string")]
    pub anchor_date: String,
    /// `monthly`: which of the month's weekdays, `1`–`4` or `last`.
    #[serde(deserialize_with = "super::fields::loose_strings")]
    pub month_weeks: Vec<String>,
    /// `once`: the date, `YYYY-MM-DD`.
    #[serde(deserialize_with = "super::fields::loose_string")]
    pub date: String,
}

/// The field names of one rule, as forms and problem documents spell them.
#[derive(Debug, Clone, Copy)]
pub struct RuleFields {
    /// `rules[i].kind`
    pub kind: &'static str,
    /// `rules[i].interval_weeks`
    pub interval_weeks: &'static str,
    /// `rules[i].anchor_date`
    pub anchor_date: &'static str,
    /// `rules[i].month_weeks`
    pub month_weeks: &'static str,
    /// `rules[i].date`
    pub date: &'static str,
    /// `rules[i].weekdays`
    pub weekdays: &'static str,
    /// `rules[i].start`
    pub start: &'static str,
    /// `rules[i].duration_minutes`
    pub duration_minutes: &'static str,
    /// `rules[i].first_date`
    pub first_date: &'static str,
    /// `rules[i].last_date`
    pub last_date: &'static str,
}

macro_rules! rule_fields {
    ($($i:literal),*) => {
        [$(RuleFields {
            kind: concat!("rules[", $i, "].kind"),
            interval_weeks: concat!("rules[", $i, "].interval_weeks"),
            anchor_date: concat!("rules[", $i, "].anchor_date"),
            month_weeks: concat!("rules[", $i, "].month_weeks"),
            date: concat!("rules[", $i, "].date"),
            weekdays: concat!("rules[", $i, "].weekdays"),
            start: concat!("rules[", $i, "].start"),
            duration_minutes: concat!("rules[", $i, "].duration_minutes"),
            first_date: concat!("rules[", $i, "].first_date"),
            last_date: concat!("rules[", $i, "].last_date"),
        }),*]
    };
}

/// The field names of each rule position.
pub const RULE_FIELDS: [RuleFields; MAX_RULES] = rule_fields!(0, 1, 2, 3, 4, 5, 6, 7);

/// Which dates a rule falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Weekly,
    EveryNWeeks,
    Monthly,
    Once,
}

impl RuleInput {
    /// Records one form field of this rule (`weekdays`, `start`, …).
    pub(super) fn set(&mut self, field: &str, value: String) {
        match field {
            "kind" => self.kind = value,
            "weekdays" => self.weekdays.push(value),
            "start" => self.start = value,
            "duration_minutes" => self.duration_minutes = value,
            "first_date" => self.first_date = value,
            "last_date" => self.last_date = value,
            "interval_weeks" => self.interval_weeks = value,
            "anchor_date" => self.anchor_date = value,
            "month_weeks" => self.month_weeks.push(value),
            "date" => self.date = value,
            _ => {}
        }
    }

    /// Whether nothing that describes a meeting was filled in (a form's
    /// spare row); the kind alone does not count.
    pub(super) fn is_blank(&self) -> bool {
        RuleInput {
            kind: String::new(),
            ..self.clone()
        } == RuleInput::default()
    }
}

/// Checks one rule, recording refusals under its own field names.
pub(super) fn rule(input: &RuleInput, fields: RuleFields, refusals: &mut Refusals) -> Option<Rule> {
    let kind = match input.kind.trim() {
        "" | "weekly" => Some(Kind::Weekly),
        "every_n_weeks" => Some(Kind::EveryNWeeks),
        "monthly" => Some(Kind::Monthly),
        "once" => Some(Kind::Once),
        _ => {
            refusals.push(fields.kind, "invalid_value");
            None
        }
    };
    let days: Option<Vec<_>> = input
        .weekdays
        .iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| crate::directory::day_from_code(d.trim()))
        .collect();
    let weekdays = match (days, kind) {
        (_, Some(Kind::Once)) => Some(WeekdaySet::default()),
        (None, _) => {
            refusals.push(fields.weekdays, "invalid_value");
            None
        }
        (Some(days), _) if days.is_empty() => {
            refusals.push(fields.weekdays, "required");
            None
        }
        (Some(days), Some(Kind::Monthly)) if days.len() > 1 => {
            refusals.push(fields.weekdays, "one_weekday");
            None
        }
        (Some(days), _) => Some(WeekdaySet::of(days)),
    };
    let local_time = refusals.check(
        parse_local_time(input.start.trim())
            .map_err(|_| FieldError::new(fields.start, "invalid_time")),
    );
    let duration = refusals.check(
        input
            .duration_minutes
            .trim()
            .parse::<u16>()
            .ok()
            .and_then(|m| MeetingDuration::from_minutes(m).ok())
            .ok_or(FieldError::new(fields.duration_minutes, "out_of_range")),
    );
    let first_date = refusals.check(date(fields.first_date, &input.first_date));
    let last_date = refusals.check(date(fields.last_date, &input.last_date));
    if let (Some(Some(first)), Some(Some(last))) = (first_date, last_date) {
        if last < first {
            refusals.push(fields.last_date, "before_first_date");
            return None;
        }
    }
    let recurrence = match kind? {
        Kind::Weekly => Some(Recurrence::Weekly {
            weekdays: weekdays?,
        }),
        Kind::EveryNWeeks => {
            let interval = refusals.check(
                input
                    .interval_weeks
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (2..=MAX_INTERVAL_WEEKS).contains(n))
                    .ok_or(FieldError::new(fields.interval_weeks, "out_of_range")),
            );
            let anchor = refusals
                .check(date(fields.anchor_date, &input.anchor_date))
                .map(|anchor| anchor.or(first_date.flatten()));
            let anchor = match anchor {
                Some(None) => {
                    refusals.push(fields.anchor_date, "required");
                    None
                }
                other => other.flatten(),
            };
            Some(Recurrence::EveryNWeeks {
                weekdays: weekdays?,
                interval: interval?,
                anchor: anchor?,
            })
        }
        Kind::Monthly => {
            let positions: Option<Vec<u8>> = input
                .month_weeks
                .iter()
                .map(|w| w.trim())
                .filter(|w| !w.is_empty())
                .map(|w| match w {
                    "last" => Some(MonthWeeks::LAST),
                    n => n.parse::<u8>().ok().filter(|n| (1..=4).contains(n)),
                })
                .collect();
            let weeks = match positions {
                None => {
                    refusals.push(fields.month_weeks, "invalid_value");
                    None
                }
                Some(p) if p.is_empty() => {
                    refusals.push(fields.month_weeks, "required");
                    None
                }
                Some(p) => Some(MonthWeeks::of(p)),
            };
            let weekday = weekdays?.days().first().copied();
            Some(Recurrence::Monthly {
                weekday: weekday?,
                weeks: weeks?,
            })
        }
        Kind::Once => match refusals.check(date(fields.date, &input.date)) {
            Some(Some(on)) => Some(Recurrence::Once { date: on }),
            Some(None) => {
                refusals.push(fields.date, "required");
                None
            }
            None => None,
        },
    };
    Some(Rule {
        id: None,
        recurrence: recurrence?,
        local_time: local_time?,
        duration: duration?,
        first_date: first_date?,
        last_date: last_date?,
    })
}

/// `rules[3].start` → `(3, "start")`.
pub(super) fn rule_key(key: &str) -> Option<(usize, &str)> {
    let rest = key.strip_prefix("rules[")?;
    let (index, field) = rest.split_once("].")?;
    let index: usize = index.parse().ok()?;
    (index < MAX_RULES * 2).then_some((index, field))
}
