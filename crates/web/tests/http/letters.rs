//! Letters to the mailing list through the real router and a real SMTP
//! server, on both databases: an editor composes a letter, counts its
//! audience, previews it, tests it on themselves and sends it; every
//! confirmed subscriber in the audience receives exactly one multipart
//! letter with one-click unsubscribe, nobody else any. Refused input keeps
//! what was typed and writes nothing; everyone but admins and editors
//! gets 404.

use std::collections::HashSet;

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_store::letters::fixtures::insert_subscribers;
use kith_store::testing::query_i64;

use crate::support::TestApp;

/// The letter's id from a redirect to its page.
fn id_from(location: &str) -> String {
    location
        .trim_start_matches("/admin/letters/")
        .split('?')
        .next()
        .expect("id")
        .to_owned()
}

kith_store::on_both_backends_with_url!(
    an_editor_composes_counts_tests_and_sends_a_letter_that_each_subscriber_in_its_audience_receives_once,
    |store, url: String| async move {
        let app = TestApp::on(store);
        let editor = app.account("Quill", Role::Editor).await;
        insert_subscribers(&url, "ev", 3, true, &["events"]).await;
        insert_subscribers(&url, "both", 2, true, &["events", "coming-off"]).await;
        insert_subscribers(&url, "off", 2, true, &["staying-off"]).await;
        insert_subscribers(&url, "wait", 2, false, &["events"]).await;
        let mut browser = app.browser_as(&editor).await;
        let page = browser.get("/admin/letters/new").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(r#"value="events""#), "interests offered");
        // Counting keeps the draft as typed and saves nothing.
        let counted = browser
            .post_form(
                "/admin/letters",
                &[
                    ("subject", "Spring gatherings"),
                    ("body", "Hello"),
                    ("mode", "any"),
                    ("interests", "events"),
                    ("action", "count"),
                ],
            )
            .await;
        assert_eq!(counted.status, StatusCode::OK);
        assert!(counted.body.contains("<strong>5</strong>"), "{}", counted.body);
        assert!(counted.body.contains("Spring gatherings"));
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM letters").await, 0);
        let saved = browser
            .post_form(
                "/admin/letters",
                &[
                    ("subject", "Spring gatherings"),
                    ("body", "# Spring\n\nWe meet [in the park](https://example.org/park)."),
                    ("mode", "any"),
                    ("interests", "events"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let id = id_from(saved.header("location"));
        let page = browser.get(&format!("/admin/letters/{id}")).await;
        assert!(page.body.contains("<strong>5</strong>"), "counted after saving");
        // All of two interests: fewer.
        let narrowed = browser
            .post_form(
                &format!("/admin/letters/{id}"),
                &[
                    ("subject", "Spring gatherings"),
                    ("body", "# Spring\n\nWe meet [in the park](https://example.org/park)."),
                    ("mode", "all"),
                    ("interests", "events"),
                    ("interests", "coming-off"),
                    ("action", "count"),
                ],
            )
            .await;
        assert!(narrowed.body.contains("<strong>2</strong>"), "{}", narrowed.body);
        let preview = browser.get(&format!("/admin/letters/{id}/preview")).await;
        assert_eq!(preview.status, StatusCode::OK);
        assert!(preview.body.contains("# Spring"), "the text part");
        assert!(preview.body.contains("/newsletter/manage/sample"), "sample links");
        assert!(preview.body.contains("<h1>Spring</h1>"), "the HTML part");
        let tested = browser
            .post_form(&format!("/admin/letters/{id}/test"), &[])
            .await;
        assert_eq!(tested.status, StatusCode::SEE_OTHER);
        let test_mails: Vec<_> = app
            .deliver()
            .await
            .into_iter()
            .filter(|d| d.subject == "Spring gatherings")
            .collect();
        assert_eq!(test_mails.len(), 1);
        assert_eq!(test_mails[0].to, vec!["quill@example.org".to_owned()]);
        assert!(test_mails[0].text.contains("A test of this letter"));
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscriber_tokens").await, 0);

        let sent = browser
            .post_form(&format!("/admin/letters/{id}/send"), &[("when", "now")])
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let letters: Vec<_> = app
            .deliver()
            .await
            .into_iter()
            .filter(|d| d.subject == "Spring gatherings")
            .collect();
        let to: Vec<String> = letters.iter().map(|d| d.to[0].clone()).collect();
        let unique: HashSet<&String> = to.iter().collect();
        assert_eq!(to.len(), 5, "{to:?}");
        assert_eq!(unique.len(), 5, "once each");
        let expected: HashSet<String> = ["ev1", "ev2", "ev3", "both1", "both2"]
            .iter()
            .map(|p| format!("{p}@example.org"))
            .collect();
        assert_eq!(unique.into_iter().cloned().collect::<HashSet<_>>(), expected);
        for letter in &letters {
            assert!(letter.raw.contains("multipart/alternative"));
            assert!(letter.raw.contains("List-Unsubscribe: <http://kith.test/newsletter/unsubscribe/"));
            assert!(letter.raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
            assert!(letter.html.contains(r#"href="https://example.org/park""#), "{}", letter.html);
            assert!(letter.text.contains("http://kith.test/newsletter/manage/"));
            assert!(!letter.text.contains("A test of this letter"));
        }
        let list = browser.get("/admin/letters").await;
        assert!(list.body.contains("status-sent"), "{}", list.body);
        let page = browser.get(&format!("/admin/letters/{id}")).await;
        assert!(page.body.contains("<dt>Sent</dt><dd>5</dd>"), "{}", page.body);
        // Sent: no more changes.
        let late = browser
            .post_form(
                &format!("/admin/letters/{id}"),
                &[("subject", "Changed"), ("body", "x"), ("mode", "any"), ("action", "save")],
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    }
);

kith_store::on_both_backends_with_url!(
    refused_letters_keep_what_was_typed_and_write_nothing,
    |store, url: String| async move {
        let app = TestApp::on(store);
        let admin = app.account("Keeper", Role::Admin).await;
        insert_subscribers(&url, "ev", 2, true, &["events"]).await;
        let mut browser = app.browser_as(&admin).await;
        browser.get("/admin/letters/new").await;
        let long = "x".repeat(151);
        let refused = browser
            .post_form(
                "/admin/letters",
                &[
                    ("subject", long.as_str()),
                    ("body", "Kept body text"),
                    ("mode", "any"),
                    ("interests", "events"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Use at most 150 characters."));
        assert!(refused.body.contains("Kept body text"));
        assert!(refused.body.contains(r#"value="events" checked"#));
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM letters").await, 0);
        let saved = browser
            .post_form(
                "/admin/letters",
                &[
                    ("subject", "Nobody"),
                    ("body", "Hello"),
                    ("mode", "all"),
                    ("interests", "events"),
                    ("interests", "hearing-voices"),
                    ("action", "save"),
                ],
            )
            .await;
        let id = id_from(saved.header("location"));
        browser.get(&format!("/admin/letters/{id}")).await;
        let empty = browser
            .post_form(&format!("/admin/letters/{id}/send"), &[("when", "now")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("Nobody would receive this letter"));
        // A time that has passed (the tests' now is 2026-06-01 10:00 UTC).
        let past = browser
            .post_form(
                &format!("/admin/letters/{id}/send"),
                &[("when", "later"), ("date", "2026-05-31"), ("time", "09:00")],
            )
            .await;
        assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(past.body.contains("This time has passed"), "{}", past.body);
        assert!(past.body.contains(r#"value="2026-05-31""#), "kept");
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM letters WHERE send_at IS NOT NULL"
            )
            .await,
            0
        );
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM outbox WHERE letter_id IS NOT NULL"
            )
            .await,
            0
        );
        // Later, in the writer's zone (UTC here): scheduled, then cancelled.
        let later = browser
            .post_form(
                &format!("/admin/letters/{id}"),
                &[
                    ("subject", "Somebody"),
                    ("body", "Hello"),
                    ("mode", "any"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(later.status, StatusCode::SEE_OTHER);
        let scheduled = browser
            .post_form(
                &format!("/admin/letters/{id}/send"),
                &[("when", "later"), ("date", "2026-06-02"), ("time", "09:30")],
            )
            .await;
        assert_eq!(
            scheduled.status,
            StatusCode::SEE_OTHER,
            "{}",
            scheduled.body
        );
        let expected = "2026-06-02T09:30:00Z"
            .parse::<jiff::Timestamp>()
            .expect("time")
            .as_second();
        assert_eq!(
            query_i64(
                &url,
                &format!("SELECT send_at FROM letters WHERE id = {id}")
            )
            .await,
            expected
        );
        browser.get(&format!("/admin/letters/{id}")).await;
        browser
            .post_form(&format!("/admin/letters/{id}/cancel"), &[])
            .await;
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM letters WHERE send_at IS NOT NULL"
            )
            .await,
            0
        );
        browser
            .post_form(&format!("/admin/letters/{id}/delete"), &[])
            .await;
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM letters").await, 0);
    }
);

kith_store::on_both_backends!(only_admins_and_editors_see_letters, |store| async move {
    let app = TestApp::on(store);
    let admin = app.account("Keeper", Role::Admin).await;
    let mut own = app.browser_as(&admin).await;
    own.get("/admin/letters/new").await;
    let saved = own
        .post_form(
            "/admin/letters",
            &[
                ("subject", "Hi"),
                ("body", "Hello"),
                ("mode", "any"),
                ("action", "save"),
            ],
        )
        .await;
    let id = id_from(saved.header("location"));
    for (handle, role) in [("River", Role::Member), ("Warden", Role::Moderator)] {
        let person = app.account(handle, role).await;
        let mut browser = app.browser_as(&person).await;
        for path in [
            "/admin/letters".to_owned(),
            "/admin/letters/new".to_owned(),
            format!("/admin/letters/{id}"),
            format!("/admin/letters/{id}/preview"),
        ] {
            assert_eq!(
                browser.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        browser.get("/me").await;
        let post = browser
            .post_form(&format!("/admin/letters/{id}/send"), &[("when", "now")])
            .await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        own.get("/admin/letters/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        own.get("/admin/letters/999").await.status,
        StatusCode::NOT_FOUND
    );
});
