use super::*;

fn label(raw: &str) -> InterestLabel {
    InterestLabel::parse(raw).expect("a label")
}

const KNOWN: [&str; 3] = ["coming-off", "events", "hearing-voices"];

#[test]
fn a_label_is_required_one_line_and_at_most_80_characters() {
    assert_eq!(label("  Coming off  ").as_str(), "Coming off");
    assert_eq!(
        InterestLabel::parse("   "),
        Err(FieldError::new("label", "required"))
    );
    assert_eq!(
        InterestLabel::parse("Coming\noff"),
        Err(FieldError::new("label", "one_line"))
    );
    assert!(InterestLabel::parse(&"é".repeat(80)).is_ok());
    assert_eq!(
        InterestLabel::parse(&"é".repeat(81)),
        Err(FieldError::new("label", "too_long"))
    );
}

#[test]
fn a_code_is_the_labels_lowercase_words_joined_by_hyphens() {
    assert_eq!(
        interest_code(&label("New groups near me!"), []),
        "new-groups-near-me"
    );
    assert_eq!(interest_code(&label("Café & Zürich"), []), "cafe-zurich");
    assert_eq!(interest_code(&label("—"), []), "interest");
}

#[test]
fn a_code_taken_already_gets_a_number() {
    let taken = ["events", "events-2"];
    assert_eq!(interest_code(&label("Events"), taken), "events-3");
}

#[test]
fn a_code_is_never_longer_than_40_even_with_its_number() {
    let long = label(&"abcdefghij ".repeat(7));
    let first = interest_code(&long, []);
    assert!(first.len() <= CODE_MAX, "{first}");
    let second = interest_code(&long, [first.as_str()]);
    assert!(second.len() <= CODE_MAX, "{second}");
    assert!(second.ends_with("-2"));
    assert!(is_interest_code(&first) && is_interest_code(&second));
}

#[test]
fn code_shapes_are_lowercase_words_and_hyphens() {
    for good in ["events", "coming-off", "new-groups-2"] {
        assert!(is_interest_code(good), "{good}");
    }
    for bad in [
        "",
        "Events",
        "-events",
        "events-",
        "a--b",
        "a b",
        "é",
        &"a".repeat(41),
    ] {
        assert!(!is_interest_code(bad), "{bad}");
    }
}

#[test]
fn placements_read_back_from_their_codes_and_only_the_page_stays_shown() {
    for p in Placement::ALL {
        assert_eq!(Placement::parse(p.code()), Some(p));
    }
    assert_eq!(Placement::parse("sidebar"), None);
    assert!(!Placement::Newsletter.can_hide());
    assert!(Placement::Home.can_hide());
}

#[test]
fn form_words_need_a_heading_and_consent_and_keep_their_lengths() {
    let words = FormWordsInput {
        heading: " Hear from us ".into(),
        intro: String::new(),
        consent: "I agree.".into(),
    }
    .parse()
    .expect("words");
    assert_eq!(words.heading, "Hear from us");
    assert_eq!(words.intro, "");
    let refused = FormWordsInput {
        heading: "a\nb".into(),
        intro: "x".repeat(1_001),
        consent: " ".into(),
    }
    .parse()
    .expect_err("refused");
    assert_eq!(
        refused,
        [
            FieldError::new("heading", "one_line"),
            FieldError::new("intro", "too_long"),
            FieldError::new("consent", "required"),
        ]
    );
    let long_heading = FormWordsInput {
        heading: "h".repeat(121),
        intro: String::new(),
        consent: "ok".into(),
    };
    assert_eq!(
        long_heading.parse(),
        Err(vec![FieldError::new("heading", "too_long")])
    );
}

#[test]
fn an_import_reads_addresses_names_and_interests() {
    let file = parse_import(
        "\u{feff}Email,First_Name,interests,phone\n\
         Ann@Example.org, Ann ,coming-off;events,123\n\
         \n\
         bo@example.org,,,\n\
         cy@example.org,Cy,events hearing-voices events,\n"
            .as_bytes(),
        KNOWN,
    )
    .expect("read");
    assert_eq!(file.rows.len(), 3);
    assert_eq!(file.repeats, 0);
    assert_eq!(file.rows[0].email.as_str(), "ann@example.org");
    assert_eq!(file.rows[0].first_name.as_deref(), Some("Ann"));
    assert_eq!(file.rows[0].interests, ["coming-off", "events"]);
    assert_eq!(file.rows[1].line, 4);
    assert_eq!(file.rows[1].first_name, None);
    assert!(file.rows[1].interests.is_empty());
    assert_eq!(file.rows[2].interests, ["events", "hearing-voices"]);
}

#[test]
fn an_import_with_only_an_email_column_is_enough_and_repeats_count_once() {
    let file = parse_import(b"email\na@example.org\nA@example.org\n", KNOWN).expect("read");
    assert_eq!(file.rows.len(), 1);
    assert_eq!(file.repeats, 1);
}

#[test]
fn a_bad_row_refuses_the_file_naming_its_line() {
    let refused = |text: &str| parse_import(text.as_bytes(), KNOWN).expect_err("refused");
    assert_eq!(
        refused("email\na@example.org\nnot-an-address\n"),
        ImportError::at(3, "invalid_email")
    );
    assert_eq!(
        refused("email,interests\na@example.org,gardening\n"),
        ImportError::at(2, "unknown_interest")
    );
    assert_eq!(
        refused("email\na@example.org\n\"b@ex\nample.org\"\n"),
        ImportError::at(3, "invalid_email")
    );
    assert_eq!(
        refused(&format!(
            "email,first_name\na@example.org,{}\n",
            "n".repeat(81)
        )),
        ImportError::at(2, "too_long")
    );
    assert_eq!(
        refused("email,first_name\na@example.org,\"A\nB\"\n"),
        ImportError::at(2, "invalid_first_name")
    );
    assert_eq!(refused("email,\n,x\n"), ImportError::at(2, "required"));
}

#[test]
fn a_file_without_an_email_column_or_rows_is_refused() {
    let refused = |bytes: &[u8]| parse_import(bytes, KNOWN).expect_err("refused");
    assert_eq!(
        refused(b"address\na@example.org\n"),
        ImportError::at(1, "missing_email_column")
    );
    assert_eq!(
        refused(b"email,EMAIL\na@example.org,b@example.org\n"),
        ImportError::at(1, "duplicate_column")
    );
    assert_eq!(refused(b"email\n"), ImportError::file("empty"));
    assert_eq!(refused(b""), ImportError::at(1, "missing_email_column"));
    assert_eq!(
        refused(b"email\n\xff@example.org\n"),
        ImportError::file("not_utf8")
    );
}

#[test]
fn an_import_stops_at_100000_rows_and_16_mib() {
    let mut text = String::from("email\n");
    for i in 0..IMPORT_ROWS_MAX {
        text.push_str(&format!("p{i}@example.org\n"));
    }
    assert_eq!(
        parse_import(text.as_bytes(), KNOWN)
            .expect("read")
            .rows
            .len(),
        IMPORT_ROWS_MAX
    );
    text.push_str("one-more@example.org\n");
    assert_eq!(
        parse_import(text.as_bytes(), KNOWN).expect_err("refused"),
        ImportError::at(100_002, "too_many_rows")
    );
    let big = vec![b'a'; IMPORT_BYTES_MAX + 1];
    assert_eq!(
        parse_import(&big, KNOWN).expect_err("refused"),
        ImportError::file("too_large")
    );
}
