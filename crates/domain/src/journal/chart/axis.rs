//! The charts' frame and scales: where a day falls across, where a value
//! falls down, and the ticks of both axes. Every chart shares [`WIDTH`] and
//! the same [`Span`], so one day falls at the same x in each: mood and
//! sleep sit on the doses' time axis.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};

use super::super::day_number;

/// The width of every chart, in the SVG's own units.
pub const WIDTH: i32 = 560;
/// Room at the left for the value labels.
pub const LEFT: i32 = 44;
/// Room at the right, so the last date label fits.
pub const RIGHT: i32 = 14;
/// Room above the plot, for the top value label.
pub const TOP: i32 = 10;
/// The plot's height.
pub const PLOT_HEIGHT: i32 = 110;
/// Room under the plot for the date labels.
pub const BOTTOM: i32 = 26;
/// The whole height of a chart.
pub const HEIGHT: i32 = TOP + PLOT_HEIGHT + BOTTOM;
/// The plot's width: the time axis runs from [`LEFT`] across this.
pub const PLOT_WIDTH: i32 = WIDTH - LEFT - RIGHT;
/// How close to either end of the time axis a date label may sit before
/// it would run off the chart.
const LABEL_ROOM: i64 = 16;

/// A coordinate in the SVG's units, held in tenths so that tests compare
/// exactly and the markup stays short (`123.4`, `56`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Coord(i64);

impl Coord {
    /// A coordinate of `tenths` tenths of a unit.
    pub fn from_tenths(tenths: i64) -> Self {
        Self(tenths)
    }

    /// In tenths of a unit.
    pub fn tenths(self) -> i64 {
        self.0
    }

    fn units(units: i32) -> Self {
        Self(i64::from(units) * 10)
    }
}

impl std::fmt::Display for Coord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        if abs % 10 == 0 {
            write!(f, "{sign}{}", abs / 10)
        } else {
            write!(f, "{sign}{}.{}", abs / 10, abs % 10)
        }
    }
}

/// A point of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// Across: the day.
    pub x: Coord,
    /// Down: the value (smaller is higher).
    pub y: Coord,
}

/// `numerator / denominator`, rounded half up; both non-negative.
fn ratio(numerator: i64, denominator: i64) -> i64 {
    (2 * numerator + denominator) / (2 * denominator.max(1))
}

/// The days a chart covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first day.
    pub from: Date,
    /// The last day: today.
    pub to: Date,
}

impl Span {
    /// How many days it covers (at least one).
    pub fn days(&self) -> i64 {
        (day_number(self.to) - day_number(self.from) + 1).max(1)
    }

    /// Whether `day` is one of its days.
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }

    /// Where `day` begins across, clamped to the plot: a day before the
    /// span begins at its left edge, one after it at its right.
    pub fn x_start(&self, day: Date) -> Coord {
        let offset = (day_number(day) - day_number(self.from)).clamp(0, self.days());
        Coord(i64::from(LEFT) * 10 + ratio(offset * i64::from(PLOT_WIDTH) * 10, self.days()))
    }

    /// The middle of `day` across, where its readings are drawn.
    pub fn x_middle(&self, day: Date) -> Coord {
        let offset = (day_number(day) - day_number(self.from)).clamp(0, self.days() - 1);
        let doubled = (2 * offset + 1) * i64::from(PLOT_WIDTH) * 10;
        Coord(i64::from(LEFT) * 10 + ratio(doubled, 2 * self.days()))
    }

    /// The right edge of the plot: the end of the last day.
    pub fn x_end(&self) -> Coord {
        Coord::units(LEFT + PLOT_WIDTH)
    }
}

/// How a date tick is labelled, for the page to put in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickLabel {
    /// `8 Jun`: weekly ticks.
    DayMonth,
    /// `Jun`: monthly ticks.
    Month,
    /// `Jan 2027`: a monthly or quarterly tick at a year's start.
    MonthYear,
    /// `2027`: yearly ticks.
    Year,
}

/// A tick of the time axis, at the start of its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XTick {
    /// The day it marks.
    pub day: Date,
    /// Where.
    pub x: Coord,
    /// How to label it.
    pub label: TickLabel,
}

/// A month's tick says its year only in January, so labels stay short
/// enough not to meet on a phone.
fn month_label(day: Date) -> TickLabel {
    if day.month() == 1 {
        TickLabel::MonthYear
    } else {
        TickLabel::Month
    }
}

/// The time axis's ticks: Mondays for a month or two, the first of each
/// month up to about eight months, of each quarter up to two years, and
/// of every year (or every few years) beyond — about eight at most, so
/// their labels never overlap. A tick too near either end for its label
/// is left out.
pub fn time_ticks(span: &Span) -> Vec<XTick> {
    let days = span.days();
    let first_of_month = |from: Date| {
        if from.day() == 1 {
            from
        } else {
            from.first_of_month().saturating_add(1.month())
        }
    };
    let (mut day, every, label): (Date, jiff::Span, fn(Date) -> TickLabel) = if days <= 62 {
        let monday = if span.from.weekday() == Weekday::Monday {
            span.from
        } else {
            span.from
                .nth_weekday(1, Weekday::Monday)
                .unwrap_or(span.from)
        };
        (monday, 7.days(), |_| TickLabel::DayMonth)
    } else if days <= 250 {
        (first_of_month(span.from), 1.month(), month_label)
    } else if days <= 800 {
        let mut start = first_of_month(span.from);
        while (start.month() - 1) % 3 != 0 {
            start = start.saturating_add(1.month());
        }
        (start, 3.months(), month_label)
    } else {
        let years = days / 365 + 1;
        let step = i16::try_from((years + 6) / 7).unwrap_or(1).max(1);
        let mut year = span.from.year();
        while year % step != 0 {
            year += 1;
        }
        (date(year, 1, 1), step.years(), |_| TickLabel::Year)
    };
    let left = i64::from(LEFT) * 10 + LABEL_ROOM * 10;
    let right = i64::from(LEFT + PLOT_WIDTH) * 10 - LABEL_ROOM * 10;
    let mut ticks = Vec::new();
    while day <= span.to {
        let x = span.x_start(day);
        if day >= span.from && (left..=right).contains(&x.0) {
            ticks.push(XTick {
                day,
                x,
                label: label(day),
            });
        }
        let next = day.saturating_add(every);
        if next == day {
            break;
        }
        day = next;
    }
    ticks
}

/// A tick of a value axis: a horizontal line and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YTick {
    /// Where.
    pub y: Coord,
    /// The value, as a number (`37.5`, `8`).
    pub label: String,
}

/// A value axis from zero (or `base`) up to `top`, in the value's own
/// integer units (thousandths of a dose, half hours, tenths of a mood).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    base: u64,
    top: u64,
}

impl Scale {
    /// From `base` (at the plot's bottom) to `top` (at its top).
    pub fn new(base: u64, top: u64) -> Self {
        Self {
            base,
            top: top.max(base + 1),
        }
    }

    /// Where `value` falls down, clamped to the plot.
    pub fn y(&self, value: u64) -> Coord {
        let above = value.clamp(self.base, self.top) - self.base;
        let height = i64::from(PLOT_HEIGHT) * 10;
        let range = i64::try_from(self.top - self.base).unwrap_or(i64::MAX);
        let raised = ratio(
            i64::try_from(above)
                .unwrap_or(i64::MAX)
                .saturating_mul(height),
            range,
        );
        Coord(i64::from(TOP + PLOT_HEIGHT) * 10 - raised)
    }

    /// Ticks every `step` from the base to the top, labelled by `label`.
    pub fn ticks(&self, step: u64, label: impl Fn(u64) -> String) -> Vec<YTick> {
        let mut value = self.base;
        let mut ticks = Vec::new();
        while value <= self.top {
            ticks.push(YTick {
                y: self.y(value),
                label: label(value),
            });
            value += step.max(1);
        }
        ticks
    }
}

/// A round step (1, 2 or 5 times a power of ten) and the top it reaches:
/// the smallest such step that covers `max` in at most four of them.
pub fn round_top(max: u64) -> (u64, u64) {
    let mut power = 1_u64;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if max.div_ceil(step) <= 4 {
                return (step, max.div_ceil(step).max(1) * step);
            }
        }
        power = power.saturating_mul(10);
    }
}
