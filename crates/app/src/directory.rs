//! A seeker's search of the directory: listed groups, ordered by their next
//! matching meeting, each shown in the seeker's zone.

use jiff::Timestamp;
use kith_domain::directory::{DirectoryFilters, PAGE_SIZE, horizon};
use kith_store::{DirectoryHit, DirectorySearch, Store};

use crate::AppResult;
use crate::meeting_time::MeetingTime;

/// One result: the group and its next matching meeting in the viewer's zone.
#[derive(Debug, Clone)]
pub struct DirectoryResult {
    /// The group as the store found it.
    pub hit: DirectoryHit,
    /// Its next matching meeting, in the viewer's zone.
    pub next: MeetingTime,
}

/// One page of results.
#[derive(Debug, Clone)]
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
    store: &dyn Store,
    filters: &DirectoryFilters,
    now: Timestamp,
) -> AppResult<DirectoryPage> {
    let search = DirectorySearch {
        terms: filters.terms.clone(),
        formats: filters.formats.clone(),
        focus: filters.focus.clone(),
        attributes: filters.attributes.clone(),
        language: filters.language.clone(),
        country: filters.country.clone(),
        region: filters.region.clone(),
        city: filters.city.clone(),
        windows: filters.start_windows(now, horizon(now)),
        now: now.as_second(),
        offset: (filters.page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE + 1,
    };
    let mut hits = store.search_directory(&search).await?;
    let more = hits.len() > PAGE_SIZE as usize;
    hits.truncate(PAGE_SIZE as usize);
    let results = hits
        .into_iter()
        .map(|hit| DirectoryResult {
            next: MeetingTime::new(hit.next.starts_at, hit.next.ends_at, &filters.zone),
            hit,
        })
        .collect();
    Ok(DirectoryPage {
        results,
        page: filters.page,
        next_page: more.then_some(filters.page + 1),
    })
}
