//! Reports and blocks through the real router: a listing reported from its
//! page, decided in the queue, both sides mailed (the author never told
//! who reported), the appeal page; a visitor's report, its spam guards and
//! limit; a suspended person's login; a room message hidden live; the
//! API's problem codes; blocks from `/me/blocks` and the API.

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_app::comments::{self, CommentInput, CommentModeration, SubjectKey};
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use kith_domain::ids::{CommentId, StoryId};
use kith_domain::story::{StoryStatus, StoryText};
use kith_store::mail::NoMail;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, link_in, now};

#[tokio::test]
async fn a_listing_reported_from_its_page_is_hidden_from_the_queue_and_both_sides_are_mailed() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let ana = app.account("Anemone", Role::Member).await;
    let warden = app.account("Warden", Role::Moderator).await;
    let slug = app
        .group_hosted_by(&host, "Larkspur Circle", ListingStatus::Listed)
        .await;

    let mut reporter = app.browser_as(&ana).await;
    let page = reporter.get(&format!("/groups/{slug}")).await;
    assert!(
        page.body
            .contains(&format!("/report?kind=group&amp;target={slug}"))
    );
    let form = reporter
        .get(&format!("/report?kind=group&target={slug}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Larkspur Circle"));
    let refused = reporter
        .post_form(
            "/report",
            &[
                ("kind", "group"),
                ("target", slug.as_str()),
                ("reason", "other"),
                ("details", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Please say what is wrong."));
    assert!(
        refused.body.contains(r#"value="other" checked"#),
        "the choice is kept"
    );
    let sent = reporter
        .post_form(
            "/report",
            &[
                ("kind", "group"),
                ("target", slug.as_str()),
                ("reason", "unsafe_advice"),
                ("details", "It tells people to stop at once."),
            ],
        )
        .await;
    assert_eq!(sent.header("location"), "/report/thanks");

    let mut host_browser = app.browser_as(&host).await;
    let own = host_browser
        .get(&format!("/report?kind=group&target={slug}"))
        .await;
    assert!(own.body.contains("You cannot report your own listing"));
    assert!(host_browser.get("/moderation/reports").await.status == StatusCode::NOT_FOUND);

    let mut moderator = app.browser_as(&warden).await;
    let queue = moderator.get("/moderation/reports").await;
    assert!(queue.body.contains("It tells people to stop at once."));
    assert!(
        queue.body.contains("Anemone"),
        "moderators see who reported"
    );
    moderator
        .cookies
        .push(("kith_tz".into(), "Asia/Tokyo".into()));
    let in_tokyo = moderator.get("/moderation/reports").await;
    assert!(
        in_tokyo.body.contains(" JST") && !in_tokyo.body.contains(" UTC"),
        "the moderator reads when it was reported in their own zone"
    );
    let id = app.db.store.reports_waiting(5).await.expect("queue")[0]
        .id
        .to_string();
    let no_reason = moderator
        .post_form(
            &format!("/moderation/reports/{id}"),
            &[("action", "hide"), ("why", "")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains(&format!("href=\"#f-why-{id}\"")));
    let decided = moderator
        .post_form(
            &format!("/moderation/reports/{id}"),
            &[
                ("action", "hide"),
                ("why", "Stopping at once is not safe advice."),
            ],
        )
        .await;
    assert_eq!(decided.header("location"), "/moderation/reports?decided=1");
    assert_eq!(
        app.browser().get(&format!("/groups/{slug}")).await.status,
        StatusCode::NOT_FOUND
    );

    let mails = app.deliver().await;
    let to = |who: &str| {
        mails
            .iter()
            .find(|m| m.to.iter().any(|t| t.starts_with(who)))
            .unwrap_or_else(|| panic!("no mail to {who}: {mails:?}"))
    };
    let outcome = to("anemone@");
    assert!(outcome.text.contains("They hid what you reported."));
    assert!(
        outcome
            .text
            .contains("Stopping at once is not safe advice.")
    );
    let decision = to("willow@");
    assert!(
        decision
            .text
            .contains("Stopping at once is not safe advice.")
    );
    assert!(
        !decision.raw.contains("Anemone"),
        "the author never learns who reported"
    );
    let appeal = link_in(&decision.text, "/reports/");
    let page = host_browser.get(&appeal).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Anemone"));
    assert_eq!(reporter.get(&appeal).await.status, StatusCode::NOT_FOUND);
    let sent = host_browser
        .post_form(&appeal, &[("appeal", "We changed the description.")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let queue = moderator.get("/moderation/reports").await;
    assert!(queue.body.contains("We changed the description."));
}

#[tokio::test]
async fn the_api_reports_decides_and_answers_problems_with_stable_codes() {
    let app = TestApp::empty().await;
    let ana = app.account("Anemone", Role::Member).await;
    app.account("Mallory", Role::Member).await;
    let warden = app.account("Warden", Role::Moderator).await;
    let mut client = app.api_as(&ana).await;
    let own = client
        .json(
            "POST",
            "/api/v1/reports",
            json!({"kind": "person", "target": "Anemone", "reason": "spam"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(own.json()["errors"][0]["code"], "own_content");
    let nobody = client
        .json(
            "POST",
            "/api/v1/reports",
            json!({"kind": "person", "target": "nobody-here", "reason": "spam"}),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let made = client
        .json(
            "POST",
            "/api/v1/reports",
            json!({"kind": "person", "target": "Mallory", "reason": "harassment"}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let id = made.json()["id"].as_str().expect("id").to_owned();
    let mine = client.get("/api/v1/reports").await.json();
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert!(
        mine[0].get("author").is_none(),
        "a reporter is not shown whom"
    );
    assert_eq!(
        client.get("/api/v1/moderation/reports").await.status,
        StatusCode::NOT_FOUND
    );

    let mut moderator = app.api_as(&warden).await;
    let queue = moderator.get("/api/v1/moderation/reports").await.json();
    assert_eq!(queue[0]["reporter"], "Anemone");
    let path = format!("/api/v1/moderation/reports/{id}/decision");
    let hide = moderator
        .json("POST", &path, json!({"action": "hide", "why": "No."}))
        .await;
    assert_eq!(hide.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hide.json()["field"], "action");
    let suspend = moderator
        .json(
            "POST",
            &path,
            json!({"action": "suspend", "why": "Harassment.", "suspend_days": 2}),
        )
        .await;
    assert_eq!(suspend.status, StatusCode::OK, "{}", suspend.body);
    assert!(suspend.json()["suspended_until"].is_string());
    let again = moderator
        .json("POST", &path, json!({"action": "dismiss", "why": "Again."}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["code"], "invalid_status");
}

#[tokio::test]
async fn a_member_blocks_and_unblocks_from_their_page_and_the_api() {
    let app = TestApp::empty().await;
    let ana = app.account("Anemone", Role::Member).await;
    app.account("Joe", Role::Member).await;
    let mut browser = app.browser_as(&ana).await;
    assert!(
        browser
            .get("/me")
            .await
            .body
            .contains(r#"href="/me/blocks""#)
    );
    let own = browser
        .post_form("/me/blocks", &[("handle", "Anemone")])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.body.contains("You cannot block yourself."));
    assert!(own.body.contains(r#"value="Anemone""#), "the input is kept");
    let done = browser.post_form("/me/blocks", &[("handle", "Joe")]).await;
    assert_eq!(done.header("location"), "/me/blocks?done=blocked");
    let page = browser.get("/me/blocks?done=blocked").await;
    assert!(page.body.contains("/me/blocks/Joe/unblock"));

    let mut client = app.api_as(&ana).await;
    let list = client.get("/api/v1/me/blocks").await.json();
    assert_eq!(list[0]["handle"], "Joe");
    let own = client
        .json("POST", "/api/v1/me/blocks", json!({"handle": "Anemone"}))
        .await;
    assert_eq!(own.json()["errors"][0]["code"], "self_block");
    let gone = client
        .json("DELETE", "/api/v1/me/blocks/Joe", json!({}))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let again = client
        .json("DELETE", "/api/v1/me/blocks/Joe", json!({}))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let made = client
        .json("POST", "/api/v1/me/blocks", json!({"handle": "joe"}))
        .await;
    assert_eq!(made.status, StatusCode::NO_CONTENT);
    assert_eq!(
        client.get("/api/v1/me/blocks").await.json()[0]["handle"],
        "Joe"
    );
}

#[tokio::test]
async fn a_seeker_reports_or_blocks_a_host_who_wrote_to_them_from_the_request_page() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let seeker = app.account("Anemone", Role::Member).await;
    let slug = crate::membership::listed_group(&app, &host, "Larkspur Circle", &[]).await;
    let mut seeker_browser = app.browser_as(&seeker).await;
    let asked = seeker_browser
        .post_form(&format!("/groups/{slug}/join"), &[("answer", "Hello.")])
        .await;
    let request = asked.header("location").to_owned();
    let before = seeker_browser.get(&request).await;
    assert!(
        !before.body.contains("kind=person&amp;target=Willow"),
        "a host who has not written is not named"
    );

    let mut host_browser = app.browser_as(&host).await;
    let wrote = host_browser
        .post_form(&format!("{request}/messages"), &[("text", "Welcome.")])
        .await;
    assert_eq!(wrote.status, StatusCode::SEE_OTHER, "{}", wrote.body);
    let page = seeker_browser.get(&request).await;
    assert!(page.body.contains("/report?kind=person&amp;target=Willow"));
    assert!(page.body.contains(r#"name="handle" value="Willow""#));

    let blocked = seeker_browser
        .post_form("/me/blocks", &[("handle", "Willow")])
        .await;
    assert_eq!(blocked.header("location"), "/me/blocks?done=blocked");
    let refused = host_browser
        .post_form(&format!("{request}/messages"), &[("text", "Again.")])
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    let thread = seeker_browser.get(&request).await;
    assert!(
        !thread.body.contains("Again."),
        "a blocked host's words never arrive"
    );
}

#[tokio::test]
async fn a_suspended_person_hears_until_when_in_their_zone_only_with_the_right_password() {
    let app = TestApp::empty().await;
    let ana = app.account("Anemone", Role::Member).await;
    app.account("Mallory", Role::Member).await;
    let warden = app.account("Warden", Role::Moderator).await;
    let made = app
        .api_as(&ana)
        .await
        .json(
            "POST",
            "/api/v1/reports",
            json!({"kind": "person", "target": "Mallory", "reason": "harassment"}),
        )
        .await;
    let id = made.json()["id"].as_str().expect("id").to_owned();
    let suspended = app
        .api_as(&warden)
        .await
        .json(
            "POST",
            &format!("/api/v1/moderation/reports/{id}/decision"),
            json!({"action": "suspend", "why": "Harassment.", "suspend_days": 2}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.body);

    // The form, in the reader's zone: 10:00 UTC two days on is 20:00 in
    // Melbourne.
    let mut browser = app.browser();
    browser
        .cookies
        .push(("kith_tz".into(), "Australia/Melbourne".into()));
    browser.get("/login").await;
    let wrong = browser
        .post_form(
            "/login",
            &[("login", "mallory"), ("password", "not the password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("do not match"));
    assert!(!wrong.body.contains("suspended"), "no password, no news");
    let right = browser
        .post_form("/login", &[("login", "mallory"), ("password", PASSWORD)])
        .await;
    assert_eq!(right.status, StatusCode::FORBIDDEN);
    assert!(
        right.body.contains("suspended until 2026-06-03 20:00 AEST"),
        "{}",
        right.body
    );
    assert!(
        right.body.contains(r#"value="mallory""#),
        "the login is kept"
    );
    assert!(right.header("set-cookie").is_empty(), "no session");

    // The API: a problem document with the moment in RFC 3339.
    let mut client = app.browser();
    let wrong = client
        .json(
            "POST",
            "/api/v1/sessions",
            json!({"login": "Mallory", "password": "not the password"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json()["code"], "invalid_credentials");
    assert!(wrong.json().get("until").is_none());
    let right = client
        .json(
            "POST",
            "/api/v1/sessions",
            json!({"login": "Mallory", "password": PASSWORD}),
        )
        .await;
    assert_eq!(right.status, StatusCode::FORBIDDEN, "{}", right.body);
    assert_eq!(right.json()["code"], "suspended");
    assert_eq!(right.json()["until"], "2026-06-03T10:00:00Z");
    assert!(right.json().get("token").is_none());
}

kith_store::on_both_backends!(
    a_reported_room_message_a_moderator_hides_leaves_the_live_room_for_everyone,
    |store| async move {
        use crate::rooms::{connect, cookie, joined, meeting_now, serve, until, until_event};

        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, bea) = meeting_now(&app).await;
        let warden = app.account("Warden", Role::Moderator).await;
        let (addr, _) = serve(store.clone()).await;
        let mut a = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
        let mut b = joined(&addr, &meeting, &cookie(&app, &bea).await).await;
        crate::rooms::command(
            &mut a,
            "a1",
            json!({"type": "say", "text": "Just stop taking it, it is all in your head."}),
        )
        .await;
        let said = until_event(&mut b, "said").await;
        let number = said["id"].as_u64().expect("a number");

        let made = app
            .api_as(&bea)
            .await
            .json(
                "POST",
                "/api/v1/reports",
                json!({"kind": "room_message", "target": format!("{meeting}/{number}"),
                       "reason": "unsafe_advice"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let id = made.json()["id"].as_str().expect("id").to_owned();
        let decided = app
            .api_as(&warden)
            .await
            .json(
                "POST",
                &format!("/api/v1/moderation/reports/{id}/decision"),
                json!({"action": "hide", "why": "Not safe advice."}),
            )
            .await;
        assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);

        // Everyone in the room sees it go, as when the facilitator removes one.
        for socket in [&mut a, &mut b] {
            let removed = until_event(socket, "message_removed").await;
            assert_eq!(removed["id"], number);
        }
        // Whoever comes in now, or catches up from the start, never reads it.
        let mut h = connect(&addr, &meeting, &cookie(&app, &host).await, None)
            .await
            .expect("host");
        let welcome = until(&mut h, "welcome").await;
        assert_eq!(welcome["room"]["messages"], json!([]), "{welcome}");
        let log = app.db.store.room_log(&meeting).await.expect("log");
        let said: Vec<&str> = log
            .iter()
            .filter(|l| l.events.contains("Just stop taking it"))
            .map(|l| l.client_id.as_str())
            .collect();
        assert_eq!(said, ["a1"], "the log keeps the order");
        assert!(
            log.iter().any(|l| l.command.contains("site_remove_message")
                && l.client_id == format!("report-{id}")),
            "{log:?}"
        );
        let mut late = connect(&addr, &meeting, &cookie(&app, &host).await, Some(0))
            .await
            .expect("catching up");
        until(&mut late, "welcome").await;
        loop {
            let frame = until(&mut late, "events").await;
            let events = frame["events"].as_array().expect("events");
            assert!(
                !events
                    .iter()
                    .any(|e| e["type"] == "said" && e["id"] == number),
                "the catch-up says it again: {frame}"
            );
            if events.iter().any(|e| e["type"] == "message_removed") {
                break;
            }
        }
        let mails = app.deliver().await;
        let told = mails
            .iter()
            .find(|m| m.to == ["ada@example.org"] && m.subject == "kith: a moderator's decision")
            .unwrap_or_else(|| panic!("no decision mail to Ada: {mails:?}"));
        assert!(
            told.text
                .contains("They removed it from the meeting's room.")
        );
        assert!(!told.raw.contains("Bea"), "never who reported");
    }
);

/// A published story by `author` with a comment by `commenter`, and a
/// second comment a moderator hid; answers the story's and both
/// comments' ids.
async fn story_with_comments(
    app: &TestApp,
    author: &Person,
    commenter: &Person,
    moderator: &Person,
) -> (StoryId, CommentId, CommentId) {
    let story = StoryId::random();
    let text = StoryText {
        title: "What helped".to_owned(),
        body: "Three of us, every Tuesday, for two years.".to_owned(),
        anonymous: false,
    };
    app.db
        .store
        .create_story(
            &story,
            author.id,
            &text,
            StoryStatus::Published,
            &NoMail,
            now(),
        )
        .await
        .expect("story");
    let key = SubjectKey::Story(story.clone());
    let mut ids = Vec::new();
    for body in ["Buy my supplements, they end withdrawal.", "And more."] {
        let input = CommentInput {
            body: body.to_owned(),
            ..CommentInput::default()
        };
        let written = comments::post(&app.context, commenter, &key, &input, now())
            .await
            .expect("comment");
        ids.push(written.id);
    }
    comments::moderate(
        &app.context,
        moderator,
        &ids[1],
        CommentModeration::Hide,
        now(),
    )
    .await
    .expect("hide");
    let hidden = ids.remove(1);
    (story, ids.remove(0), hidden)
}

/// When a visitor's form was shown, by the wall clock: `ago` seconds back.
fn shown(ago: i64) -> String {
    (jiff::Timestamp::now().as_second() - ago).to_string()
}

kith_store::on_both_backends!(
    a_visitor_reports_a_comment_a_moderator_sees_it_and_only_its_author_hears_the_decision,
    |store| async move {
        let app = TestApp::on(store);
        let ana = app.account("Anemone", Role::Member).await;
        let ben = app.account("Benedict", Role::Member).await;
        let warden = app.account("Warden", Role::Moderator).await;
        let (story, comment, _) = story_with_comments(&app, &ana, &ben, &warden).await;
        let comment = comment.to_string();

        let mut visitor = app.browser();
        let page = visitor.get(&format!("/stories/{story}")).await;
        assert!(
            page.body
                .contains(&format!("/report?kind=comment&amp;target={comment}")),
            "a visitor is offered to report a comment"
        );
        assert!(
            page.body
                .contains(&format!("/report?kind=story&amp;target={story}"))
        );
        let form = visitor
            .get(&format!("/report?kind=comment&target={comment}"))
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("Buy my supplements"));
        assert!(form.body.contains(r#"name="website""#), "the honeypot");
        assert!(form.body.contains(r#"name="shown_at""#), "the fill time");
        assert!(form.body.contains("no email is asked"));
        assert!(!form.body.contains(r#"name="email""#));

        // A program — the hidden field filled, or the form sent back at
        // once — reads as success and keeps nothing.
        let report = |shown_at: String, website: &'static str| {
            vec![
                ("kind", "comment".to_owned()),
                ("target", comment.clone()),
                ("reason", "spam".to_owned()),
                ("details", "Selling pills.".to_owned()),
                ("website", website.to_owned()),
                ("shown_at", shown_at),
            ]
        };
        for fields in [
            report(shown(30), "https://spam.example"),
            report(shown(0), ""),
        ] {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let sent = visitor.post_form("/report", &fields).await;
            assert_eq!(sent.header("location"), "/report/thanks");
        }
        assert!(
            app.db
                .store
                .reports_waiting(10)
                .await
                .expect("queue")
                .is_empty()
        );
        let fields = report(shown(30), "");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let sent = visitor.post_form("/report", &fields).await;
        assert_eq!(sent.header("location"), "/report/thanks", "{}", sent.body);
        let thanks = visitor.get("/report/thanks").await;
        assert!(thanks.body.contains("you will not hear back"));

        let mut moderator = app.browser_as(&warden).await;
        let queue = moderator.get("/moderation/reports").await;
        assert!(queue.body.contains("Selling pills."));
        assert!(queue.body.contains("a visitor without an account"));
        let json = app
            .api_as(&warden)
            .await
            .get("/api/v1/moderation/reports")
            .await
            .json();
        assert_eq!(json.as_array().map(Vec::len), Some(1));
        assert_eq!(json[0]["reporter"], serde_json::Value::Null);
        assert_eq!(json[0]["author"], "Benedict");
        let id = json[0]["id"].as_str().expect("id").to_owned();
        let decided = moderator
            .post_form(
                &format!("/moderation/reports/{id}"),
                &[("action", "hide"), ("why", "Advertising.")],
            )
            .await;
        assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
        let mails = app.deliver().await;
        let subjects: Vec<(&str, &str)> = mails
            .iter()
            .map(|m| (m.to[0].as_str(), m.subject.as_str()))
            .collect();
        assert_eq!(
            subjects,
            [("benedict@example.org", "kith: a moderator's decision")],
            "the author alone: a visitor has no address"
        );
    }
);

kith_store::on_both_backends!(
    a_visitor_cannot_report_what_a_visitor_cannot_see_nor_report_without_end,
    |store| async move {
        let app = TestApp::on(store);
        let ana = app.account("Anemone", Role::Member).await;
        let ben = app.account("Benedict", Role::Member).await;
        let warden = app.account("Warden", Role::Moderator).await;
        let (_, comment, hidden) = story_with_comments(&app, &ana, &ben, &warden).await;
        let slug = app
            .group_hosted_by(&ana, "Larkspur Circle", ListingStatus::Listed)
            .await;
        let meeting = app
            .db
            .store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("meetings")[0]
            .id
            .clone();
        let pending = app
            .group_hosted_by(&ana, "Quiet Circle", ListingStatus::Pending)
            .await;
        let mut visitor = app.browser();
        visitor.get("/login").await;
        let a_while_ago = shown(30);
        for (kind, target) in [
            ("comment", hidden.to_string()),
            ("room_message", format!("{meeting}/1")),
            ("group", pending.to_string()),
        ] {
            let page = visitor
                .get(&format!("/report?kind={kind}&target={target}"))
                .await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{kind}");
            let sent = visitor
                .post_form(
                    "/report",
                    &[
                        ("kind", kind),
                        ("target", &target),
                        ("reason", "spam"),
                        ("shown_at", &a_while_ago),
                    ],
                )
                .await;
            assert_eq!(sent.status, StatusCode::NOT_FOUND, "{kind}");
        }
        let api = visitor
            .json(
                "POST",
                "/api/v1/reports",
                json!({"kind": "comment", "target": comment.to_string(), "reason": "spam"}),
            )
            .await;
        assert_eq!(
            api.status,
            StatusCode::UNAUTHORIZED,
            "the API is for members"
        );
        assert!(
            app.db
                .store
                .reports_waiting(10)
                .await
                .expect("queue")
                .is_empty()
        );

        // Ten reports an hour from one network address, then a wait.
        let comment = comment.to_string();
        let report = [
            ("kind", "comment"),
            ("target", comment.as_str()),
            ("reason", "spam"),
            ("shown_at", a_while_ago.as_str()),
        ];
        for _ in 0..10 {
            let sent = visitor.post_form("/report", &report).await;
            assert_eq!(sent.header("location"), "/report/thanks");
        }
        let limited = visitor.post_form("/report", &report).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            app.db.store.reports_waiting(20).await.expect("queue").len(),
            10,
            "each visitor's report is its own"
        );
    }
);
