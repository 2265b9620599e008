//! An account's life, as pages: `/verify-email/{token}`,
//! `/password-reset` and `/password-reset/{token}`, and under `/me` the
//! email, the password, the sessions and deleting the account. The JSON
//! API is in [`api`].
//!
//! Links from mail show a page with a button: nothing changes on `GET`, so
//! a mail scanner that opens links spends no token. Every link that does
//! not work — unknown, used, expired — gets the same page.

pub mod api;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::{AppError, account_settings};

use crate::AppState;
use crate::accounts::ClientIp;
use crate::error::{PageError, WebError};
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::pages::{FormPage, NoticePage, field};
use crate::session::{
    Auth, CurrentUser, Nav, SESSION_COOKIE, Viewer, append_cookie, cookie_value, log_in_and_go,
};

/// The account settings pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify-email/{token}", get(verify_page).post(verify_form))
        .route("/me/verify-email", post(resend_verification_form))
        .route(
            "/password-reset",
            get(reset_request_page).post(reset_request_form),
        )
        .route("/password-reset/{token}", get(reset_page).post(reset_form))
        .route("/me/email", get(email_page).post(email_form))
        .route("/me/password", get(password_page).post(password_form))
        .route("/me/sessions", get(sessions_page))
        .route("/me/sessions/{id}/end", post(end_session_form))
        .route("/me/delete", get(delete_page).post(delete_form))
}

/// The one page for every link that does not work.
fn invalid_link(nav: Nav, again: (&str, &str)) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(nav, m.t("link.invalid_title"), m.t("link.invalid_text"))
        .link(again.0, m.t(again.1))
        .respond(StatusCode::NOT_FOUND)
}

/// "Please confirm your email first", with a button that sends the link
/// again (listing a group needs it).
pub(crate) fn verification_needed(nav: Nav, status: StatusCode) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(nav, m.t("verify_needed.title"), m.t("verify_needed.text"))
        .button("/me/verify-email", m.t("me.resend"))
        .respond(status)
}

/// Counts a mail-sending request against the limits.
fn limit_mail(state: &AppState, ip: std::net::IpAddr, key: &str) -> Result<(), WebError> {
    state.limits.mail(ip, key).map_err(WebError::RateLimited)
}

async fn verify_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !account_settings::verify_link_valid(&state.app, &token, state.app.now()).await? {
        return invalid_link(viewer.nav(), ("/me", "link.verify_again"));
    }
    let mut page = FormPage::new(
        viewer.nav(),
        "verify",
        &format!("/verify-email/{token}"),
        Vec::new(),
    );
    page.lead = vec![messages().t("verify.lead").to_owned()];
    page.respond(StatusCode::OK)
}

async fn verify_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    match account_settings::verify_email(&state.app, &token, state.app.now()).await {
        Ok(account) => {
            // The link proved the address as a password would.
            Ok(log_in_and_go(&state, &viewer, account, "/me/confirmed").await?)
        }
        Err(AppError::NotFound) => invalid_link(viewer.nav(), ("/me", "link.verify_again")),
        Err(err) => Err(err.into()),
    }
}

async fn resend_verification_form(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
) -> Result<Response, PageError> {
    limit_mail(&state, ip, &format!("account:{}", user.person.id.0))?;
    account_settings::send_verification(&state.app, user.person.id, state.app.now()).await?;
    Ok(Redirect::to("/me?done=verify_sent").into_response())
}

fn reset_request(nav: Nav) -> FormPage {
    let m = messages();
    FormPage::new(
        nav,
        "reset",
        "/password-reset",
        vec![field(
            "email",
            "f-email",
            m.t("reset.email"),
            "email",
            "email",
        )],
    )
}

async fn reset_request_page(viewer: Viewer) -> Result<Response, PageError> {
    reset_request(viewer.nav()).respond(StatusCode::OK)
}

/// Answers the same page whether or not an account has the address: the
/// lookup and the mail happen after the answer, in a task of their own.
async fn reset_request_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormPairs,
) -> Result<Response, PageError> {
    let raw = form.get("email").to_owned();
    if let Err(refused) = kith_domain::account::Email::parse(&raw) {
        return reset_request(viewer.nav())
            .refused(&form, FormErrors::of(&[refused]))
            .respond(StatusCode::UNPROCESSABLE_ENTITY);
    }
    limit_mail(&state, ip, &raw)?;
    spawn_reset_request(&state, raw);
    let m = messages();
    NoticePage::new(
        viewer.nav(),
        m.t("reset.sent_title"),
        m.t("reset.sent_text"),
    )
    .respond(StatusCode::OK)
}

/// Looks the address up and mails a link, after the answer has gone.
pub(crate) fn spawn_reset_request(state: &AppState, email: String) {
    let (app, now) = (state.app.clone(), state.app.now());
    tokio::spawn(async move {
        if let Err(err) = account_settings::request_password_reset(&app, &email, now).await {
            tracing::warn!(error = %err, "a password reset could not be prepared");
        }
    });
}

fn new_password(nav: Nav, token: &str) -> FormPage {
    let m = messages();
    let mut password = field(
        "password",
        "f-password",
        m.t("reset.password"),
        "password",
        "new-password",
    );
    password.hint = m.t("reset.password_hint").to_owned();
    let mut page = FormPage::new(
        nav,
        "reset",
        &format!("/password-reset/{token}"),
        vec![password],
    );
    page.title = m.t("reset.new_title").to_owned();
    page.lead = vec![m.t("reset.new_lead").to_owned()];
    page.submit = m.t("reset.new_submit").to_owned();
    page
}

async fn reset_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !account_settings::reset_link_valid(&state.app, &token, state.app.now()).await? {
        return invalid_link(viewer.nav(), ("/password-reset", "link.reset_again"));
    }
    new_password(viewer.nav(), &token).respond(StatusCode::OK)
}

async fn reset_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    match account_settings::reset_password(
        &state.app,
        &token,
        form.get("password"),
        state.app.now(),
    )
    .await
    {
        Ok(account) => {
            let mut response = Redirect::to("/login?reset=1").into_response();
            // The link proved this browser is the owner's: it logs in with
            // an allowance of its own, however many guessers have tried.
            append_cookie(
                &mut response,
                &crate::accounts::device_cookie(&state, account),
            );
            if matches!(viewer.auth, Auth::Cookie(_)) {
                append_cookie(
                    &mut response,
                    &cookie_value(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
                );
            }
            Ok(response)
        }
        Err(AppError::NotFound) => {
            invalid_link(viewer.nav(), ("/password-reset", "link.reset_again"))
        }
        Err(AppError::Invalid(errors)) => new_password(viewer.nav(), &token)
            .refused(&form, FormErrors::of(&errors))
            .respond(StatusCode::UNPROCESSABLE_ENTITY),
        Err(err) => Err(err.into()),
    }
}

fn email_form_page(nav: Nav) -> FormPage {
    let m = messages();
    FormPage::new(
        nav,
        "email",
        "/me/email",
        vec![
            field("email", "f-email", m.t("email.email"), "email", "email"),
            field(
                "password",
                "f-password",
                m.t("email.password"),
                "password",
                "current-password",
            ),
        ],
    )
}

async fn email_page(user: CurrentUser) -> Result<Response, PageError> {
    email_form_page(user.viewer.nav()).respond(StatusCode::OK)
}

async fn email_form(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    form: FormPairs,
) -> Result<Response, PageError> {
    limit_mail(&state, ip, &format!("account:{}", user.person.id.0))?;
    let app = &state.app;
    match account_settings::change_email(
        app,
        &user.person,
        form.get("password"),
        form.get("email"),
        state.app.now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/me?done=email_sent").into_response()),
        Err(AppError::Invalid(errors)) => email_form_page(user.viewer.nav())
            .refused(&form, FormErrors::of(&errors))
            .respond(StatusCode::UNPROCESSABLE_ENTITY),
        Err(err) => Err(err.into()),
    }
}

fn password_form_page(nav: Nav) -> FormPage {
    let m = messages();
    let mut new = field(
        "password",
        "f-password",
        m.t("password.new"),
        "password",
        "new-password",
    );
    new.hint = m.t("reset.password_hint").to_owned();
    FormPage::new(
        nav,
        "password",
        "/me/password",
        vec![
            field(
                "current_password",
                "f-current_password",
                m.t("password.current"),
                "password",
                "current-password",
            ),
            new,
        ],
    )
}

async fn password_page(user: CurrentUser) -> Result<Response, PageError> {
    password_form_page(user.viewer.nav()).respond(StatusCode::OK)
}

/// The session token of the request, if it came with one.
pub(crate) fn own_token(viewer: &Viewer) -> Option<&str> {
    match &viewer.auth {
        Auth::Cookie(token) | Auth::Bearer(token) => Some(token),
        Auth::Anonymous => None,
    }
}

async fn password_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    match account_settings::change_password(
        &state.app,
        &user.person,
        own_token(&user.viewer),
        form.get("current_password"),
        form.get("password"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/me?done=password").into_response()),
        Err(AppError::Invalid(errors)) => password_form_page(user.viewer.nav())
            .refused(&form, FormErrors::of(&errors))
            .respond(StatusCode::UNPROCESSABLE_ENTITY),
        Err(err) => Err(err.into()),
    }
}

struct SessionView {
    id: String,
    kind: String,
    current: bool,
    created: String,
    created_iso: String,
    last_used: String,
    last_used_iso: String,
    expires: String,
    expires_iso: String,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    sessions: Vec<SessionView>,
    done: Option<String>,
}

/// "2026-06-01 10:00 UTC".
pub(crate) fn when(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

async fn sessions_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: crate::query::QueryPairs,
) -> Result<Response, PageError> {
    let m = messages();
    let current = own_token(&user.viewer).map(kith_app::accounts::session_id);
    let sessions = account_settings::sessions(&state.app, &user.person, state.app.now()).await?;
    let page = SessionsPage {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        done: query
            .get("done")
            .filter(|d| *d == "session_ended")
            .map(|d| m.t(&format!("me.done.{d}")).to_owned()),
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                current: current.as_deref() == Some(s.id.as_str()),
                kind: m.of("sessions.kind", api::kind_code(s.kind)).to_owned(),
                created: when(s.created_at),
                created_iso: s.created_at.to_string(),
                last_used: when(s.last_seen_at),
                last_used_iso: s.last_seen_at.to_string(),
                expires: when(s.expires_at),
                expires_iso: s.expires_at.to_string(),
                id: s.id,
            })
            .collect(),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn end_session_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    account_settings::end_session(&state.app, &user.person, &id).await?;
    Ok(Redirect::to("/me/sessions?done=session_ended").into_response())
}

fn delete_form_page(nav: Nav) -> FormPage {
    let m = messages();
    let mut page = FormPage::new(
        nav,
        "delete",
        "/me/delete",
        vec![field(
            "password",
            "f-password",
            m.t("delete.password"),
            "password",
            "current-password",
        )],
    );
    page.danger = true;
    page.after = Some(("/api/v1/me/export".to_owned(), m.t("me.export").to_owned()));
    page
}

async fn delete_page(user: CurrentUser) -> Result<Response, PageError> {
    delete_form_page(user.viewer.nav()).respond(StatusCode::OK)
}

async fn delete_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let app = &state.app;
    match account_settings::delete_account(app, &user.person, form.get("password")).await {
        Ok(()) => {
            tracing::info!("an account was deleted by its owner");
            let m = messages();
            let mut response = NoticePage::new(
                Nav::default(),
                m.t("delete.done_title"),
                m.t("delete.done_text"),
            )
            .link("/", m.t("nav.home"))
            .respond(StatusCode::OK)?;
            append_cookie(
                &mut response,
                &cookie_value(SESSION_COOKIE, "", Some(0), state.config.secure_cookies),
            );
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => delete_form_page(user.viewer.nav())
            .refused(&form, FormErrors::of(&errors))
            .respond(StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict("hosts_groups")) => {
            let mut page = delete_form_page(user.viewer.nav());
            page.groups = account_settings::sole_hosted_groups(app, &user.person)
                .await?
                .into_iter()
                .map(|(slug, name)| (slug.to_string(), name))
                .collect();
            page.respond(StatusCode::CONFLICT)
        }
        Err(err) => Err(err.into()),
    }
}
