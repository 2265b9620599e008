//! Withdrawing one's story, after asking (`/stories/{id}/withdraw`): the
//! page says what it means and asks for a tick, as closing a group does;
//! only the form sent with it acts.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::stories;
use kith_domain::ids::StoryId;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

#[derive(Template)]
#[template(path = "story_withdraw.html")]
struct WithdrawTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    title: String,
    errors: FormErrors,
}

async fn respond(
    state: &AppState,
    user: &CurrentUser,
    id: &StoryId,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let view = stories::own_story(&state.app, &user.person, id).await?;
    let page = WithdrawTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        id: id.to_string(),
        title: view.text.title,
        errors,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// The page that asks the author to confirm.
pub(super) async fn withdraw_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
) -> Result<Response, PageError> {
    respond(&state, &user, &id, FormErrors::default(), StatusCode::OK).await
}

/// Withdraws the story once the author ticked that they mean it.
pub(super) async fn withdraw_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    if form.get("confirm") != "on" {
        let errors =
            FormErrors::general("confirm", messages().t("story_withdraw.confirm_required"));
        return respond(&state, &user, &id, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    stories::withdraw_story(&state.app, &user.person, &id, state.app.now()).await?;
    Ok(Redirect::to("/me/stories?withdrawn=1").into_response())
}
