//! The journal's pages through the real router: starting it shows the
//! recovery code once; check-ins are added, read, edited and deleted,
//! and a refused one keeps what was typed; a login opens the journal, a
//! session begun without the password asks for it; another person's
//! check-in is the same 404 as none; what a member writes never reaches
//! anyone else's pages. The note carries `CANARY-`, which the log check
//! (`crates/kith/tests/logs.rs`) looks for in every log line.

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;

use crate::support::{Browser, PASSWORD, TestApp, TestResponse, now};

pub(crate) const NOTE: &str = "CANARY-journal-note the third week of the taper felt long";

pub(crate) fn no_store(r: &TestResponse) {
    assert!(
        r.header("cache-control").contains("no-store"),
        "{:?}",
        r.headers
    );
}

/// Starts `person`'s journal in `browser`'s session; answers the code.
pub(crate) async fn start(browser: &mut Browser) -> String {
    browser.get("/journal").await;
    let started = browser
        .post_form("/journal/start", &[("password", PASSWORD)])
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    no_store(&started);
    recovery_code_in(&started.body)
}

/// The recovery code a page shows.
pub(crate) fn recovery_code_in(body: &str) -> String {
    let (_, after) = body
        .split_once("<code id=\"recovery-code\">")
        .expect("the code is shown");
    after.split_once("</code>").expect("code").0.to_owned()
}

/// Adds a check-in with the note; answers its id, read from the page.
pub(crate) async fn add(browser: &mut Browser, note: &str) -> String {
    let added = browser
        .post_form(
            "/journal/checkins",
            &[
                ("day", "2026-05-30"),
                ("mood", "2"),
                ("hours_slept", "6.5"),
                ("symptoms", "brain zaps, Insomnia, brain Zaps"),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.header("location"), "/journal?done=added");
    let page = browser.get("/journal").await;
    let (_, after) = page
        .body
        .split_once("/journal/checkins/")
        .expect("an edit link");
    after.split_once('/').expect("id").0.to_owned()
}

pub(crate) async fn member_with_journal(app: &TestApp, handle: &str) -> (Person, Browser) {
    let person = app.account(handle, Role::Member).await;
    let mut browser = app.browser_as(&person).await;
    start(&mut browser).await;
    browser.post_form("/journal/recovery-saved", &[]).await;
    (person, browser)
}

kith_store::on_both_backends!(
    a_journal_starts_with_its_code_shown_once_and_keeps_check_ins,
    |store| async move {
        let app = TestApp::on(store);
        let river = app.account("River", Role::Member).await;
        let mut own = app.browser_as(&river).await;

        let me = own.get("/me").await;
        assert!(me.body.contains("href=\"/journal\""), "{}", me.body);
        let offer = own.get("/journal").await;
        assert_eq!(offer.status, StatusCode::OK);
        no_store(&offer);
        assert!(offer.body.contains("Start your journal"), "{}", offer.body);
        assert!(offer.body.contains("not medical advice"));

        let wrong = own
            .post_form("/journal/start", &[("password", "not the password")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("That is not your password."));
        assert!(
            wrong.body.contains("href=\"#f-password\""),
            "{}",
            wrong.body
        );

        let code = start(&mut own).await;
        assert!(code.len() > 20, "{code}");
        let page = own.get("/journal").await;
        assert!(!page.body.contains(&code), "the code is shown only once");
        assert!(page.body.contains("not yet told us you saved"));
        let saved = own.post_form("/journal/recovery-saved", &[]).await;
        assert_eq!(saved.header("location"), "/journal?done=saved");
        let page = own.get("/journal").await;
        assert!(!page.body.contains("not yet told us you saved"));
        assert!(page.body.contains("No check-ins yet"));

        // A refused check-in keeps every field and links each refusal.
        let refused = own
            .post_form(
                "/journal/checkins",
                &[
                    ("day", "2026-06-05"),
                    ("mood", ""),
                    ("hours_slept", "lots"),
                    ("symptoms", "dizziness"),
                    ("note", NOTE),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        no_store(&refused);
        for kept in [
            "value=\"2026-06-05\"",
            "value=\"lots\"",
            "value=\"dizziness\"",
            NOTE,
        ] {
            assert!(refused.body.contains(kept), "{kept}: {}", refused.body);
        }
        for link in ["#f-day", "#f-mood", "#f-hours_slept"] {
            assert!(refused.body.contains(&format!("href=\"{link}\"")), "{link}");
        }
        assert!(refused.body.contains("Choose how the day felt."));
        assert!(refused.body.contains("Choose today or an earlier day."));

        let id = add(&mut own, NOTE).await;
        let page = own.get("/journal").await;
        no_store(&page);
        assert!(page.body.contains(NOTE), "{}", page.body);
        assert!(page.body.contains("Hard: a low day"));
        assert!(page.body.contains("brain zaps, Insomnia</dd>"));
        assert!(page.body.contains("6.5 hours"));
        assert!(page.body.contains("datetime=\"2026-05-30\""));

        let form = own.get(&format!("/journal/checkins/{id}/edit")).await;
        assert_eq!(form.status, StatusCode::OK);
        no_store(&form);
        assert!(form.body.contains(NOTE));
        assert!(
            form.body
                .contains("id=\"f-mood-2\" name=\"mood\" type=\"radio\" value=\"2\" checked")
        );
        let refused = own
            .post_form(
                &format!("/journal/checkins/{id}/edit"),
                &[
                    ("day", "2026-05-30"),
                    ("mood", "9"),
                    ("note", "kept as typed"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("kept as typed"));
        assert!(refused.body.contains("Choose one of the five answers."));
        let edited = own
            .post_form(
                &format!("/journal/checkins/{id}/edit"),
                &[
                    ("day", "2026-05-31"),
                    ("mood", "4"),
                    ("note", "A steadier day"),
                ],
            )
            .await;
        assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
        let page = own.get("/journal").await;
        assert!(page.body.contains("Fairly good: a steady day"));
        assert!(page.body.contains("A steadier day"));
        assert!(!page.body.contains(NOTE));

        let ask = own.get(&format!("/journal/checkins/{id}/delete")).await;
        assert_eq!(ask.status, StatusCode::OK);
        assert!(ask.body.contains("cannot be brought back"));
        assert!(own.get("/journal").await.body.contains("A steadier day"));
        let deleted = own
            .post_form(&format!("/journal/checkins/{id}/delete"), &[])
            .await;
        assert_eq!(deleted.header("location"), "/journal?done=deleted");
        let page = own.get("/journal").await;
        assert!(!page.body.contains("A steadier day"));
        assert!(page.body.contains("No check-ins yet"));
    }
);

kith_store::on_both_backends!(
    a_login_opens_the_journal_and_a_session_without_the_password_asks_for_it,
    |store| async move {
        let app = TestApp::on(store);
        let (river, mut first) = member_with_journal(&app, "River").await;
        add(&mut first, NOTE).await;

        // A login with the password opens it at once.
        let mut again = app.browser();
        again.get("/login").await;
        let logged_in = again
            .post_form("/login", &[("login", "river"), ("password", PASSWORD)])
            .await;
        assert_eq!(
            logged_in.status,
            StatusCode::SEE_OTHER,
            "{}",
            logged_in.body
        );
        let page = again.get("/journal").await;
        assert!(page.body.contains(NOTE), "{}", page.body);

        // A session that began without the password asks for it.
        let mut linked = app.browser_as(&river).await;
        let locked = linked.get("/journal").await;
        assert!(
            locked.body.contains("action=\"/journal/unlock\""),
            "{}",
            locked.body
        );
        assert!(!locked.body.contains(NOTE));
        let wrong = linked
            .post_form("/journal/unlock", &[("password", "not it at all")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("That is not your password."));
        assert!(!wrong.body.contains(NOTE));
        let opened = linked
            .post_form("/journal/unlock", &[("password", PASSWORD)])
            .await;
        assert_eq!(opened.header("location"), "/journal?done=opened");
        assert!(linked.get("/journal").await.body.contains(NOTE));

        // Locking closes it in this session only.
        let locked = linked.post_form("/journal/lock", &[]).await;
        assert_eq!(locked.header("location"), "/journal?done=locked");
        let page = linked.get("/journal").await;
        assert!(page.body.contains("action=\"/journal/unlock\""));
        assert!(!page.body.contains(NOTE));
        assert!(again.get("/journal").await.body.contains(NOTE));

        // A locked session's check-in links lead back to the unlock form.
        let id = {
            let page = again.get("/journal").await;
            let (_, after) = page.body.split_once("/journal/checkins/").expect("link");
            after.split_once('/').expect("id").0.to_owned()
        };
        let edit = linked.get(&format!("/journal/checkins/{id}/edit")).await;
        assert_eq!(edit.header("location"), "/journal");
    }
);

kith_store::on_both_backends!(
    another_persons_check_in_is_missing_and_its_note_reaches_no_one_else,
    |store| async move {
        let app = TestApp::on(store);
        let (river, mut own) = member_with_journal(&app, "River").await;
        let id = add(&mut own, NOTE).await;
        let moderator = app.account("Warden", Role::Moderator).await;
        let admin = app.account("Keeper", Role::Admin).await;
        let stranger = app.account("Passerby", Role::Member).await;
        let (_, with_own_journal) = member_with_journal(&app, "Journaler").await;

        let mut others = vec![with_own_journal];
        for person in [&moderator, &admin, &stranger] {
            others.push(app.browser_as(person).await);
        }
        for other in &mut others {
            other.get("/journal").await;
            for path in ["edit", "delete"] {
                let uri = format!("/journal/checkins/{id}/{path}");
                assert_eq!(other.get(&uri).await.status, StatusCode::NOT_FOUND, "{uri}");
                let posted = other
                    .post_form(&uri, &[("day", "2026-05-30"), ("mood", "3")])
                    .await;
                assert_eq!(posted.status, StatusCode::NOT_FOUND, "{uri}");
            }
            for page in ["/journal", "/me", "/me/sessions"] {
                let body = other.get(page).await.body;
                assert!(!body.contains(NOTE), "{page}");
                assert!(!body.contains(&id), "{page}");
            }
        }
        for person in [&moderator, &admin, &stranger, &river] {
            let export = app.api_as(person).await.get("/api/v1/me/export").await;
            assert_eq!(export.status, StatusCode::OK);
            assert!(!export.body.contains(NOTE));
        }
        // The owner's check-in is still there, untouched by their tries.
        let page = own.get("/journal").await;
        assert!(page.body.contains(NOTE));
        // And their own page does not show it either.
        assert!(!own.get("/me").await.body.contains(NOTE));
    }
);

kith_store::on_both_backends!(
    the_taper_log_shows_each_step_and_keeps_another_persons_medicines_missing,
    |store| async move {
        let app = TestApp::on(store);
        let (_, mut own) = member_with_journal(&app, "River").await;
        let empty = own.get("/journal/taper").await;
        assert_eq!(empty.status, StatusCode::OK);
        no_store(&empty);
        assert!(empty.body.contains("No medicines yet"), "{}", empty.body);
        assert!(empty.body.contains("not medical advice"));

        let refused = own.post_form("/journal/taper", &[("name", " ")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Type a name for the medicine."));
        assert!(refused.body.contains("href=\"#f-name\""));
        let added = own
            .post_form("/journal/taper", &[("name", "CANARY-sertraline")])
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let page = added.header("location").to_owned();
        assert!(page.starts_with("/journal/taper/"), "{page}");
        assert!(
            own.get("/journal/taper")
                .await
                .body
                .contains("CANARY-sertraline")
        );

        let medicine = own.get(&page).await;
        no_store(&medicine);
        assert!(medicine.body.contains("No dose changes yet"));
        let doses = format!("{page}/doses");
        let refused = own
            .post_form(
                &doses,
                &[
                    ("day", "2026-04-01"),
                    ("amount", "fifty"),
                    ("unit", "mg"),
                    ("note", "kept dose note"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        for kept in ["value=\"fifty\"", "kept dose note", "value=\"2026-04-01\""] {
            assert!(refused.body.contains(kept), "{kept}");
        }
        assert!(refused.body.contains("Type the amount as a number"));
        assert!(refused.body.contains("href=\"#f-amount\""));
        for (day, amount) in [("2026-04-01", "50"), ("2026-05-01", "45")] {
            let added = own
                .post_form(
                    &doses,
                    &[
                        ("day", day),
                        ("amount", amount),
                        ("unit", "mg"),
                        ("note", ""),
                    ],
                )
                .await;
            assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        }
        let medicine = own.get(&page).await;
        assert!(medicine.body.contains("50 mg"));
        assert!(medicine.body.contains("45 mg"));
        assert!(medicine.body.contains("-10%"), "{}", medicine.body);

        // Nobody else reaches the medicine or its doses.
        let (_, with_journal) = member_with_journal(&app, "Journaler").await;
        let moderator = app.account("Warden", Role::Moderator).await;
        let stranger = app.account("Passerby", Role::Member).await;
        let mut others = vec![with_journal];
        others.push(app.browser_as(&moderator).await);
        others.push(app.browser_as(&stranger).await);
        for other in &mut others {
            other.get("/journal").await;
            assert_eq!(other.get(&page).await.status, StatusCode::NOT_FOUND);
            let posted = other
                .post_form(
                    &doses,
                    &[("day", "2026-05-02"), ("amount", "1"), ("unit", "mg")],
                )
                .await;
            assert_eq!(posted.status, StatusCode::NOT_FOUND, "{}", posted.body);
            let list = other.get("/journal/taper").await;
            assert!(!list.body.contains("CANARY-sertraline"));
        }
        // Without a journal, the taper log sends one to start it.
        let mut stranger = app.browser_as(&stranger).await;
        assert_eq!(
            stranger.get("/journal/taper").await.header("location"),
            "/journal"
        );
        // The owner's doses are as they were.
        let medicine = own.get(&page).await;
        assert!(!medicine.body.contains("1 mg"));
        assert!(medicine.body.contains("-10%"));
    }
);

kith_store::on_both_backends!(
    after_a_reset_by_mail_the_recovery_code_opens_the_journal_and_the_next_login_too,
    |store| async move {
        use kith_app::account_settings;
        let app = TestApp::on(store);
        let river = app.account("River", Role::Member).await;
        let mut first = app.browser_as(&river).await;
        let code = start(&mut first).await;
        add(&mut first, NOTE).await;
        account_settings::request_password_reset(&app.context, "river@example.org", now())
            .await
            .expect("request");
        let link = kith_app::testing::token_from_mail(&app.context, "/password-reset/", now())
            .await
            .expect("a link");
        // Told before resetting, on both of the reset's pages.
        let mut visitor = app.browser();
        for page in [
            "/password-reset".to_owned(),
            format!("/password-reset/{link}"),
        ] {
            let form = visitor.get(&page).await;
            assert!(
                form.body.contains("you will need the recovery code"),
                "{page}: {}",
                form.body
            );
        }
        let new = "a new and longer passphrase";
        account_settings::reset_password(&app.context, &link, new, now())
            .await
            .expect("reset");

        let log_in = |password: &'static str| {
            let mut browser = app.browser();
            async move {
                browser.get("/login").await;
                let done = browser
                    .post_form("/login", &[("login", "river"), ("password", password)])
                    .await;
                assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
                browser
            }
        };
        let mut after = log_in(new).await;
        let asks = after.get("/journal").await;
        assert!(
            asks.body.contains("action=\"/journal/recover\""),
            "{}",
            asks.body
        );
        assert!(!asks.body.contains(NOTE));
        let typo = after
            .post_form(
                "/journal/recover",
                &[("recovery_code", "not a code"), ("password", "")],
            )
            .await;
        assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            typo.body.contains("does not look like a recovery code"),
            "{}",
            typo.body
        );
        assert!(typo.body.contains("href=\"#f-recovery_code\""));
        let opened = after
            .post_form(
                "/journal/recover",
                &[("recovery_code", &code), ("password", new)],
            )
            .await;
        // The code is spent: a new one is shown once, as at the start.
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        no_store(&opened);
        let renewed = recovery_code_in(&opened.body);
        assert_ne!(renewed, code);
        assert!(opened.body.contains("no longer opens your journal"));
        assert!(opened.body.contains("action=\"/journal/recovery-saved\""));
        let page = after.get("/journal").await;
        assert!(page.body.contains(NOTE));
        assert!(!page.body.contains("does not open by itself"));
        assert!(!page.body.contains(&renewed), "shown only once");
        assert!(page.body.contains("not yet told us you saved"));

        // With the current password given, the next login opens it.
        let mut next = log_in(new).await;
        assert!(next.get("/journal").await.body.contains(NOTE));
    }
);
