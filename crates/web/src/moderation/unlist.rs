//! A moderator takes a listed group out of the directory from a page of its
//! own (`/moderation/groups/{slug}/unlist`): the reason the hosts will read,
//! and, when it is missing, the form again with the error beside it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::AppError;
use kith_app::moderation::{self, Decision};
use kith_domain::ids::Slug;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::SlugPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

#[derive(Template)]
#[template(path = "unlist.html")]
struct UnlistTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    slug: String,
    name: String,
    reason: String,
    errors: FormErrors,
}

/// The page, for moderators of a listed group; 404 for anyone else.
async fn render(
    state: &AppState,
    user: &CurrentUser,
    slug: &Slug,
    reason: &str,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let group = kith_app::groups::group_page(
        &state.app,
        Some(&user.person),
        slug,
        &kith_domain::zone::Zone::utc(),
        state.app.now(),
    )
    .await?;
    if !group.may.moderate {
        return Err(WebError::NotFound.into());
    }
    let status = if errors.0.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = UnlistTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        slug: slug.to_string(),
        name: group.profile.name,
        reason: reason.to_owned(),
        errors,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// Asks for the reason.
pub(super) async fn unlist_page(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    render(&state, &user, &slug, "", FormErrors::default()).await
}

/// Unlists with the reason, back to the group's page; without one, the
/// page again with the error and what was typed.
pub(super) async fn unlist_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    let reason = form.get("reason");
    let decision = Decision::Unlist {
        reason: reason.to_owned(),
    };
    match moderation::decide(&state.app, &user.person, &slug, &decision, state.app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{slug}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render(&state, &user, &slug, reason, FormErrors::of(&errors)).await
        }
        Err(err) => Err(err.into()),
    }
}
