//! Runs a contract test body against a fresh database of each backend.

use std::future::Future;
use std::sync::Arc;

use kith_store::Store;
use kith_store::testing::{TempPostgres, TempSqlite};

/// Runs `body` on a fresh SQLite store.
pub async fn with_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = TempSqlite::create().await;
    body(db.store.clone()).await;
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
