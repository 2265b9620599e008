//! A request's page: its state, the private thread, and each side's actions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::membership::RequestRecord;
use kith_app::membership::waiting;
use kith_app::membership::{self, Reader, RequestView};
use kith_app::{AppError, access::Person};
use kith_domain::ids::RequestId;
use kith_domain::membership::{Decision, RequestState};

use super::ActionParam;
use super::waiting::{Suggestion, suggestions};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav, Viewer};
use crate::views::local_date_time;

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
    /// For a declined seeker (a block reads the same): similar groups.
    suggested: Vec<Suggestion>,
    /// For the seeker: the hosts who wrote in the thread, whom they may
    /// report or block from here.
    hosts_who_wrote: Vec<String>,
}

async fn request_template(
    state: &AppState,
    viewer: &Viewer,
    zone: &kith_domain::zone::Zone,
    view: RequestView,
    body: String,
    errors: FormErrors,
) -> Result<RequestTemplate, WebError> {
    let m = messages();
    // The seeker's view already reads a block as a decline, so both get
    // the same words and the same suggestions.
    let declined = view.reader == Reader::Seeker && view.request.state == RequestState::Declined;
    let suggested = if declined {
        let person = viewer.person.as_ref().ok_or(WebError::NotFound)?;
        let similar = waiting::similar_groups(
            &state.app,
            person,
            &view.request.slug,
            zone,
            state.app.now(),
        )
        .await?;
        suggestions(m, similar)
    } else {
        Vec::new()
    };
    let messages = view
        .thread
        .iter()
        .map(|message| {
            let (when, datetime) = local_date_time(message.created_at, zone);
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
    let hosts_who_wrote = if view.reader == Reader::Seeker {
        hosts_who_wrote(&view)
    } else {
        Vec::new()
    };
    Ok(RequestTemplate {
        m,
        zone_from: "cookie",
        nav: viewer.nav(),
        host: view.reader == Reader::Host,
        held: view.reader == Reader::Seeker && kith_app::access::is_held(&view.request),
        state: view.request.state.code(),
        view,
        messages,
        body,
        errors,
        suggested,
        hosts_who_wrote,
    })
}

/// The handles of the hosts who wrote in a thread, each once, in the order
/// they first wrote: the only hosts a seeker knows by name.
fn hosts_who_wrote(view: &RequestView) -> Vec<String> {
    let mut handles: Vec<String> = Vec::new();
    for message in view.thread.iter().filter(|m| m.from_host) {
        if let Some(author) = &message.author
            && !handles.contains(author)
        {
            handles.push(author.clone());
        }
    }
    handles
}

pub(super) async fn request_page(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    IdPath(id): IdPath<RequestId>,
) -> Result<Response, PageError> {
    let view = membership::request_view(&state.app, &user.person, &id).await?;
    let page = request_template(
        &state,
        &viewer,
        &cookie.or_utc(),
        view,
        String::new(),
        FormErrors::default(),
    )
    .await?;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

pub(super) async fn message_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: crate::viewer::CookieZone,
    IdPath(id): IdPath<RequestId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    if let Err(seconds) = state.limits.membership(user.person.id) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let app = &state.app;
    let body = form.get("text");
    let errors = match membership::post_message(app, &user.person, &id, body, state.app.now()).await
    {
        Ok(()) => return Ok(Redirect::to(&format!("/requests/{id}#thread-end")).into_response()),
        Err(AppError::Invalid(errors)) => FormErrors::of(&errors),
        Err(other) => return Err(other.into()),
    };
    let view = membership::request_view(app, &user.person, &id).await?;
    let page = request_template(
        &state,
        &viewer,
        &cookie.or_utc(),
        view,
        body.to_owned(),
        errors,
    )
    .await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(page.render().map_err(WebError::from)?),
    )
        .into_response())
}

/// approve, decline, withdraw (or leave), remove, block. What cannot be
/// undone asks first: the first POST only shows what it means (see
/// [`super::confirm`]); the one sent back with `confirmed=yes` acts.
pub(super) async fn request_action_form(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    IdPath(id): IdPath<RequestId>,
    Path(ActionParam { action }): Path<ActionParam>,
    form: FormPairs,
) -> Result<Response, PageError> {
    if super::confirm::needs_confirming(&action) && form.get("confirmed") != "yes" {
        return super::confirm::confirm_page(&state, &user.person, &viewer, &id, &action, &form)
            .await;
    }
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
    let app = &state.app;
    let now = state.app.now();
    let transition = match action {
        "approve" => membership::decide(app, person, id, Decision::Approve, message, now).await,
        "decline" => membership::decide(app, person, id, Decision::Decline, message, now).await,
        "withdraw" => membership::withdraw(app, person, id, now).await,
        "remove" => membership::remove(app, person, id, false, now).await,
        "block" => membership::remove(app, person, id, true, now).await,
        _ => return Err(WebError::NotFound),
    }?;
    Ok(transition.request)
}
