//! Logging in, sharpened: a login with an ended session's cookie sticks,
//! the per-account limit is one allowance whichever way the account is
//! named, guessers cannot lock out a browser that logged in before, and
//! `next` only ever leads to a path on this site.

use axum::http::StatusCode;
use kith_app::accounts;
use kith_domain::account::Role;
use kith_store::accounts::SessionKind;

use crate::support::{Browser, PASSWORD, TestApp, TestResponse, now};

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
        let session = accounts::start_session(
            app.db.store.as_ref(),
            willow.id,
            SessionKind::Browser,
            false,
            now(),
        )
        .await
        .expect("session");
        browser
            .cookies
            .push(("kith_session".into(), session.token.clone()));
        accounts::logout(app.db.store.as_ref(), &session.token)
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
