//! Invitation links: the page a link opens, and joining through it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::membership::{self};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav, Viewer};

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    token: String,
    /// The group's slug and name; `None` for a link that does not work.
    group: Option<(String, String)>,
}

async fn invitation_template(
    state: &AppState,
    viewer: &Viewer,
    token: &str,
) -> Result<InvitationTemplate, WebError> {
    let group = membership::invitation_group(&state.app, token, state.app.now())
        .await?
        .map(|(slug, name)| (slug.to_string(), name));
    Ok(InvitationTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        token: token.to_owned(),
        group,
    })
}

/// Every wrong, expired or revoked link gets the same page.
fn invitation_response(page: &InvitationTemplate) -> Result<Response, PageError> {
    let status = if page.group.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

pub(super) async fn invitation_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let page = invitation_template(&state, &viewer, &token).await?;
    invitation_response(&page)
}

pub(super) async fn accept_invitation_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let page = invitation_template(&state, &viewer, &token).await?;
    let Some((slug, _)) = &page.group else {
        return invitation_response(&page);
    };
    // The slug comes back from the store; one that no longer parses
    // names nothing.
    let slug = kith_domain::ids::Slug::parse(slug).ok_or(WebError::NotFound)?;
    let request = membership::ask_to_join(
        &state.app,
        &user.person,
        &slug,
        "",
        Some(&token),
        state.app.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/requests/{}", request.id)).into_response())
}
