//! A state change must come from kith's own pages: cross-site posts,
//! missing or wrong tokens are refused and change nothing; GET changes
//! nothing.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, group_pairs};

fn pairs<'a>(owned: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    owned.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_and_changes_nothing() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let mut browser = app.browser_as(&host).await;
    browser.get("/groups/new").await;
    let token = browser.csrf.clone().expect("token");
    let owned = group_pairs("Forged Circle");
    let mut fields = pairs(&owned);
    fields.push(("_csrf", &token));
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null"), ("sec-fetch-site", "cross-site")],
    ] {
        let refused = browser.post_raw("/groups/new", &fields, &headers).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(refused.body.contains("Please try again"));
    }
    assert_eq!(app.db.store.count_groups().await.expect("count"), 0);
    // The same form from kith's own page goes through.
    let ok = browser
        .post_raw(
            "/groups/new",
            &fields,
            &[
                ("origin", "http://kith.test"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(app.db.store.count_groups().await.expect("count"), 1);
}

#[tokio::test]
async fn a_form_without_the_sessions_token_is_refused() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let slug = app
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    let mut browser = app.browser_as(&host).await;
    let unlist = format!("/groups/{slug}/unlist");
    let missing = browser.post_raw(&unlist, &[], &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = browser
        .post_raw(
            &unlist,
            &[("_csrf", "0123456789abcdef0123456789abcdef")],
            &[],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another session's token does not fit this one.
    let other = app.browser_as(&host).await;
    let foreign = browser
        .post_raw(
            &unlist,
            &[("_csrf", other.csrf.as_deref().expect("token"))],
            &[],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.db
            .store
            .group_access(&slug)
            .await
            .expect("access")
            .status,
        ListingStatus::Listed
    );
    let done = browser.post_form(&unlist, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.db
            .store
            .group_access(&slug)
            .await
            .expect("access")
            .status,
        ListingStatus::Unlisted
    );
}

#[tokio::test]
async fn a_login_form_needs_its_anonymous_token() {
    let app = TestApp::empty().await;
    app.account("Willow", Role::Member).await;
    let mut browser = app.browser();
    browser.get("/login").await;
    let refused = browser
        .post_raw(
            "/login",
            &[("login", "willow"), ("password", PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        browser
            .cookies
            .iter()
            .all(|(name, _)| name != "kith_session")
    );
}

#[tokio::test]
async fn cookie_authenticated_json_needs_the_csrf_header_and_bearer_clients_do_not() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let slug = app
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    let uri = format!("/api/v1/groups/{slug}/unlist");
    let mut browser = app.browser_as(&host).await;
    let token = browser.csrf.take();
    let refused = browser.json("POST", &uri, json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["code"], "cross_site_request");
    browser.csrf = token;
    let ok = browser.json("POST", &uri, json!({})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["status"], "unlisted");

    let mut api = app.api_as(&host).await;
    let relisted = api
        .json("POST", &format!("/api/v1/groups/{slug}/relist"), json!({}))
        .await;
    assert_eq!(relisted.status, StatusCode::OK, "{}", relisted.body);
    assert_eq!(relisted.json()["status"], "listed");
}

#[tokio::test]
async fn nothing_changes_on_get() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let slug = app
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    let mut browser = app.browser_as(&host).await;
    for path in [
        "/logout".to_owned(),
        format!("/groups/{slug}/unlist"),
        format!("/moderation/groups/{slug}/approve"),
    ] {
        let r = browser.get(&path).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    assert_eq!(
        browser.get("/me").await.status,
        StatusCode::OK,
        "still logged in"
    );
    assert_eq!(
        app.db
            .store
            .group_access(&slug)
            .await
            .expect("access")
            .status,
        ListingStatus::Listed
    );
}
