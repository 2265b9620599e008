//! Runs a test body against a fresh database of each backend: a new SQLite
//! file, and a new PostgreSQL database that is dropped afterwards.
//!
//! PostgreSQL is found at `KITH_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it does not answer, the
//! PostgreSQL half of each test is skipped with a message — unless `CI=true`,
//! where it fails.

use std::future::Future;
use std::sync::Arc;

use kith_store::Store;
use sqlx::Connection;

/// The admin URL for creating test databases.
pub fn postgres_admin_url() -> String {
    std::env::var("KITH_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Runs `body` on a fresh SQLite store.
pub async fn with_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let store = kith_store::open(&url, 4).await.expect("open sqlite");
    body(store).await;
}

/// A throwaway PostgreSQL database, dropped by [`TempPostgres::drop_now`].
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
                    "PostgreSQL at {admin_url} does not answer ({err}); skipping the PostgreSQL half"
                );
                return None;
            }
            Err(err) => panic!("CI=true and PostgreSQL at {admin_url} does not answer: {err}"),
        };
        let name = format!("kith_test_{}", rand::random::<u64>());
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

    /// Drops the database.
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

/// Runs `body` on a fresh PostgreSQL store, dropping the database afterwards
/// even when the body panics.
pub async fn with_postgres<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TempPostgres::create().await else {
        return;
    };
    let store = kith_store::open(&db.url, 4).await.expect("open postgres");
    let outcome = tokio::spawn(body(store)).await;
    db.drop_now().await;
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// Declares a contract test that runs on both backends.
#[macro_export]
macro_rules! contract {
    ($(#[$meta:meta])* $name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn on_sqlite() {
                $crate::support::with_sqlite($body).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                $crate::support::with_postgres($body).await;
            }
        }
    };
}
