//! `GET /healthz`: `{"status":"ok"}` when the database answers, 503 when not.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use kith_app::App;
use serde_json::json;

use crate::AppState;

/// The health route.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(app): State<App>) -> Response {
    // The same for everyone, but only true now: a kept copy would hide an
    // outage.
    let answer = match app.database_answers().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
    };
    crate::security::same_for_everyone("no-store", answer)
}
