//! Comments under resources and stories, as pages: the thread a resource's
//! or story's page embeds ([`section`]), a comment's permalink, writing as
//! a member or a guest, confirming a guest's address, a guest's one-click
//! unsubscribe from reply mail, editing, deleting, and the held comments
//! moderators review. The JSON side is in `api`.

pub mod api;
mod view;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::AppError;
use kith_app::comments::{
    self, CommentInput, CommentModeration, GuestInput, SubjectKey, page_path, permalink,
};
use kith_domain::comment::{CommentStatus, Deletion};
use kith_domain::ids::{CommentId, StoryId};

use self::view::{CommentItem, items};
use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::{ClientIp, IdPath, SlugPath};
use crate::forms::{FormErrors, FormPairs, looks_automated, wall_seconds};
use crate::messages::{Messages, messages};
use crate::pages::NoticePage;
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav, Viewer};
use crate::viewer::{CookieZone, viewer_zone};

/// The comments' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resources/{slug}/comments", post(comment_on_resource))
        .route("/stories/{id}/comments", post(comment_on_story))
        .route(
            "/comments/confirm/{token}",
            get(confirm_page).post(confirm_now),
        )
        .route(
            "/comments/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe_now),
        )
        .route("/comments/{id}", get(comment_page))
        .route("/comments/{id}/edit", get(edit_page).post(edit_form))
        .route("/comments/{id}/delete", get(delete_page).post(delete_form))
        .route("/moderation/comments", get(held_page))
        .route("/moderation/comments/{id}/{decision}", post(moderate_form))
}

/// What a comment form holds, to show it again as it was typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    body: String,
    parent: String,
    group: String,
    guest_name: String,
    email: String,
    reply_mail: bool,
}

impl Draft {
    fn of(form: &FormPairs) -> Self {
        Self {
            body: form.get("body").to_owned(),
            parent: form.get("parent").to_owned(),
            group: form.get("group").to_owned(),
            guest_name: form.get("guest_name").to_owned(),
            email: form.get("email").to_owned(),
            reply_mail: form.get("reply_mail") == "on",
        }
    }
}

/// The comment form: a member writes under their handle, a visitor as a
/// guest with a name and an address that is never shown.
#[derive(Template)]
#[template(path = "comment_form.html")]
pub(crate) struct CommentForm {
    m: &'static Messages,
    csrf: String,
    action: String,
    member: bool,
    draft: Draft,
    errors: FormErrors,
    /// When the form was shown (the guest form's minimum fill time).
    shown_at: i64,
    /// The listed groups (slug, name) a host may point to.
    groups: Vec<(String, String)>,
}

/// The comments under a page, as its template embeds them.
#[derive(Template)]
#[template(path = "comments_section.html")]
pub struct CommentsSection {
    m: &'static Messages,
    count: u64,
    comments: Vec<CommentItem>,
    next: Option<String>,
    form: Option<CommentForm>,
}

impl CommentsSection {
    /// The section as HTML to embed with `|safe`.
    pub fn html(&self) -> Result<String, WebError> {
        Ok(self.render()?)
    }
}

fn comment_action(key: &SubjectKey) -> String {
    format!("{}/comments", page_path(key))
}

/// The listed groups a host may point a comment to. Read only for a
/// host: every logged-in reader of a page with comments gets the form.
async fn hosted_groups(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(String, String)>, WebError> {
    let Some(person) = viewer.person.as_ref().filter(|_| viewer.hosts) else {
        return Ok(Vec::new());
    };
    Ok(kith_app::hosting::my_groups(&state.app, person)
        .await?
        .into_iter()
        .filter(|g| g.status == kith_domain::group::ListingStatus::Listed)
        .map(|g| (g.slug.to_string(), g.name))
        .collect())
}

async fn form_for(
    state: &AppState,
    viewer: &Viewer,
    key: &SubjectKey,
    draft: Draft,
    errors: FormErrors,
) -> Result<CommentForm, WebError> {
    Ok(CommentForm {
        m: messages(),
        csrf: viewer.csrf.clone(),
        action: comment_action(key),
        member: viewer.person.is_some(),
        draft,
        errors,
        shown_at: wall_seconds(),
        groups: hosted_groups(state, viewer).await?,
    })
}

/// The comment thread a resource's or story's page embeds, rendered;
/// empty while the page is one readers may not comment on (a draft, a
/// story waiting for review), whose comments nobody but its writers sees.
pub async fn section_html(
    state: &AppState,
    viewer: &Viewer,
    cookie: &CookieZone,
    key: &SubjectKey,
    query: &QueryPairs,
) -> Result<String, WebError> {
    let zone = viewer_zone(query, cookie).unwrap_or_else(|_| cookie.or_utc());
    match section(state, viewer, &zone, key, query).await {
        Ok(section) => section.html(),
        Err(WebError::NotFound) => Ok(String::new()),
        Err(err) => Err(err),
    }
}

/// The comments under the page `key` names, from the `after` cursor in
/// `query`, as the reader may see them. `NotFound` if they may not read
/// the page.
pub async fn section(
    state: &AppState,
    viewer: &Viewer,
    zone: &kith_domain::zone::Zone,
    key: &SubjectKey,
    query: &QueryPairs,
) -> Result<CommentsSection, WebError> {
    let after = query.get("after").and_then(CommentId::parse);
    let now = state.app.now();
    let page =
        comments::thread(&state.app, viewer.person.as_ref(), key, after.as_ref(), now).await?;
    let form = if page.may_comment {
        Some(form_for(state, viewer, key, Draft::default(), FormErrors::default()).await?)
    } else {
        None
    };
    Ok(CommentsSection {
        m: messages(),
        count: page.count,
        comments: items(messages(), page.comments, zone, None),
        next: page
            .next
            .map(|cursor| format!("{}?after={cursor}#comments", page_path(key))),
        form,
    })
}

/// A comment's permalink: its whole thread, it marked, and a reply form.
#[derive(Template)]
#[template(path = "comment.html")]
struct CommentPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    title: String,
    page: String,
    comments: Vec<CommentItem>,
    reply: Option<CommentForm>,
}

async fn comment_page(
    State(state): State<AppState>,
    viewer: Viewer,
    cookie: CookieZone,
    query: QueryPairs,
    IdPath(id): IdPath<CommentId>,
) -> Result<Response, PageError> {
    let zone = viewer_zone(&query, &cookie).unwrap_or_else(|_| cookie.or_utc());
    let now = state.app.now();
    let thread = comments::comment_in_thread(&state.app, viewer.person.as_ref(), &id, now).await?;
    let focus = thread.comments.iter().find(|c| c.comment.id == id);
    let may_reply = focus.is_some_and(|c| c.comment.may_reply)
        || (viewer.person.is_none()
            && focus.is_some_and(|c| c.comment.status == CommentStatus::Published));
    let reply = if may_reply {
        let draft = Draft {
            parent: id.to_string(),
            ..Draft::default()
        };
        Some(form_for(&state, &viewer, &thread.key, draft, FormErrors::default()).await?)
    } else {
        None
    };
    let page = CommentPage {
        m: messages(),
        zone_from: "cookie",
        nav: viewer.nav(),
        title: thread.title,
        page: page_path(&thread.key),
        comments: items(messages(), thread.comments, &zone, Some(&id)),
        reply,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

/// The comment form alone, shown again with what was typed and why it was
/// refused.
#[derive(Template)]
#[template(path = "comment_refused.html")]
struct RefusedPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    page: String,
    form: CommentForm,
}

async fn refused(
    state: &AppState,
    viewer: &Viewer,
    key: &SubjectKey,
    form: &FormPairs,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let page = RefusedPage {
        m: messages(),
        zone_from: "none",
        nav: viewer.nav(),
        page: page_path(key),
        form: form_for(state, viewer, key, Draft::of(form), errors).await?,
    };
    Ok((status, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn comment_on_resource(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    write(&state, &viewer, ip, SubjectKey::Resource(slug), &form).await
}

async fn comment_on_story(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    IdPath(id): IdPath<StoryId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    write(&state, &viewer, ip, SubjectKey::Story(id), &form).await
}

async fn write(
    state: &AppState,
    viewer: &Viewer,
    ip: std::net::IpAddr,
    key: SubjectKey,
    form: &FormPairs,
) -> Result<Response, PageError> {
    let now = state.app.now();
    let parent = match form.get("parent") {
        "" => None,
        raw => Some(CommentId::parse(raw).ok_or(WebError::NotFound)?),
    };
    let outcome = match &viewer.person {
        Some(person) => {
            let input = CommentInput {
                body: form.get("body").to_owned(),
                parent,
                group: Some(form.get("group").to_owned()),
            };
            comments::post(&state.app, person, &key, &input, now)
                .await
                .map(Some)
        }
        None => {
            // A page nobody may comment on answers 404 before anything else.
            let subject = comments::subject(&state.app, None, &key).await?;
            state
                .limits
                .mail(ip, form.get("email"))
                .map_err(WebError::RateLimited)?;
            if looks_automated(form) {
                // Say what a person would hear, and keep nothing.
                return guest_sent(viewer.nav());
            }
            let input = GuestInput {
                name: form.get("guest_name").to_owned(),
                email: form.get("email").to_owned(),
                body: form.get("body").to_owned(),
                parent,
                reply_mail: form.get("reply_mail") == "on",
            };
            comments::post_as_guest(&state.app, &subject, &input, now)
                .await
                .map(|()| None)
        }
    };
    match outcome {
        Ok(Some(written)) => {
            Ok(
                Redirect::to(&format!("{}#c-{}", permalink(&written.id), written.id))
                    .into_response(),
            )
        }
        Ok(None) => guest_sent(viewer.nav()),
        Err(AppError::Invalid(errors)) => {
            refused(
                state,
                viewer,
                &key,
                form,
                FormErrors::of(&errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(conflict)) => {
            let m = messages();
            let errors = FormErrors::general("body", m.of("conflict", conflict.code()));
            refused(state, viewer, &key, form, errors, StatusCode::CONFLICT).await
        }
        Err(err) => Err(err.into()),
    }
}

fn guest_sent(nav: Nav) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(
        nav,
        m.t("comments.guest_sent_title"),
        m.t("comments.guest_sent_text"),
    )
    .respond(StatusCode::OK)
}

async fn confirm_page(viewer: Viewer, Path(token): Path<String>) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(
        viewer.nav(),
        m.t("comments.confirm_title"),
        m.t("comments.confirm_text"),
    )
    .button(
        &format!("/comments/confirm/{token}"),
        m.t("comments.confirm_submit"),
    )
    .respond(StatusCode::OK)
}

async fn confirm_now(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let m = messages();
    match comments::confirm_guest(&state.app, &token, state.app.now()).await {
        Ok(written) if written.status == CommentStatus::Published => NoticePage::new(
            viewer.nav(),
            m.t("comments.confirmed_title"),
            m.t("comments.confirmed_published"),
        )
        .link(&permalink(&written.id), m.t("comments.see_it"))
        .respond(StatusCode::OK),
        Ok(written) => NoticePage::new(
            viewer.nav(),
            m.t("comments.confirmed_title"),
            m.t("comments.confirmed_held"),
        )
        .link(&page_path(&written.key), m.t("comments.back_to_page"))
        .respond(StatusCode::OK),
        Err(AppError::NotFound) => invalid_link(viewer.nav()),
        Err(err) => Err(err.into()),
    }
}

fn invalid_link(nav: Nav) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(nav, m.t("link.invalid_title"), m.t("link.invalid_text"))
        .respond(StatusCode::NOT_FOUND)
}

/// A guest's unsubscribe link from a reply mail: a page with a button, so
/// a mail scanner's visit changes nothing.
async fn unsubscribe_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    match comments::guest_unsubscribe_link(&state.app, &token, state.app.now()).await {
        Ok(()) => {}
        Err(AppError::NotFound) => return invalid_link(viewer.nav()),
        Err(err) => return Err(err.into()),
    }
    let m = messages();
    NoticePage::new(
        viewer.nav(),
        m.t("comments.unsubscribe_title"),
        m.t("comments.unsubscribe_text"),
    )
    .button(
        &format!("/comments/unsubscribe/{token}"),
        m.t("comments.unsubscribe_submit"),
    )
    .respond(StatusCode::OK)
}

/// The one-click `POST`: from a mail client (`List-Unsubscribe=One-Click`,
/// with no session or CSRF token; see `session::is_one_click_unsubscribe`)
/// or the page's button.
async fn unsubscribe_now(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    match comments::unsubscribe_guest(&state.app, &token, state.app.now()).await {
        Ok(()) => {
            let m = messages();
            NoticePage::new(
                viewer.nav(),
                m.t("comments.unsubscribed_title"),
                m.t("comments.unsubscribed_text"),
            )
            .respond(StatusCode::OK)
        }
        Err(AppError::NotFound) => invalid_link(viewer.nav()),
        Err(err) => Err(err.into()),
    }
}

/// Changing one's comment.
#[derive(Template)]
#[template(path = "comment_edit.html")]
struct EditPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    id: String,
    body: String,
    errors: FormErrors,
}

async fn edit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
) -> Result<Response, PageError> {
    let now = state.app.now();
    let thread = comments::comment_in_thread(&state.app, Some(&user.person), &id, now).await?;
    let comment = thread
        .comments
        .into_iter()
        .find(|c| c.comment.id == id && c.comment.may_edit)
        .ok_or(WebError::NotFound)?;
    let page = EditPage {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        id: id.to_string(),
        body: comment.comment.markdown.unwrap_or_default(),
        errors: FormErrors::default(),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let body = form.get("body");
    let errors = match comments::edit(&state.app, &user.person, &id, body, state.app.now()).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!("{}#c-{id}", permalink(&id))).into_response());
        }
        Err(AppError::Invalid(errors)) => FormErrors::of(&errors),
        Err(AppError::Conflict(conflict)) => {
            FormErrors::general("body", messages().of("conflict", conflict.code()))
        }
        Err(err) => return Err(err.into()),
    };
    let page = EditPage {
        m: messages(),
        zone_from: "none",
        nav: user.viewer.nav(),
        id: id.to_string(),
        body: body.to_owned(),
        errors,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(page.render().map_err(WebError::from)?),
    )
        .into_response())
}

async fn delete_page(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
) -> Result<Response, PageError> {
    let now = state.app.now();
    let thread = comments::comment_in_thread(&state.app, Some(&user.person), &id, now).await?;
    if !thread
        .comments
        .iter()
        .any(|c| c.comment.id == id && c.comment.may_delete)
    {
        return Err(WebError::NotFound.into());
    }
    let m = messages();
    NoticePage::new(
        user.viewer.nav(),
        m.t("comments.delete_title"),
        m.t("comments.delete_text"),
    )
    .button(
        &format!("/comments/{id}/delete"),
        m.t("comments.delete_submit"),
    )
    .link(
        &format!("{}#c-{id}", permalink(&id)),
        m.t("comments.keep_it"),
    )
    .respond(StatusCode::OK)
}

async fn delete_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
) -> Result<Response, PageError> {
    let (key, left) = comments::delete(&state.app, &user.person, &id, state.app.now()).await?;
    let to = match left {
        Deletion::Placeholder => format!("{}#c-{id}", permalink(&id)),
        Deletion::Remove => format!("{}#comments", page_path(&key)),
    };
    Ok(Redirect::to(&to).into_response())
}

/// Held comments, for moderators.
#[derive(Template)]
#[template(path = "moderation_comments.html")]
struct HeldPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    held: Vec<HeldItem>,
    done: Option<String>,
}

struct HeldItem {
    id: String,
    byline: String,
    page: String,
    page_title: String,
    html: String,
    written: String,
}

async fn held_page(
    State(state): State<AppState>,
    user: CurrentUser,
    cookie: CookieZone,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let held = comments::held(&state.app, &user.person).await?;
    let zone = cookie.or_utc();
    let m = messages();
    let held = held
        .into_iter()
        .map(|h| HeldItem {
            id: h.comment.id.to_string(),
            byline: view::author_name(m, &h.comment.author),
            page: page_path(&h.comment.subject_key),
            page_title: h.comment.subject_title.clone(),
            html: h.html,
            written: crate::views::local_date_time(h.comment.created_at, &zone).0,
        })
        .collect();
    let page = HeldPage {
        m,
        zone_from: "cookie",
        nav: user.viewer.nav(),
        held,
        done: query.get("done").map(str::to_owned),
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn moderate_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = CommentId::parse(&id).ok_or(WebError::NotFound)?;
    let decision = CommentModeration::parse(&decision).ok_or(WebError::NotFound)?;
    comments::moderate(&state.app, &user.person, &id, decision, state.app.now()).await?;
    Ok(Redirect::to("/moderation/comments?done=1").into_response())
}
