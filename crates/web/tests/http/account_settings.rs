//! An account's life over HTTP, with mail delivered by the real sender to
//! a real SMTP server on 127.0.0.1 and its links followed.

use axum::http::StatusCode;
use kith_app::mail::kinds::Announcement;
use kith_app::mail::{MailKind, compose};
use kith_domain::account::Role;
use kith_store::mail::{NotificationPreferences, Recipient};
use serde_json::json;

use crate::support::{Browser, PASSWORD, TestApp, group_pairs, link_in, now};

async fn register(app: &TestApp, handle: &str) -> Browser {
    let mut browser = app.browser();
    browser.get("/register").await;
    let email = format!("{}@example.org", handle.to_lowercase());
    let done = browser
        .post_form(
            "/register",
            &[
                ("handle", handle),
                ("email", &email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    browser.get("/login").await;
    let login = browser
        .post_form("/login", &[("login", handle), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    browser
}

#[tokio::test]
async fn a_new_account_confirms_its_email_through_the_mailed_link_before_listing_a_group() {
    let app = TestApp::empty().await;
    let mut river = register(&app, "River").await;
    register(&app, "Alder").await;
    // Not yet: the page says why and offers the link again; the API says
    // `email_unverified`.
    let new = river.get("/groups/new").await;
    assert!(
        new.body.contains("Please confirm your email first"),
        "{}",
        new.body
    );
    assert!(new.body.contains(r#"action="/me/verify-email""#));
    let owned = group_pairs("Early Circle");
    let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        river.post_form("/groups/new", &fields).await.status,
        StatusCode::CONFLICT
    );
    let me = river.json("GET", "/api/v1/me", json!(null)).await.json();
    assert_eq!(me["email_verified"], json!(false));
    let page = river.get("/me").await;
    let title = &page.body
        [page.body.find("<title>").expect("title")..page.body.find("</title>").expect("title")];
    assert_eq!(title, "<title>Your page · kith");
    for link in [
        "/me/notifications",
        "/me/email",
        "/me/password",
        "/me/sessions",
        "/api/v1/me/export",
        "/me/delete",
    ] {
        assert!(page.body.contains(&format!(r#"href="{link}""#)), "{link}");
    }
    assert!(page.body.contains("not confirmed yet"));

    let mails = app.deliver().await;
    assert_eq!(mails.len(), 2);
    let mail = mails
        .iter()
        .find(|m| m.to == ["river@example.org"])
        .expect("River's mail");
    assert_eq!(mail.subject, "kith: confirm your email");
    for m in &mails {
        assert_eq!(m.to.len(), 1);
        let other = if m.to[0] == "river@example.org" {
            "alder@example.org"
        } else {
            "river@example.org"
        };
        assert!(
            !m.raw.contains(other),
            "a mail names another person's address"
        );
    }
    let link = link_in(&mail.text, "/verify-email/");
    assert_eq!(link, link_in(&mail.html, "/verify-email/"));
    // Opening the link changes nothing (mail scanners open links); the
    // button does.
    let page = river.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Confirm my email"));
    let confirmed = river.post_form(&link, &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(confirmed.header("location"), "/me/confirmed");
    assert!(
        river
            .get("/me/confirmed")
            .await
            .body
            .contains("Your email is confirmed")
    );
    // Used, or never issued: the same clear page.
    let used = river.get(&link).await;
    let unknown = river
        .get("/verify-email/0123456789abcdef0123456789abcdef")
        .await;
    let garbage = river.get("/verify-email/..%2F..%2Fetc").await;
    for answer in [&used, &unknown, &garbage] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert!(answer.body.contains("This link does not work"));
    }
    assert_eq!(
        river.post_form(&link, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(river.get("/groups/new").await.status, StatusCode::OK);
    let listed = river.post_form("/groups/new", &fields).await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER, "{}", listed.body);
    // The API confirms with the token too, once.
    let mut client = app.browser();
    let token = link.rsplit('/').next().expect("token");
    let again = client
        .json(
            "POST",
            "/api/v1/email-verification",
            json!({"token": token}),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_link_is_sent_again_on_request_and_limited() {
    let app = TestApp::empty().await;
    let mut river = register(&app, "River").await;
    river.get("/me").await;
    let resent = river.post_form("/me/verify-email", &[]).await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    assert!(
        river
            .get(resent.header("location"))
            .await
            .body
            .contains("We sent a new link")
    );
    assert_eq!(app.deliver().await.len(), 2);
    let mut limited = false;
    for _ in 0..6 {
        if river
            .json("POST", "/api/v1/me/verification-mail", json!(null))
            .await
            .status
            == StatusCode::TOO_MANY_REQUESTS
        {
            limited = true;
        }
    }
    assert!(
        limited,
        "mail-sending requests are rate limited per account"
    );
}

#[tokio::test]
async fn a_password_reset_answers_the_same_for_any_address_and_its_link_works_once() {
    let app = TestApp::empty().await;
    let host = app.account("Willow", Role::Member).await;
    let mut other_device = app.browser_as(&host).await;
    let mut anyone = app.browser();
    let form = anyone.get("/password-reset").await;
    assert_eq!(form.status, StatusCode::OK);
    let known = anyone
        .post_form("/password-reset", &[("email", "willow@example.org")])
        .await;
    let unknown = anyone
        .post_form("/password-reset", &[("email", "nobody@example.org")])
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(known.body, unknown.body, "nothing tells the two apart");
    let api_known = anyone
        .json(
            "POST",
            "/api/v1/password-resets",
            json!({"email": "willow@example.org"}),
        )
        .await;
    let api_unknown = anyone
        .json(
            "POST",
            "/api/v1/password-resets",
            json!({"email": "nobody@example.org"}),
        )
        .await;
    assert_eq!(
        (api_known.status, api_known.body),
        (api_unknown.status, api_unknown.body)
    );
    let malformed = anyone
        .post_form("/password-reset", &[("email", "not-an-address")])
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        malformed.body.contains(r#"value="not-an-address""#),
        "the input is kept"
    );

    app.wait_for_outbox(2).await;
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 2, "two for Willow, none for nobody");
    assert!(
        mails
            .iter()
            .all(|m| m.to == ["willow@example.org"] && m.subject == "kith: set a new password")
    );
    let link = link_in(&mails[0].text, "/password-reset/");
    let page = anyone.get(&link).await;
    assert!(page.body.contains("Choose a new password"));
    let weak = anyone.post_form(&link, &[("password", "short")]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !weak.body.contains(r#"value="short""#),
        "a password is never sent back"
    );
    let set = anyone
        .post_form(&link, &[("password", "a calm new passphrase")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    assert_eq!(set.header("location"), "/login?reset=1");
    assert_eq!(
        other_device.get("/me").await.status,
        StatusCode::SEE_OTHER,
        "every session ended"
    );
    // Both links are spent now; a spent link looks like a made-up one.
    let spent = anyone.get(&link).await;
    let other = anyone
        .get(&link_in(&mails[1].text, "/password-reset/"))
        .await;
    let made_up = anyone
        .get("/password-reset/0123456789abcdef0123456789abcdef")
        .await;
    assert_eq!(spent.status, StatusCode::NOT_FOUND);
    assert_eq!(spent.body, made_up.body);
    assert_eq!(other.body, made_up.body);
    let login = anyone
        .post_form(
            "/login",
            &[("login", "willow"), ("password", "a calm new passphrase")],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn email_and_password_changes_sessions_and_the_export_are_one_s_own() {
    let app = TestApp::empty().await;
    let river = app.account("River", Role::Member).await;
    let alder = app.account("Alder", Role::Member).await;
    let mut browser = app.browser_as(&river).await;
    let api = app.api_as(&river).await;
    let mut alders = app.api_as(&alder).await;
    browser.get("/me/email").await;
    let wrong = browser
        .post_form(
            "/me/email",
            &[
                ("email", "river.new@example.org"),
                ("password", "wrong wrong wrong"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That is not your password."));
    assert!(wrong.body.contains(r#"value="river.new@example.org""#));
    let asked = browser
        .post_form(
            "/me/email",
            &[("email", "river.new@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(asked.header("location"), "/me?done=email_sent");
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["river.new@example.org"]);
    let link = link_in(&mails[0].text, "/verify-email/");
    browser.get(&link).await;
    // Confirming logs in afresh: the browser's session is a new one.
    assert_eq!(
        browser.post_form(&link, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    browser.get("/me/confirmed").await;

    // Sessions: listed without tokens; another's is 404.
    let listed = browser
        .json("GET", "/api/v1/me/sessions", json!(null))
        .await
        .json();
    let sessions = listed.as_array().expect("list");
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        sessions
            .iter()
            .filter(|s| s["current"] == json!(true))
            .count(),
        1
    );
    let api_token = api.bearer.clone().expect("token");
    assert!(!listed.to_string().contains(&api_token));
    let api_id = sessions
        .iter()
        .find(|s| s["kind"] == "api")
        .expect("api session")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let not_alders = alders
        .json(
            "DELETE",
            &format!("/api/v1/me/sessions/{api_id}"),
            json!(null),
        )
        .await;
    assert_eq!(not_alders.status, StatusCode::NOT_FOUND);
    let page = browser.get("/me/sessions").await;
    assert!(page.body.contains("App (API token)") && page.body.contains("(This one)"));
    let ended = browser
        .post_form(&format!("/me/sessions/{api_id}/end"), &[])
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        api.clone().get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The export: one's own data, a download, no one else's.
    let export = browser.get("/api/v1/me/export").await;
    assert!(
        export
            .header("content-disposition")
            .starts_with("attachment")
    );
    let doc = export.json();
    assert_eq!(doc["format"], "kith-export-1");
    assert_eq!(doc["account"]["email"], "river.new@example.org");
    assert_eq!(doc["account"]["handle"], "River");
    assert_eq!(doc["notification_preferences"]["reminder_1h"], json!(true));
    assert!(!export.body.contains("alder"));

    // The password: the current one is needed; other sessions end.
    let mut second = app.browser_as(&river).await;
    browser.get("/me/password").await;
    let refused = browser
        .post_form(
            "/me/password",
            &[
                ("current_password", "wrong wrong wrong"),
                ("password", "a fresh long passphrase"),
            ],
        )
        .await;
    assert!(refused.body.contains("That is not your current password."));
    let changed = browser
        .post_form(
            "/me/password",
            &[
                ("current_password", PASSWORD),
                ("password", "a fresh long passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.header("location"), "/me?done=password");
    assert_eq!(
        browser.get("/me").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        second.get("/me").await.status,
        StatusCode::SEE_OTHER,
        "the others end"
    );
}

#[tokio::test]
async fn an_only_host_is_told_which_groups_hold_the_deletion_and_then_everything_goes() {
    let app = TestApp::empty().await;
    let willow = app.account("Willow", Role::Member).await;
    let alder = app.account("Alder", Role::Member).await;
    let slug = app
        .group_hosted_by(
            &willow,
            "Heron Circle",
            kith_domain::group::ListingStatus::Listed,
        )
        .await;
    let mut browser = app.browser_as(&willow).await;
    let mut api = app.api_as(&willow).await;
    browser.get("/me/delete").await;
    let wrong = browser
        .post_form("/me/delete", &[("password", "wrong wrong wrong")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let held = browser
        .post_form("/me/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(held.status, StatusCode::CONFLICT);
    assert!(held.body.contains("Heron Circle") && held.body.contains(&format!("/groups/{slug}")));
    let problem = api
        .json("DELETE", "/api/v1/me", json!({"password": PASSWORD}))
        .await;
    assert_eq!(problem.status, StatusCode::CONFLICT);
    let problem = problem.json();
    assert_eq!(problem["code"], "hosts_groups");
    assert_eq!(
        problem["groups"],
        json!([{"slug": slug.to_string(), "name": "Heron Circle"}])
    );
    // A co-host carries on; now the deletion goes through.
    let access = app.db.store.group_access(&slug).await.expect("access");
    app.db
        .store
        .add_host(access.id, alder.id)
        .await
        .expect("cohost");
    let gone = browser
        .post_form("/me/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(gone.status, StatusCode::OK);
    assert!(gone.body.contains("Your account is deleted"));
    assert_eq!(
        api.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED,
        "sessions end at once"
    );
    let mut anyone = app.browser();
    anyone.get("/login").await;
    let login = anyone
        .post_form("/login", &[("login", "willow"), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anyone.get(&format!("/groups/{slug}")).await.status,
        StatusCode::OK,
        "the group lives on"
    );
}

#[tokio::test]
async fn one_click_unsubscribe_works_without_a_session_and_preferences_are_kept() {
    let app = TestApp::empty().await;
    let river = app.account("River", Role::Member).await;
    let site = kith_app::site_url::SiteUrl::new("http://kith.test");
    let news = Announcement {
        group_name: "Heron Circle".into(),
        host_handle: "willow".into(),
        body: "Later this week.".into(),
        group_url: site.link("/groups/heron"),
    };
    let composed = compose(&site, &news, &NotificationPreferences::default()).expect("compose");
    app.db
        .store
        .enqueue_mail(&composed.to(Recipient::Account(river.id), now()), now())
        .await
        .expect("enqueue");
    let mails = app.deliver().await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0]
            .raw
            .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    );
    let header = mails[0]
        .raw
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: <"))
        .expect("header");
    let url = header
        .trim_start_matches("List-Unsubscribe: <")
        .trim_end_matches('>');
    let path = url.trim_start_matches("http://kith.test");
    assert!(path.starts_with("/mail/unsubscribe/"), "{url}");
    assert!(mails[0].text.contains("http://kith.test/me/notifications"));
    // The page shows a button; a mail client POSTs with no cookie, no
    // origin and no CSRF token, as RFC 8058 says.
    let mut anyone = app.browser();
    let page = anyone.get(path).await;
    assert!(
        page.body
            .contains("kith stops sending you announcements from your groups"),
        "{}",
        page.body
    );
    let mut mail_client = app.browser();
    let done = mail_client
        .post_raw(path, &[("List-Unsubscribe", "One-Click")], &[])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let preferences = app
        .db
        .store
        .notification_preferences(river.id)
        .await
        .expect("prefs");
    assert!(!preferences.announcements && preferences.reminder_24h);
    assert!(!<Announcement as MailKind>::wanted(&preferences));
    let bad = mail_client
        .post_raw(
            "/mail/unsubscribe/0123456789abcdef0123456789abcdef",
            &[],
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    // Other forms still need their token.
    let mut browser = app.browser_as(&river).await;
    let forged = browser
        .post_raw("/me/notifications", &[("announcements", "on")], &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // The page and the API read and write the same preferences.
    let form = browser.get("/me/notifications").await;
    assert!(
        !form
            .body
            .contains(r#"name="announcements" type="checkbox" checked"#)
    );
    let saved = browser
        .post_form(
            "/me/notifications",
            &[("reminder_1h", "on"), ("group_names_in_subjects", "on")],
        )
        .await;
    assert_eq!(saved.header("location"), "/me/notifications?saved=1");
    let api = browser
        .json("GET", "/api/v1/me/notifications", json!(null))
        .await
        .json();
    assert_eq!(
        api,
        json!({"reminder_24h": false, "reminder_1h": true, "announcements": false, "meeting_changes": false, "comment_replies": false, "group_names_in_subjects": true})
    );
    let put = browser.json("PUT", "/api/v1/me/notifications", json!({"reminder_24h": true, "reminder_1h": true, "announcements": true, "meeting_changes": true, "group_names_in_subjects": false})).await;
    assert_eq!(put.json()["announcements"], json!(true));
    assert_eq!(
        put.json()["comment_replies"],
        json!(false),
        "a field a client leaves out stays as it was"
    );
    let put = browser.json("PUT", "/api/v1/me/notifications", json!({"reminder_24h": true, "reminder_1h": true, "announcements": true, "meeting_changes": true, "comment_replies": true, "group_names_in_subjects": false})).await;
    assert_eq!(put.json()["comment_replies"], json!(true));
    let incomplete = browser
        .json(
            "PUT",
            "/api/v1/me/notifications",
            json!({"reminder_24h": true}),
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::BAD_REQUEST);
}
