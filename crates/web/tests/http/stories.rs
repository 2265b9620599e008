//! Members' stories through the real router: an anonymous story never
//! shows its author's handle to anyone else (HTML, JSON, mail to others);
//! a story that is not published answers the same 404 as nothing; forms
//! keep what was typed; withdrawing asks first; the API's codes.

use axum::http::StatusCode;
use jiff::SignedDuration;
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::ids::StoryId;
use serde_json::json;

use crate::support::{Browser, TestApp, now};

const BODY: &str = "The weekly call kept me going when nothing else did.";

/// Writes a story through the HTML form; answers its id.
async fn write(author: &mut Browser, title: &str, anonymous: bool) -> String {
    author.get("/stories/new").await;
    let anonymous = if anonymous { "on" } else { "off" };
    let written = author
        .post_form(
            "/stories/new",
            &[("title", title), ("story", BODY), ("anonymous", anonymous)],
        )
        .await;
    assert_eq!(written.status, StatusCode::SEE_OTHER, "{}", written.body);
    let to = written.header("location");
    to.trim_start_matches("/stories/")
        .trim_end_matches("?saved=1")
        .to_owned()
}

async fn publish(app: &TestApp, moderator: &Person, id: &str) {
    let mut warden = app.browser_as(moderator).await;
    warden.get("/moderation").await;
    let done = warden
        .post_form(&format!("/moderation/stories/{id}/publish"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.header("location"),
        format!("/moderation?story_published={id}")
    );
}

kith_store::on_both_backends!(
    an_anonymous_story_never_shows_its_authors_handle_to_anyone_else,
    |store| async move {
        let app = TestApp::on(store);
        let author = app.account("Quillfeather", Role::Member).await;
        let moderator = app.account("Warden", Role::Moderator).await;
        let stranger = app.account("Passerby", Role::Member).await;
        let mut own = app.browser_as(&author).await;
        let id = write(&mut own, "Off at last, quietly", true).await;

        // The moderator reads it in full, and who wrote it.
        let mut warden = app.browser_as(&moderator).await;
        let queue = warden.get("/moderation").await;
        assert!(
            queue.body.contains("Off at last, quietly"),
            "{}",
            queue.body
        );
        assert!(queue.body.contains(BODY));
        assert!(queue.body.contains("Quillfeather"));
        let api_queue = app
            .api_as(&moderator)
            .await
            .get("/api/v1/moderation/stories")
            .await;
        assert_eq!(api_queue.json()[0]["written_by"], "Quillfeather");
        assert_eq!(api_queue.json()[0]["author"], "anonymous member");
        publish(&app, &moderator, &id).await;

        let addresses = [
            "/".to_owned(),
            "/stories".to_owned(),
            format!("/stories/{id}"),
            "/api/v1/stories".to_owned(),
            format!("/api/v1/stories/{id}"),
        ];
        let mut readers = vec![("anonymous", app.browser())];
        readers.push(("stranger", app.browser_as(&stranger).await));
        readers.push(("stranger (API)", app.api_as(&stranger).await));
        let mut read = 0;
        for (who, client) in &mut readers {
            for address in &addresses {
                let page = client.get(address).await;
                assert_eq!(page.status, StatusCode::OK, "{who} {address}");
                assert!(
                    !page.body.to_lowercase().contains("quillfeather"),
                    "{who} learns the author at {address}"
                );
                read += 1;
            }
        }
        assert_eq!(read, 15);
        let page = app.browser().get(&format!("/stories/{id}")).await;
        assert!(
            page.body.contains("<title>Off at last, quietly ·"),
            "{}",
            page.body
        );
        assert!(page.body.contains("anonymous member"));
        assert!(
            page.body
                .contains(r#"<section id="comments" aria-labelledby="comments-title">"#)
        );
        assert!(
            page.body.contains("Write a comment"),
            "a visitor may comment as a guest"
        );
        let json = app
            .browser()
            .get(&format!("/api/v1/stories/{id}"))
            .await
            .json();
        assert_eq!(json["author"], "anonymous member");
        assert_eq!(json["anonymous"], true);
        assert!(json.get("written_by").is_none(), "{json}");
        assert!(json.get("version").is_none(), "{json}");

        // The author sees that only they and the moderators know.
        let mine = own.get(&format!("/stories/{id}")).await;
        assert!(mine.body.contains("Only you and the moderators know"));

        // No mail to anyone but the author names them.
        let store = app.db.store.clone();
        let mails = store
            .claim_mail(now(), now() + SignedDuration::from_hours(1), 100)
            .await
            .expect("mail");
        let kinds: Vec<&str> = mails.iter().map(|m| m.kind.as_str()).collect();
        assert!(
            kinds.contains(&"story_waiting") && kinds.contains(&"story_decided"),
            "{kinds:?}"
        );
        for mail in &mails {
            let to = mail.address.as_ref().map(|a| a.as_str().to_owned());
            if to.as_deref() != Some("quillfeather@example.org") {
                let whole = format!("{} {} {}", mail.subject, mail.text, mail.html);
                assert!(
                    !whole.to_lowercase().contains("quillfeather"),
                    "{}",
                    mail.kind
                );
            }
        }
    }
);

#[tokio::test]
async fn a_story_that_is_not_published_answers_the_same_404_as_nothing() {
    let app = TestApp::empty().await;
    let author = app.account("Author", Role::Member).await;
    let stranger = app.account("Stranger", Role::Member).await;
    let id = write(&mut app.browser_as(&author).await, "Not yet", false).await;
    let nothing = StoryId::random().to_string();
    for mut client in [app.browser(), app.browser_as(&stranger).await] {
        for prefix in ["/stories/", "/api/v1/stories/"] {
            let pending = client.get(&format!("{prefix}{id}")).await;
            let missing = client.get(&format!("{prefix}{nothing}")).await;
            assert_eq!(pending.status, StatusCode::NOT_FOUND);
            assert_eq!(
                (pending.status, pending.body.replace(&id, "")),
                (missing.status, missing.body.replace(&nothing, "")),
                "{prefix}"
            );
        }
        let malformed = client.get("/stories/not-an-id").await;
        assert_eq!(malformed.status, StatusCode::NOT_FOUND);
        let listed = client.get("/stories").await;
        assert!(!listed.body.contains("Not yet"));
    }
    // Withdrawn after publishing, it is gone again for everyone else.
    let moderator = app.account("Warden", Role::Moderator).await;
    publish(&app, &moderator, &id).await;
    assert_eq!(
        app.browser().get(&format!("/stories/{id}")).await.status,
        StatusCode::OK
    );
    let mut own = app.api_as(&author).await;
    let withdrawn = own
        .json("DELETE", &format!("/api/v1/stories/{id}"), json!({}))
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::NO_CONTENT,
        "{}",
        withdrawn.body
    );
    let gone = app.browser().get(&format!("/api/v1/stories/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.json()["code"], "not_found");
    let again = own
        .json("DELETE", &format!("/api/v1/stories/{id}"), json!({}))
        .await;
    // In the API a withdrawn story is gone, for its author too; it stays
    // on their own list.
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let own_get = own.get(&format!("/api/v1/stories/{id}")).await;
    assert_eq!(own_get.status, StatusCode::NOT_FOUND);
    let patched = own
        .json(
            "PATCH",
            &format!("/api/v1/stories/{id}"),
            json!({"title": "Back"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::NOT_FOUND);
    let mine = own.get("/api/v1/me/stories").await.json();
    assert_eq!(mine[0]["status"], "withdrawn");
}

#[tokio::test]
async fn the_story_form_keeps_what_was_typed_and_says_what_to_fix() {
    let app = TestApp::empty().await;
    let author = app.account("Author", Role::Member).await;
    let mut browser = app.browser_as(&author).await;
    browser.get("/stories/new").await;
    let refused = browser
        .post_form(
            "/stories/new",
            &[
                ("title", ""),
                ("story", "Too short <b>"),
                ("anonymous", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Too short &#60;b&#62;"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Please give it a title."));
    assert!(
        refused
            .body
            .contains("Please write at least 20 characters.")
    );
    assert!(refused.body.contains(r##"href="#f-story""##));
    assert!(
        refused.body.contains(r#"value="on" checked"#),
        "the choice is kept"
    );
    assert!(
        app.api_as(&author)
            .await
            .get("/api/v1/me/stories")
            .await
            .json()
            .as_array()
            .expect("list")
            .is_empty(),
        "nothing was written"
    );

    // Editing a published story says first that it is reviewed again,
    // and keeps the input when refused.
    let id = write(&mut browser, "Written", false).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    publish(&app, &moderator, &id).await;
    let form = browser.get(&format!("/stories/{id}/edit")).await;
    assert!(
        form.body.contains("Your edit is read by a moderator first"),
        "{}",
        form.body
    );
    let refused = browser
        .post_form(
            &format!("/stories/{id}/edit"),
            &[("title", &"t".repeat(121)), ("story", BODY)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&"t".repeat(121)));
    assert!(refused.body.contains("Use at most 120 characters."));
    let saved = browser
        .post_form(
            &format!("/stories/{id}/edit"),
            &[("title", "Rewritten"), ("story", BODY)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let public = app.browser().get(&format!("/stories/{id}")).await;
    assert!(public.body.contains("Written") && !public.body.contains("Rewritten"));
    let own = browser.get(&format!("/stories/{id}")).await;
    assert!(
        own.body.contains("Your latest edit waits for review"),
        "{}",
        own.body
    );
}

#[tokio::test]
async fn withdrawing_asks_first_and_only_the_ticked_form_withdraws() {
    let app = TestApp::empty().await;
    let author = app.account("Author", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let mut browser = app.browser_as(&author).await;
    let id = write(&mut browser, "Mine to take back", false).await;
    publish(&app, &moderator, &id).await;
    let asked = browser.get(&format!("/stories/{id}/withdraw")).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("Withdraw your story"));
    let unticked = browser
        .post_form(&format!("/stories/{id}/withdraw"), &[])
        .await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.browser().get(&format!("/stories/{id}")).await.status,
        StatusCode::OK
    );
    let done = browser
        .post_form(&format!("/stories/{id}/withdraw"), &[("confirm", "on")])
        .await;
    assert_eq!(done.header("location"), "/me/stories?withdrawn=1");
    assert_eq!(
        app.browser().get(&format!("/stories/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mine = browser.get("/me/stories?withdrawn=1").await;
    assert!(mine.body.contains("Withdrawn") && mine.body.contains("Mine to take back"));
}

#[tokio::test]
async fn the_api_writes_edits_and_decides_with_stable_codes() {
    let app = TestApp::empty().await;
    let author = app.account("Author", Role::Member).await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let mut api = app.api_as(&author).await;
    let refused = api
        .json(
            "POST",
            "/api/v1/stories",
            json!({"title": "Hi", "story": "short"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["field"], "story");
    let created = api
        .json(
            "POST",
            "/api/v1/stories",
            json!({"title": "Through the API", "story": BODY, "anonymous": true}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let story = created.json();
    assert_eq!(story["status"], "pending");
    assert_eq!(story["written_by"], "Author");
    let id = story["id"].as_str().expect("id").to_owned();
    let unauthenticated = app
        .browser()
        .json(
            "POST",
            "/api/v1/stories",
            json!({"title": "x", "story": BODY}),
        )
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);

    let mut warden = app.api_as(&moderator).await;
    let no_note = warden
        .json(
            "POST",
            &format!("/api/v1/moderation/stories/{id}/decline"),
            json!({}),
        )
        .await;
    assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_note.json()["field"], "review_note");
    let stale = warden
        .json(
            "POST",
            &format!("/api/v1/moderation/stories/{id}/publish"),
            json!({"version": 99}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["code"], "invalid_status");
    let published = warden
        .json(
            "POST",
            &format!("/api/v1/moderation/stories/{id}/publish"),
            json!({"version": story["version"]}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(published.json()["status"], "published");

    let patched = api
        .json(
            "PATCH",
            &format!("/api/v1/stories/{id}"),
            json!({"title": "Through the API, again", "anonymous": false}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let patched = patched.json();
    assert_eq!(patched["title"], "Through the API");
    assert_eq!(patched["waiting_edit"]["title"], "Through the API, again");
    assert_eq!(patched["waiting_edit"]["story"], BODY);
    let public = app
        .browser()
        .get(&format!("/api/v1/stories/{id}"))
        .await
        .json();
    assert_eq!(public["author"], "anonymous member");
    assert!(public.get("waiting_edit").is_none(), "{public}");
    let others = app
        .api_as(&moderator)
        .await
        .json(
            "PATCH",
            &format!("/api/v1/stories/{id}"),
            json!({"title": "Mine now"}),
        )
        .await;
    assert_eq!(others.status, StatusCode::NOT_FOUND);
    let null = api
        .json(
            "PATCH",
            &format!("/api/v1/stories/{id}"),
            json!({"title": null}),
        )
        .await;
    assert_eq!(null.status, StatusCode::BAD_REQUEST, "no field is nullable");
    assert_eq!(null.json()["code"], "malformed_body");
    let list = app.browser().get("/api/v1/stories?page=0").await;
    assert_eq!(list.status, StatusCode::BAD_REQUEST);
    assert_eq!(list.json()["code"], "invalid_filter");
}

#[tokio::test]
async fn writing_a_story_needs_a_confirmed_email() {
    let app = TestApp::empty().await;
    let unconfirmed = kith_app::testing::registered(&app.context, "Newcomer").await;
    let mut browser = app.browser_as(&unconfirmed).await;
    let page = browser.get("/stories/new").await;
    assert!(
        page.body.contains("Please confirm your email first"),
        "{}",
        page.body
    );
    let api = app
        .api_as(&unconfirmed)
        .await
        .json(
            "POST",
            "/api/v1/stories",
            json!({"title": "Mine", "story": BODY}),
        )
        .await;
    assert_eq!(api.status, StatusCode::CONFLICT);
    assert_eq!(api.json()["code"], "email_unverified");
}

#[tokio::test]
async fn the_demo_shows_published_stories_one_of_them_anonymous() {
    let app = TestApp::demo().await;
    let list = app.json("/api/v1/stories").await;
    let items = list["items"].as_array().expect("items");
    assert!(items.len() >= 2, "{list}");
    assert!(items.iter().any(|s| s["author"] == "anonymous member"));
    let page = app.get("/stories").await;
    assert!(page.body.contains("anonymous member"));
    assert!(!page.body.contains("fern-w"));
}
