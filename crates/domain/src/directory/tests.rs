use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn raw(pairs: &[(&str, &str)]) -> RawFilters {
    RawFilters::from_pairs(pairs.iter().copied())
}

#[test]
fn pairs_fill_lists_and_single_values_and_ignore_other_keys() {
    let r = raw(&[
        ("format", "phone"),
        ("format", "video"),
        ("day", "1"),
        ("day", "2"),
        ("utm_source", "x"),
    ]);
    assert_eq!(r.format, ["phone", "video"]);
    assert_eq!(r.day.as_deref(), Some("2"));
    let cleared = r.without(&["format", "day"]);
    assert!(cleared.format.is_empty() && cleared.day.is_none());
}

fn parse(pairs: &[(&str, &str)]) -> Result<DirectoryFilters, Vec<FilterError>> {
    raw(pairs).parse(&Zone::utc())
}

fn fields(pairs: &[(&str, &str)]) -> Vec<&'static str> {
    parse(pairs)
        .err()
        .unwrap_or_default()
        .iter()
        .map(|e| e.field)
        .collect()
}

#[test]
fn empty_parameters_mean_no_filter() {
    let f = parse(&[("day", ""), ("time", " "), ("format", ""), ("page", "")]).expect("valid");
    assert_eq!(f.day, None);
    assert!(f.formats.is_empty());
    assert_eq!(f.page, 1);
    assert_eq!(f.zone, Zone::utc());
}

#[test]
fn every_bad_value_is_reported_with_its_field() {
    let bad = [
        ("format", "carrier_pigeon"),
        ("day", "9"),
        ("time", "brunch"),
        ("tz", "Mars/Phobos"),
        ("page", "-1"),
        ("starts_within", "abc"),
        ("in_progress", "maybe"),
        ("focus", "astrology"),
        ("attribute", "vip"),
        ("language", "english!"),
        ("country", "Germany"),
    ];
    let mut expected: Vec<&str> = bad.iter().map(|(k, _)| *k).collect();
    let mut got = fields(&bad);
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    assert_eq!(fields(&[("page", "0")]), ["page"]);
    assert_eq!(fields(&[("page", "501")]), ["page"]);
    assert_eq!(fields(&[("starts_within", "0")]), ["starts_within"]);
    assert_eq!(fields(&[("q", &"x".repeat(201))]), ["q"]);
}

#[test]
fn free_text_becomes_normalised_terms() {
    let f = parse(&[("q", "Hearing  VOICES, Zürich")]).expect("valid");
    assert_eq!(f.terms, ["hearing", "voices", "zurich"]);
}

#[test]
fn language_and_country_are_normalised() {
    let f = parse(&[("language", "PT-br"), ("country", "de"), ("city", "ZÜRICH")]).expect("valid");
    assert_eq!(f.language.as_deref(), Some("pt-BR"));
    assert_eq!(f.country.as_deref(), Some("DE"));
    assert_eq!(f.city.as_deref(), Some("zurich"));
}

#[test]
fn without_time_filters_the_window_takes_meetings_in_progress_up_to_the_horizon() {
    let f = parse(&[]).expect("valid");
    let now = ts("2026-06-01T10:00:00Z");
    assert_eq!(
        f.start_windows(now, horizon(now)),
        [(now.as_second() - 12 * 3600, horizon(now).as_second())]
    );
}

#[test]
fn tuesday_evening_in_berlin_follows_berlin_summer_and_winter_time() {
    let f = parse(&[("day", "2"), ("time", "evening"), ("tz", "Europe/Berlin")]).expect("valid");
    // Monday 19 October 2026: Berlin changes to winter time on 25 October.
    let now = ts("2026-10-19T12:00:00Z");
    let windows = f.start_windows(now, horizon(now));
    assert_eq!(windows.len(), 6);
    // 17:00–21:00 CEST on 20 October is 15:00–19:00 UTC …
    assert_eq!(
        windows[0],
        (
            ts("2026-10-20T15:00:00Z").as_second(),
            ts("2026-10-20T19:00:00Z").as_second()
        )
    );
    // … and 17:00–21:00 CET on 27 October is 16:00–20:00 UTC.
    assert_eq!(
        windows[1],
        (
            ts("2026-10-27T16:00:00Z").as_second(),
            ts("2026-10-27T20:00:00Z").as_second()
        )
    );
}

#[test]
fn the_viewers_day_is_not_the_groups_day() {
    // Tuesday evening in Sydney (UTC+11 in November) is Tuesday morning UTC.
    let f = parse(&[
        ("day", "2"),
        ("time", "evening"),
        ("tz", "Australia/Sydney"),
    ])
    .expect("valid");
    let now = ts("2026-11-29T00:00:00Z");
    let windows = f.start_windows(now, horizon(now));
    assert_eq!(
        windows[0],
        (
            ts("2026-12-01T06:00:00Z").as_second(),
            ts("2026-12-01T10:00:00Z").as_second()
        )
    );
}

#[test]
fn a_night_window_starts_on_the_chosen_day_and_ends_the_next_morning() {
    let f = parse(&[("day", "5"), ("time", "night")]).expect("valid");
    let now = ts("2026-06-01T00:00:00Z");
    let windows = f.start_windows(now, horizon(now));
    assert_eq!(
        windows[0],
        (
            ts("2026-06-05T21:00:00Z").as_second(),
            ts("2026-06-06T05:00:00Z").as_second()
        )
    );
}

#[test]
fn starting_within_and_in_progress_are_windows_around_now() {
    let now = ts("2026-06-01T10:00:00Z");
    let soon = parse(&[("starts_within", "90")]).expect("valid");
    assert_eq!(
        soon.start_windows(now, horizon(now)),
        [(now.as_second(), now.as_second() + 5400)]
    );
    let both = parse(&[("starts_within", "90"), ("in_progress", "true")]).expect("valid");
    assert_eq!(
        both.start_windows(now, horizon(now)),
        [(now.as_second() - 12 * 3600, now.as_second() + 5400)]
    );
}

#[test]
fn starting_within_combines_with_the_viewers_time_of_day() {
    // 16:30 in Berlin (CEST); evening starts at 17:00, 30 minutes from now.
    let f = parse(&[
        ("starts_within", "120"),
        ("time", "evening"),
        ("tz", "Europe/Berlin"),
    ])
    .expect("valid");
    let now = ts("2026-06-01T14:30:00Z");
    assert_eq!(
        f.start_windows(now, horizon(now)),
        [(
            ts("2026-06-01T15:00:00Z").as_second(),
            ts("2026-06-01T16:30:00Z").as_second()
        )]
    );
}

proptest::proptest! {
    #[test]
    fn windows_are_sorted_disjoint_and_inside_the_base(day in 0i8..7, time in 0usize..4, hours in 0i64..5000) {
        let now = ts("2026-01-01T00:00:00Z").checked_add(SignedDuration::from_hours(hours)).expect("ts");
        let f = parse(&[("day", &day.to_string()), ("time", TimeOfDay::ALL[time].code()), ("tz", "America/St_Johns")]).expect("valid");
        let windows = f.start_windows(now, horizon(now));
        proptest::prop_assert!(windows.len() >= 5);
        for pair in windows.windows(2) {
            proptest::prop_assert!(pair[0].1 < pair[1].0);
        }
        // Meetings in progress count: a window may begin up to the longest
        // meeting before now, never earlier.
        let earliest = now.as_second() - i64::from(crate::schedule::MAX_DURATION_MINUTES) * 60;
        for w in &windows {
            proptest::prop_assert!(w.0 < w.1 && w.0 >= earliest && w.1 <= horizon(now).as_second());
        }
    }
}
