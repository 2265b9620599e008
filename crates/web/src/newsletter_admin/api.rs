//! The mailing list's admin API under `/api/v1/admin/newsletter`, for an
//! admin's bearer token only: without a login 401, as everywhere in the
//! API; anyone else (an admin's cookie session too) gets 404 `not_found`. Interests, forms, counts, the CSV export (audited) and the
//! CSV import (a `text/csv` body; `?interests=` codes separated by commas,
//! `?attest=true` for the operator's attestation). A refused file is 422
//! `invalid_input` on the field `file`, with the row's code and, in its
//! detail, the line.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kith_app::access::Person;
use kith_app::newsletter_admin::{
    self as list, FormInput, FormRecord, ImportFailure, ImportRequest, InterestEdit, InterestRecord,
};
use kith_domain::newsletter_list::{FormWordsInput, ImportError};
use kith_domain::validation::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{IMPORT_BODY_MAX, csv_download, file_refusal};
use crate::AppState;
use crate::error::{ApiError, FieldProblem, Problem, WebError};
use crate::forms::ApiJson;
use crate::messages::messages;
use crate::session::{Auth, Viewer};

/// The mailing list's admin routes, with their OpenAPI descriptions.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_interests, create_interest))
        .routes(routes!(put_interest))
        .routes(routes!(get_form, put_form))
        .routes(routes!(subscriber_counts))
        .routes(routes!(export_subscribers))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import_subscribers))
                .layer(DefaultBodyLimit::max(IMPORT_BODY_MAX)),
        )
}

/// The person behind a bearer token (the capability checks they are an
/// admin); 401 without a login, 404 for a cookie session.
fn bearer(viewer: &Viewer) -> Result<&Person, ApiError> {
    match (&viewer.auth, &viewer.person) {
        (_, None) => Err(ApiError(WebError::Unauthenticated)),
        (Auth::Bearer(_), Some(person)) => Ok(person),
        _ => Err(ApiError(WebError::NotFound)),
    }
}

/// An interest.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestJson {
    /// Stable: lowercase words joined by hyphens.
    pub code: String,
    /// What people read.
    pub label: String,
    /// Its place in the list, from 1.
    pub position: i64,
    /// Offered no more.
    pub retired: bool,
}

impl From<InterestRecord> for InterestJson {
    fn from(r: InterestRecord) -> Self {
        Self {
            code: r.code,
            label: r.label,
            position: r.position,
            retired: r.retired_at.is_some(),
        }
    }
}

/// A new interest.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInterestJson {
    /// One line, 1–80 characters; its code is made from it.
    pub label: String,
}

/// A change to an interest: what is given changes, the rest stays.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InterestChangeJson {
    /// A new label (the code stays).
    #[serde(default)]
    pub label: Option<String>,
    /// A new place, from 1 (past the end: last).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub position: Option<u32>,
    /// Retire (`true`) or restore (`false`).
    #[serde(default)]
    pub retired: Option<bool>,
}

/// Every interest, retired too, in order.
#[utoipa::path(
    get,
    path = "/api/v1/admin/newsletter/interests",
    tag = "admin",
    responses(
        (status = 200, description = "The interests", body = [InterestJson]),
        (status = 404, description = "Not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_interests(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<InterestJson>>, ApiError> {
    let interests = list::interests(&state.app, bearer(&viewer)?).await?;
    Ok(Json(interests.into_iter().map(Into::into).collect()))
}

/// Adds an interest at the end of the list.
#[utoipa::path(
    post,
    path = "/api/v1/admin/newsletter/interests",
    tag = "admin",
    request_body = NewInterestJson,
    responses(
        (status = 201, description = "Added", body = InterestJson),
        (status = 404, description = "Not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The label was refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_interest(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<NewInterestJson>,
) -> Result<(StatusCode, Json<InterestJson>), ApiError> {
    let person = bearer(&viewer)?;
    let added = list::add_interest(&state.app, person, &body.label, state.app.now()).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Renames, moves, retires or restores an interest.
#[utoipa::path(
    put,
    path = "/api/v1/admin/newsletter/interests/{code}",
    tag = "admin",
    params(("code" = String, Path, description = "The interest's code.")),
    request_body = InterestChangeJson,
    responses(
        (status = 200, description = "Changed", body = InterestJson),
        (status = 404, description = "No such interest, or not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_interest(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<InterestChangeJson>,
) -> Result<Json<InterestJson>, ApiError> {
    let person = bearer(&viewer)?;
    let edit = InterestEdit {
        label: body.label,
        position: body.position,
        retired: body.retired,
    };
    let changed = list::change_interest(&state.app, person, &code, &edit, state.app.now()).await?;
    Ok(Json(changed.into()))
}

/// A signup form with the words in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormJson {
    /// `newsletter`, `home` or `resources`.
    pub placement: String,
    /// Shown where it is placed (the `newsletter` form always is).
    pub shown: bool,
    /// The slug of the resource it offers, if any.
    pub download: Option<String>,
    /// The version of the words in force.
    pub version: i64,
    /// The heading.
    pub heading: String,
    /// The introduction.
    pub intro: String,
    /// What people agree to.
    pub consent: String,
}

impl From<FormRecord> for FormJson {
    fn from(f: FormRecord) -> Self {
        Self {
            placement: f.placement.code().to_owned(),
            shown: f.shown,
            download: f.download.map(|d| d.slug),
            version: f.version,
            heading: f.words.heading,
            intro: f.words.intro,
            consent: f.words.consent,
        }
    }
}

/// A form to save: changed words become a new version.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FormBodyJson {
    /// Shown where it is placed.
    #[serde(default)]
    pub shown: bool,
    /// The slug of a published resource with a file, or none.
    #[serde(default)]
    pub download: Option<String>,
    /// One line, 1–120 characters.
    pub heading: String,
    /// Up to 1,000 characters.
    #[serde(default)]
    pub intro: String,
    /// 1–1,000 characters.
    pub consent: String,
}

/// A signup form with the words in force.
#[utoipa::path(
    get,
    path = "/api/v1/admin/newsletter/forms/{placement}",
    tag = "admin",
    params(("placement" = String, Path, pattern = "^(?:newsletter|home|resources)$", description = "Where the form is placed.")),
    responses(
        (status = 200, description = "The form", body = FormJson),
        (status = 404, description = "No such placement, or not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(placement): Path<String>,
) -> Result<Json<FormJson>, ApiError> {
    let form = list::form(&state.app, bearer(&viewer)?, &placement).await?;
    Ok(Json(form.into()))
}

/// Saves a signup form.
#[utoipa::path(
    put,
    path = "/api/v1/admin/newsletter/forms/{placement}",
    tag = "admin",
    params(("placement" = String, Path, pattern = "^(?:newsletter|home|resources)$", description = "Where the form is placed.")),
    request_body = FormBodyJson,
    responses(
        (status = 200, description = "Saved; `version` is the words' version in force", body = FormJson),
        (status = 404, description = "No such placement, or not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused (`download`: `unavailable` when not a published resource with a file)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(placement): Path<String>,
    ApiJson(body): ApiJson<FormBodyJson>,
) -> Result<Json<FormJson>, ApiError> {
    let person = bearer(&viewer)?;
    let input = FormInput {
        shown: body.shown,
        download: body.download.unwrap_or_default(),
        words: FormWordsInput {
            heading: body.heading,
            intro: body.intro,
            consent: body.consent,
        },
    };
    let saved = list::save_form(&state.app, person, &placement, &input, state.app.now()).await?;
    Ok(Json(saved.into()))
}

/// Confirmed subscribers of one interest.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestCountJson {
    /// The interest's code.
    pub code: String,
    /// Confirmed subscribers who chose it.
    pub confirmed: i64,
}

/// How many are on the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsJson {
    /// Confirmed subscribers.
    pub confirmed: i64,
    /// Addresses not confirmed yet.
    pub unconfirmed: i64,
    /// Per interest, in the list's order (retired ones too).
    pub interests: Vec<InterestCountJson>,
}

/// Subscribers in all and per interest (counts only, never addresses).
#[utoipa::path(
    get,
    path = "/api/v1/admin/newsletter/subscribers/counts",
    tag = "admin",
    responses(
        (status = 200, description = "The counts", body = CountsJson),
        (status = 404, description = "Not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn subscriber_counts(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<CountsJson>, ApiError> {
    let overview = list::overview(&state.app, bearer(&viewer)?).await?;
    let counts = overview.counts;
    Ok(Json(CountsJson {
        confirmed: counts.confirmed,
        unconfirmed: counts.unconfirmed,
        interests: overview
            .interests
            .into_iter()
            .map(|i| InterestCountJson {
                confirmed: counts.of(i.id),
                code: i.code,
            })
            .collect(),
    }))
}

/// Every confirmed subscriber as CSV (`email,first_name,interests,
/// confirmed_at,consent_source,form,form_version`; formulas defused with
/// a leading apostrophe). Writes an audit row with the count.
#[utoipa::path(
    get,
    path = "/api/v1/admin/newsletter/subscribers.csv",
    tag = "admin",
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 404, description = "Not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn export_subscribers(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, ApiError> {
    let now = state.app.now();
    let bytes = list::export_csv(&state.app, bearer(&viewer)?, now).await?;
    Ok(csv_download(bytes, &now.strftime("%Y-%m-%d").to_string()))
}

/// What an import is told beside its file.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Codes of offered interests every row gets, separated by commas
    /// (at least one).
    #[serde(default)]
    pub interests: String,
    /// `true`: the operator attests every address consented; they are
    /// added confirmed and mailed nothing.
    #[serde(default)]
    pub attest: bool,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJson {
    /// Addresses added.
    pub added: u64,
    /// Addresses on the list already (or repeated in the file).
    pub present: u64,
    /// Addresses that unsubscribed once, not added.
    pub suppressed: u64,
}

/// Imports a CSV of addresses (header `email`, optionally `first_name`
/// and `interests`), all or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/admin/newsletter/subscribers/import",
    tag = "admin",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "UTF-8 CSV, up to 100,000 rows and 16 MiB."),
    responses(
        (status = 200, description = "Imported", body = ImportJson),
        (status = 404, description = "Not an admin's bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file or the interests were refused; nothing was written", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn import_subscribers(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<axum::extract::Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let person = bearer(&viewer)?;
    let query =
        query.map_err(|_| WebError::Invalid(vec![FieldError::new("attest", "invalid_value")]))?;
    // Over the route's limit is said on `file`, as the page says it, not
    // as a bare 413.
    let Ok(body) = body else {
        return Ok(file_problem(ImportError {
            line: None,
            code: "too_large",
        }));
    };
    let interests: Vec<String> = query
        .interests
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let request = ImportRequest {
        file: &body,
        interests: &interests,
        attested: query.attest,
    };
    match list::import(&state.app, person, &request, state.app.now()).await {
        Ok(o) => Ok(Json(ImportJson {
            added: o.added,
            present: o.present,
            suppressed: o.suppressed,
        })
        .into_response()),
        Err(ImportFailure::File(refusal)) => Ok(file_problem(refusal)),
        Err(ImportFailure::App(err)) => Err(err.into()),
    }
}

/// A refused file as a problem document: 422 `invalid_input` on `file`,
/// the row's code, and the line in the detail.
fn file_problem(refusal: ImportError) -> Response {
    let m = messages();
    let problem = Problem {
        kind: "about:blank".to_owned(),
        title: m.of("problem", "invalid_input").to_owned(),
        status: 422,
        code: "invalid_input".to_owned(),
        field: Some("file".to_owned()),
        errors: vec![FieldProblem {
            field: "file".to_owned(),
            code: refusal.code.to_owned(),
            detail: file_refusal(m, refusal),
        }],
        groups: Vec::new(),
        until: None,
    };
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        serde_json::to_string(&problem).unwrap_or_default(),
    )
        .into_response()
}
