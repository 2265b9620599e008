//! The live room under what a real meeting does to it: two tabs, commands
//! sent at the same instant, clients that try the server's commands,
//! late arrivals, a facilitator who goes away, names and frames at their
//! limits, and a room that closes — with real WebSocket clients, on both
//! databases, and on two instances where presence or facilitation is
//! shared.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use kith_app::rooms::RoomHub;
use kith_domain::room::{Command, Refusal};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::rooms::{
    Socket, command, connect, cookie, joined, meeting_now, serve_state, until, until_closed,
    until_event, who,
};
use crate::support::{TestApp, now, state};

/// How long a facilitator or a speaker may be away in these tests.
const GRACE: Duration = Duration::from_millis(300);

/// Serves kith on `store` with a short facilitator grace; answers its
/// address.
async fn serve(store: Arc<dyn kith_store::Store>) -> String {
    let mut state = state(store.clone(), Duration::ZERO);
    state.rooms = RoomHub::with_grace(store, kith_app::Clock::Fixed(now()), GRACE);
    serve_state(state).await
}

/// Sends raw text.
async fn send_text(socket: &mut Socket, text: String) {
    socket.send(Message::Text(text.into())).await.expect("send");
}

/// Whether any of the frames holds an event of `kind`.
fn has_event(frames: &[Value], kind: &str) -> bool {
    frames.iter().any(|f| {
        f["events"]
            .as_array()
            .is_some_and(|events| events.iter().any(|e| e["type"] == kind))
    })
}

/// Collects frames for a moment: what arrives without anyone waiting.
async fn drain(socket: &mut Socket) -> Vec<Value> {
    let mut frames = Vec::new();
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_millis(300), socket.next()).await
    {
        if let Message::Text(text) = message {
            frames.push(serde_json::from_str(&text).expect("json"));
        }
    }
    frames
}

kith_store::on_both_backends!(
    a_person_with_two_tabs_stays_until_the_last_closes,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, _) = meeting_now(&app).await;
        let addr = serve(store).await;
        let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
        let ada_cookie = cookie(&app, &ada).await;
        let mut first = joined(&addr, &meeting, &ada_cookie).await;
        let mut second = joined(&addr, &meeting, &ada_cookie).await;
        first.close(None).await.expect("close");
        command(
            &mut second,
            "s1",
            json!({"type": "say", "text": "still here"}),
        )
        .await;
        let answer = until(&mut second, "ack").await;
        assert_eq!(answer["id"], "s1", "still present: {answer}");
        command(&mut h, "h1", json!({"type": "say", "text": "mark"})).await;
        until(&mut h, "ack").await;
        assert!(
            !has_event(&drain(&mut h).await, "left"),
            "no `left` while a tab is open"
        );
        second.close(None).await.expect("close");
        assert_eq!(until_event(&mut h, "left").await["who"], who(&ada));
    }
);

kith_store::on_both_backends!(
    the_same_id_from_two_tabs_at_once_is_applied_once,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, _, ada, _) = meeting_now(&app).await;
        let addr = serve(store.clone()).await;
        let ada_cookie = cookie(&app, &ada).await;
        let mut first = joined(&addr, &meeting, &ada_cookie).await;
        let mut second = joined(&addr, &meeting, &ada_cookie).await;
        let say = json!({"type": "say", "text": "only once"});
        tokio::join!(
            command(&mut first, "same", say.clone()),
            command(&mut second, "same", say)
        );
        let (one, two) = tokio::join!(until(&mut first, "ack"), until(&mut second, "ack"));
        assert_eq!(
            one["seq"], two["seq"],
            "a resend answers with the first seq"
        );
        let log = store.room_log(&meeting).await.expect("log");
        assert_eq!(log.iter().filter(|c| c.client_id == "same").count(), 1);
    }
);

kith_store::on_both_backends!(
    clients_cannot_give_the_servers_commands,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, _) = meeting_now(&app).await;
        let addr = serve(store.clone()).await;
        let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
        let mut a = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
        let spoofs = [
            json!({"type": "leave"}),
            json!({"type": "enter", "name": "roomhost (facilitator)"}),
            json!({"type": "tick"}),
            json!({"type": "return_facilitation", "absence": 0}),
        ];
        for (n, spoof) in spoofs.into_iter().enumerate() {
            command(&mut a, &format!("x{n}"), spoof).await;
            assert_eq!(until(&mut a, "error").await["code"], "invalid_message");
        }
        let heard = drain(&mut h).await;
        assert!(
            !heard.iter().any(|f| f.to_string().contains("roomhost")),
            "{heard:?}"
        );
        let log = store.room_log(&meeting).await.expect("log");
        assert!(log.iter().all(|c| !c.client_id.starts_with('x')));
    }
);

kith_store::on_both_backends!(a_removed_message_is_never_replayed, |store| async move {
    let app = TestApp::on(store.clone());
    let (_, meeting, host, ada, bea) = meeting_now(&app).await;
    let addr = serve(store).await;
    let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
    let mut a = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
    command(
        &mut a,
        "a1",
        json!({"type": "say", "text": "words to take back"}),
    )
    .await;
    let said = until_event(&mut h, "said").await;
    command(
        &mut h,
        "h1",
        json!({"type": "remove_message", "id": said["id"]}),
    )
    .await;
    until_event(&mut a, "message_removed").await;
    // Bea arrives late and asks for everything from the start.
    let mut b = connect(&addr, &meeting, &cookie(&app, &bea).await, Some(0))
        .await
        .expect("bea");
    let mut heard = vec![until(&mut b, "welcome").await];
    heard.extend(drain(&mut b).await);
    assert!(has_event(&heard, "message_removed"), "{heard:?}");
    assert!(
        !heard
            .iter()
            .any(|f| f.to_string().contains("words to take back"))
    );
});

kith_store::on_both_backends!(
    facilitation_returns_to_a_host_and_a_host_is_never_locked_out,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, _) = meeting_now(&app).await;
        let addr = serve(store).await;
        let mut h = connect(&addr, &meeting, &cookie(&app, &host).await, None)
            .await
            .expect("host");
        let welcome = until(&mut h, "welcome").await;
        assert_eq!(welcome["room"]["hosts"], json!([who(&host)]));
        let mut a = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
        command(&mut h, "h1", json!({"type": "hand_over", "to": who(&ada)})).await;
        until_event(&mut a, "facilitator_changed").await;
        // The facilitator handed the role cannot remove the group's host.
        command(&mut a, "a1", json!({"type": "remove", "who": who(&host)})).await;
        assert_eq!(until(&mut a, "error").await["code"], "host_protected");
        // A host takes it back at any time.
        command(&mut h, "h2", json!({"type": "take_facilitation"})).await;
        assert_eq!(
            until_event(&mut a, "facilitator_changed").await["to"],
            who(&host)
        );
        command(&mut h, "h3", json!({"type": "hand_over", "to": who(&ada)})).await;
        assert_eq!(answer_to(&mut h, "h3").await["type"], "ack");
        // The facilitator goes away: after the grace it returns to the host.
        a.close(None).await.expect("close");
        until_event(&mut h, "left").await;
        assert_eq!(
            until_event(&mut h, "facilitator_changed").await["to"],
            who(&host)
        );
        command(
            &mut h,
            "h4",
            json!({"type": "start_round", "shuffle": null}),
        )
        .await;
        assert_eq!(answer_to(&mut h, "h4").await["type"], "ack");
    }
);

kith_store::on_both_backends!(two_presses_of_next_end_one_turn, |store| async move {
    let app = TestApp::on(store.clone());
    let (_, meeting, host, ada, bea) = meeting_now(&app).await;
    let addr = serve(store).await;
    let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
    let mut a = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
    let mut b = joined(&addr, &meeting, &cookie(&app, &bea).await).await;
    command(
        &mut h,
        "h1",
        json!({"type": "start_round", "shuffle": null}),
    )
    .await;
    let hosts_turn = until_event(&mut h, "turn_started").await["turn"].clone();
    command(&mut h, "h2", json!({"type": "next", "turn": hosts_turn})).await;
    let mut adas_turn = until_event(&mut a, "turn_started").await;
    while adas_turn["who"] != who(&ada) {
        adas_turn = until_event(&mut a, "turn_started").await;
    }
    let turn = adas_turn["turn"].clone();
    tokio::join!(
        command(&mut a, "a1", json!({"type": "pass", "turn": turn})),
        command(&mut h, "h3", json!({"type": "next", "turn": turn}))
    );
    let answers = [answer_to(&mut a, "a1").await, answer_to(&mut h, "h3").await];
    let kinds: Vec<&Value> = answers.iter().map(|a| &a["type"]).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "ack").count(),
        1,
        "{answers:?}"
    );
    assert!(
        answers.iter().any(|a| a["code"] == "turn_over"),
        "the second end of the turn changes nothing: {answers:?}"
    );
    let heard = drain(&mut b).await;
    let ended: Vec<&Value> = heard
        .iter()
        .filter_map(|f| f["events"].as_array())
        .flatten()
        .filter(|e| e["type"] == "turn_ended" && e["who"] == who(&ada))
        .collect();
    assert_eq!(ended.len(), 1, "Ada's turn ended once: {heard:?}");
    let started: Vec<&Value> = heard
        .iter()
        .filter_map(|f| f["events"].as_array())
        .flatten()
        .filter(|e| e["type"] == "turn_started")
        .collect();
    assert_eq!(
        started.last().map(|e| &e["who"]),
        Some(&who(&bea)),
        "Bea is not skipped"
    );
    assert!(
        !heard
            .iter()
            .filter_map(|f| f["events"].as_array())
            .flatten()
            .any(|e| e["type"] == "turn_ended" && e["who"] == who(&bea))
    );
});

/// The `ack` or `error` that answers the command `id`.
async fn answer_to(socket: &mut Socket, id: &str) -> Value {
    loop {
        let frame = crate::rooms::next(socket).await;
        if (frame["type"] == "ack" || frame["type"] == "error") && frame["id"] == id {
            return frame;
        }
    }
}

kith_store::on_both_backends!(
    names_ids_and_frames_are_held_to_the_documented_limits,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, bea) = meeting_now(&app).await;
        let addr = serve(store.clone()).await;
        let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
        for name in [
            "",
            "   ",
            "\u{202E}tsohmoor",
            "a\u{0}b",
            "two\nlines",
            &"x".repeat(3_900),
        ] {
            command(&mut h, "g", json!({"type": "add_guest", "name": name})).await;
            assert_eq!(
                until(&mut h, "error").await["code"],
                "invalid_name",
                "{name:?}"
            );
        }
        // A command that changes nothing is answered, not written.
        let before = store.room_log(&meeting).await.expect("log").len();
        command(&mut h, "noop", json!({"type": "lower_hand"})).await;
        until(&mut h, "ack").await;
        assert_eq!(store.room_log(&meeting).await.expect("log").len(), before);
        // Ids count characters; the longest text in four-byte characters,
        // escaped, still fits a frame.
        let mut a = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
        let long_id = "😀".repeat(64);
        let text: String = "😀".repeat(1_000);
        let escaped = serde_json::to_string(&text)
            .expect("json")
            .chars()
            .flat_map(|c| {
                if c == '😀' {
                    "\\ud83d\\ude00".chars().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect::<String>();
        send_text(
            &mut a,
            format!(
                r#"{{"v":{},"id":"{long_id}","command":{{"type":"say","text":{escaped}}}}}"#,
                kith_web::rooms::PROTOCOL
            ),
        )
        .await;
        assert_eq!(until(&mut a, "ack").await["id"], long_id);
        command(&mut a, &"😀".repeat(65), json!({"type": "raise_hand"})).await;
        assert_eq!(until(&mut a, "error").await["code"], "invalid_message");
        // Over the limit: a last frame and close code 1009.
        send_text(&mut a, "x".repeat(kith_web::rooms::MAX_MESSAGE + 1)).await;
        let (frames, code) = until_closed(&mut a).await;
        assert_eq!(frames.last().map(|f| &f["code"]), Some(&json!("too_big")));
        assert_eq!(code, Some(CloseCode::Size));
        // A flood: close code 1008.
        let mut b = joined(&addr, &meeting, &cookie(&app, &bea).await).await;
        for n in 0..40 {
            send_text(&mut b, format!("not json {n}")).await;
        }
        let (_, code) = until_closed(&mut b).await;
        assert_eq!(code, Some(CloseCode::Policy));
        // Removed by the facilitator: the event, then 4001.
        let mut b = joined(&addr, &meeting, &cookie(&app, &bea).await).await;
        command(&mut h, "h9", json!({"type": "remove", "who": who(&bea)})).await;
        let (frames, code) = until_closed(&mut b).await;
        assert!(has_event(&frames, "removed"), "{frames:?}");
        assert_eq!(code, Some(CloseCode::from(4001)));
    }
);

kith_store::on_both_backends!(
    nothing_is_written_once_a_room_has_closed,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, _, _) = meeting_now(&app).await;
        let hub = RoomHub::new(store.clone(), kith_app::Clock::Fixed(now()));
        let entry = kith_app::rooms::entry(&app.context, &host, &meeting, now())
            .await
            .expect("entry");
        let enter = Command::Enter {
            name: "Hostess".into(),
            connection: "tab".into(),
        };
        hub.command(&entry, "h1", enter)
            .await
            .expect("store")
            .expect("enters");
        let later = now() + jiff::SignedDuration::from_hours(2);
        assert_eq!(hub.close_due(later).await.expect("close"), 1);
        // A command that arrived as the room closed is refused, not written.
        let again = Command::Enter {
            name: "Hostess".into(),
            connection: "tab-1".into(),
        };
        let late = hub.command(&entry, "h2", again).await.expect("store");
        assert_eq!(late, Err(Refusal::RoomClosed));
        let other = RoomHub::new(store.clone(), kith_app::Clock::Fixed(now()));
        let enter = Command::Enter {
            name: "Hostess".into(),
            connection: "tab-2".into(),
        };
        let late = other.command(&entry, "h3", enter).await.expect("store");
        assert_eq!(late, Err(Refusal::RoomClosed));
        assert!(store.room_log(&meeting).await.expect("log").is_empty());
    }
);

#[tokio::test]
async fn presence_and_facilitation_hold_across_two_instances() {
    let Some(db) = kith_store::testing::TempPostgres::create().await else {
        return;
    };
    let store = kith_store::open(&db.url, 4).await.expect("open");
    let app = TestApp::on(store.clone());
    let (_, meeting, host, ada, _) = meeting_now(&app).await;
    let first = serve(store.clone()).await;
    let other = kith_store::open(&db.url, 4).await.expect("open again");
    let second = serve(other).await;
    let mut h = joined(&first, &meeting, &cookie(&app, &host).await).await;
    let ada_cookie = cookie(&app, &ada).await;
    let mut on_first = joined(&first, &meeting, &ada_cookie).await;
    let mut on_second = joined(&second, &meeting, &ada_cookie).await;
    // The same id on both instances at once: once in the log.
    let say = json!({"type": "say", "text": "once"});
    tokio::join!(
        command(&mut on_first, "same", say.clone()),
        command(&mut on_second, "same", say)
    );
    let (one, two) = tokio::join!(until(&mut on_first, "ack"), until(&mut on_second, "ack"));
    assert_eq!(one["seq"], two["seq"]);
    // Facilitation handed to Ada, whose tab on the first instance closes:
    // she is still present through the second.
    command(&mut h, "h1", json!({"type": "hand_over", "to": who(&ada)})).await;
    until_event(&mut on_second, "facilitator_changed").await;
    on_first.close(None).await.expect("close");
    command(&mut on_second, "a1", json!({"type": "open_sharing"})).await;
    assert_eq!(until(&mut on_second, "ack").await["id"], "a1");
    assert!(!has_event(&drain(&mut h).await, "left"));
    // Her last tab closes: after the grace the host facilitates again.
    on_second.close(None).await.expect("close");
    assert_eq!(until_event(&mut h, "left").await["who"], who(&ada));
    assert_eq!(
        until_event(&mut h, "facilitator_changed").await["to"],
        who(&host)
    );
    let log = store.room_log(&meeting).await.expect("log");
    assert_eq!(log.iter().filter(|c| c.client_id == "same").count(), 1);
    db.drop_now().await;
}

kith_store::on_both_backends!(
    a_speaker_whose_connection_drops_keeps_the_turn_for_the_grace,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, bea) = meeting_now(&app).await;
        let addr = serve(store).await;
        let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
        let mut a = joined(&addr, &meeting, &cookie(&app, &ada).await).await;
        let mut b = joined(&addr, &meeting, &cookie(&app, &bea).await).await;
        command(
            &mut h,
            "h1",
            json!({"type": "start_round", "shuffle": null}),
        )
        .await;
        command(&mut h, "h2", json!({"type": "next", "turn": null})).await;
        assert_eq!(answer_to(&mut h, "h2").await["type"], "ack");
        // Ada's turn; her connection drops.
        a.close(None).await.expect("close");
        let mut heard = Vec::new();
        loop {
            let frame = crate::rooms::next(&mut b).await;
            let left = has_event(std::slice::from_ref(&frame), "left");
            heard.push(frame);
            if left {
                break;
            }
        }
        let ended_with_her = heard.iter().any(|f| {
            f["events"].as_array().is_some_and(|events| {
                events
                    .iter()
                    .any(|e| e["type"] == "turn_ended" && e["who"] == who(&ada))
            })
        });
        assert!(!ended_with_her, "her turn waits for her: {heard:?}");
        // The grace passes: the round moves on to Bea.
        let moved = until(&mut b, "events").await;
        let events = moved["events"].as_array().expect("events");
        assert_eq!(events[0]["type"], "turn_ended");
        assert_eq!(events[0]["who"], who(&ada));
        assert_eq!(events[1]["type"], "turn_started");
        assert_eq!(events[1]["who"], who(&bea));
    }
);
