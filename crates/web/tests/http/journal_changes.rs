//! Changing what the journal holds and how it opens, through the real
//! router on both databases: a dose change edited (a refused one keeping
//! what was typed) and deleted, a medicine renamed and deleted with its
//! doses, each behind a page that asks first; another person's, or a dose
//! under another medicine's address, is 404. The recovery code opens a
//! locked journal once and is replaced by a new one shown once; a lost one
//! is replaced with the password; an old one opens nothing.

use axum::http::StatusCode;
use kith_domain::account::Role;

use crate::journal::{NOTE, add, member_with_journal, no_store, recovery_code_in, start};
use crate::journal_transfer::medicine_with_doses;
use crate::support::{Browser, PASSWORD, TestApp};

/// The id in the first link on `page` that starts with `prefix`.
fn id_after(body: &str, prefix: &str) -> String {
    let (_, after) = body.split_once(prefix).expect(prefix);
    after.split_once('/').expect("id").0.to_owned()
}

kith_store::on_both_backends!(
    dose_changes_and_medicines_are_edited_and_deleted_by_their_writer_only,
    |store| async move {
        let app = TestApp::on(store);
        let (_, mut river) = member_with_journal(&app, "River").await;
        let page = medicine_with_doses(
            &mut river,
            "CANARY-sertraline",
            &[("2026-04-01", "50"), ("2026-05-01", "45")],
        )
        .await;
        let other = medicine_with_doses(&mut river, "Other", &[]).await;
        let shown = river.get(&page).await;
        assert!(shown.body.contains(&format!("href=\"{page}/edit\"")));
        assert!(shown.body.contains(&format!("href=\"{page}/delete\"")));
        let dose = id_after(&shown.body, &format!("{page}/doses/"));
        let edit = format!("{page}/doses/{dose}/edit");

        let form = river.get(&edit).await;
        assert_eq!(form.status, StatusCode::OK);
        no_store(&form);
        for filled in [
            "value=\"2026-04-01\"",
            "value=\"50\"",
            "value=\"mg\"",
            "-5% from here",
        ] {
            assert!(form.body.contains(filled), "{filled}: {}", form.body);
        }
        assert!(form.body.contains("not medical advice"));
        let refused = river
            .post_form(
                &edit,
                &[
                    ("day", "2026-04-02"),
                    ("amount", "20000"),
                    ("unit", "mg"),
                    ("note", "typed note"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        for kept in ["value=\"20000\"", "value=\"2026-04-02\"", "typed note"] {
            assert!(refused.body.contains(kept), "{kept}");
        }
        assert!(refused.body.contains("larger than any dose"));
        assert!(refused.body.contains("href=\"#f-amount\""));
        let edited = river
            .post_form(
                &edit,
                &[
                    ("day", "2026-04-02"),
                    ("amount", "60"),
                    ("unit", "mg"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
        assert_eq!(edited.header("location"), page);
        let shown = river.get(&page).await;
        assert!(shown.body.contains("60 mg") && !shown.body.contains("50 mg"));
        assert!(shown.body.contains("-25%"), "{}", shown.body);

        // Under another medicine's address the dose is not found.
        for path in [
            format!("{other}/doses/{dose}/edit"),
            format!("{other}/doses/{dose}/delete"),
        ] {
            assert_eq!(
                river.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        let moved = river
            .post_form(&format!("{other}/doses/{dose}/delete"), &[])
            .await;
        assert_eq!(moved.status, StatusCode::NOT_FOUND);

        // Another person: 404 for every page and form, nothing changed.
        let (_, mut lake) = member_with_journal(&app, "Lake").await;
        let stranger = app.account("Passerby", Role::Member).await;
        let mut stranger = app.browser_as(&stranger).await;
        for browser in [&mut lake, &mut stranger] {
            browser.get("/journal").await;
            for path in [
                edit.clone(),
                format!("{page}/doses/{dose}/delete"),
                format!("{page}/edit"),
                format!("{page}/delete"),
            ] {
                let got = browser.get(&path).await;
                assert_eq!(got.status, StatusCode::NOT_FOUND, "{path}");
                assert!(!got.body.contains("CANARY"));
                let posted = browser
                    .post_form(
                        &path,
                        &[
                            ("name", "x"),
                            ("day", "2026-05-01"),
                            ("amount", "1"),
                            ("unit", "mg"),
                        ],
                    )
                    .await;
                assert_eq!(posted.status, StatusCode::NOT_FOUND, "{path}");
            }
        }
        assert!(river.get(&page).await.body.contains("60 mg"));

        let ask = river.get(&format!("{page}/doses/{dose}/delete")).await;
        assert_eq!(ask.status, StatusCode::OK);
        assert!(ask.body.contains("60 mg"));
        let deleted = river
            .post_form(&format!("{page}/doses/{dose}/delete"), &[])
            .await;
        assert_eq!(deleted.header("location"), page);
        let shown = river.get(&page).await;
        assert!(!shown.body.contains("60 mg") && shown.body.contains("45 mg"));
        assert_eq!(river.get(&edit).await.status, StatusCode::NOT_FOUND);

        let rename = format!("{page}/edit");
        let form = river.get(&rename).await;
        assert!(form.body.contains("value=\"CANARY-sertraline\""));
        let refused = river.post_form(&rename, &[("name", &"n".repeat(81))]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains(&format!("value=\"{}\"", "n".repeat(81)))
        );
        assert!(refused.body.contains("Use at most 80 characters."));
        let renamed = river.post_form(&rename, &[("name", "CANARY-zoloft")]).await;
        assert_eq!(renamed.header("location"), page);
        assert!(
            river
                .get("/journal/taper")
                .await
                .body
                .contains("CANARY-zoloft")
        );

        let ask = river.get(&format!("{page}/delete")).await;
        assert!(ask.body.contains("CANARY-zoloft"));
        assert!(
            ask.body.contains("Dose changes deleted with it: 1."),
            "{}",
            ask.body
        );
        let gone = river.post_form(&format!("{page}/delete"), &[]).await;
        assert_eq!(gone.header("location"), "/journal/taper");
        assert!(
            !river
                .get("/journal/taper")
                .await
                .body
                .contains("CANARY-zoloft")
        );
        assert_eq!(river.get(&page).await.status, StatusCode::NOT_FOUND);
    }
);

/// Opens `browser`'s locked journal with `code`: the answer.
async fn recover(browser: &mut Browser, code: &str) -> crate::support::TestResponse {
    browser.get("/journal").await;
    browser
        .post_form(
            "/journal/recover",
            &[("recovery_code", code), ("password", "")],
        )
        .await
}

kith_store::on_both_backends!(
    a_recovery_code_opens_once_and_is_replaced_by_one_shown_once,
    |store| async move {
        let app = TestApp::on(store);
        let river = app.account("River", Role::Member).await;
        let mut own = app.browser_as(&river).await;
        let first = start(&mut own).await;
        add(&mut own, NOTE).await;
        own.post_form("/journal/lock", &[]).await;
        let locked = own.get("/journal").await;
        assert!(locked.body.contains("action=\"/journal/unlock\""));
        assert!(
            locked.body.contains("action=\"/journal/recover\""),
            "{}",
            locked.body
        );
        assert!(!locked.body.contains(NOTE));

        let opened = recover(&mut own, &first).await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        no_store(&opened);
        let second = recovery_code_in(&opened.body);
        assert_ne!(second, first);
        assert!(opened.body.contains("no longer opens your journal"));
        let page = own.get("/journal").await;
        assert!(page.body.contains(NOTE));
        assert!(!page.body.contains(&second));
        assert!(page.body.contains("not yet told us you saved"));

        own.post_form("/journal/lock", &[]).await;
        let spent = recover(&mut own, &first).await;
        assert_eq!(spent.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(spent.body.contains("This code does not open your journal."));
        assert!(!spent.body.contains(NOTE));
        let opened = recover(&mut own, &second).await;
        assert_ne!(recovery_code_in(&opened.body), second);
        assert!(own.get("/journal").await.body.contains(NOTE));
    }
);

// Each attempt counts against the login limits (six a minute from one
// address), so the lost code's story runs in an app of its own.
kith_store::on_both_backends!(
    a_lost_recovery_code_is_replaced_with_the_password_and_stops_working,
    |store| async move {
        let app = TestApp::on(store);
        let river = app.account("River", Role::Member).await;
        let mut own = app.browser_as(&river).await;
        let third = start(&mut own).await;
        add(&mut own, NOTE).await;
        // A lost code is replaced with the password, from an open journal.
        let ask = own.get("/journal/recovery-code").await;
        assert_eq!(ask.status, StatusCode::OK);
        no_store(&ask);
        assert!(ask.body.contains("stops working at once"));
        let wrong = own
            .post_form(
                "/journal/recovery-code/new",
                &[("password", "not the password")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("That is not your password."));
        assert!(wrong.body.contains("href=\"#f-password\""));
        let made = own
            .post_form("/journal/recovery-code/new", &[("password", PASSWORD)])
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        no_store(&made);
        let fourth = recovery_code_in(&made.body);
        assert_ne!(fourth, third);

        own.post_form("/journal/lock", &[]).await;
        assert_eq!(
            recover(&mut own, &third).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let opened = recover(&mut own, &fourth).await;
        assert_eq!(opened.status, StatusCode::OK);
        assert!(own.get("/journal").await.body.contains(NOTE));
    }
);
