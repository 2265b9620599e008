//! Durability, proven on the real binary: a `kith serve` on a SQLite file
//! under 200 concurrent writers is killed with SIGKILL at random (seeded)
//! moments and started again; after every restart each registration it
//! acknowledged (201) is there, with its verification mail exactly once
//! in the outbox, and `kith check` passes. And on PostgreSQL, cut off
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
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kith_store::testing::{TempPostgres, postgres_admin_url};
use sqlx::Connection;

use support::{start, stop};

const WRITERS: usize = 200;

/// One request, never panicking: the status, or `None` when the server
/// is gone (killed mid-request: not acknowledged).
fn post_json(addr: &str, path: &str, client_ip: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Forwarded-For: {client_ip}\r\nContent-Length: {}\r\n\r\n{body}",
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

#[tokio::test(flavor = "multi_thread")]
async fn every_acknowledged_registration_survives_sigkill_with_its_mail_once() {
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
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let started = Instant::now();
    let mut in_flight_lost = 0;
    let mut unacknowledged_without_mail = 0;
    for round in 0..rounds {
        let server = start(dir.path(), &[], &env);
        let addr = server.addr.clone();
        let stop_now = Arc::new(AtomicBool::new(false));
        let unanswered = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let addr = addr.clone();
                let stop_now = stop_now.clone();
                let acknowledged = acknowledged.clone();
                let unanswered = unanswered.clone();
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop_now.load(Ordering::Relaxed) {
                        let handle = handle(round, w, n);
                        let ip = format!("10.{}.{}.{}", round % 250, w % 250, n % 250 + 1);
                        let body = format!(
                            r#"{{"handle":"{handle}","email":"{handle}@example.org","password":"correct horse battery"}}"#
                        );
                        match post_json(&addr, "/api/v1/accounts", &ip, &body) {
                            Some((201, _)) => acknowledged.lock().expect("lock").push(handle),
                            // The password hasher's line is full: not
                            // acknowledged, try again shortly.
                            Some((429, _)) => std::thread::sleep(Duration::from_millis(250)),
                            Some((status, response)) => {
                                panic!("registration answered {status}: {response}")
                            }
                            None => {
                                unanswered.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                        n += 1;
                    }
                })
            })
            .collect();
        // SIGKILL at a random moment of the writing.
        std::thread::sleep(Duration::from_millis(rng.between(500, 2500)));
        stop(server);
        stop_now.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.join().expect("writer");
        }
        in_flight_lost += unanswered.load(Ordering::Relaxed);
        let acknowledged = acknowledged.lock().expect("lock").clone();
        unacknowledged_without_mail = verify(&url, &acknowledged).await;
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
    let total = acknowledged.lock().expect("lock").len();
    assert!(total > 0, "nothing was acknowledged");
    println!(
        "crash test: {rounds} rounds, {total} acknowledged registrations, all present with one verification mail each; {in_flight_lost} requests cut by the kill; {unacknowledged_without_mail} unacknowledged accounts without their mail; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Every acknowledged handle is an account with exactly one verification
/// mail; answers how many unacknowledged accounts have none.
async fn verify(url: &str, acknowledged: &[String]) -> usize {
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
    // Accounts nobody was told about (killed before the answer) may exist
    // and never have two mails; they may have none: registration commits
    // the account and then, in a transaction of its own, its verification
    // mail, and a kill between the two leaves the account without one
    // (found by this test; see docs/performance.md). Answers how many.
    let acknowledged: HashSet<&String> = acknowledged.iter().collect();
    let mut without_mail = 0;
    for (handle, n) in &mails {
        if acknowledged.contains(handle) {
            continue;
        }
        assert!(*n <= 1, "{handle}: {n} verification mails");
        if *n == 0 {
            without_mail += 1;
        }
    }
    without_mail
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
