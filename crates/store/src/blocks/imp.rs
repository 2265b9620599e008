//! The one implementation of [`BlockStore`], for both backends.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{BETWEEN, BLOCK, BLOCKS_OF, BY_ANY, BlockRecord, BlockStore, HIDDEN_AUTHORS, UNBLOCK};
use crate::db::query;
use crate::model::AccountId;
use crate::sql_store::SqlStore;
use crate::{StoreResult, from_seconds};

#[async_trait]
impl BlockStore for SqlStore {
    async fn block(
        &self,
        blocker: AccountId,
        blocked: AccountId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = query(BLOCK)
            .bind(blocker.0)
            .bind(blocked.0)
            .bind(now)
            .execute(self.db())
            .await?;
        Ok(done > 0)
    }

    async fn unblock(&self, blocker: AccountId, blocked: AccountId) -> StoreResult<bool> {
        let done = query(UNBLOCK)
            .bind(blocker.0)
            .bind(blocked.0)
            .execute(self.db())
            .await?;
        Ok(done > 0)
    }

    async fn blocks_of(&self, blocker: AccountId) -> StoreResult<Vec<BlockRecord>> {
        let rows: Vec<(i64, String, i64)> = query(BLOCKS_OF)
            .bind(blocker.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(account, handle, at)| {
                Ok(BlockRecord {
                    account: AccountId(account),
                    handle,
                    created_at: from_seconds(at)?,
                })
            })
            .collect()
    }

    async fn blocked_between(&self, a: AccountId, b: AccountId) -> StoreResult<bool> {
        let count: i64 = query(BETWEEN).bind(a.0).bind(b.0).scalar(self.db()).await?;
        Ok(count > 0)
    }

    async fn blocked_by_any(
        &self,
        blocked: AccountId,
        blockers: &[AccountId],
    ) -> StoreResult<bool> {
        if blockers.is_empty() {
            return Ok(false);
        }
        let mut statement = query(BY_ANY).bind(blocked.0);
        statement.push_list(blockers.iter().map(|b| b.0));
        statement.push(")");
        let count: i64 = statement.scalar(self.db()).await?;
        Ok(count > 0)
    }

    async fn hidden_authors_for(&self, viewer: AccountId) -> StoreResult<Vec<AccountId>> {
        let ids: Vec<i64> = query(HIDDEN_AUTHORS)
            .bind(viewer.0)
            .scalars(self.db())
            .await?;
        Ok(ids.into_iter().map(AccountId).collect())
    }
}

#[cfg(test)]
mod tests;
