//! A meeting's time as a mail gives it: in the recipient's zone first
//! (kept on their account), with weekday and date, then in the group's
//! zone beside it when that reads differently. Without a zone on the
//! account, the group's zone alone. The words (weekday and month names,
//! "your time") are in `templates/mail/when.txt`, not here.

use jiff::Timestamp;
use kith_domain::zone::Zone;

/// One moment read in one zone, in the parts a template words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime {
    /// The weekday, 0–6, Sunday 0.
    pub weekday: i8,
    /// The day of the month, 1–31.
    pub day: i8,
    /// The month, 1–12.
    pub month: i8,
    /// `HH:MM`, 24-hour.
    pub time: String,
    /// The zone's abbreviation then ("AEST", "EDT", "+0545").
    pub abbreviation: String,
    /// The IANA name ("Australia/Melbourne").
    pub zone: String,
}

impl LocalTime {
    /// `at` read in `zone`.
    pub fn new(at: Timestamp, zone: &Zone) -> Self {
        let local = at.to_zoned(zone.tz().clone());
        Self {
            weekday: local.weekday().to_sunday_zero_offset(),
            day: local.day(),
            month: local.month(),
            time: local.strftime("%H:%M").to_string(),
            abbreviation: local.strftime("%Z").to_string(),
            zone: zone.name().to_owned(),
        }
    }

    /// Whether two readings show the same wall-clock words.
    fn reads_like(&self, other: &Self) -> bool {
        (
            self.weekday,
            self.day,
            self.month,
            &self.time,
            &self.abbreviation,
        ) == (
            other.weekday,
            other.day,
            other.month,
            &other.time,
            &other.abbreviation,
        )
    }
}

/// A meeting's start as one recipient's mail gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTime {
    /// In the recipient's zone, when one is kept and reads differently
    /// from the group's.
    pub yours: Option<LocalTime>,
    /// In the group's zone.
    pub group: LocalTime,
}

impl MailTime {
    /// `at` for a recipient reading in `reader` (if known), of a group in
    /// `group`.
    pub fn new(at: Timestamp, group: &Zone, reader: Option<&Zone>) -> Self {
        let group = LocalTime::new(at, group);
        let yours = reader
            .map(|zone| LocalTime::new(at, zone))
            .filter(|yours| !yours.reads_like(&group));
        Self { yours, group }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Zone {
        Zone::parse(name).expect("zone")
    }

    #[test]
    fn a_melbourne_reader_of_a_new_york_group_reads_both_zones() {
        // Monday 1 June 18:15 EDT is Tuesday 2 June 08:15 AEST.
        let at: Timestamp = "2026-06-01T22:15:00Z".parse().expect("ts");
        let t = MailTime::new(
            at,
            &zone("America/New_York"),
            Some(&zone("Australia/Melbourne")),
        );
        let yours = t.yours.expect("the reader's zone");
        assert_eq!(
            (
                yours.weekday,
                yours.day,
                yours.month,
                yours.time.as_str(),
                yours.abbreviation.as_str()
            ),
            (2, 2, 6, "08:15", "AEST")
        );
        assert_eq!(yours.zone, "Australia/Melbourne");
        assert_eq!(
            (
                t.group.weekday,
                t.group.day,
                t.group.time.as_str(),
                t.group.abbreviation.as_str()
            ),
            (1, 1, "18:15", "EDT")
        );
    }

    #[test]
    fn without_a_zone_or_in_the_groups_own_the_mail_gives_one_time() {
        let at: Timestamp = "2026-06-01T22:15:00Z".parse().expect("ts");
        let ny = zone("America/New_York");
        assert_eq!(MailTime::new(at, &ny, None).yours, None);
        assert_eq!(MailTime::new(at, &ny, Some(&ny)).yours, None);
        // Toronto reads exactly like New York: saying it twice helps nobody.
        assert_eq!(
            MailTime::new(at, &ny, Some(&zone("America/Toronto"))).yours,
            None
        );
    }
}
