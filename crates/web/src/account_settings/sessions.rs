//! One's sessions (`/me/sessions`): where one is logged in, the one
//! reading marked, and ending any of them.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::account_settings;

use super::api;
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};
use crate::views::local_stamp;
use kith_domain::ids::SessionId;

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

/// `GET /me/sessions`: every session, the reader's own marked.
pub(super) async fn sessions_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: crate::query::QueryPairs,
) -> Result<Response, PageError> {
    let m = messages();
    let current = user.viewer.token().map(kith_app::accounts::session_id);
    let sessions = account_settings::sessions(&state.app, &user.person, state.app.now()).await?;
    let zone = user.viewer.zone();
    let when = |at| local_stamp(at, &zone);
    let page = SessionsPage {
        m,
        zone_from: "cookie",
        nav: user.viewer.nav(),
        done: query
            .get("done")
            .filter(|d| *d == "session_ended")
            .map(|d| m.t(&format!("me.done.{d}")).to_owned()),
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                current: current.as_ref() == Some(&s.id),
                kind: m.of("sessions.kind", api::kind_code(s.kind)).to_owned(),
                created: when(s.created_at),
                created_iso: s.created_at.to_string(),
                last_used: when(s.last_seen_at),
                last_used_iso: s.last_seen_at.to_string(),
                expires: when(s.expires_at),
                expires_iso: s.expires_at.to_string(),
                id: s.id.to_string(),
            })
            .collect(),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

/// `POST /me/sessions/{id}/end`: ends one of the person's sessions.
pub(super) async fn end_session_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<SessionId>,
) -> Result<Response, PageError> {
    account_settings::end_session(&state.app, &user.person, &id).await?;
    Ok(Redirect::to("/me/sessions?done=session_ended").into_response())
}
