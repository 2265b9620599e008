use jiff::civil::{date, time};

use super::*;

fn zone(name: &str) -> Zone {
    Zone::parse(name).expect("zone")
}

fn weekly(zone_name: &str, days: &[Weekday], at: &str, minutes: u16) -> Schedule {
    let rule = Rule::weekly(
        WeekdaySet::of(days.iter().copied()),
        parse_local_time(at).expect("time"),
        MeetingDuration::from_minutes(minutes).expect("duration"),
    )
    .expect("rule");
    Schedule {
        zone: zone(zone_name),
        rules: vec![rule],
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[test]
fn a_meeting_at_19h_new_york_stays_19h_across_dst() {
    let schedule = weekly("America/New_York", &[Weekday::Tuesday], "19:00", 90);
    let found =
        schedule.occurrences_between(ts("2026-02-26T00:00:00Z"), ts("2026-04-01T00:00:00Z"));
    let ny = zone("America/New_York");
    for o in &found {
        assert_eq!(
            o.starts_at.to_zoned(ny.tz().clone()).time(),
            time(19, 0, 0, 0)
        );
    }
    // EST (UTC-5) before 8 March 2026, EDT (UTC-4) after.
    assert_eq!(found[0].starts_at, ts("2026-03-04T00:00:00Z"));
    assert_eq!(found[1].starts_at, ts("2026-03-10T23:00:00Z"));
}

#[test]
fn a_viewer_in_berlin_sees_new_york_meetings_shift_while_the_continents_disagree() {
    let schedule = weekly("America/New_York", &[Weekday::Tuesday], "19:00", 60);
    let berlin = zone("Europe/Berlin");
    let hours: Vec<i8> = schedule
        .occurrences_between(ts("2026-03-01T00:00:00Z"), ts("2026-04-05T00:00:00Z"))
        .iter()
        .map(|o| o.starts_at.to_zoned(berlin.tz().clone()).hour())
        .collect();
    // 3 Mar: both on winter time (01:00 next day in Berlin); 10, 17, 24 Mar:
    // the US has changed, Europe has not (00:00); 31 Mar: both changed (01:00).
    assert_eq!(hours, [1, 0, 0, 0, 1]);
}

#[test]
fn a_local_time_in_the_spring_forward_gap_moves_forward_by_the_gap() {
    // Europe/Berlin skips 02:00–03:00 on 29 March 2026.
    let schedule = weekly("Europe/Berlin", &[Weekday::Sunday], "02:30", 60);
    let found =
        schedule.occurrences_between(ts("2026-03-28T00:00:00Z"), ts("2026-03-30T00:00:00Z"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].local_start, date(2026, 3, 29).at(2, 30, 0, 0));
    // 03:30 CEST is 01:30 UTC.
    assert_eq!(found[0].starts_at, ts("2026-03-29T01:30:00Z"));
}

#[test]
fn a_local_time_in_the_fall_back_fold_means_its_first_instance() {
    // America/New_York repeats 01:00–02:00 on 1 November 2026.
    let schedule = weekly("America/New_York", &[Weekday::Sunday], "01:30", 60);
    let found =
        schedule.occurrences_between(ts("2026-10-31T00:00:00Z"), ts("2026-11-02T00:00:00Z"));
    assert_eq!(found.len(), 1);
    // The first 01:30 is still EDT (UTC-4).
    assert_eq!(found[0].starts_at, ts("2026-11-01T05:30:00Z"));
}

#[test]
fn half_and_quarter_hour_zones_keep_their_offsets() {
    let kathmandu = weekly("Asia/Kathmandu", &[Weekday::Monday], "18:00", 60);
    let found =
        kathmandu.occurrences_between(ts("2026-06-01T00:00:00Z"), ts("2026-06-02T00:00:00Z"));
    assert_eq!(found[0].starts_at, ts("2026-06-01T12:15:00Z"));
    let st_johns = weekly("America/St_Johns", &[Weekday::Monday], "18:00", 60);
    let found =
        st_johns.occurrences_between(ts("2026-06-01T00:00:00Z"), ts("2026-06-02T00:00:00Z"));
    assert_eq!(found[0].starts_at, ts("2026-06-01T20:30:00Z"));
}

#[test]
fn several_weekdays_give_meetings_in_start_order() {
    let schedule = weekly(
        "Europe/London",
        &[Weekday::Thursday, Weekday::Monday],
        "08:00",
        45,
    );
    let found =
        schedule.occurrences_between(ts("2026-06-01T00:00:00Z"), ts("2026-06-15T00:00:00Z"));
    let days: Vec<Weekday> = found.iter().map(|o| o.local_start.weekday()).collect();
    assert_eq!(
        days,
        [
            Weekday::Monday,
            Weekday::Thursday,
            Weekday::Monday,
            Weekday::Thursday
        ]
    );
}

#[test]
fn a_meeting_still_running_at_the_window_start_is_included() {
    let schedule = weekly("UTC", &[Weekday::Monday], "23:30", 60);
    let found =
        schedule.occurrences_between(ts("2026-06-02T00:10:00Z"), ts("2026-06-03T00:00:00Z"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].local_start, date(2026, 6, 1).at(23, 30, 0, 0));
}

#[test]
fn first_and_last_dates_bound_the_series() {
    let mut schedule = weekly("UTC", &[Weekday::Monday], "10:00", 60);
    schedule.rules[0].first_date = Some(date(2026, 6, 8));
    schedule.rules[0].last_date = Some(date(2026, 6, 15));
    let found =
        schedule.occurrences_between(ts("2026-06-01T00:00:00Z"), ts("2026-07-01T00:00:00Z"));
    assert_eq!(found.len(), 2);
}

#[test]
fn impossible_rules_are_refused() {
    assert_eq!(
        MeetingDuration::from_minutes(0),
        Err(ScheduleError::DurationOutOfRange)
    );
    assert_eq!(
        MeetingDuration::from_minutes(721),
        Err(ScheduleError::DurationOutOfRange)
    );
    for bad in ["25:00", "7pm", "19:60", "1900", "9:00"] {
        assert_eq!(
            parse_local_time(bad),
            Err(ScheduleError::InvalidTime),
            "{bad}"
        );
    }
    let empty = Rule::weekly(
        WeekdaySet::default(),
        time(19, 0, 0, 0),
        MeetingDuration::from_minutes(60).expect("duration"),
    );
    assert_eq!(empty, Err(ScheduleError::NoWeekday));
}

#[test]
fn weekday_sets_round_trip_through_their_bits() {
    let set = WeekdaySet::of([Weekday::Sunday, Weekday::Wednesday]);
    assert_eq!(WeekdaySet::from_bits(set.bits()), set);
    assert_eq!(set.days(), [Weekday::Wednesday, Weekday::Sunday]);
}

proptest::proptest! {
    #[test]
    fn every_occurrence_starts_at_the_rules_local_time_unless_in_a_gap(
        days in 1u8..128, hour in 0i8..24, minute in 0i8..60, zone_index in 0usize..6, offset_days in 0i64..800,
    ) {
        let zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "America/Sao_Paulo"];
        let z = zone(zones[zone_index]);
        let rule = Rule::weekly(WeekdaySet::from_bits(i64::from(days)), time(hour, minute, 0, 0), MeetingDuration::from_minutes(60).expect("d")).expect("rule");
        let schedule = Schedule { zone: z.clone(), rules: vec![rule] };
        let from = ts("2026-01-01T00:00:00Z").checked_add(SignedDuration::from_hours(24 * offset_days)).expect("ts");
        let until = from.checked_add(SignedDuration::from_hours(24 * 21)).expect("ts");
        let found = schedule.occurrences_between(from, until);
        proptest::prop_assert!(found.len() >= 2);
        for o in found {
            let local = o.starts_at.to_zoned(z.tz().clone()).datetime();
            // In a gap, the start moves forward by the gap; elsewhere it is exact.
            proptest::prop_assert!(local >= o.local_start);
            proptest::prop_assert!(local.duration_since(o.local_start) <= SignedDuration::from_hours(1));
            proptest::prop_assert!(o.ends_at > from && o.starts_at < until);
        }
    }
}

fn with(zone_name: &str, recurrence: Recurrence, at: &str) -> Schedule {
    let rule = Rule {
        id: None,
        recurrence,
        local_time: parse_local_time(at).expect("time"),
        duration: MeetingDuration::from_minutes(60).expect("duration"),
        first_date: None,
        last_date: None,
    };
    rule.validate().expect("valid rule");
    Schedule {
        zone: zone(zone_name),
        rules: vec![rule],
    }
}

fn local_dates(schedule: &Schedule, from: &str, until: &str) -> Vec<String> {
    schedule
        .occurrences_between(ts(from), ts(until))
        .iter()
        .map(|o| o.local_start.date().to_string())
        .collect()
}

#[test]
fn every_other_week_counts_from_the_anchors_week() {
    // Anchored on Thursday 4 June 2026: Tuesday 2 June is in the same
    // Monday-to-Sunday week, so it meets; 9 June does not.
    let schedule = with(
        "Europe/Berlin",
        Recurrence::EveryNWeeks {
            weekdays: WeekdaySet::of([Weekday::Tuesday]),
            interval: 2,
            anchor: date(2026, 6, 4),
        },
        "19:00",
    );
    assert_eq!(
        local_dates(&schedule, "2026-05-18T00:00:00Z", "2026-07-01T00:00:00Z"),
        ["2026-05-19", "2026-06-02", "2026-06-16", "2026-06-30"]
    );
}

#[test]
fn monthly_rules_meet_on_the_nth_and_last_weekday() {
    let second_and_fourth_thursday = with(
        "America/New_York",
        Recurrence::Monthly {
            weekday: Weekday::Thursday,
            weeks: MonthWeeks::of([2, 4]),
        },
        "18:30",
    );
    assert_eq!(
        local_dates(
            &second_and_fourth_thursday,
            "2026-04-01T00:00:00Z",
            "2026-06-01T00:00:00Z"
        ),
        ["2026-04-09", "2026-04-23", "2026-05-14", "2026-05-28"]
    );
    let last_sunday = with(
        "Australia/Sydney",
        Recurrence::Monthly {
            weekday: Weekday::Sunday,
            weeks: MonthWeeks::of([MonthWeeks::LAST]),
        },
        "10:00",
    );
    // May 2026 has five Sundays; the last is the 31st.
    assert_eq!(
        local_dates(&last_sunday, "2026-04-01T00:00:00Z", "2026-06-15T00:00:00Z"),
        ["2026-04-26", "2026-05-31"]
    );
    let fourth_and_last = MonthWeeks::of([4, MonthWeeks::LAST]);
    assert_eq!(fourth_and_last.positions(), [4, MonthWeeks::LAST]);
    assert_eq!(
        MonthWeeks::from_bits(fourth_and_last.bits()),
        fourth_and_last
    );
}

#[test]
fn a_one_off_meets_once() {
    let webinar = with(
        "Asia/Kathmandu",
        Recurrence::Once {
            date: date(2026, 7, 14),
        },
        "17:45",
    );
    let found = webinar.occurrences_between(ts("2026-06-01T00:00:00Z"), ts("2026-12-01T00:00:00Z"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].starts_at, ts("2026-07-14T12:00:00Z"));
}

#[test]
fn rules_of_the_new_kinds_are_checked() {
    let rule = |recurrence| Rule {
        id: None,
        recurrence,
        local_time: time(10, 0, 0, 0),
        duration: MeetingDuration::from_minutes(60).expect("duration"),
        first_date: None,
        last_date: None,
    };
    let tuesdays = WeekdaySet::of([Weekday::Tuesday]);
    for (interval, expected) in [
        (1, Err(ScheduleError::IntervalOutOfRange)),
        (2, Ok(())),
        (8, Ok(())),
        (9, Err(ScheduleError::IntervalOutOfRange)),
    ] {
        let r = rule(Recurrence::EveryNWeeks {
            weekdays: tuesdays,
            interval,
            anchor: date(2026, 6, 2),
        });
        assert_eq!(r.validate(), expected, "{interval}");
    }
    let no_weeks = rule(Recurrence::Monthly {
        weekday: Weekday::Monday,
        weeks: MonthWeeks::default(),
    });
    assert_eq!(no_weeks.validate(), Err(ScheduleError::NoMonthWeek));
}

proptest::proptest! {
    #[test]
    fn every_occurrence_of_every_kind_falls_on_its_weekday_at_its_local_time(
        kind in 0u8..3, days in 1u8..128, interval in 2u8..9, weeks in 1u8..32, hour in 0i8..24, minute in 0i8..60,
        zone_index in 0usize..6, offset_days in 0i64..800, anchor_offset in 0i64..120,
    ) {
        let zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "America/Sao_Paulo"];
        let z = zone(zones[zone_index]);
        let weekdays = WeekdaySet::from_bits(i64::from(days));
        let anchor = date(2026, 1, 1).checked_add(anchor_offset.days()).expect("date");
        let recurrence = match kind {
            0 => Recurrence::EveryNWeeks { weekdays, interval, anchor },
            1 => Recurrence::Monthly { weekday: weekdays.days()[0], weeks: MonthWeeks::from_bits(i64::from(weeks)) },
            _ => Recurrence::Weekly { weekdays },
        };
        let rule = Rule { id: None, recurrence: recurrence.clone(), local_time: time(hour, minute, 0, 0), duration: MeetingDuration::from_minutes(45).expect("d"), first_date: None, last_date: None };
        let schedule = Schedule { zone: z.clone(), rules: vec![rule] };
        let from = ts("2026-01-01T00:00:00Z").checked_add(SignedDuration::from_hours(24 * offset_days)).expect("ts");
        let until = from.checked_add(SignedDuration::from_hours(24 * 120)).expect("ts");
        let found = schedule.occurrences_between(from, until);
        proptest::prop_assert!(!found.is_empty());
        for o in &found {
            let day = o.local_start.date();
            proptest::prop_assert_eq!(o.local_start.time(), time(hour, minute, 0, 0));
            match recurrence {
                Recurrence::Weekly { weekdays } | Recurrence::EveryNWeeks { weekdays, .. } => proptest::prop_assert!(weekdays.contains(day.weekday())),
                Recurrence::Monthly { weekday, .. } => proptest::prop_assert_eq!(day.weekday(), weekday),
                Recurrence::Once { .. } => {}
            }
            let local = o.starts_at.to_zoned(z.tz().clone()).datetime();
            proptest::prop_assert!(local >= o.local_start);
            proptest::prop_assert!(local.duration_since(o.local_start) <= SignedDuration::from_hours(1));
        }
        if let Recurrence::EveryNWeeks { interval, .. } = recurrence {
            // Meetings in consecutive meeting weeks are `interval` weeks apart.
            let mut weeks_seen: Vec<i64> = found.iter().map(|o| weeks_apart(anchor, o.local_start.date())).collect();
            weeks_seen.dedup();
            for pair in weeks_seen.windows(2) {
                proptest::prop_assert_eq!((pair[1] - pair[0]).abs() % i64::from(interval), 0);
            }
        }
    }
}
