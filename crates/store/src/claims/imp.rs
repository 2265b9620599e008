//! The one implementation of [`ClaimStore`], for both backends. A decision
//! writes its audit row in the same transaction as the change.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, Slug};

use super::{ADD_HOST_ONCE, CLAIM, CLAIMS, ClaimRecord, ClaimStore, DELETE_CLAIM, INSERT_CLAIM};
use crate::audit::insert_audit;
use crate::db::query;
use crate::model::{AccountId, AuditEntry};
use crate::sql::NEXT_HOST_POSITION;
use crate::sql_store::SqlStore;
use crate::{StoreResult, from_seconds};

#[async_trait]
impl ClaimStore for SqlStore {
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
                    created_at: from_seconds(created_at)?,
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
}

#[cfg(test)]
mod tests;
