//! The taper log's rules: a medicine's name, a dose change's amount (in
//! thousandths), unit and note, and the step between two doses. kith
//! never suggests a dose: [`step`] is the only arithmetic on doses.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{
    AMOUNT_MAX_MILLI, DOSE_NOTE_MAX, MEDICINE_NAME_MAX, Number, UNIT_MAX, parse_day,
    parse_thousandths,
};
use crate::validation::{FieldError, Refusals, text_within};

/// What a medicine is called, by the member's own name for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MedicineName(String);

impl MedicineName {
    /// A name of 1..=80 characters, trimmed, on one line.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = text_within("name", raw, 1, MEDICINE_NAME_MAX)?;
        if name.contains(['\n', '\t']) {
            return Err(FieldError::new("name", "invalid_characters"));
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An amount of a unit, in thousandths (so `37.5` is 37,500 and two
/// amounts compare exactly): more than zero and at most 10,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Amount(u64);

impl Amount {
    /// An amount in thousandths, within 1..=[`AMOUNT_MAX_MILLI`].
    pub fn from_thousandths(milli: u64) -> Option<Self> {
        (1..=AMOUNT_MAX_MILLI)
            .contains(&milli)
            .then_some(Self(milli))
    }

    /// In thousandths of the unit.
    pub fn thousandths(self) -> u64 {
        self.0
    }

    /// An amount as typed: digits, with `.` or `,` and up to three
    /// decimals.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let refuse = |code| FieldError::new("amount", code);
        let raw = raw.trim().replace(',', ".");
        if raw.is_empty() {
            return Err(refuse("required"));
        }
        let milli = parse_thousandths(&raw).map_err(|e| match e {
            Number::Malformed => refuse("not_a_number"),
            Number::TooPrecise => refuse("too_precise"),
            Number::Negative => refuse("not_positive"),
        })?;
        if milli == 0 {
            Err(refuse("not_positive"))
        } else if milli > AMOUNT_MAX_MILLI {
            Err(refuse("too_large"))
        } else {
            Ok(Self(milli))
        }
    }
}

impl TryFrom<u64> for Amount {
    type Error = &'static str;

    fn try_from(milli: u64) -> Result<Self, Self::Error> {
        Self::from_thousandths(milli).ok_or("amount out of range")
    }
}

impl From<Amount> for u64 {
    fn from(amount: Amount) -> Self {
        amount.0
    }
}

/// Shortest decimal form: `37.5`, `0.125`, `40`.
impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&thousandths_text(self.0))
    }
}

/// A number of thousandths in its shortest decimal form (`37.5`, `0.125`,
/// `40`, `0`): amounts, and the marks of a dose chart's axis.
pub fn thousandths_text(milli: u64) -> String {
    let whole = milli / 1000;
    let part = milli % 1000;
    if part == 0 {
        format!("{whole}")
    } else {
        let decimals = format!("{part:03}");
        format!("{whole}.{}", decimals.trim_end_matches('0'))
    }
}

/// A dose's unit: one of the common ones, or the member's own word (up to
/// 16 characters: `capsules`, `puffs`, `patches`…), since tapering uses
/// forms no list foresees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Unit {
    /// Milligrams.
    Mg,
    /// Micrograms.
    Mcg,
    /// Grams.
    G,
    /// Millilitres.
    Ml,
    /// Drops.
    Drops,
    /// Beads (of a capsule).
    Beads,
    /// Tablets.
    Tablets,
    /// The member's own word, as typed (trimmed).
    Other(String),
}

impl Unit {
    /// The listed units, in the order a form offers them.
    pub const LISTED: [Unit; 7] = [
        Unit::Mg,
        Unit::Mcg,
        Unit::G,
        Unit::Ml,
        Unit::Drops,
        Unit::Beads,
        Unit::Tablets,
    ];

    /// The stored code of a listed unit, or the member's word.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Mg => "mg",
            Self::Mcg => "mcg",
            Self::G => "g",
            Self::Ml => "ml",
            Self::Drops => "drops",
            Self::Beads => "beads",
            Self::Tablets => "tablets",
            Self::Other(word) => word,
        }
    }

    /// A unit as typed: a listed code (any case; `µg` and `ug` are `mcg`)
    /// or a word of one's own.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let word = text_within("unit", raw, 1, UNIT_MAX)?;
        if word.contains(['\n', '\t']) {
            return Err(FieldError::new("unit", "invalid_characters"));
        }
        Ok(Self::from(word))
    }

    /// Whether two units are the same for comparing doses: listed ones by
    /// code, one's own words ignoring case.
    pub fn same_as(&self, other: &Unit) -> bool {
        self.as_str().to_lowercase() == other.as_str().to_lowercase()
    }
}

impl From<String> for Unit {
    fn from(word: String) -> Self {
        match word.to_lowercase().as_str() {
            "mg" => Self::Mg,
            "mcg" | "µg" | "μg" | "ug" => Self::Mcg,
            "g" => Self::G,
            "ml" => Self::Ml,
            "drops" => Self::Drops,
            "beads" => Self::Beads,
            "tablets" => Self::Tablets,
            _ => Self::Other(word),
        }
    }
}

impl From<Unit> for String {
    fn from(unit: Unit) -> Self {
        unit.as_str().to_owned()
    }
}

/// A dose change as the member typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoseInput {
    /// `YYYY-MM-DD`: the day the new dose began.
    pub day: String,
    /// The amount, e.g. `37.5`.
    pub amount: String,
    /// The unit: a listed code or one's own word.
    pub unit: String,
    /// A note; may be empty.
    pub note: String,
}

/// A dose's amount, unit and note: what is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoseContent {
    /// How much.
    pub amount: Amount,
    /// Of what.
    pub unit: Unit,
    /// The note, trimmed; may be empty.
    pub note: String,
}

/// A checked dose change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dose {
    /// The day it began (kept in clear, for order).
    pub day: Date,
    /// Everything else (sealed).
    pub content: DoseContent,
}

impl DoseInput {
    /// The checked dose change, or every refused field at once.
    pub fn parse(&self, today: Date) -> Result<Dose, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let day = refusals.check(parse_day("day", &self.day, today));
        let amount = refusals.check(Amount::parse(&self.amount));
        let unit = refusals.check(Unit::parse(&self.unit));
        let note = refusals.check(text_within("note", &self.note, 0, DOSE_NOTE_MAX));
        match (day, amount, unit, note) {
            (Some(day), Some(amount), Some(unit), Some(note)) => Ok(Dose {
                day,
                content: DoseContent { amount, unit, note },
            }),
            _ => Err(refusals.finish(|| ()).err().unwrap_or_default()),
        }
    }
}

/// A change from one dose to the next, in tenths of a percent of the
/// previous dose: -100 is a 10% reduction, 50 a 5% increase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step(i64);

impl Step {
    /// In tenths of a percent of the previous dose; negative is a
    /// reduction.
    pub fn tenths_of_percent(self) -> i64 {
        self.0
    }
}

/// `-10%`, `+12.5%`, `0%`.
impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = match self.0 {
            n if n < 0 => "-",
            n if n > 0 => "+",
            _ => "",
        };
        let abs = self.0.unsigned_abs();
        if abs % 10 == 0 {
            write!(f, "{sign}{}%", abs / 10)
        } else {
            write!(f, "{sign}{}.{}%", abs / 10, abs % 10)
        }
    }
}

/// The step from `previous` to `current` as a percentage of `previous`,
/// rounded to a tenth (halves away from zero); `None` when there is no
/// previous dose or its unit differs, since a change of form (tablets to
/// ml) has no percentage.
pub fn step(previous: Option<(Amount, &Unit)>, current: (Amount, &Unit)) -> Option<Step> {
    let (before, before_unit) = previous?;
    let (after, after_unit) = current;
    if !before_unit.same_as(after_unit) {
        return None;
    }
    let before = i128::from(before.0);
    let change = (i128::from(after.0) - before) * 1000;
    let rounded = (2 * change + change.signum() * before) / (2 * before);
    i64::try_from(rounded).ok().map(Step)
}

/// The step of each dose of one medicine from the one before it, for doses
/// in the order they were taken.
pub fn steps(doses: &[(Amount, &Unit)]) -> Vec<Option<Step>> {
    let mut previous = None;
    doses
        .iter()
        .map(|&current| {
            let s = step(previous, current);
            previous = Some(current);
            s
        })
        .collect()
}
