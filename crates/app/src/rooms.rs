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
//! [`AccessChange`] through [`crate::App::access_changed`] (heard by every
//! instance), each connection it concerns
//! asks [`admission`] again, and so does every command and, as a safety
//! net for what no one announces (a session that runs out), every
//! [`ADMISSION_RECHECK`].

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kith_domain::group::{ListingStatus, PrivateDetails};
use kith_domain::ids::{AccountId, GroupId, OccurrenceId, Slug};
use kith_domain::room::{Command, DEFAULT_TURN, Event, Message, Room, Who};
use kith_store::StoreError;
use kith_store::model::OccurrenceTime;
use kith_store::rooms::SiteCommand;
/// What may have ended someone's right to a room, and how a group's rooms
/// run: what the rooms' use cases and the hub speak in.
pub use kith_store::rooms::{AccessChange, RoomSettings};

use crate::access::{GroupAction, Person, authorize};
use crate::{App, AppError, AppResult};

/// How often an open connection checks its person's right to the room
/// even when no change was announced: a session can simply run out.
pub const ADMISSION_RECHECK: Duration = Duration::from_secs(30);

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
    /// The group's hosts, the first first: they may take facilitation
    /// back, and only they may remove one of them.
    pub hosts: Vec<Who>,
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
    app: &App,
    person: &Person,
    occurrence: &OccurrenceId,
    now: Timestamp,
) -> AppResult<RoomEntry> {
    let store = app.store();
    let (slug, meeting) = store.meeting(occurrence).await?;
    let access = authorize(store, Some(person), &slug, GroupAction::EnterRoom).await?;
    let group = store.managed_group(&slug).await?;
    let host = *access.hosts.first().ok_or(AppError::NotFound)?;
    let settings = store.room_settings(access.id).await?;
    let opens_at = opens_at(&meeting, &settings);
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
        hosts: access.hosts.iter().map(|h| Who::Account(h.0)).collect(),
        opens_at,
        turn_length: Duration::from_secs(u64::from(settings.turn_seconds)),
        private: group.private,
    })
}

/// When a meeting's room opens, as its group runs rooms.
fn opens_at(meeting: &OccurrenceTime, settings: &RoomSettings) -> Timestamp {
    meeting.starts_at - SignedDuration::from_mins(i64::from(settings.opens_minutes))
}

/// A message of a meeting's room as its log has it now — who said it and
/// what — while it is still there: `None` once the facilitator or the
/// moderators removed it, or the room closed and its log went with it.
pub(crate) async fn message(
    app: &App,
    occurrence: &OccurrenceId,
    number: u64,
) -> AppResult<Option<(Who, String)>> {
    let mut said = None;
    for logged in app.store().room_log(occurrence).await? {
        let events: Vec<Event> = serde_json::from_str(&logged.events).unwrap_or_default();
        for event in events {
            match event {
                Event::Said { id, from, text } if id == number => said = Some((from, text)),
                Event::MessageRemoved { id } if id == number => said = None,
                _ => {}
            }
        }
    }
    Ok(said)
}

/// The moderators' removal of a message from its room, as the room's log
/// keeps it, to append with the decision that makes it
/// ([`SiteRemoval::command`]); every instance's hub applies it as it
/// applies any command, so it is replayed after a restart too.
#[derive(Debug, Clone)]
pub(crate) struct SiteRemoval {
    occurrence: OccurrenceId,
    actor: String,
    client_id: String,
    command: String,
    events: String,
    at_ms: i64,
}

impl SiteRemoval {
    /// The command for the store to append.
    pub(crate) fn command(&self) -> SiteCommand<'_> {
        SiteCommand {
            occurrence: &self.occurrence,
            actor: &self.actor,
            client_id: &self.client_id,
            command: &self.command,
            events: &self.events,
            at_ms: self.at_ms,
        }
    }
}

/// The removal of message `number` from `occurrence`'s room by
/// `moderator`, once (`client_id` names the decision): `None` when the
/// message is no longer there, so nothing is to be removed.
pub(crate) async fn site_removal(
    app: &App,
    occurrence: &OccurrenceId,
    number: u64,
    moderator: AccountId,
    client_id: String,
    now: Timestamp,
) -> AppResult<Option<SiteRemoval>> {
    let Some((from, text)) = message(app, occurrence, number).await? else {
        return Ok(None);
    };
    let store = app.store();
    let (slug, meeting) = match store.meeting(occurrence).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    let settings = store
        .room_settings(store.group_access(&slug).await?.id)
        .await?;
    let at = now.duration_since(opens_at(&meeting, &settings));
    let at_ms = i64::try_from(at.as_millis()).unwrap_or(i64::MAX).max(0);
    // The log's events are the rule's own, as a replay finds them.
    let mut room = Room::new(from, DEFAULT_TURN);
    room.messages.push(Message {
        id: number,
        from,
        text,
    });
    let actor = Who::Account(moderator.0);
    let command = Command::SiteRemoveMessage { id: number };
    let at = std::time::Duration::from_millis(u64::try_from(at_ms).unwrap_or_default());
    let events = room
        .apply(actor, command.clone(), at)
        .map_err(AppError::internal)?;
    Ok(Some(SiteRemoval {
        occurrence: occurrence.clone(),
        actor: serde_json::to_string(&actor).map_err(AppError::internal)?,
        client_id,
        command: serde_json::to_string(&command).map_err(AppError::internal)?,
        events: serde_json::to_string(&events).map_err(AppError::internal)?,
        at_ms,
    }))
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
    app: &App,
    entry: &RoomEntry,
    session_token: &str,
    now: Timestamp,
) -> AppResult<Admission> {
    let store = app.store();
    let session = store
        .session(&crate::tokens::token_hash(session_token), now)
        .await?;
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

mod hub;

pub use hub::{Broadcast, Connection, Frame, GRACE, RoomHub, Snapshot};

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
pub async fn settings(app: &App, person: &Person, slug: &Slug) -> AppResult<RoomSettings> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::Edit).await?;
    Ok(store.room_settings(access.id).await?)
}

/// Saves how a group's rooms run; every refused field is named.
pub async fn save_settings(
    app: &App,
    person: &Person,
    slug: &Slug,
    input: &RoomSettingsInput,
) -> AppResult<()> {
    let store = app.store();
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
            RoomSettings {
                turn_seconds: turn * 60,
                opens_minutes: opens,
                closes_minutes: closes,
                keep_totals: input.keep_totals,
            },
        )
        .await?;
    Ok(())
}
