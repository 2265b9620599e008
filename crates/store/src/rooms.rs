//! The live rooms' logs: each meeting's commands in one total order, the
//! events they caused, and what remains once a room closes. The
//! [`RoomStore`] trait and its one implementation for both backends
//! (`imp`). On PostgreSQL an appended command is announced with
//! `pg_notify` on [`ROOM_CHANNEL`], so other instances catch up at once,
//! and a change that may end someone's right to a room ([`AccessChange`])
//! on [`ACCESS_CHANNEL`], so every instance checks its open connections.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::{GroupId, OccurrenceId};

use crate::{AccountId, StoreResult};

/// The PostgreSQL channel that announces appended room commands, with the
/// payload `occurrence_id:seq`.
pub const ROOM_CHANNEL: &str = "kith_rooms";

/// The PostgreSQL channel that announces [`AccessChange`]s, with the
/// payload of [`AccessChange::payload`].
pub const ACCESS_CHANNEL: &str = "kith_access";

/// A change that may have ended someone's right to be in a room. It names
/// whom to check again, never what happened: every open connection it
/// concerns reads its session and membership again from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessChange {
    /// One account's memberships, sessions or the account itself changed.
    Account(AccountId),
    /// A group was unlisted, closed or otherwise changed for everyone in it.
    Group(GroupId),
    /// Announcements may have been lost (a listener reconnected or fell
    /// behind): check everyone.
    Everyone,
}

impl AccessChange {
    /// The text sent on [`ACCESS_CHANNEL`].
    pub fn payload(self) -> String {
        match self {
            Self::Account(account) => format!("account:{}", account.0),
            Self::Group(group) => format!("group:{}", group.0),
            Self::Everyone => "everyone".to_owned(),
        }
    }

    /// Reads a payload back; `None` for anything else.
    pub fn parse(payload: &str) -> Option<Self> {
        match payload.split_once(':') {
            Some(("account", id)) => id.parse().ok().map(|id| Self::Account(AccountId(id))),
            Some(("group", id)) => id.parse().ok().map(|id| Self::Group(GroupId(id))),
            None if payload == "everyone" => Some(Self::Everyone),
            _ => None,
        }
    }

    /// Whether this change may concern a connection of `account` to a room
    /// of `group`.
    pub fn concerns(self, account: AccountId, group: GroupId) -> bool {
        match self {
            Self::Account(changed) => changed == account,
            Self::Group(changed) => changed == group,
            Self::Everyone => true,
        }
    }
}

/// What the rooms hear from every instance, this one's included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// A command was appended to a room's log at `seq`: on PostgreSQL any
    /// append; on SQLite, where the one instance's hub appends its own,
    /// only a [`SiteCommand`] another change wrote.
    Appended {
        /// The room's meeting.
        occurrence: OccurrenceId,
        /// The command's place.
        seq: i64,
    },
    /// Someone's right to be in a room may have ended.
    Access(AccessChange),
}

/// Announcements to the rooms: on PostgreSQL one connection of its own
/// listening on [`ROOM_CHANNEL`] and [`ACCESS_CHANNEL`], so both arrive in
/// the order their transactions committed; on SQLite (one instance) the
/// store's own announcements, in process.
pub struct RoomListener(Source);

enum Source {
    Postgres(sqlx::postgres::PgListener),
    Local(tokio::sync::broadcast::Receiver<Announcement>),
}

impl std::fmt::Debug for RoomListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoomListener")
    }
}

impl RoomListener {
    /// Listens on both channels with a connection of its own.
    pub(crate) async fn connect(pool: &sqlx::PgPool) -> StoreResult<Self> {
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen_all([ROOM_CHANNEL, ACCESS_CHANNEL]).await?;
        Ok(Self(Source::Postgres(listener)))
    }

    /// Hears what a store in this process announces.
    pub(crate) fn local(receiver: tokio::sync::broadcast::Receiver<Announcement>) -> Self {
        Self(Source::Local(receiver))
    }

    /// The next announcement. When some may have been lost — the
    /// connection was lost and made again, or this listener fell behind —
    /// it answers [`AccessChange::Everyone`] (and rooms catch up from the
    /// log when their next append finds its place taken).
    pub async fn next(&mut self) -> StoreResult<Announcement> {
        use tokio::sync::broadcast::error::RecvError;
        match &mut self.0 {
            Source::Postgres(listener) => loop {
                let Some(notification) = listener.try_recv().await? else {
                    return Ok(Announcement::Access(AccessChange::Everyone));
                };
                let payload = notification.payload();
                if notification.channel() == ACCESS_CHANNEL {
                    if let Some(change) = AccessChange::parse(payload) {
                        return Ok(Announcement::Access(change));
                    }
                } else if let Some((occurrence, seq)) = payload.rsplit_once(':') {
                    if let (Some(occurrence), Ok(seq)) =
                        (OccurrenceId::parse(occurrence), seq.parse())
                    {
                        return Ok(Announcement::Appended { occurrence, seq });
                    }
                }
            },
            Source::Local(receiver) => match receiver.recv().await {
                Ok(announcement) => Ok(announcement),
                Err(RecvError::Lagged(_)) => Ok(Announcement::Access(AccessChange::Everyone)),
                Err(RecvError::Closed) => Err(crate::StoreError::Other(
                    "the store's announcements ended".into(),
                )),
            },
        }
    }
}

/// One logged command with the events it caused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCommand {
    /// Its place in the room's order, from 1.
    pub seq: i64,
    /// Who gave it (JSON of the domain's `Who`).
    pub actor: String,
    /// The client's own id for it, so a resend is not applied twice.
    pub client_id: String,
    /// The command (JSON).
    pub command: String,
    /// The events it caused (JSON array).
    pub events: String,
    /// When, in milliseconds since the room opened.
    pub at_ms: i64,
}

/// A command to append.
#[derive(Debug, Clone, Copy)]
pub struct NewLogEntry<'a> {
    /// The place it must take: the last `seq` plus one.
    pub seq: i64,
    /// Who gave it (JSON).
    pub actor: &'a str,
    /// The client's id for it.
    pub client_id: &'a str,
    /// The command (JSON).
    pub command: &'a str,
    /// The events it caused (JSON array).
    pub events: &'a str,
    /// Milliseconds since the room opened.
    pub at_ms: i64,
}

/// A command the site appends to a room's log with a change made
/// elsewhere (a report's decision that removes a message), in that
/// change's transaction and at the log's next place: nothing when the room
/// has no log (it never opened, or it closed and its log was deleted).
#[derive(Debug, Clone, Copy)]
pub struct SiteCommand<'a> {
    /// The room's meeting.
    pub occurrence: &'a OccurrenceId,
    /// Who gives it (JSON of the domain's `Who`).
    pub actor: &'a str,
    /// Its id, so that it is in the log once.
    pub client_id: &'a str,
    /// The command (JSON).
    pub command: &'a str,
    /// The events it causes (JSON array).
    pub events: &'a str,
    /// Milliseconds since the room opened.
    pub at_ms: i64,
}

/// What became of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// It is in the log at the place asked for.
    Done,
    /// Another writer took that place first: catch up and try again.
    Taken,
    /// This actor's command with this client id is in the log already, at
    /// this place: a resend, answered as the first was.
    Repeated(i64),
    /// The room has closed: nothing is written any more.
    Closed,
}

/// How a group's rooms run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomSettings {
    /// Each turn, in seconds.
    pub turn_seconds: u32,
    /// Minutes before a meeting its room opens.
    pub opens_minutes: u32,
    /// Minutes after a meeting its room stays open.
    pub closes_minutes: u32,
    /// Keep how many came and the total speaking time after each meeting.
    pub keep_totals: bool,
}

impl Default for RoomSettings {
    fn default() -> Self {
        Self {
            turn_seconds: 180,
            opens_minutes: 15,
            closes_minutes: 30,
            keep_totals: false,
        }
    }
}

/// What remains of a closed room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomSummary {
    /// How many people came.
    pub present: u32,
    /// Everyone's speaking time together, in seconds.
    pub spoken_seconds: u64,
}

/// Everything about live rooms.
#[async_trait]
pub trait RoomStore {
    /// A room's whole log, in order.
    async fn room_log(&self, occurrence: &OccurrenceId) -> StoreResult<Vec<LoggedCommand>>;

    /// The log after `seq`, in order: what a reconnecting client or a
    /// lagging instance missed.
    async fn room_log_after(
        &self,
        occurrence: &OccurrenceId,
        seq: i64,
    ) -> StoreResult<Vec<LoggedCommand>>;

    /// Appends a command at exactly `entry.seq`, once per actor and client
    /// id, unless the room has closed.
    async fn append_room_command(
        &self,
        occurrence: &OccurrenceId,
        entry: &NewLogEntry<'_>,
    ) -> StoreResult<Appended>;

    /// Whether this actor's command with this client id is in the log.
    async fn room_command_seen(
        &self,
        occurrence: &OccurrenceId,
        actor: &str,
        client_id: &str,
    ) -> StoreResult<Option<i64>>;

    /// Meetings with a room log that ended before `before`.
    async fn rooms_to_close(&self, before: Timestamp) -> StoreResult<Vec<OccurrenceId>>;

    /// Closes a room for good: deletes its log (chat and per-person
    /// figures go with it), marks it closed so that nothing is appended
    /// after, and, when its group keeps them, writes the aggregates, in one
    /// transaction.
    async fn close_room(
        &self,
        occurrence: &OccurrenceId,
        summary: RoomSummary,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// A closed room's aggregates, if its group kept them.
    async fn room_summary(&self, occurrence: &OccurrenceId) -> StoreResult<Option<RoomSummary>>;

    /// How a group's rooms run.
    async fn room_settings(&self, group: GroupId) -> StoreResult<RoomSettings>;

    /// Saves how a group's rooms run.
    async fn set_room_settings(&self, group: GroupId, settings: RoomSettings) -> StoreResult<()>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct LogRow {
    pub seq: i64,
    pub actor: String,
    pub client_id: String,
    pub command: String,
    pub events: String,
    pub at_ms: i64,
}

impl From<LogRow> for LoggedCommand {
    fn from(row: LogRow) -> Self {
        Self {
            seq: row.seq,
            actor: row.actor,
            client_id: row.client_id,
            command: row.command,
            events: row.events,
            at_ms: row.at_ms,
        }
    }
}

pub(crate) const ROOM_LOG: &str = "SELECT seq, actor, client_id, command, events, at_ms
FROM room_log WHERE occurrence_id = $1 AND seq > $2 ORDER BY seq";
/// Inserts only at a free place and only once per actor and client id: a
/// taken `seq` or a repeated id inserts nothing.
pub(crate) const APPEND: &str = "INSERT INTO room_log
    (occurrence_id, seq, actor, client_id, command, events, at_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
/// On PostgreSQL appends and the closing of a room take turns on the
/// meeting's row (SQLite's writers take turns anyway).
pub(crate) const LOCK_MEETING: &str = "SELECT 1 FROM occurrences WHERE id = $1 FOR UPDATE";
pub(crate) const IS_CLOSED: &str = "SELECT COUNT(*) FROM room_closures WHERE occurrence_id = $1";
pub(crate) const MARK_CLOSED: &str = "INSERT INTO room_closures (occurrence_id, closed_at)
VALUES ($1, $2) ON CONFLICT (occurrence_id) DO NOTHING";
pub(crate) const LAST_SEQ: &str = "SELECT MAX(seq) FROM room_log WHERE occurrence_id = $1";
pub(crate) const SEEN: &str = "SELECT seq FROM room_log
WHERE occurrence_id = $1 AND actor = $2 AND client_id = $3";
/// Rooms whose meeting ended longer ago than their group keeps them open.
pub(crate) const TO_CLOSE: &str = "SELECT DISTINCT l.occurrence_id FROM room_log l
JOIN occurrences o ON o.id = l.occurrence_id JOIN groups g ON g.id = o.group_id
WHERE o.ends_at + g.room_closes_minutes * 60 < $1";
pub(crate) const DELETE_LOG: &str = "DELETE FROM room_log WHERE occurrence_id = $1";
pub(crate) const KEEP_SUMMARY: &str = "INSERT INTO room_summaries
    (occurrence_id, group_id, present, spoken_seconds, closed_at)
SELECT o.id, o.group_id, $2, $3, $4 FROM occurrences o JOIN groups g ON g.id = o.group_id
WHERE o.id = $1 AND g.room_keep_totals = 1
ON CONFLICT (occurrence_id) DO NOTHING";
pub(crate) const SUMMARY: &str =
    "SELECT present, spoken_seconds FROM room_summaries WHERE occurrence_id = $1";
pub(crate) const SETTINGS: &str = "SELECT room_turn_seconds, room_opens_minutes,
    room_closes_minutes, room_keep_totals FROM groups WHERE id = $1";
pub(crate) const SET_SETTINGS: &str = "UPDATE groups SET room_turn_seconds = $2,
    room_opens_minutes = $3, room_closes_minutes = $4, room_keep_totals = $5 WHERE id = $1";

mod imp;

pub(crate) use imp::append_site_command;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_change_reads_back_as_it_was_sent_and_nothing_else_does() {
        for change in [
            AccessChange::Account(AccountId(42)),
            AccessChange::Group(GroupId(7)),
            AccessChange::Everyone,
        ] {
            assert_eq!(AccessChange::parse(&change.payload()), Some(change));
        }
        for noise in [
            "",
            "account:",
            "account:x",
            "group:1:2",
            "someone:3",
            "everyone:1",
        ] {
            assert_eq!(AccessChange::parse(noise), None, "{noise:?}");
        }
    }

    #[test]
    fn a_change_concerns_its_account_its_group_or_everyone() {
        let (ada, circle) = (AccountId(2), GroupId(5));
        assert!(AccessChange::Account(ada).concerns(ada, circle));
        assert!(!AccessChange::Account(AccountId(3)).concerns(ada, circle));
        assert!(AccessChange::Group(circle).concerns(ada, circle));
        assert!(!AccessChange::Group(GroupId(6)).concerns(ada, circle));
        assert!(AccessChange::Everyone.concerns(ada, circle));
    }
}
