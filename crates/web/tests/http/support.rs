//! A `TestApp`: the real router on a fresh SQLite file, with a fixed clock.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use kith_app::Clock;
use kith_app::directory::DirectoryCache;
use kith_app::groups::{GroupSubmission, create_groups};
use kith_store::testing::TempSqlite;
use kith_app::accounts::PasswordHasher;
use kith_web::limits::{LimitSettings, Limits};
use kith_web::{AppState, WebConfig};
use tower::ServiceExt;

/// Monday 1 June 2026, 10:00 UTC: the tests' "now".
pub fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().expect("timestamp")
}

/// The state the tests' router runs with: a fixed clock, fast password
/// hashing, the real rate limits.
pub fn state(store: Arc<dyn kith_store::Store>, cache: Duration) -> AppState {
    AppState {
        store,
        clock: Clock::Fixed(now()),
        directory_cache: Arc::new(DirectoryCache::new(cache)),
        hasher: PasswordHasher::insecure_fast_for_tests(),
        limits: Arc::new(Limits::new(LimitSettings::default())),
        config: Arc::new(WebConfig::default()),
    }
}

/// The application under test.
pub struct TestApp {
    pub router: Router,
    _db: TempSqlite,
}

/// An answer, read whole.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// An app with these groups.
    pub async fn with_groups(groups: Vec<GroupSubmission>) -> Self {
        let db = TempSqlite::create().await;
        create_groups(db.store.as_ref(), &groups, now())
            .await
            .expect("create groups");
        Self::around(db)
    }

    /// An app with the demo groups.
    pub async fn demo() -> Self {
        let db = TempSqlite::create().await;
        kith_app::demo::seed_if_empty(db.store.as_ref(), now())
            .await
            .expect("seed demo");
        Self::around(db)
    }

    fn around(db: TempSqlite) -> Self {
        // The cache is off, so filters that read the clock see exactly
        // `now()`; the cache's steps are tested in `kith_app::directory`.
        let router = kith_web::router(state(db.store.clone(), Duration::ZERO));
        Self { router, _db: db }
    }

    /// `GET uri` with optional extra headers.
    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.get_with(uri, &[]).await
    }

    /// `GET uri` as JSON, asserting 200.
    pub async fn json(&self, uri: &str) -> serde_json::Value {
        let response = self.get(uri).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.body);
        assert!(
            response
                .header(header::CONTENT_TYPE.as_str())
                .starts_with("application/json")
        );
        response.json()
    }
}

/// The names of a directory answer's items, in order.
pub fn names(directory: &serde_json::Value) -> Vec<String> {
    directory["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}
