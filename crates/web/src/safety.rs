//! The crisis page, `/crisis?country=XX`, linked from every page. Its text
//! is the operator's (see `kith_app::safety`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kith_app::safety;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{Nav, Viewer};

/// The crisis page's route.
pub fn router() -> Router<AppState> {
    Router::new().route("/crisis", get(crisis_page))
}

#[derive(Template)]
#[template(path = "crisis.html")]
struct CrisisTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    page: safety::CrisisPage,
}

async fn crisis_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let page = safety::crisis_page(state.store.as_ref(), query.get("country")).await?;
    let template = CrisisTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        page,
    };
    Ok(Html(template.render().map_err(WebError::from)?).into_response())
}
