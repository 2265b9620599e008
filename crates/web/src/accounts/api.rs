//! The accounts' JSON API: `POST /api/v1/accounts`, `POST /api/v1/sessions`
//! and `DELETE /api/v1/sessions/current`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kith_app::accounts::SessionKind;
use kith_app::accounts::{self, LoginRequest, Registration};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checked_login;
use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::extract::ClientIp;
use crate::forms::ApiJson;
use crate::session::{Auth, CurrentUser, SESSION_COOKIE, append_cookie, cookie_value};

/// A registration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegistrationJson {
    /// A pseudonym: 3–30 letters, digits, `_`, `-` or `.`, beginning with
    /// a letter or digit.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 3,
        max_length = 30,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$"
    )]
    pub handle: String,
    /// An email address; never shown to anyone.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::api::schemas::email_schema)]
    pub email: String,
    /// 10–1024 characters, not a common password.
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 1024)]
    pub password: String,
}

/// The answer to a registration; the same whether or not the email was
/// known.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredJson {
    /// Always `registered`.
    pub status: String,
}

/// Registers an account.
#[utoipa::path(
    post,
    path = "/api/v1/accounts",
    tag = "accounts",
    request_body = RegistrationJson,
    responses(
        (status = 201, description = "Registered (also when the email was known: this is not revealed)", body = RegisteredJson),
        (status = 409, description = "The handle is taken (`taken`, with the field)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_account(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RegistrationJson>,
) -> Result<(StatusCode, Json<RegisteredJson>), ApiError> {
    state.limits.register(ip).map_err(WebError::RateLimited)?;
    let registration = Registration {
        handle: body.handle,
        email: body.email,
        password: body.password,
    };
    accounts::register(&state.app, &registration, state.app.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisteredJson {
            status: "registered".to_owned(),
        }),
    ))
}

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginJson {
    /// A handle or an email.
    #[serde(default)]
    pub login: String,
    /// The password.
    #[serde(default)]
    pub password: String,
}

/// A bearer token for `Authorization: Bearer <token>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    /// The token; kith keeps only its hash, so it cannot be shown again.
    pub token: String,
}

/// Logs in, answering a bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    tag = "accounts",
    request_body = LoginJson,
    responses(
        (status = 201, description = "Logged in", body = TokenJson),
        (status = 401, description = "The login and password do not match (whether or not the account exists)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The password matched, but the account is suspended (`suspended`, with `until` in RFC 3339); said only after the right password", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_session(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginJson>,
) -> Result<Response, ApiError> {
    let request = LoginRequest {
        login: &body.login,
        password: &body.password,
        kind: SessionKind::Api,
        remember: true,
    };
    let mut cookies = Vec::new();
    let token = checked_login(&state, ip, &headers, &request, &mut cookies)
        .await?
        .ok_or(ApiError(WebError::InvalidCredentials))?;
    let mut response =
        (StatusCode::CREATED, Json(TokenJson { token: token.token })).into_response();
    for value in &cookies {
        append_cookie(&mut response, value);
    }
    Ok(response)
}

/// Logs out: ends the session that made this request.
#[utoipa::path(
    delete,
    path = "/api/v1/sessions/current",
    tag = "accounts",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_current_session(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    if let Auth::Cookie(token) | Auth::Bearer(token) = &user.viewer.auth {
        accounts::logout(&state.app, token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if matches!(user.viewer.auth, Auth::Cookie(_)) {
        append_cookie(
            &mut response,
            &cookie_value(SESSION_COOKIE, "", Some(0), state.secure_cookies()),
        );
    }
    Ok(response)
}
