//! Registering, logging in and out, and the first admin's setup link:
//! `/register`, `/login`, `/logout`, `/setup/{token}` (HTML) and
//! `POST /api/v1/accounts`, `POST /api/v1/sessions`,
//! `DELETE /api/v1/sessions/current` (JSON).
//!
//! Answers never reveal whether an email is known: registering with a taken
//! email looks exactly like success, and a failed login says the same
//! whether or not the account exists.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kith_app::accounts::{self, Registration};
use kith_store::accounts::SessionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::forms::{ApiJson, FormErrors, FormPairs};
use crate::limits::client_ip;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{
    Auth, CurrentUser, Nav, SESSION_COOKIE, Viewer, append_cookie, cookie_value, peer_ip,
};

/// The account pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register_form))
        .route("/login", get(login_page).post(login_form))
        .route("/logout", post(logout_form))
        .route("/setup/{token}", get(setup_page).post(setup_form))
}

/// The client's address for rate limits.
pub struct ClientIp(pub std::net::IpAddr);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(Self(client_ip(
            peer_ip(parts),
            forwarded,
            &state.config.trusted_proxies,
        )))
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    action: String,
    title_key: &'static str,
    handle: String,
    email: String,
    errors: FormErrors,
}

impl RegisterTemplate {
    fn new(viewer: &Viewer, action: String, title_key: &'static str) -> Self {
        Self {
            m: messages(),
            zone_from: "none",
            nav: viewer.nav(),
            action,
            title_key,
            handle: String::new(),
            email: String::new(),
            errors: FormErrors::default(),
        }
    }

    fn refused(
        mut self,
        form: &Registration,
        errors: FormErrors,
        status: StatusCode,
    ) -> Result<Response, PageError> {
        // The password is never sent back.
        self.handle = form.handle.clone();
        self.email = form.email.clone();
        self.errors = errors;
        Ok((status, Html(self.render().map_err(WebError::from)?)).into_response())
    }
}

fn registration(form: &FormPairs) -> Registration {
    Registration {
        handle: form.get("handle").to_owned(),
        email: form.get("email").to_owned(),
        password: form.get("password").to_owned(),
    }
}

async fn register_page(viewer: Viewer) -> Result<Response, PageError> {
    let page = RegisterTemplate::new(&viewer, "/register".into(), "register.title");
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn register_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormPairs,
) -> Result<Response, PageError> {
    let page = RegisterTemplate::new(&viewer, "/register".into(), "register.title");
    let form = registration(&form);
    if let Err(seconds) = state.limits.register(ip) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    match accounts::register(
        state.store.as_ref(),
        &state.hasher,
        &state.mail_site,
        &form,
        state.clock.now(),
    )
    .await
    {
        Ok(()) => {
            state.mail_wake.notify_one();
            Ok(Redirect::to("/login?registered=1").into_response())
        }
        Err(kith_app::AppError::Invalid(errors)) => page.refused(
            &form,
            FormErrors::of(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    login: String,
    next: String,
    registered: bool,
    /// Just set a new password through a reset link.
    reset: bool,
    errors: FormErrors,
}

/// Only a path on this site: never `//elsewhere` or a full URL.
fn local_path(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_owned()
    } else {
        "/me".to_owned()
    }
}

async fn login_page(viewer: Viewer, query: QueryPairs) -> Result<Response, PageError> {
    let page = LoginTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        login: String::new(),
        next: local_path(query.get("next").unwrap_or("/me")),
        registered: query.get("registered").is_some(),
        reset: query.get("reset").is_some(),
        errors: FormErrors::default(),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn login_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormPairs,
) -> Result<Response, PageError> {
    let login = form.get("login");
    let mut page = LoginTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        login: login.to_owned(),
        next: local_path(form.get("next")),
        registered: false,
        reset: false,
        errors: FormErrors::default(),
    };
    if let Err(seconds) = state.limits.login(ip, login) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let remember = form.get("remember") == "on";
    let token = accounts::login(
        state.store.as_ref(),
        &state.hasher,
        login,
        form.get("password"),
        SessionKind::Browser,
        remember,
        state.clock.now(),
    )
    .await?;
    let Some(token) = token else {
        let m = messages();
        page.errors = FormErrors::general("login", m.t("login.failed"));
        return Ok((
            StatusCode::UNAUTHORIZED,
            Html(page.render().map_err(WebError::from)?),
        )
            .into_response());
    };
    // A session from before this login ends: a new token at every login.
    if let Auth::Cookie(old) = &viewer.auth {
        accounts::logout(state.store.as_ref(), old).await?;
    }
    let max_age = token
        .remember
        .then(|| accounts::ABSOLUTE_REMEMBERED.as_secs());
    let mut response = Redirect::to(&page.next).into_response();
    append_cookie(
        &mut response,
        &cookie_value(
            SESSION_COOKIE,
            &token.token,
            max_age,
            state.config.secure_cookies,
        ),
    );
    Ok(response)
}

async fn logout_form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    if let Auth::Cookie(token) = &viewer.auth {
        accounts::logout(state.store.as_ref(), token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    append_cookie(
        &mut response,
        &cookie_value(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
    );
    Ok(response)
}

async fn setup_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !accounts::setup_link_valid(state.store.as_ref(), &token, state.clock.now()).await? {
        return Err(PageError(WebError::NotFound));
    }
    let page = RegisterTemplate::new(&viewer, format!("/setup/{token}"), "setup.title");
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn setup_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let page = RegisterTemplate::new(&viewer, format!("/setup/{token}"), "setup.title");
    let form = registration(&form);
    match accounts::create_first_admin(
        state.store.as_ref(),
        &state.hasher,
        &token,
        &form,
        state.clock.now(),
    )
    .await
    {
        Ok(_) => {
            tracing::info!("the first admin was created through the setup link");
            Ok(Redirect::to("/login?registered=1").into_response())
        }
        Err(kith_app::AppError::Invalid(errors)) => page.refused(
            &form,
            FormErrors::of(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => Err(err.into()),
    }
}

/// A registration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegistrationJson {
    /// A pseudonym: 3–30 letters, digits, `_`, `-` or `.`.
    #[serde(default)]
    pub handle: String,
    /// An email address; never shown to anyone.
    #[serde(default)]
    pub email: String,
    /// 10–1024 characters, not a common password.
    #[serde(default)]
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
    accounts::register(
        state.store.as_ref(),
        &state.hasher,
        &state.mail_site,
        &registration,
        state.clock.now(),
    )
    .await?;
    state.mail_wake.notify_one();
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
        (status = 429, description = "Too many attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_session(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginJson>,
) -> Result<(StatusCode, Json<TokenJson>), ApiError> {
    state
        .limits
        .login(ip, &body.login)
        .map_err(WebError::RateLimited)?;
    let token = accounts::login(
        state.store.as_ref(),
        &state.hasher,
        &body.login,
        &body.password,
        SessionKind::Api,
        true,
        state.clock.now(),
    )
    .await?
    .ok_or(ApiError(WebError::InvalidCredentials))?;
    Ok((StatusCode::CREATED, Json(TokenJson { token: token.token })))
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
        accounts::logout(state.store.as_ref(), token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if matches!(user.viewer.auth, Auth::Cookie(_)) {
        append_cookie(
            &mut response,
            &cookie_value(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
        );
    }
    Ok(response)
}
