//! Sharing a check-in into a live room, on purpose: the member picks one
//! check-in, sees the words that would go, ticks whether their current
//! doses go too (not unless they tick), and picks an open room of a
//! group they belong to, in which they are present. One chat message goes,
//! as theirs, through the room's hub — so it takes its place in the
//! room's one order for everyone and meets the room's rules (a message
//! too long for the room is refused, never cut or split). Nothing of the
//! journal is ever shared otherwise.
//!
//! The words themselves are the web layer's (its catalogue): this module
//! hands it what the check-in says ([`shareable`]) and sends the text it
//! made ([`share`]). The check-in is opened with the member's key, so
//! only its writer can share it; another person's is `NotFound`.

use std::sync::Arc;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kith_domain::ids::{CheckinId, OccurrenceId};
use kith_domain::journal::{CheckinContent, DoseContent};
use kith_domain::room::{Command, MESSAGE_MAX, Refusal};
use kith_domain::validation::FieldError;

use crate::access::Person;
use crate::journal;
use crate::rooms::{RoomEntry, RoomHub};
use crate::{App, AppError, AppResult};

/// How many of a member's meetings around now are looked at: more than
/// anyone attends at once.
const MEETINGS_AROUND: u32 = 20;

/// The longest a room stays open after its meeting, and opens before it
/// (the host's settings' bounds).
const CLOSES_AFTER_AT_MOST: SignedDuration = SignedDuration::from_mins(120);
const OPENS_BEFORE_AT_MOST: SignedDuration = SignedDuration::from_mins(60);

/// An open room a check-in could go to.
#[derive(Debug, Clone)]
pub struct ShareRoom {
    /// The room, as its door admits the member.
    pub entry: RoomEntry,
    /// Whether the member is in it now: only then may they speak there.
    pub present: bool,
}

/// The open rooms of the member's groups now, soonest meeting first.
pub async fn rooms(
    app: &App,
    hub: &Arc<RoomHub>,
    person: &Person,
    now: Timestamp,
) -> AppResult<Vec<ShareRoom>> {
    let meetings = app
        .store()
        .personal_meetings(
            person.id,
            now - CLOSES_AFTER_AT_MOST,
            now + OPENS_BEFORE_AT_MOST,
            MEETINGS_AROUND,
        )
        .await?;
    let mut open = Vec::new();
    for meeting in meetings {
        let entry = match crate::rooms::entry(app, person, &meeting.occurrence.id, now).await {
            Ok(entry) if entry.open => entry,
            Ok(_) | Err(AppError::NotFound) => continue,
            Err(other) => return Err(other),
        };
        let (snapshot, _) = hub.subscribe(&entry).await?;
        let present = snapshot.room.person(entry.you).is_some_and(|p| p.present);
        open.push(ShareRoom { entry, present });
    }
    Ok(open)
}

/// A medicine's latest dose, as sharing tells it.
pub struct CurrentDose {
    /// The member's name for the medicine.
    pub medicine: String,
    /// The dose.
    pub dose: DoseContent,
}

/// What a check-in would share. No `Debug`: it holds what they wrote.
pub struct Shareable {
    /// The day it is about.
    pub day: Date,
    /// What it says.
    pub content: CheckinContent,
    /// Each medicine's latest dose, in the order added; empty unless
    /// asked for. A medicine or dose that cannot be opened is left out.
    pub doses: Vec<CurrentDose>,
}

/// One of the member's check-ins as it would be shared, with their
/// current doses if `with_doses`. One that cannot be opened cannot be
/// shared (the field `checkin`, `could_not_open`).
pub async fn shareable(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &CheckinId,
    with_doses: bool,
) -> AppResult<Shareable> {
    let entry = journal::checkin(app, person, session_token, id).await?;
    let content = entry
        .content
        .map_err(|_| AppError::Invalid(vec![FieldError::new("checkin", "could_not_open")]))?;
    let mut doses = Vec::new();
    if with_doses {
        for medicine in journal::medicines(app, person, session_token).await? {
            let Ok(name) = medicine.name else { continue };
            let latest = journal::doses(app, person, session_token, &medicine.id)
                .await?
                .into_iter()
                .filter_map(|d| d.content.ok())
                .next_back();
            if let Some(dose) = latest {
                doses.push(CurrentDose {
                    medicine: name.as_str().to_owned(),
                    dose,
                });
            }
        }
    }
    Ok(Shareable {
        day: entry.day,
        content,
        doses,
    })
}

/// Says `text` as the member in the room of `occurrence`, once per
/// `client_id` (a resent form says nothing twice). `NotFound` for a room
/// they may not enter; refused, naming the field, when the text is too
/// long for a room's message (`text`, `too_long`), the room is not open
/// (`room`, `room_not_open`), they are not in it (`room`, `not_present`),
/// or it will not take their message (`room`, `removed` or
/// `cannot_say`).
pub async fn share(
    app: &App,
    hub: &Arc<RoomHub>,
    person: &Person,
    occurrence: &OccurrenceId,
    text: &str,
    client_id: &str,
    now: Timestamp,
) -> AppResult<()> {
    let refuse = |field, code| Err(AppError::Invalid(vec![FieldError::new(field, code)]));
    let entry = crate::rooms::entry(app, person, occurrence, now).await?;
    if !entry.open {
        return refuse("room", "room_not_open");
    }
    if text.trim().chars().count() > MESSAGE_MAX {
        return refuse("text", "too_long");
    }
    let say = Command::Say {
        text: text.to_owned(),
    };
    match hub.command(&entry, client_id, say).await? {
        Ok(_) => Ok(()),
        Err(Refusal::NotPresent) => refuse("room", "not_present"),
        Err(Refusal::RoomClosed) => refuse("room", "room_not_open"),
        Err(Refusal::Removed) => refuse("room", "removed"),
        Err(_) => refuse("room", "cannot_say"),
    }
}
