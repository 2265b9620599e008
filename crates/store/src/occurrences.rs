//! Meetings: materializing them from schedules, cancelling and moving one,
//! pruning the past — the [`OccurrenceStore`] trait, implemented once for
//! both backends in `imp`.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::DateTime;
use kith_domain::ids::{GroupId, OccurrenceId, RuleId, SeriesId, Slug};
use kith_domain::schedule::{PlannedOccurrence, Schedule};

use crate::StoreResult;
use crate::mail::Notices;
use crate::model::{OccurrenceException, OccurrenceTime};

mod imp;

/// Where a meeting is set: moved to a local start, or back to its rule's
/// (`moved_to: None`), with the instants it then starts and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingTimes {
    /// The local start it moves to, in the group's zone; `None` restores.
    pub moved_to: Option<DateTime>,
    /// When it starts.
    pub starts_at: Timestamp,
    /// When it ends.
    pub ends_at: Timestamp,
}

/// A group's meetings.
#[async_trait]
pub trait OccurrenceStore: Send + Sync {
    /// Cancels one of a group's meetings that has not ended, with a note
    /// (`set_occurrence_time` restores it) and the mail `notices` makes;
    /// `NotFound` when the group has no such meeting ahead.
    async fn cancel_occurrence(
        &self,
        group: GroupId,
        occurrence: &OccurrenceId,
        note: Option<&str>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// A group's cancelled and moved meetings.
    async fn occurrence_exceptions(&self, group: GroupId) -> StoreResult<Vec<OccurrenceException>>;

    /// The public, random id of each of a group's rules, by the rule's
    /// stored id: the `UID`s of its calendar series.
    async fn series_ids(&self, group: GroupId) -> StoreResult<Vec<(RuleId, SeriesId)>>;

    /// A group's meeting that has not ended: its rule and local start;
    /// `NotFound` otherwise.
    async fn occurrence_rule(
        &self,
        group: GroupId,
        occurrence: &OccurrenceId,
        now: Timestamp,
    ) -> StoreResult<(RuleId, DateTime)>;

    /// Sets a meeting's times: moved to `moved_to` (local), or back to its
    /// rule's (`None`); either way not cancelled. The mail `notices`
    /// makes is written with it.
    async fn set_occurrence_time(
        &self,
        group: GroupId,
        occurrence: &OccurrenceId,
        times: MeetingTimes,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The next meetings of a group, in any status, that end after `now`;
    /// the caller has checked that the reader may see the group.
    async fn upcoming_occurrences(
        &self,
        slug: &Slug,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OccurrenceTime>>;

    /// Groups whose occurrences are materialized only up to before `until`,
    /// with their schedules, at most `limit` of them.
    async fn groups_due_for_occurrences(
        &self,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(GroupId, Schedule)>>;

    /// Replaces each group's occurrences from `from` on with its planned
    /// ones, keeping the id (and any cancellation or move) of every
    /// occurrence whose rule and local start are unchanged, and records that
    /// occurrences now reach `until`: one transaction and a few multi-row
    /// statements for all the groups.
    async fn save_occurrences(
        &self,
        planned: &[(GroupId, Vec<PlannedOccurrence>)],
        from: Timestamp,
        until: Timestamp,
    ) -> StoreResult<()>;

    /// Deletes occurrences that ended before `before`; answers how many.
    async fn prune_occurrences(&self, before: Timestamp) -> StoreResult<u64>;
}
