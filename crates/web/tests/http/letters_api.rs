//! Letters through the API with bearer tokens, on both databases: an
//! editor writes, counts, changes, tests and sends a letter and reads its
//! progress; refusals are problem documents with stable codes and write
//! nothing; everyone but admins and editors gets 404; the OpenAPI
//! document lists every route.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_store::letters::fixtures::insert_subscribers;
use kith_store::testing::query_i64;
use serde_json::json;

use crate::support::TestApp;

kith_store::on_both_backends_with_url!(
    an_editor_writes_counts_tests_and_sends_a_letter_through_the_api,
    |store, url: String| async move {
        let app = TestApp::on(store);
        let editor = app.account("Quill", Role::Editor).await;
        insert_subscribers(&url, "ev", 3, true, &["events"]).await;
        insert_subscribers(&url, "vo", 2, true, &["hearing-voices"]).await;
        let mut api = app.api_as(&editor).await;
        let count = api
            .get("/api/v1/letters/audience?mode=any&interests=events,hearing-voices")
            .await;
        assert_eq!(count.status, StatusCode::OK, "{}", count.body);
        assert_eq!(count.json()["count"], 5);
        let everyone = api.get("/api/v1/letters/audience").await;
        assert_eq!(everyone.json()["count"], 5);
        let bad = api.get("/api/v1/letters/audience?mode=some").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["errors"][0]["code"], "invalid_audience");

        let created = api
            .json(
                "POST",
                "/api/v1/letters",
                json!({"subject": "News", "body": "Hello *all*", "audience": "any", "interests": ["events"]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let letter = created.json();
        assert_eq!(letter["status"], "draft");
        assert_eq!(letter["interests"], json!(["events"]));
        let id = letter["id"].as_i64().expect("id");
        let changed = api
            .json(
                "PUT",
                &format!("/api/v1/letters/{id}"),
                json!({"subject": "News again", "body": "Hello", "audience": "all", "interests": ["events", "hearing-voices"]}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        assert_eq!(changed.json()["audience"], "all");
        // Nobody has both: refused, nothing scheduled.
        let empty = api
            .json("POST", &format!("/api/v1/letters/{id}/send"), json!({}))
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(empty.json()["errors"][0]["code"], "empty_audience");
        api.json(
            "PUT",
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "News again", "body": "Hello", "interests": ["events"]}),
        )
        .await;
        let past = api
            .json(
                "POST",
                &format!("/api/v1/letters/{id}/send"),
                json!({"send_at": "2026-05-01T00:00:00Z"}),
            )
            .await;
        assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(past.json()["errors"][0]["code"], "in_the_past");
        let garbled = api
            .json(
                "POST",
                &format!("/api/v1/letters/{id}/send"),
                json!({"send_at": "tomorrow"}),
            )
            .await;
        assert_eq!(garbled.json()["errors"][0]["code"], "invalid_time");
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM letters WHERE send_at IS NOT NULL"
            )
            .await,
            0
        );
        let tested = api
            .json("POST", &format!("/api/v1/letters/{id}/test"), json!({}))
            .await;
        assert_eq!(tested.status, StatusCode::ACCEPTED);
        let sent = api
            .json("POST", &format!("/api/v1/letters/{id}/send"), json!({}))
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert_eq!(sent.json()["status"], "sending");
        assert_eq!(sent.json()["recipients"], 3);
        let delivered = app.deliver().await;
        let letters: Vec<_> = delivered
            .iter()
            .filter(|d| d.subject == "News again")
            .collect();
        assert_eq!(letters.len(), 4, "three subscribers and the test");
        let read = api.get(&format!("/api/v1/letters/{id}")).await.json();
        assert_eq!(
            (read["sent"].clone(), read["status"].clone()),
            (json!(3), json!("sent"))
        );
        let late = api
            .json("DELETE", &format!("/api/v1/letters/{id}"), json!({}))
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert_eq!(late.json()["code"], "invalid_status");
        let list = api.get("/api/v1/letters").await.json();
        assert_eq!(list.as_array().map(Vec::len), Some(1));
    }
);

kith_store::on_both_backends_with_url!(
    refused_api_letters_are_problem_documents_and_write_nothing,
    |store, url: String| async move {
        let app = TestApp::on(store);
        let admin = app.account("Keeper", Role::Admin).await;
        let mut api = app.api_as(&admin).await;
        let long = "x".repeat(151);
        for (body, field, code) in [
            (json!({"subject": long, "body": "x"}), "subject", "too_long"),
            (
                json!({"subject": "a\nb", "body": "x"}),
                "subject",
                "one_line",
            ),
            (json!({"subject": "Hi", "body": ""}), "body", "required"),
            (
                json!({"subject": "Hi", "body": "x", "interests": ["nope"]}),
                "interests",
                "unknown_interest",
            ),
        ] {
            let refused = api.json("POST", "/api/v1/letters", body).await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                refused.body
            );
            let problem = refused.json();
            assert_eq!(problem["errors"][0]["field"], field);
            assert_eq!(problem["errors"][0]["code"], code);
        }
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM letters").await, 0);
        let created = api
            .json(
                "POST",
                "/api/v1/letters",
                json!({"subject": "Hi", "body": "x"}),
            )
            .await
            .json();
        let id = created["id"].as_i64().expect("id");
        for (handle, role) in [("River", Role::Member), ("Warden", Role::Moderator)] {
            let person = app.account(handle, role).await;
            let mut other = app.api_as(&person).await;
            for (method, path) in [
                ("GET", "/api/v1/letters".to_owned()),
                ("GET", format!("/api/v1/letters/{id}")),
                ("GET", "/api/v1/letters/audience".to_owned()),
                ("POST", format!("/api/v1/letters/{id}/send")),
                ("DELETE", format!("/api/v1/letters/{id}")),
            ] {
                let answer = if method == "GET" {
                    other.get(&path).await
                } else {
                    other.json(method, &path, json!({})).await
                };
                assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
            }
        }
        let deleted = api
            .json("DELETE", &format!("/api/v1/letters/{id}"), json!({}))
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(
            api.get(&format!("/api/v1/letters/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let doc = app.browser().get("/api/openapi.json").await.json();
        for path in [
            "/api/v1/letters",
            "/api/v1/letters/{id}",
            "/api/v1/letters/{id}/test",
            "/api/v1/letters/{id}/send",
            "/api/v1/letters/audience",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} in the document");
        }
    }
);
