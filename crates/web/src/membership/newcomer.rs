//! The newcomer's join in JSON: `POST /api/v1/groups/{slug}/newcomers`, the
//! twin of the one form on `/groups/{slug}/join` for someone without an
//! account. It registers them (which mails a link to confirm the address)
//! and asks to join for them; the request is held until the link is opened.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::accounts::Registration;
use kith_app::newcomer::{self, JoinOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, Problem, WebError};
use crate::extract::{ClientIp, SlugPath};
use crate::forms::ApiJson;

/// A newcomer's registration and their answer to the hosts.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewcomerJson {
    /// A pseudonym: 3–30 letters, digits, `_`, `-` or `.`, beginning with
    /// a letter or digit.
    #[schema(
        required = true,
        min_length = 3,
        max_length = 30,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$"
    )]
    pub handle: String,
    /// An email address; never shown to anyone.
    #[schema(required = true, schema_with = crate::api::schemas::email_schema)]
    pub email: String,
    /// 10–1024 characters, not a common password.
    #[schema(required = true, min_length = 10, max_length = 1024)]
    pub password: String,
    /// The answer to the hosts' question (required when they ask one).
    pub answer: String,
}

/// The answer to a newcomer's join; the same whether or not the email was
/// known, so it reveals nobody's address.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewcomerSentJson {
    /// Always `sent`: check the mail to confirm the address, which passes
    /// the request on to the hosts.
    pub status: String,
}

/// Registers a newcomer and asks to join a group for them.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/newcomers",
    tag = "membership",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = NewcomerJson,
    responses(
        (status = 202, description = "Taken: the confirmation mail is on its way, and the request waits for it (also when the email was known: this is not revealed)", body = NewcomerSentJson),
        (status = 404, description = "No listed group has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invitation_required`, or the handle is taken (`taken`, with the field)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn join_as_newcomer(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<NewcomerJson>,
) -> Result<(StatusCode, Json<NewcomerSentJson>), ApiError> {
    let registration = Registration {
        handle: body.handle,
        email: body.email,
        password: body.password,
    };
    let outcome = newcomer::join(
        &state.app,
        &slug,
        &registration,
        &body.answer,
        None,
        state.app.now(),
        || state.limits.register(ip),
    )
    .await?;
    match outcome {
        JoinOutcome::Sent => Ok((
            StatusCode::ACCEPTED,
            Json(NewcomerSentJson {
                status: "sent".to_owned(),
            }),
        )),
        JoinOutcome::Limited(seconds) => Err(WebError::RateLimited(seconds).into()),
    }
}
