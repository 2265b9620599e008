//! Hosts list and edit their groups: `/groups/new`, `/groups/{slug}/edit`,
//! unlisting, relisting and co-hosts (HTML, here), and the same in JSON
//! ([`api`]).

pub mod api;
pub mod close;
pub mod schema;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::{AppError, Conflict, hosting};
use kith_domain::group::{Attribute, FacilitationStyle, Focus, Format};
use kith_domain::group_input::{GroupInput, MAX_RULES, RuleInput};
use kith_domain::ids::Slug;
use kith_domain::listing::ListingChange;
use kith_domain::zone::Zone;

use crate::AppState;
use crate::choosers::{ZONE_PICKER, ZonePicker, country_choices, language_choices};
use crate::error::{PageError, WebError};
use crate::extract::IdPath;
use crate::extract::SlugPath;
use crate::forms::{FormErrors, FormPairs, field_id};
use crate::messages::{Messages, messages};
use crate::session::{CurrentUser, Nav};
use crate::viewer::CookieZone;
use crate::views::{Choice, choices};

/// The hosts' HTML routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups/new", get(new_group_page).post(new_group_form))
        .route(
            "/groups/{slug}/edit",
            get(edit_group_page).post(edit_group_form),
        )
        .route("/groups/{slug}/unlist", post(unlist_form))
        .route("/groups/{slug}/relist", post(relist_form))
        .route("/groups/{slug}/cohosts", post(add_cohost_form))
        .route(
            "/groups/{slug}/close",
            get(close::close_page).post(close::close_form),
        )
        .route("/groups/{slug}/meetings/{id}/{change}", post(meeting_form))
}

/// One rule's row in the form.
struct RuleRow {
    legend: String,
    input: RuleInput,
    days: Vec<Choice>,
    kinds: Vec<Choice>,
    month_weeks: Vec<Choice>,
    /// weekdays, start, duration, first date, last date, kind, interval,
    /// anchor, month weeks, date.
    ids: [String; 10],
    names: [&'static str; 10],
}

#[derive(Template)]
#[template(path = "group_form.html")]
struct GroupFormTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    title: String,
    action: String,
    slug: Option<String>,
    input: GroupInput,
    errors: FormErrors,
    cohost_errors: FormErrors,
    hosts: Vec<String>,
    styles: Vec<Choice>,
    formats: Vec<Choice>,
    policies: Vec<Choice>,
    focus: Vec<Choice>,
    attributes: Vec<Choice>,
    languages: Vec<Choice>,
    countries: Vec<Choice>,
    zones: &'static ZonePicker,
    rules: Vec<RuleRow>,
}

fn rule_rows(m: &Messages, rules: &[RuleInput]) -> Vec<RuleRow> {
    // What was filled in, and one spare row (two on a new form).
    let shown = (rules.len() + 1).clamp(2, MAX_RULES);
    (0..shown)
        .map(|index| {
            let input = rules.get(index).cloned().unwrap_or_default();
            let fields = kith_domain::group_input::RULE_FIELDS[index];
            let names = [
                fields.weekdays,
                fields.start,
                fields.duration_minutes,
                fields.first_date,
                fields.last_date,
                fields.kind,
                fields.interval_weeks,
                fields.anchor_date,
                fields.month_weeks,
                fields.date,
            ];
            let kind = if input.kind.is_empty() {
                "weekly".to_owned()
            } else {
                input.kind.clone()
            };
            RuleRow {
                legend: if index == 0 {
                    m.t("hosting.rule_first").to_owned()
                } else {
                    m.t("hosting.rule_more").to_owned()
                },
                days: choices(
                    (0..7).map(|d| {
                        (
                            ["0", "1", "2", "3", "4", "5", "6"][d],
                            m.of("weekday", &d.to_string()),
                        )
                    }),
                    &input.weekdays,
                ),
                kinds: choices(
                    ["weekly", "every_n_weeks", "monthly", "once"]
                        .map(|k| (k, m.of("rule_kind", k))),
                    &[kind],
                ),
                month_weeks: choices(
                    [
                        ("1", "1"),
                        ("2", "2"),
                        ("3", "3"),
                        ("4", "4"),
                        ("last", "5"),
                    ]
                    .map(|(code, key)| (code, m.of("month_week", key))),
                    &input.month_weeks,
                ),
                ids: names.map(field_id),
                names,
                input,
            }
        })
        .collect()
}

impl GroupFormTemplate {
    fn new(nav: Nav, title: String, action: String, input: GroupInput) -> Self {
        let m = messages();
        let vocabulary = |prefix: &'static str, codes: Vec<&'static str>, picked: &[String]| {
            choices(codes.into_iter().map(|c| (c, m.of(prefix, c))), picked)
        };
        let one = |v: &str| vec![v.to_owned()];
        Self {
            m,
            zone_from: "none",
            nav,
            title,
            action,
            slug: None,
            styles: vocabulary(
                "style",
                FacilitationStyle::ALL.iter().map(|s| s.code()).collect(),
                &one(&input.facilitation_style),
            ),
            formats: vocabulary(
                "format",
                Format::ALL.iter().map(|f| f.code()).collect(),
                &one(&input.format),
            ),
            policies: vocabulary(
                "join.policy",
                kith_domain::membership::JoinPolicy::ALL
                    .iter()
                    .map(|p| p.code())
                    .collect(),
                // A new group asks for approval unless the host chooses
                // otherwise.
                &one(if input.join_policy.is_empty() {
                    "approval"
                } else {
                    &input.join_policy
                }),
            ),
            focus: vocabulary(
                "focus",
                Focus::ALL.iter().map(|f| f.code()).collect(),
                &input.focus,
            ),
            attributes: vocabulary(
                "attribute",
                Attribute::ALL.iter().map(|a| a.code()).collect(),
                &input.attributes,
            ),
            languages: language_choices(m, &input.language),
            countries: country_choices(m, &input.country),
            zones: &ZONE_PICKER,
            rules: rule_rows(m, &input.rules),
            input,
            errors: FormErrors::default(),
            cohost_errors: FormErrors::default(),
            hosts: Vec::new(),
        }
    }

    /// The zone select's hint, and its error when refused.
    fn zone_described_by(&self) -> &'static str {
        if self.errors.get("time_zone").is_some() {
            "f-time_zone-hint f-time_zone-error"
        } else {
            "f-time_zone-hint"
        }
    }

    fn respond(self, status: StatusCode) -> Result<Response, PageError> {
        Ok((status, Html(self.render().map_err(WebError::from)?)).into_response())
    }
}

async fn new_group_page(user: CurrentUser, cookie: CookieZone) -> Result<Response, PageError> {
    if !user.person.email_verified {
        return crate::account_settings::verification_needed(user.viewer.nav(), StatusCode::OK);
    }
    let m = messages();
    let input = GroupInput {
        language: "en".to_owned(),
        time_zone: cookie.or_utc().name().to_owned(),
        facilitation_style: FacilitationStyle::CheckInRound.code().to_owned(),
        ..GroupInput::default()
    };
    GroupFormTemplate::new(
        user.viewer.nav(),
        m.t("hosting.new_title").to_owned(),
        "/groups/new".to_owned(),
        input,
    )
    .respond(StatusCode::OK)
}

/// A group as a person typed it into the form: times and links read as
/// they meant them, an every-few-weeks rule without dates counted from this
/// week in the group's zone.
fn typed_input(form: &FormPairs, now: jiff::Timestamp) -> GroupInput {
    let mut input = GroupInput::from_pairs(form.iter());
    input.read_as_typed();
    let zone = Zone::parse(input.time_zone.trim()).unwrap_or_else(|_| Zone::utc());
    input.count_from(now.to_zoned(zone.tz().clone()).date());
    input
}

async fn new_group_form(
    State(state): State<AppState>,
    user: CurrentUser,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = typed_input(&form, state.app.now());
    match hosting::submit_group(&state.app, &user.person, &input, state.app.now()).await {
        Ok(slug) => Ok(Redirect::to(&format!("/groups/{slug}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let m = messages();
            let mut page = GroupFormTemplate::new(
                user.viewer.nav(),
                m.t("hosting.new_title").to_owned(),
                "/groups/new".to_owned(),
                input,
            );
            page.errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Conflict(Conflict::EmailUnverified)) => {
            crate::account_settings::verification_needed(user.viewer.nav(), StatusCode::CONFLICT)
        }
        Err(err) => Err(err.into()),
    }
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    slug: &Slug,
    input: Option<GroupInput>,
) -> Result<GroupFormTemplate, PageError> {
    let group = hosting::editable_group(&state.app, &user.person, slug).await?;
    let m = messages();
    let mut page = GroupFormTemplate::new(
        user.viewer.nav(),
        format!("{} {}", m.t("hosting.edit_title"), group.profile.name),
        format!("/groups/{slug}/edit"),
        input.unwrap_or_else(|| hosting::input_of(&group)),
    );
    page.slug = Some(slug.to_string());
    page.hosts = group.profile.hosts.clone();
    Ok(page)
}

async fn edit_group_page(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    edit_page(&state, &user, &slug, None)
        .await?
        .respond(StatusCode::OK)
}

async fn edit_group_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    let input = typed_input(&form, state.app.now());
    match hosting::edit_group(&state.app, &user.person, &slug, &input, state.app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{slug}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = edit_page(&state, &user, &slug, Some(input)).await?;
            page.errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(err) => Err(err.into()),
    }
}

async fn change_listing(
    state: &AppState,
    user: &CurrentUser,
    slug: &Slug,
    change: ListingChange,
) -> Result<Response, PageError> {
    hosting::change_listing(&state.app, &user.person, slug, change, state.app.now()).await?;
    Ok(Redirect::to(&format!("/groups/{slug}")).into_response())
}

async fn unlist_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    change_listing(&state, &user, &slug, ListingChange::HostUnlist).await
}

async fn relist_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
) -> Result<Response, PageError> {
    change_listing(&state, &user, &slug, ListingChange::HostRelist).await
}

/// The `{change}` of `/groups/{slug}/meetings/{id}/{change}`.
#[derive(serde::Deserialize)]
struct MeetingChangePath {
    change: String,
}

async fn meeting_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    IdPath(id): IdPath<kith_domain::ids::OccurrenceId>,
    Path(MeetingChangePath { change }): Path<MeetingChangePath>,
    form: FormPairs,
) -> Result<Response, PageError> {
    let change = match change.as_str() {
        "cancel" => hosting::MeetingChange::Cancel {
            note: form.get("note"),
        },
        "move" => hosting::MeetingChange::Move {
            date: form.get("date"),
            time: form.get("time"),
        },
        "restore" => hosting::MeetingChange::Restore,
        _ => return Err(PageError(WebError::NotFound)),
    };
    hosting::change_meeting(
        &state.app,
        &user.person,
        &slug,
        &id,
        change,
        state.app.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/groups/{slug}")).into_response())
}

async fn add_cohost_form(
    State(state): State<AppState>,
    user: CurrentUser,
    SlugPath(slug): SlugPath,
    form: FormPairs,
) -> Result<Response, PageError> {
    match hosting::add_cohost(&state.app, &user.person, &slug, form.get("handle")).await {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{slug}/edit#cohosts")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut page = edit_page(&state, &user, &slug, None).await?;
            page.cohost_errors = FormErrors::of(&errors);
            page.respond(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(err) => Err(err.into()),
    }
}
