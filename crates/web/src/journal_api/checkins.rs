//! Check-ins through the API: `GET`/`POST /api/v1/me/journal/checkins`
//! (newest day first, optionally from/to a day) and `GET`/`PUT`/`DELETE
//! /api/v1/me/journal/checkins/{id}`. A check-in that could not be opened
//! is answered with `could_not_open: true` and nothing of its content,
//! never as something else; another person's id is the same 404 as none.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use kith_app::journal::{self, CheckinEntry};
use kith_domain::ids::CheckinId;
use kith_domain::journal::CheckinInput;
use kith_domain::validation::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schemas::{day_schema, mood_schema, note_schema, sleep_schema, symptoms_schema};
use super::{JournalError, session_token};
use crate::AppState;
use crate::error::WebError;
use crate::extract::IdPath;
use crate::forms::ApiJson;
use crate::query::QueryPairs;
use crate::session::CurrentUser;

/// A check-in as its writer reads it.
#[derive(Serialize, ToSchema)]
pub struct CheckinJson {
    /// Its id.
    pub id: String,
    /// The day it is about, `YYYY-MM-DD`.
    pub day: String,
    /// When it was written, RFC 3339.
    pub written_at: String,
    /// When it was last changed, RFC 3339.
    pub changed_at: String,
    /// True when it could not be opened (its stored bytes were damaged or
    /// changed): then nothing of its content is given. It can still be
    /// deleted.
    pub could_not_open: bool,
    /// How the day felt, 1 (very low) to 5 (very good).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 5)]
    pub mood: Option<u8>,
    /// Hours slept, in halves; null when not told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_slept: Option<Option<f64>>,
    /// The person's symptom tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symptoms: Option<Vec<String>>,
    /// The note; may be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CheckinJson {
    fn of(entry: &CheckinEntry) -> Self {
        let content = entry.content.as_ref().ok();
        Self {
            id: entry.id.to_string(),
            day: entry.day.to_string(),
            written_at: entry.written_at.to_string(),
            changed_at: entry.changed_at.to_string(),
            could_not_open: content.is_none(),
            mood: content.map(|c| c.mood.level()),
            hours_slept: content.map(|c| c.sleep.map(|s| f64::from(s.half_hours()) / 2.0)),
            symptoms: content.map(|c| c.symptoms.clone()),
            note: content.map(|c| c.note.clone()),
        }
    }
}

/// A check-in to write, whole (a `PUT` replaces every field).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CheckinBody {
    /// The day it is about.
    #[serde(default)]
    #[schema(required = true, schema_with = day_schema)]
    pub day: Option<String>,
    /// How the day felt, 1–5.
    #[serde(default)]
    #[schema(required = true, schema_with = mood_schema)]
    pub mood: Option<serde_json::Number>,
    /// Hours slept, in halves.
    #[serde(default)]
    #[schema(schema_with = sleep_schema)]
    pub hours_slept: Option<serde_json::Number>,
    /// The person's own symptom tags.
    #[serde(default)]
    #[schema(schema_with = symptoms_schema)]
    pub symptoms: Vec<String>,
    /// A free note.
    #[serde(default)]
    #[schema(schema_with = note_schema)]
    pub note: String,
}

impl CheckinBody {
    /// The use case's input: the domain checks it as it checks a form.
    fn input(self) -> CheckinInput {
        CheckinInput {
            day: self.day.unwrap_or_default(),
            mood: self.mood.map(|n| n.to_string()).unwrap_or_default(),
            hours_slept: self.hours_slept.map(|n| n.to_string()).unwrap_or_default(),
            symptoms: self.symptoms,
            note: self.note,
        }
    }
}

/// A `from` or `to` filter: a day, or absent.
fn day_filter(query: &QueryPairs, name: &'static str) -> Result<Option<Date>, WebError> {
    query
        .get(name)
        .map(|raw| {
            raw.trim()
                .parse::<Date>()
                .map_err(|_| WebError::InvalidFilters(vec![FieldError::new(name, "invalid_value")]))
        })
        .transpose()
}

/// The person's check-ins, newest day first; `from` and `to` (both
/// included) narrow them to days.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/checkins",
    tag = "journal",
    params(
        ("from" = Option<String>, Query, format = Date, description = "The first day, `YYYY-MM-DD`."),
        ("to" = Option<String>, Query, format = Date, description = "The last day, `YYYY-MM-DD`."),
    ),
    responses(
        (status = 200, description = "The check-ins", body = [CheckinJson]),
        (status = 400, description = "A day that cannot be read (`invalid_filter`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_checkins(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Json<Vec<CheckinJson>>, JournalError> {
    let from = day_filter(&query, "from")?;
    let to = day_filter(&query, "to")?;
    let token = session_token(&user)?;
    let entries = journal::checkins(&state.app, &user.person, token, from, to).await?;
    Ok(Json(entries.iter().map(CheckinJson::of).collect()))
}

/// Writes a check-in.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/checkins",
    tag = "journal",
    request_body = CheckinBody,
    responses(
        (status = 201, description = "Written", body = CheckinJson),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused: a day in the future or before 1900, a mood outside 1–5, sleep outside 0–24 or not in halves, a tag or note too long", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_checkin(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<CheckinBody>,
) -> Result<(StatusCode, Json<CheckinJson>), JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    let zone = user.viewer.zone();
    let id =
        journal::add_checkin(app, &user.person, token, &body.input(), &zone, app.now()).await?;
    let entry = journal::checkin(app, &user.person, token, &id).await?;
    Ok((StatusCode::CREATED, Json(CheckinJson::of(&entry))))
}

/// One of the person's check-ins.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/checkins/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The check-in's id.")),
    responses(
        (status = 200, description = "The check-in", body = CheckinJson),
        (status = 404, description = "No such check-in of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_checkin(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
) -> Result<Json<CheckinJson>, JournalError> {
    let token = session_token(&user)?;
    let entry = journal::checkin(&state.app, &user.person, token, &id).await?;
    Ok(Json(CheckinJson::of(&entry)))
}

/// Replaces one of the person's check-ins, its day too.
#[utoipa::path(
    put,
    path = "/api/v1/me/journal/checkins/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The check-in's id.")),
    request_body = CheckinBody,
    responses(
        (status = 200, description = "Saved", body = CheckinJson),
        (status = 404, description = "No such check-in of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_checkin(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
    ApiJson(body): ApiJson<CheckinBody>,
) -> Result<Json<CheckinJson>, JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    let zone = user.viewer.zone();
    journal::edit_checkin(
        app,
        &user.person,
        token,
        &id,
        &body.input(),
        &zone,
        app.now(),
    )
    .await?;
    let entry = journal::checkin(app, &user.person, token, &id).await?;
    Ok(Json(CheckinJson::of(&entry)))
}

/// Deletes one of the person's check-ins, even one that could not be
/// opened.
#[utoipa::path(
    delete,
    path = "/api/v1/me/journal/checkins/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The check-in's id.")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such check-in of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_checkin(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
) -> Result<StatusCode, JournalError> {
    journal::delete_checkin(&state.app, &user.person, session_token(&user)?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
