//! Durability, proven on the real binary: a `kith serve` on a SQLite file
//! under 200 concurrent writers (registrations; members asking to join
//! groups and writing in the requests' threads) is killed with SIGKILL at
//! random (seeded) moments and started again; after every restart each
//! write it acknowledged (201) is there — registrations with their
//! verification mail exactly once in the outbox (and so is every account
//! written but not acknowledged), requests to join,
//! messages once — and `kith check` passes. And on PostgreSQL, cut off
//! mid-run (`ALLOW_CONNECTIONS false` and its connections ended — never
//! the shared server stopped), kith answers clear 503s while it is away
//! and recovers without a restart.
//!
//! `KITH_CRASH_ROUNDS` (default 5) and `KITH_CRASH_SEED` (default 24) size
//! it; `bench/crash` runs 100 rounds.

mod support;

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::civil::Weekday;
use kith_domain::group::ListingStatus;
use kith_store::testing::{TempPostgres, group, insert, postgres_admin_url};
use sqlx::Connection;

use support::{start, stop};

const WRITERS: usize = 200;

/// One request, never panicking: the status, or `None` when the server
/// is gone (killed mid-request: not acknowledged).
fn post_json(
    addr: &str,
    path: &str,
    client_ip: &str,
    body: &str,
    authorization: Option<&str>,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let authorization = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Forwarded-For: {client_ip}\r\n{authorization}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    Some((status, response))
}

/// A small seeded generator (xorshift): the kill moments repeat for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Each registration's handle: unique across rounds and writers, and an
/// address of its own (`X-Forwarded-For`, trusted from 127.0.0.1) so the
/// per-address limit on registrations does not refuse the crowd.
fn handle(round: u64, writer: usize, n: usize) -> String {
    format!("crash{round}w{writer}n{n}")
}

/// Writers registering; the rest ask to join groups and write in the
/// requests' threads as members.
const REGISTERING: usize = 100;

/// Members asking to join, each with a bearer token, and the listed groups
/// they ask: every (member, group) pair is asked once over all rounds.
const MEMBERS: usize = 20;
const GROUPS: usize = 150;

/// What the server acknowledged (answered 2xx), to be found after a kill.
#[derive(Default, Clone)]
struct Acknowledged {
    registrations: Vec<String>,
    /// (member's handle, group's slug).
    asks: Vec<(String, String)>,
    /// A word unique to each message.
    messages: Vec<String>,
}

/// The body after the head of an HTTP answer.
fn body_of(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// Registers and logs in the members on a server started for it (the
/// hasher's line may be full: 429 is tried again).
fn members(addr: &str) -> Vec<(String, String)> {
    let mut members = Vec::new();
    for m in 0..MEMBERS {
        let handle = format!("member{m}");
        let body = format!(
            r#"{{"handle":"{handle}","email":"{handle}@example.org","password":"correct horse battery"}}"#
        );
        let ip = format!("10.251.0.{}", m + 1);
        loop {
            let (status, response) =
                post_json(addr, "/api/v1/accounts", &ip, &body, None).expect("an answer");
            match status {
                201 => break,
                429 => std::thread::sleep(Duration::from_millis(250)),
                _ => panic!("{response}"),
            }
        }
        let body = format!(r#"{{"login":"{handle}","password":"correct horse battery"}}"#);
        let token = loop {
            let (status, response) =
                post_json(addr, "/api/v1/sessions", &ip, &body, None).expect("an answer");
            match status {
                201 => {
                    let json: serde_json::Value =
                        serde_json::from_str(body_of(&response)).expect("json");
                    break json["token"].as_str().expect("token").to_owned();
                }
                429 => std::thread::sleep(Duration::from_millis(250)),
                _ => panic!("{response}"),
            }
        };
        members.push((handle, token));
    }
    members
}

/// One registering writer: new accounts until the server is gone.
fn register_until_killed(addr: &str, round: u64, w: usize, acknowledged: &Mutex<Acknowledged>) {
    let mut n = 0;
    loop {
        let handle = handle(round, w, n);
        let ip = format!("10.{}.{}.{}", round % 250, w % 250, n % 250 + 1);
        let body = format!(
            r#"{{"handle":"{handle}","email":"{handle}@example.org","password":"correct horse battery"}}"#
        );
        match post_json(addr, "/api/v1/accounts", &ip, &body, None) {
            Some((201, _)) => acknowledged
                .lock()
                .expect("lock")
                .registrations
                .push(handle),
            // The password hasher's line is full: not acknowledged, try
            // again shortly.
            Some((429, _)) => std::thread::sleep(Duration::from_millis(250)),
            Some((status, response)) => panic!("registration answered {status}: {response}"),
            None => return,
        }
        n += 1;
    }
}

/// One member's writer: asks to join the next group not yet asked, then
/// writes in that request's thread, until the server is gone.
fn ask_until_killed(
    addr: &str,
    member: &(String, String),
    next_group: &AtomicUsize,
    slugs: &[String],
    acknowledged: &Mutex<Acknowledged>,
) {
    let (handle, token) = member;
    let bearer = format!("Bearer {token}");
    // The request written in once every group was asked.
    let mut last: Option<String> = None;
    loop {
        // Unique per member over all rounds: names the group to ask, then
        // the message's word.
        let g = next_group.fetch_add(1, Ordering::Relaxed);
        // An address per request: what is limited here is the member.
        let ip = format!("10.252.{}.{}", g / 250 % 250, g % 250 + 1);
        if let Some(slug) = slugs.get(g) {
            let path = format!("/api/v1/groups/{slug}/join-requests");
            match post_json(addr, &path, &ip, "{}", Some(&bearer)) {
                Some((201, response)) => {
                    acknowledged
                        .lock()
                        .expect("lock")
                        .asks
                        .push((handle.clone(), slug.clone()));
                    let json: serde_json::Value =
                        serde_json::from_str(body_of(&response)).expect("json");
                    last = Some(json["id"].as_str().expect("id").to_owned());
                }
                // The member's hourly allowance (per process) is spent:
                // this group is not asked.
                Some((429, _)) => {
                    std::thread::sleep(Duration::from_millis(200));
                    continue;
                }
                Some((status, response)) => panic!("asking answered {status}: {response}"),
                None => return,
            }
        }
        let Some(id) = &last else {
            std::thread::sleep(Duration::from_millis(50));
            if TcpStream::connect(addr).is_err() {
                return;
            }
            continue;
        };
        let word = format!("word{handle}x{g}");
        let path = format!("/api/v1/join-requests/{id}/messages");
        let body = format!(r#"{{"text":"Hello, {word}."}}"#);
        match post_json(addr, &path, &ip, &body, Some(&bearer)) {
            Some((201, _)) => acknowledged.lock().expect("lock").messages.push(word),
            Some((429, _)) => std::thread::sleep(Duration::from_millis(200)),
            Some((status, response)) => panic!("a message answered {status}: {response}"),
            None => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_acknowledged_write_survives_sigkill_with_its_mail_once() {
    let rounds = env_number("KITH_CRASH_ROUNDS", 5);
    let mut rng =
        Rng((env_number("KITH_CRASH_SEED", 24).max(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let mail_dir = dir.path().join("mail");
    let mail_dir = mail_dir.display().to_string();
    let env = [
        ("KITH_DATABASE_URL", url.as_str()),
        ("KITH_TRUSTED_PROXIES", "127.0.0.1"),
        ("KITH_MAIL_DIR", mail_dir.as_str()),
        ("RUST_LOG", "warn"),
    ];
    let slugs: Arc<Vec<String>> = {
        let store = kith_store::open(&url, 2).await.expect("open");
        let groups: Vec<_> = (0..GROUPS)
            .map(|g| {
                group(
                    &format!("Crash Circle {g}"),
                    "UTC",
                    &[Weekday::Monday],
                    "10:00",
                )
            })
            .collect();
        Arc::new(
            insert(&store, &groups, ListingStatus::Listed)
                .await
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        )
    };
    let members = {
        let server = start(dir.path(), &[], &env);
        let members = members(&server.addr);
        stop(server);
        Arc::new(members)
    };
    let next_group: Arc<Vec<AtomicUsize>> =
        Arc::new((0..MEMBERS).map(|_| AtomicUsize::new(0)).collect());
    let acknowledged: Arc<Mutex<Acknowledged>> = Arc::default();
    let started = Instant::now();
    let mut unacknowledged_accounts = 0;
    for round in 0..rounds {
        let server = start(dir.path(), &[], &env);
        let addr = server.addr.clone();
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let addr = addr.clone();
                let acknowledged = acknowledged.clone();
                let members = members.clone();
                let next_group = next_group.clone();
                let slugs = slugs.clone();
                std::thread::spawn(move || {
                    if w < REGISTERING {
                        register_until_killed(&addr, round, w, &acknowledged);
                    } else {
                        // Each member's asks go through one counter, so
                        // two writers never ask the same group for them.
                        let m = (w - REGISTERING) % MEMBERS;
                        ask_until_killed(&addr, &members[m], &next_group[m], &slugs, &acknowledged);
                    }
                })
            })
            .collect();
        // SIGKILL at a random moment of the writing.
        std::thread::sleep(Duration::from_millis(rng.between(1000, 4000)));
        stop(server);
        for writer in writers {
            writer.join().expect("writer");
        }
        unacknowledged_accounts = {
            let snapshot = acknowledged.lock().expect("lock").clone();
            verify(&url, &snapshot).await
        };
        let check = std::process::Command::new(env!("CARGO_BIN_EXE_kith"))
            .arg("check")
            .env("KITH_DATABASE_URL", &url)
            .output()
            .expect("kith check");
        assert!(
            check.status.success(),
            "round {round}: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let acknowledged = acknowledged.lock().expect("lock");
    assert!(
        !acknowledged.registrations.is_empty()
            && !acknowledged.asks.is_empty()
            && !acknowledged.messages.is_empty(),
        "nothing of a kind was acknowledged: {} registrations, {} asks, {} messages",
        acknowledged.registrations.len(),
        acknowledged.asks.len(),
        acknowledged.messages.len()
    );
    println!(
        "crash test: {rounds} rounds, all acknowledged writes present: {} registrations (one verification mail each), {} requests to join, {} thread messages; {unacknowledged_accounts} accounts written but not acknowledged, each with its mail; {:.1} s",
        acknowledged.registrations.len(),
        acknowledged.asks.len(),
        acknowledged.messages.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Every acknowledged handle is an account, and every account (told or
/// not) has exactly one verification mail: registration writes both in one
/// transaction. Answers how many accounts nobody was told about.
async fn verify(url: &str, all: &Acknowledged) -> usize {
    let acknowledged = &all.registrations;
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT a.handle, (SELECT COUNT(*) FROM outbox o WHERE o.account_id = a.id AND o.kind = 'verify_email') \
         FROM accounts a",
    )
    .fetch_all(&mut conn)
    .await
    .expect("accounts");
    let mails: HashMap<String, i64> = rows.into_iter().collect();
    let mut missing = Vec::new();
    for handle in acknowledged {
        match mails.get(handle) {
            None => missing.push(format!("{handle}: no account")),
            Some(1) => {}
            Some(n) => missing.push(format!("{handle}: {n} verification mails")),
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged: {}",
        missing.len(),
        acknowledged.len(),
        missing.join(", ")
    );
    // Accounts nobody was told about (killed before the answer) may exist,
    // but never without their mail nor with two: a kill between the
    // account and its mail once left 711 in 100 rounds, before they were
    // written together.
    verify_membership(&mut conn, all).await;
    let acknowledged: HashSet<&String> = acknowledged.iter().collect();
    let mut unacknowledged = 0;
    // The members who ask to join were set up before, verified.
    for (handle, n) in mails.iter().filter(|(h, _)| h.starts_with("crash")) {
        assert_eq!(*n, 1, "{handle}: {n} verification mails");
        if !acknowledged.contains(handle) {
            unacknowledged += 1;
        }
    }
    unacknowledged
}

/// Every acknowledged request to join is there, and every acknowledged
/// message once.
async fn verify_membership(conn: &mut sqlx::SqliteConnection, all: &Acknowledged) {
    let asks: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.handle, g.slug FROM join_requests r \
         JOIN accounts a ON a.id = r.account_id JOIN groups g ON g.id = r.group_id",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("requests");
    let asks: HashSet<(String, String)> = asks.into_iter().collect();
    for ask in &all.asks {
        assert!(asks.contains(ask), "lost request to join: {ask:?}");
    }
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM request_messages")
        .fetch_all(&mut *conn)
        .await
        .expect("messages");
    let mut words: HashMap<&str, usize> = HashMap::new();
    for body in &bodies {
        if let Some(word) = body
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| w.starts_with("word"))
        {
            *words.entry(word).or_default() += 1;
        }
    }
    for word in &all.messages {
        assert_eq!(words.get(word.as_str()), Some(&1), "message {word}");
    }
}

/// Cuts kith off its PostgreSQL database without stopping the shared
/// server: no new connections, and the open ones ended.
async fn cut_off(name: &str, allow: bool) {
    let mut admin = sqlx::PgConnection::connect(&postgres_admin_url())
        .await
        .expect("admin");
    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}"))
        .execute(&mut admin)
        .await
        .expect("alter");
    if !allow {
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(name)
        .execute(&mut admin)
        .await
        .expect("terminate");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_cut_off_mid_run_answers_clear_503s_and_recovers_without_a_restart() {
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    let name = db.url.rsplit('/').next().expect("name").to_owned();
    let dir = tempfile::tempdir().expect("temp dir");
    let mail_dir = dir.path().join("mail").display().to_string();
    let server = start(
        dir.path(),
        &[],
        &[
            ("KITH_DATABASE_URL", &db.url),
            ("KITH_TRUSTED_PROXIES", "127.0.0.1"),
            ("KITH_MAIL_DIR", &mail_dir),
            ("RUST_LOG", "warn"),
        ],
    );
    let register = |n: usize| {
        let handle = format!("outage{n}");
        let body = format!(
            r#"{{"handle":"{handle}","email":"{handle}@example.org","password":"correct horse battery"}}"#
        );
        post_json(
            &server.addr,
            "/api/v1/accounts",
            &format!("10.9.0.{n}"),
            &body,
            None,
        )
        .expect("an answer")
    };
    assert_eq!(register(1).0, 201);

    cut_off(&name, false).await;
    let mut away = Vec::new();
    for n in 2..6 {
        away.push(register(n));
    }
    let page = support::request(&server.addr, "GET", "/groups?q=outage", &[], "");

    cut_off(&name, true).await;
    // Back within the pool's next connection: no restart.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut back = register(10);
    while back.0 != 201 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        back = register(11);
    }
    let logs = stop(server);
    let accounts: i64 = {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE handle LIKE 'outage%'")
            .fetch_one(&mut conn)
            .await
            .expect("count")
    };
    db.drop_now().await;

    for (status, response) in &away {
        assert_eq!(*status, 503, "{response}");
        assert!(
            response.contains("application/problem+json") && response.contains("unavailable"),
            "{response}"
        );
    }
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains("<html"), "{}", page.body);
    assert_eq!(back.0, 201, "{}\n{logs}", back.1);
    // The one before and the one after; none of those refused.
    assert_eq!(accounts, 2);
}
