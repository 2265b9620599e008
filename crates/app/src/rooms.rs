//! Live rooms: who may enter a meeting's room and when, and the hub that
//! keeps each open room's state, appends every command to the room's log
//! in one total order, and fans the events out.
//!
//! The rules are the domain's [`kith_domain::room`]; a room's state is the
//! replay of its log, so a restarted server rebuilds it and a second
//! instance on the same PostgreSQL follows it: an append that finds its
//! place taken catches up from the log and tries again, and every append is
//! announced (`LISTEN/NOTIFY`) so other instances catch up at once. When a
//! room closes its log is deleted; only the aggregates a group keeps remain.
//!
//! The right to be in a room is checked at the door and again whenever it
//! may have ended: use cases that end it announce an
//! [`AccessChange`] (heard by every instance), each connection it concerns
//! asks [`admission`] again, and so does every command and, as a safety
//! net for what no one announces (a session that runs out), every
//! [`ADMISSION_RECHECK`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kith_domain::group::ListingStatus;
use kith_domain::group::PrivateDetails;
use kith_domain::ids::{GroupId, OccurrenceId, Slug};
use kith_domain::room::{Command, DEFAULT_TURN, Event, Refusal, Room, Who};
use kith_store::Store;
use kith_store::model::OccurrenceTime;
use kith_store::rooms::{AccessChange, Announcement, LoggedCommand, NewLogEntry, RoomSummary};
use kith_store::{AccountId, StoreError};
use tokio::sync::{Mutex, broadcast};

use crate::access::{GroupAction, Person, authorize};
use crate::{AppError, AppResult, Clock};

/// How many frames a slow connection may fall behind before it must
/// catch up from the log.
const FRAMES_BUFFERED: usize = 256;

/// How many access changes a connection may fall behind by before it
/// checks itself anyway.
const ACCESS_CHANGES_BUFFERED: usize = 1024;

/// How often an open connection checks its person's right to the room
/// even when no change was announced: a session can simply run out.
pub const ADMISSION_RECHECK: Duration = Duration::from_secs(30);

/// Tells every instance's rooms that `change` may have ended someone's
/// right to be in one. Best effort: the change itself has committed, and
/// connections check again on their own every [`ADMISSION_RECHECK`].
pub async fn access_changed(store: &dyn Store, change: AccessChange) {
    if let Err(err) = store.announce_access_change(change).await {
        tracing::warn!(error = %err, "could not announce an access change to the rooms");
    }
}

/// A person at a room's door.
#[derive(Debug, Clone)]
pub struct RoomEntry {
    /// The meeting.
    pub occurrence: OccurrenceTime,
    /// Its group.
    pub group: GroupId,
    /// Its group's slug.
    pub slug: Slug,
    /// Its group's name.
    pub group_name: String,
    /// The person's account.
    pub account: AccountId,
    /// Who the person is in the room.
    pub you: Who,
    /// Their pseudonym.
    pub name: String,
    /// The group's first host, who facilitates unless they hand over.
    pub facilitator: Who,
    /// When the room opens.
    pub opens_at: Timestamp,
    /// How long each turn is.
    pub turn_length: Duration,
    /// Whether it is open now.
    pub open: bool,
    /// The group's call link, dial-in and address (members may see them).
    pub private: PrivateDetails,
}

/// The room of a meeting, for a member or host of its group; `NotFound`
/// for anyone else, exactly as for a meeting that does not exist.
pub async fn entry(
    store: &dyn Store,
    person: &Person,
    occurrence: &OccurrenceId,
    now: Timestamp,
) -> AppResult<RoomEntry> {
    let (slug, meeting) = store.meeting(occurrence).await?;
    let access = authorize(store, Some(person), &slug, GroupAction::EnterRoom).await?;
    let group = store.managed_group(&slug).await?;
    let host = *access.hosts.first().ok_or(AppError::NotFound)?;
    let settings = store.room_settings(access.id).await?;
    let opens_at = meeting.starts_at - SignedDuration::from_mins(i64::from(settings.opens_minutes));
    let closes_at = meeting.ends_at + SignedDuration::from_mins(i64::from(settings.closes_minutes));
    Ok(RoomEntry {
        open: !meeting.cancelled && opens_at <= now && now < closes_at,
        occurrence: meeting,
        group: access.id,
        slug,
        group_name: group.profile.name,
        account: person.id,
        you: Who::Account(person.id.0),
        name: person.handle.to_string(),
        facilitator: Who::Account(host.0),
        opens_at,
        turn_length: Duration::from_secs(u64::from(settings.turn_seconds)),
        private: group.private,
    })
}

/// Whether a person in a room may still be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// They may.
    Admitted,
    /// They may not any more: they left or were removed or blocked, their
    /// session ended, or their account is gone.
    Removed,
    /// The room is gone for everyone: its group was unlisted or closed.
    Closed,
}

/// Asks again whether the person who came in through `entry` with the
/// session `session_token` may be in its room: the session still lives,
/// is still theirs, and they still belong to the group, which is still
/// listed.
pub async fn admission(
    store: &dyn Store,
    entry: &RoomEntry,
    session_token: &str,
    now: Timestamp,
) -> AppResult<Admission> {
    let session = crate::accounts::session(store, session_token, now).await?;
    let Some(account) = session.map(|s| s.account).filter(|a| a.id == entry.account) else {
        return Ok(Admission::Removed);
    };
    let person = Person {
        id: account.id,
        handle: account.handle,
        role: account.role,
        email_verified: account.email_verified,
    };
    match authorize(store, Some(&person), &entry.slug, GroupAction::EnterRoom).await {
        Ok(access) if access.id == entry.group => Ok(Admission::Admitted),
        Ok(_) | Err(AppError::NotFound) => match store.group_access(&entry.slug).await {
            Ok(group) if group.id == entry.group && group.status == ListingStatus::Listed => {
                Ok(Admission::Removed)
            }
            Ok(_) | Err(StoreError::NotFound) => Ok(Admission::Closed),
            Err(other) => Err(other.into()),
        },
        Err(other) => Err(other),
    }
}

/// One applied command, as every instance sends it to its clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Its place in the room's order.
    pub seq: i64,
    /// When, in milliseconds since the room opened.
    pub at_ms: i64,
    /// Who gave the command.
    pub actor: Who,
    /// What happened.
    pub events: Vec<Event>,
}

/// What a room's subscribers hear.
#[derive(Debug, Clone)]
pub enum Broadcast {
    /// Something happened.
    Frame(Arc<Frame>),
    /// The room closed; its log is gone.
    Closed,
}

/// A room as a connection first sees it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The state.
    pub room: Room,
    /// The last `seq` applied.
    pub seq: i64,
}

struct Live {
    room: Room,
    seq: i64,
    opens_at: Timestamp,
    tx: broadcast::Sender<Broadcast>,
}

/// Every open room this instance serves.
pub struct RoomHub {
    store: Arc<dyn Store>,
    clock: Clock,
    rooms: Mutex<HashMap<OccurrenceId, Arc<Mutex<Live>>>>,
    access: broadcast::Sender<AccessChange>,
}

impl std::fmt::Debug for RoomHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoomHub")
    }
}

fn actor_json(who: Who) -> String {
    serde_json::to_string(&who).unwrap_or_default()
}

fn millis_since(opens_at: Timestamp, now: Timestamp) -> i64 {
    i64::try_from(now.duration_since(opens_at).as_millis())
        .unwrap_or(i64::MAX)
        .max(0)
}

impl Live {
    /// Applies logged commands this instance has not seen yet; answers the
    /// frames they make.
    fn replay(&mut self, logged: Vec<LoggedCommand>) -> Vec<Arc<Frame>> {
        let mut frames = Vec::new();
        for entry in logged {
            if entry.seq <= self.seq {
                continue;
            }
            let actor: Option<Who> = serde_json::from_str(&entry.actor).ok();
            let command: Option<Command> = serde_json::from_str(&entry.command).ok();
            let events: Vec<Event> = serde_json::from_str(&entry.events).unwrap_or_default();
            if let (Some(actor), Some(command)) = (actor, command) {
                let at = Duration::from_millis(u64::try_from(entry.at_ms).unwrap_or_default());
                // The same rules on the same log: the same state everywhere.
                let _ = self.room.apply(actor, command, at);
                frames.push(Arc::new(Frame {
                    seq: entry.seq,
                    at_ms: entry.at_ms,
                    actor,
                    events,
                }));
            }
            self.seq = entry.seq;
        }
        frames
    }
}

impl RoomHub {
    /// A hub over this store; start [`RoomHub::follow_other_instances`]
    /// beside it, on either backend.
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> Arc<Self> {
        Arc::new(Self {
            store,
            clock,
            rooms: Mutex::new(HashMap::new()),
            access: broadcast::channel(ACCESS_CHANGES_BUFFERED).0,
        })
    }

    /// Changes that may have ended someone's right to a room, announced by
    /// any instance, for this instance's connections to check.
    pub fn access_changes(&self) -> broadcast::Receiver<AccessChange> {
        self.access.subscribe()
    }

    async fn live(&self, entry: &RoomEntry) -> AppResult<Arc<Mutex<Live>>> {
        let mut rooms = self.rooms.lock().await;
        if let Some(live) = rooms.get(&entry.occurrence.id) {
            return Ok(live.clone());
        }
        let (tx, _) = broadcast::channel(FRAMES_BUFFERED);
        let mut live = Live {
            room: Room::new(entry.facilitator, entry.turn_length),
            seq: 0,
            opens_at: entry.opens_at,
            tx,
        };
        live.replay(self.store.room_log(&entry.occurrence.id).await?);
        let live = Arc::new(Mutex::new(live));
        rooms.insert(entry.occurrence.id.clone(), live.clone());
        Ok(live)
    }

    /// Applies the log appended elsewhere and tells this instance's
    /// connections.
    async fn catch_up(&self, occurrence: &OccurrenceId, live: &mut Live) -> AppResult<()> {
        let logged = self.store.room_log_after(occurrence, live.seq).await?;
        for frame in live.replay(logged) {
            let _ = live.tx.send(Broadcast::Frame(frame));
        }
        Ok(())
    }

    /// The room's state now and a subscription to what happens next.
    pub async fn subscribe(
        &self,
        entry: &RoomEntry,
    ) -> AppResult<(Snapshot, broadcast::Receiver<Broadcast>)> {
        let live = self.live(entry).await?;
        let mut live = live.lock().await;
        self.catch_up(&entry.occurrence.id, &mut live).await?;
        Ok((
            Snapshot {
                room: live.room.clone(),
                seq: live.seq,
            },
            live.tx.subscribe(),
        ))
    }

    /// The frames after `seq`, from the log: what a reconnecting client
    /// missed.
    pub async fn frames_after(&self, entry: &RoomEntry, seq: i64) -> AppResult<Vec<Arc<Frame>>> {
        let logged = self.store.room_log_after(&entry.occurrence.id, seq).await?;
        let mut scratch = Live {
            room: Room::new(entry.facilitator, entry.turn_length),
            seq,
            opens_at: entry.opens_at,
            tx: broadcast::channel(1).0,
        };
        Ok(scratch.replay(logged))
    }

    /// Applies a command from `entry.you`, once per client id: appended to
    /// the log at the next place, then sent to everyone. Answers its `seq`,
    /// or the rule's refusal (nothing changed).
    pub async fn command(
        &self,
        entry: &RoomEntry,
        client_id: &str,
        command: Command,
    ) -> AppResult<Result<i64, Refusal>> {
        let occurrence = &entry.occurrence.id;
        let actor = actor_json(entry.you);
        if let Some(seq) = self
            .store
            .room_command_seen(occurrence, &actor, client_id)
            .await?
        {
            return Ok(Ok(seq));
        }
        let command_json = serde_json::to_string(&command).map_err(AppError::internal)?;
        let live = self.live(entry).await?;
        let mut live = live.lock().await;
        // Optimistic: the room as this instance knows it is nearly always
        // current (another instance's appends are followed as announced),
        // so the log is read again only when the append finds its place
        // taken, or before refusing, lest a change made elsewhere be what
        // allows the command.
        let mut caught_up = false;
        loop {
            let at_ms = millis_since(live.opens_at, self.clock.now());
            let at = Duration::from_millis(u64::try_from(at_ms).unwrap_or_default());
            let mut next = live.room.clone();
            let events = match next.apply(entry.you, command.clone(), at) {
                Ok(events) => events,
                Err(_) if !caught_up => {
                    self.catch_up(occurrence, &mut live).await?;
                    caught_up = true;
                    continue;
                }
                Err(refusal) => return Ok(Err(refusal)),
            };
            let seq = live.seq + 1;
            let events_json = serde_json::to_string(&events).map_err(AppError::internal)?;
            let appended = self
                .store
                .append_room_command(
                    occurrence,
                    &NewLogEntry {
                        seq,
                        actor: &actor,
                        client_id,
                        command: &command_json,
                        events: &events_json,
                        at_ms,
                    },
                )
                .await?;
            if appended {
                live.room = next;
                live.seq = seq;
                let frame = Frame {
                    seq,
                    at_ms,
                    actor: entry.you,
                    events,
                };
                let _ = live.tx.send(Broadcast::Frame(Arc::new(frame)));
                return Ok(Ok(seq));
            }
            // Another instance took the place: catch up and apply again.
            self.catch_up(occurrence, &mut live).await?;
            caught_up = true;
        }
    }

    /// Follows what every instance announces to the rooms, for as long as
    /// the process runs: access changes go to this instance's connections
    /// (in the order they and the appends committed, so a connection hears
    /// that its person lost the room before any later frame), and rooms
    /// another instance appended to (PostgreSQL) catch up at once.
    pub async fn follow_other_instances(self: Arc<Self>) {
        let mut first = true;
        loop {
            let mut listener = match self.store.room_listener().await {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot follow the rooms' announcements; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            // What was announced while no one listened is unknown.
            if !first {
                let _ = self.access.send(AccessChange::Everyone);
            }
            first = false;
            loop {
                match listener.next().await {
                    Ok(Announcement::Access(change)) => {
                        let _ = self.access.send(change);
                    }
                    Ok(Announcement::Appended { occurrence, seq }) => {
                        // Each room catches up on a task of its own: one
                        // after another, fifty rooms' turn changes waited
                        // for each other's log reads. Within a room the
                        // lock and `seq` keep the order.
                        let hub = self.clone();
                        tokio::spawn(async move { hub.follow(&occurrence, seq).await });
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "room listener failed; listening again");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    }

    /// Catches up one room this instance serves, if another instance's
    /// append `seq` is news to it.
    async fn follow(&self, occurrence: &OccurrenceId, seq: i64) {
        let live = self.rooms.lock().await.get(occurrence).cloned();
        if let Some(live) = live {
            let mut live = live.lock().await;
            if seq > live.seq {
                if let Err(err) = self.catch_up(occurrence, &mut live).await {
                    tracing::warn!(error = %err, "room catch-up failed");
                }
            }
        }
    }

    /// Closes the rooms whose meetings ended longer ago than their groups
    /// keep rooms open (half an hour unless the hosts chose): their
    /// logs are deleted (chat, per-person figures), aggregates kept where
    /// the group chose. Answers how many closed.
    pub async fn close_due(&self, now: Timestamp) -> AppResult<usize> {
        let due = self.store.rooms_to_close(now).await?;
        for occurrence in &due {
            // Replayed with its facilitator, so the figures are the room's.
            let (slug, _) = self.store.meeting(occurrence).await?;
            let hosts = self.store.group_access(&slug).await?.hosts;
            let facilitator = hosts.first().map_or(Who::Guest(0), |h| Who::Account(h.0));
            let mut live = Live {
                room: Room::new(facilitator, DEFAULT_TURN),
                seq: 0,
                opens_at: now,
                tx: broadcast::channel(1).0,
            };
            live.replay(self.store.room_log(occurrence).await?);
            let room = live.room;
            let summary = RoomSummary {
                present: u32::try_from(room.people.len()).unwrap_or(u32::MAX),
                spoken_seconds: room.people.iter().map(|p| p.spoken.as_secs()).sum(),
            };
            self.store.close_room(occurrence, summary, now).await?;
            if let Some(live) = self.rooms.lock().await.remove(occurrence) {
                let _ = live.lock().await.tx.send(Broadcast::Closed);
            }
        }
        Ok(due.len())
    }

    /// Closes due rooms every `every`.
    pub async fn run_closer(self: Arc<Self>, every: Duration) {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            match self.close_due(self.clock.now()).await {
                Ok(0) => {}
                Ok(closed) => tracing::info!(closed, "rooms closed"),
                Err(err) => tracing::warn!(error = %err, "could not close rooms"),
            }
        }
    }
}

/// A host's choice of how their group's rooms run, as typed.
#[derive(Debug, Clone, Default)]
pub struct RoomSettingsInput {
    /// Minutes per turn, 1–30.
    pub turn_minutes: String,
    /// Minutes the room opens before a meeting, 0–60.
    pub opens_minutes: String,
    /// Minutes it stays open after, 0–120.
    pub closes_minutes: String,
    /// Keep how many came and the total speaking time.
    pub keep_totals: bool,
}

/// How a group's rooms run, for its hosts.
pub async fn settings(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
) -> AppResult<kith_store::rooms::RoomSettings> {
    let access = authorize(store, Some(person), slug, GroupAction::Edit).await?;
    Ok(store.room_settings(access.id).await?)
}

/// Saves how a group's rooms run; every refused field is named.
pub async fn save_settings(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
    input: &RoomSettingsInput,
) -> AppResult<()> {
    let access = authorize(store, Some(person), slug, GroupAction::Edit).await?;
    let mut refusals = kith_domain::validation::Refusals::default();
    let mut number = |field: &'static str, raw: &str, range: std::ops::RangeInclusive<u32>| {
        refusals.check(
            raw.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or(kith_domain::validation::FieldError::new(
                    field,
                    "out_of_range",
                )),
        )
    };
    let turn = number("turn_minutes", &input.turn_minutes, 1..=30);
    let opens = number("opens_minutes", &input.opens_minutes, 0..=60);
    let closes = number("closes_minutes", &input.closes_minutes, 0..=120);
    refusals.finish(|| ()).map_err(AppError::Invalid)?;
    let (Some(turn), Some(opens), Some(closes)) = (turn, opens, closes) else {
        return Err(AppError::Invalid(Vec::new()));
    };
    store
        .set_room_settings(
            access.id,
            kith_store::rooms::RoomSettings {
                turn_seconds: turn * 60,
                opens_minutes: opens,
                closes_minutes: closes,
                keep_totals: input.keep_totals,
            },
        )
        .await?;
    Ok(())
}
