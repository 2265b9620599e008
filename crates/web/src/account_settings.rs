//! An account's settings, as pages: `/verify-email/{token}`,
//! `/password-reset` and `/password-reset/{token}`, and under `/me` the
//! email, the password, the sessions and deleting the account. The JSON
//! API is in [`api`]; each flow's pages are in a file of their own:
//!
//! - `verify_email`: following a verification link, asking for another.
//! - `password_reset`: asking for a reset link, choosing a new password.
//! - `email`, `password`: changing either, with the current password.
//! - `sessions`: where one is logged in, and ending a session.
//! - `delete`: deleting the account.
//! - `shared`: the dead-link page, the mail limit, the asking session.
//!
//! Links from mail show a page with a button: nothing changes on `GET`, so
//! a mail scanner that opens links spends no token. Every link that does
//! not work — unknown, used, expired — gets the same page.

pub mod api;
mod delete;
mod email;
mod password;
mod password_reset;
mod sessions;
mod shared;
mod verify_email;

use axum::Router;
use axum::routing::{get, post};

pub(crate) use verify_email::verification_needed;

use crate::AppState;

/// The account settings pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/verify-email/{token}",
            get(verify_email::verify_page).post(verify_email::verify_form),
        )
        .route(
            "/me/verify-email",
            post(verify_email::resend_verification_form),
        )
        .route(
            "/password-reset",
            get(password_reset::reset_request_page).post(password_reset::reset_request_form),
        )
        .route(
            "/password-reset/{token}",
            get(password_reset::reset_page).post(password_reset::reset_form),
        )
        .route("/me/email", get(email::email_page).post(email::email_form))
        .route(
            "/me/password",
            get(password::password_page).post(password::password_form),
        )
        .route("/me/sessions", get(sessions::sessions_page))
        .route("/me/sessions/{id}/end", post(sessions::end_session_form))
        .route(
            "/me/delete",
            get(delete::delete_page).post(delete::delete_form),
        )
}
