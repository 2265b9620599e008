//! Groups: the public page of a listed group, and creating groups.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_domain::directory::horizon;
use kith_domain::group::{GroupProfile, ListingStatus, NewGroup, PrivateDetails};
use kith_domain::ids::{AccountId, OccurrenceId, Slug};
use kith_domain::schedule::Recurrence;
use kith_domain::zone::Zone;
use kith_store::mail::{NoMail, Notices};
use kith_store::{GroupDraft, StoreError};

use crate::access::{GroupAction, Person, authorize, permits};
use crate::markdown::to_safe_html;
use crate::meeting_time::MeetingTime;
use crate::meeting_time::when::{When, when};
use crate::public_cache::ListedGroup;
use crate::{App, AppResult};

/// How many upcoming meetings a group page lists.
pub const UPCOMING_ON_PAGE: u32 = 4;

/// A listed group as anyone may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicGroup {
    /// The public profile; it has no private fields.
    pub profile: GroupProfile,
    /// The description, rendered and sanitised.
    pub description_html: String,
    /// The agreements, rendered and sanitised.
    pub agreements_html: String,
    /// Each rule in the group's own zone.
    pub rules: Vec<RuleInGroupZone>,
    /// The next meetings.
    pub upcoming: Vec<UpcomingMeeting>,
    /// The private fields, only for those who may see them.
    pub private: Option<PrivateDetails>,
    /// What the reader may do here.
    pub may: GroupPermissions,
    /// The moderator's last note, for hosts and moderators.
    pub review_note: Option<String>,
    /// The reader's own request to join, as they may see it.
    pub my_request: Option<kith_store::membership::RequestRecord>,
}

/// What the reader of a group page may do there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupPermissions {
    /// Edit, unlist, relist, add co-hosts.
    pub host: bool,
    /// Approve, reject, unlist with a reason.
    pub moderate: bool,
}

/// One of a group's next meetings.
#[derive(Debug, Clone, PartialEq)]
pub struct UpcomingMeeting {
    /// The occurrence's public id.
    pub id: OccurrenceId,
    /// In the viewer's zone.
    pub yours: MeetingTime,
    /// In the group's own zone.
    pub theirs: MeetingTime,
    /// Whether a host cancelled it.
    pub cancelled: bool,
    /// The host's note about it.
    pub note: Option<String>,
    /// Whether a host moved it from its rule's time.
    pub moved: bool,
    /// How it reads from the reader's now and zone ("today", "happening
    /// now").
    pub when: When,
}

impl UpcomingMeeting {
    /// Whether it is on now: started, not ended, not cancelled.
    pub fn in_progress(&self) -> bool {
        self.when == When::Now && !self.cancelled
    }
}

/// A rule as its host wrote it, in the group's own zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInGroupZone {
    /// Which dates: weekly, every N weeks, monthly or once.
    pub recurrence: Recurrence,
    /// The weekdays it meets on, Monday first (a one-off's own weekday).
    pub weekdays: Vec<Weekday>,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`.
    pub end: String,
    /// Length in minutes.
    pub duration_minutes: u16,
}

/// A group's page as `person` may see it: listed groups for everyone;
/// other statuses and the private fields for its hosts and the moderators;
/// `NotFound` for anyone else.
pub async fn group_page(
    app: &App,
    person: Option<&Person>,
    slug: &Slug,
    viewer: &Zone,
    now: Timestamp,
) -> AppResult<PublicGroup> {
    let store = app.store();
    let (profile, private, may, review_note, my_request, upcoming) = match person {
        // `permits(None, View, g)` is exactly "g is listed", which the
        // store's query enforces itself: one round trip fewer for most
        // readers, and the same answer for all of them (cached).
        None => {
            let listed = listed_group(app, slug, now).await?;
            (
                listed.profile.clone(),
                listed.private.clone(),
                GroupPermissions::default(),
                None,
                None,
                listed.upcoming.clone(),
            )
        }
        Some(person) => {
            let access = authorize(store, Some(person), slug, GroupAction::View).await?;
            let group = store.managed_group(slug).await?;
            let host = permits(Some(person), GroupAction::Edit, &access);
            let may = GroupPermissions {
                host,
                moderate: permits(Some(person), GroupAction::Moderate, &access),
            };
            let entitled = permits(Some(person), GroupAction::ViewPrivate, &access);
            let note = (host || may.moderate)
                .then(|| access.review_note.clone())
                .flatten();
            let private = (entitled || group.profile.join.private_details_are_public())
                .then_some(group.private);
            let my_request = match access.viewer_request {
                Some(_) => crate::membership::my_request(app, person, slug).await?,
                None => None,
            };
            let upcoming = store
                .upcoming_occurrences(slug, now, UPCOMING_ON_PAGE)
                .await?;
            (group.profile, private, may, note, my_request, upcoming)
        }
    };
    let group_zone = &profile.schedule.zone;
    let upcoming = upcoming
        .iter()
        // Read through the cache as of its step's start: drop what ended
        // since.
        .filter(|o| o.ends_at > now)
        .map(|o| UpcomingMeeting {
            when: when(now, viewer, o.starts_at, o.ends_at),
            id: o.id.clone(),
            yours: MeetingTime::new(o.starts_at, o.ends_at, viewer),
            theirs: MeetingTime::new(o.starts_at, o.ends_at, group_zone),
            cancelled: o.cancelled,
            note: o.note.clone(),
            moved: o.moved,
        })
        .collect();
    let rules = profile
        .schedule
        .rules
        .iter()
        .map(|rule| RuleInGroupZone {
            recurrence: rule.recurrence.clone(),
            weekdays: match rule.recurrence {
                Recurrence::Weekly { weekdays } | Recurrence::EveryNWeeks { weekdays, .. } => {
                    weekdays.days()
                }
                Recurrence::Monthly { weekday, .. } => vec![weekday],
                Recurrence::Once { date } => vec![date.weekday()],
            },
            start: rule.local_time.strftime("%H:%M").to_string(),
            end: rule.local_end_time().strftime("%H:%M").to_string(),
            duration_minutes: rule.duration().minutes(),
        })
        .collect();
    Ok(PublicGroup {
        description_html: to_safe_html(&profile.description),
        agreements_html: to_safe_html(&profile.agreements),
        rules,
        upcoming,
        profile,
        private,
        may,
        review_note,
        my_request,
    })
}

/// Reads a listed group for anyone, through the directory cache: a popular
/// group's page costs no query within a step of the cache's lifetime (its
/// next meetings as of the step's start; any change to listings or
/// schedules starts over). The slug is the whole key: what is read here
/// depends on nothing else but the clock, and the reader's zone is applied
/// by [`group_page`] afterwards.
async fn listed_group(app: &App, slug: &Slug, now: Timestamp) -> AppResult<Arc<ListedGroup>> {
    let store = app.store();
    let cache = app.public_cache();
    let read = |now: Timestamp| async move {
        let profile = store.listed_group(slug).await?;
        // The host of an open group chose to publish its call link.
        let private = if profile.join.private_details_are_public() {
            Some(store.managed_group(slug).await?.private)
        } else {
            None
        };
        let upcoming = store
            .upcoming_occurrences(slug, now, UPCOMING_ON_PAGE)
            .await?;
        Ok::<_, crate::AppError>(Arc::new(ListedGroup {
            profile,
            private,
            upcoming,
        }))
    };
    match cache.group_slot(slug, now) {
        Some((step, slot)) => Ok(slot.get_or_try_init(|| read(step)).await?.clone()),
        None => read(now).await,
    }
}

/// A group to create, with its hosts' handles.
#[derive(Debug, Clone)]
pub struct GroupSubmission {
    /// The group.
    pub group: NewGroup,
    /// Its hosts' handles; accounts are created for unknown ones.
    pub hosts: Vec<String>,
    /// Its listing status.
    pub status: ListingStatus,
}

/// How often a batch is retried with fresh slugs after a slug collision.
const SLUG_ATTEMPTS: usize = 3;

/// Creates groups with their first occurrences, in one transaction. A slug
/// that happens to be taken already (its random suffix collided) is drawn
/// again.
pub async fn create_groups(
    app: &App,
    submissions: &[GroupSubmission],
    now: Timestamp,
) -> AppResult<Vec<Slug>> {
    let store = app.store();
    // Hosts repeat across a batch; look each handle up once.
    let mut accounts = std::collections::HashMap::new();
    let mut hosts_of = Vec::with_capacity(submissions.len());
    for submission in submissions {
        let mut hosts = Vec::with_capacity(submission.hosts.len());
        for handle in &submission.hosts {
            let id = match accounts.get(handle) {
                Some(id) => *id,
                None => *accounts
                    .entry(handle.clone())
                    .or_insert(store.ensure_account(handle, now).await?),
            };
            hosts.push(id);
        }
        hosts_of.push(hosts);
    }
    let groups = submissions.iter().map(|s| s.group.clone()).collect();
    let listings: Vec<(ListingStatus, Vec<AccountId>)> = submissions
        .iter()
        .zip(hosts_of)
        .map(|(submission, hosts)| (submission.status, hosts))
        .collect();
    let slugs = insert_with_fresh_slugs(app, groups, &listings, &NoMail, now).await?;
    app.public_changed();
    Ok(slugs)
}

/// Inserts groups (each with its status and hosts) and their first
/// occurrences in one transaction with the mail `notices` makes, drawing
/// new slugs for the whole batch when one collides.
pub(crate) async fn insert_with_fresh_slugs(
    app: &App,
    mut groups: Vec<NewGroup>,
    listings: &[(ListingStatus, Vec<AccountId>)],
    notices: &dyn Notices<()>,
    now: Timestamp,
) -> AppResult<Vec<Slug>> {
    let store = app.store();
    let until = horizon(now);
    let mut attempt = 1;
    loop {
        let drafts: Vec<GroupDraft<'_>> = groups
            .iter()
            .zip(listings)
            .map(|(group, (status, hosts))| GroupDraft {
                group,
                status: *status,
                hosts: hosts.clone(),
                occurrences: group.profile.schedule.occurrences_between(now, until),
                occurrences_until: until,
            })
            .collect();
        match store.insert_groups(&drafts, notices, now).await {
            Err(StoreError::Conflict { .. }) if attempt < SLUG_ATTEMPTS => {
                attempt += 1;
                for group in &mut groups {
                    group.profile.slug = Slug::for_name(&group.profile.name);
                }
            }
            result => return Ok(result?),
        }
    }
}

#[cfg(test)]
mod tests {
    use kith_store::testing::TempSqlite;

    use super::*;
    use crate::testing::GroupBuilder;

    #[tokio::test]
    async fn a_taken_slug_is_drawn_again() {
        let db = TempSqlite::create().await;
        let app = crate::testing::app(db.store.clone());
        let first = GroupBuilder::new("Same Name").build();
        let mut second = GroupBuilder::new("Same Name").build();
        second.group.profile.slug = first.group.profile.slug.clone();
        let now: Timestamp = "2026-06-01T10:00:00Z".parse().expect("timestamp");
        let a = create_groups(&app, &[first], now).await.expect("first");
        let b = create_groups(&app, &[second], now).await.expect("second");
        assert_ne!(a, b);
        assert!(b[0].as_str().starts_with("same-name-"));
        assert_eq!(db.store.count_groups().await.expect("count"), 2);
    }
}
