//! One error type for the web layer, answered as an HTML page
//! ([`PageError`]) or an `application/problem+json` document ([`ApiError`])
//! with a stable `code` and, for validation, the `field`. Internal details go
//! to the log, never into an answer.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use kith_app::AppError;
use kith_domain::directory::FilterError;
use kith_domain::validation::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::messages::{Messages, messages};
use crate::session::Nav;

/// What went wrong, independent of how it is answered.
#[derive(Debug)]
pub enum WebError {
    /// Nothing here, or nothing this reader may see.
    NotFound,
    /// Filters that could not be used.
    InvalidFilters(Vec<FilterError>),
    /// A body whose fields were refused.
    Invalid(Vec<FieldError>),
    /// A body that is not what the route reads (malformed JSON, say).
    MalformedBody,
    /// The action does not fit the current state; the code says which.
    Conflict(&'static str),
    /// The route needs a logged-in person.
    Unauthenticated,
    /// A login and password that do not match (or no such account).
    InvalidCredentials,
    /// The right password of an account suspended until then.
    Suspended(jiff::Timestamp),
    /// A state change that did not prove it came from kith's own pages.
    CrossSite,
    /// Too many attempts; try again after this many seconds.
    RateLimited(u64),
    /// The person alone hosts these groups (slug, name) and cannot delete
    /// their account yet.
    HostsGroups(Vec<(String, String)>),
    /// The database did not answer.
    Unavailable,
    /// Anything else (already logged).
    Internal,
}

impl From<AppError> for WebError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => Self::NotFound,
            AppError::Invalid(errors) => Self::Invalid(errors),
            AppError::Conflict(conflict) => Self::Conflict(conflict.code()),
            AppError::Busy(seconds) => Self::RateLimited(seconds),
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
            Self::InvalidFilters(_) | Self::MalformedBody => StatusCode::BAD_REQUEST,
            Self::Invalid(errors) if only_taken(errors) => StatusCode::CONFLICT,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) | Self::HostsGroups(_) => StatusCode::CONFLICT,
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::CrossSite | Self::Suspended(_) => StatusCode::FORBIDDEN,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::InvalidFilters(_) => "invalid_filter",
            Self::Invalid(errors) if only_taken(errors) => "taken",
            Self::Invalid(_) => "invalid_input",
            Self::MalformedBody => "malformed_body",
            Self::Conflict(code) => code,
            Self::HostsGroups(_) => "hosts_groups",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Suspended(_) => "suspended",
            Self::CrossSite => "cross_site_request",
            Self::RateLimited(_) => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

/// A body refused only because a value is already someone else's (a
/// handle, an email) is a conflict with what is stored, not a malformed
/// field: 409, so a client can tell "choose another" from "fix this".
fn only_taken(errors: &[FieldError]) -> bool {
    !errors.is_empty() && errors.iter().all(|e| e.code == "taken")
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
    /// A stable code: `invalid_filter`, `invalid_input`, `malformed_body`,
    /// `not_found`, `unauthenticated`, `cross_site_request`,
    /// `rate_limited`, `invalid_status`, `suspended`, `unavailable`,
    /// `internal`.
    pub code: String,
    /// For validation: the first offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For validation: every offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For `hosts_groups`: the groups the person alone hosts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRef>,
    /// For `suspended`: when the suspension lapses, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// A group named in a problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupRef {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
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
            WebError::InvalidFilters(errors) | WebError::Invalid(errors) => errors
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
            groups: match &self.0 {
                WebError::HostsGroups(groups) => groups
                    .iter()
                    .map(|(slug, name)| GroupRef {
                        slug: slug.clone(),
                        name: name.clone(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            until: match &self.0 {
                WebError::Suspended(until) => Some(until.to_string()),
                _ => None,
            },
        };
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        retry_after(&self.0, &mut response);
        if matches!(self.0, WebError::Unauthenticated) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kith\""),
            );
        }
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
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
        if matches!(self.0, WebError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let key = match self.0 {
            WebError::NotFound | WebError::InvalidFilters(_) => "not_found",
            WebError::Invalid(_)
            | WebError::MalformedBody
            | WebError::Conflict(_)
            | WebError::HostsGroups(_)
            | WebError::Suspended(_) => "refused",
            WebError::CrossSite => "cross_site",
            WebError::RateLimited(_) => "rate_limited",
            WebError::Unauthenticated | WebError::InvalidCredentials | WebError::Unavailable => {
                "unavailable"
            }
            WebError::Internal => "internal",
        };
        let page = ErrorPage {
            m,
            zone_from: "none",
            nav: Nav::default(),
            title: m.of("page", &format!("{key}.title")).to_owned(),
            // A conflict says what did not fit, when there are words for it.
            text: match self.0 {
                WebError::Conflict(code) if !m.of("conflict", code).is_empty() => {
                    m.of("conflict", code).to_owned()
                }
                _ => m.of("page", &format!("{key}.text")).to_owned(),
            },
        };
        match page.render() {
            Ok(html) => {
                let mut response = (self.0.status(), Html(html)).into_response();
                retry_after(&self.0, &mut response);
                response
            }
            Err(err) => {
                tracing::error!(error = %err, "error page failed to render");
                self.0.status().into_response()
            }
        }
    }
}

fn retry_after(error: &WebError, response: &mut Response) {
    if let WebError::RateLimited(seconds) = error {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
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
    not_found_at(uri.path())
}

/// The 404 for `path` when no handler runs to choose its form: a problem
/// document under `/api/`, an HTML page elsewhere.
pub(crate) fn not_found_at(path: &str) -> Response {
    if path.starts_with("/api/") {
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
