//! What an operator does with the real binary: the first start's one-time
//! setup link, and `kith admin create` with the password on standard input.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{request, start, stop};

const PASSWORD: &str = "correct horse battery";

fn cookie_jar(answer: &support::Answer, jar: &mut Vec<String>) {
    for line in answer.headers.lines() {
        if let Some(value) = line
            .strip_prefix("set-cookie: ")
            .or_else(|| line.strip_prefix("Set-Cookie: "))
        {
            let pair = value.split(';').next().unwrap_or_default().to_owned();
            let name = pair.split('=').next().unwrap_or_default().to_owned();
            jar.retain(|c| !c.starts_with(&format!("{name}=")));
            jar.push(pair);
        }
    }
}

fn csrf_in(body: &str) -> String {
    let marker = r#"name="_csrf" value=""#;
    let start = body.find(marker).expect("a CSRF field") + marker.len();
    body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_first_start_prints_a_one_time_link_that_creates_the_admin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(dir.path(), &[], &[]);
    let intro = server.next_line().expect("the setup line");
    assert!(intro.starts_with("No admin account exists yet"), "{intro}");
    let link = server.next_line().expect("the link");
    let path = link
        .trim()
        .strip_prefix(&format!("http://{}", server.addr))
        .unwrap_or_else(|| panic!("{link}"))
        .to_owned();
    assert!(
        path.starts_with("/setup/") && path.len() == "/setup/".len() + 32,
        "{path}"
    );

    let mut jar = Vec::new();
    let form = request(&server.addr, "GET", &path, &[], "");
    assert_eq!(form.status, 200);
    cookie_jar(&form, &mut jar);
    let body = serde_urlencoded::to_string([
        ("handle", "Keeper"),
        ("email", "keeper@example.org"),
        ("password", PASSWORD),
        ("_csrf", &csrf_in(&form.body)),
    ])
    .expect("form");
    let cookies = jar.join("; ");
    let origin = format!("http://{}", server.addr);
    let created = request(
        &server.addr,
        "POST",
        &path,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", &cookies),
            ("origin", &origin),
        ],
        &body,
    );
    assert_eq!(created.status, 303, "{}", created.body);
    // Logged in at once, on the admin's page.
    assert_eq!(created.header("location"), Some("/admin"));
    let mut session = Vec::new();
    cookie_jar(&created, &mut session);
    let session = session
        .into_iter()
        .find(|c| c.starts_with("kith_session="))
        .expect("a session cookie");
    assert_eq!(
        request(&server.addr, "GET", "/admin", &[("cookie", &session)], "").status,
        200
    );
    assert_eq!(
        request(&server.addr, "GET", &path, &[], "").status,
        404,
        "used once"
    );

    let login = request(
        &server.addr,
        "POST",
        "/api/v1/sessions",
        &[("content-type", "application/json")],
        &serde_json::json!({"login": "keeper", "password": PASSWORD}).to_string(),
    );
    assert_eq!(login.status, 201, "{}", login.body);
    let token = login.json()["token"].as_str().expect("token").to_owned();
    let audit = request(
        &server.addr,
        "GET",
        "/api/v1/admin/audit",
        &[("authorization", &format!("Bearer {token}"))],
        "",
    );
    assert_eq!(audit.status, 200);
    assert_eq!(audit.json()[0]["action"], "admin.create_first");
    stop(server);

    // Once an admin exists, no link is printed.
    let again = start(dir.path(), &[], &[]);
    assert_eq!(request(&again.addr, "GET", "/healthz", &[], "").status, 200);
    let printed: Vec<String> = again.stdout.try_iter().collect();
    assert!(
        printed.iter().all(|l| !l.contains("/setup/")),
        "{printed:?}"
    );
    stop(again);
}

fn admin_create(dir: &std::path::Path, handle: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kith"))
        .args([
            "admin",
            "create",
            "--handle",
            handle,
            "--email",
            &format!("{}@example.org", handle.to_lowercase()),
        ])
        .current_dir(dir)
        .env_remove("KITH_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    writeln!(child.stdin.take().expect("stdin"), "{password}").expect("write");
    let output = child.wait_with_output().expect("wait");
    support::keep_logs("kith-admin", &String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn kith_admin_create_reads_the_password_from_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let weak = admin_create(dir.path(), "Keeper", "password1");
    assert!(!weak.status.success());
    let stderr = String::from_utf8_lossy(&weak.stderr);
    assert!(
        stderr.contains("password: too_short") || stderr.contains("password: too_common"),
        "{stderr}"
    );

    let made = admin_create(dir.path(), "Keeper", PASSWORD);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&made.stdout).trim(),
        "created admin Keeper"
    );
    let twice = admin_create(dir.path(), "keeper", PASSWORD);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("handle: taken"));

    let server = start(dir.path(), &[], &[]);
    let login = request(
        &server.addr,
        "POST",
        "/api/v1/sessions",
        &[("content-type", "application/json")],
        &serde_json::json!({"login": "Keeper", "password": PASSWORD}).to_string(),
    );
    assert_eq!(login.status, 201, "{}", login.body);
    let token = login.json()["token"].as_str().expect("token").to_owned();
    let me = request(
        &server.addr,
        "GET",
        "/api/v1/me",
        &[("authorization", &format!("Bearer {token}"))],
        "",
    );
    assert_eq!(me.json()["role"], "admin");
    let audit = request(
        &server.addr,
        "GET",
        "/api/v1/admin/audit",
        &[("authorization", &format!("Bearer {token}"))],
        "",
    );
    assert_eq!(audit.json()[0]["action"], "admin.create");
    assert_eq!(audit.json()[0]["actor"], "operator");
    // An admin exists: the first start's link is not offered.
    assert!(server.stdout.try_iter().all(|l| !l.contains("/setup/")));
    stop(server);
}
