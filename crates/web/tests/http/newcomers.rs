//! The newcomer's join by API (`POST /api/v1/groups/{slug}/newcomers`), on
//! both databases: one call registers and asks; the answer never tells
//! whether an email was known; a refused call leaves nothing behind.

use axum::http::StatusCode;
use kith_domain::account::{Handle, Role};
use kith_domain::membership::RequestState;
use serde_json::json;

use crate::membership::{listed_group, outbox};
use crate::support::TestApp;

/// Whether an account has this handle.
async fn exists(app: &TestApp, handle: &str) -> bool {
    app.db
        .store
        .account_by_handle(&Handle::parse(handle).expect("handle"))
        .await
        .expect("lookup")
        .is_some()
}

kith_store::on_both_backends!(
    a_newcomer_registers_and_asks_in_one_call_and_waits_for_their_confirmation,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Newcomers Circle",
            &[("join_question", "What brings you here?")],
        )
        .await;
        let path = format!("/api/v1/groups/{slug}/newcomers");
        let mut client = app.browser();

        let joined = client
            .json(
                "POST",
                &path,
                json!({
                    "handle": "Seedling",
                    "email": "seedling@example.org",
                    "password": "a long and quiet river walk",
                    "answer": "Tapering slowly.",
                }),
            )
            .await;
        assert_eq!(joined.status, StatusCode::ACCEPTED, "{}", joined.body);
        assert_eq!(joined.json(), json!({"status": "sent"}));
        let store = app.db.store.as_ref();
        let account = store
            .account_by_handle(&Handle::parse("Seedling").expect("handle"))
            .await
            .expect("lookup")
            .expect("registered");
        assert!(!account.email_verified);
        let group = store.group_access(&slug).await.expect("group").id;
        assert_eq!(
            store.request_state(group, account.id).await.expect("state"),
            Some(RequestState::Pending)
        );
        // The address gets its confirmation link; the hosts hear nothing
        // until it is opened.
        let mails = outbox(&app).await;
        assert!(
            mails
                .iter()
                .any(|m| m.0 == "seedling@example.org" && m.2.contains("/verify-email/")),
            "{mails:?}"
        );
        assert!(
            mails.iter().all(|m| m.0 != "hostess@example.org"),
            "{mails:?}"
        );

        // A known email gets the same answer, and nothing is created.
        let again = client
            .json(
                "POST",
                &path,
                json!({
                    "handle": "Sapling",
                    "email": "seedling@example.org",
                    "password": "a long and quiet river walk",
                    "answer": "Again.",
                }),
            )
            .await;
        assert_eq!((again.status, again.json()), (joined.status, joined.json()));
        assert!(!exists(&app, "Sapling").await);
    }
);

kith_store::on_both_backends!(
    a_refused_newcomer_sees_which_field_and_why_and_nothing_is_kept,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let asking = listed_group(
            &app,
            &host,
            "Asking Circle",
            &[("join_question", "What brings you here?")],
        )
        .await;
        let invited = listed_group(
            &app,
            &host,
            "Invited Circle",
            &[("join_policy", "invite_only")],
        )
        .await;
        let mut client = app.browser();
        let body = |answer: &str| {
            json!({
                "handle": "Seedling",
                "email": "seedling@example.org",
                "password": "a long and quiet river walk",
                "answer": answer,
            })
        };

        let unanswered = client
            .json(
                "POST",
                &format!("/api/v1/groups/{asking}/newcomers"),
                body(""),
            )
            .await;
        assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            unanswered.header("content-type"),
            "application/problem+json"
        );
        assert_eq!(unanswered.json()["code"], "invalid_input");
        assert_eq!(unanswered.json()["field"], "answer");

        let weak = client
            .json(
                "POST",
                &format!("/api/v1/groups/{asking}/newcomers"),
                json!({"handle": "ab", "email": "x", "password": "short", "answer": "Yes."}),
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let problem = weak.json();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().expect("field"))
            .collect();
        assert_eq!(fields, ["handle", "email", "password"]);

        let uninvited = client
            .json(
                "POST",
                &format!("/api/v1/groups/{invited}/newcomers"),
                body("Yes."),
            )
            .await;
        assert_eq!(uninvited.status, StatusCode::CONFLICT);
        assert_eq!(uninvited.json()["code"], "invitation_required");

        let nowhere = client
            .json(
                "POST",
                "/api/v1/groups/no-such-group-zzzzz/newcomers",
                body("Yes."),
            )
            .await;
        assert_eq!(nowhere.status, StatusCode::NOT_FOUND);

        assert!(!exists(&app, "Seedling").await);
        assert!(outbox(&app).await.is_empty());
    }
);
