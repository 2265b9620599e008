//! Words for "when", as a reader sees a meeting from where they are:
//! happening now, in 40 minutes, today, tomorrow, or a weekday and date.
//! Only the kind is decided here, from the clock, the reader's zone and the
//! meeting's start and end; the words themselves are in the catalogue.
//!
//! "Today" and "tomorrow" are the reader's local dates, so they follow the
//! reader's midnight and survive days of 23 or 25 hours.

use jiff::Timestamp;
use kith_domain::zone::Zone;

/// Below this many minutes before its start a meeting "starts in N min".
pub const SOON_MINUTES: i64 = 60;

/// How a meeting's time reads relative to now, for one reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// It has started and not ended: late is fine.
    Now,
    /// It starts within the hour, in this many minutes (1–60, rounded up).
    Soon {
        /// Minutes until it starts.
        minutes: i64,
    },
    /// It starts later on the reader's today.
    Today,
    /// It starts on the reader's tomorrow.
    Tomorrow,
    /// It starts after tomorrow (or ended already): weekday and date.
    Later,
}

impl When {
    /// The catalogue's key suffix (`when.now`, `when.soon`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Self::Now => "now",
            Self::Soon { .. } => "soon",
            Self::Today => "today",
            Self::Tomorrow => "tomorrow",
            Self::Later => "later",
        }
    }
}

/// How the meeting `[starts_at, ends_at)` reads at `now` for a reader in
/// `zone`.
pub fn when(now: Timestamp, zone: &Zone, starts_at: Timestamp, ends_at: Timestamp) -> When {
    if starts_at <= now {
        return if now < ends_at {
            When::Now
        } else {
            When::Later
        };
    }
    let seconds = starts_at.as_second() - now.as_second();
    if seconds < SOON_MINUTES * 60 {
        return When::Soon {
            minutes: (seconds + 59) / 60,
        };
    }
    let today = now.to_zoned(zone.tz().clone()).date();
    let day = starts_at.to_zoned(zone.tz().clone()).date();
    if day == today {
        When::Today
    } else if today.tomorrow().is_ok_and(|t| t == day) {
        When::Tomorrow
    } else {
        When::Later
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    fn zone(name: &str) -> Zone {
        Zone::parse(name).expect("zone")
    }

    /// A 90-minute meeting starting at `start`, read at `now` in `tz`.
    fn read(now: &str, tz: &str, start: &str) -> When {
        let start = at(start);
        let end = start + jiff::SignedDuration::from_mins(90);
        when(at(now), &zone(tz), start, end)
    }

    #[test]
    fn a_meeting_in_progress_is_happening_now_until_its_end() {
        let now = "2026-06-01T10:00:00Z";
        assert_eq!(read(now, "UTC", "2026-06-01T09:00:00Z"), When::Now);
        assert_eq!(read(now, "UTC", "2026-06-01T10:00:00Z"), When::Now);
        // Ended exactly now: no longer happening.
        assert_eq!(read(now, "UTC", "2026-06-01T08:30:00Z"), When::Later);
    }

    #[test]
    fn a_meeting_within_the_hour_counts_minutes_rounded_up() {
        let now = "2026-06-01T10:00:00Z";
        assert_eq!(
            read(now, "UTC", "2026-06-01T10:40:00Z"),
            When::Soon { minutes: 40 }
        );
        assert_eq!(
            read(now, "UTC", "2026-06-01T10:00:01Z"),
            When::Soon { minutes: 1 }
        );
        assert_eq!(
            read(now, "UTC", "2026-06-01T10:59:59Z"),
            When::Soon { minutes: 60 }
        );
        assert_eq!(read(now, "UTC", "2026-06-01T11:00:00Z"), When::Today);
    }

    #[test]
    fn today_and_tomorrow_are_the_readers_dates_not_utcs() {
        // 10:00 UTC is 20:00 in Melbourne (AEST, +10) on Monday 1 June.
        let now = "2026-06-01T10:00:00Z";
        // 22:15 UTC Monday is 08:15 Tuesday in Melbourne: tomorrow there,
        // today in UTC.
        assert_eq!(
            read(now, "Australia/Melbourne", "2026-06-01T22:15:00Z"),
            When::Tomorrow
        );
        assert_eq!(read(now, "UTC", "2026-06-01T22:15:00Z"), When::Today);
        // 13:30 UTC is 23:30 Melbourne: still today there.
        assert_eq!(
            read(now, "Australia/Melbourne", "2026-06-01T13:30:00Z"),
            When::Today
        );
        // 14:00 UTC is midnight in Melbourne: tomorrow.
        assert_eq!(
            read(now, "Australia/Melbourne", "2026-06-01T14:00:00Z"),
            When::Tomorrow
        );
        // Wednesday 08:15 Melbourne: a weekday and date.
        assert_eq!(
            read(now, "Australia/Melbourne", "2026-06-02T22:15:00Z"),
            When::Later
        );
    }

    #[test]
    fn within_the_hour_wins_over_tomorrow_across_midnight() {
        // 23:50 in UTC, a meeting at 00:30 the next day.
        assert_eq!(
            read("2026-06-01T23:50:00Z", "UTC", "2026-06-02T00:30:00Z"),
            When::Soon { minutes: 40 }
        );
        assert_eq!(
            read("2026-06-01T22:50:00Z", "UTC", "2026-06-02T00:30:00Z"),
            When::Tomorrow
        );
    }

    #[test]
    fn tomorrow_follows_the_calendar_across_a_dst_change() {
        // Melbourne leaves daylight time on Sunday 5 April 2026 at 03:00
        // (AEDT +11 -> AEST +10): Sunday has 25 hours. At 00:30 AEDT
        // Sunday (13:30 UTC Saturday), a meeting at 23:30 AEST Sunday is
        // 24 h later but still today; 00:30 AEST Monday is tomorrow.
        let now = "2026-04-04T13:30:00Z";
        assert_eq!(
            read(now, "Australia/Melbourne", "2026-04-05T13:30:00Z"),
            When::Today
        );
        assert_eq!(
            read(now, "Australia/Melbourne", "2026-04-05T14:30:00Z"),
            When::Tomorrow
        );
        // New York springs forward on Sunday 8 March 2026: that day has 23
        // hours. At 23:30 EST Saturday (04:30 UTC Sunday), 23:45 EDT Sunday
        // (03:45 UTC Monday) is tomorrow, 23 h 15 min away.
        let now = "2026-03-08T04:30:00Z";
        assert_eq!(
            read(now, "America/New_York", "2026-03-09T03:45:00Z"),
            When::Tomorrow
        );
        assert_eq!(
            read(now, "America/New_York", "2026-03-09T04:15:00Z"),
            When::Later
        );
    }

    #[test]
    fn each_kind_has_a_code_for_the_catalogue() {
        let codes: Vec<&str> = [
            When::Now,
            When::Soon { minutes: 5 },
            When::Today,
            When::Tomorrow,
            When::Later,
        ]
        .into_iter()
        .map(When::code)
        .collect();
        assert_eq!(codes, ["now", "soon", "today", "tomorrow", "later"]);
    }
}
