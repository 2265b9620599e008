//! The live room with real WebSocket clients against the real server on
//! 127.0.0.1, on both databases — and two kith instances on one PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::ids::{OccurrenceId, Slug};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::membership::{ask, listed_group};
use crate::support::{TestApp, now, state};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Serves a router built on `store` on a free port; answers its address.
pub(crate) async fn serve(
    store: Arc<dyn kith_store::Store>,
) -> (String, Arc<kith_app::rooms::RoomHub>) {
    let state = state(store, Duration::ZERO);
    let hub = state.rooms.clone();
    (serve_state(state).await, hub)
}

/// Serves a router built on `state` on a free port, following what is
/// announced to its rooms; answers its address.
pub(crate) async fn serve_state(state: kith_web::AppState) -> String {
    tokio::spawn(state.rooms.clone().follow_other_instances());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = kith_web::router(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    addr.to_string()
}

/// Every frame until the server closes (within five seconds each), and
/// its close code; reading on answers the close, as a browser does at
/// once, and nothing may follow it.
pub(crate) async fn until_closed(
    socket: &mut Socket,
) -> (
    Vec<Value>,
    Option<tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode>,
) {
    let mut frames = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("the connection ends in time");
        match message {
            Some(Ok(Message::Text(text))) => {
                frames.push(serde_json::from_str(&text).expect("json"));
            }
            Some(Ok(Message::Close(close))) => {
                let rest = tokio::time::timeout(Duration::from_secs(5), socket.next()).await;
                assert!(
                    matches!(rest, Ok(None | Some(Err(_)))),
                    "a frame after the close: {rest:?}"
                );
                return (frames, close.map(|c| c.code));
            }
            Some(Err(err)) => panic!("the connection broke instead of closing: {err}"),
            None => return (frames, None),
            Some(Ok(_)) => {}
        }
    }
}

/// A group meeting now (Mondays 11:55–12:55 in Berlin; "now" is Monday
/// 12:00 there), its host, and two members; answers the meeting's id.
pub(crate) async fn meeting_now(app: &TestApp) -> (Slug, OccurrenceId, Person, Person, Person) {
    let host = app.account("Hostess", Role::Member).await;
    let slug = listed_group(
        app,
        &host,
        "Room Circle",
        &[
            ("join_policy", "open"),
            ("rules[0].weekdays", "1"),
            ("rules[0].start", "11:55"),
            ("rules[0].duration_minutes", "60"),
        ],
    )
    .await;
    let ada = app.account("Ada", Role::Member).await;
    let bea = app.account("Bea", Role::Member).await;
    for person in [&ada, &bea] {
        ask(&mut app.api_as(person).await, &slug, json!({})).await;
    }
    let upcoming = app
        .db
        .store
        .upcoming_occurrences(&slug, now(), 1)
        .await
        .expect("meetings");
    let id = upcoming[0].id.clone();
    assert!(upcoming[0].starts_at <= now() && now() < upcoming[0].ends_at);
    (slug, id, host, ada, bea)
}

/// A session cookie for `person`.
pub(crate) async fn cookie(app: &TestApp, person: &Person) -> String {
    let token = kith_app::accounts::start_session(
        &app.context,
        person.id,
        kith_store::accounts::SessionKind::Browser,
        false,
        now(),
    )
    .await
    .expect("session");
    format!("kith_session={}", token.token)
}

pub(crate) async fn connect(
    addr: &str,
    meeting: &OccurrenceId,
    cookie: &str,
    after: Option<i64>,
) -> Result<Socket, WsError> {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    let mut request = format!("ws://{addr}/meetings/{meeting}/room/ws{query}")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("cookie", cookie.parse().expect("cookie"));
    request
        .headers_mut()
        .insert("origin", format!("http://{addr}").parse().expect("origin"));
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// A connection that was welcomed into the room.
pub(crate) async fn joined(addr: &str, meeting: &OccurrenceId, cookie: &str) -> Socket {
    let mut socket = connect(addr, meeting, cookie, None)
        .await
        .expect("the room lets them in");
    until(&mut socket, "welcome").await;
    socket
}

/// The next JSON frame, within five seconds.
pub(crate) async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("json");
        }
    }
}

/// Frames until one of `kind` arrives; answers it.
pub(crate) async fn until(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = next(socket).await;
        if frame["type"] == kind {
            return frame;
        }
    }
}

/// Frames until an `events` frame holding an event of `kind`.
pub(crate) async fn until_event(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = until(socket, "events").await;
        if let Some(event) = frame["events"]
            .as_array()
            .and_then(|events| events.iter().find(|e| e["type"] == kind))
        {
            return event.clone();
        }
    }
}

pub(crate) async fn command(socket: &mut Socket, id: &str, command: Value) {
    socket
        .send(Message::Text(
            json!({"v": kith_web::rooms::PROTOCOL, "id": id, "command": command})
                .to_string()
                .into(),
        ))
        .await
        .expect("send");
}

pub(crate) fn who(person: &Person) -> Value {
    json!({"account": person.id.0})
}

kith_store::on_both_backends!(a_round_and_an_open_sharing_queue, |store| async move {
    let app = TestApp::on(store.clone());
    let (_, meeting, host, ada, bea) = meeting_now(&app).await;
    let (addr, _) = serve(store).await;
    let mut h = connect(&addr, &meeting, &cookie(&app, &host).await, None)
        .await
        .expect("host");
    let welcome = until(&mut h, "welcome").await;
    assert_eq!(welcome["v"], kith_web::rooms::PROTOCOL);
    assert_eq!(welcome["room"]["facilitator"], who(&host));
    let mut a = connect(&addr, &meeting, &cookie(&app, &ada).await, None)
        .await
        .expect("ada");
    until(&mut a, "welcome").await;
    let mut b = connect(&addr, &meeting, &cookie(&app, &bea).await, None)
        .await
        .expect("bea");
    let welcome = until(&mut b, "welcome").await;
    assert_eq!(welcome["room"]["people"].as_array().map(Vec::len), Some(3));

    // A check-in round in order of arrival.
    command(
        &mut h,
        "h1",
        json!({"type": "start_round", "shuffle": null}),
    )
    .await;
    let ack = until(&mut h, "ack").await;
    assert_eq!(ack["id"], "h1");
    for socket in [&mut h, &mut a, &mut b] {
        let started = until_event(socket, "round_started").await;
        assert_eq!(started["order"], json!([who(&host), who(&ada), who(&bea)]));
    }
    command(&mut h, "h2", json!({"type": "next"})).await;
    assert_eq!(until_event(&mut a, "turn_started").await["who"], who(&ada));
    // Only the speaker or the facilitator moves on.
    command(&mut b, "b1", json!({"type": "next"})).await;
    let refused = until(&mut b, "error").await;
    assert_eq!(refused["code"], "not_your_turn");
    assert_eq!(refused["id"], "b1");
    command(&mut a, "a1", json!({"type": "pass"})).await;
    assert_eq!(until_event(&mut b, "turn_started").await["who"], who(&bea));

    // Open sharing: Ada and Bea raise hands; the call goes to the fairest.
    command(&mut h, "h3", json!({"type": "open_sharing"})).await;
    until_event(&mut a, "sharing_opened").await;
    command(&mut b, "b2", json!({"type": "raise_hand"})).await;
    until(&mut b, "ack").await;
    command(&mut a, "a2", json!({"type": "raise_hand"})).await;
    until(&mut a, "ack").await;
    command(&mut h, "h4", json!({"type": "call", "who": null})).await;
    let called = until_event(&mut a, "turn_started").await;
    assert!(called["who"] == who(&ada) || called["who"] == who(&bea));

    // A resend with the same id is applied once.
    command(
        &mut a,
        "a3",
        json!({"type": "say", "text": crate::support::CHAT_CANARY}),
    )
    .await;
    let first = until(&mut a, "ack").await;
    command(
        &mut a,
        "a3",
        json!({"type": "say", "text": crate::support::CHAT_CANARY}),
    )
    .await;
    let again = until(&mut a, "ack").await;
    assert_eq!(first["seq"], again["seq"]);
    let chat = app.db.store.room_log(&meeting).await.expect("log");
    assert_eq!(chat.iter().filter(|c| c.client_id == "a3").count(), 1);

    // Bad input gets an error frame and the connection stays.
    a.send(Message::Text("not json".into()))
        .await
        .expect("send");
    assert_eq!(until(&mut a, "error").await["code"], "invalid_message");
    command(&mut a, "a4", json!({"type": "say", "text": "still here"})).await;
    until(&mut a, "ack").await;
});

kith_store::on_both_backends!(
    strangers_are_refused_before_any_upgrade,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, _, ada, _) = meeting_now(&app).await;
        let stranger = app.account("Stranger", Role::Member).await;
        let (addr, _) = serve(store).await;
        let refused = connect(&addr, &meeting, &cookie(&app, &stranger).await, None).await;
        match refused {
            Err(WsError::Http(response)) => assert_eq!(response.status(), 404),
            other => panic!("expected 404, got {other:?}"),
        }
        // The page, too, is 404 for a stranger, and there — with the call
        // link — for a member.
        let page = app
            .browser_as(&stranger)
            .await
            .get(&format!("/meetings/{meeting}/room"))
            .await;
        assert_eq!(page.status, axum::http::StatusCode::NOT_FOUND);
        assert!(!page.body.contains("PRIVATE-CANARY"));
        let page = app
            .browser_as(&ada)
            .await
            .get(&format!("/meetings/{meeting}/room"))
            .await;
        assert_eq!(page.status, axum::http::StatusCode::OK);
        assert!(page.body.contains("PRIVATE-CANARY"));
        // A handshake from another site's page is refused even for a member.
        let mut request = format!("ws://{addr}/meetings/{meeting}/room/ws")
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert("cookie", cookie(&app, &ada).await.parse().expect("cookie"));
        request
            .headers_mut()
            .insert("origin", "https://evil.example".parse().expect("origin"));
        match tokio_tungstenite::connect_async(request).await {
            Err(WsError::Http(response)) => assert_eq!(response.status(), 403),
            other => panic!("expected 403, got {other:?}"),
        }
    }
);

kith_store::on_both_backends!(
    a_reconnecting_client_catches_up_and_a_removed_one_cannot_return,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, bea) = meeting_now(&app).await;
        let (addr, hub) = serve(store).await;
        let mut h = connect(&addr, &meeting, &cookie(&app, &host).await, None)
            .await
            .expect("host");
        until(&mut h, "welcome").await;
        let mut a = connect(&addr, &meeting, &cookie(&app, &ada).await, None)
            .await
            .expect("ada");
        let seen = until(&mut a, "welcome").await["seq"].as_i64().expect("seq");
        a.close(None).await.expect("close");
        // While Ada is away, two messages.
        command(&mut h, "h1", json!({"type": "say", "text": "first"})).await;
        until(&mut h, "ack").await;
        command(&mut h, "h2", json!({"type": "say", "text": "second"})).await;
        until(&mut h, "ack").await;
        let mut a = connect(&addr, &meeting, &cookie(&app, &ada).await, Some(seen))
            .await
            .expect("ada again");
        let welcome = until(&mut a, "welcome").await;
        assert!(welcome.get("room").is_none(), "catching up, not a snapshot");
        assert_eq!(until_event(&mut a, "said").await["text"], "first");
        assert_eq!(until_event(&mut a, "said").await["text"], "second");

        // Bea is removed: her connection ends and she cannot come back.
        let mut b = connect(&addr, &meeting, &cookie(&app, &bea).await, None)
            .await
            .expect("bea");
        until(&mut b, "welcome").await;
        command(&mut h, "h3", json!({"type": "remove", "who": who(&bea)})).await;
        until_event(&mut b, "removed").await;
        let again = connect(&addr, &meeting, &cookie(&app, &bea).await, None)
            .await
            .expect("bea again");
        let mut again = again;
        assert_eq!(until(&mut again, "error").await["code"], "removed");

        // Half an hour after the meeting the room closes: no chat and no
        // per-person figure remains in the database.
        let later = now() + jiff::SignedDuration::from_hours(2);
        assert_eq!(hub.close_due(later).await.expect("close"), 1);
        assert!(
            app.db
                .store
                .room_log(&meeting)
                .await
                .expect("log")
                .is_empty()
        );
        assert_eq!(
            app.db.store.room_summary(&meeting).await.expect("summary"),
            None
        );
    }
);

#[tokio::test]
async fn two_instances_on_one_postgresql_see_one_order() {
    let Some(db) = kith_store::testing::TempPostgres::create().await else {
        return;
    };
    let store = kith_store::open(&db.url, 4).await.expect("open");
    let app = TestApp::on(store.clone());
    let (_, meeting, host, ada, _) = meeting_now(&app).await;
    let (first, _) = serve(store.clone()).await;
    let other = kith_store::open(&db.url, 4).await.expect("open again");
    let (second, _) = serve(other).await;
    let mut h = connect(&first, &meeting, &cookie(&app, &host).await, None)
        .await
        .expect("host on the first");
    until(&mut h, "welcome").await;
    let mut a = connect(&second, &meeting, &cookie(&app, &ada).await, None)
        .await
        .expect("ada on the second");
    until(&mut a, "welcome").await;
    for n in 0..5 {
        command(
            &mut h,
            &format!("h{n}"),
            json!({"type": "say", "text": format!("host {n}")}),
        )
        .await;
        command(
            &mut a,
            &format!("a{n}"),
            json!({"type": "say", "text": format!("ada {n}")}),
        )
        .await;
    }
    let mut heard_h = Vec::new();
    let mut heard_a = Vec::new();
    while heard_h.len() < 10 {
        let event = until_event(&mut h, "said").await;
        heard_h.push((event["id"].clone(), event["text"].clone()));
    }
    while heard_a.len() < 10 {
        let event = until_event(&mut a, "said").await;
        heard_a.push((event["id"].clone(), event["text"].clone()));
    }
    assert_eq!(heard_h, heard_a, "the same events in the same order");
    let log = store.room_log(&meeting).await.expect("log");
    let seqs: Vec<i64> = log.iter().map(|c| c.seq).collect();
    assert_eq!(
        seqs,
        (1..=i64::try_from(log.len()).expect("len")).collect::<Vec<_>>()
    );
    db.drop_now().await;
}

kith_store::on_both_backends!(a_kept_room_leaves_only_its_totals, |store| async move {
    let app = TestApp::on(store.clone());
    let (slug, meeting, host, ada, _) = meeting_now(&app).await;
    let mut host_browser = app.browser_as(&host).await;
    let refused = host_browser
        .post_form(
            &format!("/groups/{slug}/room-settings"),
            &[
                ("turn_minutes", "31"),
                ("opens_minutes", "15"),
                ("closes_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(refused.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Choose 1 to 30 minutes."));
    assert!(refused.body.contains("value=\"31\""));
    let saved = host_browser
        .post_form(
            &format!("/groups/{slug}/room-settings"),
            &[
                ("turn_minutes", "5"),
                ("opens_minutes", "15"),
                ("closes_minutes", "10"),
                ("keep_totals", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, axum::http::StatusCode::OK);
    let (addr, hub) = serve(store).await;
    let mut h = connect(&addr, &meeting, &cookie(&app, &host).await, None)
        .await
        .expect("host");
    let welcome = until(&mut h, "welcome").await;
    assert_eq!(welcome["turn_ms"], 300_000);
    let mut a = connect(&addr, &meeting, &cookie(&app, &ada).await, None)
        .await
        .expect("ada");
    until(&mut a, "welcome").await;
    command(
        &mut a,
        "a1",
        json!({"type": "say", "text": "a private word"}),
    )
    .await;
    until(&mut a, "ack").await;
    // Ten minutes after the meeting (it ends 12:55 Berlin) it closes.
    let after_end = "2026-06-01T11:06:00Z".parse().expect("time");
    assert_eq!(hub.close_due(after_end).await.expect("close"), 1);
    assert!(
        app.db
            .store
            .room_log(&meeting)
            .await
            .expect("log")
            .is_empty()
    );
    assert_eq!(
        app.db.store.room_summary(&meeting).await.expect("summary"),
        Some(kith_store::rooms::RoomSummary {
            present: 2,
            spoken_seconds: 0
        })
    );
});

kith_store::on_both_backends!(
    floods_and_oversize_frames_are_refused_and_a_restart_replays_the_log,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, _) = meeting_now(&app).await;
        let (addr, _) = serve(store.clone()).await;
        let mut a = connect(&addr, &meeting, &cookie(&app, &ada).await, None)
            .await
            .expect("ada");
        until(&mut a, "welcome").await;
        // Thirty messages at once: the burst passes, the rest are refused.
        for n in 0..30 {
            command(
                &mut a,
                &format!("f{n}"),
                json!({"type": "say", "text": format!("m{n}")}),
            )
            .await;
        }
        let mut acks = 0;
        let mut limited = 0;
        while acks + limited < 30 {
            let frame = next(&mut a).await;
            match frame["type"].as_str() {
                Some("ack") => acks += 1,
                Some("error") if frame["code"] == "rate_limited" => limited += 1,
                _ => {}
            }
        }
        assert!(
            acks >= 10 && limited >= 10,
            "{acks} applied, {limited} refused"
        );

        // A restarted server (a new instance on the same database) rebuilds
        // the room from its log.
        let (again, _) = serve(store.clone()).await;
        let mut h = connect(&again, &meeting, &cookie(&app, &host).await, None)
            .await
            .expect("host");
        let welcome = until(&mut h, "welcome").await;
        let messages = welcome["room"]["messages"]
            .as_array()
            .expect("messages")
            .len();
        assert_eq!(messages, acks, "every applied message, once");

        // A message over the limit closes the connection (1009) — however
        // much of the flood allowance has come back meanwhile.
        let big = "x".repeat(kith_web::rooms::MAX_MESSAGE + 1);
        let _ = a.send(Message::Text(big.into())).await;
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match a.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert_eq!(closed, Ok(true));
    }
);

kith_store::on_both_backends!(
    an_instance_that_has_not_heard_of_a_change_catches_up_instead_of_refusing,
    |store| async move {
        use kith_app::rooms::{RoomHub, entry};
        use kith_domain::room::Command;

        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, _) = meeting_now(&app).await;
        // Two instances that never hear of each other's appends (no
        // follower): each learns of the other's only from the log.
        let first = RoomHub::new(store.clone(), kith_app::Clock::Fixed(now()));
        let second = RoomHub::new(store.clone(), kith_app::Clock::Fixed(now()));
        let host_entry = entry(&app.context, &host, &meeting, now())
            .await
            .expect("host");
        let ada_entry = entry(&app.context, &ada, &meeting, now())
            .await
            .expect("ada");
        let enter = |name: &str| Command::Enter {
            name: name.into(),
            connection: format!("{name}-tab"),
        };
        first
            .command(&host_entry, "h1", enter("Hostess"))
            .await
            .expect("store")
            .expect("host enters");
        second
            .command(&ada_entry, "a1", enter("Ada"))
            .await
            .expect("store")
            .expect("ada enters");
        // The first has not heard that Ada came: starting a round of
        // everyone present is still right, and its append finds its place
        // taken, so it catches up and starts the round with her in it.
        first
            .command(&host_entry, "h2", Command::StartRound { shuffle: None })
            .await
            .expect("store")
            .expect("the round starts");
        first
            .command(&host_entry, "h3", Command::Next { turn: None })
            .await
            .expect("store")
            .expect("the host's turn ends");
        // The second has not heard of the round: to it, passing is refused
        // (no round, not Ada's turn) — until it reads the log.
        let passed = second
            .command(&ada_entry, "a2", Command::Pass { turn: None })
            .await
            .expect("store");
        assert!(passed.is_ok(), "{passed:?}");
        let seqs: Vec<i64> = store
            .room_log(&meeting)
            .await
            .expect("log")
            .iter()
            .map(|c| c.seq)
            .collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5]);
        // And a command that stays wrong after catching up is still refused.
        let refused = second
            .command(&ada_entry, "a3", Command::EndRound)
            .await
            .expect("store");
        assert!(refused.is_err(), "only the facilitator ends a round");
    }
);
