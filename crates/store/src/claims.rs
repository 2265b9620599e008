//! Requests to host an imported group: someone who runs it asks, and a
//! moderator decides. [`ClaimStore`] and its one implementation for both
//! backends (`imp`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, Slug};

use crate::StoreResult;
use crate::model::{AccountId, AuditEntry};

/// A request to host an imported group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    /// The claim's id.
    pub id: i64,
    /// The group's slug.
    pub slug: Slug,
    /// The group's name.
    pub name: String,
    /// Who asks.
    pub handle: String,
    /// Their message to the moderators.
    pub message: String,
    /// When they asked.
    pub created_at: Timestamp,
}

/// Requests to host a group, and their decisions.
#[async_trait]
pub trait ClaimStore {
    /// Records a request to host a group; `Conflict` when this person asked
    /// already.
    async fn create_claim(
        &self,
        group: GroupId,
        account: AccountId,
        message: &str,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Open requests to host a group, oldest first.
    async fn claims(&self, limit: u32) -> StoreResult<Vec<ClaimRecord>>;

    /// Decides a request in one transaction with its audit row: approved,
    /// the person becomes a host of the group. `NotFound` for an unknown
    /// request. Answers the group's slug.
    async fn decide_claim(
        &self,
        claim: i64,
        approve: bool,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<Slug>;
}

pub(crate) const INSERT_CLAIM: &str =
    "INSERT INTO group_claims (group_id, account_id, message, created_at) VALUES ($1, $2, $3, $4)";
pub(crate) const CLAIMS: &str = "SELECT c.id, g.slug, g.name, a.handle, c.message, c.created_at
FROM group_claims c JOIN groups g ON g.id = c.group_id JOIN accounts a ON a.id = c.account_id
ORDER BY c.created_at, c.id LIMIT $1";
pub(crate) const CLAIM: &str = "SELECT c.group_id, c.account_id, g.slug
FROM group_claims c JOIN groups g ON g.id = c.group_id WHERE c.id = $1";
/// Adds a host unless they host the group already.
pub(crate) const ADD_HOST_ONCE: &str = "INSERT INTO group_hosts (group_id, account_id, position)
VALUES ($1, $2, $3) ON CONFLICT (group_id, account_id) DO NOTHING";
pub(crate) const DELETE_CLAIM: &str = "DELETE FROM group_claims WHERE id = $1";

mod imp;
