//! The real binary on a real socket: `kith serve --demo` creates, migrates
//! and seeds its database once, and a second start keeps the data.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    addr: String,
    stderr: std::process::ChildStderr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kith"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .current_dir(dir)
        .env_remove("KITH_DATABASE_URL")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kith");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the address line");
    let addr = line
        .trim()
        .strip_prefix("kith is running at http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    Server {
        child,
        addr,
        stderr,
    }
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn stop(mut server: Server) -> String {
    let _ = server.child.kill();
    let _ = server.child.wait();
    let mut logs = String::new();
    server.stderr.read_to_string(&mut logs).expect("read logs");
    logs
}

#[tokio::test]
async fn serve_demo_seeds_once_and_a_second_start_keeps_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = start(dir.path());
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
    let second = start(dir.path());
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
