//! `/metrics` in Prometheus' text format: requests counted and timed by
//! route template, and gauges read when scraped (the database pool, the
//! outbox's backlog, the live rooms, the public cache). Labels carry a
//! method, a route template and a status, never a path: paths hold slugs,
//! handles, ids and tokens.
//!
//! Exposed one of two ways, or not at all: on a listener of its own
//! (`KITH_METRICS_ADDR`, [`listener_router`]), or on the main listener
//! behind a bearer token (`KITH_METRICS_TOKEN`); otherwise `/metrics` is
//! a 404 like any path that is not there.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

use crate::AppState;

/// Upper bounds of the request duration histogram, in seconds: most pages
/// answer in milliseconds; the timeout is fifteen seconds.
pub const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0,
];

/// How the imported groups counter's `outcome` label reads.
pub const IMPORT_OUTCOMES: &[&str] = &["created", "updated", "unchanged", "failed"];

/// Where `/metrics` is rendered from, and the token the main listener
/// asks for, if it serves it.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
    token: Option<Arc<str>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never printed.
        f.debug_struct("Metrics")
            .field("token", &self.token.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// Metrics rendered by `handle`; the main listener serves them to
    /// bearers of `token`, if there is one.
    pub fn new(handle: PrometheusHandle, token: Option<String>) -> Self {
        Self {
            handle,
            token: token.filter(|t| !t.is_empty()).map(Arc::from),
        }
    }
}

/// Installs the process's recorder, once, with the histogram's buckets,
/// and every metric's help line; counters start at zero so a dashboard
/// finds them before anything happened.
pub fn install_recorder() -> Result<PrometheusHandle, BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("kith_http_request_duration_seconds".into()),
            DURATION_BUCKETS,
        )?
        .install_recorder()?;
    describe();
    metrics::counter!("kith_mail_sent_total").increment(0);
    metrics::counter!("kith_mail_send_failures_total").increment(0);
    for outcome in IMPORT_OUTCOMES {
        metrics::counter!("kith_imported_groups_total", "outcome" => *outcome).increment(0);
    }
    Ok(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "kith_http_requests_total",
        "HTTP requests answered, by method, route template and status."
    );
    describe_histogram!(
        "kith_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by method and route template."
    );
    describe_gauge!(
        "kith_db_pool_connections",
        "Database pool connections, idle or in use."
    );
    describe_gauge!(
        "kith_outbox_backlog",
        "Mail in the outbox neither sent nor given up."
    );
    describe_counter!("kith_mail_sent_total", "Mails delivered by this instance.");
    describe_counter!(
        "kith_mail_send_failures_total",
        "Mail deliveries that failed (retried later or given up)."
    );
    describe_gauge!("kith_rooms_open", "Live rooms this instance holds open.");
    describe_gauge!(
        "kith_room_connections",
        "Room WebSocket connections to this instance."
    );
    describe_gauge!(
        "kith_search_cache_entries",
        "Answers kept in the public cache (directory pages, group pages, feed)."
    );
    describe_gauge!(
        "kith_search_index_ready",
        "1 once the directory index answers searches; 0 while it is built."
    );
    describe_gauge!(
        "kith_search_index_groups",
        "Listed groups in this instance's directory index."
    );
    describe_gauge!(
        "kith_search_index_meetings",
        "Meetings in this instance's directory index."
    );
    describe_gauge!(
        "kith_search_index_build_seconds",
        "How long this instance's first build of the directory index took."
    );
    describe_counter!(
        "kith_imported_groups_total",
        "Groups imported from a feed, by outcome."
    );
}

/// `/metrics` on the main listener: for the token's bearer only, a 404
/// for everyone else and when no token is configured.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(behind_token))
}

/// The metrics listener's whole router (`KITH_METRICS_ADDR`): `/metrics`
/// and nothing else.
pub fn listener_router(state: AppState, metrics: Metrics) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(move |State(state): State<AppState>| {
                let handle = metrics.handle.clone();
                async move { scrape(&state, &handle).await }
            }),
        )
        .with_state(state)
}

async fn behind_token(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(metrics) = &state.config.metrics else {
        return crate::error::not_found_at("/metrics");
    };
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (&metrics.token, offered) {
        (Some(token), Some(offered)) if same_secret(token, offered.trim()) => {
            scrape(&state, &metrics.handle).await
        }
        _ => crate::error::not_found_at("/metrics"),
    }
}

/// Whether two secrets are equal, in time that does not depend on where
/// they differ: both are hashed, and the digests compared whole.
fn same_secret(expected: &str, offered: &str) -> bool {
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(offered.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |diff, (x, y)| diff | (x ^ y))
        == 0
}

/// The gauges read now, then everything rendered.
async fn scrape(state: &AppState, handle: &PrometheusHandle) -> Response {
    match state.app.operations_gauges().await {
        Ok(gauges) => {
            metrics::gauge!("kith_db_pool_connections", "state" => "idle")
                .set(f64::from(gauges.idle_connections));
            metrics::gauge!("kith_db_pool_connections", "state" => "in_use")
                .set(f64::from(gauges.busy_connections));
            metrics::gauge!("kith_outbox_backlog").set(gauges.outbox_backlog as f64);
        }
        // The other gauges still say something; the database's keep their
        // last values, and `/healthz` says it is away.
        Err(err) => tracing::warn!(error = %err, "metrics: the database did not answer"),
    }
    metrics::gauge!("kith_rooms_open").set(state.rooms.rooms_open().await as f64);
    metrics::gauge!("kith_room_connections").set(state.rooms.connections() as f64);
    metrics::gauge!("kith_search_cache_entries").set(state.app.public_cache().entries() as f64);
    let index = state.app.store().directory_index_state();
    metrics::gauge!("kith_search_index_ready").set(f64::from(u8::from(index.ready)));
    metrics::gauge!("kith_search_index_groups").set(index.groups as f64);
    metrics::gauge!("kith_search_index_meetings").set(index.meetings as f64);
    if let Some(millis) = index.build_millis {
        metrics::gauge!("kith_search_index_build_seconds").set(millis as f64 / 1000.0);
    }
    // Histograms are drained into their buckets here: this recorder has
    // no task of its own to do it.
    handle.run_upkeep();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        handle.render(),
    )
        .into_response()
}

/// Counts and times every request by its route template (`"unmatched"`
/// when no route matched), never by its path.
pub async fn track(request: Request, next: Next) -> Response {
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "kith_http_requests_total",
        "method" => method,
        "route" => route.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!(
        "kith_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything else as
/// `other`, so a client cannot mint label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("s3cret-token", "s3cret-token"));
        assert!(!same_secret("s3cret-token", "s3cret-tokeN"));
        assert!(!same_secret("s3cret-token", "s3cret"));
        assert!(!same_secret("s3cret-token", ""));
    }

    #[test]
    fn unknown_methods_do_not_become_labels() {
        let odd = Method::from_bytes(b"BREW").expect("method");
        assert_eq!(method_label(&odd), "other");
        assert_eq!(method_label(&Method::POST), "POST");
    }
}
