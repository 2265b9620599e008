//! Comments in JSON: a page's threads as a tree with a cursor, writing,
//! changing and deleting one's comments, and the moderators' review of
//! held ones. Guests comment through the HTML form only: the API is for
//! people with an account.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::comments::{
    self, Byline, CommentInput, CommentModeration, ShownComment, SubjectKey, ThreadPage, page_path,
    permalink,
};
use kith_domain::ids::{CommentId, StoryId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, Problem, WebError};
use crate::extract::{IdPath, SlugPath};
use crate::forms::ApiJson;
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Viewer};

/// Who wrote a comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorJson {
    /// `member`, `guest`, `story_author` (an anonymous story's author:
    /// never their handle) or `deleted`.
    pub kind: &'static str,
    /// The member's handle or the guest's name; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl AuthorJson {
    fn of(byline: &Byline) -> Self {
        let (kind, name) = match byline {
            Byline::Member(handle) => ("member", Some(handle.clone())),
            Byline::Guest(name) => ("guest", Some(name.clone())),
            Byline::StoryAuthor => ("story_author", None),
            Byline::Deleted => ("deleted", None),
        };
        Self { kind, name }
    }
}

/// One comment, with the replies under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentJson {
    /// Its id (its permalink's).
    pub id: String,
    /// The comment it answers.
    pub parent: Option<String>,
    /// Who wrote it.
    pub author: AuthorJson,
    /// `published`; its author and moderators also see `held` and
    /// `hidden`; `deleted` is a placeholder that keeps replies in place.
    pub status: String,
    /// Its text as sanitised HTML (empty once deleted).
    pub html: String,
    /// Its Markdown, for its author only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
    /// When it was written, RFC 3339.
    pub created_at: String,
    /// When its author last changed it.
    pub edited_at: Option<String>,
    /// The listed group its host pointed to (slug).
    pub group: Option<String>,
    /// The reader may still change it.
    pub may_edit: bool,
    /// Its page.
    pub url: String,
    /// The replies to it, oldest first.
    #[schema(no_recursion)]
    pub replies: Vec<CommentJson>,
}

impl CommentJson {
    fn of(shown: ShownComment) -> Self {
        let c = shown.comment;
        Self {
            url: permalink(&c.id),
            id: c.id.to_string(),
            parent: c.parent.as_ref().map(ToString::to_string),
            author: AuthorJson::of(&c.byline),
            status: c.status.code().to_owned(),
            html: c.html,
            markdown: c.markdown,
            created_at: c.created_at.to_string(),
            edited_at: c.edited_at.map(|t| t.to_string()),
            group: c.group.map(|(slug, _)| slug.to_string()),
            may_edit: c.may_edit,
            replies: Vec::new(),
        }
    }
}

/// Nests comments in reading order under the comments they answer; a
/// reply whose parent is not in the list stays at the top.
fn tree(comments: Vec<ShownComment>) -> Vec<CommentJson> {
    // Reading order is depth-first, so a comment's parent, when present,
    // is on the path from the last top comment to it.
    let mut top: Vec<CommentJson> = Vec::new();
    let mut path: Vec<CommentJson> = Vec::new();
    for shown in comments {
        let node = CommentJson::of(shown);
        while let Some(last) = path.last() {
            if node.parent.as_deref() == Some(last.id.as_str()) {
                break;
            }
            let done = path.pop().expect("a last one");
            attach(&mut top, &mut path, done);
        }
        path.push(node);
    }
    while let Some(done) = path.pop() {
        attach(&mut top, &mut path, done);
    }
    top
}

fn attach(top: &mut Vec<CommentJson>, path: &mut [CommentJson], done: CommentJson) {
    match path.last_mut() {
        Some(parent) => parent.replies.push(done),
        None => top.push(done),
    }
}

/// A page of threads under a resource or a story.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadJson {
    /// How many comments everyone may read there.
    pub count: u64,
    /// The comments on the page, each with its replies.
    pub comments: Vec<CommentJson>,
    /// The `after` cursor of the next page of threads, if any.
    pub next: Option<String>,
}

impl ThreadJson {
    fn of(page: ThreadPage) -> Self {
        Self {
            count: page.count,
            next: page.next.map(|c| c.to_string()),
            comments: tree(page.comments),
        }
    }
}

/// A new comment or reply.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewCommentJson {
    /// The text (Markdown), 1–5,000 characters.
    #[schema(schema_with = body_schema)]
    pub body: String,
    /// The comment it answers.
    pub parent: Option<String>,
    /// A listed group the author hosts, to point to (slug).
    pub group: Option<String>,
}

fn body_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        1,
        kith_domain::comment::BODY_MAX,
        "The text in Markdown; 1–5,000 characters.",
    ))
}

/// A changed comment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditCommentJson {
    /// The new text (Markdown), 1–5,000 characters.
    #[schema(schema_with = body_schema)]
    pub body: String,
}

/// A comment just written.
#[derive(Debug, Serialize, ToSchema)]
pub struct WrittenJson {
    /// Its id.
    pub id: String,
    /// Its status.
    pub status: String,
    /// Its permalink.
    pub url: String,
    /// The page it is under.
    pub page: String,
}

impl WrittenJson {
    fn of(written: comments::Written) -> Self {
        Self {
            url: permalink(&written.id),
            page: page_path(&written.key),
            id: written.id.to_string(),
            status: written.status.code().to_owned(),
        }
    }
}

fn after(query: &QueryPairs) -> Result<Option<CommentId>, ApiError> {
    match query.get("after") {
        None => Ok(None),
        Some(raw) => CommentId::parse(raw).map(Some).ok_or_else(|| {
            ApiError(WebError::InvalidFilters(vec![
                kith_domain::directory::FilterError {
                    field: "after",
                    code: "invalid_value",
                },
            ]))
        }),
    }
}

async fn list(
    state: &AppState,
    viewer: &Viewer,
    key: &SubjectKey,
    query: &QueryPairs,
) -> Result<Json<ThreadJson>, ApiError> {
    let after = after(query)?;
    let page = comments::thread(
        &state.app,
        viewer.person.as_ref(),
        key,
        after.as_ref(),
        state.app.now(),
    )
    .await?;
    Ok(Json(ThreadJson::of(page)))
}

fn parse_parent(raw: Option<&str>) -> Result<Option<CommentId>, ApiError> {
    match raw.filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => CommentId::parse(raw)
            .map(Some)
            .ok_or(ApiError(WebError::NotFound)),
    }
}

async fn create(
    state: &AppState,
    user: &CurrentUser,
    key: &SubjectKey,
    body: NewCommentJson,
) -> Result<(StatusCode, Json<WrittenJson>), ApiError> {
    let input = CommentInput {
        body: body.body,
        parent: parse_parent(body.parent.as_deref())?,
        group: body.group,
    };
    let written = comments::post(&state.app, &user.person, key, &input, state.app.now()).await?;
    Ok((StatusCode::CREATED, Json(WrittenJson::of(written))))
}

/// The comments under a resource, as a tree, a page of threads at a time.
#[utoipa::path(
    get,
    path = "/api/v1/resources/{slug}/comments",
    tag = "community",
    params(
        ("slug" = String, Path, description = "The resource's slug."),
        ("after" = Option<String>, Query, pattern = "^[0-9a-f]{32}$", description = "The `next` cursor of the page before."),
    ),
    responses(
        (status = 200, description = "A page of threads", body = ThreadJson),
        (status = 400, description = "A malformed cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No resource this reader may see", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn resource_comments(
    State(state): State<AppState>,
    viewer: Viewer,
    SlugPath(slug): SlugPath,
    query: QueryPairs,
) -> Result<Json<ThreadJson>, ApiError> {
    list(&state, &viewer, &SubjectKey::Resource(slug), &query).await
}

/// Comments on a resource, or answers a comment there.
#[utoipa::path(
    post,
    path = "/api/v1/resources/{slug}/comments",
    tag = "community",
    params(("slug" = String, Path, description = "The resource's slug.")),
    request_body = NewCommentJson,
    responses(
        (status = 201, description = "Published", body = WrittenJson),
        (status = 404, description = "No resource (or comment answered) this person may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_unverified`, `reply_unavailable` or `too_deep`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`body` empty or too long, or `group` not a listed group the person hosts", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many comments this hour", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn comment_on_resource(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<NewCommentJson>,
) -> Result<(StatusCode, Json<WrittenJson>), ApiError> {
    create(&state, &user, &SubjectKey::Resource(slug), body).await
}

/// The comments under a story, as a tree, a page of threads at a time.
#[utoipa::path(
    get,
    path = "/api/v1/stories/{id}/comments",
    tag = "community",
    params(
        ("id" = String, Path, description = "The story's id."),
        ("after" = Option<String>, Query, pattern = "^[0-9a-f]{32}$", description = "The `next` cursor of the page before."),
    ),
    responses(
        (status = 200, description = "A page of threads", body = ThreadJson),
        (status = 400, description = "A malformed cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No story this reader may see", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn story_comments(
    State(state): State<AppState>,
    viewer: Viewer,
    IdPath(id): IdPath<StoryId>,
    query: QueryPairs,
) -> Result<Json<ThreadJson>, ApiError> {
    list(&state, &viewer, &SubjectKey::Story(id), &query).await
}

/// Comments on a story, or answers a comment there.
#[utoipa::path(
    post,
    path = "/api/v1/stories/{id}/comments",
    tag = "community",
    params(("id" = String, Path, description = "The story's id.")),
    request_body = NewCommentJson,
    responses(
        (status = 201, description = "Published", body = WrittenJson),
        (status = 404, description = "No story (or comment answered) this person may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_unverified`, `reply_unavailable` or `too_deep`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`body` empty or too long, or `group` not a listed group the person hosts", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many comments this hour", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn comment_on_story(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
    ApiJson(body): ApiJson<NewCommentJson>,
) -> Result<(StatusCode, Json<WrittenJson>), ApiError> {
    create(&state, &user, &SubjectKey::Story(id), body).await
}

/// A comment's whole thread, from the comment on the page it starts at.
#[utoipa::path(
    get,
    path = "/api/v1/comments/{id}",
    tag = "community",
    params(("id" = String, Path, description = "The comment's id.")),
    responses(
        (status = 200, description = "The thread it is in", body = ThreadJson),
        (status = 404, description = "No comment this reader may see", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    IdPath(id): IdPath<CommentId>,
) -> Result<Json<ThreadJson>, ApiError> {
    let thread =
        comments::comment_in_thread(&state.app, viewer.person.as_ref(), &id, state.app.now())
            .await?;
    Ok(Json(ThreadJson {
        count: thread.comments.len() as u64,
        comments: tree(thread.comments),
        next: None,
    }))
}

/// Changes one's comment, within an hour of writing it.
#[utoipa::path(
    patch,
    path = "/api/v1/comments/{id}",
    tag = "community",
    params(("id" = String, Path, description = "The comment's id.")),
    request_body = EditCommentJson,
    responses(
        (status = 200, description = "Changed", body = WrittenJson),
        (status = 404, description = "No comment of this person's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`edit_window_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`body` empty or too long", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn edit_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
    ApiJson(body): ApiJson<EditCommentJson>,
) -> Result<Json<WrittenJson>, ApiError> {
    let written =
        comments::edit(&state.app, &user.person, &id, &body.body, state.app.now()).await?;
    Ok(Json(WrittenJson::of(written)))
}

/// Deletes one's comment; a placeholder stays while replies hang on it.
#[utoipa::path(
    delete,
    path = "/api/v1/comments/{id}",
    tag = "community",
    params(("id" = String, Path, description = "The comment's id.")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No comment of this person's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
) -> Result<StatusCode, ApiError> {
    comments::delete(&state.app, &user.person, &id, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A held comment, for moderators.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldJson {
    /// Its id.
    pub id: String,
    /// Who wrote it: a handle, or a guest's name.
    pub author: String,
    /// Its text as sanitised HTML.
    pub html: String,
    /// The page it is under.
    pub page: String,
    /// When it was written, RFC 3339.
    pub created_at: String,
}

/// Comments waiting for a moderator, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/comments",
    tag = "moderation",
    responses(
        (status = 200, description = "Held comments", body = Vec<HeldJson>),
        (status = 404, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn held_comments(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<HeldJson>>, ApiError> {
    let held = comments::held(&state.app, &user.person).await?;
    let m = crate::messages::messages();
    Ok(Json(
        held.into_iter()
            .map(|h| HeldJson {
                id: h.comment.id.to_string(),
                author: super::view::author_name(m, &h.comment.author),
                page: page_path(&h.comment.subject_key),
                created_at: h.comment.created_at.to_string(),
                html: h.html,
            })
            .collect(),
    ))
}

/// Publishes a held comment, or hides or shows one.
#[utoipa::path(
    post,
    path = "/api/v1/moderation/comments/{id}/{decision}",
    tag = "moderation",
    params(
        ("id" = String, Path, description = "The comment's id."),
        ("decision" = String, Path, description = "`publish`, `hide` or `show`."),
    ),
    responses(
        (status = 204, description = "Decided"),
        (status = 404, description = "Not a moderator, or no such comment or decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_status`: its status does not allow this (or changed meanwhile)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn moderate_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, decision)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = CommentId::parse(&id).ok_or(ApiError(WebError::NotFound))?;
    let decision = CommentModeration::parse(&decision).ok_or(ApiError(WebError::NotFound))?;
    comments::moderate(&state.app, &user.person, &id, decision, state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
