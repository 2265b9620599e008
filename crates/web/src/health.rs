//! `GET /healthz`: `{"status":"ok"}` when the database answers, 503 when not.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use kith_store::Store;
use serde_json::json;

use crate::AppState;

/// The health route.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(store): State<Arc<dyn Store>>) -> impl IntoResponse {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
    }
}
