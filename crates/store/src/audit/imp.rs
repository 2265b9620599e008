//! The one implementation of [`AuditStore`], for both backends.

use async_trait::async_trait;

use super::{AUDIT_LOG, AuditRecord, AuditStore};
use crate::db::query;
use crate::sql_store::SqlStore;
use crate::{StoreResult, from_seconds};

#[async_trait]
impl AuditStore for SqlStore {
    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        let rows: Vec<(i64, String, String, String, String)> = query(AUDIT_LOG)
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter()
            .map(|(at, actor_handle, action, target, reason)| {
                Ok(AuditRecord {
                    at: from_seconds(at)?,
                    actor_handle,
                    action,
                    target,
                    reason,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
