//! `kith check`'s findings: whether a database is whole (SQLite's
//! `integrity_check` and `foreign_key_check`, PostgreSQL's `amcheck` where
//! it may be installed), its schema version, rows that point at nothing,
//! meetings materialized ahead, the outbox's backlog, and settings that
//! lose acknowledged writes on a power cut. Each finding is one line an
//! operator reads: ok, warn or problem, and why.
//!
//! Everything here only reads: on PostgreSQL, `amcheck` is created inside
//! a transaction that is rolled back.

use std::fmt;

use jiff::Timestamp;
use sqlx::Connection;

use crate::schema;
use crate::{StoreError, StoreResult};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// As it should be.
    Ok,
    /// Worth a look; nothing is lost.
    Warn,
    /// Data is lost, or will be: `kith check` exits non-zero.
    Problem,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Problem => "problem",
        })
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked (`integrity`, `schema`, `outbox`…).
    pub check: &'static str,
    /// How it went.
    pub level: Level,
    /// Why, in words an operator reads (never an address or a secret).
    pub detail: String,
}

impl Finding {
    fn new(check: &'static str, level: Level, detail: impl Into<String>) -> Self {
        Self {
            check,
            level,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<8} {:<14} {}", self.level, self.check, self.detail)
    }
}

/// Whether any finding is a problem.
pub fn has_problem(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.level == Level::Problem)
}

/// Unsent mail older than this is a backlog: the sender tries every few
/// seconds, so an hour means it cannot send.
const OUTBOX_BACKLOG_SECONDS: i64 = 3600;

/// Mail given up within this long is reported.
const GAVE_UP_RECENT_SECONDS: i64 = 7 * 86_400;

/// Runs every check on the database a URL names, as of `now`.
pub async fn check(url: &str, now: Timestamp) -> StoreResult<Vec<Finding>> {
    let mut conn = match Conn::open(url).await {
        Ok(conn) => conn,
        // SQLite reads the schema as it opens: a file damaged there fails
        // to open at all (SQLITE_CORRUPT, SQLITE_NOTADB).
        Err(StoreError::Other(err)) if is_corrupt(err.as_ref()) => {
            return Ok(vec![Finding::new(
                "integrity",
                Level::Problem,
                format!("the file cannot be read: {err} — restore a backup"),
            )]);
        }
        Err(err) => return Err(err),
    };
    let mut findings = Vec::new();
    match &mut conn {
        Conn::Sqlite(c) => sqlite_integrity(c, &mut findings).await,
        Conn::Postgres(c) => postgres_integrity(c, &mut findings).await,
    }
    let status = match &mut conn {
        Conn::Sqlite(c) => schema::applied_sqlite(c).await,
        Conn::Postgres(c) => schema::applied_postgres(c).await,
    }
    .map(|applied| schema::compare(schema::migrator_for(url), applied));
    let migrated = match status {
        Ok(status) => {
            let up_to_date = status.pending.is_empty() && !status.is_newer();
            findings.push(schema_finding(&status));
            // Tables a pending migration makes may be missing: the other
            // checks read them only once the schema is this binary's.
            up_to_date
        }
        Err(err) => {
            findings.push(Finding::new(
                "schema",
                Level::Problem,
                format!("could not read the applied migrations: {err}"),
            ));
            false
        }
    };
    if migrated {
        findings.extend(orphans(&mut conn).await);
        findings.push(occurrences_ahead(&mut conn, now).await);
        findings.extend(outbox(&mut conn, now).await);
    }
    findings.extend(durability_on(&mut conn).await);
    Ok(findings)
}

/// Whether SQLite said the file is damaged or not a database.
fn is_corrupt(err: &(dyn std::error::Error + 'static)) -> bool {
    err.downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|e| e.code())
        .is_some_and(|code| code == "11" || code == "26")
}

/// The settings that lose acknowledged writes: what `kith serve` refuses
/// to start on without `--allow-unsafe-durability`.
pub async fn durability(url: &str) -> StoreResult<Vec<Finding>> {
    let mut conn = Conn::open(url).await?;
    Ok(durability_on(&mut conn).await)
}

fn schema_finding(status: &schema::SchemaStatus) -> Finding {
    if status.is_newer() {
        Finding::new(
            "schema",
            Level::Problem,
            format!(
                "upgraded by a newer kith (schema {}); this kith knows up to {}",
                status.applied_latest(),
                status.latest_known
            ),
        )
    } else if status.pending.is_empty() {
        Finding::new(
            "schema",
            Level::Ok,
            format!("up to date (schema {})", status.latest_known),
        )
    } else {
        Finding::new(
            "schema",
            Level::Warn,
            format!(
                "{} migration(s) pending (schema {} of {}): `kith migrate` or a start of `kith serve` runs them",
                status.pending.len(),
                status.applied_latest(),
                status.latest_known
            ),
        )
    }
}

/// A connection to either database, opened plainly: no migration, no
/// pragma a kith server would set, so what it reads is the file's own.
enum Conn {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

/// A value bound to a check's query.
enum Arg {
    Int(i64),
    Text(String),
}

impl Conn {
    async fn open(url: &str) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(sqlx::PgConnection::connect(url).await?))
        } else if url.starts_with("sqlite:") {
            let options: sqlx::sqlite::SqliteConnectOptions =
                url.parse().map_err(|e| StoreError::Other(Box::new(e)))?;
            // Never created here: checking a mistyped path must not leave
            // an empty database behind.
            let options = options
                .create_if_missing(false)
                .foreign_keys(false)
                .synchronous(crate::sqlite::SYNCHRONOUS);
            Ok(Self::Sqlite(
                sqlx::SqliteConnection::connect_with(&options).await?,
            ))
        } else {
            Err(StoreError::Other(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    /// The first column of the one row `sql` answers, as an integer.
    async fn count(&mut self, sql: &str, args: &[Arg]) -> StoreResult<i64> {
        Ok(match self {
            Self::Sqlite(c) => {
                let mut q = sqlx::query_scalar::<_, i64>(sql);
                for a in args {
                    q = match a {
                        Arg::Int(i) => q.bind(*i),
                        Arg::Text(t) => q.bind(t.clone()),
                    };
                }
                q.fetch_one(&mut *c).await?
            }
            Self::Postgres(c) => {
                let mut q = sqlx::query_scalar::<_, i64>(sql);
                for a in args {
                    q = match a {
                        Arg::Int(i) => q.bind(*i),
                        Arg::Text(t) => q.bind(t.clone()),
                    };
                }
                q.fetch_one(&mut *c).await?
            }
        })
    }

    /// A setting as text: a SQLite pragma or a PostgreSQL `SHOW`.
    async fn setting(&mut self, sql: &str) -> StoreResult<String> {
        Ok(match self {
            // SQLite's pragmas answer text or numbers; both read as text.
            Self::Sqlite(c) => {
                let row = sqlx::query(sql).fetch_one(&mut *c).await?;
                use sqlx::Row as _;
                row.try_get::<String, _>(0)
                    .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))?
            }
            Self::Postgres(c) => {
                sqlx::query_scalar::<_, String>(sql)
                    .fetch_one(&mut *c)
                    .await?
            }
        })
    }
}

async fn sqlite_integrity(conn: &mut sqlx::SqliteConnection, findings: &mut Vec<Finding>) {
    let rows: Result<Vec<String>, _> = sqlx::query_scalar("PRAGMA integrity_check(20)")
        .fetch_all(&mut *conn)
        .await;
    findings.push(match rows {
        Ok(rows) if rows == ["ok"] => Finding::new("integrity", Level::Ok, "integrity_check: ok"),
        Ok(rows) => Finding::new(
            "integrity",
            Level::Problem,
            format!(
                "integrity_check found damage: {} — restore a backup",
                rows.join("; ")
            ),
        ),
        Err(err) => Finding::new(
            "integrity",
            Level::Problem,
            format!("integrity_check could not read the file: {err} — restore a backup"),
        ),
    });
    // Foreign keys are checked on every kith connection, so a row that
    // breaks one was written with them off (by hand, or by another tool).
    let rows: Result<Vec<(String,)>, _> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await;
    findings.push(match rows {
        Ok(rows) if rows.is_empty() => {
            Finding::new("foreign keys", Level::Ok, "foreign_key_check: ok")
        }
        Ok(rows) => {
            let mut tables: Vec<String> = rows.into_iter().map(|r| r.0).collect();
            let n = tables.len();
            tables.sort();
            tables.dedup();
            Finding::new(
                "foreign keys",
                Level::Problem,
                format!(
                    "{n} row(s) point at rows that do not exist, in {}",
                    tables.join(", ")
                ),
            )
        }
        Err(err) => Finding::new(
            "foreign keys",
            Level::Problem,
            format!("foreign_key_check failed: {err}"),
        ),
    });
}

async fn postgres_integrity(conn: &mut sqlx::PgConnection, findings: &mut Vec<Finding>) {
    // In a transaction rolled back at the end: `CREATE EXTENSION` is
    // transactional, so the extension exists only for the check and the
    // database (and its dumps, which a role without the right to create
    // extensions must be able to restore) stay as kith made them.
    if let Err(err) = sqlx::query("BEGIN").execute(&mut *conn).await {
        findings.push(Finding::new(
            "integrity",
            Level::Problem,
            format!("could not begin: {err}"),
        ));
        return;
    }
    amcheck(conn, findings).await;
    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
}

async fn amcheck(conn: &mut sqlx::PgConnection, findings: &mut Vec<Finding>) {
    // amcheck ships with PostgreSQL's contrib; creating it needs the
    // right to create extensions, which a kith role may lack.
    if let Err(err) = sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
        .execute(&mut *conn)
        .await
    {
        let why = err
            .as_database_error()
            .map_or_else(|| err.to_string(), |e| e.message().to_owned());
        findings.push(Finding::new(
            "integrity",
            Level::Warn,
            format!("skipped: amcheck is not available to this role ({why})"),
        ));
        return;
    }
    let indexes: Result<Vec<(String,)>, _> = sqlx::query_as(
        "SELECT c.relname::text FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid \
         JOIN pg_am am ON am.oid = c.relam \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE am.amname = 'btree' AND n.nspname = current_schema() AND c.relpersistence <> 't' \
         ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await;
    let indexes = match indexes {
        Ok(indexes) => indexes,
        Err(err) => {
            findings.push(Finding::new(
                "integrity",
                Level::Problem,
                format!("could not list the indexes: {err}"),
            ));
            return;
        }
    };
    let mut damaged = Vec::new();
    for (index,) in &indexes {
        // A damaged index aborts the transaction: each runs behind a
        // savepoint so the next one is still checked.
        let _ = sqlx::query("SAVEPOINT one_index").execute(&mut *conn).await;
        if let Err(err) = sqlx::query("SELECT bt_index_check(to_regclass($1))")
            .bind(format!("\"{index}\""))
            .execute(&mut *conn)
            .await
        {
            damaged.push(format!("{index}: {err}"));
            let _ = sqlx::query("ROLLBACK TO SAVEPOINT one_index")
                .execute(&mut *conn)
                .await;
        }
    }
    findings.push(if damaged.is_empty() {
        Finding::new(
            "integrity",
            Level::Ok,
            format!("amcheck: {} btree indexes ok", indexes.len()),
        )
    } else {
        Finding::new(
            "integrity",
            Level::Problem,
            format!("amcheck found damaged indexes: {}", damaged.join("; ")),
        )
    });
}

/// Rows pointing at parents that are gone. Most such links have a foreign
/// key (SQLite's `foreign_key_check` covers them there), but PostgreSQL's
/// can be bypassed (`session_replication_role = replica`, a partial
/// restore) and `comments.root_id` has none.
const ORPHANS: [(&str, &str); 5] = [
    (
        "meetings whose group is gone",
        "SELECT COUNT(*) FROM occurrences o WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = o.group_id)",
    ),
    (
        "meetings whose schedule is gone",
        "SELECT COUNT(*) FROM occurrences o WHERE NOT EXISTS (SELECT 1 FROM schedule_rules r WHERE r.id = o.rule_id)",
    ),
    (
        "meetings filed under another group than their schedule's",
        "SELECT COUNT(*) FROM occurrences o JOIN schedule_rules r ON r.id = o.rule_id WHERE r.group_id <> o.group_id",
    ),
    (
        "mails to accounts that are gone",
        "SELECT COUNT(*) FROM outbox m WHERE m.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = m.account_id)",
    ),
    (
        "replies whose thread's first comment is gone",
        "SELECT COUNT(*) FROM comments c WHERE c.root_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.id = c.root_id)",
    ),
];

async fn orphans(conn: &mut Conn) -> Vec<Finding> {
    let mut found = Vec::new();
    for (what, sql) in ORPHANS {
        match conn.count(sql, &[]).await {
            Ok(0) => {}
            Ok(n) => found.push(format!("{n} {what}")),
            Err(err) => found.push(format!("{what}: could not count ({err})")),
        }
    }
    vec![if found.is_empty() {
        Finding::new(
            "orphans",
            Level::Ok,
            format!("no orphan rows ({} kinds looked for)", ORPHANS.len()),
        )
    } else {
        Finding::new("orphans", Level::Problem, found.join("; "))
    }]
}

/// Listed groups whose schedule still runs should have meetings ahead:
/// the refresher keeps weeks of them. None means the refresher has not run
/// (a server stopped long ago, or failing).
async fn occurrences_ahead(conn: &mut Conn, now: Timestamp) -> Finding {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let sql = "SELECT COUNT(*) FROM groups g WHERE g.status = 'listed' \
               AND EXISTS (SELECT 1 FROM schedule_rules r WHERE r.group_id = g.id \
                           AND (r.last_date IS NULL OR r.last_date >= $1)) \
               AND NOT EXISTS (SELECT 1 FROM occurrences o WHERE o.group_id = g.id AND o.starts_at > $2)";
    match conn
        .count(sql, &[Arg::Text(today), Arg::Int(now.as_second())])
        .await
    {
        Ok(0) => Finding::new(
            "meetings ahead",
            Level::Ok,
            "every listed group with a running schedule has meetings ahead",
        ),
        Ok(n) => Finding::new(
            "meetings ahead",
            Level::Warn,
            format!(
                "{n} listed group(s) with a running schedule have no meetings ahead: the refresher has not run (a running `kith serve` fills them within minutes)"
            ),
        ),
        Err(err) => Finding::new(
            "meetings ahead",
            Level::Problem,
            format!("could not count: {err}"),
        ),
    }
}

async fn outbox(conn: &mut Conn, now: Timestamp) -> Vec<Finding> {
    let now = now.as_second();
    let stuck = conn
        .count(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND not_before < $1",
            &[Arg::Int(now - OUTBOX_BACKLOG_SECONDS)],
        )
        .await;
    let gave_up = conn
        .count(
            "SELECT COUNT(*) FROM outbox WHERE gave_up_at IS NOT NULL AND gave_up_at > $1",
            &[Arg::Int(now - GAVE_UP_RECENT_SECONDS)],
        )
        .await;
    let mut findings = vec![match stuck {
        Ok(0) => Finding::new("outbox", Level::Ok, "no mail waiting over an hour"),
        Ok(n) => Finding::new(
            "outbox",
            Level::Problem,
            format!(
                "{n} mail(s) due over an hour ago are unsent: is `kith serve` running, and its SMTP server reachable?"
            ),
        ),
        Err(err) => Finding::new("outbox", Level::Problem, format!("could not count: {err}")),
    }];
    match gave_up {
        Ok(0) => {}
        Ok(n) => findings.push(Finding::new(
            "outbox failures",
            Level::Warn,
            format!("{n} mail(s) given up in the last 7 days (see the server's log)"),
        )),
        Err(err) => findings.push(Finding::new(
            "outbox failures",
            Level::Problem,
            format!("could not count: {err}"),
        )),
    }
    findings
}

async fn durability_on(conn: &mut Conn) -> Vec<Finding> {
    if matches!(conn, Conn::Sqlite(_)) {
        let journal = conn.setting("PRAGMA journal_mode").await;
        let synchronous = conn.setting("PRAGMA synchronous").await;
        vec![
            match journal {
                Ok(mode) if mode.eq_ignore_ascii_case("wal") => {
                    Finding::new("journal mode", Level::Ok, "WAL")
                }
                Ok(mode) => Finding::new(
                    "journal mode",
                    Level::Problem,
                    format!(
                        "the file's journal mode is {mode}, not WAL: someone changed it, or its filesystem cannot keep WAL (a network share?)"
                    ),
                ),
                Err(err) => Finding::new("journal mode", Level::Problem, err.to_string()),
            },
            // Per connection: this reads what a kith connection sets.
            match synchronous.as_deref() {
                Ok("2" | "3") => {
                    Finding::new("synchronous", Level::Ok, "FULL on every kith connection")
                }
                Ok(other) => Finding::new(
                    "synchronous",
                    Level::Problem,
                    format!(
                        "synchronous is {other}, below FULL: a power cut may lose acknowledged writes"
                    ),
                ),
                Err(err) => Finding::new("synchronous", Level::Problem, err.to_string()),
            },
        ]
    } else {
        let mut findings = Vec::new();
        for name in ["fsync", "synchronous_commit"] {
            findings.push(match conn.setting(&format!("SHOW {name}")).await {
                Ok(v) if v == "off" => Finding::new(
                    name,
                    Level::Problem,
                    format!(
                        "{name} is off: a crash of the server or machine loses acknowledged writes"
                    ),
                ),
                Ok(v) => Finding::new(name, Level::Ok, v),
                Err(err) => Finding::new(name, Level::Problem, err.to_string()),
            });
        }
        findings
    }
}
