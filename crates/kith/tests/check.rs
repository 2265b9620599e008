//! `kith check`, `kith migrate [--check]`, the refusal of a database a
//! newer kith upgraded, and `kith serve`'s refusal of settings that lose
//! acknowledged writes — the real binary on real databases, each problem
//! provoked for real (a damaged page, a row written with foreign keys off,
//! a changed journal mode, a mail stuck for hours, PostgreSQL's
//! `synchronous_commit` off).

mod support;

use std::process::{Command, Output, Stdio};

use kith_domain::group::ListingStatus;
use kith_store::testing::{TempPostgres, execute_sql, query_i64, two_groups};

/// Runs `kith <args>` on a database and waits for it.
fn kith(args: &[&str], url: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kith"));
    command
        .args(args)
        .env("KITH_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env_remove("KITH_ALLOW_UNSAFE_DURABILITY")
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run kith")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A migrated SQLite file with two groups, in a temporary directory.
async fn sqlite_site() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let store = kith_store::open(&url, 2).await.expect("open");
    two_groups(&store, ListingStatus::Listed).await;
    (dir, url)
}

/// A line of the report: `level`, then `check`.
fn has_line(report: &str, level: &str, check: &str) -> bool {
    report.lines().any(|l| {
        let mut words = l.split_whitespace();
        words.next() == Some(level) && l[level.len()..].trim_start().starts_with(check)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_sqlite_site_passes_with_one_line_per_check() {
    let (_dir, url) = sqlite_site().await;
    let out = kith(&["check"], &url, &[]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    for check in [
        "integrity",
        "foreign keys",
        "schema",
        "orphans",
        "outbox",
        "journal mode",
        "synchronous",
    ] {
        assert!(has_line(&report, "ok", check), "{check}: {report}");
    }
    // The fixtures' meetings are in June 2026: none ahead of today.
    assert!(has_line(&report, "warn", "meetings ahead"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_postgres_site_passes_with_amcheck_on_its_indexes() {
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    let store = kith_store::open(&db.url, 2).await.expect("open");
    two_groups(&store, ListingStatus::Listed).await;
    let out = kith(&["check"], &db.url, &[]);
    let report = text(&out);
    // Created for the check only: a dump of the database does not need
    // the right to create extensions to be restored.
    let left = query_i64(
        &db.url,
        "SELECT COUNT(*) FROM pg_extension WHERE extname = 'amcheck'",
    )
    .await;
    db.drop_now().await;
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(left, 0, "amcheck was left installed");
    for check in [
        "integrity",
        "schema",
        "orphans",
        "outbox",
        "fsync",
        "synchronous_commit",
    ] {
        assert!(has_line(&report, "ok", check), "{check}: {report}");
    }
    assert!(report.contains("btree indexes ok"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_page_is_a_problem() {
    let (dir, url) = sqlite_site().await;
    // Everything into the main file, then garbage over the middle of
    // every page after the first two (the header and the schema's root).
    execute_sql(&url, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    let path = dir.path().join("kith.db");
    let mut bytes = std::fs::read(&path).expect("read");
    let page = 4096;
    assert!(bytes.len() > 8 * page, "{} bytes", bytes.len());
    for start in (2 * page..bytes.len()).step_by(page) {
        for b in &mut bytes[start + 8..start + 600] {
            *b = 0x5a;
        }
    }
    std::fs::write(&path, bytes).expect("write");
    let out = kith(&["check"], &url, &[]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(has_line(&report, "problem", "integrity"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_written_with_foreign_keys_off_are_orphans() {
    let (_dir, url) = sqlite_site().await;
    execute_sql(
        &url,
        "PRAGMA foreign_keys = OFF; \
         INSERT INTO outbox (account_id, kind, subject, text_body, html_body, message_key, created_at, not_before) \
         VALUES (424242, 'notice', 's', 't', 'h', 'orphan-key', 0, 4102444800)",
    )
    .await;
    let out = kith(&["check"], &url, &[]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(has_line(&report, "problem", "foreign keys"), "{report}");
    assert!(has_line(&report, "problem", "orphans"), "{report}");
    assert!(
        report.contains("1 mails to accounts that are gone"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_unsent_for_hours_is_a_backlog() {
    let (_dir, url) = sqlite_site().await;
    let two_hours_ago = jiff::Timestamp::now().as_second() - 7200;
    execute_sql(
        &url,
        &format!(
            "INSERT INTO outbox (address, kind, subject, text_body, html_body, message_key, created_at, not_before) \
             VALUES ('someone@example.org', 'notice', 's', 't', 'h', 'stuck-key', {two_hours_ago}, {two_hours_ago})"
        ),
    )
    .await;
    let out = kith(&["check"], &url, &[]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(has_line(&report, "problem", "outbox"), "{report}");
    assert!(!report.contains("someone@example.org"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sqlite_file_out_of_wal_is_reported_and_serve_refuses_it_unless_allowed() {
    let (dir, url) = sqlite_site().await;
    execute_sql(&url, "PRAGMA journal_mode = DELETE").await;
    let out = kith(&["check"], &url, &[]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(has_line(&report, "problem", "journal mode"), "{report}");

    let out = kith(&["serve", "--addr", "127.0.0.1:0"], &url, &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("refusing to start: journal mode"), "{said}");
    assert!(said.contains("--allow-unsafe-durability"), "{said}");

    let server = support::start(
        dir.path(),
        &[],
        &[
            ("KITH_DATABASE_URL", &url),
            ("KITH_ALLOW_UNSAFE_DURABILITY", "true"),
            ("RUST_LOG", "warn"),
        ],
    );
    let (status, _) = support::get(&server.addr, "/healthz");
    assert_eq!(status, 200);
    let logs = support::stop(server);
    assert!(
        logs.contains("allowed by KITH_ALLOW_UNSAFE_DURABILITY"),
        "{logs}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_with_synchronous_commit_off_is_reported_and_serve_refuses_it_unless_allowed() {
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    kith_store::open(&db.url, 2).await.expect("open");
    let name = db.url.rsplit('/').next().expect("name").to_owned();
    execute_sql(
        &db.url,
        &format!("ALTER DATABASE {name} SET synchronous_commit = off"),
    )
    .await;
    let check = kith(&["check"], &db.url, &[]);
    let refused = kith(&["serve", "--addr", "127.0.0.1:0"], &db.url, &[]);
    let dir = tempfile::tempdir().expect("temp dir");
    let server = support::start(
        dir.path(),
        &["--allow-unsafe-durability"],
        &[("KITH_DATABASE_URL", &db.url), ("RUST_LOG", "warn")],
    );
    let (status, _) = support::get(&server.addr, "/healthz");
    support::stop(server);
    db.drop_now().await;

    let report = text(&check);
    assert_eq!(check.status.code(), Some(1), "{report}");
    assert!(
        has_line(&report, "problem", "synchronous_commit"),
        "{report}"
    );
    let said = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains("refusing to start: synchronous_commit"),
        "{said}"
    );
    assert_eq!(status, 200);
}

#[test]
fn migrate_check_lists_what_would_run_then_migrate_runs_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("kith.db");
    let url = format!("sqlite://{}", file.display());
    let out = kith(&["migrate", "--check"], &url, &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("would run 1 directory"), "{said}");
    assert!(!file.exists(), "--check made the file");

    let out = kith(&["migrate"], &url, &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("running 1 directory"), "{said}");

    let out = kith(&["migrate", "--check"], &url, &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("is up to date; nothing to run"), "{said}");
}

/// Marks the database as migrated by a kith one migration ahead.
async fn upgrade_by_a_newer_kith(url: &str, latest: i64) {
    let checksum = if url.starts_with("sqlite:") {
        "x'00'"
    } else {
        "'\\x00'::bytea"
    };
    execute_sql(
        url,
        &format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ({}, 'from the future', TRUE, {checksum}, 0)",
            latest + 1
        ),
    )
    .await;
}

fn refusal(latest: i64) -> String {
    format!(
        "this database was upgraded by a newer kith (schema {}); this kith knows up to {latest} — run the newer version or restore a backup",
        latest + 1
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_a_newer_kith_upgraded_is_refused_in_words_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    kith_store::open(&url, 1).await.expect("open");
    let latest = kith_store::sqlite::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .expect("one");
    upgrade_by_a_newer_kith(&url, latest).await;
    for args in [
        &["serve", "--addr", "127.0.0.1:0"][..],
        &["migrate"],
        &["migrate", "--check"],
    ] {
        let out = kith(args, &url, &[]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {said}");
        assert!(said.contains(&refusal(latest)), "{args:?}: {said}");
    }
    let out = kith(&["check"], &url, &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(has_line(&said, "problem", "schema"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_a_newer_kith_upgraded_is_refused_in_words_on_postgres() {
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    kith_store::open(&db.url, 1).await.expect("open");
    let latest = kith_store::postgres::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .expect("one");
    upgrade_by_a_newer_kith(&db.url, latest).await;
    let out = kith(&["serve", "--addr", "127.0.0.1:0"], &db.url, &[]);
    db.drop_now().await;
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains(&refusal(latest)), "{said}");
}

/// Starts `n` `kith migrate` processes at the same moment on one fresh
/// database; answers their outputs.
fn migrate_at_once(url: &str, n: usize) -> Vec<Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_kith"))
                .arg("migrate")
                .env("KITH_DATABASE_URL", url)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_starting_together_on_one_sqlite_file_migrate_it_once() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("kith.db").display());
        for out in migrate_at_once(&url, 4) {
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        }
        let applied = query_i64(&url, "SELECT COUNT(*) FROM _sqlx_migrations").await;
        assert_eq!(
            applied as usize,
            kith_store::sqlite::MIGRATIONS.iter().count()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_starting_together_on_one_postgres_database_migrate_it_once() {
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    let outs = migrate_at_once(&db.url, 4);
    let applied = query_i64(&db.url, "SELECT COUNT(*) FROM _sqlx_migrations").await;
    db.drop_now().await;
    for out in outs {
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    assert_eq!(
        applied as usize,
        kith_store::postgres::MIGRATIONS.iter().count()
    );
}
