//! Logging in, sharpened: a login with an ended session's cookie sticks,
//! the per-account limit is one allowance whichever way the account is
//! named, guessers cannot lock out a browser that logged in before, and
//! `next` only ever leads to a path on this site.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use kith_app::accounts;
use kith_domain::account::Role;
use kith_store::accounts::SessionKind;
use serde_json::json;

use crate::support::{Browser, PASSWORD, TestApp, TestResponse, link_in, now};

/// The `Set-Cookie` headers of an answer that name `name`.
fn set_cookies<'a>(response: &'a TestResponse, name: &str) -> Vec<&'a str> {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with(&format!("{name}=")))
        .collect()
}

kith_store::on_both_backends!(
    a_login_sent_with_an_ended_session_s_cookie_sets_only_the_new_session,
    |store| async move {
        let app = TestApp::on(store);
        let willow = app.account("Willow", Role::Member).await;
        // The form is loaded while nobody is logged in …
        let mut browser = app.browser();
        browser.get("/login").await;
        // … then another tab logs in, and that session is ended elsewhere.
        let session =
            accounts::start_session(&app.context, willow.id, SessionKind::Browser, false, now())
                .await
                .expect("session");
        browser
            .cookies
            .push(("kith_session".into(), session.token.clone()));
        accounts::logout(&app.context, &session.token)
            .await
            .expect("end");
        let logged_in = browser
            .post_form("/login", &[("login", "willow"), ("password", PASSWORD)])
            .await;
        assert_eq!(
            logged_in.status,
            StatusCode::SEE_OTHER,
            "{}",
            logged_in.body
        );
        let sessions = set_cookies(&logged_in, "kith_session");
        assert_eq!(sessions.len(), 1, "{sessions:?}");
        assert!(!sessions[0].contains("Max-Age=0"), "{sessions:?}");
        assert_eq!(browser.get("/me").await.status, StatusCode::OK);
    }
);

#[tokio::test]
async fn a_stale_session_cookie_is_still_deleted_when_nothing_replaces_it() {
    let app = TestApp::empty().await;
    let mut browser: Browser = app.browser();
    browser.cookies.push((
        "kith_session".into(),
        "0123456789abcdef0123456789abcdef".into(),
    ));
    let page = browser.get("/login").await;
    let sessions = set_cookies(&page, "kith_session");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert!(sessions[0].contains("Max-Age=0"), "{sessions:?}");
}

/// A JSON login from `from`, as a client with no cookies at all.
async fn login_from(app: &TestApp, from: &str, login: &str, password: &str) -> StatusCode {
    use tower::ServiceExt;
    let peer: SocketAddr = format!("{from}:40000").parse().expect("addr");
    let body = json!({"login": login, "password": password}).to_string();
    let mut request = axum::http::Request::post("/api/v1/sessions")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .expect("request");
    request.extensions_mut().insert(ConnectInfo(peer));
    app.router
        .clone()
        .oneshot(request)
        .await
        .expect("infallible")
        .status()
}

/// 25 wrong passwords for Willow from 25 addresses, by handle and by email
/// in turn.
async fn guess_from_everywhere(app: &TestApp) {
    for n in 0..25 {
        let login = if n % 2 == 0 {
            "willow"
        } else {
            "willow@example.org"
        };
        login_from(app, &format!("198.51.100.{n}"), login, "wrong wrong wrong").await;
    }
}

kith_store::on_both_backends!(
    failures_by_handle_and_by_email_use_up_one_allowance,
    |store| async move {
        let app = TestApp::on(store);
        app.account("Willow", Role::Member).await;
        guess_from_everywhere(&app).await;
        // Whichever way the account is named, its allowance is spent.
        for login in ["willow", "willow@example.org", "WILLOW"] {
            assert_eq!(
                login_from(&app, "203.0.113.7", login, PASSWORD).await,
                StatusCode::TOO_MANY_REQUESTS,
                "{login}"
            );
        }
    }
);

kith_store::on_both_backends!(
    guessers_from_everywhere_lock_out_strangers_but_not_the_owner_s_browser,
    |store| async move {
        let app = TestApp::on(store);
        app.account("Willow", Role::Member).await;
        let mut owner = app.browser();
        owner.get("/login").await;
        let first = owner
            .post_form("/login", &[("login", "willow"), ("password", PASSWORD)])
            .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        let device = set_cookies(&first, "kith_device");
        assert_eq!(device.len(), 1, "{device:?}");
        assert!(
            ["HttpOnly", "SameSite=Lax", "Max-Age=31536000"]
                .iter()
                .all(|a| device[0].contains(a)),
            "{device:?}"
        );
        owner.post_form("/logout", &[]).await;
        assert!(owner.cookies.iter().any(|(n, _)| n == "kith_device"));

        guess_from_everywhere(&app).await;
        // A browser that never logged in is locked out, even with the
        // right password …
        let mut stranger = app.browser();
        stranger.get("/login").await;
        let refused = stranger
            .post_form("/login", &[("login", "willow"), ("password", PASSWORD)])
            .await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(!refused.header("retry-after").is_empty());
        // … and so is one with a forged device cookie …
        stranger.cookies.push((
            "kith_device".into(),
            format!("{}.{}", "0".repeat(32), "0".repeat(64)),
        ));
        let forged = stranger
            .post_form("/login", &[("login", "willow"), ("password", PASSWORD)])
            .await;
        assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);
        // … but the owner's browser logs in, by handle or by email.
        owner.get("/login").await;
        let again = owner
            .post_form(
                "/login",
                &[("login", "willow@example.org"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        assert_eq!(owner.get("/me").await.status, StatusCode::OK);
        // Its device cookie still vouches for it: none is set anew.
        assert!(set_cookies(&again, "kith_device").is_empty());
    }
);

kith_store::on_both_backends!(
    a_locked_out_owner_resets_the_password_and_logs_in,
    |store| async move {
        let app = TestApp::on(store);
        app.account("Willow", Role::Member).await;
        guess_from_everywhere(&app).await;
        let mut owner = app.browser();
        owner.get("/password-reset").await;
        let asked = owner
            .post_form("/password-reset", &[("email", "willow@example.org")])
            .await;
        assert_eq!(asked.status, StatusCode::OK);
        app.wait_for_outbox(1).await;
        let mails = app.deliver().await;
        let link = link_in(&mails[0].text, "/password-reset/");
        owner.get(&link).await;
        let new_password = "a new and rather long passphrase";
        let reset = owner.post_form(&link, &[("password", new_password)]).await;
        assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
        assert_eq!(reset.header("location"), "/login?reset=1");
        assert_eq!(set_cookies(&reset, "kith_device").len(), 1);
        owner.get("/login?reset=1").await;
        let logged_in = owner
            .post_form("/login", &[("login", "willow"), ("password", new_password)])
            .await;
        assert_eq!(
            logged_in.status,
            StatusCode::SEE_OTHER,
            "{}",
            logged_in.body
        );
        assert_eq!(owner.get("/me").await.status, StatusCode::OK);
        // Strangers stay locked out.
        assert_eq!(
            login_from(&app, "203.0.113.8", "willow", new_password).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
);

/// `next` values that read as another site to some URL parser.
const ELSEWHERE: &[&str] = &[
    "/%09/evil.test",
    "/%0a/evil.test",
    "/%00/evil.test",
    "/\t/evil.test",
    "/\n/evil.test",
    "//evil.test",
    "/\\evil.test",
    "/\\/evil.test",
    "\\\\evil.test",
    "https://evil.test",
    "/%2F%2Fevil.test",
    "%2F%2Fevil.test",
    "/%5Cevil.test",
    "javascript:alert(document.domain)",
    " /me",
];

#[tokio::test]
async fn next_after_login_is_only_ever_a_plain_path_on_this_site() {
    let app = TestApp::empty().await;
    app.account("Willow", Role::Member).await;
    let mut browser = app.browser();
    for next in ELSEWHERE {
        let query = serde_urlencoded::to_string([("next", next)]).expect("query");
        let form = browser.get(&format!("/login?{query}")).await;
        assert!(form.body.contains(r#"name="next" value="/me""#), "{next:?}");
    }
    // Sent with the form itself, the answer leads home instead.
    for next in [
        "/%09/evil.test",
        "//evil.test",
        "/\\evil.test",
        "https://evil.test",
    ] {
        browser.get("/login").await;
        let answer = browser
            .post_form(
                "/login",
                &[("login", "willow"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(answer.header("location"), "/me", "{next:?}");
    }
    let good = "/groups?format=video&day=2";
    browser.get("/login").await;
    let answer = browser
        .post_form(
            "/login",
            &[("login", "willow"), ("password", PASSWORD), ("next", good)],
        )
        .await;
    assert_eq!(answer.header("location"), good);
}
