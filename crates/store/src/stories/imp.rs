//! The one implementation of [`StoryStore`], for both backends. Every
//! change compares the status and version its caller read; a decision
//! writes its audit row and mail in the same transaction.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::StoryId;
use kith_domain::story::{StoryStatus, StoryText};

use super::{
    DECLINE, EDIT_REVISION, EDIT_TEXT, INSERT, PUBLISH, StoryDecision, StoryRecord, StorySeen,
    StoryStore, WITHDRAW, by_author, by_public_id, published, queue,
};
use crate::audit::insert_audit;
use crate::db::query;
use crate::mail::Notices;
use crate::mail::notices::write_notices;
use crate::model::{AccountId, AuditEntry};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

#[derive(sqlx::FromRow)]
struct StoryRow {
    id: i64,
    public_id: String,
    author_id: i64,
    handle: String,
    title: String,
    body: String,
    anonymous: i64,
    status: String,
    review_note: Option<String>,
    version: i64,
    created_at: i64,
    submitted_at: i64,
    published_at: Option<i64>,
    revision_title: Option<String>,
    revision_body: Option<String>,
    revision_anonymous: Option<i64>,
}

impl TryFrom<StoryRow> for StoryRecord {
    type Error = StoreError;

    fn try_from(row: StoryRow) -> StoreResult<Self> {
        let revision = match (
            row.revision_title,
            row.revision_body,
            row.revision_anonymous,
        ) {
            (Some(title), Some(body), Some(anonymous)) => Some(StoryText {
                title,
                body,
                anonymous: anonymous != 0,
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id,
            public_id: StoryId::from_trusted(row.public_id),
            author_id: AccountId(row.author_id),
            author_handle: row.handle,
            text: StoryText {
                title: row.title,
                body: row.body,
                anonymous: row.anonymous != 0,
            },
            status: StoryStatus::parse(&row.status)
                .ok_or_else(|| StoreError::corrupt("story status"))?,
            review_note: row.review_note,
            version: row.version,
            created_at: from_seconds(row.created_at)?,
            submitted_at: from_seconds(row.submitted_at)?,
            published_at: row.published_at.map(from_seconds).transpose()?,
            revision,
        })
    }
}

fn records(rows: Vec<StoryRow>) -> StoreResult<Vec<StoryRecord>> {
    rows.into_iter().map(StoryRecord::try_from).collect()
}

/// `Stale` when a compare-and-set changed nothing.
fn changed(rows: u64) -> StoreResult<()> {
    if rows == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

#[async_trait]
impl StoryStore for SqlStore {
    async fn create_story(
        &self,
        public_id: &StoryId,
        author: AccountId,
        text: &StoryText,
        status: StoryStatus,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let mut tx = self.db().begin().await?;
        let published_at = (status == StoryStatus::Published).then_some(now);
        let id: i64 = query(INSERT)
            .bind(public_id.as_str())
            .bind(author.0)
            .bind(text.title.as_str())
            .bind(text.body.as_str())
            .bind(i64::from(text.anonymous))
            .bind(status.code())
            .bind(now)
            .bind(published_at)
            .scalar(&mut tx)
            .await?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn story(&self, id: &StoryId) -> StoreResult<StoryRecord> {
        let row: Option<StoryRow> = query(by_public_id())
            .bind(id.as_str())
            .fetch_optional(self.db())
            .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    async fn published_stories(&self, limit: u32, offset: u32) -> StoreResult<Vec<StoryRecord>> {
        records(
            query(published())
                .bind(i64::from(limit))
                .bind(i64::from(offset))
                .fetch_all(self.db())
                .await?,
        )
    }

    async fn stories_by(&self, author: AccountId) -> StoreResult<Vec<StoryRecord>> {
        records(
            query(by_author())
                .bind(author.0)
                .fetch_all(self.db())
                .await?,
        )
    }

    async fn story_queue(&self, limit: u32) -> StoreResult<Vec<StoryRecord>> {
        records(
            query(queue())
                .bind(i64::from(limit))
                .fetch_all(self.db())
                .await?,
        )
    }

    async fn edit_story(
        &self,
        seen: StorySeen,
        to: StoryStatus,
        text: &StoryText,
        revision: bool,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let done = query(if revision { EDIT_REVISION } else { EDIT_TEXT })
            .bind(seen.id)
            .bind(seen.status.code())
            .bind(seen.version)
            .bind(text.title.as_str())
            .bind(text.body.as_str())
            .bind(i64::from(text.anonymous))
            .bind(to.code())
            .bind(now)
            .execute(&mut tx)
            .await?;
        changed(done)?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await
    }

    async fn withdraw_story(&self, seen: StorySeen, now: Timestamp) -> StoreResult<()> {
        let done = query(WITHDRAW)
            .bind(seen.id)
            .bind(seen.status.code())
            .bind(seen.version)
            .bind(now)
            .execute(self.db())
            .await?;
        changed(done)
    }

    async fn decide_story(
        &self,
        seen: StorySeen,
        decision: &StoryDecision<'_>,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let change = query(if decision.publish { PUBLISH } else { DECLINE })
            .bind(seen.id)
            .bind(seen.status.code())
            .bind(seen.version)
            .bind(decision.to.code())
            .bind(now);
        let change = if decision.publish {
            change
        } else {
            change.bind(decision.note)
        };
        changed(change.execute(&mut tx).await?)?;
        insert_audit(&mut tx, audit, now).await?;
        write_notices(&mut tx, notices, &(), now).await?;
        tx.commit().await
    }
}

#[cfg(test)]
mod tests;
