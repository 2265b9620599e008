//! The page about the site, the icon, the first admin's setup link when it
//! no longer works, and what a demo site says about its sample hosts.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use kith_web::WebConfig;
use serde_json::json;

use crate::support::{TestApp, now};

#[tokio::test]
async fn every_page_links_the_page_about_the_site_and_its_default_is_kiths() {
    let app = TestApp::empty().await;
    let mut browser = app.browser();
    for path in ["/", "/groups", "/crisis", "/login", "/nowhere"] {
        let page = browser.get(path).await;
        assert!(page.body.contains(r#"<a href="/about">"#), "{path}");
    }
    let about = browser.get("/about").await;
    assert_eq!(about.status, StatusCode::OK);
    assert!(about.body.contains("<title>About this site · kith</title>"));
    for words in [
        "Who runs it",
        "No agenda",
        "No advice",
        "Nothing sold",
        "Nobody sees your email address",
        "How this site is moderated",
    ] {
        assert!(about.body.contains(words), "{words}");
    }
}

#[tokio::test]
async fn an_admin_makes_the_page_their_own_sanitized_and_audited() {
    let app = TestApp::empty().await;
    let admin = app.account("Keeper", Role::Admin).await;
    let member = app.account("Willow", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    for person in [&member, &moderator] {
        let mut browser = app.browser_as(person).await;
        assert_eq!(
            browser.get("/admin/about").await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert!(
        app.get("/admin/about")
            .await
            .header("location")
            .starts_with("/login"),
        "anonymous readers are asked to log in"
    );

    let mut browser = app.browser_as(&admin).await;
    let editor = browser.get("/admin/about").await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.body.contains("default text. Saving makes it yours."));
    assert!(
        editor.body.contains("## Who runs it"),
        "the default is there to edit"
    );
    let refused = browser.post_form("/admin/about", &[("body", "   ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r##"href="#f-about-body""##));
    let saved = browser
        .post_form(
            "/admin/about",
            &[(
                "body",
                "Run by **Ana and Joe**, peers in Leeds.<script>alert(1)</script>",
            )],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), "/about");
    let about = app.browser().get("/about").await;
    assert!(about.body.contains("Run by <strong>Ana and Joe</strong>"));
    assert!(!about.body.contains("<script>alert"));
    assert!(
        !about.body.contains("No agenda"),
        "the admin's text replaces kith's"
    );

    let mut api = app.api_as(&admin).await;
    let put = api
        .json(
            "PUT",
            "/api/v1/admin/about",
            json!({"body": "Run by the Quiet River collective."}),
        )
        .await;
    assert_eq!(put.status, StatusCode::NO_CONTENT);
    assert!(
        app.browser()
            .get("/about")
            .await
            .body
            .contains("Quiet River collective")
    );
    let audit = api.get("/api/v1/admin/audit").await.json();
    let edits = audit
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["action"] == "about.edit" && r["target"] == "page:about")
        .count();
    assert_eq!(edits, 2);
}

#[tokio::test]
async fn the_icon_is_an_svg_everyone_may_cache() {
    let app = TestApp::empty().await;
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), "image/svg+xml");
    assert!(icon.header("cache-control").contains("max-age=86400"));
    assert!(icon.body.starts_with("<svg"));
    assert!(
        icon.header("set-cookie").is_empty(),
        "no cookie on a shared answer"
    );
    let home = app.browser().get("/").await;
    assert!(
        home.body
            .contains(r#"<link rel="icon" href="/favicon.ico" type="image/svg+xml">"#)
    );
}

#[tokio::test]
async fn a_setup_link_that_does_not_work_speaks_of_the_setup_link() {
    let app = TestApp::empty().await;
    let token = kith_app::accounts::setup_link_token(&app.context, now())
        .await
        .expect("token")
        .expect("no admin yet");
    let mut browser = app.browser();
    let unknown = browser.get("/setup/not-a-real-token").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("This setup link does not work"));
    assert!(unknown.body.contains("kith admin create"));
    assert!(
        !unknown.body.contains("The group may have been unlisted"),
        "not the 404 about groups"
    );

    let link = format!("/setup/{token}");
    assert_eq!(browser.get(&link).await.status, StatusCode::OK);
    let made = browser
        .post_form(
            &link,
            &[
                ("handle", "keeper"),
                ("email", "keeper@example.org"),
                ("password", "a quiet walk by the river"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    for again in [browser.get(&link).await, {
        let mut other = app.browser();
        other.get("/login").await;
        other
            .post_form(
                &link,
                &[
                    ("handle", "intruder"),
                    ("email", "intruder@example.org"),
                    ("password", "a quiet walk by the river"),
                ],
            )
            .await
    }] {
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert!(again.body.contains("This setup link does not work"));
        assert!(again.body.contains("used already"));
    }
}

#[tokio::test]
async fn a_demo_site_says_its_sample_hosts_will_never_answer() {
    let app = TestApp::with_config(WebConfig::default().demo(true)).await;
    let host = app.account("Willow", Role::Member).await;
    let slug = app
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    let mut browser = app.browser();
    for path in ["/", "/groups", "/crisis", "/about"] {
        let page = browser.get(path).await;
        assert!(page.body.contains(r#"<p class="demo-note">"#), "{path}");
    }
    for path in [format!("/groups/{slug}"), format!("/groups/{slug}/join")] {
        let page = browser.get(&path).await;
        assert!(
            page.body
                .contains("so a request to join one of them will never be answered"),
            "{path}"
        );
    }

    let real = TestApp::empty().await;
    let host = real.account("Willow", Role::Member).await;
    let slug = real
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    for path in ["/".to_owned(), format!("/groups/{slug}/join")] {
        let page = real.browser().get(&path).await;
        assert!(!page.body.contains("demo site"), "{path}");
    }
}
