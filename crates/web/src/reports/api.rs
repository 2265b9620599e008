//! The JSON API of reports: `POST`/`GET /api/v1/reports` (make one; one's
//! own), `POST /api/v1/reports/{id}/appeal` (the author, once), and the
//! moderators' `GET /api/v1/moderation/reports` and
//! `POST /api/v1/moderation/reports/{id}/decision`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::reports::{self, DecisionInput, ReportRecord};
use kith_domain::ids::ReportId;
use kith_domain::reports::{Action, DETAILS_MAX, NOTE_MAX, Reason, SUSPEND_MAX_DAYS, TargetKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::schemas::{codes, raw, text};
use crate::error::{ApiError, WebError};
use crate::extract::IdPath;
use crate::forms::ApiJson;
use crate::session::CurrentUser;

fn kind_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(
        json!({"type": "string", "enum": codes(&TargetKind::ALL, TargetKind::code),
        "description": "What is reported."}),
    )
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(
        json!({"type": "string", "enum": codes(&Reason::ALL, Reason::code),
        "description": "Why; `other` needs `details`."}),
    )
}

fn details_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(text(
        0,
        DETAILS_MAX,
        "The reporter's own words; up to 2,000 characters.",
    ))
}

fn note_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(text(
        1,
        NOTE_MAX,
        "Why, in words both sides read; 1–2,000 characters.",
    ))
}

fn action_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let mut all = codes(&Action::ALL, Action::code);
    all.extend(["uphold", "overturn"]);
    raw(json!({"type": "string", "enum": all,
        "description": "For an open report, what to do (a listing is never `remove`d, a person never hidden); for an appealed one, `uphold` or `overturn`."}))
}

/// A report going in.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewReportJson {
    /// What kind of thing.
    #[serde(default)]
    #[schema(required = true, schema_with = kind_schema)]
    pub kind: String,
    /// Which one: a listing's slug, a person's handle, a story's or
    /// comment's id, a room message's `{meeting}/{number}`.
    #[serde(default)]
    pub target: String,
    /// Why.
    #[serde(default)]
    #[schema(required = true, schema_with = reason_schema)]
    pub reason: String,
    /// One's own words.
    #[serde(default)]
    #[schema(schema_with = details_schema)]
    pub details: String,
}

/// A report as its reporter reads it: never the author's name.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyReportJson {
    /// Its id.
    pub id: String,
    /// What kind of thing.
    pub kind: String,
    /// What was reported, as one saw it.
    pub excerpt: String,
    /// The reason's code.
    pub reason: String,
    /// `open`, `decided`, `appealed` or `closed`.
    pub status: String,
    /// What was decided.
    pub decision: Option<String>,
    /// When it was made, RFC 3339.
    pub created_at: String,
}

impl From<ReportRecord> for MyReportJson {
    fn from(r: ReportRecord) -> Self {
        Self {
            id: r.id.to_string(),
            kind: r.kind.code().to_owned(),
            excerpt: r.excerpt,
            reason: r.reason.code().to_owned(),
            status: r.status.code().to_owned(),
            decision: r.decision.map(|d| d.code().to_owned()),
            created_at: r.created_at.to_string(),
        }
    }
}

/// Reports a listing, a person, a room message, a story or a comment, for
/// logged-in callers (visitors report through the HTML form). A second
/// open report by the same person on the same target is the first.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "reports",
    request_body = NewReportJson,
    responses(
        (status = 201, description = "Reported", body = MyReportJson),
        (status = 404, description = "No such target, or not one the person may see", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused: `reason`, `details`, or `target` (`own_content`: one's own)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_report(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewReportJson>,
) -> Result<(StatusCode, Json<MyReportJson>), ApiError> {
    let target = super::target(&body.kind, &body.target).ok_or(WebError::NotFound)?;
    let app = &state.app;
    let id = reports::report(
        app,
        &user.person,
        &target,
        &body.reason,
        &body.details,
        app.now(),
    )
    .await?;
    let mine = reports::my_reports(app, &user.person)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(mine.into())))
}

/// The reports one made, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/reports",
    tag = "reports",
    responses((status = 200, description = "One's own reports", body = [MyReportJson])),
    security(("bearer" = []))
)]
pub async fn list_my_reports(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<MyReportJson>>, ApiError> {
    let mine = reports::my_reports(&state.app, &user.person).await?;
    Ok(Json(mine.into_iter().map(Into::into).collect()))
}

/// An appeal, in the author's words.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AppealJson {
    /// Why the decision is wrong.
    #[serde(default)]
    #[schema(required = true, schema_with = note_schema)]
    pub appeal: String,
}

/// The author of reported content appeals the decision, once; another
/// moderator decides it.
#[utoipa::path(
    post,
    path = "/api/v1/reports/{id}/appeal",
    tag = "reports",
    params(("id" = String, Path, description = "The report's id, from the decision's mail.")),
    request_body = AppealJson,
    responses(
        (status = 204, description = "Appealed"),
        (status = 404, description = "No such report about the person's content", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Appealed already, or not decided (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No text", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn appeal_report(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<ReportId>,
    ApiJson(body): ApiJson<AppealJson>,
) -> Result<StatusCode, ApiError> {
    reports::appeal(&state.app, &user.person, &id, &body.appeal, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A report as moderators read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportJson {
    /// Its id.
    pub id: String,
    /// What kind of thing.
    pub kind: String,
    /// How the target is named (slug, handle, id), if it still exists.
    pub target: Option<String>,
    /// What the reporter saw.
    pub excerpt: String,
    /// The reason's code.
    pub reason: String,
    /// The reporter's words.
    pub details: String,
    /// Who reported (moderators only); null for a visitor without an
    /// account.
    pub reporter: Option<String>,
    /// Whom it is about.
    pub author: Option<String>,
    /// `open`, `decided`, `appealed` or `closed`.
    pub status: String,
    /// The first decision.
    pub decision: Option<String>,
    /// Its reason.
    pub decision_note: Option<String>,
    /// Until when the author is suspended, RFC 3339.
    pub suspended_until: Option<String>,
    /// The author's appeal.
    pub appeal: Option<String>,
    /// `upheld` or `overturned`.
    pub appeal_outcome: Option<String>,
    /// When it was made, RFC 3339.
    pub created_at: String,
}

impl From<ReportRecord> for ReportJson {
    fn from(r: ReportRecord) -> Self {
        Self {
            id: r.id.to_string(),
            kind: r.kind.code().to_owned(),
            target: r.target_name,
            excerpt: r.excerpt,
            reason: r.reason.code().to_owned(),
            details: r.details,
            reporter: r.reporter_handle,
            author: r.author_handle,
            status: r.status.code().to_owned(),
            decision: r.decision.map(|d| d.code().to_owned()),
            decision_note: r.decision_note,
            suspended_until: r.suspended_until.map(|t| t.to_string()),
            appeal: r.appeal_text,
            appeal_outcome: r.appeal_outcome,
            created_at: r.created_at.to_string(),
        }
    }
}

/// Reports waiting for a moderator (open or appealed), oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/reports",
    tag = "moderation",
    responses(
        (status = 200, description = "The queue", body = [ReportJson]),
        (status = 404, description = "Not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_reports_queue(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ReportJson>>, ApiError> {
    let queue = reports::queue(&state.app, &user.person).await?;
    Ok(Json(queue.into_iter().map(Into::into).collect()))
}

fn days_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(
        json!({"type": "integer", "minimum": 1, "maximum": SUSPEND_MAX_DAYS,
        "description": "For `suspend`: how many days."}),
    )
}

/// A moderator's decision.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DecisionJson {
    /// What to do.
    #[serde(default)]
    #[schema(required = true, schema_with = action_schema)]
    pub action: String,
    /// Why, in words the reporter and the author read.
    #[serde(default)]
    #[schema(required = true, schema_with = note_schema)]
    pub why: String,
    /// For a suspension: how many days.
    #[serde(default)]
    #[schema(schema_with = days_schema)]
    pub suspend_days: Option<i64>,
}

/// Decides a waiting report; the reporter and the author are mailed the
/// outcome with the reason (the author never learns who reported).
#[utoipa::path(
    post,
    path = "/api/v1/moderation/reports/{id}/decision",
    tag = "moderation",
    params(("id" = String, Path, description = "The report's id.")),
    request_body = DecisionJson,
    responses(
        (status = 200, description = "Decided", body = ReportJson),
        (status = 404, description = "No such report, or not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already (`invalid_status`), or an appeal of one's own decision (`own_decision`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused (`action`, `why`, `suspend_days`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn decide_report(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<ReportId>,
    ApiJson(body): ApiJson<DecisionJson>,
) -> Result<Json<ReportJson>, ApiError> {
    let days = body.suspend_days.map(|d| d.to_string()).unwrap_or_default();
    let input = DecisionInput {
        action: &body.action,
        why: &body.why,
        suspend_days: &days,
    };
    let decided = reports::decide(&state.app, &user.person, &id, &input, state.app.now()).await?;
    Ok(Json(decided.into()))
}
