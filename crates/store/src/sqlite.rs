//! The embedded SQLite backend: one file in WAL mode, `synchronous=FULL`,
//! foreign keys on. Migrations: `migrations/sqlite`.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::db::Db;
use crate::direct::DirectWriter;
use crate::rooms::Announcement;
use crate::schema::{self, SqliteMigrationLock};
use crate::sql_store::{self, SqlStore};
use crate::{StoreError, StoreResult};

/// The migrations, embedded in the binary.
pub static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// `synchronous` on every kith connection: FULL syncs the WAL at each
/// commit, so an acknowledged write survives a power cut. `kith check`
/// reads it from here too.
pub(crate) const SYNCHRONOUS: SqliteSynchronous = SqliteSynchronous::Full;

/// What a store on a SQLite file keeps in its one process.
#[derive(Debug)]
pub(crate) struct Extras {
    /// The pool, for maintenance on one connection.
    pub(crate) pool: SqlitePool,
    /// Room appends take turns here before they ask SQLite for its write
    /// lock: a writer that finds the lock taken sleeps in SQLite's busy
    /// handler for up to tens of milliseconds even when the lock frees
    /// sooner, which put a turn change's p99 delivery over its budget with
    /// fifty rooms at once. Queued here, each starts the moment the one
    /// before commits.
    pub(crate) room_appends: tokio::sync::Mutex<()>,
    /// New groups go in through a connection of its own (`None` for a
    /// database in memory, which another connection would not see).
    pub(crate) direct: Option<Arc<DirectWriter>>,
    /// Announcements to the rooms (access changes, and commands a change
    /// other than the hub's own appended), heard in process: SQLite serves
    /// one instance.
    pub(crate) announcements: tokio::sync::broadcast::Sender<Announcement>,
}

/// Announcements a slow listener may fall behind by before it is told to
/// check everyone.
const ANNOUNCEMENTS_BUFFERED: usize = 1024;

/// Opens (creating if needed) the database file a `sqlite://path` URL
/// names, and migrates it.
pub(crate) async fn connect(url: &str, max_connections: u32) -> StoreResult<SqlStore> {
    connect_tuned(url, max_connections, false).await
}

/// Opens the database like [`connect`], for a process that writes many
/// rows at once (an import): each connection gets a 256 MiB page cache
/// instead of 8 MiB and checkpoints the WAL every 100,000 pages instead of
/// every 1,000. Measured importing 100,000 groups: 42 s with the server's
/// settings, 26 s with the cache, 22 s with both — every meeting goes into
/// indexes that soon outgrow a small cache, and each checkpoint writes the
/// same index pages again.
pub(crate) async fn connect_for_bulk_writes(
    url: &str,
    max_connections: u32,
) -> StoreResult<SqlStore> {
    connect_tuned(url, max_connections, true).await
}

async fn connect_tuned(url: &str, max_connections: u32, bulk: bool) -> StoreResult<SqlStore> {
    // 8 MiB of page cache per connection (256 MiB for bulk writes), and
    // the file mapped so that connections share the operating system's
    // cache (measured: four times the uncached search throughput at
    // 100,000 groups).
    let cache_kib = if bulk { 262_144 } else { 8_192 };
    let checkpoint_pages = if bulk { 100_000 } else { 1_000 };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Other(Box::new(e)))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SYNCHRONOUS)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("temp_store", "memory")
        .pragma("cache_size", format!("-{cache_kib}"))
        .pragma("mmap_size", "1073741824")
        // No `PRAGMA optimize` on close: it may gather STAT4 samples (see
        // `optimize`).
        .pragma("wal_autocheckpoint", checkpoint_pages.to_string());
    let file = options.get_filename().to_path_buf();
    let on_disk = (!file.as_os_str().is_empty() && file.as_os_str() != ":memory:").then_some(file);
    let direct = on_disk
        .clone()
        .map(|file| Arc::new(DirectWriter::new(file, cache_kib, checkpoint_pages)));
    if let Some(dir) = options.get_filename().parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(Box::new(e)))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    // One process migrates at a time (see `schema`); a database a newer
    // kith upgraded is refused in words before sqlx would refuse it in its
    // own.
    let lock = match &on_disk {
        Some(file) => Some(SqliteMigrationLock::take(file).await?),
        None => None,
    };
    {
        let mut conn = pool.acquire().await?;
        schema::refuse_newer(&MIGRATIONS, schema::applied_sqlite(&mut conn).await?)?;
    }
    MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| StoreError::Other(Box::new(e)))?;
    drop(lock);
    let extras = Extras {
        pool: pool.clone(),
        room_appends: tokio::sync::Mutex::default(),
        direct,
        announcements: tokio::sync::broadcast::channel(ANNOUNCEMENTS_BUFFERED).0,
    };
    Ok(SqlStore::new(
        Db::Sqlite(pool),
        sql_store::Extras::Sqlite(Arc::new(extras)),
    ))
}

/// Gathers table statistics, but drops STAT4's samples: with samples,
/// SQLite re-plans a prepared statement whenever a bound value changes,
/// and every directory query binds "now" — measured, that re-planning cost
/// more than the query.
pub(crate) async fn optimize(pool: &SqlitePool) -> StoreResult<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    let has_stat4: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if has_stat4 {
        sqlx::query("DELETE FROM sqlite_stat4")
            .execute(&mut *conn)
            .await?;
        sqlx::query("ANALYZE sqlite_schema")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
