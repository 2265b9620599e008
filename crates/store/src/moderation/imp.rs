//! The one implementation of [`ModerationStore`], for both backends. Every
//! decision writes its audit row in the same transaction as the change.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, Slug};

use super::{
    ChangeRecord, ModerationStore, QUEUE, QueueItem, RECENT_CHANGES, SET_STATUS, StatusChange,
};
use crate::audit::insert_audit;
use crate::db::query;
use crate::mail::Notices;
use crate::mail::notices::write_notices;
use crate::model::AuditEntry;
use crate::sql::GROUP_HOSTS;
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

#[async_trait]
impl ModerationStore for SqlStore {
    async fn set_group_status(
        &self,
        id: GroupId,
        change: StatusChange,
        review_note: Option<&str>,
        audit: Option<&AuditEntry<'_>>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let done = query(SET_STATUS)
            .bind(id.0)
            .bind(change.to.code())
            .bind(review_note)
            .bind(now)
            .bind(change.from.code())
            .execute(&mut tx)
            .await?;
        if done == 0 {
            return Err(StoreError::Stale);
        }
        if let Some(audit) = audit {
            insert_audit(&mut tx, audit, now).await?;
        }
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await
    }

    async fn moderation_queue(&self, limit: u32) -> StoreResult<Vec<QueueItem>> {
        let rows: Vec<(i64, String, String, i64, String, String)> = query(QUEUE)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for (id, slug, name, submitted_at, description, agreements) in rows {
            let hosts: Vec<String> = query(GROUP_HOSTS).bind(id).scalars(self.db()).await?;
            items.push(QueueItem {
                slug: Slug::from_trusted(slug),
                name,
                submitted_at: from_seconds(submitted_at)?,
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
                    changed_at: from_seconds(changed_at)?,
                    changes,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
