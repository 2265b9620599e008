//! RFC 5545 text for a group's schedule: one VEVENT series per rule, with
//! `RRULE`, a `VTIMEZONE` built from the system's zone database, and stable
//! `UID`s made of each rule's random series id. Calendar providers sync and
//! index everything in an event, so nothing in one names the group: not
//! the title, not the `UID`, not the `URL`. Written by hand rather than
//! with the `icalendar` crate, which works in chrono types and has no
//! `VTIMEZONE` builder; the output is checked by an independent parser and
//! expander in the tests.

use std::fmt::Write as _;

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{Dst, Offset};
use jiff::{SignedDuration, Timestamp, ToSpan};
use kith_domain::ids::{RuleId, SeriesId};
use kith_domain::schedule::{MonthWeeks, Recurrence, Rule, Schedule};

/// What a calendar says about one group.
#[derive(Debug, Clone)]
pub struct CalendarGroup<'a> {
    /// Each stored rule's public, random series id, which makes its `UID`
    /// (`<series id>@kith`); a rule without one is left out.
    pub series: &'a [(RuleId, SeriesId)],
    /// The neutral title every meeting carries.
    pub summary: &'a str,
    /// Plain text for `DESCRIPTION`.
    pub description: &'a str,
    /// An absolute URL for every meeting, if known; never the group's page,
    /// whose address is made of its name.
    pub url: Option<&'a str>,
    /// The schedule.
    pub schedule: &'a Schedule,
    /// The local date series start from (when no rule says otherwise).
    pub since: Date,
    /// Increases whenever the group changes.
    pub sequence: i64,
    /// Cancelled and moved meetings.
    pub exceptions: &'a [kith_store::OccurrenceException],
    /// `DTSTAMP`.
    pub stamp: Timestamp,
}

/// The whole `VCALENDAR`, for one group or several (a person's own feed):
/// one `VTIMEZONE` per zone, then every group's series.
pub fn calendar(name: &str, groups: &[CalendarGroup<'_>]) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//kith//kith//EN");
    out.line("CALSCALE:GREGORIAN");
    out.line("METHOD:PUBLISH");
    out.line(&format!("X-WR-CALNAME:{}", text(name)));
    let mut zones = std::collections::BTreeMap::new();
    for group in groups {
        // The earliest series start covers every group in that zone.
        zones
            .entry(group.schedule.zone.name())
            .and_modify(|g: &mut &CalendarGroup<'_>| {
                if group.since < g.since {
                    *g = group;
                }
            })
            .or_insert(group);
    }
    for group in zones.values() {
        timezone(&mut out, group);
    }
    for group in groups {
        events(&mut out, group);
    }
    out.line("END:VCALENDAR");
    out.0
}

fn events(out: &mut Lines, group: &CalendarGroup<'_>) {
    let zone = group.schedule.zone.name();
    for rule in &group.schedule.rules {
        let Some(first) = first_date(rule, group.since) else {
            continue;
        };
        let Some((_, series)) = group.series.iter().find(|(id, _)| Some(*id) == rule.id) else {
            continue;
        };
        out.line("BEGIN:VEVENT");
        out.line(&format!("UID:{series}@kith"));
        out.line(&format!("DTSTAMP:{}", utc(group.stamp)));
        out.line(&format!("SEQUENCE:{}", group.sequence));
        out.line(&format!(
            "DTSTART;TZID={zone}:{}",
            local(first.to_datetime(rule.local_time))
        ));
        out.line(&format!("DURATION:PT{}M", rule.duration().minutes()));
        if let Some(rrule) = rrule(rule, group.schedule) {
            out.line(&format!("RRULE:{rrule}"));
        }
        let exceptions = group.exceptions.iter().filter(|e| Some(e.rule) == rule.id);
        for cancelled in exceptions.clone().filter(|e| e.cancelled) {
            out.line(&format!(
                "EXDATE;TZID={zone}:{}",
                local(cancelled.local_start)
            ));
        }
        out.line(&format!("SUMMARY:{}", text(group.summary)));
        out.line(&format!("DESCRIPTION:{}", text(group.description)));
        if let Some(url) = group.url {
            out.line(&format!("URL:{url}"));
        }
        out.line("TRANSP:OPAQUE");
        out.line("END:VEVENT");
        // A moved meeting overrides its instance of the series.
        for moved in exceptions.filter(|e| !e.cancelled) {
            let Some(to) = moved.moved_to else { continue };
            out.line("BEGIN:VEVENT");
            out.line(&format!("UID:{series}@kith"));
            out.line(&format!(
                "RECURRENCE-ID;TZID={zone}:{}",
                local(moved.local_start)
            ));
            out.line(&format!("DTSTAMP:{}", utc(group.stamp)));
            out.line(&format!("SEQUENCE:{}", group.sequence));
            out.line(&format!("DTSTART;TZID={zone}:{}", local(to)));
            out.line(&format!("DURATION:PT{}M", rule.duration().minutes()));
            out.line(&format!("SUMMARY:{}", text(group.summary)));
            out.line(&format!("DESCRIPTION:{}", text(group.description)));
            if let Some(url) = group.url {
                out.line(&format!("URL:{url}"));
            }
            out.line("END:VEVENT");
        }
    }
}

/// The first date of a rule's series on or after `since` (or its own first
/// date), or `None` when it never meets again.
fn first_date(rule: &Rule, since: Date) -> Option<Date> {
    if let Recurrence::Once { date } = rule.recurrence {
        return Some(date);
    }
    let mut day = rule.first_date.map_or(since, |first| first.max(since));
    // Every kind meets within about a year of any date.
    for _ in 0..(7 * 8 * 7) {
        if rule.last_date.is_some_and(|last| day > last) {
            return None;
        }
        if rule.falls_on(day) {
            return Some(day);
        }
        day = day.checked_add(1.day()).ok()?;
    }
    None
}

fn byday(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

fn rrule(rule: &Rule, schedule: &Schedule) -> Option<String> {
    let days = |set: kith_domain::schedule::WeekdaySet| {
        set.days()
            .into_iter()
            .map(byday)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut rrule = match rule.recurrence {
        Recurrence::Weekly { weekdays } => format!("FREQ=WEEKLY;WKST=MO;BYDAY={}", days(weekdays)),
        Recurrence::EveryNWeeks {
            weekdays, interval, ..
        } => format!(
            "FREQ=WEEKLY;INTERVAL={interval};WKST=MO;BYDAY={}",
            days(weekdays)
        ),
        Recurrence::Monthly { weekday, weeks } => {
            let positions: Vec<String> = weeks
                .positions()
                .iter()
                .map(|p| match *p {
                    MonthWeeks::LAST => format!("-1{}", byday(weekday)),
                    n => format!("{n}{}", byday(weekday)),
                })
                .collect();
            format!("FREQ=MONTHLY;BYDAY={}", positions.join(","))
        }
        Recurrence::Once { .. } => return None,
    };
    if let Some(last) = rule.last_date {
        // UNTIL is the last instant of the last date, in UTC (RFC 5545
        // requires UTC when DTSTART has a TZID).
        let end = last
            .checked_add(1.day())
            .map(|next| next.to_datetime(jiff::civil::Time::midnight()))
            .ok()?;
        let until = kith_domain::schedule::resolve_local(&schedule.zone, end)
            .checked_sub(SignedDuration::from_secs(1))
            .ok()?;
        let _ = write!(rrule, ";UNTIL={}", utc(until));
    }
    Some(rrule)
}

/// The zone's transitions from a year before the series start to ten years
/// after, each as its own STANDARD or DAYLIGHT observance.
fn timezone(out: &mut Lines, group: &CalendarGroup<'_>) {
    let zone = &group.schedule.zone;
    let tz = zone.tz();
    let start = group
        .since
        .checked_sub(1.year())
        .unwrap_or(group.since)
        .to_datetime(jiff::civil::Time::midnight());
    let from = kith_domain::schedule::resolve_local(zone, start);
    let until = from
        .checked_add(SignedDuration::from_hours(24 * 366 * 11))
        .unwrap_or(from);
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{}", zone.name()));
    let before = tz.to_offset_info(from);
    let mut previous = before.offset();
    let mut any = false;
    for transition in tz.following(from).take_while(|t| t.timestamp() < until) {
        let offset = transition.offset();
        let kind = if transition.dst() == Dst::Yes {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        out.line(&format!("BEGIN:{kind}"));
        out.line(&format!(
            "DTSTART:{}",
            local(
                transition
                    .timestamp()
                    .to_zoned(jiff::tz::TimeZone::fixed(previous))
                    .datetime()
            )
        ));
        out.line(&format!("TZOFFSETFROM:{}", offset_text(previous)));
        out.line(&format!("TZOFFSETTO:{}", offset_text(offset)));
        out.line(&format!("TZNAME:{}", text(transition.abbreviation())));
        out.line(&format!("END:{kind}"));
        previous = offset;
        any = true;
    }
    if !any {
        // No change in the range: one observance for all time.
        out.line("BEGIN:STANDARD");
        out.line("DTSTART:19700101T000000");
        out.line(&format!("TZOFFSETFROM:{}", offset_text(previous)));
        out.line(&format!("TZOFFSETTO:{}", offset_text(previous)));
        out.line(&format!("TZNAME:{}", text(before.abbreviation())));
        out.line("END:STANDARD");
    }
    out.line("END:VTIMEZONE");
}

fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

fn local(at: DateTime) -> String {
    at.strftime("%Y%m%dT%H%M%S").to_string()
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines, folded at 75 octets without splitting a character, each
/// ended by CRLF.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let len = c.len_utf8();
            if width + len > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += len;
        }
        self.0.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_are_folded_between_characters() {
        assert_eq!(text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let mut lines = Lines::default();
        lines.line(&format!("DESCRIPTION:{}", "ä".repeat(60)));
        for line in lines.0.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{}", line.len());
        }
        let unfolded = lines.0.replace("\r\n ", "");
        assert_eq!(unfolded, format!("DESCRIPTION:{}\r\n", "ä".repeat(60)));
    }

    #[test]
    fn offsets_are_written_as_rfc_5545_wants() {
        assert_eq!(
            offset_text(Offset::from_seconds(20_700).expect("offset")),
            "+0545"
        );
        assert_eq!(
            offset_text(Offset::from_seconds(-12_600).expect("offset")),
            "-0330"
        );
    }
}
