//! A seeker's search of the directory: listed groups, ordered by their next
//! matching meeting, each shown in the seeker's zone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use kith_domain::directory::{DirectoryFilters, PAGE_SIZE, horizon};
use kith_store::{DirectoryHit, DirectorySearch, Store};

use crate::AppResult;
use crate::meeting_time::MeetingTime;

/// The most result pages a cache holds before it starts over.
const CACHE_CAPACITY: usize = 4096;

/// A short-lived cache of directory result pages.
///
/// Seekers ask the same few questions (the first page, "starting within two
/// hours", a common word), and the answer is the same for everyone until the
/// clock moves on or a listing changes. Time is taken in steps of the cache's
/// lifetime: within a step every search sees the same "now", so its answer
/// can be reused, and it is at most one step stale. The pages hold only
/// public data (listed groups); each reader's zone is applied afterwards.
/// With several instances, another instance's change shows within one step.
#[derive(Debug)]
pub struct DirectoryCache {
    step_seconds: i64,
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    step: i64,
    pages: HashMap<DirectorySearch, Arc<Vec<DirectoryHit>>>,
}

impl DirectoryCache {
    /// A cache whose pages live `lifetime`; zero disables it.
    pub fn new(lifetime: Duration) -> Self {
        Self {
            step_seconds: i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX),
            state: Mutex::default(),
        }
    }

    /// Forgets every page; call after a change to listings or schedules.
    pub fn invalidate(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.pages.clear();
        }
    }

    /// The "now" searches use: the start of the current step.
    fn step_start(&self, now: Timestamp) -> Timestamp {
        if self.step_seconds == 0 {
            return now;
        }
        let seconds = now.as_second();
        Timestamp::from_second(seconds - seconds.rem_euclid(self.step_seconds)).unwrap_or(now)
    }

    fn get(&self, search: &DirectorySearch) -> Option<Arc<Vec<DirectoryHit>>> {
        let state = self.state.lock().ok()?;
        (state.step == search.now)
            .then(|| state.pages.get(search).cloned())
            .flatten()
    }

    fn put(&self, search: DirectorySearch, hits: Arc<Vec<DirectoryHit>>) {
        if self.step_seconds == 0 {
            return;
        }
        if let Ok(mut state) = self.state.lock() {
            if state.step != search.now || state.pages.len() >= CACHE_CAPACITY {
                state.pages.clear();
                state.step = search.now;
            }
            state.pages.insert(search, hits);
        }
    }
}

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
    cache: &DirectoryCache,
    filters: &DirectoryFilters,
    now: Timestamp,
) -> AppResult<DirectoryPage> {
    let now = cache.step_start(now);
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
    let hits = match cache.get(&search) {
        Some(hits) => hits,
        None => {
            let hits = Arc::new(store.search_directory(&search).await?);
            cache.put(search, hits.clone());
            hits
        }
    };
    let more = hits.len() > PAGE_SIZE as usize;
    let results = hits
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|hit| DirectoryResult {
            next: MeetingTime::new(hit.next.starts_at, hit.next.ends_at, &filters.zone),
            hit: hit.clone(),
        })
        .collect();
    Ok(DirectoryPage {
        results,
        page: filters.page,
        next_page: more.then_some(filters.page + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search_at(now: i64) -> DirectorySearch {
        DirectorySearch {
            now,
            limit: 21,
            ..Default::default()
        }
    }

    #[test]
    fn time_moves_in_steps_of_the_cache_lifetime() {
        let cache = DirectoryCache::new(Duration::from_secs(30));
        let at = |s: i64| Timestamp::from_second(s).expect("timestamp");
        assert_eq!(cache.step_start(at(1_000_000_029)), at(1_000_000_020));
        assert_eq!(
            DirectoryCache::new(Duration::ZERO).step_start(at(1_000_000_029)),
            at(1_000_000_029)
        );
    }

    #[test]
    fn pages_are_reused_within_a_step_and_forgotten_after_it_or_a_change() {
        let cache = DirectoryCache::new(Duration::from_secs(30));
        cache.put(search_at(60), Arc::new(Vec::new()));
        assert!(cache.get(&search_at(60)).is_some());
        assert!(
            cache
                .get(&DirectorySearch {
                    terms: vec!["x".into()],
                    ..search_at(60)
                })
                .is_none()
        );
        cache.put(search_at(90), Arc::new(Vec::new()));
        assert!(
            cache.get(&search_at(60)).is_none(),
            "a new step starts over"
        );
        cache.invalidate();
        assert!(cache.get(&search_at(90)).is_none());
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = DirectoryCache::new(Duration::ZERO);
        cache.put(search_at(60), Arc::new(Vec::new()));
        assert!(cache.get(&search_at(60)).is_none());
    }
}
