//! A request made before the person confirmed their email is held: the
//! hosts get no mail, no page and no count of it — not even when the person
//! writes in its thread — until the email is confirmed; then it reaches
//! them with its thread. On both databases, for the newcomer's one form and
//! for a logged-in person whose email is not confirmed.

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_app::accounts::{self, Registration};
use kith_domain::account::{Handle, Role};
use kith_store::accounts::SessionKind;
use serde_json::json;

use crate::membership::{ask, listed_group, outbox};
use crate::support::{Browser, TestApp, link_in, now};

/// A session for an account whose email is not confirmed.
async fn unconfirmed(app: &TestApp, handle: &str) -> (Browser, Browser) {
    let store = app.db.store.as_ref();
    let account = store
        .account_by_handle(&Handle::parse(handle).expect("handle"))
        .await
        .expect("lookup")
        .expect("the account");
    assert!(!account.email_verified);
    let person = Person {
        id: account.id,
        handle: Handle::parse(handle).expect("handle"),
        role: Role::Member,
        email_verified: false,
    };
    let browser = app.browser_as(&person).await;
    let token = accounts::start_session(&app.context, person.id, SessionKind::Api, true, now())
        .await
        .expect("session");
    let mut api = app.browser();
    api.bearer = Some(token.token);
    (browser, api)
}

/// Follows the confirmation link in the mail to `address`, as its owner.
async fn confirm(browser: &mut Browser, mails: &[(String, String, String)], address: &str) {
    let (_, _, text) = mails
        .iter()
        .find(|m| m.0 == address)
        .unwrap_or_else(|| panic!("no mail to {address}: {mails:?}"));
    let link = link_in(text, "/verify-email/");
    assert_eq!(browser.get(&link).await.status, StatusCode::OK);
    let confirmed = browser.post_form(&link, &[]).await;
    assert!(
        confirmed.status.is_success() || confirmed.status == StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
}

kith_store::on_both_backends!(
    a_held_request_and_its_thread_reach_the_hosts_only_once_the_email_is_confirmed,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Patient Circle",
            &[("join_question", "What brings you here?")],
        )
        .await;

        // A newcomer asks with the one form; someone who registered and
        // logged in without confirming asks through the API.
        let join = format!("/groups/{slug}/join");
        let mut form = app.browser();
        form.get(&join).await;
        let sent = form
            .post_form(
                &join,
                &[
                    ("handle", "Newbie"),
                    ("email", "newbie@example.org"),
                    ("password", "a long and quiet river walk"),
                    ("answer", "HELD-ANSWER-ONE"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK);
        let registration = Registration {
            handle: "Later".to_owned(),
            email: "later@example.org".to_owned(),
            password: "another long and quiet walk".to_owned(),
        };
        accounts::register(&app.context, &registration, now())
            .await
            .expect("registered");
        let (mut newbie, mut newbie_api) = unconfirmed(&app, "Newbie").await;
        let (mut later, mut later_api) = unconfirmed(&app, "Later").await;
        let asked = ask(&mut later_api, &slug, json!({"answer": "HELD-ANSWER-TWO"})).await;
        assert_eq!(asked.status, StatusCode::CREATED);
        assert_eq!(asked.json()["state"], "pending");
        let mine = newbie_api.get("/api/v1/me/groups").await.json();
        let ids = [
            mine[0]["id"]
                .as_str()
                .expect("the one form's request")
                .to_owned(),
            asked.json()["id"].as_str().expect("id").to_owned(),
        ];

        // Each writes in the thread, by page and by API.
        let page = newbie.get(&format!("/requests/{}", ids[0])).await;
        assert!(page.body.contains("confirm your email"), "{}", page.body);
        let written = newbie
            .post_form(
                &format!("/requests/{}/messages", ids[0]),
                &[("text", "HELD-MESSAGE-ONE")],
            )
            .await;
        assert_eq!(written.status, StatusCode::SEE_OTHER);
        let written = later_api
            .json(
                "POST",
                &format!("/api/v1/join-requests/{}/messages", ids[1]),
                json!({"text": "HELD-MESSAGE-TWO"}),
            )
            .await;
        assert_eq!(written.status, StatusCode::CREATED);

        // The hosts: no mail, no page, no count.
        let mails = outbox(&app).await;
        assert!(
            mails.iter().all(|m| m.0 != "hostess@example.org"),
            "{mails:?}"
        );
        let mut host_browser = app.browser_as(&host).await;
        let mut host_api = app.api_as(&host).await;
        let missing = "00000000000000000000000000000000";
        let nothing_page = host_browser.get(&format!("/requests/{missing}")).await;
        let nothing_api = host_api
            .get(&format!("/api/v1/join-requests/{missing}"))
            .await;
        assert_eq!(nothing_page.status, StatusCode::NOT_FOUND);
        for id in &ids {
            let page = host_browser.get(&format!("/requests/{id}")).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND);
            assert_eq!(page.body, nothing_page.body, "exactly like a missing one");
            for path in [
                format!("/api/v1/join-requests/{id}"),
                format!("/api/v1/join-requests/{id}/messages"),
            ] {
                let answer = host_api.get(&path).await;
                assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
                assert_eq!(answer.body, nothing_api.body);
            }
            for action in ["messages", "approve", "decline", "block"] {
                let tried = host_api
                    .json(
                        "POST",
                        &format!("/api/v1/join-requests/{id}/{action}"),
                        json!({"text": "Hello?"}),
                    )
                    .await;
                assert_eq!(tried.status, StatusCode::NOT_FOUND, "{action}");
            }
        }
        let people = host_browser.get(&format!("/groups/{slug}/people")).await;
        assert!(
            people.body.contains("Waiting for your answer (0)"),
            "no count"
        );
        for held in ["Newbie", "Later", "HELD-ANSWER", "HELD-MESSAGE"] {
            assert!(!people.body.contains(held), "{held}");
        }
        let listed = host_api
            .get(&format!("/api/v1/groups/{slug}/join-requests"))
            .await
            .json();
        assert_eq!(listed["pending"], json!([]));
        assert!(outbox(&app).await.is_empty(), "still no mail");

        // Confirmed: each request reaches the hosts with its thread, and
        // they hear of it.
        confirm(&mut newbie, &mails, "newbie@example.org").await;
        confirm(&mut later, &mails, "later@example.org").await;
        let mails = outbox(&app).await;
        let told: Vec<_> = mails
            .iter()
            .filter(|m| m.0 == "hostess@example.org")
            .collect();
        assert_eq!(told.len(), 2, "{mails:?}");
        for (id, message) in ids.iter().zip(["HELD-MESSAGE-ONE", "HELD-MESSAGE-TWO"]) {
            assert!(
                told.iter()
                    .any(|m| m.2.contains(&format!("/requests/{id}"))),
                "{told:?}"
            );
            let page = host_browser.get(&format!("/requests/{id}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains(message));
            let thread = host_api
                .get(&format!("/api/v1/join-requests/{id}/messages"))
                .await
                .json();
            assert_eq!(thread[0]["text"], message);
        }
        let listed = host_api
            .get(&format!("/api/v1/groups/{slug}/join-requests"))
            .await
            .json();
        assert_eq!(listed["pending"].as_array().map(Vec::len), Some(2));
        let people = host_browser.get(&format!("/groups/{slug}/people")).await;
        assert!(people.body.contains("Waiting for your answer (2)"));
        assert!(people.body.contains("HELD-ANSWER-ONE"));
        assert!(people.body.contains("HELD-ANSWER-TWO"));
    }
);
