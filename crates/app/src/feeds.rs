//! Feeds others read: a group's public calendar (RFC 5545) and the Meeting
//! Guide JSON feed of every listed group. No private
//! field ever appears in one; titles are neutral, so a lock screen does not
//! out anyone.

pub mod ical;
pub mod meeting_guide;

use jiff::Timestamp;
use kith_domain::ids::Slug;
use kith_store::Store;

use crate::AppResult;
use ical::{CalendarGroup, calendar};

/// The words a calendar carries, from the web layer's catalogue.
#[derive(Debug, Clone, Copy)]
pub struct CalendarWords<'a> {
    /// The calendar's name.
    pub name: &'a str,
    /// Every meeting's title.
    pub summary: &'a str,
    /// Every meeting's description.
    pub description: &'a str,
}

/// A listed group's calendar; `NotFound` for any other group.
pub async fn group_calendar(
    store: &dyn Store,
    slug: &Slug,
    words: CalendarWords<'_>,
    url: Option<&str>,
    now: Timestamp,
) -> AppResult<String> {
    let profile = store.listed_group(slug).await?;
    let changed = store.listed_group_changed_at(slug).await?;
    let access = store.group_access(slug).await?;
    let exceptions = store.occurrence_exceptions(access.id).await?;
    let zone = &profile.schedule.zone;
    Ok(calendar(
        words.name,
        &CalendarGroup {
            key: slug.as_str(),
            summary: words.summary,
            description: words.description,
            url,
            since: changed.to_zoned(zone.tz().clone()).date(),
            // Seconds since 2025: grows with every change of the group.
            sequence: (changed.as_second() - 1_735_689_600).max(0),
            schedule: &profile.schedule,
            exceptions: &exceptions,
            stamp: now,
        },
    ))
}

/// Every listed group's weekly meetings in the Meeting Guide format.
pub async fn meeting_guide_feed(
    store: &dyn Store,
    site: &str,
    words: &dyn meeting_guide::FocusWords,
) -> AppResult<Vec<meeting_guide::Meeting>> {
    let groups = store.listed_groups_for_feed().await?;
    Ok(meeting_guide::meetings(&groups, site, words))
}
