//! Static assets, compiled into the binary: one stylesheet and one small
//! script. Everything loads from kith's own origin.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

/// The asset routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/kith.css", get(stylesheet))
        .route("/assets/tz.js", get(zone_script))
        .route("/assets/room.js", get(room_script))
}

const CACHE: &str = "public, max-age=3600";

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        include_str!("../assets/kith.css"),
    )
}

async fn zone_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        include_str!("../assets/tz.js"),
    )
}

async fn room_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        include_str!("../assets/room.js"),
    )
}
