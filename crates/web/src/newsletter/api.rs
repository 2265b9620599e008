//! The mailing list through the API, the subscriber's side: the interests
//! offered, signing up (`202` alike for every address: the owner is
//! mailed), confirming by a link's token, reading and changing interests
//! or unsubscribing by a manage link's token, and a member's own
//! subscription (`/api/v1/me/newsletter`). A token never made is `404`;
//! one that expired or was used is `409` with `link_expired` or
//! `link_used`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kith_app::newsletter::{self, LinkRefusal, SignupInput, Subscription};
use kith_app::{AppError, AppResult};
use kith_domain::newsletter::SignupRefusal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, FieldProblem, Problem, WebError};
use crate::extract::ClientIp;
use crate::forms::ApiJson;
use crate::messages::messages;
use crate::session::CurrentUser;

/// An interest one may choose.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestJson {
    /// Its stable code.
    #[schema(example = "coming-off")]
    pub code: String,
    /// What people read.
    pub label: String,
}

/// The interests offered, in order.
#[utoipa::path(
    get,
    path = "/api/v1/newsletter/interests",
    tag = "newsletter",
    responses((status = 200, description = "The interests offered, in order", body = [InterestJson]))
)]
pub async fn get_interests(
    State(state): State<AppState>,
) -> Result<Json<Vec<InterestJson>>, ApiError> {
    Ok(Json(
        newsletter::interests(&state.app)
            .await?
            .into_iter()
            .map(|i| InterestJson {
                code: i.code,
                label: i.label,
            })
            .collect(),
    ))
}

/// A signup.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignupJson {
    /// The address (required). Never shown and never answered back.
    #[schema(max_length = 254)]
    pub email: String,
    /// A first name, up to 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub first_name: Option<String>,
    /// Interest codes among those offered (`GET /api/v1/newsletter/interests`).
    #[serde(default)]
    pub interests: Vec<String>,
    /// The form whose words were agreed to (without it, the newsletter
    /// page's).
    #[serde(default)]
    pub placement: Option<PlacementJson>,
}

/// A signup form's place.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlacementJson {
    /// `/newsletter`.
    Newsletter,
    /// The home page.
    Home,
    /// Beside resource pages.
    Resources,
}

/// The answer to every signup that was not refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedJson {
    /// Always `check_your_inbox`: whatever the address's state, a mail
    /// (if any) went to it, never an answer here.
    pub status: &'static str,
}

/// A signup refused as a problem document; an unknown interest is named.
fn refused(refusal: &SignupRefusal) -> Response {
    let m = messages();
    let errors: Vec<FieldProblem> = refusal
        .fields
        .iter()
        .map(|e| {
            let mut detail = m.error(e.field, e.code).to_owned();
            if let (Some(unknown), "interests") = (&refusal.unknown_interest, e.field) {
                detail = format!("{detail} ({})", unknown.code);
            }
            FieldProblem {
                field: e.field.to_owned(),
                code: e.code.to_owned(),
                detail,
            }
        })
        .collect();
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let problem = Problem {
        kind: "about:blank".to_owned(),
        title: m.of("problem", "invalid_input").to_owned(),
        status: status.as_u16(),
        code: "invalid_input".to_owned(),
        field: errors.first().map(|e| e.field.clone()),
        errors,
        groups: Vec::new(),
        until: None,
    };
    let mut response = (status, Json(problem)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// Signs an address up: the same `202` for a new, waiting or confirmed
/// address; its owner is mailed a confirmation (or, when already
/// subscribed, a link to their preferences), at most once per ten minutes.
#[utoipa::path(
    post,
    path = "/api/v1/newsletter/subscriptions",
    tag = "newsletter",
    request_body = SignupJson,
    responses(
        (status = 202, description = "Accepted; the address's owner is mailed", body = AcceptedJson),
        (status = 422, description = "A field refused (`invalid_input`): `email`, `first_name`, or `interests` (`unknown_interest`, the code named in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many signups from this network address or to this address (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_subscription(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<SignupJson>,
) -> Result<Response, ApiError> {
    state
        .limits
        .mail(ip, &body.email)
        .map_err(WebError::RateLimited)?;
    let placement = match body.placement {
        None | Some(PlacementJson::Newsletter) => newsletter::PAGE_PLACEMENT,
        Some(PlacementJson::Home) => "home",
        Some(PlacementJson::Resources) => "resources",
    };
    let input = SignupInput {
        email: &body.email,
        first_name: body.first_name.as_deref(),
        interests: &body.interests,
        placement,
    };
    match newsletter::sign_up(&state.app, &input, state.app.now()).await? {
        Ok(_) => Ok((
            StatusCode::ACCEPTED,
            Json(AcceptedJson {
                status: "check_your_inbox",
            }),
        )
            .into_response()),
        Err(refusal) => Ok(refused(&refusal)),
    }
}

/// A link's token, as mailed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenJson {
    /// The token from the link (32 hex digits).
    #[schema(min_length = 32, max_length = 32)]
    pub token: String,
}

/// What confirming earned.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmedJson {
    /// The free file's link, when the form offered one (30 days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    /// The link to change interests or unsubscribe.
    pub manage_url: String,
}

/// A link that expired or was used, as its problem.
fn link_problem(refusal: LinkRefusal) -> ApiError {
    ApiError(match refusal {
        LinkRefusal::Unknown => WebError::NotFound,
        LinkRefusal::Expired => WebError::Conflict("link_expired"),
        LinkRefusal::Used => WebError::Conflict("link_used"),
    })
}

fn linked<T>(outcome: AppResult<Result<T, LinkRefusal>>) -> Result<T, ApiError> {
    outcome?.map_err(link_problem)
}

/// Confirms a signup by its confirmation link's token.
#[utoipa::path(
    post,
    path = "/api/v1/newsletter/confirmations",
    tag = "newsletter",
    request_body = TokenJson,
    responses(
        (status = 200, description = "Confirmed", body = ConfirmedJson),
        (status = 404, description = "No such link (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link expired (`link_expired`) or was used (`link_used`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_confirmation(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenJson>,
) -> Result<Json<ConfirmedJson>, ApiError> {
    let links = linked(newsletter::confirm(&state.app, &body.token, state.app.now()).await)?;
    Ok(Json(ConfirmedJson {
        download_url: links.download.map(|(_, url)| url),
        manage_url: links.manage,
    }))
}

/// A subscription as its owner reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionJson {
    /// Whether the address is confirmed (letters go only then).
    pub confirmed: bool,
    /// The interest codes chosen, in the order offered.
    pub interests: Vec<String>,
}

impl From<Subscription> for SubscriptionJson {
    fn from(s: Subscription) -> Self {
        Self {
            confirmed: s.confirmed,
            interests: s.interests,
        }
    }
}

/// Interests to keep.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InterestsJson {
    /// Interest codes among those offered; empty for none.
    pub interests: Vec<String>,
}

/// The subscription a manage link opens.
#[utoipa::path(
    get,
    path = "/api/v1/newsletter/manage/{token}",
    tag = "newsletter",
    params(("token" = String, Path, description = "The manage link's token")),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionJson),
        (status = 404, description = "No such link (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link expired (`link_expired`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_managed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<SubscriptionJson>, ApiError> {
    let view = linked(newsletter::manage(&state.app, &token, state.app.now()).await)?;
    Ok(Json(view.subscription.into()))
}

/// Replaces the interests of a manage link's subscription.
#[utoipa::path(
    put,
    path = "/api/v1/newsletter/manage/{token}",
    tag = "newsletter",
    params(("token" = String, Path, description = "The manage link's token")),
    request_body = InterestsJson,
    responses(
        (status = 200, description = "Saved; the subscription now", body = SubscriptionJson),
        (status = 404, description = "No such link (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link expired (`link_expired`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An interest not offered (`invalid_input`, `interests`: `unknown_interest`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_managed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<InterestsJson>,
) -> Result<Json<SubscriptionJson>, ApiError> {
    let now = state.app.now();
    linked(newsletter::set_interests(&state.app, &token, &body.interests, now).await)?;
    let view = linked(newsletter::manage(&state.app, &token, now).await)?;
    Ok(Json(view.subscription.into()))
}

/// Unsubscribes by a manage link: no more letters, the address forgotten.
#[utoipa::path(
    delete,
    path = "/api/v1/newsletter/manage/{token}",
    tag = "newsletter",
    params(("token" = String, Path, description = "The manage link's token")),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 404, description = "No such link, or unsubscribed already (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link expired (`link_expired`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_managed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<StatusCode, ApiError> {
    linked(newsletter::unsubscribe(&state.app, &token, state.app.now()).await)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member's subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberSubscriptionJson {
    /// Whether they receive the letters.
    pub subscribed: bool,
    /// The interest codes chosen.
    pub interests: Vec<String>,
    /// Whether their address is verified (needed to subscribe).
    pub email_verified: bool,
}

/// The member's subscription.
#[utoipa::path(
    get,
    path = "/api/v1/me/newsletter",
    tag = "newsletter",
    responses((status = 200, description = "The subscription", body = MemberSubscriptionJson)),
    security(("bearer" = []))
)]
pub async fn get_mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<MemberSubscriptionJson>, ApiError> {
    let view = newsletter::member(&state.app, &user.person).await?;
    let subscription = view.subscription.filter(|s| s.confirmed);
    Ok(Json(MemberSubscriptionJson {
        subscribed: subscription.is_some(),
        interests: subscription.map(|s| s.interests).unwrap_or_default(),
        email_verified: view.verified,
    }))
}

/// Subscribes the member with their verified address (confirmed at once),
/// or replaces their interests.
#[utoipa::path(
    put,
    path = "/api/v1/me/newsletter",
    tag = "newsletter",
    request_body = InterestsJson,
    responses(
        (status = 200, description = "Subscribed; the subscription now", body = MemberSubscriptionJson),
        (status = 409, description = "The account's address is not verified yet (`email_unverified`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An interest not offered (`invalid_input`, `interests`: `unknown_interest`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_mine(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<InterestsJson>,
) -> Result<Json<MemberSubscriptionJson>, ApiError> {
    let subscription =
        newsletter::member_subscribe(&state.app, &user.person, &body.interests, state.app.now())
            .await?;
    Ok(Json(MemberSubscriptionJson {
        subscribed: subscription.confirmed,
        interests: subscription.interests,
        email_verified: true,
    }))
}

/// Unsubscribes the member.
#[utoipa::path(
    delete,
    path = "/api/v1/me/newsletter",
    tag = "newsletter",
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 404, description = "Not subscribed (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, ApiError> {
    match newsletter::member_unsubscribe(&state.app, &user.person, state.app.now()).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(AppError::NotFound) => Err(ApiError(WebError::NotFound)),
        Err(err) => Err(err.into()),
    }
}
