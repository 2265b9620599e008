//! Feedback while waiting (issue 18, item 4), on both databases:
//! confirming the email logs the newcomer in and says what comes next —
//! with how long these hosts usually take, measured from their own
//! answers, and groups that let one in at once. The listing mails are in
//! `listing_mail`, the declined page and the questions before what cannot
//! be undone in `asking_first`.

use axum::http::StatusCode;
use jiff::SignedDuration;
use kith_app::access::Person;
use kith_app::mail::MailSite;
use kith_app::membership;
use kith_domain::account::Role;
use kith_domain::ids::{RequestId, Slug};
use kith_domain::membership::{Decision, RequestState};
use serde_json::json;

use crate::membership::{listed_group, outbox};
use crate::support::{TestApp, link_in, now};

pub(crate) fn site() -> MailSite {
    MailSite::new("http://kith.test")
}

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

/// Hosts of `slug` answer `n` requests (from people named `who…`), each
/// `wait` after it was asked.
async fn answered(
    app: &TestApp,
    host: &Person,
    slug: &Slug,
    who: &str,
    n: usize,
    wait: SignedDuration,
) {
    let store = app.db.store.as_ref();
    for i in 0..n {
        let person = app.account(&format!("{who}{i}"), Role::Member).await;
        let asked_at =
            now() - SignedDuration::from_hours(24 * 10) + SignedDuration::from_hours(i as i64);
        let request =
            membership::ask_to_join(store, &site(), &person, slug, "Hello.", None, asked_at)
                .await
                .expect("asked");
        let decision = if i % 2 == 0 {
            Decision::Approve
        } else {
            Decision::Decline
        };
        membership::decide(
            store,
            &site(),
            host,
            &request.id,
            decision,
            "",
            asked_at + wait,
        )
        .await
        .expect("answered");
    }
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
    the_wait_words_come_from_the_groups_own_latest_answers,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let quick = asking(&app, &host, "Quick Circle").await;
        let slow = asking(&app, &host, "Slow Circle").await;
        let young = asking(&app, &host, "Young Circle").await;
        answered(
            &app,
            &host,
            &quick,
            "Quick",
            3,
            SignedDuration::from_hours(20),
        )
        .await;
        answered(
            &app,
            &host,
            &slow,
            "Slow",
            4,
            SignedDuration::from_hours(24 * 5),
        )
        .await;
        answered(
            &app,
            &host,
            &young,
            "Young",
            2,
            SignedDuration::from_hours(1),
        )
        .await;

        // The store keeps each answer's wait, newest answer first; a
        // request taken back is no answer.
        let store = app.db.store.as_ref();
        let leaver = app.account("Leaver", Role::Member).await;
        let left = ask(&app, &leaver, &quick).await;
        let mut leaving = app.browser_as(&leaver).await;
        leaving.get(&format!("/requests/{left}")).await;
        let done = leaving
            .post_form(
                &format!("/requests/{left}/withdraw"),
                &[("confirmed", "yes")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(
            store.answer_waits(&quick, 20).await.expect("waits"),
            vec![20 * 3600; 3]
        );
        assert_eq!(store.answer_waits(&slow, 2).await.expect("waits").len(), 2);

        let seeker = app.account("Seeker", Role::Member).await;
        for slug in [&quick, &slow, &young] {
            ask(&app, &seeker, slug).await;
        }
        let mut browser = app.browser_as(&seeker).await;
        let page = browser.get("/me/confirmed").await;
        assert_eq!(page.status, StatusCode::OK);
        let section = |name: &str| {
            let start = page.body.find(name).unwrap_or_else(|| panic!("{name}"));
            let end = page.body[start..].find("</section>").expect("end") + start;
            page.body[start..end].to_owned()
        };
        assert!(section("Quick Circle").contains("usually answer within a day"));
        assert!(section("Slow Circle").contains("usually answer within a week"));
        assert!(
            !section("Young Circle").contains("usually"),
            "too few answers"
        );
    }
);

kith_store::on_both_backends!(
    an_answer_s_wait_runs_from_the_latest_asking_and_later_changes_leave_it,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = asking(&app, &host, "Patient Circle").await;
        let store = app.db.store.as_ref();
        let at = |hours: i64| now() - SignedDuration::from_hours(100 - hours);
        let again = app.account("Again", Role::Member).await;
        let stayer = app.account("Stayer", Role::Member).await;

        // Asked, taken back (no answer), asked again; declined 2 h later.
        let first = membership::ask_to_join(store, &site(), &again, &slug, "Hi.", None, at(0))
            .await
            .expect("asked");
        membership::withdraw(store, &site(), &again, &first.id, at(1))
            .await
            .expect("withdrawn");
        membership::ask_to_join(store, &site(), &again, &slug, "Hi again.", None, at(10))
            .await
            .expect("asked again");
        // Welcomed 3 h after asking, and leaving much later changes nothing.
        let stays = membership::ask_to_join(store, &site(), &stayer, &slug, "Hi.", None, at(0))
            .await
            .expect("asked");
        membership::decide(
            store,
            &site(),
            &host,
            &stays.id,
            Decision::Approve,
            "",
            at(3),
        )
        .await
        .expect("welcomed");
        membership::decide(
            store,
            &site(),
            &host,
            &first.id,
            Decision::Decline,
            "",
            at(12),
        )
        .await
        .expect("declined");
        membership::withdraw(store, &site(), &stayer, &stays.id, at(50))
            .await
            .expect("left");

        assert_eq!(
            store.answer_waits(&slug, 20).await.expect("waits"),
            vec![2 * 3600, 3 * 3600],
            "newest answer first"
        );
        assert_eq!(
            store.answer_waits(&slug, 1).await.expect("waits"),
            vec![2 * 3600]
        );
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
