//! The mailing list through the API, on both databases: the interests
//! offered, one `202` for every address's state, refusals as problem
//! documents naming the unknown interest, confirming by token, managing
//! and unsubscribing by token, a member's own subscription.

use std::sync::Arc;

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_store::testing::{execute_sql, query_i64};
use kith_store::{Store, on_both_backends_with_url};
use serde_json::json;

use crate::support::{TestApp, link_in};

const CONFIRM_SUBJECT: &str = "kith: please confirm your subscription";

on_both_backends_with_url!(
    the_api_signs_up_alike_for_every_address_and_manages_by_token,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let mut client = app.browser();
        let interests = client
            .json("GET", "/api/v1/newsletter/interests", json!({}))
            .await;
        assert_eq!(interests.status, StatusCode::OK);
        assert_eq!(interests.json()[0]["code"], "coming-off");

        let sign_up = |email: &'static str| json!({"email": email, "interests": ["events"]});
        let first = client
            .json(
                "POST",
                "/api/v1/newsletter/subscriptions",
                sign_up("api@example.net"),
            )
            .await;
        assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
        let mails = app.deliver().await;
        assert_eq!(mails[0].subject, CONFIRM_SUBJECT);
        let token = link_in(&mails[0].text, "/newsletter/confirm/")
            .trim_start_matches("/newsletter/confirm/")
            .to_owned();

        let bogus = client
            .json(
                "POST",
                "/api/v1/newsletter/confirmations",
                json!({"token": "0123456789abcdef0123456789abcdef"}),
            )
            .await;
        assert_eq!(bogus.status, StatusCode::NOT_FOUND);
        assert_eq!(bogus.json()["code"], "not_found");
        let confirmed = client
            .json(
                "POST",
                "/api/v1/newsletter/confirmations",
                json!({"token": token}),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        let manage_url = confirmed.json()["manage_url"]
            .as_str()
            .expect("manage")
            .to_owned();
        assert!(
            confirmed.json().get("download_url").is_none(),
            "no file offered"
        );
        let used = client
            .json(
                "POST",
                "/api/v1/newsletter/confirmations",
                json!({"token": token}),
            )
            .await;
        assert_eq!(used.status, StatusCode::CONFLICT);
        assert_eq!(used.json()["code"], "link_used");

        // The same answer for a new, a waiting and a confirmed address.
        let waiting = client
            .json(
                "POST",
                "/api/v1/newsletter/subscriptions",
                sign_up("wait@example.net"),
            )
            .await;
        let again = client
            .json(
                "POST",
                "/api/v1/newsletter/subscriptions",
                sign_up("wait@example.net"),
            )
            .await;
        let known = client
            .json(
                "POST",
                "/api/v1/newsletter/subscriptions",
                sign_up("api@example.net"),
            )
            .await;
        for answer in [&waiting, &again, &known] {
            assert_eq!(answer.status, first.status);
            assert_eq!(answer.body, first.body);
        }

        let refused = client
            .json(
                "POST",
                "/api/v1/newsletter/subscriptions",
                json!({"email": "x@example.net", "interests": ["astrology"]}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.header("content-type"), "application/problem+json");
        let problem = refused.json();
        assert_eq!(problem["code"], "invalid_input");
        assert_eq!(problem["errors"][0]["code"], "unknown_interest");
        assert!(
            problem["errors"][0]["detail"]
                .as_str()
                .expect("detail")
                .contains("astrology"),
            "named: {problem}"
        );
        let malformed = client
            .json(
                "POST",
                "/api/v1/newsletter/subscriptions",
                json!({"email": "nobody", "first_name": "x".repeat(101)}),
            )
            .await;
        assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
        let problem = malformed.json();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().expect("field"))
            .collect();
        assert_eq!(fields, ["email", "first_name"]);
        let written =
            "SELECT COUNT(*) FROM subscribers WHERE email = 'x@example.net' OR email = 'nobody'";
        assert_eq!(query_i64(&url, written).await, 0);

        // Managing by the token.
        let manage_token = manage_url.rsplit('/').next().expect("token").to_owned();
        let path = format!("/api/v1/newsletter/manage/{manage_token}");
        let mine = client.json("GET", &path, json!({})).await;
        assert_eq!(
            mine.json(),
            json!({"confirmed": true, "interests": ["events"]})
        );
        let changed = client
            .json(
                "PUT",
                &path,
                json!({"interests": ["coming-off", "new-groups"]}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK);
        assert_eq!(
            changed.json()["interests"],
            json!(["coming-off", "new-groups"])
        );
        let unknown = client
            .json("PUT", &path, json!({"interests": ["astrology"]}))
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.json()["errors"][0]["code"], "unknown_interest");
        let gone = client.json("DELETE", &path, json!({})).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM newsletter_suppressions").await,
            1
        );
        let twice = client.json("DELETE", &path, json!({})).await;
        assert_eq!(twice.status, StatusCode::NOT_FOUND);

        // An expired manage link says so.
        client
            .json(
                "POST",
                "/api/v1/newsletter/subscriptions",
                sign_up("late@example.net"),
            )
            .await;
        let mails = app.deliver().await;
        let late = mails
            .iter()
            .find(|m| m.to == ["late@example.net"])
            .expect("mailed");
        let token = link_in(&late.text, "/newsletter/confirm/")
            .trim_start_matches("/newsletter/confirm/")
            .to_owned();
        execute_sql(&url, "UPDATE subscriber_tokens SET expires_at = 1").await;
        let expired = client
            .json(
                "POST",
                "/api/v1/newsletter/confirmations",
                json!({"token": token}),
            )
            .await;
        assert_eq!(expired.status, StatusCode::CONFLICT);
        assert_eq!(expired.json()["code"], "link_expired");
    }
);

on_both_backends_with_url!(
    a_member_subscribes_through_the_api_with_a_verified_address_only,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let river = app.account("River", Role::Member).await;
        let mut api = app.api_as(&river).await;
        let none = api.json("GET", "/api/v1/me/newsletter", json!({})).await;
        assert_eq!(
            none.json(),
            json!({"subscribed": false, "interests": [], "email_verified": true})
        );
        let on = api
            .json(
                "PUT",
                "/api/v1/me/newsletter",
                json!({"interests": ["events"]}),
            )
            .await;
        assert_eq!(on.status, StatusCode::OK, "{}", on.body);
        assert_eq!(on.json()["subscribed"], true);
        let bad = api
            .json(
                "PUT",
                "/api/v1/me/newsletter",
                json!({"interests": ["astrology"]}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let read = api.json("GET", "/api/v1/me/newsletter", json!({})).await;
        assert_eq!(read.json()["interests"], json!(["events"]));
        assert!(app.deliver().await.is_empty(), "no confirmation needed");
        let off = api.json("DELETE", "/api/v1/me/newsletter", json!({})).await;
        assert_eq!(off.status, StatusCode::NO_CONTENT);
        let off = api.json("DELETE", "/api/v1/me/newsletter", json!({})).await;
        assert_eq!(off.status, StatusCode::NOT_FOUND);

        let wren = app.account("Wren", Role::Member).await;
        execute_sql(
            &url,
            &format!(
                "UPDATE accounts SET email_verified_at = NULL WHERE id = {}",
                wren.id.0
            ),
        )
        .await;
        let mut theirs = app.api_as(&wren).await;
        let refused = theirs
            .json("PUT", "/api/v1/me/newsletter", json!({"interests": []}))
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert_eq!(refused.json()["code"], "email_unverified");
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscribers").await, 0);
    }
);
