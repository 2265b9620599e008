//! `GET /resources/feed.atom`: the newest published resources as an Atom
//! feed (RFC 4287), the same for everyone. Every link starts with the
//! site's one address (`SiteUrl`), never the request's `Host`. Written by
//! an askama template, escaped as XML like every page is as HTML; the tests
//! read it back with an independent Atom parser.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use kith_app::resources;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::security::{PUBLIC_REVALIDATE, same_for_everyone};

/// How many resources the feed carries.
const ENTRIES: u32 = 20;

struct Entry {
    title: String,
    link: String,
    published: String,
    updated: String,
    summary: String,
    html: String,
    tags: Vec<String>,
}

#[derive(Template)]
#[template(path = "resources_feed.xml")]
struct FeedTemplate {
    m: &'static Messages,
    site: String,
    updated: String,
    entries: Vec<Entry>,
}

/// RFC 3339 in UTC, as Atom's dates are.
fn atom_time(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(super) async fn atom(State(state): State<AppState>) -> Result<Response, PageError> {
    let app = &state.app;
    let page = resources::index(app, None, None, ENTRIES).await?;
    let site = app.site_url();
    let entries: Vec<Entry> = page
        .items
        .into_iter()
        .map(|r| {
            let published = r.published_at.unwrap_or(r.updated_at);
            Entry {
                link: site.link(&format!("/resources/{}", r.slug)),
                published: atom_time(published),
                updated: atom_time(r.updated_at.max(published)),
                title: r.title,
                summary: r.summary,
                html: r.html,
                tags: r.tags,
            }
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        // An empty feed still needs a date: the Unix epoch says "never".
        .unwrap_or_else(|| atom_time(jiff::Timestamp::UNIX_EPOCH));
    let feed = FeedTemplate {
        m: messages(),
        site: site.base().to_owned(),
        updated,
        entries,
    };
    let xml = feed.render().map_err(WebError::from)?;
    Ok(same_for_everyone(
        PUBLIC_REVALIDATE,
        (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        ),
    ))
}
