//! Throwaway databases for tests (feature `testing`): a fresh SQLite file or
//! a fresh PostgreSQL database per test, never a shared one.
//!
//! PostgreSQL is found at `KITH_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it does not answer,
//! [`TempPostgres::create`] answers `None` so the caller can skip — unless
//! `CI=true`, where it panics: in CI a missing database fails the run.

use std::sync::Arc;

use sqlx::Connection;

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_domain::account::{Email, Handle, Role};
use kith_domain::directory::horizon;
use kith_domain::group::{
    Attribute, Facilitation, FacilitationStyle, Focus, Format, GroupProfile, ListingStatus,
    NewGroup, Place, PrivateDetails,
};
use kith_domain::ids::{GroupId, Slug};
use kith_domain::schedule::{MeetingDuration, Rule, Schedule, WeekdaySet, parse_local_time};
use kith_domain::zone::Zone;

use crate::accounts::NewAccount;
use crate::mail::notices::ComposeError;
use crate::mail::{Addressee, Audience, MailDraft, NoMail, Notices};
use crate::{AccountId, AuditEntry, GroupDraft, Store};
use kith_domain::mail_category::MailCategory;

/// The fixed "now" of store tests.
pub fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().expect("timestamp")
}

/// The admin URL for creating test databases.
pub fn postgres_admin_url() -> String {
    std::env::var("KITH_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// How often a test store's directory index reads changes it was not told
/// of (a row written with [`execute_sql`] is told of: it counts as a write).
pub const INDEX_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Starts `store`'s directory index, as `kith serve` does, and waits until
/// it answers: store tests search the index, not the database's query.
pub async fn serve_directory_from_index(store: &Arc<dyn Store>) {
    store.start_directory_index(INDEX_POLL);
    store.directory_index_ready().await;
}

/// Whether the tests run in CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A SQLite store in a temporary directory, deleted when dropped.
pub struct TempSqlite {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The URL of the file.
    pub url: String,
    _dir: tempfile::TempDir,
}

impl TempSqlite {
    /// Creates and migrates a fresh database file.
    pub async fn create() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("kith.db").display());
        let store = crate::open(&url, 4).await.expect("open sqlite");
        serve_directory_from_index(&store).await;
        Self {
            store,
            url,
            _dir: dir,
        }
    }
}

/// A throwaway PostgreSQL database; call [`TempPostgres::drop_now`] when done.
pub struct TempPostgres {
    admin_url: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl TempPostgres {
    /// Creates a database with a random name, or `None` when PostgreSQL does
    /// not answer outside CI.
    pub async fn create() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(err) if !in_ci() => {
                eprintln!(
                    "PostgreSQL does not answer ({err}); skipping the PostgreSQL half of this test"
                );
                return None;
            }
            Err(err) => panic!("CI=true and PostgreSQL does not answer: {err}"),
        };
        let name = format!("kith_test_{:016x}", rand::random::<u64>());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Some(Self {
            admin_url,
            name,
            url,
        })
    }

    /// Drops the database, ending any connection still open to it.
    pub async fn drop_now(self) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.admin_url).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .await;
        }
    }
}

/// Runs `body` on a fresh SQLite store.
pub async fn with_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    with_sqlite_url(|store, _| body(store)).await;
}

/// Runs `body` on a fresh SQLite store, with the database's URL (for
/// [`execute_sql`]).
pub async fn with_sqlite_url<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn Store>, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = TempSqlite::create().await;
    body(db.store.clone(), db.url.clone()).await;
}

/// Runs `body` on a fresh PostgreSQL store, dropping the database afterwards
/// even when the body panics.
pub async fn with_postgres<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_postgres_url(|store, _| body(store)).await;
}

/// Runs `body` on a fresh PostgreSQL store, with the database's URL (for
/// [`execute_sql`]), dropping the database afterwards even when the body
/// panics.
pub async fn with_postgres_url<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn Store>, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    let store = crate::open(&db.url, 4).await.expect("open postgres");
    serve_directory_from_index(&store).await;
    let outcome = tokio::spawn(body(store, db.url.clone())).await;
    db.drop_now().await;
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// Declares a test module whose `on_sqlite` and `on_postgres` tests run
/// `$body` (a closure taking the store) on a fresh database of each.
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$meta:meta])* $name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn on_sqlite() {
                $crate::testing::with_sqlite($body).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                $crate::testing::with_postgres($body).await;
            }
        }
    };
}

/// Like [`on_both_backends!`], for a `$body` that takes the store and the
/// database's URL too (to write rows with [`execute_sql`]).
#[macro_export]
macro_rules! on_both_backends_with_url {
    ($(#[$meta:meta])* $name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn on_sqlite() {
                $crate::testing::with_sqlite_url($body).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                $crate::testing::with_postgres_url($body).await;
            }
        }
    };
}

/// Runs SQL statements (`;`-separated) on the database at `url`: rows a
/// test needs that no store method writes.
pub async fn execute_sql(url: &str, sql: &str) {
    let statements = sql.split(';').map(str::trim).filter(|s| !s.is_empty());
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut conn)
                .await
                .expect(statement);
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        for statement in statements {
            sqlx::query(statement)
                .execute(&mut conn)
                .await
                .expect(statement);
        }
    }
    // A write of this process, like any other: the directory index reads
    // its changes before the next search.
    crate::db::note_write();
}

/// The first column of the first row `sql` answers on the database at
/// `url`, as an integer (counts a test checks that no store method gives).
pub async fn query_i64(url: &str, sql: &str) -> i64 {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(sql)
            .fetch_one(&mut conn)
            .await
            .expect(sql)
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(sql)
            .fetch_one(&mut conn)
            .await
            .expect(sql)
    }
}

/// Every row of every table of the PostgreSQL database at `url`, each as
/// PostgreSQL writes a row as text (`bytea` columns in hex): what an
/// operator with the database reads.
pub async fn postgres_rows_as_text(url: &str) -> Vec<String> {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    let mut rows = Vec::new();
    for table in tables {
        let sql = format!("SELECT t::text FROM \"{table}\" t");
        let texts: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(&mut conn)
            .await
            .expect("rows");
        rows.extend(texts.into_iter().map(|row| format!("{table}: {row}")));
    }
    rows
}

/// Mail for tests: a `notice` to each of an audience who wants
/// announcements, its subject naming the account and its text the zone the
/// store read; with `fails`, composing fails.
#[derive(Debug, Clone)]
pub struct TestNotice {
    /// Whom it goes to.
    pub audience: Audience,
    /// Whether composing fails (as a broken template would).
    pub fails: bool,
}

impl TestNotice {
    /// A notice to `audience`.
    pub fn to(audience: Audience) -> Self {
        Self {
            audience,
            fails: false,
        }
    }
}

impl<T: ?Sized> Notices<T> for TestNotice {
    fn audience(&self, _: &T) -> Audience {
        self.audience.clone()
    }

    fn mail_for(&self, _: &T, to: &Addressee) -> Result<Option<MailDraft>, ComposeError> {
        if self.fails {
            return Err("a template failed".into());
        }
        if !to.preferences.wants(MailCategory::Announcements) {
            return Ok(None);
        }
        Ok(Some(MailDraft {
            kind: "notice",
            subject: format!("to {}", to.account.0),
            text: format!("zone {}", to.time_zone.as_deref().unwrap_or("none")),
            html: String::new(),
            unsubscribe: Some((
                MailCategory::Announcements,
                kith_domain::ids::random_secret(),
                "https://kith.example/mail/unsubscribe/t".to_owned(),
            )),
        }))
    }
}

/// A group for tests; adjust fields before inserting.
pub fn group(name: &str, zone: &str, days: &[Weekday], at: &str) -> NewGroup {
    let rule = Rule::weekly(
        WeekdaySet::of(days.iter().copied()),
        parse_local_time(at).expect("time"),
        MeetingDuration::from_minutes(90).expect("duration"),
    )
    .expect("rule");
    NewGroup {
        profile: GroupProfile {
            slug: Slug::for_name(name),
            name: name.to_owned(),
            description: format!("About {name}."),
            agreements: "- Confidentiality".to_owned(),
            facilitation: Facilitation {
                style: FacilitationStyle::CheckInRound,
                description: "A round.".to_owned(),
            },
            focus: vec![Focus::Tapering],
            attributes: vec![Attribute::Open],
            format: Format::Video,
            language: "en".to_owned(),
            place: Place::default(),
            capacity: Some(12),
            schedule: Schedule {
                zone: Zone::parse(zone).expect("zone"),
                rules: vec![rule],
            },
            hosts: vec![],
            status: ListingStatus::Listed,
            source: None,
            join: Default::default(),
        },
        private: PrivateDetails {
            call_link: Some("https://meet.example.org/secret-canary".to_owned()),
            dial_in: None,
            street_address: None,
        },
    }
}

/// Inserts groups hosted by `willow`, with their meetings to the horizon.
pub async fn insert(
    store: &Arc<dyn Store>,
    groups: &[NewGroup],
    status: ListingStatus,
) -> Vec<Slug> {
    let host = store
        .ensure_account("willow", now())
        .await
        .expect("account");
    let until = horizon(now());
    let drafts: Vec<GroupDraft<'_>> = groups
        .iter()
        .map(|g| GroupDraft {
            group: g,
            status,
            hosts: vec![host],
            occurrences: g.profile.schedule.occurrences_between(now(), until),
            occurrences_until: until,
        })
        .collect();
    store
        .insert_groups(&drafts, &NoMail, now())
        .await
        .expect("insert")
}

/// A member who can log in, at `<handle>@example.org` (lowercased), not yet
/// verified.
pub async fn account(store: &Arc<dyn Store>, handle: &str) -> AccountId {
    let handle = Handle::parse(handle).expect("handle");
    let email = Email::parse(&format!("{handle}@example.org")).expect("email");
    let new = NewAccount {
        handle: &handle,
        email: &email,
        password_hash: "$argon2id$v=19$test",
        role: Role::Member,
        email_verified: false,
    };
    store
        .create_account(&new, None, now())
        .await
        .expect("account")
}

/// Two weekly groups hosted by `willow`, in `status`: Quiet River (UTC,
/// Mondays) and Lantern (Berlin, Thursdays), with their ids.
pub async fn two_groups(
    store: &Arc<dyn Store>,
    status: ListingStatus,
) -> (Vec<NewGroup>, Vec<GroupId>) {
    let groups = vec![
        group("Quiet River", "UTC", &[Weekday::Monday], "10:00"),
        group("Lantern", "Europe/Berlin", &[Weekday::Thursday], "19:00"),
    ];
    let slugs = insert(store, &groups, status).await;
    let mut ids = Vec::new();
    for slug in &slugs {
        ids.push(store.group_access(slug).await.expect("access").id);
    }
    (groups, ids)
}

/// An audit row by `actor`, with no reason given.
pub fn audit_by<'a>(
    actor: AccountId,
    handle: &'a str,
    action: &'static str,
    target: &str,
) -> AuditEntry<'a> {
    AuditEntry {
        actor: Some(actor),
        actor_handle: handle,
        action,
        target: target.to_owned(),
        reason: "",
    }
}
