use super::*;

const TEXT: &str = "Some places to reach someone.

- **May involve emergency services or police.** 000 is the emergency number.
  Line: emergency | always
- **May involve emergency services or police.** Lifeline: [13 11 14](tel:131114).
  Line: crisis | always
- A directory of lines.
- **Peer-run.** A warmline: [1800 000 000](tel:1800000000), 3pm to midnight.
  line: Peer | daily 15:00-24:00 | Australia/Sydney

## People you trust

- Someone you know.
";

fn names(lines: &[Line]) -> Vec<&str> {
    lines.iter().map(|l| l.markdown.as_str()).collect()
}

#[test]
fn peer_lines_come_first_and_emergency_numbers_last() {
    let parts = parse_text(TEXT);
    assert_eq!(parts.len(), 3, "{parts:?}");
    let Part::Lines(lines) = &parts[1] else {
        panic!("lines expected: {parts:?}")
    };
    assert_eq!(
        names(lines),
        [
            "**Peer-run.** A warmline: [1800 000 000](tel:1800000000), 3pm to midnight.",
            "**May involve emergency services or police.** Lifeline: [13 11 14](tel:131114).",
            "A directory of lines.",
            "**May involve emergency services or police.** 000 is the emergency number.",
        ]
    );
    assert_eq!(
        lines
            .iter()
            .map(|l| l.spec.as_ref().map(|s| s.kind))
            .collect::<Vec<_>>(),
        [
            Some(LineKind::Peer),
            Some(LineKind::Crisis),
            None,
            Some(LineKind::Emergency)
        ]
    );
    assert!(matches!(
        lines[0].spec.as_ref().and_then(|s| s.hours.as_ref()),
        Some(Hours::Weekly { .. })
    ));
}

#[test]
fn text_around_the_lines_and_lists_without_any_line_stay_as_written() {
    let parts = parse_text(TEXT);
    assert_eq!(
        parts[0],
        Part::Text("Some places to reach someone.\n\n".into())
    );
    assert_eq!(
        parts[2],
        Part::Text("\n## People you trust\n\n- Someone you know.\n".into())
    );
}

#[test]
fn an_admins_text_without_the_syntax_is_one_piece_of_markdown() {
    let text = "- **Peer-run.** Our warmline, 0800 000 0000.\n- Another.\n\nMore.";
    assert_eq!(parse_text(text), [Part::Text(format!("{text}\n"))]);
}

#[test]
fn an_unreadable_line_stays_visible_and_is_reported() {
    let text = "- A line.\n  Line: warm | always\n- Another.\n  Line: crisis | daily 9-5 | UTC\n- Third.\n  Line: crisis | always";
    let parts = parse_text(text);
    let Part::Lines(lines) = &parts[0] else {
        panic!("lines expected: {parts:?}")
    };
    assert_eq!(lines[0].markdown, "A line.\n  Line: warm | always");
    assert_eq!(lines[0].spec, None);
    assert_eq!(
        unreadable_specs(text),
        [
            ("Line: warm | always".to_owned(), SpecError::Kind),
            (
                "Line: crisis | daily 9-5 | UTC".to_owned(),
                SpecError::Hours(HoursError::Time)
            ),
        ]
    );
    assert!(unreadable_specs(TEXT).is_empty());
}

#[test]
fn a_spec_needs_only_its_kind() {
    assert_eq!(
        LineSpec::parse(" peer "),
        Ok(LineSpec {
            kind: LineKind::Peer,
            hours: None
        })
    );
    assert_eq!(
        LineSpec::parse("emergency | always").map(|s| s.hours),
        Ok(Some(Hours::Always))
    );
    assert_eq!(
        LineSpec::parse("crisis | daily 15:00-24:00"),
        Err(SpecError::Hours(HoursError::Zone))
    );
    assert_eq!(LineSpec::parse(""), Err(SpecError::Kind));
}

#[test]
fn a_line_word_in_the_first_line_of_an_item_is_only_text() {
    let parts = parse_text("- Line: crisis | always\n");
    assert_eq!(parts, [Part::Text("- Line: crisis | always\n".into())]);
}
