//! What hosts change: a group in any status with its private fields, its
//! edits, its co-hosts, closing it, and a host's own list of groups.
//! [`HostingStore`] and its one implementation for both backends (`imp`).
//! Listing decisions are in [`moderation`](crate::moderation), requests to
//! host an imported group in [`claims`](crate::claims).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::group::{GroupProfile, ListingStatus, NewGroup, PrivateDetails};
use kith_domain::ids::{GroupId, Slug};
use kith_domain::schedule::PlannedOccurrence;

use crate::StoreResult;
use crate::mail::Notices;
use crate::model::AccountId;
use crate::sql::parse_status;

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

/// What hosts change about their groups.
#[async_trait]
pub trait HostingStore {
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
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Saves several edits as `update_group` does, all in one transaction;
    /// `NotFound` (and nothing saved) when one of the groups is gone.
    async fn update_groups(
        &self,
        updates: &[(GroupId, GroupUpdate<'_>)],
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Adds a co-host; `Conflict` when they host it already.
    async fn add_host(&self, id: GroupId, account: AccountId) -> StoreResult<()>;

    /// Deletes a group with everything that hangs on it: rules, meetings,
    /// requests and their threads, invitations, RSVPs. `NotFound` when it
    /// is gone already. The mail `notices` makes is written first, in the
    /// same transaction (it hangs on no group, so it stays); answers how
    /// many mails.
    async fn close_group(
        &self,
        id: GroupId,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<usize>;

    /// The groups an account hosts, in any status, by name.
    async fn groups_hosted_by(&self, account: AccountId) -> StoreResult<Vec<HostedGroup>>;
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
pub(crate) const HOSTED_BY: &str = "SELECT g.slug, g.name, g.status, g.review_note
FROM group_hosts h JOIN groups g ON g.id = h.group_id
WHERE h.account_id = $1 ORDER BY g.sort_name, g.id";
mod imp;
