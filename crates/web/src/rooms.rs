//! A meeting's live room: the page (`/meetings/{id}/room`) and its
//! WebSocket (`/meetings/{id}/room/ws`), speaking the versioned JSON
//! protocol of `docs/room-protocol.md`. Everyone but the group's members
//! and hosts gets 404 before any upgrade.

use std::num::NonZeroU32;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use governor::{Quota, RateLimiter};
use kith_app::rooms::{Admission, Broadcast, Frame, RoomEntry, Snapshot};
use kith_domain::ids::OccurrenceId;
use kith_domain::room::{Command, Event, Room, Who};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{Auth, CurrentUser, Nav};

/// The protocol's version; every frame carries it.
pub const PROTOCOL: u8 = 1;
/// The largest client message accepted, in bytes.
pub const MAX_MESSAGE: usize = 4 * 1024;
/// Client messages a connection may send per second, and in a burst.
const PER_SECOND: u32 = 5;
const BURST: u32 = 10;
/// Messages over the limit before the connection is closed.
const STRIKES: u32 = 20;

/// The room routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/room", get(room_page))
        .route("/meetings/{id}/room/ws", get(room_socket))
}

async fn entry(state: &AppState, user: &CurrentUser, id: &str) -> Result<RoomEntry, WebError> {
    let id = OccurrenceId::parse(id).ok_or(WebError::NotFound)?;
    Ok(kith_app::rooms::entry(state.store.as_ref(), &user.person, &id, state.clock.now()).await?)
}

#[derive(Template)]
#[template(path = "room.html")]
struct RoomTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    entry: RoomEntry,
    opens: String,
    facilitates: bool,
}

async fn room_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: crate::viewer::CookieZone,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let entry = entry(&state, &user, &id).await?;
    let zone = cookie.or_utc();
    let opens = crate::views::local_date_time(entry.opens_at, &zone).0;
    let page = RoomTemplate {
        m: messages(),
        zone_from: "cookie",
        nav: user.viewer.nav(),
        facilitates: entry.you == entry.facilitator,
        opens,
        entry,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn room_socket(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, PageError> {
    // A handshake carries the cookie from any page that opens it: only
    // kith's own pages may (browsers always send `Origin` here).
    if !crate::session::same_origin(&headers, state.config.base_url.as_deref()) {
        return Err(WebError::CrossSite.into());
    }
    // Authorized before the upgrade: a stranger gets a plain 404.
    let entry = entry(&state, &user, &id).await?;
    if !entry.open {
        return Err(WebError::NotFound.into());
    }
    // Kept to ask again whether the session lives: when it ends, so does
    // the connection.
    let (Auth::Cookie(session) | Auth::Bearer(session)) = user.viewer.auth else {
        return Err(WebError::NotFound.into());
    };
    let door = Door { entry, session };
    let after = query.get("after").and_then(|s| s.parse::<i64>().ok());
    Ok(upgrade
        .read_buffer_size(MAX_MESSAGE)
        .write_buffer_size(0)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| serve(state, door, after, socket)))
}

/// How a person came in: the room, and the session that opened the
/// connection.
struct Door {
    entry: RoomEntry,
    session: String,
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
        let now = state.clock.now();
        match kith_app::rooms::admission(state.store.as_ref(), &self.entry, &self.session, now)
            .await
        {
            Ok(Admission::Admitted) => None,
            Ok(lost) => Some(lost),
            Err(_) => {
                recheck.reset_after(Duration::from_secs(1));
                None
            }
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
        room: Option<Room>,
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
    /// A message was refused; the connection stays.
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
}

/// The last frame a connection whose person lost the room receives.
fn farewell(admission: Admission) -> ServerMessage<'static> {
    match admission {
        Admission::Closed => ServerMessage::Closed { v: PROTOCOL },
        Admission::Admitted | Admission::Removed => ServerMessage::Removed { v: PROTOCOL },
    }
}

/// What this person may see: speaking times are the facilitator's alone.
fn redact_room(mut room: Room, you: Who) -> Room {
    if room.facilitator != you {
        for person in &mut room.people {
            person.spoken = std::time::Duration::ZERO;
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
                spoke: std::time::Duration::ZERO,
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

/// How long a connection that lost its room waits for the client to
/// answer its close.
const CLOSING: Duration = Duration::from_secs(5);

/// Sends the last frame a person who lost the room receives, and closes.
async fn send_last(socket: &mut WebSocket, admission: Admission) {
    send(socket, &farewell(admission)).await;
    let _ = socket.send(Message::Close(None)).await;
    // What the client sent meanwhile is read and dropped, never applied,
    // until it answers the close: a socket dropped with unread input is
    // reset, and a reset can discard the last frame before it is read.
    let _ = tokio::time::timeout(CLOSING, async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
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

/// One connection, from welcome to close.
async fn serve(state: AppState, door: Door, after: Option<i64>, mut socket: WebSocket) {
    let hub = state.rooms.clone();
    let entry = &door.entry;
    // Subscribed before the first command, so no change is missed.
    let mut access = hub.access_changes();
    // Entering is itself a command, so everyone sees who is here.
    let entered = hub
        .command(
            entry,
            &format!("enter-{}", kith_domain::ids::random_secret()),
            Command::Enter {
                name: entry.name.clone(),
            },
        )
        .await;
    if !matches!(entered, Ok(Ok(_))) {
        let code = match entered {
            Ok(Err(refusal)) => refusal.code(),
            _ => "unavailable",
        };
        send(
            &mut socket,
            &ServerMessage::Error {
                v: PROTOCOL,
                id: None,
                code,
            },
        )
        .await;
        return;
    }
    let Ok((Snapshot { room, seq }, mut frames)) = hub.subscribe(entry).await else {
        return;
    };
    let now_ms = state
        .clock
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
        room: after.is_none().then(|| redact_room(room, entry.you)),
    };
    if !send(&mut socket, &welcome).await {
        return;
    }
    if let Some(after) = after {
        for frame in hub.frames_after(entry, after).await.unwrap_or_default() {
            if !send_frame(&mut socket, &frame, facilitates).await {
                return;
            }
        }
    }
    let limiter = RateLimiter::direct(
        Quota::per_second(NonZeroU32::new(PER_SECOND).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN)),
    );
    let mut strikes = 0;
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
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => false,
                };
                if let Some(lost) = if concerns { door.lost(&state, &mut recheck).await } else { None } {
                    send_last(&mut socket, lost).await;
                    break;
                }
            }
            _ = recheck.tick() => {
                if let Some(lost) = door.lost(&state, &mut recheck).await {
                    send_last(&mut socket, lost).await;
                    break;
                }
            }
            heard = frames.recv() => match heard {
                Ok(Broadcast::Frame(frame)) if frame.seq > seq => {
                    let mut removed = false;
                    for event in &frame.events {
                        match event {
                            Event::FacilitatorChanged { to } => facilitates = *to == entry.you,
                            Event::Removed { who } if *who == entry.you => removed = true,
                            _ => {}
                        }
                    }
                    if !send_frame(&mut socket, &frame, facilitates).await || removed {
                        break;
                    }
                }
                Ok(Broadcast::Frame(_)) => {}
                Ok(Broadcast::Closed) | Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                    send(&mut socket, &ServerMessage::Closed { v: PROTOCOL }).await;
                    break;
                }
                // Fell behind: the client reconnects with `after`.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    send(&mut socket, &ServerMessage::Error { v: PROTOCOL, id: None, code: "lagged" }).await;
                    break;
                }
            },
            received = socket.recv() => {
                let text = match received {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                if limiter.check().is_err() {
                    strikes += 1;
                    send(&mut socket, &ServerMessage::Error { v: PROTOCOL, id: None, code: "rate_limited" }).await;
                    if strikes >= STRIKES {
                        break;
                    }
                    continue;
                }
                let message: ClientMessage = match serde_json::from_str(&text) {
                    Ok(message) => message,
                    Err(_) => {
                        send(&mut socket, &ServerMessage::Error { v: PROTOCOL, id: None, code: "invalid_message" }).await;
                        continue;
                    }
                };
                if message.v != PROTOCOL || message.id.is_empty() || message.id.len() > 64 {
                    send(&mut socket, &ServerMessage::Error { v: PROTOCOL, id: None, code: "unsupported_version" }).await;
                    continue;
                }
                // Asked again for every command: an announcement from
                // another instance may still be on its way.
                if let Some(lost) = door.lost(&state, &mut recheck).await {
                    send_last(&mut socket, lost).await;
                    break;
                }
                let reply = match hub.command(entry, &message.id, message.command).await {
                    Ok(Ok(seq)) => ServerMessage::Ack { v: PROTOCOL, id: &message.id, seq },
                    Ok(Err(refusal)) => ServerMessage::Error { v: PROTOCOL, id: Some(&message.id), code: refusal.code() },
                    Err(_) => ServerMessage::Error { v: PROTOCOL, id: Some(&message.id), code: "unavailable" },
                };
                let removed = matches!(reply, ServerMessage::Error { code: "removed", .. });
                if !send(&mut socket, &reply).await || removed {
                    break;
                }
            }
        }
    }
    // Gone: the others see them leave (a reconnect enters again).
    let _ = hub
        .command(
            entry,
            &format!("leave-{}", kith_domain::ids::random_secret()),
            Command::Leave,
        )
        .await;
}
