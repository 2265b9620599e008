//! The mailing list, the subscriber's side, as pages: the signup form
//! (`/newsletter`, and the partial the home and resource pages embed when
//! an admin placed their form), "check your inbox" (the same page whatever
//! the address's state), the confirmation link (`GET` a button, `POST`
//! confirms: mail scanners follow links), the free download, the manage
//! page (interests, unsubscribe) and the unsubscribe link (`POST` is also
//! the RFC 8058 one-click target: no session, no CSRF token, see
//! `session::is_one_click_unsubscribe`). Members subscribe from
//! `/me/notifications` with their verified address (`member`). The JSON
//! side is in `api`.

pub mod api;
pub mod member;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kith_app::newsletter::{self, FormView, LinkRefusal, SignupInput};
use kith_app::{AppError, AppResult};

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::ClientIp;
use crate::forms::{FormErrors, FormPairs, looks_automated, wall_seconds};
use crate::messages::{Messages, messages};
use crate::pages::NoticePage;
use crate::session::{Nav, Viewer};
use crate::views::{Choice, choices};

/// The mailing list's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/newsletter", get(signup_page).post(signup_form))
        .route(
            "/newsletter/confirm/{token}",
            get(confirm_page).post(confirm_now),
        )
        .route("/newsletter/download/{token}", get(download))
        .route(
            "/newsletter/manage/{token}",
            get(manage_page).post(manage_form),
        )
        .route(
            "/newsletter/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe_now),
        )
        .merge(member::router())
}

/// What a signup form holds, to show it again as typed.
#[derive(Debug, Clone, Default)]
struct Typed {
    email: String,
    first_name: String,
    interests: Vec<String>,
}

impl Typed {
    fn of(form: &FormPairs) -> Self {
        Self {
            email: form.get("email").to_owned(),
            first_name: form.get("first_name").to_owned(),
            interests: chosen(form),
        }
    }
}

/// The interest codes checked on a form.
fn chosen(form: &FormPairs) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| *k == "interests")
        .map(|(_, v)| v.to_owned())
        .collect()
}

/// The signup form, as the newsletter page, the home page and resource
/// pages embed it.
#[derive(Template)]
#[template(path = "_newsletter_form.html")]
pub struct SignupFormPart {
    m: &'static Messages,
    csrf: String,
    placement: String,
    heading: String,
    intro: String,
    consent: String,
    download: Option<String>,
    interests: Vec<Choice>,
    typed: Typed,
    errors: FormErrors,
    shown_at: i64,
}

impl SignupFormPart {
    fn new(view: FormView, csrf: &str, typed: Typed, errors: FormErrors) -> Self {
        let labels: Vec<(&str, &str)> = view
            .interests
            .iter()
            .map(|i| (i.code.as_str(), i.label.as_str()))
            .collect();
        Self {
            m: messages(),
            csrf: csrf.to_owned(),
            interests: choices(labels, &typed.interests),
            placement: view.form.placement,
            heading: view.form.heading,
            intro: view.form.intro,
            consent: view.form.consent,
            download: view.form.download.map(|d| d.title),
            typed,
            errors,
            shown_at: wall_seconds(),
        }
    }

    /// The form as HTML to embed with `|safe`.
    pub fn html(&self) -> Result<String, WebError> {
        Ok(self.render()?)
    }
}

/// The signup form of `placement` as HTML, if an admin placed it; empty
/// otherwise (and when the store cannot say: a page never fails for it).
pub async fn placed_form_html(state: &AppState, viewer: &Viewer, placement: &str) -> String {
    match newsletter::placed_form(&state.app, placement).await {
        Ok(Some(view)) => {
            SignupFormPart::new(view, &viewer.csrf, Typed::default(), FormErrors::default())
                .html()
                .unwrap_or_default()
        }
        Ok(None) => String::new(),
        Err(err) => {
            tracing::warn!(error = %err, "could not read a signup form");
            String::new()
        }
    }
}

#[derive(Template)]
#[template(path = "newsletter_signup.html")]
struct SignupPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    form: String,
}

async fn signup_page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let view = newsletter::form(&state.app, newsletter::PAGE_PLACEMENT).await?;
    let form = SignupFormPart::new(view, &viewer.csrf, Typed::default(), FormErrors::default());
    render_signup(viewer.nav(), &form, StatusCode::OK)
}

fn render_signup(
    nav: Nav,
    form: &SignupFormPart,
    status: StatusCode,
) -> Result<Response, PageError> {
    let page = SignupPage {
        m: messages(),
        zone_from: "none",
        nav,
        form: form.html()?,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// The placement a form names: a known one, else the newsletter page's.
fn placement(form: &FormPairs) -> &str {
    match form.get("placement") {
        p @ ("home" | "resources") => p,
        _ => newsletter::PAGE_PLACEMENT,
    }
}

async fn signup_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    form: FormPairs,
) -> Result<Response, PageError> {
    state
        .limits
        .mail(ip, form.get("email"))
        .map_err(WebError::RateLimited)?;
    if looks_automated(&form) {
        // Say what a person would hear, and keep nothing.
        return check_inbox(viewer.nav());
    }
    let typed = Typed::of(&form);
    let first_name = Some(typed.first_name.as_str());
    let input = SignupInput {
        email: &typed.email,
        first_name,
        interests: &typed.interests,
        placement: placement(&form),
    };
    match newsletter::sign_up(&state.app, &input, state.app.now()).await? {
        Ok(_) => check_inbox(viewer.nav()),
        Err(refusal) => {
            // Refused on whichever form it came from, it is shown again
            // on the newsletter page, with what was typed.
            let view = newsletter::form(&state.app, input.placement).await?;
            let errors = ids_of_this_form(FormErrors::of(&refusal.fields));
            let part = SignupFormPart::new(view, &viewer.csrf, typed, errors);
            render_signup(viewer.nav(), &part, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// The summary's links point to this form's inputs (`nl-…`), which
/// differ from other forms' so a page may hold both.
fn ids_of_this_form(mut errors: FormErrors) -> FormErrors {
    for e in &mut errors.0 {
        e.id = e.id.replacen("f-", "nl-", 1);
    }
    errors
}

/// "Check your inbox": the one answer to every signup that was not
/// refused, whatever the address's state.
fn check_inbox(nav: Nav) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(
        nav,
        m.t("newsletter.sent_title"),
        m.t("newsletter.sent_text"),
    )
    .respond(StatusCode::OK)
}

/// The page for a link that expired or was used: a clear page with a way
/// on. (A link never made is the plain 404.)
fn refused_link(nav: Nav, refusal: LinkRefusal) -> Result<Response, PageError> {
    let m = messages();
    let (title, text, status) = match refusal {
        LinkRefusal::Used => (
            "newsletter.used_title",
            "newsletter.used_text",
            StatusCode::CONFLICT,
        ),
        LinkRefusal::Expired | LinkRefusal::Unknown => (
            "newsletter.expired_title",
            "newsletter.expired_text",
            StatusCode::GONE,
        ),
    };
    NoticePage::new(nav, m.t(title), m.t(text))
        .link("/newsletter", m.t("newsletter.sign_up_again"))
        .respond(status)
}

/// A link that was never made (or is gone with its subscriber).
fn unknown_link(nav: Nav) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(
        nav,
        m.t("newsletter.unknown_title"),
        m.t("newsletter.unknown_text"),
    )
    .respond(StatusCode::NOT_FOUND)
}

/// Renders a link's outcome: `page` when it works, the refusal's page
/// otherwise, the 404 page for a link never made.
fn on_link<T>(
    nav: Nav,
    outcome: AppResult<Result<T, LinkRefusal>>,
    page: impl FnOnce(Nav, T) -> Result<Response, PageError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(Ok(value)) => page(nav, value),
        Ok(Err(refusal)) => refused_link(nav, refusal),
        Err(AppError::NotFound) => unknown_link(nav),
        Err(err) => Err(err.into()),
    }
}

async fn confirm_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let outcome = newsletter::check_link(&state.app, &token, "confirm", state.app.now()).await;
    on_link(viewer.nav(), outcome, |nav, ()| {
        let m = messages();
        NoticePage::new(
            nav,
            m.t("newsletter.confirm_title"),
            m.t("newsletter.confirm_text"),
        )
        .button(
            &format!("/newsletter/confirm/{token}"),
            m.t("newsletter.confirm_submit"),
        )
        .respond(StatusCode::OK)
    })
}

#[derive(Template)]
#[template(path = "newsletter_confirmed.html")]
struct ConfirmedPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// The file's title and its link.
    download: Option<(String, String)>,
    manage: String,
}

async fn confirm_now(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let outcome = newsletter::confirm(&state.app, &token, state.app.now()).await;
    on_link(viewer.nav(), outcome, |nav, links| {
        let page = ConfirmedPage {
            m: messages(),
            zone_from: "none",
            nav,
            download: links.download.map(|(offer, url)| (offer.title, url)),
            manage: format!("/newsletter/manage/{}", links.manage_token),
        };
        Ok(Html(page.render().map_err(WebError::from)?).into_response())
    })
}

async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let outcome = newsletter::download(&state.app, &token, state.app.now()).await;
    on_link(viewer.nav(), outcome, |_, file| {
        let mut response = file.data.into_response();
        let headers = response.headers_mut();
        let disposition = crate::resources::content_disposition(&file.meta.name);
        for (name, value) in [
            (header::CONTENT_TYPE, file.meta.content_type.as_str()),
            (header::CONTENT_DISPOSITION, disposition.as_str()),
            (header::CACHE_CONTROL, "private, no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        Ok(response)
    })
}

#[derive(Template)]
#[template(path = "newsletter_manage.html")]
struct ManagePage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    token: String,
    interests: Vec<Choice>,
    errors: FormErrors,
    saved: bool,
}

fn render_manage(
    nav: Nav,
    token: &str,
    view: &newsletter::ManageView,
    picked: &[String],
    errors: FormErrors,
    saved: bool,
    status: StatusCode,
) -> Result<Response, PageError> {
    let labels: Vec<(&str, &str)> = view
        .interests
        .iter()
        .map(|i| (i.code.as_str(), i.label.as_str()))
        .collect();
    let page = ManagePage {
        m: messages(),
        zone_from: "none",
        nav,
        token: token.to_owned(),
        interests: choices(labels, picked),
        errors,
        saved,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn manage_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    query: crate::query::QueryPairs,
) -> Result<Response, PageError> {
    let outcome = newsletter::manage(&state.app, &token, state.app.now()).await;
    let saved = query.get("saved").is_some();
    on_link(viewer.nav(), outcome, |nav, view| {
        let picked = view.subscription.interests.clone();
        render_manage(
            nav,
            &token,
            &view,
            &picked,
            FormErrors::default(),
            saved,
            StatusCode::OK,
        )
    })
}

async fn manage_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let now = state.app.now();
    let picked = chosen(&form);
    match newsletter::set_interests(&state.app, &token, &picked, now).await {
        Err(AppError::Invalid(errors)) => {
            let outcome = newsletter::manage(&state.app, &token, now).await;
            on_link(viewer.nav(), outcome, |nav, view| {
                render_manage(
                    nav,
                    &token,
                    &view,
                    &picked,
                    ids_of_this_form(FormErrors::of(&errors)),
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            })
        }
        outcome => on_link(viewer.nav(), outcome, |_, ()| {
            Ok(
                axum::response::Redirect::to(&format!("/newsletter/manage/{token}?saved=1"))
                    .into_response(),
            )
        }),
    }
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let outcome = newsletter::check_link(&state.app, &token, "manage", state.app.now()).await;
    on_link(viewer.nav(), outcome, |nav, ()| {
        let m = messages();
        NoticePage::new(
            nav,
            m.t("newsletter.unsubscribe_title"),
            m.t("newsletter.unsubscribe_text"),
        )
        .button(
            &format!("/newsletter/unsubscribe/{token}"),
            m.t("newsletter.unsubscribe_submit"),
        )
        .respond(StatusCode::OK)
    })
}

/// The button's `POST`, or a mail client's one-click one
/// (`List-Unsubscribe=One-Click`).
async fn unsubscribe_now(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let outcome = newsletter::unsubscribe(&state.app, &token, state.app.now()).await;
    on_link(viewer.nav(), outcome, |nav, ()| unsubscribed(nav))
}

/// The page after unsubscribing.
pub(crate) fn unsubscribed(nav: Nav) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(
        nav,
        m.t("newsletter.unsubscribed_title"),
        m.t("newsletter.unsubscribed_text"),
    )
    .respond(StatusCode::OK)
}
