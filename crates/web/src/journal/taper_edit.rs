//! Changing the taper log (`/journal/taper/{id}/edit|delete`,
//! `/journal/taper/{id}/doses/{dose}/edit|delete`): renaming a medicine,
//! deleting one with its dose changes, editing and deleting a dose change.
//! Each delete asks first on a page of its own. A dose change is found
//! under its own medicine only: another medicine's, or another person's,
//! is the same 404 as none. A refused form keeps what was typed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::AppError;
use kith_app::journal::{self, DoseEntry, MedicineEntry};
use kith_domain::ids::MedicineId;

use super::taper::{DoseForm, FAMILIES, or_journal_page, unit_hint};
use super::{day_label, refusals_in, respond, session_token};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::{DosePath, IdPath};
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// The medicine, or the way to `/journal` when the journal is locked.
async fn medicine(
    state: &AppState,
    user: &CurrentUser,
    id: &MedicineId,
) -> Result<Result<MedicineEntry, Response>, PageError> {
    let found = journal::medicine(&state.app, &user.person, session_token(user)?, id).await;
    or_journal_page(found)
}

/// The dose change `dose` of the medicine `id`: 404 when it is another
/// medicine's.
async fn dose(
    state: &AppState,
    user: &CurrentUser,
    id: &MedicineId,
    dose: &kith_domain::ids::DoseId,
) -> Result<Result<DoseEntry, Response>, PageError> {
    let found = journal::dose(&state.app, &user.person, session_token(user)?, dose).await;
    match or_journal_page(found)? {
        Ok(entry) if &entry.medicine == id => Ok(Ok(entry)),
        Ok(_) => Err(WebError::NotFound.into()),
        Err(to_journal) => Ok(Err(to_journal)),
    }
}

fn medicine_name(entry: &MedicineEntry) -> Option<String> {
    entry.name.as_ref().ok().map(|n| n.as_str().to_owned())
}

#[derive(Template)]
#[template(path = "journal_medicine_edit.html")]
struct RenameTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    /// Its name now; `None` when it could not be opened.
    current: Option<String>,
    name: String,
    errors: FormErrors,
}

fn rename_template(
    user: &CurrentUser,
    entry: &MedicineEntry,
    name: String,
    errors: FormErrors,
) -> RenameTemplate {
    RenameTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        id: entry.id.to_string(),
        current: medicine_name(entry),
        name,
        errors,
    }
}

/// `GET /journal/taper/{id}/edit`: the name, to change.
pub(super) async fn rename_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
) -> Result<Response, PageError> {
    let entry = match medicine(&state, &user, &id).await? {
        Ok(entry) => entry,
        Err(to_journal) => return Ok(to_journal),
    };
    let name = medicine_name(&entry).unwrap_or_default();
    respond(
        StatusCode::OK,
        &rename_template(&user, &entry, name, FormErrors::default()),
    )
}

/// `POST /journal/taper/{id}/edit`: renames it.
pub(super) async fn rename_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let name = form.get("name");
    let renamed =
        journal::rename_medicine(&state.app, &user.person, session_token(&user)?, &id, name).await;
    match renamed {
        Err(AppError::Invalid(errors)) => {
            // Only the owner sees the form again.
            let entry = match medicine(&state, &user, &id).await? {
                Ok(entry) => entry,
                Err(to_journal) => return Ok(to_journal),
            };
            let page = rename_template(
                &user,
                &entry,
                name.to_owned(),
                refusals_in(FAMILIES, &errors),
            );
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        other => match or_journal_page(other)? {
            Ok(()) => Ok(Redirect::to(&format!("/journal/taper/{id}")).into_response()),
            Err(to_journal) => Ok(to_journal),
        },
    }
}

#[derive(Template)]
#[template(path = "journal_medicine_delete.html")]
struct DeleteMedicineTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    name: Option<String>,
    /// How many dose changes go with it, in words.
    doses_going: String,
}

/// `GET /journal/taper/{id}/delete`: asks first, saying its dose changes
/// go too.
pub(super) async fn delete_medicine_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
) -> Result<Response, PageError> {
    let entry = match medicine(&state, &user, &id).await? {
        Ok(entry) => entry,
        Err(to_journal) => return Ok(to_journal),
    };
    let count = journal::doses(&state.app, &user.person, session_token(&user)?, &id)
        .await?
        .len();
    let m = messages();
    respond(
        StatusCode::OK,
        &DeleteMedicineTemplate {
            m,
            zone_from: "none",
            nav: user.viewer.nav(),
            id: id.to_string(),
            name: medicine_name(&entry),
            doses_going: m
                .t("taper.delete_medicine_doses")
                .replace("{count}", &count.to_string()),
        },
    )
}

/// `POST /journal/taper/{id}/delete`: deletes it and its dose changes.
pub(super) async fn delete_medicine_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
) -> Result<Response, PageError> {
    let deleted =
        journal::delete_medicine(&state.app, &user.person, session_token(&user)?, &id).await;
    match or_journal_page(deleted)? {
        Ok(()) => Ok(Redirect::to("/journal/taper").into_response()),
        Err(to_journal) => Ok(to_journal),
    }
}

#[derive(Template)]
#[template(path = "journal_dose_edit.html")]
struct EditDoseTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    medicine: String,
    id: String,
    day_label: String,
    unopened: bool,
    form: DoseForm,
    unit_hint: String,
    errors: FormErrors,
}

fn edit_dose_template(
    user: &CurrentUser,
    medicine: &MedicineId,
    entry: &DoseEntry,
    form: DoseForm,
    errors: FormErrors,
) -> EditDoseTemplate {
    let m = messages();
    EditDoseTemplate {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        medicine: medicine.to_string(),
        id: entry.id.to_string(),
        day_label: day_label(m, entry.day),
        unopened: entry.content.is_err(),
        form,
        unit_hint: unit_hint(m),
        errors,
    }
}

/// `GET /journal/taper/{id}/doses/{dose}/edit`: the form, filled in.
pub(super) async fn edit_dose_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
    DosePath(dose_id): DosePath,
) -> Result<Response, PageError> {
    let entry = match dose(&state, &user, &id, &dose_id).await? {
        Ok(entry) => entry,
        Err(to_journal) => return Ok(to_journal),
    };
    let mut form = DoseForm {
        day: entry.day.to_string(),
        ..DoseForm::default()
    };
    if let Ok(content) = &entry.content {
        form.amount = content.amount.to_string();
        form.unit = content.unit.as_str().to_owned();
        form.note = content.note.clone();
    }
    respond(
        StatusCode::OK,
        &edit_dose_template(&user, &id, &entry, form, FormErrors::default()),
    )
}

/// `POST /journal/taper/{id}/doses/{dose}/edit`: replaces it.
pub(super) async fn edit_dose_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
    DosePath(dose_id): DosePath,
    form: FormPairs,
) -> Result<Response, PageError> {
    // It must be this medicine's before anything is written or shown.
    let entry = match dose(&state, &user, &id, &dose_id).await? {
        Ok(entry) => entry,
        Err(to_journal) => return Ok(to_journal),
    };
    let typed = DoseForm::from_pairs(&form);
    let edited = journal::edit_dose(
        &state.app,
        &user.person,
        session_token(&user)?,
        &dose_id,
        &typed.input(),
        &user.viewer.zone(),
        state.app.now(),
    )
    .await;
    match edited {
        Err(AppError::Invalid(errors)) => {
            let page =
                edit_dose_template(&user, &id, &entry, typed, refusals_in(FAMILIES, &errors));
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        other => match or_journal_page(other)? {
            Ok(()) => Ok(Redirect::to(&format!("/journal/taper/{id}")).into_response()),
            Err(to_journal) => Ok(to_journal),
        },
    }
}

#[derive(Template)]
#[template(path = "journal_dose_delete.html")]
struct DeleteDoseTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    medicine: String,
    id: String,
    day_label: String,
    /// Amount and unit; `None` when it could not be opened.
    dose: Option<String>,
}

/// `GET /journal/taper/{id}/doses/{dose}/delete`: asks first.
pub(super) async fn delete_dose_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
    DosePath(dose_id): DosePath,
) -> Result<Response, PageError> {
    let entry = match dose(&state, &user, &id, &dose_id).await? {
        Ok(entry) => entry,
        Err(to_journal) => return Ok(to_journal),
    };
    let m = messages();
    respond(
        StatusCode::OK,
        &DeleteDoseTemplate {
            m,
            zone_from: "none",
            nav: user.viewer.nav(),
            medicine: id.to_string(),
            id: entry.id.to_string(),
            day_label: day_label(m, entry.day),
            dose: entry
                .content
                .as_ref()
                .ok()
                .map(|c| format!("{} {}", c.amount, c.unit.as_str())),
        },
    )
}

/// `POST /journal/taper/{id}/doses/{dose}/delete`: deletes it.
pub(super) async fn delete_dose_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
    DosePath(dose_id): DosePath,
) -> Result<Response, PageError> {
    if let Err(to_journal) = dose(&state, &user, &id, &dose_id).await? {
        return Ok(to_journal);
    }
    let deleted =
        journal::delete_dose(&state.app, &user.person, session_token(&user)?, &dose_id).await;
    match or_journal_page(deleted)? {
        Ok(()) => Ok(Redirect::to(&format!("/journal/taper/{id}")).into_response()),
        Err(to_journal) => Ok(to_journal),
    }
}
