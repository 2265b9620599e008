//! Calendars name no group: a group named with a canary word is read through
//! its public calendar and through its people's own calendars (the host's,
//! and a member's who chose group names in their mail subjects, which
//! covers mail only), and neither the word nor the group's slug is anywhere
//! in them — no title, description, `UID` or `URL`. Each series keeps its
//! `UID` across downloads, a refresh of the meetings, and a cancelled or
//! moved meeting.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::ids::Slug;
use serde_json::json;

use crate::membership::{ask, listed_group};
use crate::support::{HOST, TestApp, now};

/// A word nobody else uses, in the group's name and so in its slug.
const CANARY: &str = "Quokkaberry";

/// Each calendar as its reader downloads it, unfolded.
async fn calendars(app: &TestApp, slug: &Slug, tokens: &[&str]) -> Vec<(String, String)> {
    let mut paths = vec![format!("/groups/{slug}/calendar.ics")];
    paths.extend(tokens.iter().map(|t| format!("/me/calendar.ics?token={t}")));
    let mut out = Vec::new();
    for path in paths {
        let response = app.get_with(&path, &[("host", HOST)]).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        out.push((path, response.body.replace("\r\n ", "")));
    }
    out
}

/// The calendars' `UID`s, after checking that nothing in them names the
/// group: each calendar holds exactly the group's series.
fn checked_uids(calendars: &[(String, String)], slug: &Slug) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for (path, ics) in calendars {
        assert!(
            !ics.to_lowercase().contains(&CANARY.to_lowercase()),
            "{path} names the group:\n{ics}"
        );
        assert!(!ics.contains(slug.as_str()), "{path} has the slug:\n{ics}");
        let uids: BTreeSet<String> = ics
            .lines()
            .filter_map(|line| line.strip_prefix("UID:"))
            .map(str::to_owned)
            .collect();
        for uid in &uids {
            let id = uid.strip_suffix("@kith").expect("@kith");
            assert!(
                kith_domain::ids::SeriesId::parse(id).is_some(),
                "{path}: {uid} is not a random id"
            );
        }
        for url in ics.lines().filter_map(|line| line.strip_prefix("URL:")) {
            assert_eq!(url, format!("http://{HOST}/me"), "{path}");
        }
        assert_eq!(uids.len(), 2, "{path}: one UID for each rule");
        if all.is_empty() {
            all = uids;
        } else {
            assert_eq!(uids, all, "{path}: the same series as the others");
        }
    }
    all
}

kith_store::on_both_backends!(
    no_calendar_names_the_group_and_each_series_keeps_its_uid,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        // Tuesdays 19:00 and Fridays 08:00 in Berlin.
        let slug = listed_group(
            &app,
            &host,
            &format!("{CANARY} Tapering Circle"),
            &[
                ("join_policy", "open"),
                ("rules[1].weekdays", "5"),
                ("rules[1].start", "08:00"),
                ("rules[1].duration_minutes", "60"),
            ],
        )
        .await;
        assert!(slug.as_str().starts_with("quokkaberry-"), "{slug}");
        let member = app.account("Member", Role::Member).await;
        let mut member_api = app.api_as(&member).await;
        let joined = ask(&mut member_api, &slug, json!({})).await;
        assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
        let names = member_api
            .json(
                "PUT",
                "/api/v1/me/notifications",
                json!({"reminder_24h": true, "reminder_1h": true, "announcements": true,
                   "meeting_changes": true, "group_names_in_subjects": true}),
            )
            .await;
        assert!(names.status.is_success(), "{}", names.body);

        let store = app.db.store.as_ref();
        let mut tokens = Vec::new();
        for person in [&host, &member] {
            tokens.push(
                kith_app::feeds::new_calendar_token(&app.context, person, now())
                    .await
                    .expect("token"),
            );
        }
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();

        let first = calendars(&app, &slug, &tokens).await;
        let uids = checked_uids(&first, &slug);
        assert!(
            first[1].1.contains("PRIVATE-CANARY"),
            "the host's own calendar is the real one: it has the call link"
        );
        let again = calendars(&app, &slug, &tokens).await;
        assert_eq!(checked_uids(&again, &slug), uids, "a second download");

        // The refresher extends the meetings ahead as time passes.
        let later = now() + jiff::SignedDuration::from_hours(24 * 10);
        let refreshed = kith_app::schedule::refresh_due(store, later)
            .await
            .expect("refresh");
        assert_eq!(refreshed, 1, "the group fell behind its horizon");
        let after = calendars(&app, &slug, &tokens).await;
        assert_eq!(checked_uids(&after, &slug), uids, "after a refresh");

        // A cancelled and a moved meeting keep their series' UIDs.
        let group = app.json(&format!("/api/v1/groups/{slug}")).await;
        let meeting = |n: usize| group["upcoming"][n]["id"].as_str().expect("id").to_owned();
        let mut host_api = app.api_as(&host).await;
        let cancelled = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/meetings/{}/cancel", meeting(0)),
                json!({"note": format!("{CANARY} is away")}),
            )
            .await;
        assert!(cancelled.status.is_success(), "{}", cancelled.body);
        let moved = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/meetings/{}/move", meeting(1)),
                json!({"date": "2026-06-06", "time": "09:00"}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.body);
        let changed = calendars(&app, &slug, &tokens).await;
        assert_eq!(checked_uids(&changed, &slug), uids, "after the changes");
        for (path, ics) in &changed {
            assert!(ics.contains("EXDATE;TZID=Europe/Berlin:"), "{path}");
            assert!(ics.contains("RECURRENCE-ID;TZID=Europe/Berlin:"), "{path}");
        }
    }
);
