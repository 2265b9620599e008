//! A member's subscription, as a section of `/me/notifications`: subscribe
//! with their verified address without typing it (confirmed at once),
//! change interests, unsubscribe. An unverified address is told to confirm
//! it first.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use kith_app::newsletter;
use kith_app::{AppError, Conflict};

use super::chosen;
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::forms::FormPairs;
use crate::messages::{Messages, messages};
use crate::pages::NoticePage;
use crate::session::{CurrentUser, Viewer};
use crate::views::{Choice, choices};

/// The member's routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/me/newsletter", post(subscribe_form))
        .route("/me/newsletter/unsubscribe", post(unsubscribe_form))
}

#[derive(Template)]
#[template(path = "_newsletter_member.html")]
struct MemberSection {
    m: &'static Messages,
    csrf: String,
    verified: bool,
    subscribed: bool,
    interests: Vec<Choice>,
    consent: String,
}

/// The section `/me/notifications` embeds, rendered.
pub async fn section_html(state: &AppState, viewer: &Viewer) -> Result<String, WebError> {
    let Some(person) = viewer.person.as_ref() else {
        return Ok(String::new());
    };
    let view = newsletter::member(&state.app, person).await?;
    let consent = newsletter::form(&state.app, newsletter::PAGE_PLACEMENT)
        .await?
        .form
        .consent;
    let picked = view
        .subscription
        .as_ref()
        .map(|s| s.interests.clone())
        .unwrap_or_default();
    let labels: Vec<(&str, &str)> = view
        .interests
        .iter()
        .map(|i| (i.code.as_str(), i.label.as_str()))
        .collect();
    let section = MemberSection {
        m: messages(),
        csrf: viewer.csrf.clone(),
        verified: view.verified,
        subscribed: view.subscription.as_ref().is_some_and(|s| s.confirmed),
        interests: choices(labels, &picked),
        consent,
    };
    Ok(section.render()?)
}

async fn subscribe_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let picked = chosen(&form);
    match newsletter::member_subscribe(&state.app, &user.person, &picked, state.app.now()).await {
        Ok(_) => Ok(Redirect::to("/me/notifications?newsletter=saved#newsletter").into_response()),
        Err(AppError::Conflict(Conflict::EmailUnverified)) => {
            let m = messages();
            NoticePage::new(
                user.viewer.nav(),
                m.t("newsletter.member_title"),
                m.t("newsletter.member_unverified"),
            )
            .link("/me", m.t("me.title"))
            .respond(StatusCode::CONFLICT)
        }
        Err(AppError::Invalid(_)) => {
            // Only a forged form names an interest not offered.
            Err(PageError(WebError::MalformedBody))
        }
        Err(err) => Err(err.into()),
    }
}

async fn unsubscribe_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    match newsletter::member_unsubscribe(&state.app, &user.person, state.app.now()).await {
        Ok(()) | Err(AppError::NotFound) => super::unsubscribed(user.viewer.nav()),
        Err(err) => Err(err.into()),
    }
}
