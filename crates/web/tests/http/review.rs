//! The review flow over HTTP: a person registers and lists a group; it is
//! nowhere public until a moderator approves it; a rejection's reason
//! reaches the host; every decision is in the audit log.

use axum::http::StatusCode;
use kith_domain::account::Role;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, group_pairs};

#[tokio::test]
async fn a_listed_group_appears_only_after_a_moderator_approves_it() {
    let app = TestApp::empty().await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let admin = app.account("Keeper", Role::Admin).await;

    let mut host = app.browser();
    host.get("/register").await;
    host.post_form(
        "/register",
        &[
            ("handle", "Willow"),
            ("email", "willow@example.org"),
            ("password", PASSWORD),
        ],
    )
    .await;
    // The address is confirmed through the link mailed to it.
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 1);
    let link = crate::support::link_in(&mails[0].text, "/verify-email/");
    host.get(&link).await;
    assert_eq!(
        host.post_form(&link, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    host.get("/login").await;
    let login = host
        .post_form("/login", &[("login", "Willow"), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);

    let form = host.get("/groups/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let owned = group_pairs("Quillwort Circle");
    let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let listed = host.post_form("/groups/new", &fields).await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER, "{}", listed.body);
    let page_path = listed.header("location").to_owned();
    let slug = page_path.trim_start_matches("/groups/").to_owned();

    let own_page = host.get(&page_path).await;
    assert!(own_page.body.contains("Waiting for review"));
    assert!(
        own_page.body.contains("PRIVATE-CANARY"),
        "the host sees the private fields"
    );
    let me = host.get("/me").await;
    assert!(me.body.contains("Quillwort Circle") && me.body.contains("Waiting for review"));

    let mut public = app.browser();
    assert_eq!(public.get(&page_path).await.status, StatusCode::NOT_FOUND);
    assert!(
        !public
            .get("/groups?q=quillwort")
            .await
            .body
            .contains("Quillwort Circle")
    );
    assert_eq!(
        public.get("/api/v1/groups?q=quillwort").await.json()["items"],
        json!([])
    );

    // The moderator does not approve it at first: the host reads why.
    let mut warden = app.browser_as(&moderator).await;
    let queue = warden.get("/moderation").await;
    assert!(queue.body.contains("Quillwort Circle"));
    assert!(queue.body.contains(" UTC"), "without a zone, times are UTC");
    warden.cookies.push(("kith_tz".into(), "Asia/Tokyo".into()));
    let in_tokyo = warden.get("/moderation").await;
    assert!(
        in_tokyo.body.contains(" JST") && !in_tokyo.body.contains(" UTC"),
        "the moderator reads when it was sent in their own zone"
    );
    let no_reason = warden
        .post_form(
            &format!("/moderation/groups/{slug}/reject"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Please give a reason"));
    let rejected = warden
        .post_form(
            &format!("/moderation/groups/{slug}/reject"),
            &[("reason", "Please say who the group is for.")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let me = host.get("/me").await;
    assert!(
        me.body.contains("Not approved") && me.body.contains("Please say who the group is for.")
    );

    // The host edits; it goes back to review; now it is approved.
    host.get(&format!("/groups/{slug}/edit")).await;
    let mut edited: Vec<(&str, &str)> = fields.clone();
    edited.retain(|(k, _)| *k != "description");
    edited.push(("description", "For anyone tapering. Newcomers welcome."));
    let saved = host
        .post_form(&format!("/groups/{slug}/edit"), &edited)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(host.get("/me").await.body.contains("Waiting for review"));
    warden.get("/moderation").await;
    let approved = warden
        .post_form(&format!("/moderation/groups/{slug}/approve"), &[])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);

    let page = public.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Newcomers welcome."));
    assert!(!page.body.contains("PRIVATE-CANARY"));
    assert!(
        public
            .get("/groups?q=quillwort")
            .await
            .body
            .contains("Quillwort Circle")
    );
    assert_eq!(
        public.get("/api/v1/groups?q=quillwort").await.json()["items"][0]["slug"],
        slug.as_str()
    );

    let mut keeper = app.api_as(&admin).await;
    let audit = keeper.get("/api/v1/admin/audit").await.json();
    let actions: Vec<String> = audit
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["actor"].as_str().unwrap_or(""),
                r["action"].as_str().unwrap_or(""),
                r["target"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        actions.contains(&format!("Warden group.reject group:{slug}")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&format!("Warden group.approve group:{slug}")),
        "{actions:?}"
    );
    let mut keeper_browser = app.browser_as(&admin).await;
    keeper_browser
        .cookies
        .push(("kith_tz".into(), "America/New_York".into()));
    let audit_page = keeper_browser.get("/admin").await;
    assert!(audit_page.body.contains("Please say who the group is for."));
    assert!(
        audit_page.body.contains(" EDT"),
        "the audit log in the admin's zone"
    );
    let sessions = keeper_browser.get("/me/sessions").await;
    assert!(sessions.body.contains(" EDT") && !sessions.body.contains(" UTC"));
}

#[tokio::test]
async fn listing_through_the_api_is_pending_and_refusals_name_their_fields() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let mut client = app.api_as(&host).await;
    let body = json!({
        "name": "ab",
        "description": "",
        "focus": ["tapering", "juggling"],
        "format": "video",
        "language": "en",
        "time_zone": "Mars/Olympus",
        "rules": [{"weekdays": [2], "start": "25:00", "duration_minutes": 0}],
        "call_link": "javascript:alert(1)"
    });
    let refused = client.json("POST", "/api/v1/groups", body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = refused.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["field"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            "name:too_short",
            "description:required",
            "facilitation_style:required",
            "focus:invalid_value",
            "time_zone:unknown_time_zone",
            "rules[0].start:invalid_time",
            "rules[0].duration_minutes:out_of_range",
            "call_link:invalid_link",
        ]
    );
    assert_eq!(
        app.db.store.count_groups().await.expect("count"),
        0,
        "nothing partial"
    );

    let created = client
        .json(
            "POST",
            "/api/v1/groups",
            json!({
                "name": "Bladderwrack Circle",
                "description": "We meet to check in.",
                "facilitation_style": "open_sharing",
                "focus": ["staying_off"],
                "format": "phone",
                "language": "en",
                "time_zone": "America/St_Johns",
                "capacity": 12,
                "rules": [{"weekdays": [1, 4], "start": "19:30", "duration_minutes": 60}],
                "dial_in": "+1 709 555 0100,,1234#"
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["status"], "pending");
    let slug = created.json()["slug"].as_str().expect("slug").to_owned();

    let mine = client.get(&format!("/api/v1/groups/{slug}")).await.json();
    assert_eq!(mine["status"], "pending");
    assert_eq!(mine["private"]["dial_in"], "+1 709 555 0100,,1234#");
    assert_eq!(mine["schedule"][0]["weekdays"], json!([1, 4]));

    let mut warden = app.api_as(&moderator).await;
    let queue = warden.get("/api/v1/moderation/queue").await.json();
    assert_eq!(queue[0]["slug"], slug.as_str());
    assert_eq!(queue[0]["hosts"], json!(["Willow"]));
    let approved = warden
        .json(
            "POST",
            &format!("/api/v1/moderation/groups/{slug}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(approved.json()["status"], "listed");
    let twice = warden
        .json(
            "POST",
            &format!("/api/v1/moderation/groups/{slug}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.json()["code"], "invalid_status");

    // A listed group's text changes stay live and reach the change log.
    let patched = client
        .json(
            "PATCH",
            &format!("/api/v1/groups/{slug}"),
            json!({"name": "Bladderwrack Harbour"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.json()["status"], "listed");
    let public = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}"))
        .await
        .json();
    assert_eq!(public["name"], "Bladderwrack Harbour");
    assert!(public.get("private").is_none());
    let changes = warden.get("/api/v1/moderation/changes").await.json();
    assert_eq!(
        changes[0]["changes"]["name"]["before"],
        "Bladderwrack Circle"
    );
    assert_eq!(
        changes[0]["changes"]["name"]["after"],
        "Bladderwrack Harbour"
    );
    let bad_patch = client
        .json(
            "PATCH",
            &format!("/api/v1/groups/{slug}"),
            json!({"capacity": 5000}),
        )
        .await;
    assert_eq!(bad_patch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_patch.json()["field"], "capacity");
}

#[tokio::test]
async fn a_refused_group_form_keeps_every_field_and_links_each_error() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let mut browser = app.browser_as(&host).await;
    browser.get("/groups/new").await;
    let mut owned = group_pairs("ab");
    owned.retain(|(k, _)| *k != "rules[0].start");
    owned.push(("rules[0].start", "25:00".to_owned()));
    owned.push(("agreements", "Kept as typed: <b>bold</b>".to_owned()));
    let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post_form("/groups/new", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    assert!(
        body.contains(r##"<a href="#f-name">Use at least 3 characters.</a>"##),
        "{body}"
    );
    assert!(body.contains(r##"href="#f-rules-0-start""##));
    assert!(body.contains(r#"id="f-rules-0-start-error""#));
    assert!(body.contains(r#"value="25:00""#));
    assert!(body.contains(r#"value="https://meet.example.org/PRIVATE-CANARY""#));
    assert!(
        body.contains("Kept as typed: &lt;b&gt;bold&lt;/b&gt;")
            || body.contains("Kept as typed: &#60;b&#62;bold&#60;/b&#62;")
    );
    assert!(body.contains(r#"id="f-focus-tapering" name="focus" value="tapering" checked"#));
    assert_eq!(app.db.store.count_groups().await.expect("count"), 0);
}

#[tokio::test]
async fn rules_of_every_kind_are_listed_shown_and_answered() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let mut client = app.api_as(&host).await;
    let created = client
        .json("POST", "/api/v1/groups", json!({
            "name": "Tidepool Circle",
            "description": "We meet to check in.",
            "facilitation_style": "check_in_round",
            "focus": ["tapering"],
            "format": "video",
            "language": "en",
            "time_zone": "Europe/Berlin",
            "rules": [
                {"kind": "every_n_weeks", "weekdays": [2], "interval_weeks": 2, "anchor_date": "2026-06-02", "start": "19:00", "duration_minutes": 60},
                {"kind": "monthly", "weekdays": [4], "month_weeks": [2, "last"], "start": "18:30", "duration_minutes": 90},
                {"kind": "once", "date": "2026-07-14", "start": "17:00", "duration_minutes": 120}
            ]
        }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let slug = created.json()["slug"].as_str().expect("slug").to_owned();
    app.api_as(&moderator)
        .await
        .json(
            "POST",
            &format!("/api/v1/moderation/groups/{slug}/approve"),
            json!({}),
        )
        .await;

    let group = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}"))
        .await
        .json();
    let rules = &group["schedule"];
    assert_eq!(rules[0]["kind"], "every_n_weeks");
    assert_eq!(rules[0]["interval_weeks"], 2);
    assert_eq!(rules[0]["anchor_date"], "2026-06-02");
    assert_eq!(rules[1]["kind"], "monthly");
    assert_eq!(rules[1]["month_weeks"], json!(["2", "last"]));
    assert_eq!(rules[1]["weekdays"], json!([4]));
    assert_eq!(rules[2]["kind"], "once");
    assert_eq!(rules[2]["date"], "2026-07-14");

    let page = app.browser().get(&format!("/groups/{slug}")).await.body;
    assert!(
        page.contains("Every 2 weeks on Tuesday, counting from the week of 2026-06-02"),
        "{page}"
    );
    assert!(page.contains("The 2nd and last Thursday of each month"));
    assert!(page.contains("Once, on Tuesday 2026-07-14"));

    // A PATCH that changes nothing else keeps every rule as it was.
    let patched = client
        .json(
            "PATCH",
            &format!("/api/v1/groups/{slug}"),
            json!({"name": "Tidepool Harbour"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let again = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}"))
        .await
        .json();
    assert_eq!(again["schedule"], group["schedule"]);

    let refused = client
        .json("PATCH", &format!("/api/v1/groups/{slug}"), json!({"rules": [{"kind": "monthly", "weekdays": [1], "start": "10:00", "duration_minutes": 60}]}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["field"], "rules[0].month_weeks");
    assert_eq!(
        refused.json()["errors"][0]["detail"],
        "Choose at least one week of the month."
    );
}

#[tokio::test]
async fn a_host_cancels_one_meeting_with_a_note_and_restores_it() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let stranger = app.account("Passerby", Role::Member).await;
    let slug = app
        .group_hosted_by(
            &host,
            "Quiet Circle",
            kith_domain::group::ListingStatus::Listed,
        )
        .await;
    let group = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}"))
        .await
        .json();
    let first = group["upcoming"][0]["id"].as_str().expect("id").to_owned();
    let cancel = format!("/api/v1/groups/{slug}/meetings/{first}/cancel");

    let refused = app
        .api_as(&stranger)
        .await
        .json("POST", &cancel, json!({"note": "no"}))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let too_long = app
        .api_as(&host)
        .await
        .json("POST", &cancel, json!({"note": "x".repeat(501)}))
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.json()["field"], "note");
    let unknown = app
        .api_as(&host)
        .await
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/meetings/0123456789abcdef0123456789abcdef/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let mut browser = app.browser_as(&host).await;
    let page = browser.get(&format!("/groups/{slug}")).await;
    assert!(
        page.body
            .contains(&format!("/groups/{slug}/meetings/{first}/cancel"))
    );
    let done = browser
        .post_form(
            &format!("/groups/{slug}/meetings/{first}/cancel"),
            &[("note", "Holiday: back next week.")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let public = app.browser().get(&format!("/groups/{slug}")).await.body;
    assert!(public.contains("Cancelled:") && public.contains("Holiday: back next week."));
    let json = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}"))
        .await
        .json();
    assert_eq!(json["upcoming"][0]["id"], first.as_str());
    assert_eq!(json["upcoming"][0]["cancelled"], true);
    assert_eq!(json["upcoming"][0]["note"], "Holiday: back next week.");
    assert!(json["upcoming"][1].get("cancelled").is_none());

    let restored = app
        .api_as(&host)
        .await
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/meetings/{first}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(restored.status, StatusCode::NO_CONTENT);
    let json = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}"))
        .await
        .json();
    assert!(json["upcoming"][0].get("cancelled").is_none());
}

#[tokio::test]
async fn a_host_moves_one_meeting_and_the_calendar_says_so() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let slug = app
        .group_hosted_by(
            &host,
            "Quiet Circle",
            kith_domain::group::ListingStatus::Listed,
        )
        .await;
    let group = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}"))
        .await
        .json();
    let first = group["upcoming"][0]["id"].as_str().expect("id").to_owned();
    let moved = app
        .api_as(&host)
        .await
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/meetings/{first}/move"),
            json!({"date": "2026-06-03", "time": "18:00"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.body);
    let refused = app
        .api_as(&host)
        .await
        .json(
            "POST",
            &format!("/api/v1/groups/{slug}/meetings/{first}/move"),
            json!({"date": "soon", "time": "18:00"}),
        )
        .await;
    assert_eq!(refused.json()["field"], "date");
    let group = app
        .browser()
        .get(&format!("/api/v1/groups/{slug}?tz=Europe/Berlin"))
        .await
        .json();
    assert_eq!(group["upcoming"][0]["id"], first.as_str());
    assert_eq!(
        group["upcoming"][0]["starts_at"],
        "2026-06-03T18:00:00+02:00"
    );
    let page = app.browser().get(&format!("/groups/{slug}")).await.body;
    assert!(page.contains("Moved:"));
    let ics = app.get(&format!("/groups/{slug}/calendar.ics")).await.body;
    assert!(ics.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260602T190000\r\n"));
}
