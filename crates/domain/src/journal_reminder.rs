//! The daily journal reminder's rules: the local time a member chooses
//! (`HH:MM`, in their own zone) and when, in real time, a day's reminder
//! is due. A time that a day skips (a spring-forward gap) is read as the
//! zone's clocks compatibly would — the instant an hour later, as jiff's
//! `compatible` disambiguation does — and a time a day has twice (a fold)
//! is the first of them, so every day has exactly one due instant.

use std::fmt;

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};

use crate::validation::FieldError;
use crate::zone::Zone;

/// How long after its time a day's reminder still goes out: a server that
/// was down at 08:00 still sends it at 08:40, but not in the evening,
/// when it would only surprise.
pub const DUE_FOR: SignedDuration = SignedDuration::from_hours(2);

/// A local time of day, to the minute, for the reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderTime(Time);

impl ReminderTime {
    /// Parses `HH:MM` (24-hour; a leading zero may be left out), refused
    /// as the field `reminder_time`: `required` when empty,
    /// `invalid_time` otherwise.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::new("reminder_time", "required"));
        }
        let invalid = FieldError::new("reminder_time", "invalid_time");
        let (hours, minutes) = raw.split_once(':').ok_or(invalid)?;
        let number = |s: &str, max: i8| -> Result<i8, FieldError> {
            if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid);
            }
            s.parse::<i8>()
                .ok()
                .filter(|n| (0..=max).contains(n))
                .ok_or(invalid)
        };
        if minutes.len() != 2 {
            return Err(invalid);
        }
        let time =
            Time::new(number(hours, 23)?, number(minutes, 59)?, 0, 0).map_err(|_| invalid)?;
        Ok(Self(time))
    }

    /// The time of day.
    pub fn time(self) -> Time {
        self.0
    }

    /// The instant `day`'s reminder is due in `zone`: the compatible
    /// reading of a time that day skips or has twice.
    pub fn due_at(self, day: Date, zone: &Zone) -> Option<Timestamp> {
        day.to_datetime(self.0)
            .to_zoned(zone.tz().clone())
            .ok()
            .map(|zoned| zoned.timestamp())
    }

    /// The local day whose reminder is due at `now` in `zone`, if one is:
    /// its instant has come and is less than [`DUE_FOR`] ago. Yesterday
    /// is asked too, for a late time whose window runs past midnight.
    pub fn due_day(self, now: Timestamp, zone: &Zone) -> Option<Date> {
        let today = now.to_zoned(zone.tz().clone()).date();
        [today, today.yesterday().ok()?].into_iter().find(|day| {
            self.due_at(*day, zone)
                .is_some_and(|due| due <= now && now < due + DUE_FOR)
        })
    }
}

/// `HH:MM`, as stored and as a form shows it.
impl fmt::Display for ReminderTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").expect("zone")
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn times_of_day_read_back_and_nothing_else_does() {
        for (raw, shown) in [
            ("08:00", "08:00"),
            ("8:05", "08:05"),
            (" 23:59 ", "23:59"),
            ("0:00", "00:00"),
        ] {
            assert_eq!(ReminderTime::parse(raw).expect(raw).to_string(), shown);
        }
        for raw in [
            "24:00",
            "12:60",
            "12",
            "12:5",
            "ab:cd",
            "-1:00",
            "12:00:00",
            "１２:00",
            "+8:00",
        ] {
            assert_eq!(
                ReminderTime::parse(raw),
                Err(FieldError::new("reminder_time", "invalid_time")),
                "{raw}"
            );
        }
        assert_eq!(
            ReminderTime::parse("  "),
            Err(FieldError::new("reminder_time", "required"))
        );
    }

    #[test]
    fn eight_in_berlin_is_due_from_eight_local_for_two_hours_in_winter_and_summer() {
        let eight = ReminderTime::parse("08:00").expect("time");
        let zone = berlin();
        let winter = "2026-12-07".parse().expect("day");
        assert_eq!(
            eight.due_at(winter, &zone),
            Some(at("2026-12-07T07:00:00Z"))
        );
        assert_eq!(eight.due_day(at("2026-12-07T06:59:59Z"), &zone), None);
        assert_eq!(
            eight.due_day(at("2026-12-07T07:00:00Z"), &zone),
            Some(winter)
        );
        assert_eq!(
            eight.due_day(at("2026-12-07T08:59:59Z"), &zone),
            Some(winter)
        );
        assert_eq!(eight.due_day(at("2026-12-07T09:00:00Z"), &zone), None);
        let summer = "2026-07-01".parse().expect("day");
        assert_eq!(
            eight.due_at(summer, &zone),
            Some(at("2026-07-01T06:00:00Z"))
        );
    }

    #[test]
    fn a_time_the_spring_change_skips_is_due_an_hour_later_and_a_repeated_one_the_first_time() {
        let zone = berlin();
        // 2026-03-29: Berlin's clocks go from 02:00 to 03:00.
        let skipped = ReminderTime::parse("02:30").expect("time");
        let spring = "2026-03-29".parse().expect("day");
        assert_eq!(
            skipped.due_at(spring, &zone),
            Some(at("2026-03-29T01:30:00Z"))
        );
        assert_eq!(
            skipped.due_day(at("2026-03-29T01:30:00Z"), &zone),
            Some(spring)
        );
        // 2026-10-25: 02:30 comes twice; the first is UTC+2.
        let autumn = "2026-10-25".parse().expect("day");
        assert_eq!(
            skipped.due_at(autumn, &zone),
            Some(at("2026-10-25T00:30:00Z"))
        );
    }

    #[test]
    fn a_late_reminder_is_still_due_just_after_midnight_for_the_day_before() {
        let late = ReminderTime::parse("23:30").expect("time");
        let zone = berlin();
        assert_eq!(
            late.due_day(at("2026-12-07T23:10:00Z"), &zone),
            Some("2026-12-07".parse().expect("day"))
        );
        assert_eq!(late.due_day(at("2026-12-08T00:40:00Z"), &zone), None);
    }
}
