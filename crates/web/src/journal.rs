//! The private journal's pages (`/journal`): what it shows depends on
//! where the journal stands for the asking session
//! ([`kith_app::journal::status`]): an offer to start one, a form to open
//! it (with the password, or with the recovery code after a reset by
//! mail), or the check-ins and a form to add one.
//!
//! - this file: the page, starting a journal (its recovery code shown
//!   once), opening and locking it.
//! - `recovery`: opening it with the recovery code, which spends the
//!   code (a new one is shown once), and replacing a lost code.
//! - `export`, `import`: the journal as JSON and CSV downloads, and a
//!   JSON export taken into an empty journal.
//! - `checkins`: adding, editing and deleting check-ins.
//! - `taper`: the taper log — medicines, and each one's dose changes with
//!   the step from the dose before; `taper_edit`: renaming and deleting
//!   medicines, editing and deleting dose changes.
//! - `share`: sharing one check-in into a live room, on purpose.
//! - `reminder`: the daily reminder's small form.
//! - `charts`: doses, mood and sleep over a range, as SVG, words and
//!   tables.
//!
//! Every answer here says `Cache-Control: no-store`, and nothing here logs
//! a value: what a member writes reaches only their own pages.

mod charts;
mod checkins;
mod export;
mod import;
mod recovery;
mod reminder;
mod share;
mod taper;
mod taper_edit;

pub(crate) use import::IMPORT_BODY_MAX;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::journal::{self, CheckinEntry, Status, Unlock};
use kith_app::{AppError, Conflict};
use kith_domain::journal::{Mood, SUGGESTED_SYMPTOMS, today};
use kith_domain::validation::FieldError;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::ClientIp;
use crate::forms::{FieldMessage, FormErrors, FormPairs, field_id};
use crate::limits::devices::DEVICE_COOKIE;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav, cookie};

/// The journal's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/journal", get(journal_page))
        .route("/journal/start", post(start_form))
        .route("/journal/recovery-saved", post(recovery_saved_form))
        .route("/journal/unlock", post(unlock_form))
        .route("/journal/recover", post(recovery::recover_form))
        .route("/journal/recovery-code", get(recovery::new_code_page))
        .route("/journal/recovery-code/new", post(recovery::new_code_form))
        .route("/journal/lock", post(lock_form))
        .route("/journal/checkins", post(checkins::add_form))
        .route(
            "/journal/checkins/{id}/edit",
            get(checkins::edit_page).post(checkins::edit_form),
        )
        .route(
            "/journal/checkins/{id}/delete",
            get(checkins::delete_page).post(checkins::delete_form),
        )
        .route(
            "/journal/checkins/{id}/share",
            get(share::share_form_page).post(share::share_form),
        )
        .route("/journal/reminder", post(reminder::choose_form))
        .route(
            "/journal/taper",
            get(taper::medicines_page).post(taper::add_medicine_form),
        )
        .route("/journal/taper/{id}", get(taper::medicine_page))
        .route(
            "/journal/taper/{id}/edit",
            get(taper_edit::rename_page).post(taper_edit::rename_form),
        )
        .route(
            "/journal/taper/{id}/delete",
            get(taper_edit::delete_medicine_page).post(taper_edit::delete_medicine_form),
        )
        .route(
            "/journal/taper/{id}/doses/{dose}/edit",
            get(taper_edit::edit_dose_page).post(taper_edit::edit_dose_form),
        )
        .route(
            "/journal/taper/{id}/doses/{dose}/delete",
            get(taper_edit::delete_dose_page).post(taper_edit::delete_dose_form),
        )
        .route("/journal/export", get(export::export_page))
        .route("/journal/export/{file}", get(export::download))
        .route(
            "/journal/import",
            get(import::import_page)
                .post(import::import_form)
                .layer(DefaultBodyLimit::max(import::IMPORT_BODY_MAX)),
        )
        .route("/journal/taper/{id}/doses", post(taper::add_dose_form))
        .route("/journal/charts", get(charts::charts_page))
        // What a member wrote must stay out of every cache, shared or the
        // browser's own history store.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// A check-in's fields as typed, kept when a form is refused.
#[derive(Default)]
struct CheckinForm {
    day: String,
    mood: String,
    hours_slept: String,
    symptoms: String,
    note: String,
}

impl CheckinForm {
    fn from_pairs(form: &FormPairs) -> Self {
        Self {
            day: form.get("day").to_owned(),
            mood: form.get("mood").to_owned(),
            hours_slept: form.get("hours_slept").to_owned(),
            symptoms: form.get("symptoms").to_owned(),
            note: form.get("note").to_owned(),
        }
    }

    /// The use case's input: symptoms are typed comma-separated.
    fn input(&self) -> kith_domain::journal::CheckinInput {
        kith_domain::journal::CheckinInput {
            day: self.day.clone(),
            mood: self.mood.clone(),
            hours_slept: self.hours_slept.clone(),
            symptoms: self.symptoms.split(',').map(str::to_owned).collect(),
            note: self.note.clone(),
        }
    }
}

/// One mood level as a radio button.
struct MoodChoice {
    level: u8,
    label: String,
    checked: bool,
}

fn mood_choices(m: &Messages, chosen: &str) -> Vec<MoodChoice> {
    Mood::all()
        .map(|mood| MoodChoice {
            level: mood.level(),
            label: m.t(&format!("journal.mood.{}", mood.code())).to_owned(),
            checked: chosen.trim() == mood.level().to_string(),
        })
        .collect()
}

/// The hint under the symptoms field: a few common ones, in words.
fn symptoms_hint(m: &Messages) -> String {
    let examples: Vec<String> = SUGGESTED_SYMPTOMS
        .iter()
        .take(6)
        .map(|code| m.t(&format!("journal.symptom.{code}")).to_owned())
        .collect();
    format!("{} {}", m.t("journal.symptoms_hint"), examples.join(", "))
}

/// A check-in as its page shows it; `opened` is `None` when it could not
/// be opened.
struct CheckinView {
    id: String,
    day: String,
    day_label: String,
    opened: Option<OpenedView>,
}

struct OpenedView {
    mood: String,
    sleep: Option<String>,
    symptoms: String,
    note: String,
}

fn day_label(m: &Messages, day: jiff::civil::Date) -> String {
    format!("{} {}", m.weekday(day.weekday()), day)
}

fn checkin_view(m: &Messages, entry: &CheckinEntry) -> CheckinView {
    CheckinView {
        id: entry.id.to_string(),
        day: entry.day.to_string(),
        day_label: day_label(m, entry.day),
        opened: entry.content.as_ref().ok().map(|c| OpenedView {
            mood: m.t(&format!("journal.mood.{}", c.mood.code())).to_owned(),
            sleep: c.sleep.map(|s| s.hours_text()),
            symptoms: c.symptoms.join(", "),
            note: c.note.clone(),
        }),
    }
}

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// `none`, `locked`, `recovery` or `open`.
    state: &'static str,
    recovery_saved: bool,
    opens_at_login: bool,
    /// One page of check-ins, newest first.
    checkins: Vec<CheckinView>,
    /// Where the next, older page starts (`?until=`), if there is one.
    older: Option<String>,
    /// Whether this is an older page, not the newest.
    paged: bool,
    form: CheckinForm,
    moods: Vec<MoodChoice>,
    symptoms_hint: String,
    errors: FormErrors,
    done: Option<String>,
    /// The daily reminder's form.
    reminder: reminder::ReminderForm,
}

/// The recovery code, shown once, right after the journal was started
/// or after a code was used or replaced.
#[derive(Template)]
#[template(path = "journal_code.html")]
struct CodeTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    code: String,
    /// Whether it replaces one: the page says the old one opens nothing.
    renewed: bool,
}

/// Refusals in words. The journal's own words come first: its fields
/// share names (`day`, `note`) with other forms whose limits differ.
fn refusals(errors: &[FieldError]) -> FormErrors {
    refusals_in(&["journal"], errors)
}

/// Refusals in words, from the first of `families` (`taper`, `journal`)
/// that has words for one, else the site's.
fn refusals_in(families: &[&str], errors: &[FieldError]) -> FormErrors {
    let m = messages();
    FormErrors(
        errors
            .iter()
            .map(|e| {
                let own = families
                    .iter()
                    .map(|family| format!("{family}.error.{}.{}", e.field, e.code))
                    .find(|key| m.has(key));
                let message = match &own {
                    Some(key) => m.t(key),
                    None => m.error(e.field, e.code),
                };
                FieldMessage {
                    field: e.field.to_owned(),
                    id: field_id(e.field),
                    message: message.to_owned(),
                }
            })
            .collect(),
    )
}

/// The session's raw token: the journal's key is wrapped per session.
fn session_token(user: &CurrentUser) -> Result<&str, PageError> {
    user.viewer.token().ok_or_else(|| WebError::NotFound.into())
}

/// The journal page as it stands for this session, with a form's input
/// and refusals when one was refused.
async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: CheckinForm,
    errors: FormErrors,
    done: Option<String>,
    until: Option<jiff::civil::Date>,
) -> Result<JournalTemplate, PageError> {
    let m = messages();
    let token = session_token(user)?;
    let status = journal::status(&state.app, &user.person, token).await?;
    let (state_name, recovery_saved, opens_at_login) = match status {
        Status::None => ("none", false, false),
        Status::Locked => ("locked", false, false),
        Status::NeedsRecovery => ("recovery", false, false),
        Status::Open {
            recovery_saved,
            opens_at_login,
        } => ("open", recovery_saved, opens_at_login),
    };
    let (checkins, older) = if state_name == "open" {
        let shown = journal::checkin_page(&state.app, &user.person, token, until).await?;
        (
            shown
                .entries
                .iter()
                .map(|entry| checkin_view(m, entry))
                .collect(),
            shown.older.map(|day| day.to_string()),
        )
    } else {
        (Vec::new(), None)
    };
    let reminder = if state_name == "open" {
        reminder::current(state, user).await?
    } else {
        reminder::ReminderForm::default()
    };
    let mut form = form;
    if form.day.is_empty() {
        form.day = today(state.app.now(), &user.viewer.zone()).to_string();
    }
    Ok(JournalTemplate {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        state: state_name,
        recovery_saved,
        opens_at_login,
        checkins,
        older,
        paged: until.is_some(),
        moods: mood_choices(m, &form.mood),
        form,
        symptoms_hint: symptoms_hint(m),
        errors,
        done,
        reminder,
    })
}

fn respond(status: StatusCode, page: &impl Template) -> Result<Response, PageError> {
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// `GET /journal`.
async fn journal_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let done = query
        .get("done")
        .filter(|d| {
            [
                "saved",
                "added",
                "changed",
                "deleted",
                "locked",
                "opened",
                "shared",
                "reminder_on",
                "reminder_off",
            ]
            .contains(d)
        })
        .map(|d| messages().t(&format!("journal.done.{d}")).to_owned());
    // A cursor that is not a day (a hand-edited link) shows the newest.
    let until = query.get("until").and_then(|d| d.parse().ok());
    let page = page(
        &state,
        &user,
        CheckinForm::default(),
        FormErrors::default(),
        done,
        until,
    )
    .await?;
    respond(StatusCode::OK, &page)
}

/// Counts an attempt at the member's password against the login limits:
/// each is a guess at it, as a login is. The journal's API counts its
/// attempts here too, so a client cannot guess more than a browser.
pub(crate) fn allow_attempt(
    state: &AppState,
    ip: std::net::IpAddr,
    headers: &HeaderMap,
    user: &CurrentUser,
) -> Result<(), u64> {
    let device = cookie(headers, DEVICE_COOKIE);
    state.limits.login_from(ip)?;
    state.limits.login_to(
        Some(user.person.id),
        user.person.handle.as_str(),
        device.as_deref(),
    )
}

/// A journal form refused: the page again, with the refusals.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let page = page(state, user, CheckinForm::default(), errors, None, None).await?;
    respond(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `POST /journal/start`: starts the journal after checking the password,
/// and shows its recovery code, once.
async fn start_form(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, PageError> {
    allow_attempt(&state, ip, &headers, &user).map_err(WebError::RateLimited)?;
    let token = session_token(&user)?;
    let made = journal::create(
        &state.app,
        &user.person,
        form.get("password"),
        token,
        state.app.now(),
    )
    .await;
    match made {
        Ok(code) => respond(
            StatusCode::OK,
            &CodeTemplate {
                m: messages(),
                zone_from: "none",
                nav: user.viewer.nav(),
                code: code.expose().to_string(),
                renewed: false,
            },
        ),
        Err(AppError::Invalid(errors)) => refused(&state, &user, refusals(&errors)).await,
        Err(AppError::Conflict(Conflict::JournalExists)) => {
            Ok(Redirect::to("/journal").into_response())
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /journal/recovery-saved`: the member says they saved the code.
async fn recovery_saved_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    match journal::confirm_recovery_saved(&state.app, &user.person, state.app.now()).await {
        Ok(()) => Ok(Redirect::to("/journal?done=saved").into_response()),
        // Without a journal, its page offers to start one.
        Err(AppError::Conflict(Conflict::NoJournal)) => {
            Ok(Redirect::to("/journal").into_response())
        }
        Err(err) => Err(err.into()),
    }
}

/// What an attempt to open the journal came to, as an answer.
async fn unlocked(
    state: &AppState,
    user: &CurrentUser,
    outcome: Result<Unlock, AppError>,
    refused_field: &'static str,
) -> Result<Response, PageError> {
    match outcome {
        Ok(Unlock::Opened) => Ok(Redirect::to("/journal?done=opened").into_response()),
        Ok(Unlock::Refused) => {
            let wrong = [FieldError::new(refused_field, "wrong_secret")];
            refused(state, user, refusals(&wrong)).await
        }
        Ok(Unlock::Limited(seconds)) => Err(WebError::RateLimited(seconds).into()),
        Err(AppError::Invalid(errors)) => refused(state, user, refusals(&errors)).await,
        // The page says what the journal needs now.
        Err(AppError::Conflict(
            Conflict::JournalNeedsRecovery | Conflict::NoJournal | Conflict::JournalExists,
        )) => Ok(Redirect::to("/journal").into_response()),
        Err(err) => Err(err.into()),
    }
}

/// `POST /journal/unlock`: opens the journal in this session with the
/// password.
async fn unlock_form(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, PageError> {
    let token = session_token(&user)?;
    let outcome = journal::unlock_with_password(
        &state.app,
        &user.person,
        token,
        form.get("password"),
        state.app.now(),
        || allow_attempt(&state, ip, &headers, &user),
    )
    .await;
    unlocked(&state, &user, outcome, "password").await
}

/// `POST /journal/lock`: closes the journal in this session.
async fn lock_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    journal::lock(&state.app, &user.person, session_token(&user)?).await?;
    Ok(Redirect::to("/journal?done=locked").into_response())
}
