//! The store contract for many groups at a time (imports): inserts larger
//! than one statement holds, reading groups back in bulk, and saving
//! several edits in one transaction — on SQLite and on PostgreSQL.

mod support;

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_domain::directory::horizon;
use kith_domain::group::{
    Attribute, Facilitation, FacilitationStyle, Focus, Format, GroupProfile, ListingStatus,
    NewGroup, Place, PrivateDetails,
};
use kith_domain::ids::{GroupId, SeriesId, Slug};
use kith_domain::schedule::{MeetingDuration, Rule, Schedule, WeekdaySet, parse_local_time};
use kith_domain::zone::Zone;
use kith_store::hosting::GroupUpdate;
use kith_store::mail::NoMail;
use kith_store::{GroupDraft, StoreError};

fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().expect("timestamp")
}

const DAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];
const ZONES: [&str; 4] = ["Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "UTC"];

/// Inserts `groups` listed, with no hosts and their meetings ahead.
async fn insert_listed(store: &dyn kith_store::Store, groups: &[NewGroup]) -> Vec<Slug> {
    let until = horizon(now());
    let drafts: Vec<GroupDraft<'_>> = groups
        .iter()
        .map(|g| GroupDraft {
            group: g,
            status: ListingStatus::Listed,
            hosts: vec![],
            occurrences: g.profile.schedule.occurrences_between(now(), until),
            occurrences_until: until,
        })
        .collect();
    store
        .insert_groups(&drafts, &NoMail, now())
        .await
        .expect("insert")
}

/// The `n`th of a varied population: one to three weekly rules, several
/// zones, a place for some, private fields for some.
fn group(n: usize) -> NewGroup {
    let rules = (0..1 + n % 3)
        .map(|r| {
            Rule::weekly(
                WeekdaySet::of([DAYS[(n + r) % 7], DAYS[(n + 3 * r + 1) % 7]]),
                parse_local_time(&format!("{:02}:{:02}", (n + 5 * r) % 24, 15 * (r % 4)))
                    .expect("time"),
                MeetingDuration::from_minutes(60 + 30 * (r as u16 % 2)).expect("duration"),
            )
            .expect("rule")
        })
        .collect();
    let name = format!("Group {n} of many");
    NewGroup {
        profile: GroupProfile {
            slug: Slug::parse(&format!("group-{n}-of-many")).expect("slug"),
            description: format!("About group {n}."),
            agreements: String::new(),
            facilitation: Facilitation {
                style: FacilitationStyle::AgendaFree,
                description: String::new(),
            },
            focus: vec![Focus::PeerSupport],
            attributes: if n % 2 == 0 {
                vec![Attribute::Open, Attribute::Women]
            } else {
                vec![]
            },
            format: if n % 5 == 0 {
                Format::InPerson
            } else {
                Format::Video
            },
            language: "en".to_owned(),
            place: if n % 5 == 0 {
                Place {
                    country: Some("DE".into()),
                    region: Some("Berlin".into()),
                    city: Some("Berlin".into()),
                }
            } else {
                Place::default()
            },
            capacity: None,
            schedule: Schedule {
                zone: Zone::parse(ZONES[n % ZONES.len()]).expect("zone"),
                rules,
            },
            hosts: vec![],
            status: ListingStatus::Listed,
            source: (n % 4 != 0).then(|| format!("https://other.example/m/{n}")),
            join: Default::default(),
            name,
        },
        private: PrivateDetails {
            call_link: (n % 3 == 0).then(|| format!("https://meet.example.org/{n}")),
            dial_in: None,
            street_address: None,
        },
    }
}

contract!(
    more_groups_than_one_statement_holds_are_inserted_and_read_back_in_bulk,
    |store| async move {
        // 1,201 groups, 2,400 rules and about 17,000 meetings: each of the
        // three multi-row inserts needs several statements.
        let groups: Vec<NewGroup> = (0..1_201).map(group).collect();
        let hosts = [
            store
                .ensure_account("willow", now())
                .await
                .expect("account"),
            store.ensure_account("rowan", now()).await.expect("account"),
        ];
        let until = horizon(now());
        let drafts: Vec<GroupDraft<'_>> = groups
            .iter()
            .enumerate()
            .map(|(n, g)| GroupDraft {
                group: g,
                status: if n % 7 == 0 {
                    ListingStatus::Pending
                } else {
                    ListingStatus::Listed
                },
                hosts: match n % 3 {
                    0 => vec![],
                    1 => vec![hosts[1]],
                    _ => vec![hosts[1], hosts[0]],
                },
                occurrences: g.profile.schedule.occurrences_between(now(), until),
                occurrences_until: until,
            })
            .collect();
        let planned: usize = drafts.iter().map(|d| d.occurrences.len()).sum();
        assert!(planned > 2 * 4_571, "{planned} meetings");
        let slugs = store
            .insert_groups(&drafts, &NoMail, now())
            .await
            .expect("insert");
        let expected: Vec<&Slug> = groups.iter().map(|g| &g.profile.slug).collect();
        assert_eq!(slugs.iter().collect::<Vec<_>>(), expected, "in order");
        assert_eq!(store.count_groups().await.expect("count"), 1_201);

        let mut asked = slugs.clone();
        asked.push(Slug::parse("not-there").expect("slug"));
        let read = store.managed_groups(&asked).await.expect("bulk read");
        assert_eq!(read.len(), 1_201, "the unknown slug is left out");
        for bulk in &read {
            let one = store.managed_group(&bulk.profile.slug).await.expect("one");
            assert_eq!(format!("{bulk:?}"), format!("{one:?}"));
        }
        for (n, slug) in slugs.iter().enumerate().step_by(97) {
            let one = store.managed_group(slug).await.expect("one");
            assert_eq!(one.profile.name, groups[n].profile.name);
            assert_eq!(one.profile.hosts.len(), drafts[n].hosts.len());
            assert_eq!(one.access.status, drafts[n].status);
            assert_eq!(one.private, groups[n].private);
            // Every meeting is there, with a rule of its own group.
            let meetings = store
                .upcoming_occurrences(slug, now(), 1_000)
                .await
                .expect("meetings");
            let starts: Vec<Timestamp> = meetings.iter().map(|m| m.starts_at).collect();
            let mut planned: Vec<Timestamp> =
                drafts[n].occurrences.iter().map(|o| o.starts_at).collect();
            planned.sort();
            assert_eq!(starts, planned, "{slug}");
            let rule_ids: Vec<_> = one.profile.schedule.rules.iter().map(|r| r.id).collect();
            for meeting in &meetings {
                let (rule, _) = store
                    .occurrence_rule(one.access.id, &meeting.id, now())
                    .await
                    .expect("rule");
                assert!(rule_ids.contains(&Some(rule)));
            }
        }
    }
);

contract!(
    several_edits_are_saved_in_one_transaction,
    |store| async move {
        let groups: Vec<NewGroup> = (0..3).map(group).collect();
        let slugs = insert_listed(store.as_ref(), &groups).await;
        let until = horizon(now());
        let read = |slug: Slug| {
            let store = store.clone();
            async move { store.managed_group(&slug).await.expect("read") }
        };
        let ids: Vec<GroupId> = {
            let mut ids = Vec::new();
            for slug in &slugs {
                ids.push(read(slug.clone()).await.access.id);
            }
            ids
        };

        // One renamed, one meeting at another time.
        let mut renamed = groups[0].clone();
        renamed.profile.name = "Renamed".to_owned();
        let mut moved = groups[1].clone();
        moved.profile.schedule = group(4).profile.schedule;
        let meetings = moved.profile.schedule.occurrences_between(now(), until);
        let update = |group, occurrences| GroupUpdate {
            group,
            status: ListingStatus::Listed,
            review_note: None,
            occurrences,
            occurrences_until: until,
            change_log: None,
        };
        store
            .update_groups(
                &[
                    (ids[0], update(&renamed, None)),
                    (ids[1], update(&moved, Some(meetings.as_slice()))),
                ],
                now(),
            )
            .await
            .expect("update");
        assert_eq!(read(slugs[0].clone()).await.profile.name, "Renamed");
        let mut stored = read(slugs[1].clone()).await.profile.schedule;
        for rule in &mut stored.rules {
            rule.id = None;
        }
        assert_eq!(stored, moved.profile.schedule);
        let upcoming = store
            .upcoming_occurrences(&slugs[1], now(), 1_000)
            .await
            .expect("meetings");
        assert_eq!(upcoming.len(), meetings.len());

        // One of them is gone: nothing is saved.
        let mut again = groups[2].clone();
        again.profile.name = "Never saved".to_owned();
        let outcome = store
            .update_groups(
                &[
                    (ids[2], update(&again, None)),
                    (GroupId(i64::MAX), update(&again, None)),
                ],
                now(),
            )
            .await;
        assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");
        assert_eq!(
            read(slugs[2].clone()).await.profile.name,
            groups[2].profile.name
        );
    }
);

/// Each group's id and its rules' series ids, in the rules' order.
async fn series_of(
    store: &std::sync::Arc<dyn kith_store::Store>,
    slugs: &[Slug],
) -> Vec<(GroupId, Vec<SeriesId>)> {
    let mut out = Vec::new();
    for slug in slugs {
        let group = store.managed_group(slug).await.expect("group");
        let series = store.series_ids(group.access.id).await.expect("series");
        let rules: Vec<_> = group.profile.schedule.rules.iter().map(|r| r.id).collect();
        let ids: Vec<_> = series.iter().map(|(rule, _)| Some(*rule)).collect();
        assert_eq!(ids, rules, "one series id for each rule, in order");
        out.push((
            group.access.id,
            series.into_iter().map(|(_, s)| s).collect(),
        ));
    }
    out
}

fn all_distinct(series: &[(GroupId, Vec<SeriesId>)]) -> bool {
    let all: Vec<&SeriesId> = series.iter().flat_map(|(_, s)| s).collect();
    all.len() == all.iter().collect::<std::collections::HashSet<_>>().len()
}

contract!(
    each_rule_has_a_random_series_id_of_its_own_until_its_schedule_changes,
    |store| async move {
        // Six rules in three groups, written by the insert (SQLite's own
        // writer, PostgreSQL's multi-row statements).
        let groups: Vec<NewGroup> = (0..3).map(group).collect();
        let slugs = insert_listed(store.as_ref(), &groups).await;
        let until = horizon(now());
        let first = series_of(&store, &slugs).await;
        assert_eq!(first.iter().map(|(_, s)| s.len()).sum::<usize>(), 6);
        assert!(all_distinct(&first), "{first:?}");
        assert_eq!(series_of(&store, &slugs).await, first, "read again");

        // A rename keeps them; a new schedule is new series (the multi-row
        // statements on both backends).
        let mut renamed = groups[0].clone();
        renamed.profile.name = "Renamed".to_owned();
        let mut moved = groups[1].clone();
        moved.profile.schedule = group(5).profile.schedule;
        let meetings = moved.profile.schedule.occurrences_between(now(), until);
        let update = |group, occurrences| GroupUpdate {
            group,
            status: ListingStatus::Listed,
            review_note: None,
            occurrences,
            occurrences_until: until,
            change_log: None,
        };
        store
            .update_groups(
                &[
                    (first[0].0, update(&renamed, None)),
                    (first[1].0, update(&moved, Some(meetings.as_slice()))),
                ],
                now(),
            )
            .await
            .expect("update");
        let after = series_of(&store, &slugs).await;
        assert_eq!(after[0], first[0], "a rename keeps the series");
        assert_eq!(after[1].1.len(), 3);
        assert!(after[1].1.iter().all(|s| !first[1].1.contains(s)));
        assert!(all_distinct(&after), "{after:?}");
    }
);

/// Runs the migration's backfill again on rules without series ids, as on
/// a database made before it: each rule gets a random id of its own.
macro_rules! backfill_test {
    ($name:ident, $connection:ty, $migration:literal, $database:expr) => {
        #[tokio::test]
        async fn $name() {
            use sqlx::Connection as _;
            let Some((url, _keep)) = ($database) else {
                return;
            };
            let store = kith_store::open(&url, 2).await.expect("open");
            let groups: Vec<NewGroup> = (0..3).map(group).collect();
            let until = horizon(now());
            let drafts: Vec<GroupDraft<'_>> = groups
                .iter()
                .map(|g| GroupDraft {
                    group: g,
                    status: ListingStatus::Listed,
                    hosts: vec![],
                    occurrences: vec![],
                    occurrences_until: until,
                })
                .collect();
            let slugs = store
                .insert_groups(&drafts, &NoMail, now())
                .await
                .expect("insert");
            let before = series_of(&store, &slugs).await;
            let mut connection = <$connection>::connect(&url).await.expect("connect");
            sqlx::query("UPDATE schedule_rules SET public_id = NULL")
                .execute(&mut connection)
                .await
                .expect("forget");
            let backfill = include_str!(concat!("../migrations/", $migration))
                .lines()
                .find(|line| line.starts_with("UPDATE"))
                .expect("the backfill");
            sqlx::query(backfill)
                .execute(&mut connection)
                .await
                .expect("backfill");
            let after = series_of(&store, &slugs).await;
            assert_eq!(after.iter().map(|(_, s)| s.len()).sum::<usize>(), 6);
            assert!(all_distinct(&after), "{after:?}");
            assert!(
                after.iter().zip(&before).all(|(a, b)| a.1 != b.1),
                "new ids"
            );
        }
    };
}

backfill_test!(
    the_sqlite_backfill_gives_every_rule_its_own_series_id,
    sqlx::SqliteConnection,
    "sqlite/0015_calendar_series_ids.sql",
    {
        let db = kith_store::testing::TempSqlite::create().await;
        Some((db.url.clone(), db))
    }
);

backfill_test!(
    the_postgres_backfill_gives_every_rule_its_own_series_id,
    sqlx::PgConnection,
    "postgres/0015_calendar_series_ids.sql",
    kith_store::testing::TempPostgres::create()
        .await
        .map(|db| (db.url.clone(), DropLater(Some(db))))
);

/// Drops a test database when the test ends.
struct DropLater(Option<kith_store::testing::TempPostgres>);

impl Drop for DropLater {
    fn drop(&mut self) {
        if let Some(db) = self.0.take() {
            // The runtime is ending with the test; drop on a thread of its own.
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(db.drop_now());
            })
            .join()
            .ok();
        }
    }
}
