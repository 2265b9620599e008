//! Asking to join: the form for members and the one form for newcomers.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::AppError;
use kith_app::membership;
use kith_app::newcomer::{self, JoinOutcome};
use kith_domain::ids::Slug;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::SlugPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{Nav, Viewer};

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
    let profile = membership::group_to_join(&state.app, slug).await?;
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

pub(super) async fn join_page(
    State(state): State<AppState>,
    viewer: Viewer,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    let page = join_template(&state, &viewer, &slug, String::new(), FormErrors::default()).await?;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

pub(super) async fn join_form(
    State(state): State<AppState>,
    viewer: Viewer,
    ip: crate::extract::ClientIp,
    SlugPath(slug): SlugPath,
    cookie: crate::viewer::CookieZone,
    form: FormPairs,
) -> Result<Response, PageError> {
    let Some(person) = viewer.person.clone() else {
        // Nobody is logged in: the cookie's zone is the browser's own.
        let zone = cookie.0.as_ref();
        return newcomer_join(&state, &viewer, ip.0, &slug, zone, &form).await;
    };
    if let Err(seconds) = state.limits.membership(person.id) {
        return Err(PageError(WebError::RateLimited(seconds)));
    }
    let answer = form.get("answer");
    let asked =
        membership::ask_to_join(&state.app, &person, &slug, answer, None, state.app.now()).await;
    let errors = match asked {
        Ok(request) => {
            return Ok(Redirect::to(&format!("/requests/{}", request.id)).into_response());
        }
        Err(AppError::Invalid(errors)) => FormErrors::of(&errors),
        Err(AppError::Conflict(conflict)) => {
            FormErrors::general("answer", messages().of("conflict", conflict.code()))
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
    zone: Option<&kith_domain::zone::Zone>,
    form: &FormPairs,
) -> Result<Response, PageError> {
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
    let joined = newcomer::join(
        &state.app,
        slug,
        &registration,
        answer,
        zone,
        state.app.now(),
        || state.limits.register(ip),
    )
    .await;
    match joined {
        Ok(JoinOutcome::Sent) => {}
        Ok(JoinOutcome::Limited(seconds)) => {
            return Err(PageError(WebError::RateLimited(seconds)));
        }
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
    page.sent = true;
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}
