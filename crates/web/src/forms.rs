//! Form bodies and JSON bodies as handlers read them, refused fields as
//! templates show them (each message next to its field and in a summary at
//! the top that links to it), and the spam guards of forms visitors send.

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use kith_domain::validation::FieldError;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, WebError};
use crate::messages::messages;
use crate::session::CSRF_FIELD;

/// A visitor's form filled faster than this was filled by a program.
const MIN_FILL_SECONDS: i64 = 3;

/// The wall clock's seconds, for a visitor's form's `shown_at`: how long a
/// form took is a physical duration, not the site's time (which a demo or
/// a test may hold still).
pub(crate) fn wall_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Whether a form a visitor sent (a guest's comment, a visitor's report)
/// looks filled by a program: the field a person never sees is filled, or
/// it came back too fast (`_form.html`'s `guest_guards` writes both).
pub(crate) fn looks_automated(form: &FormPairs) -> bool {
    let shown_at = form.get("shown_at").parse::<i64>().unwrap_or(i64::MAX);
    !form.get("website").is_empty() || wall_seconds().saturating_sub(shown_at) < MIN_FILL_SECONDS
}

/// A form body's pairs in order, without the CSRF token (checked already).
#[derive(Debug, Clone, Default)]
pub struct FormPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(request.into_body(), 256 * 1024)
            .await
            .map_err(|_| crate::error::PageError(WebError::MalformedBody).into_response())?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| crate::error::PageError(WebError::MalformedBody).into_response())?;
        Ok(Self(
            pairs.into_iter().filter(|(k, _)| k != CSRF_FIELD).collect(),
        ))
    }
}

impl FormPairs {
    /// The first value of `key`, or empty.
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The pairs as borrowed strings.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A JSON body; a malformed one is a problem document, not axum's text.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Every body is an object: serde would read a struct from an array
        // too, which no client means and the document does not allow.
        let Ok(Json(mut value @ serde_json::Value::Object(_))) =
            Json::<serde_json::Value>::from_request(request, state).await
        else {
            return Err(ApiError(WebError::MalformedBody));
        };
        integral_numbers_as_integers(&mut value);
        serde_json::from_value(value)
            .map(Self)
            .map_err(|_| ApiError(WebError::MalformedBody))
    }
}

/// JSON Schema, and so the OpenAPI document, counts `7.0` as the integer
/// 7; serde does not. Reading such numbers as integers keeps the API true
/// to its document for every integer field at once.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    // Beyond 2^53 a float no longer says which integer it was.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT) {
                #[expect(clippy::cast_possible_truncation, reason = "integral and within 2^53")]
                let integer = f as i64;
                *n = integer.into();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// One refused field, ready for a template.
#[derive(Debug, Clone)]
pub struct FieldMessage {
    /// The field's name.
    pub field: String,
    /// The id of its input, for the summary's link.
    pub id: String,
    /// Words for a person.
    pub message: String,
}

/// The refused fields of a form, in the order they were found.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub Vec<FieldMessage>);

impl FormErrors {
    /// Words for every refusal.
    pub fn of(errors: &[FieldError]) -> Self {
        let m = messages();
        Self(
            errors
                .iter()
                .map(|e| FieldMessage {
                    field: e.field.to_owned(),
                    id: field_id(e.field),
                    message: m.error(e.field, e.code).to_owned(),
                })
                .collect(),
        )
    }

    /// A single message not tied to one field (shown in the summary).
    pub fn general(field: &str, message: &str) -> Self {
        Self(vec![FieldMessage {
            field: field.to_owned(),
            id: field_id(field),
            message: message.to_owned(),
        }])
    }

    /// The message for `field`, if it was refused.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Whether nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The id of a field's input: `rules[0].start` becomes `f-rules-0-start`.
pub fn field_id(field: &str) -> String {
    let mut id = String::from("f-");
    for c in field.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' => id.push(c),
            ']' => {}
            _ => id.push('-'),
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_are_valid_html_ids() {
        assert_eq!(field_id("rules[0].start"), "f-rules-0-start");
        assert_eq!(field_id("name"), "f-name");
    }
}
