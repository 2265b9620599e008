//! The private journal and taper log: what a check-in, a medicine and a
//! dose change may hold, and the step between two doses. Everything here
//! is what the member writes; the app seals it before the store sees it.
//!
//! kith never suggests a dose: the only arithmetic on doses is
//! [`step`], the change from the previous dose as a percentage of it
//! (`taper`: medicines, doses and steps). [`chart`] draws what was
//! written, as geometry for the charts page.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, Refusals, text_within};
use crate::zone::Zone;

/// The earliest day an entry may be for.
pub const FIRST_DAY: Date = date(1900, 1, 1);
/// The longest note of a check-in, in characters.
pub const NOTE_MAX: usize = 4000;
/// The longest note of a dose change, in characters.
pub const DOSE_NOTE_MAX: usize = 1000;
/// The longest symptom tag, in characters.
pub const TAG_MAX: usize = 40;
/// How many symptom tags one check-in may carry.
pub const TAGS_MAX: usize = 20;
/// The longest medicine name, in characters.
pub const MEDICINE_NAME_MAX: usize = 80;
/// The longest unit of one's own, in characters.
pub const UNIT_MAX: usize = 16;
/// The largest dose, in thousandths of a unit (10,000 of any unit): above
/// it a number is a slip of the keyboard, not a dose.
pub const AMOUNT_MAX_MILLI: u64 = 10_000_000;

/// Today in `zone`: the latest day an entry may be for.
pub fn today(now: Timestamp, zone: &Zone) -> Date {
    now.to_zoned(zone.tz().clone()).date()
}

/// A day as typed (`YYYY-MM-DD`), neither after `today` nor before
/// [`FIRST_DAY`].
pub fn parse_day(field: &'static str, raw: &str, today: Date) -> Result<Date, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    let day: Date = raw
        .parse()
        .map_err(|_| FieldError::new(field, "invalid_date"))?;
    if day > today {
        Err(FieldError::new(field, "in_future"))
    } else if day < FIRST_DAY {
        Err(FieldError::new(field, "too_early"))
    } else {
        Ok(day)
    }
}

/// A day as the store keeps it: days since 1970-01-01 (negative before),
/// so ranges and order are integer comparisons on both databases.
pub fn day_number(day: Date) -> i64 {
    i64::from(
        day.since(date(1970, 1, 1))
            .map(|span| span.get_days())
            .unwrap_or_default(),
    )
}

/// The day a stored day number names; `None` outside jiff's range.
pub fn day_from_number(number: i64) -> Option<Date> {
    let days = i32::try_from(number).ok()?;
    date(1970, 1, 1)
        .checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

/// How the day felt, 1 (worst) to 5 (best). Pages show words for each
/// level ([`Mood::code`]), never only a number or a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Mood(u8);

impl Mood {
    /// A level in 1..=5.
    pub fn new(level: u8) -> Option<Self> {
        (1..=5).contains(&level).then_some(Self(level))
    }

    /// The level, 1..=5.
    pub fn level(self) -> u8 {
        self.0
    }

    /// The level's stable code, for its words in the messages.
    pub fn code(self) -> &'static str {
        match self.0 {
            1 => "very_low",
            2 => "low",
            3 => "middling",
            4 => "good",
            _ => "very_good",
        }
    }

    /// Every level, worst first.
    pub fn all() -> impl Iterator<Item = Self> {
        (1..=5).map(Self)
    }

    fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::new("mood", "required"));
        }
        raw.parse::<u8>()
            .ok()
            .and_then(Self::new)
            .ok_or(FieldError::new("mood", "out_of_range"))
    }
}

impl TryFrom<u8> for Mood {
    type Error = &'static str;

    fn try_from(level: u8) -> Result<Self, Self::Error> {
        Self::new(level).ok_or("mood out of range")
    }
}

impl From<Mood> for u8 {
    fn from(mood: Mood) -> Self {
        mood.0
    }
}

/// Hours slept, in half hours (0 to 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Sleep(u8);

impl Sleep {
    /// `half_hours` in 0..=48.
    pub fn from_half_hours(half_hours: u8) -> Option<Self> {
        (half_hours <= 48).then_some(Self(half_hours))
    }

    /// In half hours.
    pub fn half_hours(self) -> u8 {
        self.0
    }

    /// As typed back into a form: `7` or `7.5`.
    pub fn hours_text(self) -> String {
        if self.0 % 2 == 0 {
            format!("{}", self.0 / 2)
        } else {
            format!("{}.5", self.0 / 2)
        }
    }

    /// Hours as typed (`7`, `7.5`, `7,5`); empty is no answer.
    fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        let refuse = |code| FieldError::new("hours_slept", code);
        let raw = raw.trim().replace(',', ".");
        if raw.is_empty() {
            return Ok(None);
        }
        let milli = parse_thousandths(&raw).map_err(|e| match e {
            Number::Malformed | Number::TooPrecise => refuse("not_a_number"),
            Number::Negative => refuse("out_of_range"),
        })?;
        if milli > 24_000 {
            return Err(refuse("out_of_range"));
        }
        if milli % 500 != 0 {
            return Err(refuse("half_hours_only"));
        }
        let half_hours = u8::try_from(milli / 500).map_err(|_| refuse("out_of_range"))?;
        Ok(Self::from_half_hours(half_hours))
    }
}

impl TryFrom<u8> for Sleep {
    type Error = &'static str;

    fn try_from(half_hours: u8) -> Result<Self, Self::Error> {
        Self::from_half_hours(half_hours).ok_or("sleep out of range")
    }
}

impl From<Sleep> for u8 {
    fn from(sleep: Sleep) -> Self {
        sleep.0
    }
}

/// A check-in as the member typed it (form fields as text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckinInput {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `1`…`5`.
    pub mood: String,
    /// Hours, in halves; may be empty.
    pub hours_slept: String,
    /// The member's own symptom tags.
    pub symptoms: Vec<String>,
    /// A free note; may be empty.
    pub note: String,
}

/// A check-in's words and numbers: what is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinContent {
    /// How the day felt; the one thing a check-in must have.
    pub mood: Mood,
    /// Hours slept, if told.
    pub sleep: Option<Sleep>,
    /// Symptom tags, trimmed, each once (case-insensitively), in the
    /// order typed.
    pub symptoms: Vec<String>,
    /// The note, trimmed; may be empty.
    pub note: String,
}

/// A checked check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    /// The day it is about (kept in clear, for order).
    pub day: Date,
    /// Everything else (sealed).
    pub content: CheckinContent,
}

impl CheckinInput {
    /// The checked check-in, or every refused field at once; `today` is the
    /// member's, in their zone.
    pub fn parse(&self, today: Date) -> Result<Checkin, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let day = refusals.check(parse_day("day", &self.day, today));
        let mood = refusals.check(Mood::parse(&self.mood));
        let sleep = refusals.check(Sleep::parse(&self.hours_slept));
        let symptoms = refusals.check(symptom_tags(&self.symptoms));
        let note = refusals.check(text_within("note", &self.note, 0, NOTE_MAX));
        match (day, mood, sleep, symptoms, note) {
            (Some(day), Some(mood), Some(sleep), Some(symptoms), Some(note)) => Ok(Checkin {
                day,
                content: CheckinContent {
                    mood,
                    sleep,
                    symptoms,
                    note,
                },
            }),
            _ => Err(refusals.finish(|| ()).err().unwrap_or_default()),
        }
    }
}

/// Symptom tags: each trimmed, 1..=40 characters, at most 20, a tag typed
/// twice (in any case) kept once, empty ones dropped.
pub fn symptom_tags(raw: &[String]) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.iter().filter(|t| !t.trim().is_empty()) {
        let tag = text_within("symptoms", tag, 1, TAG_MAX)?;
        if tag.contains('\n') {
            return Err(FieldError::new("symptoms", "invalid_characters"));
        }
        if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            tags.push(tag);
        }
    }
    if tags.len() > TAGS_MAX {
        return Err(FieldError::new("symptoms", "too_many"));
    }
    Ok(tags)
}

/// Common withdrawal symptoms, offered as suggestions and never required;
/// codes for the words in the messages.
pub const SUGGESTED_SYMPTOMS: &[&str] = &[
    "anxiety",
    "insomnia",
    "dizziness",
    "brain_zaps",
    "irritability",
    "low_mood",
    "fatigue",
    "nausea",
    "headache",
    "akathisia",
    "crying_spells",
    "sensory_sensitivity",
];

/// Why a number as typed was refused.
enum Number {
    Malformed,
    TooPrecise,
    Negative,
}

/// `12`, `12.5`, `0.125` in thousandths; no sign, no exponent.
fn parse_thousandths(raw: &str) -> Result<u64, Number> {
    if raw.starts_with('-') {
        return Err(Number::Negative);
    }
    let (whole, part) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && part.is_empty()) || !digits(whole) || !digits(part) {
        return Err(Number::Malformed);
    }
    let part = part.trim_end_matches('0');
    if part.len() > 3 {
        return Err(Number::TooPrecise);
    }
    // A whole part longer than 12 digits is far above any limit below.
    let whole = whole.trim_start_matches('0');
    let whole: u64 = if whole.len() > 12 {
        u64::MAX / 1000
    } else {
        whole.parse().unwrap_or(0)
    };
    let part: u64 = format!("{part:0<3}").parse().unwrap_or(0);
    Ok(whole.saturating_mul(1000).saturating_add(part))
}

pub mod chart;
mod taper;

pub use taper::{
    Amount, Dose, DoseContent, DoseInput, MedicineName, Step, Unit, step, steps, thousandths_text,
};

#[cfg(test)]
mod tests;
