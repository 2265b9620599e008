//! A person's own page: `/me` (HTML) and `GET /api/v1/me` (JSON) — their
//! handle and the groups they host, with each listing's state and the
//! moderator's note when there is one.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kith_app::hosting;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// The `/me` route.
pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me_page))
}

struct HostedView {
    slug: String,
    name: String,
    status: &'static str,
    status_label: String,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MeTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    handle: String,
    groups: Vec<HostedView>,
}

async fn me_page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    let m = messages();
    let groups = hosting::my_groups(state.store.as_ref(), &user.person).await?;
    let page = MeTemplate {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        handle: user.person.handle.to_string(),
        groups: groups
            .into_iter()
            .map(|g| HostedView {
                slug: g.slug.to_string(),
                name: g.name,
                status: g.status.code(),
                status_label: m.of("status", g.status.code()).to_owned(),
                note: g.review_note,
            })
            .collect(),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

/// A group the person hosts.
#[derive(Debug, Serialize, ToSchema)]
pub struct HostedGroupJson {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// `pending`, `listed`, `rejected` or `unlisted`.
    pub status: String,
    /// The moderator's reason, after a rejection or an unlisting.
    pub review_note: Option<String>,
}

/// The person asking.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeJson {
    /// Their handle.
    pub handle: String,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    /// The groups they host.
    pub hosted_groups: Vec<HostedGroupJson>,
}

/// The logged-in person and the groups they host.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    responses(
        (status = 200, description = "The person asking", body = MeJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_me(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<MeJson>, ApiError> {
    let groups = hosting::my_groups(state.store.as_ref(), &user.person).await?;
    Ok(Json(MeJson {
        handle: user.person.handle.to_string(),
        role: user.person.role.code().to_owned(),
        hosted_groups: groups
            .into_iter()
            .map(|g| HostedGroupJson {
                slug: g.slug.to_string(),
                name: g.name,
                status: g.status.code().to_owned(),
                review_note: g.review_note,
            })
            .collect(),
    }))
}
