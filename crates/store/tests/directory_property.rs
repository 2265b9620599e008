//! The directory under random edits: from the oracle's population, each
//! round makes one random edit through the store's public methods (as
//! moderators, hosts, imports and the occurrence refresher make them, and
//! now and then time passes: meetings end, the refresher extends and
//! prunes), keeps the oracle's model in step, and compares several random
//! searches, asked at the moved-on now, with the oracle. Whatever answers `search_directory` (SQL today, an
//! in-memory index kept fresh by the store) must follow every edit at once.
//!
//! The seed is printed; `KITH_PROPERTY_SEED=<n>` replays a run and
//! `KITH_PROPERTY_ROUNDS=<n>` changes its length. A second test asks the
//! pathological questions (a one-letter prefix, 20 words, every filter at
//! once, page 10,000) and checks their answers too.

/// The population and oracle, shared with `contract.rs`.
#[path = "support/oracle.rs"]
mod oracle;
mod support;

use std::sync::Arc;

use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp};
use kith_domain::directory::horizon;
use kith_domain::group::{Attribute, Focus, ListingStatus, NewGroup, Place};
use kith_domain::ids::{GroupId, Slug};
use kith_domain::schedule::{
    MeetingDuration, PlannedOccurrence, Rule, WeekdaySet, parse_local_time,
};
use kith_store::hosting::GroupUpdate;
use kith_store::mail::NoMail;
use kith_store::moderation::StatusChange;
use kith_store::occurrences::MeetingTimes;
use kith_store::testing::{group, insert, now};
use kith_store::{AccountId, DirectorySearch, GroupDraft, Store};

use oracle::{Modelled, search, search_at};

/// Rounds when `KITH_PROPERTY_ROUNDS` is unset: each is one edit and
/// [`QUERIES_PER_ROUND`] searches.
const DEFAULT_ROUNDS: u32 = 150;
const QUERIES_PER_ROUND: usize = 4;

/// Words edits write, besides the population's: some share prefixes with
/// it ("riverbank", "circles"), some have diacritics.
const NEW_WORDS: [&str; 12] = [
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
const PLACES: [(&str, &str, &str); 6] = [
    ("DE", "Berlin", "Berlin"),
    ("DE", "Nordrhein-Westfalen", "Köln"),
    ("US", "New York", "New York"),
    ("US", "California", "San José"),
    ("NP", "Bagmati", "Kathmandu"),
    ("CH", "Zürich", "Zürich"),
];

const LANGUAGES: [&str; 6] = ["en", "de", "pt-BR", "pt-PT", "ja", "fr"];

/// A small seeded generator (SplitMix64): the same seed, the same run, on
/// any platform and any version of any crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The store, the oracle's model of it, and the run's randomness.
struct World {
    store: Arc<dyn Store>,
    groups: Vec<Modelled>,
    rng: Rng,
    seed: u64,
    host: AccountId,
    /// Names given so far, so each new group's slug is new.
    named: u32,
    /// The edits made, for the failure message.
    log: Vec<String>,
    /// The store's "now": the tests' now, moved on as time passes.
    clock: Timestamp,
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

impl World {
    async fn new(store: Arc<dyn Store>, seed: u64) -> Self {
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

    fn context(&self, round: u32) -> String {
        let from = self.log.len().saturating_sub(8);
        format!(
            "seed {} (replay with KITH_PROPERTY_SEED={}), round {round}; last edits:\n  {}",
            self.seed,
            self.seed,
            self.log[from..].join("\n  ")
        )
    }

    fn any_group(&mut self) -> usize {
        self.rng.below(self.groups.len())
    }

    /// Reads the meetings' ids of group `i` from the store the first time
    /// they are needed, checking on the way that the store holds the
    /// meetings the oracle thinks it does.
    async fn ensure_meeting_ids(&mut self, i: usize) {
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
    async fn edit(&mut self) -> Vec<String> {
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

    /// A moderator's or host's listing decision, one that the rules of
    /// `kith_domain::listing` allow.
    async fn moderate(&mut self) -> Vec<String> {
        let i = self.any_group();
        let from = self.groups[i].status;
        let choices: &[ListingStatus] = match from {
            ListingStatus::Pending => &[ListingStatus::Listed, ListingStatus::Rejected],
            ListingStatus::Listed => &[ListingStatus::Unlisted],
            ListingStatus::Unlisted => &[ListingStatus::Listed, ListingStatus::Pending],
            ListingStatus::Rejected => &[ListingStatus::Pending],
        };
        let to = *self.rng.pick(choices);
        let m = &mut self.groups[i];
        let note = matches!(to, ListingStatus::Rejected | ListingStatus::Unlisted)
            .then_some("Please say more.");
        self.store
            .set_group_status(
                m.id,
                StatusChange::new(from, to),
                note,
                None,
                &NoMail,
                self.clock,
            )
            .await
            .expect("status");
        m.status = to;
        self.log.push(format!("{}: {from:?} -> {to:?}", m.slug));
        m.words.iter().take(2).cloned().collect()
    }

    /// A random change to a copy of group `i`'s fields: name, description,
    /// filter values, place or schedule. Answers the new group, whether its
    /// schedule changed and what changed.
    fn changed(&mut self, i: usize) -> (NewGroup, bool, String) {
        let mut g = self.groups[i].group.clone();
        let mut schedule_changed = false;
        let mut what = Vec::new();
        let kinds = 1 + self.rng.below(2);
        for _ in 0..kinds {
            match self.rng.below(6) {
                0 => {
                    g.profile.name = self.new_name();
                    what.push(format!("name {:?}", g.profile.name));
                }
                1 => {
                    let words: Vec<&str> = (0..1 + self.rng.below(4))
                        .map(|_| *self.rng.pick(&NEW_WORDS))
                        .collect();
                    g.profile.description = format!("We are {}.", words.join(" "));
                    what.push(format!("description {:?}", g.profile.description));
                }
                2 => {
                    g.profile.format = *self.rng.pick(&oracle::FORMATS);
                    g.profile.focus = vec![*self.rng.pick(Focus::ALL)];
                    if self.rng.chance(30) {
                        g.profile.focus.push(*self.rng.pick(Focus::ALL));
                        g.profile.focus.sort_by_key(|f| f.bit());
                        g.profile.focus.dedup();
                    }
                    g.profile.attributes = Attribute::ALL
                        .iter()
                        .copied()
                        .filter(|_| self.rng.chance(25))
                        .collect();
                    what.push(format!(
                        "format {:?} focus {:?} attributes {:?}",
                        g.profile.format, g.profile.focus, g.profile.attributes
                    ));
                }
                3 => {
                    g.profile.language = (*self.rng.pick(&LANGUAGES)).to_owned();
                    what.push(format!("language {}", g.profile.language));
                }
                4 => {
                    g.profile.place = if self.rng.chance(20) {
                        Place::default()
                    } else {
                        let (country, region, city) = *self.rng.pick(&PLACES);
                        Place {
                            country: Some(country.into()),
                            region: self.rng.chance(70).then(|| region.into()),
                            city: Some(city.into()),
                        }
                    };
                    what.push(format!("place {:?}", g.profile.place));
                }
                _ => {
                    g.profile.schedule = self.new_schedule().profile.schedule;
                    schedule_changed = true;
                    what.push(format!(
                        "schedule {} {:?}",
                        g.profile.schedule.zone.name(),
                        g.profile.schedule.rules
                    ));
                }
            }
        }
        (g, schedule_changed, what.join(", "))
    }

    fn new_name(&mut self) -> String {
        self.named += 1;
        let a = *self.rng.pick(&NEW_WORDS);
        let b = *self.rng.pick(&oracle::WORDS);
        // Sometimes a name shared with the population, so sort names tie.
        if self.rng.chance(10) {
            return "Shared name".to_owned();
        }
        format!("{a} {b} edited{}", self.named)
    }

    /// A group with a random weekly schedule.
    fn new_schedule(&mut self) -> NewGroup {
        let days: Vec<Weekday> = (0..1 + self.rng.below(3))
            .map(|_| Weekday::from_sunday_zero_offset(self.rng.below(7) as i8).expect("day"))
            .collect();
        let at = format!(
            "{:02}:{:02}",
            self.rng.below(24),
            [0, 15, 30, 45][self.rng.below(4)]
        );
        let zone = *self.rng.pick(&oracle::ZONES);
        let mut g = group("schedule", zone, &days, &at);
        let minutes = [45, 60, 90, 120][self.rng.below(4)];
        g.profile.schedule.rules = vec![
            Rule::weekly(
                WeekdaySet::of(days.iter().copied()),
                parse_local_time(&at).expect("time"),
                MeetingDuration::from_minutes(minutes).expect("duration"),
            )
            .expect("rule"),
        ];
        g
    }

    /// The status after a host's edit: a rejected listing goes back to
    /// review, any other keeps its status (as `kith_app::hosting` does).
    fn status_after_edit(status: ListingStatus) -> ListingStatus {
        match status {
            ListingStatus::Rejected => ListingStatus::Pending,
            other => other,
        }
    }

    /// A host edits one group (`update_group`).
    async fn edit_one(&mut self) -> Vec<String> {
        let i = self.any_group();
        let (g, schedule_changed, what) = self.changed(i);
        let until = horizon(self.clock);
        let planned =
            schedule_changed.then(|| g.profile.schedule.occurrences_between(self.clock, until));
        let m = &self.groups[i];
        let status = Self::status_after_edit(m.status);
        let update = GroupUpdate {
            group: &g,
            status,
            review_note: None,
            occurrences: planned.as_deref(),
            occurrences_until: until,
            change_log: None,
        };
        self.store
            .update_group(m.id, &update, &NoMail, self.clock)
            .await
            .expect("update");
        self.log.push(format!("{}: edited {what}", m.slug));
        let m = &mut self.groups[i];
        m.status = status;
        m.edit(g, schedule_changed, self.clock);
        m.words.clone()
    }

    /// An import changes several groups in one transaction
    /// (`update_groups`).
    async fn edit_several(&mut self) -> Vec<String> {
        let mut chosen: Vec<usize> = (0..2 + self.rng.below(3))
            .map(|_| self.any_group())
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        let until = horizon(self.clock);
        let mut edits = Vec::new();
        for &i in &chosen {
            let (g, schedule_changed, what) = self.changed(i);
            let planned =
                schedule_changed.then(|| g.profile.schedule.occurrences_between(self.clock, until));
            edits.push((i, g, schedule_changed, planned, what));
        }
        let updates: Vec<(GroupId, GroupUpdate<'_>)> = edits
            .iter()
            .map(|(i, g, _, planned, _)| {
                let m = &self.groups[*i];
                (
                    m.id,
                    GroupUpdate {
                        group: g,
                        status: Self::status_after_edit(m.status),
                        review_note: None,
                        occurrences: planned.as_deref(),
                        occurrences_until: until,
                        change_log: None,
                    },
                )
            })
            .collect();
        self.store
            .update_groups(&updates, self.clock)
            .await
            .expect("update several");
        let mut words = Vec::new();
        for (i, g, schedule_changed, _, what) in edits {
            let m = &mut self.groups[i];
            self.log.push(format!("{}: imported {what}", m.slug));
            m.status = Self::status_after_edit(m.status);
            m.edit(g, schedule_changed, self.clock);
            words.extend(m.words.iter().take(3).cloned());
        }
        words
    }

    /// A host closes a group for good.
    async fn close(&mut self) -> Vec<String> {
        if self.groups.len() < 50 {
            return self.add_groups().await;
        }
        let i = self.any_group();
        let m = self.groups.remove(i);
        self.store
            .close_group(m.id, &NoMail, self.clock)
            .await
            .expect("close");
        self.log.push(format!("{}: closed", m.slug));
        m.words
    }

    /// A group with meetings, and one of its meetings that has not ended.
    async fn some_meeting(&mut self) -> Option<(usize, usize)> {
        for _ in 0..10 {
            let i = self.any_group();
            let open: Vec<usize> = (0..self.groups[i].meetings.len())
                .filter(|&k| self.groups[i].meetings[k].ends_at > self.clock.as_second())
                .collect();
            if !open.is_empty() {
                self.ensure_meeting_ids(i).await;
                return Some((i, *self.rng.pick(&open)));
            }
        }
        None
    }

    async fn cancel_meeting(&mut self) -> Vec<String> {
        let Some((i, k)) = self.some_meeting().await else {
            return Vec::new();
        };
        let m = &mut self.groups[i];
        let meeting = &mut m.meetings[k];
        let id = meeting.id.clone().expect("id");
        self.store
            .cancel_occurrence(m.id, &id, Some("Holiday."), &NoMail, self.clock)
            .await
            .expect("cancel");
        meeting.cancelled = true;
        self.log.push(format!(
            "{}: cancelled the meeting at {}",
            m.slug, meeting.starts_at
        ));
        m.words.iter().take(2).cloned().collect()
    }

    /// A host moves a meeting: to a random quarter hour before the horizon
    /// or, to test the tie-breakers, to another group's meeting's start.
    async fn move_meeting(&mut self) -> Vec<String> {
        let Some((i, k)) = self.some_meeting().await else {
            return Vec::new();
        };
        let now_s = self.clock.as_second();
        let mut target = None;
        for _ in 0..10 {
            let candidate = if self.rng.chance(40) {
                let j = self.any_group();
                let other = &self.groups[j].meetings;
                if other.is_empty() {
                    continue;
                }
                self.rng.pick(other).starts_at
            } else {
                let quarters = (horizon(self.clock).as_second() - now_s) / 900;
                now_s + 900 * (1 + self.rng.below(quarters as usize) as i64)
            };
            // Starts after now (the app refuses the past), and never at
            // another of its own meetings' starts, so the model's order of
            // them is the store's.
            if candidate > now_s
                && self.groups[i]
                    .meetings
                    .iter()
                    .all(|o| o.starts_at != candidate)
            {
                target = Some(candidate);
                break;
            }
        }
        let Some(starts_at) = target else {
            return Vec::new();
        };
        let m = &mut self.groups[i];
        let zone = m.group.profile.schedule.zone.clone();
        let meeting = &mut m.meetings[k];
        let length = meeting.planned.1 - meeting.planned.0;
        let start = Timestamp::from_second(starts_at).expect("start");
        let times = MeetingTimes {
            moved_to: Some(start.to_zoned(zone.tz().clone()).datetime()),
            starts_at: start,
            ends_at: start + SignedDuration::from_secs(length),
        };
        let id = meeting.id.clone().expect("id");
        self.store
            .set_occurrence_time(m.id, &id, times, &NoMail, self.clock)
            .await
            .expect("move");
        self.log.push(format!(
            "{}: moved the meeting at {} to {starts_at}",
            m.slug, meeting.starts_at
        ));
        meeting.starts_at = starts_at;
        meeting.ends_at = starts_at + length;
        meeting.cancelled = false;
        meeting.moved = true;
        m.sort_meetings();
        m.words.iter().take(2).cloned().collect()
    }

    /// A host puts a cancelled or moved meeting back as its rule has it.
    async fn restore_meeting(&mut self) -> Vec<String> {
        let changed: Vec<(usize, usize)> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(i, m)| {
                m.meetings
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.cancelled || o.starts_at != o.planned.0)
                    .map(move |(k, _)| (i, k))
            })
            .collect();
        if changed.is_empty() {
            return self.cancel_meeting().await;
        }
        let (i, k) = *self.rng.pick(&changed);
        let m = &mut self.groups[i];
        let meeting = &mut m.meetings[k];
        let (start, end) = meeting.planned;
        let times = MeetingTimes {
            moved_to: None,
            starts_at: Timestamp::from_second(start).expect("start"),
            ends_at: Timestamp::from_second(end).expect("end"),
        };
        let id = meeting.id.clone().expect("a changed meeting's id was read");
        self.store
            .set_occurrence_time(m.id, &id, times, &NoMail, self.clock)
            .await
            .expect("restore");
        self.log.push(format!(
            "{}: restored the meeting at {} to {start}",
            m.slug, meeting.starts_at
        ));
        meeting.starts_at = start;
        meeting.ends_at = end;
        meeting.cancelled = false;
        meeting.moved = false;
        m.sort_meetings();
        m.words.iter().take(2).cloned().collect()
    }

    /// New groups in one batch (`insert_groups`, as imports and new
    /// listings write them), listed or waiting for review.
    async fn add_groups(&mut self) -> Vec<String> {
        let count = 1 + self.rng.below(4);
        let status = if self.rng.chance(70) {
            ListingStatus::Listed
        } else {
            ListingStatus::Pending
        };
        let mut new = Vec::new();
        for _ in 0..count {
            let mut g = self.new_schedule();
            let name = self.new_name();
            g.profile.slug = Slug::for_name(&name);
            g.profile.name = name;
            g.profile.format = *self.rng.pick(&oracle::FORMATS);
            g.profile.language = (*self.rng.pick(&LANGUAGES)).to_owned();
            if self.rng.chance(50) {
                let (country, region, city) = *self.rng.pick(&PLACES);
                g.profile.place = Place {
                    country: Some(country.into()),
                    region: Some(region.into()),
                    city: Some(city.into()),
                };
            }
            new.push(g);
        }
        let until = horizon(self.clock);
        let drafts: Vec<GroupDraft<'_>> = new
            .iter()
            .map(|g| GroupDraft {
                group: g,
                status,
                hosts: vec![self.host],
                occurrences: g.profile.schedule.occurrences_between(self.clock, until),
                occurrences_until: until,
            })
            .collect();
        let slugs = self
            .store
            .insert_groups(&drafts, &NoMail, self.clock)
            .await
            .expect("insert");
        let mut words = Vec::new();
        for (g, slug) in new.into_iter().zip(slugs) {
            let id = self.store.group_access(&slug).await.expect("access").id;
            self.log
                .push(format!("{slug}: added {status:?} {:?}", g.profile.name));
            let m = Modelled::new_at(g, id, slug, status, self.clock);
            words.extend(m.words.iter().take(3).cloned());
            self.groups.push(m);
        }
        self.groups.sort_by_key(|m| m.id.0);
        words
    }

    /// The occurrence refresher saves a few groups' meetings again, as it
    /// does when their horizon comes due: ids, cancellations and moves are
    /// kept.
    async fn refresh_meetings(&mut self) -> Vec<String> {
        let until = horizon(self.clock);
        let mut chosen: Vec<usize> = (0..1 + self.rng.below(3))
            .map(|_| self.any_group())
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        let planned: Vec<(GroupId, Vec<PlannedOccurrence>)> = chosen
            .iter()
            .map(|&i| {
                let m = &self.groups[i];
                let schedule = &m.group.profile.schedule;
                (m.id, schedule.occurrences_between(self.clock, until))
            })
            .collect();
        self.store
            .save_occurrences(&planned, self.clock, until)
            .await
            .expect("refresh");
        for (&i, (_, planned)) in chosen.iter().zip(&planned) {
            self.groups[i].refresh(planned, self.clock);
        }
        let slugs: Vec<String> = chosen
            .iter()
            .map(|&i| self.groups[i].slug.to_string())
            .collect();
        self.log
            .push(format!("refreshed the meetings of {slugs:?}"));
        Vec::new()
    }

    /// Time passes (1 to 36 hours): meetings end, and the occurrence
    /// refresher extends the groups that have come due and prunes, as
    /// `kith_app::schedule::refresh_due` does.
    async fn time_passes(&mut self) -> Vec<String> {
        let hours = 1 + self.rng.below(36) as i64;
        self.clock += SignedDuration::from_hours(hours);
        let until = horizon(self.clock);
        let due_before = until - SignedDuration::from_hours(24);
        let mut refreshed = 0;
        loop {
            let due = self
                .store
                .groups_due_for_occurrences(due_before, 250)
                .await
                .expect("due");
            if due.is_empty() {
                break;
            }
            let planned: Vec<(GroupId, Vec<PlannedOccurrence>)> = due
                .into_iter()
                .map(|(id, schedule)| (id, schedule.occurrences_between(self.clock, until)))
                .collect();
            self.store
                .save_occurrences(&planned, self.clock, until)
                .await
                .expect("refresh");
            for (id, planned) in &planned {
                let m = self
                    .groups
                    .iter_mut()
                    .find(|m| m.id == *id)
                    .expect("a due group is one the model knows");
                m.refresh(planned, self.clock);
            }
            refreshed += planned.len();
        }
        // Pruning closer than the app's 30 days, so that it happens here.
        let before = self.clock - SignedDuration::from_hours(12);
        self.store.prune_occurrences(before).await.expect("prune");
        for m in &mut self.groups {
            m.prune(before);
        }
        self.log.push(format!(
            "{hours} hours passed, to {}; {refreshed} groups refreshed",
            self.clock
        ));
        Vec::new()
    }

    /// A random word of the population (or one edits wrote), or a prefix.
    fn term(&mut self, hints: &[String]) -> String {
        let word = if !hints.is_empty() && self.rng.chance(50) {
            self.rng.pick(hints).clone()
        } else if self.rng.chance(80) {
            let i = self.any_group();
            let words = &self.groups[i].words;
            if words.is_empty() {
                "circle".to_owned()
            } else {
                self.rng.pick(words).clone()
            }
        } else {
            let word = *self.rng.pick(&NEW_WORDS);
            kith_domain::text::tokens(word).join(" ")
        };
        if self.rng.chance(40) {
            let chars: Vec<char> = word.chars().collect();
            let n = 1 + self.rng.below(chars.len().max(1));
            chars[..n.min(chars.len())].iter().collect()
        } else {
            word
        }
    }

    /// Random query pairs, as a visitor's form or the API sends them.
    fn query(&mut self, hints: &[String]) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let terms = if !hints.is_empty() && self.rng.chance(40) {
            1
        } else {
            self.rng.below(4)
        };
        if terms > 0 {
            let words: Vec<String> = (0..terms).map(|_| self.term(hints)).collect();
            pairs.push(("q", words.join(" ")));
        }
        if self.rng.chance(25) {
            for _ in 0..1 + self.rng.below(2) {
                pairs.push(("format", self.rng.pick(&oracle::FORMATS).code().to_owned()));
            }
        }
        if self.rng.chance(15) {
            for _ in 0..1 + self.rng.below(2) {
                pairs.push(("focus", self.rng.pick(Focus::ALL).code().to_owned()));
            }
        }
        if self.rng.chance(10) {
            for _ in 0..1 + self.rng.below(2) {
                pairs.push(("attribute", self.rng.pick(Attribute::ALL).code().to_owned()));
            }
        }
        if self.rng.chance(15) {
            let language = *self
                .rng
                .pick(&["en", "de", "pt", "pt-BR", "pt-PT", "ja", "fr"][..]);
            pairs.push(("language", language.to_owned()));
        }
        let (country, region, city) = *self.rng.pick(&PLACES);
        if self.rng.chance(15) {
            pairs.push(("country", country.to_lowercase()));
        }
        if self.rng.chance(8) {
            pairs.push(("region", region.to_owned()));
        }
        if self.rng.chance(10) {
            pairs.push(("city", city.to_uppercase()));
        }
        let day = self.rng.chance(20);
        let time = self.rng.chance(20);
        if day {
            pairs.push(("day", self.rng.below(7).to_string()));
        }
        if time {
            let part = *self
                .rng
                .pick(&["morning", "afternoon", "evening", "night"][..]);
            pairs.push(("time", part.to_owned()));
        }
        if (day || time) && self.rng.chance(70) {
            pairs.push(("tz", (*self.rng.pick(&oracle::ZONES)).to_owned()));
        }
        if self.rng.chance(10) {
            let minutes = *self.rng.pick(&[30, 60, 180, 1440, 10080]);
            pairs.push(("starts_within", minutes.to_string()));
        }
        if self.rng.chance(8) {
            pairs.push(("in_progress", "true".to_owned()));
        }
        pairs
    }

    /// Compares one search with the oracle.
    async fn check(&self, s: &DirectorySearch, what: &str, round: u32) {
        let got: Vec<(Slug, String, i64)> = self
            .store
            .search_directory(s)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", self.context(round)))
            .into_iter()
            .map(|h| (h.slug, h.name, h.next.starts_at.as_second()))
            .collect();
        let want = oracle::expected_of(&self.groups, s);
        assert!(
            got == want,
            "{what}: the store answered\n  {got:?}\nthe oracle\n  {want:?}\n{}",
            self.context(round)
        );
    }
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
