//! What cannot be undone asks first (issue 18, item 9), and a declined
//! seeker reads kind words, other groups and the crisis link — a blocked
//! one exactly the same (issue 15's rule). On both databases.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::ids::RequestId;
use kith_domain::membership::RequestState;
use serde_json::json;

use crate::membership::listed_group;
use crate::support::TestApp;
use crate::waiting::{ask, asking, state_of};

/// A page with the per-request and per-session tokens taken out.
fn without(body: &str, tokens: &[&str]) -> String {
    let mut body = body.to_owned();
    for token in tokens {
        body = body.replace(token, "TOKEN");
    }
    let marker = r#"name="_csrf" value=""#;
    while let Some(start) = body.find(marker) {
        let from = start + marker.len();
        let end = body[from..].find('"').expect("end") + from;
        body.replace_range(start..end, "CSRF");
    }
    body
}

kith_store::on_both_backends!(
    a_declined_seeker_reads_kind_words_and_other_groups_and_a_blocked_one_the_same,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = asking(&app, &host, "Patient Circle").await;
        asking(&app, &host, "Tapering Friends").await;
        listed_group(&app, &host, "Voices Circle", &[("focus", "hearing_voices")]).await;
        let declined = app.account("Declined", Role::Member).await;
        let blocked = app.account("Blocked", Role::Member).await;
        let declined_id = ask(&app, &declined, &slug).await;
        let blocked_id = ask(&app, &blocked, &slug).await;
        let mut hosting = app.browser_as(&host).await;
        hosting.get(&format!("/requests/{declined_id}")).await;
        for (id, action) in [(&declined_id, "decline"), (&blocked_id, "block")] {
            let done = hosting
                .post_form(&format!("/requests/{id}/{action}"), &[("confirmed", "yes")])
                .await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        }
        assert_eq!(state_of(&app, &blocked_id).await, RequestState::Blocked);

        let mut pages = Vec::new();
        for (person, id) in [(&declined, &declined_id), (&blocked, &blocked_id)] {
            let mut browser = app.browser_as(person).await;
            let page = browser.get(&format!("/requests/{id}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(
                page.body.contains("could not take you in this time"),
                "{}",
                page.body
            );
            assert!(page.body.contains("it says nothing about you"));
            assert!(page.body.contains("href=\"/crisis\""));
            // A similar group to try; not one of another focus, not this one.
            assert!(page.body.contains("Tapering Friends"), "{}", page.body);
            assert!(!page.body.contains("Voices Circle"));
            assert!(!page.body.contains("state-declined"), "no bare badge");
            pages.push(without(&page.body, &[id, person.handle.as_str()]));
        }
        assert_eq!(pages[0], pages[1], "a block reads exactly as a decline");
    }
);

kith_store::on_both_backends!(
    what_cannot_be_undone_asks_first_and_only_the_confirmed_post_acts,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = asking(&app, &host, "Patient Circle").await;
        let mut hosting = app.browser_as(&host).await;
        let people = ["Waiting", "Member", "Removed", "Blocked", "Leaving"];
        let mut ids = Vec::new();
        for handle in people {
            let person = app.account(handle, Role::Member).await;
            ids.push((person.clone(), ask(&app, &person, &slug).await));
        }
        for (_, id) in &ids[1..] {
            let approved = app
                .api_as(&host)
                .await
                .json(
                    "POST",
                    &format!("/api/v1/join-requests/{id}/approve"),
                    json!({}),
                )
                .await;
            assert_eq!(approved.status, StatusCode::OK);
        }
        let id = |i: usize| ids[i].1.clone();

        // Each first POST shows what it means, with a button that sends it
        // again confirmed; it changes nothing.
        let mut host_steps = vec![
            (
                id(0),
                "decline",
                "Decline this request?",
                RequestState::Pending,
                RequestState::Declined,
            ),
            (
                id(2),
                "remove",
                "Remove this person from the group?",
                RequestState::Approved,
                RequestState::Removed,
            ),
            (
                id(3),
                "block",
                "Block this person?",
                RequestState::Approved,
                RequestState::Blocked,
            ),
        ];
        hosting.get(&format!("/requests/{}", id(0))).await;
        for (request, action, question, before, after) in host_steps.drain(..) {
            let url = format!("/requests/{request}/{action}");
            let note = [("decision_note", "Not this time, friend.")];
            let asked = hosting.post_form(&url, &note).await;
            assert_eq!(asked.status, StatusCode::OK, "{action}: {}", asked.body);
            assert!(asked.body.contains(question), "{}", asked.body);
            assert!(asked.body.contains("name=\"confirmed\" value=\"yes\""));
            assert!(asked.body.contains(&format!("action=\"{url}\"")));
            assert!(
                asked
                    .body
                    .contains(&format!("href=\"/requests/{request}\"")),
                "a way back"
            );
            assert_eq!(
                state_of(&app, &request).await,
                before,
                "{action} asked only"
            );
            if action == "decline" {
                assert!(
                    asked.body.contains("value=\"Not this time, friend.\""),
                    "the note is kept"
                );
            }
            let done = hosting
                .post_form(&url, &[("confirmed", "yes"), note[0]])
                .await;
            assert_eq!(
                done.status,
                StatusCode::SEE_OTHER,
                "{action}: {}",
                done.body
            );
            assert_eq!(state_of(&app, &request).await, after, "{action} confirmed");
        }
        let thread = app
            .db
            .store
            .thread(&RequestId::parse(&id(0)).expect("id"))
            .await
            .expect("thread");
        assert!(thread.iter().any(|m| m.body == "Not this time, friend."));

        // The seeker's side: taking a request back, and leaving.
        for i in [1, 4] {
            let (question, after) = ("Leave this group?", RequestState::Left);
            let (person, request) = &ids[i];
            let mut seeker = app.browser_as(person).await;
            seeker.get(&format!("/requests/{request}")).await;
            let url = format!("/requests/{request}/withdraw");
            let asked = seeker.post_form(&url, &[]).await;
            assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
            assert!(asked.body.contains(question));
            assert_eq!(state_of(&app, request).await, RequestState::Approved);
            // Someone else's request: 404 already at the question.
            let mut stranger = app.browser_as(&ids[(i + 1) % ids.len()].0).await;
            stranger.get("/").await;
            assert_eq!(
                stranger.post_form(&url, &[]).await.status,
                StatusCode::NOT_FOUND
            );
            let done = seeker.post_form(&url, &[("confirmed", "yes")]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER);
            assert_eq!(state_of(&app, request).await, after);
        }
        let newcomer = app.account("Newcomer", Role::Member).await;
        let request = ask(&app, &newcomer, &slug).await;
        let mut seeker = app.browser_as(&newcomer).await;
        seeker.get(&format!("/requests/{request}")).await;
        let asked = seeker
            .post_form(&format!("/requests/{request}/withdraw"), &[])
            .await;
        assert!(asked.body.contains("Take back your request?"));
        assert_eq!(state_of(&app, &request).await, RequestState::Pending);
        // A host asked to do a seeker's action reads 404, as for the action.
        let refused = hosting
            .post_form(&format!("/requests/{request}/withdraw"), &[])
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);

        // The JSON routes act at once, as before.
        let removed = app
            .api_as(&host)
            .await
            .json(
                "POST",
                &format!("/api/v1/join-requests/{request}/decline"),
                json!({}),
            )
            .await;
        assert_eq!(removed.status, StatusCode::OK);
        assert_eq!(state_of(&app, &request).await, RequestState::Declined);
    }
);
