//! Joining groups over HTTP, on both databases: asking, the thread, the
//! hosts' decisions, the waitlist, blocks and invitations.

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use kith_domain::group_input::GroupInput;
use kith_domain::ids::Slug;
use serde_json::json;

use crate::support::{Browser, TestApp, group_pairs, now};
use kith_store::mail::NoMail;
use kith_store::moderation::StatusChange;

/// A listed group hosted by `host`, with extra form fields.
pub async fn listed_group(
    app: &TestApp,
    host: &Person,
    name: &str,
    extra: &[(&str, &str)],
) -> Slug {
    let mut pairs = group_pairs(name);
    for (key, value) in extra {
        pairs.retain(|(k, _)| k != key);
        pairs.push((*key, (*value).to_owned()));
    }
    // Keys are 'static in group_pairs; extras borrow, so go through strings.
    let owned: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let input = GroupInput::from_pairs(owned.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let store = app.db.store.as_ref();
    let slug = kith_app::hosting::submit_group(&app.context, host, &input, now())
        .await
        .expect("submit");
    let access = store.group_access(&slug).await.expect("access");
    store
        .set_group_status(
            access.id,
            StatusChange::new(ListingStatus::Pending, ListingStatus::Listed),
            None,
            None,
            &NoMail,
            now(),
        )
        .await
        .expect("listed");
    slug
}

/// The mail waiting in the outbox, claimed so the next call sees only
/// newer mail: (address, subject, text).
pub async fn outbox(app: &TestApp) -> Vec<(String, String, String)> {
    outbox_at(app, now()).await
}

/// The mail due at `at` in the outbox, delivered: (address, subject, text).
pub async fn outbox_at(app: &TestApp, at: jiff::Timestamp) -> Vec<(String, String, String)> {
    let store = app.db.store.as_ref();
    let mails = store
        .claim_mail(at, at + jiff::SignedDuration::from_hours(1), 100)
        .await
        .expect("outbox");
    let mut delivered = Vec::new();
    for mail in mails {
        store.mark_mail_sent(mail.id, at).await.expect("sent");
        let address = mail
            .address
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        delivered.push((address, mail.subject, mail.text));
    }
    delivered
}

/// Asks to join through the API; answers the response.
pub async fn ask(
    client: &mut Browser,
    slug: &Slug,
    body: serde_json::Value,
) -> crate::support::TestResponse {
    client
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/join-requests"),
            body,
        )
        .await
}

kith_store::on_both_backends!(
    a_seeker_asks_talks_with_the_host_and_is_welcomed,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let seeker = app.account("Seeker", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Evening Circle",
            &[("join_question", "What brings you here?")],
        )
        .await;
        let mut seeker_browser = app.browser_as(&seeker).await;

        let page = seeker_browser.get(&format!("/groups/{slug}")).await;
        assert!(page.body.contains(&format!("/groups/{slug}/join")));
        assert!(!page.body.contains("PRIVATE-CANARY"));

        // The question must be answered; the form comes back with a reason.
        let refused = seeker_browser
            .post_form(&format!("/groups/{slug}/join"), &[("answer", "  ")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Please answer the hosts&#39; question.")
        );
        assert!(refused.body.contains("What brings you here?"));

        let asked = seeker_browser
            .post_form(
                &format!("/groups/{slug}/join"),
                &[("answer", "I am tapering slowly.")],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER);
        let request_url = asked.header("location").to_owned();
        assert!(request_url.starts_with("/requests/"));
        // The hosts hear of it by mail: a neutral subject, a link, no one
        // else's address.
        let mails = outbox(&app).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        let (to, subject, text) = &mails[0];
        assert_eq!(to, "hostess@example.org");
        assert_eq!(subject, "kith: a message about your group");
        assert!(text.contains(&request_url), "{text}");
        assert!(!text.contains("seeker@example.org"));
        // The first line, which a lock screen shows, says which group.
        assert!(
            text.lines()
                .next()
                .is_some_and(|first| first.contains("Someone asked to join Evening Circle")),
            "{text}"
        );
        let page = seeker_browser.get(&request_url).await;
        assert!(page.body.contains("waiting for the hosts"));

        // Asking twice is refused and changes nothing.
        let again = ask(
            &mut app.api_as(&seeker).await,
            &slug,
            json!({"answer": "again"}),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.json()["code"], "already_asked");

        // The host sees the request with the answer, and writes.
        let mut host_browser = app.browser_as(&host).await;
        let people = host_browser.get(&format!("/groups/{slug}/people")).await;
        assert_eq!(people.status, StatusCode::OK);
        assert!(people.body.contains("Seeker"));
        assert!(people.body.contains("I am tapering slowly."));
        let sent = host_browser
            .post_form(
                &format!("{request_url}/messages"),
                &[("text", "Welcome! We meet on Tuesdays.")],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let thread = seeker_browser.get(&request_url).await;
        assert!(thread.body.contains("Welcome! We meet on Tuesdays."));
        let mails = outbox(&app).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].0, "seeker@example.org");
        assert!(mails[0].2.contains("new message"));

        // Approval opens the private details to the new member.
        let approved = host_browser
            .post_form(
                &format!("{request_url}/approve"),
                &[("decision_note", "Glad to have you.")],
            )
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER);
        let page = seeker_browser.get(&format!("/groups/{slug}")).await;
        assert!(
            page.body.contains("PRIVATE-CANARY"),
            "the member sees the link"
        );
        let json = app
            .api_as(&seeker)
            .await
            .get(&format!("/api/v1/groups/{slug}"))
            .await;
        assert_eq!(
            json.json()["private"]["call_link"],
            "https://meet.example.org/PRIVATE-CANARY"
        );
        let thread = seeker_browser.get(&request_url).await;
        assert!(thread.body.contains("Glad to have you."));
        let mails = outbox(&app).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].0, "seeker@example.org");
        assert!(mails[0].2.contains("welcomed you"));
        assert!(!mails[0].2.contains("hostess@example.org"));
        // The welcome quotes the hosts, leads to the group's page (where the
        // call link is) and then to the conversation.
        let welcome = &mails[0].2;
        assert!(
            welcome.contains("The hosts wrote:\n\nGlad to have you."),
            "{welcome}"
        );
        let group_link = welcome
            .find(&format!("/groups/{slug}\n"))
            .expect("the group's page");
        let thread_link = welcome.find(&request_url).expect("the thread");
        assert!(group_link < thread_link, "{welcome}");

        // Deciding again is a clear error with nothing changed.
        let id = request_url.trim_start_matches("/requests/");
        let mut host_api = app.api_as(&host).await;
        let twice = host_api
            .json(
                "POST",
                &format!("/api/v1/join-requests/{id}/decline"),
                json!({}),
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert_eq!(twice.json()["code"], "already_decided");
        let state = host_api.get(&format!("/api/v1/join-requests/{id}")).await;
        assert_eq!(state.json()["state"], "approved");

        // The export holds the request, its thread and nobody else's email.
        let export = app.api_as(&seeker).await.get("/api/v1/me/export").await;
        let exported = export.json();
        assert_eq!(exported["join_requests"][0]["state"], "approved");
        assert_eq!(
            exported["join_requests"][0]["answer"],
            "I am tapering slowly."
        );
        let thread = exported["join_requests"][0]["thread"]
            .as_array()
            .expect("thread");
        assert_eq!(thread.len(), 2);
        assert_eq!(thread[0]["author"], "Hostess");
        assert!(!export.body.contains("hostess@example.org"));

        // "My groups" and "my meetings" show the group.
        let mine = app.api_as(&seeker).await.get("/api/v1/me/groups").await;
        assert_eq!(mine.json()[0]["state"], "approved");
        let meetings = app
            .api_as(&seeker)
            .await
            .get("/api/v1/me/meetings?tz=America/New_York")
            .await;
        let meetings = meetings.json();
        assert!(!meetings.as_array().expect("list").is_empty());
        assert_eq!(meetings[0]["group"], slug.as_str());
        assert_eq!(meetings[0]["meeting"]["time_zone"], "America/New_York");
    }
);

kith_store::on_both_backends!(
    a_full_group_has_a_waitlist_that_moves_up,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Small Circle",
            &[("join_policy", "open"), ("capacity", "2")],
        )
        .await;
        let mut clients = Vec::new();
        for handle in ["Ada", "Bea", "Cyd"] {
            let person = app.account(handle, Role::Member).await;
            clients.push(app.api_as(&person).await);
        }
        let mut states = Vec::new();
        let mut ids = Vec::new();
        for client in &mut clients {
            let answer = ask(client, &slug, json!({})).await;
            assert_eq!(answer.status, StatusCode::CREATED);
            states.push(answer.json()["state"].as_str().expect("state").to_owned());
            ids.push(answer.json()["id"].as_str().expect("id").to_owned());
        }
        assert_eq!(states, ["approved", "approved", "waitlisted"]);
        let waiting = clients[2].get(&format!("/api/v1/groups/{slug}")).await;
        assert!(waiting.json()["private"].is_null(), "no link while waiting");

        // Ada leaves; Cyd moves up by herself, and only she hears of it.
        outbox(&app).await;
        let left = clients[0]
            .json(
                "POST",
                &format!("/api/v1/join-requests/{}/withdraw", ids[0]),
                json!({}),
            )
            .await;
        assert_eq!(left.json()["state"], "left");
        let mails = outbox(&app).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].0, "cyd@example.org");
        assert!(mails[0].2.contains("A place came free"));
        let moved = clients[2]
            .get(&format!("/api/v1/join-requests/{}", ids[2]))
            .await;
        assert_eq!(moved.json()["state"], "approved");
        let now_member = clients[2].get(&format!("/api/v1/groups/{slug}")).await;
        assert!(!now_member.json()["private"].is_null());
    }
);

kith_store::on_both_backends!(a_block_looks_like_a_decline_and_holds, |store| async move {
    let app = TestApp::on(store);
    let host = app.account("Hostess", Role::Member).await;
    let pest = app.account("Pest", Role::Member).await;
    let slug = listed_group(&app, &host, "Quiet Circle", &[]).await;
    let mut pest_api = app.api_as(&pest).await;
    let asked = ask(&mut pest_api, &slug, json!({"answer": "let me in"})).await;
    let id = asked.json()["id"].as_str().expect("id").to_owned();
    let mut host_api = app.api_as(&host).await;
    let blocked = host_api
        .json(
            "POST",
            &format!("/api/v1/join-requests/{id}/block"),
            json!({}),
        )
        .await;
    assert_eq!(blocked.json()["state"], "blocked");
    let mails = outbox(&app).await;
    let told: Vec<_> = mails.iter().filter(|m| m.0 == "pest@example.org").collect();
    assert_eq!(told.len(), 1, "{mails:?}");
    assert!(
        told[0].2.contains("answered your request"),
        "a decline's mail"
    );

    let seen = pest_api.get(&format!("/api/v1/join-requests/{id}")).await;
    assert_eq!(
        seen.json()["state"],
        "declined",
        "a block is never announced"
    );
    let again = ask(&mut pest_api, &slug, json!({"answer": "please"})).await;
    assert_eq!(again.json()["code"], "already_answered");
    let write = pest_api
        .json(
            "POST",
            &format!("/api/v1/join-requests/{id}/messages"),
            json!({"text": "hello?"}),
        )
        .await;
    assert_eq!(write.status, StatusCode::CREATED, "as after a decline");
    assert!(outbox(&app).await.is_empty(), "the hosts are not told");
    let page = app
        .browser_as(&pest)
        .await
        .get(&format!("/groups/{slug}"))
        .await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "they see the group like anyone"
    );
    assert!(!page.body.contains("PRIVATE-CANARY"));
});

kith_store::on_both_backends!(
    invitation_links_open_an_invitation_only_group,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let guest = app.account("Guest", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Closed Circle",
            &[("join_policy", "invite_only")],
        )
        .await;
        let mut guest_api = app.api_as(&guest).await;
        let refused = ask(&mut guest_api, &slug, json!({})).await;
        assert_eq!(refused.json()["code"], "invitation_required");

        let mut host_api = app.api_as(&host).await;
        let made = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/invitations"),
                json!({"days": 3}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED);
        let url = made.json()["url"].as_str().expect("url").to_owned();
        let token = url.rsplit('/').next().expect("token").to_owned();
        // A link stops working when it expires.
        let hash = kith_app::tokens::token_hash(&token);
        let store = app.db.store.as_ref();
        assert!(
            store
                .invitation_group(&hash, now())
                .await
                .expect("valid")
                .is_some()
        );
        let later = now() + jiff::SignedDuration::from_hours(3 * 24 + 1);
        assert!(
            store
                .invitation_group(&hash, later)
                .await
                .expect("expired")
                .is_none()
        );
        let too_long = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/invitations"),
                json!({"days": 91}),
            )
            .await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(too_long.json()["errors"][0]["field"], "days");

        let anonymous = app.get(&format!("/invitations/{token}")).await;
        assert_eq!(anonymous.status, StatusCode::OK);
        assert!(anonymous.body.contains("Closed Circle"));
        let wrong = app
            .get("/invitations/0123456789abcdef0123456789abcdef")
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert!(wrong.body.contains("This invitation is not valid"));

        let joined = app
            .browser_as(&guest)
            .await
            .post_form(&format!("/invitations/{token}"), &[])
            .await;
        assert_eq!(joined.status, StatusCode::SEE_OTHER);
        let mine = guest_api.get("/api/v1/me/groups").await;
        assert_eq!(mine.json()[0]["state"], "approved");

        // A revoked link reads exactly like a wrong one.
        let people = app
            .browser_as(&host)
            .await
            .get(&format!("/groups/{slug}/people"))
            .await;
        let id = people
            .body
            .split("/invitations/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("an invitation to revoke")
            .to_owned();
        let revoked = app
            .browser_as(&host)
            .await
            .post_form(&format!("/groups/{slug}/invitations/{id}/revoke"), &[])
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        let after = app.get(&format!("/invitations/{token}")).await;
        assert_eq!(after.status, StatusCode::NOT_FOUND);
        assert_eq!(after.body, wrong.body);
    }
);

kith_store::on_both_backends!(members_answer_will_you_come, |store| async move {
    let app = TestApp::on(store);
    let host = app.account("Hostess", Role::Member).await;
    let member = app.account("Member", Role::Member).await;
    let stranger = app.account("Stranger", Role::Member).await;
    let slug = listed_group(&app, &host, "Open Circle", &[("join_policy", "open")]).await;
    let mut member_api = app.api_as(&member).await;
    ask(&mut member_api, &slug, json!({})).await;
    let meetings = member_api.get("/api/v1/me/meetings").await.json();
    let id = meetings[0]["meeting"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let said = member_api
        .json(
            "PUT",
            &format!("/api/v1/meetings/{id}/rsvp"),
            json!({"attending": true}),
        )
        .await;
    assert_eq!(said.status, StatusCode::NO_CONTENT);
    let meetings = member_api.get("/api/v1/me/meetings").await.json();
    assert_eq!(meetings[0]["attending"], true);
    let export = member_api.get("/api/v1/me/export").await.json();
    assert_eq!(export["rsvps"][0]["meeting"], id.as_str());
    assert_eq!(export["rsvps"][0]["attending"], true);
    assert_eq!(
        app.db
            .store
            .attending_count(&kith_domain::ids::OccurrenceId::parse(&id).expect("id"))
            .await
            .expect("count"),
        1
    );
    let stranger_said = app
        .api_as(&stranger)
        .await
        .json(
            "PUT",
            &format!("/api/v1/meetings/{id}/rsvp"),
            json!({"attending": true}),
        )
        .await;
    assert_eq!(stranger_said.status, StatusCode::NOT_FOUND);
});

#[tokio::test]
async fn hosts_hand_a_group_over_to_a_member() {
    let app = TestApp::empty().await;
    let host = app.account("Hostess", Role::Member).await;
    let member = app.account("Heir", Role::Member).await;
    app.account("Stranger", Role::Member).await;
    let slug = listed_group(&app, &host, "Passing Circle", &[("join_policy", "open")]).await;
    ask(&mut app.api_as(&member).await, &slug, json!({})).await;
    let mut host_api = app.api_as(&host).await;
    let refused = host_api
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/hand-over"),
            json!({"handle": "Stranger"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let handed = host_api
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/hand-over"),
            json!({"handle": "Heir"}),
        )
        .await;
    assert_eq!(handed.status, StatusCode::NO_CONTENT);
    let group = app.json(&format!("/api/v1/groups/{slug}")).await;
    assert_eq!(group["hosts"], json!(["Heir"]));
    let former = host_api
        .get(&format!("/api/v1/groups/{slug}/join-requests"))
        .await;
    assert_eq!(former.status, StatusCode::NOT_FOUND);
}

/// A page's body without its per-visitor CSRF token.
fn without_tokens(body: &str) -> String {
    body.split("value=\"")
        .map(|part| match part.get(..32) {
            Some(token) if token.bytes().all(|b| b.is_ascii_hexdigit()) => &part[32..],
            _ => part,
        })
        .collect::<Vec<_>>()
        .join("value=\"")
}

kith_store::on_both_backends!(
    a_newcomer_asks_with_one_form_and_the_hosts_see_it_once_confirmed,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        app.account("Known", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Welcome Circle",
            &[("join_question", "What brings you here?")],
        )
        .await;
        let join = format!("/groups/{slug}/join");
        let mut newcomer = app.browser();
        let page = newcomer.get(&join).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Your account"));

        // Refused: the question unanswered; handle and email kept, never
        // the password, and nothing created.
        let refused = newcomer
            .post_form(
                &join,
                &[
                    ("handle", "Newbie"),
                    ("email", "newbie@example.org"),
                    ("password", "a long and quiet river walk"),
                    ("answer", ""),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("value=\"Newbie\""));
        assert!(refused.body.contains("value=\"newbie@example.org\""));
        assert!(!refused.body.contains("a long and quiet river walk"));
        let newbie = kith_domain::account::Handle::parse("Newbie").expect("handle");
        assert!(
            app.db
                .store
                .account_by_handle(&newbie)
                .await
                .expect("lookup")
                .is_none()
        );

        let sent = newcomer
            .post_form(
                &join,
                &[
                    ("handle", "Newbie"),
                    ("email", "newbie@example.org"),
                    ("password", "a long and quiet river walk"),
                    ("answer", "I want company while tapering."),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK);
        assert!(sent.body.contains("Check your email"));

        // An address that has an account gets exactly the same answer.
        let mut other = app.browser();
        other.get(&join).await;
        let same = other
            .post_form(
                &join,
                &[
                    ("handle", "Someone"),
                    ("email", "known@example.org"),
                    ("password", "a long and quiet river walk"),
                    ("answer", "I want company while tapering."),
                ],
            )
            .await;
        assert_eq!(same.status, sent.status);
        assert_eq!(without_tokens(&same.body), without_tokens(&sent.body));

        // Held: the hosts see nothing yet.
        let mut host_api = app.api_as(&host).await;
        let people = host_api
            .get(&format!("/api/v1/groups/{slug}/join-requests"))
            .await
            .json();
        assert_eq!(people["pending"], json!([]));
        let mails = outbox(&app).await;
        assert!(
            mails.iter().all(|m| m.0 != "hostess@example.org"),
            "{mails:?}"
        );
        let confirm = mails
            .iter()
            .find(|m| m.0 == "newbie@example.org")
            .expect("the confirmation mail");
        let token = confirm
            .2
            .split("/verify-email/")
            .nth(1)
            .and_then(|rest| rest.get(..32))
            .expect("a link")
            .to_owned();

        // Confirmed: the request reaches the hosts, by mail too.
        let confirmed = newcomer
            .post_form(&format!("/verify-email/{token}"), &[])
            .await;
        assert!(confirmed.status.is_success() || confirmed.status == StatusCode::SEE_OTHER);
        let people = host_api
            .get(&format!("/api/v1/groups/{slug}/join-requests"))
            .await
            .json();
        assert_eq!(people["pending"][0]["handle"], "Newbie");
        assert_eq!(
            people["pending"][0]["answer"],
            "I want company while tapering."
        );
        assert_eq!(people["pending"].as_array().map(Vec::len), Some(1));
        let mails = outbox(&app).await;
        assert!(
            mails.iter().any(|m| m.0 == "hostess@example.org"),
            "{mails:?}"
        );
    }
);

kith_store::on_both_backends!(
    deleting_an_account_takes_its_requests_threads_and_rsvps,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let ada = app.account("Ada", Role::Member).await;
        let slug = listed_group(&app, &host, "Leaving Circle", &[("join_policy", "open")]).await;
        let mut ada_api = app.api_as(&ada).await;
        let asked = ask(&mut ada_api, &slug, json!({})).await;
        let id = asked.json()["id"].as_str().expect("id").to_owned();
        ada_api
            .json(
                "POST",
                &format!("/api/v1/join-requests/{id}/messages"),
                json!({"text": "Hello from Ada."}),
            )
            .await;
        let meetings = ada_api.get("/api/v1/me/meetings").await.json();
        let meeting = meetings[0]["meeting"]["id"]
            .as_str()
            .expect("meeting")
            .to_owned();
        ada_api
            .json(
                "PUT",
                &format!("/api/v1/meetings/{meeting}/rsvp"),
                json!({"attending": true}),
            )
            .await;

        let deleted = ada_api
            .json(
                "DELETE",
                "/api/v1/me",
                json!({"password": crate::support::PASSWORD}),
            )
            .await;
        assert!(deleted.status.is_success(), "{}", deleted.body);

        let store = app.db.store.as_ref();
        let request = kith_domain::ids::RequestId::parse(&id).expect("id");
        assert!(matches!(
            store.request(&request).await,
            Err(kith_store::StoreError::NotFound)
        ));
        assert!(store.thread(&request).await.expect("thread").is_empty());
        let occurrence = kith_domain::ids::OccurrenceId::parse(&meeting).expect("meeting");
        assert_eq!(store.attending_count(&occurrence).await.expect("count"), 0);
        let people = app
            .api_as(&host)
            .await
            .get(&format!("/api/v1/groups/{slug}/join-requests"))
            .await
            .json();
        assert_eq!(people["members"], json!([]));
    }
);

kith_store::on_both_backends!(
    closing_a_group_tells_its_members_and_takes_everything,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let ada = app.account("Ada", Role::Member).await;
        let slug = listed_group(&app, &host, "Closing Circle", &[("join_policy", "open")]).await;
        let mut ada_api = app.api_as(&ada).await;
        let asked = ask(&mut ada_api, &slug, json!({})).await;
        let id = asked.json()["id"].as_str().expect("id").to_owned();
        outbox(&app).await;

        // Without the tick nothing happens, and the page says why.
        let mut host_browser = app.browser_as(&host).await;
        let page = host_browser.get(&format!("/groups/{slug}/close")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Members who will be told: 1."));
        let refused = host_browser
            .post_form(&format!("/groups/{slug}/close"), &[])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Tick the box"));
        assert_eq!(
            app.get(&format!("/groups/{slug}")).await.status,
            StatusCode::OK
        );

        let closed = host_browser
            .post_form(&format!("/groups/{slug}/close"), &[("confirm", "on")])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.get(&format!("/groups/{slug}")).await.status,
            StatusCode::NOT_FOUND
        );
        let request = ada_api.get(&format!("/api/v1/join-requests/{id}")).await;
        assert_eq!(request.status, StatusCode::NOT_FOUND);
        let mails = outbox(&app).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].0, "ada@example.org");
        assert!(mails[0].2.contains("have closed the group"));

        // With nothing left to host, the host may delete their account.
        let deleted = app
            .api_as(&host)
            .await
            .json(
                "DELETE",
                "/api/v1/me",
                json!({"password": crate::support::PASSWORD}),
            )
            .await;
        assert!(deleted.status.is_success(), "{}", deleted.body);
    }
);

kith_store::on_both_backends!(
    members_see_each_other_only_where_the_group_allows_it,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let ada = app.account("Ada", Role::Member).await;
        let moderator = app.account("Warden", Role::Moderator).await;
        let hidden = listed_group(&app, &host, "Hidden Circle", &[("join_policy", "open")]).await;
        let shown = listed_group(
            &app,
            &host,
            "Shown Circle",
            &[("join_policy", "open"), ("members_visible", "on")],
        )
        .await;
        let mut ada_api = app.api_as(&ada).await;
        for slug in [&hidden, &shown] {
            ask(&mut ada_api, slug, json!({})).await;
        }
        let path = |slug: &Slug| format!("/api/v1/groups/{slug}/members");
        assert_eq!(
            ada_api.get(&path(&hidden)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(ada_api.get(&path(&shown)).await.json(), json!(["Ada"]));
        // A moderator is not one of the group's people.
        let mut moderator_api = app.api_as(&moderator).await;
        assert_eq!(
            moderator_api.get(&path(&shown)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.api_as(&host).await.get(&path(&hidden)).await.json(),
            json!(["Ada"])
        );
    }
);
