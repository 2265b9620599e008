//! What several account flows share: the one page for a link that does
//! not work, the limit on requests that send mail, and the token of the
//! session that asks.

use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::messages;
use crate::pages::NoticePage;
use crate::session::Nav;

/// The one page for every link that does not work.
pub(super) fn invalid_link(nav: Nav, again: (&str, &str)) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(nav, m.t("link.invalid_title"), m.t("link.invalid_text"))
        .link(again.0, m.t(again.1))
        .respond(StatusCode::NOT_FOUND)
}

/// Counts a mail-sending request against the limits.
pub(super) fn limit_mail(
    state: &AppState,
    ip: std::net::IpAddr,
    key: &str,
) -> Result<(), WebError> {
    state.limits.mail(ip, key).map_err(WebError::RateLimited)
}
