//! The charts page in words: the summary's sentences (plurals by choosing
//! a catalogue key, never by adding letters) and the rows of the tables
//! that carry each chart's data.

use jiff::civil::Date;
use kith_app::journal::{CheckinEntry, DoseEntry, MedicineEntry};
use kith_domain::journal::chart::{DoseSummary, Span, Summary};
use kith_domain::journal::{Amount, Unit};

use super::super::day_label;
use crate::messages::Messages;

/// A dose change as its table row shows it.
pub(super) struct DoseRow {
    /// `YYYY-MM-DD`.
    pub(super) day: String,
    /// Weekday and day.
    pub(super) day_label: String,
    /// The dose in force when the range began, changed before it.
    pub(super) before: bool,
    /// Amount and unit; `None` when it could not be opened.
    pub(super) dose: Option<String>,
    /// The step from the dose before.
    pub(super) step: Option<String>,
}

/// A check-in as its table row shows it.
pub(super) struct CheckinRow {
    pub(super) day: String,
    pub(super) day_label: String,
    /// Mood and hours slept (if told); `None` when it could not be opened.
    pub(super) opened: Option<(String, Option<String>)>,
}

/// `1 Dec 2025`.
pub(super) fn date_label(m: &Messages, day: Date) -> String {
    m.t("charts.date")
        .replace("{day}", &day.day().to_string())
        .replace("{month}", m.of("month_short", &day.month().to_string()))
        .replace("{year}", &day.year().to_string())
}

/// `n` in words from the family's `zero`, `one` or `other` key (`zero`
/// falling back to `other`), `{n}` filled in.
pub(super) fn count(m: &Messages, family: &str, n: usize) -> String {
    let form = match n {
        0 if m.has(&format!("{family}.zero")) => "zero",
        1 => "one",
        _ => "other",
    };
    m.t(&format!("{family}.{form}"))
        .replace("{n}", &n.to_string())
}

/// The member's name for a medicine, or words saying it could not be
/// opened.
pub(super) fn medicine_name(m: &Messages, medicine: &MedicineEntry) -> String {
    match &medicine.name {
        Ok(name) => name.as_str().to_owned(),
        Err(_) => m.t("taper.unopened_medicine").to_owned(),
    }
}

fn dose_text(amount: Amount, unit: &Unit) -> String {
    format!("{amount} {}", unit.as_str())
}

/// What a medicine's chart shows, in a sentence.
pub(super) fn dose_sentence(m: &Messages, name: &str, summary: &DoseSummary) -> String {
    let changes = count(m, "charts.changes", summary.changes);
    let (key, first, last) = match (&summary.first, &summary.last) {
        (Some((a, au)), Some((b, bu))) if a == b && au.same_as(bu) => {
            ("charts.dose.same", dose_text(*a, au), String::new())
        }
        (Some((a, au)), Some((b, bu))) => {
            ("charts.dose.from_to", dose_text(*a, au), dose_text(*b, bu))
        }
        _ => ("charts.dose.none", String::new(), String::new()),
    };
    m.t(key)
        .replace("{name}", name)
        .replace("{first}", &first)
        .replace("{last}", &last)
        .replace("{changes}", &changes)
}

/// The dose changes the chart draws: the one in force when the span
/// began (if it began before), then each one in it.
pub(super) fn dose_rows(m: &Messages, span: &Span, doses: &[DoseEntry]) -> Vec<DoseRow> {
    let carried = doses.iter().rposition(|d| d.day < span.from);
    doses
        .iter()
        .enumerate()
        .filter(|(i, d)| Some(*i) == carried || span.contains(d.day))
        .map(|(i, d)| DoseRow {
            day: d.day.to_string(),
            day_label: day_label(m, d.day),
            before: Some(i) == carried,
            dose: d
                .content
                .as_ref()
                .ok()
                .map(|c| dose_text(c.amount, &c.unit)),
            step: d.step.map(|s| s.to_string()),
        })
        .collect()
}

/// The check-ins' sentences: how many, mood, sleep; empty when there is
/// nothing to say.
pub(super) struct CheckinWords {
    pub(super) checkins: String,
    pub(super) mood: String,
    pub(super) sleep: String,
}

impl CheckinWords {
    /// Every sentence with something in it, in order.
    pub(super) fn all(self) -> Vec<String> {
        [self.checkins, self.mood, self.sleep]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// What the mood and sleep charts show, in sentences.
pub(super) fn checkin_sentences(m: &Messages, summary: &Summary) -> CheckinWords {
    let checkins = if summary.checkins == 0 {
        m.t("charts.checkins.none").to_owned()
    } else {
        m.t("charts.checkins.some")
            .replace(
                "{checkins}",
                &count(m, "charts.count.checkins", summary.checkins),
            )
            .replace("{days}", &count(m, "charts.count.days", summary.days))
    };
    let mood = summary.mood.map_or_else(String::new, |mood| {
        m.t("charts.mood.summary")
            .replace("{average}", &mood.average.to_string())
            .replace("{lowest}", &mood.lowest.level().to_string())
            .replace("{highest}", &mood.highest.level().to_string())
    });
    let sleep = match summary.sleep {
        Some(sleep) => m
            .t("charts.sleep.summary")
            .replace("{average}", &sleep.average.to_string())
            .replace("{shortest}", &sleep.shortest.hours_text())
            .replace("{longest}", &sleep.longest.hours_text()),
        None if summary.checkins > 0 => m.t("charts.sleep.none").to_owned(),
        None => String::new(),
    };
    CheckinWords {
        checkins,
        mood,
        sleep,
    }
}

/// The check-ins in the span, oldest first, as table rows.
pub(super) fn checkin_rows(m: &Messages, checkins: &[CheckinEntry]) -> Vec<CheckinRow> {
    checkins
        .iter()
        .map(|c| CheckinRow {
            day: c.day.to_string(),
            day_label: day_label(m, c.day),
            opened: c.content.as_ref().ok().map(|content| {
                (
                    m.t("charts.mood_cell")
                        .replace("{level}", &content.mood.level().to_string())
                        .replace(
                            "{words}",
                            m.t(&format!("journal.mood.{}", content.mood.code())),
                        ),
                    content.sleep.map(|s| s.hours_text()),
                )
            }),
        })
        .collect()
}
