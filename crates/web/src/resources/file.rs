//! `GET /resources/{slug}/file`: the resource's PDF or EPUB as an
//! attachment, with its type, a `Content-Disposition` that carries any
//! name (RFC 6266 with RFC 5987's `filename*`), `nosniff`, and its SHA-256
//! as the entity tag. A published resource's file is the same for
//! everyone; a draft's is the editors' alone, and private.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kith_app::resources;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::AppState;
use crate::error::PageError;
use crate::extract::SlugPath;
use crate::security::{PUBLIC_REVALIDATE, same_for_everyone};
use crate::session::Viewer;

/// What RFC 5987 lets stand unencoded in `filename*` (its `attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment` with an ASCII `filename` for old clients and the exact
/// name, UTF-8 and percent-encoded, in `filename*`.
pub(crate) fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

pub(super) async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    SlugPath(slug): SlugPath,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let file = resources::file(&state.app, viewer.person.as_ref(), slug.as_str()).await?;
    let etag = format!("\"{}\"", file.meta.sha256);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        file.data.into_response()
    };
    let set = |response: &mut Response, name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(name, value);
        }
    };
    set(&mut response, header::ETAG, &etag);
    set(&mut response, header::CONTENT_TYPE, &file.meta.content_type);
    set(
        &mut response,
        header::CONTENT_DISPOSITION,
        &content_disposition(&file.meta.name),
    );
    set(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    Ok(if file.published {
        same_for_everyone(PUBLIC_REVALIDATE, response)
    } else {
        response
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_name_reaches_the_reader_and_an_ascii_one_stands_beside_it() {
        assert_eq!(
            content_disposition("Freedom From Psych Drugs.pdf"),
            "attachment; filename=\"Freedom From Psych Drugs.pdf\"; \
             filename*=UTF-8''Freedom%20From%20Psych%20Drugs.pdf"
        );
        assert_eq!(
            content_disposition("Über \"uns\" 100%.epub"),
            "attachment; filename=\"_ber _uns_ 100_.epub\"; \
             filename*=UTF-8''%C3%9Cber%20%22uns%22%20100%25.epub"
        );
    }
}
