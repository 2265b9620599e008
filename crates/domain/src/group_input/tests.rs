use super::*;
use crate::schedule::{Recurrence, WeekdaySet};

fn valid() -> GroupInput {
    GroupInput::from_pairs([
        ("name", "Tuesday Tapering Circle"),
        ("description", "We check in about tapering."),
        ("agreements", "What is said here stays here."),
        ("facilitation_style", "check_in_round"),
        ("facilitation_description", "Three minutes each."),
        ("focus", "tapering"),
        ("focus", "staying_off"),
        ("attributes", "newcomer_friendly"),
        ("format", "video"),
        ("language", "EN-gb"),
        ("country", "gb"),
        ("time_zone", "Europe/London"),
        ("rules[0].weekdays", "2"),
        ("rules[0].start", "19:00"),
        ("rules[0].duration_minutes", "90"),
        ("call_link", "https://meet.example.org/abc"),
        ("dial_in", "+44 20 7946 0000,,123456#"),
    ])
}

fn codes(result: Result<NewGroup, Vec<FieldError>>) -> Vec<(&'static str, &'static str)> {
    result
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn a_complete_form_becomes_a_pending_group() {
    let group = valid().parse().expect("valid");
    let p = &group.profile;
    assert_eq!(p.name, "Tuesday Tapering Circle");
    assert_eq!(p.language, "en-GB");
    assert_eq!(p.place.country.as_deref(), Some("GB"));
    assert_eq!(p.focus, vec![Focus::Tapering, Focus::StayingOff]);
    assert_eq!(p.status, ListingStatus::Pending);
    assert_eq!(p.schedule.rules.len(), 1);
    assert_eq!(p.schedule.rules[0].duration().minutes(), 90);
    assert!(p.slug.as_str().starts_with("tuesday-tapering-circle-"));
    assert_eq!(
        group.private.call_link.as_deref(),
        Some("https://meet.example.org/abc")
    );
}

#[test]
fn every_problem_is_reported_at_once_with_its_field() {
    let mut input = valid();
    input.name = "ab".into();
    input.description = "x".repeat(10_001);
    input.agreements = "y".repeat(5_001);
    input.focus.clear();
    input.format = "carrier_pigeon".into();
    input.time_zone = "Mars/Olympus".into();
    input.capacity = "1".into();
    input.rules[0].start = "25:00".into();
    input.rules[0].duration_minutes = "0".into();
    assert_eq!(
        codes(input.parse()),
        vec![
            ("name", "too_short"),
            ("description", "too_long"),
            ("agreements", "too_long"),
            ("focus", "required"),
            ("format", "invalid_value"),
            ("capacity", "out_of_range"),
            ("time_zone", "unknown_time_zone"),
            ("rules[0].start", "invalid_time"),
            ("rules[0].duration_minutes", "out_of_range"),
        ]
    );
}

#[test]
fn rules_are_checked_each_at_its_own_position() {
    let mut input = valid();
    input.rules.push(RuleInput {
        weekdays: vec!["9".into()],
        start: "07:30".into(),
        duration_minutes: "60".into(),
        first_date: "2026-02-30".into(),
        ..RuleInput::default()
    });
    input.rules.push(RuleInput {
        weekdays: vec!["1".into()],
        start: "07:30".into(),
        duration_minutes: "60".into(),
        first_date: "2026-06-01".into(),
        last_date: "2026-05-01".into(),
        ..RuleInput::default()
    });
    assert_eq!(
        codes(input.parse()),
        vec![
            ("rules[1].weekdays", "invalid_value"),
            ("rules[1].first_date", "invalid_date"),
            ("rules[2].last_date", "before_first_date"),
        ]
    );
    input.rules.clear();
    assert_eq!(codes(input.parse()), vec![("rules", "required")]);
}

#[test]
fn only_web_links_are_call_links() {
    for link in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,hi",
        "https://",
        "https://meet example.org",
        "https://x.org/\"onmouseover=\"alert(1)",
    ] {
        let mut input = valid();
        input.call_link = link.into();
        assert_eq!(
            codes(input.parse()),
            vec![("call_link", "invalid_link")],
            "{link}"
        );
    }
}

#[test]
fn dial_in_numbers_keep_their_pauses_and_nothing_else() {
    let mut input = valid();
    input.dial_in = "call me maybe".into();
    assert_eq!(codes(input.parse()), vec![("dial_in", "invalid_phone")]);
}

#[test]
fn a_group_in_a_room_needs_a_city() {
    let mut input = valid();
    input.format = "in_person".into();
    assert_eq!(codes(input.parse()), vec![("city", "required_in_person")]);
    input.city = "Leeds".into();
    assert!(input.parse().is_ok());
}

#[test]
fn open_and_members_only_contradict_each_other() {
    let mut input = valid();
    input.attributes = vec!["open".into(), "members_only".into()];
    assert_eq!(
        codes(input.parse()),
        vec![("attributes", "open_and_members_only")]
    );
}

#[test]
fn open_to_anyone_says_who_may_come_and_fits_every_way_in_but_invitation_only() {
    for (policy, refused) in [
        ("open", false),
        ("approval", false),
        ("", false),
        ("invite_only", true),
    ] {
        let mut input = valid();
        input.attributes = vec!["open".into()];
        input.join_policy = policy.into();
        let expected = if refused {
            vec![("join_policy", "invite_only_but_open")]
        } else {
            vec![]
        };
        assert_eq!(codes(input.parse()), expected, "{policy:?}");
        // Only for people with the experience fits every way in.
        input.attributes = vec!["members_only".into()];
        assert_eq!(codes(input.parse()), vec![], "{policy:?}");
    }
}

#[test]
fn json_accepts_numbers_where_forms_send_text() {
    let input: GroupInput = serde_json::from_str(
        r#"{"name":"Numbers","capacity":12,"rules":[{"weekdays":[1,3],"start":"08:00","duration_minutes":45}]}"#,
    )
    .expect("json");
    assert_eq!(input.capacity, "12");
    assert_eq!(input.rules[0].weekdays, vec!["1", "3"]);
    assert_eq!(input.rules[0].duration_minutes, "45");
}

#[test]
fn every_kind_of_rule_is_read_from_a_form() {
    let mut input = valid();
    input.rules.clear();
    let more = GroupInput::from_pairs([
        ("rules[0].kind", "every_n_weeks"),
        ("rules[0].weekdays", "2"),
        ("rules[0].interval_weeks", "2"),
        ("rules[0].first_date", "2026-06-02"),
        ("rules[0].start", "19:00"),
        ("rules[0].duration_minutes", "60"),
        ("rules[1].kind", "monthly"),
        ("rules[1].weekdays", "4"),
        ("rules[1].month_weeks", "2"),
        ("rules[1].month_weeks", "last"),
        ("rules[1].start", "18:30"),
        ("rules[1].duration_minutes", "90"),
        ("rules[2].kind", "once"),
        ("rules[2].date", "2026-07-14"),
        ("rules[2].start", "17:00"),
        ("rules[2].duration_minutes", "120"),
        // The form's spare row: only its kind is set.
        ("rules[3].kind", "weekly"),
    ]);
    input.rules = more.rules;
    let group = input.parse().expect("valid");
    let rules = &group.profile.schedule.rules;
    assert_eq!(rules.len(), 3);
    assert_eq!(
        rules[0].recurrence,
        Recurrence::EveryNWeeks {
            weekdays: WeekdaySet::of([jiff::civil::Weekday::Tuesday]),
            interval: 2,
            anchor: jiff::civil::date(2026, 6, 2),
        }
    );
    assert_eq!(
        rules[1].recurrence,
        Recurrence::Monthly {
            weekday: jiff::civil::Weekday::Thursday,
            weeks: crate::schedule::MonthWeeks::of([2, crate::schedule::MonthWeeks::LAST]),
        }
    );
    assert_eq!(
        rules[2].recurrence,
        Recurrence::Once {
            date: jiff::civil::date(2026, 7, 14)
        }
    );
}

#[test]
fn impossible_rules_of_each_kind_are_refused_at_their_field() {
    let refused = |pairs: &[(&str, &str)]| {
        let mut input = valid();
        let mut all = vec![
            ("rules[0].start", "10:00"),
            ("rules[0].duration_minutes", "60"),
        ];
        all.extend_from_slice(pairs);
        input.rules = GroupInput::from_pairs(all).rules;
        codes(input.parse())
    };
    assert_eq!(
        refused(&[
            ("rules[0].kind", "every_n_weeks"),
            ("rules[0].weekdays", "2"),
            ("rules[0].interval_weeks", "0")
        ]),
        vec![
            ("rules[0].interval_weeks", "out_of_range"),
            ("rules[0].anchor_date", "required")
        ]
    );
    assert_eq!(
        refused(&[
            ("rules[0].kind", "monthly"),
            ("rules[0].weekdays", "2"),
            ("rules[0].weekdays", "3"),
            ("rules[0].month_weeks", "5")
        ]),
        vec![
            ("rules[0].weekdays", "one_weekday"),
            ("rules[0].month_weeks", "invalid_value")
        ]
    );
    assert_eq!(
        refused(&[("rules[0].kind", "once"), ("rules[0].date", "2026-02-30")]),
        vec![("rules[0].date", "invalid_date")]
    );
    assert_eq!(
        refused(&[("rules[0].kind", "yearly"), ("rules[0].weekdays", "1")]),
        vec![("rules[0].kind", "invalid_value")]
    );
}
