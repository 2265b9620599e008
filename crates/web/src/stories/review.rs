//! The moderators' part of stories: the section of `/moderation` that
//! shows each waiting story (or edit) in full with its author's handle,
//! publishing or declining it with a note (`/moderation/stories/{id}/...`),
//! and the same under `/api/v1/moderation/stories`. Decisions are made in
//! `kith_app::stories`, which writes the audit row and mails the author.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::AppError;
use kith_app::markdown::to_safe_html;
use kith_app::stories::{self, Verdict};
use kith_domain::ids::StoryId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api::StoryJson;
use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{ApiJson, FormErrors, FormPairs};
use crate::session::CurrentUser;
use crate::views::local_stamp;

/// A waiting story as the moderation page shows it.
pub(crate) struct StoryQueueView {
    pub(crate) id: String,
    /// The text to decide on: a waiting edit, else the story.
    pub(crate) title: String,
    pub(crate) body_html: String,
    /// The author's handle: moderators always see who wrote it.
    pub(crate) handle: String,
    pub(crate) anonymous: bool,
    /// An edit of a published story (which stays up meanwhile).
    pub(crate) revision: bool,
    pub(crate) submitted: String,
    pub(crate) version: i64,
    pub(crate) note_id: String,
    pub(crate) errors: FormErrors,
}

/// What the moderator just did to a story, said back to them.
pub(crate) struct StoryDone {
    /// `published` or `declined`.
    pub(crate) kind: &'static str,
    pub(crate) id: String,
}

impl StoryDone {
    /// From `?story_published=` or `?story_declined=` with a story's id.
    pub(crate) fn from_query(query: &crate::query::QueryPairs) -> Option<Self> {
        [
            ("story_published", "published"),
            ("story_declined", "declined"),
        ]
        .into_iter()
        .find_map(|(key, kind)| {
            let id = StoryId::parse(query.get(key)?)?;
            Some(Self {
                kind,
                id: id.to_string(),
            })
        })
    }
}

/// The waiting stories for `/moderation`; a refusal keyed by a story's id
/// goes to its note field, and is answered for the page's summary too.
pub(crate) async fn queue_views(
    state: &AppState,
    user: &CurrentUser,
    refused: Option<&(&str, FormErrors)>,
) -> Result<(Vec<StoryQueueView>, FormErrors), WebError> {
    let queue = stories::queue(&state.app, &user.person).await?;
    let zone = user.viewer.zone();
    let mut summary = FormErrors::default();
    let views = queue
        .into_iter()
        .map(|story| {
            let id = story.id.to_string();
            let note_id = format!("f-review_note-{id}");
            let errors = match refused {
                Some((refused_id, e)) if *refused_id == id => {
                    let mut e = e.clone();
                    e.0.iter_mut().for_each(|m| m.id = note_id.clone());
                    summary = e.clone();
                    e
                }
                _ => FormErrors::default(),
            };
            let text = story.text_to_review();
            StoryQueueView {
                title: text.title.clone(),
                body_html: to_safe_html(&text.body),
                anonymous: text.anonymous,
                handle: story.author_handle.clone().unwrap_or_default(),
                revision: story.revision.is_some(),
                submitted: local_stamp(story.submitted_at, &zone),
                version: story.version,
                note_id,
                errors,
                id,
            }
        })
        .collect();
    Ok((views, summary))
}

/// The `{decision}` in `/moderation/stories/{id}/{decision}`.
#[derive(Deserialize)]
pub(super) struct DecisionPath {
    decision: String,
}

fn verdict(kind: &str, note: &str) -> Option<Verdict> {
    match kind {
        "publish" => Some(Verdict::Publish),
        "decline" => Some(Verdict::Decline {
            note: note.to_owned(),
        }),
        _ => None,
    }
}

pub(super) async fn decide_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
    Path(DecisionPath { decision: kind }): Path<DecisionPath>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let verdict = verdict(&kind, form.get("review_note")).ok_or(WebError::NotFound)?;
    // The version the moderator read, so an edit since is not decided
    // unread.
    let seen = form.get("version").parse::<i64>().ok();
    let app = &state.app;
    match stories::decide(app, &user.person, &id, &verdict, seen, app.now()).await {
        Ok(_) => {
            let said = if kind == "publish" {
                "story_published"
            } else {
                "story_declined"
            };
            Ok(Redirect::to(&format!("/moderation?{said}={id}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let refused = (id.as_str(), FormErrors::of(&errors));
            crate::moderation::render(&state, &user, Some(refused), None, None).await
        }
        Err(err) => Err(err.into()),
    }
}

/// Stories and edits waiting for review, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/stories",
    tag = "moderation",
    responses(
        (status = 200, description = "The queue, each with the author's handle, `version` and any `waiting_edit`", body = [StoryJson]),
        (status = 404, description = "Not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_story_queue(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<StoryJson>>, ApiError> {
    let queue = stories::queue(&state.app, &user.person).await?;
    Ok(Json(queue.iter().map(StoryJson::of).collect()))
}

fn note_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        1,
        stories::NOTE_MAX,
        "Why, in words the author can act on; 1–2,000 characters.",
    ))
}

/// Publishing: the version the moderator read, if they want it checked.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PublishStoryJson {
    /// The `version` the moderator read; if the story changed since, the
    /// decision is refused with `invalid_status`.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Declining: the note the author reads, and the version read.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeclineStoryJson {
    /// The `version` the moderator read; if the story changed since, the
    /// decision is refused with `invalid_status`.
    #[serde(default)]
    pub version: Option<i64>,
    /// Why it is declined, in words the author can act on.
    #[serde(default)]
    #[schema(required = true, schema_with = note_schema)]
    pub review_note: String,
}

async fn decide_json(
    state: &AppState,
    user: &CurrentUser,
    id: &StoryId,
    verdict: Verdict,
    version: Option<i64>,
) -> Result<Json<StoryJson>, ApiError> {
    let app = &state.app;
    stories::decide(app, &user.person, id, &verdict, version, app.now()).await?;
    let view = stories::story(app, Some(&user.person), id).await?;
    Ok(Json(StoryJson::of(&view)))
}

/// Publishes a waiting story, or makes its waiting edit the published text.
#[utoipa::path(
    post,
    path = "/api/v1/moderation/stories/{id}/publish",
    tag = "moderation",
    params(("id" = String, Path, description = "The story's public id.")),
    request_body = PublishStoryJson,
    responses(
        (status = 200, description = "Published", body = StoryJson),
        (status = 404, description = "No such story, or not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing waits, or it changed since `version` (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn publish_story(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
    ApiJson(body): ApiJson<PublishStoryJson>,
) -> Result<Json<StoryJson>, ApiError> {
    decide_json(&state, &user, &id, Verdict::Publish, body.version).await
}

/// Declines a waiting story (or its waiting edit: the published text
/// stays) with a note the author reads.
#[utoipa::path(
    post,
    path = "/api/v1/moderation/stories/{id}/decline",
    tag = "moderation",
    params(("id" = String, Path, description = "The story's public id.")),
    request_body = DeclineStoryJson,
    responses(
        (status = 200, description = "Declined", body = StoryJson),
        (status = 404, description = "No such story, or not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing waits, or it changed since `version` (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No note (`review_note`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn decline_story(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
    ApiJson(body): ApiJson<DeclineStoryJson>,
) -> Result<Json<StoryJson>, ApiError> {
    let verdict = Verdict::Decline {
        note: body.review_note,
    };
    decide_json(&state, &user, &id, verdict, body.version).await
}
