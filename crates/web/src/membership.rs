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
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::membership::{self};
use kith_domain::ids::{OccurrenceId, RequestId};

use crate::AppState;
use crate::error::{PageError, WebError};
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

pub(crate) fn parse_request(raw: &str) -> Result<RequestId, WebError> {
    RequestId::parse(raw).ok_or(WebError::NotFound)
}

async fn rsvp_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let id = OccurrenceId::parse(&id).ok_or(WebError::NotFound)?;
    let attending = match form.get("attending") {
        "yes" => true,
        "no" => false,
        _ => return Err(WebError::MalformedBody.into()),
    };
    membership::set_attending(&state.app, &user.person, &id, attending, state.app.now()).await?;
    Ok(Redirect::to("/me#meetings").into_response())
}
