//! The journal page shows its check-ins a page at a time, newest first:
//! years of daily check-ins are not opened and sent at once. A day is
//! never split across two pages, the older pages are reached by link, and
//! a cursor that is not a day shows the newest.

use axum::http::StatusCode;
use jiff::ToSpan;
use jiff::civil::date;
use kith_app::journal::CHECKINS_PER_PAGE;

use crate::journal::member_with_journal;
use crate::support::TestApp;

/// The link to the older page, if `body` has one.
fn older_link(body: &str) -> Option<String> {
    let (_, after) = body.split_once("href=\"/journal?until=")?;
    let until = after.split('"').next()?;
    Some(format!("/journal?until={until}"))
}

/// How many check-ins `body` lists (their edit links).
fn listed(body: &str) -> usize {
    body.matches("/edit\">").count()
}

kith_store::on_both_backends!(check_ins_come_a_page_at_a_time, |store| async move {
    let app = TestApp::on(store);
    let (_, mut browser) = member_with_journal(&app, "Fern").await;
    // A check-in a day for a month and a week, and a second on the day
    // the first page would end.
    let first = date(2026, 4, 20);
    let days = CHECKINS_PER_PAGE + 7;
    for n in 0..days {
        let day = (first + (n as i64).days()).to_string();
        let note = format!("PAGING-{day}");
        let added = browser
            .post_form(
                "/journal/checkins",
                &[("day", &day), ("mood", "3"), ("note", &note)],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let boundary = (first + 7.days()).to_string();
    let again = browser
        .post_form(
            "/journal/checkins",
            &[("day", &boundary), ("mood", "4"), ("note", "PAGING-again")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);

    let newest = browser.get("/journal").await;
    assert_eq!(newest.status, StatusCode::OK);
    // The page's size, plus the boundary day's second check-in.
    assert_eq!(listed(&newest.body), CHECKINS_PER_PAGE + 1);
    let last = (first + ((days - 1) as i64).days()).to_string();
    assert!(newest.body.contains(&format!("PAGING-{last}")));
    assert!(newest.body.contains("PAGING-again"));
    assert!(!newest.body.contains(&format!("PAGING-{first}")));
    assert!(!newest.body.contains("Back to the newest check-ins"));

    let to_older = older_link(&newest.body).expect("a link to older check-ins");
    let older_day = (first + 6.days()).to_string();
    assert!(
        to_older.starts_with(&format!("/journal?until={older_day}")),
        "{to_older}"
    );
    let older = browser.get(&to_older).await;
    assert_eq!(older.status, StatusCode::OK);
    assert_eq!(listed(&older.body), 7);
    assert!(older.body.contains(&format!("PAGING-{first}")));
    assert!(!older.body.contains("PAGING-again"));
    assert!(older.body.contains("Back to the newest check-ins"));
    assert_eq!(
        older_link(&older.body),
        None,
        "the last page has no older one"
    );

    // Not a day: the newest page, as without a cursor.
    let odd = browser.get("/journal?until=yesterday").await;
    assert_eq!(odd.status, StatusCode::OK);
    assert_eq!(listed(&odd.body), CHECKINS_PER_PAGE + 1);
});
