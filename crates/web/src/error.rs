//! One error type for the web layer, answered as an HTML page
//! ([`PageError`]) or an `application/problem+json` document ([`ApiError`])
//! with a stable `code` and, for validation, the `field`. Internal details go
//! to the log, never into an answer.

use askama::Template;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use kith_app::AppError;
use kith_domain::directory::FilterError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::messages::{Messages, messages};

/// What went wrong, independent of how it is answered.
#[derive(Debug)]
pub enum WebError {
    /// Nothing here, or nothing this reader may see.
    NotFound,
    /// Filters that could not be used.
    InvalidFilters(Vec<FilterError>),
    /// The database did not answer.
    Unavailable,
    /// Anything else (already logged).
    Internal,
}

impl From<AppError> for WebError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => Self::NotFound,
            AppError::Invalid(errors) => Self::InvalidFilters(errors),
            AppError::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                Self::Unavailable
            }
            AppError::Internal(source) => {
                tracing::error!(error = ?source, "internal error");
                Self::Internal
            }
        }
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::InvalidFilters(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::InvalidFilters(_) => "invalid_filter",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

/// One invalid field in a problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The query parameter or body field.
    pub field: String,
    /// A stable code.
    pub code: String,
    /// Words for a person.
    pub detail: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: `code` carries the meaning.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary for a person.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// A stable code: `invalid_filter`, `not_found`, `unavailable`, `internal`.
    pub code: String,
    /// For validation: the first offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For validation: every offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// An error answered as a problem document.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let m = messages();
        let errors: Vec<FieldProblem> = match &self.0 {
            WebError::InvalidFilters(errors) => errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.to_owned(),
                    code: e.code.to_owned(),
                    detail: m.error(e.field, e.code).to_owned(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let status = self.0.status();
        let problem = Problem {
            kind: "about:blank".to_owned(),
            title: m.of("problem", self.0.code()).to_owned(),
            status: status.as_u16(),
            code: self.0.code().to_owned(),
            field: errors.first().map(|e| e.field.clone()),
            errors,
        };
        let body = serde_json::to_string(&problem).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    m: &'static Messages,
    zone_from: &'static str,
    title: String,
    text: String,
}

/// An error answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let m = messages();
        let key = match self.0 {
            WebError::NotFound | WebError::InvalidFilters(_) => "not_found",
            WebError::Unavailable => "unavailable",
            WebError::Internal => "internal",
        };
        let page = ErrorPage {
            m,
            zone_from: "none",
            title: m.of("page", &format!("{key}.title")).to_owned(),
            text: m.of("page", &format!("{key}.text")).to_owned(),
        };
        match page.render() {
            Ok(html) => (self.0.status(), Html(html)).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "error page failed to render");
                self.0.status().into_response()
            }
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(err: askama::Error) -> Self {
        tracing::error!(error = %err, "template failed to render");
        Self::Internal
    }
}

/// The answer for any path no route matches: a problem document under
/// `/api`, an HTML page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError(WebError::NotFound).into_response()
    } else {
        PageError(WebError::NotFound).into_response()
    }
}

/// The answer when a handler panicked: a generic 500, details in the log.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    PageError(WebError::Internal).into_response()
}
