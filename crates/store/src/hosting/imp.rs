//! The one implementation of [`HostingStore`], for both backends. Edits of
//! many groups go in one transaction, their new schedules in multi-row
//! statements (see `bulk`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, Slug};

use super::{
    ANY_GROUP, AccessRow, CLOSE_GROUP, DELETE_RULES, GROUP_ACCESS, GroupAccess, GroupUpdate,
    HOST_IDS, HOSTED_BY, HostedGroup, HostingStore, INSERT_CHANGE, ManagedGroup, PRIVATE_FIELDS,
    PrivateRow, UPDATE_GROUP, UPDATE_OCCURRENCE_SORT_NAME,
};
use crate::bulk::{self, NewSchedule};
use crate::db::{Tx, query};
use crate::groups::GroupColumns;
use crate::mail::Notices;
use crate::mail::notices::write_notices;
use crate::model::AccountId;
use crate::sql::{
    GROUP_HOSTS, GROUP_RULES, GroupRow, INSERT_HOST, IS_HOST, NEXT_HOST_POSITION, RuleRow,
    SET_OCCURRENCES_UNTIL, parse_status,
};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

#[async_trait]
impl HostingStore for SqlStore {
    async fn group_access(&self, slug: &Slug) -> StoreResult<GroupAccess> {
        let row: AccessRow = query(GROUP_ACCESS)
            .bind(slug.as_str())
            .fetch_one(self.db())
            .await?;
        let hosts: Vec<i64> = query(HOST_IDS).bind(row.id).scalars(self.db()).await?;
        row.into_access(hosts)
    }

    async fn managed_group(&self, slug: &Slug) -> StoreResult<ManagedGroup> {
        let access = self.group_access(slug).await?;
        let id = access.id.0;
        let row: GroupRow = query(ANY_GROUP).bind(id).fetch_one(self.db()).await?;
        let rules: Vec<RuleRow> = query(GROUP_RULES).bind(id).fetch_all(self.db()).await?;
        let hosts: Vec<String> = query(GROUP_HOSTS).bind(id).scalars(self.db()).await?;
        let private: PrivateRow = query(PRIVATE_FIELDS).bind(id).fetch_one(self.db()).await?;
        let updated_at = from_seconds(private.updated_at)?;
        Ok(ManagedGroup {
            access,
            profile: row.into_profile(rules, hosts)?,
            private: private.into(),
            updated_at,
        })
    }

    async fn managed_groups(&self, slugs: &[Slug]) -> StoreResult<Vec<ManagedGroup>> {
        bulk::read_managed_groups(self.db(), slugs).await
    }

    async fn update_group(
        &self,
        id: GroupId,
        update: &GroupUpdate<'_>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        save_edits(&mut tx, &[(id, update.clone())], now).await?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await
    }

    async fn update_groups(
        &self,
        updates: &[(GroupId, GroupUpdate<'_>)],
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        save_edits(&mut tx, updates, now).await?;
        tx.commit().await
    }

    async fn close_group(
        &self,
        id: GroupId,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<usize> {
        let mut tx = self.db().begin().await?;
        // Before the delete: the audience is the members it deletes.
        let told = write_notices(&mut tx, notices, &(), now).await?;
        query(CLOSE_GROUP)
            .bind(id.0)
            .execute_or_not_found(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(told)
    }

    async fn add_host(&self, id: GroupId, account: AccountId) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let already: i64 = query(IS_HOST)
            .bind(id.0)
            .bind(account.0)
            .scalar(&mut tx)
            .await?;
        if already > 0 {
            return Err(StoreError::Conflict { what: "host" });
        }
        let position: i64 = query(NEXT_HOST_POSITION).bind(id.0).scalar(&mut tx).await?;
        query(INSERT_HOST)
            .bind(id.0)
            .bind(account.0)
            .bind(position)
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn groups_hosted_by(&self, account: AccountId) -> StoreResult<Vec<HostedGroup>> {
        let rows: Vec<(String, String, String, Option<String>)> = query(HOSTED_BY)
            .bind(account.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(slug, name, status, review_note)| {
                Ok(HostedGroup {
                    slug: Slug::from_trusted(slug),
                    name,
                    status: parse_status(&status)?,
                    review_note,
                })
            })
            .collect()
    }
}

/// Writes one group's edit inside `update_groups`' transaction: its row,
/// the sort name its meetings carry, its old rules when the schedule
/// changed (the caller inserts the new ones with everyone's), and its
/// change-log row. `NotFound` when the group is gone.
/// Saves edits inside `tx`: each group's row, then the new rules and
/// meetings of every group whose schedule changed, in a few multi-row
/// statements.
async fn save_edits(
    tx: &mut Tx,
    updates: &[(GroupId, GroupUpdate<'_>)],
    now: Timestamp,
) -> StoreResult<()> {
    let columns: Vec<GroupColumns> = updates
        .iter()
        .map(|(_, update)| GroupColumns::of(update.group))
        .collect();
    let mut schedules = Vec::new();
    for ((id, update), columns) in updates.iter().zip(&columns) {
        save_edit(tx, *id, update, columns, now).await?;
        if let Some(occurrences) = update.occurrences {
            schedules.push(NewSchedule {
                group: id.0,
                schedule: &update.group.profile.schedule,
                occurrences,
                sort_name: &columns.sort_name,
            });
        }
    }
    bulk::insert_schedules(tx, &schedules).await
}

async fn save_edit(
    tx: &mut Tx,
    id: GroupId,
    update: &GroupUpdate<'_>,
    columns: &GroupColumns,
    now: Timestamp,
) -> StoreResult<()> {
    let p = &update.group.profile;
    let private = &update.group.private;
    query(UPDATE_GROUP)
        .bind(id.0)
        .bind(&p.name)
        .bind(&columns.sort_name)
        .bind(&p.description)
        .bind(&p.agreements)
        .bind(p.facilitation.style.code())
        .bind(&p.facilitation.description)
        .bind(columns.focus_mask)
        .bind(columns.attribute_mask)
        .bind(p.format.code())
        .bind(&p.language)
        .bind(&columns.language_primary)
        .bind(p.place.country.as_deref())
        .bind(p.place.region.as_deref())
        .bind(p.place.city.as_deref())
        .bind(columns.region_key.as_deref())
        .bind(columns.city_key.as_deref())
        .bind(p.capacity.map(i64::from))
        .bind(p.schedule.zone.name())
        .bind(&columns.search_text)
        .bind(private.call_link.as_deref())
        .bind(private.dial_in.as_deref())
        .bind(private.street_address.as_deref())
        .bind(update.status.code())
        .bind(update.review_note)
        .bind(now)
        .bind(p.join.policy.code())
        .bind(&p.join.question)
        .bind(i64::from(p.join.publish_call_link))
        .bind(i64::from(p.join.members_visible))
        .execute_or_not_found(&mut *tx)
        .await?;
    // The directory's order reads the name copied into each occurrence.
    query(UPDATE_OCCURRENCE_SORT_NAME)
        .bind(id.0)
        .bind(&columns.sort_name)
        .execute(&mut *tx)
        .await?;
    if update.occurrences.is_some() {
        query(DELETE_RULES).bind(id.0).execute(&mut *tx).await?;
        query(SET_OCCURRENCES_UNTIL)
            .bind(id.0)
            .bind(update.occurrences_until)
            .execute(&mut *tx)
            .await?;
    }
    if let Some((account, changes)) = &update.change_log {
        query(INSERT_CHANGE)
            .bind(id.0)
            .bind(account.0)
            .bind(now)
            .bind(changes)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
