//! The random edits, each made through the store's public methods as
//! moderators, hosts, imports and the occurrence refresher make them, and
//! mirrored in the oracle's model.

use jiff::civil::Weekday;
use jiff::{SignedDuration, Timestamp};
use kith_domain::directory::horizon;
use kith_domain::group::{Attribute, Focus, ListingStatus, NewGroup, Place};
use kith_domain::ids::{GroupId, Slug};
use kith_domain::schedule::{
    MeetingDuration, PlannedOccurrence, Rule, WeekdaySet, parse_local_time,
};
use kith_store::GroupDraft;
use kith_store::hosting::GroupUpdate;
use kith_store::mail::NoMail;
use kith_store::moderation::StatusChange;
use kith_store::occurrences::MeetingTimes;
use kith_store::testing::group;

use crate::oracle::{self, Modelled};

use crate::world::{LANGUAGES, NEW_WORDS, PLACES, World};

impl World {
    /// A moderator's or host's listing decision, one that the rules of
    /// `kith_domain::listing` allow.
    pub(crate) async fn moderate(&mut self) -> Vec<String> {
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
    pub(crate) fn changed(&mut self, i: usize) -> (NewGroup, bool, String) {
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

    pub(crate) fn new_name(&mut self) -> String {
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
    pub(crate) fn new_schedule(&mut self) -> NewGroup {
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
    pub(crate) fn status_after_edit(status: ListingStatus) -> ListingStatus {
        match status {
            ListingStatus::Rejected => ListingStatus::Pending,
            other => other,
        }
    }

    /// A host edits one group (`update_group`).
    pub(crate) async fn edit_one(&mut self) -> Vec<String> {
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
    pub(crate) async fn edit_several(&mut self) -> Vec<String> {
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
    pub(crate) async fn close(&mut self) -> Vec<String> {
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
    pub(crate) async fn some_meeting(&mut self) -> Option<(usize, usize)> {
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

    pub(crate) async fn cancel_meeting(&mut self) -> Vec<String> {
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
    pub(crate) async fn move_meeting(&mut self) -> Vec<String> {
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
    pub(crate) async fn restore_meeting(&mut self) -> Vec<String> {
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
    pub(crate) async fn add_groups(&mut self) -> Vec<String> {
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
    pub(crate) async fn refresh_meetings(&mut self) -> Vec<String> {
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
    pub(crate) async fn time_passes(&mut self) -> Vec<String> {
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
}
