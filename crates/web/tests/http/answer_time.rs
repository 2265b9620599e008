//! How long a group's hosts usually take (issue 18, item 4), on both
//! databases: each answer keeps how long it waited, from the latest
//! asking; the confirmed page says it in words once there are enough.

use axum::http::StatusCode;
use jiff::SignedDuration;
use kith_app::access::Person;
use kith_app::membership;
use kith_domain::account::Role;
use kith_domain::ids::Slug;
use kith_domain::membership::Decision;

use crate::support::{TestApp, now};
use crate::waiting::{ask, asking};

/// Hosts of `slug` answer `n` requests (from people named `who…`), each
/// `wait` after it was asked.
async fn answered(
    app: &TestApp,
    host: &Person,
    slug: &Slug,
    who: &str,
    n: usize,
    wait: SignedDuration,
) {
    for i in 0..n {
        let person = app.account(&format!("{who}{i}"), Role::Member).await;
        let asked_at =
            now() - SignedDuration::from_hours(24 * 10) + SignedDuration::from_hours(i as i64);
        let request =
            membership::ask_to_join(&app.context, &person, slug, "Hello.", None, asked_at)
                .await
                .expect("asked");
        let decision = if i % 2 == 0 {
            Decision::Approve
        } else {
            Decision::Decline
        };
        membership::decide(
            &app.context,
            host,
            &request.id,
            decision,
            "",
            asked_at + wait,
        )
        .await
        .expect("answered");
    }
}

kith_store::on_both_backends!(
    the_wait_words_come_from_the_groups_own_latest_answers,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let quick = asking(&app, &host, "Quick Circle").await;
        let slow = asking(&app, &host, "Slow Circle").await;
        let young = asking(&app, &host, "Young Circle").await;
        answered(
            &app,
            &host,
            &quick,
            "Quick",
            3,
            SignedDuration::from_hours(20),
        )
        .await;
        answered(
            &app,
            &host,
            &slow,
            "Slow",
            4,
            SignedDuration::from_hours(24 * 5),
        )
        .await;
        answered(
            &app,
            &host,
            &young,
            "Young",
            2,
            SignedDuration::from_hours(1),
        )
        .await;

        // The store keeps each answer's wait, newest answer first; a
        // request taken back is no answer.
        let store = app.db.store.as_ref();
        let leaver = app.account("Leaver", Role::Member).await;
        let left = ask(&app, &leaver, &quick).await;
        let mut leaving = app.browser_as(&leaver).await;
        leaving.get(&format!("/requests/{left}")).await;
        let done = leaving
            .post_form(
                &format!("/requests/{left}/withdraw"),
                &[("confirmed", "yes")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(
            store.answer_waits(&quick, 20).await.expect("waits"),
            vec![20 * 3600; 3]
        );
        assert_eq!(store.answer_waits(&slow, 2).await.expect("waits").len(), 2);

        let seeker = app.account("Seeker", Role::Member).await;
        for slug in [&quick, &slow, &young] {
            ask(&app, &seeker, slug).await;
        }
        let mut browser = app.browser_as(&seeker).await;
        let page = browser.get("/me/confirmed").await;
        assert_eq!(page.status, StatusCode::OK);
        let section = |name: &str| {
            let start = page.body.find(name).unwrap_or_else(|| panic!("{name}"));
            let end = page.body[start..].find("</section>").expect("end") + start;
            page.body[start..end].to_owned()
        };
        assert!(section("Quick Circle").contains("usually answer within a day"));
        assert!(section("Slow Circle").contains("usually answer within a week"));
        assert!(
            !section("Young Circle").contains("usually"),
            "too few answers"
        );
    }
);

kith_store::on_both_backends!(
    an_answer_s_wait_runs_from_the_latest_asking_and_later_changes_leave_it,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = asking(&app, &host, "Patient Circle").await;
        let store = app.db.store.as_ref();
        let at = |hours: i64| now() - SignedDuration::from_hours(100 - hours);
        let again = app.account("Again", Role::Member).await;
        let stayer = app.account("Stayer", Role::Member).await;

        // Asked, taken back (no answer), asked again; declined 2 h later.
        let first = membership::ask_to_join(&app.context, &again, &slug, "Hi.", None, at(0))
            .await
            .expect("asked");
        membership::withdraw(&app.context, &again, &first.id, at(1))
            .await
            .expect("withdrawn");
        membership::ask_to_join(&app.context, &again, &slug, "Hi again.", None, at(10))
            .await
            .expect("asked again");
        // Welcomed 3 h after asking, and leaving much later changes nothing.
        let stays = membership::ask_to_join(&app.context, &stayer, &slug, "Hi.", None, at(0))
            .await
            .expect("asked");
        membership::decide(&app.context, &host, &stays.id, Decision::Approve, "", at(3))
            .await
            .expect("welcomed");
        membership::decide(
            &app.context,
            &host,
            &first.id,
            Decision::Decline,
            "",
            at(12),
        )
        .await
        .expect("declined");
        membership::withdraw(&app.context, &stayer, &stays.id, at(50))
            .await
            .expect("left");

        assert_eq!(
            store.answer_waits(&slug, 20).await.expect("waits"),
            vec![2 * 3600, 3 * 3600],
            "newest answer first"
        );
        assert_eq!(
            store.answer_waits(&slug, 1).await.expect("waits"),
            vec![2 * 3600]
        );
    }
);
