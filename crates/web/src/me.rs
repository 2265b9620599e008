//! A person's own page: `/me` (HTML) and `GET /api/v1/me` (JSON) — their
//! handle and the groups they host, with each listing's state and the
//! moderator's note when there is one.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kith_app::hosting;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::choosers::{ZONE_PICKER, ZonePicker};
use crate::error::{ApiError, PageError, WebError};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

/// The `/me` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me_page))
        .route("/me/calendar-link", axum::routing::post(new_calendar_link))
        .route("/me/time-zone", axum::routing::post(choose_time_zone))
        .route(
            "/me/calendar-link/delete",
            axum::routing::post(delete_calendar_link),
        )
}

struct HostedView {
    slug: String,
    name: String,
    status: &'static str,
    status_label: String,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MeTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    handle: String,
    groups: Vec<HostedView>,
    /// When the calendar link was made, if there is one.
    calendar_made: Option<String>,
    /// The new link, shown once, right after it was made.
    calendar_url: Option<String>,
    /// The same link as `webcal://`, which calendar apps open to subscribe.
    calendar_subscribe: Option<String>,
    /// Whether the person's email is confirmed.
    email_verified: bool,
    /// What just happened (`?done=`), in words.
    done: Option<String>,
    /// Groups they asked to join or belong to.
    memberships: Vec<MembershipView>,
    /// Their coming meetings, in their zone.
    meetings: Vec<MyMeetingView>,
    /// The zone the meetings are shown in.
    viewer_zone: String,
    /// Why the chosen zone was refused.
    zone_error: Option<String>,
    /// The zone the chooser shows chosen: the account's, else this
    /// browser's.
    zone_choice: String,
    /// The zones offered.
    zones: &'static ZonePicker,
}

struct MembershipView {
    slug: String,
    name: String,
    request: String,
    state: &'static str,
}

struct MyMeetingView {
    id: String,
    group: String,
    slug: String,
    when: crate::views::MeetingView,
    cancelled: bool,
    note: Option<String>,
    attending: Option<bool>,
}

async fn me_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: crate::viewer::CookieZone,
    query: crate::query::QueryPairs,
) -> Result<Response, PageError> {
    let done = query
        .get("done")
        .filter(|d| ["verify_sent", "email_sent", "password", "closed", "zone"].contains(d))
        .map(|d| messages().t(&format!("me.done.{d}")).to_owned());
    render_with(&state, &user, &cookie, None, done).await
}

/// Keeps the chosen zone on the account (mails use it) and in the
/// browser's cookie (pages use it first; see [`crate::viewer`]). A name
/// that is not a zone re-renders the page with the field's error.
async fn choose_time_zone(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: crate::viewer::CookieZone,
    form: crate::forms::FormPairs,
) -> Result<Response, PageError> {
    let chosen = form.get("time_zone");
    match kith_app::account_zone::choose(&state.app, user.person.id, chosen).await {
        Ok(zone) => {
            let mut response = axum::response::Redirect::to("/me?done=zone").into_response();
            if let Some((name, value)) = zone.as_ref().and_then(crate::viewer::remember_zone) {
                response.headers_mut().append(name, value);
            }
            Ok(response)
        }
        Err(kith_app::AppError::Invalid(errors)) => {
            let m = messages();
            let mut page = page(&state, &user, &cookie, None, None).await?;
            page.zone_choice = chosen.to_owned();
            page.zone_error = errors.first().map(|e| m.error(e.field, e.code).to_owned());
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render().map_err(WebError::from)?),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn new_calendar_link(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: crate::viewer::CookieZone,
) -> Result<Response, PageError> {
    let token =
        kith_app::feeds::new_calendar_token(&state.app, &user.person, state.app.now()).await?;
    let url = state
        .app
        .site_url()
        .link(&format!("/me/calendar.ics?token={token}"));
    render(&state, &user, &cookie, Some(url)).await
}

async fn delete_calendar_link(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    kith_app::feeds::revoke_calendar_token(&state.app, &user.person, state.app.now()).await?;
    Ok(axum::response::Redirect::to("/me").into_response())
}

/// A calendar's `http(s)://` address as `webcal://`, the scheme calendar
/// apps register for, so one tap subscribes.
fn webcal(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    format!("webcal://{rest}")
}

/// How many coming meetings `/me` lists.
const MEETINGS_ON_PAGE: u32 = 12;

async fn render(
    state: &AppState,
    user: &CurrentUser,
    cookie: &crate::viewer::CookieZone,
    calendar_url: Option<String>,
) -> Result<Response, PageError> {
    render_with(state, user, cookie, calendar_url, None).await
}

async fn render_with(
    state: &AppState,
    user: &CurrentUser,
    cookie: &crate::viewer::CookieZone,
    calendar_url: Option<String>,
    done: Option<String>,
) -> Result<Response, PageError> {
    let page = page(state, user, cookie, calendar_url, done).await?;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    cookie: &crate::viewer::CookieZone,
    calendar_url: Option<String>,
    done: Option<String>,
) -> Result<MeTemplate, PageError> {
    let m = messages();
    let now = state.app.now();
    let app = &state.app;
    let zone = cookie.or_utc();
    let groups = hosting::my_groups(app, &user.person).await?;
    let memberships = kith_app::membership::my_requests(app, &user.person)
        .await?
        .into_iter()
        .map(|r| MembershipView {
            slug: r.slug.to_string(),
            name: r.group_name,
            request: r.id.to_string(),
            state: r.state.code(),
        })
        .collect();
    let meetings = kith_app::membership::my_meetings(app, &user.person, now, MEETINGS_ON_PAGE)
        .await?
        .into_iter()
        .map(|meeting| MyMeetingView {
            id: meeting.occurrence.id.to_string(),
            group: meeting.group_name,
            slug: meeting.slug.to_string(),
            when: crate::views::MeetingView::relative(
                m,
                &kith_app::meeting_time::MeetingTime::new(
                    meeting.occurrence.starts_at,
                    meeting.occurrence.ends_at,
                    &zone,
                ),
                kith_app::meeting_time::when::when(
                    now,
                    &zone,
                    meeting.occurrence.starts_at,
                    meeting.occurrence.ends_at,
                ),
            ),
            cancelled: meeting.occurrence.cancelled,
            note: meeting.occurrence.note,
            attending: meeting.attending,
        })
        .collect();
    let made = kith_app::feeds::calendar_token_made(&state.app, &user.person).await?;
    let page = MeTemplate {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        handle: user.person.handle.to_string(),
        calendar_made: made.map(|at| at.strftime("%Y-%m-%d").to_string()),
        calendar_subscribe: calendar_url.as_deref().map(webcal),
        calendar_url,
        memberships,
        meetings,
        viewer_zone: zone.name().to_owned(),
        zone_choice: user
            .viewer
            .account_zone
            .as_ref()
            .unwrap_or(&zone)
            .name()
            .to_owned(),
        zone_error: None,
        zones: &ZONE_PICKER,
        email_verified: user.person.email_verified,
        done,
        groups: groups
            .into_iter()
            .map(|g| HostedView {
                slug: g.slug.to_string(),
                name: g.name,
                status: g.status.code(),
                status_label: m.of("status", g.status.code()).to_owned(),
                note: g.review_note,
            })
            .collect(),
    };
    Ok(page)
}

/// A group the person hosts.
#[derive(Debug, Serialize, ToSchema)]
pub struct HostedGroupJson {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// `pending`, `listed`, `rejected` or `unlisted`.
    pub status: String,
    /// The moderator's reason, after a rejection or an unlisting.
    pub review_note: Option<String>,
}

/// The person asking.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeJson {
    /// Their handle.
    pub handle: String,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    /// Whether their email is confirmed (needed to list a group).
    pub email_verified: bool,
    /// The groups they host.
    pub hosted_groups: Vec<HostedGroupJson>,
}

/// A new calendar link.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarLinkJson {
    /// The secret address of the person's own calendar; shown once.
    pub url: String,
}

/// Makes a new secret link to the person's own calendar (the meetings of
/// the groups they host, with their private details); the old one stops
/// working.
#[utoipa::path(
    post,
    path = "/api/v1/me/calendar-link",
    tag = "accounts",
    responses(
        (status = 201, description = "The new link", body = CalendarLinkJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_calendar_link(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<(axum::http::StatusCode, Json<CalendarLinkJson>), ApiError> {
    let token =
        kith_app::feeds::new_calendar_token(&state.app, &user.person, state.app.now()).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CalendarLinkJson {
            url: state
                .app
                .site_url()
                .link(&format!("/me/calendar.ics?token={token}")),
        }),
    ))
}

/// Turns the person's calendar link off.
#[utoipa::path(
    delete,
    path = "/api/v1/me/calendar-link",
    tag = "accounts",
    responses(
        (status = 204, description = "Turned off"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_calendar_link_api(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::http::StatusCode, ApiError> {
    kith_app::feeds::revoke_calendar_token(&state.app, &user.person, state.app.now()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The logged-in person and the groups they host.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    responses(
        (status = 200, description = "The person asking", body = MeJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_me(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<MeJson>, ApiError> {
    let groups = hosting::my_groups(&state.app, &user.person).await?;
    Ok(Json(MeJson {
        handle: user.person.handle.to_string(),
        role: user.person.role.code().to_owned(),
        email_verified: user.person.email_verified,
        hosted_groups: groups
            .into_iter()
            .map(|g| HostedGroupJson {
                slug: g.slug.to_string(),
                name: g.name,
                status: g.status.code().to_owned(),
                review_note: g.review_note,
            })
            .collect(),
    }))
}
