//! The journal's JSON API through the real router, on both databases: the
//! whole cycle with a bearer token (the recovery code answered once;
//! check-ins, medicines and dose changes added, read, edited and deleted,
//! each dose with its step; the export holding them), the same API from a
//! browser with its cookie and CSRF token. Refused input, the import and
//! the document are in `journal_api_input.rs`; opening, locking, other
//! people's ids and tokens in `journal_api_keys.rs`.

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use serde_json::{Value, json};

use crate::support::{Browser, PASSWORD, TestApp, TestResponse};

/// The note's canary: the log check looks for `CANARY-` in every line.
pub const NOTE: &str = "CANARY-journal-api the fourth week felt lighter";

/// Asserts the status and that nobody may keep the answer.
pub fn answered(r: &TestResponse, status: StatusCode) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(
        r.header("cache-control").contains("no-store"),
        "{:?}",
        r.headers
    );
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

/// Asserts a problem document with this status and code.
pub fn refused(r: &TestResponse, status: StatusCode, code: &str) -> Value {
    let body = answered(r, status);
    assert_eq!(body["code"], code, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        "application/problem+json",
        "{}",
        r.body
    );
    body
}

/// `person` with a bearer client whose session started their journal.
pub async fn api_with_journal(app: &TestApp, handle: &str) -> (Person, Browser) {
    let person = app.account(handle, Role::Member).await;
    let mut api = app.api_as(&person).await;
    let made = api
        .json("POST", "/api/v1/me/journal", json!({"password": PASSWORD}))
        .await;
    answered(&made, StatusCode::CREATED);
    (person, api)
}

/// Adds a check-in; answers its id.
pub async fn add_checkin(api: &mut Browser, day: &str, note: &str) -> String {
    let body = json!({"day": day, "mood": 2, "hours_slept": 6.5,
        "symptoms": ["brain zaps", "Insomnia", "Brain Zaps", " "], "note": note});
    let added = api.json("POST", "/api/v1/me/journal/checkins", body).await;
    answered(&added, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

kith_store::on_both_backends!(the_whole_cycle_through_a_bearer_token, |store| async move {
    let app = TestApp::on(store);
    let river = app.account("River", Role::Member).await;
    let mut api = app.api_as(&river).await;

    let none = answered(&api.get("/api/v1/me/journal").await, StatusCode::OK);
    assert_eq!(none, json!({"state": "none"}));
    for path in [
        "/api/v1/me/journal/checkins",
        "/api/v1/me/journal/medicines",
        "/api/v1/me/journal/doses",
        "/api/v1/me/journal/export",
    ] {
        refused(&api.get(path).await, StatusCode::NOT_FOUND, "no_journal");
    }

    // Started with the password; the code is answered this once.
    let wrong = api
        .json(
            "POST",
            "/api/v1/me/journal",
            json!({"password": "not it at all"}),
        )
        .await;
    let wrong = refused(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(wrong["errors"][0]["field"], "password");
    assert_eq!(wrong["errors"][0]["code"], "wrong_password");
    let made = api
        .json("POST", "/api/v1/me/journal", json!({"password": PASSWORD}))
        .await;
    let code = answered(&made, StatusCode::CREATED)["recovery_code"]
        .as_str()
        .expect("code")
        .to_owned();
    assert!(code.len() >= 20, "{code}");
    let again = api
        .json("POST", "/api/v1/me/journal", json!({"password": PASSWORD}))
        .await;
    refused(&again, StatusCode::CONFLICT, "journal_exists");
    assert!(!again.body.contains(&code));
    let open = api.get("/api/v1/me/journal").await;
    assert!(!open.body.contains(&code));
    assert_eq!(
        answered(&open, StatusCode::OK),
        json!({"state": "open", "recovery_saved": false, "opens_at_login": true})
    );
    let saved = api
        .json("POST", "/api/v1/me/journal/recovery-saved", json!({}))
        .await;
    answered(&saved, StatusCode::NO_CONTENT);
    let open = answered(&api.get("/api/v1/me/journal").await, StatusCode::OK);
    assert_eq!(open["recovery_saved"], true);

    // Check-ins: added, listed by day, replaced, deleted.
    let first = add_checkin(&mut api, "2026-05-30", NOTE).await;
    let second = add_checkin(&mut api, "2026-05-01", "An earlier day.").await;
    let read = api
        .get(&format!("/api/v1/me/journal/checkins/{first}"))
        .await;
    let read = answered(&read, StatusCode::OK);
    assert_eq!(read["day"], "2026-05-30");
    assert_eq!(read["mood"], 2);
    assert_eq!(read["hours_slept"], 6.5);
    assert_eq!(read["symptoms"], json!(["brain zaps", "Insomnia"]));
    assert_eq!(read["note"], NOTE);
    assert_eq!(read["could_not_open"], false);
    let all = api.get("/api/v1/me/journal/checkins").await;
    let days: Vec<Value> = answered(&all, StatusCode::OK)
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["day"].clone())
        .collect();
    assert_eq!(days, vec![json!("2026-05-30"), json!("2026-05-01")]);
    let late = api
        .get("/api/v1/me/journal/checkins?from=2026-05-15&to=2026-05-31")
        .await;
    assert_eq!(
        answered(&late, StatusCode::OK)
            .as_array()
            .expect("list")
            .len(),
        1
    );
    let early = api.get("/api/v1/me/journal/checkins?to=2026-05-15").await;
    assert_eq!(answered(&early, StatusCode::OK)[0]["id"], second.as_str());
    let bad = api.get("/api/v1/me/journal/checkins?from=May").await;
    refused(&bad, StatusCode::BAD_REQUEST, "invalid_filter");
    let replaced = api
        .json(
            "PUT",
            &format!("/api/v1/me/journal/checkins/{first}"),
            json!({"day": "2026-05-29", "mood": 4, "note": "Better after all."}),
        )
        .await;
    let replaced = answered(&replaced, StatusCode::OK);
    assert_eq!(replaced["day"], "2026-05-29");
    assert_eq!(replaced["mood"], 4);
    assert_eq!(replaced["hours_slept"], Value::Null);
    assert_eq!(replaced["symptoms"], json!([]));
    let gone = api
        .json(
            "DELETE",
            &format!("/api/v1/me/journal/checkins/{second}"),
            json!({}),
        )
        .await;
    answered(&gone, StatusCode::NO_CONTENT);
    let missing = api
        .get(&format!("/api/v1/me/journal/checkins/{second}"))
        .await;
    refused(&missing, StatusCode::NOT_FOUND, "not_found");

    // A medicine, renamed; dose changes with their steps.
    let med = api
        .json(
            "POST",
            "/api/v1/me/journal/medicines",
            json!({"name": "Sertraline"}),
        )
        .await;
    let med = answered(&med, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let renamed = api
        .json(
            "PUT",
            &format!("/api/v1/me/journal/medicines/{med}"),
            json!({"name": "Zoloft"}),
        )
        .await;
    assert_eq!(answered(&renamed, StatusCode::OK)["name"], "Zoloft");
    let mut doses = Vec::new();
    for (day, amount) in [("2026-04-01", json!(50)), ("2026-05-01", json!("45"))] {
        let body = json!({"medicine": med, "day": day, "amount": amount, "unit": "mg",
                "note": "slowly"});
        let added = api.json("POST", "/api/v1/me/journal/doses", body).await;
        doses.push(answered(&added, StatusCode::CREATED));
    }
    assert_eq!(doses[0]["step_percent"], Value::Null);
    assert_eq!(doses[1]["step_percent"], -10.0);
    assert_eq!(doses[1]["amount"], "45");
    assert_eq!(doses[1]["medicine"], med.as_str());
    let (first_dose, second_dose) = (
        doses[0]["id"].as_str().expect("id").to_owned(),
        doses[1]["id"].as_str().expect("id").to_owned(),
    );
    let edited = api
        .json(
            "PUT",
            &format!("/api/v1/me/journal/doses/{second_dose}"),
            json!({"day": "2026-05-02", "amount": "37,5", "unit": "mg"}),
        )
        .await;
    let edited = answered(&edited, StatusCode::OK);
    assert_eq!(edited["amount"], "37.5");
    assert_eq!(edited["step_percent"], -25.0);
    assert_eq!(edited["day"], "2026-05-02");
    // Nothing in a dose's answer suggests the next one.
    for word in ["suggest", "next", "recommend"] {
        assert!(!edited.to_string().contains(word), "{edited}");
    }
    let of_med = api
        .get(&format!("/api/v1/me/journal/doses?medicine={med}"))
        .await;
    let listed = answered(&of_med, StatusCode::OK);
    assert_eq!(listed.as_array().expect("list").len(), 2);
    assert_eq!(listed[1]["step_percent"], -25.0);
    let all = answered(&api.get("/api/v1/me/journal/doses").await, StatusCode::OK);
    assert_eq!(all, listed);

    let export = answered(&api.get("/api/v1/me/journal/export").await, StatusCode::OK);
    assert_eq!(export["kith_journal"], 1);
    assert_eq!(export["checkins"][0]["note"], "Better after all.");
    assert_eq!(export["checkins"].as_array().expect("checkins").len(), 1);
    assert_eq!(export["medicines"][0]["name"], "Zoloft");
    assert_eq!(export["medicines"][0]["doses"][1]["amount"], "37.5");

    // Deleting the first dose leaves the other without a step; deleting
    // the medicine takes its doses with it.
    let gone = api
        .json(
            "DELETE",
            &format!("/api/v1/me/journal/doses/{first_dose}"),
            json!({}),
        )
        .await;
    answered(&gone, StatusCode::NO_CONTENT);
    let alone = api
        .get(&format!("/api/v1/me/journal/doses/{second_dose}"))
        .await;
    assert_eq!(
        answered(&alone, StatusCode::OK)["step_percent"],
        Value::Null
    );
    let gone = api
        .json(
            "DELETE",
            &format!("/api/v1/me/journal/medicines/{med}"),
            json!({}),
        )
        .await;
    answered(&gone, StatusCode::NO_CONTENT);
    let after = api
        .get(&format!("/api/v1/me/journal/doses/{second_dose}"))
        .await;
    refused(&after, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        answered(
            &api.get("/api/v1/me/journal/medicines").await,
            StatusCode::OK
        ),
        json!([])
    );
});

kith_store::on_both_backends!(
    a_browser_uses_the_api_with_its_cookie_and_csrf_token,
    |store| async move {
        let app = TestApp::on(store);
        let ash = app.account("Ash", Role::Member).await;
        let mut browser = app.browser_as(&ash).await;
        browser.get("/").await;
        let made = browser
            .json("POST", "/api/v1/me/journal", json!({"password": PASSWORD}))
            .await;
        answered(&made, StatusCode::CREATED);
        let id = add_checkin(&mut browser, "2026-05-30", NOTE).await;

        // Without the CSRF token, a cookie's request changes nothing.
        let token = browser.csrf.take();
        let forged = browser
            .json(
                "DELETE",
                &format!("/api/v1/me/journal/checkins/{id}"),
                json!({}),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
        assert_eq!(forged.json()["code"], "cross_site_request");
        browser.csrf = token;

        // The page reads what the API wrote: one journal, one key.
        let page = browser.get("/journal").await;
        assert!(
            page.body.contains("the fourth week felt lighter"),
            "{}",
            page.body
        );
        let listed = browser.get("/api/v1/me/journal/checkins").await;
        assert_eq!(answered(&listed, StatusCode::OK)[0]["id"], id.as_str());
    }
);
