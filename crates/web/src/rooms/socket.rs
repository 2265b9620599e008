//! One room connection, from welcome to close: what the client may send,
//! what the server answers, the person's presence (one connection of
//! theirs among any others), access asked again whenever it may have
//! ended, and a close with a documented code whenever the server ends it.

use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use governor::{Quota, RateLimiter};
use kith_app::rooms::{Admission, Broadcast, Frame, RoomEntry, Snapshot};
use kith_domain::room::{Command, Event, Room, Who};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;

/// The protocol's version; every frame carries it.
pub const PROTOCOL: u8 = 2;
/// The largest client message accepted, in bytes: a message of the
/// longest text (1,000 characters) written entirely in escaped four-byte
/// characters (`\ud83d\ude00`, 12 bytes each) with its envelope.
pub const MAX_MESSAGE: usize = 16 * 1024;
/// The longest client id, in characters.
const MAX_ID_CHARS: usize = 64;
/// Client messages a connection may send per second, and in a burst.
const PER_SECOND: u32 = 5;
const BURST: u32 = 10;
/// Messages over the limit before the connection is closed.
const STRIKES: u32 = 20;
/// How long a connection the server ends waits for the client to answer
/// its close.
const CLOSING: Duration = Duration::from_secs(5);

/// How a person came in: the room, and the session that opened the
/// connection.
pub(super) struct Door {
    pub(super) entry: RoomEntry,
    pub(super) session: String,
}

impl Door {
    /// Whether the person lost the room, and how; `None` while they may
    /// stay. When the store cannot answer they stay, lest a database
    /// hiccup empty every room, and are asked again within a second.
    async fn lost(
        &self,
        state: &AppState,
        recheck: &mut tokio::time::Interval,
    ) -> Option<Admission> {
        let now = state.app.now();
        match kith_app::rooms::admission(&state.app, &self.entry, &self.session, now).await {
            Ok(Admission::Admitted) => None,
            Ok(lost) => Some(lost),
            Err(_) => {
                recheck.reset_after(Duration::from_secs(1));
                None
            }
        }
    }
}

/// Why the server ends a connection: each has a close code of its own
/// (`docs/room-protocol.md`).
#[derive(Debug, Clone, Copy)]
enum Ending {
    /// The person may not be here any more.
    Removed,
    /// The room closed.
    Closed,
    /// The connection fell too far behind; reconnect with `after`.
    Lagged,
    /// Too many messages over the rate limit.
    Flooded,
    /// A message over [`MAX_MESSAGE`].
    TooBig,
    /// The server is stopping (a restart or a deploy); reconnect with
    /// `after`, to this instance once it is back or to another.
    Restarting,
}

impl Ending {
    fn code(self) -> u16 {
        match self {
            Self::Removed => 4001,
            Self::Closed => 4002,
            Self::Lagged => 4003,
            Self::Flooded => 1008,
            Self::TooBig => 1009,
            Self::Restarting => 1012,
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Self::Removed => "removed",
            Self::Closed => "closed",
            Self::Lagged => "lagged",
            Self::Flooded => "rate_limited",
            Self::TooBig => "too_big",
            Self::Restarting => "restarting",
        }
    }
}

/// What a client sends.
#[derive(Debug, Deserialize)]
struct ClientMessage {
    /// The protocol version.
    v: u8,
    /// The client's id for this message, so a resend is applied once.
    id: String,
    /// What to do.
    command: Command,
}

/// What the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ServerMessage<'a> {
    /// On connecting: who you are and the room now (omitted when catching
    /// up from `after`).
    Welcome {
        v: u8,
        you: Who,
        seq: i64,
        turn_ms: u64,
        now_ms: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        room: Option<Box<Room>>,
    },
    /// Something happened.
    Events {
        v: u8,
        seq: i64,
        at_ms: i64,
        actor: Who,
        events: &'a [Event],
    },
    /// A command was applied.
    Ack { v: u8, id: &'a str, seq: i64 },
    /// A message was refused; the connection stays unless said otherwise.
    Error {
        v: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        code: &'a str,
    },
    /// The room closed, or its group was unlisted or closed; nothing
    /// follows.
    Closed { v: u8 },
    /// This person may no longer be here (they left or were removed, or
    /// their session ended); nothing follows.
    Removed { v: u8 },
    /// The server is stopping: reconnect with `after`; nothing follows.
    Restarting { v: u8 },
}

/// An error frame about no message in particular.
fn error(code: &str) -> ServerMessage<'_> {
    ServerMessage::Error {
        v: PROTOCOL,
        id: None,
        code,
    }
}

/// The last frame a connection whose person lost the room receives.
fn farewell(admission: Admission) -> (ServerMessage<'static>, Ending) {
    match admission {
        Admission::Closed => (ServerMessage::Closed { v: PROTOCOL }, Ending::Closed),
        Admission::Admitted | Admission::Removed => {
            (ServerMessage::Removed { v: PROTOCOL }, Ending::Removed)
        }
    }
}

/// What this person may see: speaking times are the facilitator's alone.
fn redact_room(mut room: Room, you: Who) -> Room {
    if room.facilitator != you {
        for person in &mut room.people {
            person.spoken = Duration::ZERO;
        }
    }
    room
}

fn redact_events(events: &[Event], facilitates: bool) -> Vec<Event> {
    events
        .iter()
        .map(|event| match event {
            Event::TurnEnded { who, passed, .. } if !facilitates => Event::TurnEnded {
                who: *who,
                spoke: Duration::ZERO,
                passed: *passed,
            },
            other => other.clone(),
        })
        .collect()
}

async fn send(socket: &mut WebSocket, message: &ServerMessage<'_>) -> bool {
    match serde_json::to_string(message) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

async fn send_frame(socket: &mut WebSocket, frame: &Frame, facilitates: bool) -> bool {
    let events = redact_events(&frame.events, facilitates);
    send(
        socket,
        &ServerMessage::Events {
            v: PROTOCOL,
            seq: frame.seq,
            at_ms: frame.at_ms,
            actor: frame.actor,
            events: &events,
        },
    )
    .await
}

/// Sends `last`, then a close with the ending's code. What the client
/// sent meanwhile is read and dropped, never applied, until it answers
/// the close: a socket dropped with unread input is reset, and a reset
/// can discard the last frame before it is read.
async fn end(socket: &mut WebSocket, last: Option<&ServerMessage<'_>>, ending: Ending) {
    if let Some(last) = last {
        send(socket, last).await;
    }
    let close = CloseFrame {
        code: ending.code(),
        reason: ending.reason().into(),
    };
    let _ = socket.send(Message::Close(Some(close))).await;
    let _ = tokio::time::timeout(CLOSING, async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// Completes once the server is stopping (the watch's guard stays inside:
/// it may not be held across the connection's awaits).
async fn until_restarting(restarting: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = restarting.wait_for(|stopping| *stopping).await;
}

/// Ends the connection of a person who lost the room.
async fn end_lost(socket: &mut WebSocket, admission: Admission) {
    let (last, ending) = farewell(admission);
    end(socket, Some(&last), ending).await;
}

/// One connection, from welcome to close.
pub(super) async fn serve(state: AppState, door: Door, after: Option<i64>, mut socket: WebSocket) {
    let hub = state.rooms.clone();
    // Counted until this function returns, after the leave below: a
    // stopping server waits for every connection to be done.
    let _counted = hub.connection();
    let entry = &door.entry;
    if *hub.restarting().borrow() {
        let last = ServerMessage::Restarting { v: PROTOCOL };
        return end(&mut socket, Some(&last), Ending::Restarting).await;
    }
    // Subscribed before the first command, so no change is missed.
    let mut access = hub.access_changes();
    // This connection's own id: the person is present while any of
    // theirs is open, on any instance.
    let connection = kith_domain::ids::random_secret();
    // Entering is itself a command, so everyone sees who is here; the
    // name is the account's, never the client's.
    let entered = hub
        .command(
            entry,
            &format!("enter-{connection}"),
            Command::Enter {
                name: entry.name.clone(),
                connection: connection.clone(),
            },
        )
        .await;
    if !matches!(entered, Ok(Ok(_))) {
        let code = match entered {
            Ok(Err(refusal)) => refusal.code(),
            _ => "unavailable",
        };
        let ending = if code == "removed" {
            Ending::Removed
        } else {
            Ending::Closed
        };
        end(&mut socket, Some(&error(code)), ending).await;
        return;
    }
    let Ok((Snapshot { room, seq }, mut frames)) = hub.subscribe(entry).await else {
        return;
    };
    let now_ms = state
        .app
        .now()
        .duration_since(entry.opens_at)
        .as_millis()
        .try_into()
        .unwrap_or(i64::MAX);
    let mut facilitates = room.facilitator == entry.you;
    let welcome = ServerMessage::Welcome {
        v: PROTOCOL,
        you: entry.you,
        seq,
        turn_ms: u64::try_from(room.turn_length.as_millis()).unwrap_or(u64::MAX),
        now_ms,
        room: after
            .is_none()
            .then(|| Box::new(redact_room(room, entry.you))),
    };
    if send(&mut socket, &welcome).await {
        converse(
            &state,
            &door,
            &mut socket,
            &mut access,
            &mut frames,
            (seq, after),
            &mut facilitates,
        )
        .await;
    }
    // This connection is gone: the others see the person leave when it
    // was their last (a reconnect enters again).
    let _ = hub
        .command(
            entry,
            &format!("leave-{connection}"),
            Command::Leave { connection },
        )
        .await;
}

/// The connection's life after its welcome: frames out, commands in,
/// access asked again, until the client goes or the server ends it.
async fn converse(
    state: &AppState,
    door: &Door,
    socket: &mut WebSocket,
    access: &mut tokio::sync::broadcast::Receiver<kith_app::rooms::AccessChange>,
    frames: &mut tokio::sync::broadcast::Receiver<Broadcast>,
    (seq, after): (i64, Option<i64>),
    facilitates: &mut bool,
) {
    let hub = &state.rooms;
    let entry = &door.entry;
    if let Some(after) = after {
        for frame in hub.frames_after(entry, after).await.unwrap_or_default() {
            if !send_frame(socket, &frame, *facilitates).await {
                return;
            }
        }
    }
    let limiter = RateLimiter::direct(
        Quota::per_second(NonZeroU32::new(PER_SECOND).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN)),
    );
    let mut strikes = 0;
    let mut restarting = hub.restarting();
    let mut recheck = tokio::time::interval_at(
        tokio::time::Instant::now() + kith_app::rooms::ADMISSION_RECHECK,
        kith_app::rooms::ADMISSION_RECHECK,
    );
    loop {
        tokio::select! {
            // Access first: once it is gone, nothing more is sent or applied.
            biased;
            changed = access.recv() => {
                let concerns = match changed {
                    Ok(change) => change.concerns(entry.account, entry.group),
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => false,
                };
                if let Some(lost) = if concerns { door.lost(state, &mut recheck).await } else { None } {
                    return end_lost(socket, lost).await;
                }
            }
            // The server is stopping: the client reconnects with `after`.
            () = until_restarting(&mut restarting) => {
                let last = ServerMessage::Restarting { v: PROTOCOL };
                return end(socket, Some(&last), Ending::Restarting).await;
            }
            _ = recheck.tick() => {
                if let Some(lost) = door.lost(state, &mut recheck).await {
                    return end_lost(socket, lost).await;
                }
            }
            heard = frames.recv() => match heard {
                Ok(Broadcast::Frame(frame)) if frame.seq > seq => {
                    let mut removed = false;
                    for event in &frame.events {
                        match event {
                            Event::FacilitatorChanged { to } => *facilitates = *to == entry.you,
                            Event::Removed { who } if *who == entry.you => removed = true,
                            _ => {}
                        }
                    }
                    if !send_frame(socket, &frame, *facilitates).await {
                        return;
                    }
                    if removed {
                        return end(socket, None, Ending::Removed).await;
                    }
                }
                Ok(Broadcast::Frame(_)) => {}
                Ok(Broadcast::Closed) | Err(RecvError::Closed) => {
                    return end(socket, Some(&ServerMessage::Closed { v: PROTOCOL }), Ending::Closed).await;
                }
                // Fell behind: the client reconnects with `after`.
                Err(RecvError::Lagged(_)) => {
                    return end(socket, Some(&error("lagged")), Ending::Lagged).await;
                }
            },
            received = socket.recv() => {
                let text = match received {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                if text.len() > MAX_MESSAGE {
                    return end(socket, Some(&error("too_big")), Ending::TooBig).await;
                }
                if limiter.check().is_err() {
                    strikes += 1;
                    if strikes >= STRIKES {
                        return end(socket, Some(&error("rate_limited")), Ending::Flooded).await;
                    }
                    send(socket, &error("rate_limited")).await;
                    continue;
                }
                let Ok(message) = serde_json::from_str::<ClientMessage>(&text) else {
                    send(socket, &error("invalid_message")).await;
                    continue;
                };
                if message.v != PROTOCOL {
                    send(socket, &error("unsupported_version")).await;
                    continue;
                }
                let id = message.id.as_str();
                if id.is_empty() || id.chars().count() > MAX_ID_CHARS || !message.command.from_client() {
                    send(socket, &error("invalid_message")).await;
                    continue;
                }
                // Asked again for every command: an announcement from
                // another instance may still be on its way.
                if let Some(lost) = door.lost(state, &mut recheck).await {
                    return end_lost(socket, lost).await;
                }
                let reply = match hub.command(entry, id, message.command).await {
                    Ok(Ok(seq)) => ServerMessage::Ack { v: PROTOCOL, id, seq },
                    Ok(Err(refusal)) => ServerMessage::Error { v: PROTOCOL, id: Some(id), code: refusal.code() },
                    Err(_) => ServerMessage::Error { v: PROTOCOL, id: Some(id), code: "unavailable" },
                };
                match reply {
                    ServerMessage::Error { code: "removed", .. } => return end(socket, Some(&reply), Ending::Removed).await,
                    ServerMessage::Error { code: "room_closed", .. } => return end(socket, Some(&reply), Ending::Closed).await,
                    _ if !send(socket, &reply).await => return,
                    _ => {}
                }
            }
        }
    }
}
