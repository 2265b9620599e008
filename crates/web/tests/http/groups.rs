//! `/groups/{slug}` and `/api/v1/groups/{slug}`.

use axum::http::StatusCode;
use jiff::civil::Weekday;
use kith_app::testing::GroupBuilder;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use serde_json::json;

use crate::support::TestApp;

async fn one_group() -> (TestApp, String) {
    let app = TestApp::with_groups(vec![
        GroupBuilder::new("Hearing Voices <Circle>")
            .weekly(
                &[Weekday::Tuesday, Weekday::Friday],
                "19:00",
                "America/New_York",
            )
            .minutes(90)
            .description(
                "**Welcome.**\n\n<script>alert('x')</script>\n\n[more](javascript:alert(1))",
            )
            .build(),
    ])
    .await;
    let slug = app.json("/api/v1/groups").await["items"][0]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    (app, slug)
}

#[tokio::test]
async fn a_group_page_shows_its_schedule_in_both_zones() {
    let (app, slug) = one_group().await;
    let page = app
        .get_with(
            &format!("/groups/{slug}"),
            &[("cookie", "kith_tz=Europe/Berlin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(
        body.contains("<title>Hearing Voices &#60;Circle&#62; · kith</title>"),
        "the name is escaped: {body}"
    );
    assert!(body.contains("<strong>Welcome.</strong>"));
    assert!(
        !body.contains("<script>alert"),
        "the description is sanitised"
    );
    assert!(!body.contains("javascript:"));
    // Tuesday 2 June 19:00 EDT is Wednesday 01:00 CEST: after tomorrow
    // for a Berlin reader on Monday, so a weekday and date.
    assert!(body.contains("Wed 3 Jun, 01:00–02:30 CEST"), "{body}");
    assert!(body.contains("2026-06-02 Tue 19:00–20:30 EDT"));
    assert!(body.contains("Every Tuesday, Friday, 19:00–20:30 (90 minutes), America/New_York"));
    assert!(body.contains("Check-in round."));
    assert!(body.contains("willow"));
    assert!(body.contains("What is shared here stays here."));
}

#[tokio::test]
async fn the_group_api_answers_the_same_fields() {
    let (app, slug) = one_group().await;
    let group = app
        .json(&format!("/api/v1/groups/{slug}?tz=Asia/Kathmandu"))
        .await;
    assert_eq!(group["name"], "Hearing Voices <Circle>");
    assert_eq!(group["time_zone"], "America/New_York");
    assert_eq!(group["schedule"][0]["weekdays"], serde_json::json!([2, 5]));
    assert_eq!(group["schedule"][0]["start"], "19:00");
    assert_eq!(group["schedule"][0]["end"], "20:30");
    assert_eq!(group["facilitation"]["style"], "check_in_round");
    assert_eq!(group["hosts"], serde_json::json!(["willow"]));
    assert!(
        !group["description_html"]
            .as_str()
            .expect("html")
            .contains("<script")
    );
    let first = &group["upcoming"][0];
    assert_eq!(
        (first["start"].as_str(), first["zone_abbreviation"].as_str()),
        (Some("04:45"), Some("+0545"))
    );
    assert_eq!(first["id"].as_str().map(str::len), Some(32));
    assert_eq!(group["upcoming"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn missing_malformed_and_unlisted_groups_are_all_404() {
    let hidden: Vec<_> = [
        ("Waiting", ListingStatus::Pending),
        ("Declined", ListingStatus::Rejected),
        ("Withdrawn", ListingStatus::Unlisted),
    ]
    .into_iter()
    .map(|(name, status)| GroupBuilder::new(name).status(status).build())
    .collect();
    let mut slugs: Vec<String> = hidden
        .iter()
        .map(|g| g.group.profile.slug.to_string())
        .collect();
    let app = TestApp::with_groups(hidden).await;
    slugs.extend([
        "no-such-group".to_owned(),
        "UPPER".to_owned(),
        "a%20b".to_owned(),
        "x".repeat(200),
    ]);
    for slug in &slugs {
        let page = app.get(&format!("/groups/{slug}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{slug}");
        assert!(page.body.contains("Page not found"));
        let api = app.get(&format!("/api/v1/groups/{slug}")).await;
        assert_eq!(api.status, StatusCode::NOT_FOUND, "{slug}");
        assert_eq!(api.json()["code"], "not_found");
    }
}

/// `SlugPath` answers before the handler runs, so its 404 must be the one
/// a handler gives for a group that does not exist: a page on HTML
/// routes, a problem document under `/api/`, also on routes that change
/// something, take a body or carry an id beside the slug.
#[tokio::test]
async fn a_malformed_slug_is_the_same_404_as_a_missing_group_on_every_kind_of_route() {
    let app = TestApp::empty().await;
    let host = app.account("Rowan", Role::Member).await;
    let meeting = "0123456789abcdef0123456789abcdef";
    let mut browser = app.browser_as(&host).await;
    let mut client = app.api_as(&host).await;
    for (malformed, missing) in [("UPPER", "no-such-group"), ("a--b", "a-b")] {
        let mut pages = Vec::new();
        for slug in [malformed, missing] {
            let edit = browser
                .post_form(&format!("/groups/{slug}/edit"), &[("name", "x")])
                .await;
            let meeting = browser
                .post_form(&format!("/groups/{slug}/meetings/{meeting}/cancel"), &[])
                .await;
            for page in [&edit, &meeting] {
                assert_eq!(page.status, StatusCode::NOT_FOUND, "{slug}");
                assert!(page.body.contains("Page not found"), "{slug}");
            }
            pages.push(edit.body);
        }
        assert_eq!(pages[0], pages[1]);

        let mut problems = Vec::new();
        for slug in [malformed, missing] {
            let cohost = client
                .json(
                    "POST",
                    &format!("/api/v1/groups/{slug}/cohosts"),
                    json!({ "handle": "Alder" }),
                )
                .await;
            let restore = client
                .json(
                    "POST",
                    &format!("/api/v1/groups/{slug}/meetings/{meeting}/restore"),
                    json!({}),
                )
                .await;
            for problem in [&cohost, &restore] {
                assert_eq!(problem.status, StatusCode::NOT_FOUND, "{slug}");
                assert_eq!(
                    problem.header("content-type"),
                    "application/problem+json",
                    "{slug}"
                );
                assert_eq!(problem.json()["code"], "not_found", "{slug}");
            }
            problems.push(cohost.body);
        }
        assert_eq!(problems[0], problems[1]);
    }
    // The path is read before the body: a malformed slug is a 404 even
    // when the body is malformed too.
    let both = client
        .json("POST", "/api/v1/groups/UPPER/cohosts", json!(42))
        .await;
    assert_eq!(both.status, StatusCode::NOT_FOUND);
    assert_eq!(both.json()["code"], "not_found");
}

#[tokio::test]
async fn an_unknown_zone_is_refused_by_the_api_and_ignored_by_the_page() {
    let (app, slug) = one_group().await;
    let api = app
        .get(&format!("/api/v1/groups/{slug}?tz=Mars/Phobos"))
        .await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.json()["field"], "tz");
    let page = app.get(&format!("/groups/{slug}?tz=Mars/Phobos")).await;
    assert_eq!(page.status, StatusCode::OK);
}
