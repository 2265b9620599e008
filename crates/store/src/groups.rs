//! Groups as the public directory and the feeds read them, and new groups
//! going in: the [`GroupStore`] trait, implemented once for both backends
//! in `imp`. What hosts and moderators change about a group is in
//! [`hosting`](crate::hosting).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::group::GroupProfile;
use kith_domain::ids::Slug;

use crate::StoreResult;
use crate::model::{DirectoryHit, DirectorySearch, FeedGroup, GroupDraft};

mod imp;

/// Reading listed groups and writing new ones.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// How many groups exist, in any status.
    async fn count_groups(&self) -> StoreResult<u64>;

    /// Inserts groups with their rules, hosts and first occurrences, all in
    /// one transaction and a few multi-row statements; answers their slugs
    /// in order. `Conflict` when a slug is taken (nothing is inserted).
    async fn insert_groups(
        &self,
        drafts: &[GroupDraft<'_>],
        now: Timestamp,
    ) -> StoreResult<Vec<Slug>>;

    /// A listed group's public profile; `NotFound` for any other status.
    async fn listed_group(&self, slug: &Slug) -> StoreResult<GroupProfile>;

    /// Every listed group with its schedule, by name: two queries, however
    /// many groups.
    async fn listed_groups_for_feed(&self) -> StoreResult<Vec<FeedGroup>>;

    /// When a listed group last changed; `NotFound` for any other status.
    async fn listed_group_changed_at(&self, slug: &Slug) -> StoreResult<Timestamp>;

    /// One page of the directory.
    async fn search_directory(&self, search: &DirectorySearch) -> StoreResult<Vec<DirectoryHit>>;
}
