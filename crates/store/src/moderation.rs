//! What moderators decide and read: a group's listing status (a
//! compare-and-set on the status the decider saw), the review queue and
//! the log of changes to listed groups' public text. [`ModerationStore`]
//! and its one implementation for both backends (`imp`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::group::ListingStatus;
use kith_domain::ids::{GroupId, Slug};

use crate::StoreResult;
use crate::mail::Notices;
use crate::model::AuditEntry;

/// A listing waiting for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    /// Its slug.
    pub slug: Slug,
    /// Its name.
    pub name: String,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// Its hosts' handles.
    pub hosts: Vec<String>,
    /// What it says about itself (Markdown), for the moderator to read first.
    pub description: String,
    /// Its agreements (Markdown).
    pub agreements: String,
}

/// A change to a listed group's public text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    /// The group's slug.
    pub slug: Slug,
    /// The group's name now.
    pub name: String,
    /// Who changed it, if the account still exists.
    pub handle: Option<String>,
    /// When.
    pub changed_at: Timestamp,
    /// What changed: JSON `{field: {"before": …, "after": …}}`.
    pub changes: String,
}

/// A listing's status, from what the decider read to what they decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    /// The status the decider read; the change is `Stale` if it moved on.
    pub from: ListingStatus,
    /// The status decided.
    pub to: ListingStatus,
}

impl StatusChange {
    /// From `from` to `to`.
    pub fn new(from: ListingStatus, to: ListingStatus) -> Self {
        Self { from, to }
    }
}

/// Listing decisions and what moderators read before making them.
#[async_trait]
pub trait ModerationStore {
    /// Changes a group's status as `change` says, with its note, audit row
    /// and the mail `notices` makes, in one transaction; `Stale` (nothing
    /// written) when its status is no longer `change.from`, so two
    /// deciders never both win. Going to `pending` marks it submitted now.
    async fn set_group_status(
        &self,
        id: GroupId,
        change: StatusChange,
        review_note: Option<&str>,
        audit: Option<&AuditEntry<'_>>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Pending listings, oldest first.
    async fn moderation_queue(&self, limit: u32) -> StoreResult<Vec<QueueItem>>;

    /// Recent changes to listed groups' public text, newest first.
    async fn recent_group_changes(&self, limit: u32) -> StoreResult<Vec<ChangeRecord>>;
}

pub(crate) const SET_STATUS: &str = "UPDATE groups SET status = $2, review_note = $3,
    submitted_at = CASE WHEN $2 = 'pending' THEN $4 ELSE submitted_at END, updated_at = $4
WHERE id = $1 AND status = $5";
pub(crate) const QUEUE: &str =
    "SELECT g.id, g.slug, g.name, COALESCE(g.submitted_at, g.created_at),
g.description, g.agreements
FROM groups g WHERE g.status = 'pending'
ORDER BY COALESCE(g.submitted_at, g.created_at), g.id LIMIT $1";
pub(crate) const RECENT_CHANGES: &str = "SELECT g.slug, g.name, a.handle, c.changed_at, c.changes
FROM group_changes c JOIN groups g ON g.id = c.group_id
LEFT JOIN accounts a ON a.id = c.account_id
ORDER BY c.changed_at DESC, c.id DESC LIMIT $1";

mod imp;
