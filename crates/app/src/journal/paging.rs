//! The journal page's check-ins a page at a time: years of daily
//! check-ins are read as sealed rows (cheap), but only one page of them is
//! opened and shown.

use jiff::civil::Date;
use kith_store::journal::SealedCheckin;

use super::entries::{CheckinEntry, open_checkin};
use super::open_key;
use crate::access::Person;
use crate::{App, AppResult};

/// About how many check-ins one page shows: a month of daily ones.
pub const CHECKINS_PER_PAGE: usize = 30;

/// One page of check-ins, newest first.
pub struct CheckinPage {
    /// The check-ins on it, each opened or saying it could not be.
    pub entries: Vec<CheckinEntry>,
    /// The day the next, older page starts at (`until`), if there is one.
    pub older: Option<Date>,
}

/// The person's check-ins on or before `until` (the newest when `None`),
/// at most [`CHECKINS_PER_PAGE`] of them and never splitting a day across
/// two pages.
pub async fn checkin_page(
    app: &App,
    person: &Person,
    session_token: &str,
    until: Option<Date>,
) -> AppResult<CheckinPage> {
    let key = open_key(app, person, session_token).await?;
    let rows = app.store().checkins(person.id, None, until).await?;
    let (page, older) = split_page(rows, CHECKINS_PER_PAGE);
    Ok(CheckinPage {
        entries: page
            .into_iter()
            .map(|row| open_checkin(&key, person, row))
            .collect(),
        older,
    })
}

/// The first `size` rows (newest day first), extended to the end of the
/// last day they reach, and the day the rest start at.
fn split_page(mut rows: Vec<SealedCheckin>, size: usize) -> (Vec<SealedCheckin>, Option<Date>) {
    let Some(last_day) = rows.get(size.max(1) - 1).map(|row| row.day) else {
        return (rows, None);
    };
    let end = rows
        .iter()
        .position(|row| row.day < last_day)
        .unwrap_or(rows.len());
    let rest = rows.split_off(end);
    (rows, rest.first().map(|row| row.day))
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use jiff::civil::date;
    use kith_domain::ids::CheckinId;

    use super::*;

    fn row(day: Date) -> SealedCheckin {
        SealedCheckin {
            id: CheckinId::random(),
            day,
            sealed: Vec::new(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn days(rows: &[SealedCheckin]) -> Vec<i8> {
        rows.iter().map(|r| r.day.day()).collect()
    }

    #[test]
    fn a_page_stops_at_its_size_and_names_the_next_day() {
        let rows = (1..=9).rev().map(|d| row(date(2026, 5, d))).collect();
        let (page, older) = split_page(rows, 4);
        assert_eq!(days(&page), [9, 8, 7, 6]);
        assert_eq!(older, Some(date(2026, 5, 5)));
    }

    #[test]
    fn a_day_is_never_split_across_two_pages() {
        let rows = vec![
            row(date(2026, 5, 9)),
            row(date(2026, 5, 8)),
            row(date(2026, 5, 8)),
            row(date(2026, 5, 8)),
            row(date(2026, 5, 2)),
        ];
        let (page, older) = split_page(rows, 2);
        assert_eq!(days(&page), [9, 8, 8, 8]);
        assert_eq!(older, Some(date(2026, 5, 2)));
    }

    #[test]
    fn the_last_page_has_no_older_one() {
        let rows = vec![row(date(2026, 5, 9)), row(date(2026, 5, 8))];
        let (page, older) = split_page(rows, 2);
        assert_eq!(days(&page), [9, 8]);
        assert_eq!(older, None);
        let (page, older) = split_page(Vec::new(), 2);
        assert!(page.is_empty());
        assert_eq!(older, None);
    }
}
