//! Joining groups in JSON: asking, the request's thread, the hosts'
//! decisions, members, invitations, hand-over, "my groups", "my meetings"
//! and RSVPs.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::membership;
use kith_app::membership::{PersonalMeeting, RequestRecord};
use kith_domain::ids::{OccurrenceId, RequestId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ActionParam;
use super::people::invitation_url;
use super::request::request_action;
use crate::AppState;
use crate::api::MeetingJson;
use crate::error::{ApiError, Problem, WebError};
use crate::extract::IdPath;
use crate::extract::SlugPath;
use crate::forms::ApiJson;
use crate::query::QueryPairs;
use crate::session::CurrentUser;

/// A request to join, as one side of it sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestJson {
    /// The request's id; it names the thread too.
    pub id: String,
    /// The group's slug.
    pub group: String,
    /// The group's name.
    pub group_name: String,
    /// The pseudonym of the person who asked.
    pub handle: String,
    /// `pending`, `approved`, `waitlisted`, `declined`, `withdrawn`, `left`,
    /// `removed`; hosts also see `blocked`.
    pub state: String,
    /// Their answer to the hosts' question.
    pub answer: String,
    /// When they asked, RFC 3339.
    pub created_at: String,
    /// The request's page.
    pub url: String,
}

impl RequestJson {
    fn of(request: RequestRecord) -> Self {
        Self {
            url: format!("/requests/{}", request.id),
            id: request.id.to_string(),
            group: request.slug.to_string(),
            group_name: request.group_name,
            handle: request.handle,
            state: request.state.code().to_owned(),
            answer: request.answer,
            created_at: request.created_at.to_string(),
        }
    }
}

/// Asking to join.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AskJson {
    /// The answer to the hosts' question (required when they ask one).
    #[schema(schema_with = answer_schema)]
    pub answer: String,
    /// An invitation link's token, which lets the person in directly.
    pub invitation: Option<String>,
}

fn answer_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::api::schemas::raw(crate::api::schemas::text(
        0,
        kith_domain::membership::limits::ANSWER,
        "The answer to the hosts' question; required (1 or more characters) when they ask one.",
    ))
}

/// Asks to join a group.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/join-requests",
    tag = "membership",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = AskJson,
    responses(
        (status = 201, description = "Asked: `pending`, or `approved` / `waitlisted` for open groups and invitations", body = RequestJson),
        (status = 404, description = "No listed group has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_asked`, `already_member`, `already_answered`, `invitation_required`, `invitation_invalid`, `already_host` or `no_host`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The answer was refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests and messages", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn ask_to_join(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<AskJson>,
) -> Result<(StatusCode, Json<RequestJson>), ApiError> {
    state
        .limits
        .membership(user.person.id)
        .map_err(WebError::RateLimited)?;
    let request = membership::ask_to_join(
        &state.app,
        &user.person,
        &slug,
        &body.answer,
        body.invitation.as_deref(),
        state.app.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(RequestJson::of(request))))
}

/// One request to join, for the person who asked or the group's hosts.
#[utoipa::path(
    get,
    path = "/api/v1/join-requests/{id}",
    tag = "membership",
    params(("id" = String, Path, description = "The request's id.")),
    responses(
        (status = 200, description = "The request", body = RequestJson),
        (status = 404, description = "No request this person may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_request(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<RequestId>,
) -> Result<Json<RequestJson>, ApiError> {
    let view = membership::request_view(&state.app, &user.person, &id).await?;
    Ok(Json(RequestJson::of(view.request)))
}

/// One message of a thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageJson {
    /// The author's pseudonym; `null` once their account is gone.
    pub author: Option<String>,
    /// Written by a host.
    pub from_host: bool,
    /// The text.
    pub text: String,
    /// When, RFC 3339.
    pub created_at: String,
}

/// A message to write.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewMessageJson {
    /// 1–4,000 characters.
    pub text: String,
}

/// The private thread between the person who asked and the hosts.
#[utoipa::path(
    get,
    path = "/api/v1/join-requests/{id}/messages",
    tag = "membership",
    params(("id" = String, Path, description = "The request's id.")),
    responses(
        (status = 200, description = "The thread, oldest first", body = Vec<MessageJson>),
        (status = 404, description = "No request this person may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_messages(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<RequestId>,
) -> Result<Json<Vec<MessageJson>>, ApiError> {
    let view = membership::request_view(&state.app, &user.person, &id).await?;
    Ok(Json(
        view.thread
            .into_iter()
            .map(|m| MessageJson {
                author: m.author,
                from_host: m.from_host,
                text: m.body,
                created_at: m.created_at.to_string(),
            })
            .collect(),
    ))
}

/// Writes in a request's thread.
#[utoipa::path(
    post,
    path = "/api/v1/join-requests/{id}/messages",
    tag = "membership",
    params(("id" = String, Path, description = "The request's id.")),
    request_body = NewMessageJson,
    responses(
        (status = 201, description = "Sent"),
        (status = 404, description = "No request this person may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The text was refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests and messages", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn post_message(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<RequestId>,
    ApiJson(body): ApiJson<NewMessageJson>,
) -> Result<StatusCode, ApiError> {
    state
        .limits
        .membership(user.person.id)
        .map_err(WebError::RateLimited)?;
    membership::post_message(&state.app, &user.person, &id, &body.text, state.app.now()).await?;
    Ok(StatusCode::CREATED)
}

/// A host's note with a decision.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DecisionJson {
    /// Optional, up to 4,000 characters; it goes into the thread.
    pub decision_note: String,
}

/// Acts on a request: hosts `approve`, `decline`, `remove` or `block`; the
/// person who asked may `withdraw` (which, for a member, leaves the group).
#[utoipa::path(
    post,
    path = "/api/v1/join-requests/{id}/{action}",
    tag = "membership",
    params(
        ("id" = String, Path, description = "The request's id."),
        ("action" = String, Path, description = "`approve`, `decline`, `withdraw`, `remove` or `block`."),
    ),
    request_body = DecisionJson,
    responses(
        (status = 200, description = "The request after the change", body = RequestJson),
        (status = 404, description = "No such request or action for this person", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_decided`, `group_full` or `not_applicable`: nothing changed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn act_on_request(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<RequestId>,
    Path(ActionParam { action }): Path<ActionParam>,
    body: axum::body::Bytes,
) -> Result<Json<RequestJson>, ApiError> {
    // The body is optional: only decisions carry a note.
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<DecisionJson>(&body)
            .map_err(|_| WebError::MalformedBody)?
            .decision_note
    };
    let request = request_action(&state, &user.person, &id, &action, &note).await?;
    let view = membership::request_view(&state.app, &user.person, &request.id).await;
    // After leaving, the person still sees their request.
    Ok(Json(RequestJson::of(view.map_or(request, |v| v.request))))
}

/// A group's requests and members, for its hosts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleJson {
    /// Waiting for a decision.
    pub pending: Vec<RequestJson>,
    /// Accepted, waiting for a place, first to move up first.
    pub waitlisted: Vec<RequestJson>,
    /// Members.
    pub members: Vec<RequestJson>,
}

/// The requests and members of a group, for its hosts.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{slug}/join-requests",
    tag = "membership",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 200, description = "Requests and members", body = PeopleJson),
        (status = 404, description = "No group this person hosts", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_group_requests(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Json<PeopleJson>, ApiError> {
    let people = membership::group_people(&state.app, &user.person, &slug).await?;
    let all = |records: Vec<RequestRecord>| records.into_iter().map(RequestJson::of).collect();
    Ok(Json(PeopleJson {
        pending: all(people.pending),
        waitlisted: all(people.waitlisted),
        members: all(people.members),
    }))
}

/// The pseudonyms of a group's members: for its hosts, and for its members
/// when the group lets members see each other.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{slug}/members",
    tag = "membership",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    responses(
        (status = 200, description = "Pseudonyms", body = Vec<String>),
        (status = 404, description = "No group whose members this person may see", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_members(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(
        membership::fellow_members(&state.app, &user.person, &slug).await?,
    ))
}

/// A new invitation link.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct InvitationRequestJson {
    /// How many days it works, 1–90 (14 when empty).
    #[schema(minimum = 1, maximum = 90)]
    pub days: Option<i64>,
}

/// An invitation link, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationJson {
    /// The link; only its hash is kept.
    pub url: String,
    /// When it stops working, RFC 3339.
    pub expires_at: String,
}

/// Makes an invitation link.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/invitations",
    tag = "membership",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = InvitationRequestJson,
    responses(
        (status = 201, description = "The link, shown once", body = InvitationJson),
        (status = 404, description = "No group this person hosts", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`days` was refused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_invitation(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<InvitationRequestJson>,
) -> Result<(StatusCode, Json<InvitationJson>), ApiError> {
    let invitation = membership::create_invitation(
        &state.app,
        &user.person,
        &slug,
        &body.days.map(|d| d.to_string()).unwrap_or_default(),
        state.app.now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationJson {
            url: invitation_url(&state, &invitation.token),
            expires_at: invitation.expires_at.to_string(),
        }),
    ))
}

/// Handing a group over.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct HandOverJson {
    /// The pseudonym of a co-host or member.
    pub handle: String,
}

/// Hands a group to a co-host or member; the caller steps down as host.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/hand-over",
    tag = "membership",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = HandOverJson,
    responses(
        (status = 204, description = "Handed over"),
        (status = 404, description = "No group this person hosts", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`handle` is not a co-host or member", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn hand_over(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<HandOverJson>,
) -> Result<StatusCode, ApiError> {
    membership::hand_over(
        &state.app,
        &user.person,
        &slug,
        &body.handle,
        state.app.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The person's requests and memberships.
#[utoipa::path(
    get,
    path = "/api/v1/me/groups",
    tag = "membership",
    responses(
        (status = 200, description = "Every request, in the state the person may see", body = Vec<RequestJson>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_my_groups(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<RequestJson>>, ApiError> {
    let requests = membership::my_requests(&state.app, &user.person).await?;
    Ok(Json(requests.into_iter().map(RequestJson::of).collect()))
}

/// One of the person's meetings.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyMeetingJson {
    /// The group's slug.
    pub group: String,
    /// The group's name.
    pub group_name: String,
    /// The meeting, in the requested zone.
    pub meeting: MeetingJson,
    /// Their answer to "will you come?", if given.
    pub attending: Option<bool>,
}

/// The meetings of the person's groups over the next four weeks.
#[utoipa::path(
    get,
    path = "/api/v1/me/meetings",
    tag = "membership",
    params(("tz" = Option<String>, Query, description = "The reader's IANA zone; default from the cookie, else the zone kept on the account, else UTC.")),
    responses(
        (status = 200, description = "Soonest first", body = Vec<MyMeetingJson>),
        (status = 400, description = "Unknown time zone", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_my_meetings(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
    cookie: crate::viewer::CookieZone,
) -> Result<Json<Vec<MyMeetingJson>>, ApiError> {
    let zone = crate::viewer::viewer_zone(&query, &cookie)?;
    let meetings = membership::my_meetings(&state.app, &user.person, state.app.now(), 200).await?;
    Ok(Json(
        meetings
            .into_iter()
            .map(|m: PersonalMeeting| MyMeetingJson {
                group: m.slug.to_string(),
                group_name: m.group_name,
                meeting: MeetingJson {
                    cancelled: m.occurrence.cancelled,
                    note: m.occurrence.note.clone(),
                    ..MeetingJson::new(
                        &m.occurrence.id,
                        kith_app::meeting_time::MeetingTime::new(
                            m.occurrence.starts_at,
                            m.occurrence.ends_at,
                            &zone,
                        ),
                        zone.name(),
                    )
                },
                attending: m.attending,
            })
            .collect(),
    ))
}

/// An answer to "will you come?".
#[derive(Debug, Deserialize, ToSchema)]
pub struct RsvpJson {
    /// Whether the person will come.
    pub attending: bool,
}

/// Says whether the person will come to a meeting of their group.
#[utoipa::path(
    put,
    path = "/api/v1/meetings/{id}/rsvp",
    tag = "membership",
    params(("id" = String, Path, description = "The meeting's id.")),
    request_body = RsvpJson,
    responses(
        (status = 204, description = "Saved"),
        (status = 404, description = "No meeting of a group this person belongs to, or it has ended", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_rsvp(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<OccurrenceId>,
    ApiJson(body): ApiJson<RsvpJson>,
) -> Result<StatusCode, ApiError> {
    membership::set_attending(
        &state.app,
        &user.person,
        &id,
        body.attending,
        state.app.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An announcement to a group's members.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AnnouncementJson {
    /// 1–4,000 characters, plain text.
    pub text: String,
}

/// How many members an announcement reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncedJson {
    /// Mails written, one per member who wants announcements.
    pub sent: usize,
}

/// Sends an announcement to every member of the group, one mail each.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{slug}/announcements",
    tag = "membership",
    params(("slug" = String, Path, description = "The group's public identifier.")),
    request_body = AnnouncementJson,
    responses(
        (status = 202, description = "Mails written to the outbox", body = AnnouncedJson),
        (status = 404, description = "No group this person hosts", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The text was refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn announce(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    ApiJson(body): ApiJson<AnnouncementJson>,
) -> Result<(StatusCode, Json<AnnouncedJson>), ApiError> {
    state
        .limits
        .membership(user.person.id)
        .map_err(WebError::RateLimited)?;
    let sent =
        membership::announce(&state.app, &user.person, &slug, &body.text, state.app.now()).await?;
    Ok((StatusCode::ACCEPTED, Json(AnnouncedJson { sent })))
}
