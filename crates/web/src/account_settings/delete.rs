//! Deleting one's account (`/me/delete`) with the password; refused
//! while one alone hosts a group, which the page then names.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kith_app::{AppError, Conflict, account_settings};

use crate::AppState;
use crate::error::PageError;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::messages;
use crate::pages::{FormPage, NoticePage, field};
use crate::session::{CurrentUser, Nav, SESSION_COOKIE, append_cookie, cookie_value};

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

/// `GET /me/delete`: the form, with a link to the export.
pub(super) async fn delete_page(user: CurrentUser) -> Result<Response, PageError> {
    delete_form_page(user.viewer.nav()).respond(StatusCode::OK)
}

/// `POST /me/delete`: deletes the account and its cookie, or names the groups in the way.
pub(super) async fn delete_form(
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
                &cookie_value(SESSION_COOKIE, "", Some(0), state.secure_cookies()),
            );
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => delete_form_page(user.viewer.nav())
            .refused(&form, FormErrors::of(&errors))
            .respond(StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(Conflict::HostsGroups)) => {
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
