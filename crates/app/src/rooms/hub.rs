//! The hub: every open room this instance serves, each the replay of its
//! log. A command is applied under its room's lock and appended at the
//! next place — once per person and client id, never after the room
//! closed — then fanned out; what other instances append is caught up as
//! announced. Nothing that replays the log says again a message the
//! facilitator (or a moderator's decision) removed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use kith_domain::ids::OccurrenceId;
use kith_domain::room::{Command, DEFAULT_TURN, Event, Refusal, Room, Who};
use kith_store::Store;
use kith_store::rooms::{
    AccessChange, Announcement, Appended, LoggedCommand, NewLogEntry, RoomSummary,
};
use tokio::sync::{Mutex, broadcast};

use super::RoomEntry;
use crate::{AppError, AppResult, Clock};

/// How many frames a slow connection may fall behind before it must
/// catch up from the log.
const FRAMES_BUFFERED: usize = 256;

/// How many access changes a connection may fall behind by before it
/// checks itself anyway.
const ACCESS_CHANGES_BUFFERED: usize = 1024;

/// How long a facilitator may be away before facilitation returns to a
/// host who is present, and a speaker whose connection dropped keeps the
/// turn.
pub const GRACE: Duration = Duration::from_secs(30);

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
    grace: Duration,
    /// Set once when the server is about to stop: every connection says
    /// so to its client and closes (`restarting`, 1012).
    restarting: tokio::sync::watch::Sender<bool>,
    /// This instance's open room connections.
    connections: tokio::sync::watch::Sender<usize>,
}

/// One open room connection, counted while it lives
/// ([`RoomHub::connection`]).
#[derive(Debug)]
pub struct Connection {
    connections: tokio::sync::watch::Sender<usize>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.connections.send_modify(|n| *n = n.saturating_sub(1));
    }
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

/// A logged command as a frame, with the command, if it reads.
fn frame_of(entry: &LoggedCommand) -> Option<(Arc<Frame>, Command)> {
    let actor: Who = serde_json::from_str(&entry.actor).ok()?;
    let command: Command = serde_json::from_str(&entry.command).ok()?;
    let events: Vec<Event> = serde_json::from_str(&entry.events).unwrap_or_default();
    let frame = Frame {
        seq: entry.seq,
        at_ms: entry.at_ms,
        actor,
        events,
    };
    Some((Arc::new(frame), command))
}

/// The frame as anyone may read it now: a message the facilitator removed
/// since is left out.
fn redacted(frame: Arc<Frame>, room: &Room) -> Arc<Frame> {
    let removed = |event: &Event| matches!(event, Event::Said { id, .. } if !room.messages.iter().any(|m| m.id == *id));
    if !frame.events.iter().any(removed) {
        return frame;
    }
    Arc::new(Frame {
        events: frame
            .events
            .iter()
            .filter(|e| !removed(e))
            .cloned()
            .collect(),
        ..(*frame).clone()
    })
}

impl Live {
    /// The room of `entry`'s meeting before anything happened in it.
    fn empty(entry: &RoomEntry, tx: broadcast::Sender<Broadcast>) -> Self {
        Self {
            room: Room::new(entry.facilitator, entry.turn_length).with_hosts(entry.hosts.clone()),
            seq: 0,
            opens_at: entry.opens_at,
            tx,
        }
    }

    /// Applies logged commands this instance has not seen yet; answers the
    /// frames they make, as they may be read now.
    fn replay(&mut self, logged: &[LoggedCommand]) -> Vec<Arc<Frame>> {
        let mut frames = Vec::new();
        for entry in logged {
            if entry.seq <= self.seq {
                continue;
            }
            if let Some((frame, command)) = frame_of(entry) {
                let at = Duration::from_millis(u64::try_from(entry.at_ms).unwrap_or_default());
                // The same rules on the same log: the same state everywhere.
                let _ = self.room.apply(frame.actor, command, at);
                frames.push(frame);
            }
            self.seq = entry.seq;
        }
        frames
            .into_iter()
            .map(|frame| redacted(frame, &self.room))
            .collect()
    }
}

impl RoomHub {
    /// A hub over this store; start [`RoomHub::follow_other_instances`]
    /// beside it, on either backend.
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> Arc<Self> {
        Self::with_grace(store, clock, GRACE)
    }

    /// A hub whose rooms wait `grace` for a facilitator or a speaker who
    /// went away (tests shorten it).
    pub fn with_grace(store: Arc<dyn Store>, clock: Clock, grace: Duration) -> Arc<Self> {
        Arc::new(Self {
            store,
            clock,
            rooms: Mutex::new(HashMap::new()),
            access: broadcast::channel(ACCESS_CHANGES_BUFFERED).0,
            grace,
            restarting: tokio::sync::watch::channel(false).0,
            connections: tokio::sync::watch::channel(0).0,
        })
    }

    /// Counts a room connection until the answer is dropped.
    pub fn connection(&self) -> Connection {
        self.connections.send_modify(|n| *n += 1);
        Connection {
            connections: self.connections.clone(),
        }
    }

    /// This instance's open room connections.
    pub fn connections(&self) -> usize {
        *self.connections.borrow()
    }

    /// The rooms this instance holds open now.
    pub async fn rooms_open(&self) -> usize {
        self.rooms.lock().await.len()
    }

    /// Whether the server is stopping, to watch: once `true`, every
    /// connection tells its client to reconnect and closes.
    pub fn restarting(&self) -> tokio::sync::watch::Receiver<bool> {
        self.restarting.subscribe()
    }

    /// Tells every connection the server is stopping, and waits until they
    /// all closed (each waits a few seconds at most for its client's
    /// answer). Connections that arrive afterwards are told at once.
    pub async fn restart(&self) {
        self.restarting.send_replace(true);
        let mut open = self.connections.subscribe();
        let _ = open.wait_for(|n| *n == 0).await;
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
        let mut live = Live::empty(entry, broadcast::channel(FRAMES_BUFFERED).0);
        live.replay(&self.store.room_log(&entry.occurrence.id).await?);
        let live = Arc::new(Mutex::new(live));
        rooms.insert(entry.occurrence.id.clone(), live.clone());
        Ok(live)
    }

    /// Applies the log appended elsewhere and tells this instance's
    /// connections.
    async fn catch_up(&self, occurrence: &OccurrenceId, live: &mut Live) -> AppResult<()> {
        let logged = self.store.room_log_after(occurrence, live.seq).await?;
        for frame in live.replay(&logged) {
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
    /// missed — without the messages the facilitator removed.
    pub async fn frames_after(&self, entry: &RoomEntry, seq: i64) -> AppResult<Vec<Arc<Frame>>> {
        let live = self.live(entry).await?;
        let mut live = live.lock().await;
        self.catch_up(&entry.occurrence.id, &mut live).await?;
        let logged = self.store.room_log_after(&entry.occurrence.id, seq).await?;
        Ok(logged
            .iter()
            .filter(|entry| entry.seq <= live.seq)
            .filter_map(frame_of)
            .map(|(frame, _)| redacted(frame, &live.room))
            .collect())
    }

    /// Applies a command from `entry.you`, once per client id: appended to
    /// the log at the next place, then sent to everyone. Answers its `seq`
    /// (the first one's for a resend; the room's last for a command that
    /// changes nothing, which is not written), or the rule's refusal
    /// (nothing changed).
    pub async fn command(
        self: &Arc<Self>,
        entry: &RoomEntry,
        client_id: &str,
        command: Command,
    ) -> AppResult<Result<i64, Refusal>> {
        let occurrence = &entry.occurrence.id;
        let actor = actor_json(entry.you);
        let command_json = serde_json::to_string(&command).map_err(AppError::internal)?;
        let live = self.live(entry).await?;
        let mut live = live.lock().await;
        // Under the room's lock: the same id sent from two tabs at once is
        // applied once (and the log refuses a second across instances).
        if let Some(seq) = self
            .store
            .room_command_seen(occurrence, &actor, client_id)
            .await?
        {
            return Ok(Ok(seq));
        }
        // Optimistic: the room as this instance knows it is nearly always
        // current (another instance's appends are followed as announced),
        // so the log is read again only when the append finds its place
        // taken, or before refusing or answering that nothing changes,
        // lest a change made elsewhere decide otherwise.
        let mut caught_up = false;
        loop {
            let at_ms = millis_since(live.opens_at, self.clock.now());
            let at = Duration::from_millis(u64::try_from(at_ms).unwrap_or_default());
            let mut next = live.room.clone();
            let outcome = next.apply(entry.you, command.clone(), at);
            let changes = outcome.is_ok() && next != live.room;
            if !changes && !caught_up {
                self.catch_up(occurrence, &mut live).await?;
                caught_up = true;
                continue;
            }
            let events = match outcome {
                Err(refusal) => return Ok(Err(refusal)),
                Ok(_) if !changes => return Ok(Ok(live.seq)),
                Ok(events) => events,
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
            match appended {
                Appended::Done => {
                    let absences = live.room.absences;
                    let speaker_away = live.room.turn_of_someone_away();
                    live.room = next;
                    live.seq = seq;
                    let frame = Frame {
                        seq,
                        at_ms,
                        actor: entry.you,
                        events,
                    };
                    let _ = live.tx.send(Broadcast::Frame(Arc::new(frame)));
                    if live.room.absences > absences {
                        let absence = live.room.absences;
                        let command = Command::ReturnFacilitation { absence };
                        self.after_grace(entry, format!("return-facilitation-{absence}"), command);
                    }
                    match live.room.turn_of_someone_away() {
                        Some(turn) if speaker_away != Some(turn) => {
                            let command = Command::SpeakerGraceOver { turn };
                            self.after_grace(entry, format!("speaker-grace-{turn}"), command);
                        }
                        _ => {}
                    }
                    return Ok(Ok(seq));
                }
                Appended::Repeated(first) => return Ok(Ok(first)),
                Appended::Closed => return Ok(Err(Refusal::RoomClosed)),
                // Another instance took the place: catch up and apply again.
                Appended::Taken => {
                    self.catch_up(occurrence, &mut live).await?;
                    caught_up = true;
                }
            }
        }
    }

    /// Gives the server's `command` after the grace: facilitation back to
    /// a host, or the turn of a speaker who did not come back moved on. The
    /// rule applies it only if it still holds (the person may be back).
    fn after_grace(self: &Arc<Self>, entry: &RoomEntry, id: String, command: Command) {
        let hub = self.clone();
        let entry = entry.clone();
        tokio::spawn(async move {
            tokio::time::sleep(hub.grace).await;
            if let Err(err) = Box::pin(hub.command(&entry, &id, command)).await {
                tracing::warn!(error = %err, "could not apply the room's grace");
            }
        });
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
            live.replay(&self.store.room_log(occurrence).await?);
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
