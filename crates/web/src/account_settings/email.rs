//! Changing one's address (`/me/email`): the password first, then a link
//! to the new address; the old one stays until it is followed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::{AppError, account_settings};

use super::shared::limit_mail;
use crate::AppState;
use crate::error::PageError;
use crate::extract::ClientIp;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::messages;
use crate::pages::{FormPage, field};
use crate::session::{CurrentUser, Nav};

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

/// `GET /me/email`: the form.
pub(super) async fn email_page(user: CurrentUser) -> Result<Response, PageError> {
    email_form_page(user.viewer.nav()).respond(StatusCode::OK)
}

/// `POST /me/email`: mails a link to the new address.
pub(super) async fn email_form(
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
