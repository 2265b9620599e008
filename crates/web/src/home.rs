//! The home page: what kith is, a search box, and shortcuts into the
//! directory.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::session::{Nav, Viewer};

/// The home route.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home_page))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// The mailing list's signup form, when an admin placed it here.
    newsletter: String,
}

async fn home_page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let newsletter = crate::newsletter::placed_form_html(&state, &viewer, "home").await;
    let page = HomeTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        newsletter,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}
