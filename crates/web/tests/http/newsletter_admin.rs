//! The mailing list's admin pages through the real router, on both
//! databases, with the suite's real SMTP server: interests added, renamed,
//! moved and retired; a form's changed words make version 2 and keep
//! version 1; the export holds confirmed subscribers only and writes an
//! audit row; an import without attestation mails each new address a
//! confirmation and adds it unconfirmed, with attestation adds it
//! confirmed and mails nothing; suppressed and present addresses are
//! skipped; a file with one bad line writes nothing and names the line;
//! members, editors and visitors get 404 on every page.

use std::sync::Arc;

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::newsletter_list::Placement;
use kith_store::newsletter::email_hash;
use kith_store::testing::execute_sql;
use kith_store::{Store, on_both_backends_with_url};

use serde_json::json;

use crate::support::{Browser, TestApp, link_in};

async fn admin(app: &TestApp) -> Browser {
    let ada = app.account("Ada", Role::Admin).await;
    let mut browser = app.browser_as(&ada).await;
    browser.get("/admin/newsletter").await;
    browser
}

async fn import(
    browser: &mut Browser,
    csv: &str,
    interests: &[&str],
    attest: bool,
) -> crate::support::TestResponse {
    browser.get("/admin/newsletter/import").await;
    let mut fields: Vec<(&str, &str)> = interests.iter().map(|i| ("interests", *i)).collect();
    if attest {
        fields.push(("attest", "on"));
    }
    browser
        .post_multipart(
            "/admin/newsletter/import",
            &fields,
            Some(("list.csv", csv.as_bytes())),
        )
        .await
}

async fn subscribers(store: &Arc<dyn Store>) -> (i64, i64) {
    let counts = store.newsletter_counts().await.expect("counts");
    (counts.confirmed, counts.unconfirmed)
}

on_both_backends_with_url!(
    an_admin_adds_renames_reorders_retires_and_restores_interests,
    |store: Arc<dyn Store>, _url: String| async move {
        let app = TestApp::on(store.clone());
        let mut browser = admin(&app).await;
        let page = browser.get("/admin").await;
        assert!(
            page.body.contains("href=\"/admin/newsletter\""),
            "linked from the admin page"
        );

        let added = browser
            .post_form(
                "/admin/newsletter/interests",
                &[("label", "Peer support online")],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER);
        let refused = browser
            .post_form("/admin/newsletter/interests", &[("label", &"x".repeat(81))])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Use at most 80 characters."));
        assert!(
            refused
                .body
                .contains(&format!("value=\"{}\"", "x".repeat(81))),
            "kept"
        );

        browser
            .post_form(
                "/admin/newsletter/interests/peer-support-online",
                &[("action", "rename"), ("label", "Online groups")],
            )
            .await;
        for _ in 0..2 {
            browser
                .post_form(
                    "/admin/newsletter/interests/peer-support-online",
                    &[("action", "up")],
                )
                .await;
        }
        browser
            .post_form(
                "/admin/newsletter/interests/coming-off",
                &[("action", "retire")],
            )
            .await;
        let list = store.all_newsletter_interests().await.expect("list");
        let codes: Vec<&str> = list.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "coming-off",
                "staying-off",
                "supporting-someone",
                "hearing-voices",
                "peer-support-online",
                "new-groups",
                "events"
            ]
        );
        assert_eq!(list[4].label, "Online groups");
        assert!(list[0].retired_at.is_some());
        let page = browser.get("/admin/newsletter/interests").await;
        assert!(page.body.contains("Online groups"));
        assert!(page.body.contains("value=\"restore\""));
        browser
            .post_form(
                "/admin/newsletter/interests/coming-off",
                &[("action", "restore")],
            )
            .await;
        assert!(
            store.all_newsletter_interests().await.expect("list")[0]
                .retired_at
                .is_none()
        );
        let unknown = browser
            .post_form("/admin/newsletter/interests/nope", &[("action", "retire")])
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
);

on_both_backends_with_url!(
    saving_a_forms_words_makes_version_2_and_keeps_version_1,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store.clone());
        let mut browser = admin(&app).await;
        let before = store.newsletter_forms().await.expect("forms")[1]
            .words
            .clone();
        browser.get("/admin/newsletter/forms").await;
        let saved = browser
            .post_form(
                "/admin/newsletter/forms/home",
                &[
                    ("shown", "on"),
                    ("heading", "Letters from the group"),
                    ("intro", "Once a month."),
                    ("consent", "I agree to a letter a month."),
                    ("download", ""),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let location = saved.header("location").to_owned();
        let page = browser.get(&location).await;
        assert!(
            page.body
                .contains("home page&#39;s form now shows version 2")
                || page.body.contains("home page's form now shows version 2"),
            "{}",
            page.body
        );
        let home = &store.newsletter_forms().await.expect("forms")[1];
        assert_eq!((home.version, home.shown), (2, true));
        assert_eq!(home.words.heading, "Letters from the group");
        assert_eq!(
            store
                .newsletter_form_version(Placement::Home, 1)
                .await
                .expect("v1"),
            before
        );

        // A resource without a file cannot be offered; nothing changes.
        execute_sql(
            &url,
            "INSERT INTO resources (slug, title, summary, body, published_at, created_at, updated_at)
             VALUES ('no-file', 'No file', '', '', 1, 1, 1)",
        )
        .await;
        let refused = browser
            .post_form(
                "/admin/newsletter/forms/home",
                &[
                    ("heading", "Another heading"),
                    ("intro", ""),
                    ("consent", ""),
                    ("download", "no-file"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Say what people agree to."));
        assert!(refused.body.contains("value=\"Another heading\""), "kept");
        let refused = browser
            .post_form(
                "/admin/newsletter/forms/home",
                &[
                    ("heading", "Another"),
                    ("intro", ""),
                    ("consent", "Yes."),
                    ("download", "no-file"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Choose a published resource with a file.")
        );
        assert_eq!(store.newsletter_forms().await.expect("forms")[1].version, 2);
        let unknown = browser
            .post_form(
                "/admin/newsletter/forms/sidebar",
                &[("heading", "x"), ("consent", "y")],
            )
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
);

on_both_backends_with_url!(
    an_import_without_attestation_mails_each_new_address_and_adds_it_unconfirmed,
    |store: Arc<dyn Store>, _url: String| async move {
        let app = TestApp::on(store.clone());
        let mut browser = admin(&app).await;
        let done = import(
            &mut browser,
            "email,first_name,interests\nann@example.net,Ann,events\nBo@Example.net,,\n",
            &["coming-off"],
            false,
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("Added: 2"));
        assert_eq!(subscribers(&store).await, (0, 2));
        let mails = app.deliver().await;
        assert_eq!(mails.len(), 2);
        let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        assert_eq!(to, ["ann@example.net", "bo@example.net"]);
        for mail in &mails {
            assert_eq!(mail.subject, "kith: please confirm your address");
            assert!(
                mail.text
                    .contains("an organiser of kith.test added this address")
            );
            assert!(
                mail.text
                    .contains("Nothing will be sent to you unless you confirm")
            );
            let link = link_in(&mail.text, "/newsletter/confirm/");
            assert_eq!(link.len(), "/newsletter/confirm/".len() + 32);
            assert!(mail.html.contains(&link));
            assert!(!mail.raw.contains("List-Unsubscribe"), "essential mail");
        }
        let overview = browser.get("/admin/newsletter").await;
        assert!(
            overview
                .body
                .contains("Waiting to confirm their address: 2")
        );
    }
);

on_both_backends_with_url!(
    an_attested_import_adds_confirmed_subscribers_and_mails_nothing,
    |store: Arc<dyn Store>, _url: String| async move {
        let app = TestApp::on(store.clone());
        let mut browser = admin(&app).await;
        let done = import(&mut browser, "email\nann@example.net\n", &["events"], true).await;
        assert!(done.body.contains("Added: 1"), "{}", done.body);
        assert_eq!(subscribers(&store).await, (1, 0));
        assert!(store.outbox_states().await.expect("outbox").is_empty());
        let log = store.audit_log(1).await.expect("log");
        assert_eq!(log[0].action, "newsletter_import");
        assert_eq!(log[0].actor_handle, "Ada");
        assert!(log[0].target.ends_with("attested:yes"));
        let overview = browser.get("/admin/newsletter").await;
        assert!(overview.body.contains("Confirmed subscribers: 1"));
    }
);

on_both_backends_with_url!(
    suppressed_and_present_addresses_are_skipped,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store.clone());
        let mut browser = admin(&app).await;
        execute_sql(
            &url,
            &format!(
                "INSERT INTO newsletter_suppressions (email_hash, created_at) VALUES ('{}', 1)",
                email_hash("gone@example.net")
            ),
        )
        .await;
        import(&mut browser, "email\nhere@example.net\n", &["events"], true).await;
        let done = import(
            &mut browser,
            "email\nhere@example.net\nGONE@example.net\nnew@example.net\nnew@example.net\n",
            &["events"],
            false,
        )
        .await;
        assert!(done.body.contains("Added: 1"), "{}", done.body);
        assert!(done.body.contains("On the list already: 2"));
        assert!(done.body.contains("Unsubscribed before, so not added: 1"));
        assert_eq!(subscribers(&store).await, (1, 1));
        let mails = app.deliver().await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, ["new@example.net"]);
    }
);

on_both_backends_with_url!(
    a_file_with_one_bad_line_writes_nothing_and_names_the_line,
    |store: Arc<dyn Store>, _url: String| async move {
        let app = TestApp::on(store.clone());
        let mut browser = admin(&app).await;
        let refused = import(
            &mut browser,
            "email\nann@example.net\nnot an address\n",
            &["events"],
            false,
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Line 3: this is not an email address."),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("value=\"events\" checked"),
            "choices kept"
        );
        let unknown = import(
            &mut browser,
            "email,interests\nann@example.net,gardening\n",
            &["events"],
            false,
        )
        .await;
        assert!(
            unknown
                .body
                .contains("Line 2: an interest code is not one of the interests offered.")
        );
        let no_choice = import(&mut browser, "email\nann@example.net\n", &[], false).await;
        assert_eq!(no_choice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            no_choice
                .body
                .contains("Choose at least one interest for every address.")
        );
        assert_eq!(subscribers(&store).await, (0, 0));
        assert!(store.outbox_states().await.expect("outbox").is_empty());
        let log = store.audit_log(20).await.expect("log");
        assert!(log.iter().all(|r| r.action != "newsletter_import"));
    }
);

on_both_backends_with_url!(
    the_export_holds_only_confirmed_subscribers_and_writes_an_audit_row,
    |store: Arc<dyn Store>, _url: String| async move {
        let app = TestApp::on(store.clone());
        let mut browser = admin(&app).await;
        import(
            &mut browser,
            "email,first_name\nyes@example.net,=1+1\n",
            &["events"],
            true,
        )
        .await;
        import(
            &mut browser,
            "email\nnot-yet@example.net\n",
            &["events"],
            false,
        )
        .await;
        browser.get("/admin/newsletter").await;
        let csv = browser.post_form("/admin/newsletter/export", &[]).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.header("cache-control"), "private, no-store");
        assert!(csv.header("content-type").starts_with("text/csv"));
        assert!(csv.header("content-disposition").starts_with("attachment"));
        let mut lines = csv.body.lines();
        assert_eq!(
            lines.next(),
            Some("email,first_name,interests,confirmed_at,consent_source,form,form_version")
        );
        let row = lines.next().expect("a row");
        assert!(row.starts_with("yes@example.net,'=1+1,events,"), "{row}");
        assert!(row.contains(",import_attested,"));
        assert_eq!(lines.next(), None);
        assert!(!csv.body.contains("not-yet"));
        let log = store.audit_log(1).await.expect("log");
        assert_eq!(
            (log[0].action.as_str(), log[0].target.as_str()),
            ("newsletter_export", "subscribers:1")
        );
        assert!(!log[0].target.contains('@'));
    }
);

on_both_backends_with_url!(
    members_editors_and_visitors_get_404_on_every_page,
    |store: Arc<dyn Store>, _url: String| async move {
        let app = TestApp::on(store.clone());
        let member = app.account("Morgan", Role::Member).await;
        let editor = app.account("Edith", Role::Editor).await;
        let moderator = app.account("Mira", Role::Moderator).await;
        let mut browsers = [
            app.browser_as(&member).await,
            app.browser_as(&editor).await,
            app.browser_as(&moderator).await,
            app.browser(),
        ];
        for (n, browser) in browsers.iter_mut().enumerate() {
            browser.get("/").await;
            for path in [
                "/admin/newsletter",
                "/admin/newsletter/interests",
                "/admin/newsletter/forms",
                "/admin/newsletter/import",
            ] {
                assert_eq!(
                    browser.get(path).await.status,
                    StatusCode::NOT_FOUND,
                    "{path}"
                );
            }
            for (path, pairs) in [
                ("/admin/newsletter/interests", vec![("label", "Mine")]),
                (
                    "/admin/newsletter/interests/events",
                    vec![("action", "retire")],
                ),
                (
                    "/admin/newsletter/forms/home",
                    vec![("heading", "H"), ("consent", "C")],
                ),
                ("/admin/newsletter/export", vec![]),
            ] {
                let answer = browser.post_form(path, &pairs).await;
                // A visitor's post may be stopped before (403, no
                // session's token); it never reaches anything.
                let refused = [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN];
                assert!(
                    answer.status == StatusCode::NOT_FOUND
                        || (n == 3 && refused.contains(&answer.status)),
                    "{n} {path} {}",
                    answer.status
                );
            }
            let upload = browser
                .post_multipart(
                    "/admin/newsletter/import",
                    &[("interests", "events"), ("attest", "on")],
                    Some(("list.csv", b"email\nx@example.net\n")),
                )
                .await;
            assert!(
                upload.status == StatusCode::NOT_FOUND
                    || (n == 3 && upload.status == StatusCode::FORBIDDEN),
                "{n} {}",
                upload.status
            );
        }
        assert_eq!(subscribers(&store).await, (0, 0));
        assert_eq!(
            store.all_newsletter_interests().await.expect("list").len(),
            6
        );
        assert!(
            store
                .all_newsletter_interests()
                .await
                .expect("list")
                .iter()
                .all(|i| i.retired_at.is_none())
        );
        assert_eq!(store.newsletter_forms().await.expect("forms")[1].version, 1);
    }
);

on_both_backends_with_url!(
    the_api_keeps_interests_forms_counts_export_and_import_for_an_admins_bearer_only,
    |store: Arc<dyn Store>, _url: String| async move {
        let app = TestApp::on(store.clone());
        let ada = app.account("Ada", Role::Admin).await;
        let mut api = app.api_as(&ada).await;

        let made = api
            .json(
                "POST",
                "/api/v1/admin/newsletter/interests",
                json!({"label": "Online groups"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert_eq!(made.json()["code"], "online-groups");
        let refused = api
            .json(
                "POST",
                "/api/v1/admin/newsletter/interests",
                json!({"label": "a\nb"}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json()["errors"][0]["code"], "one_line");
        let moved = api
            .json(
                "PUT",
                "/api/v1/admin/newsletter/interests/online-groups",
                json!({"label": "Groups online", "position": 1, "retired": true}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_eq!(moved.json()["position"], 1);
        assert_eq!(moved.json()["retired"], true);
        let listed = api.get("/api/v1/admin/newsletter/interests").await.json();
        assert_eq!(listed[0]["label"], "Groups online");
        assert_eq!(listed.as_array().map(Vec::len), Some(7));

        let form = api.get("/api/v1/admin/newsletter/forms/home").await.json();
        assert_eq!(form["version"], 1);
        let saved = api
            .json(
                "PUT",
                "/api/v1/admin/newsletter/forms/home",
                json!({"shown": true, "heading": "New", "intro": "", "consent": "Yes."}),
            )
            .await;
        assert_eq!(saved.json()["version"], 2, "{}", saved.body);
        let unavailable = api
            .json(
                "PUT",
                "/api/v1/admin/newsletter/forms/home",
                json!({"heading": "New", "consent": "Yes.", "download": "nothing"}),
            )
            .await;
        assert_eq!(unavailable.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unavailable.json()["errors"][0]["code"], "unavailable");

        let bad = api
            .send_bytes(
                "POST",
                "/api/v1/admin/newsletter/subscribers/import?interests=events",
                "text/csv",
                b"email\na@example.net\nnope\n".to_vec(),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let problem = bad.json();
        assert_eq!(problem["field"], "file");
        assert_eq!(problem["errors"][0]["code"], "invalid_email");
        assert!(
            problem["errors"][0]["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("Line 3:"))
        );
        let no_interest = api
            .send_bytes(
                "POST",
                "/api/v1/admin/newsletter/subscribers/import",
                "text/csv",
                b"email\na@example.net\n".to_vec(),
            )
            .await;
        assert_eq!(no_interest.json()["errors"][0]["code"], "required");
        let too_large = api
            .send_bytes(
                "POST",
                "/api/v1/admin/newsletter/subscribers/import?interests=events",
                "text/csv",
                vec![b'a'; 17 * 1024 * 1024],
            )
            .await;
        assert_eq!(too_large.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(too_large.json()["errors"][0]["code"], "too_large");
        let odd = api
            .send_bytes(
                "POST",
                "/api/v1/admin/newsletter/subscribers/import?interests=events&attest=maybe",
                "text/csv",
                b"email\na@example.net\n".to_vec(),
            )
            .await;
        assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(odd.json()["field"], "attest");
        let done = api
            .send_bytes(
                "POST",
                "/api/v1/admin/newsletter/subscribers/import?interests=events,coming-off&attest=true",
                "text/csv",
                b"email\na@example.net\nb@example.net\n".to_vec(),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(
            done.json(),
            json!({"added": 2, "present": 0, "suppressed": 0})
        );
        let counts = api
            .get("/api/v1/admin/newsletter/subscribers/counts")
            .await
            .json();
        assert_eq!(counts["confirmed"], 2);
        let events = counts["interests"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["code"] == "events"))
            .expect("events");
        assert_eq!(events["confirmed"], 2);
        let csv = api.get("/api/v1/admin/newsletter/subscribers.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.header("cache-control"), "private, no-store");
        assert_eq!(csv.body.lines().count(), 3);
        assert_eq!(
            store.audit_log(1).await.expect("log")[0].target,
            "subscribers:2"
        );

        // Anyone else: 404, even the admin's own cookie session.
        let member = app.account("Morgan", Role::Member).await;
        let mut anonymous = app.browser();
        for path in [
            "/api/v1/admin/newsletter/interests",
            "/api/v1/admin/newsletter/subscribers.csv",
        ] {
            assert_eq!(
                anonymous.get(path).await.status,
                StatusCode::UNAUTHORIZED,
                "{path}: a login is needed, as everywhere in the API"
            );
        }
        let mut others = [app.api_as(&member).await, app.browser_as(&ada).await];
        for other in &mut others {
            for path in [
                "/api/v1/admin/newsletter/interests",
                "/api/v1/admin/newsletter/forms/home",
                "/api/v1/admin/newsletter/subscribers/counts",
                "/api/v1/admin/newsletter/subscribers.csv",
            ] {
                assert_eq!(
                    other.get(path).await.status,
                    StatusCode::NOT_FOUND,
                    "{path}"
                );
            }
        }
        let mut member_api = app.api_as(&member).await;
        let refused = member_api
            .send_bytes(
                "POST",
                "/api/v1/admin/newsletter/subscribers/import?interests=events&attest=true",
                "text/csv",
                b"email\nc@example.net\n".to_vec(),
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        assert_eq!(refused.json()["code"], "not_found");
        assert_eq!(subscribers(&store).await, (2, 0));
    }
);
