//! The journal's charts (`/journal/charts?range=month|six_months|all`):
//! each medicine's dose as steps, mood and sleep beneath on the same time
//! axis, as inline SVG drawn on the server (no script), each with a title
//! and description; a summary in words; and each chart's data as a table
//! for screen readers and for people who prefer numbers. An unknown range
//! shows the default, six months, as the links say. Entries that could not
//! be opened are counted and said, never drawn.
//!
//! - this file: the page and its handler.
//! - `words`: the summary's sentences and the tables' rows.

mod words;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kith_app::journal::{self, ChartsRead, Status};
use kith_app::{AppError, Conflict};
use kith_domain::journal::chart::axis::{HEIGHT, LEFT, PLOT_HEIGHT, PLOT_WIDTH, TOP, WIDTH};
use kith_domain::journal::chart::{Point, Range, TickLabel, YTick};

use super::{respond, session_token};
use crate::AppState;
use crate::error::PageError;
use crate::messages::{Messages, messages};
use crate::query::QueryPairs;
use crate::session::{CurrentUser, Nav};
use words::{CheckinRow, DoseRow};

/// The frame every chart shares, in the SVG's units.
struct Frame {
    width: i32,
    height: i32,
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
    /// Where value labels end, left of the plot.
    value_x: i32,
    /// The baseline of the date labels.
    date_y: i32,
}

const FRAME: Frame = Frame {
    width: WIDTH,
    height: HEIGHT,
    left: LEFT,
    right: LEFT + PLOT_WIDTH,
    top: TOP,
    bottom: TOP + PLOT_HEIGHT,
    value_x: LEFT - 6,
    date_y: TOP + PLOT_HEIGHT + 18,
};

/// A link to one range; `current` for the one shown.
struct RangeLink {
    code: &'static str,
    label: String,
    current: bool,
}

/// A date tick of the shared time axis.
struct TickView {
    x: String,
    label: String,
}

/// One chart: an SVG with its title, description and lines.
struct Panel {
    /// Unique on the page; its title and description hang off it.
    id: String,
    /// `dose`, `mood` or `sleep`: how its line is styled.
    kind: &'static str,
    title: String,
    desc: String,
    ticks: Vec<YTick>,
    path: String,
    dots: Vec<Point>,
}

/// A medicine's section: its charts (one per unit), its summary and its
/// dose changes as a table.
struct MedicineView {
    id: String,
    name: String,
    summary: String,
    panels: Vec<Panel>,
    caption: String,
    rows: Vec<DoseRow>,
}

#[derive(Template)]
#[template(path = "journal_charts.html")]
struct ChartsTemplate {
    m: &'static Messages,
    zone_from: &'static str,
    nav: Nav,
    frame: Frame,
    ranges: Vec<RangeLink>,
    /// "From 1 Dec 2025 to 1 Jun 2026".
    span: String,
    /// What could not be opened in the range, in words; empty when all
    /// opened.
    unopened: String,
    /// The summary's sentences.
    summary: Vec<String>,
    ticks: Vec<TickView>,
    medicines: Vec<MedicineView>,
    mood: Option<Panel>,
    sleep: Option<Panel>,
    checkins_caption: String,
    checkins: Vec<CheckinRow>,
}

/// A date tick's label: `8 Jun`, `Jun`, `Jan 2027` or `2027`.
fn tick_label(m: &Messages, day: jiff::civil::Date, label: TickLabel) -> String {
    let key = match label {
        TickLabel::DayMonth => "charts.tick.day_month",
        TickLabel::Month => "charts.tick.month",
        TickLabel::MonthYear => "charts.tick.month_year",
        TickLabel::Year => "charts.tick.year",
    };
    m.t(key)
        .replace("{day}", &day.day().to_string())
        .replace("{month}", m.of("month_short", &day.month().to_string()))
        .replace("{year}", &day.year().to_string())
}

fn page(m: &'static Messages, user: &CurrentUser, read: &ChartsRead) -> ChartsTemplate {
    let charts = &read.charts;
    let medicines: Vec<MedicineView> = read
        .medicines
        .iter()
        .zip(&charts.medicines)
        .enumerate()
        .map(|(i, ((medicine, doses), chart))| {
            let name = words::medicine_name(m, medicine);
            let summary = words::dose_sentence(m, &name, &chart.summary);
            let several = chart.lines.len() > 1;
            let panels = chart
                .lines
                .iter()
                .enumerate()
                .map(|(j, line)| Panel {
                    id: format!("chart-medicine-{i}-{j}"),
                    kind: "dose",
                    title: if several {
                        m.t("charts.dose_title_unit")
                            .replace("{name}", &name)
                            .replace("{unit}", line.unit.as_str())
                    } else {
                        m.t("charts.dose_title").replace("{name}", &name)
                    },
                    desc: format!("{summary} {}", m.t("charts.dose_desc")),
                    ticks: line.ticks.clone(),
                    path: line.path.clone(),
                    dots: line.changes.clone(),
                })
                .collect();
            MedicineView {
                id: format!("medicine-{i}"),
                caption: m.t("charts.doses_caption").replace("{name}", &name),
                rows: words::dose_rows(m, &charts.span, doses),
                name,
                summary,
                panels,
            }
        })
        .collect();
    let summary_words = words::checkin_sentences(m, &charts.summary);
    let has_readings = charts.mood.days > 0;
    let mood = has_readings.then(|| Panel {
        id: "chart-mood".into(),
        kind: "mood",
        title: m.t("charts.mood_title").to_owned(),
        desc: summary_words.mood.clone(),
        ticks: charts.mood.ticks.clone(),
        path: charts.mood.path.clone(),
        dots: charts.mood.dots.clone(),
    });
    let sleep = (charts.sleep.days > 0).then(|| Panel {
        id: "chart-sleep".into(),
        kind: "sleep",
        title: m.t("charts.sleep_title").to_owned(),
        desc: summary_words.sleep.clone(),
        ticks: charts.sleep.ticks.clone(),
        path: charts.sleep.path.clone(),
        dots: charts.sleep.dots.clone(),
    });
    let unopened = charts.summary.unopened
        + charts
            .medicines
            .iter()
            .map(|c| c.summary.unopened)
            .sum::<usize>();
    let mut summary: Vec<String> = medicines.iter().map(|med| med.summary.clone()).collect();
    summary.extend(summary_words.all());
    ChartsTemplate {
        m,
        zone_from: "none",
        nav: user.viewer.nav(),
        frame: FRAME,
        ranges: Range::ALL
            .iter()
            .map(|&range| RangeLink {
                code: range.code(),
                label: m.of("charts.range", range.code()).to_owned(),
                current: range == charts.range,
            })
            .collect(),
        span: m
            .t("charts.span")
            .replace("{from}", &words::date_label(m, charts.span.from))
            .replace("{to}", &words::date_label(m, charts.span.to)),
        unopened: if unopened == 0 {
            String::new()
        } else {
            words::count(m, "charts.unopened", unopened)
        },
        summary,
        ticks: charts
            .ticks
            .iter()
            .map(|t| TickView {
                x: t.x.to_string(),
                label: tick_label(m, t.day, t.label),
            })
            .collect(),
        medicines,
        mood,
        sleep,
        checkins_caption: m.t("charts.checkins_caption").to_owned(),
        checkins: words::checkin_rows(m, &read.checkins),
    }
}

/// `GET /journal/charts`: the charts of the range asked for (six months
/// unless another known one is asked). Without a journal its page offers
/// to start one; a locked one is opened there first.
pub(super) async fn charts_page(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> Result<Response, PageError> {
    let range = query
        .get("range")
        .and_then(Range::parse)
        .unwrap_or_default();
    let token = session_token(&user)?;
    if journal::status(&state.app, &user.person, token).await? == Status::None {
        return Ok(Redirect::to("/journal").into_response());
    }
    let read = journal::charts(
        &state.app,
        &user.person,
        token,
        range,
        &user.viewer.zone(),
        state.app.now(),
    )
    .await;
    match read {
        Ok(read) => respond(StatusCode::OK, &page(messages(), &user, &read)),
        Err(AppError::Conflict(
            Conflict::NoJournal | Conflict::JournalLocked | Conflict::JournalNeedsRecovery,
        )) => Ok(Redirect::to("/journal").into_response()),
        Err(err) => Err(PageError::from(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tick_label_has_its_words() {
        let m = messages();
        let day = jiff::civil::date(2027, 1, 8);
        assert_eq!(tick_label(m, day, TickLabel::DayMonth), "8 Jan");
        assert_eq!(tick_label(m, day, TickLabel::Month), "Jan");
        assert_eq!(tick_label(m, day, TickLabel::MonthYear), "Jan 2027");
        assert_eq!(tick_label(m, day, TickLabel::Year), "2027");
    }
}
