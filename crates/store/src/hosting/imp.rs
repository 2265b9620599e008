//! The one implementation of [`HostingStore`], for both backends. Every
//! moderation decision writes its audit row in the same transaction as the
//! change, and a status change is a compare-and-set on the status the
//! decider saw.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::group::ListingStatus;
use kith_domain::ids::{GroupId, Slug};

use super::{
    ADD_HOST_ONCE, ANY_GROUP, AUDIT_LOG, AccessRow, AuditRecord, CLAIM, CLAIMS, CLOSE_GROUP,
    ChangeRecord, ClaimRecord, DELETE_CLAIM, DELETE_RULES, GROUP_ACCESS, GroupAccess, GroupUpdate,
    HOST_HANDLES, HOST_IDS, HOSTED_BY, HostedGroup, HostingStore, INSERT_CHANGE, INSERT_CLAIM,
    IS_HOST, ManagedGroup, NEXT_HOST_POSITION, PRIVATE_FIELDS, PrivateRow, QUEUE, QueueItem,
    RECENT_CHANGES, SAFETY_TEXTS, SAVE_SAFETY_TEXT, SAVE_SITE_PAGE, SET_STATUS, SITE_PAGE,
    UPDATE_GROUP, UPDATE_OCCURRENCE_SORT_NAME, parse_status, timestamp,
};
use crate::accounts::insert_audit;
use crate::bulk::{self, NewSchedule};
use crate::db::{Tx, query};
use crate::groups::GroupColumns;
use crate::model::{AccountId, AuditEntry};
use crate::sql::{GROUP_HOSTS, GROUP_RULES, GroupRow, INSERT_HOST, RuleRow, SET_OCCURRENCES_UNTIL};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult};

#[async_trait]
impl HostingStore for SqlStore {
    async fn create_claim(
        &self,
        group: GroupId,
        account: AccountId,
        message: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        query(INSERT_CLAIM)
            .bind(group.0)
            .bind(account.0)
            .bind(message)
            .bind(now)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn claims(&self, limit: u32) -> StoreResult<Vec<ClaimRecord>> {
        let rows: Vec<(i64, String, String, String, String, i64)> = query(CLAIMS)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(id, slug, name, handle, message, created_at)| {
                Ok(ClaimRecord {
                    id,
                    slug: Slug::from_trusted(slug),
                    name,
                    handle,
                    message,
                    created_at: timestamp(created_at)?,
                })
            })
            .collect()
    }

    async fn decide_claim(
        &self,
        claim: i64,
        approve: bool,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<Slug> {
        let mut tx = self.db().begin().await?;
        let (group, account, slug): (i64, i64, String) =
            query(CLAIM).bind(claim).fetch_one(&mut tx).await?;
        if approve {
            let position: i64 = query(NEXT_HOST_POSITION)
                .bind(group)
                .scalar(&mut tx)
                .await?;
            query(ADD_HOST_ONCE)
                .bind(group)
                .bind(account)
                .bind(position)
                .execute(&mut tx)
                .await?;
        }
        query(DELETE_CLAIM).bind(claim).execute(&mut tx).await?;
        insert_audit(&mut tx, audit, now).await?;
        tx.commit().await?;
        Ok(Slug::from_trusted(slug))
    }

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
        let updated_at = timestamp(private.updated_at)?;
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
        now: Timestamp,
    ) -> StoreResult<()> {
        self.update_groups(&[(id, update.clone())], now).await
    }

    async fn update_groups(
        &self,
        updates: &[(GroupId, GroupUpdate<'_>)],
        now: Timestamp,
    ) -> StoreResult<()> {
        let columns: Vec<GroupColumns> = updates
            .iter()
            .map(|(_, update)| GroupColumns::of(update.group))
            .collect();
        let mut schedules = Vec::new();
        let mut tx = self.db().begin().await?;
        for ((id, update), columns) in updates.iter().zip(&columns) {
            save_edit(&mut tx, *id, update, columns, now).await?;
            if let Some(occurrences) = update.occurrences {
                schedules.push(NewSchedule {
                    group: id.0,
                    schedule: &update.group.profile.schedule,
                    occurrences,
                    sort_name: &columns.sort_name,
                });
            }
        }
        // The new rules and meetings of every group whose schedule
        // changed, in a few multi-row statements.
        bulk::insert_schedules(&mut tx, &schedules).await?;
        tx.commit().await
    }

    async fn set_group_status(
        &self,
        id: GroupId,
        from: ListingStatus,
        status: ListingStatus,
        review_note: Option<&str>,
        audit: Option<&AuditEntry<'_>>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let done = query(SET_STATUS)
            .bind(id.0)
            .bind(status.code())
            .bind(review_note)
            .bind(now)
            .bind(from.code())
            .execute(&mut tx)
            .await?;
        if done == 0 {
            return Err(StoreError::Stale);
        }
        if let Some(audit) = audit {
            insert_audit(&mut tx, audit, now).await?;
        }
        tx.commit().await
    }

    async fn close_group(&self, id: GroupId) -> StoreResult<()> {
        let done = query(CLOSE_GROUP).bind(id.0).execute(self.db()).await?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
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

    async fn moderation_queue(&self, limit: u32) -> StoreResult<Vec<QueueItem>> {
        let rows: Vec<(i64, String, String, i64, String, String)> = query(QUEUE)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for (id, slug, name, submitted_at, description, agreements) in rows {
            let hosts: Vec<String> = query(HOST_HANDLES).bind(id).scalars(self.db()).await?;
            items.push(QueueItem {
                slug: Slug::from_trusted(slug),
                name,
                submitted_at: timestamp(submitted_at)?,
                hosts,
                description,
                agreements,
            });
        }
        Ok(items)
    }

    async fn recent_group_changes(&self, limit: u32) -> StoreResult<Vec<ChangeRecord>> {
        let rows: Vec<(String, String, Option<String>, i64, String)> = query(RECENT_CHANGES)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(slug, name, handle, changed_at, changes)| {
                Ok(ChangeRecord {
                    slug: Slug::from_trusted(slug),
                    name,
                    handle,
                    changed_at: timestamp(changed_at)?,
                    changes,
                })
            })
            .collect()
    }

    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        let rows: Vec<(i64, String, String, String, String)> = query(AUDIT_LOG)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(at, actor_handle, action, target, reason)| {
                Ok(AuditRecord {
                    at: timestamp(at)?,
                    actor_handle,
                    action,
                    target,
                    reason,
                })
            })
            .collect()
    }

    async fn safety_texts(&self) -> StoreResult<Vec<(String, String)>> {
        query(SAFETY_TEXTS).fetch_all(self.db()).await
    }

    async fn save_safety_text(
        &self,
        country: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(SAVE_SAFETY_TEXT)
            .bind(country)
            .bind(body)
            .bind(now)
            .execute(&mut tx)
            .await?;
        insert_audit(&mut tx, audit, now).await?;
        tx.commit().await
    }

    async fn site_page(&self, name: &str) -> StoreResult<Option<String>> {
        query(SITE_PAGE).bind(name).scalar_optional(self.db()).await
    }

    async fn save_site_page(
        &self,
        name: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(SAVE_SITE_PAGE)
            .bind(name)
            .bind(body)
            .bind(now)
            .execute(&mut tx)
            .await?;
        insert_audit(&mut tx, audit, now).await?;
        tx.commit().await
    }
}

/// Writes one group's edit inside `update_groups`' transaction: its row,
/// the sort name its meetings carry, its old rules when the schedule
/// changed (the caller inserts the new ones with everyone's), and its
/// change-log row. `NotFound` when the group is gone.
async fn save_edit(
    tx: &mut Tx,
    id: GroupId,
    update: &GroupUpdate<'_>,
    columns: &GroupColumns,
    now: Timestamp,
) -> StoreResult<()> {
    let p = &update.group.profile;
    let private = &update.group.private;
    let done = query(UPDATE_GROUP)
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
        .execute(&mut *tx)
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
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
