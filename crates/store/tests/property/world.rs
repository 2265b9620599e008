//! The property test's world: the store, the oracle's model of it, and a
//! seeded generator; the words, places and languages edits draw from.

use std::sync::Arc;

use jiff::Timestamp;
use kith_domain::group::ListingStatus;
use kith_store::testing::{insert, now};
use kith_store::{AccountId, Store};

use crate::oracle::{self, Modelled};

/// Words edits write, besides the population's: some share prefixes with
/// it ("riverbank", "circles"), some have diacritics.
pub(crate) const NEW_WORDS: [&str; 12] = [
    "riverbank",
    "circles",
    "kettle",
    "ember",
    "solace",
    "quiet",
    "Zürich",
    "café",
    "tapering",
    "willow",
    "harbourside",
    "mañana",
];

/// Places edits move groups to: (country, region, city).
pub(crate) const PLACES: [(&str, &str, &str); 6] = [
    ("DE", "Berlin", "Berlin"),
    ("DE", "Nordrhein-Westfalen", "Köln"),
    ("US", "New York", "New York"),
    ("US", "California", "San José"),
    ("NP", "Bagmati", "Kathmandu"),
    ("CH", "Zürich", "Zürich"),
];

pub(crate) const LANGUAGES: [&str; 6] = ["en", "de", "pt-BR", "pt-PT", "ja", "fr"];

/// A small seeded generator (SplitMix64): the same seed, the same run, on
/// any platform and any version of any crate.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The store, the oracle's model of it, and the run's randomness.
pub(crate) struct World {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) groups: Vec<Modelled>,
    pub(crate) rng: Rng,
    pub(crate) seed: u64,
    pub(crate) host: AccountId,
    /// Names given so far, so each new group's slug is new.
    pub(crate) named: u32,
    /// The edits made, for the failure message.
    pub(crate) log: Vec<String>,
    /// The store's "now": the tests' now, moved on as time passes.
    pub(crate) clock: Timestamp,
}

impl World {
    pub(crate) async fn new(store: Arc<dyn Store>, seed: u64) -> Self {
        let population = oracle::population();
        let slugs = insert(&store, &population, ListingStatus::Listed).await;
        let mut groups = Vec::with_capacity(population.len());
        for (g, slug) in population.into_iter().zip(slugs) {
            let id = store.group_access(&slug).await.expect("access").id;
            groups.push(Modelled::new(g, id, slug, ListingStatus::Listed));
        }
        groups.sort_by_key(|m| m.id.0);
        let host = store
            .ensure_account("willow", now())
            .await
            .expect("account");
        Self {
            store,
            groups,
            rng: Rng(seed),
            seed,
            host,
            named: 0,
            log: Vec::new(),
            clock: now(),
        }
    }

    pub(crate) fn context(&self, round: u32) -> String {
        let from = self.log.len().saturating_sub(8);
        format!(
            "seed {} (replay with KITH_PROPERTY_SEED={}), round {round}; last edits:\n  {}",
            self.seed,
            self.seed,
            self.log[from..].join("\n  ")
        )
    }

    pub(crate) fn any_group(&mut self) -> usize {
        self.rng.below(self.groups.len())
    }

    /// Reads the meetings' ids of group `i` from the store the first time
    /// they are needed, checking on the way that the store holds the
    /// meetings the oracle thinks it does.
    pub(crate) async fn ensure_meeting_ids(&mut self, i: usize) {
        let clock = self.clock.as_second();
        let m = &mut self.groups[i];
        // Meetings that have ended are not read (nor cancelled, nor moved).
        if m.meetings
            .iter()
            .all(|o| o.id.is_some() || o.ends_at <= clock)
        {
            return;
        }
        let stored = self
            .store
            .upcoming_occurrences(&m.slug, self.clock, 1000)
            .await
            .expect("upcoming");
        let got: Vec<(i64, i64, bool)> = stored
            .iter()
            .map(|o| (o.starts_at.as_second(), o.ends_at.as_second(), o.cancelled))
            .collect();
        let want: Vec<(i64, i64, bool)> = m
            .meetings
            .iter()
            .filter(|o| o.ends_at > clock)
            .map(|o| (o.starts_at, o.ends_at, o.cancelled))
            .collect();
        assert_eq!(got, want, "the meetings of {}", m.slug);
        let open = m.meetings.iter_mut().filter(|o| o.ends_at > clock);
        for (meeting, stored) in open.zip(stored) {
            meeting.id = Some(stored.id);
        }
    }

    /// One random edit; answers words worth searching for after it.
    pub(crate) async fn edit(&mut self) -> Vec<String> {
        match self.rng.below(100) {
            0..=14 => self.moderate().await,
            15..=39 => self.edit_one().await,
            40..=46 => self.edit_several().await,
            47..=51 => self.close().await,
            52..=63 => self.cancel_meeting().await,
            64..=75 => self.move_meeting().await,
            76..=83 => self.restore_meeting().await,
            84..=92 => self.add_groups().await,
            93..=96 => self.refresh_meetings().await,
            // Rare: it refreshes most groups, the costliest edit here.
            _ => self.time_passes().await,
        }
    }
}
