//! Asking before what cannot be undone: taking back a request (or leaving),
//! declining, removing and blocking. Without JavaScript too: the first
//! POST answers a page that says what the action means, with a button that
//! sends the same form again with `confirmed=yes`; only that one acts. The
//! room's "remove" asks twice on the same button, in the same spirit.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use kith_app::AppError;
use kith_app::Conflict;
use kith_app::access::Person;
use kith_app::membership::{self, Reader};
use kith_domain::ids::RequestId;
use kith_domain::membership::{Decision, Occupancy, on_block, on_decision, on_remove, on_withdraw};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::forms::FormPairs;
use crate::messages::{Messages, messages};
use crate::session::{Nav, Viewer};

/// Whether an action of a request's page asks before it acts.
pub(super) fn needs_confirming(action: &str) -> bool {
    matches!(action, "withdraw" | "decline" | "remove" | "block")
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// The words' key: `withdraw`, `leave`, `decline`, `remove` or `block`.
    key: &'static str,
    group_name: String,
    slug: String,
    /// The other side's handle, for a host's action.
    handle: Option<String>,
    action: String,
    back: String,
    /// Fields of the first form sent on with the confirmed one.
    kept: Vec<(&'static str, String)>,
}

/// The "are you sure?" page; 404 for anyone who may not act on the request,
/// exactly as the action itself would answer.
pub(super) async fn confirm_page(
    state: &AppState,
    person: &Person,
    viewer: &Viewer,
    id: &RequestId,
    action: &str,
    form: &FormPairs,
) -> Result<Response, PageError> {
    let view = membership::request_view(&state.app, person, id).await?;
    let approved = view.request.state == kith_domain::membership::RequestState::Approved;
    let key = match (action, view.reader) {
        ("withdraw", Reader::Seeker) if approved => "leave",
        ("withdraw", Reader::Seeker) => "withdraw",
        ("decline", Reader::Host) => "decline",
        ("remove", Reader::Host) => "remove",
        ("block", Reader::Host) => "block",
        _ => return Err(WebError::NotFound.into()),
    };
    // An action that no longer applies answers as the action would, so
    // the question is never asked in vain (and a block still reads as a
    // decline: the seeker's view already shows it as one).
    let current = view.request.state;
    let applies = match key {
        "withdraw" | "leave" => on_withdraw(current).map(drop),
        "decline" => on_decision(
            current,
            Decision::Decline,
            Occupancy {
                capacity: None,
                members: 0,
            },
        )
        .map(drop),
        "remove" => on_remove(current).map(drop),
        _ => on_block(current).map(drop),
    };
    if let Err(refusal) = applies {
        return Err(WebError::from(AppError::Conflict(Conflict::Refused(refusal))).into());
    }
    let note = form.get("decision_note");
    let kept = if key == "decline" && !note.is_empty() {
        vec![("decision_note", note.to_owned())]
    } else {
        Vec::new()
    };
    let page = ConfirmTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        key,
        handle: (view.reader == Reader::Host).then(|| view.request.handle.clone()),
        group_name: view.request.group_name.clone(),
        slug: view.request.slug.to_string(),
        action: format!("/requests/{id}/{action}"),
        back: format!("/requests/{id}"),
        kept,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}
