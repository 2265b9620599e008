//! Static assets, compiled into the binary: one stylesheet, a few small
//! scripts and the icon (an SVG, also at `/favicon.ico`, where browsers
//! look without being told). Everything loads from kith's own origin. They
//! are the same for everyone, so browsers and caches keep them for an hour,
//! the icon for a day.

use axum::Router;
use axum::http::header;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::security::same_for_everyone;

/// The asset routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/kith.css", get(stylesheet))
        .route("/assets/tz.js", get(zone_script))
        .route("/assets/room.js", get(room_script))
        .route("/assets/copy.js", get(copy_script))
        .route("/assets/forms.js", get(form_script))
        .route("/favicon.ico", get(icon))
}

const CACHE: &str = "public, max-age=3600";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    same_for_everyone(CACHE, ([(header::CONTENT_TYPE, content_type)], body))
}

async fn stylesheet() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../assets/kith.css"),
    )
}

async fn zone_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/tz.js"),
    )
}

async fn room_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/room.js"),
    )
}

async fn copy_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/copy.js"),
    )
}

async fn form_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/forms.js"),
    )
}

async fn icon() -> Response {
    same_for_everyone(
        "public, max-age=86400",
        (
            [(header::CONTENT_TYPE, "image/svg+xml")],
            include_str!("../assets/icon.svg"),
        ),
    )
}
