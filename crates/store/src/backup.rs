//! Operator functions behind `kith backup` and `kith restore`, over a
//! database URL: consistent snapshots of either database with their row
//! counts, what a restore would overwrite, and the restores themselves.
//!
//! - `sqlite`: `VACUUM INTO` snapshots, reading a SQLite file's tables,
//!   putting a snapshot in place of a target file.
//! - `postgres`: `pg_dump`/`pg_restore` (custom format) with counts from
//!   the dump's own snapshot, and a PostgreSQL target's tables.
//! - `to_postgres`: a whole SQLite site copied into PostgreSQL.

mod postgres;
mod sqlite;
mod to_postgres;

use std::collections::BTreeMap;
use std::path::Path;

use crate::Backend;

pub use postgres::{dump_postgres, restore_pgdump};
pub use sqlite::{restore_sqlite_file, snapshot_sqlite};
pub use to_postgres::copy_sqlite_into_postgres;

/// Rows per table, by table name (sqlx's migration table left out).
pub type TableCounts = BTreeMap<String, u64>;

/// What a snapshot holds: the latest migration applied and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The highest migration version applied to the database.
    pub schema_version: i64,
    /// Rows per table.
    pub tables: TableCounts,
}

/// What a backup or restore can fail with; each says what to do in words
/// an operator reads, and none carries the database URL.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The operation was refused on purpose; the text says why.
    #[error("{0}")]
    Refused(String),
    /// The database answered with an error (its message: sqlx's own
    /// error repeats it in its source chain).
    #[error("database error: {0}")]
    Database(String),
    /// Migrating failed.
    #[error("migrating the database")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Reading or writing a file failed.
    #[error("{what}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// `pg_dump` or `pg_restore` failed; its standard error follows.
    #[error("{tool} failed: {stderr}")]
    Tool {
        /// The program.
        tool: &'static str,
        /// What it printed (passwords never are: it gets them from the
        /// environment).
        stderr: String,
    },
    /// The store would not open the restored database.
    #[error("opening the restored database: {0}")]
    Store(#[from] crate::StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::Database(db) => Self::Database(db.message().to_owned()),
            other => Self::Database(other.to_string()),
        }
    }
}

/// The result of a backup or restore step.
pub type BackupResult<T> = Result<T, BackupError>;

/// Wraps an I/O error with what was being done.
pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// Which database a URL names, or a refusal naming the accepted forms.
pub fn backend_of(url: &str) -> BackupResult<Backend> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else {
        Err(BackupError::Refused(
            "the database URL must start with sqlite:// or postgres://".into(),
        ))
    }
}

/// The newest migration this binary knows for a backend.
pub fn latest_schema_version(backend: Backend) -> i64 {
    let migrator = match backend {
        Backend::Sqlite => &crate::sqlite::MIGRATIONS,
        Backend::Postgres => &crate::postgres::MIGRATIONS,
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The tables a target database holds, with their rows, or `None` when it
/// is empty or does not exist yet: what a restore would overwrite.
pub async fn existing_tables(url: &str) -> BackupResult<Option<TableCounts>> {
    match backend_of(url)? {
        Backend::Sqlite => sqlite::existing_tables(&sqlite::file_of(url)?).await,
        Backend::Postgres => postgres::existing_tables(url).await,
    }
}

/// The schema version and row counts of a SQLite file (a snapshot).
pub async fn sqlite_file_snapshot(file: &Path) -> BackupResult<Snapshot> {
    sqlite::read_snapshot(file).await
}
