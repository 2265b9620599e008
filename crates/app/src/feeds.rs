//! Feeds others read: a group's public calendar (RFC 5545) and the Meeting
//! Guide JSON feed of every listed group. No private
//! field ever appears in one; titles are neutral, so a lock screen does not
//! out anyone.

pub mod ical;
pub mod meeting_guide;

use std::sync::Arc;

use jiff::Timestamp;
use kith_domain::group::Focus;
use kith_domain::ids::Slug;
use kith_domain::membership::RequestState;
use sha2::Digest as _;

use crate::access::Person;
pub use crate::public_cache::FeedBody;
use crate::public_cache::FeedKey;
use crate::tokens::token_hash;
use crate::{App, AppError, AppResult};
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

/// Where a calendar's meetings link to: the reader's own meetings on `site`
/// (`/me`), where a member finds each meeting and its room. Not the group's
/// page: its address is made of the group's name, and calendar providers
/// keep every event's `URL`.
fn meetings_url(site: &str) -> String {
    format!("{site}/me")
}

/// A listed group's calendar; `NotFound` for any other group.
pub async fn group_calendar(
    app: &App,
    slug: &Slug,
    words: CalendarWords<'_>,
    now: Timestamp,
) -> AppResult<String> {
    let store = app.store();
    let profile = store.listed_group(slug).await?;
    let changed = store.listed_group_changed_at(slug).await?;
    let access = store.group_access(slug).await?;
    let exceptions = store.occurrence_exceptions(access.id).await?;
    let series = store.series_ids(access.id).await?;
    let url = Some(meetings_url(app.site_url().base()));
    let zone = &profile.schedule.zone;
    Ok(calendar(
        words.name,
        &[CalendarGroup {
            series: &series,
            summary: words.summary,
            description: words.description,
            url: url.as_deref(),
            since: changed.to_zoned(zone.tz().clone()).date(),
            // Seconds since 2025: grows with every change of the group.
            sequence: (changed.as_second() - 1_735_689_600).max(0),
            schedule: &profile.schedule,
            exceptions: &exceptions,
            stamp: now,
        }],
    ))
}

impl FeedKey {
    fn new(words: &dyn meeting_guide::FocusWords) -> Self {
        let names = Focus::ALL.iter().map(|focus| words.focus_name(*focus));
        Self {
            words: std::iter::once(words.focus_label())
                .chain(names)
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// Every listed group's weekly meetings in the Meeting Guide format, as
/// JSON. Made at most once per step of the directory cache's lifetime (and
/// again after any change to listings): the feed holds every listed group,
/// and reading them all costs far more than sending the result.
pub async fn meeting_guide_feed(
    app: &App,
    words: &(dyn meeting_guide::FocusWords + Sync),
    now: Timestamp,
) -> AppResult<Arc<FeedBody>> {
    let store = app.store();
    let site = app.site_url().base();
    let cache = app.public_cache();
    let make = || async {
        let groups = store.listed_groups_for_feed().await?;
        let json = serde_json::to_vec(&meeting_guide::meetings(&groups, site, words))
            .map_err(AppError::internal)?;
        let digest = sha2::Sha256::digest(&json);
        let etag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let etag = format!("\"{etag}\"");
        Ok::<_, AppError>(Arc::new(FeedBody { json, etag }))
    };
    match cache.feed_slot(FeedKey::new(words), now) {
        Some(slot) => Ok(slot.get_or_try_init(make).await?.clone()),
        None => make().await,
    }
}

/// The labels a person's own calendar gives the private details.
#[derive(Debug, Clone, Copy)]
pub struct PrivateWords<'a> {
    /// "Call link".
    pub call_link: &'a str,
    /// "Dial-in".
    pub dial_in: &'a str,
    /// "Street address".
    pub street_address: &'a str,
}

/// A new secret link for a person's own calendar; the one before stops
/// working. The token is shown once; only its hash is kept.
pub async fn new_calendar_token(app: &App, person: &Person, now: Timestamp) -> AppResult<String> {
    let store = app.store();
    let token = crate::tokens::new_token();
    store
        .set_calendar_token(person.id, Some(&token_hash(&token)), now)
        .await?;
    Ok(token)
}

/// Turns a person's own calendar link off.
pub async fn revoke_calendar_token(app: &App, person: &Person, now: Timestamp) -> AppResult<()> {
    let store = app.store();
    Ok(store.set_calendar_token(person.id, None, now).await?)
}

/// When a person's calendar link was made, if they have one.
pub async fn calendar_token_made(app: &App, person: &Person) -> AppResult<Option<Timestamp>> {
    let store = app.store();
    Ok(store.calendar_token_made(person.id).await?)
}

/// A person's own calendar: the meetings of every group they host, with the
/// private details they may see. `NotFound` for a token that opens nothing.
pub async fn personal_calendar(
    app: &App,
    token: &str,
    words: CalendarWords<'_>,
    private: PrivateWords<'_>,
    now: Timestamp,
) -> AppResult<String> {
    let store = app.store();
    let account = store
        .calendar_token_owner(&token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    // The groups the person hosts, then those they belong to.
    let mut slugs: Vec<Slug> = store
        .groups_hosted_by(account)
        .await?
        .into_iter()
        .map(|hosted| hosted.slug)
        .collect();
    for request in store.account_requests(account).await? {
        if request.state == RequestState::Approved && !slugs.contains(&request.slug) {
            slugs.push(request.slug);
        }
    }
    let url = Some(meetings_url(app.site_url().base()));
    let mut loaded = Vec::new();
    for slug in &slugs {
        let group = store.managed_group(slug).await?;
        let exceptions = store.occurrence_exceptions(group.access.id).await?;
        let series = store.series_ids(group.access.id).await?;
        let mut description = words.description.to_owned();
        for (label, value) in [
            (private.call_link, &group.private.call_link),
            (private.dial_in, &group.private.dial_in),
            (private.street_address, &group.private.street_address),
        ] {
            if let Some(value) = value {
                description.push_str(&format!("\n{label}: {value}"));
            }
        }
        loaded.push((group, exceptions, series, description));
    }
    let groups: Vec<CalendarGroup<'_>> = loaded
        .iter()
        .map(|(group, exceptions, series, description)| CalendarGroup {
            series,
            summary: words.summary,
            description,
            url: url.as_deref(),
            since: group
                .updated_at
                .to_zoned(group.profile.schedule.zone.tz().clone())
                .date(),
            sequence: (group.updated_at.as_second() - 1_735_689_600).max(0),
            schedule: &group.profile.schedule,
            exceptions,
            stamp: now,
        })
        .collect();
    Ok(calendar(words.name, &groups))
}
