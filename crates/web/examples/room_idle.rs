//! Memory per idle room connection and the delivery of turn changes: serves
//! kith on 127.0.0.1 over a throwaway SQLite file, opens N WebSocket
//! connections to rooms of twenty (each a member with a session) from a
//! child process, waits for every welcome, prints how much the server's
//! resident memory grew per connection, then times turn changes fanned out.
//!
//! With `--postgres`, two kith instances share a throwaway PostgreSQL
//! database, each with its own pool and room hub, and every room's members
//! alternate between them: a turn change reaches half its room through the
//! other instance (`LISTEN/NOTIFY`).
//!
//! `cargo run --release -p kith-web --example room_idle -- 1000 [turns] [--postgres]`

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use kith_app::Clock;
use kith_app::accounts::start_session;
use kith_app::groups::create_groups;
use kith_app::testing::GroupBuilder;
use kith_domain::membership::{Occupancy, RequestState};
use kith_store::Store;
use kith_store::accounts::SessionKind;
use kith_store::mail::NoMail;
use kith_store::testing::{TempPostgres, TempSqlite};
use kith_web::limits::{LimitSettings, Limits};
use kith_web::{AppState, WebConfig};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// People per room.
const PER_ROOM: usize = 20;

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("clients") {
        let turns = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(TURNS);
        clients(&args[2], turns).await;
        return;
    }
    let postgres = args.iter().any(|a| a == "--postgres");
    args.retain(|a| a != "--postgres");
    let connections: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let turns = args.get(2).cloned().unwrap_or_else(|| TURNS.to_string());
    // Kept until the end: the SQLite file's directory, or the database.
    let mut sqlite = None;
    let mut pg = None;
    let instances: Vec<Arc<dyn Store>> = if postgres {
        let db = TempPostgres::create()
            .await
            .expect("--postgres needs PostgreSQL (KITH_TEST_POSTGRES_URL)");
        let mut stores = Vec::new();
        for _ in 0..2 {
            stores.push(kith_store::open(&db.url, 16).await.expect("open"));
        }
        pg = Some(db);
        stores
    } else {
        let db = TempSqlite::create().await;
        let store = db.store.clone();
        sqlite = Some(db);
        vec![store]
    };
    let store = instances[0].clone();
    let now = Timestamp::now();
    // Rooms of twenty, as real groups are: one group meeting right now per
    // twenty connections, in UTC.
    let zoned = now.to_zoned(jiff::tz::TimeZone::UTC);
    let start = zoned.saturating_sub(jiff::SignedDuration::from_mins(5));
    let weekday = start.weekday();
    let at = start.strftime("%H:%M").to_string();
    let rooms = connections.div_ceil(PER_ROOM);
    let builders: Vec<_> = (0..rooms)
        .map(|n| {
            GroupBuilder::new(&format!("Idle Room {n}"))
                .weekly(&[weekday], &at, "UTC")
                .build()
        })
        .collect();
    let app = kith_app::testing::app(store.clone());
    let slugs = create_groups(&app, &builders, now).await.expect("groups");
    let mut bases = Vec::new();
    for instance in &instances {
        bases.push(serve(instance.clone()).await);
    }
    // Lines of "ws-url cookie" for the clients; each room's first is its
    // host, who facilitates. Members alternate between the instances.
    let host = store.ensure_account("willow", now).await.expect("host");
    let mut lines = Vec::with_capacity(connections);
    for n in 0..connections {
        let slug = &slugs[n / PER_ROOM];
        if n % PER_ROOM == 0 {
            let meeting = store
                .upcoming_occurrences(slug, now, 1)
                .await
                .expect("meetings")[0]
                .id
                .clone();
            let token = start_session(&app, host, SessionKind::Browser, true, now)
                .await
                .expect("session");
            lines.push(format!(
                "{}/meetings/{meeting}/room/ws kith_session={}",
                bases[0], token.token
            ));
            continue;
        }
        let group = store.group_access(slug).await.expect("access").id;
        let meeting = store
            .upcoming_occurrences(slug, now, 1)
            .await
            .expect("meetings")[0]
            .id
            .clone();
        let account = store
            .ensure_account(&format!("member{n}"), now)
            .await
            .expect("account");
        let approve = |_: Option<RequestState>, _: Occupancy| Ok(RequestState::Approved);
        store
            .ask_to_join(group, account, "", &approve, &NoMail, now)
            .await
            .expect("ask")
            .expect("member");
        let token = start_session(&app, account, SessionKind::Browser, true, now)
            .await
            .expect("session");
        lines.push(format!(
            "{}/meetings/{meeting}/room/ws kith_session={}",
            bases[n % bases.len()],
            token.token
        ));
    }
    // The clients run in a child process, so only the server's memory is
    // in this one's figure.
    let cookie_file = std::env::temp_dir().join(format!("kith-room-idle-{}", std::process::id()));
    std::fs::write(&cookie_file, lines.join("\n")).expect("cookies");
    let before = rss_kib();
    let mut child = std::process::Command::new(std::env::current_exe().expect("self"))
        .args(["clients", &cookie_file.to_string_lossy(), &turns])
        .stdout(std::process::Stdio::piped())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("clients");
    let stdout = child.stdout.take().expect("stdout");
    let (ready, ready_reader) = tokio::task::spawn_blocking(move || {
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut line).map(|_| (line, reader))
    })
    .await
    .expect("join")
    .expect("read");
    assert_eq!(ready.trim(), "ready", "the clients did not connect");
    // Let the entries fan out; then every connection is idle.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_kib();
    // Then the load: every room's facilitator moves the turn on, again and
    // again; each member's client times the turn's arrival.
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, b"go\n").expect("go");
    let stdout = ready_reader;
    let latency = tokio::task::spawn_blocking(move || {
        let mut reader = stdout;
        let mut line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("read");
    println!("turn changes fanned out: {}", latency.trim());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&cookie_file);
    let per = (after.saturating_sub(before) as f64) / connections as f64;
    println!(
        "{connections} idle room connections: server RSS {before} KiB -> {after} KiB, {per:.1} KiB each"
    );
    drop(sqlite);
    if let Some(db) = pg {
        db.drop_now().await;
    }
}

/// Serves one kith instance over `store` on a free port, following the
/// rooms other instances change; answers its WebSocket base URL.
async fn serve(store: Arc<dyn Store>) -> String {
    let rooms = kith_app::rooms::RoomHub::new(store.clone(), Clock::System);
    tokio::spawn(rooms.clone().follow_other_instances());
    let state = AppState {
        app: kith_app::testing::app_at(store, "http://127.0.0.1"),
        limits: Arc::new(Limits::new(LimitSettings::default())),
        config: Arc::new(WebConfig::default()),
        rooms,
    };
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
    format!("ws://{addr}")
}

/// The child: opens one connection per cookie, reads each welcome, says
/// "ready", and keeps them open and idle (reading) until killed.
async fn clients(cookie_file: &str, turn_count: usize) {
    let lines = std::fs::read_to_string(cookie_file).expect("cookies");
    let mut sockets = Vec::new();
    for line in lines.lines() {
        let (url, cookie) = line.split_once(' ').expect("url and cookie");
        let mut request = url.into_client_request().expect("request");
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie"));
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(request, Some(config), false)
                .await
                .expect("connect");
        socket.next().await.expect("welcome").expect("frame");
        sockets.push(socket);
    }
    println!("ready");
    let go = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    });
    // Meanwhile, drain the entries as they fan out.
    let mut rooms: Vec<Vec<Socket>> = Vec::new();
    for (n, socket) in sockets.into_iter().enumerate() {
        if n % PER_ROOM == 0 {
            rooms.push(Vec::new());
        }
        if let Some(room) = rooms.last_mut() {
            room.push(socket);
        }
    }
    let drained: Vec<_> = rooms
        .into_iter()
        .map(|mut room| {
            tokio::spawn(async move {
                for socket in &mut room {
                    while let Ok(Some(_)) =
                        tokio::time::timeout(Duration::from_millis(200), socket.next()).await
                    {
                    }
                }
                room
            })
        })
        .collect();
    let _ = go.await;
    let mut tasks = Vec::new();
    for room in drained {
        let room = room.await.expect("room");
        tasks.push(tokio::spawn(turns(room, turn_count)));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("turns"));
    }
    all.sort_unstable();
    let at = |q: f64| all[((all.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{} deliveries, p50 {:.2} ms, p99 {:.2} ms",
        all.len(),
        at(0.50),
        at(0.99)
    );
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How many turn changes each room's facilitator makes, unless told.
const TURNS: usize = 40;

/// One room's load: the facilitator starts rounds and moves the turn on;
/// each turn's arrival at every other member is timed from the moment the
/// command left. Answers the delivery times.
async fn turns(mut room: Vec<Socket>, count: usize) -> Vec<Duration> {
    use futures::SinkExt;
    let mut host = room.remove(0);
    let mut delays = Vec::with_capacity(count * room.len());
    for n in 0..count {
        let command = if n % PER_ROOM == 0 {
            serde_json::json!({"type": "start_round", "shuffle": null})
        } else {
            serde_json::json!({"type": "next"})
        };
        let sent = std::time::Instant::now();
        host.send(tokio_tungstenite::tungstenite::Message::Text(
            serde_json::json!({"v": kith_web::rooms::PROTOCOL, "id": format!("t{n}"), "command": command})
                .to_string()
                .into(),
        ))
        .await
        .expect("send");
        for member in &mut room {
            loop {
                let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) =
                    member.next().await
                else {
                    continue;
                };
                if text.contains("\"turn_started\"") {
                    delays.push(sent.elapsed());
                    break;
                }
            }
        }
        // The host's own ack and frame, so its queue stays empty; and a
        // pause, so the facilitator stays under 5 messages a second.
        while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(250), host.next()).await
        {
        }
    }
    delays
}
