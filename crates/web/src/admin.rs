//! Admin pages: the audit log (`/admin`, `GET /api/v1/admin/audit`) and the
//! crisis page's text per country (`/admin/safety`,
//! `PUT /api/v1/admin/safety/{country}`). Everyone else gets 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use kith_app::access::{SiteAction, authorize_on_site};
use kith_app::{AppError, moderation, safety};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::forms::{ApiJson, FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};
use crate::views::local_stamp;

/// The admin pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(audit_page))
        .route("/admin/safety", get(safety_page).post(save_safety_form))
}

struct AuditView {
    at: String,
    actor: String,
    action: String,
    target: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    rows: Vec<AuditView>,
}

async fn audit_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let rows = moderation::audit_log(&state.app, &user.person).await?;
    let zone = user.viewer.zone();
    let page = AuditTemplate {
        m: messages(),
        zone_from: "cookie",
        nav: user.viewer.nav(),
        rows: rows
            .into_iter()
            .map(|r| AuditView {
                at: local_stamp(r.at, &zone),
                actor: r.actor_handle,
                action: r.action,
                target: r.target,
                reason: r.reason,
            })
            .collect(),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

struct SafetyView {
    country: String,
    id: String,
    body: String,
    edited: bool,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "safety_admin.html")]
struct SafetyAdminTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    texts: Vec<SafetyView>,
    new_countries: Vec<crate::views::Choice>,
    new_body: String,
    new_errors: FormErrors,
    errors: FormErrors,
}

async fn render_safety(
    state: &AppState,
    user: &CurrentUser,
    refused: Option<(String, String, FormErrors)>,
) -> Result<Response, PageError> {
    authorize_on_site(Some(&user.person), SiteAction::EditSafetyText)?;
    let texts = safety::texts(&state.app).await?;
    let mut summary = FormErrors::default();
    let mut new_errors = FormErrors::default();
    let mut new_country = String::new();
    let mut new_body = String::new();
    let mut views: Vec<SafetyView> = texts
        .into_iter()
        .map(|t| SafetyView {
            id: format!("f-body-{}", t.country),
            country: t.country,
            body: t.body,
            edited: t.edited,
            errors: FormErrors::default(),
        })
        .collect();
    if let Some((country, body, mut errors)) = refused {
        match views
            .iter_mut()
            .find(|v| v.country.eq_ignore_ascii_case(country.trim()))
        {
            Some(view) => {
                errors.0.iter_mut().for_each(|e| e.id = view.id.clone());
                view.body = body;
                view.errors = errors.clone();
            }
            None => {
                new_country = country;
                new_body = body;
                errors
                    .0
                    .iter_mut()
                    .for_each(|e| e.id = format!("f-new-{}", e.field));
                new_errors = errors.clone();
            }
        }
        summary = errors;
    }
    let status = if summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SafetyAdminTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        texts: views,
        new_countries: crate::choosers::country_choices(messages(), &new_country),
        new_body,
        new_errors,
        errors: summary,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn safety_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    render_safety(&state, &user, None).await
}

async fn save_safety_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let (country, body) = (form.get("country"), form.get("body"));
    match safety::save(&state.app, &user.person, country, body, state.app.now()).await {
        Ok(()) => Ok(Redirect::to("/admin/safety").into_response()),
        Err(AppError::Invalid(errors)) => {
            render_safety(
                &state,
                &user,
                Some((country.to_owned(), body.to_owned(), FormErrors::of(&errors))),
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

/// One audit log row.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditJson {
    /// When, RFC 3339.
    pub at: String,
    /// Who (`operator` for the command line).
    pub actor: String,
    /// A stable action code such as `group.approve`.
    pub action: String,
    /// What it was done to, such as `group:quiet-river-x7k2p`.
    pub target: String,
    /// The reason given.
    pub reason: String,
}

/// The audit log, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "admin",
    responses(
        (status = 200, description = "The audit log", body = [AuditJson]),
        (status = 404, description = "Not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_audit(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<AuditJson>>, ApiError> {
    let rows = moderation::audit_log(&state.app, &user.person).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditJson {
                at: r.at.to_string(),
                actor: r.actor_handle,
                action: r.action,
                target: r.target,
                reason: r.reason,
            })
            .collect(),
    ))
}

/// A crisis page text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SafetyJson {
    /// Markdown, up to 5,000 characters.
    #[serde(default)]
    #[schema(required = true, schema_with = safety_body_schema)]
    pub body: String,
}

fn safety_body_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        1,
        kith_app::safety::BODY_MAX,
        "Markdown, 1–5,000 characters.",
    ))
}

/// Saves the crisis page's text for a country (`default` for everyone
/// else).
#[utoipa::path(
    put,
    path = "/api/v1/admin/safety/{country}",
    tag = "admin",
    params(("country" = String, Path, pattern = "^(?:[A-Za-z]{2}|[dD][eE][fF][aA][uU][lL][tT])$", description = "ISO 3166-1 alpha-2, or `default`.")),
    request_body = SafetyJson,
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "Not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_safety(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(country): Path<String>,
    ApiJson(body): ApiJson<SafetyJson>,
) -> Result<StatusCode, ApiError> {
    safety::save(
        &state.app,
        &user.person,
        &country,
        &body.body,
        state.app.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
