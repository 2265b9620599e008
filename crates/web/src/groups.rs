//! A group's public page: `GET /groups/{slug}` (HTML) and
//! `GET /api/v1/groups/{slug}` (JSON). Only listed groups; never a private
//! field — the types used here do not have any.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kith_app::groups::{PublicGroup, RuleInGroupZone};
use kith_domain::ids::Slug;
use kith_domain::schedule::{MonthWeeks, Recurrence};
use kith_domain::zone::Zone;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{MeetingJson, PlaceJson, is_online};
use crate::error::{ApiError, PageError, Problem, WebError};
use crate::extract::SlugPath;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{Nav, Viewer};
use crate::viewer::{CookieZone, viewer_zone};
use crate::views::{MeetingView, place_label};

/// The group page's HTML routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups/{slug}", get(group_page))
        .route("/groups/{slug}/claim", axum::routing::post(claim_form))
}

async fn claim_form(
    State(state): State<AppState>,
    user: crate::session::CurrentUser,
    SlugPath(slug): SlugPath,
    form: crate::forms::FormPairs,
) -> Result<Response, PageError> {
    kith_app::claims::ask(
        &state.app,
        &user.person,
        &slug,
        form.get("message"),
        state.app.now(),
    )
    .await?;
    Ok(axum::response::Redirect::to(&format!("/groups/{slug}?claimed=1")).into_response())
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    slug: &Slug,
    zone: &Zone,
) -> Result<PublicGroup, WebError> {
    Ok(kith_app::groups::group_page(
        &state.app,
        viewer.person.as_ref(),
        slug,
        zone,
        state.app.now(),
    )
    .await?)
}

struct RuleView {
    when: String,
    start: String,
    end: String,
    minutes: u16,
}

struct UpcomingView {
    id: String,
    yours: MeetingView,
    theirs: MeetingView,
    cancelled: bool,
    moved: bool,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    /// Right after asking to host this (imported) group.
    claimed: bool,
    status: &'static str,
    status_label: String,
    group: PublicGroup,
    viewer_zone: String,
    format: String,
    style: String,
    focus: Vec<String>,
    attributes: Vec<String>,
    place: String,
    language: String,
    rules: Vec<RuleView>,
    upcoming: Vec<UpcomingView>,
    /// The meeting on now, for those who may take part (its occurrence id).
    meeting_now: Option<String>,
}

/// "Every Tuesday", "Every 2 weeks on Tuesday…", "The 2nd and last
/// Thursday of each month", "Once, on Tuesday 14 July 2026".
pub(crate) fn rule_description(m: &Messages, rule: &RuleInGroupZone) -> String {
    let days = rule
        .weekdays
        .iter()
        .map(|d| m.weekday(*d))
        .collect::<Vec<_>>()
        .join(", ");
    match &rule.recurrence {
        Recurrence::Weekly { .. } => m.t("rule.weekly").replace("{days}", &days),
        Recurrence::EveryNWeeks {
            interval, anchor, ..
        } => m
            .t("rule.every_n_weeks")
            .replace("{n}", &interval.to_string())
            .replace("{days}", &days)
            .replace("{anchor}", &anchor.to_string()),
        Recurrence::Monthly { weeks, .. } => {
            let ordinals: Vec<&str> = weeks
                .positions()
                .iter()
                .map(|p| m.of("month_week", &p.to_string()))
                .collect();
            let which = match ordinals.split_last() {
                Some((last, [])) => (*last).to_owned(),
                Some((last, rest)) => format!("{} {} {last}", rest.join(", "), m.t("rule.and")),
                None => String::new(),
            };
            m.t("rule.monthly")
                .replace("{which}", &which)
                .replace("{days}", &days)
        }
        Recurrence::Once { date } => m
            .t("rule.once")
            .replace("{days}", &days)
            .replace("{date}", &date.to_string()),
    }
}

fn rule_view(m: &Messages, rule: &RuleInGroupZone) -> RuleView {
    RuleView {
        when: rule_description(m, rule),
        start: rule.start.clone(),
        end: rule.end.clone(),
        minutes: rule.duration_minutes,
    }
}

async fn group_page(
    State(state): State<AppState>,
    SlugPath(slug): SlugPath,
    query: QueryPairs,
    cookie: CookieZone,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let m = messages();
    let zone = viewer_zone(&query, &cookie).unwrap_or_else(|_| cookie.or_utc());
    let group = load(&state, &viewer, &slug, &zone).await?;
    let p = &group.profile;
    let template = GroupTemplate {
        m,
        nav: viewer.nav(),
        claimed: query.get("claimed").is_some(),
        status: p.status.code(),
        status_label: m.of("status", p.status.code()).to_owned(),
        zone_from: if cookie.0.is_some() || query.get("tz").is_some() {
            "cookie"
        } else {
            "default"
        },
        viewer_zone: zone.name().to_owned(),
        format: m.of("format", p.format.code()).to_owned(),
        style: m.of("style", p.facilitation.style.code()).to_owned(),
        focus: p
            .focus
            .iter()
            .map(|f| m.of("focus", f.code()).to_owned())
            .collect(),
        attributes: p
            .attributes
            .iter()
            .map(|a| m.of("attribute", a.code()).to_owned())
            .collect(),
        place: place_label(m, p.format, &p.place),
        language: m.language(&p.language).to_owned(),
        rules: group.rules.iter().map(|r| rule_view(m, r)).collect(),
        meeting_now: group
            .private
            .as_ref()
            .and_then(|_| group.upcoming.iter().find(|u| u.in_progress()))
            .map(|u| u.id.to_string()),
        upcoming: group
            .upcoming
            .iter()
            .map(|u| UpcomingView {
                id: u.id.to_string(),
                yours: MeetingView::relative(m, &u.yours, u.when),
                theirs: MeetingView::new(m, &u.theirs),
                cancelled: u.cancelled,
                moved: u.moved,
                note: u.note.clone(),
            })
            .collect(),
        group,
    };
    Ok(Html(template.render().map_err(WebError::from)?).into_response())
}

/// How a group's meetings run.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacilitationJson {
    /// `check_in_round`, `open_sharing`, `topic` or `agenda_free`.
    pub style: String,
    /// The host's own words.
    pub description: String,
}

/// A schedule rule, in the group's own zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleJson {
    /// `weekly`, `every_n_weeks`, `monthly` or `once`.
    pub kind: String,
    /// `every_n_weeks`: the gap in weeks, 2–8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_weeks: Option<u8>,
    /// `every_n_weeks`: a date in a week the series meets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor_date: Option<String>,
    /// `monthly`: which of the month's weekdays, `1`–`4` or `last`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month_weeks: Option<Vec<String>>,
    /// `once`: the date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Weekdays 0–6, Sunday 0, in the group's zone.
    pub weekdays: Vec<i8>,
    /// Local start, `HH:MM`.
    pub start: String,
    /// Local end, `HH:MM`.
    pub end: String,
    /// Length in minutes.
    pub duration_minutes: u16,
}

/// A group's page in JSON. Its private fields appear only for the group's
/// hosts and the moderators.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupJson {
    /// The public identifier.
    pub slug: String,
    /// The name.
    pub name: String,
    /// The HTML page.
    pub url: String,
    /// Markdown, as the host wrote it.
    pub description: String,
    /// The description rendered to sanitised HTML.
    pub description_html: String,
    /// The agreements, Markdown.
    pub agreements: String,
    /// The agreements rendered to sanitised HTML.
    pub agreements_html: String,
    /// How meetings run.
    pub facilitation: FacilitationJson,
    /// Focus codes.
    pub focus: Vec<String>,
    /// Attribute codes: who may come (`open` or `members_only`), and more.
    pub attributes: Vec<String>,
    /// `phone`, `video`, `in_person` or `hybrid`.
    pub format: String,
    /// BCP 47 language tag.
    pub language: String,
    /// Where it meets, if it has a place.
    pub place: Option<PlaceJson>,
    /// Whether it meets only by phone or video.
    pub online: bool,
    /// The most people a meeting takes, if limited.
    pub capacity: Option<u32>,
    /// The group's own IANA zone.
    pub time_zone: String,
    /// The rules, in the group's zone.
    pub schedule: Vec<RuleJson>,
    /// The next meetings, in the requested zone.
    pub upcoming: Vec<MeetingJson>,
    /// The hosts' pseudonyms.
    pub hosts: Vec<String>,
    /// `listed` for everyone; hosts and moderators also see `pending`,
    /// `rejected` and `unlisted` groups.
    pub status: String,
    /// Only for those allowed to see them (hosts and moderators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<PrivateJson>,
    /// The moderator's last reason, for hosts and moderators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_note: Option<String>,
}

/// A group's private fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivateJson {
    /// The video call link.
    pub call_link: Option<String>,
    /// The phone dial-in.
    pub dial_in: Option<String>,
    /// The dial-in as a one-tap `tel:` link with its pauses.
    pub dial_in_uri: Option<String>,
    /// The street address.
    pub street_address: Option<String>,
}

/// One listed group.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{slug}",
    tag = "directory",
    params(
        ("slug" = String, Path, description = "The group's public identifier."),
        ("tz" = Option<String>, Query, description = "The viewer's IANA zone for `upcoming`; default from the cookie, else the zone kept on the caller's account, else UTC."),
    ),
    responses(
        (status = 200, description = "The group", body = GroupJson),
        (status = 400, description = "Unknown time zone", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No group this reader may see has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_group(
    State(state): State<AppState>,
    SlugPath(slug): SlugPath,
    query: QueryPairs,
    cookie: CookieZone,
    viewer: Viewer,
) -> Result<Json<GroupJson>, ApiError> {
    let zone = viewer_zone(&query, &cookie)?;
    let group = load(&state, &viewer, &slug, &zone).await?;
    let upcoming = group
        .upcoming
        .into_iter()
        .map(|meeting| MeetingJson {
            cancelled: meeting.cancelled,
            note: meeting.note,
            ..MeetingJson::new(&meeting.id, meeting.yours, zone.name())
        })
        .collect();
    let p = group.profile;
    Ok(Json(GroupJson {
        url: format!("/groups/{}", p.slug),
        slug: p.slug.to_string(),
        name: p.name,
        description: p.description,
        description_html: group.description_html,
        agreements: p.agreements,
        agreements_html: group.agreements_html,
        facilitation: FacilitationJson {
            style: p.facilitation.style.code().to_owned(),
            description: p.facilitation.description,
        },
        focus: p.focus.iter().map(|f| f.code().to_owned()).collect(),
        attributes: p.attributes.iter().map(|a| a.code().to_owned()).collect(),
        format: p.format.code().to_owned(),
        language: p.language,
        place: PlaceJson::of(&p.place),
        online: is_online(p.format),
        capacity: p.capacity,
        time_zone: p.schedule.zone.name().to_owned(),
        schedule: group
            .rules
            .iter()
            .map(|r| RuleJson {
                kind: match r.recurrence {
                    Recurrence::Weekly { .. } => "weekly",
                    Recurrence::EveryNWeeks { .. } => "every_n_weeks",
                    Recurrence::Monthly { .. } => "monthly",
                    Recurrence::Once { .. } => "once",
                }
                .to_owned(),
                interval_weeks: match r.recurrence {
                    Recurrence::EveryNWeeks { interval, .. } => Some(interval),
                    _ => None,
                },
                anchor_date: match r.recurrence {
                    Recurrence::EveryNWeeks { anchor, .. } => Some(anchor.to_string()),
                    _ => None,
                },
                month_weeks: match r.recurrence {
                    Recurrence::Monthly { weeks, .. } => Some(
                        weeks
                            .positions()
                            .iter()
                            .map(|p| match *p {
                                MonthWeeks::LAST => "last".to_owned(),
                                n => n.to_string(),
                            })
                            .collect(),
                    ),
                    _ => None,
                },
                date: match r.recurrence {
                    Recurrence::Once { date } => Some(date.to_string()),
                    _ => None,
                },
                weekdays: r
                    .weekdays
                    .iter()
                    .map(|d| d.to_sunday_zero_offset())
                    .collect(),
                start: r.start.clone(),
                end: r.end.clone(),
                duration_minutes: r.duration_minutes,
            })
            .collect(),
        upcoming,
        hosts: p.hosts,
        status: p.status.code().to_owned(),
        private: group.private.map(|private| PrivateJson {
            dial_in_uri: private.dial_in_uri(),
            call_link: private.call_link,
            dial_in: private.dial_in,
            street_address: private.street_address,
        }),
        review_note: group.review_note,
    }))
}
