use jiff::civil::date;

use super::axis::{LEFT, PLOT_HEIGHT, PLOT_WIDTH, TOP, round_top};
use super::*;

fn today() -> Date {
    date(2026, 6, 1)
}

fn mg(day: Date, amount: &str) -> DosePoint {
    DosePoint {
        day,
        dose: Some((Amount::parse(amount).expect("amount"), Unit::Mg)),
    }
}

fn checkin(day: Date, mood: u8, half_hours: Option<u8>) -> CheckinPoint {
    CheckinPoint {
        day,
        reading: Some(Reading {
            mood: Mood::new(mood).expect("mood"),
            sleep: half_hours.and_then(Sleep::from_half_hours),
        }),
    }
}

fn x(tenths: i64) -> Coord {
    Coord::from_tenths(tenths)
}

fn left() -> i64 {
    i64::from(LEFT) * 10
}

fn right() -> i64 {
    i64::from(LEFT + PLOT_WIDTH) * 10
}

fn bottom() -> i64 {
    i64::from(TOP + PLOT_HEIGHT) * 10
}

#[test]
fn ranges_end_today_and_an_unknown_one_is_none() {
    assert_eq!(Range::parse("month"), Some(Range::Month));
    assert_eq!(Range::parse("six_months"), Some(Range::SixMonths));
    assert_eq!(Range::parse("all"), Some(Range::All));
    assert_eq!(Range::parse("year"), None);
    assert_eq!(Range::default(), Range::SixMonths);
    for range in Range::ALL {
        assert_eq!(Range::parse(range.code()), Some(range));
    }
    let six = Range::SixMonths.span(today(), None);
    assert_eq!((six.from, six.to), (date(2025, 12, 1), today()));
    assert_eq!(six.days(), 183);
    let month = Range::Month.span(today(), None);
    assert_eq!(month.from, date(2026, 5, 1));
    // All begins at the earliest entry, but covers at least a month.
    let all = Range::All.span(today(), Some(date(2023, 6, 2)));
    assert_eq!(all.from, date(2023, 6, 2));
    let recent = Range::All.span(today(), Some(date(2026, 5, 28)));
    assert_eq!(recent.from, date(2026, 5, 1));
}

#[test]
fn days_fall_evenly_across_the_plot_and_the_span_fills_it() {
    let span = Span {
        from: date(2026, 5, 2),
        to: date(2026, 6, 1),
    };
    assert_eq!(span.days(), 31);
    assert_eq!(span.x_start(span.from), x(left()));
    assert_eq!(span.x_end(), x(right()));
    // The day after the span begins one day's width in.
    let day = f64::from(PLOT_WIDTH) * 10.0 / 31.0;
    assert_eq!(
        span.x_start(date(2026, 5, 3)).tenths(),
        left() + day.round() as i64
    );
    // A reading sits in the middle of its day.
    assert_eq!(
        span.x_middle(span.to).tenths(),
        right() - (day / 2.0).round() as i64
    );
    // Days outside are held at the edges.
    assert_eq!(span.x_start(date(2020, 1, 1)), x(left()));
    assert_eq!(span.x_start(date(2027, 1, 1)), x(right()));
    assert_eq!(x(1234).to_string(), "123.4");
    assert_eq!(x(560).to_string(), "56");
}

#[test]
fn a_dose_holds_as_a_step_until_the_next_change() {
    let span = Range::SixMonths.span(today(), None);
    let doses = [
        mg(date(2026, 3, 1), "45"),
        // Before the span: the dose in force when it began, from its edge.
        mg(date(2025, 10, 1), "50"),
        // Long before: not drawn at all.
        mg(date(2025, 1, 1), "60"),
        mg(date(2026, 5, 1), "40"),
    ];
    let (lines, summary) = series::dose_lines(&span, &doses);
    assert_eq!(lines.len(), 1);
    let line = &lines.first().expect("a line");
    assert_eq!(line.unit, Unit::Mg);
    // Scale 0..50 in steps of 20 mg would not fit four steps: 0..60 by 20.
    let labels: Vec<&str> = line.ticks.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["0", "20", "40", "60"]);
    let y = |mg: i64| bottom() - (mg * i64::from(PLOT_HEIGHT) * 10 + 30) / 60;
    let march = span.x_start(date(2026, 3, 1));
    let may = span.x_start(date(2026, 5, 1));
    let expected = format!(
        "M{} {} H{march} V{} H{may} V{} H{}",
        x(left()),
        x(y(50)),
        x(y(45)),
        x(y(40)),
        x(right())
    );
    assert_eq!(line.path, expected);
    // Marks at the two changes within the span, none at its edge.
    assert_eq!(line.changes.len(), 2);
    assert_eq!(line.changes.first().map(|p| p.x), Some(march));
    assert_eq!(
        summary.first.as_ref().map(|(a, _)| a.to_string()),
        Some("50".into())
    );
    assert_eq!(
        summary.last.as_ref().map(|(a, _)| a.to_string()),
        Some("40".into())
    );
    assert_eq!(summary.changes, 2);
    assert_eq!(summary.unopened, 0);
}

#[test]
fn another_unit_gets_a_line_of_its_own_blank_while_the_other_holds() {
    let span = Range::SixMonths.span(today(), None);
    let ml = |day, amount: &str| DosePoint {
        day,
        dose: Some((Amount::parse(amount).expect("amount"), Unit::Ml)),
    };
    let doses = [
        mg(date(2026, 1, 1), "10"),
        ml(date(2026, 2, 1), "2"),
        ml(date(2026, 3, 1), "1.5"),
        mg(date(2026, 4, 1), "5"),
    ];
    let (lines, summary) = series::dose_lines(&span, &doses);
    let units: Vec<&str> = lines.iter().map(|l| l.unit.as_str()).collect();
    assert_eq!(units, ["mg", "ml"]);
    let mg_line = &lines.first().expect("mg").path;
    // Two stretches of mg with a gap between: two `M`s, no step across.
    assert_eq!(mg_line.matches('M').count(), 2, "{mg_line}");
    assert!(!mg_line.contains('V'), "{mg_line}");
    let ml_line = &lines.get(1).expect("ml").path;
    assert_eq!(ml_line.matches('M').count(), 1, "{ml_line}");
    assert_eq!(ml_line.matches('V').count(), 1, "{ml_line}");
    assert_eq!(summary.changes, 4);
    assert_eq!(summary.first.map(|(_, u)| u), Some(Unit::Mg));
}

#[test]
fn a_dose_that_could_not_be_opened_is_counted_and_left_blank() {
    let span = Range::SixMonths.span(today(), None);
    let doses = [
        mg(date(2026, 1, 1), "20"),
        DosePoint {
            day: date(2026, 2, 1),
            dose: None,
        },
        mg(date(2026, 3, 1), "15"),
    ];
    let (lines, summary) = series::dose_lines(&span, &doses);
    let path = &lines.first().expect("line").path;
    assert_eq!(path.matches('M').count(), 2, "{path}");
    let february = span.x_start(date(2026, 2, 1)).to_string();
    let march = span.x_start(date(2026, 3, 1)).to_string();
    // The first stretch ends where the unopened one begins; the next
    // begins only in March.
    assert!(path.contains(&format!("H{february} M{march} ")), "{path}");
    assert_eq!(summary.unopened, 1);
    assert_eq!(summary.changes, 2);
}

#[test]
fn a_medicine_without_doses_in_reach_draws_nothing() {
    let span = Range::Month.span(today(), None);
    let (lines, summary) = series::dose_lines(&span, &[]);
    assert!(lines.is_empty());
    assert_eq!(summary, DoseSummary::default());
}

#[test]
fn mood_and_sleep_are_a_point_a_day_joined_unless_far_apart() {
    let checkins = [
        checkin(date(2026, 5, 10), 2, Some(12)),
        // Two on one day: their mean is drawn.
        checkin(date(2026, 5, 11), 3, Some(13)),
        checkin(date(2026, 5, 11), 4, None),
        // Nine days on: a new line.
        checkin(date(2026, 5, 20), 5, Some(16)),
        // Before the month: not in it.
        checkin(date(2026, 4, 1), 1, Some(2)),
        CheckinPoint {
            day: date(2026, 5, 21),
            reading: None,
        },
    ];
    let charts = charts(Range::Month, today(), &checkins, &[]);
    let mood = &charts.mood;
    assert_eq!(mood.days, 3);
    assert_eq!(mood.dots.len(), 3, "few enough to dot every day");
    assert_eq!(mood.path.matches('M').count(), 1, "{}", mood.path);
    assert_eq!(mood.path.matches('L').count(), 1, "{}", mood.path);
    // 3.5 sits halfway between 3 and 4: mood runs 1 (bottom) to 5.
    let second = mood.dots.get(1).expect("a dot");
    let per_level = i64::from(PLOT_HEIGHT) * 10 / 4;
    assert_eq!(second.y.tenths(), bottom() - (per_level * 25 + 5) / 10);
    let levels: Vec<&str> = mood.ticks.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(levels, ["1", "2", "3", "4", "5"]);
    assert_eq!(charts.sleep.days, 3);
    let hours: Vec<&str> = charts
        .sleep
        .ticks
        .iter()
        .map(|t| t.label.as_str())
        .collect();
    assert_eq!(hours, ["0", "4", "8", "12"]);

    let summary = charts.summary;
    assert_eq!(summary.checkins, 4);
    assert_eq!(summary.days, 3);
    assert_eq!(summary.unopened, 1);
    let mood = summary.mood.expect("mood");
    assert_eq!(mood.average.to_string(), "3.5");
    assert_eq!((mood.lowest.level(), mood.highest.level()), (2, 5));
    let sleep = summary.sleep.expect("sleep");
    // 6 + 6.5 + 8 hours over three nights.
    assert_eq!(sleep.average.to_string(), "6.8");
    assert_eq!(sleep.shortest.hours_text(), "6");
    assert_eq!(sleep.longest.hours_text(), "8");
}

#[test]
fn a_crowded_series_draws_only_the_dots_no_line_reaches() {
    let mut checkins: Vec<CheckinPoint> = (0..300)
        .map(|n| checkin(date(2025, 8, 1).saturating_add(n.days()), 3, Some(14)))
        .collect();
    checkins.push(checkin(date(2025, 7, 1), 4, None));
    let charts = charts(Range::All, today(), &checkins, &[]);
    assert_eq!(charts.mood.days, 301);
    assert_eq!(charts.mood.dots.len(), 1, "only the lone July day");
    assert_eq!(charts.sleep.dots.len(), 0);
    assert!(charts.sleep.path.starts_with('M'));
    assert!(charts.summary.sleep.is_some());
}

#[test]
fn long_sleep_widens_the_axis_to_a_whole_day() {
    let charts = charts(
        Range::Month,
        today(),
        &[checkin(date(2026, 5, 30), 3, Some(30))],
        &[],
    );
    let hours: Vec<&str> = charts
        .sleep
        .ticks
        .iter()
        .map(|t| t.label.as_str())
        .collect();
    assert_eq!(hours, ["0", "6", "12", "18", "24"]);
}

#[test]
fn nothing_written_gives_empty_charts_and_no_figures() {
    let charts = charts(Range::All, today(), &[], &[vec![]]);
    assert_eq!(charts.span.from, date(2026, 5, 1));
    assert!(charts.mood.path.is_empty() && charts.mood.dots.is_empty());
    assert_eq!(charts.summary, Summary::default());
    assert_eq!(charts.medicines.len(), 1);
    assert!(charts.medicines.first().expect("one").lines.is_empty());
}

#[test]
fn time_ticks_are_mondays_months_quarters_or_years_by_span() {
    let labels = |range: Range, earliest: Option<Date>| {
        let span = range.span(today(), earliest);
        axis::time_ticks(&span)
            .into_iter()
            .map(|t| (t.day, t.label))
            .collect::<Vec<_>>()
    };
    let month = labels(Range::Month, None);
    assert!(
        month
            .iter()
            .all(|(d, l)| d.weekday() == jiff::civil::Weekday::Monday && *l == TickLabel::DayMonth)
    );
    assert_eq!(month.first().map(|t| t.0), Some(date(2026, 5, 4)));
    let six = labels(Range::SixMonths, None);
    let days: Vec<Date> = six.iter().map(|t| t.0).collect();
    // December's tick would sit on the axis's left end: left out.
    assert_eq!(
        days,
        [
            date(2026, 1, 1),
            date(2026, 2, 1),
            date(2026, 3, 1),
            date(2026, 4, 1),
            date(2026, 5, 1)
        ]
    );
    assert_eq!(six.first().map(|t| t.1), Some(TickLabel::MonthYear));
    assert_eq!(six.get(1).map(|t| t.1), Some(TickLabel::Month));
    let two_years = labels(Range::All, Some(date(2024, 9, 15)));
    assert!(two_years.iter().all(|(d, l)| (d.month() - 1) % 3 == 0
        && d.day() == 1
        && (*l == TickLabel::MonthYear) == (d.month() == 1)));
    // October 2024 would sit on the left end: left out.
    assert_eq!(two_years.len(), 6, "{two_years:?}");
    let three_years = labels(Range::All, Some(date(2023, 6, 1)));
    assert_eq!(
        three_years,
        [
            (date(2024, 1, 1), TickLabel::Year),
            (date(2025, 1, 1), TickLabel::Year),
            (date(2026, 1, 1), TickLabel::Year)
        ]
    );
    let decades = labels(Range::All, Some(date(1950, 3, 1)));
    assert!(decades.len() <= 8, "{decades:?}");
    for range in [Range::Month, Range::SixMonths] {
        let ticks = labels(range, None);
        assert!((3..=8).contains(&ticks.len()), "{range:?}: {ticks:?}");
    }
}

#[test]
fn a_value_axis_reaches_a_round_top_in_at_most_four_steps() {
    assert_eq!(round_top(50_000), (20_000, 60_000));
    assert_eq!(round_top(40_000), (10_000, 40_000));
    assert_eq!(round_top(1), (1, 1));
    assert_eq!(round_top(10_000_000), (5_000_000, 10_000_000));
    assert_eq!(round_top(37_500), (10_000, 40_000));
    for max in [1, 7, 99, 1234, 987_654, 10_000_000] {
        let (step, top) = round_top(max);
        assert!(top >= max && top / step <= 4, "{max}: {step} {top}");
    }
}

#[test]
fn tenths_show_one_decimal() {
    assert_eq!(Tenths(34).to_string(), "3.4");
    assert_eq!(Tenths(70).to_string(), "7.0");
}
