//! The hosts' JSON routes: `POST /api/v1/groups`,
//! `PATCH /api/v1/groups/{slug}`, `POST /api/v1/groups/{slug}/unlist`,
//! `/relist` and `/cohosts`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::{AppError, hosting};
use kith_domain::group_input::GroupInput;
use kith_domain::ids::{OccurrenceId, Slug};
use kith_domain::listing::ListingChange;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::extract::{IdPath, SlugPath};
use crate::forms::ApiJson;
use crate::session::CurrentUser;

/// A listing's state after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingJson {
    /// The group's slug.
    pub slug: String,
    /// `pending`, `listed`, `rejected` or `unlisted`.
    pub status: String,
    /// Its page.
    pub url: String,
}

impl ListingJson {
    pub(crate) fn new(slug: &Slug, status: kith_domain::group::ListingStatus) -> Self {
        Self {
            slug: slug.to_string(),
            status: status.code().to_owned(),
            url: format!("/groups/{slug}"),
        }
    }
}

/// Lists a new group; it is pending until a moderator approves it.
#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "hosting",
    request_body = super::schema::NewGroupJson,
    responses(
        (status = 201, description = "Listed, pending review", body = ListingJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_group(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<ListingJson>), ApiError> {
    let slug = hosting::submit_group(&state.app, &user.person, &input, state.app.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(ListingJson::new(
            &slug,
            kith_domain::group::ListingStatus::Pending,
        )),
    ))
}

/// Changes some of a group's fields; fields not sent keep their values.
#[utoipa::path(
    patch,
    path = "/api/v1/groups/{slug}",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body(content = super::schema::GroupFieldsJson, description = "Any fields of a group, as for creating one; the group they make must pass the same checks."),
    responses(
        (status = 200, description = "Saved", body = ListingJson),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn patch_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<ListingJson>, ApiError> {
    let app = &state.app;
    let current = hosting::editable_group(app, &user.person, &slug).await?;
    let mut merged =
        serde_json::to_value(hosting::input_of(&current)).map_err(AppError::internal)?;
    if let Some(object) = merged.as_object_mut() {
        object.extend(patch);
    }
    let input: GroupInput = serde_json::from_value(merged).map_err(|_| WebError::MalformedBody)?;
    let status = hosting::edit_group(app, &user.person, &slug, &input, state.app.now()).await?;
    Ok(Json(ListingJson::new(&slug, status)))
}

async fn listing_change_json(
    state: &AppState,
    user: &CurrentUser,
    slug: &Slug,
    change: ListingChange,
) -> Result<Json<ListingJson>, ApiError> {
    let status =
        hosting::change_listing(&state.app, &user.person, slug, change, state.app.now()).await?;
    Ok(Json(ListingJson::new(slug, status)))
}

/// Takes a listed group out of the directory.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/unlist",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 200, description = "Unlisted", body = ListingJson),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not listed (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn unlist_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Json<ListingJson>, ApiError> {
    listing_change_json(&state, &user, &slug, ListingChange::HostUnlist).await
}

/// Lists an unlisted group again (through review if a moderator unlisted it).
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/relist",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 200, description = "Listed, or pending review", body = ListingJson),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not unlisted (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn relist_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Json<ListingJson>, ApiError> {
    listing_change_json(&state, &user, &slug, ListingChange::HostRelist).await
}

/// A co-host to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CohostJson {
    /// Their handle.
    #[serde(default)]
    pub handle: String,
}

/// Adds a co-host by handle.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/cohosts",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = CohostJson,
    responses(
        (status = 204, description = "Added"),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown handle, or already a host", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn add_cohost(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<CohostJson>,
) -> Result<StatusCode, ApiError> {
    hosting::add_cohost(&state.app, &user.person, &slug, &body.handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A note about a cancelled meeting.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeetingNoteJson {
    /// Shown to members and in calendars; optional, up to 500 characters.
    #[serde(default)]
    pub note: String,
}

async fn change_meeting(
    state: &AppState,
    user: &CurrentUser,
    slug: &Slug,
    id: &OccurrenceId,
    change: hosting::MeetingChange<'_>,
) -> Result<StatusCode, ApiError> {
    hosting::change_meeting(&state.app, &user.person, slug, id, change, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancels one upcoming meeting; it keeps its id, members see the note, and
/// calendars leave it out.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/meetings/{id}/cancel",
    tag = "hosting",
    params(
        ("slug" = String, Path, description = "The group's public identifier."),
        ("id" = String, Path, description = "The meeting's id."),
    ),
    request_body = MeetingNoteJson,
    responses(
        (status = 204, description = "Cancelled"),
        (status = 404, description = "No such meeting ahead, or not a group this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The note was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn cancel_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    IdPath(id): IdPath<OccurrenceId>,
    ApiJson(body): ApiJson<MeetingNoteJson>,
) -> Result<StatusCode, ApiError> {
    let change = hosting::MeetingChange::Cancel { note: &body.note };
    change_meeting(&state, &user, &slug, &id, change).await
}

/// Puts a cancelled or moved meeting back as its rule has it.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/meetings/{id}/restore",
    tag = "hosting",
    params(
        ("slug" = String, Path, description = "The group's public identifier."),
        ("id" = String, Path, description = "The meeting's id."),
    ),
    responses(
        (status = 204, description = "Restored"),
        (status = 404, description = "No such meeting ahead, or not a group this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn restore_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    IdPath(id): IdPath<OccurrenceId>,
) -> Result<StatusCode, ApiError> {
    change_meeting(&state, &user, &slug, &id, hosting::MeetingChange::Restore).await
}

/// Where a meeting moves to, in the group's own zone.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MoveJson {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date: String,
    /// `HH:MM`.
    #[serde(default)]
    pub time: String,
}

/// Moves one upcoming meeting to another date and time; it keeps its id,
/// and calendars show it moved (`RECURRENCE-ID`).
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/meetings/{id}/move",
    tag = "hosting",
    params(
        ("slug" = String, Path, description = "The group's public identifier."),
        ("id" = String, Path, description = "The meeting's id."),
    ),
    request_body = MoveJson,
    responses(
        (status = 204, description = "Moved"),
        (status = 404, description = "No such meeting ahead, or not a group this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An impossible or past date or time", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn move_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    IdPath(id): IdPath<OccurrenceId>,
    ApiJson(body): ApiJson<MoveJson>,
) -> Result<StatusCode, ApiError> {
    let change = hosting::MeetingChange::Move {
        date: &body.date,
        time: &body.time,
    };
    change_meeting(&state, &user, &slug, &id, change).await
}

/// A request to host an imported group.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ClaimRequestJson {
    /// How the moderators can tell the group is yours.
    #[serde(default)]
    pub message: String,
}

/// Asks to host an imported group that has no host here yet.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/claims",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = ClaimRequestJson,
    responses(
        (status = 202, description = "Sent to the moderators"),
        (status = 404, description = "No such group", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_claimable` (it has a host) or `already_asked`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No message", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn claim_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<ClaimRequestJson>,
) -> Result<StatusCode, ApiError> {
    kith_app::claims::ask(
        &state.app,
        &user.person,
        &slug,
        &body.message,
        state.app.now(),
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}
