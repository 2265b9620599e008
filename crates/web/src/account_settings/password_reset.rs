//! A forgotten password: asking for a link (`/password-reset`), and
//! choosing a new password through it (`/password-reset/{token}`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::{AppError, account_settings};

use super::shared::{invalid_link, limit_mail};
use crate::AppState;
use crate::error::PageError;
use crate::extract::ClientIp;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::messages;
use crate::pages::{FormPage, NoticePage, field};
use crate::session::{Auth, Nav, SESSION_COOKIE, Viewer, append_cookie, cookie_value};

fn reset_request(nav: Nav) -> FormPage {
    let m = messages();
    let mut page = FormPage::new(
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
    );
    // Told before, not after: a reset by mail cannot open a journal.
    page.lead.push(m.t("reset.journal_warning").to_owned());
    page
}

/// `GET /password-reset`: asks for the address.
pub(super) async fn reset_request_page(viewer: Viewer) -> Result<Response, PageError> {
    reset_request(viewer.nav()).respond(StatusCode::OK)
}

/// Answers the same page whether or not an account has the address: the
/// lookup and the mail happen after the answer, in a task of their own.
pub(super) async fn reset_request_form(
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
pub(super) fn spawn_reset_request(state: &AppState, email: String) {
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
    page.lead = vec![
        m.t("reset.new_lead").to_owned(),
        m.t("reset.journal_warning").to_owned(),
    ];
    page.submit = m.t("reset.new_submit").to_owned();
    page
}

/// `GET /password-reset/{token}`: the new password's form, if the link works.
pub(super) async fn reset_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !account_settings::reset_link_valid(&state.app, &token, state.app.now()).await? {
        return invalid_link(viewer.nav(), ("/password-reset", "link.reset_again"));
    }
    new_password(viewer.nav(), &token).respond(StatusCode::OK)
}

/// `POST /password-reset/{token}`: sets the new password.
pub(super) async fn reset_form(
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
                    &cookie_value(SESSION_COOKIE, "", Some(0), state.secure_cookies()),
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
