//! The directory under random edits: from the oracle's population, each
//! round makes one random edit through the store's public methods (as
//! moderators, hosts, imports and the occurrence refresher make them, and
//! now and then time passes: meetings end, the refresher extends and
//! prunes), keeps the oracle's model in step, and compares several random
//! searches, asked at the moved-on now, with the oracle. The in-memory
//! index that answers `search_directory` must follow every edit at once.
//!
//! - `property/world.rs`: the store, the model and the generator;
//! - `property/edits.rs`: the edits;
//! - `property/questions.rs`: the questions and the comparison.
//!
//! The seed is printed; `KITH_PROPERTY_SEED=<n>` replays a run and
//! `KITH_PROPERTY_ROUNDS=<n>` changes its length. A second test asks the
//! pathological questions (a one-letter prefix, 20 words, every filter at
//! once, page 10,000) and checks their answers too.

#[path = "property/edits.rs"]
mod edits;
/// The population and oracle, shared with `contract.rs`.
#[path = "support/oracle.rs"]
mod oracle;
#[path = "property/questions.rs"]
mod questions;
mod support;
#[path = "property/world.rs"]
mod world;

use kith_domain::group::ListingStatus;
use kith_store::DirectorySearch;
use kith_store::testing::insert;
use oracle::{search, search_at};
use world::{Rng, World};

/// Rounds when `KITH_PROPERTY_ROUNDS` is unset: each is one edit and
/// [`QUERIES_PER_ROUND`] searches.
const DEFAULT_ROUNDS: u32 = 150;
const QUERIES_PER_ROUND: usize = 4;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

contract!(
    random_edits_and_searches_agree_with_the_oracle,
    |store| async move {
        // The questions go to the in-memory index, not the database's query.
        assert!(store.directory_index_state().ready);
        let seed = env_number("KITH_PROPERTY_SEED").unwrap_or_else(rand_seed);
        let rounds = env_number("KITH_PROPERTY_ROUNDS").map_or(DEFAULT_ROUNDS, |n| n as u32);
        eprintln!(
            "directory property: seed {seed}, {rounds} rounds (KITH_PROPERTY_SEED={seed} replays)"
        );
        let mut world = World::new(store, seed).await;
        let started = std::time::Instant::now();
        let mut searched = 0;
        let mut found = 0;
        for round in 1..=rounds {
            let hints = world.edit().await;
            for _ in 0..QUERIES_PER_ROUND {
                let pairs = world.query(&hints);
                let page = *world.rng.pick(&[1, 1, 1, 2, 2, 3]);
                let borrowed: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let s = search_at(&borrowed, page, world.clock);
                world
                    .check(&s, &format!("{borrowed:?} page {page}"), round)
                    .await;
                searched += 1;
                found += usize::from(!oracle::expected_of(&world.groups, &s).is_empty());
            }
        }
        // Most questions must find something, or the comparison says
        // little.
        assert!(
            found * 3 > searched,
            "only {found} of {searched} searches found anything; seed {seed}"
        );
        eprintln!(
            "directory property: {rounds} edits, {searched} searches ({found} with results) in {:?}",
            started.elapsed()
        );
    }
);

/// A seed from the clock's nanoseconds: new each run, printed to replay.
fn rand_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
}

contract!(pathological_questions_answer_right, |store| async move {
    assert!(store.directory_index_state().ready);
    let mut groups = oracle::population();
    // Regions on some groups, so a question with every filter can
    // find something.
    for g in groups.iter_mut() {
        if g.profile.place.city.as_deref() == Some("Berlin") {
            g.profile.place.region = Some("Berlin".into());
        }
    }
    insert(&store, &groups, ListingStatus::Listed).await;
    let twenty_words = "circle river lantern meadow harbour orchard rare1 about shared name \
                            c ci cir circ circl r ri riv rive a";
    assert_eq!(kith_domain::text::tokens(twenty_words).len(), 20);
    let twenty_matching = "circle circl circ cir ci c rare1 rare about abou abo ab a \
                               circle c r ra rar rare rare1";
    let every_filter: Vec<(&str, &str)> = vec![
        ("q", "circ"),
        ("format", "video"),
        ("format", "phone"),
        ("format", "in_person"),
        ("format", "hybrid"),
        ("focus", "tapering"),
        ("focus", "considering"),
        ("attribute", "open"),
        ("language", "de"),
        ("country", "DE"),
        ("region", "berlin"),
        ("city", "BERLIN"),
        ("day", "2"),
        ("time", "evening"),
        ("tz", "Europe/Berlin"),
        ("starts_within", "10080"),
        ("in_progress", "true"),
    ];
    let broad_every_filter: Vec<(&str, &str)> = every_filter
        .iter()
        .copied()
        .filter(|(k, _)| !matches!(*k, "attribute" | "day" | "time" | "tz" | "in_progress"))
        .collect();
    let questions: Vec<Vec<(&str, &str)>> = vec![
        vec![("q", "c")],
        vec![("q", "r")],
        vec![("q", "z")],
        vec![("q", "c"), ("format", "video")],
        vec![("q", twenty_words)],
        vec![("q", twenty_matching)],
        every_filter,
        broad_every_filter,
    ];
    for pairs in &questions {
        for page in [1, 2, 3, 500] {
            let s = search(pairs, page);
            oracle::assert_agrees(&store, &groups, &s, &format!("{pairs:?} page {page}")).await;
        }
    }
    // The one-letter prefix and the broad filters find many.
    assert_eq!(
        oracle::expected(&groups, &search(&[("q", "c")], 3)).len(),
        21
    );
    assert!(!oracle::expected(&groups, &search(&questions[5], 1)).is_empty());
    assert!(!oracle::expected(&groups, &search(&questions[7], 1)).is_empty());
    // Page 10,000 is past what the web layer accepts (500), but the
    // store must still answer it right (and quickly): nothing.
    for pairs in [vec![], vec![("q", "c")], questions[7].clone()] {
        let mut s = search(&pairs, 1);
        s.offset = 199_980;
        oracle::assert_agrees(&store, &groups, &s, &format!("{pairs:?} offset 199,980")).await;
        assert!(oracle::expected(&groups, &s).is_empty());
    }
    // Offsets near the end of the results: the last page and past it.
    let all = oracle::expected(
        &groups,
        &DirectorySearch {
            limit: 10_000,
            ..search(&[], 1)
        },
    );
    assert_eq!(
        all.len(),
        groups.len(),
        "every group meets within six weeks"
    );
    for offset in [all.len() as u32 - 1, all.len() as u32, all.len() as u32 + 1] {
        let s = DirectorySearch {
            offset,
            ..search(&[], 1)
        };
        oracle::assert_agrees(&store, &groups, &s, &format!("offset {offset}")).await;
    }
});

#[test]
fn the_generator_replays_from_its_seed() {
    let draw = |seed| {
        let mut rng = Rng(seed);
        (0..5).map(|_| rng.below(1000)).collect::<Vec<_>>()
    };
    assert_eq!(draw(7), draw(7));
    assert_ne!(draw(7), draw(8));
}
