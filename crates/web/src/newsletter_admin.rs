//! The mailing list's admin pages (`/admin/newsletter…`), admins only:
//! everyone else, logged in or not, gets 404. The overview counts
//! subscribers per interest; the interests page adds, renames, moves,
//! retires and restores them; the forms page places each signup form,
//! words it (each change a new version) and chooses its download; the
//! export is a CSV download (`POST`, so no link from elsewhere can make
//! one) that writes an audit row; the import takes a CSV upload with
//! the interests every row gets and, if ticked, the operator's
//! attestation of consent ([`kith_app::newsletter_admin`]).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::AppError;
use kith_app::access::Person;
use kith_app::newsletter_admin::{
    self as list, Direction, FormInput, ImportFailure, ImportOutcome, ImportRequest, InterestEdit,
    InterestRecord,
};
use kith_domain::newsletter_list::{FormWordsInput, IMPORT_BYTES_MAX, ImportError};
use kith_domain::validation::FieldError;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::forms::{FieldMessage, FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{Nav, UploadToken, Viewer};

mod api;

pub use api::api_router;

/// The body limit on the import route: the file and the form around it.
const IMPORT_BODY_MAX: usize = IMPORT_BYTES_MAX + 64 * 1024;

/// The admin pages of the mailing list.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/newsletter", get(overview_page))
        .route(
            "/admin/newsletter/interests",
            get(interests_page).post(add_interest_form),
        )
        .route(
            "/admin/newsletter/interests/{code}",
            post(change_interest_form),
        )
        .route("/admin/newsletter/forms", get(forms_page))
        .route("/admin/newsletter/forms/{placement}", post(save_form_form))
        .route("/admin/newsletter/export", post(export_csv))
        .route(
            "/admin/newsletter/import",
            get(import_page)
                .post(import_form)
                .layer(DefaultBodyLimit::max(IMPORT_BODY_MAX)),
        )
}

/// The logged-in person, or 404 for a visitor (as for anyone else who
/// may not see these pages: the use cases answer `NotFound`).
fn person(viewer: &Viewer) -> Result<&Person, PageError> {
    viewer.person.as_ref().ok_or(PageError(WebError::NotFound))
}

fn render(status: StatusCode, page: &impl Template) -> Result<Response, PageError> {
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

struct InterestRow {
    code: String,
    label: String,
    retired: bool,
    confirmed: i64,
    first: bool,
    last: bool,
    /// The rename field's id, and its error when refused.
    id: String,
    errors: FormErrors,
}

fn rows(interests: Vec<InterestRecord>, counts: impl Fn(i64) -> i64) -> Vec<InterestRow> {
    let last = interests.len().saturating_sub(1);
    interests
        .into_iter()
        .enumerate()
        .map(|(i, r)| InterestRow {
            id: format!("f-label-{}", r.code),
            confirmed: counts(r.id),
            code: r.code,
            label: r.label,
            retired: r.retired_at.is_some(),
            first: i == 0,
            last: i == last,
            errors: FormErrors::default(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "newsletter_admin.html")]
struct OverviewTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    confirmed: i64,
    unconfirmed: i64,
    interests: Vec<InterestRow>,
}

async fn overview_page(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let overview = list::overview(&state.app, person(&viewer)?).await?;
    let counts = overview.counts;
    render(
        StatusCode::OK,
        &OverviewTemplate {
            m: messages(),
            zone_from: "none",
            nav: viewer.nav(),
            confirmed: counts.confirmed,
            unconfirmed: counts.unconfirmed,
            interests: rows(overview.interests, |id| counts.of(id)),
        },
    )
}

#[derive(Template)]
#[template(path = "newsletter_admin_interests.html")]
struct InterestsTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    interests: Vec<InterestRow>,
    new_label: String,
    new_errors: FormErrors,
    errors: FormErrors,
}

/// The interests page; `refused` is a form sent back: the interest's
/// code (`None` for the new one), what was typed and its refusals.
async fn render_interests(
    state: &AppState,
    viewer: &Viewer,
    refused: Option<(Option<String>, String, Vec<FieldError>)>,
) -> Result<Response, PageError> {
    let interests = list::interests(&state.app, person(viewer)?).await?;
    let mut page = InterestsTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        interests: rows(interests, |_| 0),
        new_label: String::new(),
        new_errors: FormErrors::default(),
        errors: FormErrors::default(),
    };
    let Some((code, typed, errors)) = refused else {
        return render(StatusCode::OK, &page);
    };
    let mut refusals = FormErrors::of(&errors);
    match page
        .interests
        .iter_mut()
        .find(|r| Some(&r.code) == code.as_ref())
    {
        Some(row) => {
            refusals.0.iter_mut().for_each(|e| e.id = row.id.clone());
            row.label = typed;
            row.errors = refusals.clone();
        }
        None => {
            page.new_label = typed;
            page.new_errors = refusals.clone();
        }
    }
    page.errors = refusals;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn interests_page(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    render_interests(&state, &viewer, None).await
}

async fn add_interest_form(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormPairs,
) -> Result<Response, PageError> {
    let label = form.get("label");
    match list::add_interest(&state.app, person(&viewer)?, label, state.app.now()).await {
        Ok(_) => Ok(Redirect::to("/admin/newsletter/interests").into_response()),
        Err(AppError::Invalid(errors)) => {
            render_interests(&state, &viewer, Some((None, label.to_owned(), errors))).await
        }
        Err(other) => Err(other.into()),
    }
}

/// One interest's buttons: `rename` (with `label`), `up`, `down`,
/// `retire`, `restore`.
async fn change_interest_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let who = person(&viewer)?;
    let now = state.app.now();
    let app = &state.app;
    let done = match form.get("action") {
        "up" => list::move_interest(app, who, &code, Direction::Up, now).await,
        "down" => list::move_interest(app, who, &code, Direction::Down, now).await,
        "retire" | "restore" => {
            let edit = InterestEdit {
                retired: Some(form.get("action") == "retire"),
                ..InterestEdit::default()
            };
            list::change_interest(app, who, &code, &edit, now).await
        }
        "rename" => {
            let edit = InterestEdit {
                label: Some(form.get("label").to_owned()),
                ..InterestEdit::default()
            };
            list::change_interest(app, who, &code, &edit, now).await
        }
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "action",
            "invalid_value",
        )])),
    };
    match done {
        Ok(_) => Ok(Redirect::to("/admin/newsletter/interests").into_response()),
        Err(AppError::Invalid(errors)) => {
            let typed = form.get("label").to_owned();
            render_interests(&state, &viewer, Some((Some(code), typed, errors))).await
        }
        Err(other) => Err(other.into()),
    }
}

struct FormView {
    placement: &'static str,
    title: &'static str,
    can_hide: bool,
    shown: bool,
    version: i64,
    heading: String,
    intro: String,
    consent: String,
    downloads: Vec<crate::views::Choice>,
    errors: FormErrors,
    heading_id: String,
    intro_id: String,
    consent_id: String,
    download_id: String,
}

#[derive(Template)]
#[template(path = "newsletter_admin_forms.html")]
struct FormsTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    forms: Vec<FormView>,
    saved: Option<String>,
    errors: FormErrors,
}

/// The forms page; `refused` is one form sent back: its placement, what
/// was typed and its refusals.
async fn render_forms(
    state: &AppState,
    viewer: &Viewer,
    saved: Option<String>,
    refused: Option<(String, FormInput, Vec<FieldError>)>,
) -> Result<Response, PageError> {
    let m = messages();
    let all = list::forms(&state.app, person(viewer)?).await?;
    let mut summary = FormErrors::default();
    let forms = all
        .forms
        .into_iter()
        .map(|f| {
            let code = f.placement.code();
            let typed = refused.as_ref().filter(|(p, _, _)| p == code);
            let mut view = FormView {
                placement: code,
                title: m.of("newsletter_admin", &format!("placement_{code}")),
                can_hide: f.placement.can_hide(),
                shown: f.shown,
                version: f.version,
                heading: f.words.heading,
                intro: f.words.intro,
                consent: f.words.consent,
                downloads: Vec::new(),
                errors: FormErrors::default(),
                heading_id: format!("f-{code}-heading"),
                intro_id: format!("f-{code}-intro"),
                consent_id: format!("f-{code}-consent"),
                download_id: format!("f-{code}-download"),
            };
            let mut chosen = f.download.map(|d| d.slug).unwrap_or_default();
            if let Some((_, input, errors)) = typed {
                view.shown = input.shown;
                view.heading.clone_from(&input.words.heading);
                view.intro.clone_from(&input.words.intro);
                view.consent.clone_from(&input.words.consent);
                chosen.clone_from(&input.download);
                view.errors = FormErrors(
                    errors
                        .iter()
                        .map(|e| FieldMessage {
                            field: e.field.to_owned(),
                            id: format!("f-{code}-{}", e.field),
                            message: m.error(e.field, e.code).to_owned(),
                        })
                        .collect(),
                );
                summary = view.errors.clone();
            }
            view.downloads = all
                .downloads
                .iter()
                .map(|d| crate::views::Choice {
                    code: d.slug.clone(),
                    label: d.title.clone(),
                    checked: d.slug == chosen,
                })
                .collect();
            view
        })
        .collect();
    let status = if summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FormsTemplate {
            m,
            zone_from: "none",
            nav: viewer.nav(),
            forms,
            saved,
            errors: summary,
        },
    )
}

async fn forms_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let m = messages();
    let saved = match (query.get("saved"), query.get("version")) {
        (Some(placement), Some(version))
            if kith_domain::newsletter_list::Placement::parse(placement).is_some()
                && version.parse::<u32>().is_ok() =>
        {
            Some(
                m.t("newsletter_admin.forms_saved")
                    .replace(
                        "{form}",
                        m.t(&format!("newsletter_admin.placement_{placement}")),
                    )
                    .replace("{version}", version),
            )
        }
        _ => None,
    };
    render_forms(&state, &viewer, saved, None).await
}

async fn save_form_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(placement): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = FormInput {
        shown: form.get("shown") == "on",
        download: form.get("download").to_owned(),
        words: FormWordsInput {
            heading: form.get("heading").to_owned(),
            intro: form.get("intro").to_owned(),
            consent: form.get("consent").to_owned(),
        },
    };
    let saved = list::save_form(
        &state.app,
        person(&viewer)?,
        &placement,
        &input,
        state.app.now(),
    )
    .await;
    match saved {
        Ok(form) => Ok(Redirect::to(&format!(
            "/admin/newsletter/forms?saved={}&version={}",
            form.placement.code(),
            form.version
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            render_forms(&state, &viewer, None, Some((placement, input, errors))).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The CSV of confirmed subscribers: never stored by a cache, named for
/// the day it was made.
pub(crate) fn csv_download(bytes: Vec<u8>, day: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"subscribers-{day}.csv\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn export_csv(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let now = state.app.now();
    let bytes = list::export_csv(&state.app, person(&viewer)?, now).await?;
    Ok(csv_download(bytes, &now.strftime("%Y-%m-%d").to_string()))
}

struct InterestChoice {
    code: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "newsletter_admin_import.html")]
struct ImportTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    interests: Vec<InterestChoice>,
    attested: bool,
    outcome: Option<ImportOutcome>,
    errors: FormErrors,
}

async fn render_import(
    state: &AppState,
    viewer: &Viewer,
    sent: Option<&ImportFields>,
    outcome: Option<ImportOutcome>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let interests = list::interests(&state.app, person(viewer)?).await?;
    let page = ImportTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        interests: interests
            .into_iter()
            .filter(|i| i.retired_at.is_none())
            .map(|i| InterestChoice {
                checked: sent.is_some_and(|s| s.interests.contains(&i.code)),
                code: i.code,
                label: i.label,
            })
            .collect(),
        attested: sent.is_some_and(|s| s.attested),
        outcome,
        errors: errors.clone(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

async fn import_page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    render_import(&state, &viewer, None, None, FormErrors::default()).await
}

/// The import form's fields as sent.
#[derive(Default)]
struct ImportFields {
    interests: Vec<String>,
    attested: bool,
    /// `None` when the file is larger than the limit.
    file: Option<Vec<u8>>,
}

/// Reads the upload a piece at a time, as the journal's import does:
/// the CSRF token first, the file to one byte past the limit, no further.
async fn read_import(state: &AppState, request: Request) -> Result<ImportFields, WebError> {
    let token = request.extensions().get::<UploadToken>().cloned();
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| WebError::MalformedBody)?;
    if let Some(UploadToken(expected)) = token {
        let sent = match multipart.next_field().await.ok().flatten() {
            Some(field) if field.name() == Some(crate::session::CSRF_FIELD) => {
                field.text().await.ok()
            }
            _ => None,
        };
        if !sent
            .is_some_and(|t| crate::session::constant_time_eq(t.as_bytes(), expected.as_bytes()))
        {
            tracing::warn!("refused a mailing list import without a valid CSRF token");
            return Err(WebError::CrossSite);
        }
    }
    let mut fields = ImportFields {
        file: Some(Vec::new()),
        ..ImportFields::default()
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| WebError::MalformedBody)?
    {
        match field.name() {
            Some("interests") => {
                let code = field.text().await.map_err(|_| WebError::MalformedBody)?;
                fields.interests.push(code);
            }
            Some("attest") => {
                let value = field.text().await.map_err(|_| WebError::MalformedBody)?;
                fields.attested = value == "on";
            }
            Some("file") => {
                let mut bytes = Vec::new();
                loop {
                    if bytes.len() > IMPORT_BYTES_MAX {
                        // Read no further: the file is too large already.
                        fields.file = None;
                        return Ok(fields);
                    }
                    match field.chunk().await {
                        Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(_) => return Err(WebError::MalformedBody),
                    }
                }
                fields.file = Some(bytes);
            }
            _ => {}
        }
    }
    Ok(fields)
}

/// The words for a refused file: its line, if one, and why.
pub(crate) fn file_refusal(m: &Messages, refusal: ImportError) -> String {
    let reason = m.of(
        "newsletter_admin",
        &format!("import_error_{}", refusal.code),
    );
    match refusal.line {
        Some(line) => m
            .t("newsletter_admin.import_error_line")
            .replace("{line}", &line.to_string())
            .replace("{reason}", reason),
        None => reason.to_owned(),
    }
}

async fn import_form(
    State(state): State<AppState>,
    viewer: Viewer,
    request: Request,
) -> Result<Response, PageError> {
    let who = person(&viewer)?.clone();
    let fields = read_import(&state, request).await?;
    let m = messages();
    let result = match &fields.file {
        None => Err(ImportFailure::File(ImportError {
            line: None,
            code: "too_large",
        })),
        Some(bytes) if bytes.is_empty() => Err(ImportFailure::App(AppError::Invalid(vec![
            FieldError::new("file", "required"),
        ]))),
        Some(bytes) => {
            let request = ImportRequest {
                file: bytes,
                interests: &fields.interests,
                attested: fields.attested,
            };
            list::import(&state.app, &who, &request, state.app.now()).await
        }
    };
    match result {
        Ok(outcome) => {
            render_import(&state, &viewer, None, Some(outcome), FormErrors::default()).await
        }
        Err(ImportFailure::File(refusal)) => {
            let errors = FormErrors(vec![FieldMessage {
                field: "file".to_owned(),
                id: "f-file".to_owned(),
                message: file_refusal(m, refusal),
            }]);
            render_import(&state, &viewer, Some(&fields), None, errors).await
        }
        Err(ImportFailure::App(AppError::Invalid(errors))) => {
            let errors = FormErrors::of(&errors);
            render_import(&state, &viewer, Some(&fields), None, errors).await
        }
        Err(ImportFailure::App(other)) => Err(other.into()),
    }
}
