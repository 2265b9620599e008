//! The daily reminder's small form on the journal page
//! (`POST /journal/reminder`): on at a local time, or off
//! ([`kith_app::journal_reminder`]). A refused time shows the journal
//! again with what was typed and its refusal.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::AppError;
use kith_app::journal_reminder::{self, ReminderSetting};

use super::{CheckinForm, page, refusals, respond};
use crate::AppState;
use crate::error::PageError;
use crate::forms::FormPairs;
use crate::session::CurrentUser;

/// The reminder's fields as the journal page shows them.
#[derive(Default)]
pub(super) struct ReminderForm {
    /// Whether the box is ticked.
    pub(super) on: bool,
    /// The time, as stored or as typed.
    pub(super) time: String,
}

impl From<ReminderSetting> for ReminderForm {
    fn from(setting: ReminderSetting) -> Self {
        Self {
            on: setting.on,
            time: setting.at.map(|t| t.to_string()).unwrap_or_default(),
        }
    }
}

/// The member's reminder, for their journal page.
pub(super) async fn current(
    state: &AppState,
    user: &CurrentUser,
) -> Result<ReminderForm, PageError> {
    Ok(journal_reminder::setting(&state.app, &user.person)
        .await?
        .into())
}

/// `POST /journal/reminder`.
pub(super) async fn choose_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let typed = ReminderForm {
        on: form.get("reminder") == "on",
        time: form.get("reminder_time").to_owned(),
    };
    let chosen = journal_reminder::choose(
        &state.app,
        &user.person,
        typed.on,
        &typed.time,
        state.app.now(),
    )
    .await;
    match chosen {
        Ok(setting) if setting.on => Ok(Redirect::to("/journal?done=reminder_on").into_response()),
        Ok(_) => Ok(Redirect::to("/journal?done=reminder_off").into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = page(
                &state,
                &user,
                CheckinForm::default(),
                refusals(&errors),
                None,
                None,
            )
            .await?;
            page.reminder = typed;
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_shows_the_time_kept_while_off() {
        let setting = ReminderSetting {
            on: false,
            at: kith_domain::journal_reminder::ReminderTime::parse("7:05").ok(),
        };
        let form = ReminderForm::from(setting);
        assert!(!form.on);
        assert_eq!(form.time, "07:05");
    }
}
