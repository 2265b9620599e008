//! The group form as a person fills it in: language, country and zone by
//! name, times and links as people type them, "leave empty" that works,
//! and one meaning of "open".

use axum::http::StatusCode;
use kith_domain::account::Role;
use serde_json::json;

use crate::support::{Browser, TestApp, group_pairs};

/// A host's browser on the new-group form.
async fn host_on_the_form(app: &TestApp) -> Browser {
    let host = app.account("Willow", Role::Member).await;
    let mut browser = app.browser_as(&host).await;
    let form = browser.get("/groups/new").await;
    assert_eq!(form.status, StatusCode::OK);
    browser
}

/// The group form's fields with `changes` put in place of (or beside) the
/// defaults; an empty value removes the field.
fn fields_with(changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut owned = group_pairs("Saltmarsh Circle");
    for (key, value) in changes {
        owned.retain(|(k, _)| k != key);
        if !value.is_empty() {
            owned.push((key, (*value).to_owned()));
        }
    }
    owned
}

async fn post(
    browser: &mut Browser,
    uri: &str,
    owned: &[(&'static str, String)],
) -> crate::support::TestResponse {
    let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(uri, &fields).await
}

/// The group as its host reads it through the API.
async fn saved(browser: &Browser, location: &str) -> serde_json::Value {
    let mut api = browser.clone();
    let read = api.get(&format!("/api/v1{location}")).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    read.json()
}

#[tokio::test]
async fn the_group_form_offers_language_country_and_zone_by_name() {
    let app = TestApp::empty().await;
    let mut browser = host_on_the_form(&app).await;
    let body = browser.get("/groups/new").await.body;
    assert!(
        body.contains(r#"<option value="en" selected>English</option>"#),
        "{body}"
    );
    assert!(body.contains(r#"<option value="de">Deutsch (German)</option>"#));
    assert!(body.contains(r#"<option value="AU">Australia</option>"#));
    assert!(body.contains(r#"<option value="">No country (online only)</option>"#));
    assert!(body.contains(r#"<optgroup label="Australia">"#));
    assert!(body.contains(r#"<option value="Australia/Melbourne">Melbourne</option>"#));
    assert!(body.contains(r#"<option value="Asia/Kolkata">Kolkata</option>"#));
    for alias in ["US/Eastern", "Asia/Calcutta", "Europe/Kiev"] {
        assert!(!body.contains(&format!(r#"value="{alias}""#)), "{alias}");
    }
    // The schedule's fields say what they take, and a script (from kith's
    // own origin) shows only the chosen kind's.
    assert!(body.contains(r#"id="f-rules-0-start" name="rules[0].start" type="time""#));
    assert!(body.contains(r#"id="f-rules-0-first_date" name="rules[0].first_date" type="date""#));
    assert!(body.contains(r#"name="rules[0].duration_minutes" type="number""#));
    assert!(body.contains(r#"<div data-kinds="once">"#));
    assert!(body.contains(r#"<script src="/assets/forms.js" defer></script>"#));
    let script = browser.get("/assets/forms.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("data-rule-kind"));
}

#[tokio::test]
async fn the_directory_filters_by_language_country_and_zone_names() {
    let app = TestApp::demo().await;
    let page = app
        .get("/groups?language=de&country=au&tz=Australia/Melbourne")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains(r#"<option value="">Any language</option>"#));
    assert!(body.contains(r#"<option value="de" selected>Deutsch (German)</option>"#));
    assert!(body.contains(r#"<option value="AU" selected>Australia</option>"#));
    assert!(body.contains(r#"<option value="Australia/Melbourne" selected>Melbourne</option>"#));
    // A zone the list leaves out (an old alias) still shows, chosen.
    let legacy = app.get("/groups?tz=US/Eastern").await;
    assert_eq!(legacy.status, StatusCode::OK);
    assert!(
        legacy
            .body
            .contains(r#"<option value="US/Eastern" selected>US/Eastern</option>"#),
        "{}",
        legacy.body
    );
    // A refused filter keeps what the link carried, next to its error.
    let refused = app.get("/groups?country=Germany").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains(r#"<option value="GERMANY" selected>GERMANY</option>"#)
    );
    assert!(refused.body.contains(r#"id="f-country-error""#));
}

#[tokio::test]
async fn a_host_types_7pm_and_a_link_without_https() {
    let app = TestApp::empty().await;
    let mut browser = host_on_the_form(&app).await;
    let listed = post(
        &mut browser,
        "/groups/new",
        &fields_with(&[
            ("rules[0].start", "7pm"),
            ("call_link", "meet.example.org/abc"),
            ("language", "de"),
            ("country", "AU"),
            ("time_zone", "Australia/Melbourne"),
        ]),
    )
    .await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER, "{}", listed.body);
    let group = saved(&browser, listed.header("location")).await;
    assert_eq!(group["schedule"][0]["start"], "19:00");
    assert_eq!(
        group["private"]["call_link"],
        "https://meet.example.org/abc"
    );
    assert_eq!(group["language"], "de");
    assert_eq!(group["time_zone"], "Australia/Melbourne");
    assert_eq!(group["place"]["country"], "AU");

    // The JSON API keeps the exact formats its document gives.
    let mut api = browser.clone();
    let mut body = json!({
        "name": "Strict Circle",
        "description": "We check in.",
        "facilitation_style": "check_in_round",
        "focus": ["tapering"],
        "format": "video",
        "language": "en",
        "time_zone": "Europe/Berlin",
        "rules": [{"weekdays": [2], "start": "7pm", "duration_minutes": 60}],
    });
    let refused = api.json("POST", "/api/v1/groups", body.clone()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["errors"][0]["field"], "rules[0].start");
    body["rules"][0]["start"] = json!("19:00");
    body["call_link"] = json!("meet.example.org/abc");
    let refused = api.json("POST", "/api/v1/groups", body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_refused_form_keeps_the_names_chosen_and_what_was_typed() {
    let app = TestApp::empty().await;
    let mut browser = host_on_the_form(&app).await;
    let refused = post(
        &mut browser,
        "/groups/new",
        &fields_with(&[
            ("name", "ab"),
            ("rules[0].start", "7:30 pm"),
            ("rules[0].duration_minutes", "5"),
            ("call_link", "javascript:alert(1)"),
            ("language", "de"),
            ("country", "AU"),
            ("time_zone", "Australia/Melbourne"),
        ]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    assert!(body.contains(r#"value="ab""#));
    // The time was read, so a time input can show it.
    assert!(body.contains(r#"value="19:30""#), "{body}");
    assert!(body.contains(r#"value="5""#));
    assert!(body.contains(r#"id="f-rules-0-duration_minutes-error""#));
    assert!(body.contains(r#"value="javascript:alert(1)""#));
    assert!(body.contains(r#"id="f-call_link-error""#));
    assert!(body.contains(r#"<option value="de" selected>Deutsch (German)</option>"#));
    assert!(body.contains(r#"<option value="AU" selected>Australia</option>"#));
    assert!(body.contains(r#"<option value="Australia/Melbourne" selected>Melbourne</option>"#));
    assert_eq!(app.db.store.count_groups().await.expect("count"), 0);
}

#[tokio::test]
async fn fields_whose_hint_says_leave_empty_can_be_left_empty() {
    let app = TestApp::empty().await;
    let mut browser = host_on_the_form(&app).await;
    let form = browser.get("/groups/new").await.body;
    for hint in [
        "Leave empty to count from the first date, or from this week if there is none.",
        "Leave empty for no limit",
        "Leave empty to start now.",
        "Leave empty if the group goes on.",
        "Leave empty if there is none.",
    ] {
        assert!(form.contains(hint), "{hint}");
    }
    // Every few weeks with neither a week to count from nor a first date,
    // no capacity, no dates, no call link, and a spare rule row left as
    // the form offers it.
    let listed = post(
        &mut browser,
        "/groups/new",
        &fields_with(&[
            ("time_zone", "Australia/Melbourne"),
            ("rules[0].kind", "every_n_weeks"),
            ("rules[0].interval_weeks", "2"),
            ("rules[0].anchor_date", ""),
            ("rules[0].first_date", ""),
            ("rules[0].last_date", ""),
            ("capacity", ""),
            ("call_link", ""),
            ("rules[1].kind", "weekly"),
            ("rules[1].start", ""),
        ]),
    )
    .await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER, "{}", listed.body);
    let group = saved(&browser, listed.header("location")).await;
    let rules = group["schedule"].as_array().expect("rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["kind"], "every_n_weeks");
    // Now is Monday 1 June 2026, 10:00 UTC: 20:00 that day in Melbourne.
    assert_eq!(rules[0]["anchor_date"], "2026-06-01");
    assert_eq!(group["capacity"], json!(null));
    assert_eq!(group["private"]["call_link"], json!(null));
    assert!(
        !group["upcoming"].as_array().expect("upcoming").is_empty(),
        "{group}"
    );
}

#[tokio::test]
async fn a_zone_saved_before_as_an_old_alias_still_shows_and_saves() {
    let app = TestApp::empty().await;
    let mut browser = host_on_the_form(&app).await;
    let listed = post(
        &mut browser,
        "/groups/new",
        &fields_with(&[("time_zone", "US/Eastern")]),
    )
    .await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER, "{}", listed.body);
    let location = listed.header("location").to_owned();
    let edit = browser.get(&format!("{location}/edit")).await;
    assert!(
        edit.body
            .contains(r#"<option value="US/Eastern" selected>US/Eastern</option>"#),
        "{}",
        edit.body
    );
    let again = post(
        &mut browser,
        &format!("{location}/edit"),
        &fields_with(&[
            ("time_zone", "US/Eastern"),
            ("name", "Saltmarsh Circle Again"),
        ]),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(saved(&browser, &location).await["time_zone"], "US/Eastern");
}

#[tokio::test]
async fn open_to_anyone_and_invitation_only_are_not_said_together() {
    let app = TestApp::empty().await;
    let mut browser = host_on_the_form(&app).await;
    let form = browser.get("/groups/new").await.body;
    assert!(form.contains("Open to anyone, family and friends too"));
    assert!(form.contains("Anyone joins at once"));
    assert!(form.contains(r#"id="f-join_policy-hint""#));
    let refused = post(
        &mut browser,
        "/groups/new",
        &fields_with(&[("attributes", "open"), ("join_policy", "invite_only")]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r##"<a href="#f-join_policy">A group open to anyone cannot take members by invitation only"##), "{}", refused.body);
    assert!(refused.body.contains(
        r#"id="f-join_policy-invite_only" name="join_policy" value="invite_only" checked"#
    ));
    let listed = post(
        &mut browser,
        "/groups/new",
        &fields_with(&[("attributes", "open"), ("join_policy", "approval")]),
    )
    .await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER, "{}", listed.body);
    let page = browser.get(listed.header("location")).await.body;
    assert!(page.contains("Open to anyone, family and friends too"));
    assert!(page.contains("Who it is for, and more"));
}
