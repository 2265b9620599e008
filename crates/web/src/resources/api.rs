//! The library's JSON API: `GET /api/v1/resources` (newest first, a
//! cursor, a tag), `GET /api/v1/resources/{slug}`, and for editors and
//! admins `POST /api/v1/resources`, `PATCH` and `DELETE
//! /api/v1/resources/{slug}`, and `PUT /api/v1/resources/{slug}/file`
//! with the file's bytes as the body. A draft, and every change by
//! someone who may not edit, is 404, as for nothing.
//!
//! JSON bodies are read field by field, strictly: a value of the wrong
//! type (`null` included) is an unreadable body, and tags and slugs are
//! taken only in the form the document gives them, so what the document
//! calls invalid is refused, never quietly repaired.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::{Json, body};
use kith_app::resources::{self, FileEdit, FileMeta, ResourceView, Upload};
use kith_domain::resource::{
    BODY_MAX, ResourceInput, SLUG_MAX, SUMMARY_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX, normalize_tag,
};
use kith_domain::validation::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::schemas::{raw, text};
use crate::error::{ApiError, Problem, WebError};
use crate::extract::SlugPath;
use crate::forms::ApiJson;
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Viewer};

/// The page size when the caller names none.
const DEFAULT_LIMIT: u32 = 20;

/// A resource's file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceFileJson {
    /// The name it downloads as.
    pub name: String,
    /// `application/pdf` or `application/epub+zip`.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, hex; also its `ETag`.
    pub sha256: String,
    /// Where to download it.
    pub url: String,
}

/// A resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceJson {
    /// Its address under `/resources/`.
    pub slug: String,
    /// Its page.
    pub url: String,
    /// The title.
    pub title: String,
    /// A sentence or two.
    pub summary: String,
    /// Markdown, as written.
    pub body: String,
    /// The body as sanitised HTML.
    pub html: String,
    /// Normalised tags.
    pub tags: Vec<String>,
    /// `draft` (editors only) or `published`.
    pub status: String,
    /// When it was published, RFC 3339 UTC; `null` for a draft.
    pub published_at: Option<String>,
    /// When it last changed, RFC 3339 UTC.
    pub updated_at: String,
    /// Its file, if it offers one.
    pub file: Option<ResourceFileJson>,
}

impl ResourceJson {
    fn of(view: ResourceView) -> Self {
        let url = format!("/resources/{}", view.slug);
        Self {
            file: view.file.map(|f: FileMeta| ResourceFileJson {
                url: format!("{url}/file"),
                name: f.name,
                content_type: f.content_type,
                size: f.size,
                sha256: f.sha256,
            }),
            status: if view.published_at.is_some() {
                "published"
            } else {
                "draft"
            }
            .to_owned(),
            published_at: view.published_at.map(|t| t.to_string()),
            updated_at: view.updated_at.to_string(),
            url,
            slug: view.slug,
            title: view.title,
            summary: view.summary,
            body: view.body,
            html: view.html,
            tags: view.tags,
        }
    }
}

/// A page of resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceListJson {
    /// Newest first.
    pub items: Vec<ResourceJson>,
    /// Pass as `cursor` for the next (older) page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A new resource's fields: `title`, `summary` and `body` are required;
/// `status` is `draft` unless given.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewResourceJson {
    /// 1–120 characters.
    #[schema(schema_with = title_schema)]
    pub title: String,
    /// Lowercase ASCII words joined by hyphens, up to 60 characters;
    /// unique. Without it, made from the title. `new` and `feed` are the
    /// library's own.
    #[serde(default)]
    #[schema(schema_with = slug_schema)]
    pub slug: String,
    /// 1–500 characters.
    #[schema(schema_with = summary_schema)]
    pub summary: String,
    /// Markdown, 1–100,000 characters.
    #[schema(schema_with = body_schema)]
    pub body: String,
    /// Up to 8 normalised tags.
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
    /// `draft` or `published`.
    #[serde(default)]
    #[schema(schema_with = status_schema)]
    pub status: String,
}

/// Any of a resource's fields; the others stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResourceFieldsJson {
    /// 1–120 characters.
    #[serde(default)]
    #[schema(schema_with = title_schema)]
    pub title: String,
    /// As for a new resource.
    #[serde(default)]
    #[schema(schema_with = slug_schema)]
    pub slug: String,
    /// 1–500 characters.
    #[serde(default)]
    #[schema(schema_with = summary_schema)]
    pub summary: String,
    /// Markdown, 1–100,000 characters.
    #[serde(default)]
    #[schema(schema_with = body_schema)]
    pub body: String,
    /// Up to 8 normalised tags; they replace the ones it had.
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
    /// `draft` or `published`: publishes or unpublishes it.
    #[serde(default)]
    #[schema(schema_with = status_schema)]
    pub status: String,
}

fn title_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(text(1, TITLE_MAX, "1–120 characters."))
}

fn summary_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(text(1, SUMMARY_MAX, "1–500 characters."))
}

fn body_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(text(1, BODY_MAX, "Markdown, 1–100,000 characters."))
}

fn slug_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(json!({
        "type": "string",
        "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$",
        "maxLength": SLUG_MAX,
        "description": "Lowercase ASCII letters and digits in words joined by single hyphens; `new` and `feed` are refused (422) and a taken slug is a conflict (409).",
    }))
}

fn tags_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(json!({
        "type": "array",
        "maxItems": TAGS_MAX,
        "items": {
            "type": "string",
            "minLength": 1,
            "maxLength": TAG_MAX,
            "pattern": "^[^\\s,A-Z_]+$",
        },
        "description": "Each already normalised: lowercase letters (any script) and digits, words joined by single hyphens; any other form is refused (422). Repeats count once.",
    }))
}

fn status_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    raw(json!({"type": "string", "enum": ["draft", "published"]}))
}

/// A string field if present; anything else there is unreadable.
fn text_field(body: &Map<String, Value>, key: &str) -> Result<Option<String>, WebError> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(WebError::MalformedBody),
    }
}

/// Applies a JSON body to a resource's fields, strictly (see the module
/// docs).
fn apply(body: &Map<String, Value>, input: &mut ResourceInput) -> Result<(), WebError> {
    let refuse = |field, code| WebError::Invalid(vec![FieldError::new(field, code)]);
    for (key, place) in [
        ("title", &mut input.title),
        ("summary", &mut input.summary),
        ("body", &mut input.body),
        ("status", &mut input.status),
    ] {
        if let Some(value) = text_field(body, key)? {
            *place = value;
        }
    }
    if let Some(slug) = text_field(body, "slug")? {
        if slug.is_empty() {
            return Err(refuse("slug", "required"));
        }
        if slug.trim() != slug || slug.to_ascii_lowercase() != slug {
            return Err(refuse("slug", "invalid_characters"));
        }
        input.slug = slug;
    }
    match body.get("tags") {
        None => {}
        Some(Value::Array(items)) => {
            // Counted as sent: repeats count too, as the document's
            // `maxItems` counts them.
            if items.len() > TAGS_MAX {
                return Err(refuse("tags", "too_many"));
            }
            let mut tags = Vec::new();
            for item in items {
                let Value::String(tag) = item else {
                    return Err(WebError::MalformedBody);
                };
                if normalize_tag(tag)
                    .map_err(|e| WebError::Invalid(vec![e]))?
                    .as_ref()
                    != Some(tag)
                {
                    return Err(refuse("tags", "invalid_characters"));
                }
                tags.push(tag.clone());
            }
            input.tags = tags.join(",");
        }
        Some(_) => return Err(WebError::MalformedBody),
    }
    Ok(())
}

/// Lists published resources, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/resources",
    tag = "resources",
    params(
        ("tag" = Option<String>, Query, description = "Only resources with this tag (normalised as tags are); a tag no resource could have lists nothing."),
        ("cursor" = Option<String>, Query, pattern = r"^[0-9]{1,11}\.[0-9]{1,18}$", description = "`next_cursor` of the page before."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Resources per page, 1–50; 20 unless given."),
    ),
    responses(
        (status = 200, description = "A page of resources", body = ResourceListJson),
        (status = 400, description = "A cursor or limit that cannot be used (`invalid_filter`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_resources(
    State(state): State<AppState>,
    query: QueryPairs,
) -> Result<Json<ResourceListJson>, ApiError> {
    let bad = |field| WebError::InvalidFilters(vec![FieldError::new(field, "invalid_value")]);
    // An empty cursor is no cursor the document allows.
    if query.get("cursor") == Some("") {
        return Err(bad("cursor").into());
    }
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=resources::PAGE_MAX).contains(n))
            .ok_or_else(|| bad("limit"))?,
    };
    let page = resources::index(&state.app, query.get("tag"), query.get("cursor"), limit)
        .await
        .map_err(|e| match e {
            kith_app::AppError::Invalid(_) => bad("cursor"),
            other => other.into(),
        })?;
    Ok(Json(ResourceListJson {
        items: page.items.into_iter().map(ResourceJson::of).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One resource; a draft only for editors and admins.
#[utoipa::path(
    get,
    path = "/api/v1/resources/{slug}",
    tag = "resources",
    params(("slug" = String, Path, description = "The resource's slug.")),
    responses(
        (status = 200, description = "The resource", body = ResourceJson),
        (status = 404, description = "No such resource, or a draft", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_resource(
    State(state): State<AppState>,
    viewer: Viewer,
    SlugPath(slug): SlugPath,
) -> Result<Json<ResourceJson>, ApiError> {
    let view = resources::read(&state.app, viewer.person.as_ref(), slug.as_str()).await?;
    Ok(Json(ResourceJson::of(view)))
}

/// Writes a resource (editors and admins).
#[utoipa::path(
    post,
    path = "/api/v1/resources",
    tag = "resources",
    request_body = NewResourceJson,
    responses(
        (status = 201, description = "Written", body = ResourceJson),
        (status = 404, description = "Not an editor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken (`taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_resource(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<(StatusCode, Json<ResourceJson>), ApiError> {
    if !resources::may_edit(Some(&user.person)) {
        return Err(WebError::NotFound.into());
    }
    let mut input = ResourceInput {
        status: "draft".into(),
        ..ResourceInput::default()
    };
    apply(&body, &mut input)?;
    let view = resources::create(&state.app, &user.person, &input, None, state.app.now()).await?;
    Ok((StatusCode::CREATED, Json(ResourceJson::of(view))))
}

/// Changes a resource's fields (editors and admins); `status` publishes
/// or unpublishes it.
#[utoipa::path(
    patch,
    path = "/api/v1/resources/{slug}",
    tag = "resources",
    params(("slug" = String, Path, description = "The resource's slug.")),
    request_body = ResourceFieldsJson,
    responses(
        (status = 200, description = "Saved", body = ResourceJson),
        (status = 404, description = "No such resource, or not an editor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken (`taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn patch_resource(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Json<ResourceJson>, ApiError> {
    if !resources::may_edit(Some(&user.person)) {
        return Err(WebError::NotFound.into());
    }
    let current = resources::read(&state.app, Some(&user.person), slug.as_str()).await?;
    let mut input = current.input();
    apply(&body, &mut input)?;
    let now = state.app.now();
    let view = resources::update(
        &state.app,
        &user.person,
        slug.as_str(),
        &input,
        FileEdit::Keep,
        now,
    )
    .await?;
    Ok(Json(ResourceJson::of(view)))
}

/// Deletes a resource and its file (editors and admins).
#[utoipa::path(
    delete,
    path = "/api/v1/resources/{slug}",
    tag = "resources",
    params(("slug" = String, Path, description = "The resource's slug.")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such resource, or not an editor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_resource(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<StatusCode, ApiError> {
    resources::delete(&state.app, &user.person, slug.as_str(), state.app.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a file (a PDF or an EPUB, told by its bytes) on a resource,
/// replacing any it had (editors and admins).
#[utoipa::path(
    put,
    path = "/api/v1/resources/{slug}/file",
    tag = "resources",
    params(
        ("slug" = String, Path, description = "The resource's slug."),
        ("name" = Option<String>, Query, description = "The name it downloads as; its extension follows its type."),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes, up to `KITH_RESOURCE_FILE_MAX_BYTES`."),
    responses(
        (status = 200, description = "Saved", body = ResourceJson),
        (status = 404, description = "No such resource, or not an editor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a PDF or EPUB (`wrong_type`), too large (`too_large`) or empty (`required`), on the field `file`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_resource_file(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    query: QueryPairs,
    request: Request,
) -> Result<Json<ResourceJson>, ApiError> {
    if !resources::may_edit(Some(&user.person)) {
        return Err(WebError::NotFound.into());
    }
    let current = resources::read(&state.app, Some(&user.person), slug.as_str()).await?;
    let max = state.config.resource_file_max_bytes;
    let limit = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
    let bytes = match body::to_bytes(request.into_body(), limit).await {
        Ok(bytes) => bytes.to_vec(),
        // Past the limit: kept no further than that.
        Err(_) => return Err(WebError::Invalid(vec![FieldError::new("file", "too_large")]).into()),
    };
    let upload = Upload {
        name: query.get("name").unwrap_or_default().to_owned(),
        bytes,
        max_bytes: max,
    };
    let now = state.app.now();
    let view = resources::update(
        &state.app,
        &user.person,
        slug.as_str(),
        &current.input(),
        FileEdit::Replace(upload),
        now,
    )
    .await?;
    Ok(Json(ResourceJson::of(view)))
}
