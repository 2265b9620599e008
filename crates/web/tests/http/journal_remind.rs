//! The daily journal reminder through the real router, the real reminder
//! pass and a real SMTP server, on both databases: off by default it
//! sends nothing; on at 08:00 in Europe/Berlin it goes once when due and
//! not again on a second pass; the mail is neutral (no journal word, no
//! group, no drug) and its one-click unsubscribe turns it off; a refused
//! time keeps what was typed; a time that a day skips still goes, an
//! hour later. The API reads and sets it, with or without a journal.

use axum::http::StatusCode;
use jiff::Timestamp;
use kith_domain::account::Role;
use serde_json::json;

use crate::journal_share::open_journal;
use crate::support::TestApp;

const NOTE: &str = "CANARY-remind a quiet evening";

fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

async fn pass(app: &TestApp, now: &str) -> usize {
    kith_app::journal_reminder::send_due(&app.context, at(now))
        .await
        .expect("pass")
}

kith_store::on_both_backends!(
    a_daily_reminder_goes_once_at_the_chosen_local_time_and_one_click_stops_it,
    |store| async move {
        let app = TestApp::on(store);
        let river = app.account("River", Role::Member).await;
        kith_app::account_zone::choose(&app.context, river.id, "Europe/Berlin")
            .await
            .expect("zone");
        let mut own = app.browser_as(&river).await;
        open_journal(&mut own).await;
        own.post_form(
            "/journal/checkins",
            &[
                ("day", "2026-05-31"),
                ("mood", "1"),
                ("symptoms", "insomnia"),
                ("note", NOTE),
            ],
        )
        .await;
        own.post_form("/journal/taper", &[("name", "Venlafaxine")])
            .await;

        // Off by default: the form is unticked, and nothing goes.
        let page = own.get("/journal").await;
        assert!(page.body.contains("id=\"reminder\""), "{}", page.body);
        assert!(
            page.body
                .contains("<input id=\"f-reminder\" name=\"reminder\" type=\"checkbox\">")
        );
        let prefs = own.get("/me/notifications").await;
        assert!(
            prefs.body.contains("Daily journal reminder: off."),
            "{}",
            prefs.body
        );
        assert!(prefs.body.contains("href=\"/journal#reminder\""));
        assert_eq!(pass(&app, "2026-06-01T06:00:00Z").await, 0);
        assert!(
            app.db
                .store
                .outbox_states()
                .await
                .expect("outbox")
                .is_empty()
        );

        // A time that is not one is refused, as typed.
        for (typed, words) in [
            ("25:00", "Type a time such as 08:00 or 21:30."),
            ("", "Choose a time for the reminder, such as 08:00."),
        ] {
            let refused = own
                .post_form(
                    "/journal/reminder",
                    &[("reminder", "on"), ("reminder_time", typed)],
                )
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
            assert!(refused.body.contains(words), "{}", refused.body);
            assert!(refused.body.contains(&format!(
                "name=\"reminder_time\" type=\"time\" value=\"{typed}\""
            )));
            assert!(refused.body.contains("href=\"#f-reminder_time\""));
            assert!(
                refused
                    .body
                    .contains("id=\"f-reminder\" name=\"reminder\" type=\"checkbox\" checked")
            );
        }
        assert!(
            !app.db
                .store
                .journal_reminder(river.id)
                .await
                .expect("read")
                .on
        );

        // On at 08:00 Berlin (06:00 UTC in June).
        let on = own
            .post_form(
                "/journal/reminder",
                &[("reminder", "on"), ("reminder_time", "8:00")],
            )
            .await;
        assert_eq!(on.header("location"), "/journal?done=reminder_on");
        let page = own.get("/journal?done=reminder_on").await;
        assert!(page.body.contains("Your daily reminder is on."));
        assert!(page.body.contains("value=\"08:00\""), "{}", page.body);
        assert!(page.body.contains("type=\"checkbox\" checked"));
        let prefs = own.get("/me/notifications").await;
        assert!(prefs.body.contains("Daily journal reminder: on, at 08:00."));
        // The account's export holds the choice, as it holds every other.
        let export = own.get("/api/v1/me/export").await.json();
        assert_eq!(export["notification_preferences"]["journal_reminder"], true);
        assert_eq!(
            export["notification_preferences"]["journal_reminder_at"],
            "08:00"
        );
        assert_eq!(pass(&app, "2026-06-01T05:59:00Z").await, 0, "not yet");
        assert_eq!(pass(&app, "2026-06-01T06:00:00Z").await, 1, "due");
        assert_eq!(pass(&app, "2026-06-01T06:01:00Z").await, 0, "not twice");
        assert_eq!(pass(&app, "2026-06-01T07:30:00Z").await, 0, "not twice");
        // Saving the other preferences leaves it on.
        own.post_form("/me/notifications", &[("reminder_1h", "on")])
            .await;
        assert!(
            app.db
                .store
                .journal_reminder(river.id)
                .await
                .expect("read")
                .on
        );

        let mails = app.deliver().await;
        assert_eq!(mails.len(), 1);
        let mail = &mails[0];
        assert_eq!(mail.subject, "Your kith reminder");
        assert!(
            mail.text.contains("http://kith.test/journal"),
            "{}",
            mail.text
        );
        for word in [
            NOTE,
            "CANARY",
            "insomnia",
            "Venlafaxine",
            "Very hard",
            "mood",
            "Room",
            "group",
        ] {
            assert!(!mail.raw.contains(word), "{word} in {}", mail.raw);
        }
        assert!(
            mail.raw
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        );
        let header = mail
            .raw
            .lines()
            .find(|l| l.starts_with("List-Unsubscribe: <"))
            .expect("header");
        let path = header
            .trim_start_matches("List-Unsubscribe: <http://kith.test")
            .trim_end_matches('>')
            .to_owned();
        let page = app.browser().get(&path).await;
        assert!(
            page.body.contains("daily journal reminders"),
            "{}",
            page.body
        );

        // One click, from a mail client with no session, turns it off.
        let done = app
            .browser()
            .post_raw(&path, &[("List-Unsubscribe", "One-Click")], &[])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let choice = app.db.store.journal_reminder(river.id).await.expect("read");
        assert!(!choice.on);
        assert_eq!(choice.at.as_deref(), Some("08:00"), "the time is kept");
        let prefs = app
            .db
            .store
            .notification_preferences(river.id)
            .await
            .expect("prefs");
        assert!(prefs.reminder_1h && !prefs.journal_reminder);
        assert_eq!(pass(&app, "2026-06-02T06:00:00Z").await, 0);
        let page = own.get("/journal").await;
        assert!(page.body.contains("value=\"08:00\""));
        assert!(
            page.body
                .contains("<input id=\"f-reminder\" name=\"reminder\" type=\"checkbox\">")
        );

        // Off with no time typed keeps the time; on at a time the spring
        // change skips goes an hour later (03:30 CEST).
        let off = own
            .post_form("/journal/reminder", &[("reminder_time", "")])
            .await;
        assert_eq!(off.header("location"), "/journal?done=reminder_off");
        own.post_form(
            "/journal/reminder",
            &[("reminder", "on"), ("reminder_time", "02:30")],
        )
        .await;
        assert_eq!(pass(&app, "2027-03-28T01:29:00Z").await, 0);
        assert_eq!(pass(&app, "2027-03-28T01:30:00Z").await, 1);
        assert_eq!(pass(&app, "2027-03-28T02:00:00Z").await, 0);
    }
);

kith_store::on_both_backends!(
    the_api_reads_and_sets_the_reminder_without_the_journal,
    |store| async move {
        let app = TestApp::on(store);
        // No journal at all: the reminder needs no key.
        let wren = app.account("Wren", Role::Member).await;
        let mut api = app.api_as(&wren).await;
        let first = api.get("/api/v1/me/journal/reminder").await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert!(first.header("cache-control").contains("no-store"));
        assert_eq!(first.json(), json!({"on": false, "reminder_time": null}));

        // On needs a time, and a time must read as one; nothing is saved.
        for (body, code) in [
            (json!({"on": true}), "required"),
            (
                json!({"on": true, "reminder_time": "25:00"}),
                "invalid_time",
            ),
        ] {
            let refused = api.json("PUT", "/api/v1/me/journal/reminder", body).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            let problem = refused.json();
            assert_eq!(problem["errors"][0]["field"], "reminder_time");
            assert_eq!(problem["errors"][0]["code"], code);
            assert!(
                !problem["errors"][0]["detail"]
                    .as_str()
                    .expect("detail")
                    .is_empty()
            );
        }
        assert!(
            !app.db
                .store
                .journal_reminder(wren.id)
                .await
                .expect("read")
                .on
        );

        let on = api
            .json(
                "PUT",
                "/api/v1/me/journal/reminder",
                json!({"on": true, "reminder_time": "8:00"}),
            )
            .await;
        assert_eq!(on.status, StatusCode::OK, "{}", on.body);
        assert_eq!(on.json(), json!({"on": true, "reminder_time": "08:00"}));
        // Off without a time keeps the one chosen.
        let off = api
            .json("PUT", "/api/v1/me/journal/reminder", json!({"on": false}))
            .await;
        assert_eq!(off.json(), json!({"on": false, "reminder_time": "08:00"}));
        let read = api.get("/api/v1/me/journal/reminder").await;
        assert_eq!(read.json(), json!({"on": false, "reminder_time": "08:00"}));
    }
);
