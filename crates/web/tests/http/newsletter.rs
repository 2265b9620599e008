//! The mailing list, the subscriber's side, through the real router, the
//! real sender and a real SMTP server, on both databases: signing up with
//! interests, the confirmation mail, confirming (a button, not the GET),
//! the free download, the manage page, the one-click unsubscribe; one
//! answer for every address's state; bad input and bad links refused with
//! nothing written; members subscribing from their verified address; an
//! account's deletion taking its subscription.

use std::sync::Arc;

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_store::resources::{FileMeta, NewFile, ResourceFields};
use kith_store::testing::{execute_sql, query_i64};
use kith_store::{Store, on_both_backends_with_url};

use crate::support::{Browser, PASSWORD, TestApp, link_in, now};

const ADDRESS: &str = "ada.canary@example.net";
const EBOOK: &[u8] = b"%PDF-1.4 the canary ebook";

/// When the form was shown, by the wall clock, as long ago as a person
/// takes to fill it.
fn shown_a_while_ago() -> String {
    (jiff::Timestamp::now().as_second() - 30).to_string()
}

/// A published resource with a file, offered by the newsletter page's
/// form.
async fn offer_ebook(app: &TestApp, url: &str) {
    let editor = app.account("Scribe", Role::Admin).await;
    let meta = FileMeta {
        name: "Coming off safely.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        size: i64::try_from(EBOOK.len()).expect("size"),
        sha256: "cd".repeat(32),
    };
    let fields = ResourceFields {
        slug: "ebook",
        title: "The free eBook",
        summary: "s",
        body: "b",
        tags: &[],
        published: true,
    };
    let audit =
        kith_store::testing::audit_by(editor.id, "scribe", "resource.create", "resource:ebook");
    let made = app
        .db
        .store
        .create_resource(
            editor.id,
            &fields,
            Some(NewFile {
                meta: &meta,
                data: EBOOK,
            }),
            &audit,
            now(),
        )
        .await
        .expect("resource");
    execute_sql(
        url,
        &format!(
            "UPDATE newsletter_forms SET download_resource_id = {} WHERE placement = 'newsletter'",
            made.id
        ),
    )
    .await;
}

async fn sign_up(
    browser: &mut Browser,
    email: &str,
    interests: &[&str],
) -> crate::support::TestResponse {
    browser.get("/newsletter").await;
    let shown_at = shown_a_while_ago();
    let mut fields = vec![
        ("email", email),
        ("first_name", "Ada"),
        ("placement", "newsletter"),
        ("shown_at", shown_at.as_str()),
    ];
    fields.extend(interests.iter().map(|i| ("interests", *i)));
    browser.post_form("/newsletter", &fields).await
}

async fn count(url: &str, sql: &str) -> i64 {
    query_i64(url, sql).await
}

on_both_backends_with_url!(
    a_visitor_signs_up_confirms_downloads_manages_and_unsubscribes_in_one_click,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        offer_ebook(&app, &url).await;
        let mut visitor = app.browser();
        let page = visitor.get("/newsletter").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Email (required)"), "said in words");
        assert!(
            page.body
                .contains("<legend>Please send me news about (check all that apply)</legend>")
        );
        assert!(
            page.body
                .contains("I agree to receive these letters by email."),
            "the consent words"
        );
        assert!(
            page.body
                .contains(r#"name="interests" value="hearing-voices" type="checkbox""#)
        );
        assert!(page.body.contains("The free eBook"), "the download offered");

        let sent = sign_up(&mut visitor, ADDRESS, &["events", "coming-off"]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert!(sent.body.contains("Check your inbox"));
        let mails = app.deliver().await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, [ADDRESS]);
        assert_eq!(mails[0].subject, "kith: please confirm your subscription");
        assert!(!mails[0].raw.contains("List-Unsubscribe"), "essential mail");
        let confirm = link_in(&mails[0].text, "/newsletter/confirm/");

        // A mail scanner's GET changes nothing.
        let mut reader = app.browser();
        let button = reader.get(&confirm).await;
        assert_eq!(button.status, StatusCode::OK);
        assert!(button.body.contains("Confirm my subscription"));
        let unconfirmed = "SELECT COUNT(*) FROM subscribers WHERE confirmed_at IS NULL";
        assert_eq!(count(&url, unconfirmed).await, 1);
        let confirmed = reader.post_form(&confirm, &[]).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        assert_eq!(count(&url, unconfirmed).await, 0);
        assert!(confirmed.body.contains("You are subscribed"));
        let download = link_in(&confirmed.body, "/newsletter/download/");
        let manage = confirmed
            .body
            .split("href=\"")
            .find_map(|s| s.strip_prefix("/newsletter/manage/"))
            .and_then(|s| s.split('"').next())
            .map(|t| format!("/newsletter/manage/{t}"))
            .expect("a manage link");
        let again = reader.post_form(&confirm, &[]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("This link was used already"));

        let file = reader.get(&download).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body.as_bytes(), EBOOK);
        assert!(
            file.header("content-disposition")
                .starts_with("attachment;")
        );
        assert_eq!(file.header("cache-control"), "private, no-store");

        let welcome = app.deliver().await;
        assert_eq!(welcome.len(), 1);
        assert_eq!(welcome[0].to, [ADDRESS]);
        assert_eq!(link_in(&welcome[0].text, "/newsletter/download/"), download);
        let mailed_manage = link_in(&welcome[0].text, "/newsletter/manage/");
        assert_eq!(mailed_manage, manage);

        let shown = reader.get(&manage).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(
            shown
                .body
                .contains(r#"value="events" type="checkbox" checked"#)
        );
        assert!(
            !shown
                .body
                .contains(r#"value="hearing-voices" type="checkbox" checked"#)
        );
        let saved = reader
            .post_form(&manage, &[("interests", "hearing-voices")])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let shown = reader.get(&manage).await;
        assert!(
            shown
                .body
                .contains(r#"value="hearing-voices" type="checkbox" checked"#)
        );
        assert!(
            !shown
                .body
                .contains(r#"value="events" type="checkbox" checked"#)
        );
        let refused = reader
            .post_form(&manage, &[("interests", "astrology")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("is not offered"));
        assert_eq!(
            count(&url, "SELECT COUNT(*) FROM subscriber_interests").await,
            1,
            "nothing written"
        );

        // A mail client POSTs with no cookie, origin or CSRF token (RFC 8058).
        let token = manage.trim_start_matches("/newsletter/manage/");
        let one_click = format!("/newsletter/unsubscribe/{token}");
        let page = app.browser().get(&one_click).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(count(&url, "SELECT COUNT(*) FROM subscribers").await, 1);
        let mut mail_client = app.browser();
        let done = mail_client
            .post_raw(&one_click, &[("List-Unsubscribe", "One-Click")], &[])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("You are unsubscribed"));
        assert_eq!(count(&url, "SELECT COUNT(*) FROM subscribers").await, 0);
        assert_eq!(
            count(&url, "SELECT COUNT(*) FROM newsletter_suppressions").await,
            1
        );
        let twice = mail_client
            .post_raw(&one_click, &[("List-Unsubscribe", "One-Click")], &[])
            .await;
        assert_eq!(twice.status, StatusCode::NOT_FOUND);
        assert_eq!(reader.get(&download).await.status, StatusCode::NOT_FOUND);
        assert!(app.deliver().await.is_empty(), "nothing more is mailed");
    }
);

/// A page's body without its CSRF token, to compare two answers.
fn without_csrf(browser: &Browser, body: &str) -> String {
    match &browser.csrf {
        Some(token) => body.replace(token.as_str(), ""),
        None => body.to_owned(),
    }
}

on_both_backends_with_url!(
    every_address_gets_the_same_answer_and_an_unconfirmed_one_only_its_confirmation,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let mut setup = app.browser();
        sign_up(&mut setup, "waiting@example.net", &[]).await;
        sign_up(&mut setup, "known@example.net", &[]).await;
        let first = app.deliver().await;
        let known = first
            .iter()
            .find(|m| m.to == ["known@example.net"])
            .expect("mailed");
        let confirm = link_in(&known.text, "/newsletter/confirm/");
        setup.get(&confirm).await;
        assert_eq!(setup.post_form(&confirm, &[]).await.status, StatusCode::OK);
        app.deliver().await;

        let mut visitor = app.browser();
        let mut answers = Vec::new();
        for email in [
            "new@example.net",
            "waiting@example.net",
            "known@example.net",
        ] {
            let answer = sign_up(&mut visitor, email, &["events"]).await;
            assert_eq!(answer.status, StatusCode::OK);
            answers.push(without_csrf(&visitor, &answer.body));
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[1], answers[2]);

        let mails = app.deliver().await;
        let to = |address: &str| -> Vec<String> {
            mails
                .iter()
                .filter(|m| m.to == [address])
                .map(|m| m.subject.clone())
                .collect()
        };
        assert_eq!(
            to("new@example.net"),
            ["kith: please confirm your subscription"]
        );
        assert!(
            to("waiting@example.net").is_empty(),
            "one confirmation per ten minutes"
        );
        assert_eq!(
            to("known@example.net"),
            ["kith: you are already subscribed"]
        );
        let known_mail = mails
            .iter()
            .find(|m| m.to == ["known@example.net"])
            .expect("mailed");
        link_in(&known_mail.text, "/newsletter/manage/");
        // Nothing but confirmations ever went to the unconfirmed addresses.
        for m in first.iter().chain(mails.iter()) {
            if m.to != ["known@example.net"] {
                assert_eq!(m.subject, "kith: please confirm your subscription");
            }
        }
        assert_eq!(
            count(
                &url,
                "SELECT COUNT(*) FROM subscriber_interests si JOIN subscribers s
                 ON s.id = si.subscriber_id WHERE s.email = 'known@example.net'"
            )
            .await,
            0,
            "a confirmed address's interests are not changed by a signup"
        );
    }
);

on_both_backends_with_url!(
    bad_input_and_bad_links_are_refused_with_nothing_written,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let mut visitor = app.browser();
        let long = format!("{}@example.net", "a".repeat(250));
        for (email, interests, words) in [
            (
                "not an address",
                vec![],
                "Enter an email address such as name@example.org.",
            ),
            (long.as_str(), vec![], "This address is too long."),
            ("", vec![], "Please type your email address."),
            (ADDRESS, vec!["astrology"], "is not offered"),
        ] {
            let refused = sign_up(&mut visitor, email, &interests).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
            assert!(refused.body.contains(words), "{email}: {}", refused.body);
            assert!(refused.body.contains(r#"value="Ada""#), "kept");
            assert!(
                refused.body.contains(r##"href="#nl-"##),
                "the summary links the field"
            );
        }
        let typed = sign_up(&mut visitor, "not an address", &["events"]).await;
        assert!(typed.body.contains(r#"value="not an address""#));
        assert!(
            typed
                .body
                .contains(r#"value="events" type="checkbox" checked"#)
        );
        assert_eq!(count(&url, "SELECT COUNT(*) FROM subscribers").await, 0);
        assert!(app.deliver().await.is_empty());

        for forged in [
            "/newsletter/confirm/0123456789abcdef0123456789abcdef",
            "/newsletter/confirm/not-a-token",
            "/newsletter/download/0123456789abcdef0123456789abcdef",
            "/newsletter/manage/0123456789abcdef0123456789abcdef",
            "/newsletter/unsubscribe/0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(
                visitor.get(forged).await.status,
                StatusCode::NOT_FOUND,
                "{forged}"
            );
        }
        let forged_post = visitor
            .post_raw(
                "/newsletter/unsubscribe/0123456789abcdef0123456789abcdef",
                &[("List-Unsubscribe", "One-Click")],
                &[],
            )
            .await;
        assert_eq!(forged_post.status, StatusCode::NOT_FOUND);

        // An expired confirmation says so, and confirms nothing.
        sign_up(&mut visitor, ADDRESS, &[]).await;
        let mails = app.deliver().await;
        let confirm = link_in(&mails[0].text, "/newsletter/confirm/");
        execute_sql(&url, "UPDATE subscriber_tokens SET expires_at = 1").await;
        let expired = visitor.get(&confirm).await;
        assert_eq!(expired.status, StatusCode::GONE);
        assert!(expired.body.contains("This link has expired"));
        let pressed = visitor.post_form(&confirm, &[]).await;
        assert_eq!(pressed.status, StatusCode::GONE);
        assert_eq!(
            count(
                &url,
                "SELECT COUNT(*) FROM subscribers WHERE confirmed_at IS NOT NULL"
            )
            .await,
            0
        );
    }
);

on_both_backends_with_url!(
    a_member_subscribes_with_their_verified_address_and_their_deletion_takes_it,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let river = app.account("River", Role::Member).await;
        assert!(river.email_verified);
        let mut own = app.browser_as(&river).await;
        let page = own.get("/me/notifications").await;
        assert!(
            page.body
                .contains("Subscribe with my account&#39;s address")
                || page.body.contains("Subscribe with my account's address"),
            "{}",
            page.body
        );
        let done = own
            .post_form("/me/newsletter", &[("interests", "events")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let subscribed = format!(
            "SELECT COUNT(*) FROM subscribers WHERE account_id = {} AND confirmed_at IS NOT NULL
               AND consent_source = 'account'",
            river.id.0
        );
        assert_eq!(count(&url, &subscribed).await, 1);
        assert!(
            app.deliver().await.is_empty(),
            "a verified address needs no confirmation"
        );
        let page = own.get("/me/notifications").await;
        assert!(
            page.body
                .contains(r#"value="events" type="checkbox" checked"#)
        );
        let bad = own
            .post_form("/me/newsletter", &[("interests", "astrology")])
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(count(&url, &subscribed).await, 1);

        let out = own.post_form("/me/newsletter/unsubscribe", &[]).await;
        assert_eq!(out.status, StatusCode::OK);
        assert_eq!(count(&url, "SELECT COUNT(*) FROM subscribers").await, 0);
        own.get("/me/notifications").await;
        own.post_form("/me/newsletter", &[]).await;
        assert_eq!(count(&url, &subscribed).await, 1);

        // An unverified member is told to confirm their address first.
        let wren = app.account("Wren", Role::Member).await;
        execute_sql(
            &url,
            &format!(
                "UPDATE accounts SET email_verified_at = NULL WHERE id = {}",
                wren.id.0
            ),
        )
        .await;
        let mut theirs = app.browser_as(&wren).await;
        let page = theirs.get("/me/notifications").await;
        assert!(page.body.contains("please confirm the address first"));
        let refused = theirs.post_form("/me/newsletter", &[]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);

        // Deleting the account takes its subscription.
        own.get("/me/delete").await;
        let deleted = own.post_form("/me/delete", &[("password", PASSWORD)]).await;
        assert!(
            deleted.status.is_success() || deleted.status.is_redirection(),
            "{}",
            deleted.status
        );
        assert_eq!(count(&url, "SELECT COUNT(*) FROM subscribers").await, 0);
    }
);
