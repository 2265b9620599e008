//! Hosts list and edit their groups: `/groups/new`, `/groups/{slug}/edit`,
//! unlisting, relisting and co-hosts (HTML), and `POST /api/v1/groups`,
//! `PATCH /api/v1/groups/{slug}`, `POST /api/v1/groups/{slug}/unlist`,
//! `/relist` and `/cohosts` (JSON).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kith_app::{AppError, hosting};
use kith_domain::group::{Attribute, FacilitationStyle, Focus, Format};
use kith_domain::group_input::{GroupInput, MAX_RULES, RuleInput};
use kith_domain::ids::Slug;
use kith_domain::listing::ListingChange;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::forms::{ApiJson, FormErrors, FormPairs, field_id};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};
use crate::viewer::CookieZone;
use crate::views::{Choice, ZONES, choices};

/// The hosts' HTML routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups/new", get(new_group_page).post(new_group_form))
        .route(
            "/groups/{slug}/edit",
            get(edit_group_page).post(edit_group_form),
        )
        .route("/groups/{slug}/unlist", post(unlist_form))
        .route("/groups/{slug}/relist", post(relist_form))
        .route("/groups/{slug}/cohosts", post(add_cohost_form))
}

/// A malformed slug names nothing: the same 404 as a missing group.
pub(crate) fn parse_slug(raw: &str) -> Result<Slug, WebError> {
    Slug::parse(raw).ok_or(WebError::NotFound)
}

/// One rule's row in the form.
struct RuleRow {
    legend: String,
    input: RuleInput,
    days: Vec<Choice>,
    ids: [String; 5],
    names: [&'static str; 5],
}

#[derive(Template)]
#[template(path = "group_form.html")]
struct GroupFormTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    title: String,
    action: String,
    slug: Option<String>,
    input: GroupInput,
    errors: FormErrors,
    cohost_errors: FormErrors,
    hosts: Vec<String>,
    styles: Vec<Choice>,
    formats: Vec<Choice>,
    focus: Vec<Choice>,
    attributes: Vec<Choice>,
    zones: &'static [String],
    rules: Vec<RuleRow>,
}

fn rule_rows(m: &Messages, rules: &[RuleInput]) -> Vec<RuleRow> {
    let shown = (rules.len() + 1).clamp(1, MAX_RULES);
    (0..shown)
        .map(|index| {
            let input = rules.get(index).cloned().unwrap_or_default();
            let fields = kith_domain::group_input::RULE_FIELDS[index];
            let names = [
                fields.weekdays,
                fields.start,
                fields.duration_minutes,
                fields.first_date,
                fields.last_date,
            ];
            RuleRow {
                legend: if index == 0 {
                    m.t("hosting.rule_first").to_owned()
                } else {
                    m.t("hosting.rule_more").to_owned()
                },
                days: choices(
                    (0..7).map(|d| {
                        (
                            ["0", "1", "2", "3", "4", "5", "6"][d],
                            m.of("weekday", &d.to_string()),
                        )
                    }),
                    &input.weekdays,
                ),
                ids: names.map(field_id),
                names,
                input,
            }
        })
        .collect()
}

impl GroupFormTemplate {
    fn new(nav: Nav, title: String, action: String, input: GroupInput) -> Self {
        let m = messages();
        let vocabulary = |prefix: &'static str, codes: Vec<&'static str>, picked: &[String]| {
            choices(codes.into_iter().map(|c| (c, m.of(prefix, c))), picked)
        };
        let one = |v: &str| vec![v.to_owned()];
        Self {
            m,
            zone_from: "none",
            nav,
            title,
            action,
            slug: None,
            styles: vocabulary(
                "style",
                FacilitationStyle::ALL.iter().map(|s| s.code()).collect(),
                &one(&input.facilitation_style),
            ),
            formats: vocabulary(
                "format",
                Format::ALL.iter().map(|f| f.code()).collect(),
                &one(&input.format),
            ),
            focus: vocabulary(
                "focus",
                Focus::ALL.iter().map(|f| f.code()).collect(),
                &input.focus,
            ),
            attributes: vocabulary(
                "attribute",
                Attribute::ALL.iter().map(|a| a.code()).collect(),
                &input.attributes,
            ),
            zones: &ZONES,
            rules: rule_rows(m, &input.rules),
            input,
            errors: FormErrors::default(),
            cohost_errors: FormErrors::default(),
            hosts: Vec::new(),
        }
    }

    fn respond(self, status: StatusCode) -> Result<Response, PageError> {
        Ok((status, Html(self.render().map_err(WebError::from)?)).into_response())
    }
}

async fn new_group_page(user: CurrentUser, cookie: CookieZone) -> Result<Response, PageError> {
    let m = messages();
    let input = GroupInput {
        language: "en".to_owned(),
        time_zone: cookie.or_utc().name().to_owned(),
        facilitation_style: FacilitationStyle::CheckInRound.code().to_owned(),
        ..GroupInput::default()
    };
    GroupFormTemplate::new(
        user.viewer.nav(),
        m.t("hosting.new_title").to_owned(),
        "/groups/new".to_owned(),
        input,
    )
    .respond(StatusCode::OK)
}

async fn new_group_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = GroupInput::from_pairs(form.iter());
    match hosting::submit_group(
        state.store.as_ref(),
        &user.person,
        &input,
        state.clock.now(),
    )
    .await
    {
        Ok(slug) => Ok(Redirect::to(&format!("/groups/{slug}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let m = messages();
            let mut page = GroupFormTemplate::new(
                user.viewer.nav(),
                m.t("hosting.new_title").to_owned(),
                "/groups/new".to_owned(),
                input,
            );
            page.errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(err) => Err(err.into()),
    }
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    slug: &Slug,
    input: Option<GroupInput>,
) -> Result<GroupFormTemplate, PageError> {
    let group = hosting::editable_group(state.store.as_ref(), &user.person, slug).await?;
    let m = messages();
    let mut page = GroupFormTemplate::new(
        user.viewer.nav(),
        format!("{} {}", m.t("hosting.edit_title"), group.profile.name),
        format!("/groups/{slug}/edit"),
        input.unwrap_or_else(|| hosting::input_of(&group)),
    );
    page.slug = Some(slug.to_string());
    page.hosts = group.profile.hosts.clone();
    Ok(page)
}

async fn edit_group_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    edit_page(&state, &user, &slug, None)
        .await?
        .respond(StatusCode::OK)
}

async fn edit_group_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    let input = GroupInput::from_pairs(form.iter());
    match hosting::edit_group(
        state.store.as_ref(),
        &state.directory_cache,
        &user.person,
        &slug,
        &input,
        state.clock.now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{slug}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = edit_page(&state, &user, &slug, Some(input)).await?;
            page.errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(err) => Err(err.into()),
    }
}

async fn change_listing(
    state: &AppState,
    user: &CurrentUser,
    slug: &str,
    change: ListingChange,
) -> Result<Response, PageError> {
    let slug = parse_slug(slug)?;
    hosting::change_listing(
        state.store.as_ref(),
        &state.directory_cache,
        &user.person,
        &slug,
        change,
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/groups/{slug}")).into_response())
}

async fn unlist_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    change_listing(&state, &user, &slug, ListingChange::HostUnlist).await
}

async fn relist_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    change_listing(&state, &user, &slug, ListingChange::HostRelist).await
}

async fn add_cohost_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    match hosting::add_cohost(
        state.store.as_ref(),
        &user.person,
        &slug,
        form.get("handle"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{slug}/edit#cohosts")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = edit_page(&state, &user, &slug, None).await?;
            page.cohost_errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(err) => Err(err.into()),
    }
}

/// A listing's state after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingJson {
    /// The group's slug.
    pub slug: String,
    /// `pending`, `listed`, `rejected` or `unlisted`.
    pub status: String,
    /// Its page.
    pub url: String,
}

impl ListingJson {
    pub(crate) fn new(slug: &Slug, status: kith_domain::group::ListingStatus) -> Self {
        Self {
            slug: slug.to_string(),
            status: status.code().to_owned(),
            url: format!("/groups/{slug}"),
        }
    }
}

/// Lists a new group; it is pending until a moderator approves it.
#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "hosting",
    request_body(content = Object, description = "Every field of a group: name, description, agreements, facilitation_style, facilitation_description, focus[], attributes[], format, language, country, region, city, capacity, time_zone, rules[{weekdays[], start, duration_minutes, first_date, last_date}], call_link, dial_in, street_address."),
    responses(
        (status = 201, description = "Listed, pending review", body = ListingJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_group(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<ListingJson>), ApiError> {
    let slug = hosting::submit_group(
        state.store.as_ref(),
        &user.person,
        &input,
        state.clock.now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ListingJson::new(
            &slug,
            kith_domain::group::ListingStatus::Pending,
        )),
    ))
}

/// Changes some of a group's fields; fields not sent keep their values.
#[utoipa::path(
    patch,
    path = "/api/v1/groups/{slug}",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body(content = Object, description = "Any fields of a group, as for creating one."),
    responses(
        (status = 200, description = "Saved", body = ListingJson),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field was refused", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn patch_group(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<ListingJson>, ApiError> {
    let slug = parse_slug(&slug)?;
    let store = state.store.as_ref();
    let current = hosting::editable_group(store, &user.person, &slug).await?;
    let mut merged =
        serde_json::to_value(hosting::input_of(&current)).map_err(AppError::internal)?;
    if let Some(object) = merged.as_object_mut() {
        object.extend(patch);
    }
    let input: GroupInput = serde_json::from_value(merged).map_err(|_| WebError::MalformedBody)?;
    hosting::edit_group(
        store,
        &state.directory_cache,
        &user.person,
        &slug,
        &input,
        state.clock.now(),
    )
    .await?;
    let status = store
        .group_access(&slug)
        .await
        .map_err(AppError::from)?
        .status;
    Ok(Json(ListingJson::new(&slug, status)))
}

async fn listing_change_json(
    state: &AppState,
    user: &CurrentUser,
    slug: &str,
    change: ListingChange,
) -> Result<Json<ListingJson>, ApiError> {
    let slug = parse_slug(slug)?;
    let status = hosting::change_listing(
        state.store.as_ref(),
        &state.directory_cache,
        &user.person,
        &slug,
        change,
        state.clock.now(),
    )
    .await?;
    Ok(Json(ListingJson::new(&slug, status)))
}

/// Takes a listed group out of the directory.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/unlist",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 200, description = "Unlisted", body = ListingJson),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not listed (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn unlist_group(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Json<ListingJson>, ApiError> {
    listing_change_json(&state, &user, &slug, ListingChange::HostUnlist).await
}

/// Lists an unlisted group again (through review if a moderator unlisted it).
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/relist",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 200, description = "Listed, or pending review", body = ListingJson),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not unlisted (`invalid_status`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn relist_group(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Json<ListingJson>, ApiError> {
    listing_change_json(&state, &user, &slug, ListingChange::HostRelist).await
}

/// A co-host to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CohostJson {
    /// Their handle.
    #[serde(default)]
    pub handle: String,
}

/// Adds a co-host by handle.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/cohosts",
    tag = "hosting",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = CohostJson,
    responses(
        (status = 204, description = "Added"),
        (status = 404, description = "No such group, or not one this person hosts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown handle, or already a host", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn add_cohost(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CohostJson>,
) -> Result<StatusCode, ApiError> {
    let slug = parse_slug(&slug)?;
    hosting::add_cohost(state.store.as_ref(), &user.person, &slug, &body.handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
