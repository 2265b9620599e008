//! Bringing a journal in (`/journal/import`): a JSON export, from this
//! kith or another, uploaded as `multipart/form-data` into an empty
//! journal. The body is read here, a piece at a time, as the resource
//! forms' are: the CSRF token first ([`UploadToken`]), then the file to
//! one byte past [`IMPORT_MAX_BYTES`], never further. Each refusal of the
//! use case (`not_a_journal`, `unsupported_version`, `malformed`,
//! `invalid_entry`, `too_large`, `journal_not_empty`) is shown on the
//! file field in words, and nothing is written; a success says how many
//! entries were taken.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::journal;
use kith_app::{AppError, Conflict};
use kith_domain::validation::FieldError;

use super::{refusals, respond, session_token};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::forms::FormErrors;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav, UploadToken};

/// The largest file taken: many years of daily check-ins with long notes
/// come to a few megabytes; more is not a kith export.
pub const IMPORT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The body limit on the import route: the file and the form around it.
pub(crate) const IMPORT_BODY_MAX: usize = IMPORT_MAX_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "journal_import.html")]
struct ImportTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// Whether the journal holds entries already (an import is refused).
    has_entries: bool,
    /// After an import: how many entries were taken, in words.
    done: Option<String>,
    errors: FormErrors,
}

/// The page, or the way to `/journal` when this session cannot open it.
async fn import_template(
    state: &AppState,
    user: &CurrentUser,
    done: Option<String>,
    errors: FormErrors,
) -> Result<Result<ImportTemplate, Response>, PageError> {
    let token = session_token(user)?;
    let checkins = journal::checkins(&state.app, &user.person, token, None, None).await;
    let checkins = match checkins {
        Ok(checkins) => checkins,
        Err(AppError::Conflict(
            Conflict::NoJournal | Conflict::JournalLocked | Conflict::JournalNeedsRecovery,
        )) => return Ok(Err(Redirect::to("/journal").into_response())),
        Err(other) => return Err(other.into()),
    };
    let has_entries = !checkins.is_empty()
        || !journal::medicines(&state.app, &user.person, token)
            .await?
            .is_empty();
    Ok(Ok(ImportTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        has_entries,
        done,
        errors,
    }))
}

/// `GET /journal/import`: the upload form; after an import, how many
/// entries were taken.
pub(super) async fn import_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let done = query
        .get("taken")
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| {
            messages()
                .t("journal.import_done")
                .replace("{count}", &n.to_string())
        });
    match import_template(&state, &user, done, FormErrors::default()).await? {
        Ok(page) => respond(StatusCode::OK, &page),
        Err(to_journal) => Ok(to_journal),
    }
}

/// The uploaded file's bytes (empty when none was chosen), or `None` when
/// it is larger than [`IMPORT_MAX_BYTES`].
async fn read_file(state: &AppState, request: Request) -> Result<Option<Vec<u8>>, WebError> {
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
            tracing::warn!("refused a journal import without a valid CSRF token");
            return Err(WebError::CrossSite);
        }
    }
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(Some(Vec::new())),
            Err(_) => return Err(WebError::MalformedBody),
        };
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while bytes.len() <= IMPORT_MAX_BYTES {
            match field.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) => return Ok(Some(bytes)),
                Err(_) => return Err(WebError::MalformedBody),
            }
        }
        // Read no further: the file is too large already.
        return Ok(None);
    }
}

/// `POST /journal/import`: takes the file into the empty journal, or
/// shows the form again with the refusal on the file.
pub(super) async fn import_form(
    State(state): State<AppState>,
    user: CurrentUser,
    request: Request,
) -> Result<Response, PageError> {
    let file = read_file(&state, request).await?;
    let taken = match file {
        None => Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "too_large",
        )])),
        Some(bytes) if bytes.is_empty() => {
            Err(AppError::Invalid(vec![FieldError::new("file", "required")]))
        }
        Some(bytes) => {
            journal::import(
                &state.app,
                &user.person,
                session_token(&user)?,
                &bytes,
                &user.viewer.zone(),
                state.app.now(),
            )
            .await
        }
    };
    match taken {
        Ok(count) => Ok(Redirect::to(&format!("/journal/import?taken={count}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            match import_template(&state, &user, None, refusals(&errors)).await? {
                Ok(page) => respond(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(to_journal) => Ok(to_journal),
            }
        }
        Err(AppError::Conflict(
            Conflict::NoJournal | Conflict::JournalLocked | Conflict::JournalNeedsRecovery,
        )) => Ok(Redirect::to("/journal").into_response()),
        Err(other) => Err(other.into()),
    }
}
