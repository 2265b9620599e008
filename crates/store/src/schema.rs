//! The schema's version as an operator sees it: which migrations a
//! database has, which this binary would still run, and whether a newer
//! kith already upgraded it — in which case this binary refuses to open it
//! rather than run against tables it does not know.
//!
//! Migrations run when a store opens (`sqlite::connect`,
//! `postgres::connect`) and must run once when several instances start at
//! once. sqlx's migrator holds a PostgreSQL advisory lock while it
//! migrates (`pg_advisory_lock`, see `sqlx-postgres`'s `migrate.rs`), but
//! on SQLite its lock does nothing: two processes would both see a
//! migration missing and the second would fail on a table that already
//! exists. SQLite's migrations therefore run under [`SqliteMigrationLock`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::Connection;
use sqlx::migrate::Migrator;

use crate::{StoreError, StoreResult};

/// Where a database's schema stands against this binary's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The versions the database recorded as applied, in order.
    pub applied: Vec<i64>,
    /// The newest version this binary knows.
    pub latest_known: i64,
    /// Migrations this binary would run: version and description.
    pub pending: Vec<(i64, String)>,
    /// Applied versions this binary does not know: a newer kith ran them.
    pub unknown: Vec<i64>,
}

impl SchemaStatus {
    /// The newest applied version (0 for an empty database).
    pub fn applied_latest(&self) -> i64 {
        self.applied.iter().copied().max().unwrap_or(0)
    }

    /// Whether a newer kith upgraded the database.
    pub fn is_newer(&self) -> bool {
        !self.unknown.is_empty()
    }
}

/// A database a newer kith upgraded: this binary must not run on it.
#[derive(Debug, thiserror::Error)]
#[error(
    "this database was upgraded by a newer kith (schema {found}); this kith knows up to {known} — run the newer version or restore a backup"
)]
pub struct NewerSchema {
    /// The newest version the database has.
    pub found: i64,
    /// The newest version this binary knows.
    pub known: i64,
}

/// The migrations this binary carries for a database URL.
pub fn migrator_for(url: &str) -> &'static Migrator {
    if is_postgres(url) {
        &crate::postgres::MIGRATIONS
    } else {
        &crate::sqlite::MIGRATIONS
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Reads the schema status of the database a URL names, without changing
/// it (a missing SQLite file is an error, not created).
pub async fn status(url: &str) -> StoreResult<SchemaStatus> {
    let applied = if is_postgres(url) {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        applied_postgres(&mut conn).await?
    } else if url.starts_with("sqlite:") {
        let options: sqlx::sqlite::SqliteConnectOptions =
            url.parse().map_err(|e| StoreError::Other(Box::new(e)))?;
        let mut conn =
            sqlx::SqliteConnection::connect_with(&options.create_if_missing(false)).await?;
        applied_sqlite(&mut conn).await?
    } else {
        return Err(StoreError::Other(
            "the database URL must start with sqlite:// or postgres://".into(),
        ));
    };
    Ok(compare(migrator_for(url), applied))
}

/// Compares applied versions with a migrator's.
pub fn compare(migrator: &Migrator, applied: Vec<i64>) -> SchemaStatus {
    let known: BTreeSet<i64> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect();
    let done: BTreeSet<i64> = applied.iter().copied().collect();
    SchemaStatus {
        latest_known: known.iter().copied().max().unwrap_or(0),
        pending: migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !done.contains(&m.version))
            .map(|m| (m.version, m.description.to_string()))
            .collect(),
        unknown: applied
            .iter()
            .copied()
            .filter(|v| !known.contains(v))
            .collect(),
        applied,
    }
}

/// Fails with [`NewerSchema`] when the database has versions this binary
/// does not know; called before migrating, so sqlx's own check (a cryptic
/// "migration N was previously applied but is missing") never answers.
pub(crate) fn refuse_newer(migrator: &Migrator, applied: Vec<i64>) -> StoreResult<()> {
    let status = compare(migrator, applied);
    if status.is_newer() {
        return Err(StoreError::Other(Box::new(NewerSchema {
            found: status.applied_latest(),
            known: status.latest_known,
        })));
    }
    Ok(())
}

/// The versions applied on a SQLite connection (none before the first
/// migration made sqlx's table).
pub(crate) async fn applied_sqlite(conn: &mut sqlx::SqliteConnection) -> StoreResult<Vec<i64>> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// The versions applied on a PostgreSQL connection.
pub(crate) async fn applied_postgres(conn: &mut sqlx::PgConnection) -> StoreResult<Vec<i64>> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// While held, no other kith process migrates the same SQLite file: an
/// exclusive transaction on a small lock file beside it
/// (`<file>-migrate-lock`). The operating system releases it when the
/// process ends, even killed, so a crash never leaves it taken.
pub(crate) struct SqliteMigrationLock {
    _conn: rusqlite::Connection,
}

/// How long a starting instance waits for another's migrations.
const MIGRATION_LOCK_WAIT: Duration = Duration::from_secs(300);

impl SqliteMigrationLock {
    /// Waits for and takes the lock for the database file `db`.
    pub(crate) async fn take(db: &Path) -> StoreResult<Self> {
        let path = lock_path(db);
        tokio::task::spawn_blocking(move || -> Result<Self, rusqlite::Error> {
            let conn = rusqlite::Connection::open(&path)?;
            conn.busy_timeout(MIGRATION_LOCK_WAIT)?;
            conn.execute_batch("BEGIN EXCLUSIVE")?;
            Ok(Self { _conn: conn })
        })
        .await
        .map_err(|e| StoreError::Other(Box::new(e)))?
        .map_err(|e| StoreError::Other(Box::new(e)))
    }
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-migrate-lock");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_this_binary_does_not_know_is_a_newer_schema() {
        let migrator = &crate::sqlite::MIGRATIONS;
        let mut applied: Vec<i64> = migrator.iter().map(|m| m.version).collect();
        let latest = *applied.last().expect("migrations");
        assert!(refuse_newer(migrator, applied.clone()).is_ok());
        applied.push(latest + 1);
        let err = refuse_newer(migrator, applied).expect_err("refused");
        let StoreError::Other(inner) = err else {
            panic!("not Other")
        };
        assert_eq!(
            inner.to_string(),
            format!(
                "this database was upgraded by a newer kith (schema {}); this kith knows up to {latest} — run the newer version or restore a backup",
                latest + 1
            )
        );
    }

    #[test]
    fn pending_lists_what_is_not_applied() {
        let migrator = &crate::postgres::MIGRATIONS;
        let all: Vec<i64> = migrator.iter().map(|m| m.version).collect();
        let status = compare(migrator, all[..all.len() - 2].to_vec());
        assert_eq!(
            status.pending.iter().map(|p| p.0).collect::<Vec<_>>(),
            all[all.len() - 2..].to_vec()
        );
        assert!(!status.is_newer());
        assert_eq!(status.latest_known, *all.last().expect("one"));
    }
}
