//! The account settings' JSON API: verification, password resets, email
//! and password changes, sessions, the export, deleting the account.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kith_app::accounts::SessionKind;
use kith_app::{AppError, Conflict, account_settings};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::password_reset::spawn_reset_request;
use super::shared::limit_mail;
use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::extract::ClientIp;
use crate::extract::IdPath;
use crate::forms::ApiJson;
use crate::session::{Auth, CurrentUser, SESSION_COOKIE, append_cookie, cookie_value};
use kith_domain::ids::SessionId;

/// `browser` or `api`.
pub(crate) fn kind_code(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Browser => "browser",
        SessionKind::Api => "api",
    }
}

/// A token from a mailed link.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenJson {
    /// The token: the last part of the link.
    #[serde(default)]
    pub token: String,
}

/// Mails a new verification link to the person's address (nothing when it
/// is verified already).
#[utoipa::path(
    post,
    path = "/api/v1/me/verification-mail",
    tag = "accounts",
    responses(
        (status = 202, description = "A link is on its way"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many mails asked for", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn resend_verification(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
) -> Result<StatusCode, ApiError> {
    limit_mail(&state, ip, &format!("account:{}", user.person.id.0))?;
    account_settings::send_verification(&state.app, user.person.id, state.app.now()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Confirms an email with the token of a verification link.
#[utoipa::path(
    post,
    path = "/api/v1/email-verification",
    tag = "accounts",
    request_body = TokenJson,
    responses(
        (status = 204, description = "The email is confirmed"),
        (status = 404, description = "The link does not work (unknown, used or expired)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn verify_email(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenJson>,
) -> Result<StatusCode, ApiError> {
    account_settings::verify_email(&state.app, &body.token, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Asks for a password reset link.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequestJson {
    /// The account's email.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::api::schemas::email_schema)]
    pub email: String,
}

/// Mails a password reset link if an account has this address. The answer
/// is the same either way.
#[utoipa::path(
    post,
    path = "/api/v1/password-resets",
    tag = "accounts",
    request_body = ResetRequestJson,
    responses(
        (status = 202, description = "If an account has the address, a link is on its way"),
        (status = 422, description = "Not an email address", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many asked for", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn request_password_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ResetRequestJson>,
) -> Result<StatusCode, ApiError> {
    kith_domain::account::Email::parse(&body.email).map_err(|e| AppError::Invalid(vec![e]))?;
    limit_mail(&state, ip, &body.email)?;
    spawn_reset_request(&state, body.email);
    Ok(StatusCode::ACCEPTED)
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPasswordJson {
    /// 10–1024 characters, not a common password.
    #[serde(default)]
    pub password: String,
}

/// Sets a new password with a reset link's token; every session ends.
#[utoipa::path(
    post,
    path = "/api/v1/password-resets/{token}",
    tag = "accounts",
    params(("token" = String, Path, description = "The last part of the mailed link")),
    request_body = NewPasswordJson,
    responses(
        (status = 204, description = "The password is set"),
        (status = 404, description = "The link does not work (unknown, used or expired)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewPasswordJson>,
) -> Result<StatusCode, ApiError> {
    account_settings::reset_password(&state.app, &token, &body.password, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new email, confirmed with the password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailChangeJson {
    /// The new address.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::api::schemas::email_schema)]
    pub email: String,
    /// The current password.
    #[serde(default)]
    pub password: String,
}

/// Asks to change the email: a link goes to the new address; the old stays
/// until it is followed.
#[utoipa::path(
    put,
    path = "/api/v1/me/email",
    tag = "accounts",
    request_body = EmailChangeJson,
    responses(
        (status = 202, description = "A link is on its way to the new address"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The address or the password was refused (`wrong_password`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many asked for", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn change_email(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<EmailChangeJson>,
) -> Result<StatusCode, ApiError> {
    limit_mail(&state, ip, &format!("account:{}", user.person.id.0))?;
    account_settings::change_email(
        &state.app,
        &user.person,
        &body.password,
        &body.email,
        state.app.now(),
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChangeJson {
    /// The current password.
    #[serde(default)]
    pub current_password: String,
    /// The new one.
    #[serde(default)]
    pub password: String,
}

/// Changes the password; every other session ends.
#[utoipa::path(
    put,
    path = "/api/v1/me/password",
    tag = "accounts",
    request_body = PasswordChangeJson,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused (`current_password`: `wrong_password`, or the new password's rules)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PasswordChangeJson>,
) -> Result<StatusCode, ApiError> {
    account_settings::change_password(
        &state.app,
        &user.person,
        user.viewer.token(),
        &body.current_password,
        &body.password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One of the person's sessions; never its token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionJson {
    /// Names it for `DELETE /api/v1/me/sessions/{id}`.
    pub id: String,
    /// `browser` or `api`.
    pub kind: String,
    /// When it began (RFC 3339).
    pub created_at: String,
    /// When it was last used.
    pub last_used_at: String,
    /// When it ends at the latest.
    pub expires_at: String,
    /// Whether it is the session of this request.
    pub current: bool,
}

/// The person's live sessions, most recently used first.
#[utoipa::path(
    get,
    path = "/api/v1/me/sessions",
    tag = "accounts",
    responses(
        (status = 200, description = "The sessions", body = [SessionJson]),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<SessionJson>>, ApiError> {
    let current = user.viewer.token().map(kith_app::accounts::session_id);
    let sessions = account_settings::sessions(&state.app, &user.person, state.app.now()).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionJson {
                current: current.as_ref() == Some(&s.id),
                kind: kind_code(s.kind).to_owned(),
                created_at: s.created_at.to_string(),
                last_used_at: s.last_seen_at.to_string(),
                expires_at: s.expires_at.to_string(),
                id: s.id.to_string(),
            })
            .collect(),
    ))
}

/// Ends one of the person's sessions.
#[utoipa::path(
    delete,
    path = "/api/v1/me/sessions/{id}",
    tag = "accounts",
    params(("id" = String, Path, description = "The session's id from the list")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session of this person", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn end_session(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<SessionId>,
) -> Result<StatusCode, ApiError> {
    account_settings::end_session(&state.app, &user.person, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything kith keeps about the person, as a JSON download.
#[utoipa::path(
    get,
    path = "/api/v1/me/export",
    tag = "accounts",
    responses(
        (status = 200, description = "The export (`format`, `account`, `hosted_groups`, `sessions`, `notification_preferences`, …)", content_type = "application/json"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    let export = kith_app::export::export(&state.app, &user.person, state.app.now()).await?;
    let mut response = Json(export).into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_static("attachment; filename=\"kith-export.json\""),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// The password, confirming a deletion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteAccountJson {
    /// The current password.
    #[serde(default)]
    pub password: String,
}

/// Deletes the person's account and everything of it; every session ends.
#[utoipa::path(
    delete,
    path = "/api/v1/me",
    tag = "accounts",
    request_body = DeleteAccountJson,
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`hosts_groups`: the person alone hosts the groups in `groups`; add a co-host or close them first", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password`: `wrong_password`", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_me(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<DeleteAccountJson>,
) -> Result<Response, ApiError> {
    let app = &state.app;
    match account_settings::delete_account(app, &user.person, &body.password).await {
        Ok(()) => {}
        Err(AppError::Conflict(Conflict::HostsGroups)) => {
            let groups = account_settings::sole_hosted_groups(app, &user.person).await?;
            return Err(ApiError(WebError::HostsGroups(
                groups
                    .into_iter()
                    .map(|(slug, name)| (slug.to_string(), name))
                    .collect(),
            )));
        }
        Err(err) => return Err(err.into()),
    }
    tracing::info!("an account was deleted by its owner");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if matches!(user.viewer.auth, Auth::Cookie(_)) {
        append_cookie(
            &mut response,
            &cookie_value(SESSION_COOKIE, "", Some(0), state.secure_cookies()),
        );
    }
    Ok(response)
}
