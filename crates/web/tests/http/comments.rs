//! Comments through the real router, on both databases: members comment
//! and answer in HTML and JSON, a guest's comment waits for their mailed
//! link and a moderator, bad input keeps what was typed, and a guest's
//! address appears on no page or answer.

use std::sync::Arc;

use axum::http::StatusCode;
use kith_app::comments::{self, CommentModeration, GuestInput, SubjectKey};
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use kith_domain::ids::{Slug, StoryId};
use kith_domain::story::{StoryStatus, StoryText};
use kith_store::mail::NoMail;
use kith_store::testing::execute_sql;
use kith_store::{Store, on_both_backends_with_url};
use serde_json::json;

use crate::support::{TestApp, link_in, now};

const STORY: &str = "0f0e0d0c0b0a09080706050403020100";
const GUEST_EMAIL: &str = "guest.canary@example.net";

/// A published resource and an anonymous story by `author`. The story
/// goes in through the store, whose statements bind its id: the log check
/// would rightly refuse a token-like id written into a statement's text.
async fn pages(app: &TestApp, url: &str, author: i64) {
    execute_sql(
        url,
        "INSERT INTO resources (slug, title, summary, body, published_at, created_at, updated_at)
         VALUES ('do-it-in-a-group', 'Do it in a group', '', '', 1, 1, 1)",
    )
    .await;
    let text = StoryText {
        title: "What helped".to_owned(),
        body: "Three of us, every Tuesday, for two years.".to_owned(),
        anonymous: true,
    };
    app.db
        .store
        .create_story(
            &StoryId::parse(STORY).expect("id"),
            kith_domain::ids::AccountId(author),
            &text,
            StoryStatus::Published,
            &NoMail,
            crate::support::now(),
        )
        .await
        .expect("story");
}

/// When the guest form was shown, by the wall clock, as long ago as a
/// person takes to fill it.
fn shown_a_while_ago() -> String {
    (jiff::Timestamp::now().as_second() - 30).to_string()
}

on_both_backends_with_url!(
    members_comment_and_answer_in_html_and_the_api_reads_a_tree,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let ana = app.account("ana", Role::Member).await;
        let ben = app.account("ben", Role::Member).await;
        pages(&app, &url, ana.id.0).await;

        let mut browser = app.browser_as(&ana).await;
        let posted = browser
            .post_form(
                "/resources/do-it-in-a-group/comments",
                &[
                    (
                        "body",
                        "We meet **every Tuesday** at 7pm, [here](https://example.org).",
                    ),
                    ("parent", ""),
                ],
            )
            .await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
        let location = posted.header("location").to_owned();
        assert!(location.starts_with("/comments/"), "{location}");
        let id = location["/comments/".len()..]
            .split('#')
            .next()
            .expect("present")
            .to_owned();

        let page = browser.get(&format!("/comments/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<strong>every Tuesday</strong>"));
        assert!(
            page.body
                .contains(r#"rel="nofollow ugc noopener noreferrer""#)
        );
        assert!(
            page.body.contains("List a group"),
            "a gentle pointer to listing the group"
        );

        let mut api = app.api_as(&ben).await;
        let reply = api
            .json(
                "POST",
                "/api/v1/resources/do-it-in-a-group/comments",
                json!({"body": "Same for us.", "parent": id}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let reply_id = reply.json()["id"].as_str().expect("present").to_owned();

        let tree = app
            .json("/api/v1/resources/do-it-in-a-group/comments")
            .await;
        assert_eq!(tree["count"], 2);
        assert_eq!(tree["comments"][0]["id"], json!(id));
        assert_eq!(
            tree["comments"][0]["author"],
            json!({"kind": "member", "name": "ana"})
        );
        assert_eq!(tree["comments"][0]["replies"][0]["id"], json!(reply_id));
        assert_eq!(
            tree["comments"][0]["markdown"],
            json!(null),
            "Markdown only for its author"
        );
        assert_eq!(tree["next"], json!(null));

        let on_story = api
            .json(
                "POST",
                &format!("/api/v1/stories/{STORY}/comments"),
                json!({"body": "Thank you."}),
            )
            .await;
        assert_eq!(on_story.status, StatusCode::CREATED);
        let author_answers = app
            .api_as(&ana)
            .await
            .json(
                "POST",
                &format!("/api/v1/stories/{STORY}/comments"),
                json!({"body": "You are welcome.", "parent": on_story.json()["id"]}),
            )
            .await;
        assert_eq!(author_answers.status, StatusCode::CREATED);
        let story = app.json(&format!("/api/v1/stories/{STORY}/comments")).await;
        assert_eq!(
            story["comments"][0]["replies"][0]["author"],
            json!({"kind": "story_author"})
        );
        assert!(
            !story.to_string().contains("\"ana\""),
            "the anonymous author stays anonymous"
        );

        let changed = api
            .json(
                "PATCH",
                &format!("/api/v1/comments/{reply_id}"),
                json!({"body": "Same for us!"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK);
        let not_mine = api
            .json(
                "PATCH",
                &format!("/api/v1/comments/{id}"),
                json!({"body": "hijack"}),
            )
            .await;
        assert_eq!(not_mine.status, StatusCode::NOT_FOUND);
        let gone = api
            .json(
                "DELETE",
                &format!("/api/v1/comments/{reply_id}"),
                json!(null),
            )
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let after = app.json(&format!("/api/v1/comments/{id}")).await;
        assert_eq!(after["comments"][0]["replies"], json!([]));

        let export = api
            .json("GET", "/api/v1/me/export", json!(null))
            .await
            .json();
        let mine = export["comments"].as_array().expect("comments");
        assert_eq!(
            mine.len(),
            1,
            "the deleted reply is gone from the export too"
        );
        assert_eq!(mine[0]["text"], "Thank you.");
        assert_eq!(mine[0]["page"], format!("/stories/{STORY}"));
    }
);

on_both_backends_with_url!(
    bad_comments_keep_what_was_typed_and_write_nothing,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let ana = app.account("ana", Role::Member).await;
        pages(&app, &url, ana.id.0).await;

        let mut guest = app.browser();
        guest.get("/login").await;
        let shown_at = shown_a_while_ago();
        let refused = guest
            .post_form(
                "/resources/do-it-in-a-group/comments",
                &[
                    ("body", ""),
                    ("guest_name", "Rowan <b>"),
                    ("email", "not an address"),
                    ("shown_at", &shown_at),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Please write the text."));
        assert!(
            refused
                .body
                .contains("Enter an email address such as name@example.org.")
        );
        assert!(
            refused.body.contains(r#"value="Rowan &#60;b&#62;""#),
            "kept, escaped"
        );
        assert!(refused.body.contains(r#"value="not an address""#));
        assert!(
            refused.body.contains(r#"name="guest_name" type="text""#)
                && refused.body.contains(r#"name="email" type="email""#),
            "the guest's name and address are a text and an email field"
        );

        let mut api = app.api_as(&ana).await;
        let long = "x".repeat(5_001);
        let too_long = api
            .json(
                "POST",
                "/api/v1/resources/do-it-in-a-group/comments",
                json!({"body": long}),
            )
            .await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(too_long.json()["code"], "invalid_input");
        let to_nothing = api
            .json(
                "POST",
                "/api/v1/resources/do-it-in-a-group/comments",
                json!({"body": "hi", "parent": "ffffffffffffffffffffffffffffffff"}),
            )
            .await;
        assert_eq!(to_nothing.status, StatusCode::NOT_FOUND);
        let not_a_group = api
            .json(
                "POST",
                "/api/v1/resources/do-it-in-a-group/comments",
                json!({"body": "hi", "group": "someone-elses"}),
            )
            .await;
        assert_eq!(not_a_group.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(not_a_group.json()["errors"][0]["field"], "group");
        let anonymous = app
            .browser()
            .json(
                "POST",
                "/api/v1/resources/do-it-in-a-group/comments",
                json!({"body": "hi"}),
            )
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let nowhere = api
            .json(
                "POST",
                "/api/v1/resources/no-such-page/comments",
                json!({"body": "hi"}),
            )
            .await;
        assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
        let tree = app
            .json("/api/v1/resources/do-it-in-a-group/comments")
            .await;
        assert_eq!(tree["count"], 0, "nothing refused was written");
        assert!(
            app.db
                .store
                .outbox_states()
                .await
                .expect("outbox")
                .is_empty()
        );
    }
);

on_both_backends_with_url!(
    a_guest_confirms_by_mail_a_moderator_publishes_and_the_address_shows_nowhere,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let ana = app.account("ana", Role::Member).await;
        let mia = app.account("mia", Role::Moderator).await;
        pages(&app, &url, ana.id.0).await;

        let mut guest = app.browser();
        guest.get("/login").await;
        let shown_at = shown_a_while_ago();
        let fields = |website: &'static str, shown: String| {
            vec![
                ("body", "Thank you for writing this.".to_owned()),
                ("guest_name", "Rowan".to_owned()),
                ("email", GUEST_EMAIL.to_owned()),
                ("reply_mail", "on".to_owned()),
                ("website", website.to_owned()),
                ("shown_at", shown),
            ]
        };
        for (website, shown) in [
            ("https://spam.example", shown_at.clone()),
            ("", jiff::Timestamp::now().as_second().to_string()),
        ] {
            let owned = fields(website, shown);
            let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let trapped = guest
                .post_form("/resources/do-it-in-a-group/comments", &pairs)
                .await;
            assert_eq!(trapped.status, StatusCode::OK, "reads like success");
        }
        assert!(
            app.db
                .store
                .outbox_states()
                .await
                .expect("outbox")
                .is_empty(),
            "a filled honeypot or a form sent at once keeps nothing"
        );

        let owned = fields("", shown_at);
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let sent = guest
            .post_form("/resources/do-it-in-a-group/comments", &pairs)
            .await;
        assert_eq!(sent.status, StatusCode::OK);
        assert!(sent.body.contains("Please check your mail"));
        let mails = app.deliver().await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, [GUEST_EMAIL]);
        let link = link_in(&mails[0].text, "/comments/confirm/");

        let confirm_page = guest.get(&link).await;
        assert_eq!(confirm_page.status, StatusCode::OK, "a GET changes nothing");
        let tree = app
            .json("/api/v1/resources/do-it-in-a-group/comments")
            .await;
        assert_eq!(tree["comments"], json!([]));
        let confirmed = guest.post_form(&link, &[]).await;
        assert_eq!(confirmed.status, StatusCode::OK);
        assert!(confirmed.body.contains("reaches a moderator"));
        let again = guest.post_form(&link, &[]).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);

        let mut moderator = app.browser_as(&mia).await;
        let queue = moderator.get("/moderation/comments").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body.contains("Thank you for writing this."));
        let held = app
            .api_as(&mia)
            .await
            .json("GET", "/api/v1/moderation/comments", json!(null))
            .await;
        let id = held.json()[0]["id"].as_str().expect("present").to_owned();
        assert!(!queue.body.contains("canary") && !held.body.contains("canary"));
        let published = moderator
            .post_form(&format!("/moderation/comments/{id}/publish"), &[])
            .await;
        assert_eq!(published.status, StatusCode::SEE_OTHER);

        let tree = app
            .json("/api/v1/resources/do-it-in-a-group/comments")
            .await;
        assert_eq!(
            tree["comments"][0]["author"],
            json!({"kind": "guest", "name": "Rowan"})
        );
        for page in [
            app.get(&format!("/comments/{id}")).await.body,
            tree.to_string(),
            app.json(&format!("/api/v1/comments/{id}"))
                .await
                .to_string(),
        ] {
            assert!(
                !page.contains("canary"),
                "the guest's address is never shown"
            );
        }
        let not_moderator = app
            .browser_as(&ana)
            .await
            .post_form(&format!("/moderation/comments/{id}/hide"), &[])
            .await;
        assert_eq!(not_moderator.status, StatusCode::NOT_FOUND);
    }
);

on_both_backends_with_url!(
    a_host_may_point_a_comment_to_their_listed_group,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let willow = app.account("willow", Role::Member).await;
        let ben = app.account("ben", Role::Member).await;
        pages(&app, &url, ben.id.0).await;
        let slug = app
            .group_hosted_by(&willow, "Tapering Circle", ListingStatus::Listed)
            .await;
        app.group_hosted_by(&willow, "Not Yet Circle", ListingStatus::Pending)
            .await;

        let mut host = app.browser_as(&willow).await;
        let page = host.get("/resources/do-it-in-a-group").await;
        assert!(page.body.contains("Point to a group you host"));
        assert!(page.body.contains(&format!(r#"<option value="{slug}">"#)));
        assert!(!page.body.contains("Not Yet Circle"), "listed groups only");
        let posted = host
            .post_form(
                "/resources/do-it-in-a-group/comments",
                &[
                    ("body", "Ours meets on Tuesdays."),
                    ("group", slug.as_str()),
                ],
            )
            .await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
        let tree = app
            .json("/api/v1/resources/do-it-in-a-group/comments")
            .await;
        assert_eq!(tree["comments"][0]["group"], json!(slug.as_str()));

        let other = app
            .browser_as(&ben)
            .await
            .get("/resources/do-it-in-a-group")
            .await;
        assert!(other.body.contains("comment-form"), "{}", other.body);
        assert!(!other.body.contains("Point to a group you host"));
    }
);

on_both_backends_with_url!(
    a_guest_stops_reply_mail_with_one_click_and_a_scanners_visit_changes_nothing,
    |store: Arc<dyn Store>, url: String| async move {
        let app = TestApp::on(store);
        let ana = app.account("ana", Role::Member).await;
        let ben = app.account("ben", Role::Member).await;
        let mia = app.account("mia", Role::Moderator).await;
        pages(&app, &url, ana.id.0).await;
        let context = &app.context;
        let page = SubjectKey::Resource(Slug::parse("do-it-in-a-group").expect("slug"));
        let subject = comments::subject(context, None, &page).await.expect("page");
        let input = GuestInput {
            name: "Rowan".into(),
            email: GUEST_EMAIL.into(),
            body: "Thank you for writing this.".into(),
            parent: None,
            reply_mail: true,
        };
        comments::post_as_guest(context, &subject, &input, now())
            .await
            .expect("guest comment");
        let confirm = link_in(&app.deliver().await[0].text, "/comments/confirm/");
        let token = confirm.rsplit('/').next().expect("token");
        let written = comments::confirm_guest(context, token, now())
            .await
            .expect("confirmed");
        comments::moderate(
            context,
            &mia,
            &written.id,
            CommentModeration::Publish,
            now(),
        )
        .await
        .expect("published");

        let mut api = app.api_as(&ben).await;
        let mut answer = async |body: &str| {
            let answered = api
                .json(
                    "POST",
                    "/api/v1/resources/do-it-in-a-group/comments",
                    json!({"body": body, "parent": written.id.to_string()}),
                )
                .await;
            assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.body);
            app.deliver().await
        };
        let mails = answer("Glad it helped.").await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, [GUEST_EMAIL]);
        assert!(
            mails[0]
                .raw
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        );
        let path = link_in(&mails[0].text, "/comments/unsubscribe/");
        assert!(
            mails[0]
                .raw
                .contains(&format!("List-Unsubscribe: <http://kith.test{path}>")),
            "{}",
            mails[0].raw
        );

        let mut scanner = app.browser();
        let shown = scanner.get(&path).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.body.contains("Stop this mail"), "{}", shown.body);
        assert!(!shown.body.contains("canary"));
        assert_eq!(
            answer("Still glad.").await.len(),
            1,
            "a GET changes nothing"
        );

        // A mail client POSTs with no cookie, origin or CSRF token (RFC 8058).
        let mut mail_client = app.browser();
        let done = mail_client
            .post_raw(&path, &[("List-Unsubscribe", "One-Click")], &[])
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("will not mail you about answers"));
        assert!(answer("Hello?").await.is_empty(), "no more mail");

        for bad in [
            "/comments/unsubscribe/0123456789abcdef0123456789abcdef",
            "/comments/unsubscribe/not-a-token",
        ] {
            assert_eq!(scanner.get(bad).await.status, StatusCode::NOT_FOUND);
        }
        let unknown = mail_client
            .post_raw(
                "/comments/unsubscribe/0123456789abcdef0123456789abcdef",
                &[],
                &[],
            )
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
);
