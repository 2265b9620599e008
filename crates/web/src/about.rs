//! The page about the site: `/about` for everyone, `/admin/about` and
//! `PUT /api/v1/admin/about` for admins (everyone else gets 404). Its text
//! is the operator's (see `kith_app::about`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use kith_app::access::{SiteAction, authorize_on_site};
use kith_app::{AppError, about};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::forms::{ApiJson, FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav, Viewer};

/// The page and its editor.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/about", get(about_page))
        .route("/admin/about", get(editor_page).post(save_about_form))
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    html: String,
}

async fn about_page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let page = AboutTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        html: about::page_html(&state.app).await?,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

#[derive(Template)]
#[template(path = "about_admin.html")]
struct EditorTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    body: String,
    edited: bool,
    errors: FormErrors,
}

async fn render_editor(
    state: &AppState,
    user: &CurrentUser,
    refused: Option<(String, FormErrors)>,
) -> Result<Response, PageError> {
    authorize_on_site(Some(&user.person), SiteAction::EditAboutPage)?;
    let text = about::text(&state.app).await?;
    let (body, errors) = refused.unwrap_or((text.body, FormErrors::default()));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditorTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        body,
        edited: text.edited,
        errors,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn editor_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    render_editor(&state, &user, None).await
}

async fn save_about_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let body = form.get("body");
    match about::save(&state.app, &user.person, body, state.app.now()).await {
        Ok(()) => Ok(Redirect::to("/about").into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut errors = FormErrors::of(&errors);
            errors
                .0
                .iter_mut()
                .for_each(|e| e.id = "f-about-body".to_owned());
            render_editor(&state, &user, Some((body.to_owned(), errors))).await
        }
        Err(err) => Err(err.into()),
    }
}

/// The page about the site.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AboutJson {
    /// Markdown, up to 20,000 characters.
    #[serde(default)]
    #[schema(required = true, schema_with = about_body_schema)]
    pub body: String,
}

fn about_body_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        1,
        about::BODY_MAX,
        "Markdown, 1–20,000 characters.",
    ))
}

/// Saves the text of the page about the site (`/about`).
#[utoipa::path(
    put,
    path = "/api/v1/admin/about",
    tag = "admin",
    request_body = AboutJson,
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "Not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_about(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<AboutJson>,
) -> Result<StatusCode, ApiError> {
    about::save(&state.app, &user.person, &body.body, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
