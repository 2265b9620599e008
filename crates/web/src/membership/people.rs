//! The hosts' page: requests, the waitlist, members, invitation links,
//! hand-over and announcements.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::membership::RequestRecord;
use kith_app::membership::{self, GroupPeople};
use kith_app::{AppError, access::Person};
use kith_domain::ids::{InvitationId, Slug};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::{IdPath, SlugPath};
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav, Viewer};
use crate::views::local_date_time;

struct PersonView {
    request: String,
    handle: String,
    answer: String,
    since: String,
}

struct InvitationView {
    id: String,
    created_by: String,
    expires: String,
    revoked: bool,
    expired: bool,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeopleTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    slug: String,
    name: String,
    policy: &'static str,
    capacity: Option<u32>,
    pending: Vec<PersonView>,
    waitlisted: Vec<PersonView>,
    members: Vec<PersonView>,
    invitations: Vec<InvitationView>,
    /// A link made just now, shown once.
    new_link: Option<String>,
    /// How many members an announcement just reached.
    announced: Option<usize>,
    /// The announcement's text, kept when refused.
    announcement: String,
    /// How the group's rooms run, as the form shows it.
    room: kith_app::rooms::RoomSettingsInput,
    /// The room settings were just saved.
    room_saved: bool,
    errors: FormErrors,
}

async fn people_template(
    state: &AppState,
    viewer: &Viewer,
    person: &Person,
    slug: &Slug,
    zone: &kith_domain::zone::Zone,
) -> Result<PeopleTemplate, WebError> {
    let m = messages();
    let app = &state.app;
    let GroupPeople {
        profile,
        pending,
        waitlisted,
        members,
        invitations,
    } = membership::group_people(app, person, slug).await?;
    let now = state.app.now();
    let people = |records: Vec<RequestRecord>| -> Vec<PersonView> {
        records
            .into_iter()
            .map(|r| PersonView {
                request: r.id.to_string(),
                handle: r.handle,
                answer: r.answer,
                since: local_date_time(r.state_changed_at, zone).0,
            })
            .collect()
    };
    Ok(PeopleTemplate {
        m,
        zone_from: "cookie",
        nav: viewer.nav(),
        slug: slug.to_string(),
        name: profile.name,
        policy: profile.join.policy.code(),
        capacity: profile.capacity,
        pending: people(pending),
        waitlisted: people(waitlisted),
        members: people(members),
        invitations: invitations
            .into_iter()
            .map(|i| InvitationView {
                id: i.id.to_string(),
                created_by: i.created_by.unwrap_or_default(),
                expires: local_date_time(i.expires_at, zone).0,
                revoked: i.revoked_at.is_some(),
                expired: i.expires_at <= now,
            })
            .collect(),
        new_link: None,
        announced: None,
        announcement: String::new(),
        room: {
            let settings = kith_app::rooms::settings(app, person, slug).await?;
            kith_app::rooms::RoomSettingsInput {
                turn_minutes: (settings.turn_seconds / 60).to_string(),
                opens_minutes: settings.opens_minutes.to_string(),
                closes_minutes: settings.closes_minutes.to_string(),
                keep_totals: settings.keep_totals,
            }
        },
        room_saved: false,
        errors: FormErrors::default(),
    })
}

pub(super) async fn people_page(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    let page = people_template(&state, &viewer, &user.person, &slug, &cookie.or_utc()).await?;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

pub(super) async fn invitation_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    let app = &state.app;
    let made =
        membership::create_invitation(app, &user.person, &slug, form.get("days"), state.app.now())
            .await;
    let (new_link, errors, status) = match made {
        Ok(invitation) => (
            Some(invitation_url(&state, &invitation.token)),
            FormErrors::default(),
            StatusCode::OK,
        ),
        Err(AppError::Invalid(errors)) => (
            None,
            FormErrors::of(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => return Err(other.into()),
    };
    let mut page = people_template(&state, &viewer, &user.person, &slug, &cookie.or_utc()).await?;
    page.new_link = new_link;
    page.errors = errors;
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// The address of an invitation link.
pub(crate) fn invitation_url(state: &AppState, token: &str) -> String {
    state.app.site_url().link(&format!("/invitations/{token}"))
}

pub(super) async fn revoke_invitation_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    IdPath(id): IdPath<InvitationId>,
) -> Result<Response, PageError> {
    membership::revoke_invitation(&state.app, &user.person, &slug, &id, state.app.now()).await?;
    Ok(Redirect::to(&format!("/groups/{slug}/people")).into_response())
}

/// Saves how the group's rooms run.
pub(super) async fn room_settings_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = kith_app::rooms::RoomSettingsInput {
        turn_minutes: form.get("turn_minutes").to_owned(),
        opens_minutes: form.get("opens_minutes").to_owned(),
        closes_minutes: form.get("closes_minutes").to_owned(),
        keep_totals: form.get("keep_totals") == "on",
    };
    let saved = kith_app::rooms::save_settings(&state.app, &user.person, &slug, &input).await;
    let mut page = people_template(&state, &viewer, &user.person, &slug, &cookie.or_utc()).await?;
    let status = match saved {
        Ok(()) => {
            page.room_saved = true;
            StatusCode::OK
        }
        Err(AppError::Invalid(errors)) => {
            page.errors = FormErrors::of(&errors);
            page.room = input;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(other) => return Err(other.into()),
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

pub(super) async fn hand_over_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    let app = &state.app;
    match membership::hand_over(
        app,
        &user.person,
        &slug,
        form.get("handle"),
        state.app.now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{slug}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page =
                people_template(&state, &viewer, &user.person, &slug, &cookie.or_utc()).await?;
            page.errors = FormErrors::of(&errors);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render().map_err(WebError::from)?),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn announcement_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    if let Err(seconds) = state.limits.membership(user.person.id) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let text = form.get("text");
    let sent = membership::announce(&state.app, &user.person, &slug, text, state.app.now()).await;
    let mut page = people_template(&state, &viewer, &user.person, &slug, &cookie.or_utc()).await?;
    let status = match sent {
        Ok(count) => {
            page.announced = Some(count);
            StatusCode::OK
        }
        Err(AppError::Invalid(errors)) => {
            page.errors = FormErrors::of(&errors);
            page.announcement = text.to_owned();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(other) => return Err(other.into()),
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}
