//! Feedback while waiting (issue 18, items 4 and 9), on both databases:
//! confirming the email logs the newcomer in and says what comes next —
//! with how long these hosts usually take, measured from their own
//! answers, and groups that let one in at once; hosts hear when their
//! listing is approved and moderators when one waits; a declined seeker
//! reads kind words, other groups and the crisis link, and a blocked one
//! reads exactly the same; what cannot be undone asks first.

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

fn site() -> MailSite {
    MailSite::new("http://kith.test")
}

/// A group one may join at once: open to anyone, no question.
async fn open_door(app: &TestApp, host: &Person, name: &str) -> Slug {
    listed_group(
        app,
        host,
        name,
        &[("join_policy", "open"), ("attributes", "open")],
    )
    .await
}

/// A group whose hosts read each request.
async fn asking(app: &TestApp, host: &Person, name: &str) -> Slug {
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

async fn state_of(app: &TestApp, id: &str) -> RequestState {
    app.db
        .store
        .request(&RequestId::parse(id).expect("id"))
        .await
        .expect("request")
        .state
}

/// Asks through the API as `person`; answers the request id.
async fn ask(app: &TestApp, person: &Person, slug: &Slug) -> String {
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
    hosts_hear_their_listing_is_approved_and_moderators_that_one_waits,
    |store| async move {
        let app = TestApp::on(store);
        let warden = app.account("Warden", Role::Moderator).await;
        app.account("Keeper", Role::Admin).await;
        let host = app.account("Hostess", Role::Member).await;

        // A moderator who lists a group is not told of their own listing.
        app.group_hosted_by(
            &warden,
            "Warden Circle",
            kith_domain::group::ListingStatus::Pending,
        )
        .await;
        let slug = app
            .group_hosted_by(
                &host,
                "Willow Circle",
                kith_domain::group::ListingStatus::Pending,
            )
            .await;
        let mut moderator = app.browser_as(&warden).await;
        moderator.get("/moderation").await;
        let approved = moderator
            .post_form(&format!("/moderation/groups/{slug}/approve"), &[])
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);

        let delivered = app.deliver().await;
        let to = |address: &str| -> Vec<_> {
            delivered
                .iter()
                .filter(|m| m.to == vec![address.to_owned()])
                .collect()
        };
        // Each staff member hears of each listing but their own.
        let warden_mail = to("warden@example.org");
        assert_eq!(warden_mail.len(), 1, "{delivered:#?}");
        assert_eq!(warden_mail[0].subject, "kith: a listing waits for review");
        assert!(warden_mail[0].text.contains("Willow Circle"));
        assert!(warden_mail[0].text.contains("http://kith.test/moderation"));
        assert!(warden_mail[0].html.contains("Open the review queue"));
        let keeper_mail = to("keeper@example.org");
        assert_eq!(keeper_mail.len(), 2, "{delivered:#?}");
        // The host hears their group is listed, with a neutral subject.
        let host_mail = to("hostess@example.org");
        assert_eq!(host_mail.len(), 1, "{delivered:#?}");
        assert_eq!(host_mail[0].subject, "kith: your group is listed");
        assert!(
            host_mail[0]
                .text
                .contains(&format!("http://kith.test/groups/{slug}"))
        );
        assert!(host_mail[0].html.contains("Willow Circle"));
        // One recipient each, no other address in any mail.
        for mail in &delivered {
            assert_eq!(mail.to.len(), 1);
            for address in ["warden@", "keeper@", "hostess@"] {
                if !mail.to[0].starts_with(address) {
                    assert!(!mail.raw.contains(&format!("{address}example.org")));
                }
            }
        }
    }
);

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
