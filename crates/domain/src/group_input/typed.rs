//! What a person types into the group form, read as they meant it: "7pm"
//! is 19:00, `meet.example.org/abc` is an `https://` link. Only the HTML
//! form reads input this loosely; the JSON API keeps the exact formats its
//! OpenAPI document gives, so clients and fuzzers agree with the server.

use jiff::civil::{Date, Time};

use super::GroupInput;

/// A clock time as people write it: `19:30`, `19.30`, `7pm`, `7:30 pm`,
/// `7.30 p.m.`, `12am` (midnight). An hour alone needs am or pm: "7" could
/// be morning or evening.
pub fn clock_time(raw: &str) -> Option<Time> {
    let text = raw.trim().to_ascii_lowercase();
    let (digits, meridiem) = match text.trim_end_matches('.').strip_suffix('m') {
        Some(rest) => {
            let rest = rest.trim_end_matches('.');
            let (digits, half) = if let Some(d) = rest.strip_suffix('a') {
                (d, Meridiem::Am)
            } else if let Some(d) = rest.strip_suffix('p') {
                (d, Meridiem::Pm)
            } else {
                return None;
            };
            (digits.trim_end(), Some(half))
        }
        None => (text.as_str(), None),
    };
    let (hour, minute) = match digits.split_once([':', '.']) {
        Some((h, m)) => (h, Some(m)),
        None => (digits, None),
    };
    let number = |s: &str, most: usize| {
        (!s.is_empty() && s.len() <= most && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i8>().ok())
            .flatten()
    };
    let hour = number(hour, 2)?;
    let minute = match minute {
        Some(m) if m.len() == 2 => number(m, 2)?,
        Some(_) => return None,
        None if meridiem.is_some() => 0,
        None => return None,
    };
    let hour = match meridiem {
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => return None,
        Some(Meridiem::Am) => hour % 12,
        Some(Meridiem::Pm) => hour % 12 + 12,
    };
    Time::new(hour, minute, 0, 0).ok()
}

#[derive(Clone, Copy)]
enum Meridiem {
    Am,
    Pm,
}

/// A call link typed without its scheme gets `https://`; anything that
/// names another scheme (`javascript:`, `ftp://`) is left for the link
/// check to refuse.
pub fn call_link(raw: &str) -> String {
    let link = raw.trim();
    if link.is_empty() {
        return String::new();
    }
    let lower = link.to_ascii_lowercase();
    let names_scheme = lower.contains("://")
        || lower.split_once(':').is_some_and(|(before, _)| {
            !before.is_empty()
                && !before.contains(['.', '/'])
                && !before.contains(char::is_whitespace)
        });
    if names_scheme {
        link.to_owned()
    } else {
        format!("https://{}", link.trim_start_matches('/'))
    }
}

impl GroupInput {
    /// Reads the times and the call link as the person meant them, so the
    /// checks that follow see `19:00` and `https://…`. What cannot be read
    /// stays as typed, for the checks to refuse and the form to show again.
    pub fn read_as_typed(&mut self) {
        for rule in &mut self.rules {
            if let Some(time) = clock_time(&rule.start) {
                rule.start = time.strftime("%H:%M").to_string();
            }
        }
        self.call_link = call_link(&self.call_link);
    }

    /// An every-few-weeks rule left without a week to count from and
    /// without a first date counts from the week of `today` (in the group's
    /// zone), as the form's hint promises.
    pub fn count_from(&mut self, today: Date) {
        for rule in &mut self.rules {
            if rule.kind.trim() == "every_n_weeks"
                && rule.anchor_date.trim().is_empty()
                && rule.first_date.trim().is_empty()
            {
                rule.anchor_date = today.to_string();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(raw: &str) -> Option<String> {
        clock_time(raw).map(|t| t.strftime("%H:%M").to_string())
    }

    #[test]
    fn times_are_read_the_ways_people_write_them() {
        for (raw, meant) in [
            ("19:30", "19:30"),
            ("19.30", "19:30"),
            ("7pm", "19:00"),
            ("7 pm", "19:00"),
            ("7:30 pm", "19:30"),
            ("7.30 p.m.", "19:30"),
            ("7:30PM", "19:30"),
            ("9am", "09:00"),
            ("9:05 a.m.", "09:05"),
            ("12am", "00:00"),
            ("12pm", "12:00"),
            ("12:30 am", "00:30"),
            ("00:00", "00:00"),
            ("7:05", "07:05"),
            (" 23:59 ", "23:59"),
        ] {
            assert_eq!(hm(raw).as_deref(), Some(meant), "{raw:?}");
        }
    }

    #[test]
    fn times_that_mean_nothing_or_two_things_are_refused() {
        for raw in [
            "", "7", "19", "25:00", "24:00", "19:60", "19:5", "13pm", "0am", "7 xm", "pm",
            "7:30:00", "seven", "19-30", "1930", "-1:00", "7pmx",
        ] {
            assert_eq!(hm(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn an_every_few_weeks_rule_left_without_dates_counts_from_today() {
        let rule = |kind: &str, anchor: &str, first: &str| super::super::RuleInput {
            kind: kind.into(),
            anchor_date: anchor.into(),
            first_date: first.into(),
            ..Default::default()
        };
        let mut input = GroupInput {
            rules: vec![
                rule("every_n_weeks", "", ""),
                rule("every_n_weeks", "2026-05-05", ""),
                rule("every_n_weeks", "", "2026-07-01"),
                rule("weekly", "", ""),
            ],
            ..GroupInput::default()
        };
        input.count_from(jiff::civil::date(2026, 6, 1));
        let anchors: Vec<&str> = input.rules.iter().map(|r| r.anchor_date.as_str()).collect();
        assert_eq!(anchors, ["2026-06-01", "2026-05-05", "", ""]);
    }

    #[test]
    fn a_link_without_its_scheme_gets_https() {
        assert_eq!(
            call_link("meet.example.org/abc"),
            "https://meet.example.org/abc"
        );
        assert_eq!(call_link(" meet.example.org "), "https://meet.example.org");
        assert_eq!(
            call_link("//meet.example.org/x"),
            "https://meet.example.org/x"
        );
        assert_eq!(
            call_link("meet.example.org:8443/room"),
            "https://meet.example.org:8443/room"
        );
        assert_eq!(
            call_link("https://meet.example.org/a"),
            "https://meet.example.org/a"
        );
        assert_eq!(
            call_link("HTTP://meet.example.org/a"),
            "HTTP://meet.example.org/a"
        );
        assert_eq!(call_link(""), "");
    }

    #[test]
    fn a_link_naming_another_scheme_is_left_for_the_check_to_refuse() {
        for raw in [
            "javascript:alert(1)",
            "ftp://example.org/x",
            "data:text/html,hi",
        ] {
            assert_eq!(call_link(raw), raw);
            let mut input = GroupInput {
                call_link: raw.to_owned(),
                ..GroupInput::default()
            };
            input.read_as_typed();
            assert!(
                super::super::fields::call_link(&input.call_link).is_err(),
                "{raw}"
            );
        }
    }

    #[test]
    fn the_form_reads_times_and_links_before_they_are_checked() {
        let mut input = GroupInput::default();
        input.rules.push(super::super::RuleInput {
            start: "7pm".into(),
            ..Default::default()
        });
        input.rules.push(super::super::RuleInput {
            start: "later".into(),
            ..Default::default()
        });
        input.call_link = "meet.example.org/abc".into();
        input.read_as_typed();
        assert_eq!(input.rules[0].start, "19:00");
        assert_eq!(input.rules[1].start, "later");
        assert_eq!(
            super::super::fields::call_link(&input.call_link),
            Ok(Some("https://meet.example.org/abc".to_owned()))
        );
    }
}
