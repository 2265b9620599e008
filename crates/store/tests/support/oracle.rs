//! A deterministic population and a Rust oracle for the directory: whatever
//! answers `Store::search_directory` (the SQL plans, an in-memory index), on
//! both backends, must agree with it. Shared by `contract.rs` and
//! `directory_property.rs`, each including it with `#[path]` (not through
//! `support/mod.rs`, which every test binary compiles).
//!
//! The oracle reads no database: it matches a group's own fields and orders
//! its own model of each group's meetings (cancelled, moved), by the rules
//! the directory promises — next matching meeting, then sort name, then
//! group id.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::{DateTime, Weekday};
use kith_domain::directory::{RawFilters, horizon};
use kith_domain::group::{Attribute, Focus, Format, ListingStatus, NewGroup, Place};
use kith_domain::ids::{GroupId, OccurrenceId, Slug};
use kith_domain::schedule::PlannedOccurrence;
use kith_domain::text;
use kith_domain::zone::Zone;
use kith_store::testing::{group, now};
use kith_store::{DirectorySearch, Store};

pub const FORMATS: [Format; 4] = [
    Format::Video,
    Format::Phone,
    Format::InPerson,
    Format::Hybrid,
];
pub const ZONES: [&str; 6] = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "UTC",
];
pub const WORDS: [&str; 5] = ["river", "lantern", "meadow", "harbour", "orchard"];

/// A page of the directory as the web layer asks it, the filters parsed
/// from query pairs in UTC at the tests' fixed now.
pub fn search(pairs: &[(&str, &str)], page: u32) -> DirectorySearch {
    search_at(pairs, page, now())
}

/// As [`search`], asked at `at`.
pub fn search_at(pairs: &[(&str, &str)], page: u32, at: Timestamp) -> DirectorySearch {
    let raw = RawFilters::from_pairs(pairs.iter().copied());
    let f = raw.parse(&Zone::utc()).expect("valid filters");
    DirectorySearch {
        windows: f.start_windows(at, horizon(at)),
        terms: f.terms,
        formats: f.formats,
        focus: f.focus,
        attributes: f.attributes,
        language: f.language,
        country: f.country,
        region: f.region,
        city: f.city,
        now: at.as_second(),
        offset: (page - 1) * 20,
        limit: 21,
    }
}

pub fn population() -> Vec<NewGroup> {
    let mut seed: u64 = 42;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    (0..450)
        .map(|i| {
            let word = WORDS[next(5) as usize];
            // "circle" is in every name: a common word; "rare{i}" is rare.
            let name = format!("{word} circle {i} rare{}", i % 97);
            let days: Vec<Weekday> = (0..1 + next(2))
                .map(|_| Weekday::from_sunday_zero_offset(next(7) as i8).expect("day"))
                .collect();
            let at = format!("{:02}:{:02}", next(24), [0, 15, 30, 45][next(4) as usize]);
            let mut g = group(&name, ZONES[next(6) as usize], &days, &at);
            // Several groups share a name key and a start: the tie-breakers matter.
            if i % 50 == 0 {
                g.profile.name = "Shared name".into();
            }
            g.profile.format = FORMATS[next(4) as usize];
            g.profile.focus = vec![Focus::ALL[next(7) as usize]];
            if next(3) == 0 {
                g.profile.focus.push(Focus::Considering);
            }
            g.profile.attributes = Attribute::ALL
                .iter()
                .copied()
                .filter(|_| next(4) == 0)
                .collect();
            g.profile.language = ["en", "de", "pt-BR", "pt-PT", "ja"][next(5) as usize].into();
            if next(2) == 0 {
                let (country, city) = [
                    ("DE", "Berlin"),
                    ("US", "New York"),
                    ("NP", "Kathmandu"),
                    ("DE", "Köln"),
                ][next(4) as usize];
                g.profile.place = Place {
                    country: Some(country.into()),
                    region: None,
                    city: Some(city.into()),
                };
            }
            g
        })
        .collect()
}

/// One meeting as the oracle knows it.
#[derive(Debug, Clone)]
pub struct Meeting {
    /// Its id in the store, once a test has read it.
    pub id: Option<OccurrenceId>,
    /// Its start by the rule: its identity.
    pub local_start: DateTime,
    /// Start and end by the rule (unix seconds), where a restore puts it.
    pub planned: (i64, i64),
    /// Where it starts now (unix seconds).
    pub starts_at: i64,
    /// Where it ends now.
    pub ends_at: i64,
    /// Whether a host cancelled it.
    pub cancelled: bool,
    /// Whether a host moved it (a refresh then keeps its times).
    pub moved: bool,
}

/// The meetings a new (or rescheduled) group has in the store: its
/// schedule's, from now to the horizon.
pub fn meetings_of(g: &NewGroup) -> Vec<Meeting> {
    meetings_at(g, now())
}

/// The meetings a group inserted (or rescheduled) at `at` has: its
/// schedule's, from `at` to the horizon then.
pub fn meetings_at(g: &NewGroup, at: Timestamp) -> Vec<Meeting> {
    g.profile
        .schedule
        .occurrences_between(at, horizon(at))
        .into_iter()
        .map(|o| {
            let (start, end) = (o.starts_at.as_second(), o.ends_at.as_second());
            Meeting {
                id: None,
                local_start: o.local_start,
                planned: (start, end),
                starts_at: start,
                ends_at: end,
                cancelled: false,
                moved: false,
            }
        })
        .collect()
}

/// The words a group is found by: its name, description, region and city.
pub fn words_of(g: &NewGroup) -> Vec<String> {
    let p = &g.profile;
    [
        Some(p.name.as_str()),
        Some(p.description.as_str()),
        p.place.region.as_deref(),
        p.place.city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .flat_map(text::tokens)
    .collect()
}

/// A group as the oracle models it.
#[derive(Debug, Clone)]
pub struct Modelled {
    /// Its fields.
    pub group: NewGroup,
    /// Its id in the store (`GroupId(0)` when no test needs it); the
    /// model keeps groups in id order, the directory's last tie-breaker.
    pub id: GroupId,
    /// Its slug in the store.
    pub slug: Slug,
    /// Its listing status.
    pub status: ListingStatus,
    /// [`words_of`] the group, kept so each query need not split them again.
    pub words: Vec<String>,
    /// Its meetings, ordered by where they start now.
    pub meetings: Vec<Meeting>,
}

impl Modelled {
    /// A group as just inserted, with its schedule's meetings.
    pub fn new(group: NewGroup, id: GroupId, slug: Slug, status: ListingStatus) -> Self {
        Self::new_at(group, id, slug, status, now())
    }

    /// A group as inserted at `at`, with its schedule's meetings from then.
    pub fn new_at(
        group: NewGroup,
        id: GroupId,
        slug: Slug,
        status: ListingStatus,
        at: Timestamp,
    ) -> Self {
        let words = words_of(&group);
        let meetings = meetings_at(&group, at);
        Self {
            group,
            id,
            slug,
            status,
            words,
            meetings,
        }
    }

    /// Replaces its fields (after an edit at `at`); a new schedule brings
    /// new meetings, as the store replaces them.
    pub fn edit(&mut self, group: NewGroup, schedule_changed: bool, at: Timestamp) {
        if schedule_changed {
            self.meetings = meetings_at(&group, at);
        }
        self.words = words_of(&group);
        self.group = group;
    }

    /// Saves `planned` meetings from `from` on as the occurrence refresher
    /// does: a meeting already there (same local start) keeps its id, its
    /// cancellation and, when moved, its times; new ones are added; others
    /// that have not ended by `from` go.
    pub fn refresh(&mut self, planned: &[PlannedOccurrence], from: Timestamp) {
        for p in planned {
            let (start, end) = (p.starts_at.as_second(), p.ends_at.as_second());
            match self
                .meetings
                .iter_mut()
                .find(|o| o.local_start == p.local_start)
            {
                Some(o) => {
                    o.planned = (start, end);
                    if !o.moved {
                        o.starts_at = start;
                        o.ends_at = end;
                    }
                }
                None => self.meetings.push(Meeting {
                    id: None,
                    local_start: p.local_start,
                    planned: (start, end),
                    starts_at: start,
                    ends_at: end,
                    cancelled: false,
                    moved: false,
                }),
            }
        }
        let from = from.as_second();
        self.meetings.retain(|o| {
            o.ends_at <= from || planned.iter().any(|p| p.local_start == o.local_start)
        });
        self.sort_meetings();
    }

    /// Drops meetings that started and ended before `before`, as pruning
    /// does.
    pub fn prune(&mut self, before: Timestamp) {
        let before = before.as_second();
        self.meetings
            .retain(|o| !(o.starts_at < before && o.ends_at < before));
    }

    /// Keeps its meetings in start order after one moved.
    pub fn sort_meetings(&mut self) {
        self.meetings
            .sort_by_key(|m| (m.starts_at, m.ends_at, m.local_start));
    }
}

/// What the directory answers for `s` over `groups` (in id order): each
/// hit's slug, name and next matching start.
pub fn expected_of(groups: &[Modelled], s: &DirectorySearch) -> Vec<(Slug, String, i64)> {
    let mut hits: Vec<(i64, String, usize)> = groups
        .iter()
        .enumerate()
        .filter(|(_, m)| m.status == ListingStatus::Listed && matches(&m.group, &m.words, s))
        .filter_map(|(i, m)| {
            m.meetings
                .iter()
                .filter(|o| !o.cancelled && o.ends_at > s.now)
                .filter(|o| s.windows.iter().any(|w| (w.0..w.1).contains(&o.starts_at)))
                .map(|o| o.starts_at)
                .min()
                .map(|start| (start, text::place_key(&m.group.profile.name), i))
        })
        .collect();
    hits.sort();
    hits.into_iter()
        .skip(s.offset as usize)
        .take(s.limit as usize)
        .map(|(start, _, i)| {
            let m = &groups[i];
            (m.slug.clone(), m.group.profile.name.clone(), start)
        })
        .collect()
}

/// What the directory answers for `s` over freshly inserted listed
/// `groups` (in insertion order): each hit's name and next matching start.
pub fn expected(groups: &[NewGroup], s: &DirectorySearch) -> Vec<(String, i64)> {
    let placeholder = Slug::parse("oracle").expect("slug");
    let modelled: Vec<Modelled> = groups
        .iter()
        .map(|g| {
            Modelled::new(
                g.clone(),
                GroupId(0),
                placeholder.clone(),
                ListingStatus::Listed,
            )
        })
        .collect();
    expected_of(&modelled, s)
        .into_iter()
        .map(|(_, name, start)| (name, start))
        .collect()
}

/// Asserts that the store answers `s` as the oracle does.
pub async fn assert_agrees(
    store: &Arc<dyn Store>,
    groups: &[NewGroup],
    s: &DirectorySearch,
    what: &str,
) {
    let got: Vec<(String, i64)> = store
        .search_directory(s)
        .await
        .expect("search")
        .into_iter()
        .map(|h| (h.name, h.next.starts_at.as_second()))
        .collect();
    assert_eq!(got, expected(groups, s), "{what}");
}

/// Whether a group with these `words` passes every filter of `s` but time.
pub fn matches(g: &NewGroup, words: &[String], s: &DirectorySearch) -> bool {
    let p = &g.profile;
    let key = |v: &Option<String>| v.as_deref().map(text::place_key);
    (s.formats.is_empty() || s.formats.contains(&p.format))
        && (s.focus.is_empty() || s.focus.iter().any(|f| p.focus.contains(f)))
        && s.attributes.iter().all(|a| p.attributes.contains(a))
        && s.language
            .as_ref()
            .is_none_or(|l| &p.language == l || p.language.split('-').next() == Some(l.as_str()))
        && s.country
            .as_ref()
            .is_none_or(|c| p.place.country.as_ref() == Some(c))
        && s.region
            .as_ref()
            .is_none_or(|r| key(&p.place.region).as_ref() == Some(r))
        && s.city
            .as_ref()
            .is_none_or(|c| key(&p.place.city).as_ref() == Some(c))
        && s.terms
            .iter()
            .all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
}
