//! The one implementation of [`RoomStore`], for both backends. On
//! PostgreSQL an append takes turns on the meeting's row and is announced
//! with `pg_notify` when it commits; on SQLite appends queue in process
//! (see `SqlStore::room_append_turn`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, OccurrenceId};

use super::{
    APPEND, Appended, DELETE_LOG, IS_CLOSED, KEEP_SUMMARY, LAST_SEQ, LOCK_MEETING, LogRow,
    LoggedCommand, MARK_CLOSED, NewLogEntry, ROOM_CHANNEL, ROOM_LOG, RoomSettings, RoomStore,
    RoomSummary, SEEN, SET_SETTINGS, SETTINGS, SUMMARY, SiteCommand, TO_CLOSE,
};
use crate::db::{Tx, query};
use crate::sql_store::SqlStore;
use crate::{Backend, StoreError, StoreResult};

/// Takes the meeting's row lock on PostgreSQL, where instances append
/// concurrently; SQLite's one writer needs none.
async fn lock_meeting(tx: &mut Tx, occurrence: &OccurrenceId) -> StoreResult<()> {
    if tx.backend() == Backend::Postgres {
        query(LOCK_MEETING)
            .bind(occurrence.as_str())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Appends the site's `command` at its room's next place, in the
/// transaction of the change it goes with: the place it took, or `None`
/// when the room has no log or has closed (or the command is there
/// already). Announced on PostgreSQL at the commit; on SQLite the caller
/// announces the place once it committed
/// ([`SqlStore::announce_in_process`]).
pub(crate) async fn append_site_command(
    tx: &mut Tx,
    command: &SiteCommand<'_>,
) -> StoreResult<Option<i64>> {
    let occurrence = command.occurrence.as_str();
    lock_meeting(tx, command.occurrence).await?;
    let closed: i64 = query(IS_CLOSED).bind(occurrence).scalar(&mut *tx).await?;
    let last: Option<i64> = query(LAST_SEQ).bind(occurrence).scalar(&mut *tx).await?;
    let Some(last) = last.filter(|_| closed == 0) else {
        return Ok(None);
    };
    let seq = last + 1;
    let written = query(APPEND)
        .bind(occurrence)
        .bind(seq)
        .bind(command.actor)
        .bind(command.client_id)
        .bind(command.command)
        .bind(command.events)
        .bind(command.at_ms)
        .execute(&mut *tx)
        .await?;
    if written != 1 {
        return Ok(None);
    }
    if tx.backend() == Backend::Postgres {
        query("SELECT pg_notify($1, $2)")
            .bind(ROOM_CHANNEL)
            .bind(format!("{occurrence}:{seq}"))
            .execute(&mut *tx)
            .await?;
    }
    Ok(Some(seq))
}

#[async_trait]
impl RoomStore for SqlStore {
    async fn room_log(&self, occurrence: &OccurrenceId) -> StoreResult<Vec<LoggedCommand>> {
        self.room_log_after(occurrence, 0).await
    }

    async fn room_log_after(
        &self,
        occurrence: &OccurrenceId,
        seq: i64,
    ) -> StoreResult<Vec<LoggedCommand>> {
        let rows: Vec<LogRow> = query(ROOM_LOG)
            .bind(occurrence.as_str())
            .bind(seq)
            .fetch_all(self.db())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn append_room_command(
        &self,
        occurrence: &OccurrenceId,
        entry: &NewLogEntry<'_>,
    ) -> StoreResult<Appended> {
        let _turn = match self.room_append_turn() {
            Some(queue) => Some(queue.lock().await),
            None => None,
        };
        let mut tx = self.db().begin().await?;
        lock_meeting(&mut tx, occurrence).await?;
        let closed: i64 = query(IS_CLOSED)
            .bind(occurrence.as_str())
            .scalar(&mut tx)
            .await?;
        if closed > 0 {
            return Ok(Appended::Closed);
        }
        let written = query(APPEND)
            .bind(occurrence.as_str())
            .bind(entry.seq)
            .bind(entry.actor)
            .bind(entry.client_id)
            .bind(entry.command)
            .bind(entry.events)
            .bind(entry.at_ms)
            .execute(&mut tx)
            .await?;
        if written != 1 {
            let first: Option<i64> = query(SEEN)
                .bind(occurrence.as_str())
                .bind(entry.actor)
                .bind(entry.client_id)
                .scalar_optional(&mut tx)
                .await?;
            return Ok(first.map_or(Appended::Taken, Appended::Repeated));
        }
        if tx.backend() == Backend::Postgres {
            // Delivered to listeners when the transaction commits.
            query("SELECT pg_notify($1, $2)")
                .bind(ROOM_CHANNEL)
                .bind(format!("{}:{}", occurrence.as_str(), entry.seq))
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Appended::Done)
    }

    async fn room_command_seen(
        &self,
        occurrence: &OccurrenceId,
        actor: &str,
        client_id: &str,
    ) -> StoreResult<Option<i64>> {
        query(SEEN)
            .bind(occurrence.as_str())
            .bind(actor)
            .bind(client_id)
            .scalar_optional(self.db())
            .await
    }

    async fn rooms_to_close(&self, before: Timestamp) -> StoreResult<Vec<OccurrenceId>> {
        let ids: Vec<String> = query(TO_CLOSE).bind(before).scalars(self.db()).await?;
        Ok(ids.into_iter().map(OccurrenceId::from_trusted).collect())
    }

    async fn close_room(
        &self,
        occurrence: &OccurrenceId,
        summary: RoomSummary,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        lock_meeting(&mut tx, occurrence).await?;
        query(MARK_CLOSED)
            .bind(occurrence.as_str())
            .bind(now)
            .execute(&mut tx)
            .await?;
        query(KEEP_SUMMARY)
            .bind(occurrence.as_str())
            .bind(i64::from(summary.present))
            .bind(i64::try_from(summary.spoken_seconds).unwrap_or(i64::MAX))
            .bind(now)
            .execute(&mut tx)
            .await?;
        query(DELETE_LOG)
            .bind(occurrence.as_str())
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn room_summary(&self, occurrence: &OccurrenceId) -> StoreResult<Option<RoomSummary>> {
        let row: Option<(i64, i64)> = query(SUMMARY)
            .bind(occurrence.as_str())
            .fetch_optional(self.db())
            .await?;
        Ok(row.map(|(present, spoken)| RoomSummary {
            present: u32::try_from(present).unwrap_or_default(),
            spoken_seconds: u64::try_from(spoken).unwrap_or_default(),
        }))
    }

    async fn room_settings(&self, group: GroupId) -> StoreResult<RoomSettings> {
        let (turn, opens, closes, keep): (i64, i64, i64, i64) =
            query(SETTINGS).bind(group.0).fetch_one(self.db()).await?;
        let number = |n: i64| u32::try_from(n).map_err(|_| StoreError::corrupt("room setting"));
        Ok(RoomSettings {
            turn_seconds: number(turn)?,
            opens_minutes: number(opens)?,
            closes_minutes: number(closes)?,
            keep_totals: keep != 0,
        })
    }

    async fn set_room_settings(&self, group: GroupId, settings: RoomSettings) -> StoreResult<()> {
        query(SET_SETTINGS)
            .bind(group.0)
            .bind(i64::from(settings.turn_seconds))
            .bind(i64::from(settings.opens_minutes))
            .bind(i64::from(settings.closes_minutes))
            .bind(i64::from(settings.keep_totals))
            .execute(self.db())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jiff::civil::Weekday;
    use kith_domain::group::ListingStatus;

    use super::*;
    use crate::Store;
    use crate::testing::{group, insert, now};

    fn entry<'a>(seq: i64, client_id: &'a str) -> NewLogEntry<'a> {
        NewLogEntry {
            seq,
            actor: "willow",
            client_id,
            command: "{}",
            events: "[]",
            at_ms: seq * 1000,
        }
    }

    crate::on_both_backends!(
        a_room_log_takes_each_place_and_id_once_and_nothing_after_closing,
        |store: Arc<dyn Store>| async move {
            let slug = insert(
                &store,
                &[group("Log", "UTC", &[Weekday::Monday], "10:00")],
                ListingStatus::Listed,
            )
            .await
            .remove(0);
            let meeting = store
                .upcoming_occurrences(&slug, now(), 1)
                .await
                .expect("store")
                .remove(0)
                .id;
            assert_eq!(
                store
                    .append_room_command(&meeting, &entry(1, "a"))
                    .await
                    .expect("store"),
                Appended::Done
            );
            assert_eq!(
                store
                    .append_room_command(&meeting, &entry(2, "a"))
                    .await
                    .expect("store"),
                Appended::Repeated(1),
                "a resend gets the first place"
            );
            assert_eq!(
                store
                    .append_room_command(&meeting, &entry(1, "b"))
                    .await
                    .expect("store"),
                Appended::Taken
            );
            assert_eq!(
                store
                    .room_log_after(&meeting, 0)
                    .await
                    .expect("store")
                    .len(),
                1
            );
            assert_eq!(
                store
                    .room_command_seen(&meeting, "willow", "a")
                    .await
                    .expect("store"),
                Some(1)
            );

            let summary = RoomSummary {
                present: 3,
                spoken_seconds: 600,
            };
            store
                .close_room(&meeting, summary, now())
                .await
                .expect("store");
            assert!(store.room_log(&meeting).await.expect("store").is_empty());
            assert_eq!(
                store
                    .append_room_command(&meeting, &entry(2, "c"))
                    .await
                    .expect("store"),
                Appended::Closed
            );
            assert_eq!(
                store.room_summary(&meeting).await.expect("store"),
                None,
                "totals are kept only when the group asks"
            );
        }
    );

    crate::on_both_backends!(
        room_settings_round_trip,
        |store: Arc<dyn Store>| async move {
            insert(
                &store,
                &[group("Settings", "UTC", &[Weekday::Monday], "10:00")],
                ListingStatus::Listed,
            )
            .await;
            let id = kith_domain::ids::GroupId(1);
            let settings = RoomSettings {
                turn_seconds: 240,
                opens_minutes: 5,
                closes_minutes: 45,
                keep_totals: true,
            };
            store.set_room_settings(id, settings).await.expect("store");
            assert_eq!(store.room_settings(id).await.expect("store"), settings);
            assert!(matches!(
                store.room_settings(kith_domain::ids::GroupId(99)).await,
                Err(crate::StoreError::NotFound)
            ));
        }
    );
}
