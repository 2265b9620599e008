//! Helpers the templates share: words for codes, meeting times for display.

use kith_app::meeting_time::MeetingTime;
use kith_app::meeting_time::when::When;
use kith_domain::group::{Format, Place};

use crate::messages::Messages;

/// A meeting as a template shows it: "Tue 19:00 CET", with machine time.
#[derive(Debug, Clone)]
pub struct MeetingView {
    /// "Tue 19:00–20:30 CET".
    pub label: String,
    /// The start date, `YYYY-MM-DD`, for the full reading.
    pub date: String,
    /// RFC 3339, for `<time datetime>`.
    pub datetime: String,
}

impl MeetingView {
    /// Formats `time` with the catalogue's weekday names.
    pub fn new(m: &Messages, time: &MeetingTime) -> Self {
        Self {
            label: format!(
                "{} {}–{} {}",
                m.weekday_short(time.weekday),
                time.start,
                time.end,
                time.zone_abbreviation
            ),
            date: time.date.clone(),
            datetime: time.starts_at.clone(),
        }
    }
}

impl MeetingView {
    /// Formats `time` as it reads from the reader's now: "today 19:00–20:30
    /// AEST", "in 40 min, …", "happening now — late is fine, until …", or
    /// beyond tomorrow "Sun 7 Jun, 07:35–09:05 AEST"; each ends with the
    /// zone. The words are the catalogue's (`when.*`).
    pub fn relative(m: &Messages, time: &MeetingTime, when: When) -> Self {
        let minutes = match when {
            When::Soon { minutes } => minutes.to_string(),
            _ => String::new(),
        };
        Self {
            label: m
                .t(&format!("when.{}", when.code()))
                .replace("{minutes}", &minutes)
                .replace("{weekday}", m.weekday_short(time.weekday))
                .replace("{day}", &time.day.to_string())
                .replace("{month}", m.of("month_short", &time.month.to_string()))
                .replace("{start}", &time.start)
                .replace("{end}", &time.end)
                .replace("{zone}", &time.zone_abbreviation),
            date: time.date.clone(),
            datetime: time.starts_at.clone(),
        }
    }
}

/// A moment as "2026-06-01 19:00 CEST" in `zone`, with its RFC 3339 form.
pub fn local_date_time(at: jiff::Timestamp, zone: &kith_domain::zone::Zone) -> (String, String) {
    let time = MeetingTime::new(at, at, zone);
    (
        format!("{} {} {}", time.date, time.start, time.zone_abbreviation),
        time.starts_at,
    )
}

/// A moment as "2026-06-01 19:00 CEST" in `zone`, for lists where the
/// machine-readable form is not needed.
pub fn local_stamp(at: jiff::Timestamp, zone: &kith_domain::zone::Zone) -> String {
    local_date_time(at, zone).0
}

/// "Berlin, Berlin, Germany" (the country by name), or "Online" for phone
/// and video groups without a place.
pub fn place_label(m: &Messages, format: Format, place: &Place) -> String {
    let parts: Vec<&str> = [
        place.city.as_deref(),
        place.region.as_deref(),
        place.country.as_deref().map(|code| m.country(code)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if crate::api::is_online(format) {
        if parts.is_empty() {
            m.t("directory.online").to_owned()
        } else {
            format!("{} ({})", m.t("directory.online"), parts.join(", "))
        }
    } else {
        parts.join(", ")
    }
}

/// A checkbox or option.
pub(crate) struct Choice {
    pub code: String,
    pub label: String,
    pub checked: bool,
}

pub(crate) fn choices<'a>(
    codes: impl IntoIterator<Item = (&'a str, &'a str)>,
    picked: &[String],
) -> Vec<Choice> {
    codes
        .into_iter()
        .map(|(code, label)| Choice {
            code: code.to_owned(),
            label: label.to_owned(),
            checked: picked.iter().any(|p| p == code),
        })
        .collect()
}
