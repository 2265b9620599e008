//! Sharing a check-in into a live room (`/journal/checkins/{id}/share`):
//! the page shows exactly the words that would go and the dose line a
//! tick would add, and offers the open rooms of the member's groups that
//! they are in now; the form sends one chat message through the room's
//! hub ([`kith_app::journal_share`]). Another person's check-in is 404,
//! as is a room the member may not enter; a locked journal sends them to
//! `/journal`, which asks for what opens it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::AppError;
use kith_app::journal_share::{self, CurrentDose, ShareRoom, Shareable};
use kith_domain::ids::{CheckinId, OccurrenceId};
use kith_domain::room::MESSAGE_MAX;

use super::checkins::or_journal_page;
use super::{day_label, refusals_in, respond, session_token};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// The words a check-in shares, in one line (a room's chat shows one),
/// from the catalogue's labels.
fn words(m: &Messages, shared: &Shareable) -> String {
    let c = &shared.content;
    let mut parts = vec![
        format!(
            "{} {}",
            m.t("journal.share.message_lead"),
            day_label(m, shared.day)
        ),
        format!(
            "{}: {}",
            m.t("journal.mood_label"),
            m.t(&format!("journal.mood.{}", c.mood.code()))
        ),
    ];
    if let Some(sleep) = c.sleep {
        parts.push(format!(
            "{}: {} {}",
            m.t("journal.sleep_label"),
            sleep.hours_text(),
            m.t("journal.hours")
        ));
    }
    if !c.symptoms.is_empty() {
        parts.push(format!(
            "{}: {}",
            m.t("journal.symptoms_label"),
            c.symptoms.join(", ")
        ));
    }
    if !c.note.is_empty() {
        // One line, as the chat shows it.
        let note = c.note.split_whitespace().collect::<Vec<_>>().join(" ");
        parts.push(format!("{}: {note}", m.t("journal.note")));
    }
    format!("{}.", parts.join(". "))
}

/// The line the doses add, if there are any to add.
fn dose_line(m: &Messages, doses: &[CurrentDose]) -> Option<String> {
    if doses.is_empty() {
        return None;
    }
    let each: Vec<String> = doses
        .iter()
        .map(|d| format!("{} {} {}", d.medicine, d.dose.amount, d.dose.unit.as_str()))
        .collect();
    Some(format!(
        "{}: {}.",
        m.t("journal.share.doses_lead"),
        each.join(", ")
    ))
}

/// The message that goes: the words, then the doses if ticked.
fn message(words: &str, doses: Option<&str>) -> String {
    match doses {
        Some(doses) => format!("{words} {doses}"),
        None => words.to_owned(),
    }
}

/// An open room as the form offers it.
struct RoomChoice {
    id: String,
    group_name: String,
    present: bool,
    checked: bool,
}

#[derive(Template)]
#[template(path = "journal_share.html")]
struct SharePage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    day_label: String,
    words: String,
    doses: Option<String>,
    with_doses: bool,
    too_long: bool,
    max: usize,
    rooms: Vec<RoomChoice>,
    can_share: bool,
    share_id: String,
    errors: FormErrors,
}

/// What the form had, kept when it is refused.
#[derive(Default)]
struct Typed {
    room: String,
    with_doses: bool,
}

/// The page for one check-in; `Err` is where to send the member instead
/// (a locked journal).
async fn share_page(
    state: &AppState,
    user: &CurrentUser,
    id: &CheckinId,
    typed: &Typed,
    errors: FormErrors,
) -> Result<Result<SharePage, Response>, PageError> {
    let m = messages();
    let token = session_token(user)?;
    let found = journal_share::shareable(&state.app, &user.person, token, id, true).await;
    let shared = match found {
        Err(AppError::Invalid(_)) => return Err(WebError::NotFound.into()),
        other => match or_journal_page(other)? {
            Ok(shared) => shared,
            Err(to_journal) => return Ok(Err(to_journal)),
        },
    };
    let now = state.app.now();
    let open: Vec<ShareRoom> =
        journal_share::rooms(&state.app, &state.rooms, &user.person, now).await?;
    let words = words(m, &shared);
    let doses = dose_line(m, &shared.doses);
    let longest = message(&words, doses.as_deref().filter(|_| typed.with_doses));
    let rooms: Vec<RoomChoice> = open
        .into_iter()
        .map(|r| RoomChoice {
            checked: r.entry.occurrence.id.as_str() == typed.room,
            id: r.entry.occurrence.id.to_string(),
            group_name: r.entry.group_name,
            present: r.present,
        })
        .collect();
    Ok(Ok(SharePage {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        id: id.to_string(),
        day_label: day_label(m, shared.day),
        too_long: longest.chars().count() > MESSAGE_MAX,
        max: MESSAGE_MAX,
        can_share: rooms.iter().any(|r| r.present),
        rooms,
        words,
        doses,
        with_doses: typed.with_doses,
        share_id: kith_domain::ids::random_secret(),
        errors,
    }))
}

/// `GET /journal/checkins/{id}/share`.
pub(super) async fn share_form_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
) -> Result<Response, PageError> {
    match share_page(&state, &user, &id, &Typed::default(), FormErrors::default()).await? {
        Ok(page) => respond(StatusCode::OK, &page),
        Err(to_journal) => Ok(to_journal),
    }
}

/// A form's own id for its message, so a form sent twice says it once;
/// a missing or odd one gets a fresh id (and no such guard).
fn client_id(form: &FormPairs) -> String {
    let raw = form.get("share_id");
    let fits = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let id = if fits {
        raw.to_owned()
    } else {
        kith_domain::ids::random_secret()
    };
    format!("journal-share-{id}")
}

/// The page again with the form's refusals, as typed.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: &CheckinId,
    typed: &Typed,
    errors: &[kith_domain::validation::FieldError],
) -> Result<Response, PageError> {
    let errors = refusals_in(&["journal.share", "journal"], errors);
    match share_page(state, user, id, typed, errors).await? {
        Ok(page) => respond(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(to_journal) => Ok(to_journal),
    }
}

/// `POST /journal/checkins/{id}/share`: sends the one message, then back
/// to the journal with a notice.
pub(super) async fn share_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let m = messages();
    let token = session_token(&user)?;
    let typed = Typed {
        room: form.get("room").trim().to_owned(),
        with_doses: form.get("doses") == "on",
    };
    let found =
        journal_share::shareable(&state.app, &user.person, token, &id, typed.with_doses).await;
    let shared = match found {
        Err(AppError::Invalid(_)) => return Err(WebError::NotFound.into()),
        other => match or_journal_page(other)? {
            Ok(shared) => shared,
            Err(to_journal) => return Ok(to_journal),
        },
    };
    if typed.room.is_empty() {
        let required = kith_domain::validation::FieldError::new("room", "required");
        return refused(&state, &user, &id, &typed, &[required]).await;
    }
    // A room id that cannot be one is a room that does not exist.
    let room = OccurrenceId::parse(&typed.room).ok_or(WebError::NotFound)?;
    // A share is a room message sent without the room's socket, so the
    // socket's flood limit does not see it: it counts with the member's
    // other messages instead.
    state
        .limits
        .membership(user.person.id)
        .map_err(WebError::RateLimited)?;
    let text = message(&words(m, &shared), dose_line(m, &shared.doses).as_deref());
    let sent = journal_share::share(
        &state.app,
        &state.rooms,
        &user.person,
        &room,
        &text,
        &client_id(&form),
        state.app.now(),
    )
    .await;
    match sent {
        Ok(()) => Ok(Redirect::to("/journal?done=shared").into_response()),
        Err(AppError::Invalid(errors)) => refused(&state, &user, &id, &typed, &errors).await,
        Err(other) => Err(other.into()),
    }
}
