//! The journal's charts through the real router, on both databases: a
//! medicine's doses drawn as a step path, the tables listing each dose and
//! check-in in the range and none outside it, the summary's figures, the
//! range links; entries that could not be opened said and never drawn;
//! another person's charts never showing one's data; a locked journal
//! asking to be opened first. The clock is 2026-06-01 (UTC).

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::ids::MedicineId;
use kith_domain::journal::chart::axis::{LEFT, PLOT_WIDTH};

use crate::support::{Browser, PASSWORD, TestApp, TestResponse};

const MEDICINE: &str = "CANARY-chartamine";

fn no_store(r: &TestResponse) {
    assert!(
        r.header("cache-control").contains("no-store"),
        "{:?}",
        r.headers
    );
}

/// A member whose journal is started and open in the browser's session.
async fn member_with_journal(app: &TestApp, handle: &str) -> (Person, Browser) {
    let person = app.account(handle, Role::Member).await;
    let mut browser = app.browser_as(&person).await;
    browser.get("/journal").await;
    let started = browser
        .post_form("/journal/start", &[("password", PASSWORD)])
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    browser.post_form("/journal/recovery-saved", &[]).await;
    (person, browser)
}

async fn checkin(browser: &mut Browser, day: &str, mood: &str, hours: &str) {
    let added = browser
        .post_form(
            "/journal/checkins",
            &[
                ("day", day),
                ("mood", mood),
                ("hours_slept", hours),
                ("note", "CANARY-chart-note"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
}

/// Adds the medicine with its doses; answers its page's path.
async fn medicine(browser: &mut Browser, doses: &[(&str, &str)]) -> String {
    let added = browser
        .post_form("/journal/taper", &[("name", MEDICINE)])
        .await;
    let page = added.header("location").to_owned();
    for (day, amount) in doses {
        let done = browser
            .post_form(
                &format!("{page}/doses"),
                &[("day", day), ("amount", amount), ("unit", "mg")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    page
}

/// The `d` of the page's first step path.
fn step_path(body: &str) -> &str {
    let (_, after) = body
        .split_once("<path class=\"chart-line step\" d=\"")
        .expect("a step path");
    after.split_once('"').expect("its end").0
}

/// The rows of the table with this caption.
fn table<'a>(body: &'a str, caption: &str) -> &'a str {
    let (_, after) = body
        .split_once(&format!("<caption>{caption}</caption>"))
        .unwrap_or_else(|| panic!("a table captioned {caption}: {body}"));
    after.split_once("</table>").expect("its end").0
}

fn current_range(body: &str) -> &str {
    let (before, _) = body
        .split_once(" aria-current=\"page\"")
        .expect("a current range");
    let (_, link) = before.rsplit_once("range=").expect("its link");
    link.trim_end_matches('"')
}

kith_store::on_both_backends!(
    the_charts_draw_each_dose_as_steps_and_list_only_what_is_in_range,
    |store| async move {
        let app = TestApp::on(store);
        let (_, mut own) = member_with_journal(&app, "River").await;
        let journal = own.get("/journal").await;
        assert!(journal.body.contains("href=\"/journal/charts\""));
        medicine(
            &mut own,
            &[
                ("2025-06-01", "60"),
                ("2025-11-01", "50"),
                ("2026-02-01", "45"),
                ("2026-05-01", "40"),
            ],
        )
        .await;
        assert!(
            own.get("/journal/taper")
                .await
                .body
                .contains("href=\"/journal/charts\"")
        );
        checkin(&mut own, "2025-11-15", "1", "3").await;
        checkin(&mut own, "2026-05-30", "2", "6.5").await;
        checkin(&mut own, "2026-05-31", "4", "8").await;
        checkin(&mut own, "2026-05-31", "3", "").await;

        // Six months by default: 2025-12-01 to 2026-06-01.
        let page = own.get("/journal/charts").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        no_store(&page);
        let body = &page.body;
        assert_eq!(current_range(body), "six_months");
        assert!(body.contains("not medical advice"));
        assert!(body.contains("From 1 Dec 2025 to 1 Jun 2026."), "{body}");
        assert!(body.contains("role=\"img\""));
        assert!(
            body.contains("aria-labelledby=\"chart-medicine-0-0-title chart-medicine-0-0-desc\"")
        );
        assert!(body.contains(&format!(
            "<title id=\"chart-medicine-0-0-title\">{MEDICINE}: dose over time</title>"
        )));
        // A step path: from the left edge at the dose in force (50 mg),
        // down twice, held to the right edge.
        let path = step_path(body);
        assert!(path.starts_with(&format!("M{LEFT} ")), "{path}");
        assert!(path.ends_with(&format!("H{}", LEFT + PLOT_WIDTH)), "{path}");
        assert_eq!(path.matches(" V").count(), 2, "{path}");
        assert_eq!(path.matches('M').count(), 1, "{path}");
        let main = body.split_once("<main").expect("main").1;
        assert!(!main.contains("<script"), "no script draws it");

        // The summary's figures.
        let summary = format!("{MEDICINE}: from 50 mg to 40 mg, with 2 changes in this range.");
        assert!(body.contains(&summary), "{body}");
        assert!(body.contains("3 check-ins on 2 different days."), "{body}");
        assert!(body.contains(
            "Mood averaged 3.0 on the scale from 1 (very hard) to 5 (good): lowest 2, highest 4."
        ));
        assert!(
            body.contains("Sleep averaged 7.3 hours a night: shortest 6.5 hours, longest 8 hours.")
        );

        // The doses table: the one in force when the range began, and
        // each change in it; never the one before that.
        let doses = table(body, &format!("{MEDICINE}: the dose changes drawn"));
        for shown in [
            "50 mg",
            "45 mg",
            "40 mg",
            "-10%",
            "-11.1%",
            "in force when this range began",
        ] {
            assert!(doses.contains(shown), "{shown}: {doses}");
        }
        assert!(!doses.contains("60 mg"), "{doses}");
        assert!(!doses.contains("2025-06-01"), "{doses}");
        let checkins = table(
            body,
            "Check-ins in this range, oldest first: mood and hours slept",
        );
        assert_eq!(
            checkins.matches("<th scope=\"row\">").count(),
            3,
            "{checkins}"
        );
        assert!(checkins.contains("datetime=\"2026-05-30\""));
        assert!(checkins.contains("Hard: a low day (2)"));
        assert!(checkins.contains("6.5"));
        assert!(!checkins.contains("2025-11-15"), "{checkins}");
        assert!(!body.contains("CANARY-chart-note"), "notes are not charted");
        assert!(
            checkins.find("2026-05-30").expect("first")
                < checkins.find("2026-05-31").expect("then"),
            "oldest first"
        );

        // Everything: from the first dose; every dose and check-in.
        let all = own.get("/journal/charts?range=all").await.body;
        assert_eq!(current_range(&all), "all");
        assert!(all.contains(&format!(
            "{MEDICINE}: from 60 mg to 40 mg, with 4 changes in this range."
        )));
        let doses = table(&all, &format!("{MEDICINE}: the dose changes drawn"));
        assert!(
            doses.contains("60 mg") && !doses.contains("in force when"),
            "{doses}"
        );
        assert!(all.contains("4 check-ins on 3 different days."));
        assert!(
            table(
                &all,
                "Check-ins in this range, oldest first: mood and hours slept"
            )
            .contains("datetime=\"2025-11-15\"")
        );

        // The last month: 45 mg held into it, one change in it.
        let month = own.get("/journal/charts?range=month").await.body;
        assert_eq!(current_range(&month), "month");
        assert!(month.contains(&format!(
            "{MEDICINE}: from 45 mg to 40 mg, with one change in this range."
        )));
        let doses = table(&month, &format!("{MEDICINE}: the dose changes drawn"));
        assert!(!doses.contains("50 mg"), "{doses}");
        assert!(
            month.contains("8 Jun") || month.contains("4 May"),
            "weekly ticks"
        );

        // An unknown range shows the default, and says so by its links.
        let unknown = own.get("/journal/charts?range=forever").await;
        assert_eq!(unknown.status, StatusCode::OK);
        assert_eq!(current_range(&unknown.body), "six_months");
        assert!(unknown.body.contains(&summary));
    }
);

kith_store::on_both_backends!(
    entries_that_could_not_be_opened_are_counted_and_never_drawn,
    |store| async move {
        let app = TestApp::on(store);
        let (river, mut own) = member_with_journal(&app, "River").await;
        let page = medicine(
            &mut own,
            &[
                ("2026-03-01", "20"),
                ("2026-04-01", "15"),
                ("2026-05-01", "10"),
            ],
        )
        .await;
        checkin(&mut own, "2026-05-20", "5", "9").await;
        checkin(&mut own, "2026-05-21", "1", "4").await;
        let before = own.get("/journal/charts").await.body;
        assert_eq!(step_path(&before).matches('M').count(), 1);
        assert!(!before.contains("could not be opened"));

        // One byte of the middle dose and of the low day's check-in flipped.
        let store = app.context.store();
        let id = MedicineId::parse(page.rsplit('/').next().expect("id")).expect("medicine id");
        let doses = store.doses(river.id, &id).await.expect("doses");
        let middle = doses.get(1).expect("a middle dose");
        let mut flipped = middle.sealed.clone();
        flipped[30] ^= 0x01;
        store
            .update_dose(river.id, &middle.id, middle.day, &flipped)
            .await
            .expect("tamper");
        let checkins = store
            .checkins(river.id, None, None)
            .await
            .expect("check-ins");
        let low = checkins
            .iter()
            .find(|c| c.day.to_string() == "2026-05-21")
            .expect("the low day");
        let mut flipped = low.sealed.clone();
        flipped[30] ^= 0x01;
        store
            .update_checkin(river.id, &low.id, low.day, &flipped, crate::support::now())
            .await
            .expect("tamper");

        let after = own.get("/journal/charts").await;
        assert_eq!(after.status, StatusCode::OK, "{}", after.body);
        let body = &after.body;
        assert!(
            body.contains(
                "2 entries in this range could not be opened. They are not drawn or counted."
            ),
            "{body}"
        );
        // The dose's stretch is blank: the line breaks in two.
        assert_eq!(
            step_path(body).matches('M').count(),
            2,
            "{}",
            step_path(body)
        );
        assert!(body.contains(&format!(
            "{MEDICINE}: from 20 mg to 10 mg, with 2 changes in this range."
        )));
        // The low day is said in the table and left out of the figures.
        assert!(body.contains("One check-in on one day."), "{body}");
        assert!(body.contains("lowest 5, highest 5"));
        let table = table(
            body,
            "Check-ins in this range, oldest first: mood and hours slept",
        );
        assert!(table.contains("This entry could not be opened."), "{table}");
        assert_eq!(
            body.matches("<circle").count(),
            2 + 1 + 1,
            "two dose marks, a mood and a sleep dot"
        );
    }
);

kith_store::on_both_backends!(
    anothers_charts_never_show_ones_data_and_a_locked_journal_asks_to_be_opened,
    |store| async move {
        let app = TestApp::on(store);
        let (river, mut own) = member_with_journal(&app, "River").await;
        medicine(&mut own, &[("2026-05-01", "40")]).await;
        checkin(&mut own, "2026-05-30", "2", "6.5").await;
        assert!(own.get("/journal/charts").await.body.contains(MEDICINE));

        // Another member with a journal sees their own, empty charts.
        let (_, mut other) = member_with_journal(&app, "Journaler").await;
        let theirs = other.get("/journal/charts").await;
        assert_eq!(theirs.status, StatusCode::OK);
        no_store(&theirs);
        assert!(!theirs.body.contains(MEDICINE));
        assert!(!theirs.body.contains("6.5"));
        assert!(theirs.body.contains("Your taper log has no medicines yet."));
        assert!(theirs.body.contains("No check-ins in this range."));
        assert!(
            !theirs.body.contains("<svg class=\"chart"),
            "nothing to draw"
        );
        // Whoever has no journal is sent to start one; a moderator too.
        for role in [Role::Member, Role::Moderator, Role::Admin] {
            let person = app.account(&format!("Passerby{role:?}"), role).await;
            let mut browser = app.browser_as(&person).await;
            for range in ["", "?range=all"] {
                let answer = browser.get(&format!("/journal/charts{range}")).await;
                assert_eq!(answer.status, StatusCode::SEE_OTHER, "{role:?}");
                assert_eq!(answer.header("location"), "/journal");
                no_store(&answer);
                assert!(!answer.body.contains(MEDICINE));
            }
        }
        // Anonymous: sent to log in.
        let anonymous = app.browser().get("/journal/charts").await;
        assert!(anonymous.header("location").starts_with("/login"));

        // A session that began without the password finds it locked: the
        // charts send it to the journal, which asks for the password.
        let mut linked = app.browser_as(&river).await;
        let locked = linked.get("/journal/charts").await;
        assert_eq!(locked.status, StatusCode::SEE_OTHER);
        assert_eq!(locked.header("location"), "/journal");
        no_store(&locked);
        let asks = linked.get("/journal").await;
        assert!(asks.body.contains("action=\"/journal/unlock\""));
        linked
            .post_form("/journal/unlock", &[("password", PASSWORD)])
            .await;
        assert!(linked.get("/journal/charts").await.body.contains(MEDICINE));
        // The owner's charts are as they were.
        assert!(own.get("/journal/charts").await.body.contains(MEDICINE));
    }
);

kith_store::on_both_backends!(
    a_medicine_noted_in_two_units_gets_a_chart_per_unit,
    |store| async move {
        let app = TestApp::on(store);
        let (_, mut own) = member_with_journal(&app, "River").await;
        let page = medicine(&mut own, &[("2026-01-10", "20")]).await;
        for (day, amount) in [("2026-03-01", "4"), ("2026-04-01", "3.5")] {
            let done = own
                .post_form(
                    &format!("{page}/doses"),
                    &[("day", day), ("amount", amount), ("unit", "ml")],
                )
                .await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        }
        let body = own.get("/journal/charts").await.body;
        for (id, unit) in [("chart-medicine-0-0", "mg"), ("chart-medicine-0-1", "ml")] {
            let title =
                format!("<title id=\"{id}-title\">{MEDICINE}: dose in {unit} over time</title>");
            assert!(body.contains(&title), "{title}: {body}");
        }
        assert_eq!(body.matches("<path class=\"chart-line step\"").count(), 2);
        // The change of unit has no step; the change within ml has one.
        let doses = table(&body, &format!("{MEDICINE}: the dose changes drawn"));
        assert!(doses.contains("20 mg") && doses.contains("4 ml") && doses.contains("-12.5%"));
        assert!(body.contains(&format!(
            "{MEDICINE}: from 20 mg to 3.5 ml, with 3 changes in this range."
        )));
    }
);
