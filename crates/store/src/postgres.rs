//! The PostgreSQL backend, for deployments with several kith instances.
//! Migrations: `migrations/postgres`.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::db::Db;
use crate::rooms::{ACCESS_CHANNEL, AccessChange};
use crate::sql_store::{Extras, SqlStore};
use crate::{StoreError, StoreResult};

/// The migrations, embedded in the binary.
pub static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connects to the database a `postgres://` URL names and migrates it.
pub(crate) async fn connect(url: &str, max_connections: u32) -> StoreResult<SqlStore> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    // A database a newer kith upgraded is refused in words; sqlx's
    // migrator then migrates under its advisory lock, so instances
    // starting together migrate once.
    {
        let mut conn = pool.acquire().await?;
        crate::schema::refuse_newer(
            &MIGRATIONS,
            crate::schema::applied_postgres(&mut conn).await?,
        )?;
    }
    MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| StoreError::Other(Box::new(e)))?;
    Ok(SqlStore::new(
        Db::Postgres(pool.clone()),
        Extras::Postgres(pool),
    ))
}

/// Tells every instance listening on the access channel.
pub(crate) async fn announce_access_change(pool: &PgPool, change: AccessChange) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(ACCESS_CHANNEL)
        .bind(change.payload())
        .execute(pool)
        .await?;
    Ok(())
}

/// `VACUUM` as well as `ANALYZE`: it marks pages all-visible, without
/// which the directory's index-only scans visit the table for every row.
pub(crate) async fn optimize(pool: &PgPool) -> StoreResult<()> {
    sqlx::query("VACUUM (ANALYZE)").execute(pool).await?;
    Ok(())
}
