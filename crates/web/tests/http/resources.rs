//! The resource library through the real router: an editor publishes with
//! a file, readers find, read and download it; drafts are nothing to
//! others; refused files keep the form; the Atom feed read by an
//! independent parser; the API's problem codes; admins' editor list.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_web::WebConfig;
use serde_json::json;

use crate::support::{TestApp, TestResponse};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";

fn fields<'a>(title: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("slug", ""),
        ("summary", "Why meeting regularly helps."),
        (
            "body",
            "Coming together is **potent**.\n\n<script>alert(1)</script>",
        ),
        ("tags", "Groups, Peer support"),
        ("status", status),
    ]
}

fn assert_status(r: &TestResponse, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.body);
}

#[tokio::test]
async fn an_editor_publishes_a_resource_with_a_pdf_and_a_visitor_reads_and_downloads_it() {
    let app = TestApp::empty().await;
    let editor = app.account("Scribe", Role::Editor).await;
    let mut browser = app.browser_as(&editor).await;
    assert_status(&browser.get("/resources/new").await, StatusCode::OK);
    let sent = browser
        .post_multipart(
            "/resources/new",
            &fields("Do It In a Group", "published"),
            Some(("Über uns.pdf", PDF)),
        )
        .await;
    assert_status(&sent, StatusCode::SEE_OTHER);
    assert_eq!(sent.header("location"), "/resources/do-it-in-a-group");

    let mut visitor = app.browser();
    let index = visitor.get("/resources").await;
    assert_status(&index, StatusCode::OK);
    assert!(index.body.contains(r#"href="/resources/do-it-in-a-group""#));
    assert!(index.body.contains(
        r#"<link rel="alternate" type="application/atom+xml" title="New resources" href="/resources/feed.atom">"#
    ));
    assert!(
        index.body.contains(r#"<a href="/resources">Resources</a>"#),
        "in the site's navigation"
    );
    let tagged = visitor.get("/resources?tag=peer-support").await;
    assert!(tagged.body.contains("Do It In a Group"));
    let other = visitor.get("/resources?tag=tapering").await;
    assert!(!other.body.contains("Do It In a Group"));

    let page = visitor.get("/resources/do-it-in-a-group").await;
    assert_status(&page, StatusCode::OK);
    assert!(page.body.contains("<strong>potent</strong>"));
    assert!(!page.body.contains("<script>alert"), "sanitised");
    assert!(page.body.contains(r#"<section id="comments""#));
    assert!(page.body.contains(r#"type="application/atom+xml""#));
    assert!(
        page.body
            .contains(r#"href="/resources/do-it-in-a-group/file""#)
    );

    let file = visitor.get("/resources/do-it-in-a-group/file").await;
    assert_status(&file, StatusCode::OK);
    assert_eq!(file.header("content-type"), "application/pdf");
    assert_eq!(
        file.header("content-disposition"),
        "attachment; filename=\"_ber uns.pdf\"; filename*=UTF-8''%C3%9Cber%20uns.pdf"
    );
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    assert_eq!(file.body.as_bytes(), PDF);
    let etag = file.header("etag").to_owned();
    assert_eq!(etag.len(), 66, "a quoted SHA-256: {etag}");
    let again = app
        .get_with(
            "/resources/do-it-in-a-group/file",
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_file_of_the_wrong_type_or_size_keeps_the_form_and_writes_nothing() {
    let app = TestApp::with_config(WebConfig::default().resource_file_max_bytes(64)).await;
    let editor = app.account("Scribe", Role::Editor).await;
    let mut browser = app.browser_as(&editor).await;
    browser.get("/resources/new").await;

    let wrong = browser
        .post_multipart(
            "/resources/new",
            &fields("A Guide To Keep", "published"),
            Some(("guide.pdf", b"<html>not a pdf</html>")),
        )
        .await;
    assert_status(&wrong, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("not a PDF or an EPUB"),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains(r#"value="A Guide To Keep""#),
        "the title is kept"
    );
    assert!(
        wrong.body.contains("Why meeting regularly helps."),
        "the summary too"
    );
    assert!(wrong.body.contains(r#"id="f-file-error""#));

    let big = [PDF, &[b' '; 100]].concat();
    let too_big = browser
        .post_multipart(
            "/resources/new",
            &fields("A Guide To Keep", "published"),
            Some(("big.pdf", &big)),
        )
        .await;
    assert_status(&too_big, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_big.body.contains("too large"), "{}", too_big.body);
    assert!(too_big.body.contains(r#"value="A Guide To Keep""#));

    let index = app.browser().get("/resources").await;
    assert!(
        !index.body.contains("A Guide To Keep"),
        "nothing was written"
    );
    let drafts = browser.get("/resources").await;
    assert!(!drafts.body.contains("A Guide To Keep"));

    // Without the token first, nothing is read at all.
    browser.csrf = Some("not-the-token".into());
    let forged = browser
        .post_multipart("/resources/new", &fields("Forged", "published"), None)
        .await;
    assert_status(&forged, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_draft_is_nothing_to_anyone_but_editors_and_admins() {
    let app = TestApp::empty().await;
    let editor = app.account("Scribe", Role::Editor).await;
    let admin = app.account("Keeper", Role::Admin).await;
    let member = app.account("Ada", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let mut writer = app.browser_as(&editor).await;
    writer.get("/resources/new").await;
    let sent = writer
        .post_multipart(
            "/resources/new",
            &fields("Not Yet", "draft"),
            Some(("n.pdf", PDF)),
        )
        .await;
    assert_status(&sent, StatusCode::SEE_OTHER);
    let missing = app.browser().get("/resources/no-such-thing").await;
    for who in [None, Some(&member), Some(&moderator)] {
        let mut browser = match who {
            Some(p) => app.browser_as(p).await,
            None => app.browser(),
        };
        for path in [
            "/resources/not-yet",
            "/resources/not-yet/file",
            "/resources/not-yet/edit",
        ] {
            let r = browser.get(path).await;
            if who.is_none() && path.ends_with("/edit") {
                assert_status(&r, StatusCode::SEE_OTHER);
                continue;
            }
            assert_status(&r, StatusCode::NOT_FOUND);
            assert_eq!(r.body, missing.body, "{who:?} {path}");
        }
        let api = browser.get("/api/v1/resources/not-yet").await;
        assert_status(&api, StatusCode::NOT_FOUND);
        assert_eq!(api.json()["code"], "not_found");
        assert!(!browser.get("/resources").await.body.contains("Not Yet"));
    }
    for who in [&editor, &admin] {
        let mut browser = app.browser_as(who).await;
        let page = browser.get("/resources/not-yet").await;
        assert_status(&page, StatusCode::OK);
        assert!(page.body.contains("A draft"));
        assert_status(
            &browser.get("/resources/not-yet/file").await,
            StatusCode::OK,
        );
        assert!(
            browser.get("/resources").await.body.contains("Not Yet"),
            "under drafts"
        );
    }
    // A member cannot write: the same 404 as for nothing.
    let mut member_browser = app.browser_as(&member).await;
    assert_status(
        &member_browser.get("/resources/new").await,
        StatusCode::NOT_FOUND,
    );
    member_browser.get("/resources").await;
    let refused = member_browser
        .post_multipart("/resources/new", &fields("Mine", "published"), None)
        .await;
    assert_status(&refused, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_feed_is_atom_with_absolute_links_and_only_published_resources() {
    let app = TestApp::empty().await;
    let editor = app.account("Scribe", Role::Editor).await;
    let mut api = app.api_as(&editor).await;
    for (title, status) in [
        ("Published & Read", "published"),
        ("Still a draft", "draft"),
    ] {
        let r = api
            .json(
                "POST",
                "/api/v1/resources",
                json!({"title": title, "summary": "A <summary>.", "body": "Some *text*.", "tags": ["groups"], "status": status}),
            )
            .await;
        assert_status(&r, StatusCode::CREATED);
    }
    let feed = app.get("/resources/feed.atom").await;
    assert_status(&feed, StatusCode::OK);
    assert_eq!(
        feed.header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
    let parsed = atom_syndication::Feed::read_from(feed.body.as_bytes()).expect("Atom");
    assert_eq!(parsed.id(), "http://kith.test/resources");
    assert_eq!(parsed.entries().len(), 1, "{}", feed.body);
    let entry = &parsed.entries()[0];
    assert_eq!(entry.title().as_str(), "Published & Read");
    assert_eq!(
        entry.links()[0].href(),
        "http://kith.test/resources/published-read"
    );
    assert_eq!(entry.summary().map(|s| s.as_str()), Some("A <summary>."));
    assert_eq!(
        entry.content().and_then(|c| c.value()),
        Some("<p>Some <em>text</em>.</p>\n")
    );
    assert_eq!(entry.categories()[0].term(), "groups");
    assert!(!feed.body.contains("Still a draft"));
}

#[tokio::test]
async fn the_api_writes_reads_and_deletes_with_stable_problem_codes() {
    let app = TestApp::empty().await;
    let editor = app.account("Scribe", Role::Editor).await;
    let member = app.account("Ada", Role::Member).await;
    let mut api = app.api_as(&editor).await;
    let body = json!({"title": "Tapering Slowly", "summary": "Small steps.", "body": "Text.", "tags": ["tapering"], "status": "published"});

    let anonymous = app
        .browser()
        .json("POST", "/api/v1/resources", body.clone())
        .await;
    assert_eq!(
        (anonymous.status, anonymous.json()["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("unauthenticated"))
    );
    let forbidden = app
        .api_as(&member)
        .await
        .json("POST", "/api/v1/resources", body.clone())
        .await;
    assert_eq!(
        (forbidden.status, forbidden.json()["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );

    let made = api.json("POST", "/api/v1/resources", body.clone()).await;
    assert_status(&made, StatusCode::CREATED);
    assert_eq!(made.json()["slug"], "tapering-slowly");
    assert_eq!(made.json()["status"], "published");
    let taken = api.json("POST", "/api/v1/resources", body.clone()).await;
    assert_eq!(
        (
            taken.status,
            taken.json()["code"].clone(),
            taken.json()["field"].clone()
        ),
        (StatusCode::CONFLICT, json!("taken"), json!("slug"))
    );
    let refused = api
        .json(
            "POST",
            "/api/v1/resources",
            json!({"title": "", "summary": "x", "body": "y", "tags": ["Not Normal"]}),
        )
        .await;
    assert_eq!(
        (refused.status, refused.json()["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("invalid_input"))
    );
    let unreadable = api
        .json(
            "PATCH",
            "/api/v1/resources/tapering-slowly",
            json!({"title": null}),
        )
        .await;
    assert_eq!(
        (unreadable.status, unreadable.json()["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("malformed_body"))
    );

    let wrong = api
        .send_bytes(
            "PUT",
            "/api/v1/resources/tapering-slowly/file?name=x.pdf",
            "application/octet-stream",
            b"<html>".to_vec(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (
            wrong.json()["field"].clone(),
            wrong.json()["errors"][0]["code"].clone()
        ),
        (json!("file"), json!("wrong_type"))
    );
    let put = api
        .send_bytes(
            "PUT",
            "/api/v1/resources/tapering-slowly/file?name=slowly.pdf",
            "application/pdf",
            PDF.to_vec(),
        )
        .await;
    assert_status(&put, StatusCode::OK);
    assert_eq!(put.json()["file"]["content_type"], "application/pdf");
    assert_eq!(put.json()["file"]["url"], "/resources/tapering-slowly/file");

    let list = app.json("/api/v1/resources?tag=tapering").await;
    assert_eq!(list["items"][0]["slug"], "tapering-slowly");
    assert_eq!(list["next_cursor"], json!(null));
    let nine = api
        .json(
            "POST",
            "/api/v1/resources",
            json!({"title": "Nine", "summary": "s", "body": "b", "tags": vec!["a"; 9]}),
        )
        .await;
    assert_eq!(
        (nine.status, nine.json()["errors"][0]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("too_many")),
        "repeats count as sent"
    );
    let odd_tag = app
        .get("/api/v1/resources?tag=%3Cscript%3E&cursor=nonsense")
        .await;
    assert_eq!(
        odd_tag.status,
        StatusCode::BAD_REQUEST,
        "a wrong cursor, whatever the tag"
    );
    let bad_cursor = app.get("/api/v1/resources?cursor=nonsense").await;
    assert_eq!(
        (bad_cursor.status, bad_cursor.json()["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_filter"))
    );

    let unpublished = api
        .json(
            "PATCH",
            "/api/v1/resources/tapering-slowly",
            json!({"status": "draft"}),
        )
        .await;
    assert_status(&unpublished, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/resources/tapering-slowly").await.status,
        StatusCode::NOT_FOUND
    );
    let deleted = api
        .json("DELETE", "/api/v1/resources/tapering-slowly", json!({}))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        api.get("/api/v1/resources/tapering-slowly").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_index_pages_by_cursor_newest_first() {
    let app = TestApp::empty().await;
    let editor = app.account("Scribe", Role::Editor).await;
    let mut api = app.api_as(&editor).await;
    for i in 0..3 {
        let r = api
            .json("POST", "/api/v1/resources", json!({"title": format!("Guide {i}"), "summary": "s", "body": "b", "status": "published"}))
            .await;
        assert_status(&r, StatusCode::CREATED);
    }
    let first = app.json("/api/v1/resources?limit=2").await;
    let slugs = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["slug"].as_str().expect("slug").to_owned())
            .collect()
    };
    assert_eq!(slugs(&first), ["guide-2", "guide-1"]);
    let cursor = first["next_cursor"].as_str().expect("more");
    let rest = app
        .json(&format!("/api/v1/resources?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(slugs(&rest), ["guide-0"]);
    assert_eq!(rest["next_cursor"], json!(null));
    assert_eq!(
        app.get("/api/v1/resources?limit=51").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_demo_library_opens_with_the_founding_post() {
    let app = TestApp::demo().await;
    let index = app.get("/resources").await;
    assert!(index.body.contains("Do It In a Group"), "{}", index.body);
    let post = app.get("/resources/do-it-in-a-group").await;
    assert_status(&post, StatusCode::OK);
    assert!(
        post.body
            .contains("Coming together with a shared intention")
    );
    assert!(
        !post.body.contains("Send me my free EBook"),
        "the post, not its sign-up form"
    );
    assert!(!post.body.contains("Julie"), "nor its comments");
}

#[tokio::test]
async fn an_admin_gives_and_takes_the_editor_role_on_a_page() {
    let app = TestApp::empty().await;
    let admin = app.account("Keeper", Role::Admin).await;
    let ada = app.account("Ada", Role::Member).await;
    let mut keeper = app.browser_as(&admin).await;
    assert_status(&keeper.get("/admin/editors").await, StatusCode::OK);
    let unknown = keeper
        .post_form("/admin/editors", &[("handle", "nobody")])
        .await;
    assert_status(&unknown, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains(r#"value="nobody""#),
        "the input is kept"
    );
    let given = keeper
        .post_form("/admin/editors", &[("handle", "Ada")])
        .await;
    assert_status(&given, StatusCode::SEE_OTHER);
    assert!(keeper.get("/admin/editors").await.body.contains(">Ada<"));
    let mut ada_browser = app.browser_as(&ada).await;
    assert_status(&ada_browser.get("/resources/new").await, StatusCode::OK);
    keeper.get("/admin/editors").await;
    let taken = keeper
        .post_form("/admin/editors/take", &[("handle", "Ada")])
        .await;
    assert_status(&taken, StatusCode::SEE_OTHER);
    assert_status(
        &ada_browser.get("/resources/new").await,
        StatusCode::NOT_FOUND,
    );
    let audit = keeper.get("/admin").await;
    assert!(audit.body.contains("editor.give") && audit.body.contains("editor.take"));
}
