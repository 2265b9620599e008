//! The journal's API and its keys, on both databases: a locked journal is
//! 409 `journal_locked` until its password opens it; a new login's bearer
//! token opens it with the password it was made with, a token made
//! without the password finds it locked, and logging out makes the
//! token's copy of the key useless; wrong attempts meet the login limits;
//! another person's ids are 404; an entry that could not be opened is
//! flagged, never read as something else.

use axum::http::StatusCode;
use kith_domain::ids::CheckinId;
use serde_json::{Value, json};

use crate::journal_api::{NOTE, add_checkin, answered, api_with_journal, refused};
use crate::support::{PASSWORD, now};

use crate::support::TestApp;

kith_store::on_both_backends!(
    a_locked_journal_is_409_and_a_new_logins_token_opens_it,
    |store| async move {
        let app = TestApp::on(store);
        let (river, mut api) = api_with_journal(&app, "River").await;
        let id = add_checkin(&mut api, "2026-05-30", NOTE).await;
        let path = format!("/api/v1/me/journal/checkins/{id}");

        let locked = api.json("POST", "/api/v1/me/journal/lock", json!({})).await;
        answered(&locked, StatusCode::NO_CONTENT);
        for read in [
            api.get(&path).await,
            api.get("/api/v1/me/journal/export").await,
        ] {
            refused(&read, StatusCode::CONFLICT, "journal_locked");
        }
        let state = answered(&api.get("/api/v1/me/journal").await, StatusCode::OK);
        assert_eq!(state, json!({"state": "locked"}));
        let nothing = api
            .json("POST", "/api/v1/me/journal/unlock", json!({}))
            .await;
        let nothing = refused(&nothing, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(nothing["field"], "password");
        let wrong = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"password": "not it at all"}),
            )
            .await;
        let wrong = refused(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(wrong["errors"][0]["code"], "wrong_secret");
        let opened = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"password": PASSWORD}),
            )
            .await;
        assert_eq!(answered(&opened, StatusCode::OK)["state"], "open");
        assert_eq!(
            answered(&api.get(&path).await, StatusCode::OK)["note"],
            NOTE
        );

        // A new login: its token has the key, wrapped at login.
        let mut anon = app.browser();
        let login = anon
            .json(
                "POST",
                "/api/v1/sessions",
                json!({"login": "River", "password": PASSWORD}),
            )
            .await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.body);
        let token = login.json()["token"].as_str().expect("token").to_owned();
        let mut second = app.browser();
        second.bearer = Some(token.clone());
        assert_eq!(
            answered(&second.get(&path).await, StatusCode::OK)["note"],
            NOTE
        );

        // A token made without the password finds it locked.
        let mut bare = app.api_as(&river).await;
        refused(
            &bare.get(&path).await,
            StatusCode::CONFLICT,
            "journal_locked",
        );

        // Logging out ends the token, and its copy of the key with it.
        let out = second
            .json("DELETE", "/api/v1/sessions/current", json!({}))
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
        let after = second.get(&path).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
        let hash = kith_app::tokens::token_hash(&token);
        let kept = app
            .db
            .store
            .session_key(river.id, &hash)
            .await
            .expect("session key");
        assert!(kept.is_none());
        let status = kith_app::journal::status(&app.context, &river, &token)
            .await
            .expect("status");
        assert_eq!(status, kith_app::journal::Status::Locked);
        // The first session keeps its own.
        assert_eq!(
            answered(&api.get(&path).await, StatusCode::OK)["note"],
            NOTE
        );
    }
);

kith_store::on_both_backends!(
    the_recovery_code_opens_it_and_a_mistyped_one_is_told,
    |store| async move {
        let app = TestApp::on(store);
        let willow = app
            .account("Willow", kith_domain::account::Role::Member)
            .await;
        let mut api = app.api_as(&willow).await;
        let made = api
            .json("POST", "/api/v1/me/journal", json!({"password": PASSWORD}))
            .await;
        let code = answered(&made, StatusCode::CREATED)["recovery_code"]
            .as_str()
            .expect("code")
            .to_owned();
        let id = add_checkin(&mut api, "2026-05-30", NOTE).await;
        api.json("POST", "/api/v1/me/journal/lock", json!({})).await;

        // One character changed: the code's check catches it before any
        // work, and says so.
        let mut typo: Vec<char> = code.chars().collect();
        typo[0] = if typo[0] == '7' { '8' } else { '7' };
        let typo: String = typo.into_iter().collect();
        let wrong = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"recovery_code": typo}),
            )
            .await;
        let wrong = refused(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(wrong["field"], "recovery_code");
        assert_eq!(wrong["errors"][0]["code"], "mistyped");

        // Typed in lower case with spaces, as a person might.
        let typed = code.to_lowercase().replace('-', " ");
        let opened = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"recovery_code": typed}),
            )
            .await;
        let opened = answered(&opened, StatusCode::OK);
        assert_eq!(opened["state"], "open");
        let read = api.get(&format!("/api/v1/me/journal/checkins/{id}")).await;
        assert_eq!(answered(&read, StatusCode::OK)["note"], NOTE);

        // The code used is spent; the answer carried its replacement, once.
        let replacement = opened["new_recovery_code"]
            .as_str()
            .expect("a new code after using one")
            .to_owned();
        assert_ne!(replacement, code);
        assert_eq!(opened["recovery_saved"], false);
        api.json("POST", "/api/v1/me/journal/lock", json!({})).await;
        let spent = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"recovery_code": code}),
            )
            .await;
        let spent = refused(&spent, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(spent["errors"][0]["code"], "wrong_secret");
        let reopened = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"recovery_code": replacement}),
            )
            .await;
        let reopened = answered(&reopened, StatusCode::OK);
        assert_eq!(reopened["state"], "open");
    }
);

// Every attempt at the password or a code counts against the login
// limits (six a minute from one address), so the lost code has its own
// test.
kith_store::on_both_backends!(
    a_lost_code_is_replaced_with_the_password,
    |store| async move {
        let app = TestApp::on(store);
        let rowan = app
            .account("Rowan", kith_domain::account::Role::Member)
            .await;
        let mut api = app.api_as(&rowan).await;
        let made = api
            .json("POST", "/api/v1/me/journal", json!({"password": PASSWORD}))
            .await;
        let lost = answered(&made, StatusCode::CREATED)["recovery_code"]
            .as_str()
            .expect("code")
            .to_owned();

        // A lost code is replaced with the password; the one before opens
        // nothing from then on.
        let replaced = api
            .json(
                "POST",
                "/api/v1/me/journal/recovery-code",
                json!({"password": PASSWORD}),
            )
            .await;
        let fresh = answered(&replaced, StatusCode::CREATED)["recovery_code"]
            .as_str()
            .expect("code")
            .to_owned();
        api.json("POST", "/api/v1/me/journal/lock", json!({})).await;
        let old = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"recovery_code": lost}),
            )
            .await;
        refused(&old, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        let with_fresh = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"recovery_code": fresh}),
            )
            .await;
        assert_eq!(answered(&with_fresh, StatusCode::OK)["state"], "open");
    }
);

kith_store::on_both_backends!(wrong_attempts_meet_the_login_limits, |store| async move {
    let app = TestApp::on(store);
    let (_, mut api) = api_with_journal(&app, "Hazel").await;
    api.json("POST", "/api/v1/me/journal/lock", json!({})).await;
    let mut limited = None;
    for _ in 0..10 {
        let r = api
            .json(
                "POST",
                "/api/v1/me/journal/unlock",
                json!({"password": "a wrong guess"}),
            )
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    }
    let limited = limited.expect("limited within ten attempts");
    refused(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(!limited.header("retry-after").is_empty());
    // A wrong recovery code is limited the same way, before any check.
    let code = api
        .json(
            "POST",
            "/api/v1/me/journal/unlock",
            json!({"recovery_code": "ABCD-EFGH-JKMN-PQRS-TVWX-YZ23"}),
        )
        .await;
    assert!(
        matches!(
            code.status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        code.body
    );
    // Still locked: no attempt got through.
    let state = answered(&api.get("/api/v1/me/journal").await, StatusCode::OK);
    assert_eq!(state["state"], "locked");
});

kith_store::on_both_backends!(another_persons_ids_are_404_as_none, |store| async move {
    let app = TestApp::on(store);
    let (_, mut river) = api_with_journal(&app, "River").await;
    let (_, mut ash) = api_with_journal(&app, "Ash").await;
    let checkin = add_checkin(&mut river, "2026-05-30", NOTE).await;
    let med = river
        .json(
            "POST",
            "/api/v1/me/journal/medicines",
            json!({"name": "Venlafaxine"}),
        )
        .await;
    let med = answered(&med, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let dose = json!({"medicine": med, "day": "2026-05-01", "amount": 75, "unit": "mg"});
    let dose = river.json("POST", "/api/v1/me/journal/doses", dose).await;
    let dose = answered(&dose, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let checkin_body = json!({"day": "2026-05-30", "mood": 5});
    let dose_body = json!({"day": "2026-05-01", "amount": 1, "unit": "mg"});
    let tries: Vec<(&str, String, Value)> = vec![
        (
            "GET",
            format!("/api/v1/me/journal/checkins/{checkin}"),
            Value::Null,
        ),
        (
            "PUT",
            format!("/api/v1/me/journal/checkins/{checkin}"),
            checkin_body,
        ),
        (
            "DELETE",
            format!("/api/v1/me/journal/checkins/{checkin}"),
            json!({}),
        ),
        (
            "GET",
            format!("/api/v1/me/journal/medicines/{med}"),
            Value::Null,
        ),
        (
            "PUT",
            format!("/api/v1/me/journal/medicines/{med}"),
            json!({"name": "Mine"}),
        ),
        (
            "DELETE",
            format!("/api/v1/me/journal/medicines/{med}"),
            json!({}),
        ),
        (
            "GET",
            format!("/api/v1/me/journal/doses?medicine={med}"),
            Value::Null,
        ),
        (
            "POST",
            "/api/v1/me/journal/doses".to_owned(),
            json!({"medicine": med, "day": "2026-05-01", "amount": 1, "unit": "mg"}),
        ),
        (
            "GET",
            format!("/api/v1/me/journal/doses/{dose}"),
            Value::Null,
        ),
        ("PUT", format!("/api/v1/me/journal/doses/{dose}"), dose_body),
        (
            "DELETE",
            format!("/api/v1/me/journal/doses/{dose}"),
            json!({}),
        ),
        (
            "GET",
            "/api/v1/me/journal/checkins/not-an-id".to_owned(),
            Value::Null,
        ),
        (
            "GET",
            "/api/v1/me/journal/doses?medicine=nothing".to_owned(),
            Value::Null,
        ),
    ];
    for (method, path, body) in tries {
        let r = if method == "GET" {
            ash.get(&path).await
        } else {
            ash.json(method, &path, body).await
        };
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            r.body
        );
        assert_eq!(r.json()["code"], "not_found", "{method} {path}");
        assert!(!r.body.contains("CANARY"), "{}", r.body);
    }
    // River's entries are as they were.
    let export = answered(
        &river.get("/api/v1/me/journal/export").await,
        StatusCode::OK,
    );
    assert_eq!(export["checkins"][0]["note"], NOTE);
    assert_eq!(export["medicines"][0]["name"], "Venlafaxine");
    assert_eq!(export["medicines"][0]["doses"][0]["amount"], "75");
    assert_eq!(
        answered(
            &ash.get("/api/v1/me/journal/checkins").await,
            StatusCode::OK
        ),
        json!([])
    );
});

kith_store::on_both_backends!(
    an_entry_that_does_not_open_is_flagged_never_read_as_another,
    |store| async move {
        let app = TestApp::on(store);
        let (river, mut api) = api_with_journal(&app, "River").await;
        let id = add_checkin(&mut api, "2026-05-30", NOTE).await;
        let checkin = CheckinId::parse(&id).expect("id");
        let store = app.db.store.clone();
        let row = store.checkin(river.id, &checkin).await.expect("row");
        let mut flipped = row.sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        store
            .update_checkin(river.id, &checkin, row.day, &flipped, now())
            .await
            .expect("tamper");

        let path = format!("/api/v1/me/journal/checkins/{id}");
        let read = answered(&api.get(&path).await, StatusCode::OK);
        assert_eq!(read["could_not_open"], true);
        for field in ["mood", "note", "symptoms", "hours_slept"] {
            assert!(read.get(field).is_none(), "{read}");
        }
        let listed = answered(
            &api.get("/api/v1/me/journal/checkins").await,
            StatusCode::OK,
        );
        assert_eq!(listed[0]["could_not_open"], true);
        let export = answered(&api.get("/api/v1/me/journal/export").await, StatusCode::OK);
        assert_eq!(export["could_not_open"]["checkins"], 1);
        let gone = api.json("DELETE", &path, json!({})).await;
        answered(&gone, StatusCode::NO_CONTENT);
    }
);
