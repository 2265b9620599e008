//! Letters to the mailing list: what a letter may say (a one-line subject,
//! a Markdown body), whom it goes to (confirmed subscribers with any or all
//! of some interests, or every one of them when none is chosen), and when
//! it may be sent (not in the past, not to nobody).

use jiff::Timestamp;

use crate::validation::{FieldError, Refusals, text_within};

/// The longest subject, in characters.
pub const SUBJECT_MAX: usize = 150;
/// The longest body, in characters of Markdown.
pub const BODY_MAX: usize = 50_000;
/// The most interests an audience may name (more than any list holds).
pub const INTERESTS_MAX: usize = 100;

/// How a letter's interests choose its audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AudienceMode {
    /// Subscribers with at least one of the interests.
    #[default]
    Any,
    /// Subscribers with every one of the interests.
    All,
}

impl AudienceMode {
    /// The stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::All => "all",
        }
    }

    /// The mode a code names.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "any" => Some(Self::Any),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// A letter's audience: a mode and the interests (by code) it weighs; no
/// interest means every confirmed subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Audience {
    /// Any or all of `interests`.
    pub mode: AudienceMode,
    /// Interest codes, sorted, without repeats.
    pub interests: Vec<String>,
}

impl Audience {
    /// Checks a mode code and interest codes as a form or JSON body gives
    /// them (the codes' existence is the store's to check).
    pub fn parse(mode: &str, interests: &[String]) -> Result<Self, FieldError> {
        let mode = AudienceMode::parse(mode.trim())
            .ok_or(FieldError::new("audience", "invalid_audience"))?;
        let mut codes: Vec<String> = interests
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        codes.sort();
        codes.dedup();
        if codes.len() > INTERESTS_MAX
            || codes.iter().any(|c| {
                c.len() > 60
                    || !c
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            })
        {
            return Err(FieldError::new("interests", "unknown_interest"));
        }
        Ok(Self {
            mode,
            interests: codes,
        })
    }

    /// Whether the audience is every confirmed subscriber.
    pub fn is_everyone(&self) -> bool {
        self.interests.is_empty()
    }
}

/// A letter as a form or a JSON body gives it, before checking.
#[derive(Debug, Clone, Default)]
pub struct LetterInput {
    /// The subject line.
    pub subject: String,
    /// The body, in Markdown.
    pub body: String,
    /// `any` or `all`.
    pub mode: String,
    /// Interest codes.
    pub interests: Vec<String>,
}

/// A checked letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterText {
    /// One line, at most [`SUBJECT_MAX`] characters.
    pub subject: String,
    /// Markdown, at most [`BODY_MAX`] characters.
    pub body: String,
    /// Whom it goes to.
    pub audience: Audience,
}

/// Checks a subject: required, one line, at most [`SUBJECT_MAX`]
/// characters.
pub fn parse_subject(raw: &str) -> Result<String, FieldError> {
    let subject = text_within("subject", raw, 1, SUBJECT_MAX)?;
    if subject.contains(['\n', '\r', '\t']) {
        return Err(FieldError::new("subject", "one_line"));
    }
    Ok(subject)
}

/// Checks a body: required Markdown, at most [`BODY_MAX`] characters.
pub fn parse_body(raw: &str) -> Result<String, FieldError> {
    text_within("body", raw, 1, BODY_MAX)
}

impl LetterInput {
    /// Checks every field, answering every refusal at once.
    pub fn parse(&self) -> Result<LetterText, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let subject = refusals.check(parse_subject(&self.subject));
        let body = refusals.check(parse_body(&self.body));
        let audience = refusals.check(Audience::parse(&self.mode, &self.interests));
        refusals.finish(|| LetterText {
            subject: subject.unwrap_or_default(),
            body: body.unwrap_or_default(),
            audience: audience.unwrap_or_default(),
        })
    }
}

/// Checks that a letter may be sent at `at` to `recipients` people:
/// `at` not before `now` (a minute's grace for the time it took to submit
/// a "now"), and somebody to send it to.
pub fn check_send(at: Timestamp, now: Timestamp, recipients: u64) -> Result<(), FieldError> {
    if at.as_second() < now.as_second() - 60 {
        return Err(FieldError::new("send_at", "in_the_past"));
    }
    if recipients == 0 {
        return Err(FieldError::new("audience", "empty_audience"));
    }
    Ok(())
}

/// Where a letter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterStatus {
    /// Being written; no send time.
    Draft,
    /// To be sent at its time.
    Scheduled,
    /// Queued; mail still going out.
    Sending,
    /// Every mail sent or given up.
    Sent,
}

impl LetterStatus {
    /// The stable code (API, templates).
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Sent => "sent",
        }
    }

    /// The status of a letter with these facts.
    pub fn of(scheduled: bool, queued: bool, recipients: u64, done: u64) -> Self {
        match (scheduled, queued) {
            (_, true) if done >= recipients => Self::Sent,
            (_, true) => Self::Sending,
            (true, false) => Self::Scheduled,
            (false, false) => Self::Draft,
        }
    }

    /// Whether the letter may still be edited, deleted or rescheduled.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Scheduled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(subject: &str, body: &str, mode: &str, interests: &[&str]) -> LetterInput {
        LetterInput {
            subject: subject.into(),
            body: body.into(),
            mode: mode.into(),
            interests: interests.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn a_letter_needs_a_one_line_subject_and_a_body_and_says_every_problem_at_once() {
        let errors = input("", "", "some", &[]).parse().expect_err("refused");
        assert_eq!(
            errors,
            vec![
                FieldError::new("subject", "required"),
                FieldError::new("body", "required"),
                FieldError::new("audience", "invalid_audience"),
            ]
        );
        let errors = input("two\nlines", "x", "any", &[])
            .parse()
            .expect_err("refused");
        assert_eq!(errors, vec![FieldError::new("subject", "one_line")]);
    }

    #[test]
    fn subjects_and_bodies_have_upper_bounds_in_characters() {
        let ok = "ä".repeat(SUBJECT_MAX);
        assert_eq!(parse_subject(&ok), Ok(ok.clone()));
        assert_eq!(
            parse_subject(&format!("{ok}x")),
            Err(FieldError::new("subject", "too_long"))
        );
        assert!(parse_body(&"a".repeat(BODY_MAX)).is_ok());
        assert_eq!(
            parse_body(&"a".repeat(BODY_MAX + 1)),
            Err(FieldError::new("body", "too_long"))
        );
    }

    #[test]
    fn an_audience_is_any_or_all_of_sorted_distinct_codes_or_everyone() {
        let text = input(
            "Hello",
            "**Hi**",
            "all",
            &["events", " coming-off", "events", ""],
        )
        .parse()
        .expect("valid");
        assert_eq!(text.audience.mode, AudienceMode::All);
        assert_eq!(text.audience.interests, vec!["coming-off", "events"]);
        assert!(!text.audience.is_everyone());
        let everyone = Audience::parse("any", &[]).expect("valid");
        assert!(everyone.is_everyone());
        assert_eq!(
            Audience::parse("any", &["Bad Code".into()]),
            Err(FieldError::new("interests", "unknown_interest"))
        );
        for mode in [AudienceMode::Any, AudienceMode::All] {
            assert_eq!(AudienceMode::parse(mode.code()), Some(mode));
        }
    }

    #[test]
    fn a_letter_is_never_sent_in_the_past_or_to_nobody() {
        let now: Timestamp = "2026-06-01T10:00:00Z".parse().expect("now");
        let hour_ago: Timestamp = "2026-06-01T09:00:00Z".parse().expect("then");
        let later: Timestamp = "2026-06-02T09:00:00Z".parse().expect("later");
        assert_eq!(
            check_send(hour_ago, now, 10),
            Err(FieldError::new("send_at", "in_the_past"))
        );
        assert_eq!(
            check_send(later, now, 0),
            Err(FieldError::new("audience", "empty_audience"))
        );
        assert_eq!(check_send(now, now, 1), Ok(()));
        assert_eq!(check_send(later, now, 1), Ok(()));
    }

    #[test]
    fn a_letter_is_a_draft_then_scheduled_then_sending_until_every_mail_is_done() {
        assert_eq!(LetterStatus::of(false, false, 0, 0), LetterStatus::Draft);
        assert_eq!(LetterStatus::of(true, false, 0, 0), LetterStatus::Scheduled);
        assert_eq!(LetterStatus::of(true, true, 10, 9), LetterStatus::Sending);
        assert_eq!(LetterStatus::of(true, true, 10, 10), LetterStatus::Sent);
        assert!(LetterStatus::Scheduled.editable());
        assert!(!LetterStatus::Sending.editable());
    }
}
