//! The charts of a journal for a range ending today: its check-ins and
//! every medicine's dose changes opened, then drawn by the domain's
//! [`kith_domain::journal::chart`] — what could not be opened is counted
//! there and never drawn. Three queries whatever the journal's size: the
//! medicines, every dose (there are few), and the check-ins of the range
//! only (all of them for the whole range).

use jiff::Timestamp;
use kith_domain::journal::chart::{self, Charts, CheckinPoint, DosePoint, Range, Reading};
use kith_domain::journal::today;
use kith_domain::zone::Zone;

use super::entries::{
    CheckinEntry, DoseEntry, MedicineEntry, open_checkin, open_doses, open_medicine,
};
use super::open_key;
use crate::access::Person;
use crate::{App, AppResult};

/// A journal's charts and what they were drawn from, for the page's
/// summary and tables. No `Debug`: it holds what the member wrote.
pub struct ChartsRead {
    /// The geometry and figures.
    pub charts: Charts,
    /// Each medicine with all its dose changes, oldest first (each with
    /// its step), in the order added — the same order as
    /// `charts.medicines`.
    pub medicines: Vec<(MedicineEntry, Vec<DoseEntry>)>,
    /// The check-ins in the charts' span, oldest first.
    pub checkins: Vec<CheckinEntry>,
}

/// The person's charts for `range`, ending today in `zone`.
pub async fn charts(
    app: &App,
    person: &Person,
    session_token: &str,
    range: Range,
    zone: &Zone,
    now: Timestamp,
) -> AppResult<ChartsRead> {
    let key = open_key(app, person, session_token).await?;
    let today = today(now, zone);
    let store = app.store();
    let mut doses = store.all_doses(person.id).await?;
    let medicines: Vec<(MedicineEntry, Vec<DoseEntry>)> = store
        .medicines(person.id)
        .await?
        .into_iter()
        .map(|row| {
            let (own, rest) = std::mem::take(&mut doses)
                .into_iter()
                .partition(|d| d.medicine == row.id);
            doses = rest;
            (
                open_medicine(&key, person, row),
                open_doses(&key, person, own),
            )
        })
        .collect();
    // The whole range needs every check-in to find where it begins.
    let from = match range {
        Range::All => None,
        other => Some(other.span(today, None).from),
    };
    let mut checkins: Vec<CheckinEntry> = store
        .checkins(person.id, from, Some(today))
        .await?
        .into_iter()
        .map(|row| open_checkin(&key, person, row))
        .collect();
    checkins.reverse();

    let points: Vec<CheckinPoint> = checkins
        .iter()
        .map(|c| CheckinPoint {
            day: c.day,
            reading: c.content.as_ref().ok().map(|content| Reading {
                mood: content.mood,
                sleep: content.sleep,
            }),
        })
        .collect();
    let dose_points: Vec<Vec<DosePoint>> = medicines
        .iter()
        .map(|(_, doses)| {
            doses
                .iter()
                .map(|d| DosePoint {
                    day: d.day,
                    dose: d.content.as_ref().ok().map(|c| (c.amount, c.unit.clone())),
                })
                .collect()
        })
        .collect();
    let charts = chart::charts(range, today, &points, &dose_points);
    checkins.retain(|c| charts.span.contains(c.day));
    Ok(ChartsRead {
        charts,
        medicines,
        checkins,
    })
}
