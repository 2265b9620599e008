//! `kith import meeting-guide` from a file, standard input and a URL (a
//! small HTTP server on 127.0.0.1), with the real binary.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};

const FEED: &str = r#"[
  {"name": "Sunday Serenity", "slug": "sunday-serenity-14", "day": 0, "time": "18:00", "end_time": "19:30",
   "timezone": "America/Los_Angeles", "types": ["O", "EN"], "city": "Anytown", "country": "US",
   "url": "https://district123.org/meetings/sunday-serenity"},
  {"name": "Online Tapering", "slug": "online-tapering", "day": [1, 4], "time": "7:30", "timezone": "Europe/Berlin"},
  {"name": "Too late", "slug": "too-late", "day": 7, "time": "25:00", "timezone": "UTC"}
]"#;

fn import(dir: &std::path::Path, source: &str, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kith"))
        .args(["import", "meeting-guide", source])
        .current_dir(dir)
        .env_remove("KITH_DATABASE_URL")
        // An expected failure must not print a backtrace even when asked.
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write");
    }
    drop(input);
    let output = child.wait_with_output().expect("wait");
    support::keep_logs("kith-import", &String::from_utf8_lossy(&output.stderr));
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_feed_file_is_imported_once_and_bad_records_are_reported() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("feed.json"), FEED).expect("write");
    let first = import(dir.path(), "feed.json", None);
    assert!(
        !first.status.success(),
        "a refused record makes the exit status non-zero"
    );
    let stdout = text(&first.stdout);
    assert!(
        stdout.contains("created 2, updated 0, unchanged 0, failed 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 of 3 records"),
        "plain progress lines off a terminal: {stdout}"
    );
    let stderr = text(&first.stderr);
    assert!(
        stderr.contains("too-late: day invalid_value, time invalid_time"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: 1 records were not imported"),
        "{stderr}"
    );
    assert!(
        !stderr.to_lowercase().contains("backtrace"),
        "an expected failure prints no backtrace: {stderr}"
    );

    let again = import(dir.path(), "-", Some(FEED));
    assert!(text(&again.stdout).contains("created 0, updated 0, unchanged 2, failed 1"));

    let good: Vec<serde_json::Value> = serde_json::from_str::<Vec<serde_json::Value>>(FEED)
        .expect("json")
        .into_iter()
        .take(2)
        .collect();
    let clean = serde_json::to_string(&good).expect("json");
    let ok = import(dir.path(), "-", Some(&clean));
    assert!(ok.status.success(), "{}", text(&ok.stderr));

    // The groups are listed at once, with no host, and say where they are from.
    let server = support::start(dir.path(), &[], &[]);
    let (status, body) = support::get(&server.addr, "/groups/sunday-serenity-14");
    assert_eq!(status, 200);
    assert!(
        body.contains("https://district123.org/meetings/sunday-serenity"),
        "{body}"
    );
    let (_, feed) = support::get(&server.addr, "/feeds/meeting-guide.json");
    assert!(feed.contains("\"slug\":\"online-tapering\""));
    support::stop(server);
}

#[test]
fn a_feed_is_fetched_from_a_url() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut request = [0u8; 2048];
        let n = stream.read(&mut request).expect("read");
        assert!(String::from_utf8_lossy(&request[..n]).starts_with("GET /meetings.json "));
        let body = FEED;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("respond");
    });
    let dir = tempfile::tempdir().expect("dir");
    let output = import(dir.path(), &format!("http://{addr}/meetings.json"), None);
    serve.join().expect("served");
    assert!(
        text(&output.stdout).contains("created 2, updated 0, unchanged 0, failed 1"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn something_that_is_not_a_feed_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("dir");
    let output = import(dir.path(), "-", Some("{\"not\": \"a list\"}"));
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("- is not a JSON array of meetings"),
        "{}",
        text(&output.stderr)
    );
    let missing = import(dir.path(), "no-such-file.json", None);
    assert!(text(&missing.stderr).contains("reading no-such-file.json"));
}
