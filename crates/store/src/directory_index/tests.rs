//! The index against the database's query: the same answers for many
//! questions, on both backends, before and after changes.

use std::time::Instant;

use jiff::civil::Weekday;
use kith_domain::directory::{RawFilters, horizon};
use kith_domain::group::{Attribute, Focus, Format, ListingStatus, NewGroup};
use kith_domain::zone::Zone;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::load::Cursor;
use super::{Caller, DirectoryIndex, Read};
use crate::GroupStore;
use crate::model::DirectorySearch;
use crate::sql_store::SqlStore;
use crate::testing::{INDEX_POLL, group, insert, now};

const WORDS: &[&str] = &[
    "tapering",
    "peer",
    "tap",
    "voices",
    "quiet",
    "quill",
    "östrogen",
    "we",
];
const ZONES: &[&str] = &["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"];
const DAYS: &[Weekday] = &[
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Friday,
    Weekday::Sunday,
];
const TIMES: &[&str] = &["07:00", "10:30", "19:00", "19:00", "23:45"];

fn population(rng: &mut StdRng) -> Vec<NewGroup> {
    (0..160)
        .map(|i| {
            let name = format!(
                "{} {} {}",
                WORDS[rng.random_range(0..WORDS.len())],
                WORDS[rng.random_range(0..WORDS.len())],
                // Names that tie at one start, and names that do not.
                i % 7
            );
            let day = DAYS[rng.random_range(0..DAYS.len())];
            let time = TIMES[rng.random_range(0..TIMES.len())];
            let mut g = group(&name, ZONES[i % ZONES.len()], &[day], time);
            g.profile.format = Format::ALL[rng.random_range(0..Format::ALL.len())];
            g.profile.focus = vec![Focus::ALL[rng.random_range(0..Focus::ALL.len())]];
            g.profile.attributes = Attribute::ALL
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.3))
                .collect();
            g.profile.language = ["en", "de", "de-AT", "es"][rng.random_range(0..4)].to_owned();
            g.profile.place.country = Some(["GB", "DE", "US"][rng.random_range(0..3)].to_owned());
            g
        })
        .collect()
}

fn question(rng: &mut StdRng) -> DirectorySearch {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if rng.random_bool(0.6) {
        let word = WORDS[rng.random_range(0..WORDS.len())];
        let cut = rng.random_range(1..=word.chars().count());
        pairs.push(("q", word.chars().take(cut).collect()));
    }
    if rng.random_bool(0.3) {
        let format = Format::ALL[rng.random_range(0..Format::ALL.len())];
        pairs.push(("format", format.code().to_owned()));
    }
    if rng.random_bool(0.2) {
        let focus = Focus::ALL[rng.random_range(0..Focus::ALL.len())];
        pairs.push(("focus", focus.code().to_owned()));
    }
    if rng.random_bool(0.2) {
        let attribute = Attribute::ALL[rng.random_range(0..Attribute::ALL.len())];
        pairs.push(("attribute", attribute.code().to_owned()));
    }
    if rng.random_bool(0.2) {
        pairs.push((
            "language",
            ["en", "de", "de-AT"][rng.random_range(0..3)].to_owned(),
        ));
    }
    if rng.random_bool(0.2) {
        pairs.push(("country", ["GB", "DE"][rng.random_range(0..2)].to_owned()));
    }
    if rng.random_bool(0.3) {
        pairs.push(("day", rng.random_range(0..=6).to_string()));
    }
    if rng.random_bool(0.3) {
        let time = ["morning", "afternoon", "evening", "night"][rng.random_range(0..4)];
        pairs.push(("time", time.to_owned()));
    }
    if rng.random_bool(0.1) {
        pairs.push(("starts_within", "600".to_owned()));
    }
    if rng.random_bool(0.1) {
        pairs.push(("in_progress", "true".to_owned()));
    }
    pairs.push(("tz", ZONES[rng.random_range(0..ZONES.len())].to_owned()));
    search(&pairs, rng.random_range(1..=3))
}

fn search(pairs: &[(&str, String)], page: u32) -> DirectorySearch {
    let filters = RawFilters::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .parse(&Zone::utc())
        .expect("valid filters");
    DirectorySearch {
        windows: filters.start_windows(now(), horizon(now())),
        terms: filters.terms,
        formats: filters.formats,
        focus: filters.focus,
        attributes: filters.attributes,
        language: filters.language,
        country: filters.country,
        region: filters.region,
        city: filters.city,
        now: now().as_second(),
        offset: (page - 1) * 10,
        limit: 11,
    }
}

async fn agree(store: &SqlStore, rng: &mut StdRng, questions: usize) {
    let mut answered = 0;
    for _ in 0..questions {
        let search = question(rng);
        let from_index = store.search_directory(&search).await.expect("index");
        let from_database = crate::search::run(store.db(), &search)
            .await
            .expect("database");
        assert_eq!(from_index, from_database, "{search:?}");
        let plans = {
            let index = store.directory_index().index.read().expect("index");
            super::query::by_each_plan(&index, &search).expect("plans")
        };
        assert_eq!(plans[0], from_database, "walked: {search:?}");
        assert_eq!(plans[1], from_database, "sorted: {search:?}");
        answered += usize::from(!from_index.is_empty());
    }
    // Questions that find nothing agree too easily.
    assert!(
        answered * 3 > questions,
        "{answered} of {questions} found groups"
    );
}

async fn index_and_query_agree(store: SqlStore) {
    let mut rng = StdRng::seed_from_u64(23);
    let shared: std::sync::Arc<dyn crate::Store> = std::sync::Arc::new(store.clone());
    insert(&shared, &population(&mut rng), ListingStatus::Listed).await;
    store.start_directory_index(INDEX_POLL);
    store.directory_index_ready().await;
    assert_eq!(store.directory_index_state().groups, 160);
    agree(&store, &mut rng, 400).await;
    // Changes after the build: new groups, one unlisted.
    let more = population(&mut rng);
    let slugs = insert(&shared, &more[..20], ListingStatus::Listed).await;
    crate::db::query("UPDATE groups SET status = 'unlisted' WHERE slug = $1")
        .bind(slugs[0].as_str())
        .execute(store.db())
        .await
        .expect("unlist");
    agree(&store, &mut rng, 400).await;
    assert_eq!(
        store.directory_index_state().groups,
        179,
        "the new groups are held, the unlisted one is not"
    );
}

#[tokio::test]
async fn on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    index_and_query_agree(crate::sqlite::connect(&url, 4).await.expect("open")).await;
}

#[tokio::test]
async fn on_postgres() {
    let Some(db) = crate::testing::TempPostgres::create().await else {
        return;
    };
    let store = crate::postgres::connect(&db.url, 4).await.expect("open");
    let outcome = tokio::spawn(index_and_query_agree(store)).await;
    db.drop_now().await;
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

#[tokio::test]
async fn a_failed_read_keeps_its_place_and_only_the_keeper_builds() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    let store = crate::sqlite::connect(&url, 4).await.expect("open");
    let shared: std::sync::Arc<dyn crate::Store> = std::sync::Arc::new(store.clone());
    let mut rng = StdRng::seed_from_u64(5);
    insert(&shared, &population(&mut rng)[..3], ListingStatus::Listed).await;
    // Driven by hand, not by a keeper task, so nothing reads in between.
    let index = DirectoryIndex::default();
    assert!(index.sync(store.db(), Caller::Keeper).await.expect("build"));
    index.ready.send_replace(true);
    let everything = search(&[("tz", "UTC".to_owned())], 1);

    // A cursor SQLite cannot read makes the read fail; it is kept, so the
    // next read starts from the same place rather than building afresh.
    let unreadable = Cursor::Postgres("1".to_owned());
    *index.cursor.lock().await = Some(Read {
        cursor: unreadable.clone(),
        at: Instant::now(),
    });
    assert!(index.sync(store.db(), Caller::Keeper).await.is_err());
    let kept = index
        .cursor
        .lock()
        .await
        .as_ref()
        .map(|read| read.cursor.clone());
    assert_eq!(kept, Some(unreadable));

    // With no cursor to read from, a search after a write does not build
    // the index on its own time: the database answers it.
    *index.cursor.lock().await = None;
    insert(&shared, &population(&mut rng)[..1], ListingStatus::Listed).await;
    let answer = index.search(store.db(), &everything).await.expect("search");
    assert_eq!(answer, None, "left to the database");
    assert_eq!(index.state().groups, 3, "not rebuilt by the search");

    // The keeper builds it afresh, and the index answers again.
    assert!(
        index
            .sync(store.db(), Caller::Keeper)
            .await
            .expect("rebuild")
    );
    assert_eq!(index.state().groups, 4);
    let answer = index.search(store.db(), &everything).await.expect("search");
    let database = crate::search::run(store.db(), &everything)
        .await
        .expect("database");
    assert_eq!(database.len(), 4);
    assert_eq!(answer, Some(database));
}
