//! The embedded SQLite backend: one file in WAL mode, `synchronous=FULL`,
//! foreign keys on. Migrations: `migrations/sqlite`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::shared::impl_store;
use crate::{Backend, StoreError, StoreResult};

/// The migrations, embedded in the binary.
pub static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    db: crate::db::Db,
    /// Room appends take turns here before they ask SQLite for its write
    /// lock: a writer that finds the lock taken sleeps in SQLite's busy
    /// handler for up to tens of milliseconds even when the lock frees
    /// sooner, which put a turn change's p99 delivery over its budget with
    /// fifty rooms at once. Queued here, each starts the moment the one
    /// before commits.
    room_appends: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// New groups go in through a connection of its own (`None` for a
    /// database in memory, which another connection would not see).
    direct: Option<std::sync::Arc<crate::direct::DirectWriter>>,
    /// Access changes, heard in process: SQLite serves one instance.
    access: tokio::sync::broadcast::Sender<crate::rooms::AccessChange>,
}

/// Access changes a slow listener may fall behind by before it is told to
/// check everyone.
const ACCESS_CHANGES_BUFFERED: usize = 1024;

impl SqliteStore {
    /// Opens (creating if needed) the database file a `sqlite://path` URL
    /// names, and migrates it.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        Self::connect_tuned(url, max_connections, false).await
    }

    /// Opens the database like [`SqliteStore::connect`], for a process that
    /// writes many rows at once (an import): each connection gets a 256 MiB
    /// page cache instead of 8 MiB and checkpoints the WAL every 100,000
    /// pages instead of every 1,000. Measured importing 100,000 groups: 42 s
    /// with the server's settings, 26 s with the cache, 22 s with both —
    /// every meeting goes into indexes that soon outgrow a small cache, and
    /// each checkpoint writes the same index pages again.
    pub async fn connect_for_bulk_writes(url: &str, max_connections: u32) -> StoreResult<Self> {
        Self::connect_tuned(url, max_connections, true).await
    }

    async fn connect_tuned(url: &str, max_connections: u32, bulk: bool) -> StoreResult<Self> {
        // 8 MiB of page cache per connection (256 MiB for bulk writes), and
        // the file mapped so that connections share the operating system's
        // cache (measured: four times the uncached search throughput at
        // 100,000 groups).
        let cache_kib = if bulk { 262_144 } else { 8_192 };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(Box::new(e)))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("temp_store", "memory")
            .pragma("cache_size", format!("-{cache_kib}"))
            .pragma("mmap_size", "1073741824")
            // No `PRAGMA optimize` on close: it may gather STAT4 samples
            // (see `optimize`).
            ;
        let checkpoint_pages = if bulk { 100_000 } else { 1_000 };
        let options = options.pragma("wal_autocheckpoint", checkpoint_pages.to_string());
        let file = options.get_filename().to_path_buf();
        let direct = (!file.as_os_str().is_empty() && file.as_os_str() != ":memory:").then(|| {
            std::sync::Arc::new(crate::direct::DirectWriter::new(
                file,
                cache_kib,
                checkpoint_pages,
            ))
        });
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
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(Box::new(e)))?;
        Ok(Self {
            db: crate::db::Db::Sqlite(pool.clone()),
            pool,
            room_appends: std::sync::Arc::default(),
            direct,
            access: tokio::sync::broadcast::channel(ACCESS_CHANGES_BUFFERED).0,
        })
    }
}

// Writing transactions take the write lock when they begin: a deferred
// transaction that reads first and then writes fails at once with
// SQLITE_BUSY when another connection wrote in between, instead of waiting.
impl crate::SqlParts for SqliteStore {
    fn db(&self) -> &crate::db::Db {
        &self.db
    }

    fn direct_writer(&self) -> Option<&std::sync::Arc<crate::direct::DirectWriter>> {
        self.direct.as_ref()
    }

    fn room_append_turn(&self) -> Option<&tokio::sync::Mutex<()>> {
        Some(&self.room_appends)
    }
}

impl_store!(SqliteStore, "BEGIN IMMEDIATE", {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn room_listener(&self) -> StoreResult<crate::rooms::RoomListener> {
        Ok(crate::rooms::RoomListener::local(self.access.subscribe()))
    }

    async fn announce_access_change(&self, change: crate::rooms::AccessChange) -> StoreResult<()> {
        // No listener yet is no one to tell.
        let _ = self.access.send(change);
        Ok(())
    }

    /// Gathers table statistics, but drops STAT4's samples: with samples,
    /// SQLite re-plans a prepared statement whenever a bound value changes,
    /// and every directory query binds "now" — measured, that re-planning
    /// cost more than the query.
    async fn optimize(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
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
});
