//! Blocks between members: who blocked whom, read by the capabilities that
//! let one person write to or read another (request threads, comments,
//! stories). [`BlockStore`] and its one implementation for both backends
//! (`imp`). Nothing here tells a blocked person they are blocked.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;
use crate::model::AccountId;

/// One of a member's blocks, as they list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRecord {
    /// The blocked account.
    pub account: AccountId,
    /// Its handle.
    pub handle: String,
    /// Since when.
    pub created_at: Timestamp,
}

/// Blocking, unblocking and asking who blocked whom.
#[async_trait]
pub trait BlockStore {
    /// `blocker` blocks `blocked`; `false` when they had already.
    async fn block(
        &self,
        blocker: AccountId,
        blocked: AccountId,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Lifts a block; `false` when there was none.
    async fn unblock(&self, blocker: AccountId, blocked: AccountId) -> StoreResult<bool>;

    /// Whom `blocker` blocks, by handle.
    async fn blocks_of(&self, blocker: AccountId) -> StoreResult<Vec<BlockRecord>>;

    /// Whether either of the two blocks the other.
    async fn blocked_between(&self, a: AccountId, b: AccountId) -> StoreResult<bool>;

    /// Whether any of `blockers` blocks `blocked`.
    async fn blocked_by_any(&self, blocked: AccountId, blockers: &[AccountId])
    -> StoreResult<bool>;

    /// The accounts `viewer` blocks: whose comments and stories they no
    /// longer read.
    async fn hidden_authors_for(&self, viewer: AccountId) -> StoreResult<Vec<AccountId>>;
}

pub(crate) const BLOCK: &str = "INSERT INTO blocks (blocker_id, blocked_id, created_at)
VALUES ($1, $2, $3) ON CONFLICT (blocker_id, blocked_id) DO NOTHING";
pub(crate) const UNBLOCK: &str = "DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2";
pub(crate) const BLOCKS_OF: &str = "SELECT b.blocked_id, a.handle, b.created_at
FROM blocks b JOIN accounts a ON a.id = b.blocked_id
WHERE b.blocker_id = $1 ORDER BY a.handle_key, a.id";
pub(crate) const BETWEEN: &str = "SELECT COUNT(*) FROM blocks
WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)";
pub(crate) const BY_ANY: &str =
    "SELECT COUNT(*) FROM blocks WHERE blocked_id = $1 AND blocker_id IN (";
pub(crate) const HIDDEN_AUTHORS: &str =
    "SELECT blocked_id FROM blocks WHERE blocker_id = $1 ORDER BY blocked_id";

mod imp;
