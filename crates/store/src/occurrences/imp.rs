//! The one implementation of [`OccurrenceStore`], for both backends.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::DateTime;
use kith_domain::ids::{GroupId, OccurrenceId, RuleId, SeriesId, Slug};
use kith_domain::schedule::{PlannedOccurrence, Schedule};

use super::{MeetingTimes, OccurrenceStore};
use crate::db::query;
use crate::mail::Notices;
use crate::mail::notices::write_notices;
use crate::model::{OccurrenceException, OccurrenceTime};
use crate::sql::{
    CANCEL_OCCURRENCE, GROUPS_DUE, OCCURRENCE_EXCEPTIONS, OCCURRENCE_RULE, OccurrenceRow,
    PRUNE_OCCURRENCES, RuleRow, SERIES_IDS, SET_OCCURRENCE_TIME, UPCOMING_OCCURRENCES, schedule,
};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, bulk};

/// A local date and time as stored.
fn local(raw: &str) -> StoreResult<DateTime> {
    raw.parse().map_err(|_| StoreError::corrupt("local time"))
}

#[async_trait]
impl OccurrenceStore for SqlStore {
    async fn cancel_occurrence(
        &self,
        group: GroupId,
        occurrence: &OccurrenceId,
        note: Option<&str>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(CANCEL_OCCURRENCE)
            .bind(occurrence.as_str())
            .bind(group.0)
            .bind(note)
            .bind(now)
            .execute_or_not_found(&mut tx)
            .await?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await
    }

    async fn occurrence_exceptions(&self, group: GroupId) -> StoreResult<Vec<OccurrenceException>> {
        let rows: Vec<(i64, String, i64, Option<String>)> = query(OCCURRENCE_EXCEPTIONS)
            .bind(group.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(rule, start, cancelled, moved_to)| {
                Ok(OccurrenceException {
                    rule: RuleId(rule),
                    local_start: local(&start)?,
                    cancelled: cancelled != 0,
                    moved_to: moved_to.as_deref().map(local).transpose()?,
                })
            })
            .collect()
    }

    async fn series_ids(&self, group: GroupId) -> StoreResult<Vec<(RuleId, SeriesId)>> {
        let rows: Vec<(i64, Option<String>)> =
            query(SERIES_IDS).bind(group.0).fetch_all(self.db()).await?;
        rows.into_iter()
            .map(|(rule, id)| {
                let id = id
                    .and_then(|id| SeriesId::parse(&id))
                    .ok_or_else(|| StoreError::corrupt("series id"))?;
                Ok((RuleId(rule), id))
            })
            .collect()
    }

    async fn occurrence_rule(
        &self,
        group: GroupId,
        occurrence: &OccurrenceId,
        now: Timestamp,
    ) -> StoreResult<(RuleId, DateTime)> {
        let (rule, start): (i64, String) = query(OCCURRENCE_RULE)
            .bind(occurrence.as_str())
            .bind(group.0)
            .bind(now)
            .fetch_one(self.db())
            .await?;
        let start = start
            .parse()
            .map_err(|_| StoreError::corrupt("local start"))?;
        Ok((RuleId(rule), start))
    }

    async fn set_occurrence_time(
        &self,
        group: GroupId,
        occurrence: &OccurrenceId,
        times: MeetingTimes,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(SET_OCCURRENCE_TIME)
            .bind(occurrence.as_str())
            .bind(group.0)
            .bind(times.moved_to.map(|m| m.to_string()))
            .bind(times.starts_at)
            .bind(times.ends_at)
            .execute_or_not_found(&mut tx)
            .await?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await
    }

    async fn upcoming_occurrences(
        &self,
        slug: &Slug,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OccurrenceTime>> {
        let rows: Vec<OccurrenceRow> = query(UPCOMING_OCCURRENCES)
            .bind(slug.as_str())
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(OccurrenceRow::into_time).collect()
    }

    async fn groups_due_for_occurrences(
        &self,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(GroupId, Schedule)>> {
        let due: Vec<(i64, String)> = query(GROUPS_DUE)
            .bind(until)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = query(bulk::RULES_OF_GROUPS);
        select.push_list(due.iter().map(|(id, _)| *id));
        select.push(") ORDER BY group_id, position");
        let rules: Vec<RuleRow> = select.fetch_all(self.db()).await?;
        let mut rules_of: HashMap<i64, Vec<RuleRow>> = HashMap::with_capacity(due.len());
        for rule in rules {
            rules_of.entry(rule.group_id).or_default().push(rule);
        }
        due.into_iter()
            .map(|(id, zone)| {
                let rules = rules_of.remove(&id).unwrap_or_default();
                Ok((GroupId(id), schedule(&zone, rules)?))
            })
            .collect()
    }

    async fn save_occurrences(
        &self,
        planned: &[(GroupId, Vec<PlannedOccurrence>)],
        from: Timestamp,
        until: Timestamp,
    ) -> StoreResult<()> {
        if planned.is_empty() {
            return Ok(());
        }
        let mut tx = self.db().begin().await?;
        bulk::save_occurrences(&mut tx, planned, from, until).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn prune_occurrences(&self, before: Timestamp) -> StoreResult<u64> {
        query(PRUNE_OCCURRENCES)
            .bind(before)
            .execute(self.db())
            .await
    }
}
