//! Words for "when" (issue 18, item 2): a reader in Melbourne sees "happening
//! now", "in 40 min", "today", "tomorrow" and weekday-and-date in the
//! directory and on group pages, each in their own local day; the zone kept
//! on an account, its precedence, and the `/me` form that chooses it.
//!
//! The clock is Monday 1 June 2026 10:00 UTC: 20:00 AEST in Melbourne.

use axum::http::StatusCode;
use jiff::civil::Weekday;
use kith_app::testing::GroupBuilder;
use kith_domain::account::Role;

use crate::support::{TestApp, names};

const MELBOURNE: &str = "kith_tz=Australia/Melbourne";

async fn sample() -> TestApp {
    TestApp::with_groups(vec![
        // 19:30–21:00 AEST Monday: in progress.
        GroupBuilder::new("Now Circle")
            .weekly(&[Weekday::Monday], "19:30", "Australia/Melbourne")
            .minutes(90)
            .build(),
        // 20:40 AEST: starts in 40 minutes.
        GroupBuilder::new("Soon Circle")
            .weekly(&[Weekday::Monday], "20:40", "Australia/Melbourne")
            .minutes(60)
            .build(),
        // 22:00 AEST: later today.
        GroupBuilder::new("Late Circle")
            .weekly(&[Weekday::Monday], "22:00", "Australia/Melbourne")
            .minutes(60)
            .build(),
        // Monday 18:15 EDT in New York is Tuesday 08:15 AEST: tomorrow for
        // a Melbourne reader, today for one in UTC (22:15).
        GroupBuilder::new("Harbour Circle")
            .weekly(&[Weekday::Monday], "18:15", "America/New_York")
            .minutes(60)
            .build(),
        // Sunday 07:35 AEST: after tomorrow, a weekday and date.
        GroupBuilder::new("Sunday Circle")
            .weekly(&[Weekday::Sunday], "07:35", "Australia/Melbourne")
            .minutes(60)
            .build(),
    ])
    .await
}

/// The directory card of the group named `name`.
fn card<'a>(body: &'a str, name: &str) -> &'a str {
    let start = body
        .find(&format!(">{name}</a></h3>"))
        .unwrap_or_else(|| panic!("no card for {name} in {body}"));
    let rest = &body[start..];
    &rest[..rest.find("</article>").expect("card end")]
}

#[tokio::test]
async fn a_melbourne_reader_reads_when_in_words_of_their_own_day() {
    let app = sample().await;
    let page = app.get_with("/groups", &[("cookie", MELBOURNE)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let words = [
        (
            "Now Circle",
            "happening now — late is fine, until 21:00 AEST",
        ),
        ("Soon Circle", "in 40 min, 20:40–21:40 AEST"),
        ("Late Circle", "today 22:00–23:00 AEST"),
        ("Harbour Circle", "tomorrow 08:15–09:15 AEST"),
        ("Sunday Circle", "Sun 7 Jun, 07:35–08:35 AEST"),
    ];
    for (name, when) in words {
        assert!(
            card(body, name).contains(when),
            "{name}: {}",
            card(body, name)
        );
    }
    // The machine value stays: the meeting's own start, with its offset.
    assert!(
        card(body, "Now Circle").contains(r#"<time datetime="2026-06-01T19:30:00+10:00""#),
        "{}",
        card(body, "Now Circle")
    );
    // The meeting in progress comes first, not next week's.
    let order = names(&app.json("/api/v1/groups?tz=Australia/Melbourne").await);
    assert_eq!(
        order,
        [
            "Now Circle",
            "Soon Circle",
            "Late Circle",
            "Harbour Circle",
            "Sunday Circle"
        ]
    );

    // In UTC, the New York meeting is today (22:15 UTC Monday).
    let utc = app.get("/groups?tz=UTC").await;
    assert!(
        card(&utc.body, "Harbour Circle").contains("today 22:15–23:15 UTC"),
        "{}",
        card(&utc.body, "Harbour Circle")
    );
}

#[tokio::test]
async fn a_group_in_progress_shows_that_meeting_on_its_page() {
    let app = sample().await;
    let directory = app.json("/api/v1/groups?tz=Australia/Melbourne").await;
    let slug = |name: &str| {
        directory["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|g| g["name"] == name)
            .and_then(|g| g["slug"].as_str())
            .expect("slug")
            .to_owned()
    };
    let now = app
        .get_with(
            &format!("/groups/{}", slug("Now Circle")),
            &[("cookie", MELBOURNE)],
        )
        .await;
    assert_eq!(now.status, StatusCode::OK);
    let first = now.body.find("happening now — late is fine").expect("now");
    let next_week = now.body.find("Mon 8 Jun, 19:30").expect("next week");
    assert!(first < next_week, "the meeting in progress is listed first");
    // The group's own zone column keeps its plain date.
    assert!(now.body.contains("2026-06-01"));

    let harbour = app
        .get_with(
            &format!("/groups/{}", slug("Harbour Circle")),
            &[("cookie", MELBOURNE)],
        )
        .await;
    assert!(
        harbour.body.contains("tomorrow 08:15–09:15 AEST"),
        "{}",
        harbour.body
    );
}

kith_store::on_both_backends!(
    the_account_zone_shows_pages_when_the_browser_names_none,
    |store| async move {
        let app = TestApp::on(store);
        let wren = app.account("Wren", Role::Member).await;
        let mut browser = app.browser_as(&wren).await;
        // The /me form offers the zones and keeps the choice.
        let me = browser.get("/me").await;
        assert!(me.body.contains(r#"name="time_zone""#), "{}", me.body);
        let refused = browser
            .post_form("/me/time-zone", &[("time_zone", "Mars/Olympus_Mons")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Choose a time zone from the list."));
        assert!(refused.body.contains(r#"aria-invalid="true""#));
        assert_eq!(
            app.db.store.account_zone(wren.id).await.expect("zone"),
            None,
            "nothing written"
        );
        let chosen = browser
            .post_form("/me/time-zone", &[("time_zone", "Australia/Melbourne")])
            .await;
        assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
        assert!(chosen.headers.get_all("set-cookie").iter().any(|v| {
            v.to_str()
                .unwrap_or_default()
                .starts_with("kith_tz=Australia/Melbourne;")
        }));
        assert_eq!(
            app.db
                .store
                .account_zone(wren.id)
                .await
                .expect("zone")
                .as_deref(),
            Some("Australia/Melbourne")
        );
        let saved = browser.get("/me?done=zone").await;
        assert!(
            saved
                .body
                .contains(r#"<option value="Australia/Melbourne" selected>Melbourne</option>"#),
            "{}",
            saved.body
        );

        // Precedence: the account's zone when the browser names none …
        browser.cookies.retain(|(name, _)| name != "kith_tz");
        let groups = browser.get("/groups").await;
        assert!(
            groups.body.contains("<strong>Australia/Melbourne</strong>"),
            "{}",
            groups.body
        );
        assert!(groups.body.contains(r#"data-zone-from="cookie""#));
        // … the cookie before the account …
        browser
            .cookies
            .push(("kith_tz".into(), "Europe/Berlin".into()));
        let groups = browser.get("/groups").await;
        assert!(groups.body.contains("<strong>Europe/Berlin</strong>"));
        // … and an explicit `tz` before both.
        let groups = browser.get("/groups?tz=Asia/Kathmandu").await;
        assert!(groups.body.contains("<strong>Asia/Kathmandu</strong>"));
    }
);

kith_store::on_both_backends!(
    logging_in_keeps_the_browsers_zone_unless_one_was_chosen,
    |store| async move {
        let app = TestApp::on(store);
        let wren = app.account("Wren", Role::Member).await;
        let mut browser = app.browser();
        browser
            .cookies
            .push(("kith_tz".into(), "Australia/Melbourne".into()));
        browser.get("/login").await;
        let login = browser
            .post_form(
                "/login",
                &[("login", "wren"), ("password", crate::support::PASSWORD)],
            )
            .await;
        assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
        assert_eq!(
            app.db
                .store
                .account_zone(wren.id)
                .await
                .expect("zone")
                .as_deref(),
            Some("Australia/Melbourne")
        );
        // A later login from Berlin keeps Melbourne: only /me changes it.
        let mut elsewhere = app.browser();
        elsewhere
            .cookies
            .push(("kith_tz".into(), "Europe/Berlin".into()));
        elsewhere.get("/login").await;
        let again = elsewhere
            .post_form(
                "/login",
                &[("login", "wren"), ("password", crate::support::PASSWORD)],
            )
            .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.db
                .store
                .account_zone(wren.id)
                .await
                .expect("zone")
                .as_deref(),
            Some("Australia/Melbourne")
        );
    }
);

#[tokio::test]
async fn registering_keeps_the_browsers_zone_on_the_new_account() {
    let app = TestApp::empty().await;
    let mut browser = app.browser();
    browser
        .cookies
        .push(("kith_tz".into(), "Asia/Kathmandu".into()));
    browser.get("/register").await;
    let registered = browser
        .post_form(
            "/register",
            &[
                ("handle", "Juniper"),
                ("email", "juniper@example.org"),
                ("password", "a quiet walk by the river"),
            ],
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    let account = app
        .db
        .store
        .account_by_handle(&kith_domain::account::Handle::parse("Juniper").expect("handle"))
        .await
        .expect("lookup")
        .expect("registered");
    assert_eq!(account.time_zone.as_deref(), Some("Asia/Kathmandu"));
}

kith_store::on_both_backends!(
    a_newcomer_joining_with_one_form_keeps_the_browsers_zone,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = crate::membership::listed_group(&app, &host, "Welcome Circle", &[]).await;
        let join = format!("/groups/{slug}/join");
        let mut newcomer = app.browser();
        newcomer
            .cookies
            .push(("kith_tz".into(), "America/Los_Angeles".into()));
        newcomer.get(&join).await;
        let sent = newcomer
            .post_form(
                &join,
                &[
                    ("handle", "Newbie"),
                    ("email", "newbie@example.org"),
                    ("password", "a long and quiet river walk"),
                    ("answer", "I want company while tapering."),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let account = app
            .db
            .store
            .account_by_handle(&kith_domain::account::Handle::parse("Newbie").expect("handle"))
            .await
            .expect("lookup")
            .expect("registered");
        assert_eq!(account.time_zone.as_deref(), Some("America/Los_Angeles"));
    }
);
