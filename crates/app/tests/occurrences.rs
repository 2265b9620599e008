//! Occurrences stay materialized ahead as time passes, on a real database.

use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp};
use kith_app::groups::create_groups;
use kith_app::schedule::refresh_due;
use kith_app::testing::GroupBuilder;
use kith_domain::directory::horizon;
use kith_domain::ids::Slug;
use kith_store::testing::TempSqlite;

fn start() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().expect("timestamp")
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

#[tokio::test]
async fn the_refresher_extends_every_group_as_time_passes_and_keeps_ids() {
    let db = TempSqlite::create().await;
    let app = &kith_app::testing::app(db.store.clone());
    let store = db.store.as_ref();
    let groups = vec![
        GroupBuilder::new("Mondays")
            .weekly(&[Weekday::Monday], "19:00", "America/New_York")
            .build(),
        GroupBuilder::new("Thursdays")
            .weekly(&[Weekday::Thursday], "08:00", "Asia/Kathmandu")
            .build(),
    ];
    let slugs: Vec<Slug> = create_groups(app, &groups, start()).await.expect("create");

    // Nothing is due right after creation.
    assert_eq!(refresh_due(store, start()).await.expect("refresh"), 0);

    let before = store
        .upcoming_occurrences(&slugs[0], start(), 10)
        .await
        .expect("upcoming");
    let later = start() + days(10);
    assert_eq!(
        refresh_due(store, later).await.expect("refresh"),
        2,
        "both groups fell behind the horizon"
    );
    assert_eq!(
        refresh_due(store, later).await.expect("refresh"),
        0,
        "and are caught up"
    );

    let after = store
        .upcoming_occurrences(&slugs[0], later, 10)
        .await
        .expect("upcoming");
    // The meetings both lists share keep their ids.
    for meeting in &after {
        if let Some(same) = before.iter().find(|b| b.starts_at == meeting.starts_at) {
            assert_eq!(same.id, meeting.id);
        }
    }
    // The horizon moved on: the last meeting is within a week of it.
    let last = after.last().expect("meetings").starts_at;
    assert!(horizon(later).duration_since(last) < days(7), "{last}");
    assert!(after.len() >= 6);
}

#[tokio::test]
async fn meetings_that_ended_long_ago_are_pruned() {
    let db = TempSqlite::create().await;
    let app = &kith_app::testing::app(db.store.clone());
    let store = db.store.as_ref();
    let groups = vec![
        GroupBuilder::new("Daily")
            .weekly(
                &Weekday::Monday.cycle_forward().take(7).collect::<Vec<_>>(),
                "12:00",
                "UTC",
            )
            .build(),
    ];
    let slugs = create_groups(app, &groups, start()).await.expect("create");
    let much_later = start() + days(80);
    refresh_due(store, much_later).await.expect("refresh");
    // Meetings from the first weeks ended more than 30 days before: gone.
    let kept = store
        .upcoming_occurrences(&slugs[0], start(), 1000)
        .await
        .expect("upcoming");
    let earliest = kept.first().expect("meetings").starts_at;
    assert!(earliest >= much_later - days(31), "{earliest}");
}
