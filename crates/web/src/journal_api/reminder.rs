//! The daily journal reminder through the API: `GET`/`PUT
//! /api/v1/me/journal/reminder`, the same choice as the journal page's
//! form ([`kith_app::journal_reminder`]). It needs no key: its mail names
//! nothing from the journal, so it is read and set whether or not the
//! journal is open, or even started.

use axum::Json;
use axum::extract::State;
use kith_app::journal_reminder::{self, ReminderSetting};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::JournalError;
use crate::AppState;
use crate::forms::ApiJson;
use crate::session::CurrentUser;

/// The daily reminder: a mail whose subject is only "Your kith reminder",
/// at a local time in the account's zone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReminderJson {
    /// Whether it goes out (off until turned on).
    pub on: bool,
    /// `HH:MM` in the account's zone; kept while it is off. Needed to
    /// turn it on; left out of a `PUT` that turns it off, the one before
    /// stays.
    #[serde(default)]
    #[schema(max_length = 5, example = "08:00")]
    pub reminder_time: Option<String>,
}

impl From<ReminderSetting> for ReminderJson {
    fn from(setting: ReminderSetting) -> Self {
        Self {
            on: setting.on,
            reminder_time: setting.at.map(|t| t.to_string()),
        }
    }
}

/// The person's daily journal reminder.
#[utoipa::path(
    get,
    path = "/api/v1/me/journal/reminder",
    tag = "journal",
    responses((status = 200, description = "The reminder", body = ReminderJson)),
    security(("bearer" = []))
)]
pub async fn get_reminder(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ReminderJson>, JournalError> {
    Ok(Json(
        journal_reminder::setting(&state.app, &user.person)
            .await?
            .into(),
    ))
}

/// Turns the daily reminder on at a time, or off.
#[utoipa::path(
    put,
    path = "/api/v1/me/journal/reminder",
    tag = "journal",
    request_body = ReminderJson,
    responses(
        (status = 200, description = "Saved; the reminder now", body = ReminderJson),
        (status = 422, description = "`reminder_time`: `required` (to turn it on) or `invalid_time`", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_reminder(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<ReminderJson>,
) -> Result<Json<ReminderJson>, JournalError> {
    let chosen = journal_reminder::choose(
        &state.app,
        &user.person,
        body.on,
        body.reminder_time.as_deref().unwrap_or_default(),
        state.app.now(),
    )
    .await?;
    Ok(Json(chosen.into()))
}
