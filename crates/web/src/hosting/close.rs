//! Closing a group for good: a page that says what goes, asks for a tick,
//! and tells each member by mail (`/groups/{slug}/close`,
//! `DELETE /api/v1/groups/{slug}`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::hosting;

use crate::AppState;
use crate::error::{ApiError, PageError, Problem, WebError};
use crate::extract::SlugPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

#[derive(Template)]
#[template(path = "close.html")]
struct CloseTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    slug: String,
    name: String,
    members: usize,
    errors: FormErrors,
}

async fn close_template(
    state: &AppState,
    user: &CurrentUser,
    slug: &kith_domain::ids::Slug,
    errors: FormErrors,
) -> Result<CloseTemplate, WebError> {
    let app = &state.app;
    let group = hosting::editable_group(app, &user.person, slug).await?;
    let people = kith_app::membership::group_people(app, &user.person, slug).await?;
    Ok(CloseTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        slug: slug.to_string(),
        name: group.profile.name,
        members: people.members.len(),
        errors,
    })
}

/// The page that asks a host to confirm.
pub(super) async fn close_page(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    let page = close_template(&state, &user, &slug, FormErrors::default()).await?;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

/// Closes the group once the host ticked that they understand.
pub(super) async fn close_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    if form.get("confirm") != "on" {
        let errors = FormErrors::general("confirm", messages().t("close.confirm_required"));
        let page = close_template(&state, &user, &slug, errors).await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.render().map_err(WebError::from)?),
        )
            .into_response());
    }
    hosting::close_group(&state.app, &user.person, &slug, state.app.now()).await?;
    Ok(Redirect::to("/me?done=closed").into_response())
}

/// Closes a group for good: its meetings, requests, threads and
/// invitations go; each member is told by mail.
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{slug}",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 204, description = "Closed"),
        (status = 404, description = "No group this person hosts", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<StatusCode, ApiError> {
    hosting::close_group(&state.app, &user.person, &slug, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
