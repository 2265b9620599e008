//! The journal's errors as problem documents. Two things differ from
//! [`ApiError`]: without a journal there is nothing of the person's to
//! act on, so `no_journal` is a 404 (the pages answer it the same way);
//! and refused fields are told in the journal's own words, since its
//! fields share names (`note`, `day`, `name`) with other forms whose
//! limits differ. Everything else is answered as [`ApiError`] answers it:
//! a locked journal is 409 `journal_locked`, a limit 429 with
//! `Retry-After`.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kith_domain::validation::FieldError;

use crate::error::{ApiError, FieldProblem, Problem, WebError};
use crate::messages::messages;

/// Where a check-in's or the journal's refusals are worded first.
const JOURNAL_WORDS: &[&str] = &["journal"];
/// Where a medicine's or a dose's refusals are worded first.
const TAPER_WORDS: &[&str] = &["taper", "journal"];

/// An error of the journal's API.
#[derive(Debug)]
pub struct JournalError {
    error: WebError,
    /// The message families refused fields are looked up in, in order.
    words: &'static [&'static str],
}

impl<E: Into<WebError>> From<E> for JournalError {
    fn from(err: E) -> Self {
        Self {
            error: err.into(),
            words: JOURNAL_WORDS,
        }
    }
}

impl JournalError {
    /// An error of the taper log, whose refusals have words of their own.
    pub fn taper(err: impl Into<WebError>) -> Self {
        Self {
            error: err.into(),
            words: TAPER_WORDS,
        }
    }
}

/// What a refused field says, from the first family with words for it.
fn detail(words: &[&str], error: &FieldError) -> String {
    let m = messages();
    words
        .iter()
        .map(|family| format!("{family}.error.{}.{}", error.field, error.code))
        .find(|key| m.has(key))
        .map_or_else(
            || m.error(error.field, error.code).to_owned(),
            |key| m.t(&key).to_owned(),
        )
}

fn problem(status: StatusCode, code: &str, errors: Vec<FieldProblem>) -> Response {
    let body = Problem {
        kind: "about:blank".to_owned(),
        title: messages().of("problem", code).to_owned(),
        status: status.as_u16(),
        code: code.to_owned(),
        field: errors.first().map(|e| e.field.clone()),
        errors,
        groups: Vec::new(),
        until: None,
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        serde_json::to_string(&body).unwrap_or_default(),
    )
        .into_response()
}

impl IntoResponse for JournalError {
    fn into_response(self) -> Response {
        match self.error {
            WebError::Conflict("no_journal") => {
                problem(StatusCode::NOT_FOUND, "no_journal", Vec::new())
            }
            WebError::Invalid(errors) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                errors
                    .iter()
                    .map(|e| FieldProblem {
                        field: e.field.to_owned(),
                        code: e.code.to_owned(),
                        detail: detail(self.words, e),
                    })
                    .collect(),
            ),
            other => ApiError(other).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_refused_in_the_words_of_its_own_form() {
        let long = FieldError::new("note", "too_long");
        assert!(detail(JOURNAL_WORDS, &long).contains("4000"));
        assert!(detail(TAPER_WORDS, &long).contains("1000"));
        let wrong = FieldError::new("password", "wrong_password");
        assert_eq!(detail(JOURNAL_WORDS, &wrong), "That is not your password.");
    }
}
