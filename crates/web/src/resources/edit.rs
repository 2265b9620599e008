//! Writing the library, for editors and admins: `/resources/new`,
//! `/resources/{slug}/edit` (fields, status, file) and
//! `/resources/{slug}/delete`. Everyone else gets 404, as for nothing.
//!
//! The forms are `multipart/form-data` and may carry a file up to
//! `KITH_RESOURCE_FILE_MAX_BYTES`, so their bodies are read here, a piece
//! at a time, rather than whole by the session guard: the form's first
//! field is the CSRF token ([`UploadToken`]), checked before anything else
//! is read, and the file (last) is read to one byte past the limit, never
//! further. A refused form comes back with every field kept.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::AppError;
use kith_app::access::Person;
use kith_app::resources::{self, FileEdit, FileMeta, Upload};
use kith_domain::resource::ResourceInput;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::SlugPath;
use crate::forms::FormErrors;
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav, UploadToken};

/// The longest text field read from a form with a file (the body's
/// 100,000 characters, in UTF-8, with room to spare).
const TEXT_FIELD_MAX: usize = 512 * 1024;

/// The editor's routes. Their bodies are limited while they are read
/// (see the module docs), so axum's default limit is off on these alone.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/resources/new",
            get(new_page)
                .post(create_form)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/resources/{slug}/edit",
            get(edit_page)
                .post(update_form)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/resources/{slug}/delete", post(delete_form))
}

#[derive(Template)]
#[template(path = "resource_form.html")]
struct FormTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// `None` for a new resource; else its slug as stored.
    editing: Option<String>,
    input: ResourceInput,
    file: Option<FileMeta>,
    max_size: String,
    errors: FormErrors,
}

fn render(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<String>,
    input: ResourceInput,
    file: Option<FileMeta>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let max = state.config.resource_file_max_bytes;
    #[expect(clippy::cast_precision_loss, reason = "a size shown to one decimal")]
    let max_size = format!("{:.1} MB", max as f64 / 1e6);
    let page = FormTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        editing,
        input,
        file,
        max_size,
        errors,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

fn require_editor(person: &Person) -> Result<(), PageError> {
    if resources::may_edit(Some(person)) {
        Ok(())
    } else {
        Err(WebError::NotFound.into())
    }
}

async fn new_page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    require_editor(&user.person)?;
    let input = ResourceInput {
        status: "draft".into(),
        ..ResourceInput::default()
    };
    render(&state, &user, None, input, None, FormErrors::default())
}

async fn edit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    require_editor(&user.person)?;
    let view = resources::read(&state.app, Some(&user.person), slug.as_str()).await?;
    let input = view.input();
    render(
        &state,
        &user,
        Some(view.slug),
        input,
        view.file,
        FormErrors::default(),
    )
}

/// A resource form as it arrived.
struct ResourceForm {
    input: ResourceInput,
    upload: Option<Upload>,
    remove_file: bool,
}

/// Reads the form: the token first (when the session guard left it to
/// us), then the fields, then the file up to one byte past the limit.
async fn read_form(state: &AppState, request: Request) -> Result<ResourceForm, WebError> {
    let token = request.extensions().get::<UploadToken>().cloned();
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| WebError::MalformedBody)?;
    if let Some(UploadToken(expected)) = token {
        let first = multipart.next_field().await.ok().flatten();
        let sent = match first {
            Some(field) if field.name() == Some(crate::session::CSRF_FIELD) => {
                field.text().await.ok()
            }
            _ => None,
        };
        if !sent
            .is_some_and(|t| crate::session::constant_time_eq(t.as_bytes(), expected.as_bytes()))
        {
            tracing::warn!("refused a resource form without a valid CSRF token");
            return Err(WebError::CrossSite);
        }
    }
    let max = state.config.resource_file_max_bytes;
    let mut form = ResourceForm {
        input: ResourceInput::default(),
        upload: None,
        remove_file: false,
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(WebError::MalformedBody),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            let limit = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
            while bytes.len() < limit {
                match field.chunk().await {
                    Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(_) => return Err(WebError::MalformedBody),
                }
            }
            // A form sent without choosing a file has an empty part.
            if !bytes.is_empty() || !file_name.is_empty() {
                form.upload = Some(Upload {
                    name: file_name,
                    bytes,
                    max_bytes: max,
                });
            }
            if form.upload.as_ref().is_some_and(|u| u.bytes.len() >= limit) {
                // Read no further: the file is too large already.
                break;
            }
            continue;
        }
        let mut text = Vec::new();
        while let Ok(Some(chunk)) = field.chunk().await {
            text.extend_from_slice(&chunk);
            if text.len() > TEXT_FIELD_MAX {
                return Err(WebError::MalformedBody);
            }
        }
        let text = String::from_utf8(text).map_err(|_| WebError::MalformedBody)?;
        let input = &mut form.input;
        match name.as_str() {
            "title" => input.title = text,
            "slug" => input.slug = text,
            "summary" => input.summary = text,
            "body" => input.body = text,
            "tags" => input.tags = text,
            "status" => input.status = text,
            "remove_file" => form.remove_file = text == "yes",
            _ => {}
        }
    }
    Ok(form)
}

/// The error page for a refused form, or the form again with its fields.
fn refused(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<String>,
    form: ResourceForm,
    file: Option<FileMeta>,
    err: AppError,
) -> Result<Response, PageError> {
    match err {
        AppError::Invalid(errors) => render(
            state,
            user,
            editing,
            form.input,
            file,
            FormErrors::of(&errors),
        ),
        other => Err(other.into()),
    }
}

async fn create_form(
    State(state): State<AppState>,
    user: CurrentUser,
    request: Request,
) -> Result<Response, PageError> {
    require_editor(&user.person)?;
    let form = read_form(&state, request).await?;
    let now = state.app.now();
    match resources::create(
        &state.app,
        &user.person,
        &form.input,
        form.upload.clone(),
        now,
    )
    .await
    {
        Ok(view) => Ok(Redirect::to(&format!("/resources/{}", view.slug)).into_response()),
        Err(err) => refused(&state, &user, None, form, None, err),
    }
}

async fn update_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    request: Request,
) -> Result<Response, PageError> {
    require_editor(&user.person)?;
    let current = resources::read(&state.app, Some(&user.person), slug.as_str()).await?;
    let form = read_form(&state, request).await?;
    let edit = match (&form.upload, form.remove_file) {
        (Some(upload), _) => FileEdit::Replace(upload.clone()),
        (None, true) => FileEdit::Remove,
        (None, false) => FileEdit::Keep,
    };
    let now = state.app.now();
    match resources::update(
        &state.app,
        &user.person,
        slug.as_str(),
        &form.input,
        edit,
        now,
    )
    .await
    {
        Ok(view) => Ok(Redirect::to(&format!("/resources/{}", view.slug)).into_response()),
        Err(err) => refused(&state, &user, Some(current.slug), form, current.file, err),
    }
}

async fn delete_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    resources::delete(&state.app, &user.person, slug.as_str(), state.app.now()).await?;
    Ok(Redirect::to("/resources").into_response())
}
