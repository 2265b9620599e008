//! Keeping occurrences materialized: each group's rules are expanded for the
//! coming weeks when they change and, as time passes, by a background task.
//! The directory's time filters read only the materialized rows.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kith_domain::directory::horizon;
use kith_store::Store;

use crate::{AppResult, Clock};

/// A group is refreshed once its occurrences reach less than this far beyond
/// the horizon's start.
const REFRESH_SLACK: SignedDuration = SignedDuration::from_hours(24);
/// Past occurrences are kept this long (for RSVPs, rooms and history).
const KEEP_PAST: SignedDuration = SignedDuration::from_hours(24 * 30);
/// Groups refreshed per transaction: a few multi-row statements for all of
/// them, holding SQLite's write lock for tens of milliseconds.
const BATCH: u32 = 250;

/// Extends every group whose occurrences fall short of the horizon, and
/// prunes old ones; answers how many groups were refreshed.
pub async fn refresh_due(store: &dyn Store, now: Timestamp) -> AppResult<usize> {
    let until = horizon(now);
    let due_before = until.saturating_sub(REFRESH_SLACK).unwrap_or(until);
    let mut refreshed = 0;
    loop {
        let due = store.groups_due_for_occurrences(due_before, BATCH).await?;
        if due.is_empty() {
            break;
        }
        let planned: Vec<_> = due
            .into_iter()
            .map(|(group, schedule)| (group, schedule.occurrences_between(now, until)))
            .collect();
        store.save_occurrences(&planned, now, until).await?;
        refreshed += planned.len();
    }
    store
        .prune_occurrences(now.saturating_sub(KEEP_PAST).unwrap_or(now))
        .await?;
    Ok(refreshed)
}

/// Runs [`refresh_due`] now and then every `every`, forever; errors are
/// logged and retried at the next tick, so a restart or an outage loses
/// nothing.
pub async fn run_refresher(store: Arc<dyn Store>, clock: Clock, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match refresh_due(store.as_ref(), clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(groups = n, "occurrences refreshed"),
            Err(err) => {
                tracing::warn!(error = %err, "occurrence refresh failed; retrying at the next tick")
            }
        }
    }
}
