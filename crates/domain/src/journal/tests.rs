use super::*;

fn today() -> Date {
    date(2026, 6, 1)
}

fn checkin(mood: &str, hours: &str) -> CheckinInput {
    CheckinInput {
        day: "2026-05-31".to_owned(),
        mood: mood.to_owned(),
        hours_slept: hours.to_owned(),
        symptoms: vec![],
        note: String::new(),
    }
}

fn codes(
    result: Result<impl std::fmt::Debug, Vec<FieldError>>,
) -> Vec<(&'static str, &'static str)> {
    result
        .expect_err("refused")
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn a_check_in_needs_a_mood_from_one_to_five_and_nothing_else() {
    let parsed = checkin("3", "").parse(today()).expect("valid");
    assert_eq!(parsed.day, date(2026, 5, 31));
    assert_eq!(parsed.content.mood.level(), 3);
    assert_eq!(parsed.content.mood.code(), "middling");
    assert_eq!(parsed.content.sleep, None);
    for bad in ["0", "6", "-1", "three", "3.5"] {
        assert_eq!(
            codes(checkin(bad, "").parse(today())),
            [("mood", "out_of_range")],
            "{bad}"
        );
    }
    assert_eq!(
        codes(checkin(" ", "").parse(today())),
        [("mood", "required")]
    );
    assert_eq!(Mood::all().map(Mood::code).count(), 5);
}

#[test]
fn hours_slept_go_by_half_hours_from_zero_to_twenty_four() {
    let sleep = |hours| checkin("4", hours).parse(today()).map(|c| c.content.sleep);
    assert_eq!(sleep("7.5"), Ok(Sleep::from_half_hours(15)));
    assert_eq!(sleep("7,5"), Ok(Sleep::from_half_hours(15)));
    assert_eq!(sleep("0"), Ok(Sleep::from_half_hours(0)));
    assert_eq!(sleep("24"), Ok(Sleep::from_half_hours(48)));
    assert_eq!(codes(sleep("24.5")), [("hours_slept", "out_of_range")]);
    assert_eq!(codes(sleep("-1")), [("hours_slept", "out_of_range")]);
    assert_eq!(codes(sleep("7.25")), [("hours_slept", "half_hours_only")]);
    assert_eq!(codes(sleep("lots")), [("hours_slept", "not_a_number")]);
    assert_eq!(
        Sleep::from_half_hours(15).map(Sleep::hours_text),
        Some("7.5".to_owned())
    );
    assert_eq!(
        Sleep::from_half_hours(16).map(Sleep::hours_text),
        Some("8".to_owned())
    );
}

#[test]
fn a_day_is_neither_in_the_members_future_nor_before_1900() {
    let on = |day: &str| parse_day("day", day, today());
    assert_eq!(on("2026-06-01"), Ok(today()));
    assert_eq!(on("1900-01-01"), Ok(FIRST_DAY));
    assert_eq!(on("2026-06-02"), Err(FieldError::new("day", "in_future")));
    assert_eq!(on("1899-12-31"), Err(FieldError::new("day", "too_early")));
    assert_eq!(
        on("2026-02-30"),
        Err(FieldError::new("day", "invalid_date"))
    );
    assert_eq!(on(""), Err(FieldError::new("day", "required")));
}

#[test]
fn today_is_the_members_own_date() {
    // 23:30 UTC on 31 May is already 1 June in Auckland.
    let now: Timestamp = "2026-05-31T23:30:00Z".parse().expect("time");
    assert_eq!(super::today(now, &Zone::utc()), date(2026, 5, 31));
    let auckland = Zone::parse("Pacific/Auckland").expect("zone");
    assert_eq!(super::today(now, &auckland), date(2026, 6, 1));
}

#[test]
fn day_numbers_count_from_1970_and_round_trip() {
    assert_eq!(day_number(date(1970, 1, 1)), 0);
    assert_eq!(day_number(date(1970, 1, 2)), 1);
    assert!(day_number(FIRST_DAY) < 0);
    for day in [FIRST_DAY, date(2000, 2, 29), today()] {
        assert_eq!(day_from_number(day_number(day)), Some(day));
    }
    assert!(day_number(date(2026, 5, 31)) < day_number(today()));
}

#[test]
fn symptom_tags_are_the_members_own_each_once_and_at_most_twenty() {
    let tags =
        |raw: &[&str]| symptom_tags(&raw.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    assert_eq!(
        tags(&[" brain zaps ", "", "Brain Zaps", "tinnitus"]),
        Ok(vec!["brain zaps".to_owned(), "tinnitus".to_owned()])
    );
    let long = "x".repeat(TAG_MAX + 1);
    assert_eq!(
        tags(&[long.as_str()]),
        Err(FieldError::new("symptoms", "too_long"))
    );
    let many: Vec<String> = (0..=TAGS_MAX).map(|i| format!("tag {i}")).collect();
    assert_eq!(
        symptom_tags(&many),
        Err(FieldError::new("symptoms", "too_many"))
    );
    assert_eq!(
        symptom_tags(&many[..TAGS_MAX]).map(|t| t.len()),
        Ok(TAGS_MAX)
    );
}

#[test]
fn a_note_is_at_most_4000_characters() {
    let mut input = checkin("2", "");
    input.note = "é".repeat(NOTE_MAX);
    assert!(input.parse(today()).is_ok());
    input.note.push('é');
    assert_eq!(codes(input.parse(today())), [("note", "too_long")]);
}

#[test]
fn every_refused_field_of_a_check_in_is_told_at_once() {
    let input = CheckinInput {
        day: "2030-01-01".to_owned(),
        mood: "9".to_owned(),
        hours_slept: "30".to_owned(),
        symptoms: vec!["y".repeat(41)],
        note: "n".repeat(NOTE_MAX + 1),
    };
    assert_eq!(
        codes(input.parse(today())),
        [
            ("day", "in_future"),
            ("mood", "out_of_range"),
            ("hours_slept", "out_of_range"),
            ("symptoms", "too_long"),
            ("note", "too_long"),
        ]
    );
}

#[test]
fn a_medicine_has_a_name_of_one_to_eighty_characters() {
    assert_eq!(
        MedicineName::parse("  sertraline ").map(|n| n.as_str().to_owned()),
        Ok("sertraline".to_owned())
    );
    assert_eq!(
        MedicineName::parse(" "),
        Err(FieldError::new("name", "required"))
    );
    assert_eq!(
        MedicineName::parse(&"m".repeat(81)),
        Err(FieldError::new("name", "too_long"))
    );
}

fn dose(amount: &str, unit: &str) -> DoseInput {
    DoseInput {
        day: "2026-05-01".to_owned(),
        amount: amount.to_owned(),
        unit: unit.to_owned(),
        note: String::new(),
    }
}

#[test]
fn an_amount_is_more_than_zero_and_at_most_ten_thousand_with_three_decimals() {
    let amount = |raw| Amount::parse(raw).map(|a| a.to_string());
    assert_eq!(amount("37.5"), Ok("37.5".to_owned()));
    assert_eq!(amount("37,50"), Ok("37.5".to_owned()));
    assert_eq!(amount("0.125"), Ok("0.125".to_owned()));
    assert_eq!(amount(".5"), Ok("0.5".to_owned()));
    assert_eq!(amount("10000"), Ok("10000".to_owned()));
    assert_eq!(amount("040"), Ok("40".to_owned()));
    let refused = |raw, code| {
        assert_eq!(
            Amount::parse(raw),
            Err(FieldError::new("amount", code)),
            "{raw}"
        )
    };
    refused("0", "not_positive");
    refused("0.000", "not_positive");
    refused("-5", "not_positive");
    refused("10000.001", "too_large");
    refused("99999999999999999999999", "too_large");
    refused("0.0001", "too_precise");
    refused("1e3", "not_a_number");
    refused("5 mg", "not_a_number");
    refused(".", "not_a_number");
    refused("", "required");
}

#[test]
fn units_are_listed_codes_or_a_word_of_ones_own_up_to_sixteen_characters() {
    assert_eq!(Unit::parse("MG"), Ok(Unit::Mg));
    assert_eq!(Unit::parse("µg"), Ok(Unit::Mcg));
    assert_eq!(
        Unit::parse(" capsules "),
        Ok(Unit::Other("capsules".to_owned()))
    );
    assert_eq!(
        Unit::parse(&"u".repeat(17)),
        Err(FieldError::new("unit", "too_long"))
    );
    assert_eq!(Unit::parse(""), Err(FieldError::new("unit", "required")));
    for unit in Unit::LISTED {
        assert_eq!(Unit::from(unit.as_str().to_owned()), unit);
    }
    let parsed = dose("2.5", "ml").parse(today()).expect("valid");
    assert_eq!(parsed.content.unit, Unit::Ml);
    assert_eq!(
        codes(dose("0", "").parse(today())),
        [("amount", "not_positive"), ("unit", "required")]
    );
}

#[test]
fn a_dose_note_is_at_most_1000_characters_and_its_day_not_in_the_future() {
    let mut input = dose("10", "mg");
    input.note = "n".repeat(DOSE_NOTE_MAX + 1);
    input.day = "2026-06-02".to_owned();
    assert_eq!(
        codes(input.parse(today())),
        [("day", "in_future"), ("note", "too_long")]
    );
}

#[test]
fn the_step_is_a_percentage_of_the_previous_dose_in_the_same_unit() {
    let mg = Unit::Mg;
    let a = |raw| Amount::parse(raw).expect("amount");
    let s = |before, after| step(Some((a(before), &mg)), (a(after), &mg)).map(|s| s.to_string());
    assert_eq!(s("40", "36"), Some("-10%".to_owned()));
    assert_eq!(s("40", "35"), Some("-12.5%".to_owned()));
    assert_eq!(s("20", "22"), Some("+10%".to_owned()));
    assert_eq!(s("10", "10"), Some("0%".to_owned()));
    // A third is rounded to a tenth, halves away from zero.
    assert_eq!(s("3", "2"), Some("-33.3%".to_owned()));
    assert_eq!(s("0.003", "0.002"), Some("-33.3%".to_owned()));
    assert_eq!(s("2", "1.999"), Some("-0.1%".to_owned()));
    assert_eq!(
        step(Some((a("40"), &mg)), (a("30"), &mg)).map(Step::tenths_of_percent),
        Some(-250)
    );
    assert_eq!(step(None, (a("40"), &mg)), None, "no previous dose");
    assert_eq!(
        step(Some((a("40"), &mg)), (a("2"), &Unit::Ml)),
        None,
        "another unit"
    );
    let own = Unit::Other("Capsules".to_owned());
    let own_lower = Unit::Other("capsules".to_owned());
    assert!(step(Some((a("4"), &own)), (a("3"), &own_lower)).is_some());
}

#[test]
fn steps_follow_a_medicines_doses_in_order() {
    let mg = Unit::Mg;
    let ml = Unit::Ml;
    let a = |raw| Amount::parse(raw).expect("amount");
    let got: Vec<Option<String>> = steps(&[
        (a("40"), &mg),
        (a("36"), &mg),
        (a("5"), &ml),
        (a("4.5"), &ml),
    ])
    .into_iter()
    .map(|s| s.map(|s| s.to_string()))
    .collect();
    assert_eq!(
        got,
        [None, Some("-10%".to_owned()), None, Some("-10%".to_owned())]
    );
}

#[test]
fn sealed_contents_round_trip_through_json_and_refuse_out_of_range_values() {
    let content = checkin("5", "8").parse(today()).expect("valid").content;
    let json = serde_json::to_string(&content).expect("json");
    assert_eq!(
        serde_json::from_str::<CheckinContent>(&json).expect("back"),
        content
    );
    assert!(
        serde_json::from_str::<CheckinContent>(
            r#"{"mood":6,"sleep":null,"symptoms":[],"note":""}"#
        )
        .is_err()
    );
    let dose = dose("37.5", "beads").parse(today()).expect("valid").content;
    let json = serde_json::to_string(&dose).expect("json");
    assert_eq!(json, r#"{"amount":37500,"unit":"beads","note":""}"#);
    assert_eq!(
        serde_json::from_str::<DoseContent>(&json).expect("back"),
        dose
    );
    assert!(serde_json::from_str::<DoseContent>(r#"{"amount":0,"unit":"mg","note":""}"#).is_err());
}
