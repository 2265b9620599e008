//! `/groups` and `/api/v1/groups`.

use axum::http::StatusCode;
use jiff::civil::Weekday;
use kith_app::testing::GroupBuilder;
use kith_domain::group::{Attribute, Focus, Format, ListingStatus};

use crate::support::{TestApp, names};

async fn sample() -> TestApp {
    TestApp::with_groups(vec![
        // Tuesday 19:00 in Berlin (CEST in June): 17:00 UTC.
        GroupBuilder::new("Berlin Tuesday Video")
            .weekly(&[Weekday::Tuesday], "19:00", "Europe/Berlin")
            .build(),
        // Tuesday 19:00 in New York: 23:00 UTC, 01:00 Wednesday in Berlin.
        GroupBuilder::new("New York Tuesday Phone")
            .weekly(&[Weekday::Tuesday], "19:00", "America/New_York")
            .format(Format::Phone)
            .focus(&[Focus::HearingVoices])
            .build(),
        // Started at 09:30 UTC, still running at 10:00.
        GroupBuilder::new("Monday Morning Circle")
            .weekly(&[Weekday::Monday], "09:30", "UTC")
            .minutes(90)
            .attributes(&[Attribute::Women, Attribute::Wheelchair])
            .build(),
        // Starts at 11:00 UTC today.
        GroupBuilder::new("Kathmandu Evening")
            .weekly(&[Weekday::Monday], "16:45", "Asia/Kathmandu")
            .language("ne")
            .build(),
        GroupBuilder::new("Köln Hybrid Gruppe")
            .weekly(&[Weekday::Thursday], "18:00", "Europe/Berlin")
            .format(Format::Hybrid)
            .language("de")
            .place("DE", Some("Nordrhein-Westfalen"), "Köln")
            .build(),
        GroupBuilder::new("São Paulo Roda")
            .weekly(
                &[Weekday::Wednesday, Weekday::Saturday],
                "20:00",
                "America/Sao_Paulo",
            )
            .language("pt-BR")
            .focus(&[Focus::StayingOff, Focus::Considering])
            .build(),
        GroupBuilder::new("Pending Group")
            .status(ListingStatus::Pending)
            .build(),
    ])
    .await
}

#[tokio::test]
async fn the_directory_orders_by_next_meeting_and_shows_it_in_the_viewers_zone() {
    let app = sample().await;
    let page = app.json("/api/v1/groups?tz=Europe/Berlin").await;
    // The meeting in progress first (it started at 09:30 UTC), not next
    // Monday's.
    assert_eq!(
        names(&page),
        [
            "Monday Morning Circle",
            "Kathmandu Evening",
            "Berlin Tuesday Video",
            "New York Tuesday Phone",
            "São Paulo Roda",
            "Köln Hybrid Gruppe"
        ]
    );
    assert_eq!(
        page["items"][0]["next_meeting"]["starts_at"],
        "2026-06-01T11:30:00+02:00"
    );
    let first = &page["items"][1]["next_meeting"];
    assert_eq!(
        (first["start"].as_str(), first["zone_abbreviation"].as_str()),
        (Some("13:00"), Some("CEST"))
    );
    assert_eq!(first["starts_at"], "2026-06-01T13:00:00+02:00");
    assert_eq!(page["time_zone"], "Europe/Berlin");
    assert_eq!(page["next_page"], serde_json::Value::Null);
    let ny = &page["items"][3];
    assert_eq!(
        (
            ny["next_meeting"]["weekday"].as_i64(),
            ny["next_meeting"]["start"].as_str()
        ),
        (Some(3), Some("01:00"))
    );
    assert_eq!(ny["online"], true);
    assert_eq!(ny["time_zone"], "America/New_York");
}

#[tokio::test]
async fn weekday_and_time_of_day_are_the_viewers() {
    let app = sample().await;
    // Tuesday evening in Berlin: only the Berlin group (New York's is Wednesday 01:00 there).
    assert_eq!(
        names(
            &app.json("/api/v1/groups?day=2&time=evening&tz=Europe/Berlin")
                .await
        ),
        ["Berlin Tuesday Video"]
    );
    // Tuesday evening in New York: only the New York group (Berlin's is Tuesday 13:00 there).
    assert_eq!(
        names(
            &app.json("/api/v1/groups?day=2&time=evening&tz=America/New_York")
                .await
        ),
        ["New York Tuesday Phone"]
    );
    // Tuesday night in Berlin runs into Wednesday 05:00, which holds New York's 01:00.
    assert_eq!(
        names(
            &app.json("/api/v1/groups?day=2&time=night&tz=Europe/Berlin")
                .await
        ),
        ["New York Tuesday Phone"]
    );
}

#[tokio::test]
async fn starting_within_and_in_progress_read_the_clock() {
    let app = sample().await;
    assert_eq!(
        names(&app.json("/api/v1/groups?starts_within=90").await),
        ["Kathmandu Evening"]
    );
    assert_eq!(
        names(&app.json("/api/v1/groups?in_progress=true").await),
        ["Monday Morning Circle"]
    );
    let now_or_soon = app
        .json("/api/v1/groups?in_progress=true&starts_within=90")
        .await;
    assert_eq!(
        names(&now_or_soon),
        ["Monday Morning Circle", "Kathmandu Evening"]
    );
}

#[tokio::test]
async fn every_filter_narrows_the_directory() {
    let app = sample().await;
    let cases: [(&str, &[&str]); 10] = [
        (
            "format=phone&format=hybrid",
            &["New York Tuesday Phone", "Köln Hybrid Gruppe"],
        ),
        ("focus=hearing_voices", &["New York Tuesday Phone"]),
        (
            "focus=considering&focus=hearing_voices",
            &["New York Tuesday Phone", "São Paulo Roda"],
        ),
        (
            "attribute=women&attribute=wheelchair",
            &["Monday Morning Circle"],
        ),
        ("attribute=women&attribute=men", &[]),
        ("language=pt", &["São Paulo Roda"]),
        ("language=de&country=de&city=KOLN", &["Köln Hybrid Gruppe"]),
        ("region=nordrhein-westfalen", &["Köln Hybrid Gruppe"]),
        ("q=sao%20rod", &["São Paulo Roda"]),
        ("q=pending", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            names(&app.json(&format!("/api/v1/groups?{query}")).await),
            expected,
            "{query}"
        );
    }
}

#[tokio::test]
async fn pages_hold_twenty_groups_and_link_to_the_next() {
    let groups = (0..45)
        .map(|i| GroupBuilder::new(&format!("Group {i:02}")).build())
        .collect();
    let app = TestApp::with_groups(groups).await;
    let first = app.json("/api/v1/groups").await;
    assert_eq!(names(&first).len(), 20);
    assert_eq!(first["next_page"], 2);
    let third = app.json("/api/v1/groups?page=3").await;
    assert_eq!(
        names(&third),
        ["Group 40", "Group 41", "Group 42", "Group 43", "Group 44"]
    );
    assert_eq!(third["next_page"], serde_json::Value::Null);
    let html = app.get("/groups?page=2&format=video").await;
    assert!(
        html.body
            .contains(r#"rel="prev" href="/groups?format=video""#),
        "{}",
        html.body
    );
    assert!(
        html.body
            .contains(r#"rel="next" href="/groups?format=video&#38;page=3""#)
    );
}

#[tokio::test]
async fn bad_filters_answer_a_problem_naming_the_field() {
    let app = sample().await;
    let cases = [
        ("format=carrier_pigeon", "format", "invalid_value"),
        ("day=9", "day", "invalid_value"),
        ("time=brunch", "time", "invalid_value"),
        ("tz=Mars/Phobos", "tz", "unknown_time_zone"),
        ("page=-1", "page", "invalid_value"),
        ("page=0", "page", "invalid_value"),
        ("starts_within=abc", "starts_within", "invalid_value"),
        ("in_progress=perhaps", "in_progress", "invalid_value"),
        ("focus=astrology", "focus", "invalid_value"),
        ("attribute=vip", "attribute", "invalid_value"),
        ("language=english!", "language", "invalid_value"),
        ("country=Germany", "country", "invalid_value"),
    ];
    for (query, field, code) in cases {
        let response = app.get(&format!("/api/v1/groups?{query}")).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.header("content-type"), "application/problem+json");
        let problem = response.json();
        assert_eq!(problem["code"], "invalid_filter", "{query}");
        assert_eq!(problem["field"], field, "{query}");
        assert_eq!(problem["errors"][0]["code"], code, "{query}");
        assert!(
            problem["errors"][0]["detail"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
    }
}

#[tokio::test]
async fn the_html_directory_shows_each_error_by_its_filter_and_keeps_the_rest() {
    let app = sample().await;
    let page = app
        .get("/groups?day=9&format=phone&q=york&city=Springfield%3Cb%3E&tz=Europe/Berlin")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains(r#"class="error-summary""#));
    assert!(
        page.body
            .contains(r##"<a href="#f-day">Choose a day of the week.</a>"##)
    );
    assert!(
        page.body
            .contains(r#"<p class="error" id="f-day-error">Choose a day of the week.</p>"#)
    );
    assert!(
        page.body.contains(r#"value="york""#),
        "the search words are kept"
    );
    assert!(
        page.body.contains(r#"name="format" value="phone" checked"#),
        "the format is kept"
    );
    assert!(
        page.body.contains(r#"value="Springfield&#60;b&#62;""#),
        "typed text is kept, escaped"
    );
    assert!(
        page.body
            .contains(r#"<option value="Europe/Berlin" selected>Berlin</option>"#)
    );
}

#[tokio::test]
async fn the_html_directory_lists_groups_with_their_next_meeting() {
    let app = sample().await;
    let page = app.get("/groups?tz=Europe/Berlin&format=video&day=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Berlin Tuesday Video"));
    assert!(page.body.contains(r#"<time datetime="2026-06-02T19:00:00+02:00" title="2026-06-02">tomorrow 19:00–20:00 CEST</time>"#), "{}", page.body);
    assert!(!page.body.contains("New York Tuesday Phone"));
    assert!(
        page.header("set-cookie")
            .starts_with("kith_tz=Europe/Berlin;")
    );
    assert!(page.body.contains(r#"data-zone-from="query""#));
    assert!(
        page.body.contains(r#"<details class="more-filters">"#),
        "unused filters stay folded"
    );
}

#[tokio::test]
async fn the_results_come_before_the_filters_with_the_applied_ones_named() {
    let app = sample().await;
    let page = app
        .get("/groups?tz=Europe/Berlin&format=hybrid&day=4&time=evening&q=k%C3%B6ln")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let results = body.find(r#"<section class="results""#).expect("results");
    let summary = body.find(r#"<div class="applied">"#).expect("summary");
    let card = body.find(r#"class="group-card""#).expect("a result");
    let form = body
        .find(r#"<form class="filters" id="filters""#)
        .expect("filters");
    assert!(
        results < summary && summary < card && card < form,
        "on a phone the groups come first, the filters after them"
    );
    let applied = &body[summary..card];
    assert!(
        applied.contains(
            "<span>köln</span> · <span>Hybrid (in person and by call)</span> · <span>Thursday</span> · <span>Evening (17–21)</span>"
        ),
        "{applied}"
    );
    assert!(applied.contains(r##"<a href="#filters">Change filters</a>"##));
    assert!(applied.contains(r#"<a href="/groups">Clear filters</a>"#));

    // What the reader typed is named, escaped.
    let typed = app
        .get("/groups?tz=Europe/Berlin&q=%3Cb%3Ebold&city=Springfield%3Cb%3E")
        .await;
    let start = typed
        .body
        .find(r#"<div class="applied">"#)
        .expect("summary");
    let end = typed.body.find(r#"class="zone-note""#).expect("zone note");
    let applied = &typed.body[start..end];
    assert!(
        applied.contains("<span>&#60;b&#62;bold</span>"),
        "{applied}"
    );
    assert!(!applied.contains("<b>"), "{applied}");
    assert!(
        applied.contains("<span>Springfield&#60;b&#62;</span>"),
        "{applied}"
    );

    let all = app.get("/groups?tz=Europe/Berlin").await;
    let start = all.body.find(r#"<div class="applied">"#).expect("summary");
    let end = all.body.find(r#"class="zone-note""#).expect("zone note");
    let applied = &all.body[start..end];
    assert!(applied.contains("Showing every group."), "{applied}");
    assert!(!applied.contains(r#"href="/groups""#), "nothing to clear");
}

#[tokio::test]
async fn the_zone_cookie_is_used_when_the_query_names_none() {
    let app = sample().await;
    // Wednesday in Tokyo holds Berlin's and New York's Tuesday meetings …
    let page = app
        .get_with("/api/v1/groups?day=3", &[("cookie", "kith_tz=Asia/Tokyo")])
        .await
        .json();
    assert_eq!(page["time_zone"], "Asia/Tokyo");
    assert_eq!(
        names(&page),
        ["Berlin Tuesday Video", "New York Tuesday Phone"]
    );
    // … while Wednesday in UTC, without the cookie, holds São Paulo's.
    assert_eq!(
        names(&app.json("/api/v1/groups?day=3").await),
        ["São Paulo Roda"]
    );
    let html = app
        .get_with("/groups", &[("cookie", "kith_tz=Asia/Tokyo")])
        .await;
    assert!(html.body.contains("JST"));
    assert!(html.body.contains(r#"data-zone-from="cookie""#));
    let default = app.get("/groups").await;
    assert!(default.body.contains(r#"data-zone-from="default""#));
    assert!(default.body.contains("UTC"));
}

#[tokio::test]
async fn a_cached_page_is_shown_in_each_readers_own_zone() {
    use tower::ServiceExt;

    let db = kith_store::testing::TempSqlite::create().await;
    let groups = [GroupBuilder::new("Berlin Tuesday Video")
        .weekly(&[Weekday::Tuesday], "19:00", "Europe/Berlin")
        .build()];
    let state = crate::support::state(db.store.clone(), std::time::Duration::from_secs(30));
    kith_app::groups::create_groups(&state.app, &groups, crate::support::now())
        .await
        .expect("create");
    let router = kith_web::router(state);
    let mut starts = Vec::new();
    for cookie in [
        "kith_tz=Asia/Tokyo",
        "kith_tz=America/New_York",
        "kith_tz=Asia/Tokyo",
    ] {
        let request = axum::http::Request::get("/api/v1/groups")
            .header("cookie", cookie)
            .body(axum::body::Body::empty())
            .expect("request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .expect("body")
            .to_bytes();
        let page: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        starts.push(
            page["items"][0]["next_meeting"]["starts_at"]
                .as_str()
                .expect("start")
                .to_owned(),
        );
    }
    assert_eq!(
        starts,
        [
            "2026-06-03T02:00:00+09:00",
            "2026-06-02T13:00:00-04:00",
            "2026-06-03T02:00:00+09:00"
        ]
    );
}

#[tokio::test]
async fn a_cached_group_page_keeps_each_readers_zone_and_follows_a_new_host() {
    use tower::ServiceExt;

    let db = kith_store::testing::TempSqlite::create().await;
    let store = db.store.clone();
    let groups = [GroupBuilder::new("Berlin Tuesday Video")
        .weekly(&[Weekday::Tuesday], "19:00", "Europe/Berlin")
        .build()];
    let state = crate::support::state(store.clone(), std::time::Duration::from_secs(30));
    let context = state.app.clone();
    let slug = kith_app::groups::create_groups(&context, &groups, crate::support::now())
        .await
        .expect("create")
        .remove(0);
    let router = kith_web::router(state);
    let page = |cookie: &'static str| {
        let router = router.clone();
        let path = format!("/groups/{slug}");
        async move {
            let request = axum::http::Request::get(path)
                .header("cookie", cookie)
                .body(axum::body::Body::empty())
                .expect("request");
            let response = router.oneshot(request).await.expect("infallible");
            assert_eq!(response.status(), StatusCode::OK);
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .expect("body")
                .to_bytes();
            String::from_utf8(bytes.to_vec()).expect("utf-8")
        }
    };
    // One read serves both readers, each in their own zone.
    let tokyo = page("kith_tz=Asia/Tokyo").await;
    let new_york = page("kith_tz=America/New_York").await;
    assert!(
        tokyo.contains("02:00") && !tokyo.contains("13:00"),
        "Wednesday 02:00 in Tokyo"
    );
    assert!(new_york.contains("13:00"), "Tuesday 13:00 in New York");

    // A host added past the app (no invalidation) waits for the next step:
    // the page is not read again for each request.
    let person = |handle: &'static str| {
        let (store, context) = (store.clone(), context.clone());
        async move {
            let registration = kith_app::accounts::Registration {
                handle: handle.to_owned(),
                email: format!("{handle}@example.org"),
                password: "correct horse battery staple".to_owned(),
            };
            kith_app::accounts::create_staff(
                &context,
                &registration,
                kith_domain::account::Role::Member,
                crate::support::now(),
            )
            .await
            .expect("account");
            let handle = kith_domain::account::Handle::parse(handle).expect("handle");
            let id = store
                .account_by_handle(&handle)
                .await
                .expect("lookup")
                .expect("exists")
                .id;
            kith_app::access::Person {
                id,
                handle,
                role: kith_domain::account::Role::Member,
                email_verified: true,
            }
        }
    };
    let rowan = person("rowan").await;
    person("hazel").await;
    let access = store.group_access(&slug).await.expect("access");
    store.add_host(access.id, rowan.id).await.expect("host");
    assert!(!page("kith_tz=UTC").await.contains("rowan"));
    // Through the app, a change shows at once.
    kith_app::hosting::add_cohost(&context, &rowan, &slug, "hazel")
        .await
        .expect("co-host");
    let after = page("kith_tz=UTC").await;
    assert!(after.contains("rowan") && after.contains("hazel"));
}
