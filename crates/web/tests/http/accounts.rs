//! Registering, logging in and out, in HTML and JSON; no enumeration; rate
//! limits; cookies.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_web::WebConfig;
use serde_json::json;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn a_person_registers_logs_in_sees_their_page_and_logs_out() {
    let app = TestApp::empty().await;
    let mut browser = app.browser();
    let form = browser.get("/register").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="handle""#));
    let registered = browser
        .post_form(
            "/register",
            &[
                ("handle", "River"),
                ("email", "river@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    assert_eq!(registered.header("location"), "/login?registered=1");

    browser.get("/login?registered=1").await;
    let logged_in = browser
        .post_form(
            "/login",
            &[
                ("login", "river@example.org"),
                ("password", PASSWORD),
                ("next", "/me"),
            ],
        )
        .await;
    assert_eq!(
        logged_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        logged_in.body
    );
    assert_eq!(logged_in.header("location"), "/me");
    let cookie = logged_in.header("set-cookie");
    assert!(cookie.starts_with("kith_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    assert!(
        !cookie.contains("Max-Age"),
        "not remembered: a browser-session cookie"
    );

    let me = browser.get("/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("River"));
    assert!(
        !me.body.contains("river@example.org"),
        "the email is never shown"
    );

    let session = browser.cookies.clone();
    let out = browser.post_form("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    // The old cookie no longer opens anything: the session ended on the
    // server.
    let mut replay = app.browser();
    replay.cookies = session;
    let me = replay.get("/me").await;
    assert_eq!(me.status, StatusCode::SEE_OTHER);
    assert_eq!(me.header("location"), "/login?next=%2Fme");
    let form = replay.get("/login?next=%2Fgroups%2Fnew").await;
    assert!(form.body.contains(r#"name="next" value="/groups/new""#));
    let elsewhere = replay.get("/login?next=%2F%2Fevil.example").await;
    assert!(
        elsewhere.body.contains(r#"name="next" value="/me""#),
        "never off-site"
    );
}

#[tokio::test]
async fn a_refused_registration_keeps_the_input_but_never_the_password() {
    let app = TestApp::empty().await;
    let mut browser = app.browser();
    browser.get("/register").await;
    let refused = browser
        .post_form(
            "/register",
            &[
                ("handle", "x"),
                ("email", "not-an-email"),
                ("password", "password123"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    assert!(body.contains(r#"id="error-summary""#));
    assert!(body.contains(r##"href="#f-handle""##));
    assert!(body.contains("Use at least 3 characters."));
    assert!(body.contains("Enter an email address such as name@example.org."));
    assert!(body.contains("one of the most common"));
    assert!(
        body.contains(r#"value="not-an-email""#),
        "the input is kept"
    );
    assert!(
        !body.contains("password123"),
        "the password is not sent back"
    );
    assert!(body.contains(r#"aria-invalid="true""#));
}

#[tokio::test]
async fn registering_with_a_known_email_answers_exactly_as_a_new_one() {
    let app = TestApp::empty().await;
    app.account("Willow", Role::Member).await;
    let mut client = app.browser();
    let fresh = client
        .json(
            "POST",
            "/api/v1/accounts",
            json!({"handle": "Alder", "email": "alder@example.org", "password": PASSWORD}),
        )
        .await;
    let known = client
        .json(
            "POST",
            "/api/v1/accounts",
            json!({"handle": "Birch", "email": "WILLOW@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::CREATED);
    assert_eq!(
        (known.status, known.body.as_str()),
        (fresh.status, fresh.body.as_str())
    );

    let mut browser = app.browser();
    browser.get("/register").await;
    let fresh = browser
        .post_form(
            "/register",
            &[
                ("handle", "Cedar"),
                ("email", "cedar@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let known = browser
        .post_form(
            "/register",
            &[
                ("handle", "Dogwood"),
                ("email", "willow@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (known.status, known.header("location"), known.body.as_str()),
        (fresh.status, fresh.header("location"), fresh.body.as_str())
    );
}

#[tokio::test]
async fn a_failed_login_says_the_same_whether_or_not_the_account_exists() {
    let app = TestApp::empty().await;
    app.account("Willow", Role::Member).await;
    let mut browser = app.browser();
    browser.get("/login").await;
    let wrong_password = browser
        .post_form(
            "/login",
            &[("login", "willow"), ("password", "not the password at all")],
        )
        .await;
    let no_account = browser
        .post_form(
            "/login",
            &[
                ("login", "nobody@example.org"),
                ("password", "not the password at all"),
            ],
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_account.status, wrong_password.status);
    let strip = |body: &str, login: &str| body.replace(login, "LOGIN");
    assert_eq!(
        strip(&no_account.body, "nobody@example.org"),
        strip(&wrong_password.body, "willow")
    );

    let mut client = app.browser();
    let a = client
        .json(
            "POST",
            "/api/v1/sessions",
            json!({"login": "willow", "password": "wrong wrong wrong"}),
        )
        .await;
    let b = client
        .json(
            "POST",
            "/api/v1/sessions",
            json!({"login": "ghost", "password": "wrong wrong wrong"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!((a.status, a.body.as_str()), (b.status, b.body.as_str()));
    assert_eq!(a.json()["code"], "invalid_credentials");
}

#[tokio::test]
async fn api_clients_register_log_in_with_a_bearer_token_and_log_out() {
    let app = TestApp::empty().await;
    let mut client = app.browser();
    let refused = client
        .json(
            "POST",
            "/api/v1/accounts",
            json!({"handle": "ab", "email": "x", "password": "short"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.header("content-type"), "application/problem+json");
    let problem = refused.json();
    assert_eq!(problem["code"], "invalid_input");
    assert_eq!(problem["field"], "handle");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, vec!["handle", "email", "password"]);

    let malformed = client.json("POST", "/api/v1/accounts", json!(42)).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["code"], "malformed_body");

    let created = client
        .json(
            "POST",
            "/api/v1/accounts",
            json!({"handle": "Fern", "email": "fern@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let session = client
        .json(
            "POST",
            "/api/v1/sessions",
            json!({"login": "FERN", "password": PASSWORD}),
        )
        .await;
    assert_eq!(session.status, StatusCode::CREATED);
    let token = session.json()["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 32);

    client.bearer = Some(token);
    let me = client.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["handle"], "Fern");
    assert_eq!(me.json()["role"], "member");
    let out = client
        .json("DELETE", "/api/v1/sessions/current", json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = client.get("/api/v1/me").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.json()["code"], "unauthenticated");
}

#[tokio::test]
async fn the_seventh_login_in_a_minute_waits_with_retry_after() {
    let app = TestApp::empty().await;
    app.account("Willow", Role::Member).await;
    let mut browser = app.browser();
    browser.get("/login").await;
    for _ in 0..6 {
        let r = browser
            .post_form(
                "/login",
                &[("login", "willow"), ("password", "wrong wrong wrong")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let limited = browser
        .post_form("/login", &[("login", "willow"), ("password", PASSWORD)])
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.header("retry-after").parse().expect("seconds");
    assert!((1..=61).contains(&wait), "{wait}");
    let mut client = app.browser();
    let api = client
        .json(
            "POST",
            "/api/v1/sessions",
            json!({"login": "willow", "password": PASSWORD}),
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.json()["code"], "rate_limited");
    assert!(!api.header("retry-after").is_empty());
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let proxy: SocketAddr = "10.0.0.2:40000".parse().expect("addr");
    let app = TestApp::with_config(WebConfig::new(vec!["10.0.0.0/8".parse().expect("net")])).await;
    use tower::ServiceExt;
    let attempt = |client: &'static str| {
        let router = app.router.clone();
        async move {
            let mut request = axum::http::Request::post("/api/v1/sessions")
                .header("content-type", "application/json")
                .header("x-forwarded-for", client)
                .body(axum::body::Body::from(
                    r#"{"login":"someone","password":"wrong wrong wrong"}"#,
                ))
                .expect("request");
            request.extensions_mut().insert(ConnectInfo(proxy));
            router.oneshot(request).await.expect("infallible").status()
        }
    };
    for _ in 0..6 {
        assert_eq!(attempt("203.0.113.5").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt("203.0.113.5").await, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not locked out.
    assert_eq!(attempt("198.51.100.9").await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookies_are_secure_when_the_base_url_is_https() {
    let app = TestApp::at_site("https://kith.example").await;
    app.account("Willow", Role::Member).await;
    let mut browser = app.browser();
    let page = browser.get("/login").await;
    assert!(page.header("set-cookie").contains("Secure"));
    let logged_in = browser
        .post_raw(
            "/login",
            &[
                ("login", "willow"),
                ("password", PASSWORD),
                ("remember", "on"),
                ("_csrf", &browser.csrf.clone().unwrap_or_default()),
            ],
            &[("origin", "https://kith.example")],
        )
        .await;
    assert_eq!(
        logged_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        logged_in.body
    );
    let cookie = logged_in.header("set-cookie");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Max-Age=7776000"),
        "{cookie}"
    );
}

#[tokio::test]
async fn logging_in_again_replaces_the_session() {
    let app = TestApp::empty().await;
    let willow = app.account("Willow", Role::Member).await;
    let mut browser = app.browser_as(&willow).await;
    let before = browser.cookies.clone();
    browser.get("/login").await;
    let again = browser
        .post_form("/login", &[("login", "willow"), ("password", PASSWORD)])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_ne!(browser.cookies, before, "a new token at login");
    let mut old = app.browser();
    old.cookies = before;
    assert_eq!(old.get("/me").await.status, StatusCode::SEE_OTHER);
}
