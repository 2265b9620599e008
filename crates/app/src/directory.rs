//! A seeker's search of the directory: listed groups, ordered by their next
//! matching meeting, each shown in the seeker's zone.

use jiff::Timestamp;
use kith_domain::directory::{DirectoryFilters, PAGE_SIZE, horizon};
use kith_store::{DirectoryHit, DirectorySearch};

use crate::meeting_time::MeetingTime;
use crate::meeting_time::when::{When, when};
use crate::{App, AppResult};

/// One result: the group and its next matching meeting in the viewer's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryResult {
    /// The group as the store found it.
    pub hit: DirectoryHit,
    /// Its next matching meeting, in the viewer's zone.
    pub next: MeetingTime,
    /// How that meeting reads from the reader's now.
    pub when: When,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryPage {
    /// The results, at most [`PAGE_SIZE`].
    pub results: Vec<DirectoryResult>,
    /// This page's number.
    pub page: u32,
    /// The next page's number, if there are more results.
    pub next_page: Option<u32>,
}

/// Searches the directory.
pub async fn search(
    app: &App,
    filters: &DirectoryFilters,
    now: Timestamp,
) -> AppResult<DirectoryPage> {
    // Every field named, so that a filter added later cannot be left out of
    // the store's question; day, time, starts_within, in_progress and the
    // zone reach it as the windows.
    let DirectoryFilters {
        terms,
        formats,
        day: _,
        time: _,
        starts_within: _,
        in_progress: _,
        focus,
        attributes,
        language,
        country,
        region,
        city,
        zone,
        page,
    } = filters;
    // No result cache: the store's index answers any question in about the
    // time a cache would take to look one up, and is never stale.
    let search = DirectorySearch {
        terms: terms.clone(),
        formats: formats.clone(),
        focus: focus.clone(),
        attributes: attributes.clone(),
        language: language.clone(),
        country: country.clone(),
        region: region.clone(),
        city: city.clone(),
        windows: filters.start_windows(now, horizon(now)),
        now: now.as_second(),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE + 1,
    };
    let hits = app.store().search_directory(&search).await?;
    let more = hits.len() > PAGE_SIZE as usize;
    let results = hits
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|hit| DirectoryResult {
            next: MeetingTime::new(hit.next.starts_at, hit.next.ends_at, zone),
            when: when(now, zone, hit.next.starts_at, hit.next.ends_at),
            hit,
        })
        .collect();
    Ok(DirectoryPage {
        results,
        page: *page,
        next_page: more.then_some(page + 1),
    })
}
