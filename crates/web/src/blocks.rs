//! Blocks: `/me/blocks` (list, block by handle, unblock), the block
//! button beside a handle (a request thread), and `GET`/`POST
//! /api/v1/me/blocks`, `DELETE /api/v1/me/blocks/{handle}`. Nothing here
//! tells the blocked person; the use cases are `kith_app::blocks`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kith_app::{AppError, blocks};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::forms::{ApiJson, FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav};

/// The blocks pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/blocks", get(blocks_page).post(block_form))
        .route("/me/blocks/{handle}/unblock", post(unblock_form))
}

#[derive(Template)]
#[template(path = "blocks.html")]
struct BlocksTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    blocked: Vec<(String, String)>,
    handle: String,
    done: Option<&'static str>,
    errors: FormErrors,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    handle: &str,
    errors: FormErrors,
    done: Option<&'static str>,
) -> Result<Response, PageError> {
    let blocked = blocks::blocks(&state.app, &user.person)
        .await?
        .into_iter()
        .map(|b| (b.handle, b.created_at.strftime("%Y-%m-%d").to_string()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = BlocksTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        blocked,
        handle: handle.to_owned(),
        done,
        errors,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn blocks_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let done = match query.get("done") {
        Some("blocked") => Some("blocked"),
        Some("unblocked") => Some("unblocked"),
        _ => None,
    };
    render(&state, &user, "", FormErrors::default(), done).await
}

async fn block_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let handle = form.get("handle");
    match blocks::block(&state.app, &user.person, handle, state.app.now()).await {
        Ok(()) => Ok(Redirect::to("/me/blocks?done=blocked").into_response()),
        Err(AppError::Invalid(errors)) => {
            render(&state, &user, handle, FormErrors::of(&errors), None).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn unblock_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    blocks::unblock(&state.app, &user.person, &handle).await?;
    Ok(Redirect::to("/me/blocks?done=unblocked").into_response())
}

/// A member one blocks.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockJson {
    /// Their handle.
    pub handle: String,
    /// Since when, RFC 3339.
    pub created_at: String,
}

/// Whom to block.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewBlockJson {
    /// The member's handle.
    #[serde(default)]
    pub handle: String,
}

/// Whom one blocks.
#[utoipa::path(
    get,
    path = "/api/v1/me/blocks",
    tag = "blocks",
    responses((status = 200, description = "One's blocks", body = [BlockJson])),
    security(("bearer" = []))
)]
pub async fn list_blocks(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<BlockJson>>, ApiError> {
    let list = blocks::blocks(&state.app, &user.person).await?;
    Ok(Json(
        list.into_iter()
            .map(|b| BlockJson {
                handle: b.handle,
                created_at: b.created_at.to_string(),
            })
            .collect(),
    ))
}

/// Blocks a member: they can no longer write to one in request threads,
/// and their comments and stories are hidden from one. They are not told.
#[utoipa::path(
    post,
    path = "/api/v1/me/blocks",
    tag = "blocks",
    request_body = NewBlockJson,
    responses(
        (status = 204, description = "Blocked (blocking twice is once)"),
        (status = 422, description = "`handle`: `unknown`, or `self_block` for oneself", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_block(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewBlockJson>,
) -> Result<StatusCode, ApiError> {
    blocks::block(&state.app, &user.person, &body.handle, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a block.
#[utoipa::path(
    delete,
    path = "/api/v1/me/blocks/{handle}",
    tag = "blocks",
    params(("handle" = String, Path, description = "The blocked member's handle.")),
    responses(
        (status = 204, description = "Unblocked"),
        (status = 404, description = "One does not block them", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(handle): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocks::unblock(&state.app, &user.person, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
