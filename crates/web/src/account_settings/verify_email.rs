//! Proving an address: the page a mail's link opens
//! (`/verify-email/{token}`), asking for the link again, and the notice
//! that asks for it first where a page needs a verified address.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::{AppError, account_settings};

use super::shared::{invalid_link, limit_mail};
use crate::AppState;
use crate::error::PageError;
use crate::extract::ClientIp;
use crate::messages::messages;
use crate::pages::{FormPage, NoticePage};
use crate::session::{CurrentUser, Nav, Viewer, log_in_and_go};

/// "Please confirm your email first", with a button that sends the link
/// again (listing a group needs it).
pub(crate) fn verification_needed(nav: Nav, status: StatusCode) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(nav, m.t("verify_needed.title"), m.t("verify_needed.text"))
        .button("/me/verify-email", m.t("me.resend"))
        .respond(status)
}

/// `GET /verify-email/{token}`: a button, so opening the link spends nothing.
pub(super) async fn verify_page(
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

/// `POST /verify-email/{token}`: verifies the address and logs the person in.
pub(super) async fn verify_form(
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

/// `POST /me/verify-email`: mails a new link.
pub(super) async fn resend_verification_form(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
) -> Result<Response, PageError> {
    limit_mail(&state, ip, &format!("account:{}", user.person.id.0))?;
    account_settings::send_verification(&state.app, user.person.id, state.app.now()).await?;
    Ok(Redirect::to("/me?done=verify_sent").into_response())
}
