//! Writing a story (`/stories/new`) and editing one's own
//! (`/stories/{id}/edit`): one form, re-rendered with what was typed and
//! each field's error when refused. Writing needs a confirmed email, as
//! listing a group does.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kith_app::stories::{self, StoryView};
use kith_app::{AppError, Conflict};
use kith_domain::ids::StoryId;
use kith_domain::story::StoryInput;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::forms::{FormErrors, FormPairs};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};

#[derive(Template)]
#[template(path = "story_form.html")]
struct FormTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// `/stories/new` or `/stories/{id}/edit`.
    action: String,
    /// The story being edited, if any.
    editing: Option<String>,
    /// Its status, for the note above the form.
    status: &'static str,
    /// The moderators' note on a declined story.
    review_note: Option<String>,
    input: StoryInput,
    errors: FormErrors,
}

impl FormTemplate {
    fn new(nav: Nav, input: StoryInput) -> Self {
        Self {
            m: messages(),
            zone_from: "none",
            nav,
            action: "/stories/new".to_owned(),
            editing: None,
            status: "",
            review_note: None,
            input,
            errors: FormErrors::default(),
        }
    }

    fn editing(nav: Nav, view: &StoryView, input: StoryInput) -> Self {
        Self {
            action: format!("/stories/{}/edit", view.id),
            editing: Some(view.id.to_string()),
            status: view.status.code(),
            review_note: view.review_note.clone(),
            ..Self::new(nav, input)
        }
    }

    fn respond(self, status: StatusCode) -> Result<Response, PageError> {
        Ok((status, Html(self.render().map_err(WebError::from)?)).into_response())
    }
}

/// What the person typed; an unticked box is simply absent.
fn typed(form: &FormPairs) -> StoryInput {
    StoryInput {
        title: form.get("title").to_owned(),
        body: form.get("story").to_owned(),
        anonymous: form.get("anonymous") == "on",
    }
}

pub(super) async fn new_page(user: CurrentUser) -> Result<Response, PageError> {
    if !user.person.email_verified {
        return crate::account_settings::verification_needed(user.viewer.nav(), StatusCode::OK);
    }
    FormTemplate::new(user.viewer.nav(), StoryInput::default()).respond(StatusCode::OK)
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = typed(&form);
    match stories::write_story(&state.app, &user.person, &input, state.app.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/stories/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = FormTemplate::new(user.viewer.nav(), input);
            page.errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(Conflict::EmailUnverified)) => {
            crate::account_settings::verification_needed(user.viewer.nav(), StatusCode::CONFLICT)
        }
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
) -> Result<Response, PageError> {
    let view = stories::own_story(&state.app, &user.person, &id).await?;
    // A waiting edit is what the author goes on from.
    let text = view.text_to_review().clone();
    let input = StoryInput {
        title: text.title,
        body: text.body,
        anonymous: text.anonymous,
    };
    FormTemplate::editing(user.viewer.nav(), &view, input).respond(StatusCode::OK)
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<StoryId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = typed(&form);
    let app = &state.app;
    match stories::edit_story(app, &user.person, &id, &input, app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/stories/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = stories::own_story(app, &user.person, &id).await?;
            let mut page = FormTemplate::editing(user.viewer.nav(), &view, input);
            page.errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(err) => Err(err.into()),
    }
}
