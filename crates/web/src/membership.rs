//! Joining groups in HTML: asking to join (`/groups/{slug}/join`), a
//! request's page with its private thread (`/requests/{id}`), the hosts'
//! page of requests, members and invitations (`/groups/{slug}/people`),
//! invitation links (`/invitations/{token}`) and RSVPs. The JSON routes are
//! in [`api`].

pub mod api;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::membership::{self, GroupPeople, Reader, RequestView};
use kith_app::{AppError, access::Person};
use kith_domain::ids::{OccurrenceId, RequestId, Slug};
use kith_domain::membership::Decision;
use kith_store::membership::RequestRecord;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav, Viewer};
use crate::views::local_date_time;

/// The joining routes in HTML.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups/{slug}/join", get(join_page).post(join_form))
        .route("/groups/{slug}/people", get(people_page))
        .route("/groups/{slug}/invitations", post(invitation_form))
        .route(
            "/groups/{slug}/invitations/{id}/revoke",
            post(revoke_invitation_form),
        )
        .route("/groups/{slug}/hand-over", post(hand_over_form))
        .route("/groups/{slug}/announcements", post(announcement_form))
        .route("/requests/{id}", get(request_page))
        .route("/requests/{id}/messages", post(message_form))
        .route("/requests/{id}/{action}", post(request_action_form))
        .route(
            "/invitations/{token}",
            get(invitation_page).post(accept_invitation_form),
        )
        .route("/meetings/{id}/rsvp", post(rsvp_form))
}

pub(crate) fn parse_slug(raw: &str) -> Result<Slug, WebError> {
    Slug::parse(raw).ok_or(WebError::NotFound)
}

pub(crate) fn parse_request(raw: &str) -> Result<RequestId, WebError> {
    RequestId::parse(raw).ok_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    slug: String,
    name: String,
    policy: &'static str,
    question: String,
    answer: String,
    /// A newcomer's handle and email, kept when the form is refused.
    handle: String,
    email: String,
    /// A newcomer's account and request were taken: check your mail.
    sent: bool,
    errors: FormErrors,
}

async fn join_template(
    state: &AppState,
    viewer: &Viewer,
    slug: &Slug,
    answer: String,
    errors: FormErrors,
) -> Result<JoinTemplate, WebError> {
    let profile = state
        .store
        .listed_group(slug)
        .await
        .map_err(AppError::from)?;
    Ok(JoinTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        slug: slug.to_string(),
        name: profile.name,
        policy: profile.join.policy.code(),
        question: profile.join.question,
        answer,
        handle: String::new(),
        email: String::new(),
        sent: false,
        errors,
    })
}

async fn join_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    let page = join_template(&state, &viewer, &slug, String::new(), FormErrors::default()).await?;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn join_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ip: crate::accounts::ClientIp,
    Path(slug): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    let Some(person) = viewer.person.clone() else {
        return newcomer_join(&state, &viewer, ip.0, &slug, &form).await;
    };
    if let Err(seconds) = state.limits.membership(person.id) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let answer = form.get("answer");
    let asked = membership::ask_to_join(
        state.store.as_ref(),
        &state.mail_site,
        &person,
        &slug,
        answer,
        None,
        state.clock.now(),
    )
    .await;
    state.mail_wake.notify_one();
    let errors = match asked {
        Ok(request) => {
            return Ok(Redirect::to(&format!("/requests/{}", request.id)).into_response());
        }
        Err(AppError::Invalid(errors)) => FormErrors::of(&errors),
        Err(AppError::Conflict(code)) => {
            FormErrors::general("answer", messages().of("conflict", code))
        }
        Err(other) => return Err(other.into()),
    };
    let page = join_template(&state, &viewer, &slug, answer.to_owned(), errors).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(page.render().map_err(WebError::from)?),
    )
        .into_response())
}

/// One form for a newcomer: it creates the account (which mails a link to
/// confirm the address) and holds the request until that link is opened.
/// The answer is the same whether or not the email was known already, so
/// the form reveals nobody's address.
async fn newcomer_join(
    state: &AppState,
    viewer: &Viewer,
    ip: std::net::IpAddr,
    slug: &Slug,
    form: &FormPairs,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let answer = form.get("answer");
    let registration = kith_app::accounts::Registration {
        handle: form.get("handle").to_owned(),
        email: form.get("email").to_owned(),
        password: form.get("password").to_owned(),
    };
    let mut page = join_template(
        state,
        viewer,
        slug,
        answer.to_owned(),
        FormErrors::default(),
    )
    .await?;
    page.handle = registration.handle.clone();
    page.email = registration.email.clone();
    let profile = store.listed_group(slug).await.map_err(AppError::from)?;
    if profile.join.policy == kith_domain::membership::JoinPolicy::InviteOnly {
        return Err(WebError::Conflict("invitation_required").into());
    }
    let checked = membership::check_answer(&profile.join, answer, false).and(Ok(()));
    if let Err(seconds) = state.limits.register(ip) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let registered = match checked {
        Ok(()) => {
            kith_app::accounts::register(store, &state.hasher, &state.mail_site, &registration, now)
                .await
        }
        Err(err) => Err(err),
    };
    match registered {
        Ok(()) => {}
        Err(AppError::Invalid(errors)) => {
            page.errors = FormErrors::of(&errors);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render().map_err(WebError::from)?),
            )
                .into_response());
        }
        Err(other) => return Err(other.into()),
    }
    // A new account has this handle only if registering created it (a
    // taken handle is refused above; a taken email creates nothing).
    let handle = kith_domain::account::Handle::parse(&registration.handle)
        .map_err(|e| WebError::Invalid(vec![e]))?;
    if let Some(account) = store
        .account_by_handle(&handle)
        .await
        .map_err(AppError::from)?
    {
        let newcomer = Person {
            id: account.id,
            handle,
            role: account.role,
            email_verified: false,
        };
        membership::ask_to_join(store, &state.mail_site, &newcomer, slug, answer, None, now)
            .await?;
    }
    state.mail_wake.notify_one();
    page.sent = true;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

/// One message of a thread, ready for the page.
struct MessageView {
    author: String,
    from_host: bool,
    when: String,
    datetime: String,
    body: String,
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    view: RequestView,
    host: bool,
    /// The person who asked has not confirmed their email yet.
    held: bool,
    state: &'static str,
    messages: Vec<MessageView>,
    body: String,
    errors: FormErrors,
}

fn request_template(
    viewer: &Viewer,
    zone: &kith_domain::zone::Zone,
    view: RequestView,
    body: String,
    errors: FormErrors,
) -> RequestTemplate {
    let m = messages();
    let messages = view
        .thread
        .iter()
        .map(|message| {
            let (when, datetime) = local_date_time(m, message.created_at, zone);
            MessageView {
                author: message
                    .author
                    .clone()
                    .unwrap_or_else(|| m.t("request.former_host").to_owned()),
                from_host: message.from_host,
                when,
                datetime,
                body: message.body.clone(),
            }
        })
        .collect();
    RequestTemplate {
        m,
        zone_from: "cookie",
        nav: viewer.nav(),
        host: view.reader == Reader::Host,
        held: view.reader == Reader::Seeker
            && view.request.state == kith_domain::membership::RequestState::Pending
            && !viewer.person.as_ref().is_some_and(|p| p.email_verified),
        state: view.request.state.code(),
        view,
        messages,
        body,
        errors,
    }
}

async fn request_page(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_request(&id)?;
    let view = membership::request_view(state.store.as_ref(), &user.person, &id).await?;
    let page = request_template(
        &viewer,
        &cookie.or_utc(),
        view,
        String::new(),
        FormErrors::default(),
    );
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn message_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    Path(id): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let id = parse_request(&id)?;
    if let Err(seconds) = state.limits.membership(user.person.id) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let store = state.store.as_ref();
    let body = form.get("text");
    let errors = match membership::post_message(
        store,
        &state.mail_site,
        &user.person,
        &id,
        body,
        state.clock.now(),
    )
    .await
    {
        Ok(()) => return Ok(Redirect::to(&format!("/requests/{id}#thread-end")).into_response()),
        Err(AppError::Invalid(errors)) => FormErrors::of(&errors),
        Err(AppError::Conflict(code)) => {
            FormErrors::general("text", messages().of("conflict", code))
        }
        Err(other) => return Err(other.into()),
    };
    let view = membership::request_view(store, &user.person, &id).await?;
    let page = request_template(&viewer, &cookie.or_utc(), view, body.to_owned(), errors);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(page.render().map_err(WebError::from)?),
    )
        .into_response())
}

/// approve, decline, withdraw (or leave), remove, block.
async fn request_action_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let id = parse_request(&id)?;
    let request = request_action(
        &state,
        &user.person,
        &id,
        &action,
        form.get("decision_note"),
    )
    .await?;
    let to = match action.as_str() {
        "remove" | "block" => format!("/groups/{}/people", request.slug),
        _ => format!("/requests/{id}"),
    };
    Ok(Redirect::to(&to).into_response())
}

/// Runs one of a request's actions by its name in the URL.
pub(crate) async fn request_action(
    state: &AppState,
    person: &Person,
    id: &RequestId,
    action: &str,
    message: &str,
) -> Result<RequestRecord, WebError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let site = &state.mail_site;
    let transition = match action {
        "approve" => {
            membership::decide(store, site, person, id, Decision::Approve, message, now).await
        }
        "decline" => {
            membership::decide(store, site, person, id, Decision::Decline, message, now).await
        }
        "withdraw" => membership::withdraw(store, site, person, id, now).await,
        "remove" => membership::remove(store, site, person, id, false, now).await,
        "block" => membership::remove(store, site, person, id, true, now).await,
        _ => return Err(WebError::NotFound),
    }?;
    state.mail_wake.notify_one();
    Ok(transition.request)
}

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
    let store = state.store.as_ref();
    let GroupPeople {
        pending,
        waitlisted,
        members,
        invitations,
    } = membership::group_people(store, person, slug).await?;
    let profile = store
        .managed_group(slug)
        .await
        .map_err(AppError::from)?
        .profile;
    let now = state.clock.now();
    let people = |records: Vec<RequestRecord>| -> Vec<PersonView> {
        records
            .into_iter()
            .map(|r| PersonView {
                request: r.id.to_string(),
                handle: r.handle,
                answer: r.answer,
                since: local_date_time(m, r.state_changed_at, zone).0,
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
                id: i.id,
                created_by: i.created_by.unwrap_or_default(),
                expires: local_date_time(m, i.expires_at, zone).0,
                revoked: i.revoked_at.is_some(),
                expired: i.expires_at <= now,
            })
            .collect(),
        new_link: None,
        announced: None,
        announcement: String::new(),
        errors: FormErrors::default(),
    })
}

async fn people_page(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    let page = people_template(&state, &viewer, &user.person, &slug, &cookie.or_utc()).await?;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn invitation_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    let store = state.store.as_ref();
    let made = membership::create_invitation(
        store,
        &user.person,
        &slug,
        form.get("days"),
        state.clock.now(),
    )
    .await;
    let (new_link, errors, status) = match made {
        Ok(invitation) => (
            Some(invitation_url(&state, &headers, &invitation.token)),
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
pub(crate) fn invitation_url(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    token: &str,
) -> String {
    format!(
        "{}/invitations/{token}",
        crate::me::site(state, headers).trim_end_matches('/')
    )
}

async fn revoke_invitation_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    membership::revoke_invitation(
        state.store.as_ref(),
        &user.person,
        &slug,
        &id,
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/groups/{slug}/people")).into_response())
}

async fn hand_over_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    Path(slug): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    let store = state.store.as_ref();
    match membership::hand_over(
        store,
        &user.person,
        &slug,
        form.get("handle"),
        state.clock.now(),
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

async fn announcement_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    Path(slug): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let slug = parse_slug(&slug)?;
    if let Err(seconds) = state.limits.membership(user.person.id) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let text = form.get("text");
    let sent = membership::announce(
        state.store.as_ref(),
        &state.mail_site,
        &user.person,
        &slug,
        text,
        state.clock.now(),
    )
    .await;
    let mut page = people_template(&state, &viewer, &user.person, &slug, &cookie.or_utc()).await?;
    let status = match sent {
        Ok(count) => {
            state.mail_wake.notify_one();
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

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    token: String,
    /// The group's slug and name; `None` for a link that does not work.
    group: Option<(String, String)>,
}

async fn invitation_template(
    state: &AppState,
    viewer: &Viewer,
    token: &str,
) -> Result<InvitationTemplate, WebError> {
    let store = state.store.as_ref();
    let group = match membership::invitation_group(store, token, state.clock.now()).await? {
        Some(slug) => match store.listed_group(&slug).await {
            Ok(profile) => Some((slug.to_string(), profile.name)),
            Err(kith_store::StoreError::NotFound) => None,
            Err(other) => return Err(AppError::from(other).into()),
        },
        None => None,
    };
    Ok(InvitationTemplate {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        token: token.to_owned(),
        group,
    })
}

/// Every wrong, expired or revoked link gets the same page.
fn invitation_response(page: &InvitationTemplate) -> Result<Response, PageError> {
    let status = if page.group.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn invitation_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let page = invitation_template(&state, &viewer, &token).await?;
    invitation_response(&page)
}

async fn accept_invitation_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let page = invitation_template(&state, &viewer, &token).await?;
    let Some((slug, _)) = &page.group else {
        return invitation_response(&page);
    };
    let slug = parse_slug(slug)?;
    let request = membership::ask_to_join(
        state.store.as_ref(),
        &state.mail_site,
        &user.person,
        &slug,
        "",
        Some(&token),
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/requests/{}", request.id)).into_response())
}

async fn rsvp_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let id = OccurrenceId::parse(&id).ok_or(WebError::NotFound)?;
    let attending = match form.get("attending") {
        "yes" => true,
        "no" => false,
        _ => return Err(WebError::MalformedBody.into()),
    };
    membership::set_attending(
        state.store.as_ref(),
        &user.person,
        &id,
        attending,
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to("/me#meetings").into_response())
}
