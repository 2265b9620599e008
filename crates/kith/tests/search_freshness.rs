//! Directory searches see every change at once: two real `kith serve`
//! instances on one PostgreSQL database, changes made through instance A's
//! API as a host and a moderator would (approve, rename, unlist, relist,
//! cancel, move and restore a meeting, close), and after each the next
//! search on A shows it, and B shows it within one second. On SQLite, one
//! instance: the next search shows it.
//!
//! Both start with the result cache off (`KITH_SEARCH_CACHE_SECONDS=0`)
//! and the index's poll fallback an hour apart
//! (`KITH_SEARCH_INDEX_POLL_SECONDS=3600`), so what carries a change to B
//! is PostgreSQL's `LISTEN/NOTIFY`. (While the directory is answered by
//! SQL these hold trivially; they are here for the in-memory index.)

mod support;

use std::time::{Duration, Instant};

use kith_app::accounts::{Registration, create_staff, start_session};
use kith_domain::account::Role;
use kith_store::accounts::SessionKind;
use kith_store::testing::{TempPostgres, now};
use serde_json::{Value, json};

use support::{Server, request, start, stop};

/// The instances' fixed clock: the store tests' now, a Monday 10:00 UTC.
const NOW: &str = "2026-06-01T10:00:00Z";

/// How long another instance may take to show a change.
const WITHIN: Duration = Duration::from_secs(1);

fn env(url: &str) -> Vec<(&str, &str)> {
    vec![
        ("KITH_DATABASE_URL", url),
        ("KITH_FIXED_NOW", NOW),
        ("KITH_SEARCH_CACHE_SECONDS", "0"),
        ("KITH_SEARCH_INDEX_POLL_SECONDS", "3600"),
        ("RUST_LOG", "info"),
    ]
}

/// API tokens of a host and a moderator, made in the database at `url`.
async fn people(url: &str) -> (String, String) {
    let store = kith_store::open(url, 2).await.expect("open");
    let app = kith_app::testing::app(store);
    let mut tokens = Vec::new();
    for (handle, role) in [("Willow", Role::Member), ("Warden", Role::Moderator)] {
        let registration = Registration {
            handle: handle.to_owned(),
            email: format!("{}@example.org", handle.to_lowercase()),
            password: "a long and quiet river 42".to_owned(),
        };
        let id = create_staff(&app, &registration, role, now())
            .await
            .expect("account");
        let session = start_session(&app, id, SessionKind::Api, true, now())
            .await
            .expect("session");
        tokens.push(session.token);
    }
    let moderator = tokens.pop().expect("moderator");
    let host = tokens.pop().expect("host");
    (host, moderator)
}

/// A JSON call with a bearer token; answers the status and the body.
fn call(addr: &str, token: &str, method: &str, path: &str, body: Value) -> (u16, String) {
    let auth = format!("Bearer {token}");
    let body = body.to_string();
    let answer = request(
        addr,
        method,
        path,
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ],
        &body,
    );
    (answer.status, answer.body)
}

/// The directory's first page for `q`, times in UTC.
fn search(addr: &str, q: &str) -> Vec<Value> {
    let answer = request(
        addr,
        "GET",
        &format!("/api/v1/groups?q={q}&tz=UTC"),
        &[("Accept", "application/json")],
        "",
    );
    assert_eq!(answer.status, 200, "searching {q}: {}", answer.body);
    answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The result for `slug` among a search for `q`, if any.
fn hit(addr: &str, q: &str, slug: &str) -> Option<Value> {
    search(addr, q)
        .into_iter()
        .find(|item| item["slug"] == slug)
}

/// What a search must show after a change.
type Check<'a> = &'a dyn Fn(&str) -> bool;

/// Asserts that `check` holds on the writer's very next search, and on
/// each other instance within [`WITHIN`] (polled); answers the slowest
/// other instance's delay.
fn visible(step: &str, writer: &str, others: &[&str], check: Check<'_>) -> Duration {
    assert!(
        check(writer),
        "{step}: the instance that made the change does not show it in its next search"
    );
    seen_within(step, others, WITHIN, check)
}

/// Polls each of `instances` until `check` holds, failing after `within`
/// (counted from the call, when the change is written); answers the
/// slowest instance's delay.
fn seen_within(step: &str, instances: &[&str], within: Duration, check: Check<'_>) -> Duration {
    let changed = Instant::now();
    let mut slowest = Duration::ZERO;
    for addr in instances {
        loop {
            if check(addr) {
                slowest = slowest.max(changed.elapsed());
                break;
            }
            assert!(
                changed.elapsed() < within,
                "{step}: an instance ({addr}) does not show the change after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    slowest
}

/// Runs `kith import meeting-guide` on `feed` as a process of its own,
/// against the database at `url`.
fn import(dir: &std::path::Path, url: &str, feed: &str) {
    let file = dir.join("feed.json");
    std::fs::write(&file, feed).expect("write the feed");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kith"))
        .args(["import", "meeting-guide"])
        .arg(&file)
        .current_dir(dir)
        .env("KITH_DATABASE_URL", url)
        .env("KITH_FIXED_NOW", NOW)
        .output()
        .expect("run kith import");
    support::keep_logs("kith-import", &String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "kith import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A Meeting Guide feed of one group, named `name`.
fn feed(name: &str) -> String {
    json!([{
        "name": name,
        "slug": "samphire-meeting",
        "day": [1, 3],
        "time": "19:00",
        "timezone": "UTC"
    }])
    .to_string()
}

/// Whether a search for `q` finds a group named `name`.
fn named(addr: &str, q: &str, name: &str) -> bool {
    search(addr, q).iter().any(|item| item["name"] == name)
}

/// Another process (`kith import`) adds a group and then renames it; every
/// instance shows each within `within`.
fn imports_are_seen(
    dir: &std::path::Path,
    url: &str,
    instances: &[&str],
    within: Duration,
) -> Vec<(&'static str, Duration)> {
    for addr in instances {
        assert!(!named(addr, "samphire", "Samphire Circle"));
    }
    import(dir, url, &feed("Samphire Circle"));
    let added = |addr: &str| named(addr, "samphire", "Samphire Circle");
    let mut delays = vec![("import", seen_within("import", instances, within, &added))];
    import(dir, url, &feed("Samphire Harbour"));
    let renamed = |addr: &str| {
        named(addr, "samphire", "Samphire Harbour") && !named(addr, "samphire", "Samphire Circle")
    };
    delays.push((
        "re-import",
        seen_within("re-import", instances, within, &renamed),
    ));
    delays
}

/// The story: every kind of change made through `writer`, each seen by
/// every instance. Answers each step's slowest delay on the others.
fn every_change_is_seen(
    writer: &str,
    others: &[&str],
    host: &str,
    moderator: &str,
) -> Vec<(&'static str, Duration)> {
    let mut delays = Vec::new();
    let (status, body) = call(
        writer,
        host,
        "POST",
        "/api/v1/groups",
        json!({
            "name": "Quillwort Circle",
            "description": "We meet to check in.",
            "facilitation_style": "open_sharing",
            "focus": ["tapering"],
            "format": "video",
            "language": "en",
            "time_zone": "UTC",
            "rules": [{"weekdays": [1, 3, 5], "start": "19:00", "duration_minutes": 60}],
            "call_link": "https://meet.example.org/quillwort"
        }),
    );
    assert_eq!(status, 201, "{body}");
    let created: Value = serde_json::from_str(&body).expect("json");
    let slug = created["slug"].as_str().expect("slug").to_owned();
    let slug = slug.as_str();
    let all: Vec<&str> = std::iter::once(writer)
        .chain(others.iter().copied())
        .collect();
    for addr in &all {
        assert!(
            hit(addr, "quillwort", slug).is_none(),
            "pending is not listed"
        );
    }

    let approve = format!("/api/v1/moderation/groups/{slug}/approve");
    let (status, body) = call(writer, moderator, "POST", &approve, json!({}));
    assert_eq!(status, 200, "{body}");
    let listed = |addr: &str| hit(addr, "quillwort", slug).is_some();
    delays.push(("approve", visible("approve", writer, others, &listed)));

    let (status, body) = call(
        writer,
        host,
        "PATCH",
        &format!("/api/v1/groups/{slug}"),
        json!({"name": "Bladderwrack Harbour"}),
    );
    assert_eq!(status, 200, "{body}");
    let renamed = |addr: &str| {
        hit(addr, "bladderwrack", slug).is_some_and(|h| h["name"] == "Bladderwrack Harbour")
            && hit(addr, "quillwort", slug).is_none()
    };
    delays.push(("rename", visible("rename", writer, others, &renamed)));

    let unlist = format!("/api/v1/groups/{slug}/unlist");
    let (status, body) = call(writer, host, "POST", &unlist, json!({}));
    assert!((200..300).contains(&status), "{status} {body}");
    let gone = |addr: &str| hit(addr, "bladderwrack", slug).is_none();
    delays.push(("unlist", visible("unlist", writer, others, &gone)));

    let relist = format!("/api/v1/groups/{slug}/relist");
    let (status, body) = call(writer, host, "POST", &relist, json!({}));
    assert!((200..300).contains(&status), "{status} {body}");
    let back = |addr: &str| hit(addr, "bladderwrack", slug).is_some();
    delays.push(("relist", visible("relist", writer, others, &back)));

    // Meetings: Monday 1 June 19:00 is next, then Wednesday 3 June.
    let (status, body) = call(
        writer,
        host,
        "GET",
        &format!("/api/v1/groups/{slug}?tz=UTC"),
        json!({}),
    );
    assert_eq!(status, 200, "{body}");
    let group: Value = serde_json::from_str(&body).expect("json");
    let meeting = |k: usize| group["upcoming"][k]["id"].as_str().expect("id").to_owned();
    let (first, second) = (meeting(0), meeting(1));
    let next_is = |addr: &str, id: &str, starts: &str| {
        hit(addr, "bladderwrack", slug).is_some_and(|h| {
            h["next_meeting"]["id"] == id
                && h["next_meeting"]["starts_at"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(starts))
        })
    };
    assert!(next_is(writer, &first, "2026-06-01T19:00"));

    let path = |id: &str, what: &str| format!("/api/v1/groups/{slug}/meetings/{id}/{what}");
    let (status, body) = call(writer, host, "POST", &path(&first, "cancel"), json!({}));
    assert!((200..300).contains(&status), "{status} {body}");
    let cancelled = |addr: &str| next_is(addr, &second, "2026-06-03T19:00");
    delays.push(("cancel", visible("cancel", writer, others, &cancelled)));

    let (status, body) = call(
        writer,
        host,
        "POST",
        &path(&second, "move"),
        json!({"date": "2026-06-02", "time": "08:00"}),
    );
    assert!((200..300).contains(&status), "{status} {body}");
    let moved = |addr: &str| next_is(addr, &second, "2026-06-02T08:00");
    delays.push(("move", visible("move", writer, others, &moved)));

    let (status, body) = call(writer, host, "POST", &path(&first, "restore"), json!({}));
    assert!((200..300).contains(&status), "{status} {body}");
    let restored = |addr: &str| next_is(addr, &first, "2026-06-01T19:00");
    delays.push(("restore", visible("restore", writer, others, &restored)));

    let (status, body) = call(
        writer,
        host,
        "DELETE",
        &format!("/api/v1/groups/{slug}"),
        json!({}),
    );
    assert!((200..300).contains(&status), "{status} {body}");
    delays.push(("close", visible("close", writer, others, &gone)));
    delays
}

#[tokio::test]
async fn two_instances_on_postgres_see_every_change_within_a_second() {
    let Some(database) = TempPostgres::create().await else {
        return;
    };
    let (host, moderator) = people(&database.url).await;
    let dir = tempfile::tempdir().expect("dir");
    let a = start(dir.path(), &[], &env(&database.url));
    let b = start(dir.path(), &[], &env(&database.url));
    let outcome = std::panic::catch_unwind(|| {
        let mut delays = every_change_is_seen(&a.addr, &[b.addr.as_str()], &host, &moderator);
        // A separate process's writes reach both through NOTIFY.
        let both = [a.addr.as_str(), b.addr.as_str()];
        delays.extend(imports_are_seen(dir.path(), &database.url, &both, WITHIN));
        delays
    });
    finish(vec![a, b]);
    database.drop_now().await;
    let delays = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    eprintln!("delays on the other instance: {delays:?}");
}

#[tokio::test]
async fn one_instance_on_sqlite_sees_every_change_in_its_next_search() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let (host, moderator) = people(&url).await;
    let a = start(dir.path(), &[], &env(&url));
    let outcome =
        std::panic::catch_unwind(|| every_change_is_seen(&a.addr, &[], &host, &moderator));
    finish(vec![a]);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn an_import_by_another_process_on_sqlite_is_seen_by_the_poll() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    // Open once to create and migrate the file before the server does.
    drop(kith_store::open(&url, 1).await.expect("open"));
    // The poll at its default (one second): on SQLite it is how another
    // process's writes are seen, so the bound is its period and the work.
    let mut settings = env(&url);
    settings.retain(|(k, _)| *k != "KITH_SEARCH_INDEX_POLL_SECONDS");
    let a = start(dir.path(), &[], &settings);
    let outcome = std::panic::catch_unwind(|| {
        imports_are_seen(dir.path(), &url, &[a.addr.as_str()], Duration::from_secs(2))
    });
    finish(vec![a]);
    let delays = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    eprintln!("delays after an import on SQLite: {delays:?}");
}

/// Stops the servers, keeping their logs for the log check.
fn finish(servers: Vec<Server>) {
    for server in servers {
        stop(server);
    }
}
