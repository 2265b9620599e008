//! Groups as the public directory and the feeds read them, and new groups
//! going in: the [`GroupStore`] trait, implemented once for both backends
//! in `imp`. What hosts change about a group is in
//! [`hosting`](crate::hosting), what moderators decide in
//! [`moderation`](crate::moderation).

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::group::{GroupProfile, NewGroup};
use kith_domain::ids::Slug;
use kith_domain::text;

use crate::StoreResult;
use crate::mail::Notices;
use crate::model::{DirectoryHit, DirectorySearch, FeedGroup, GroupDraft, IndexState};

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
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<Vec<Slug>>;

    /// A listed group's public profile; `NotFound` for any other status.
    async fn listed_group(&self, slug: &Slug) -> StoreResult<GroupProfile>;

    /// Every listed group with its schedule, by name: two queries, however
    /// many groups.
    async fn listed_groups_for_feed(&self) -> StoreResult<Vec<FeedGroup>>;

    /// When a listed group last changed; `NotFound` for any other status.
    async fn listed_group_changed_at(&self, slug: &Slug) -> StoreResult<Timestamp>;

    /// One page of the directory: from the in-memory index once it is
    /// built, from the database before (or when it is never started).
    async fn search_directory(&self, search: &DirectorySearch) -> StoreResult<Vec<DirectoryHit>>;

    /// Builds the directory's in-memory index in the background and keeps
    /// it current, reading changes at least every `poll`. For a serving
    /// process; a command that only writes has no use for one.
    fn start_directory_index(&self, poll: Duration);

    /// Waits until the directory index answers searches.
    async fn directory_index_ready(&self);

    /// What the directory index holds.
    fn directory_index_state(&self) -> IndexState;
}

/// The derived columns a group is stored with.
pub(crate) struct GroupColumns {
    pub sort_name: String,
    pub focus_mask: i64,
    pub attribute_mask: i64,
    pub language_primary: String,
    pub region_key: Option<String>,
    pub city_key: Option<String>,
    pub search_text: String,
}

impl GroupColumns {
    pub(crate) fn of(group: &NewGroup) -> Self {
        let p = &group.profile;
        let place = &p.place;
        Self {
            sort_name: text::place_key(&p.name),
            focus_mask: p.focus.iter().fold(0, |m, f| m | f.bit()),
            attribute_mask: p.attributes.iter().fold(0, |m, a| m | a.bit()),
            language_primary: p.language.split('-').next().unwrap_or_default().to_owned(),
            region_key: place.region.as_deref().map(text::place_key),
            city_key: place.city.as_deref().map(text::place_key),
            search_text: text::search_text(
                [
                    Some(p.name.as_str()),
                    Some(p.description.as_str()),
                    place.region.as_deref(),
                    place.city.as_deref(),
                ]
                .into_iter()
                .flatten(),
            ),
        }
    }
}
