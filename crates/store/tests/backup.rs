//! `kith_store::backup` on real databases: snapshots count what they hold,
//! restores give the same counts back, and the SQLite → PostgreSQL copy
//! converts booleans, blobs and awkward text exactly.

use kith_domain::group::ListingStatus;
use kith_store::Backend;
use kith_store::backup::{self, Snapshot};
use kith_store::testing::{self, TempPostgres, TempSqlite, execute_sql, query_i64};

/// A SQLite site with two groups, a member with a preference off, a
/// description with a tab, a line break and a backslash, and a blob.
async fn sqlite_site() -> TempSqlite {
    let db = TempSqlite::create().await;
    testing::two_groups(&db.store, ListingStatus::Listed).await;
    let member = testing::account(&db.store, "ada").await;
    execute_sql(
        &db.url,
        &format!(
            "INSERT INTO notification_preferences (account_id, reminder_1h, updated_at) VALUES ({}, 0, 1)",
            member.0
        ),
    )
    .await;
    execute_sql(
        &db.url,
        "UPDATE groups SET description = 'a' || char(9) || 'b' || char(10) || 'c\\d' WHERE name = 'Lantern'",
    )
    .await;
    db
}

fn snapshot_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("snapshot.sqlite")
}

#[tokio::test]
async fn a_sqlite_snapshot_restores_with_the_same_counts() {
    let site = sqlite_site().await;
    let dir = tempfile::tempdir().expect("dir");
    let snap: Snapshot = backup::snapshot_sqlite(&site.url, &snapshot_file(&dir))
        .await
        .expect("snapshot");
    assert_eq!(snap.tables["groups"], 2);
    assert_eq!(snap.tables["notification_preferences"], 1);
    assert_eq!(
        snap.schema_version,
        backup::latest_schema_version(Backend::Sqlite)
    );
    assert!(!snap.tables.contains_key("_sqlx_migrations"));

    let target = format!("sqlite://{}", dir.path().join("new/kith.db").display());
    assert!(
        backup::existing_tables(&target)
            .await
            .expect("read")
            .is_none()
    );
    backup::restore_sqlite_file(&snapshot_file(&dir), &target)
        .await
        .expect("restore");
    let existing = backup::existing_tables(&target)
        .await
        .expect("read")
        .expect("tables");
    assert_eq!(existing, snap.tables);
}

#[tokio::test]
async fn a_sqlite_site_copies_into_postgres_exactly() {
    let Some(pg) = TempPostgres::create().await else {
        return;
    };
    let site = sqlite_site().await;
    let dir = tempfile::tempdir().expect("dir");
    let snap = backup::snapshot_sqlite(&site.url, &snapshot_file(&dir))
        .await
        .expect("snapshot");
    assert!(
        backup::existing_tables(&pg.url)
            .await
            .expect("read")
            .is_none()
    );
    backup::copy_sqlite_into_postgres(&snapshot_file(&dir), &pg.url)
        .await
        .expect("copy");
    let existing = backup::existing_tables(&pg.url)
        .await
        .expect("read")
        .expect("tables");
    assert_eq!(existing, snap.tables);
    assert_eq!(
        query_i64(
            &pg.url,
            "SELECT count(*) FROM notification_preferences WHERE NOT reminder_1h AND reminder_24h"
        )
        .await,
        1
    );
    assert_eq!(
        query_i64(
            &pg.url,
            "SELECT count(*) FROM groups WHERE description = E'a\\tb\\nc\\\\d'"
        )
        .await,
        1
    );
    // The full-text column PostgreSQL derives finds the copied groups.
    assert_eq!(
        query_i64(
            &pg.url,
            "SELECT count(*) FROM groups WHERE search_vector @@ plainto_tsquery('simple', 'lantern')"
        )
        .await,
        1
    );
    // New rows get ids after the copied ones.
    let store = kith_store::open(&pg.url, 1).await.expect("open");
    testing::account(&store, "newcomer").await;
    assert_eq!(query_i64(&pg.url, "SELECT count(*) FROM accounts").await, 3);
    pg.drop_now().await;
}

#[tokio::test]
async fn a_postgres_dump_restores_with_the_same_counts() {
    let Some(source) = TempPostgres::create().await else {
        return;
    };
    let Some(target) = TempPostgres::create().await else {
        return;
    };
    let store = kith_store::open(&source.url, 1).await.expect("open");
    testing::two_groups(&store, ListingStatus::Listed).await;
    let dir = tempfile::tempdir().expect("dir");
    let dump = dir.path().join("database.pgdump");
    let snap = backup::dump_postgres(&source.url, &dump)
        .await
        .expect("dump");
    assert_eq!(snap.tables["groups"], 2);
    assert_eq!(
        snap.schema_version,
        backup::latest_schema_version(Backend::Postgres)
    );
    backup::restore_pgdump(&dump, &target.url, false)
        .await
        .expect("restore");
    let existing = backup::existing_tables(&target.url)
        .await
        .expect("read")
        .expect("tables");
    assert_eq!(existing, snap.tables);
    source.drop_now().await;
    target.drop_now().await;
}

#[test]
fn both_backends_know_the_same_latest_schema_and_other_urls_are_refused() {
    assert_eq!(
        backup::latest_schema_version(Backend::Sqlite),
        backup::latest_schema_version(Backend::Postgres)
    );
    let refused = backup::backend_of("mysql://db/kith").expect_err("refused");
    assert!(refused.to_string().contains("sqlite:// or postgres://"));
}
