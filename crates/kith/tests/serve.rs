//! The real binary on a real socket: `kith serve --demo` creates, migrates
//! and seeds its database once, and a second start keeps the data.

mod support;

use std::process::Command;

use support::{get, start, stop};

#[tokio::test]
async fn serve_demo_seeds_once_and_a_second_start_keeps_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = start(dir.path(), &["--demo"], &[]);
    let (status, body) = get(&first.addr, "/healthz");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, body) = get(&first.addr, "/api/v1/groups?starts_within=300");
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(
        page["items"]
            .as_array()
            .is_some_and(|items| items.len() >= 5),
        "demo meetings start within hours: {page}"
    );
    let logs = stop(first);
    assert!(logs.contains("demo groups added"), "{logs}");

    let db = dir.path().join("kith-data/kith.db");
    assert!(db.exists(), "the database lives under kith-data/");
    let second = start(dir.path(), &["--demo"], &[]);
    assert_eq!(get(&second.addr, "/healthz").0, 200);
    let logs = stop(second);
    assert!(logs.contains("the demo was not added again"), "{logs}");

    let store = kith_store::open(&format!("sqlite://{}", db.display()), 1)
        .await
        .expect("open");
    let groups = store.count_groups().await.expect("count");
    assert!(
        (60..100).contains(&groups),
        "{groups} groups: seeded exactly once"
    );
}

#[test]
fn serve_help_lists_every_setting_and_its_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_kith"))
        .args(["serve", "--help"])
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "KITH_ADDR",
        "KITH_DATABASE_URL",
        "KITH_DATABASE_CONNECTIONS",
        "KITH_DEMO",
        "KITH_REFRESH_SECONDS",
        "KITH_LOG_FORMAT",
    ] {
        assert!(help.contains(variable), "{variable} missing from:\n{help}");
    }
}

#[test]
fn a_bad_database_url_is_a_clear_error_without_the_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_kith"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("KITH_DATABASE_URL", "mysql://admin:hunter2@localhost/kith")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("opening the database"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
