//! Stories in the JSON API: `GET /api/v1/stories` (published, newest
//! first), `GET`/`PATCH`/`DELETE /api/v1/stories/{id}`, `POST
//! /api/v1/stories` and `GET /api/v1/me/stories`. An anonymous story's
//! `author` is "anonymous member" for everyone; only its author and the
//! moderators get `written_by`. Internal ids never appear. A withdrawn
//! story is a deleted resource here: 404 on its path, for its author too.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::markdown::to_safe_html;
use kith_app::stories::{self, StoryReader, StoryView};
use kith_domain::ids::StoryId;
use kith_domain::story::{BODY_MAX, BODY_MIN, StoryInput, StoryStatus, StoryText, TITLE_MAX};
use kith_domain::validation::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::extract::IdPath;
use crate::forms::ApiJson;
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Viewer};

/// A story's text: the published one, or an edit waiting for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryTextJson {
    /// The title.
    pub title: String,
    /// The story, in Markdown.
    pub story: String,
    /// Shown as "anonymous member".
    pub anonymous: bool,
}

impl StoryTextJson {
    pub(crate) fn of(text: &StoryText) -> Self {
        Self {
            title: text.title.clone(),
            story: text.body.clone(),
            anonymous: text.anonymous,
        }
    }
}

/// A story as the asker may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryJson {
    /// Its public id.
    pub id: String,
    /// Its page.
    pub url: String,
    /// The title.
    pub title: String,
    /// The story, in Markdown.
    pub story: String,
    /// The story as sanitised HTML.
    pub story_html: String,
    /// The author's handle, or "anonymous member".
    pub author: String,
    /// Whether the author chose to be shown as "anonymous member".
    pub anonymous: bool,
    /// `pending`, `published`, `declined`, `withdrawn` or `hidden`.
    pub status: String,
    /// When it was first published, RFC 3339.
    pub published_at: Option<String>,
    /// For its author and the moderators: who wrote an anonymous story.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_by: Option<String>,
    /// For its author and the moderators: an edit waiting for review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_edit: Option<StoryTextJson>,
    /// For its author and the moderators: the note on a decline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_note: Option<String>,
    /// For its author and the moderators: the version read, which a
    /// moderator's decision may name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl StoryJson {
    pub(crate) fn of(view: &StoryView) -> Self {
        let private = view.reader != StoryReader::Public;
        let author = match (&view.author_handle, view.text.anonymous) {
            (Some(handle), false) => handle.clone(),
            _ => super::anonymous().to_owned(),
        };
        Self {
            id: view.id.to_string(),
            url: format!("/stories/{}", view.id),
            title: view.text.title.clone(),
            story: view.text.body.clone(),
            story_html: to_safe_html(&view.text.body),
            author,
            anonymous: view.text.anonymous,
            status: view.status.code().to_owned(),
            published_at: view.published_at.map(|at| at.to_string()),
            written_by: view
                .author_handle
                .clone()
                .filter(|_| private && view.text.anonymous),
            waiting_edit: view.revision.as_ref().map(StoryTextJson::of),
            review_note: view.review_note.clone(),
            version: private.then_some(view.version),
        }
    }
}

/// A page of published stories.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoriesJson {
    /// Newest first.
    pub items: Vec<StoryJson>,
    /// The next page's number, if there is one.
    pub next_page: Option<u32>,
}

fn title_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        1,
        TITLE_MAX,
        "The title; 1–120 characters.",
    ))
}

fn body_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        BODY_MIN,
        BODY_MAX,
        "The story in Markdown; 20–20,000 characters.",
    ))
}

/// A new story.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewStoryJson {
    /// The title.
    #[serde(default)]
    #[schema(required = true, schema_with = title_schema)]
    pub title: String,
    /// The story, in Markdown.
    #[serde(default)]
    #[schema(required = true, schema_with = body_schema)]
    pub story: String,
    /// Shown as "anonymous member" rather than under one's handle.
    #[serde(default)]
    pub anonymous: bool,
}

/// Changes to one's story; what is left out stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StoryPatchJson {
    /// The title.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = title_schema)]
    pub title: Option<String>,
    /// The story, in Markdown.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = body_schema)]
    pub story: Option<String>,
    /// Shown as "anonymous member".
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub anonymous: Option<bool>,
}

/// A field that is left out is `None`; one sent as `null` is refused, as
/// the document says (no field is nullable), rather than read as left out.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The story unless it is withdrawn. In the API a withdrawn story is a
/// deleted resource (`DELETE` withdraws it): its path answers 404 to
/// everyone, its author included, who still finds it in
/// `/api/v1/me/stories` and may send it for review again from its edit
/// page.
fn not_withdrawn(view: StoryView) -> Result<StoryView, WebError> {
    if view.status == StoryStatus::Withdrawn {
        Err(WebError::NotFound)
    } else {
        Ok(view)
    }
}

/// The `page` parameter: 1 when absent.
fn page_of(query: &QueryPairs) -> Result<u32, WebError> {
    match query.get("page") {
        None => Ok(1),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=stories::MAX_PAGE).contains(p))
            .ok_or_else(|| {
                WebError::InvalidFilters(vec![FieldError::new("page", "invalid_value")])
            }),
    }
}

/// The published stories, newest first, 20 a page.
#[utoipa::path(
    get,
    path = "/api/v1/stories",
    tag = "stories",
    params(("page" = Option<u32>, Query, description = "The page, from 1 to 500.", minimum = 1, maximum = 500)),
    responses(
        (status = 200, description = "A page of stories", body = StoriesJson),
        (status = 400, description = "A bad page (`invalid_filter`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_stories(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Json<StoriesJson>, ApiError> {
    let found = stories::published(&state.app, page_of(&query)?).await?;
    Ok(Json(StoriesJson {
        items: found.items.iter().map(StoryJson::of).collect(),
        next_page: found.next_page,
    }))
}

/// One story: published for everyone; otherwise only for its author and
/// the moderators.
#[utoipa::path(
    get,
    path = "/api/v1/stories/{id}",
    tag = "stories",
    params(("id" = String, Path, description = "The story's public id.")),
    responses(
        (status = 200, description = "The story", body = StoryJson),
        (status = 404, description = "No such story, or not one this person may read", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_story(
    State(state): State<AppState>,
    viewer: Viewer,
    IdPath(id): IdPath<StoryId>,
) -> Result<Json<StoryJson>, ApiError> {
    let view = stories::story(&state.app, viewer.person.as_ref(), &id).await?;
    Ok(Json(StoryJson::of(&not_withdrawn(view)?)))
}

/// Writes a story; it waits for a moderator (`status: "pending"`). Needs a
/// confirmed email.
#[utoipa::path(
    post,
    path = "/api/v1/stories",
    tag = "stories",
    request_body = NewStoryJson,
    responses(
        (status = 201, description = "Written, waiting for review", body = StoryJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email not confirmed (`email_unverified`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_story(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewStoryJson>,
) -> Result<(StatusCode, Json<StoryJson>), ApiError> {
    let app = &state.app;
    let input = StoryInput {
        title: body.title,
        body: body.story,
        anonymous: body.anonymous,
    };
    let id = stories::write_story(app, &user.person, &input, app.now()).await?;
    let view = stories::story(app, Some(&user.person), &id).await?;
    Ok((StatusCode::CREATED, Json(StoryJson::of(&view))))
}

/// Edits one's story. A published story stays up as it was while the
/// edit waits for review (`waiting_edit`); any other goes back to review.
#[utoipa::path(
    patch,
    path = "/api/v1/stories/{id}",
    tag = "stories",
    params(("id" = String, Path, description = "The story's public id.")),
    request_body = StoryPatchJson,
    responses(
        (status = 200, description = "Saved", body = StoryJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No story of this person's", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Hidden by the moderators, or changed meanwhile (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn patch_story(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
    ApiJson(patch): ApiJson<StoryPatchJson>,
) -> Result<Json<StoryJson>, ApiError> {
    let app = &state.app;
    let current = not_withdrawn(stories::own_story(app, &user.person, &id).await?)?;
    let base = current.text_to_review();
    let input = StoryInput {
        title: patch.title.unwrap_or_else(|| base.title.clone()),
        body: patch.story.unwrap_or_else(|| base.body.clone()),
        anonymous: patch.anonymous.unwrap_or(base.anonymous),
    };
    stories::edit_story(app, &user.person, &id, &input, app.now()).await?;
    let view = stories::story(app, Some(&user.person), &id).await?;
    Ok(Json(StoryJson::of(&view)))
}

/// Withdraws one's story: nobody else sees it any more, and in the API its
/// path answers 404 from then on (it stays in `/api/v1/me/stories`).
#[utoipa::path(
    delete,
    path = "/api/v1/stories/{id}",
    tag = "stories",
    params(("id" = String, Path, description = "The story's public id.")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No story of this person's, or withdrawn already", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_story(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
) -> Result<StatusCode, ApiError> {
    let app = &state.app;
    not_withdrawn(stories::own_story(app, &user.person, &id).await?)?;
    stories::withdraw_story(app, &user.person, &id, app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One's own stories in every status, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/stories",
    tag = "stories",
    responses(
        (status = 200, description = "One's stories", body = [StoryJson]),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_my_stories(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<StoryJson>>, ApiError> {
    let mine = stories::my_stories(&state.app, &user.person).await?;
    Ok(Json(mine.iter().map(StoryJson::of).collect()))
}
