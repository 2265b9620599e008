//! The public cache never answers one question with another's answer: over
//! a varied directory, listed groups' pages in random zones and the Meeting
//! Guide feed for several addresses and words come from a cached app
//! exactly as an uncached one answers them at the same clock. On both
//! databases, with a fixed seed so a failure repeats.
//!
//! Every clock here is 45 seconds past a minute, and the cache's steps are
//! 30 seconds, so a cached answer was read at most 29 seconds earlier but
//! after the minute began. Meetings start and end on whole minutes and the
//! filters' windows move with the clock by whole minutes, so within that
//! half minute nothing can change: any difference is the cache's fault.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_app::App;
use kith_app::AppError;
use kith_app::feeds::meeting_guide::FocusWords;
use kith_app::feeds::meeting_guide_feed;
use kith_app::groups::{GroupSubmission, create_groups, group_page};
use kith_app::public_cache::PublicCache;
use kith_app::testing::GroupBuilder;
use kith_domain::group::{Attribute, Focus, Format, ListingStatus, PrivateDetails};
use kith_domain::ids::Slug;
use kith_domain::membership::{JoinPolicy, JoinSettings};
use kith_domain::zone::Zone;
use kith_store::{Store, on_both_backends};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const ZONES: [&str; 7] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/St_Johns",
    "America/Los_Angeles",
    "Australia/Melbourne",
    "Asia/Kathmandu",
];
const WORDS: [&str; 6] = ["river", "quiet", "circle", "lantern", "harbour", "steady"];
const LANGUAGES: [&str; 4] = ["en", "es", "de", "pt-BR"];
/// Country, region, city.
const PLACES: [(&str, &str, &str); 4] = [
    ("DE", "Berlin", "Berlin"),
    ("PT", "Lisboa", "Lisbon"),
    ("US", "New York", "Brooklyn"),
    ("AU", "Victoria", "Melbourne"),
];

/// When the groups are made.
fn created() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().expect("timestamp")
}

/// When the questions are asked: each 45 s past a minute (see above).
fn clocks() -> [Timestamp; 3] {
    [
        "2026-06-03T17:12:45Z",
        "2026-06-04T02:41:45Z",
        "2026-06-06T22:58:45Z",
    ]
    .map(|at| at.parse().expect("timestamp"))
}

fn rng() -> StdRng {
    StdRng::seed_from_u64(15)
}

/// Sixty listed groups of every format, zone, language, focus and place,
/// eight of them in progress at the first clock, and four nobody may see.
fn groups(rng: &mut StdRng) -> Vec<GroupSubmission> {
    let mut out = Vec::new();
    for n in 0..64 {
        let name = format!(
            "{} {} {n}",
            WORDS.choose(rng).expect("word"),
            WORDS.choose(rng).expect("word")
        );
        let zone = *ZONES.choose(rng).expect("zone");
        let (days, at) = if n < 8 {
            // Started within the last hour in its own zone, 90 minutes long.
            let local = clocks()[0].to_zoned(Zone::parse(zone).expect("zone").tz().clone());
            (vec![local.weekday()], format!("{:02}:00", local.hour()))
        } else {
            let days: Vec<Weekday> = (0..rng.random_range(1..=3))
                .map(|_| Weekday::from_sunday_zero_offset(rng.random_range(0..7)).expect("day"))
                .collect();
            let at = format!(
                "{:02}:{:02}",
                rng.random_range(0..24),
                [0, 15, 30, 45].choose(rng).expect("minute")
            );
            (days, at)
        };
        let format = *Format::ALL.choose(rng).expect("format");
        let mut group = GroupBuilder::new(&name)
            .weekly(&days, &at, zone)
            .minutes(if n < 8 {
                90
            } else {
                *[45, 60, 90, 120].choose(rng).expect("length")
            })
            .format(format)
            .language(LANGUAGES.choose(rng).expect("language"))
            .focus(&pick(rng, Focus::ALL, 1..=2))
            .attributes(&pick(rng, Attribute::ALL, 0..=3));
        if format != Format::Video || rng.random_bool(0.3) {
            let (country, region, city) = *PLACES.choose(rng).expect("place");
            group = group.place(country, Some(region), city);
        }
        if rng.random_bool(0.2) {
            group = group
                .join(JoinSettings {
                    policy: JoinPolicy::Open,
                    publish_call_link: true,
                    ..JoinSettings::default()
                })
                .private(PrivateDetails {
                    call_link: Some(format!("https://meet.example.org/{n}")),
                    ..PrivateDetails::default()
                });
        }
        if n >= 60 {
            group = group.status(if n % 2 == 0 {
                ListingStatus::Pending
            } else {
                ListingStatus::Unlisted
            });
        }
        out.push(group.build());
    }
    out
}

fn pick<T: Copy>(rng: &mut StdRng, all: &[T], count: std::ops::RangeInclusive<usize>) -> Vec<T> {
    let count = rng.random_range(count);
    all.choose_multiple(rng, count).copied().collect()
}

/// The same app with a cache whose answers live 30 s.
fn cached(app: &App) -> App {
    app.clone()
        .with_public_cache(Arc::new(PublicCache::new(Duration::from_secs(30))))
}

/// Words for the feed's notes, in two "languages".
struct Words(&'static str);

impl FocusWords for Words {
    fn focus_label(&self) -> &str {
        self.0
    }

    fn focus_name(&self, focus: Focus) -> &str {
        if self.0 == "Focus:" {
            focus.code()
        } else {
            "…"
        }
    }
}

on_both_backends!(
    group_pages_and_the_feed_are_answered_from_the_cache_as_the_store_answers,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let mut rng = rng();
        let slugs: Vec<Slug> = create_groups(app, &groups(&mut rng), created())
            .await
            .expect("groups");
        let cached = &cached(app);
        let mut hidden = 0;
        for n in 0..300 {
            let at = clocks()[(n / 50) % 3];
            let slug = slugs.choose(&mut rng).expect("slug");
            let zone = Zone::parse(ZONES.choose(&mut rng).expect("zone")).expect("zone");
            let fresh = group_page(app, None, slug, &zone, at).await;
            let answer = group_page(cached, None, slug, &zone, at).await;
            match (answer, fresh) {
                (Ok(answer), Ok(fresh)) => assert_eq!(answer, fresh, "{slug} in {zone}"),
                (Err(AppError::NotFound), Err(AppError::NotFound)) => hidden += 1,
                (answer, fresh) => panic!("{slug}: {answer:?} but {fresh:?}"),
            }
        }
        assert!(hidden > 0, "the unlisted groups were asked for");

        let words = [Words("Focus:"), Words("Schwerpunkt:")];
        let mut bodies = std::collections::HashSet::new();
        for n in 0..40 {
            let at = clocks()[(n / 20) % 3];
            let words = words.choose(&mut rng).expect("words");
            let fresh = meeting_guide_feed(app, words, at).await.expect("feed");
            let answer = meeting_guide_feed(cached, words, at)
                .await
                .expect("cached feed");
            assert_eq!(answer.json, fresh.json, "{}", words.0);
            assert_eq!(answer.etag, fresh.etag);
            bodies.insert(answer.etag.clone());
        }
        assert_eq!(bodies.len(), 2, "each words has its own feed");
    }
);
