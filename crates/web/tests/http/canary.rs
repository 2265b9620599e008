//! The canary: unique markers go into every private field of a group and
//! into a request's thread; then every page, API route, feed and calendar
//! is read as each person who may not see them — anonymous, logged in
//! without membership, pending, declined, removed, blocked, withdrawn — and
//! no marker may appear anywhere. A direct request for a private resource
//! answers 404, exactly like one that does not exist.

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use serde_json::json;

use crate::membership::listed_group;
use crate::support::{Browser, TestApp, now};

const LINK: &str = "https://meet.example.org/CANARY-LINK-4417";
const DIAL: &str = "+49 30 555 0199,,8813#";
const ADDRESS: &str = "CANARY-STREET 12";
const ANSWER: &str = "CANARY-ANSWER about my doses";
const THREAD: &str = "CANARY-THREAD from the host";
const MARKERS: [&str; 5] = [
    "CANARY-LINK-4417",
    "0199,,8813",
    "CANARY-STREET",
    "CANARY-ANSWER",
    "CANARY-THREAD",
];

/// Asks through the API and answers the request id.
async fn ask(app: &TestApp, person: &Person, slug: &str, answer: &str) -> String {
    let asked = app
        .api_as(person)
        .await
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/join-requests"),
            json!({"answer": answer}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    asked.json()["id"].as_str().expect("id").to_owned()
}

async fn act(host: &mut Browser, request: &str, action: &str) {
    let done = host
        .json(
            "POST",
            &format!("/api/v1/join-requests/{request}/{action}"),
            json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{action}: {}", done.body);
}

/// Every address a person can read, public and their own.
fn addresses(slug: &str, other_request: &str, calendar_token: &str) -> Vec<String> {
    [
        "/",
        "/groups",
        "/groups?q=circle",
        "/groups/{slug}",
        "/groups/{slug}/join",
        "/groups/{slug}/calendar.ics",
        "/feeds/meeting-guide.json",
        "/api/v1/groups",
        "/api/v1/groups?q=circle",
        "/api/v1/groups/{slug}",
        "/me",
        "/api/v1/me",
        "/api/v1/me/groups",
        "/api/v1/me/meetings",
        "/me/calendar.ics?token={token}",
        "/crisis",
        "/api/openapi.json",
    ]
    .iter()
    .chain(private_addresses().iter())
    .map(|a| {
        a.replace("{slug}", slug)
            .replace("{request}", other_request)
            .replace("{token}", calendar_token)
    })
    .collect()
}

/// Addresses that exist but are not for these readers: 404.
fn private_addresses() -> &'static [&'static str] {
    &[
        "/groups/{slug}/people",
        "/api/v1/groups/{slug}/join-requests",
        "/api/v1/groups/{slug}/members",
        "/requests/{request}",
        "/api/v1/join-requests/{request}",
        "/api/v1/join-requests/{request}/messages",
    ]
}

kith_store::on_both_backends!(
    no_private_marker_reaches_anyone_not_entitled,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Canary Circle",
            &[
                ("format", "hybrid"),
                ("city", "Berlin"),
                ("call_link", LINK),
                ("dial_in", DIAL),
                ("street_address", ADDRESS),
            ],
        )
        .await
        .to_string();
        let mut host_api = app.api_as(&host).await;

        // The member whose request carries the thread markers.
        let member = app.account("Member", Role::Member).await;
        let member_request = ask(&app, &member, &slug, ANSWER).await;
        host_api
            .json(
                "POST",
                &format!("/api/v1/join-requests/{member_request}/messages"),
                json!({"text": THREAD}),
            )
            .await;
        act(&mut host_api, &member_request, "approve").await;

        // Everyone who may not see the markers.
        let stranger = app.account("Stranger", Role::Member).await;
        let pending = app.account("Pending", Role::Member).await;
        ask(&app, &pending, &slug, "hello").await;
        let mut readers = vec![("stranger", Some(stranger)), ("pending", Some(pending))];
        for (label, action) in [
            ("declined", "decline"),
            ("removed", "remove"),
            ("blocked", "block"),
            ("withdrawn", "withdraw"),
        ] {
            let person = app.account(label, Role::Member).await;
            let request = ask(&app, &person, &slug, "hello").await;
            if action == "remove" {
                act(&mut host_api, &request, "approve").await;
            }
            if action == "withdraw" {
                act(&mut app.api_as(&person).await, &request, action).await;
            } else {
                act(&mut host_api, &request, action).await;
            }
            readers.push((label, Some(person)));
        }
        readers.push(("anonymous", None));

        // The markers are there to be found: the member sees them all.
        let mut member_browser = app.browser_as(&member).await;
        let page = member_browser.get(&format!("/groups/{slug}")).await;
        let thread = member_browser
            .get(&format!("/requests/{member_request}"))
            .await;
        for marker in MARKERS {
            assert!(
                page.body.contains(marker) || thread.body.contains(marker),
                "the member should see {marker}"
            );
        }

        let mut leaks = Vec::new();
        let mut read = 0;
        for (label, person) in &readers {
            let token = match person {
                Some(p) => kith_app::feeds::new_calendar_token(&app.context, p, now())
                    .await
                    .expect("calendar token"),
                None => "0123456789abcdef0123456789abcdef".to_owned(),
            };
            let mut clients = match person {
                Some(p) => vec![app.browser_as(p).await, app.api_as(p).await],
                None => vec![app.browser()],
            };
            for client in &mut clients {
                for address in addresses(&slug, &member_request, &token) {
                    let response = client.get(&address).await;
                    read += 1;
                    for marker in MARKERS {
                        if response.body.contains(marker) {
                            leaks.push(format!("{label}: {marker} in {address}"));
                        }
                    }
                    let private = private_addresses().iter().any(|p| {
                        address
                            == p.replace("{slug}", &slug)
                                .replace("{request}", &member_request)
                    });
                    let refused = response.status == StatusCode::NOT_FOUND
                        || (person.is_none()
                            && (response.status == StatusCode::UNAUTHORIZED
                                || response.header("location").starts_with("/login")));
                    if private && !refused {
                        leaks.push(format!("{label}: {address} answered {}", response.status));
                    }
                }
            }
        }
        assert!(read > 200, "the crawl read {read} answers");
        assert!(leaks.is_empty(), "{leaks:#?}");
    }
);
