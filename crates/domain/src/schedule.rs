//! Schedules: rules in the group's own IANA zone, expanded into occurrences.
//!
//! A rule names local wall-clock times ("Tuesdays at 19:00 in New York"), so
//! a meeting stays at 19:00 New York time across daylight saving changes and
//! viewers elsewhere see it move when their own clocks change on other dates.
//!
//! **Gaps and folds.** A local time that does not exist (the spring-forward
//! gap) moves forward by the length of the gap (02:30 becomes 03:30); a local
//! time that happens twice (the fall-back fold) means its first instance.
//! This is RFC 5545's rule, so calendars agree with kith.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::ids::RuleId;
use crate::zone::Zone;

/// The shortest meeting a rule may describe, in minutes.
pub const MIN_DURATION_MINUTES: u16 = 15;
/// The longest meeting a rule may describe, in minutes. The directory's
/// "in progress now" filter relies on this bound.
pub const MAX_DURATION_MINUTES: u16 = 12 * 60;

/// When a group meets: one or more rules in one zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The group's own zone, in which every rule's times are meant.
    pub zone: Zone,
    /// The rules; a group may have several.
    pub rules: Vec<Rule>,
}

/// One series of meetings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The stored id, once the rule has been saved.
    pub id: Option<RuleId>,
    /// Which dates the series falls on.
    pub recurrence: Recurrence,
    /// The local start time in the group's zone.
    pub local_time: Time,
    /// How long each meeting lasts.
    pub duration: MeetingDuration,
    /// No meeting before this local date.
    pub first_date: Option<Date>,
    /// No meeting after this local date.
    pub last_date: Option<Date>,
}

/// Which local dates a rule falls on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    /// Every week on the given weekdays.
    Weekly {
        /// The weekdays, in the group's zone; never empty.
        weekdays: WeekdaySet,
    },
    /// Every `interval` weeks on the given weekdays, counting from the week
    /// (Monday to Sunday) that holds `anchor`.
    EveryNWeeks {
        /// The weekdays; never empty.
        weekdays: WeekdaySet,
        /// 2 to [`MAX_INTERVAL_WEEKS`].
        interval: u8,
        /// A date in a week the series meets.
        anchor: Date,
    },
    /// On the nth weekday of every month ("2nd and 4th Thursday", "last
    /// Sunday").
    Monthly {
        /// The weekday.
        weekday: Weekday,
        /// Which of the month's such weekdays; never empty.
        weeks: MonthWeeks,
    },
    /// Once, on one date (a webinar, a special meeting).
    Once {
        /// The date.
        date: Date,
    },
}

/// The longest gap between meetings of an every-N-weeks rule.
pub const MAX_INTERVAL_WEEKS: u8 = 8;

/// Which weekdays of a month a monthly rule means: the 1st to 4th and the
/// last (bit 0 is the 1st, bit 4 the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthWeeks(u8);

impl MonthWeeks {
    /// The `last` position's index.
    pub const LAST: u8 = 5;

    /// The set of these positions: 1–4, or [`Self::LAST`].
    pub fn of(positions: impl IntoIterator<Item = u8>) -> Self {
        Self(
            positions
                .into_iter()
                .filter(|p| (1..=Self::LAST).contains(p))
                .fold(0, |acc, p| acc | (1 << (p - 1))),
        )
    }

    /// Rebuilds a set from its stored bits; other bits are dropped.
    pub fn from_bits(bits: i64) -> Self {
        Self((bits & 0x1f) as u8)
    }

    /// The stored bits.
    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    /// The positions, in order (5 is the last).
    pub fn positions(self) -> Vec<u8> {
        (1..=Self::LAST)
            .filter(|p| self.0 & (1 << (p - 1)) != 0)
            .collect()
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `date` is one of these weekdays of its month (its weekday is
    /// checked by the caller).
    fn holds(self, date: Date) -> bool {
        let nth = (date.day() - 1) / 7 + 1;
        let is_last = date
            .checked_add(7.days())
            .is_ok_and(|next| next.month() != date.month());
        (nth <= 4 && self.0 & (1 << (nth - 1)) != 0) || (is_last && self.0 & (1 << 4) != 0)
    }
}

/// A set of weekdays; bit `n` is the weekday `n` days after Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// The set of the given weekdays.
    pub fn of(days: impl IntoIterator<Item = Weekday>) -> Self {
        Self(days.into_iter().fold(0, |acc, d| acc | Self::bit(d)))
    }

    /// Rebuilds a set from its stored bits; other bits are dropped.
    pub fn from_bits(bits: i64) -> Self {
        Self((bits & 0x7f) as u8)
    }

    /// The stored bits.
    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    /// Whether the set holds `day`.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The weekdays, Monday first.
    pub fn days(self) -> Vec<Weekday> {
        (0..7)
            .map(|n| Weekday::Monday.wrapping_add(n))
            .filter(|d| self.contains(*d))
            .collect()
    }

    fn bit(day: Weekday) -> u8 {
        1 << day.to_sunday_zero_offset()
    }
}

/// A meeting's length, between [`MIN_DURATION_MINUTES`] and
/// [`MAX_DURATION_MINUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingDuration(u16);

/// A schedule input that cannot describe a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The duration is outside the allowed range.
    #[error("a meeting lasts between 15 minutes and 12 hours")]
    DurationOutOfRange,
    /// A weekly rule has no weekday.
    #[error("choose at least one weekday")]
    NoWeekday,
    /// The last date comes before the first.
    #[error("the last date is before the first")]
    EndBeforeStart,
    /// A time is not `HH:MM`.
    #[error("times are HH:MM")]
    InvalidTime,
    /// An every-N-weeks rule with N outside 2–8.
    #[error("every 2 to 8 weeks")]
    IntervalOutOfRange,
    /// A monthly rule that names no week of the month.
    #[error("choose which weeks of the month")]
    NoMonthWeek,
}

impl MeetingDuration {
    /// Validates a length in minutes.
    pub fn from_minutes(minutes: u16) -> Result<Self, ScheduleError> {
        (MIN_DURATION_MINUTES..=MAX_DURATION_MINUTES)
            .contains(&minutes)
            .then_some(Self(minutes))
            .ok_or(ScheduleError::DurationOutOfRange)
    }

    /// The length in minutes.
    pub fn minutes(self) -> u16 {
        self.0
    }

    fn signed(self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.0))
    }
}

/// Parses a local time written `HH:MM`.
pub fn parse_local_time(raw: &str) -> Result<Time, ScheduleError> {
    let (h, m) = raw.split_once(':').ok_or(ScheduleError::InvalidTime)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(ScheduleError::InvalidTime);
    }
    let h: i8 = h.parse().map_err(|_| ScheduleError::InvalidTime)?;
    let m: i8 = m.parse().map_err(|_| ScheduleError::InvalidTime)?;
    Time::new(h, m, 0, 0).map_err(|_| ScheduleError::InvalidTime)
}

impl Rule {
    /// A weekly rule with no first or last date.
    pub fn weekly(
        weekdays: WeekdaySet,
        local_time: Time,
        duration: MeetingDuration,
    ) -> Result<Self, ScheduleError> {
        let rule = Self {
            id: None,
            recurrence: Recurrence::Weekly { weekdays },
            local_time,
            duration,
            first_date: None,
            last_date: None,
        };
        rule.validate()?;
        Ok(rule)
    }

    /// Checks the rule's own consistency.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        match self.recurrence {
            Recurrence::Weekly { weekdays } | Recurrence::EveryNWeeks { weekdays, .. }
                if weekdays.is_empty() =>
            {
                return Err(ScheduleError::NoWeekday);
            }
            Recurrence::EveryNWeeks { interval, .. }
                if !(2..=MAX_INTERVAL_WEEKS).contains(&interval) =>
            {
                return Err(ScheduleError::IntervalOutOfRange);
            }
            Recurrence::Monthly { weeks, .. } if weeks.is_empty() => {
                return Err(ScheduleError::NoMonthWeek);
            }
            _ => {}
        }
        if let (Some(first), Some(last)) = (self.first_date, self.last_date) {
            if last < first {
                return Err(ScheduleError::EndBeforeStart);
            }
        }
        Ok(())
    }

    /// The meeting's length.
    pub fn duration(&self) -> MeetingDuration {
        self.duration
    }

    /// The local end time (may be on the next day).
    pub fn local_end_time(&self) -> Time {
        self.local_time.wrapping_add(self.duration.signed())
    }

    /// Whether the rule meets on this local date.
    pub fn falls_on(&self, date: Date) -> bool {
        let within = self.first_date.is_none_or(|first| date >= first)
            && self.last_date.is_none_or(|last| date <= last);
        within
            && match self.recurrence {
                Recurrence::Weekly { weekdays } => weekdays.contains(date.weekday()),
                Recurrence::EveryNWeeks {
                    weekdays,
                    interval,
                    anchor,
                } => {
                    weekdays.contains(date.weekday())
                        && weeks_apart(anchor, date) % i64::from(interval) == 0
                }
                Recurrence::Monthly { weekday, weeks } => {
                    date.weekday() == weekday && weeks.holds(date)
                }
                Recurrence::Once { date: on } => date == on,
            }
    }
}

/// Whole weeks (Monday to Sunday) from the week of `a` to the week of `b`;
/// never negative, so a series also meets before its anchor.
fn weeks_apart(a: Date, b: Date) -> i64 {
    let monday = |d: Date| {
        let back = i64::from(d.weekday().to_monday_zero_offset());
        d.checked_sub(back.days()).unwrap_or(d)
    };
    let days = (monday(b) - monday(a)).get_days();
    (i64::from(days) / 7).abs()
}

/// One meeting of a rule, computed but not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOccurrence {
    /// The index of the rule in [`Schedule::rules`].
    pub rule_index: usize,
    /// The start as the rule names it: with the rule, this is the
    /// occurrence's identity, which outlives changes of zone rules.
    pub local_start: DateTime,
    /// The instant it starts.
    pub starts_at: Timestamp,
    /// The instant it ends.
    pub ends_at: Timestamp,
}

/// Converts a local date-time in `zone` to an instant, resolving gaps and
/// folds by the module's documented rule.
pub fn resolve_local(zone: &Zone, local: DateTime) -> Timestamp {
    match zone.tz().to_ambiguous_timestamp(local).compatible() {
        Ok(ts) => ts,
        // Only reachable at the very ends of the supported range.
        Err(_) => zone.tz().to_timestamp(local).unwrap_or(Timestamp::MIN),
    }
}

impl Schedule {
    /// Every meeting that ends after `from` and starts before `until`, in
    /// start order.
    pub fn occurrences_between(&self, from: Timestamp, until: Timestamp) -> Vec<PlannedOccurrence> {
        let tz = self.zone.tz();
        // A meeting that started the day before `from` may still be running.
        let first_day = from
            .to_zoned(tz.clone())
            .date()
            .yesterday()
            .unwrap_or(Date::MIN);
        let last_day = until.to_zoned(tz.clone()).date();
        let mut out = Vec::new();
        let mut day = first_day;
        while day <= last_day {
            for (rule_index, rule) in self.rules.iter().enumerate() {
                if !rule.falls_on(day) {
                    continue;
                }
                let local_start = day.to_datetime(rule.local_time);
                let starts_at = resolve_local(&self.zone, local_start);
                let ends_at = starts_at
                    .saturating_add(rule.duration.signed())
                    .unwrap_or(Timestamp::MAX);
                if ends_at > from && starts_at < until {
                    out.push(PlannedOccurrence {
                        rule_index,
                        local_start,
                        starts_at,
                        ends_at,
                    });
                }
            }
            match day.checked_add(1.day()) {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        out.sort_by_key(|o| (o.starts_at, o.rule_index));
        out
    }
}

#[cfg(test)]
mod tests;
