//! Taking the journal away (`/journal/export…`): a page saying what each
//! file holds and that the files are not sealed, and the downloads — the
//! whole journal as JSON (what `/journal/import` takes back) and a CSV
//! file per kind. Downloads are plain `GET`s: same-site links, answered
//! `no-store` by the journal router, and only from a session that has the
//! journal open; a locked one is sent to `/journal` to open it first, and
//! gets no data.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::journal::{self, JournalExport, Sheet};
use kith_app::{AppError, Conflict};
use kith_domain::journal::today;

use super::{respond, session_token};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// The export, or the way to `/journal` when this session cannot open it.
async fn opened(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Result<JournalExport, Response>, PageError> {
    let made = journal::export(
        &state.app,
        &user.person,
        session_token(user)?,
        state.app.now(),
    )
    .await;
    match made {
        Ok(export) => Ok(Ok(export)),
        Err(AppError::Conflict(
            Conflict::NoJournal | Conflict::JournalLocked | Conflict::JournalNeedsRecovery,
        )) => Ok(Err(Redirect::to("/journal").into_response())),
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "journal_export.html")]
struct ExportTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    checkins: usize,
    medicines: usize,
    doses: usize,
    /// Entries that could not be opened and are left out, all kinds.
    unopened: usize,
}

/// `GET /journal/export`: what is in each file, the warning, and the
/// download links, with how many entries the files hold.
pub(super) async fn export_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let export = match opened(&state, &user).await? {
        Ok(export) => export,
        Err(to_journal) => return Ok(to_journal),
    };
    let left_out = &export.could_not_open;
    respond(
        StatusCode::OK,
        &ExportTemplate {
            m: messages(),
            zone_from: "none",
            nav: user.viewer.nav(),
            checkins: export.checkins.len(),
            medicines: export.medicines.len(),
            doses: export.medicines.iter().map(|m| m.doses.len()).sum(),
            unopened: left_out.checkins + left_out.medicines + left_out.doses,
        },
    )
}

/// `GET /journal/export/{file}`: `journal.json`, `checkins.csv`,
/// `medicines.csv` or `doses.csv`, as an attachment named with today's
/// date in the reader's zone.
pub(super) async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let (stem, kind) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let sheet = match (stem, kind) {
        ("journal", "json") => None,
        (name, "csv") => Some(Sheet::parse(name).ok_or(WebError::NotFound)?),
        _ => return Err(WebError::NotFound.into()),
    };
    let export = match opened(&state, &user).await? {
        Ok(export) => export,
        Err(to_journal) => return Ok(to_journal),
    };
    let (body, content_type) = match sheet {
        None => (
            serde_json::to_vec_pretty(&export)
                .map_err(|_| WebError::from(AppError::internal("an export did not serialize")))?,
            "application/json",
        ),
        Some(sheet) => {
            // A byte order mark, so spreadsheets read the notes as UTF-8.
            let mut body = b"\xEF\xBB\xBF".to_vec();
            body.extend(journal::sheet(&export, sheet)?);
            (body, "text/csv; charset=utf-8")
        }
    };
    let day = today(state.app.now(), &user.viewer.zone());
    let name = format!("kith-{stem}-{day}.{kind}");
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|_| WebError::from(AppError::internal("a file name was not a header")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
