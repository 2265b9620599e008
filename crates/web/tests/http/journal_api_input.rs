//! The journal's API, what it takes, on both databases: refused input as
//! 422 with every field in the journal's own words and nothing written,
//! an export imported into another member's empty journal (and refused
//! into one with entries), and the OpenAPI document naming every route.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::journal_api::{NOTE, add_checkin, answered, api_with_journal, refused};
use crate::support::TestApp;

kith_store::on_both_backends!(
    refused_input_is_422_with_every_field_in_the_journals_words,
    |store| async move {
        let app = TestApp::on(store);
        let (_, mut api) = api_with_journal(&app, "Rowan").await;
        let fields = |body: &Value| -> Vec<(String, String)> {
            body["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().expect("field").to_owned(),
                        e["code"].as_str().expect("code").to_owned(),
                    )
                })
                .collect()
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());

        let long = "x".repeat(4001);
        let bad = api
            .json(
                "POST",
                "/api/v1/me/journal/checkins",
                json!({"day": "2999-01-01", "mood": 9, "hours_slept": 30, "note": long}),
            )
            .await;
        let bad = refused(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        let got = fields(&bad);
        for expected in [
            pair("day", "in_future"),
            pair("mood", "out_of_range"),
            pair("hours_slept", "out_of_range"),
            pair("note", "too_long"),
        ] {
            assert!(got.contains(&expected), "{expected:?} in {got:?}");
        }
        let note = bad["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .find(|e| e["field"] == "note")
            .expect("note");
        assert!(
            note["detail"].as_str().expect("detail").contains("4000"),
            "{note}"
        );
        let empty = api
            .json("POST", "/api/v1/me/journal/checkins", json!({}))
            .await;
        let empty = refused(&empty, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(
            fields(&empty),
            vec![pair("day", "required"), pair("mood", "required")]
        );
        let typed = api
            .json(
                "POST",
                "/api/v1/me/journal/checkins",
                json!({"day": "2026-05-30", "mood": "low"}),
            )
            .await;
        refused(&typed, StatusCode::BAD_REQUEST, "malformed_body");

        let nameless = api
            .json(
                "POST",
                "/api/v1/me/journal/medicines",
                json!({"name": "  "}),
            )
            .await;
        let nameless = refused(&nameless, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(fields(&nameless), vec![pair("name", "required")]);
        assert_eq!(
            nameless["errors"][0]["detail"],
            "Type a name for the medicine."
        );
        let med = api
            .json(
                "POST",
                "/api/v1/me/journal/medicines",
                json!({"name": "Paroxetine"}),
            )
            .await;
        let med = answered(&med, StatusCode::CREATED)["id"].clone();
        for (amount, code) in [
            (json!(20000), "too_large"),
            (json!(-5), "not_positive"),
            (json!("abc"), "not_a_number"),
            (json!("0.0001"), "too_precise"),
        ] {
            let body = json!({"medicine": med, "day": "1899-12-31", "amount": amount, "unit": ""});
            let bad = api.json("POST", "/api/v1/me/journal/doses", body).await;
            let bad = refused(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
            let got = fields(&bad);
            for expected in [
                pair("day", "too_early"),
                pair("amount", code),
                pair("unit", "required"),
            ] {
                assert!(got.contains(&expected), "{expected:?} in {got:?}");
            }
        }

        // Nothing refused was written.
        let checkins = api.get("/api/v1/me/journal/checkins").await;
        assert_eq!(answered(&checkins, StatusCode::OK), json!([]));
        let doses = api.get("/api/v1/me/journal/doses").await;
        assert_eq!(answered(&doses, StatusCode::OK), json!([]));
    }
);

kith_store::on_both_backends!(
    an_export_imports_into_an_empty_journal_and_nowhere_else,
    |store| async move {
        let app = TestApp::on(store);
        let (_, mut river) = api_with_journal(&app, "River").await;
        let (_, mut ash) = api_with_journal(&app, "Ash").await;
        add_checkin(&mut river, "2026-05-30", NOTE).await;
        let med = river
            .json(
                "POST",
                "/api/v1/me/journal/medicines",
                json!({"name": "Mirtazapine"}),
            )
            .await;
        let med = answered(&med, StatusCode::CREATED)["id"].clone();
        for (day, amount) in [("2026-04-01", json!(15)), ("2026-05-01", json!(7.5))] {
            let body = json!({"medicine": med, "day": day, "amount": amount, "unit": "mg"});
            let added = river.json("POST", "/api/v1/me/journal/doses", body).await;
            answered(&added, StatusCode::CREATED);
        }
        let export = answered(
            &river.get("/api/v1/me/journal/export").await,
            StatusCode::OK,
        );

        let imported = ash
            .json("POST", "/api/v1/me/journal/import", export.clone())
            .await;
        assert_eq!(
            answered(&imported, StatusCode::CREATED),
            json!({"imported": 4})
        );
        let doses = answered(&ash.get("/api/v1/me/journal/doses").await, StatusCode::OK);
        assert_eq!(doses[1]["amount"], "7.5");
        assert_eq!(doses[1]["step_percent"], -50.0);
        let checkins = answered(
            &ash.get("/api/v1/me/journal/checkins").await,
            StatusCode::OK,
        );
        assert_eq!(checkins[0]["note"], NOTE);

        // Into a journal that has entries, or something that is no export:
        // refused on `file`, nothing written.
        let again = ash.json("POST", "/api/v1/me/journal/import", export).await;
        let again = refused(&again, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(again["errors"][0]["code"], "journal_not_empty");
        let other = river
            .json(
                "POST",
                "/api/v1/me/journal/import",
                json!({"kith_journal": 2}),
            )
            .await;
        let other = refused(&other, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(other["errors"][0]["field"], "file");
        assert_eq!(other["errors"][0]["code"], "unsupported_version");
        // Past the page's 16 MiB: refused on `file` as a problem
        // document, not a bare 413. Within it (beyond axum's 2 MB
        // default), read whole.
        let huge = vec![b' '; 17 * 1024 * 1024];
        let huge = river
            .send_bytes(
                "POST",
                "/api/v1/me/journal/import",
                "application/json",
                huge,
            )
            .await;
        let huge = refused(&huge, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(huge["errors"][0]["code"], "too_large");
        let mut padded = br#"{"kith_journal": 1, "checkins": []}"#.to_vec();
        padded.resize(3 * 1024 * 1024, b' ');
        let padded = river
            .send_bytes(
                "POST",
                "/api/v1/me/journal/import",
                "application/json",
                padded,
            )
            .await;
        // River's journal has entries: the file was read to the end.
        let padded = refused(&padded, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(padded["errors"][0]["code"], "journal_not_empty");
        let list = answered(
            &ash.get("/api/v1/me/journal/checkins").await,
            StatusCode::OK,
        );
        assert_eq!(list.as_array().expect("list").len(), 1);
    }
);

#[tokio::test]
async fn the_document_names_every_journal_route_with_the_bearer_security() {
    let app = TestApp::empty().await;
    let doc = app.json("/api/openapi.json").await;
    let operations = [
        ("/api/v1/me/journal", "get"),
        ("/api/v1/me/journal", "post"),
        ("/api/v1/me/journal/recovery-saved", "post"),
        ("/api/v1/me/journal/unlock", "post"),
        ("/api/v1/me/journal/lock", "post"),
        ("/api/v1/me/journal/export", "get"),
        ("/api/v1/me/journal/import", "post"),
        ("/api/v1/me/journal/recovery-code", "post"),
        ("/api/v1/me/journal/reminder", "get"),
        ("/api/v1/me/journal/reminder", "put"),
        ("/api/v1/me/journal/checkins", "get"),
        ("/api/v1/me/journal/checkins", "post"),
        ("/api/v1/me/journal/checkins/{id}", "get"),
        ("/api/v1/me/journal/checkins/{id}", "put"),
        ("/api/v1/me/journal/checkins/{id}", "delete"),
        ("/api/v1/me/journal/medicines", "get"),
        ("/api/v1/me/journal/medicines", "post"),
        ("/api/v1/me/journal/medicines/{id}", "get"),
        ("/api/v1/me/journal/medicines/{id}", "put"),
        ("/api/v1/me/journal/medicines/{id}", "delete"),
        ("/api/v1/me/journal/doses", "get"),
        ("/api/v1/me/journal/doses", "post"),
        ("/api/v1/me/journal/doses/{id}", "get"),
        ("/api/v1/me/journal/doses/{id}", "put"),
        ("/api/v1/me/journal/doses/{id}", "delete"),
    ];
    for (path, method) in operations {
        let operation = &doc["paths"][path][method];
        assert_eq!(
            operation["security"],
            json!([{"bearer": []}]),
            "{method} {path}"
        );
        assert_eq!(operation["tags"], json!(["journal"]), "{method} {path}");
    }
    let journal_paths = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .filter(|p| p.starts_with("/api/v1/me/journal"))
        .count();
    assert_eq!(journal_paths, 14);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["CheckinBody"]["required"], json!(["day", "mood"]));
    assert_eq!(schemas["CheckinBody"]["properties"]["mood"]["maximum"], 5);
    assert_eq!(
        schemas["JournalState"]["enum"],
        json!(["none", "locked", "needs_recovery", "open"])
    );
    assert!(schemas["DoseJson"]["properties"]["step_percent"].is_object());
    assert_eq!(
        schemas["ExportDocument"]["required"],
        json!(["kith_journal"])
    );
}
