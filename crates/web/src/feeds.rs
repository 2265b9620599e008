//! Feeds: `GET /groups/{slug}/calendar.ics`, a listed group's public
//! calendar (RFC 5545; anything else is 404, as on its page), and
//! `GET /feeds/meeting-guide.json`, every listed group's weekly meetings in
//! the Meeting Guide format. Both are the same for everyone; a person's own
//! calendar, `/me/calendar.ics`, is private.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kith_app::feeds::meeting_guide::FocusWords;
use kith_app::feeds::{CalendarWords, PrivateWords, group_calendar, meeting_guide_feed};
use kith_domain::group::Focus;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::extract::SlugPath;
use crate::messages::{Messages, messages};
use crate::security::{PUBLIC_REVALIDATE, same_for_everyone};

/// The feeds' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups/{slug}/calendar.ics", get(calendar))
        .route("/feeds/meeting-guide.json", get(meeting_guide))
        .route("/me/calendar.ics", get(personal_calendar))
}

async fn calendar(
    State(state): State<AppState>,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    let m = messages();
    let words = CalendarWords {
        name: m.t("calendar.name"),
        summary: m.t("calendar.summary"),
        description: m.t("calendar.description"),
    };
    let ics = group_calendar(&state.app, &slug, words, state.app.now())
        .await
        .map_err(WebError::from)?;
    Ok(same_for_everyone(
        PUBLIC_REVALIDATE,
        (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "inline; filename=\"kith.ics\""),
            ],
            ics,
        ),
    ))
}

impl FocusWords for Messages {
    fn focus_label(&self) -> &str {
        self.t("feed.focus")
    }

    fn focus_name(&self, focus: Focus) -> &str {
        self.of("focus", focus.code())
    }
}

async fn meeting_guide(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let feed = meeting_guide_feed(&state.app, messages(), state.app.now())
        .await
        .map_err(WebError::from)?;
    let etag = (header::ETAG, feed.etag.clone());
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == feed.etag));
    // Anyone may keep the feed; the entity tag makes asking again cheap.
    if unchanged {
        return Ok(same_for_everyone(
            PUBLIC_REVALIDATE,
            (axum::http::StatusCode::NOT_MODIFIED, [etag]),
        ));
    }
    Ok(same_for_everyone(
        PUBLIC_REVALIDATE,
        (
            [(header::CONTENT_TYPE, "application/json".to_owned()), etag],
            axum::body::Bytes::from_owner(FeedJson(feed)),
        ),
    ))
}

/// The cached feed's JSON as a response body, without copying it.
struct FeedJson(std::sync::Arc<kith_app::feeds::FeedBody>);

impl AsRef<[u8]> for FeedJson {
    fn as_ref(&self) -> &[u8] {
        &self.0.json
    }
}

/// A person's own calendar, `/me/calendar.ics?token=…`: the token is the
/// only key (calendar apps send no cookie); an unknown one is 404.
async fn personal_calendar(
    State(state): State<AppState>,
    query: crate::query::QueryPairs,
) -> Result<Response, PageError> {
    let token = query.get("token").unwrap_or_default();
    let m = messages();
    let words = CalendarWords {
        name: m.t("calendar.name"),
        summary: m.t("calendar.summary"),
        description: m.t("calendar.description"),
    };
    let private = PrivateWords {
        call_link: m.t("calendar.call_link"),
        dial_in: m.t("calendar.dial_in"),
        street_address: m.t("calendar.street_address"),
    };
    let ics =
        kith_app::feeds::personal_calendar(&state.app, token, words, private, state.app.now())
            .await
            .map_err(WebError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            // Its only key is the token in the URL, not a cookie.
            (header::CACHE_CONTROL, crate::security::PRIVATE),
        ],
        ics,
    )
        .into_response())
}
