//! What is drawn: each medicine's dose as steps, one line per unit, and
//! the day-by-day mood and sleep as points joined by lines.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::axis::{Coord, PLOT_WIDTH, Point, Scale, Span, YTick, round_top};
use super::{CheckinPoint, DosePoint};
use crate::journal::day_number;
use crate::journal::taper::{Amount, Unit, thousandths_text};

/// Readings further apart than this many days are not joined by a line:
/// a line across a gap would draw days nobody noted.
pub const GAP_DAYS: i64 = 7;

/// One unit's dose line of a medicine: the dose holds, as a flat line,
/// from the day it began until the next change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseLine {
    /// The unit every amount on it is in.
    pub unit: Unit,
    /// The SVG path of its steps (`M … H … V …`).
    pub path: String,
    /// A mark where each change in the span begins.
    pub changes: Vec<Point>,
    /// Its value axis, from zero.
    pub ticks: Vec<YTick>,
}

/// A stretch of the span over which one dose held.
struct Held {
    from: Coord,
    until: Coord,
    day: Date,
    dose: Option<(Amount, Unit)>,
}

/// The stretches each dose held within `span`: from the dose in force when
/// it began (the last before it), through every change in it, to its end.
fn held(span: &Span, doses: &[DosePoint]) -> Vec<Held> {
    let mut sorted: Vec<&DosePoint> = doses.iter().filter(|d| d.day <= span.to).collect();
    // Stable: two changes on one day keep the order they were written in,
    // and the later one holds.
    sorted.sort_by_key(|d| d.day);
    let first = sorted
        .iter()
        .rposition(|d| d.day < span.from)
        .unwrap_or_default();
    let drawn = sorted.get(first..).unwrap_or_default();
    drawn
        .iter()
        .enumerate()
        .map(|(i, dose)| Held {
            from: span.x_start(dose.day),
            until: drawn
                .get(i + 1)
                .map_or_else(|| span.x_end(), |next| span.x_start(next.day)),
            day: dose.day,
            dose: dose.dose.clone(),
        })
        .collect()
}

/// What the summary says of one medicine in the span.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DoseSummary {
    /// The first dose drawn: the one in force when the span began, or its
    /// first change.
    pub first: Option<(Amount, Unit)>,
    /// The last dose drawn: the one in force today.
    pub last: Option<(Amount, Unit)>,
    /// Changes that began within the span (and could be opened).
    pub changes: usize,
    /// Doses drawn in the span that could not be opened: their stretch is
    /// left blank.
    pub unopened: usize,
}

/// A medicine's lines, one per unit in the order first drawn, and its
/// summary. A stretch whose dose could not be opened is left blank.
pub fn dose_lines(span: &Span, doses: &[DosePoint]) -> (Vec<DoseLine>, DoseSummary) {
    let stretches = held(span, doses);
    let mut summary = DoseSummary::default();
    let mut by_unit: Vec<(Unit, Vec<(&Held, Amount)>)> = Vec::new();
    for stretch in &stretches {
        let Some((amount, unit)) = &stretch.dose else {
            summary.unopened += 1;
            continue;
        };
        if summary.first.is_none() {
            summary.first = Some((*amount, unit.clone()));
        }
        summary.last = Some((*amount, unit.clone()));
        if span.contains(stretch.day) {
            summary.changes += 1;
        }
        match by_unit.iter_mut().find(|(u, _)| u.same_as(unit)) {
            Some((_, line)) => line.push((stretch, *amount)),
            None => by_unit.push((unit.clone(), vec![(stretch, *amount)])),
        }
    }
    let lines = by_unit
        .into_iter()
        .map(|(unit, stretches)| {
            let max = stretches
                .iter()
                .map(|(_, a)| a.thousandths())
                .max()
                .unwrap_or(1);
            let (step, top) = round_top(max);
            let scale = Scale::new(0, top);
            let mut path = String::new();
            let mut changes = Vec::new();
            let mut until: Option<Coord> = None;
            for (stretch, amount) in &stretches {
                let y = scale.y(amount.thousandths());
                // Joined to the stretch before when it ends where this one
                // begins (a step); else a new line after a gap.
                if until == Some(stretch.from) {
                    path.push_str(&format!(" V{y} H{}", stretch.until));
                } else {
                    let gap = if path.is_empty() { "" } else { " " };
                    path.push_str(&format!("{gap}M{} {y} H{}", stretch.from, stretch.until));
                }
                until = Some(stretch.until);
                if span.contains(stretch.day) {
                    changes.push(Point { x: stretch.from, y });
                }
            }
            DoseLine {
                unit,
                path,
                changes,
                ticks: scale.ticks(step, thousandths_text),
            }
        })
        .collect();
    (lines, summary)
}

/// Day-by-day readings (mood or sleep) as a line with dots.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Series {
    /// The SVG path (`M … L …`), broken across gaps of more than
    /// [`GAP_DAYS`].
    pub path: String,
    /// Dots to draw: every day's when they fit apart, else only those no
    /// line reaches (so no reading goes unseen).
    pub dots: Vec<Point>,
    /// Its value axis.
    pub ticks: Vec<YTick>,
    /// How many days it has a reading for.
    pub days: usize,
}

/// A series of day values (in the scale's units) in day order.
fn series(span: &Span, values: &[(Date, u64)], scale: Scale, ticks: Vec<YTick>) -> Series {
    let points: Vec<(Date, Point)> = values
        .iter()
        .map(|&(day, value)| {
            (
                day,
                Point {
                    x: span.x_middle(day),
                    y: scale.y(value),
                },
            )
        })
        .collect();
    let joined = |a: Date, b: Date| day_number(b) - day_number(a) <= GAP_DAYS;
    let mut path = String::new();
    let mut dots = Vec::new();
    let roomy = points.len() * 4 <= usize::try_from(PLOT_WIDTH).unwrap_or_default();
    for (i, &(day, point)) in points.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| points.get(j));
        let after = points.get(i + 1);
        let to_before = before.is_some_and(|&(b, _)| joined(b, day));
        let to_after = after.is_some_and(|&(a, _)| joined(day, a));
        if to_before {
            path.push_str(&format!(" L{} {}", point.x, point.y));
        } else if to_after {
            let gap = if path.is_empty() { "" } else { " " };
            path.push_str(&format!("{gap}M{} {}", point.x, point.y));
        }
        if roomy || !(to_before || to_after) {
            dots.push(point);
        }
    }
    Series {
        path,
        dots,
        ticks,
        days: points.len(),
    }
}

/// Each day's readings in the span: the sum and count of moods, and of
/// hours slept (in half hours) where told.
#[derive(Default)]
pub(super) struct Day {
    pub(super) mood_sum: u64,
    pub(super) moods: u64,
    pub(super) sleep_sum: u64,
    pub(super) sleeps: u64,
}

/// The opened check-ins in the span, by day.
pub(super) fn days(span: &Span, checkins: &[CheckinPoint]) -> BTreeMap<Date, Day> {
    let mut days: BTreeMap<Date, Day> = BTreeMap::new();
    for checkin in checkins.iter().filter(|c| span.contains(c.day)) {
        let Some(reading) = &checkin.reading else {
            continue;
        };
        let day = days.entry(checkin.day).or_default();
        day.mood_sum += u64::from(reading.mood.level());
        day.moods += 1;
        if let Some(sleep) = reading.sleep {
            day.sleep_sum += u64::from(sleep.half_hours());
            day.sleeps += 1;
        }
    }
    days
}

/// `sum / count` in tenths, rounded half up.
pub(super) fn tenths(sum: u64, count: u64) -> u64 {
    (sum * 20 + count) / (2 * count.max(1))
}

/// Mood, 1 (worst, at the bottom) to 5, each day's mean when several.
pub(super) fn mood(span: &Span, days: &BTreeMap<Date, Day>) -> Series {
    let scale = Scale::new(10, 50);
    let values: Vec<(Date, u64)> = days
        .iter()
        .map(|(&day, d)| (day, tenths(d.mood_sum, d.moods)))
        .collect();
    let ticks = scale.ticks(10, |tenths| (tenths / 10).to_string());
    series(span, &values, scale, ticks)
}

/// Hours slept, from zero to 12 (or 24 when someone slept longer), each
/// day's mean when several.
pub(super) fn sleep(span: &Span, days: &BTreeMap<Date, Day>) -> Series {
    let values: Vec<(Date, u64)> = days
        .iter()
        .filter(|(_, d)| d.sleeps > 0)
        .map(|(&day, d)| (day, tenths(d.sleep_sum, d.sleeps)))
        .collect();
    // In tenths of a half hour, so a mean of 6.75 hours falls between.
    let most = values.iter().map(|&(_, v)| v).max().unwrap_or_default();
    let (top, step) = if most <= 240 { (240, 80) } else { (480, 120) };
    let scale = Scale::new(0, top);
    let ticks = scale.ticks(step, |v| (v / 20).to_string());
    series(span, &values, scale, ticks)
}

/// The lowest and highest of a set of moods or sleeps.
pub(super) fn spread<T: Copy + Ord>(values: impl Iterator<Item = T>) -> Option<(T, T)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((low, high)) => Some((low.min(v), high.max(v))),
    })
}
