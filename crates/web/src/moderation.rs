//! The moderators' review queue and change log: `/moderation` (HTML) and
//! `/api/v1/moderation/...` (JSON). Decisions are made in
//! `kith_app::moderation`, which writes the audit row; unlisting has a page
//! of its own (`unlist`). Members' stories have a section of the page,
//! built and decided in `crate::stories::review`.

mod unlist;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kith_app::AppError;
use kith_app::markdown::to_safe_html;
use kith_app::moderation::{self, Decision};
use kith_domain::ids::Slug;
use kith_domain::text_diff::{Change, sentence_diff};
use kith_domain::zone::Zone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::extract::SlugPath;
use crate::forms::{ApiJson, FormErrors, FormPairs};
use crate::hosting::api::ListingJson;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav};
use crate::stories::review::{StoryDone, StoryQueueView};
use crate::views::local_stamp;

/// The moderation pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/moderation", get(moderation_page))
        .route(
            "/moderation/groups/{slug}/unlist",
            get(unlist::unlist_page).post(unlist::unlist_form),
        )
        .route("/moderation/groups/{slug}/{decision}", post(decide_form))
        .route(
            "/moderation/claims/{id}/{decision}",
            post(decide_claim_form),
        )
}

struct QueueView {
    slug: String,
    name: String,
    /// The listing as readers will see it, to read before approving.
    description_html: String,
    agreements_html: String,
    submitted: String,
    hosts: String,
    reason_id: String,
    errors: FormErrors,
}

struct ClaimView {
    id: i64,
    slug: String,
    name: String,
    handle: String,
    message: String,
    at: String,
}

struct ChangeView {
    slug: String,
    name: String,
    handle: String,
    at: String,
    /// Each changed field, compared sentence by sentence.
    fields: Vec<(String, Vec<ComparedParagraph>)>,
}

/// A paragraph of a comparison: (`same`, `removed` or `added`, sentence).
type ComparedParagraph = Vec<(&'static str, String)>;

fn compared(before: &str, after: &str) -> Vec<ComparedParagraph> {
    sentence_diff(before, after)
        .into_iter()
        .map(|paragraph| {
            paragraph
                .into_iter()
                .map(|piece| {
                    let kind = match piece.change {
                        Change::Same => "same",
                        Change::Removed => "removed",
                        Change::Added => "added",
                    };
                    (kind, piece.text)
                })
                .collect()
        })
        .collect()
}

/// What the moderator just did, said back to them.
pub(crate) struct DoneView {
    /// `approved` or `declined`.
    kind: &'static str,
    slug: String,
    name: String,
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct ModerationTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    queue: Vec<QueueView>,
    claims: Vec<ClaimView>,
    changes: Vec<ChangeView>,
    done: Option<DoneView>,
    errors: FormErrors,
    /// Members' stories waiting for review (`stories::review`).
    stories: Vec<StoryQueueView>,
    story_done: Option<StoryDone>,
}

/// The page; `refused` names a listing's slug or a story's id with the
/// refusal of its reason or note.
pub(crate) async fn render(
    state: &AppState,
    user: &CurrentUser,
    refused: Option<(&str, FormErrors)>,
    done: Option<DoneView>,
    story_done: Option<StoryDone>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let zone = user.viewer.zone();
    let queue = moderation::queue(app, &user.person).await?;
    let changes = moderation::changes(app, &user.person).await?;
    let claims = kith_app::claims::queue(app, &user.person)
        .await?
        .into_iter()
        .map(|c| ClaimView {
            id: c.id,
            slug: c.slug.to_string(),
            name: c.name,
            handle: c.handle,
            message: c.message,
            at: local_stamp(c.created_at, &zone),
        })
        .collect();
    let mut errors = FormErrors::default();
    let queue = queue
        .into_iter()
        .map(|item| {
            let slug = item.slug.to_string();
            // One reason field per listing: each needs its own id.
            let reason_id = format!("f-reason-{slug}");
            let item_errors = match &refused {
                Some((refused_slug, e)) if *refused_slug == slug => {
                    let mut e = e.clone();
                    e.0.iter_mut().for_each(|m| m.id = reason_id.clone());
                    errors = e.clone();
                    e
                }
                _ => FormErrors::default(),
            };
            QueueView {
                name: item.name,
                description_html: to_safe_html(&item.description),
                agreements_html: to_safe_html(&item.agreements),
                submitted: local_stamp(item.submitted_at, &zone),
                hosts: item.hosts.join(", "),
                errors: item_errors,
                reason_id,
                slug,
            }
        })
        .collect();
    let changes = changes
        .into_iter()
        .map(|c| {
            let parsed: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&c.changes).unwrap_or_default();
            ChangeView {
                slug: c.slug.to_string(),
                name: c.name,
                handle: c.handle.unwrap_or_default(),
                at: local_stamp(c.changed_at, &zone),
                fields: parsed
                    .into_iter()
                    .map(|(field, v)| {
                        let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
                        (field, compared(&text("before"), &text("after")))
                    })
                    .collect(),
            }
        })
        .collect();
    let (stories, story_errors) =
        crate::stories::review::queue_views(state, user, refused.as_ref()).await?;
    if !story_errors.is_empty() {
        errors = story_errors;
    }
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ModerationTemplate {
        m: messages(),
        zone_from: "cookie",
        nav: user.viewer.nav(),
        queue,
        claims,
        changes,
        done,
        errors,
        stories,
        story_done,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// The queue; after a decision (`?approved=` or `?declined=` a slug), a
/// line saying what happened to which group.
async fn moderation_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let decided = [("approved", "approved"), ("declined", "declined")]
        .into_iter()
        .find_map(|(key, kind)| Some((kind, Slug::parse(query.get(key)?)?)));
    let done = match decided {
        Some((kind, slug)) => kith_app::groups::group_page(
            &state.app,
            Some(&user.person),
            &slug,
            &Zone::utc(),
            state.app.now(),
        )
        .await
        .ok()
        .map(|group| DoneView {
            kind,
            slug: slug.to_string(),
            name: group.profile.name,
        }),
        None => None,
    };
    let story_done = StoryDone::from_query(&query);
    render(&state, &user, None, done, story_done).await
}

fn decision(kind: &str, reason: &str) -> Option<Decision> {
    match kind {
        "approve" => Some(Decision::Approve),
        "reject" => Some(Decision::Reject {
            reason: reason.to_owned(),
        }),
        _ => None,
    }
}

/// The `{decision}` in `/moderation/groups/{slug}/{decision}`, beside the
/// slug.
#[derive(serde::Deserialize)]
struct DecisionPath {
    decision: String,
}

async fn decide_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    Path(DecisionPath { decision: kind }): Path<DecisionPath>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let decision = decision(&kind, form.get("reason")).ok_or(WebError::NotFound)?;
    match moderation::decide(&state.app, &user.person, &slug, &decision, state.app.now()).await {
        Ok(_) => {
            // Approving mails the hosts.
            let said = if kind == "approve" {
                "approved"
            } else {
                "declined"
            };
            Ok(Redirect::to(&format!("/moderation?{said}={slug}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render(
                &state,
                &user,
                Some((slug.as_str(), FormErrors::of(&errors))),
                None,
                None,
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

async fn decide_claim_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError(WebError::NotFound))?;
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(PageError(WebError::NotFound)),
    };
    kith_app::claims::decide(&state.app, &user.person, id, approve, state.app.now()).await?;
    Ok(Redirect::to("/moderation").into_response())
}

/// A listing waiting for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemJson {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// When it was submitted, RFC 3339.
    pub submitted_at: String,
    /// Its hosts' handles.
    pub hosts: Vec<String>,
}

/// Pending listings, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/queue",
    tag = "moderation",
    responses(
        (status = 200, description = "The queue", body = [QueueItemJson]),
        (status = 404, description = "Not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_queue(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<QueueItemJson>>, ApiError> {
    let queue = moderation::queue(&state.app, &user.person).await?;
    Ok(Json(
        queue
            .into_iter()
            .map(|i| QueueItemJson {
                slug: i.slug.to_string(),
                name: i.name,
                submitted_at: i.submitted_at.to_string(),
                hosts: i.hosts,
            })
            .collect(),
    ))
}

/// A change to a listed group's public text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeJson {
    /// The group's slug.
    pub slug: String,
    /// Its name now.
    pub name: String,
    /// Who changed it.
    pub handle: Option<String>,
    /// When, RFC 3339.
    pub changed_at: String,
    /// `{field: {before, after}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

/// Recent changes to listed groups' public text, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/changes",
    tag = "moderation",
    responses(
        (status = 200, description = "The change log", body = [ChangeJson]),
        (status = 404, description = "Not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_changes(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ChangeJson>>, ApiError> {
    let changes = moderation::changes(&state.app, &user.person).await?;
    Ok(Json(
        changes
            .into_iter()
            .map(|c| ChangeJson {
                slug: c.slug.to_string(),
                name: c.name,
                handle: c.handle,
                changed_at: c.changed_at.to_string(),
                changes: serde_json::from_str(&c.changes).unwrap_or_default(),
            })
            .collect(),
    ))
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        1,
        kith_app::moderation::REASON_MAX,
        "Why, in words the host can act on; 1–2,000 characters.",
    ))
}

/// A moderator's reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReasonJson {
    /// Why, in words the host can act on.
    #[serde(default)]
    #[schema(required = true, schema_with = reason_schema)]
    pub reason: String,
}

async fn decide_json(
    state: &AppState,
    user: &CurrentUser,
    slug: &Slug,
    decision: Decision,
) -> Result<Json<ListingJson>, ApiError> {
    let status =
        moderation::decide(&state.app, &user.person, slug, &decision, state.app.now()).await?;
    Ok(Json(ListingJson::new(slug, status)))
}

/// Approves a pending listing.
#[utoipa::path(
    post,
    path = "/api/v1/moderation/groups/{slug}/approve",
    tag = "moderation",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 200, description = "Listed", body = ListingJson),
        (status = 404, description = "No such group, or not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn approve_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Json<ListingJson>, ApiError> {
    decide_json(&state, &user, &slug, Decision::Approve).await
}

/// Rejects a pending listing with a reason the host sees.
#[utoipa::path(
    post,
    path = "/api/v1/moderation/groups/{slug}/reject",
    tag = "moderation",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = ReasonJson,
    responses(
        (status = 200, description = "Rejected", body = ListingJson),
        (status = 404, description = "No such group, or not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn reject_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<ReasonJson>,
) -> Result<Json<ListingJson>, ApiError> {
    decide_json(
        &state,
        &user,
        &slug,
        Decision::Reject {
            reason: body.reason,
        },
    )
    .await
}

/// Takes a listed group out of the directory with a reason the host sees.
#[utoipa::path(
    post,
    path = "/api/v1/moderation/groups/{slug}/unlist",
    tag = "moderation",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = ReasonJson,
    responses(
        (status = 200, description = "Unlisted", body = ListingJson),
        (status = 404, description = "No such group, or not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not listed (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn moderator_unlist_group(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<ReasonJson>,
) -> Result<Json<ListingJson>, ApiError> {
    decide_json(
        &state,
        &user,
        &slug,
        Decision::Unlist {
            reason: body.reason,
        },
    )
    .await
}

/// A request to host an imported group.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimJson {
    /// The request's id.
    pub id: i64,
    /// The group's slug.
    pub slug: String,
    /// Who asks.
    pub handle: String,
    /// Their message.
    pub message: String,
    /// When, RFC 3339.
    pub created_at: String,
}

/// Open requests to host imported groups, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/claims",
    tag = "moderation",
    responses(
        (status = 200, description = "The requests", body = [ClaimJson]),
        (status = 404, description = "Not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_claims(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ClaimJson>>, ApiError> {
    let claims = kith_app::claims::queue(&state.app, &user.person).await?;
    Ok(Json(
        claims
            .into_iter()
            .map(|c| ClaimJson {
                id: c.id,
                slug: c.slug.to_string(),
                handle: c.handle,
                message: c.message,
                created_at: c.created_at.to_string(),
            })
            .collect(),
    ))
}

/// Approves a request (the person becomes the group's host) or declines it.
#[utoipa::path(
    post,
    path = "/api/v1/moderation/claims/{id}/{decision}",
    tag = "moderation",
    params(
        ("id" = String, Path, description = "The request's id."),
        ("decision" = String, Path, description = "`approve` or `decline`."),
    ),
    responses(
        (status = 204, description = "Decided"),
        (status = 404, description = "No such request, or not a moderator", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn decide_claim(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, decision)): Path<(String, String)>,
) -> Result<axum::http::StatusCode, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError(WebError::NotFound))?;
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(ApiError(WebError::NotFound)),
    };
    kith_app::claims::decide(&state.app, &user.person, id, approve, state.app.now()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
