//! Dose changes through the API: `GET`/`POST /api/v1/me/journal/doses`
//! (the list optionally of one medicine) and `GET`/`PUT`/`DELETE
//! /api/v1/me/journal/doses/{id}`. Each dose carries its step from the
//! dose before of the same medicine, as a percentage of that one, as the
//! taper page shows it — and nothing more: kith never suggests a dose. A
//! dose that could not be opened is answered with `could_not_open: true`;
//! another person's id (a dose's, or a medicine's named in a body or a
//! filter) is the same 404 as none.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::journal::{self, DoseEntry};
use kith_domain::ids::{DoseId, MedicineId};
use kith_domain::journal::{DoseInput, Step};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schemas::{amount_schema, day_schema, dose_note_schema, unit_schema};
use super::{JournalError, session_token};
use crate::AppState;
use crate::error::WebError;
use crate::extract::IdPath;
use crate::forms::ApiJson;
use crate::query::QueryPairs;
use crate::session::CurrentUser;

/// A dose change as its writer reads it.
#[derive(Serialize, ToSchema)]
pub struct DoseJson {
    /// Its id.
    pub id: String,
    /// The medicine it is a dose of.
    pub medicine: String,
    /// The day the dose began, `YYYY-MM-DD`.
    pub day: String,
    /// When it was written, RFC 3339.
    pub written_at: String,
    /// True when it could not be opened: then nothing of its content is
    /// given.
    pub could_not_open: bool,
    /// The amount, exactly as a decimal (`"37.5"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The unit: `mg`, `mcg`, `g`, `ml`, `drops`, `beads`, `tablets` or
    /// the person's own word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The note; may be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The change from the dose before as a percentage of it, to a tenth
    /// (`-10`, `12.5`); null for the first dose, after another unit, or
    /// beside a dose that could not be opened. A record of what was
    /// taken, never a suggestion.
    pub step_percent: Option<f64>,
}

impl DoseJson {
    fn of(entry: &DoseEntry) -> Self {
        let content = entry.content.as_ref().ok();
        Self {
            id: entry.id.to_string(),
            medicine: entry.medicine.to_string(),
            day: entry.day.to_string(),
            written_at: entry.written_at.to_string(),
            could_not_open: content.is_none(),
            amount: content.map(|c| c.amount.to_string()),
            unit: content.map(|c| c.unit.as_str().to_owned()),
            note: content.map(|c| c.note.clone()),
            step_percent: entry.step.map(percent),
        }
    }
}

/// A step in percent, to a tenth.
fn percent(step: Step) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "tenths of a percent of doses are far below 2^52"
    )]
    let tenths = step.tenths_of_percent() as f64;
    tenths / 10.0
}

/// An amount as a number or as text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AmountJson {
    /// A JSON number.
    Number(serde_json::Number),
    /// Text, as typed (`"37,5"` too).
    Text(String),
}

/// A dose change's fields, whole (a `PUT` replaces every one).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DoseChangeBody {
    /// The day the new dose began.
    #[serde(default)]
    #[schema(required = true, schema_with = day_schema)]
    pub day: String,
    /// The amount.
    #[serde(default)]
    #[schema(required = true, schema_with = amount_schema)]
    pub amount: Option<AmountJson>,
    /// The unit.
    #[serde(default)]
    #[schema(required = true, schema_with = unit_schema)]
    pub unit: String,
    /// A note.
    #[serde(default)]
    #[schema(schema_with = dose_note_schema)]
    pub note: String,
}

impl DoseChangeBody {
    /// The use case's input: the domain checks it as it checks a form.
    fn input(self) -> DoseInput {
        DoseInput {
            day: self.day,
            amount: match self.amount {
                Some(AmountJson::Number(n)) => n.to_string(),
                Some(AmountJson::Text(t)) => t,
                None => String::new(),
            },
            unit: self.unit,
            note: self.note,
        }
    }
}

/// A new dose change, of one of the person's medicines.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewDoseBody {
    /// The medicine's id.
    #[serde(default)]
    #[schema(required = true)]
    pub medicine: String,
    /// The dose's fields.
    #[serde(flatten)]
    pub dose: DoseChangeBody,
}

/// A medicine's id as a body or a filter gives it: a malformed one names
/// nothing, the same 404 as another person's.
fn medicine_id(raw: &str) -> Result<MedicineId, JournalError> {
    MedicineId::parse(raw.trim()).ok_or_else(|| JournalError::taper(WebError::NotFound))
}

/// The person's dose changes: of one medicine with `medicine`, else of
/// every one (medicines in the order added); each medicine's oldest
/// first, with the step from the one before.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/doses",
    tag = "journal",
    params(("medicine" = Option<String>, Query, description = "Only this medicine's dose changes.")),
    responses(
        (status = 200, description = "The dose changes", body = [DoseJson]),
        (status = 404, description = "No such medicine of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_doses(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Json<Vec<DoseJson>>, JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    let medicines = match query.get("medicine") {
        Some(raw) => vec![medicine_id(raw)?],
        None => journal::medicines(app, &user.person, token)
            .await
            .map_err(JournalError::taper)?
            .into_iter()
            .map(|m| m.id)
            .collect(),
    };
    let mut doses = Vec::new();
    for medicine in &medicines {
        let found = journal::doses(app, &user.person, token, medicine)
            .await
            .map_err(JournalError::taper)?;
        doses.extend(found.iter().map(DoseJson::of));
    }
    Ok(Json(doses))
}

/// Notes a dose change of one of the person's medicines.
#[utoipa::path(
    post,
    path = "/api/v1/me/journal/doses",
    tag = "journal",
    request_body = NewDoseBody,
    responses(
        (status = 201, description = "Noted, with its step", body = DoseJson),
        (status = 404, description = "No such medicine of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused: a day in the future or before 1900, an amount not above 0 or above 10,000, more than three decimals, a unit or note too long", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_dose(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewDoseBody>,
) -> Result<(StatusCode, Json<DoseJson>), JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    let medicine = medicine_id(&body.medicine)?;
    let zone = user.viewer.zone();
    let input = body.dose.input();
    let id = journal::add_dose(
        app,
        &user.person,
        token,
        &medicine,
        &input,
        &zone,
        app.now(),
    )
    .await
    .map_err(JournalError::taper)?;
    let entry = journal::dose(app, &user.person, token, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok((StatusCode::CREATED, Json(DoseJson::of(&entry))))
}

/// One of the person's dose changes, with its step.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/doses/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The dose change's id.")),
    responses(
        (status = 200, description = "The dose change", body = DoseJson),
        (status = 404, description = "No such dose change of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_dose(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<DoseId>,
) -> Result<Json<DoseJson>, JournalError> {
    let token = session_token(&user)?;
    let entry = journal::dose(&state.app, &user.person, token, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok(Json(DoseJson::of(&entry)))
}

/// Replaces one of the person's dose changes, its day too (its medicine
/// stays).
#[utoipa::path(
    put,
    path = "/api/v1/me/journal/doses/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The dose change's id.")),
    request_body = DoseChangeBody,
    responses(
        (status = 200, description = "Saved, with its step", body = DoseJson),
        (status = 404, description = "No such dose change of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_dose(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<DoseId>,
    ApiJson(body): ApiJson<DoseChangeBody>,
) -> Result<Json<DoseJson>, JournalError> {
    let app = &state.app;
    let token = session_token(&user)?;
    let zone = user.viewer.zone();
    journal::edit_dose(
        app,
        &user.person,
        token,
        &id,
        &body.input(),
        &zone,
        app.now(),
    )
    .await
    .map_err(JournalError::taper)?;
    let entry = journal::dose(app, &user.person, token, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok(Json(DoseJson::of(&entry)))
}

/// Deletes one of the person's dose changes.
#[utoipa::path(
    delete,
    path = "/api/v1/me/journal/doses/{id}",
    tag = "journal",
    params(("id" = String, Path, description = "The dose change's id.")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such dose change of this person's (`not_found`), or no journal (`no_journal`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Locked in this session (`journal_locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_dose(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<DoseId>,
) -> Result<StatusCode, JournalError> {
    journal::delete_dose(&state.app, &user.person, session_token(&user)?, &id)
        .await
        .map_err(JournalError::taper)?;
    Ok(StatusCode::NO_CONTENT)
}
