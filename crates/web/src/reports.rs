//! Reports: the form anyone uses (`/report?kind=…&target=…`; a visitor
//! without an account with a guest form's spam guards and a limit per
//! network address), the moderators' queue (`/moderation/reports`), the
//! author's appeal page (`/reports/{id}/appeal`), and their JSON twins
//! (`api`, for logged-in callers). The use cases are `kith_app::reports`;
//! the queue alone names the reporter.

pub mod api;
mod queue;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use kith_app::AppError;
use kith_app::reports::{self, Target};
use kith_domain::ids::{CommentId, OccurrenceId, ReportId, Slug, StoryId};
use kith_domain::reports::{Action, Reason, ReportStatus};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::{ClientIp, IdPath};
use crate::forms::{FormErrors, FormPairs, looks_automated, wall_seconds};
use crate::messages::{Messages, messages};
use crate::pages::NoticePage;
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav, Viewer};
use crate::views::{Choice, choices};

/// The report, queue and appeal pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report", get(report_page).post(report_form))
        .route("/report/thanks", get(thanks_page))
        .route("/moderation/reports", get(queue::queue_page))
        .route(
            "/moderation/reports/{id}",
            axum::routing::post(queue::decide_form),
        )
        .route("/reports/{id}/appeal", get(appeal_page).post(appeal_form))
}

/// A target as a form or a body names it: a kind and a slug, handle,
/// public id, or for a room message `{meeting}/{number}`. `None` for
/// anything else, which answers as for nothing.
pub(crate) fn target(kind: &str, raw: &str) -> Option<Target> {
    match kind {
        "group" => Slug::parse(raw).map(Target::Group),
        "person" => Some(Target::Person(raw.to_owned())),
        "story" => StoryId::parse(raw).map(Target::Story),
        "comment" => CommentId::parse(raw).map(Target::Comment),
        "room_message" => {
            let (meeting, number) = raw.split_once('/')?;
            Some(Target::RoomMessage(
                OccurrenceId::parse(meeting)?,
                number.parse().ok()?,
            ))
        }
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    kind: String,
    target: String,
    /// What is reported, as the reporter sees it.
    what: String,
    kind_label: String,
    reasons: Vec<Choice>,
    details: String,
    errors: FormErrors,
    /// A visitor without an account: the spam guards, and no mail back.
    visitor: bool,
    /// When the form was shown (a visitor's minimum fill time).
    shown_at: i64,
}

async fn render_report(
    state: &AppState,
    viewer: &Viewer,
    form: &FormPairs,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let m = messages();
    let (kind, raw) = (form.get("kind"), form.get("target"));
    let target = target(kind, raw).ok_or(WebError::NotFound)?;
    let person = viewer.person.as_ref();
    let (what, errors) = match reports::preview(&state.app, person, &target, state.app.now()).await
    {
        Ok(what) => (what, errors),
        Err(AppError::Invalid(refused)) => (String::new(), FormErrors::of(&refused)),
        Err(err) => return Err(err.into()),
    };
    let labels: Vec<(&str, &str)> = Reason::ALL
        .into_iter()
        .map(|r| (r.code(), m.of("report.reason", r.code())))
        .collect();
    let chosen = [form.get("reason").to_owned()];
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReportTemplate {
        m,
        zone_from: "none",
        nav: viewer.nav(),
        kind: kind.to_owned(),
        target: raw.to_owned(),
        what,
        kind_label: m.of("report.kind", target.kind().code()).to_owned(),
        reasons: choices(labels, &chosen),
        details: form.get("details").to_owned(),
        errors,
        visitor: person.is_none(),
        shown_at: wall_seconds(),
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn report_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let form = FormPairs(
        ["kind", "target"]
            .into_iter()
            .map(|k| (k.to_owned(), query.get(k).unwrap_or_default().to_owned()))
            .collect(),
    );
    render_report(&state, &viewer, &form, FormErrors::default()).await
}

async fn report_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormPairs,
) -> Result<Response, PageError> {
    let target = target(form.get("kind"), form.get("target")).ok_or(WebError::NotFound)?;
    let (reason, details) = (form.get("reason"), form.get("details"));
    let now = state.app.now();
    let made = match &viewer.person {
        Some(person) => reports::report(&state.app, person, &target, reason, details, now).await,
        None => {
            // What a visitor may not see answers 404 before anything else.
            reports::preview(&state.app, None, &target, now).await?;
            state
                .limits
                .visitor_report(ip)
                .map_err(WebError::RateLimited)?;
            if looks_automated(&form) {
                // Read like success, and keep nothing.
                return Ok(Redirect::to("/report/thanks").into_response());
            }
            reports::report_as_visitor(&state.app, &target, reason, details, now).await
        }
    };
    match made {
        Ok(_) => Ok(Redirect::to("/report/thanks").into_response()),
        Err(AppError::Invalid(errors)) => {
            render_report(&state, &viewer, &form, FormErrors::of(&errors)).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn thanks_page(viewer: Viewer) -> Result<Response, PageError> {
    let m = messages();
    let text = if viewer.person.is_some() {
        "report.thanks_text"
    } else {
        "report.thanks_text_visitor"
    };
    NoticePage::new(viewer.nav(), m.t("report.thanks_title"), m.t(text))
        .link("/", m.t("nav.home"))
        .respond(StatusCode::OK)
}

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    kind_label: String,
    what: String,
    decision_label: String,
    note: String,
    until: Option<String>,
    /// Whether the form is offered (decided, not yet appealed).
    open: bool,
    /// The appeal already made, if any.
    appeal: Option<String>,
    text: String,
    sent: bool,
    errors: FormErrors,
}

async fn render_appeal(
    state: &AppState,
    user: &CurrentUser,
    id: &ReportId,
    text: &str,
    errors: FormErrors,
    sent: bool,
) -> Result<Response, PageError> {
    let m = messages();
    let report = reports::for_author(&state.app, &user.person, id).await?;
    let action = report.decision.unwrap_or(Action::Dismiss);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let zone = user.viewer.zone();
    let page = AppealTemplate {
        m,
        zone_from: "cookie",
        nav: user.viewer.nav(),
        id: id.to_string(),
        kind_label: m.of("report.kind", report.kind.code()).to_owned(),
        what: report.excerpt,
        decision_label: m.of("report.action", action.code()).to_owned(),
        note: report.decision_note.unwrap_or_default(),
        until: report
            .suspended_until
            .map(|t| crate::views::local_stamp(t, &zone)),
        open: report.status == ReportStatus::Decided && report.appealed_at.is_none(),
        appeal: report.appeal_text,
        text: text.to_owned(),
        sent,
        errors,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn appeal_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<ReportId>,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let sent = query.get("sent").is_some();
    render_appeal(&state, &user, &id, "", FormErrors::default(), sent).await
}

async fn appeal_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<ReportId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let text = form.get("appeal");
    match reports::appeal(&state.app, &user.person, &id, text, state.app.now()).await {
        Ok(()) => Ok(Redirect::to(&format!("/reports/{id}/appeal?sent=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_appeal(&state, &user, &id, text, FormErrors::of(&errors), false).await
        }
        Err(err) => Err(err.into()),
    }
}
