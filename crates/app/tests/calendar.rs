//! A group's calendar, read by an independent parser and expanded by an
//! independent library (Python's `icalendar` and `recurring-ical-events`,
//! on the system's zone database), gives exactly kith's own occurrences over
//! a year that crosses daylight saving time in several zones.

use std::process::Command;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday, date};
use kith_app::feeds::ical::{CalendarGroup, calendar};
use kith_domain::ids::{RuleId, SeriesId};
use kith_domain::schedule::{
    MeetingDuration, MonthWeeks, Recurrence, Rule, Schedule, WeekdaySet, parse_local_time,
    resolve_local,
};
use kith_domain::zone::Zone;

fn rule(recurrence: Recurrence, at: &str, minutes: u16) -> Rule {
    Rule {
        id: None,
        recurrence,
        local_time: parse_local_time(at).expect("time"),
        duration: MeetingDuration::from_minutes(minutes).expect("duration"),
        first_date: None,
        last_date: None,
    }
}

fn weekly(days: &[Weekday]) -> Recurrence {
    Recurrence::Weekly {
        weekdays: WeekdaySet::of(days.iter().copied()),
    }
}

/// Schedules across zones with 30-minute DST (Lord Howe), +05:45
/// (Kathmandu), -03:30 (St John's, including a time in its spring gap), a
/// southern-hemisphere DST (Sydney), and a fall-back fold (Berlin).
fn schedules() -> Vec<Schedule> {
    let zone = |name| Zone::parse(name).expect("zone");
    let mut until_june = rule(weekly(&[Weekday::Monday]), "07:15", 45);
    until_june.last_date = Some(date(2026, 6, 30));
    vec![
        Schedule {
            zone: zone("Europe/Berlin"),
            rules: vec![
                rule(weekly(&[Weekday::Tuesday, Weekday::Thursday]), "19:00", 90),
                // 02:30 on the last Sunday of October happens twice.
                rule(weekly(&[Weekday::Sunday]), "02:30", 60),
                until_june,
            ],
        },
        Schedule {
            zone: zone("Australia/Lord_Howe"),
            rules: vec![rule(
                Recurrence::Monthly {
                    weekday: Weekday::Wednesday,
                    weeks: MonthWeeks::of([2, MonthWeeks::LAST]),
                },
                "18:30",
                60,
            )],
        },
        Schedule {
            zone: zone("Asia/Kathmandu"),
            rules: vec![
                rule(weekly(&[Weekday::Saturday]), "08:00", 60),
                rule(
                    Recurrence::Once {
                        date: date(2026, 9, 12),
                    },
                    "17:45",
                    120,
                ),
            ],
        },
        Schedule {
            zone: zone("America/St_Johns"),
            rules: vec![
                // 02:30 on 8 March 2026 does not exist there.
                rule(weekly(&[Weekday::Sunday]), "02:30", 30),
                rule(
                    Recurrence::EveryNWeeks {
                        weekdays: WeekdaySet::of([Weekday::Wednesday]),
                        interval: 2,
                        anchor: date(2026, 1, 14),
                    },
                    "20:00",
                    75,
                ),
            ],
        },
        Schedule {
            zone: zone("Australia/Sydney"),
            rules: vec![
                rule(weekly(&[Weekday::Friday]), "12:00", 60),
                rule(
                    Recurrence::EveryNWeeks {
                        weekdays: WeekdaySet::of([Weekday::Monday, Weekday::Thursday]),
                        interval: 3,
                        anchor: date(2026, 2, 2),
                    },
                    "06:30",
                    30,
                ),
            ],
        },
    ]
}

fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import icalendar, recurring_ical_events"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if kith_store::testing::in_ci() {
            panic!(
                "CI=true and python3 with icalendar and recurring-ical-events is missing (.ci/run installs them)"
            );
        }
        eprintln!(
            "python3 with icalendar and recurring-ical-events is missing; skipping the independent check"
        );
    }
    ok
}

#[test]
fn an_independent_expander_finds_exactly_kiths_occurrences() {
    if !python_ready() {
        return;
    }
    let since: Date = date(2026, 1, 1);
    let dir = tempfile::tempdir().expect("dir");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ical_check.py");
    for (n, mut schedule) in schedules().into_iter().enumerate() {
        let series = stored(&mut schedule);
        // The first rule of each schedule has one meeting cancelled.
        let first = schedule.rules[0].clone();
        let zone_schedule = Schedule {
            zone: schedule.zone.clone(),
            rules: vec![first],
        };
        let probe_from = resolve_local(
            &schedule.zone,
            date(2026, 6, 1).to_datetime(jiff::civil::Time::midnight()),
        );
        let probe_until = probe_from
            .checked_add(jiff::SignedDuration::from_hours(24 * 60))
            .expect("ts");
        let found = zone_schedule.occurrences_between(probe_from, probe_until);
        let victim = found[0].clone();
        // …and the next one moved a day later, an hour earlier.
        let moved = found[1].clone();
        let moved_to = moved
            .local_start
            .checked_add(jiff::SignedDuration::from_hours(23))
            .expect("local");
        let exceptions = [
            kith_store::OccurrenceException {
                rule: RuleId(1),
                local_start: victim.local_start,
                cancelled: true,
                moved_to: None,
            },
            kith_store::OccurrenceException {
                rule: RuleId(1),
                local_start: moved.local_start,
                cancelled: false,
                moved_to: Some(moved_to),
            },
        ];
        let ics = calendar(
            "kith meetings",
            &[CalendarGroup {
                series: &series,
                summary: "kith: meeting",
                description: "A meeting, with a comma, a semicolon; and a backslash \\",
                url: Some("https://kith.example/me"),
                schedule: &schedule,
                since,
                sequence: 3,
                exceptions: &exceptions,
                stamp: "2026-01-01T00:00:00Z".parse().expect("ts"),
            }],
        );
        let path = dir.path().join(format!("{n}.ics"));
        std::fs::write(&path, &ics).expect("write");
        let from = resolve_local(
            &schedule.zone,
            since.to_datetime(jiff::civil::Time::midnight()),
        );
        let until: Timestamp = "2027-01-15T00:00:00Z".parse().expect("ts");
        let output = Command::new("python3")
            .arg(script)
            .arg(&path)
            .arg(from.to_string())
            .arg(until.to_string())
            .env("PYTHONTZPATH", "/usr/share/zoneinfo")
            .output()
            .expect("python3");
        assert!(
            output.status.success(),
            "{}\n{ics}",
            String::from_utf8_lossy(&output.stderr)
        );
        let theirs: Vec<(String, i64)> = serde_json::from_slice(&output.stdout).expect("json");
        let mut ours: Vec<(String, i64)> = schedule
            .occurrences_between(from, until)
            .iter()
            .filter(|o| !(o.rule_index == 0 && o.local_start == victim.local_start))
            .map(|o| {
                let length = o.ends_at.duration_since(o.starts_at).as_secs() / 60;
                let starts_at = if o.rule_index == 0 && o.local_start == moved.local_start {
                    resolve_local(&schedule.zone, moved_to)
                } else {
                    o.starts_at
                };
                (starts_at.to_string(), length)
            })
            .collect();
        ours.sort();
        assert!(ours.len() > 20, "{} in a year", ours.len());
        assert_eq!(theirs, ours, "{}:\n{ics}", schedule.zone.name());
    }
}

/// Gives each rule a stored id, as the store does, and answers each rule's
/// series id.
fn stored(schedule: &mut Schedule) -> Vec<(RuleId, SeriesId)> {
    schedule
        .rules
        .iter_mut()
        .zip(1..)
        .map(|(rule, id)| {
            rule.id = Some(RuleId(id));
            (RuleId(id), SeriesId::random())
        })
        .collect()
}

#[test]
fn the_calendar_carries_no_private_field_and_neutral_titles() {
    let mut schedule = schedules().remove(0);
    let series = stored(&mut schedule);
    let schedule = &schedule;
    let ics = calendar(
        "kith meetings",
        &[CalendarGroup {
            series: &series,
            summary: "kith: meeting",
            description: "A meeting of a group you follow on kith.",
            url: None,
            schedule,
            since: date(2026, 1, 1),
            sequence: 7,
            exceptions: &[],
            stamp: "2026-01-01T00:00:00Z".parse().expect("ts"),
        }],
    );
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
    assert!(ics.contains("RRULE:FREQ=WEEKLY;WKST=MO;BYDAY=TU,TH\r\n"));
    for (_, id) in &series {
        assert_eq!(ics.matches(&format!("UID:{id}@kith\r\n")).count(), 1);
    }
    assert_eq!(ics.matches("UID:").count(), 3, "a UID for each series only");
    assert!(ics.contains("SEQUENCE:7\r\n"));
    assert!(
        ics.contains("UNTIL=20260630T215959Z"),
        "the last date's end, in UTC:\n{ics}"
    );
    assert_eq!(ics.matches("SUMMARY:kith: meeting\r\n").count(), 3);
}
