//! The taper log (`/journal/taper…`): the member's medicines, by their
//! own names, and each one's dose changes, oldest first, with the step
//! from the dose before as a percentage of it. kith never suggests a dose;
//! the step is the only arithmetic. Another person's medicine is the same
//! 404 as none; a journal not open in this session sends the member to
//! `/journal`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::journal::{self, Status};
use kith_app::{AppError, Conflict};
use kith_domain::ids::MedicineId;
use kith_domain::journal::{DoseInput, Unit, today};

use super::{day_label, refusals_in, respond, session_token};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// Where a refusal's words are looked up first.
pub(super) const FAMILIES: &[&str] = &["taper", "journal"];

/// A use case's answer: without a journal there is nothing of the
/// person's (404); a locked one is opened on `/journal`.
pub(super) fn or_journal_page<T>(
    result: Result<T, AppError>,
) -> Result<Result<T, Response>, PageError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(AppError::Conflict(Conflict::NoJournal)) => Err(WebError::NotFound.into()),
        Err(AppError::Conflict(Conflict::JournalLocked | Conflict::JournalNeedsRecovery)) => {
            Ok(Err(Redirect::to("/journal").into_response()))
        }
        Err(other) => Err(other.into()),
    }
}

struct MedicineView {
    id: String,
    /// `None` when it could not be opened.
    name: Option<String>,
}

#[derive(Template)]
#[template(path = "journal_taper.html")]
struct MedicinesTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    medicines: Vec<MedicineView>,
    name: String,
    errors: FormErrors,
}

async fn medicines_template(
    state: &AppState,
    user: &CurrentUser,
    name: String,
    errors: FormErrors,
) -> Result<Result<MedicinesTemplate, Response>, PageError> {
    let found = journal::medicines(&state.app, &user.person, session_token(user)?).await;
    let medicines = match or_journal_page(found)? {
        Ok(medicines) => medicines,
        Err(to_journal) => return Ok(Err(to_journal)),
    };
    Ok(Ok(MedicinesTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        medicines: medicines
            .iter()
            .map(|med| MedicineView {
                id: med.id.to_string(),
                name: med.name.as_ref().ok().map(|n| n.as_str().to_owned()),
            })
            .collect(),
        name,
        errors,
    }))
}

/// `GET /journal/taper`: the medicines and a form to add one. Without a
/// journal, its page offers to start one.
pub(super) async fn medicines_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let token = session_token(&user)?;
    if journal::status(&state.app, &user.person, token).await? == Status::None {
        return Ok(Redirect::to("/journal").into_response());
    }
    match medicines_template(&state, &user, String::new(), FormErrors::default()).await? {
        Ok(page) => respond(StatusCode::OK, &page),
        Err(to_journal) => Ok(to_journal),
    }
}

/// `POST /journal/taper`: adds a medicine and opens its page.
pub(super) async fn add_medicine_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let name = form.get("name");
    let added = journal::add_medicine(
        &state.app,
        &user.person,
        session_token(&user)?,
        name,
        state.app.now(),
    )
    .await;
    match added {
        Err(AppError::Invalid(errors)) => {
            match medicines_template(
                &state,
                &user,
                name.to_owned(),
                refusals_in(FAMILIES, &errors),
            )
            .await?
            {
                Ok(page) => respond(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(to_journal) => Ok(to_journal),
            }
        }
        Err(AppError::Conflict(Conflict::NoJournal)) => {
            Ok(Redirect::to("/journal").into_response())
        }
        other => match or_journal_page(other)? {
            Ok(id) => Ok(Redirect::to(&format!("/journal/taper/{id}")).into_response()),
            Err(to_journal) => Ok(to_journal),
        },
    }
}

/// A dose change as its page shows it.
struct DoseView {
    id: String,
    day: String,
    day_label: String,
    /// Amount and unit, note, step; `None` when it could not be opened.
    opened: Option<(String, String, Option<String>)>,
}

/// A dose change's fields as typed, kept when refused.
#[derive(Default)]
pub(super) struct DoseForm {
    pub(super) day: String,
    pub(super) amount: String,
    pub(super) unit: String,
    pub(super) note: String,
}

impl DoseForm {
    /// The fields as the form sent them.
    pub(super) fn from_pairs(form: &FormPairs) -> Self {
        Self {
            day: form.get("day").to_owned(),
            amount: form.get("amount").to_owned(),
            unit: form.get("unit").to_owned(),
            note: form.get("note").to_owned(),
        }
    }

    /// The use case's input.
    pub(super) fn input(&self) -> DoseInput {
        DoseInput {
            day: self.day.clone(),
            amount: self.amount.clone(),
            unit: self.unit.clone(),
            note: self.note.clone(),
        }
    }
}

/// The hint under a unit field: the listed units.
pub(super) fn unit_hint(m: &Messages) -> String {
    format!(
        "{} {}",
        m.t("taper.unit_hint"),
        Unit::LISTED
            .iter()
            .map(Unit::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[derive(Template)]
#[template(path = "journal_medicine.html")]
struct MedicineTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    name: Option<String>,
    doses: Vec<DoseView>,
    form: DoseForm,
    /// The hint under the unit: the listed units.
    unit_hint: String,
    errors: FormErrors,
}

async fn medicine_template(
    state: &AppState,
    user: &CurrentUser,
    id: &MedicineId,
    mut form: DoseForm,
    errors: FormErrors,
) -> Result<Result<MedicineTemplate, Response>, PageError> {
    let m = messages();
    let token = session_token(user)?;
    let found = journal::medicine(&state.app, &user.person, token, id).await;
    let medicine = match or_journal_page(found)? {
        Ok(medicine) => medicine,
        Err(to_journal) => return Ok(Err(to_journal)),
    };
    let doses = journal::doses(&state.app, &user.person, token, id).await?;
    if form.day.is_empty() {
        form.day = today(state.app.now(), &user.viewer.zone()).to_string();
    }
    if form.unit.is_empty() {
        form.unit = doses
            .iter()
            .rev()
            .find_map(|d| d.content.as_ref().ok())
            .map_or_else(|| "mg".to_owned(), |c| c.unit.as_str().to_owned());
    }
    Ok(Ok(MedicineTemplate {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        id: id.to_string(),
        name: medicine.name.as_ref().ok().map(|n| n.as_str().to_owned()),
        doses: doses
            .iter()
            .map(|d| DoseView {
                id: d.id.to_string(),
                day: d.day.to_string(),
                day_label: day_label(m, d.day),
                opened: d.content.as_ref().ok().map(|c| {
                    (
                        format!("{} {}", c.amount, c.unit.as_str()),
                        c.note.clone(),
                        d.step.map(|s| s.to_string()),
                    )
                }),
            })
            .collect(),
        form,
        unit_hint: unit_hint(m),
        errors,
    }))
}

/// `GET /journal/taper/{id}`: a medicine's dose changes and a form to add
/// one.
pub(super) async fn medicine_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
) -> Result<Response, PageError> {
    match medicine_template(
        &state,
        &user,
        &id,
        DoseForm::default(),
        FormErrors::default(),
    )
    .await?
    {
        Ok(page) => respond(StatusCode::OK, &page),
        Err(to_journal) => Ok(to_journal),
    }
}

/// `POST /journal/taper/{id}/doses`: adds a dose change; a refused one
/// shows the medicine's page again with what was typed.
pub(super) async fn add_dose_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<MedicineId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let typed = DoseForm::from_pairs(&form);
    let input = typed.input();
    let added = journal::add_dose(
        &state.app,
        &user.person,
        session_token(&user)?,
        &id,
        &input,
        &user.viewer.zone(),
        state.app.now(),
    )
    .await;
    match added {
        // The medicine must be theirs before its form comes back.
        Err(AppError::Invalid(errors)) => {
            match medicine_template(&state, &user, &id, typed, refusals_in(FAMILIES, &errors))
                .await?
            {
                Ok(page) => respond(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(to_journal) => Ok(to_journal),
            }
        }
        other => match or_journal_page(other)? {
            Ok(_) => Ok(Redirect::to(&format!("/journal/taper/{id}")).into_response()),
            Err(to_journal) => Ok(to_journal),
        },
    }
}
