//! The public cache: short-lived answers that are the same for every
//! reader — listed groups' pages and the Meeting Guide feed. (Directory
//! searches are not kept: the store's in-memory index answers them as fast
//! as a lookup here, and is never stale.) Only public data goes in. Any use case that changes what it holds
//! empties it through [`crate::App::public_changed`].

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use kith_domain::group::{GroupProfile, PrivateDetails};
use kith_domain::ids::Slug;
use kith_store::model::OccurrenceTime;

/// A listed group as anyone may see it, before a reader's zone is applied.
#[derive(Debug)]
pub(crate) struct ListedGroup {
    /// The public profile.
    pub(crate) profile: GroupProfile,
    /// Only when the host of an open group published them.
    pub(crate) private: Option<PrivateDetails>,
    /// The next meetings, as of the cache step's start.
    pub(crate) upcoming: Vec<OccurrenceTime>,
}

/// The Meeting Guide feed as sent: its JSON and a tag that changes with it.
#[derive(Debug)]
pub struct FeedBody {
    /// The JSON array.
    pub json: Vec<u8>,
    /// A strong entity tag (quoted), for conditional requests.
    pub etag: String,
}

/// What the Meeting Guide feed is made from besides the store and the
/// site's address: the words of its notes. The cached feed is kept under
/// it, so a feed asked for in other words is made afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FeedKey {
    /// The focus label, then each focus's name.
    pub(crate) words: Vec<String>,
}

/// The most group pages a cache holds before it starts over.
const CACHE_CAPACITY: usize = 4096;

/// A short-lived cache of public answers: listed groups' pages and the
/// Meeting Guide feed.
///
/// The answer is the same for everyone until the clock moves on or a
/// listing changes. Each question's clock moves in steps of the cache's
/// lifetime: within a step every asker sees the same "now", so one answer
/// serves them all, and it is at most one step stale. Steps are offset per
/// question so that answers do not all expire at once, and concurrent
/// askers of a question that is not cached wait for one read instead of
/// each making it. With several instances, another instance's change shows
/// within one step.
///
/// Each cached answer is keyed by everything it is made from, and by
/// nothing narrower: a group's page by its slug (the reader's zone is
/// applied afterwards), the feed by its site address and words. The clock
/// is the step's start. `tests/cache.rs` asks random questions of a cached
/// and an uncached app and finds the same answers.
#[derive(Debug)]
pub struct PublicCache {
    step_seconds: i64,
    feed: Mutex<Option<FeedSlot>>,
    groups: Mutex<HashMap<Slug, (i64, Arc<GroupSlot>)>>,
}

/// A listed group's page as anyone may see it, once read.
pub(crate) type GroupSlot = tokio::sync::OnceCell<Arc<ListedGroup>>;

/// The cached feed: for which site address and words, from which step, and
/// the body once made.
#[derive(Debug)]
struct FeedSlot {
    key: FeedKey,
    step: i64,
    body: Arc<tokio::sync::OnceCell<Arc<FeedBody>>>,
}

impl PublicCache {
    /// A cache whose pages live `lifetime`; zero disables it.
    pub fn new(lifetime: Duration) -> Self {
        Self {
            step_seconds: i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX),
            feed: Mutex::default(),
            groups: Mutex::default(),
        }
    }

    /// A cache that keeps nothing: every question goes to the store.
    pub fn disabled() -> Self {
        Self::new(Duration::ZERO)
    }

    /// How many answers are kept now (group pages and the feed), for
    /// `/metrics`.
    pub fn entries(&self) -> usize {
        let groups = self.groups.lock().map_or(0, |groups| groups.len());
        let feed = self
            .feed
            .lock()
            .map_or(0, |feed| usize::from(feed.is_some()));
        groups + feed
    }

    /// Forgets every page and the feed; call after a change to listings or
    /// schedules.
    pub fn invalidate(&self) {
        if let Ok(mut feed) = self.feed.lock() {
            *feed = None;
        }
        if let Ok(mut groups) = self.groups.lock() {
            groups.clear();
        }
    }

    /// The slot of a listed group's public page at `now`, with the "now"
    /// it is read for, or `None` when disabled.
    pub(crate) fn group_slot(
        &self,
        slug: &Slug,
        now: Timestamp,
    ) -> Option<(Timestamp, Arc<GroupSlot>)> {
        if self.step_seconds == 0 {
            return None;
        }
        let step = self.step_start(slug, now);
        let mut groups = self.groups.lock().ok()?;
        if groups.len() >= CACHE_CAPACITY && !groups.contains_key(slug) {
            groups.clear();
        }
        let entry = groups
            .entry(slug.clone())
            .or_insert_with(|| (step.as_second(), Arc::default()));
        if entry.0 != step.as_second() {
            *entry = (step.as_second(), Arc::default());
        }
        Some((step, entry.1.clone()))
    }

    /// The feed slot for `key` (its site address and words) at `now`, or
    /// `None` when disabled. One key is kept: an instance is reached by one
    /// address, and a request naming another (by its `Host`) replaces it
    /// rather than adding one.
    pub(crate) fn feed_slot(
        &self,
        key: FeedKey,
        now: Timestamp,
    ) -> Option<Arc<tokio::sync::OnceCell<Arc<FeedBody>>>> {
        if self.step_seconds == 0 {
            return None;
        }
        let step = now.as_second().div_euclid(self.step_seconds);
        let mut feed = self.feed.lock().ok()?;
        match feed.as_ref() {
            Some(slot) if slot.key == key && slot.step == step => {}
            _ => {
                *feed = Some(FeedSlot {
                    key,
                    step,
                    body: Arc::default(),
                });
            }
        }
        feed.as_ref().map(|slot| slot.body.clone())
    }

    /// The "now" a question is answered for: the start of its current step.
    pub(crate) fn step_start(&self, question: &impl Hash, now: Timestamp) -> Timestamp {
        if self.step_seconds == 0 {
            return now;
        }
        let mut hasher = std::hash::DefaultHasher::new();
        question.hash(&mut hasher);
        let offset = i64::try_from(hasher.finish() % self.step_seconds.unsigned_abs()).unwrap_or(0);
        let shifted = now.as_second() - offset;
        Timestamp::from_second(shifted - shifted.rem_euclid(self.step_seconds) + offset)
            .unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use kith_domain::directory::{DirectoryFilters, RawFilters};
    use kith_domain::zone::Zone;

    use super::*;

    fn ask(pairs: &[(&str, &str)]) -> DirectoryFilters {
        RawFilters::from_pairs(pairs.iter().copied())
            .parse(&Zone::utc())
            .expect("valid filters")
    }

    fn question(word: &str) -> DirectoryFilters {
        ask(&[("q", word)])
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).expect("timestamp")
    }

    #[test]
    fn each_questions_clock_moves_in_steps_of_the_lifetime() {
        let cache = PublicCache::new(Duration::from_secs(30));
        let q = question("river");
        let start = cache.step_start(&q, at(1_000_000_000));
        assert!(start <= at(1_000_000_000) && start > at(999_999_970));
        for s in 0..30 {
            let now = at(start.as_second() + s);
            assert_eq!(cache.step_start(&q, now), start, "{s} s into the step");
        }
        assert_eq!(
            cache.step_start(&q, at(start.as_second() + 30)),
            at(start.as_second() + 30)
        );
        assert_eq!(
            PublicCache::new(Duration::ZERO).step_start(&q, at(7)),
            at(7)
        );
    }

    #[test]
    fn steps_are_offset_per_question() {
        let cache = PublicCache::new(Duration::from_secs(30));
        let starts: std::collections::HashSet<i64> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .into_iter()
            .map(|w| {
                cache
                    .step_start(&question(w), at(1_000_000_000))
                    .as_second()
            })
            .collect();
        assert!(starts.len() > 1);
    }
}
