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
    assert!(
        ics.contains("URL:http://kith.test/me\r\n"),
        "not the group's page"
    );
    assert!(
        !ics.contains(listed.as_str()),
        "no slug: it is made of the name"
    );
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

/// Whether python3 with jsonschema is here; with CI=true it must be.
fn python_with_jsonschema() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !kith_store::testing::in_ci(),
            "CI=true and python3 with jsonschema is missing (.ci/run installs it)"
        );
        eprintln!("python3 with jsonschema is missing; skipping the schema check");
    }
    ok
}

#[tokio::test]
async fn the_meeting_guide_feed_lists_weekly_meetings_and_validates_against_the_spec() {
    let app = TestApp::demo().await;
    let response = app
        .get_with("/feeds/meeting-guide.json", &[("host", "kith.test")])
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response
            .header("content-type")
            .starts_with("application/json")
    );
    let feed = response.json();
    let meetings = feed.as_array().expect("an array");
    assert!(meetings.len() >= 60, "{} meetings", meetings.len());
    for meeting in meetings {
        for field in [
            "name", "slug", "day", "time", "end_time", "timezone", "types", "notes", "updated",
            "url",
        ] {
            assert!(!meeting[field].is_null(), "{field} in {meeting}");
        }
        assert!(
            meeting["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("http://kith.test/groups/"))
        );
        assert!(
            meeting.get("conference_url").is_none() && meeting.get("conference_phone").is_none()
        );
        assert!(meeting.get("address").is_none(), "never a street address");
        assert!(
            meeting["notes"]
                .as_str()
                .is_some_and(|n| n.starts_with("Focus: ")),
            "{meeting}"
        );
    }
    let text = feed.to_string();
    assert!(
        !text.contains("<p>") && !text.contains("**"),
        "notes are plain text"
    );

    let page = app.get("/").await.body;
    assert!(page.contains(r#"<link rel="alternate" type="application/json" title="Meetings Feed" href="/feeds/meeting-guide.json">"#));

    if python_with_jsonschema() {
        use std::io::Write;
        let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/meeting-guide/schema");
        let mut child = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/meeting_guide_check.py"
            ))
            .arg(schema)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(response.body.as_bytes())
            .expect("write");
        let output = child.wait_with_output().expect("wait");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "ok",
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test]
async fn the_feed_maps_attributes_and_language_and_leaves_out_what_it_cannot_say() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let mut client = app.api_as(&host).await;
    let created = client
        .json("POST", "/api/v1/groups", serde_json::json!({
            "name": "Harbour Circle",
            "description": "**Gentle** check-ins.",
            "facilitation_style": "check_in_round",
            "focus": ["tapering", "staying_off"],
            "attributes": ["open", "lgbtq", "captions"],
            "format": "in_person",
            "city": "Lisboa",
            "country": "PT",
            "language": "pt-PT",
            "time_zone": "Europe/Lisbon",
            "street_address": "Rua Secreta 1",
            "rules": [
                {"weekdays": [1, 3], "start": "18:00", "duration_minutes": 90},
                {"kind": "monthly", "weekdays": [6], "month_weeks": [1], "start": "10:00", "duration_minutes": 60},
                {"weekdays": [5], "start": "09:00", "duration_minutes": 60}
            ]
        }))
        .await;
    let slug = created.json()["slug"].as_str().expect("slug").to_owned();
    app.api_as(&moderator)
        .await
        .json(
            "POST",
            &format!("/api/v1/moderation/groups/{slug}/approve"),
            serde_json::json!({}),
        )
        .await;
    let feed = app.get("/feeds/meeting-guide.json").await.json();
    let meetings = feed.as_array().expect("array");
    assert_eq!(
        meetings.len(),
        2,
        "two weekly rules; the monthly one has no form in the spec"
    );
    assert_eq!(meetings[0]["slug"], slug.as_str());
    assert_eq!(meetings[0]["day"], serde_json::json!([1, 3]));
    assert_eq!(meetings[0]["time"], "18:00");
    assert_eq!(meetings[0]["end_time"], "19:30");
    assert_eq!(meetings[0]["timezone"], "Europe/Lisbon");
    assert_eq!(
        meetings[0]["types"],
        serde_json::json!(["O", "LGBTQ", "POR"])
    );
    assert_eq!(
        meetings[0]["notes"],
        "Focus: Tapering and withdrawal, Staying off\n\nGentle check-ins."
    );
    assert_eq!(meetings[0]["city"], "Lisboa");
    assert_eq!(meetings[1]["slug"], format!("{slug}-2"));
    assert_eq!(meetings[1]["day"], 5);
    assert!(!feed.to_string().contains("Rua Secreta"));
}

#[tokio::test]
async fn a_hosts_own_calendar_has_their_groups_private_details_behind_a_revocable_link() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let stranger = app.account("Passerby", Role::Member).await;
    let listed = app
        .group_hosted_by(&host, "Quiet Circle", ListingStatus::Listed)
        .await;
    let pending = app
        .group_hosted_by(&host, "Second Circle", ListingStatus::Pending)
        .await;
    app.group_hosted_by(&stranger, "Not Theirs", ListingStatus::Listed)
        .await;

    let mut browser = app.browser_as(&host).await;
    browser.get("/me").await;
    let made = browser.post_form("/me/calendar-link", &[]).await;
    assert_eq!(made.status, StatusCode::OK);
    let marker = "id=\"calendar-url\" type=\"text\" readonly value=\"";
    let start = made.body.find(marker).expect("the link is shown once") + marker.len();
    let url = made.body[start..]
        .split('"')
        .next()
        .expect("url")
        .to_owned();
    let path = url.trim_start_matches("http://kith.test").to_owned();
    assert!(path.starts_with("/me/calendar.ics?token="), "{url}");
    assert!(
        !browser.get("/me").await.body.contains(&path),
        "shown only once"
    );

    let ics = app.get(&path).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert_eq!(ics.header("cache-control"), "private, no-store");
    let body = ics.body.replace("\r\n ", "");
    let public = app
        .get(&format!("/groups/{listed}/calendar.ics"))
        .await
        .body;
    let uid = public
        .lines()
        .find_map(|line| line.strip_prefix("UID:"))
        .expect("a UID");
    assert!(body.contains(&format!("UID:{uid}\r\n")), "the same series");
    assert_eq!(body.matches("UID:").count(), 2, "every group they host");
    assert!(!body.contains(listed.as_str()) && !body.contains(pending.as_str()));
    assert!(
        body.contains("Call link: https://meet.example.org/PRIVATE-CANARY"),
        "{body}"
    );
    assert!(!body.contains("Not Theirs"));
    assert_eq!(body.matches("BEGIN:VTIMEZONE").count(), 1, "one per zone");

    // A new link replaces the old; turning it off ends it.
    let again = app
        .api_as(&host)
        .await
        .json("POST", "/api/v1/me/calendar-link", serde_json::json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    let new_url = again.json()["url"].as_str().expect("url").to_owned();
    let new_path = new_url[new_url.find("/me/").expect("path")..].to_owned();
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&new_path).await.status, StatusCode::OK);
    let off = app
        .api_as(&host)
        .await
        .json("DELETE", "/api/v1/me/calendar-link", serde_json::json!({}))
        .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&new_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/me/calendar.ics").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/me/calendar.ics?token=0123456789abcdef0123456789abcdef")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_person_asks_to_host_an_imported_group_through_the_page_and_the_api() {
    let app = TestApp::empty().await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let claimant = app.account("Serenity", Role::Member).await;
    let feed = r#"[{"name": "Sunday Serenity", "slug": "sunday-serenity-14", "day": 0, "time": "18:00",
        "timezone": "America/Los_Angeles", "city": "Anytown", "url": "https://district123.org/m/1"}]"#;
    kith_app::imports::import_meeting_guide(
        &app.context,
        feed,
        "test",
        ListingStatus::Listed,
        crate::support::now(),
        &mut |_, _| {},
    )
    .await
    .expect("import");
    assert!(
        !app.get("/groups/sunday-serenity-14")
            .await
            .body
            .contains("Ask to host it"),
        "not for the anonymous"
    );

    let mut browser = app.browser_as(&claimant).await;
    let page = browser.get("/groups/sunday-serenity-14").await;
    assert!(page.body.contains("Ask to host it on kith"));
    let sent = browser
        .post_form(
            "/groups/sunday-serenity-14/claim",
            &[("message", "I run it.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert!(
        browser
            .get("/groups/sunday-serenity-14?claimed=1")
            .await
            .body
            .contains("The moderators will look at your request.")
    );
    let again = app
        .api_as(&claimant)
        .await
        .json(
            "POST",
            "/api/v1/groups/sunday-serenity-14/claims",
            serde_json::json!({"message": "Again"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["code"], "already_asked");

    let mut warden = app.api_as(&moderator).await;
    let claims = warden.get("/api/v1/moderation/claims").await.json();
    assert_eq!(claims[0]["handle"], "Serenity");
    assert!(
        app.browser_as(&moderator)
            .await
            .get("/moderation")
            .await
            .body
            .contains("I run it.")
    );
    let id = claims[0]["id"].as_i64().expect("id");
    let approved = warden
        .json(
            "POST",
            &format!("/api/v1/moderation/claims/{id}/approve"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::NO_CONTENT);
    let edit = app
        .browser_as(&claimant)
        .await
        .get("/groups/sunday-serenity-14/edit")
        .await;
    assert_eq!(edit.status, StatusCode::OK, "the claimant hosts it now");
}

#[tokio::test]
async fn the_meeting_guide_feed_is_made_once_answers_304_to_its_tag_and_follows_changes() {
    use tower::ServiceExt;

    let db = kith_store::testing::TempSqlite::create().await;
    let groups = [kith_app::testing::GroupBuilder::new("Tuesday Circle")
        .weekly(&[jiff::civil::Weekday::Tuesday], "19:00", "Europe/Berlin")
        .build()];
    // The server's default: a 30-second cache.
    let state = crate::support::state(db.store.clone(), std::time::Duration::from_secs(30));
    let context = state.app.clone();
    kith_app::groups::create_groups(&context, &groups, crate::support::now())
        .await
        .expect("create");
    let router = kith_web::router(state);
    let get = |etag: Option<String>| {
        let router = router.clone();
        async move {
            let mut request =
                axum::http::Request::get("/feeds/meeting-guide.json").header("host", "kith.test");
            if let Some(etag) = etag {
                request = request.header("if-none-match", etag);
            }
            let response = router
                .oneshot(request.body(axum::body::Body::empty()).expect("request"))
                .await
                .expect("infallible");
            let status = response.status();
            let etag = response
                .headers()
                .get("etag")
                .map(|v| v.to_str().expect("ascii").to_owned());
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .expect("body")
                .to_bytes();
            (
                status,
                etag,
                String::from_utf8(bytes.to_vec()).expect("utf-8"),
            )
        }
    };

    let (status, etag, body) = get(None).await;
    assert_eq!(status, StatusCode::OK);
    let etag = etag.expect("an entity tag");
    assert!(body.contains("tuesday-circle") && !body.contains("sunday-serenity"));
    let (status, again, body) = get(Some(etag.clone())).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.as_deref(), Some(etag.as_str()));
    assert!(body.is_empty());
    let (status, _, _) = get(Some("\"something-else\"".into())).await;
    assert_eq!(status, StatusCode::OK);
    // A group written past the cache (by an app without it, as another
    // instance would) waits for the next step: the feed is not read again
    // for each request.
    let unseen = [kith_app::testing::GroupBuilder::new("Unseen Circle")
        .weekly(&[jiff::civil::Weekday::Friday], "19:00", "Europe/Berlin")
        .build()];
    let elsewhere = kith_app::testing::app(db.store.clone());
    kith_app::groups::create_groups(&elsewhere, &unseen, crate::support::now())
        .await
        .expect("create");
    let (status, same, body) = get(None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same.as_deref(), Some(etag.as_str()));
    assert!(!body.contains("unseen-circle"));

    // An import through the same cache: the next request sees it at once.
    let feed = r#"[{"name": "Sunday Serenity", "slug": "sunday-serenity", "day": 0, "time": "18:00",
        "timezone": "America/Los_Angeles", "url": "https://district123.org/m/1"}]"#;
    kith_app::imports::import_meeting_guide(
        &context,
        feed,
        "test",
        ListingStatus::Listed,
        crate::support::now(),
        &mut |_, _| {},
    )
    .await
    .expect("import");
    let (status, changed, body) = get(Some(etag.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(changed.as_deref(), Some(etag.as_str()));
    assert!(
        body.contains("tuesday-circle")
            && body.contains("sunday-serenity")
            && body.contains("unseen-circle")
    );
}
