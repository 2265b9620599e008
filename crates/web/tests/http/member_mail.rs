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
        let reminders = &kith_app::testing::app_at(app.db.store.clone(), "https://kith.example");

        // 31 hours before: nothing yet.
        assert_eq!(
            kith_app::reminders::send_due(reminders, now())
                .await
                .expect("due"),
            0
        );

        // 17 hours before: the day-before reminder, once each.
        let day_before: jiff::Timestamp = "2026-06-02T00:00:00Z".parse().expect("time");
        assert_eq!(
            kith_app::reminders::send_due(reminders, day_before)
                .await
                .expect("due"),
            3
        );
        assert_eq!(
            kith_app::reminders::send_due(reminders, day_before)
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
            mails[0]
                .2
                .contains("Tuesday 2 June, 19:00 CEST (Europe/Berlin)"),
            "{}",
            mails[0].2
        );

        // Half an hour before: the hour reminder, not to Bea who turned it off.
        let hour_before: jiff::Timestamp = "2026-06-02T16:30:00Z".parse().expect("time");
        kith_app::reminders::send_due(reminders, hour_before)
            .await
            .expect("due");
        let mut mails = outbox_at(&app, hour_before).await;
        mails.sort();
        let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(to, ["ada@example.org", "hostess@example.org"]);
        assert_eq!(mails[0].1, "kith: meeting in 1 hour");
    }
);

kith_store::on_both_backends!(
    a_reminder_gives_a_melbourne_member_both_zones_and_the_way_in,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        // Mondays 18:15 in New York: 22:15 UTC on 1 June, 12 hours after
        // the tests' clock. By video with no call of its own: kith's room.
        let new_york = [
            ("join_policy", "open"),
            ("time_zone", "America/New_York"),
            ("rules[0].weekdays", "1"),
            ("rules[0].start", "18:15"),
        ];
        let mut in_room = new_york.to_vec();
        in_room.extend([("call_link", ""), ("dial_in", "")]);
        let room = listed_group(&app, &host, "Harbour Circle", &in_room).await;
        // The same hours with a call link of its own.
        let call = listed_group(&app, &host, "Lantern Circle", &new_york).await;
        let ada = app.account("Ada", Role::Member).await;
        let bea = app.account("Bea", Role::Member).await;
        for person in [&ada, &bea] {
            let mut api = app.api_as(person).await;
            ask(&mut api, &room, json!({})).await;
            ask(&mut api, &call, json!({})).await;
        }
        // Ada reads in Melbourne; Bea never said where she is.
        let mut ada_browser = app.browser_as(&ada).await;
        ada_browser.get("/me").await;
        let chosen = ada_browser
            .post_form("/me/time-zone", &[("time_zone", "Australia/Melbourne")])
            .await;
        assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
        outbox(&app).await;

        assert_eq!(
            kith_app::reminders::send_due(&app.context, now())
                .await
                .expect("due"),
            6,
            "two groups, two members and their host"
        );
        let mails = app.deliver().await;
        let mail = |to: &str, group: &str| {
            mails
                .iter()
                .find(|m| m.to == [to] && m.text.contains(group))
                .unwrap_or_else(|| panic!("no reminder of {group} to {to}"))
        };
        let meeting = app.json(&format!("/api/v1/groups/{room}")).await["upcoming"][0]["id"]
            .as_str()
            .expect("meeting")
            .to_owned();

        let ada_room = mail("ada@example.org", "Harbour Circle");
        let both = "Tuesday 2 June, 08:15 AEST (your time, Australia/Melbourne) — \
                    Monday 1 June, 18:15 EDT in the group's zone (America/New_York)";
        assert!(ada_room.text.contains(both), "{}", ada_room.text);
        assert!(ada_room.html.contains(both), "{}", ada_room.html);
        let room_link = format!("/meetings/{meeting}/room");
        assert_eq!(
            crate::support::link_in(&ada_room.text, "/meetings/"),
            room_link
        );
        assert!(
            ada_room
                .html
                .contains(&format!(r#"href="http://kith.test{room_link}""#))
        );
        // The group's page stays linked, second.
        let text = &ada_room.text;
        assert!(
            text.find(&room_link).expect("room")
                < text.find(&format!("/groups/{room}")).expect("page")
        );

        let ada_call = mail("ada@example.org", "Lantern Circle");
        assert!(ada_call.text.contains(both), "{}", ada_call.text);
        assert!(
            ada_call
                .text
                .contains(&format!("http://kith.test/groups/{call}#private-details")),
            "{}",
            ada_call.text
        );
        assert!(!ada_call.text.contains("/room"));
        // The call link itself never travels by mail.
        assert!(!ada_call.raw.contains("PRIVATE-CANARY"));

        // Without a zone of her own, Bea reads the group's zone alone.
        let bea_room = mail("bea@example.org", "Harbour Circle");
        assert!(
            bea_room
                .text
                .contains("Monday 1 June, 18:15 EDT (America/New_York)"),
            "{}",
            bea_room.text
        );
        assert!(!bea_room.text.contains("your time"));
    }
);

kith_store::on_both_backends!(
    a_moved_meeting_is_told_in_each_members_zone,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Harbour Circle",
            &[
                ("join_policy", "open"),
                ("time_zone", "America/New_York"),
                ("rules[0].weekdays", "1"),
                ("rules[0].start", "18:15"),
            ],
        )
        .await;
        let ada = app.account("Ada", Role::Member).await;
        ask(&mut app.api_as(&ada).await, &slug, json!({})).await;
        app.db
            .store
            .set_account_zone(ada.id, Some("Australia/Melbourne"))
            .await
            .expect("zone");
        outbox(&app).await;
        let group = app.json(&format!("/api/v1/groups/{slug}")).await;
        let meeting = group["upcoming"][0]["id"]
            .as_str()
            .expect("meeting")
            .to_owned();
        let moved = app
            .api_as(&host)
            .await
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/meetings/{meeting}/move"),
                json!({"date": "2026-06-02", "time": "19:00"}),
            )
            .await;
        assert!(moved.status.is_success(), "{}", moved.body);
        let mails = outbox(&app).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        let text = &mails[0].2;
        assert!(
            text.contains(
                "on Tuesday 2 June, 08:15 AEST (your time, Australia/Melbourne) — Monday 1 June, \
                 18:15 EDT in the group's zone (America/New_York) moves to Wednesday 3 June, \
                 09:00 AEST (your time, Australia/Melbourne) — Tuesday 2 June, 19:00 EDT in the \
                 group's zone (America/New_York)."
            ),
            "{text}"
        );
    }
);
