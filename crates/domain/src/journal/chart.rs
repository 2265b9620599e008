//! The journal's charts as geometry: from the check-ins and dose changes
//! a member could open, for a range ending today, where every line, dot
//! and tick falls, and the figures the summary puts in words. Pages draw
//! it as SVG; nothing here knows markup or words.
//!
//! - Every chart shares one time axis ([`axis::Span`], [`axis::WIDTH`]):
//!   a day falls at the same x in each, so mood and sleep sit beneath the
//!   doses on the same days.
//! - A medicine's dose is a step line: a dose holds from the day it began
//!   until the next change (the one in force when the range begins is
//!   drawn from its left edge). **A medicine noted in more than one unit
//!   gets one line per unit**, each on its own axis: amounts in different
//!   units (tablets, ml) cannot share one, and converting between them
//!   would be a dose calculation kith never makes. A unit's line is blank
//!   while another unit is in force.
//! - Mood (1–5) and sleep (hours) are one point per day — the mean when a
//!   day has several check-ins — joined by a line unless more than
//!   [`series::GAP_DAYS`] apart.
//! - An entry that could not be opened is never drawn: a check-in is left
//!   out, a dose leaves its stretch blank; both are counted.
//!
//! kith never suggests a dose: this only draws what was written.

pub mod axis;
mod series;

use jiff::ToSpan;
use jiff::civil::Date;

pub use axis::{Coord, Point, Span, TickLabel, XTick, YTick};
pub use series::{DoseLine, DoseSummary, GAP_DAYS, Series};

use super::taper::{Amount, Unit};
use super::{Mood, Sleep};

/// How far back the charts look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Range {
    /// The last month.
    Month,
    /// The last six months: what the charts open with.
    #[default]
    SixMonths,
    /// Everything, from the earliest entry (at least the last month).
    All,
}

impl Range {
    /// Every range, shortest first.
    pub const ALL: [Range; 3] = [Range::Month, Range::SixMonths, Range::All];

    /// `month`, `six_months` or `all`; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "month" => Some(Self::Month),
            "six_months" => Some(Self::SixMonths),
            "all" => Some(Self::All),
            _ => None,
        }
    }

    /// Its code, as in a link.
    pub fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::SixMonths => "six_months",
            Self::All => "all",
        }
    }

    /// The days it covers, ending `today`; `earliest` is the day of the
    /// earliest entry (for [`Range::All`]).
    pub fn span(self, today: Date, earliest: Option<Date>) -> Span {
        let month_ago = today.saturating_sub(1.month());
        let from = match self {
            Self::Month => month_ago,
            Self::SixMonths => today.saturating_sub(6.months()),
            Self::All => earliest.map_or(month_ago, |day| day.min(month_ago)),
        };
        Span { from, to: today }
    }
}

/// What a check-in draws: its mood and hours slept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// How the day felt.
    pub mood: Mood,
    /// Hours slept, if told.
    pub sleep: Option<Sleep>,
}

/// A check-in, for the charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinPoint {
    /// The day it is about.
    pub day: Date,
    /// What it says; `None` when it could not be opened.
    pub reading: Option<Reading>,
}

/// A dose change, for the charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DosePoint {
    /// The day the dose began.
    pub day: Date,
    /// Amount and unit; `None` when it could not be opened.
    pub dose: Option<(Amount, Unit)>,
}

/// A number with one decimal, in tenths: `3.4`, `7.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tenths(pub u64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// Mood over the span, across every opened check-in in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoodSummary {
    /// The mean level.
    pub average: Tenths,
    /// The lowest.
    pub lowest: Mood,
    /// The highest.
    pub highest: Mood,
}

/// Sleep over the span, across every opened check-in that told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SleepSummary {
    /// The mean, in hours.
    pub average: Tenths,
    /// The shortest night.
    pub shortest: Sleep,
    /// The longest.
    pub longest: Sleep,
}

/// The check-ins' figures for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Opened check-ins in the span.
    pub checkins: usize,
    /// Days in the span with at least one opened check-in.
    pub days: usize,
    /// Check-ins in the span that could not be opened (not drawn).
    pub unopened: usize,
    /// Mood, when any check-in was opened.
    pub mood: Option<MoodSummary>,
    /// Sleep, when any told it.
    pub sleep: Option<SleepSummary>,
}

/// One medicine's chart: a line per unit, and its summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseChart {
    /// Its lines, one per unit, in the order first drawn; none when no
    /// dose held in the span.
    pub lines: Vec<DoseLine>,
    /// Its figures.
    pub summary: DoseSummary,
}

/// Every chart for a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charts {
    /// The range asked for.
    pub range: Range,
    /// The days drawn.
    pub span: Span,
    /// The time axis, shared by every chart.
    pub ticks: Vec<XTick>,
    /// Each medicine's chart, in the order given.
    pub medicines: Vec<DoseChart>,
    /// Mood by day.
    pub mood: Series,
    /// Sleep by day.
    pub sleep: Series,
    /// The check-ins' figures.
    pub summary: Summary,
}

/// The earliest day of any entry: where [`Range::All`] begins.
pub fn earliest(checkins: &[CheckinPoint], medicines: &[Vec<DosePoint>]) -> Option<Date> {
    checkins
        .iter()
        .map(|c| c.day)
        .chain(medicines.iter().flatten().map(|d| d.day))
        .min()
}

/// The charts of `range` ending `today`, from the member's check-ins and
/// each medicine's dose changes (any order; doses before the span are
/// needed for the dose in force when it begins).
pub fn charts(
    range: Range,
    today: Date,
    checkins: &[CheckinPoint],
    medicines: &[Vec<DosePoint>],
) -> Charts {
    let span = range.span(today, earliest(checkins, medicines));
    let days = series::days(&span, checkins);
    let opened: Vec<Reading> = checkins
        .iter()
        .filter(|c| span.contains(c.day))
        .filter_map(|c| c.reading)
        .collect();
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let mood = series::spread(opened.iter().map(|r| r.mood)).map(|(lowest, highest)| {
        let sum: u64 = opened.iter().map(|r| u64::from(r.mood.level())).sum();
        MoodSummary {
            average: Tenths(series::tenths(sum, count(opened.len()))),
            lowest,
            highest,
        }
    });
    let sleeps: Vec<Sleep> = opened.iter().filter_map(|r| r.sleep).collect();
    let sleep = series::spread(sleeps.iter().copied()).map(|(shortest, longest)| {
        let half_hours: u64 = sleeps.iter().map(|s| u64::from(s.half_hours())).sum();
        SleepSummary {
            // Half hours to hours: a mean of 13 half hours is 6.5 hours.
            average: Tenths(series::tenths(half_hours, count(sleeps.len()) * 2)),
            shortest,
            longest,
        }
    });
    let summary = Summary {
        checkins: opened.len(),
        days: days.len(),
        unopened: checkins
            .iter()
            .filter(|c| span.contains(c.day) && c.reading.is_none())
            .count(),
        mood,
        sleep,
    };
    Charts {
        range,
        span,
        ticks: axis::time_ticks(&span),
        medicines: medicines
            .iter()
            .map(|doses| {
                let (lines, summary) = series::dose_lines(&span, doses);
                DoseChart { lines, summary }
            })
            .collect(),
        mood: series::mood(&span, &days),
        sleep: series::sleep(&span, &days),
        summary,
    }
}

#[cfg(test)]
mod tests;
