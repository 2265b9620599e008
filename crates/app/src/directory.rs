//! A seeker's search of the directory: listed groups, ordered by their next
//! matching meeting, each shown in the seeker's zone.

use std::sync::Arc;

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
    /// How that meeting reads from the reader's now: read at the request's
    /// own clock, not the cache step's, so the words are never stale.
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
    let store = app.store();
    let cache = app.public_cache();
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
    let asked_at = now;
    let now = cache.step_start(filters, now);
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
    // The whole question is the key: the answer is made from it and the
    // step's start, and from nothing else.
    let hits = match cache.slot(filters, search.now) {
        Some(slot) => slot
            .get_or_try_init(|| async { store.search_directory(&search).await.map(Arc::new) })
            .await?
            .clone(),
        None => Arc::new(store.search_directory(&search).await?),
    };
    let more = hits.len() > PAGE_SIZE as usize;
    let results = hits
        .iter()
        .take(PAGE_SIZE as usize)
        // A meeting that ended since the step began is no longer news.
        .filter(|hit| hit.next.ends_at > asked_at)
        .map(|hit| DirectoryResult {
            next: MeetingTime::new(hit.next.starts_at, hit.next.ends_at, zone),
            when: when(asked_at, zone, hit.next.starts_at, hit.next.ends_at),
            hit: hit.clone(),
        })
        .collect();
    Ok(DirectoryPage {
        results,
        page: *page,
        next_page: more.then_some(page + 1),
    })
}

#[cfg(test)]
mod tests {
    use kith_domain::directory::RawFilters;
    use kith_domain::zone::Zone;

    use super::*;

    fn ask(pairs: &[(&str, &str)]) -> DirectoryFilters {
        RawFilters::from_pairs(pairs.iter().copied())
            .parse(&Zone::utc())
            .expect("valid filters")
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).expect("timestamp")
    }

    /// The words for "when" follow the asker's clock even when the list
    /// comes from the cache: a page read before a meeting began says
    /// "happening now" once it has.
    #[tokio::test]
    async fn cached_results_read_when_at_the_askers_clock() {
        use jiff::civil::Weekday;
        use kith_store::testing::TempSqlite;

        use crate::meeting_time::when::When;
        use crate::testing::GroupBuilder;

        let db = TempSqlite::create().await;
        let app = crate::testing::app(db.store.clone()).with_public_cache(Arc::new(
            crate::public_cache::PublicCache::new(std::time::Duration::from_secs(30)),
        ));
        let cache = app.public_cache();
        let created: Timestamp = "2026-06-01T09:00:00Z".parse().expect("ts");
        crate::groups::create_groups(
            &app,
            &[GroupBuilder::new("Noon Circle")
                .weekly(&[Weekday::Monday], "10:20", "UTC")
                .minutes(60)
                .build()],
            created,
        )
        .await
        .expect("group");
        let starts: Timestamp = "2026-06-01T10:20:00Z".parse().expect("ts");
        let (before, after) = (at(starts.as_second() - 10), at(starts.as_second() + 10));
        // A question whose step began before the meeting did, so the
        // second answer is the first one's cached list.
        let filters = [
            "UTC",
            "Europe/London",
            "Africa/Abidjan",
            "Atlantic/Reykjavik",
        ]
        .iter()
        .map(|tz| ask(&[("tz", tz)]))
        .find(|f| cache.step_start(f, after) <= before)
        .expect("a question whose step covers both");
        let first = search(&app, &filters, before).await.expect("search");
        assert_eq!(first.results[0].when, When::Soon { minutes: 1 });
        let second = search(&app, &filters, after).await.expect("search");
        assert_eq!(
            second.results[0].hit, first.results[0].hit,
            "from the cache"
        );
        assert_eq!(second.results[0].when, When::Now);
    }
}
