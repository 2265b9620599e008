//! A meeting's time as one reader sees it, in their zone, with the zone's
//! abbreviation ("Tue 19:00 CET"). Words (weekday names) are left to the
//! templates so they can be translated.

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_domain::zone::Zone;
use serde::Serialize;

pub mod when;

/// A meeting's start and end in one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingTime {
    /// The weekday it starts on, in the zone.
    #[serde(skip)]
    pub weekday: Weekday,
    /// The local date it starts on, `YYYY-MM-DD`.
    pub date: String,
    /// The local day of the month it starts on, 1–31.
    #[serde(skip)]
    pub day: i8,
    /// The local month it starts in, 1–12 (for the catalogue's month names).
    #[serde(skip)]
    pub month: i8,
    /// The local start, `HH:MM`.
    pub start: String,
    /// The local end, `HH:MM`.
    pub end: String,
    /// The zone's abbreviation at the start ("CET", "EDT", "+0545").
    pub zone_abbreviation: String,
    /// The start as RFC 3339 with offset, for machines (`<time datetime>`).
    pub starts_at: String,
    /// The end as RFC 3339 with offset.
    pub ends_at: String,
}

impl MeetingTime {
    /// The meeting `[starts_at, ends_at)` seen from `zone`.
    pub fn new(starts_at: Timestamp, ends_at: Timestamp, zone: &Zone) -> Self {
        let start = starts_at.to_zoned(zone.tz().clone());
        let end = ends_at.to_zoned(zone.tz().clone());
        Self {
            weekday: start.weekday(),
            date: start.strftime("%Y-%m-%d").to_string(),
            day: start.day(),
            month: start.month(),
            start: start.strftime("%H:%M").to_string(),
            end: end.strftime("%H:%M").to_string(),
            zone_abbreviation: start.strftime("%Z").to_string(),
            starts_at: start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            ends_at: end.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        }
    }

    /// The weekday as 0–6, Sunday 0 (the directory's `day` code).
    pub fn day_code(&self) -> i8 {
        self.weekday.to_sunday_zero_offset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_berlin_reader_sees_cet_in_winter_and_cest_in_summer() {
        let berlin = Zone::parse("Europe/Berlin").expect("zone");
        let winter = MeetingTime::new(
            "2026-01-06T18:00:00Z".parse().expect("ts"),
            "2026-01-06T19:30:00Z".parse().expect("ts"),
            &berlin,
        );
        assert_eq!(
            (winter.weekday, winter.start.as_str(), winter.end.as_str()),
            (Weekday::Tuesday, "19:00", "20:30")
        );
        assert_eq!(winter.zone_abbreviation, "CET");
        assert_eq!(winter.starts_at, "2026-01-06T19:00:00+01:00");
        let summer = MeetingTime::new(
            "2026-07-07T17:00:00Z".parse().expect("ts"),
            "2026-07-07T18:00:00Z".parse().expect("ts"),
            &berlin,
        );
        assert_eq!(
            (summer.start.as_str(), summer.zone_abbreviation.as_str()),
            ("19:00", "CEST")
        );
    }

    #[test]
    fn a_zone_without_letters_shows_its_offset() {
        let kathmandu = Zone::parse("Asia/Kathmandu").expect("zone");
        let t = MeetingTime::new(
            "2026-01-06T12:15:00Z".parse().expect("ts"),
            "2026-01-06T13:15:00Z".parse().expect("ts"),
            &kathmandu,
        );
        assert_eq!(
            (t.start.as_str(), t.zone_abbreviation.as_str()),
            ("18:00", "+0545")
        );
    }
}
