//! Groups: the public page of a listed group, and creating groups.

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_domain::directory::horizon;
use kith_domain::group::{GroupProfile, ListingStatus, NewGroup};
use kith_domain::ids::{OccurrenceId, Slug};
use kith_domain::schedule::Recurrence;
use kith_domain::zone::Zone;
use kith_store::{GroupDraft, Store, StoreError};

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

/// How often a batch is retried with fresh slugs after a slug collision.
const SLUG_ATTEMPTS: usize = 3;

/// Creates groups with their first occurrences, in one transaction. A slug
/// that happens to be taken already (its random suffix collided) is drawn
/// again.
pub async fn create_groups(
    store: &dyn Store,
    submissions: &[GroupSubmission],
    now: Timestamp,
) -> AppResult<Vec<Slug>> {
    let until = horizon(now);
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
    let mut groups: Vec<NewGroup> = submissions.iter().map(|s| s.group.clone()).collect();
    let mut attempt = 1;
    loop {
        let drafts: Vec<GroupDraft<'_>> = groups
            .iter()
            .zip(submissions)
            .zip(&hosts_of)
            .map(|((group, submission), hosts)| GroupDraft {
                group,
                status: submission.status,
                hosts: hosts.clone(),
                occurrences: group.profile.schedule.occurrences_between(now, until),
                occurrences_until: until,
            })
            .collect();
        match store.insert_groups(&drafts, now).await {
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
        let first = GroupBuilder::new("Same Name").build();
        let mut second = GroupBuilder::new("Same Name").build();
        second.group.profile.slug = first.group.profile.slug.clone();
        let now: Timestamp = "2026-06-01T10:00:00Z".parse().expect("timestamp");
        let a = create_groups(db.store.as_ref(), &[first], now)
            .await
            .expect("first");
        let b = create_groups(db.store.as_ref(), &[second], now)
            .await
            .expect("second");
        assert_ne!(a, b);
        assert!(b[0].as_str().starts_with("same-name-"));
        assert_eq!(db.store.count_groups().await.expect("count"), 2);
    }
}
