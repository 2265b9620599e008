//! Members' stories: the published list (`/stories`), a story's page
//! (`/stories/{id}`), writing and editing (`form`), withdrawing after
//! asking (`withdraw`), the author's own list (`/me/stories`), the JSON API
//! (`api`) and the moderators' part of `/moderation` (`review`). An
//! anonymous story reads "anonymous member" to everyone but its author and
//! the moderators; a story that is not published answers the same 404 as
//! nothing, to everyone else.

pub mod api;
mod form;
pub mod review;
mod withdraw;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use kith_app::markdown::to_safe_html;
use kith_app::stories::{self, StoryReader, StoryView};
use kith_domain::ids::StoryId;
use kith_domain::zone::Zone;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav, Viewer};
use crate::viewer::CookieZone;

/// The stories' pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stories", get(list_page))
        .route("/stories/new", get(form::new_page).post(form::new_form))
        .route("/stories/{id}", get(story_page))
        .route(
            "/stories/{id}/edit",
            get(form::edit_page).post(form::edit_form),
        )
        .route(
            "/stories/{id}/withdraw",
            get(withdraw::withdraw_page).post(withdraw::withdraw_form),
        )
        .route("/me/stories", get(my_stories_page))
        .route(
            "/moderation/stories/{id}/{decision}",
            axum::routing::post(review::decide_form),
        )
}

/// The byline every reader but the author and the moderators sees for
/// an anonymous story.
pub(crate) fn anonymous() -> &'static str {
    messages().t("stories.anonymous")
}

/// A date as the reader reads it.
fn date(at: Timestamp, zone: &Zone) -> String {
    at.to_zoned(zone.tz().clone())
        .strftime("%-d %B %Y")
        .to_string()
}

/// A story as a template shows it. No row id and no account id: those
/// stay in the app's view.
pub(crate) struct StoryCard {
    pub(crate) id: String,
    pub(crate) title: String,
    /// The handle, or "anonymous member".
    pub(crate) byline: String,
    /// For the author and moderators of an anonymous story: who wrote it.
    pub(crate) known_author: Option<String>,
    pub(crate) body_html: String,
    pub(crate) status: &'static str,
    pub(crate) date: String,
    pub(crate) revision_waits: bool,
    pub(crate) review_note: Option<String>,
}

impl StoryCard {
    pub(crate) fn of(view: &StoryView, zone: &Zone) -> Self {
        let byline = if view.text.anonymous {
            anonymous().to_owned()
        } else {
            view.author_handle
                .clone()
                .unwrap_or_else(|| anonymous().to_owned())
        };
        let known_author = view
            .author_handle
            .clone()
            .filter(|_| view.text.anonymous && view.reader != StoryReader::Public);
        Self {
            id: view.id.to_string(),
            title: view.text.title.clone(),
            byline,
            known_author,
            body_html: to_safe_html(&view.text.body),
            status: view.status.code(),
            date: date(view.published_at.unwrap_or(view.submitted_at), zone),
            revision_waits: view.revision.is_some(),
            review_note: view.review_note.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "stories.html")]
struct ListTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    stories: Vec<StoryCard>,
    page: u32,
    next_page: Option<u32>,
    signed_in: bool,
}

async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    cookie: CookieZone,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let page = match query.get("page") {
        None => 1,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=stories::MAX_PAGE).contains(p))
            .ok_or(WebError::NotFound)?,
    };
    let zone = cookie.or_utc();
    let found = stories::published(&state.app, page).await?;
    let template = ListTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        stories: found
            .items
            .iter()
            .map(|s| StoryCard::of(s, &zone))
            .collect(),
        page,
        next_page: found.next_page,
        signed_in: viewer.person.is_some(),
    };
    Ok(Html(template.render().map_err(WebError::from)?).into_response())
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    story: StoryCard,
    /// The author reads their own story: status, edit and withdraw.
    own: bool,
    /// A moderator reads it (and is told who wrote an anonymous one).
    moderator: bool,
    /// Said after an edit or a new story (`?saved=1`).
    saved: bool,
    /// The comment thread, rendered (empty while it is not published).
    comments: String,
}

async fn story_page(
    State(state): State<AppState>,
    viewer: Viewer,
    cookie: CookieZone,
    IdPath(id): IdPath<StoryId>,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let view = stories::story(&state.app, viewer.person.as_ref(), &id).await?;
    let key = kith_app::comments::SubjectKey::Story(id);
    let comments = crate::comments::section_html(&state, &viewer, &cookie, &key, &query).await?;
    let template = StoryTemplate {
        m: messages(),
        zone_from: "cookie",
        nav: viewer.nav(),
        story: StoryCard::of(&view, &cookie.or_utc()),
        own: view.reader == StoryReader::Author,
        moderator: view.reader == StoryReader::Moderator,
        saved: query.get("saved").is_some() && view.reader == StoryReader::Author,
        comments,
    };
    Ok(Html(template.render().map_err(WebError::from)?).into_response())
}

#[derive(Template)]
#[template(path = "my_stories.html")]
struct MyStoriesTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    stories: Vec<StoryCard>,
    /// Said after withdrawing one (`?withdrawn=1`).
    withdrawn: bool,
}

async fn my_stories_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let zone = cookie.or_utc();
    let mine = stories::my_stories(&state.app, &user.person).await?;
    let template = MyStoriesTemplate {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        stories: mine.iter().map(|s| StoryCard::of(s, &zone)).collect(),
        withdrawn: query.get("withdrawn").is_some(),
    };
    Ok(Html(template.render().map_err(WebError::from)?).into_response())
}
