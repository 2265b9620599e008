//! Mail to a group's members over HTTP, on both databases: announcements,
//! cancelled and moved meetings, reminders before meetings.

use axum::http::StatusCode;
use kith_domain::account::Role;
use serde_json::json;

use crate::membership::{ask, listed_group, outbox, outbox_at};
use crate::support::{TestApp, now};

kith_store::on_both_backends!(
    announcements_and_meeting_changes_reach_each_member_alone,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = listed_group(&app, &host, "Garden Circle", &[("join_policy", "open")]).await;
        let ada = app.account("Ada", Role::Member).await;
        let bea = app.account("Bea", Role::Member).await;
        ask(&mut app.api_as(&ada).await, &slug, json!({})).await;
        let mut bea_api = app.api_as(&bea).await;
        ask(&mut bea_api, &slug, json!({})).await;
        let quiet = bea_api
            .json(
                "PUT",
                "/api/v1/me/notifications",
                json!({"reminder_24h": true, "reminder_1h": true, "announcements": false,
                       "meeting_changes": true, "group_names_in_subjects": false}),
            )
            .await;
        assert!(quiet.status.is_success(), "{}", quiet.body);
        outbox(&app).await;

        let mut host_api = app.api_as(&host).await;
        let empty = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/announcements"),
                json!({"text": " "}),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let sent = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/announcements"),
                json!({"text": "We meet in the garden this week."}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        assert_eq!(sent.json()["sent"], 1);
        let mails = outbox(&app).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].0, "ada@example.org");
        assert_eq!(mails[0].1, "kith: news from one of your groups");
        assert!(mails[0].2.contains("We meet in the garden this week."));
        assert!(!mails[0].2.contains("bea@example.org"));
        let stranger = app
            .api_as(&bea)
            .await
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/announcements"),
                json!({"text": "hi"}),
            )
            .await;
        assert_eq!(stranger.status, StatusCode::NOT_FOUND);

        // A cancelled meeting reaches both: Bea still wants meeting changes.
        let group = app.json(&format!("/api/v1/groups/{slug}")).await;
        let meeting = group["upcoming"][0]["id"]
            .as_str()
            .expect("meeting")
            .to_owned();
        let cancelled = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/meetings/{meeting}/cancel"),
                json!({"note": "Holiday: back next week."}),
            )
            .await;
        assert!(cancelled.status.is_success(), "{}", cancelled.body);
        let mut mails = outbox(&app).await;
        mails.sort();
        let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(to, ["ada@example.org", "bea@example.org"]);
        for (_, subject, text) in &mails {
            assert_eq!(subject, "kith: a change to one of your meetings");
            assert!(text.contains("is cancelled"), "{text}");
            assert!(text.contains("Holiday: back next week."));
        }
    }
);

kith_store::on_both_backends!(
    reminders_go_out_once_to_those_who_want_them,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        // Tuesdays 19:00 in Berlin: the first is 2026-06-02 17:00 UTC.
        let slug = listed_group(&app, &host, "Reminder Circle", &[("join_policy", "open")]).await;
        let ada = app.account("Ada", Role::Member).await;
        let bea = app.account("Bea", Role::Member).await;
        app.account("Cyd", Role::Member).await; // not a member: never reminded
        ask(&mut app.api_as(&ada).await, &slug, json!({})).await;
        let mut bea_api = app.api_as(&bea).await;
        ask(&mut bea_api, &slug, json!({})).await;
        bea_api
            .json(
                "PUT",
                "/api/v1/me/notifications",
                json!({"reminder_24h": true, "reminder_1h": false, "announcements": true,
                   "meeting_changes": true, "group_names_in_subjects": false}),
            )
            .await;
        let store = app.db.store.as_ref();
        let site = kith_app::mail::MailSite::new("https://kith.example");

        // 31 hours before: nothing yet.
        assert_eq!(
            kith_app::reminders::send_due(store, &site, now())
                .await
                .expect("due"),
            0
        );

        // 17 hours before: the day-before reminder, once each.
        let day_before: jiff::Timestamp = "2026-06-02T00:00:00Z".parse().expect("time");
        assert_eq!(
            kith_app::reminders::send_due(store, &site, day_before)
                .await
                .expect("due"),
            3
        );
        assert_eq!(
            kith_app::reminders::send_due(store, &site, day_before)
                .await
                .expect("again"),
            0,
            "each reminder goes out once"
        );
        let mut mails = outbox_at(&app, day_before).await;
        mails.sort();
        let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(
            to,
            ["ada@example.org", "bea@example.org", "hostess@example.org"]
        );
        assert_eq!(mails[0].1, "kith: meeting tomorrow");
        assert!(
            mails[0].2.contains("2026-06-02 19:00 CEST (Europe/Berlin)"),
            "{}",
            mails[0].2
        );

        // Half an hour before: the hour reminder, not to Bea who turned it off.
        let hour_before: jiff::Timestamp = "2026-06-02T16:30:00Z".parse().expect("time");
        kith_app::reminders::send_due(store, &site, hour_before)
            .await
            .expect("due");
        let mut mails = outbox_at(&app, hour_before).await;
        mails.sort();
        let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(to, ["ada@example.org", "hostess@example.org"]);
        assert_eq!(mails[0].1, "kith: meeting in 1 hour");
    }
);
