//! Groups: the public page of a listed group, and creating groups.

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_domain::directory::horizon;
use kith_domain::group::{GroupProfile, ListingStatus, NewGroup};
use kith_domain::ids::{OccurrenceId, Slug};
use kith_domain::schedule::Recurrence;
use kith_domain::zone::Zone;
use kith_store::{GroupDraft, Store};

use crate::AppResult;
use crate::markdown::to_safe_html;
use crate::meeting_time::MeetingTime;

/// How many upcoming meetings a group page lists.
pub const UPCOMING_ON_PAGE: u32 = 4;

/// A listed group as anyone may see it.
#[derive(Debug, Clone)]
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
}

/// One of a group's next meetings.
#[derive(Debug, Clone)]
pub struct UpcomingMeeting {
    /// The occurrence's public id.
    pub id: OccurrenceId,
    /// In the viewer's zone.
    pub yours: MeetingTime,
    /// In the group's own zone.
    pub theirs: MeetingTime,
}

/// A rule as its host wrote it, in the group's own zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInGroupZone {
    /// The weekdays, Monday first.
    pub weekdays: Vec<Weekday>,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`.
    pub end: String,
    /// Length in minutes.
    pub duration_minutes: u16,
}

/// A listed group's public page; `NotFound` for anything else.
pub async fn public_group(
    store: &dyn Store,
    slug: &Slug,
    viewer: &Zone,
    now: Timestamp,
) -> AppResult<PublicGroup> {
    let profile = store.listed_group(slug).await?;
    let upcoming = store
        .upcoming_occurrences(slug, now, UPCOMING_ON_PAGE)
        .await?;
    let group_zone = &profile.schedule.zone;
    let upcoming = upcoming
        .iter()
        .map(|o| UpcomingMeeting {
            id: o.id.clone(),
            yours: MeetingTime::new(o.starts_at, o.ends_at, viewer),
            theirs: MeetingTime::new(o.starts_at, o.ends_at, group_zone),
        })
        .collect();
    let rules = profile
        .schedule
        .rules
        .iter()
        .map(|rule| RuleInGroupZone {
            weekdays: match rule.recurrence {
                Recurrence::Weekly { weekdays } => weekdays.days(),
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
    })
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

/// Creates groups with their first occurrences, in one transaction.
pub async fn create_groups(
    store: &dyn Store,
    submissions: &[GroupSubmission],
    now: Timestamp,
) -> AppResult<Vec<Slug>> {
    let until = horizon(now);
    // Hosts repeat across a batch; look each handle up once.
    let mut accounts = std::collections::HashMap::new();
    let mut drafts = Vec::with_capacity(submissions.len());
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
        drafts.push(GroupDraft {
            group: &submission.group,
            status: submission.status,
            hosts,
            occurrences: submission
                .group
                .profile
                .schedule
                .occurrences_between(now, until),
            occurrences_until: until,
        });
    }
    Ok(store.insert_groups(&drafts, now).await?)
}
