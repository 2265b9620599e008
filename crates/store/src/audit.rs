//! The audit log: one row for every moderation or admin action, written
//! with `insert_audit` in the same transaction as the change it records,
//! and read back newest first. [`AuditStore`] and its one implementation
//! for both backends (`imp`).
//!
//! ```ignore
//! let mut tx = self.db().begin().await?;
//! // … the change …
//! crate::audit::insert_audit(&mut tx, &audit, now).await?;
//! tx.commit().await?;
//! ```

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;
use crate::db::{Tx, query};
use crate::model::AuditEntry;

/// One audit log row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub actor_handle: String,
    /// The action code.
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// The reason given.
    pub reason: String,
}

/// Reading the audit log.
#[async_trait]
pub trait AuditStore {
    /// The audit log, newest first.
    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditRecord>>;
}

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log
    (at, actor_id, actor_handle, action, target, reason) VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const AUDIT_LOG: &str = "SELECT at, actor_handle, action, target, reason
FROM audit_log ORDER BY at DESC, id DESC LIMIT $1";

/// Writes an audit row inside the transaction of the change it records.
pub(crate) async fn insert_audit(
    tx: &mut Tx,
    audit: &AuditEntry<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    query(INSERT_AUDIT)
        .bind(now)
        .bind(audit.actor.map(|a| a.0))
        .bind(audit.actor_handle)
        .bind(audit.action)
        .bind(&audit.target)
        .bind(audit.reason)
        .execute(tx)
        .await?;
    Ok(())
}

mod imp;
