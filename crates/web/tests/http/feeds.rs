//! A listed group's public calendar: RFC 5545, neutral titles, no private
//! field; 404 for any group a stranger may not see.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;

use crate::support::TestApp;

#[tokio::test]
async fn a_listed_groups_calendar_has_its_rules_and_nothing_private() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let listed = app
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    let response = app
        .get_with(
            &format!("/groups/{listed}/calendar.ics"),
            &[("host", "kith.test")],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header("content-type"),
        "text/calendar; charset=utf-8"
    );
    let ics = response.body.replace("\r\n ", "");
    assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
    assert!(ics.contains("RRULE:FREQ=WEEKLY;WKST=MO;BYDAY=TU\r\n"));
    assert!(ics.contains("DTSTART;TZID=Europe/Berlin:20260602T190000\r\n"));
    assert!(ics.contains("SUMMARY:kith: meeting\r\n"), "a neutral title");
    assert!(
        !ics.contains("Quiet Circle"),
        "no group name on a lock screen"
    );
    assert!(ics.contains(&format!("URL:http://kith.test/groups/{listed}\r\n")));
    assert!(
        !ics.contains("PRIVATE-CANARY") && !ics.contains("4242"),
        "no private field"
    );

    let page = app.get(&format!("/groups/{listed}")).await.body;
    assert!(page.contains(&format!(r#"href="/groups/{listed}/calendar.ics""#)));
}

#[tokio::test]
async fn an_unlisted_groups_calendar_is_not_found() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    for status in [
        ListingStatus::Pending,
        ListingStatus::Rejected,
        ListingStatus::Unlisted,
    ] {
        let slug = app.group_hosted_by(&host, "Hidden Circle", status).await;
        let response = app
            .browser_as(&host)
            .await
            .get(&format!("/groups/{slug}/calendar.ics"))
            .await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{status:?}");
    }
    assert_eq!(
        app.get("/groups/no-such-group/calendar.ics").await.status,
        StatusCode::NOT_FOUND
    );
}
