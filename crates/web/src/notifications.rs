//! Which mail a person wants: `/me/notifications` (page) and
//! `GET`/`PUT /api/v1/me/notifications`; and one-click unsubscribe,
//! `/mail/unsubscribe/{token}` — `GET` shows a page with a button, `POST`
//! (RFC 8058, sent by mail clients without a session or CSRF token; see
//! `session::is_one_click_unsubscribe`) turns the mail's category off.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use kith_app::mail::NotificationPreferences;
use kith_app::{AppError, account_settings};
use kith_domain::mail_category::MailCategory;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::forms::{ApiJson, FormPairs};
use crate::messages::{Messages, messages};
use crate::pages::NoticePage;
use crate::session::{CurrentUser, Nav, Viewer};
use crate::views::{Choice, choices};

/// The preference and unsubscribe pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/me/notifications",
            get(preferences_page).post(preferences_form),
        )
        .route(
            "/mail/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe_now),
        )
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct PreferencesPage {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    choices: Vec<Choice>,
    group_names: bool,
    saved: bool,
    /// The daily journal reminder in words (it is set on the journal
    /// page, with its time).
    journal_reminder: String,
    /// The mailing list's section, rendered.
    newsletter: String,
}

async fn preferences_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: crate::query::QueryPairs,
) -> Result<Response, PageError> {
    let p = account_settings::preferences(&state.app, &user.person).await?;
    let m = messages();
    let reminder = kith_app::journal_reminder::setting(&state.app, &user.person).await?;
    let journal_reminder = match reminder.at.filter(|_| reminder.on) {
        Some(at) => format!("{} {at}.", m.t("notifications.journal_reminder_on")),
        None => m.t("notifications.journal_reminder_off").to_owned(),
    };
    let on: Vec<String> = MailCategory::BOXES
        .into_iter()
        .filter(|c| p.wants(*c))
        .map(|c| c.code().to_owned())
        .collect();
    let labels: Vec<(&str, &str)> = MailCategory::BOXES
        .into_iter()
        .map(|c| (c.code(), m.of("notifications", c.code())))
        .collect();
    let page = PreferencesPage {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        choices: choices(labels, &on),
        group_names: p.group_names_in_subjects,
        saved: query.get("saved").is_some(),
        journal_reminder,
        newsletter: crate::newsletter::member::section_html(&state, &user.viewer).await?,
    };
    Ok(Html(page.render().map_err(WebError::from)?).into_response())
}

async fn preferences_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let on = |key: &str| form.get(key) == "on";
    let category = |c: MailCategory| on(c.code());
    let preferences = NotificationPreferences {
        reminder_24h: category(MailCategory::Reminder24h),
        reminder_1h: category(MailCategory::Reminder1h),
        announcements: category(MailCategory::Announcements),
        meeting_changes: category(MailCategory::MeetingChanges),
        comment_replies: category(MailCategory::CommentReplies),
        group_names_in_subjects: on("group_names_in_subjects"),
        // Not saved with these: the journal page sets it, with its time.
        journal_reminder: false,
    };
    account_settings::set_preferences(&state.app, &user.person, &preferences, state.app.now())
        .await?;
    Ok(Redirect::to("/me/notifications?saved=1").into_response())
}

fn invalid_unsubscribe(nav: Nav) -> Result<Response, PageError> {
    let m = messages();
    NoticePage::new(nav, m.t("link.invalid_title"), m.t("link.invalid_text"))
        .link("/me/notifications", m.t("me.notifications"))
        .respond(StatusCode::NOT_FOUND)
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let category = match account_settings::unsubscribe_category(&state.app, &token).await {
        Ok(category) => category,
        Err(AppError::NotFound) => return invalid_unsubscribe(viewer.nav()),
        Err(err) => return Err(err.into()),
    };
    let m = messages();
    let lead = format!(
        "{} {}.",
        m.t("unsubscribe.lead"),
        m.of("unsubscribe.category", category.code())
    );
    NoticePage::new(viewer.nav(), m.t("unsubscribe.title"), &lead)
        .button(
            &format!("/mail/unsubscribe/{token}"),
            m.t("unsubscribe.submit"),
        )
        .respond(StatusCode::OK)
}

/// The one-click `POST`: from a mail client (`List-Unsubscribe=One-Click`)
/// or the page's button.
async fn unsubscribe_now(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    match account_settings::unsubscribe(&state.app, &token, state.app.now()).await {
        Ok(_) => {
            let m = messages();
            NoticePage::new(
                viewer.nav(),
                m.t("unsubscribe.done_title"),
                m.t("unsubscribe.done_text"),
            )
            .link("/me/notifications", m.t("me.notifications"))
            .respond(StatusCode::OK)
        }
        Err(AppError::NotFound) => invalid_unsubscribe(viewer.nav()),
        Err(err) => Err(err.into()),
    }
}

/// What mail a person wants. Confirmations, password resets and answers
/// to one's own requests always come.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreferencesJson {
    /// A reminder 24 hours before a meeting (default on).
    pub reminder_24h: bool,
    /// A reminder 1 hour before a meeting (default on).
    pub reminder_1h: bool,
    /// Hosts' announcements (default on).
    pub announcements: bool,
    /// A meeting was cancelled or moved (default on).
    pub meeting_changes: bool,
    /// Someone answered one's comment (default on). Left out of a `PUT`,
    /// it stays as it was.
    #[serde(default)]
    pub comment_replies: Option<bool>,
    /// Group names in subjects (default off: subjects stay neutral).
    pub group_names_in_subjects: bool,
}

impl From<NotificationPreferences> for PreferencesJson {
    fn from(p: NotificationPreferences) -> Self {
        Self {
            reminder_24h: p.reminder_24h,
            reminder_1h: p.reminder_1h,
            announcements: p.announcements,
            meeting_changes: p.meeting_changes,
            comment_replies: Some(p.comment_replies),
            group_names_in_subjects: p.group_names_in_subjects,
        }
    }
}

/// The person's mail preferences.
#[utoipa::path(
    get,
    path = "/api/v1/me/notifications",
    tag = "accounts",
    responses(
        (status = 200, description = "The preferences", body = PreferencesJson),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_preferences(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<PreferencesJson>, ApiError> {
    Ok(Json(
        account_settings::preferences(&state.app, &user.person)
            .await?
            .into(),
    ))
}

/// Replaces the person's mail preferences.
#[utoipa::path(
    put,
    path = "/api/v1/me/notifications",
    tag = "accounts",
    request_body = PreferencesJson,
    responses(
        (status = 200, description = "Saved; the preferences now", body = PreferencesJson),
        (status = 400, description = "Not all of the five required fields, as booleans", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_preferences(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PreferencesJson>,
) -> Result<Json<PreferencesJson>, ApiError> {
    let app = &state.app;
    let comment_replies = match body.comment_replies {
        Some(wanted) => wanted,
        None => {
            account_settings::preferences(app, &user.person)
                .await?
                .comment_replies
        }
    };
    let preferences = NotificationPreferences {
        reminder_24h: body.reminder_24h,
        reminder_1h: body.reminder_1h,
        announcements: body.announcements,
        meeting_changes: body.meeting_changes,
        comment_replies,
        group_names_in_subjects: body.group_names_in_subjects,
        // Not saved with these: the journal page sets it, with its time.
        journal_reminder: false,
    };
    account_settings::set_preferences(app, &user.person, &preferences, state.app.now()).await?;
    Ok(Json(
        account_settings::preferences(app, &user.person)
            .await?
            .into(),
    ))
}
