//! The moderators' reports queue: each waiting report with what was
//! reported, why, by whom, and a form to decide it (an appealed one: to
//! uphold or overturn the first decision).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::AppError;
use kith_app::reports::{self, DecisionInput, ReportRecord};
use kith_domain::ids::ReportId;
use kith_domain::reports::{Action, ReportStatus, SUSPEND_MAX_DAYS, TargetKind};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav};
use crate::views::local_stamp;
use crate::views::{Choice, choices};
use kith_domain::zone::Zone;

pub(super) struct ReportView {
    id: String,
    kind_label: String,
    /// Where the target is, when it has a page.
    href: Option<String>,
    what: String,
    reason_label: String,
    details: String,
    reporter: String,
    author: String,
    made: String,
    /// The first decision and the appeal, for an appealed report.
    first: Option<(String, String, String)>,
    actions: Vec<Choice>,
    may_suspend: bool,
    note: String,
    days: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "reports_queue.html")]
struct QueueTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    reports: Vec<ReportView>,
    done: bool,
    errors: FormErrors,
    days_max: i64,
}

fn href(report: &ReportRecord) -> Option<String> {
    let name = report.target_name.as_deref()?;
    match report.kind {
        TargetKind::Group => Some(format!("/groups/{name}")),
        TargetKind::Story => Some(format!("/stories/{name}")),
        TargetKind::RoomMessage => Some(format!("/meetings/{name}/room")),
        TargetKind::Person | TargetKind::Comment => None,
    }
}

fn view(
    report: ReportRecord,
    zone: &Zone,
    refused: Option<(&FormPairs, &FormErrors)>,
) -> ReportView {
    let m = messages();
    let id = report.id.to_string();
    let appealed = report.status == ReportStatus::Appealed;
    let codes: Vec<&str> = if appealed {
        vec!["uphold", "overturn"]
    } else {
        Action::ALL
            .into_iter()
            .filter(|a| a.fits(report.kind))
            .map(Action::code)
            .collect()
    };
    let labels: Vec<(&str, &str)> = codes
        .iter()
        .map(|c| (*c, m.of("report.action", c)))
        .collect();
    let (picked, note, days, errors) = match refused {
        Some((form, errors)) => {
            // Each report's fields have ids of their own.
            let mut errors = errors.clone();
            for e in &mut errors.0 {
                e.id = format!("f-{}-{id}", e.field);
            }
            (
                form.get("action").to_owned(),
                form.get("why").to_owned(),
                form.get("suspend_days").to_owned(),
                errors,
            )
        }
        None => (
            String::new(),
            String::new(),
            String::new(),
            FormErrors::default(),
        ),
    };
    ReportView {
        kind_label: m.of("report.kind", report.kind.code()).to_owned(),
        href: href(&report),
        what: report.excerpt.clone(),
        reason_label: m.of("report.reason", report.reason.code()).to_owned(),
        details: report.details.clone(),
        reporter: report
            .reporter_handle
            .clone()
            .unwrap_or_else(|| m.t("reports.visitor").to_owned()),
        author: report.author_handle.clone().unwrap_or_default(),
        made: local_stamp(report.created_at, zone),
        first: appealed.then(|| {
            let action = report.decision.map_or("dismiss", Action::code);
            (
                m.of("report.action", action).to_owned(),
                report.decision_note.clone().unwrap_or_default(),
                report.appeal_text.clone().unwrap_or_default(),
            )
        }),
        actions: choices(labels, &[picked]),
        may_suspend: !appealed,
        note,
        days,
        errors,
        id,
    }
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    refused: Option<(&ReportId, &FormPairs, FormErrors)>,
    done: bool,
) -> Result<Response, PageError> {
    let queue = reports::queue(&state.app, &user.person).await?;
    let zone = user.viewer.zone();
    let mut all_errors = FormErrors::default();
    let reports = queue
        .into_iter()
        .map(|report| match &refused {
            Some((id, form, errors)) if **id == report.id => {
                let v = view(report, &zone, Some((form, errors)));
                all_errors = v.errors.clone();
                v
            }
            _ => view(report, &zone, None),
        })
        .collect();
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = QueueTemplate {
        m: messages(),
        zone_from: "cookie",
        nav: user.viewer.nav(),
        reports,
        done,
        errors: all_errors,
        days_max: SUSPEND_MAX_DAYS,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

pub(super) async fn queue_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Response, PageError> {
    render(&state, &user, None, query.get("decided").is_some()).await
}

pub(super) async fn decide_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<ReportId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = DecisionInput {
        action: form.get("action"),
        why: form.get("why"),
        suspend_days: form.get("suspend_days"),
    };
    match reports::decide(&state.app, &user.person, &id, &input, state.app.now()).await {
        Ok(_) => Ok(Redirect::to("/moderation/reports?decided=1").into_response()),
        Err(AppError::Invalid(errors)) => {
            render(
                &state,
                &user,
                Some((&id, &form, FormErrors::of(&errors))),
                false,
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}
