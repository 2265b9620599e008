//! Letters to the mailing list, for admins and editors (everyone else gets
//! 404, as for nothing): `/admin/letters` lists them with their progress;
//! `/admin/letters/new` and `/admin/letters/{id}` write one (subject,
//! Markdown, audience) and show how many it would reach; `…/preview`
//! shows it as a recipient reads it; `…/test` mails it to its author;
//! `…/send` sends it now or at a time in the writer's zone; `…/cancel`
//! and `…/delete`. Pages show counts only: nobody knows who opened what.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use kith_app::AppError;
use kith_app::letters::{self, Letter, LetterInterest};
use kith_domain::letter::{Audience, LetterInput};
use kith_domain::validation::FieldError;
use kith_domain::zone::Zone;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::forms::{FieldMessage, FormErrors, FormPairs, field_id};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav};
use crate::viewer::CookieZone;

/// The writers' pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/letters", get(list_page).post(create_form))
        .route("/admin/letters/new", get(new_page))
        .route("/admin/letters/{id}", get(letter_page).post(update_form))
        .route("/admin/letters/{id}/preview", get(preview_page))
        .route("/admin/letters/{id}/test", post(test_form))
        .route("/admin/letters/{id}/send", post(send_form))
        .route("/admin/letters/{id}/cancel", post(cancel_form))
        .route("/admin/letters/{id}/delete", post(delete_form))
}

/// A letter's id from the path: a positive integer, else 404.
fn letter_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| WebError::NotFound.into())
}

/// Words for refusals: the letters' own (`letters.error.{field}.{code}`)
/// first, then the site's.
fn form_errors(errors: &[FieldError]) -> FormErrors {
    let m = messages();
    FormErrors(
        errors
            .iter()
            .map(|e| {
                let own = m.of(&format!("letters.error.{}", e.field), e.code);
                let message = if own.is_empty() {
                    m.error(e.field, e.code)
                } else {
                    own
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

/// One row of the list.
struct Row {
    id: i64,
    subject: String,
    status: &'static str,
    when: String,
    recipients: u64,
    sent: u64,
    failed: u64,
    unsubscribed: u64,
}

fn local(at: Option<Timestamp>, zone: &Zone) -> String {
    at.map(|t| {
        t.to_zoned(zone.tz().clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "letter_list.html")]
struct ListTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    rows: Vec<Row>,
    zone: String,
}

async fn list_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
) -> Result<Response, PageError> {
    let all = letters::list(&state.app, &user.person).await?;
    let zone = cookie.or_utc();
    let rows = all
        .iter()
        .map(|l| Row {
            id: l.id,
            subject: l.subject.clone(),
            status: l.status().code(),
            when: local(l.queued_at.or(l.send_at), &zone),
            recipients: l.recipients,
            sent: l.sent,
            failed: l.failed,
            unsubscribed: l.unsubscribed,
        })
        .collect();
    let page = ListTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        rows,
        zone: zone.name().to_owned(),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

/// An interest checkbox.
struct Choice {
    code: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "letter_form.html")]
struct FormTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// `None` for a new letter.
    letter: Option<LetterView>,
    /// A new letter, or one not queued yet.
    editable: bool,
    subject: String,
    body: String,
    mode: String,
    choices: Vec<Choice>,
    /// How many the audience reaches now, when counted.
    count: Option<u64>,
    errors: FormErrors,
    send_errors: FormErrors,
    notice: &'static str,
    zone: String,
    send_date: String,
    send_time: String,
}

/// What the form shows of a stored letter.
struct LetterView {
    id: i64,
    status: &'static str,
    editable: bool,
    send_at: String,
    recipients: u64,
    sent: u64,
    failed: u64,
    unsubscribed: u64,
}

impl LetterView {
    fn of(letter: &Letter, zone: &Zone) -> Self {
        let status = letter.status();
        Self {
            id: letter.id,
            status: status.code(),
            editable: status.editable(),
            send_at: local(letter.queued_at.or(letter.send_at), zone),
            recipients: letter.recipients,
            sent: letter.sent,
            failed: letter.failed,
            unsubscribed: letter.unsubscribed,
        }
    }
}

fn choices(interests: &[LetterInterest], chosen: &[String]) -> Vec<Choice> {
    interests
        .iter()
        .map(|i| Choice {
            code: i.code.clone(),
            label: i.label.clone(),
            checked: chosen.contains(&i.code),
        })
        .collect()
}

/// The form's input, as sent.
fn input_of(form: &FormPairs) -> LetterInput {
    LetterInput {
        subject: form.get("subject").to_owned(),
        body: form.get("body").to_owned(),
        mode: form.get("mode").to_owned(),
        interests: form
            .iter()
            .filter(|(k, _)| *k == "interests")
            .map(|(_, v)| v.to_owned())
            .collect(),
    }
}

/// What a render of the form needs beyond the input.
#[derive(Default)]
struct Extras {
    count: Option<u64>,
    errors: FormErrors,
    send_errors: FormErrors,
    notice: &'static str,
    send_date: String,
    send_time: String,
}

async fn render_form(
    state: &AppState,
    user: &CurrentUser,
    zone: &Zone,
    letter: Option<&Letter>,
    input: LetterInput,
    extras: Extras,
) -> Result<Response, PageError> {
    let interests = letters::interests(&state.app, &user.person).await?;
    let status = if extras.errors.is_empty() && extras.send_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mode = if input.mode == "all" { "all" } else { "any" };
    let page = FormTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        letter: letter.map(|l| LetterView::of(l, zone)),
        editable: letter.is_none_or(|l| l.status().editable()),
        choices: choices(&interests, &input.interests),
        subject: input.subject,
        body: input.body,
        mode: mode.to_owned(),
        count: extras.count,
        errors: extras.errors,
        send_errors: extras.send_errors,
        notice: extras.notice,
        zone: zone.name().to_owned(),
        send_date: extras.send_date,
        send_time: extras.send_time,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

fn stored_input(letter: &Letter) -> LetterInput {
    LetterInput {
        subject: letter.subject.clone(),
        body: letter.body.clone(),
        mode: letter.audience.mode.code().to_owned(),
        interests: letter.audience.interests.clone(),
    }
}

async fn new_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
) -> Result<Response, PageError> {
    letters::require_writer(&user.person)?;
    let input = LetterInput {
        mode: "any".into(),
        ..LetterInput::default()
    };
    render_form(
        &state,
        &user,
        &cookie.or_utc(),
        None,
        input,
        Extras::default(),
    )
    .await
}

/// The notice a redirect asked for.
fn notice(query: &QueryPairs) -> &'static str {
    match query.get("done") {
        Some("saved") => "letters.saved",
        Some("tested") => "letters.tested",
        Some("scheduled") => "letters.scheduled",
        Some("sending") => "letters.sending_now",
        Some("cancelled") => "letters.cancelled",
        _ => "",
    }
}

async fn letter_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
    query: QueryPairs,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = letter_id(&raw)?;
    let letter = letters::get(&state.app, &user.person, id).await?;
    let count = if letter.status().editable() {
        Some(letters::count_audience(&state.app, &user.person, &letter.audience).await?)
    } else {
        None
    };
    let extras = Extras {
        count,
        notice: notice(&query),
        ..Extras::default()
    };
    let input = stored_input(&letter);
    render_form(
        &state,
        &user,
        &cookie.or_utc(),
        Some(&letter),
        input,
        extras,
    )
    .await
}

/// Counts the form's audience without saving (the "Count" button).
async fn count_only(
    state: &AppState,
    user: &CurrentUser,
    input: &LetterInput,
) -> Result<(Option<u64>, FormErrors), PageError> {
    match Audience::parse(&input.mode, &input.interests) {
        Ok(audience) => Ok((
            Some(letters::count_audience(&state.app, &user.person, &audience).await?),
            FormErrors::default(),
        )),
        Err(e) => Ok((None, form_errors(&[e]))),
    }
}

async fn create_form(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
    form: FormPairs,
) -> Result<Response, PageError> {
    letters::require_writer(&user.person)?;
    let input = input_of(&form);
    let zone = cookie.or_utc();
    if form.get("action") == "count" {
        let (count, errors) = count_only(&state, &user, &input).await?;
        let extras = Extras {
            count,
            errors,
            ..Extras::default()
        };
        return render_form(&state, &user, &zone, None, input, extras).await;
    }
    match letters::create(&state.app, &user.person, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/letters/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let extras = Extras {
                errors: form_errors(&errors),
                ..Extras::default()
            };
            render_form(&state, &user, &zone, None, input, extras).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn update_form(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
    Path(raw): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let id = letter_id(&raw)?;
    let letter = letters::get(&state.app, &user.person, id).await?;
    let input = input_of(&form);
    let zone = cookie.or_utc();
    if form.get("action") == "count" {
        let (count, errors) = count_only(&state, &user, &input).await?;
        let extras = Extras {
            count,
            errors,
            ..Extras::default()
        };
        return render_form(&state, &user, &zone, Some(&letter), input, extras).await;
    }
    match letters::update(&state.app, &user.person, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/letters/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let extras = Extras {
                errors: form_errors(&errors),
                ..Extras::default()
            };
            render_form(&state, &user, &zone, Some(&letter), input, extras).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "letter_preview.html")]
struct PreviewTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: i64,
    subject: String,
    text: String,
    /// The letter's sanitised HTML (ammonia's output: no script, no
    /// style), shown in the page as the mail shows it.
    body_html: String,
    manage_url: String,
    unsubscribe_url: String,
}

async fn preview_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = letter_id(&raw)?;
    let letter = letters::get(&state.app, &user.person, id).await?;
    let preview = letters::preview(&state.app, &letter.subject, &letter.body)?;
    let page = PreviewTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        id,
        subject: letter.subject,
        text: preview.text,
        body_html: preview.body_html,
        manage_url: preview.footer.manage_url,
        unsubscribe_url: preview.footer.unsubscribe_url,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn test_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = letter_id(&raw)?;
    letters::send_test(&state.app, &user.person, id).await?;
    Ok(Redirect::to(&format!("/admin/letters/{id}?done=tested")).into_response())
}

/// A local date and time in `zone`, as the form gives them.
fn local_time(date: &str, time: &str, zone: &Zone) -> Result<Timestamp, FieldError> {
    let refused = || FieldError::new("send_at", "invalid_time");
    let date: jiff::civil::Date = date.trim().parse().map_err(|_| refused())?;
    let time: jiff::civil::Time = time.trim().parse().map_err(|_| refused())?;
    date.to_datetime(time)
        .to_zoned(zone.tz().clone())
        .map(|z| z.timestamp())
        .map_err(|_| refused())
}

async fn send_form(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
    Path(raw): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let id = letter_id(&raw)?;
    let letter = letters::get(&state.app, &user.person, id).await?;
    let zone = cookie.or_utc();
    let later = form.get("when") == "later";
    let at = if later {
        local_time(form.get("date"), form.get("time"), &zone).map(Some)
    } else {
        Ok(None)
    };
    let outcome = match at {
        Ok(at) => letters::send(&state.app, &user.person, id, at).await,
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match outcome {
        Ok(()) => {
            let done = if later { "scheduled" } else { "sending" };
            Ok(Redirect::to(&format!("/admin/letters/{id}?done={done}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let count = letters::count_audience(&state.app, &user.person, &letter.audience).await?;
            let extras = Extras {
                count: Some(count),
                send_errors: form_errors(&errors),
                send_date: form.get("date").to_owned(),
                send_time: form.get("time").to_owned(),
                ..Extras::default()
            };
            let input = stored_input(&letter);
            render_form(&state, &user, &zone, Some(&letter), input, extras).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn cancel_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = letter_id(&raw)?;
    letters::cancel(&state.app, &user.person, id).await?;
    Ok(Redirect::to(&format!("/admin/letters/{id}?done=cancelled")).into_response())
}

async fn delete_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = letter_id(&raw)?;
    letters::require_writer(&user.person)?;
    match letters::delete(&state.app, &user.person, id).await {
        // Pressed twice, or in two tabs: the draft is gone either way.
        Ok(()) | Err(AppError::NotFound) => Ok(Redirect::to("/admin/letters").into_response()),
        Err(err) => Err(err.into()),
    }
}
