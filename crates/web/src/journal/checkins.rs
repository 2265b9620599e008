//! Adding, editing and deleting check-ins (`/journal/checkins…`). Another
//! person's check-in, or one in a journal the asker does not have, is the
//! same 404 as none; a journal locked in this session sends the member to
//! `/journal`, which asks for what opens it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::journal;
use kith_app::{AppError, Conflict};
use kith_domain::ids::CheckinId;

use super::{
    CheckinForm, CheckinView, MoodChoice, checkin_view, day_label, mood_choices, page, refusals,
    respond, session_token, symptoms_hint,
};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// A use case's answer for one check-in: a journal the asker does not have
/// holds nothing of theirs (404), a locked one is opened on `/journal`.
pub(super) fn or_journal_page<T>(
    result: Result<T, AppError>,
) -> Result<Result<T, Response>, PageError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(AppError::Conflict(Conflict::NoJournal)) => Err(WebError::NotFound.into()),
        Err(AppError::Conflict(Conflict::JournalLocked)) => {
            Ok(Err(Redirect::to("/journal").into_response()))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /journal/checkins`: adds one; a refused one shows the journal
/// again with what was typed and each field's refusal.
pub(super) async fn add_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let typed = CheckinForm::from_pairs(&form);
    let added = journal::add_checkin(
        &state.app,
        &user.person,
        session_token(&user)?,
        &typed.input(),
        &user.viewer.zone(),
        state.app.now(),
    )
    .await;
    match added {
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &user, typed, refusals(&errors), None, None).await?;
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        // Without a journal, or with it locked, its page says what to do.
        Err(AppError::Conflict(Conflict::NoJournal | Conflict::JournalLocked)) => {
            Ok(Redirect::to("/journal").into_response())
        }
        other => match or_journal_page(other)? {
            Ok(_) => Ok(Redirect::to("/journal?done=added").into_response()),
            Err(to_journal) => Ok(to_journal),
        },
    }
}

#[derive(Template)]
#[template(path = "journal_checkin.html")]
struct EditTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    day_label: String,
    /// Whether the stored one could not be opened (the form starts empty).
    unopened: bool,
    form: CheckinForm,
    moods: Vec<MoodChoice>,
    symptoms_hint: String,
    errors: FormErrors,
}

fn edit_template(
    user: &CurrentUser,
    id: &CheckinId,
    day_label: String,
    unopened: bool,
    form: CheckinForm,
    errors: FormErrors,
) -> EditTemplate {
    let m = messages();
    EditTemplate {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        id: id.to_string(),
        day_label,
        unopened,
        moods: mood_choices(m, &form.mood),
        form,
        symptoms_hint: symptoms_hint(m),
        errors,
    }
}

/// `GET /journal/checkins/{id}/edit`: the form, filled in.
pub(super) async fn edit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
) -> Result<Response, PageError> {
    let found = journal::checkin(&state.app, &user.person, session_token(&user)?, &id).await;
    let entry = match or_journal_page(found)? {
        Ok(entry) => entry,
        Err(to_journal) => return Ok(to_journal),
    };
    let mut form = CheckinForm {
        day: entry.day.to_string(),
        ..CheckinForm::default()
    };
    if let Ok(content) = &entry.content {
        form.mood = content.mood.level().to_string();
        form.hours_slept = content.sleep.map(|s| s.hours_text()).unwrap_or_default();
        form.symptoms = content.symptoms.join(", ");
        form.note = content.note.clone();
    }
    let label = day_label(messages(), entry.day);
    let unopened = entry.content.is_err();
    respond(
        StatusCode::OK,
        &edit_template(&user, &id, label, unopened, form, FormErrors::default()),
    )
}

/// `POST /journal/checkins/{id}/edit`: replaces it.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let token = session_token(&user)?;
    let typed = CheckinForm::from_pairs(&form);
    let edited = journal::edit_checkin(
        &state.app,
        &user.person,
        token,
        &id,
        &typed.input(),
        &user.viewer.zone(),
        state.app.now(),
    )
    .await;
    match edited {
        Err(AppError::Invalid(errors)) => {
            // Only the owner gets here with a refusal worth showing: the
            // check-in must be theirs before its form comes back.
            let found = journal::checkin(&state.app, &user.person, token, &id).await;
            let entry = match or_journal_page(found)? {
                Ok(entry) => entry,
                Err(to_journal) => return Ok(to_journal),
            };
            let label = day_label(messages(), entry.day);
            let page = edit_template(
                &user,
                &id,
                label,
                entry.content.is_err(),
                typed,
                refusals(&errors),
            );
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        other => match or_journal_page(other)? {
            Ok(()) => Ok(Redirect::to("/journal?done=changed").into_response()),
            Err(to_journal) => Ok(to_journal),
        },
    }
}

#[derive(Template)]
#[template(path = "journal_delete.html")]
struct DeleteTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    checkin: CheckinView,
}

/// `GET /journal/checkins/{id}/delete`: asks first.
pub(super) async fn delete_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
) -> Result<Response, PageError> {
    let found = journal::checkin(&state.app, &user.person, session_token(&user)?, &id).await;
    let entry = match or_journal_page(found)? {
        Ok(entry) => entry,
        Err(to_journal) => return Ok(to_journal),
    };
    let m = messages();
    respond(
        StatusCode::OK,
        &DeleteTemplate {
            m,
            zone_from: "none",
            nav: user.viewer.nav(),
            checkin: checkin_view(m, &entry),
        },
    )
}

/// `POST /journal/checkins/{id}/delete`: deletes it, even one that could
/// not be opened.
pub(super) async fn delete_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CheckinId>,
) -> Result<Response, PageError> {
    let deleted =
        journal::delete_checkin(&state.app, &user.person, session_token(&user)?, &id).await;
    match or_journal_page(deleted)? {
        Ok(()) => Ok(Redirect::to("/journal?done=deleted").into_response()),
        Err(to_journal) => Ok(to_journal),
    }
}
