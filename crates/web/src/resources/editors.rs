//! `/admin/editors`: who writes the library. An admin gives a member the
//! editor role by handle and takes it back; each change is audited.
//! Everyone else gets 404.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::AppError;
use kith_app::resources::editors;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// The admin's editor list and its two forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/editors", get(editors_page).post(give_form))
        .route("/admin/editors/take", post(take_form))
}

#[derive(Template)]
#[template(path = "editors_admin.html")]
struct EditorsTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    editors: Vec<String>,
    handle: String,
    errors: FormErrors,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    handle: String,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let list = editors::list(&state.app, &user.person).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditorsTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        editors: list,
        handle,
        errors,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn editors_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    render(&state, &user, String::new(), FormErrors::default()).await
}

async fn give_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let handle = form.get("handle");
    match editors::give(&state.app, &user.person, handle, state.app.now()).await {
        Ok(()) => Ok(Redirect::to("/admin/editors").into_response()),
        Err(AppError::Invalid(errors)) => {
            render(&state, &user, handle.to_owned(), FormErrors::of(&errors)).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn take_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    match editors::take(
        &state.app,
        &user.person,
        form.get("handle"),
        state.app.now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/editors").into_response()),
        Err(AppError::Invalid(errors)) => {
            render(&state, &user, String::new(), FormErrors::of(&errors)).await
        }
        Err(err) => Err(err.into()),
    }
}
