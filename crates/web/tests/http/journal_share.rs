//! Sharing a check-in into a live room, through the real router and a
//! real WebSocket on one room hub, on both databases: the page shows the
//! words that would go; one message goes, as the member, into the room's
//! one order, with the doses only when ticked and once per form; a
//! message too long for a room is refused and nothing goes; a member not
//! in the room is told to open it first; no open room, nothing offered;
//! shares count against the member's message limit;
//! another person's check-in and a room of a group one is not in are
//! 404; a locked journal sends the member to `/journal`.

use std::time::Duration;

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::ids::OccurrenceId;
use kith_store::Store;
use kith_web::limits::{LimitSettings, Limits};

use crate::membership::listed_group;
use crate::rooms::{cookie, joined, meeting_now, serve_state, until_event};
use crate::support::{Browser, PASSWORD, TestApp, now, state};

const NOTE: &str = "CANARY-share the second week was easier";

/// A journal for `person`, started and open in `browser`'s session.
pub(crate) async fn open_journal(browser: &mut Browser) {
    browser.get("/journal").await;
    let started = browser
        .post_form("/journal/start", &[("password", PASSWORD)])
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    browser.post_form("/journal/recovery-saved", &[]).await;
}

/// Adds a check-in; answers its id, the newest on the page.
async fn checkin(browser: &mut Browser, day: &str, note: &str) -> String {
    let added = browser
        .post_form(
            "/journal/checkins",
            &[
                ("day", day),
                ("mood", "2"),
                ("hours_slept", "6.5"),
                ("symptoms", "brain zaps"),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(
        added.header("location"),
        "/journal?done=added",
        "{}",
        added.body
    );
    let page = browser.get("/journal").await;
    let (_, after) = page
        .body
        .split_once("/journal/checkins/")
        .expect("a check-in's link");
    after.split_once('/').expect("id").0.to_owned()
}

/// What the room's log says, every `said` text in order.
async fn said(store: &dyn Store, meeting: &OccurrenceId) -> Vec<String> {
    let mut texts = Vec::new();
    for logged in store.room_log(meeting).await.expect("log") {
        let events: serde_json::Value = serde_json::from_str(&logged.events).expect("events");
        for event in events.as_array().expect("events") {
            if event["type"] == "said" {
                texts.push(event["text"].as_str().expect("text").to_owned());
            }
        }
    }
    texts
}

fn share_id(body: &str) -> String {
    let marker = r#"name="share_id" value=""#;
    let start = body.find(marker).expect("a share id") + marker.len();
    body[start..].split('"').next().expect("id").to_owned()
}

async fn member(app: &TestApp, person: &Person) -> Browser {
    let mut browser = app.browser_as(person).await;
    open_journal(&mut browser).await;
    browser
}

kith_store::on_both_backends!(
    a_check_in_goes_to_the_room_once_as_its_writer_with_doses_only_when_ticked,
    |store| async move {
        let state = state(store.clone(), Duration::ZERO);
        let addr = serve_state(state.clone()).await;
        let app = TestApp::on_state(state, store.clone());
        let (_, meeting, _host, ada, bea) = meeting_now(&app).await;
        let mut own = member(&app, &ada).await;
        let id = checkin(&mut own, "2026-05-31", NOTE).await;
        let journal = own.get("/journal").await;
        assert!(
            journal
                .body
                .contains(&format!("href=\"/journal/checkins/{id}/share\"")),
            "a Share link on each check-in"
        );
        let edit = own.get(&format!("/journal/checkins/{id}/edit")).await;
        assert!(edit.body.contains(&format!("/journal/checkins/{id}/share")));
        let medicine = own
            .post_form("/journal/taper", &[("name", "Sertraline")])
            .await;
        let medicine_page = medicine.header("location").to_owned();
        let dose = own
            .post_form(
                &format!("{medicine_page}/doses"),
                &[("day", "2026-05-20"), ("amount", "25"), ("unit", "mg")],
            )
            .await;
        assert_eq!(dose.status, StatusCode::SEE_OTHER, "{}", dose.body);
        assert_eq!(dose.header("location"), medicine_page);

        // Bea listens in the room; Ada is not in it yet.
        let mut listener = joined(&addr, &meeting, &cookie(&app, &bea).await).await;
        let path = format!("/journal/checkins/{id}/share");
        let page = own.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.header("cache-control").contains("no-store"),
            "{:?}",
            page.headers
        );
        assert!(page.body.contains(NOTE), "the words that go are shown");
        assert!(page.body.contains("Hard: a low day"));
        assert!(page.body.contains("you are not in this room now"));
        assert!(
            !page.body.contains("name=\"room\""),
            "no room to choose yet"
        );
        let not_in = own
            .post_form(&path, &[("room", meeting.as_str()), ("share_id", "a1")])
            .await;
        assert_eq!(not_in.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            not_in.body.contains("Open that room first"),
            "{}",
            not_in.body
        );
        assert!(said(store.as_ref(), &meeting).await.is_empty());

        // In the room, Ada shares the words without the doses.
        let _ada_socket = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
        let page = own.get(&path).await;
        assert!(
            page.body.contains(&format!("value=\"{meeting}\"")),
            "{}",
            page.body
        );
        assert!(page.body.contains("Room Circle"));
        assert!(
            page.body.contains("Sertraline 25 mg"),
            "the dose line a tick adds"
        );
        assert!(!page.body.contains("id=\"f-doses\" name=\"doses\" type=\"checkbox\" aria-describedby=\"f-doses-hint\" checked"));
        let form_id = share_id(&page.body);
        let sent = own
            .post_form(&path, &[("room", meeting.as_str()), ("share_id", &form_id)])
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert_eq!(sent.header("location"), "/journal?done=shared");
        let heard = until_event(&mut listener, "said").await;
        assert_eq!(heard["from"], serde_json::json!({"account": ada.id.0}));
        let text = heard["text"].as_str().expect("text");
        assert!(
            text.contains(NOTE) && text.contains("Hard: a low day"),
            "{text}"
        );
        assert!(
            text.contains("6.5 hours") && text.contains("brain zaps"),
            "{text}"
        );
        assert!(
            !text.contains("Sertraline"),
            "no doses unless ticked: {text}"
        );
        let done = own.get("/journal?done=shared").await;
        assert!(done.body.contains("Your check-in was sent to the room."));

        // The same form again says nothing twice.
        own.post_form(&path, &[("room", meeting.as_str()), ("share_id", &form_id)])
            .await;
        assert_eq!(said(store.as_ref(), &meeting).await.len(), 1);

        // Ticked, the doses go too.
        let page = own.get(&path).await;
        let with_doses = own
            .post_form(
                &path,
                &[
                    ("room", meeting.as_str()),
                    ("doses", "on"),
                    ("share_id", &share_id(&page.body)),
                ],
            )
            .await;
        assert_eq!(
            with_doses.status,
            StatusCode::SEE_OTHER,
            "{}",
            with_doses.body
        );
        let heard = until_event(&mut listener, "said").await;
        assert!(
            heard["text"]
                .as_str()
                .expect("text")
                .contains("Current doses: Sertraline 25 mg."),
            "{heard}"
        );
        let log = said(store.as_ref(), &meeting).await;
        assert_eq!(log.len(), 2);
        assert!(!log[0].contains("Sertraline") && log[1].contains("Sertraline"));

        // Too long for one message: refused, and nothing goes.
        let long = "a".repeat(990);
        let long_id = checkin(&mut own, "2026-06-01", &long).await;
        let long_path = format!("/journal/checkins/{long_id}/share");
        let page = own.get(&long_path).await;
        assert!(
            page.body
                .contains("longer than one message in a room can be")
        );
        let refused = own
            .post_form(
                &long_path,
                &[("room", meeting.as_str()), ("share_id", "b2")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("too long for one message"),
            "{}",
            refused.body
        );
        let unchosen = own.post_form(&long_path, &[("share_id", "b3")]).await;
        assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unchosen.body.contains("Choose the room to send it to."));
        assert_eq!(said(store.as_ref(), &meeting).await.len(), 2);

        // Another person's check-in is 404, even to a member with a
        // journal in the same room.
        let mut other = member(&app, &bea).await;
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        let theirs = other
            .post_form(&path, &[("room", meeting.as_str()), ("share_id", "c1")])
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);

        // A room of a group Ada is not in is 404, as is no room at all.
        let stranger_host = app.account("Stranger", Role::Member).await;
        let elsewhere = listed_group(
            &app,
            &stranger_host,
            "Other Circle",
            &[
                ("join_policy", "open"),
                ("rules[0].weekdays", "1"),
                ("rules[0].start", "11:55"),
                ("rules[0].duration_minutes", "60"),
            ],
        )
        .await;
        let their_meeting = app
            .db
            .store
            .upcoming_occurrences(&elsewhere, now(), 1)
            .await
            .expect("meetings")[0]
            .id
            .clone();
        let page = own.get(&path).await;
        assert!(
            !page.body.contains("Other Circle"),
            "only one's own groups' rooms"
        );
        for room in [
            their_meeting.as_str(),
            "0123456789abcdef0123456789abcdef",
            "../x",
        ] {
            let refused = own
                .post_form(&path, &[("room", room), ("share_id", "d1")])
                .await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND, "{room}");
        }
        assert_eq!(said(store.as_ref(), &meeting).await.len(), 2);

        // Locked, the journal asks to be opened first.
        own.post_form("/journal/lock", &[]).await;
        assert_eq!(own.get(&path).await.header("location"), "/journal");
        let locked = own
            .post_form(&path, &[("room", meeting.as_str()), ("share_id", "e1")])
            .await;
        assert_eq!(locked.header("location"), "/journal");
        assert_eq!(said(store.as_ref(), &meeting).await.len(), 2);
    }
);

kith_store::on_both_backends!(
    with_no_open_room_the_page_says_so_and_offers_nothing,
    |store| async move {
        let app = TestApp::on(store);
        let cy = app.account("Cyrus", Role::Member).await;
        let mut own = member(&app, &cy).await;
        let id = checkin(&mut own, "2026-05-31", NOTE).await;
        let page = own.get(&format!("/journal/checkins/{id}/share")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("No room of your groups is open right now")
        );
        assert!(
            !page
                .body
                .contains("<form method=\"post\" action=\"/journal/checkins/")
        );
        assert!(page.body.contains(NOTE), "the words are still shown");
    }
);

kith_store::on_both_backends!(
    shares_count_with_the_members_other_messages,
    |store| async move {
        let mut state = state(store.clone(), Duration::ZERO);
        // Two an hour: Ada's request to join the group is the first.
        state.limits = std::sync::Arc::new(Limits::new(LimitSettings {
            membership_per_account_per_hour: 2,
            ..LimitSettings::default()
        }));
        let addr = serve_state(state.clone()).await;
        let app = TestApp::on_state(state, store.clone());
        let (_, meeting, _host, ada, _bea) = meeting_now(&app).await;
        let mut own = member(&app, &ada).await;
        let id = checkin(&mut own, "2026-05-31", NOTE).await;
        let _ada_socket = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
        let path = format!("/journal/checkins/{id}/share");
        let first = own
            .post_form(&path, &[("room", meeting.as_str()), ("share_id", "c1")])
            .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        let second = own
            .post_form(&path, &[("room", meeting.as_str()), ("share_id", "c2")])
            .await;
        assert_eq!(
            second.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            second.body
        );
        assert!(!second.header("retry-after").is_empty());
        assert_eq!(said(store.as_ref(), &meeting).await.len(), 1);
    }
);
