//! What goes into the store and comes out of it, beyond the domain types.

use jiff::Timestamp;
use kith_domain::directory::Window;
use kith_domain::group::{Attribute, Focus, Format, ListingStatus, NewGroup, Place};
use kith_domain::ids::{OccurrenceId, Slug};
use kith_domain::schedule::PlannedOccurrence;

pub use kith_domain::ids::AccountId;

/// A group to insert, with everything computed around it.
#[derive(Debug, Clone)]
pub struct GroupDraft<'a> {
    /// The group; its `profile.slug` is used as given.
    pub group: &'a NewGroup,
    /// Its listing status.
    pub status: ListingStatus,
    /// Its hosts, in order.
    pub hosts: Vec<AccountId>,
    /// Its first occurrences, expanded from `group.profile.schedule`.
    pub occurrences: Vec<PlannedOccurrence>,
    /// How far those occurrences reach.
    pub occurrences_until: Timestamp,
}

/// One page of the directory, already validated and turned into windows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DirectorySearch {
    /// Normalised terms; every one must prefix-match a word.
    pub terms: Vec<String>,
    /// Any of these formats (empty: any).
    pub formats: Vec<Format>,
    /// Any of these focus kinds (empty: any).
    pub focus: Vec<Focus>,
    /// All of these attributes.
    pub attributes: Vec<Attribute>,
    /// A language tag; without a subtag it matches every subtag.
    pub language: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// A region's place key.
    pub region: Option<String>,
    /// A city's place key.
    pub city: Option<String>,
    /// Windows an occurrence's start must fall in (sorted, disjoint).
    pub windows: Vec<Window>,
    /// Now, in unix seconds: meetings must end after it.
    pub now: i64,
    /// Results to skip.
    pub offset: u32,
    /// Results to answer at most.
    pub limit: u32,
}

/// When one meeting happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceTime {
    /// Its public id.
    pub id: OccurrenceId,
    /// When it starts.
    pub starts_at: Timestamp,
    /// When it ends.
    pub ends_at: Timestamp,
    /// Whether a host cancelled it.
    pub cancelled: bool,
    /// The host's note about it, if any.
    pub note: Option<String>,
    /// Whether a host moved it from its rule's time.
    pub moved: bool,
}

/// A meeting that differs from its rule: cancelled, or moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceException {
    /// The rule it belongs to.
    pub rule: kith_domain::ids::RuleId,
    /// Its local start by the rule: its identity.
    pub local_start: jiff::civil::DateTime,
    /// Whether it is cancelled.
    pub cancelled: bool,
    /// Where a host moved it, in the group's zone.
    pub moved_to: Option<jiff::civil::DateTime>,
}

/// What an instance's directory index holds (`GroupStore::directory_index_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexState {
    /// Whether it answers searches (until then the database does).
    pub ready: bool,
    /// Listed groups held.
    pub groups: u64,
    /// Their meetings held.
    pub meetings: u64,
    /// How long the first build took, once it is done.
    pub build_millis: Option<u64>,
}

/// A directory result: a listed group and its next matching meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryHit {
    /// The group's slug.
    pub slug: Slug,
    /// Its name.
    pub name: String,
    /// How it meets.
    pub format: Format,
    /// What it is for.
    pub focus: Vec<Focus>,
    /// Its attributes.
    pub attributes: Vec<Attribute>,
    /// Its language tag.
    pub language: String,
    /// Where it meets.
    pub place: Place,
    /// Its own zone.
    pub time_zone: String,
    /// The next meeting that matches the filters.
    pub next: OccurrenceTime,
}

/// An audit row, written in the same transaction as the action it records.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Who acted; `None` for the operator's command line.
    pub actor: Option<AccountId>,
    /// Their handle, kept even if the account goes.
    pub actor_handle: &'a str,
    /// A stable action code, such as `group.approve`.
    pub action: &'static str,
    /// What it was done to, such as `group:quiet-river-x7k2p`.
    pub target: String,
    /// The reason given, if any.
    pub reason: &'a str,
}

/// A listed group as feeds show it: public fields and schedule only.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedGroup {
    /// Its slug.
    pub slug: kith_domain::ids::Slug,
    /// Its name.
    pub name: String,
    /// Markdown.
    pub description: String,
    /// What it is for.
    pub focus: Vec<Focus>,
    /// Its attributes.
    pub attributes: Vec<Attribute>,
    /// How it meets.
    pub format: Format,
    /// BCP 47.
    pub language: String,
    /// Where it meets (never the street address).
    pub place: Place,
    /// Its schedule.
    pub schedule: kith_domain::schedule::Schedule,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The private details the host of an open group chose to publish;
    /// empty for every other group.
    pub published: kith_domain::group::PrivateDetails,
}
