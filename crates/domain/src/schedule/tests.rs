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
