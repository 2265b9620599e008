//! The crisis page: one step from every page, honest by default, per
//! country, edited by admins with an audit row.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn every_page_links_the_crisis_page() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let slug = app
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    let mut anonymous = app.browser();
    let mut hosting = app.browser_as(&host).await;
    let mut moderating = app.browser_as(&moderator).await;
    let pages = [
        (
            &mut anonymous,
            vec![
                "/",
                "/groups",
                "/groups?day=9",
                "/login",
                "/register",
                "/crisis",
                "/nowhere",
            ],
        ),
        (&mut hosting, vec!["/me", "/groups/new"]),
        (&mut moderating, vec!["/moderation"]),
    ];
    for (browser, paths) in pages {
        for path in paths {
            let page = browser.get(path).await;
            assert!(
                page.body
                    .contains(r#"<a class="crisis-link" href="/crisis">"#),
                "{path}"
            );
        }
    }
    let group_page = app.browser().get(&format!("/groups/{slug}")).await;
    assert!(group_page.body.contains(r#"href="/crisis""#));
}

#[tokio::test]
async fn the_default_text_says_which_lines_may_involve_emergency_services() {
    let app = TestApp::empty().await;
    let mut browser = app.browser();
    let page = browser.get("/crisis").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("May involve emergency services or police")
    );
    assert!(page.body.contains(r#"<option value="GB""#));
    let us = browser.get("/crisis?country=us").await;
    assert!(us.body.contains("988"));
    assert!(us.body.contains("Peer-run"), "US has a peer-run line");
    let unknown = browser.get("/crisis?country=ZZ").await;
    assert_eq!(
        unknown.status,
        StatusCode::OK,
        "an unknown country shows the general text"
    );
    assert!(unknown.body.contains("findahelpline.com"));
}

#[tokio::test]
async fn an_admin_edits_a_countrys_text_and_the_audit_log_records_it() {
    let app = TestApp::empty().await;
    let admin = app.account("Keeper", Role::Admin).await;
    let mut browser = app.browser_as(&admin).await;
    let editor = browser.get("/admin/safety").await;
    assert_eq!(editor.status, StatusCode::OK);
    let saved = browser
        .post_form(
            "/admin/safety",
            &[
                ("country", "GB"),
                ("body", "- **Peer-run.** Our local warmline, 0800 000 0000."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.browser().get("/crisis?country=GB").await;
    assert!(page.body.contains("Our local warmline"));
    assert!(!page.body.contains("Samaritans"));

    // A new country, and a refusal that keeps the text.
    let added = browser
        .post_form(
            "/admin/safety",
            &[("country", "nl"), ("body", "Lines in the Netherlands.")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(
        app.browser()
            .get("/crisis?country=NL")
            .await
            .body
            .contains("Lines in the Netherlands.")
    );
    let refused = browser
        .post_form(
            "/admin/safety",
            &[("country", "Narnia"), ("body", "Kept text")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Kept text"));
    let mut api = app.api_as(&admin).await;
    let empty = api
        .json("PUT", "/api/v1/admin/safety/DE", json!({"body": "   "}))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["field"], "body");

    let audit = api.get("/api/v1/admin/audit").await.json();
    let targets: Vec<&str> = audit
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["action"] == "safety.edit")
        .map(|r| r["target"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(targets, vec!["safety:NL", "safety:GB"]);
}
