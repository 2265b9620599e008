//! What `/metrics` reads from the store, on both databases: the pool's
//! connections and the outbox's backlog (mail neither sent nor given up).

use std::sync::Arc;

use kith_store::Store;
use kith_store::testing::{execute_sql, with_postgres_url, with_sqlite_url};

/// Three mails: one waiting, one sent, one given up.
const OUTBOX: &str = "INSERT INTO outbox (address, kind, subject, text_body, html_body, message_key, created_at, not_before, sent_at, gave_up_at) VALUES \
    ('a@example.org', 'test', 's', 't', 'h', 'k1', 1, 1, NULL, NULL), \
    ('b@example.org', 'test', 's', 't', 'h', 'k2', 1, 1, 2, NULL), \
    ('c@example.org', 'test', 's', 't', 'h', 'k3', 1, 1, NULL, 2)";

async fn backlog_and_pool(store: Arc<dyn Store>, url: String) {
    let empty = store.operations_gauges().await.expect("gauges");
    assert_eq!(empty.outbox_backlog, 0);
    // The query itself held a connection, returned to the pool since.
    assert!(
        empty.idle_connections + empty.busy_connections >= 1,
        "{empty:?}"
    );
    execute_sql(&url, OUTBOX).await;
    let gauges = store.operations_gauges().await.expect("gauges");
    assert_eq!(gauges.outbox_backlog, 1, "only the waiting mail");
    assert!(gauges.idle_connections >= 1, "{gauges:?}");
}

#[tokio::test]
async fn the_outbox_backlog_counts_only_waiting_mail_on_sqlite() {
    with_sqlite_url(backlog_and_pool).await;
}

#[tokio::test]
async fn the_outbox_backlog_counts_only_waiting_mail_on_postgres() {
    with_postgres_url(backlog_and_pool).await;
}
