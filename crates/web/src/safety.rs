//! The crisis page, `/crisis?country=XX`, linked from every page. Its text
//! is the operator's (see `kith_app::safety`). Without a chosen country it
//! shows the one the reader's zone cookie (else their browser's language)
//! suggests, and says in the reader's own time which lines are open.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::{ACCEPT_LANGUAGE, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use kith_app::safety::{self, CrisisPart, Whereabouts};
use kith_domain::helpline::LineKind;
use kith_domain::helpline::hours::Opening;
use kith_domain::zone::Zone;

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{Nav, Viewer};
use crate::viewer::CookieZone;

/// The crisis page's route.
pub fn router() -> Router<AppState> {
    Router::new().route("/crisis", get(crisis_page))
}

/// A piece of the page: HTML, or a list of lines.
struct PartView {
    html: Option<String>,
    lines: Vec<LineItem>,
}

/// One line: its HTML and, when its hours are known, whether it is open.
struct LineItem {
    html: String,
    kind: &'static str,
    status: Option<(bool, String)>,
}

#[derive(Template)]
#[template(path = "crisis.html")]
struct CrisisTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    country: String,
    countries: Vec<String>,
    parts: Vec<PartView>,
}

async fn crisis_page(
    State(state): State<AppState>,
    viewer: Viewer,
    cookie: CookieZone,
    headers: HeaderMap,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let m = messages();
    let now = state.app.now();
    let zone = crate::viewer::viewer_zone(&query, &cookie)
        .ok()
        .filter(|_| cookie.0.is_some() || query.get("tz").is_some());
    let whereabouts = Whereabouts {
        chosen: query.get("country"),
        zone: zone.as_ref().map(Zone::name),
        languages: headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    };
    let page = safety::crisis_page(&state.app, whereabouts, now).await?;
    let parts = page
        .parts
        .into_iter()
        .map(|part| match part {
            CrisisPart::Html(html) => PartView {
                html: Some(html),
                lines: Vec::new(),
            },
            CrisisPart::Lines(lines) => PartView {
                html: None,
                lines: lines
                    .into_iter()
                    .map(|line| LineItem {
                        html: line.html,
                        kind: match line.kind {
                            Some(LineKind::Peer) => "peer",
                            Some(LineKind::Crisis) => "crisis",
                            Some(LineKind::Emergency) => "emergency",
                            None => "other",
                        },
                        status: line.opening.map(|o| status(m, o, now, zone.as_ref())),
                    })
                    .collect(),
            },
        })
        .collect();
    let template = CrisisTemplate {
        m,
        // Without a zone yet, the zone script reloads the page once it has
        // remembered the browser's, so the country and times follow it.
        zone_from: if zone.is_some() { "cookie" } else { "default" },
        nav: viewer.nav(),
        country: page.country,
        countries: page.countries,
        parts,
    };
    let mut response = Html(template.render().map_err(WebError::from)?).into_response();
    // The country chosen may follow the reader's language.
    response
        .headers_mut()
        .append(VARY, HeaderValue::from_static("Accept-Language"));
    Ok(response)
}

/// Whether a line is open, in words, in the reader's zone ("your time"),
/// or in UTC for a reader whose zone kith does not know.
fn status(m: &Messages, opening: Opening, now: Timestamp, zone: Option<&Zone>) -> (bool, String) {
    let shown = zone.cloned().unwrap_or_else(Zone::utc);
    let time = |at: Timestamp| {
        let clock = at
            .to_zoned(shown.tz().clone())
            .strftime("%H:%M")
            .to_string();
        let key = if zone.is_some() {
            "crisis.your_time"
        } else {
            "crisis.utc_time"
        };
        m.t(key).replace("{time}", &clock)
    };
    match opening {
        Opening::Always => (true, m.t("crisis.open_always").to_owned()),
        Opening::OpenUntil(until) => (
            true,
            m.t("crisis.open_until").replace("{time}", &time(until)),
        ),
        Opening::OpensAt(at) => {
            let today = now.to_zoned(shown.tz().clone()).date();
            let day = at.to_zoned(shown.tz().clone()).date();
            let words = if day == today {
                m.t("crisis.opens_today").to_owned()
            } else if today.tomorrow().is_ok_and(|t| t == day) {
                m.t("crisis.opens_tomorrow").to_owned()
            } else {
                m.t("crisis.opens_on")
                    .replace("{day}", m.weekday(day.weekday()))
            };
            (false, words.replace("{time}", &time(at)))
        }
    }
}
