//! The log check: no email, password, token or anything people wrote (room
//! chat, a thread, a group's description) in any log line the suite
//! produced. `.ci/run` runs it after the whole suite
//! (`cargo test --workspace --test logs -- --ignored`); the HTTP tests and the
//! real-binary tests write their logs to `KITH_TEST_LOG_DIR` at trace, the
//! most a person can ask for, through kith's own filter
//! (`kith_web::logging`), so its caps are what this checks.

mod support;

/// What the suite's accounts use: every test email is at example.org or
/// example.com, and every test password contains "horse battery" or is
/// one of these.
const SECRETS: &[&str] = &[
    "@example.org",
    "@example.com",
    "horse battery",
    "not the password at all",
    "wrong wrong wrong",
    "kith_session=",
    "kith_csrf=",
    "_csrf=",
    "Bearer ",
];

/// What people write: what a member says in the room tests (`CHAT_CANARY`
/// in `crates/web/tests/http/support.rs`), the description of every group
/// the HTTP tests list (`group_pairs` there), and the canary test's
/// markers in a thread, an answer and the private fields (`canary.rs`),
/// and the journal's check-in note (`journal.rs` there).
const WRITTEN: &[&str] = &[
    "chat-canary-said-in-the-room",
    "We check in about tapering, gently.",
    "CANARY-",
];

#[test]
#[ignore = "run by .ci/run after the whole suite has written its logs"]
fn no_log_line_holds_an_email_password_token_or_what_people_wrote() {
    let dir = support::log_dir();
    let mut files = 0;
    let mut lines = 0;
    let mut requests = 0;
    let mut traces = 0;
    let mut rooms = 0;
    let mut leaks = Vec::new();
    // A WebSocket frame's payload is logged as hex.
    let hex: Vec<String> = WRITTEN
        .iter()
        .map(|w| w.bytes().map(|b| format!("{b:02x}")).collect())
        .collect();
    let written: Vec<&str> = WRITTEN
        .iter()
        .copied()
        .chain(hex.iter().map(String::as_str))
        .collect();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        files += 1;
        for line in text.lines() {
            lines += 1;
            if line.contains("route=") || line.contains("\"route\"") {
                requests += 1;
            }
            if line.contains(" TRACE ") {
                traces += 1;
            }
            if line.contains("/meetings/{id}/room/ws") {
                rooms += 1;
            }
            for secret in SECRETS.iter().chain(&written) {
                if line.contains(secret) {
                    leaks.push(format!("{}: {secret}: {line}", path.display()));
                }
            }
            if let Some(token) = hex_token(line) {
                leaks.push(format!(
                    "{}: a 128-bit token {token}: {line}",
                    path.display()
                ));
            }
        }
    }
    assert!(
        files >= 2 && requests >= 100,
        "the suite's logs are missing: {files} files, {lines} lines, {requests} requests in {}",
        dir.display()
    );
    // Chat that is absent proves something only if the logs were written
    // at trace while the room tests talked.
    assert!(
        traces >= 1 && rooms >= 1,
        "the suite's logs are not at trace or hold no room: {traces} trace lines, {rooms} room requests in {}",
        dir.display()
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

/// A run of exactly 32 hex digits: the shape of every session, CSRF and
/// setup token.
fn hex_token(line: &str) -> Option<&str> {
    line.split(|c: char| !c.is_ascii_hexdigit())
        .find(|run| run.len() == 32 && run.bytes().any(|b| b.is_ascii_alphabetic()))
}
