//! Changing one's password (`/me/password`) with the current one, which
//! ends every other session.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::{AppError, account_settings};

use crate::AppState;
use crate::error::PageError;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::messages;
use crate::pages::{FormPage, field};
use crate::session::{CurrentUser, Nav};

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

/// `GET /me/password`: the form.
pub(super) async fn password_page(user: CurrentUser) -> Result<Response, PageError> {
    password_form_page(user.viewer.nav()).respond(StatusCode::OK)
}

/// `POST /me/password`: changes it, ending the other sessions.
pub(super) async fn password_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    match account_settings::change_password(
        &state.app,
        &user.person,
        user.viewer.token(),
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
