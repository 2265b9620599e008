//! A meeting's live room: the page (`/meetings/{id}/room`) and its
//! WebSocket (`/meetings/{id}/room/ws`), speaking the versioned JSON
//! protocol of `docs/room-protocol.md` (the connection itself: `socket`).
//! Everyone but the group's members and hosts gets 404 before any upgrade.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kith_app::rooms::RoomEntry;
use kith_domain::ids::OccurrenceId;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{Auth, CurrentUser, Nav};

mod socket;

pub use socket::{MAX_MESSAGE, PROTOCOL};

/// The room routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/room", get(room_page))
        .route("/meetings/{id}/room/ws", get(room_socket))
}

async fn entry(
    state: &AppState,
    user: &CurrentUser,
    id: &OccurrenceId,
) -> Result<RoomEntry, WebError> {
    Ok(kith_app::rooms::entry(&state.app, &user.person, id, state.app.now()).await?)
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
    hosts_it: bool,
    /// In the script's address, so a browser that cached the script of
    /// an older protocol fetches this one's.
    protocol: u8,
}

async fn room_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: crate::viewer::CookieZone,
    IdPath(id): IdPath<OccurrenceId>,
) -> Result<Response, PageError> {
    let entry = entry(&state, &user, &id).await?;
    let zone = cookie.or_utc();
    let opens = crate::views::local_date_time(entry.opens_at, &zone).0;
    let page = RoomTemplate {
        m: messages(),
        zone_from: "cookie",
        nav: user.viewer.nav(),
        facilitates: entry.you == entry.facilitator,
        hosts_it: entry.hosts.contains(&entry.you),
        protocol: PROTOCOL,
        opens,
        entry,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn room_socket(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
    IdPath(id): IdPath<OccurrenceId>,
    headers: axum::http::HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, PageError> {
    // A handshake carries the cookie from any page that opens it: only
    // kith's own pages may (browsers always send `Origin` here).
    if !crate::session::same_origin(&headers, state.app.site_url().base()) {
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
    let door = socket::Door { entry, session };
    let after = query.get("after").and_then(|s| s.parse::<i64>().ok());
    // Frames up to four times the largest valid message reach the
    // connection, which answers the oversized ones with close code 1009;
    // larger ones are dropped at once.
    // The read buffer stays small (idle connections are most of them);
    // a longer message grows it while it is read.
    Ok(upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(4 * MAX_MESSAGE)
        .max_frame_size(4 * MAX_MESSAGE)
        .on_upgrade(move |ws| socket::serve(state, door, after, ws)))
}
