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

/// The crisis page as a reader in `zone` (cookie) with these languages sees it.
async fn crisis_for(app: &TestApp, uri: &str, zone: Option<&str>, languages: &str) -> String {
    let cookie = zone.map(|z| format!("kith_tz={}", z.replace('/', "%2F")));
    let mut headers = vec![("accept-language", languages)];
    if let Some(cookie) = cookie.as_deref() {
        headers.push(("cookie", cookie));
    }
    let page = app.get_with(uri, &headers).await;
    assert_eq!(page.status, StatusCode::OK, "{uri}");
    page.body
}

#[tokio::test]
async fn the_country_is_preselected_from_the_readers_zone_then_their_language() {
    let app = TestApp::empty().await;
    let selected =
        |body: &str, code: &str| body.contains(&format!(r#"<option value="{code}" selected>"#));
    let melbourne = crisis_for(&app, "/crisis", Some("Australia/Melbourne"), "en-GB").await;
    assert!(selected(&melbourne, "AU"), "the zone wins over en-GB");
    assert!(melbourne.contains("13YARN"));
    let vary = app.get("/crisis").await;
    assert!(
        vary.headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap_or("").contains("Accept-Language")),
        "caches keep one copy per language"
    );
    let no_zone = crisis_for(&app, "/crisis", None, "en-AU,en;q=0.9").await;
    assert!(
        selected(&no_zone, "AU"),
        "the language's region without a zone"
    );
    assert!(
        no_zone.contains(r#"data-zone-from="default""#),
        "the zone script may reload the page once it knows the zone"
    );
    let tokyo = crisis_for(&app, "/crisis", Some("Asia/Tokyo"), "en-US").await;
    assert!(
        selected(&tokyo, "default"),
        "a zone's country without a text shows the general text, not the language's"
    );
    assert!(tokyo.contains("findahelpline.com"));
    let chosen = crisis_for(
        &app,
        "/crisis?country=gb",
        Some("Australia/Melbourne"),
        "en-AU",
    )
    .await;
    assert!(selected(&chosen, "GB"), "an explicit choice wins");
    let everywhere = crisis_for(
        &app,
        "/crisis?country=default",
        Some("Europe/Berlin"),
        "de-DE",
    )
    .await;
    assert!(selected(&everywhere, "default"));
}

#[tokio::test]
async fn numbers_are_tap_to_call_and_open_lines_say_so_in_the_readers_time() {
    // Monday 1 June 2026, 10:00 UTC: 20:00 in Melbourne and Sydney.
    let app = TestApp::empty().await;
    let page = crisis_for(&app, "/crisis", Some("Australia/Melbourne"), "en").await;
    for link in [
        r#"href="tel:1800184527""#,
        r#"href="tel:131114""#,
        r#"href="sms:0477131114""#,
        r#"href="tel:000""#,
    ] {
        assert!(page.contains(link), "{link}");
    }
    assert!(!page.contains("Line:"), "the description is not shown");
    let qlife = page.find("QLife").expect("QLife");
    let lifeline = page.find("Lifeline").expect("Lifeline");
    assert!(qlife < lifeline, "the peer line comes first");
    assert!(page.contains(r#"<p class="line-status open">Open now, until 00:00 your time</p>"#));
    assert!(page.contains(r#"<p class="line-status open">Open day and night</p>"#));
    // A reader in Los Angeles sees QLife's closing in their own time.
    let la = crisis_for(
        &app,
        "/crisis?country=AU",
        Some("America/Los_Angeles"),
        "en",
    )
    .await;
    assert!(
        la.contains("Open now, until 07:00 your time"),
        "midnight in Sydney is 07:00 in Los Angeles"
    );
    // Without a zone, times are in UTC and say so.
    let unknown = crisis_for(&app, "/crisis?country=AU", None, "en").await;
    assert!(unknown.contains("Open now, until 14:00 UTC"));
}

#[tokio::test]
async fn an_admins_lines_are_ordered_peer_first_with_their_hours_and_unreadable_ones_refused() {
    let app = TestApp::empty().await;
    let admin = app.account("Keeper", Role::Admin).await;
    let mut browser = app.browser_as(&admin).await;
    browser.get("/admin/safety").await;
    let body = "Lines near you.\n\n\
        - Call [112](tel:112) in an emergency.\n  Line: emergency | always\n\
        - The night line: [0800 1](tel:08001).\n  Line: crisis | daily 20:00-06:00 | Australia/Perth\n\
        - A peer warmline on weekdays: [0800 2](tel:08002).\n  Line: peer | Mon-Fri 09:00-17:00 | Australia/Melbourne\n\
        - A line on Saturday mornings: [0800 3](tel:08003).\n  Line: crisis | Sat 10:00-12:00 | Australia/Melbourne\n";
    let saved = browser
        .post_form("/admin/safety", &[("country", "AU"), ("body", body)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = crisis_for(&app, "/crisis", Some("Australia/Melbourne"), "en").await;
    let (peer, night, emergency) = (
        page.find("peer warmline").expect("peer"),
        page.find("night line").expect("night"),
        page.find("in an emergency").expect("emergency"),
    );
    assert!(
        peer < night && night < emergency,
        "peer first, emergency last"
    );
    // 20:00 on Monday in Melbourne: the warmline opens tomorrow at 09:00;
    // it is 18:00 in Perth, so the night line opens at 22:00 Melbourne time.
    assert!(
        page.contains(
            r#"<p class="line-status">Closed now. Opens tomorrow at 09:00 your time</p>"#
        ),
        "{page}"
    );
    assert!(page.contains("Closed now. Opens at 22:00 your time"));
    assert!(page.contains("Closed now. Opens on Saturday at 10:00 your time"));

    let refused = browser
        .post_form(
            "/admin/safety",
            &[
                ("country", "AU"),
                ("body", "- A line.\n  Line: warm | 3pm to midnight"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("is not understood"));
    assert!(refused.body.contains("3pm to midnight"), "the text is kept");
    assert!(
        crisis_for(&app, "/crisis", Some("Australia/Melbourne"), "en")
            .await
            .contains("night line"),
        "nothing was saved"
    );
}
