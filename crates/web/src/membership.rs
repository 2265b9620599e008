//! Joining groups in HTML: asking to join (`/groups/{slug}/join`), a
//! request's page with its private thread (`/requests/{id}`), the hosts'
//! page of requests, members and invitations (`/groups/{slug}/people`),
//! invitation links (`/invitations/{token}`), RSVPs, and what a person
//! reads while waiting (`/me/confirmed`, after confirming their email).
//! The JSON routes are in [`api`], and the newcomer's in [`newcomer`].

pub mod api;
mod confirm;
mod invitations;
mod join;
pub mod newcomer;
mod people;
mod request;
mod waiting;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::membership::{self};
use kith_domain::ids::OccurrenceId;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::FormPairs;
use crate::session::CurrentUser;

/// The joining routes in HTML.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/groups/{slug}/join",
            get(join::join_page).post(join::join_form),
        )
        .route("/groups/{slug}/people", get(people::people_page))
        .route("/groups/{slug}/invitations", post(people::invitation_form))
        .route(
            "/groups/{slug}/invitations/{id}/revoke",
            post(people::revoke_invitation_form),
        )
        .route("/groups/{slug}/hand-over", post(people::hand_over_form))
        .route(
            "/groups/{slug}/room-settings",
            post(people::room_settings_form),
        )
        .route(
            "/groups/{slug}/announcements",
            post(people::announcement_form),
        )
        .route("/me/confirmed", get(waiting::confirmed_page))
        .route("/requests/{id}", get(request::request_page))
        .route("/requests/{id}/messages", post(request::message_form))
        .route(
            "/requests/{id}/{action}",
            post(request::request_action_form),
        )
        .route(
            "/invitations/{token}",
            get(invitations::invitation_page).post(invitations::accept_invitation_form),
        )
        .route("/meetings/{id}/rsvp", post(rsvp_form))
}

/// The `{action}` beside a request's `{id}`.
#[derive(Debug, serde::Deserialize)]
pub struct ActionParam {
    /// What to do (`approve`, `withdraw`, …).
    pub action: String,
}

async fn rsvp_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<OccurrenceId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let attending = match form.get("attending") {
        "yes" => true,
        "no" => false,
        _ => return Err(WebError::MalformedBody.into()),
    };
    membership::set_attending(&state.app, &user.person, &id, attending, state.app.now()).await?;
    Ok(Redirect::to("/me#meetings").into_response())
}
