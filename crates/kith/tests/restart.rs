//! Graceful restarts of the real binary with real clients: on SIGTERM a
//! request in flight is finished, a room's client is told `restarting`
//! and closed with 1012, and the process exits 0 within
//! `KITH_SHUTDOWN_SECONDS` (or at it, when a client holds on). On
//! PostgreSQL a second instance takes over: the client reconnects to it
//! with `after` and the room's order goes on without a gap or a repeat.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use jiff::civil::Weekday;
use kith_domain::group::ListingStatus;
use kith_domain::ids::OccurrenceId;
use kith_store::Store;
use kith_store::accounts::SessionKind;
use kith_store::testing::{TempPostgres, group, insert, now};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use support::{Server, Stopped, start, terminate};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Five minutes into the test group's meeting (Mondays 10:00 UTC, 90
/// minutes): its room is open.
const DURING_THE_MEETING: &str = "2026-06-01T10:05:00Z";

/// A listed group meeting now, hosted by `willow`: the meeting's id and
/// an API session of its host.
async fn meeting(url: &str) -> (OccurrenceId, String) {
    let store: Arc<dyn Store> = kith_store::open(url, 2).await.expect("open");
    let slugs = insert(
        &store,
        &[group("Harbour Lights", "UTC", &[Weekday::Monday], "10:00")],
        ListingStatus::Listed,
    )
    .await;
    let upcoming = store
        .upcoming_occurrences(&slugs[0], now(), 1)
        .await
        .expect("meetings");
    let host = store.ensure_account("willow", now()).await.expect("host");
    let app = kith_app::testing::app(store);
    let session = kith_app::accounts::start_session(&app, host, SessionKind::Api, true, now())
        .await
        .expect("session");
    (upcoming[0].id.clone(), session.token)
}

async fn connect(addr: &str, meeting: &OccurrenceId, token: &str, after: Option<i64>) -> Socket {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    let mut request = format!("ws://{addr}/meetings/{meeting}/room/ws{query}")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the room opens");
    socket
}

/// The next text frame, within five seconds.
async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("a frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("json");
        }
    }
}

/// Every frame until the server's close, and its code (the client answers
/// the close as it reads it).
async fn until_closed(socket: &mut Socket) -> (Vec<Value>, Option<CloseCode>) {
    let mut frames = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed in time");
        match message {
            Some(Ok(Message::Text(text))) => {
                frames.push(serde_json::from_str(&text).expect("json"))
            }
            Some(Ok(Message::Close(close))) => {
                // Read on: the close is answered, and nothing follows it.
                while let Ok(Some(Ok(_))) =
                    tokio::time::timeout(Duration::from_secs(2), socket.next()).await
                {
                }
                return (frames, close.map(|c| c.code));
            }
            Some(Ok(_)) => {}
            Some(Err(err)) => panic!("the connection broke instead of closing: {err}"),
            None => return (frames, None),
        }
    }
}

/// Says `text` and answers the ack's `seq`, keeping the `events` frames
/// read meanwhile.
async fn say(socket: &mut Socket, id: &str, text: &str, events: &mut Vec<Value>) -> i64 {
    let command = json!({"v": 2, "id": id, "command": {"type": "say", "text": text}});
    socket
        .send(Message::Text(command.to_string().into()))
        .await
        .expect("send");
    loop {
        let frame = next_frame(socket).await;
        match frame["type"].as_str() {
            Some("ack") if frame["id"] == id => return frame["seq"].as_i64().expect("seq"),
            Some("events") => events.push(frame),
            _ => panic!("unexpected frame: {frame}"),
        }
    }
}

/// A POST whose headers are sent and whose body is only begun: the
/// request is in flight until [`finish`] sends the rest.
fn slow_request(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let body = "login=someone&password=xxxxxxxxxxxxxxxxxxxxxxxxx";
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send");
    stream.write_all(&body.as_bytes()[..10]).expect("send");
    stream
}

/// Sends the rest of [`slow_request`]'s body; answers the status line.
fn finish(mut stream: TcpStream) -> String {
    // Still waiting for its body: nothing was answered yet.
    stream.set_nonblocking(true).expect("nonblocking");
    let mut byte = [0u8; 1];
    let early = stream.peek(&mut byte);
    assert!(
        matches!(&early, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "answered before its body was sent: {early:?}"
    );
    stream.set_nonblocking(false).expect("blocking");
    let body = "login=someone&password=xxxxxxxxxxxxxxxxxxxxxxxxx";
    stream
        .write_all(&body.as_bytes()[10..])
        .expect("send the rest");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

fn env<'a>(url: &'a str, seconds: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("KITH_DATABASE_URL", url),
        ("KITH_FIXED_NOW", DURING_THE_MEETING),
        ("KITH_SHUTDOWN_SECONDS", seconds),
        ("RUST_LOG", "info"),
    ]
}

/// SIGTERM on a thread of its own (it waits for the exit).
fn terminate_soon(server: Server, within: Duration) -> tokio::task::JoinHandle<Stopped> {
    tokio::task::spawn_blocking(move || terminate(server, within))
}

#[tokio::test(flavor = "multi_thread")]
async fn on_sigterm_a_request_in_flight_finishes_room_clients_are_told_to_reconnect_and_kith_exits_0()
 {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let (meeting, token) = meeting(&url).await;
    let server = start(dir.path(), &[], &env(&url, "10"));
    let addr = server.addr.clone();

    let mut room = connect(&addr, &meeting, &token, None).await;
    let welcome = next_frame(&mut room).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    let in_flight = slow_request(&addr);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stopping = terminate_soon(server, Duration::from_secs(15));
    let (frames, code) = until_closed(&mut room).await;
    assert_eq!(
        frames.last(),
        Some(&json!({"type": "restarting", "v": 2})),
        "{frames:?}"
    );
    assert_eq!(code, Some(CloseCode::Restart), "close code 1012");

    // The request begun before the signal is answered in full.
    let status = tokio::task::spawn_blocking(move || finish(in_flight))
        .await
        .expect("join");
    assert!(status.starts_with("HTTP/1.1 "), "{status:?}");
    assert!(!status.starts_with("HTTP/1.1 5"), "{status:?}");

    let stopped = stopping.await.expect("join");
    assert_eq!(stopped.code, Some(0), "exits 0:\n{}", stopped.logs);
    assert!(stopped.took < Duration::from_secs(10), "{:?}", stopped.took);
    assert!(stopped.logs.contains("shutting down"), "{}", stopped.logs);
    // No new connection is taken once stopping.
    assert!(TcpStream::connect(&addr).is_err(), "still accepting");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_holds_on_does_not_keep_kith_past_kith_shutdown_seconds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    meeting(&url).await;
    let server = start(dir.path(), &[], &env(&url, "2"));
    // Serving already (the address line comes before the listener is
    // served), so the request below is taken, not left in the backlog.
    assert_eq!(support::get(&server.addr, "/healthz").0, 200);
    // Never finished: the request stays in flight.
    let _held = slow_request(&server.addr);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = terminate_soon(server, Duration::from_secs(15))
        .await
        .expect("join");
    assert_eq!(stopped.code, Some(0), "{}", stopped.logs);
    assert!(
        (Duration::from_secs(2)..Duration::from_secs(5)).contains(&stopped.took),
        "exits at the bound: {:?}\n{}",
        stopped.took,
        stopped.logs
    );
    assert!(stopped.logs.contains("exiting anyway"), "{}", stopped.logs);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_postgresql_a_second_instance_takes_over_the_room_without_a_gap_or_a_repeat() {
    let Some(database) = TempPostgres::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (meeting, token) = meeting(&database.url).await;
    let first = start(dir.path(), &[], &env(&database.url, "10"));
    let mut second_env = env(&database.url, "10").to_vec();
    second_env.push(("KITH_METRICS_TOKEN", "takeover-metrics"));
    let second = start(dir.path(), &[], &second_env);

    let mut events = Vec::new();
    let mut room = connect(&first.addr, &meeting, &token, None).await;
    let welcome = next_frame(&mut room).await;
    let entered = welcome["seq"].as_i64().expect("seq");
    let mut acks = Vec::new();
    for (id, text) in [("a1", "one"), ("a2", "two"), ("a3", "three")] {
        acks.push(say(&mut room, id, text, &mut events).await);
    }

    let stopping = terminate_soon(first, Duration::from_secs(15));
    let (frames, code) = until_closed(&mut room).await;
    assert_eq!(code, Some(CloseCode::Restart));
    assert_eq!(frames.last(), Some(&json!({"type": "restarting", "v": 2})));
    events.extend(frames.into_iter().filter(|f| f["type"] == "events"));
    let seen = events
        .iter()
        .filter_map(|f| f["seq"].as_i64())
        .max()
        .expect("frames");

    // The second instance, from where the client left off.
    let mut room = connect(&second.addr, &meeting, &token, Some(seen)).await;
    let welcome = next_frame(&mut room).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    assert!(welcome.get("room").is_none(), "caught up with `after`");
    let last = say(&mut room, "b1", "four", &mut events).await;
    // The frame of `four` may come after its ack.
    while !events.iter().any(|f| f["seq"] == last) {
        events.push(next_frame(&mut room).await);
    }
    acks.push(last);

    let seqs: Vec<i64> = events
        .iter()
        .filter(|f| f["type"] == "events")
        .map(|f| f["seq"].as_i64().expect("seq"))
        .collect();
    let expected: Vec<i64> = (entered + 1..=last).collect();
    assert_eq!(seqs, expected, "every place once, in order");
    let said: Vec<&str> = events
        .iter()
        .flat_map(|f| f["events"].as_array().into_iter().flatten())
        .filter(|e| e["type"] == "said")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(said, ["one", "two", "three", "four"]);
    assert!(acks.windows(2).all(|w| w[0] < w[1]), "{acks:?}");

    // The second instance holds the room and its one connection now.
    let gauge = |series| scraped(&second.addr, "takeover-metrics", series);
    assert_eq!(gauge("kith_rooms_open"), Some(1.0));
    assert_eq!(gauge("kith_room_connections"), Some(1.0));
    assert!(gauge("kith_db_pool_connections{state=\"idle\"}").is_some());
    assert_eq!(gauge("kith_outbox_backlog"), Some(0.0));

    let stopped = stopping.await.expect("join");
    assert_eq!(stopped.code, Some(0), "{}", stopped.logs);
    support::stop(second);
    database.drop_now().await;
}

/// A sample's value in a scrape of `/metrics` with `token`: the first
/// line starting with `series` (name and labels as rendered).
fn scraped(addr: &str, token: &str, series: &str) -> Option<f64> {
    let bearer = format!("Bearer {token}");
    let answer = support::request(addr, "GET", "/metrics", &[("Authorization", &bearer)], "");
    assert_eq!(answer.status, 200);
    answer.body.lines().find_map(|line| {
        line.strip_prefix(series)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
    })
}

/// Waits until `smtp` received `n` mails, or `within` passed; answers how
/// many it has.
async fn received_at_least(
    smtp: &kith_app::testing::smtp::SmtpServer,
    n: usize,
    within: Duration,
) -> usize {
    let deadline = std::time::Instant::now() + within;
    loop {
        let got = smtp.received().len();
        if got >= n || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn on_sigterm_mid_letter_the_sender_records_what_it_sent_so_a_restart_sends_nobody_a_second_copy()
 {
    use kith_domain::letter::{Audience, LetterText};
    const SUBSCRIBERS: usize = 300;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let store = kith_store::open(&url, 2).await.expect("open");
    kith_store::letters::fixtures::insert_subscribers(
        &url,
        "reader",
        SUBSCRIBERS as u32,
        true,
        &[],
    )
    .await;
    let at = jiff::Timestamp::now();
    let author = store.ensure_account("Quill", at).await.expect("author");
    let text = LetterText {
        subject: "Winter letter".into(),
        body: "Hello.".into(),
        audience: Audience::default(),
    };
    let letter = store
        .create_letter(&text, author, at)
        .await
        .expect("letter");
    store
        .schedule_letter(letter, Some(at), at)
        .await
        .expect("schedule");
    let smtp = kith_app::testing::smtp::SmtpServer::start().await;
    let smtp_url = smtp.url();
    let env = [
        ("KITH_DATABASE_URL", url.as_str()),
        ("KITH_SMTP_URL", smtp_url.as_str()),
        ("KITH_MAIL_FROM", "kith <kith@kith.example>"),
        // A burst of 120, then 20 a second: stopped halfway.
        ("KITH_MAIL_RATE_PER_MINUTE", "1200"),
        ("KITH_METRICS_TOKEN", "letter-metrics"),
        ("RUST_LOG", "info"),
    ];
    let first = start(dir.path(), &[], &env);
    let before = received_at_least(&smtp, SUBSCRIBERS / 2, Duration::from_secs(60)).await;
    assert!(before < SUBSCRIBERS, "stopped halfway: {before}");
    // The sender's counters and the outbox's backlog, halfway.
    let sent = scraped(&first.addr, "letter-metrics", "kith_mail_sent_total").expect("sent");
    let backlog = scraped(&first.addr, "letter-metrics", "kith_outbox_backlog").expect("backlog");
    assert!(sent >= before as f64, "{sent} counted, {before} delivered");
    assert!(
        // Delivered mail leaves the backlog as its chunk is recorded.
        backlog > 0.0 && backlog < SUBSCRIBERS as f64,
        "backlog {backlog} with {before} of {SUBSCRIBERS} delivered"
    );
    assert_eq!(
        scraped(
            &first.addr,
            "letter-metrics",
            "kith_mail_send_failures_total"
        ),
        Some(0.0)
    );
    let stopped = tokio::task::spawn_blocking(move || terminate(first, Duration::from_secs(25)))
        .await
        .expect("join");
    assert_eq!(stopped.code, Some(0), "{}", stopped.logs);
    assert!(stopped.took < Duration::from_secs(20), "{:?}", stopped.took);
    // Everything delivered was recorded as sent before the exit.
    let at_exit = smtp.received().len();
    let recorded = store.letters().await.expect("letters")[0].sent as usize;
    assert_eq!(recorded, at_exit, "delivered but not recorded");

    // A restart sends the rest, and nobody a second copy.
    let second = start(dir.path(), &[], &env);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while (store.letters().await.expect("letters")[0].sent as usize) < SUBSCRIBERS
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    support::stop(second);
    let received = smtp.received();
    let recipients: std::collections::HashSet<&str> =
        received.iter().map(|m| m.to[0].as_str()).collect();
    assert_eq!(recipients.len(), SUBSCRIBERS, "everyone");
    assert_eq!(received.len(), SUBSCRIBERS, "nobody twice");
    println!("stopped after {at_exit} of {SUBSCRIBERS} deliveries, all recorded; none sent again");
}
