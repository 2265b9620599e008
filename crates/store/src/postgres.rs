//! The PostgreSQL backend, for deployments with several kith instances.
//! Migrations: `migrations/postgres`.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::shared::impl_store;
use crate::{Backend, StoreError, StoreResult};

/// The migrations, embedded in the binary.
pub static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    db: crate::db::Db,
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names and migrates it.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(Box::new(e)))?;
        Ok(Self {
            db: crate::db::Db::Postgres(pool.clone()),
            pool,
        })
    }
}

impl crate::SqlParts for PgStore {
    fn db(&self) -> &crate::db::Db {
        &self.db
    }

    /// New groups go in with multi-row statements: PostgreSQL has no
    /// driver thread to bypass.
    fn direct_writer(&self) -> Option<&std::sync::Arc<crate::direct::DirectWriter>> {
        None
    }

    /// Room appends need no queue: PostgreSQL's writers wait on row locks,
    /// not by sleeping.
    fn room_append_turn(&self) -> Option<&tokio::sync::Mutex<()>> {
        None
    }
}

impl_store!(PgStore, "BEGIN", {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn room_listener(&self) -> StoreResult<crate::rooms::RoomListener> {
        crate::rooms::RoomListener::connect(&self.pool).await
    }

    async fn announce_access_change(&self, change: crate::rooms::AccessChange) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(crate::rooms::ACCESS_CHANNEL)
            .bind(change.payload())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `VACUUM` as well as `ANALYZE`: it marks pages all-visible, without
    /// which the directory's index-only scans visit the table for every row.
    async fn optimize(&self) -> StoreResult<()> {
        sqlx::query("VACUUM (ANALYZE)").execute(&self.pool).await?;
        Ok(())
    }
});
