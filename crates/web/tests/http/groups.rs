//! `/groups/{slug}` and `/api/v1/groups/{slug}`.

use axum::http::StatusCode;
use jiff::civil::Weekday;
use kith_app::testing::GroupBuilder;
use kith_domain::group::ListingStatus;

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
