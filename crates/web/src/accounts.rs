//! Registering, logging in and out, and the first admin's setup link:
//! `/register`, `/login`, `/logout`, `/setup/{token}` (HTML); the JSON API
//! is in [`api`].
//!
//! Answers never reveal whether an email is known: registering with a taken
//! email looks exactly like success, and a failed login says the same
//! whether or not the account exists.

pub mod api;
mod next;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::AccountId;
use kith_app::accounts::SessionKind;
use kith_app::accounts::{self, LoginOutcome, LoginRequest, NewToken, Registration};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::ClientIp;
use crate::forms::{FormErrors, FormPairs};
use crate::limits::devices::{DEVICE_COOKIE, DEVICE_MAX_AGE};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{
    Auth, Nav, SESSION_COOKIE, Viewer, append_cookie, cookie, cookie_value, log_in_and_go,
};
use crate::viewer::CookieZone;
use crate::views::local_date_time;

/// The account pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register_form))
        .route("/login", get(login_page).post(login_form))
        .route("/logout", post(logout_form))
        .route("/setup/{token}", get(setup_page).post(setup_form))
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
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, PageError> {
    let page = RegisterTemplate::new(&viewer, "/register".into(), "register.title");
    let form = registration(&form);
    if let Err(seconds) = state.limits.register(ip) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    match accounts::register_in_zone(
        &state.app,
        &form,
        CookieZone::browser(&headers).as_ref(),
        state.app.now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/login?registered=1").into_response()),
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

impl LoginTemplate {
    /// The form again, with what was typed (never the password) and why
    /// it was refused.
    fn refused(self, status: StatusCode) -> Result<Response, PageError> {
        Ok((status, Html(self.render().map_err(WebError::from)?)).into_response())
    }
}

/// Where to go after logging in: `next` when it is a plain path on this
/// site, else the person's own page, as when no `next` was given.
fn local_path(next: &str) -> String {
    next::local_path(next).unwrap_or("/me").to_owned()
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

/// A login checked against the address's and the account's limits; the
/// new session, or `None` for any mismatch (`WebError::Suspended` for the
/// right password of a suspended account). A browser that proved to be
/// the account's is marked trusted: see [`crate::limits::devices`].
pub(crate) async fn checked_login(
    state: &AppState,
    ip: std::net::IpAddr,
    headers: &HeaderMap,
    request: &LoginRequest<'_>,
    response_cookies: &mut Vec<String>,
) -> Result<Option<NewToken>, WebError> {
    state.limits.login_from(ip).map_err(WebError::RateLimited)?;
    let device = cookie(headers, DEVICE_COOKIE);
    let outcome = accounts::login(&state.app, request, state.app.now(), |account| {
        state
            .limits
            .login_to(account, request.login, device.as_deref())
    })
    .await?;
    match outcome {
        LoginOutcome::Limited(seconds) => Err(WebError::RateLimited(seconds)),
        LoginOutcome::Refused => Ok(None),
        LoginOutcome::Suspended { until } => Err(WebError::Suspended(until)),
        LoginOutcome::LoggedIn { token, account } => {
            // The browser's zone, for mails, unless the person chose one.
            if let Some(zone) = CookieZone::browser(headers) {
                kith_app::account_zone::remember(&state.app, account, &zone).await?;
            }
            if !state.limits.trusts(device.as_deref(), account) {
                response_cookies.push(device_cookie(state, account));
            }
            Ok(Some(token))
        }
    }
}

/// The `Set-Cookie` value that marks this browser trusted for `account`.
pub(crate) fn device_cookie(state: &AppState, account: AccountId) -> String {
    cookie_value(
        DEVICE_COOKIE,
        &state.limits.trust_device(account),
        Some(DEVICE_MAX_AGE),
        state.secure_cookies(),
    )
}

async fn login_form(
    State(state): State<AppState>,
    viewer: Viewer,
    zone: CookieZone,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
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
    let request = LoginRequest {
        login,
        password: form.get("password"),
        kind: SessionKind::Browser,
        remember: form.get("remember") == "on",
    };
    let mut cookies = Vec::new();
    let m = messages();
    let token = match checked_login(&state, ip, &headers, &request, &mut cookies).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            page.errors = FormErrors::general("login", m.t("login.failed"));
            return page.refused(StatusCode::UNAUTHORIZED);
        }
        Err(WebError::Suspended(until)) => {
            let (date, _) = local_date_time(until, &zone.or_utc());
            let message = m.t("login.suspended").replace("{until}", &date);
            page.errors = FormErrors::general("login", &message);
            page.zone_from = "cookie";
            return page.refused(StatusCode::FORBIDDEN);
        }
        Err(err) => return Err(err.into()),
    };
    // A session from before this login ends: a new token at every login.
    if let Auth::Cookie(old) = &viewer.auth {
        accounts::logout(&state.app, old).await?;
    }
    let max_age = token
        .remember
        .then(|| accounts::ABSOLUTE_REMEMBERED.as_secs());
    let mut response = Redirect::to(&page.next).into_response();
    cookies.insert(
        0,
        cookie_value(
            SESSION_COOKIE,
            &token.token,
            max_age,
            state.secure_cookies(),
        ),
    );
    for value in &cookies {
        append_cookie(&mut response, value);
    }
    Ok(response)
}

async fn logout_form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    if let Auth::Cookie(token) = &viewer.auth {
        accounts::logout(&state.app, token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    append_cookie(
        &mut response,
        &cookie_value(SESSION_COOKIE, "", Some(0), state.secure_cookies()),
    );
    Ok(response)
}

async fn setup_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !accounts::setup_link_valid(&state.app, &token, state.app.now()).await? {
        return setup_link_invalid(&viewer);
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
    match accounts::create_first_admin(&state.app, &token, &form, state.app.now()).await {
        Ok(account) => {
            tracing::info!("the first admin was created through the setup link");
            // They just chose the password: no second form to type it in.
            Ok(log_in_and_go(&state, &viewer, account, "/admin").await?)
        }
        Err(kith_app::AppError::Invalid(errors)) => page.refused(
            &form,
            FormErrors::of(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(kith_app::AppError::NotFound) => setup_link_invalid(&viewer),
        Err(err) => Err(err.into()),
    }
}

/// A used, old or mistyped setup link: a 404 that speaks of the setup
/// link and how to get a new one, not of groups.
fn setup_link_invalid(viewer: &Viewer) -> Result<Response, PageError> {
    let m = messages();
    crate::pages::NoticePage::new(
        viewer.nav(),
        m.t("setup.invalid_title"),
        m.t("setup.invalid_text"),
    )
    .link("/login", m.t("setup.invalid_login"))
    .respond(StatusCode::NOT_FOUND)
}
