//! The taper log's medicines through the API: `GET`/`POST
//! /api/v1/me/journal/medicines` and `GET`/`PUT` (rename)/`DELETE
//! /api/v1/me/journal/medicines/{id}`. Deleting a medicine deletes its
//! dose changes. A name that could not be opened is answered with
//! `could_not_open: true`; another person's id is the same 404 as none.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::journal::{self, MedicineEntry};
use kith_domain::ids::MedicineId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schemas::name_schema;
use super::{JournalError, session_token};
use crate::AppState;
use crate::extract::IdPath;
use crate::forms::ApiJson;
use crate::session::CurrentUser;

/// A medicine in the taper log.
#[derive(Serialize, ToSchema)]
pub struct MedicineJson {
    /// Its id.
    pub id: String,
    /// When it was added, RFC 3339.
    pub added_at: String,
    /// True when its name could not be opened; its doses may still be.
    pub could_not_open: bool,
    /// The person's own name for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl MedicineJson {
    fn of(entry: &MedicineEntry) -> Self {
        let name = entry.name.as_ref().ok();
        Self {
            id: entry.id.to_string(),
            added_at: entry.added_at.to_string(),
            could_not_open: name.is_none(),
            name: name.map(|n| n.as_str().to_owned()),
        }
    }
}

/// A medicine's name.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MedicineBody {
    /// The person's own name for it.
    #[serde(default)]
    #[schema(required = true, schema_with = name_schema)]
    pub name: String,
}

/// The person's medicines, in the order added.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/medicines",
    tag = "journal",
    responses(
        (status = 200, description = "The medicines", body = [MedicineJson]),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_medicines(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<MedicineJson>>, JournalError> {
    let token = session_token(&user)?;
    let found = journal::medicines(&state.app, &user.person, token)
        .await
        .map_err(JournalError::taper)?;
    Ok(Json(found.iter().map(MedicineJson::of).collect()))
}

/// Adds a medicine by the person's own name for it.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/medicines",
    tag = "journal",
    request_body = MedicineBody,
    responses(
        (status = 201, description = "Added", body = MedicineJson),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`name`: `required`, `too_long` or `invalid_characters`", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_medicine(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<MedicineBody>,
) -> Result<(StatusCode, Json<MedicineJson>), JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    let id = journal::add_medicine(app, &user.person, token, &body.name, app.now())
        .await
        .map_err(JournalError::taper)?;
    let entry = journal::medicine(app, &user.person, token, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok((StatusCode::CREATED, Json(MedicineJson::of(&entry))))
}

/// One of the person's medicines.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/medicines/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The medicine's id.")),
    responses(
        (status = 200, description = "The medicine", body = MedicineJson),
        (status = 404, description = "No such medicine of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_medicine(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
) -> Result<Json<MedicineJson>, JournalError> {
    let token = session_token(&user)?;
    let entry = journal::medicine(&state.app, &user.person, token, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok(Json(MedicineJson::of(&entry)))
}

/// Renames one of the person's medicines.
#[utoipa::path(
    put,
    path = "/api/v1/me/journal/medicines/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The medicine's id.")),
    request_body = MedicineBody,
    responses(
        (status = 200, description = "Renamed", body = MedicineJson),
        (status = 404, description = "No such medicine of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`name`: `required`, `too_long` or `invalid_characters`", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_medicine(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
    ApiJson(body): ApiJson<MedicineBody>,
) -> Result<Json<MedicineJson>, JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    journal::rename_medicine(app, &user.person, token, &id, &body.name)
        .await
        .map_err(JournalError::taper)?;
    let entry = journal::medicine(app, &user.person, token, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok(Json(MedicineJson::of(&entry)))
}

/// Deletes one of the person's medicines with all its dose changes.
#[utoipa::path(
    delete,
    path = "/api/v1/me/journal/medicines/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The medicine's id.")),
    responses(
        (status = 204, description = "Deleted, with its dose changes"),
        (status = 404, description = "No such medicine of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_medicine(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
) -> Result<StatusCode, JournalError> {
    journal::delete_medicine(&state.app, &user.person, session_token(&user)?, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok(StatusCode::NO_CONTENT)
}
