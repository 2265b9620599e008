//! The resource library's pages: `/resources` (published, newest first,
//! `?tag=`, `?cursor=`), `/resources/{slug}`, its file at
//! `/resources/{slug}/file`, and the Atom feed `/resources/feed.atom`.
//! A draft answers 404 to all but editors and admins, as nothing would.
//! Writing is in [`edit`], the JSON API in [`api`], the admin's editor
//! list in [`editors`].

pub mod api;
pub mod edit;
pub mod editors;
mod feed;
mod file;

pub(crate) use file::content_disposition;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kith_app::resources::{self, ResourceView};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::SlugPath;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{Nav, Viewer};
use crate::viewer::CookieZone;

/// How many resources one page of the index shows.
const PAGE_SIZE: u32 = 20;

/// The library's routes, writing and the admin's editor list included.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources", get(index_page))
        .route("/resources/feed.atom", get(feed::atom))
        .route("/resources/{slug}", get(resource_page))
        .route("/resources/{slug}/file", get(file::download))
        .merge(edit::router())
        .merge(editors::router())
}

/// A resource in a list or on its page, worded for the reader.
pub(crate) struct ResourceCard {
    pub(crate) view: ResourceView,
    /// The date it was published, `YYYY-MM-DD`, or empty for a draft.
    pub(crate) published: String,
    /// Its file's size, in words ("1.2 MB").
    pub(crate) file_size: String,
}

impl ResourceCard {
    pub(crate) fn of(view: ResourceView) -> Self {
        Self {
            published: view
                .published_at
                .map(|at| at.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            file_size: view
                .file
                .as_ref()
                .map(|f| size_words(f.size))
                .unwrap_or_default(),
            view,
        }
    }
}

/// A size as people read it: bytes, KB or MB (powers of 1000, as file
/// managers show them).
fn size_words(bytes: i64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a size shown to one decimal")]
    let b = bytes as f64;
    if bytes < 1_000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{:.0} KB", b / 1e3)
    } else {
        format!("{:.1} MB", b / 1e6)
    }
}

#[derive(Template)]
#[template(path = "resources.html")]
struct IndexTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    items: Vec<ResourceCard>,
    drafts: Vec<ResourceCard>,
    tag: String,
    editor: bool,
    next: Option<String>,
}

async fn index_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let tag = query.get("tag").unwrap_or_default();
    let page = resources::index(&state.app, Some(tag), query.get("cursor"), PAGE_SIZE)
        .await
        // A tag or cursor no resource could have lists nothing.
        .map_err(|e| match e {
            kith_app::AppError::Invalid(_) => WebError::NotFound,
            other => other.into(),
        })?;
    let editor = resources::may_edit(viewer.person.as_ref());
    let drafts = match (&viewer.person, editor) {
        (Some(person), true) => resources::drafts(&state.app, person).await?,
        _ => Vec::new(),
    };
    let next = page.next_cursor.map(|cursor| {
        let mut pairs = vec![("cursor", cursor)];
        if !tag.is_empty() {
            pairs.insert(0, ("tag", tag.to_owned()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    });
    let page = IndexTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        items: page.items.into_iter().map(ResourceCard::of).collect(),
        drafts: drafts.into_iter().map(ResourceCard::of).collect(),
        tag: tag.trim().to_owned(),
        editor,
        next,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

#[derive(Template)]
#[template(path = "resource.html")]
struct ResourceTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    card: ResourceCard,
    editor: bool,
    /// The comment thread, rendered (empty for a draft).
    comments: String,
    /// The mailing list's signup form, when an admin placed it beside
    /// resources.
    newsletter: String,
}

async fn resource_page(
    State(state): State<AppState>,
    viewer: Viewer,
    cookie: CookieZone,
    query: QueryPairs,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    let view = resources::read(&state.app, viewer.person.as_ref(), slug.as_str()).await?;
    let key = kith_app::comments::SubjectKey::Resource(slug);
    let comments = crate::comments::section_html(&state, &viewer, &cookie, &key, &query).await?;
    let page = ResourceTemplate {
        m: messages(),
        zone_from: "cookie",
        nav: viewer.nav(),
        card: ResourceCard::of(view),
        editor: resources::may_edit(viewer.person.as_ref()),
        comments,
        newsletter: crate::newsletter::placed_form_html(&state, &viewer, "resources").await,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(size_words(999), "999 B");
        assert_eq!(size_words(48_213), "48 KB");
        assert_eq!(size_words(20_971_520), "21.0 MB");
    }
}
