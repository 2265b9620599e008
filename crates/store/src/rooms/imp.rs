//! The one implementation of [`super::RoomStore`], stamped out for each
//! backend by `impl_store!`; `$postgres` says whether appends are announced
//! with `pg_notify` and take turns on the meeting's row.

/// Implements [`RoomStore`] for a backend type with a `pool` field.
macro_rules! impl_rooms {
    ($ty:ty, $begin:expr, $postgres:expr) => {
        #[async_trait::async_trait]
        impl $crate::rooms::RoomStore for $ty {
            async fn room_log(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
            ) -> $crate::StoreResult<Vec<$crate::rooms::LoggedCommand>> {
                self.room_log_after(occurrence, 0).await
            }

            async fn room_log_after(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
                seq: i64,
            ) -> $crate::StoreResult<Vec<$crate::rooms::LoggedCommand>> {
                let rows: Vec<$crate::rooms::LogRow> = sqlx::query_as($crate::rooms::ROOM_LOG)
                    .bind(occurrence.as_str())
                    .bind(seq)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn append_room_command(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
                entry: &$crate::rooms::NewLogEntry<'_>,
            ) -> $crate::StoreResult<$crate::rooms::Appended> {
                let _turn = match self.room_append_turn() {
                    Some(queue) => Some(queue.lock().await),
                    None => None,
                };
                let mut tx = self.pool.begin_with($begin).await?;
                if $postgres {
                    sqlx::query($crate::rooms::LOCK_MEETING)
                        .bind(occurrence.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                let closed: i64 = sqlx::query_scalar($crate::rooms::IS_CLOSED)
                    .bind(occurrence.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                if closed > 0 {
                    return Ok($crate::rooms::Appended::Closed);
                }
                let done = sqlx::query($crate::rooms::APPEND)
                    .bind(occurrence.as_str())
                    .bind(entry.seq)
                    .bind(entry.actor)
                    .bind(entry.client_id)
                    .bind(entry.command)
                    .bind(entry.events)
                    .bind(entry.at_ms)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    let first: Option<i64> = sqlx::query_scalar($crate::rooms::SEEN)
                        .bind(occurrence.as_str())
                        .bind(entry.actor)
                        .bind(entry.client_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Ok(first.map_or(
                        $crate::rooms::Appended::Taken,
                        $crate::rooms::Appended::Repeated,
                    ));
                }
                if $postgres {
                    // Delivered to listeners when the transaction commits.
                    sqlx::query("SELECT pg_notify($1, $2)")
                        .bind($crate::rooms::ROOM_CHANNEL)
                        .bind(format!("{}:{}", occurrence.as_str(), entry.seq))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok($crate::rooms::Appended::Done)
            }

            async fn room_command_seen(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
                actor: &str,
                client_id: &str,
            ) -> $crate::StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar($crate::rooms::SEEN)
                    .bind(occurrence.as_str())
                    .bind(actor)
                    .bind(client_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn rooms_to_close(
                &self,
                before: jiff::Timestamp,
            ) -> $crate::StoreResult<Vec<kith_domain::ids::OccurrenceId>> {
                let ids: Vec<String> = sqlx::query_scalar($crate::rooms::TO_CLOSE)
                    .bind(before.as_second())
                    .fetch_all(&self.pool)
                    .await?;
                Ok(ids
                    .into_iter()
                    .map(kith_domain::ids::OccurrenceId::from_trusted)
                    .collect())
            }

            async fn close_room(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
                summary: $crate::rooms::RoomSummary,
                now: jiff::Timestamp,
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                if $postgres {
                    sqlx::query($crate::rooms::LOCK_MEETING)
                        .bind(occurrence.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query($crate::rooms::MARK_CLOSED)
                    .bind(occurrence.as_str())
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::rooms::KEEP_SUMMARY)
                    .bind(occurrence.as_str())
                    .bind(i64::from(summary.present))
                    .bind(i64::try_from(summary.spoken_seconds).unwrap_or(i64::MAX))
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($crate::rooms::DELETE_LOG)
                    .bind(occurrence.as_str())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn room_summary(
                &self,
                occurrence: &kith_domain::ids::OccurrenceId,
            ) -> $crate::StoreResult<Option<$crate::rooms::RoomSummary>> {
                let row: Option<(i64, i64)> = sqlx::query_as($crate::rooms::SUMMARY)
                    .bind(occurrence.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|(present, spoken)| $crate::rooms::RoomSummary {
                    present: u32::try_from(present).unwrap_or_default(),
                    spoken_seconds: u64::try_from(spoken).unwrap_or_default(),
                }))
            }

            async fn room_settings(
                &self,
                group: kith_domain::ids::GroupId,
            ) -> $crate::StoreResult<$crate::rooms::RoomSettings> {
                let (turn, opens, closes, keep): (i64, i64, i64, i64) =
                    sqlx::query_as($crate::rooms::SETTINGS)
                        .bind(group.0)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or($crate::StoreError::NotFound)?;
                let number = |n: i64| {
                    u32::try_from(n).map_err(|_| $crate::StoreError::corrupt("room setting"))
                };
                Ok($crate::rooms::RoomSettings {
                    turn_seconds: number(turn)?,
                    opens_minutes: number(opens)?,
                    closes_minutes: number(closes)?,
                    keep_totals: keep != 0,
                })
            }

            async fn set_room_settings(
                &self,
                group: kith_domain::ids::GroupId,
                settings: $crate::rooms::RoomSettings,
            ) -> $crate::StoreResult<()> {
                sqlx::query($crate::rooms::SET_SETTINGS)
                    .bind(group.0)
                    .bind(i64::from(settings.turn_seconds))
                    .bind(i64::from(settings.opens_minutes))
                    .bind(i64::from(settings.closes_minutes))
                    .bind(i64::from(settings.keep_totals))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_rooms;
