//! What hosts and moderators change: a group in any status with its private
//! fields, edits, status changes, co-hosts, the review queue, the change log,
//! the audit log, the safety text and the site pages admins edit. [`HostingStore`] and its one
//! implementation for both backends (`imp`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::group::{GroupProfile, ListingStatus, NewGroup, PrivateDetails};
use kith_domain::ids::{GroupId, Slug};
use kith_domain::schedule::PlannedOccurrence;

use crate::model::{AccountId, AuditEntry};
use crate::{StoreError, StoreResult, from_seconds};

/// Who may do what to a group: its status and its hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupAccess {
    /// The internal id.
    pub id: GroupId,
    /// The listing status.
    pub status: ListingStatus,
    /// The hosts, first host first.
    pub hosts: Vec<AccountId>,
    /// The moderator's last note (a rejection's or an unlisting's reason).
    pub review_note: Option<String>,
    /// Where the reader's own request to join stands, when the caller
    /// looked it up (`None` otherwise, and for people who never asked).
    pub viewer_request: Option<kith_domain::membership::RequestState>,
}

/// A group as its hosts and moderators see it.
#[derive(Debug, Clone)]
pub struct ManagedGroup {
    /// Status and hosts.
    pub access: GroupAccess,
    /// Every public field, whatever the status.
    pub profile: GroupProfile,
    /// The private fields.
    pub private: PrivateDetails,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// An edit of a group.
#[derive(Debug, Clone)]
pub struct GroupUpdate<'a> {
    /// The new fields (its slug is ignored).
    pub group: &'a NewGroup,
    /// The status after the edit.
    pub status: ListingStatus,
    /// The moderator's note after the edit.
    pub review_note: Option<&'a str>,
    /// New occurrences when the schedule changed; `None` keeps the rules and
    /// their occurrences.
    pub occurrences: Option<&'a [PlannedOccurrence]>,
    /// How far new occurrences reach.
    pub occurrences_until: Timestamp,
    /// For the moderators' change log: who changed what (JSON).
    pub change_log: Option<(AccountId, String)>,
}

/// A group on a host's own list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedGroup {
    /// Its slug.
    pub slug: Slug,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: ListingStatus,
    /// The moderator's last note.
    pub review_note: Option<String>,
}

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

/// What hosts and moderators change.
#[async_trait]
pub trait HostingStore {
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

    /// A group's status and hosts, in any status.
    async fn group_access(&self, slug: &Slug) -> StoreResult<GroupAccess>;

    /// A group with its private fields, in any status.
    async fn managed_group(&self, slug: &Slug) -> StoreResult<ManagedGroup>;

    /// The groups with these slugs that exist, in any status and in no
    /// particular order, with their private fields: three queries per
    /// thousand slugs, for imports.
    async fn managed_groups(&self, slugs: &[Slug]) -> StoreResult<Vec<ManagedGroup>>;

    /// Saves an edit, its schedule's new occurrences and its change-log row
    /// in one transaction.
    async fn update_group(
        &self,
        id: GroupId,
        update: &GroupUpdate<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Saves several edits as `update_group` does, all in one transaction;
    /// `NotFound` (and nothing saved) when one of the groups is gone.
    async fn update_groups(
        &self,
        updates: &[(GroupId, GroupUpdate<'_>)],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Changes a group's status from `from` to `status`, with its note and
    /// audit row, in one transaction; `Stale` (nothing written) when its
    /// status is no longer `from`, so two deciders never both win. Going
    /// to `pending` marks it submitted now.
    async fn set_group_status(
        &self,
        id: GroupId,
        from: ListingStatus,
        status: ListingStatus,
        review_note: Option<&str>,
        audit: Option<&AuditEntry<'_>>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Adds a co-host; `Conflict` when they host it already.
    async fn add_host(&self, id: GroupId, account: AccountId) -> StoreResult<()>;

    /// Deletes a group with everything that hangs on it: rules, meetings,
    /// requests and their threads, invitations, RSVPs. `NotFound` when it
    /// is gone already.
    async fn close_group(&self, id: GroupId) -> StoreResult<()>;

    /// The groups an account hosts, in any status, by name.
    async fn groups_hosted_by(&self, account: AccountId) -> StoreResult<Vec<HostedGroup>>;

    /// Pending listings, oldest first.
    async fn moderation_queue(&self, limit: u32) -> StoreResult<Vec<QueueItem>>;

    /// Recent changes to listed groups' public text, newest first.
    async fn recent_group_changes(&self, limit: u32) -> StoreResult<Vec<ChangeRecord>>;

    /// The audit log, newest first.
    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditRecord>>;

    /// The operator's safety texts: (country or `default`, Markdown).
    async fn safety_texts(&self) -> StoreResult<Vec<(String, String)>>;

    /// Saves a safety text with its audit row.
    async fn save_safety_text(
        &self,
        country: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The operator's text of a site page (`about`), if they wrote one.
    async fn site_page(&self, name: &str) -> StoreResult<Option<String>>;

    /// Saves a site page's text with its audit row.
    async fn save_site_page(
        &self,
        name: &str,
        body: &str,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// Status, note and hosts of a group.
#[derive(sqlx::FromRow)]
pub(crate) struct AccessRow {
    pub id: i64,
    pub status: String,
    pub review_note: Option<String>,
}

impl AccessRow {
    /// The access, with the hosts read beside it (first host first).
    pub(crate) fn into_access(self, hosts: Vec<i64>) -> StoreResult<GroupAccess> {
        Ok(GroupAccess {
            id: GroupId(self.id),
            status: parse_status(&self.status)?,
            hosts: hosts.into_iter().map(AccountId).collect(),
            review_note: self.review_note,
            viewer_request: None,
        })
    }
}

/// The private columns.
#[derive(sqlx::FromRow)]
pub(crate) struct PrivateRow {
    pub call_link: Option<String>,
    pub dial_in: Option<String>,
    pub street_address: Option<String>,
    pub updated_at: i64,
}

impl From<PrivateRow> for PrivateDetails {
    fn from(row: PrivateRow) -> Self {
        Self {
            call_link: row.call_link,
            dial_in: row.dial_in,
            street_address: row.street_address,
        }
    }
}

/// A stored status code; a code the domain does not know is corruption.
pub(crate) fn parse_status(code: &str) -> StoreResult<ListingStatus> {
    ListingStatus::parse(code).ok_or_else(|| StoreError::corrupt("status"))
}

/// A stored time (unix seconds).
pub(crate) fn timestamp(seconds: i64) -> StoreResult<Timestamp> {
    from_seconds(seconds)
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
pub(crate) const CLOSE_GROUP: &str = "DELETE FROM groups WHERE id = $1";
pub(crate) const GROUP_ACCESS: &str = "SELECT id, status, review_note FROM groups WHERE slug = $1";
pub(crate) const HOST_IDS: &str =
    "SELECT account_id FROM group_hosts WHERE group_id = $1 ORDER BY position";
/// Every public column, whatever the status; for hosts and moderators only.
pub(crate) const ANY_GROUP: &str = "SELECT id, slug, name, description, agreements,
    facilitation_style, facilitation_description, focus_mask, attribute_mask, format, language,
    country, region, city, capacity, time_zone, status, source_url,
    join_policy, join_question, publish_call_link, members_visible
FROM groups WHERE id = $1";
pub(crate) const PRIVATE_FIELDS: &str =
    "SELECT call_link, dial_in, street_address, updated_at FROM groups WHERE id = $1";
pub(crate) const UPDATE_GROUP: &str = "UPDATE groups SET
    name = $2, sort_name = $3, description = $4, agreements = $5, facilitation_style = $6,
    facilitation_description = $7, focus_mask = $8, attribute_mask = $9, format = $10,
    language = $11, language_primary = $12, country = $13, region = $14, city = $15,
    region_key = $16, city_key = $17, capacity = $18, time_zone = $19, search_text = $20,
    call_link = $21, dial_in = $22, street_address = $23, status = $24, review_note = $25,
    submitted_at = CASE WHEN $24 = 'pending' AND status <> 'pending' THEN $26 ELSE submitted_at END,
    updated_at = $26, join_policy = $27, join_question = $28, publish_call_link = $29,
    members_visible = $30
WHERE id = $1";
pub(crate) const UPDATE_OCCURRENCE_SORT_NAME: &str =
    "UPDATE occurrences SET sort_name = $2 WHERE group_id = $1 AND sort_name <> $2";
pub(crate) const DELETE_RULES: &str = "DELETE FROM schedule_rules WHERE group_id = $1";
pub(crate) const INSERT_CHANGE: &str =
    "INSERT INTO group_changes (group_id, account_id, changed_at, changes) VALUES ($1, $2, $3, $4)";
pub(crate) const SET_STATUS: &str = "UPDATE groups SET status = $2, review_note = $3,
    submitted_at = CASE WHEN $2 = 'pending' THEN $4 ELSE submitted_at END, updated_at = $4
WHERE id = $1 AND status = $5";
pub(crate) const NEXT_HOST_POSITION: &str =
    "SELECT COALESCE(MAX(position) + 1, 0) FROM group_hosts WHERE group_id = $1";
pub(crate) const IS_HOST: &str =
    "SELECT COUNT(*) FROM group_hosts WHERE group_id = $1 AND account_id = $2";
pub(crate) const HOSTED_BY: &str = "SELECT g.slug, g.name, g.status, g.review_note
FROM group_hosts h JOIN groups g ON g.id = h.group_id
WHERE h.account_id = $1 ORDER BY g.sort_name, g.id";
pub(crate) const QUEUE: &str =
    "SELECT g.id, g.slug, g.name, COALESCE(g.submitted_at, g.created_at),
g.description, g.agreements
FROM groups g WHERE g.status = 'pending'
ORDER BY COALESCE(g.submitted_at, g.created_at), g.id LIMIT $1";
pub(crate) const HOST_HANDLES: &str = "SELECT a.handle FROM group_hosts h
JOIN accounts a ON a.id = h.account_id WHERE h.group_id = $1 ORDER BY h.position";
pub(crate) const RECENT_CHANGES: &str = "SELECT g.slug, g.name, a.handle, c.changed_at, c.changes
FROM group_changes c JOIN groups g ON g.id = c.group_id
LEFT JOIN accounts a ON a.id = c.account_id
ORDER BY c.changed_at DESC, c.id DESC LIMIT $1";
pub(crate) const AUDIT_LOG: &str = "SELECT at, actor_handle, action, target, reason
FROM audit_log ORDER BY at DESC, id DESC LIMIT $1";
pub(crate) const SAFETY_TEXTS: &str = "SELECT country, body FROM safety_texts ORDER BY country";
pub(crate) const SAVE_SAFETY_TEXT: &str = "INSERT INTO safety_texts (country, body, updated_at)
VALUES ($1, $2, $3) ON CONFLICT (country) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
pub(crate) const SITE_PAGE: &str = "SELECT body FROM site_pages WHERE name = $1";
pub(crate) const SAVE_SITE_PAGE: &str = "INSERT INTO site_pages (name, body, updated_at)
VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";

mod imp;
