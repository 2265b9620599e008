//! The recovery code at work (`/journal/recover`, `/journal/recovery-code…`).
//! A code that opened the journal is spent: the key is wrapped under a new
//! one, shown once on the same page as at creation, with the "I saved it"
//! confirmation. A member whose journal is open may also replace a lost
//! code, with their password; the old one stops working at once. Both
//! count against the login limits, as each is a guess at a secret.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::journal::{self, Recovered, RecoveryCode, Status};
use kith_app::{AppError, Conflict};
use kith_domain::validation::FieldError;

use super::{CodeTemplate, allow_attempt, refusals, refused, respond, session_token};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::ClientIp;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// The new code's page: shown once, never again.
fn new_code(user: &CurrentUser, code: &RecoveryCode) -> Result<Response, PageError> {
    respond(
        StatusCode::OK,
        &CodeTemplate {
            m: messages(),
            zone_from: "none",
            nav: user.viewer.nav(),
            code: code.expose().to_string(),
            renewed: true,
        },
    )
}

/// `POST /journal/recover`: opens the journal with its recovery code and,
/// when the current password is given, lets that open it at login again;
/// shows the code that replaces the one used.
pub(super) async fn recover_form(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, PageError> {
    let token = session_token(&user)?;
    let password = Some(form.get("password")).filter(|p| !p.is_empty());
    let outcome = journal::unlock_with_recovery(
        &state.app,
        &user.person,
        token,
        form.get("recovery_code"),
        password,
        state.app.now(),
        || allow_attempt(&state, ip, &headers, &user),
    )
    .await;
    match outcome {
        Ok(Recovered::Opened(code)) => new_code(&user, &code),
        Ok(Recovered::Refused) => {
            let wrong = [FieldError::new("recovery_code", "wrong_secret")];
            refused(&state, &user, refusals(&wrong)).await
        }
        Ok(Recovered::Limited(seconds)) => Err(WebError::RateLimited(seconds).into()),
        Err(AppError::Invalid(errors)) => refused(&state, &user, refusals(&errors)).await,
        // Without a journal, its page offers to start one.
        Err(AppError::Conflict(Conflict::NoJournal)) => {
            Ok(Redirect::to("/journal").into_response())
        }
        Err(err) => Err(err.into()),
    }
}

/// The page that replaces a lost recovery code.
#[derive(Template)]
#[template(path = "journal_new_code.html")]
struct NewCodeTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    errors: FormErrors,
}

fn new_code_template(user: &CurrentUser, errors: FormErrors) -> NewCodeTemplate {
    NewCodeTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        errors,
    }
}

/// `GET /journal/recovery-code`: what a new code does, and the password
/// form that makes one. Only with the journal open in this session; else
/// its page says what it needs.
pub(super) async fn new_code_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let status = journal::status(&state.app, &user.person, session_token(&user)?).await?;
    if !matches!(status, Status::Open { .. }) {
        return Ok(Redirect::to("/journal").into_response());
    }
    respond(
        StatusCode::OK,
        &new_code_template(&user, FormErrors::default()),
    )
}

/// `POST /journal/recovery-code/new`: with the password, a new code in
/// place of the old, shown once.
pub(super) async fn new_code_form(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, PageError> {
    let made = journal::replace_recovery_code(
        &state.app,
        &user.person,
        session_token(&user)?,
        form.get("password"),
        || allow_attempt(&state, ip, &headers, &user),
    )
    .await;
    match made {
        Ok(Ok(code)) => new_code(&user, &code),
        Ok(Err(seconds)) => Err(WebError::RateLimited(seconds).into()),
        Err(AppError::Invalid(errors)) => respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_code_template(&user, refusals(&errors)),
        ),
        Err(AppError::Conflict(
            Conflict::NoJournal | Conflict::JournalLocked | Conflict::JournalNeedsRecovery,
        )) => Ok(Redirect::to("/journal").into_response()),
        Err(err) => Err(err.into()),
    }
}
