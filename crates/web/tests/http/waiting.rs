//! Feedback while waiting (issue 18, item 4), on both databases:
//! confirming the email logs the newcomer in and says what comes next —
//! with how long these hosts usually take, measured from their own
//! answers (`answer_time`), and groups that let one in at once. The
//! listing mails are in `listing_mail`, the declined page and the
//! questions before what cannot be undone in `asking_first`.

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::ids::{RequestId, Slug};
use kith_domain::membership::RequestState;
use serde_json::json;

use crate::membership::{listed_group, outbox};
use crate::support::{TestApp, link_in};

/// A group one may join at once: open to anyone, no question.
pub(crate) async fn open_door(app: &TestApp, host: &Person, name: &str) -> Slug {
    listed_group(
        app,
        host,
        name,
        &[("join_policy", "open"), ("attributes", "open")],
    )
    .await
}

/// A group whose hosts read each request.
pub(crate) async fn asking(app: &TestApp, host: &Person, name: &str) -> Slug {
    listed_group(
        app,
        host,
        name,
        &[
            ("join_policy", "approval"),
            ("join_question", "What brings you here?"),
        ],
    )
    .await
}

pub(crate) async fn state_of(app: &TestApp, id: &str) -> RequestState {
    app.db
        .store
        .request(&RequestId::parse(id).expect("id"))
        .await
        .expect("request")
        .state
}

/// Asks through the API as `person`; answers the request id.
pub(crate) async fn ask(app: &TestApp, person: &Person, slug: &Slug) -> String {
    let asked = app
        .api_as(person)
        .await
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/join-requests"),
            json!({"answer": "I am tapering."}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    asked.json()["id"].as_str().expect("id").to_owned()
}

kith_store::on_both_backends!(
    confirming_the_email_logs_the_newcomer_in_and_says_what_comes_next,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = asking(&app, &host, "Patient Circle").await;
        open_door(&app, &host, "Open Door Circle").await;
        // Open to anyone, but its hosts read each request: not "at once".
        listed_group(
            &app,
            &host,
            "Open Ear Circle",
            &[("attributes", "open"), ("join_policy", "approval")],
        )
        .await;

        let join = format!("/groups/{slug}/join");
        let mut newbie = app.browser();
        newbie.get(&join).await;
        let sent = newbie
            .post_form(
                &join,
                &[
                    ("handle", "Newbie"),
                    ("email", "newbie@example.org"),
                    ("password", "a long and quiet river walk"),
                    ("answer", "I am tapering."),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK);
        let mails = outbox(&app).await;
        let (_, _, text) = mails
            .iter()
            .find(|m| m.0 == "newbie@example.org")
            .expect("the confirmation mail");
        let link = link_in(text, "/verify-email/");

        // Before confirming, the page would say untrue things: a session of
        // the unconfirmed account is sent to its own page.
        let account = app
            .db
            .store
            .account_by_handle(&kith_domain::account::Handle::parse("Newbie").expect("handle"))
            .await
            .expect("lookup")
            .expect("the account");
        let unconfirmed = Person {
            id: account.id,
            handle: account.handle.clone(),
            role: Role::Member,
            email_verified: false,
        };
        let early = app
            .browser_as(&unconfirmed)
            .await
            .get("/me/confirmed")
            .await;
        assert_eq!(early.status, StatusCode::SEE_OTHER);
        assert_eq!(early.header("location"), "/me");

        // Opening the link changes nothing and logs nobody in.
        let opened = newbie.get(&link).await;
        assert_eq!(opened.status, StatusCode::OK);
        assert!(
            opened.header("set-cookie").is_empty()
                || !opened.header("set-cookie").starts_with("kith_session=")
        );

        // Confirming logs the person in: exactly one session cookie.
        let confirmed = newbie.post_form(&link, &[]).await;
        assert_eq!(
            confirmed.status,
            StatusCode::SEE_OTHER,
            "{}",
            confirmed.body
        );
        assert_eq!(confirmed.header("location"), "/me/confirmed");
        let sessions: Vec<_> = confirmed
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with("kith_session="))
            .collect();
        assert_eq!(sessions.len(), 1, "{sessions:?}");
        assert!(!sessions[0].contains("Max-Age=0"), "{sessions:?}");

        let page = newbie.get("/me/confirmed").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Your email is confirmed"));
        assert!(
            page.body.contains("<strong>Newbie</strong>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Patient Circle"));
        assert!(page.body.contains("Your request now reaches the group"));
        assert!(
            page.body
                .contains("We send you a mail when the hosts answer")
        );
        // No answers yet: no guess at how long.
        assert!(!page.body.contains("usually answer"), "{}", page.body);
        // Somewhere to go meanwhile: only a group that lets one in at once.
        assert!(page.body.contains("Open Door Circle"), "{}", page.body);
        assert!(!page.body.contains("Open Ear Circle"), "{}", page.body);
        assert!(page.body.contains("href=\"/crisis\""));
        // Logged in for the next page too, and the hosts heard of it.
        assert_eq!(newbie.get("/me").await.status, StatusCode::OK);
        let news = outbox(&app).await;
        assert!(
            news.iter().any(|m| m.0 == "hostess@example.org"),
            "{news:?}"
        );
        // The link works once.
        let mut other = app.browser();
        other.get("/login").await;
        let again = other.post_form(&link, &[]).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
);

kith_store::on_both_backends!(
    a_group_that_lets_one_in_at_once_is_found_past_the_first_page,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        // A full first page of groups open to anyone that read each
        // request, all meeting before the one that lets one in at once.
        for i in 0..22 {
            listed_group(
                &app,
                &host,
                &format!("Early Circle {i}"),
                &[("attributes", "open"), ("join_policy", "approval")],
            )
            .await;
        }
        listed_group(
            &app,
            &host,
            "Late Open Door",
            &[
                ("attributes", "open"),
                ("join_policy", "open"),
                ("rules[0].weekdays", "4"),
            ],
        )
        .await;
        let seeker = app.account("Seeker", Role::Member).await;
        let mut browser = app.browser_as(&seeker).await;
        let page = browser.get("/me/confirmed").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Late Open Door"), "{}", page.body);
        assert!(!page.body.contains("Early Circle"));
    }
);

kith_store::on_both_backends!(
    a_newcomer_to_a_group_that_lets_one_in_at_once_reads_that_they_are_in,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = open_door(&app, &host, "Open Door Circle").await;
        let join = format!("/groups/{slug}/join");
        let mut newbie = app.browser();
        newbie.get(&join).await;
        let sent = newbie
            .post_form(
                &join,
                &[
                    ("handle", "Newbie"),
                    ("email", "newbie@example.org"),
                    ("password", "a long and quiet river walk"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let mails = outbox(&app).await;
        let (_, _, text) = mails
            .iter()
            .find(|m| m.0 == "newbie@example.org")
            .expect("the confirmation mail");
        let link = link_in(text, "/verify-email/");
        newbie.get(&link).await;
        let confirmed = newbie.post_form(&link, &[]).await;
        assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
        let page = newbie.get("/me/confirmed").await;
        assert!(page.body.contains("You are in."), "{}", page.body);
        assert!(
            !page
                .body
                .contains("We send you a mail when the hosts answer")
        );
        // Not suggested to the person already in it.
        let meanwhile = &page.body[page.body.find("open-now-title").expect("section")..];
        assert!(!meanwhile.contains("Open Door Circle"), "{meanwhile}");
    }
);
