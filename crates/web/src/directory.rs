//! The directory: `GET /groups` (HTML) and `GET /api/v1/groups` (JSON), the
//! same filters and the same order for both.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kith_app::directory::{DirectoryPage, DirectoryResult};
use kith_domain::directory::{DirectoryFilters, FilterError, RawFilters, TimeOfDay};
use kith_domain::group::{Attribute, Focus, Format};
use kith_domain::zone::Zone;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{MeetingJson, PlaceJson, is_online};
use crate::choosers::{NamedOptions, ZONE_PICKER, ZonePicker, country_options, language_options};
use crate::error::{ApiError, PageError, Problem, WebError};
use crate::messages::{Messages, messages};
use crate::query::{QueryPairs, directory_query};
use crate::session::{Nav, Viewer};
use crate::viewer::{CookieZone, remember_zone};
use crate::views::{Choice, MeetingView, choices, place_label};

/// The directory's HTML route.
pub fn router() -> Router<AppState> {
    Router::new().route("/groups", get(directory_page))
}

/// Parses filters; on errors, answers them together with filters that leave
/// the invalid fields out, so the rest still apply.
fn parse_keeping_valid(
    raw: &RawFilters,
    zone: &Zone,
) -> Result<(DirectoryFilters, Vec<FilterError>), WebError> {
    match raw.parse(zone) {
        Ok(filters) => Ok((filters, Vec::new())),
        Err(errors) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
            let filters = raw
                .without(&fields)
                .parse(zone)
                .map_err(WebError::InvalidFilters)?;
            Ok((filters, errors))
        }
    }
}

struct ResultView {
    name: String,
    url: String,
    next: MeetingView,
    format: String,
    focus: Vec<String>,
    language: String,
    language_name: String,
    place: String,
}

/// A free-text filter, with what the reader typed kept.
struct TextField {
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    value: String,
    error: Option<String>,
    described_by: String,
}

fn text_fields(
    m: &'static Messages,
    raw: &RawFilters,
    errors: &[FieldErrorView],
) -> Vec<TextField> {
    let fields: [(&'static str, &Option<String>, bool); 2] =
        [("region", &raw.region, false), ("city", &raw.city, false)];
    fields
        .into_iter()
        .map(|(name, value, has_hint)| {
            let error = errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.clone());
            let mut described_by = Vec::new();
            if has_hint {
                described_by.push(format!("f-{name}-hint"));
            }
            if error.is_some() {
                described_by.push(format!("f-{name}-error"));
            }
            TextField {
                name,
                label: m.of("directory", name),
                hint: has_hint.then(|| m.of("directory", &format!("{name}_hint"))),
                value: value.clone().unwrap_or_default(),
                error,
                described_by: described_by.join(" "),
            }
        })
        .collect()
}

/// A filter chosen by name (language, country), with what the link carried
/// kept.
struct NamedSelect {
    name: &'static str,
    label: &'static str,
    any: &'static str,
    choices: NamedOptions,
    error: Option<String>,
}

fn named_selects(
    m: &'static Messages,
    raw: &RawFilters,
    errors: &[FieldErrorView],
) -> Vec<NamedSelect> {
    let error = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    vec![
        NamedSelect {
            name: "language",
            label: m.t("directory.language"),
            any: m.t("directory.any_language"),
            choices: language_options(m, raw.language.as_deref().unwrap_or_default()),
            error: error("language"),
        },
        NamedSelect {
            name: "country",
            label: m.t("directory.country"),
            any: m.t("directory.any_country"),
            choices: country_options(m, raw.country.as_deref().unwrap_or_default()),
            error: error("country"),
        },
    ]
}

struct FieldErrorView {
    field: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    raw: RawFilters,
    zone: String,
    formats: Vec<Choice>,
    focus: Vec<Choice>,
    attributes: Vec<Choice>,
    days: Vec<Choice>,
    times: Vec<Choice>,
    withins: Vec<Choice>,
    zones: &'static ZonePicker,
    in_progress: bool,
    more_open: bool,
    errors: Vec<FieldErrorView>,
    named_selects: Vec<NamedSelect>,
    text_fields: Vec<TextField>,
    results: Vec<ResultView>,
    page: u32,
    previous_url: Option<String>,
    next_url: Option<String>,
}

impl DirectoryTemplate {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The ids that describe a field: its hint, and its error if refused.
    fn described_by(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("f-{field}-hint"));
        }
        if self.error_for(field).is_some() {
            ids.push(format!("f-{field}-error"));
        }
        ids.join(" ")
    }

    /// The filters that apply, in words, in the form's order; a refused
    /// filter is left out, as the search leaves it out.
    fn applied(&self) -> Vec<String> {
        let mut applied = Vec::new();
        let q = self.q().trim();
        if !q.is_empty() && self.error_for("q").is_none() {
            applied.push(q.to_owned());
        }
        let picked = |list: &[Choice]| {
            list.iter()
                .filter(|c| c.checked)
                .map(|c| c.label.clone())
                .collect::<Vec<_>>()
        };
        applied.extend(picked(&self.formats));
        applied.extend(picked(&self.days));
        applied.extend(picked(&self.times));
        applied.extend(picked(&self.withins));
        if self.in_progress {
            applied.push(self.m.t("directory.in_progress").to_owned());
        }
        applied.extend(picked(&self.focus));
        applied.extend(picked(&self.attributes));
        for s in self.named_selects.iter().filter(|s| s.error.is_none()) {
            applied.extend(s.choices.chosen.clone());
        }
        for f in self.text_fields.iter().filter(|f| f.error.is_none()) {
            if !f.value.trim().is_empty() {
                applied.push(f.value.trim().to_owned());
            }
        }
        applied
    }

    /// The search words as the reader typed them.
    fn q(&self) -> &str {
        self.raw.q.as_deref().unwrap_or_default()
    }
}

fn one(value: &Option<String>) -> Vec<String> {
    value.iter().cloned().collect()
}

async fn directory_page(
    State(state): State<AppState>,
    query: QueryPairs,
    cookie: CookieZone,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let m = messages();
    let raw = query.filters();
    let (filters, errors) = parse_keeping_valid(&raw, &cookie.or_utc())?;
    let page = state.search_directory(&filters).await?;
    let zone_from = match (&raw.tz, &cookie.0) {
        (Some(tz), _) if Zone::parse(tz).is_ok() => "query",
        (_, Some(_)) => "cookie",
        _ => "default",
    };
    let days: Vec<(String, String)> = (0..7)
        .map(|d| (d.to_string(), m.t(&format!("weekday.{d}")).to_owned()))
        .collect();
    let withins = ["30", "60", "120", "240", "1440"];
    let error_views: Vec<FieldErrorView> = errors
        .iter()
        .map(|e| FieldErrorView {
            field: e.field,
            message: m.error(e.field, e.code).to_owned(),
        })
        .collect();
    let template = DirectoryTemplate {
        m,
        zone_from,
        nav: viewer.nav(),
        zone: filters.zone.name().to_owned(),
        formats: choices(
            Format::ALL
                .iter()
                .map(|f| (f.code(), m.of("format", f.code()))),
            &raw.format,
        ),
        focus: choices(
            Focus::ALL
                .iter()
                .map(|f| (f.code(), m.of("focus", f.code()))),
            &raw.focus,
        ),
        attributes: choices(
            Attribute::ALL
                .iter()
                .map(|a| (a.code(), m.of("attribute", a.code()))),
            &raw.attribute,
        ),
        days: choices(
            days.iter().map(|(c, l)| (c.as_str(), l.as_str())),
            &one(&raw.day),
        ),
        times: choices(
            TimeOfDay::ALL
                .iter()
                .map(|t| (t.code(), m.of("time", t.code()))),
            &one(&raw.time),
        ),
        withins: choices(
            withins.iter().map(|w| (*w, m.of("within", w))),
            &one(&raw.starts_within),
        ),
        zones: &ZONE_PICKER,
        in_progress: filters.in_progress,
        more_open: !raw.focus.is_empty()
            || !raw.attribute.is_empty()
            || [&raw.language, &raw.country, &raw.region, &raw.city]
                .iter()
                .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
            || errors.iter().any(|e| {
                matches!(
                    e.field,
                    "focus" | "attribute" | "language" | "country" | "region" | "city"
                )
            }),
        named_selects: named_selects(m, &raw, &error_views),
        text_fields: text_fields(m, &raw, &error_views),
        errors: error_views,
        results: page.results.iter().map(|r| result_view(m, r)).collect(),
        page: page.page,
        previous_url: (page.page > 1)
            .then(|| format!("/groups?{}", directory_query(&raw, Some(page.page - 1)))),
        next_url: page
            .next_page
            .map(|p| format!("/groups?{}", directory_query(&raw, Some(p)))),
        raw,
    };
    let status = if template.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut response = (status, Html(template.render().map_err(WebError::from)?)).into_response();
    if zone_from == "query" {
        if let Some((name, value)) = remember_zone(&filters.zone) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

fn result_view(m: &Messages, r: &DirectoryResult) -> ResultView {
    let hit = &r.hit;
    ResultView {
        name: hit.name.clone(),
        url: format!("/groups/{}", hit.slug),
        next: MeetingView::relative(m, &r.next, r.when),
        format: m.of("format", hit.format.code()).to_owned(),
        focus: hit
            .focus
            .iter()
            .map(|f| m.of("focus", f.code()).to_owned())
            .collect(),
        language_name: m.language(&hit.language).to_owned(),
        language: hit.language.clone(),
        place: place_label(m, hit.format, &hit.place),
    }
}

/// A directory result in JSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupSummaryJson {
    /// The group's public identifier.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its page.
    pub url: String,
    /// `phone`, `video`, `in_person` or `hybrid`.
    pub format: String,
    /// Focus codes.
    pub focus: Vec<String>,
    /// Attribute codes: who may come (`open` or `members_only`), and more.
    pub attributes: Vec<String>,
    /// BCP 47 language tag.
    pub language: String,
    /// Where it meets, if it has a place.
    pub place: Option<PlaceJson>,
    /// Whether it meets only by phone or video.
    pub online: bool,
    /// The group's own IANA zone.
    pub time_zone: String,
    /// The next meeting that matches the filters, in the requested zone.
    pub next_meeting: MeetingJson,
}

/// A page of the directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryJson {
    /// The groups, ordered by next meeting, then name.
    pub items: Vec<GroupSummaryJson>,
    /// This page.
    pub page: u32,
    /// The next page, if there is one.
    pub next_page: Option<u32>,
    /// The zone the meeting times are given in.
    pub time_zone: String,
}

fn directory_json(page: DirectoryPage, zone: &Zone) -> DirectoryJson {
    DirectoryJson {
        items: page
            .results
            .into_iter()
            .map(|r| {
                let hit = r.hit;
                GroupSummaryJson {
                    url: format!("/groups/{}", hit.slug),
                    slug: hit.slug.to_string(),
                    name: hit.name,
                    format: hit.format.code().to_owned(),
                    focus: hit.focus.iter().map(|f| f.code().to_owned()).collect(),
                    attributes: hit.attributes.iter().map(|a| a.code().to_owned()).collect(),
                    language: hit.language,
                    place: PlaceJson::of(&hit.place),
                    online: is_online(hit.format),
                    time_zone: hit.time_zone,
                    next_meeting: MeetingJson::new(&hit.next.id, r.next, zone.name()),
                }
            })
            .collect(),
        page: page.page,
        next_page: page.next_page,
        time_zone: zone.name().to_owned(),
    }
}

/// Searches the directory.
#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "directory",
    params(
        ("q" = Option<String>, Query, description = "Free text; every word must begin a word of the group's name, description or place."),
        ("format" = Option<Vec<String>>, Query, description = "`phone`, `video`, `in_person`, `hybrid`; repeatable, any of."),
        ("day" = Option<u8>, Query, minimum = 0, maximum = 6, description = "Weekday 0–6, Sunday 0, in the viewer's zone."),
        ("time" = Option<String>, Query, description = "`morning` 05–12, `afternoon` 12–17, `evening` 17–21, `night` 21–05, in the viewer's zone."),
        ("starts_within" = Option<u32>, Query, minimum = 1, maximum = 10080, description = "Meetings starting within this many minutes (1–10080)."),
        ("in_progress" = Option<bool>, Query, description = "Meetings in progress now."),
        ("focus" = Option<Vec<String>>, Query, description = "Focus codes; repeatable, any of."),
        ("attribute" = Option<Vec<String>>, Query, description = "Attribute codes; repeatable, all of. `open`: anyone may come, not only people with the group's own experience; `members_only`: only they may. Says nothing about how one joins."),
        ("language" = Option<String>, Query, description = "BCP 47; `pt` matches `pt-BR`."),
        ("country" = Option<String>, Query, description = "ISO 3166-1 alpha-2."),
        ("region" = Option<String>, Query, description = "Region, case and accents ignored."),
        ("city" = Option<String>, Query, description = "City, case and accents ignored."),
        ("tz" = Option<String>, Query, description = "The viewer's IANA zone; default from the `kith_tz` cookie, else the zone kept on the caller's account, else UTC."),
        ("page" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Page 1–500; 20 results a page."),
    ),
    responses(
        (status = 200, description = "A page of groups", body = DirectoryJson),
        (status = 400, description = "A filter could not be used", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database did not answer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_groups(
    State(state): State<AppState>,
    query: QueryPairs,
    cookie: CookieZone,
) -> Result<Json<DirectoryJson>, ApiError> {
    let filters = query
        .filters()
        .parse(&cookie.or_utc())
        .map_err(WebError::InvalidFilters)?;
    let page = state.search_directory(&filters).await?;
    Ok(Json(directory_json(page, &filters.zone)))
}
