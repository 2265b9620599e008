//! What holds for every answer: security headers, health, the OpenAPI
//! document, private fields that never leave, logs without queries.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use kith_app::testing::GroupBuilder;
use kith_domain::group::{Format, PrivateDetails};
use kith_store::testing::TempPostgres;

use crate::support::TestApp;

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::demo().await;
    for path in [
        "/",
        "/groups",
        "/groups?day=9",
        "/groups/nope",
        "/api/v1/groups",
        "/api/v1/groups?day=9",
        "/api/openapi.json",
        "/healthz",
        "/assets/kith.css",
        "/nowhere",
    ] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(r.header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
    }
}

#[tokio::test]
async fn pages_load_nothing_inline_or_from_elsewhere() {
    let app = TestApp::demo().await;
    let slug = app.json("/api/v1/groups").await["items"][0]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    for path in [
        "/".to_owned(),
        "/groups".to_owned(),
        format!("/groups/{slug}"),
    ] {
        let body = app.get(&path).await.body;
        assert!(
            body.starts_with("<!doctype html>\n<html lang=\"en\""),
            "{path}"
        );
        assert!(
            body.contains(r##"<a class="skip-link" href="#main">"##),
            "{path}"
        );
        assert!(!body.contains("<script>"), "{path}: no inline script");
        assert!(!body.contains(" style="), "{path}: no inline style");
        assert!(
            !body.contains("src=\"http"),
            "{path}: nothing from another origin"
        );
        assert!(
            !body.contains("href=\"http") || path.starts_with("/groups/"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn health_answers_ok_while_the_database_does() {
    let app = TestApp::demo().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn health_and_pages_answer_503_when_the_database_is_gone() {
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    let store = kith_store::open(&db.url, 2).await.expect("open postgres");
    let router = kith_web::router(crate::support::state(store, std::time::Duration::ZERO));
    db.drop_now().await;
    use tower::ServiceExt;
    for path in ["/healthz", "/groups", "/api/v1/groups"] {
        let request = axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .expect("request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_directory() {
    let app = TestApp::demo().await;
    let doc = app.json("/api/openapi.json").await;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    for path in ["/api/v1/groups", "/api/v1/groups/{slug}"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
    let params: Vec<&str> = doc["paths"]["/api/v1/groups"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in [
        "q",
        "format",
        "day",
        "time",
        "starts_within",
        "in_progress",
        "focus",
        "attribute",
        "language",
        "country",
        "region",
        "city",
        "tz",
        "page",
    ] {
        assert!(params.contains(&name), "{name}");
    }
    for schema in ["Problem", "DirectoryJson", "GroupJson"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    // Directory answers have no place for a private field; a group's
    // private fields are a separate object, for hosts and moderators only.
    let directory = doc["components"]["schemas"]["DirectoryJson"].to_string();
    assert!(!directory.contains("call_link"));
    assert!(doc["components"]["schemas"]["PrivateJson"]["properties"]["call_link"].is_object());
    for path in [
        "/api/v1/accounts",
        "/api/v1/sessions",
        "/api/v1/sessions/current",
        "/api/v1/moderation/queue",
        "/api/v1/moderation/groups/{slug}/approve",
        "/api/v1/moderation/groups/{slug}/reject",
        "/api/v1/admin/audit",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["paths"]["/api/v1/groups"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/groups/{slug}"]["patch"].is_object());
}

#[tokio::test]
async fn private_fields_appear_in_no_answer() {
    let canaries = [
        "https://meet.example.org/CANARY-LINK",
        "+1 555 0100 ,,CANARY-PIN#",
        "CANARY Street 1",
    ];
    let app = TestApp::with_groups(vec![
        GroupBuilder::new("Canary Hybrid")
            .format(Format::Hybrid)
            .place("DE", None, "Berlin")
            .private(PrivateDetails {
                call_link: Some(canaries[0].to_owned()),
                dial_in: Some(canaries[1].to_owned()),
                street_address: Some(canaries[2].to_owned()),
            })
            .build(),
    ])
    .await;
    let slug = app.json("/api/v1/groups").await["items"][0]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    let paths = [
        "/".to_owned(),
        "/groups".to_owned(),
        "/groups?q=canary".to_owned(),
        "/api/v1/groups".to_owned(),
        "/api/v1/groups?q=canary".to_owned(),
        format!("/groups/{slug}"),
        format!("/api/v1/groups/{slug}"),
        "/api/openapi.json".to_owned(),
    ];
    for path in &paths {
        let body = app.get(path).await.body;
        assert!(
            body.contains("Canary Hybrid") || path == "/" || path.contains("openapi"),
            "{path} shows the group"
        );
        for canary in canaries {
            assert!(
                !body.to_lowercase().contains(&canary.to_lowercase()),
                "{canary} leaked on {path}"
            );
        }
        assert!(!body.contains("CANARY-"), "{path}");
    }
    // Searching for a private value finds nothing either.
    assert_eq!(
        app.json("/api/v1/groups?q=street").await["items"],
        serde_json::json!([])
    );
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_name_the_route_template_never_the_query_or_slug() {
    let app = TestApp::demo().await;
    let sink = Captured::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    app.get("/groups?q=secret-token-123&tz=Europe/Berlin").await;
    app.get("/groups/some-private-slug-xyz").await;
    app.get("/api/v1/groups?city=token-456").await;
    let logs = String::from_utf8(sink.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(logs.contains(r#"route="/groups/{slug}""#), "{logs}");
    assert!(logs.contains(r#"route="/api/v1/groups""#), "{logs}");
    for secret in [
        "secret-token-123",
        "some-private-slug-xyz",
        "token-456",
        "Europe/Berlin",
    ] {
        assert!(!logs.contains(secret), "{secret} in logs: {logs}");
    }
}
