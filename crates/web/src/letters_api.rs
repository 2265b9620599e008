//! Letters through the API, for admins' and editors' bearer tokens (404
//! for everyone else, as for nothing): `GET`/`POST /api/v1/letters`,
//! `GET`/`PUT`/`DELETE /api/v1/letters/{id}`, `POST …/{id}/test`, `POST
//! …/{id}/send {send_at?}` and `GET /api/v1/letters/audience?mode=&interests=`.
//! The same use cases as the pages ([`kith_app::letters`]); refusals are
//! problem documents with stable codes (`subject`: `required`,
//! `too_long`, `one_line`; `body`: `required`, `too_long`; `audience`:
//! `invalid_audience`, `empty_audience`; `interests`: `unknown_interest`;
//! `send_at`: `in_the_past`, `invalid_time`), and a letter already queued
//! is 409 `invalid_status`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use kith_app::letters::{self, Letter};
use kith_domain::letter::{Audience, LetterInput};
use kith_domain::validation::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, Problem, WebError};
use crate::forms::ApiJson;
use crate::query::QueryPairs;
use crate::session::CurrentUser;

/// The letters' API routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_letters, create_letter))
        .routes(routes!(count_audience))
        .routes(routes!(get_letter, put_letter, delete_letter))
        .routes(routes!(test_letter))
        .routes(routes!(send_letter))
}

/// A letter with its progress. Nobody knows who opened it: there are
/// counts only.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterJson {
    /// Its id.
    pub id: i64,
    /// The subject line.
    pub subject: String,
    /// The body, in Markdown.
    pub body: String,
    /// `any` or `all` of `interests`.
    #[schema(example = "any")]
    pub audience: String,
    /// Interest codes; none: every confirmed subscriber.
    pub interests: Vec<String>,
    /// `draft`, `scheduled`, `sending` or `sent`.
    #[schema(example = "draft")]
    pub status: String,
    /// When it is (or was) sent, RFC 3339 UTC; absent for a draft.
    pub send_at: Option<String>,
    /// When it was queued.
    pub queued_at: Option<String>,
    /// Mails queued.
    pub recipients: u64,
    /// Mails sent.
    pub sent: u64,
    /// Mails given up.
    pub failed: u64,
    /// Recipients who unsubscribed through this letter.
    pub unsubscribed: u64,
}

impl From<Letter> for LetterJson {
    fn from(l: Letter) -> Self {
        Self {
            id: l.id,
            status: l.status().code().to_owned(),
            subject: l.subject,
            body: l.body,
            audience: l.audience.mode.code().to_owned(),
            interests: l.audience.interests,
            send_at: l.send_at.map(|t| t.to_string()),
            queued_at: l.queued_at.map(|t| t.to_string()),
            recipients: l.recipients,
            sent: l.sent,
            failed: l.failed,
            unsubscribed: l.unsubscribed,
        }
    }
}

/// A letter to write or replace.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LetterBodyJson {
    /// One line, 1–150 characters.
    #[schema(min_length = 1, max_length = 150)]
    pub subject: String,
    /// Markdown, 1–50,000 characters.
    #[schema(min_length = 1, max_length = 50000)]
    pub body: String,
    /// `any` (default) or `all` of `interests`.
    #[serde(default)]
    #[schema(example = "any")]
    pub audience: Option<String>,
    /// Interest codes; none: every confirmed subscriber.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub interests: Vec<String>,
}

impl LetterBodyJson {
    fn input(self) -> LetterInput {
        LetterInput {
            subject: self.subject,
            body: self.body,
            mode: self.audience.unwrap_or_else(|| "any".to_owned()),
            interests: self.interests,
        }
    }
}

/// When to send a letter.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SendJson {
    /// RFC 3339; absent: now. Not in the past.
    #[serde(default)]
    #[schema(example = "2026-06-02T09:30:00Z")]
    pub send_at: Option<String>,
}

/// How many an audience reaches.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudienceCountJson {
    /// Confirmed subscribers it reaches now.
    pub count: u64,
}

fn letter_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError(WebError::NotFound))
}

/// Every letter, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/letters",
    tag = "letters",
    responses(
        (status = 200, description = "The letters", body = [LetterJson]),
        (status = 404, description = "Not an admin or editor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_letters(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<LetterJson>>, ApiError> {
    let all = letters::list(&state.app, &user.person).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Writes a draft.
#[utoipa::path(
    post,
    path = "/api/v1/letters",
    tag = "letters",
    request_body = LetterBodyJson,
    responses(
        (status = 201, description = "Written", body = LetterJson),
        (status = 404, description = "Not an admin or editor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<LetterBodyJson>,
) -> Result<(StatusCode, Json<LetterJson>), ApiError> {
    let id = letters::create(&state.app, &user.person, &body.input()).await?;
    let letter = letters::get(&state.app, &user.person, id).await?;
    Ok((StatusCode::CREATED, Json(letter.into())))
}

/// One letter.
#[utoipa::path(
    get,
    path = "/api/v1/letters/{id}",
    tag = "letters",
    params(("id" = i64, Path, description = "The letter's id.")),
    responses(
        (status = 200, description = "The letter", body = LetterJson),
        (status = 404, description = "No such letter, or not an admin or editor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<Json<LetterJson>, ApiError> {
    let id = letter_id(&raw)?;
    Ok(Json(
        letters::get(&state.app, &user.person, id).await?.into(),
    ))
}

/// Replaces a letter not queued yet.
#[utoipa::path(
    put,
    path = "/api/v1/letters/{id}",
    tag = "letters",
    params(("id" = i64, Path, description = "The letter's id.")),
    request_body = LetterBodyJson,
    responses(
        (status = 200, description = "Saved", body = LetterJson),
        (status = 404, description = "No such letter, or not an admin or editor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Queued already (`invalid_status`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<LetterBodyJson>,
) -> Result<Json<LetterJson>, ApiError> {
    let id = letter_id(&raw)?;
    letters::update(&state.app, &user.person, id, &body.input()).await?;
    Ok(Json(
        letters::get(&state.app, &user.person, id).await?.into(),
    ))
}

/// Deletes a letter not queued yet.
#[utoipa::path(
    delete,
    path = "/api/v1/letters/{id}",
    tag = "letters",
    params(("id" = i64, Path, description = "The letter's id.")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such letter, or not an admin or editor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Queued already (`invalid_status`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = letter_id(&raw)?;
    letters::delete(&state.app, &user.person, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mails the letter to the caller's own address: sample links, not
/// counted.
#[utoipa::path(
    post,
    path = "/api/v1/letters/{id}/test",
    tag = "letters",
    params(("id" = i64, Path, description = "The letter's id.")),
    responses(
        (status = 202, description = "The test is on its way"),
        (status = 404, description = "No such letter, or not an admin or editor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn test_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = letter_id(&raw)?;
    letters::send_test(&state.app, &user.person, id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sends a letter now, or schedules it (`send_at`); sending again
/// reschedules it until it is queued.
#[utoipa::path(
    post,
    path = "/api/v1/letters/{id}/send",
    tag = "letters",
    params(("id" = i64, Path, description = "The letter's id.")),
    request_body = SendJson,
    responses(
        (status = 200, description = "Scheduled or queued", body = LetterJson),
        (status = 404, description = "No such letter, or not an admin or editor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Queued already (`invalid_status`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`send_at`: `in_the_past` or `invalid_time`; `audience`: `empty_audience`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn send_letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<SendJson>,
) -> Result<Json<LetterJson>, ApiError> {
    let id = letter_id(&raw)?;
    let at = match body.send_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<Timestamp>().map_err(|_| {
            ApiError(WebError::Invalid(vec![FieldError::new(
                "send_at",
                "invalid_time",
            )]))
        })?),
    };
    letters::send(&state.app, &user.person, id, at).await?;
    Ok(Json(
        letters::get(&state.app, &user.person, id).await?.into(),
    ))
}

/// How many confirmed subscribers an audience reaches now.
#[utoipa::path(
    get,
    path = "/api/v1/letters/audience",
    tag = "letters",
    params(
        ("mode" = Option<String>, Query, description = "`any` (default) or `all` of the interests."),
        ("interests" = Option<String>, Query, description = "Interest codes separated by commas; none: every confirmed subscriber."),
    ),
    responses(
        (status = 200, description = "The count", body = AudienceCountJson),
        (status = 404, description = "Not an admin or editor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`audience`: `invalid_audience`; `interests`: `unknown_interest`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn count_audience(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Json<AudienceCountJson>, ApiError> {
    letters::require_writer(&user.person)?;
    let mode = query.get("mode").unwrap_or("any");
    let interests: Vec<String> = query
        .get("interests")
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    let audience =
        Audience::parse(mode, &interests).map_err(|e| ApiError(WebError::Invalid(vec![e])))?;
    let count = letters::count_audience(&state.app, &user.person, &audience).await?;
    Ok(Json(AudienceCountJson { count }))
}
