//! Feedback while waiting: the page a person lands on after confirming
//! their email (`/me/confirmed`) — where each request stands now, what
//! comes next, how long these hosts usually take — and the other groups a
//! waiting or declined person may go to meanwhile, as pages show them.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::directory::DirectoryResult;
use kith_app::membership::waiting;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav, Viewer};
use crate::viewer::CookieZone;
use crate::views::{MeetingView, place_label};

/// Another group to try, as a list shows it.
pub(crate) struct Suggestion {
    /// Its slug, for the link.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its next meeting in the reader's zone.
    pub next: MeetingView,
    /// Where it meets, or "Online".
    pub place: String,
}

/// The directory's results as suggestions.
pub(crate) fn suggestions(m: &Messages, results: Vec<DirectoryResult>) -> Vec<Suggestion> {
    results
        .into_iter()
        .map(|r| Suggestion {
            next: MeetingView::new(m, &r.next),
            place: place_label(m, r.hit.format, &r.hit.place),
            slug: r.hit.slug.to_string(),
            name: r.hit.name,
        })
        .collect()
}

/// One of the person's requests, and what comes next for it.
struct WaitingRequest {
    id: String,
    slug: String,
    group_name: String,
    state: &'static str,
    /// A code of `usual_answer.*`, when the hosts answered often enough.
    usual: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "confirmed.html")]
struct ConfirmedTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    handle: String,
    requests: Vec<WaitingRequest>,
    /// Groups open to anyone, meeting this week.
    suggested: Vec<Suggestion>,
}

/// After confirming: each request waiting for hosts (or just let in), with
/// what comes next, and groups open to anyone meanwhile.
pub(super) async fn confirmed_page(
    State(state): State<AppState>,
    user: CurrentUser,
    viewer: Viewer,
    cookie: CookieZone,
) -> Result<Response, PageError> {
    // Not confirmed yet: nothing here is true; their page says what to do.
    if !user.person.email_verified {
        return Ok(Redirect::to("/me").into_response());
    }
    let m = messages();
    let app = &state.app;
    let now = state.app.now();
    let (waiting, asked) = waiting::waiting_on(app, &user.person, now).await?;
    let requests = waiting
        .into_iter()
        .map(|w| WaitingRequest {
            id: w.request.id.to_string(),
            slug: w.request.slug.to_string(),
            group_name: w.request.group_name,
            state: w.request.state.code(),
            usual: w.usual.map(|u| u.code()),
        })
        .collect();
    let open_now = waiting::open_now(app, &cookie.or_utc(), &asked, now).await?;
    let page = ConfirmedTemplate {
        m,
        zone_from: "cookie",
        nav: viewer.nav(),
        handle: user.person.handle.to_string(),
        requests,
        suggested: suggestions(m, open_now),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}
