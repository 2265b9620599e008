//! The JSON API's shared types and its OpenAPI 3.1 document, generated from
//! the handlers' annotations and served at `/api/openapi.json`; [`problems`]
//! adds the error answers every operation shares.

pub mod problems;
pub mod schemas;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use kith_app::meeting_time::MeetingTime;
use kith_domain::group::{Format, Place};
use kith_domain::ids::OccurrenceId;
use serde::Serialize;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{FieldProblem, Problem};
use crate::{
    AppState, account_settings, accounts, admin, comments, directory, groups, hosting, me,
    membership, moderation, notifications, stories,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kith",
        description = "Peer support groups: the directory, accounts, hosting, members' stories and moderation. Errors are `application/problem+json` with a stable `code`. Browsers use the session cookie and send the CSRF token in `X-CSRF-Token`; other clients send `Authorization: Bearer <token>` from `POST /api/v1/sessions`.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Declares the bearer token scheme the routes' `security` names.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes, with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(directory::list_groups))
        .routes(routes!(
            groups::get_group,
            hosting::api::patch_group,
            hosting::close::delete_group
        ))
        .routes(routes!(hosting::api::create_group))
        .routes(routes!(hosting::api::unlist_group))
        .routes(routes!(hosting::api::relist_group))
        .routes(routes!(hosting::api::add_cohost))
        .routes(routes!(hosting::api::cancel_meeting))
        .routes(routes!(hosting::api::restore_meeting))
        .routes(routes!(hosting::api::move_meeting))
        .routes(routes!(hosting::api::claim_group))
        .routes(routes!(moderation::get_claims))
        .routes(routes!(moderation::decide_claim))
        .routes(routes!(accounts::api::create_account))
        .routes(routes!(accounts::api::create_session))
        .routes(routes!(accounts::api::delete_current_session))
        .routes(routes!(me::get_me, account_settings::api::delete_me))
        .routes(routes!(account_settings::api::resend_verification))
        .routes(routes!(account_settings::api::verify_email))
        .routes(routes!(account_settings::api::request_password_reset))
        .routes(routes!(account_settings::api::reset_password))
        .routes(routes!(account_settings::api::change_email))
        .routes(routes!(account_settings::api::change_password))
        .routes(routes!(account_settings::api::list_sessions))
        .routes(routes!(account_settings::api::end_session))
        .routes(routes!(account_settings::api::export))
        .routes(routes!(
            notifications::get_preferences,
            notifications::put_preferences
        ))
        .routes(routes!(membership::api::ask_to_join))
        .routes(routes!(membership::newcomer::join_as_newcomer))
        .routes(routes!(membership::api::get_group_requests))
        .routes(routes!(membership::api::get_request))
        .routes(routes!(
            membership::api::get_messages,
            membership::api::post_message
        ))
        .routes(routes!(membership::api::act_on_request))
        .routes(routes!(membership::api::get_members))
        .routes(routes!(membership::api::create_invitation))
        .routes(routes!(membership::api::hand_over))
        .routes(routes!(membership::api::announce))
        .routes(routes!(membership::api::get_my_groups))
        .routes(routes!(membership::api::get_my_meetings))
        .routes(routes!(membership::api::put_rsvp))
        .routes(routes!(
            me::create_calendar_link,
            me::delete_calendar_link_api
        ))
        .routes(routes!(moderation::get_queue))
        .routes(routes!(moderation::get_changes))
        .routes(routes!(moderation::approve_group))
        .routes(routes!(moderation::reject_group))
        .routes(routes!(moderation::moderator_unlist_group))
        .routes(routes!(
            comments::api::resource_comments,
            comments::api::comment_on_resource
        ))
        .routes(routes!(
            comments::api::story_comments,
            comments::api::comment_on_story
        ))
        .routes(routes!(
            comments::api::get_comment,
            comments::api::edit_comment,
            comments::api::delete_comment
        ))
        .routes(routes!(comments::api::held_comments))
        .routes(routes!(comments::api::moderate_comment))
        .routes(routes!(
            stories::api::list_stories,
            stories::api::create_story
        ))
        .routes(routes!(
            stories::api::get_story,
            stories::api::patch_story,
            stories::api::delete_story
        ))
        .routes(routes!(stories::api::get_my_stories))
        .routes(routes!(stories::review::get_story_queue))
        .routes(routes!(stories::review::publish_story))
        .routes(routes!(stories::review::decline_story))
        .routes(routes!(admin::get_audit))
        .routes(routes!(admin::put_safety))
        .routes(routes!(crate::about::put_about))
        .routes(routes!(
            crate::reports::api::create_report,
            crate::reports::api::list_my_reports
        ))
        .routes(routes!(crate::reports::api::appeal_report))
        .routes(routes!(crate::reports::api::get_reports_queue))
        .routes(routes!(crate::reports::api::decide_report))
        .routes(routes!(
            crate::blocks::list_blocks,
            crate::blocks::create_block
        ))
        .routes(routes!(crate::blocks::delete_block))
        .routes(routes!(
            crate::resources::api::list_resources,
            crate::resources::api::create_resource
        ))
        .routes(routes!(
            crate::resources::api::get_resource,
            crate::resources::api::patch_resource,
            crate::resources::api::delete_resource
        ))
        .routes(routes!(crate::resources::api::put_resource_file))
        .routes(routes!(crate::newsletter::api::get_interests))
        .routes(routes!(crate::newsletter::api::create_subscription))
        .routes(routes!(crate::newsletter::api::create_confirmation))
        .routes(routes!(
            crate::newsletter::api::get_managed,
            crate::newsletter::api::put_managed,
            crate::newsletter::api::delete_managed
        ))
        .routes(routes!(
            crate::newsletter::api::get_mine,
            crate::newsletter::api::put_mine,
            crate::newsletter::api::delete_mine
        ))
        .merge(crate::journal_api::router())
        .merge(crate::newsletter_admin::api_router())
        .merge(crate::letters_api::router())
}

/// Serves the OpenAPI document.
pub fn document_router(doc: Arc<OpenApiDoc>) -> Router<AppState> {
    Router::new().route(
        "/api/openapi.json",
        get(move || async move {
            crate::security::same_for_everyone(
                crate::security::PUBLIC_REVALIDATE,
                Json(doc.as_ref().clone()),
            )
        }),
    )
}

/// One meeting, in the zone the request asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingJson {
    /// The occurrence's stable random id.
    pub id: String,
    /// Start, RFC 3339 with the zone's offset.
    pub starts_at: String,
    /// End, RFC 3339 with the zone's offset.
    pub ends_at: String,
    /// Weekday of the start in that zone, 0–6, Sunday 0.
    pub weekday: i8,
    /// Local date of the start, `YYYY-MM-DD`.
    pub date: String,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`.
    pub end: String,
    /// The zone's abbreviation at the start ("CET", "+0545").
    pub zone_abbreviation: String,
    /// The IANA zone these local times are in.
    pub time_zone: String,
    /// Present and true when a host cancelled this meeting.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
    /// The host's note about a cancelled meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl MeetingJson {
    /// A meeting seen in the zone named `time_zone`.
    pub fn new(id: &OccurrenceId, time: MeetingTime, time_zone: &str) -> Self {
        Self {
            id: id.to_string(),
            weekday: time.day_code(),
            starts_at: time.starts_at,
            ends_at: time.ends_at,
            date: time.date,
            start: time.start,
            end: time.end,
            zone_abbreviation: time.zone_abbreviation,
            time_zone: time_zone.to_owned(),
            cancelled: false,
            note: None,
        }
    }
}

/// Where a group meets. Never a street address.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceJson {
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Region, in the host's words.
    pub region: Option<String>,
    /// City, in the host's words.
    pub city: Option<String>,
}

impl PlaceJson {
    /// The place, or `None` when it has no part at all.
    pub fn of(place: &Place) -> Option<Self> {
        (place.country.is_some() || place.region.is_some() || place.city.is_some()).then(|| Self {
            country: place.country.clone(),
            region: place.region.clone(),
            city: place.city.clone(),
        })
    }
}

/// Whether a group meets only by phone or video.
pub fn is_online(format: Format) -> bool {
    matches!(format, Format::Phone | Format::Video)
}
