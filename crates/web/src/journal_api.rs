//! The private journal's JSON API under `/api/v1/me/journal` (issue 22):
//! the same use cases as the pages (`kith_app::journal`), for a session
//! cookie with `X-CSRF-Token` or a bearer token from `POST
//! /api/v1/sessions`. A bearer token is a session: the login that made it
//! wrapped the journal's key for it, so it opens the journal as a browser's
//! session does, and logging it out makes that copy useless.
//!
//! - this file: where the journal stands, starting it (its recovery code
//!   answered once), opening and locking it, the export and the import.
//! - `checkins`: check-ins — list (by day), add, read, replace, delete.
//! - `medicines`: the taper log's medicines, by the person's own names.
//! - `reminder`: the daily reminder, on at a time or off.
//! - `doses`: their dose changes, each with its step from the one before
//!   as a percentage of it; never a suggested dose.
//! - `schemas`: the bodies' JSON Schemas, from the domain's limits.
//! - `problem`: the journal's errors as problem documents — no journal is
//!   404 `no_journal`, a locked one 409 `journal_locked`, refused fields in
//!   the journal's own words.
//!
//! Every answer says `Cache-Control: no-store`; nothing here logs a value.

mod checkins;
mod doses;
mod medicines;
mod problem;
mod reminder;
mod schemas;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use kith_app::journal::{self, Recovered, Status, Unlock};
use kith_domain::validation::FieldError;
use serde::{Deserialize, Serialize};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use problem::JournalError;
pub use schemas::ExportDocument;

use crate::AppState;
use crate::error::WebError;
use crate::extract::ClientIp;
use crate::forms::ApiJson;
use crate::session::CurrentUser;

/// The journal's API routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_journal, create_journal))
        .routes(routes!(recovery_saved))
        .routes(routes!(replace_recovery_code))
        .routes(routes!(unlock_journal))
        .routes(routes!(lock_journal))
        .routes(routes!(export_journal))
        .routes(routes!(reminder::get_reminder, reminder::put_reminder))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import_journal))
                .layer(DefaultBodyLimit::max(crate::journal::IMPORT_BODY_MAX)),
        )
        .routes(routes!(checkins::list_checkins, checkins::create_checkin))
        .routes(routes!(
            checkins::get_checkin,
            checkins::put_checkin,
            checkins::delete_checkin
        ))
        .routes(routes!(
            medicines::list_medicines,
            medicines::create_medicine
        ))
        .routes(routes!(
            medicines::get_medicine,
            medicines::put_medicine,
            medicines::delete_medicine
        ))
        .routes(routes!(doses::list_doses, doses::create_dose))
        .routes(routes!(
            doses::get_dose,
            doses::put_dose,
            doses::delete_dose
        ))
        // What a member wrote must stay out of every cache.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// The raw token of the session asking: the journal's key is wrapped per
/// session (a bearer token is one).
fn session_token(user: &CurrentUser) -> Result<&str, JournalError> {
    user.viewer
        .token()
        .ok_or_else(|| WebError::Unauthenticated.into())
}

/// Where the journal stands for the session asking.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JournalState {
    /// No journal yet: `POST /api/v1/me/journal` starts one.
    None,
    /// Closed in this session: the password opens it.
    Locked,
    /// Closed, and the password no longer opens it (it was reset by
    /// mail): the recovery code does.
    NeedsRecovery,
    /// Open in this session.
    Open,
}

/// The journal's state for this session.
#[derive(Debug, Serialize, ToSchema)]
pub struct JournalStatusJson {
    /// Where it stands.
    pub state: JournalState,
    /// When open: whether the person said they saved the recovery code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_saved: Option<bool>,
    /// When open: whether the password opens it at login. False after a
    /// reset by mail and a recovery without the password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at_login: Option<bool>,
}

impl JournalStatusJson {
    fn of(status: Status) -> Self {
        let (state, open) = match status {
            Status::None => (JournalState::None, None),
            Status::Locked => (JournalState::Locked, None),
            Status::NeedsRecovery => (JournalState::NeedsRecovery, None),
            Status::Open {
                recovery_saved,
                opens_at_login,
            } => (JournalState::Open, Some((recovery_saved, opens_at_login))),
        };
        Self {
            state,
            recovery_saved: open.map(|o| o.0),
            opens_at_login: open.map(|o| o.1),
        }
    }
}

/// The person's password, to start the journal.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PasswordJson {
    /// The account's current password.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1024)]
    pub password: String,
}

/// The recovery code of a journal just started.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodeJson {
    /// The only way into the journal after a password reset by mail.
    /// Answered this once and never again: the client must show it and
    /// ask the person to keep it, then `POST
    /// /api/v1/me/journal/recovery-saved`.
    pub recovery_code: String,
}

/// What opens the journal: the password, or the recovery code (with the
/// current password too, so the password opens it at login again).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UnlockJson {
    /// The account's current password.
    #[serde(default)]
    #[schema(max_length = 1024)]
    pub password: Option<String>,
    /// The recovery code shown when the journal was started.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub recovery_code: Option<String>,
}

/// The journal opened: where it stands, and after a recovery code the
/// one that replaces it.
#[derive(Serialize, ToSchema)]
pub struct UnlockedJson {
    /// Where the journal stands now.
    #[serde(flatten)]
    pub status: JournalStatusJson,
    /// After opening with the recovery code: its replacement, answered
    /// this once (the code used opens nothing now). The client must show
    /// it and ask the person to keep it, then `POST
    /// /api/v1/me/journal/recovery-saved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_recovery_code: Option<String>,
}

/// How many entries an import took.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedJson {
    /// Check-ins, medicines and dose changes together.
    pub imported: usize,
}

/// Where the person's journal stands for this session.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal",
    tag = "journal",
    responses((status = 200, description = "The journal's state", body = JournalStatusJson)),
    security(("bearer" = []))
)]
pub async fn get_journal(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<JournalStatusJson>, JournalError> {
    let status = journal::status(&state.app, &user.person, session_token(&user)?).await?;
    Ok(Json(JournalStatusJson::of(status)))
}

/// Starts the person's journal, open in this session. The answer holds
/// its recovery code, once: kith never shows it again. Attempts count
/// against the login limits.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal",
    tag = "journal",
    request_body = PasswordJson,
    responses(
        (status = 201, description = "Started; the recovery code, shown once", body = RecoveryCodeJson),
        (status = 409, description = "There is a journal already (`journal_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password`: `wrong_password`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_journal(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordJson>,
) -> Result<(StatusCode, Json<RecoveryCodeJson>), JournalError> {
    crate::journal::allow_attempt(&state, ip, &headers, &user).map_err(WebError::RateLimited)?;
    let token = session_token(&user)?;
    let code = journal::create(
        &state.app,
        &user.person,
        &body.password,
        token,
        state.app.now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RecoveryCodeJson {
            recovery_code: code.expose().to_string(),
        }),
    ))
}

/// Notes that the person saved their recovery code.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/recovery-saved",
    tag = "journal",
    responses(
        (status = 204, description = "Noted"),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn recovery_saved(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, JournalError> {
    journal::confirm_recovery_saved(&state.app, &user.person, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Opens the journal in this session: with the password, or with the
/// recovery code (after a password reset by mail); given the current
/// password with the code, the password opens it at login again. Wrong
/// attempts count against the login limits.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/unlock",
    tag = "journal",
    request_body = UnlockJson,
    responses(
        (status = 200, description = "Open in this session; after the recovery code, the code that replaces it", body = UnlockedJson),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The password no longer opens it: use the recovery code (`journal_needs_recovery`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password`: `required`, `wrong_secret` or (beside a code) `wrong_password`; `recovery_code`: `malformed`, `mistyped` or `wrong_secret`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn unlock_journal(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UnlockJson>,
) -> Result<Json<UnlockedJson>, JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    let allow = || crate::journal::allow_attempt(&state, ip, &headers, &user);
    let password = body.password.as_deref().filter(|p| !p.is_empty());
    let new_recovery_code = match body.recovery_code.as_deref() {
        Some(code) => {
            match journal::unlock_with_recovery(
                app,
                &user.person,
                token,
                code,
                password,
                app.now(),
                allow,
            )
            .await?
            {
                Recovered::Opened(code) => Some(code.expose().to_string()),
                Recovered::Refused => return Err(wrong_secret("recovery_code")),
                Recovered::Limited(seconds) => return Err(WebError::RateLimited(seconds).into()),
            }
        }
        None => {
            let Some(password) = password else {
                return Err(
                    WebError::Invalid(vec![FieldError::new("password", "required")]).into(),
                );
            };
            match journal::unlock_with_password(
                app,
                &user.person,
                token,
                password,
                app.now(),
                allow,
            )
            .await?
            {
                Unlock::Opened => None,
                Unlock::Refused => return Err(wrong_secret("password")),
                Unlock::Limited(seconds) => return Err(WebError::RateLimited(seconds).into()),
            }
        }
    };
    let status = journal::status(app, &user.person, token).await?;
    Ok(Json(UnlockedJson {
        status: JournalStatusJson::of(status),
        new_recovery_code,
    }))
}

fn wrong_secret(field: &'static str) -> JournalError {
    WebError::Invalid(vec![FieldError::new(field, "wrong_secret")]).into()
}

/// A new recovery code for a journal open in this session, given the
/// password: for a person who lost theirs. The old code stops opening it
/// at once; the answer holds the new one, once. Attempts count against
/// the login limits.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/recovery-code",
    tag = "journal",
    request_body = PasswordJson,
    responses(
        (status = 201, description = "Replaced; the new recovery code, shown once", body = RecoveryCodeJson),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password`: `wrong_password`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn replace_recovery_code(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordJson>,
) -> Result<(StatusCode, Json<RecoveryCodeJson>), JournalError> {
    let allow = || crate::journal::allow_attempt(&state, ip, &headers, &user);
    let code = journal::replace_recovery_code(
        &state.app,
        &user.person,
        session_token(&user)?,
        &body.password,
        allow,
    )
    .await?
    .map_err(WebError::RateLimited)?;
    Ok((
        StatusCode::CREATED,
        Json(RecoveryCodeJson {
            recovery_code: code.expose().to_string(),
        }),
    ))
}

/// Closes the journal in this session; its other sessions keep it open.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/lock",
    tag = "journal",
    responses((status = 204, description = "Closed in this session")),
    security(("bearer" = []))
)]
pub async fn lock_journal(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, JournalError> {
    journal::lock(&state.app, &user.person, session_token(&user)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The whole journal as one JSON document (`{"kith_journal": 1, …}`),
/// which `POST /api/v1/me/journal/import` (or another kith site) takes
/// back into an empty journal. Entries that could not be opened are left
/// out and counted in `could_not_open`.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/export",
    tag = "journal",
    responses(
        (status = 200, description = "The journal, opened", body = ExportDocument),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn export_journal(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<journal::JournalExport>, JournalError> {
    let token = session_token(&user)?;
    let export = journal::export(&state.app, &user.person, token, state.app.now()).await?;
    Ok(Json(export))
}

/// Takes an export (this site's or another kith's) into the journal,
/// which must be open and empty: every entry checked by the same rules as
/// when written, all of it written or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/import",
    tag = "journal",
    request_body = ExportDocument,
    responses(
        (status = 201, description = "Imported", body = ImportedJson),
        (status = 404, description = "No journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`file`: `not_a_journal`, `unsupported_version`, `malformed`, `invalid_entry`, `too_large` or `journal_not_empty`", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn import_journal(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportedJson>), JournalError> {
    // Over the route's limit (the page's, 16 MiB) is not a kith export:
    // said on `file` as the page says it, not as a bare 413.
    let body = body.map_err(|_| WebError::Invalid(vec![FieldError::new("file", "too_large")]))?;
    let token = session_token(&user)?;
    let zone = user.viewer.zone();
    let imported = journal::import(
        &state.app,
        &user.person,
        token,
        &body,
        &zone,
        state.app.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ImportedJson { imported })))
}
