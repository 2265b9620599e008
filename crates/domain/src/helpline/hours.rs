//! When a line answers: weekly hours in the line's own zone, and whether it
//! is open at a given instant. Hours such as QLife's "3pm to midnight,
//! Sydney time" are kept in Sydney's zone, so they stay right across both
//! the line's and the reader's changes of daylight saving time.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

use crate::schedule::WeekdaySet;
use crate::zone::Zone;

/// Minutes in a day; an end of `24:00` is this.
const DAY: u16 = 24 * 60;

/// When a line answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Hours {
    /// Day and night, every day.
    Always,
    /// Spans on some weekdays, in the line's zone.
    Weekly {
        /// The spans; each starts on one of its days.
        spans: Vec<Span>,
        /// The line's zone.
        zone: Zone,
    },
}

/// One opening: on each of `days`, from `start` to `end` minutes after
/// midnight. An end at or before the start falls on the next day, so
/// `20:00-02:00` on Friday ends early on Saturday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The weekdays the span starts on.
    pub days: WeekdaySet,
    /// Minutes after midnight it opens, below 24:00.
    pub start: u16,
    /// Minutes after midnight it closes, up to 24:00.
    pub end: u16,
}

/// Whether a line is open at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Open day and night.
    Always,
    /// Open now, until this instant.
    OpenUntil(Timestamp),
    /// Closed now; opens at this instant.
    OpensAt(Timestamp),
}

/// Hours that could not be read; the text says which part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// A span is not `DAYS HH:MM-HH:MM`.
    #[error("a span of hours is not like `Mon-Fri 09:00-17:00`")]
    Span,
    /// A day is not a weekday's name, `daily` or a range of them.
    #[error("a day is not like `Mon`, `Sat-Sun` or `daily`")]
    Day,
    /// A time is not `HH:MM`, or a span opens and closes at once.
    #[error("a time is not like `15:00`")]
    Time,
    /// Hours other than `always` need the line's time zone.
    #[error("the hours need the line's time zone, such as `Australia/Sydney`")]
    Zone,
}

impl Hours {
    /// Reads `always`, or spans separated by commas in the line's zone:
    /// `daily 15:00-24:00` with `Australia/Sydney`, or
    /// `Mon-Fri 09:00-17:00, Sat 10:00-14:00` with `America/New_York`.
    pub fn parse(hours: &str, zone: Option<&str>) -> Result<Self, HoursError> {
        let hours = hours.trim();
        if hours.eq_ignore_ascii_case("always") {
            return Ok(Self::Always);
        }
        let spans = hours
            .split(',')
            .map(parse_span)
            .collect::<Result<Vec<_>, _>>()?;
        let zone = zone
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .ok_or(HoursError::Zone)
            .and_then(|z| Zone::parse(z).map_err(|_| HoursError::Zone))?;
        Ok(Self::Weekly { spans, zone })
    }

    /// Whether the line is open at `now`, and until or from when.
    pub fn at(&self, now: Timestamp) -> Opening {
        let (spans, zone) = match self {
            Self::Always => return Opening::Always,
            Self::Weekly { spans, zone } => (spans, zone),
        };
        let today = now.to_zoned(zone.tz().clone()).date();
        let mut next: Option<Timestamp> = None;
        // Yesterday's span may run past midnight into today; a week and a
        // day ahead finds the next opening of any weekly span.
        for offset in -1..=8_i64 {
            let Ok(day) = today.checked_add(jiff::Span::new().days(offset)) else {
                continue;
            };
            for span in spans.iter().filter(|s| s.days.contains(day.weekday())) {
                let (Some(opens), Some(closes)) = (
                    instant(zone, day, span.start),
                    instant(zone, closing_day(day, span), span.end % DAY),
                ) else {
                    continue;
                };
                if opens <= now && now < closes {
                    return Opening::OpenUntil(closes);
                }
                if opens > now && next.is_none_or(|n| opens < n) {
                    next = Some(opens);
                }
            }
        }
        // Spans always name a day, so some opening lies within the week.
        next.map_or(Opening::Always, Opening::OpensAt)
    }
}

/// The day a span closes on: the next one when it runs past midnight.
fn closing_day(day: Date, span: &Span) -> Date {
    if span.end <= span.start || span.end == DAY {
        day.tomorrow().unwrap_or(day)
    } else {
        day
    }
}

/// A local time on a day in the zone; a time skipped by a change to
/// daylight saving time moves forward, as clocks do.
fn instant(zone: &Zone, day: Date, minutes: u16) -> Option<Timestamp> {
    let time = jiff::civil::Time::new(
        i8::try_from(minutes / 60).ok()?,
        i8::try_from(minutes % 60).ok()?,
        0,
        0,
    )
    .ok()?;
    day.to_datetime(time)
        .to_zoned(zone.tz().clone())
        .ok()
        .map(|z| z.timestamp())
}

fn parse_span(span: &str) -> Result<Span, HoursError> {
    let span = span.trim();
    let (days, times) = span.rsplit_once(' ').ok_or(HoursError::Span)?;
    let (start, end) = times.split_once(['-', '–']).ok_or(HoursError::Span)?;
    let (start, end) = (parse_time(start)?, parse_time(end)?);
    if start >= DAY || start == end {
        return Err(HoursError::Time);
    }
    Ok(Span {
        days: parse_days(days.trim())?,
        start,
        end,
    })
}

/// `HH:MM`, `H:MM` or `24:00`, as minutes after midnight.
fn parse_time(time: &str) -> Result<u16, HoursError> {
    let (h, m) = time.trim().split_once(':').ok_or(HoursError::Time)?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return Err(HoursError::Time);
    }
    let (h, m): (u16, u16) = (
        h.parse().map_err(|_| HoursError::Time)?,
        m.parse().map_err(|_| HoursError::Time)?,
    );
    match (h, m) {
        (24, 0) => Ok(DAY),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(HoursError::Time),
    }
}

/// `daily`, a weekday (`Mon`, `monday`) or a range (`Mon-Fri`, `Fri-Sun`,
/// wrapping past Sunday).
fn parse_days(days: &str) -> Result<WeekdaySet, HoursError> {
    if days.eq_ignore_ascii_case("daily") || days.eq_ignore_ascii_case("every day") {
        return Ok(WeekdaySet::of(ALL));
    }
    match days.split_once(['-', '–']) {
        None => Ok(WeekdaySet::of([weekday(days)?])),
        Some((from, to)) => {
            let (from, to) = (weekday(from)?, weekday(to)?);
            let mut set = vec![from];
            let mut day = from;
            while day != to {
                day = day.wrapping_add(1);
                set.push(day);
            }
            Ok(WeekdaySet::of(set))
        }
    }
}

const ALL: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn weekday(name: &str) -> Result<Weekday, HoursError> {
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let name = name.trim().to_ascii_lowercase();
    if name.len() < 3 {
        return Err(HoursError::Day);
    }
    NAMES
        .iter()
        .position(|full| full.starts_with(&name))
        .map(|i| ALL[i])
        .ok_or(HoursError::Day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(instant: &str) -> Timestamp {
        instant.parse().expect("timestamp")
    }

    fn qlife() -> Hours {
        Hours::parse("daily 15:00-24:00", Some("Australia/Sydney")).expect("hours")
    }

    #[test]
    fn qlife_is_open_at_eight_in_the_evening_in_sydney_until_midnight() {
        // 10:00 UTC in June is 20:00 in Sydney (AEST, +10).
        assert_eq!(
            qlife().at(at("2026-06-01T10:00:00Z")),
            Opening::OpenUntil(at("2026-06-01T14:00:00Z"))
        );
    }

    #[test]
    fn qlife_closed_in_the_morning_opens_at_three_sydney_time() {
        assert_eq!(
            qlife().at(at("2026-06-01T00:00:00Z")),
            Opening::OpensAt(at("2026-06-01T05:00:00Z"))
        );
        // Just after midnight it opens again the same afternoon.
        assert_eq!(
            qlife().at(at("2026-06-01T14:00:00Z")),
            Opening::OpensAt(at("2026-06-02T05:00:00Z"))
        );
    }

    #[test]
    fn three_in_the_afternoon_in_sydney_follows_daylight_saving_time() {
        // Summer (AEDT, +11) opens at 04:00 UTC, winter (AEST, +10) at 05:00.
        assert_eq!(
            qlife().at(at("2026-01-10T00:00:00Z")),
            Opening::OpensAt(at("2026-01-10T04:00:00Z"))
        );
        // Sydney moves its clocks forward at 02:00 on Sunday 4 October 2026.
        assert_eq!(
            qlife().at(at("2026-10-03T10:00:00Z")),
            Opening::OpenUntil(at("2026-10-03T14:00:00Z")),
            "Saturday evening, still AEST"
        );
        assert_eq!(
            qlife().at(at("2026-10-03T15:00:00Z")),
            Opening::OpensAt(at("2026-10-04T04:00:00Z")),
            "Sunday opens at 15:00 AEDT"
        );
    }

    #[test]
    fn an_opening_inside_the_skipped_hour_moves_forward_like_the_clocks() {
        let hours = Hours::parse("Sun 02:30-04:00", Some("America/New_York")).expect("hours");
        // 8 March 2026: New York skips 02:00–03:00; 02:30 becomes 03:30 EDT.
        assert_eq!(
            hours.at(at("2026-03-08T05:00:00Z")),
            Opening::OpensAt(at("2026-03-08T07:30:00Z"))
        );
    }

    #[test]
    fn hours_past_midnight_belong_to_the_day_they_start() {
        let hours = Hours::parse("Fri 20:00-02:00", Some("Europe/London")).expect("hours");
        // Saturday 6 June 2026, 01:00 in London (BST, +1): Friday's span.
        assert_eq!(
            hours.at(at("2026-06-06T00:00:00Z")),
            Opening::OpenUntil(at("2026-06-06T01:00:00Z"))
        );
        // Saturday 03:00: closed until next Friday.
        assert_eq!(
            hours.at(at("2026-06-06T02:00:00Z")),
            Opening::OpensAt(at("2026-06-12T19:00:00Z"))
        );
    }

    #[test]
    fn closed_days_wait_for_the_next_open_day() {
        let hours = Hours::parse("Mon-Fri 09:00-17:00", Some("America/New_York")).expect("hours");
        // Saturday 6 June 2026, noon in New York (EDT, -4).
        assert_eq!(
            hours.at(at("2026-06-06T16:00:00Z")),
            Opening::OpensAt(at("2026-06-08T13:00:00Z"))
        );
        let weekend = Hours::parse("Fri-Sun 18:00-22:00", Some("UTC")).expect("wrapping range");
        assert_eq!(
            weekend.at(at("2026-06-07T19:00:00Z")),
            Opening::OpenUntil(at("2026-06-07T22:00:00Z")),
            "Sunday is in Fri-Sun"
        );
        assert_eq!(
            weekend.at(at("2026-06-08T19:00:00Z")),
            Opening::OpensAt(at("2026-06-12T18:00:00Z")),
            "Monday is not"
        );
    }

    #[test]
    fn several_spans_and_always() {
        let hours = Hours::parse(
            "Mon-Fri 17:00-23:00, Sat 12:00–20:00",
            Some("America/Los_Angeles"),
        )
        .expect("hours");
        // Saturday 6 June 2026, 13:00 in Los Angeles (PDT, -7).
        assert_eq!(
            hours.at(at("2026-06-06T20:00:00Z")),
            Opening::OpenUntil(at("2026-06-07T03:00:00Z"))
        );
        assert_eq!(
            Hours::parse(" Always ", None)
                .expect("always")
                .at(at("2026-06-06T20:00:00Z")),
            Opening::Always
        );
    }

    #[test]
    fn hours_that_cannot_be_read_say_why() {
        for (hours, zone, error) in [
            ("daily 15:00-24:00", None, HoursError::Zone),
            ("daily 15:00-24:00", Some("Mars/Olympus"), HoursError::Zone),
            ("daily 3pm-midnight", Some("UTC"), HoursError::Time),
            ("daily 15:00-15:00", Some("UTC"), HoursError::Time),
            ("daily 25:00-26:00", Some("UTC"), HoursError::Time),
            ("Funday 10:00-12:00", Some("UTC"), HoursError::Day),
            ("10:00-12:00", Some("UTC"), HoursError::Span),
            ("", Some("UTC"), HoursError::Span),
        ] {
            assert_eq!(Hours::parse(hours, zone), Err(error), "{hours}");
        }
    }
}
