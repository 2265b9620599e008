//! A block never shows: one person declined and one blocked by the same
//! hosts, side by side over every route either can reach, on both
//! databases. They get the same statuses, the same pages and JSON apart
//! from their own handle and ids, and the same mail; and what the blocked
//! person writes afterwards reaches nobody.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_store::mail::OutboxMail;
use serde_json::json;

use crate::membership::{ask, listed_group};
use crate::support::{Browser, TestApp, TestResponse, now};

/// One of the two people compared, with a browser and an API client.
struct Side {
    handle: String,
    id: String,
    browser: Browser,
    api: Browser,
}

/// One call to make as each side in turn; `{id}` stands for the side's own
/// request.
enum Call<'a> {
    Page(&'a str),
    Form(&'a str, &'a [(&'a str, &'a str)]),
    Api(&'a str, &'a str, serde_json::Value),
}

impl Side {
    /// Their words with what is theirs alone replaced: the request's id,
    /// the handle (and the address made from it), per-visit CSRF tokens.
    fn normalise(&self, text: &str) -> String {
        let text = text
            .replace(&self.id, "{id}")
            .replace(&self.handle, "{handle}")
            .replace(&self.handle.to_lowercase(), "{handle}");
        without_tokens(&text)
    }

    async fn call(&mut self, call: &Call<'_>) -> TestResponse {
        let at = |path: &str| path.replace("{id}", &self.id);
        match call {
            Call::Page(path) => self.browser.get(&at(path)).await,
            Call::Form(path, pairs) => self.browser.post_form(&at(path), pairs).await,
            Call::Api("GET", path, _) => self.api.get(&at(path)).await,
            Call::Api(method, path, body) => self.api.json(method, &at(path), body.clone()).await,
        }
    }
}

/// A page's body without its per-visitor CSRF tokens.
fn without_tokens(body: &str) -> String {
    body.split("value=\"")
        .map(|part| match part.get(..32) {
            Some(token) if token.bytes().all(|b| b.is_ascii_hexdigit()) => &part[32..],
            _ => part,
        })
        .collect::<Vec<_>>()
        .join("value=\"")
}

/// Makes `call` as both sides and asserts they were answered alike: status,
/// where a redirect leads, and body, once normalised. Answers the status
/// and the normalised body.
async fn alike(declined: &mut Side, blocked: &mut Side, call: Call<'_>) -> (StatusCode, String) {
    let one = declined.call(&call).await;
    let other = blocked.call(&call).await;
    let what = match &call {
        Call::Page(path) | Call::Form(path, _) | Call::Api(_, path, _) => *path,
    };
    assert_eq!(one.status, other.status, "{what}: {}", other.body);
    assert_eq!(
        declined.normalise(one.header("location")),
        blocked.normalise(other.header("location")),
        "{what}"
    );
    let body = declined.normalise(&one.body);
    assert_eq!(body, blocked.normalise(&other.body), "{what}");
    (one.status, body)
}

/// The mail in the outbox, claimed so the next call sees only newer mail.
async fn claimed_mail(app: &TestApp) -> Vec<OutboxMail> {
    let store = app.db.store.as_ref();
    let mails = store
        .claim_mail(now(), now() + jiff::SignedDuration::from_hours(1), 100)
        .await
        .expect("outbox");
    for mail in &mails {
        store.mark_mail_sent(mail.id, now()).await.expect("sent");
    }
    mails
}

fn address(mail: &OutboxMail) -> &str {
    mail.address.as_ref().map_or("", |a| a.as_str())
}

/// The one mail to `side`, as they read it: kind, subject, text, HTML.
fn mail_to(mails: &[OutboxMail], side: &Side) -> [String; 4] {
    let theirs: Vec<&OutboxMail> = mails
        .iter()
        .filter(|m| address(m) == format!("{}@example.org", side.handle.to_lowercase()))
        .collect();
    assert_eq!(theirs.len(), 1, "{}: {mails:?}", side.handle);
    let mail = theirs[0];
    assert!(mail.unsubscribe_url.is_none());
    [&mail.kind, &mail.subject, &mail.text, &mail.html].map(|part| side.normalise(part))
}

kith_store::on_both_backends!(
    a_blocked_person_is_answered_exactly_like_a_declined_one,
    |store| async move {
        let app = TestApp::on(store);
        let host = app.account("Hostess", Role::Member).await;
        let slug = listed_group(
            &app,
            &host,
            "Quiet Circle",
            &[("join_question", "What brings you here?")],
        )
        .await;
        let mut sides = Vec::new();
        for handle in ["Dora", "Bina"] {
            let person = app.account(handle, Role::Member).await;
            let mut api = app.api_as(&person).await;
            let asked = ask(&mut api, &slug, json!({"answer": "I am tapering."})).await;
            assert_eq!(asked.status, StatusCode::CREATED);
            let id = asked.json()["id"].as_str().expect("id").to_owned();
            // Words written while waiting reach the hosts either way.
            let before = api
                .json(
                    "POST",
                    &format!("/api/v1/join-requests/{id}/messages"),
                    json!({"text": "Written while waiting."}),
                )
                .await;
            assert_eq!(before.status, StatusCode::CREATED);
            sides.push(Side {
                handle: handle.to_owned(),
                id,
                browser: app.browser_as(&person).await,
                api,
            });
        }
        let [mut declined, mut blocked]: [Side; 2] = sides.try_into().ok().expect("two");
        let mut host_api = app.api_as(&host).await;
        let invitation = host_api
            .json(
                "POST",
                &format!("/api/v1/groups/{slug}/invitations"),
                json!({}),
            )
            .await
            .json()["url"]
            .as_str()
            .expect("url")
            .rsplit('/')
            .next()
            .expect("token")
            .to_owned();
        let meeting = app.json(&format!("/api/v1/groups/{slug}")).await["upcoming"][0]["id"]
            .as_str()
            .expect("a meeting")
            .to_owned();
        claimed_mail(&app).await;

        for (side, action) in [(&declined, "decline"), (&blocked, "block")] {
            let answered = host_api
                .json(
                    "POST",
                    &format!("/api/v1/join-requests/{}/{action}", side.id),
                    json!({}),
                )
                .await;
            assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
        }
        // The same mail, the answer, to each; nothing to anyone else.
        let mails = claimed_mail(&app).await;
        assert_eq!(mails.len(), 2, "{mails:?}");
        let told = mail_to(&mails, &declined);
        assert_eq!(told, mail_to(&mails, &blocked));
        assert!(told[2].contains("/requests/{id}"), "{}", told[2]);

        let people = format!("/groups/{slug}/people");
        let mut host_browser = app.browser_as(&host).await;
        let hosts_list = without_tokens(&host_browser.get(&people).await.body);

        let group = format!("/groups/{slug}");
        let join = format!("/groups/{slug}/join");
        let asks = format!("/api/v1/groups/{slug}/join-requests");
        let invited = format!("/invitations/{invitation}");
        let room = format!("/meetings/{meeting}/room");
        let rsvp = format!("/api/v1/meetings/{meeting}/rsvp");
        let members = format!("/api/v1/groups/{slug}/members");
        let api_group = format!("/api/v1/groups/{slug}");
        let (status, page) = alike(&mut declined, &mut blocked, Call::Page("/requests/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("could not take you in this time"));
        assert!(
            page.contains("action=\"/requests/{id}/messages\""),
            "the form"
        );
        for call in [
            Call::Page(&group),
            Call::Page("/me"),
            Call::Page(&join),
            Call::Page(&invited),
            Call::Page(&room),
            Call::Page(&people),
            Call::Api("GET", "/api/v1/join-requests/{id}", json!(null)),
            Call::Api("GET", "/api/v1/join-requests/{id}/messages", json!(null)),
            Call::Api("GET", "/api/v1/me/groups", json!(null)),
            Call::Api("GET", "/api/v1/me", json!(null)),
            Call::Api("GET", "/api/v1/me/meetings", json!(null)),
            Call::Api("GET", &api_group, json!(null)),
            Call::Api("GET", &members, json!(null)),
            Call::Api("GET", &asks, json!(null)),
        ] {
            alike(&mut declined, &mut blocked, call).await;
        }
        let (_, seen) = alike(
            &mut declined,
            &mut blocked,
            Call::Api("GET", "/api/v1/join-requests/{id}", json!(null)),
        )
        .await;
        assert!(seen.contains(r#""state":"declined""#), "{seen}");

        // Asking again, with or without an invitation, and every step that
        // does not apply: refused alike.
        for (call, status) in [
            (
                Call::Api("POST", &asks, json!({"answer": "Please."})),
                StatusCode::CONFLICT,
            ),
            (
                Call::Api(
                    "POST",
                    &asks,
                    json!({"answer": "", "invitation": invitation}),
                ),
                StatusCode::CONFLICT,
            ),
            (
                Call::Form(&join, &[("answer", "Please.")]),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (Call::Form(&invited, &[]), StatusCode::CONFLICT),
            (
                Call::Api("POST", "/api/v1/join-requests/{id}/withdraw", json!({})),
                StatusCode::CONFLICT,
            ),
            (
                Call::Form("/requests/{id}/withdraw", &[]),
                StatusCode::CONFLICT,
            ),
            (
                Call::Api("POST", "/api/v1/join-requests/{id}/approve", json!({})),
                StatusCode::NOT_FOUND,
            ),
            (
                Call::Api("PUT", &rsvp, json!({"attending": true})),
                StatusCode::NOT_FOUND,
            ),
        ] {
            assert_eq!(alike(&mut declined, &mut blocked, call).await.0, status);
        }

        // Writing after the answer: accepted alike, and shown to the writer.
        for call in [
            Call::Api(
                "POST",
                "/api/v1/join-requests/{id}/messages",
                json!({"text": "Written after the answer."}),
            ),
            Call::Form(
                "/requests/{id}/messages",
                &[("text", "Written on the page.")],
            ),
        ] {
            let page = declined
                .browser
                .get(&format!("/requests/{}", declined.id))
                .await;
            assert_eq!(page.status, StatusCode::OK);
            blocked
                .browser
                .get(&format!("/requests/{}", blocked.id))
                .await;
            let (status, _) = alike(&mut declined, &mut blocked, call).await;
            assert!(status == StatusCode::CREATED || status == StatusCode::SEE_OTHER);
        }
        let (_, page) = alike(&mut declined, &mut blocked, Call::Page("/requests/{id}")).await;
        assert!(page.contains("Written on the page."));
        let (_, thread) = alike(
            &mut declined,
            &mut blocked,
            Call::Api("GET", "/api/v1/join-requests/{id}/messages", json!(null)),
        )
        .await;
        assert_eq!(
            thread.matches(r#""from_host":false"#).count(),
            3,
            "{thread}"
        );
        let (status, export) = alike(
            &mut declined,
            &mut blocked,
            Call::Api("GET", "/api/v1/me/export", json!(null)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(export.contains(r#""state":"declined""#), "{export}");
        assert!(export.contains("Written after the answer."));

        // The hosts hear of the declined person's words only, and read only
        // theirs; their list and counts do not move.
        let mails = claimed_mail(&app).await;
        assert_eq!(mails.len(), 2, "one mail per message of Dora's: {mails:?}");
        for mail in &mails {
            assert_eq!(address(mail), "hostess@example.org");
            assert!(mail.text.contains(&declined.id), "{}", mail.text);
            assert!(!mail.text.contains(&blocked.id));
        }
        let hosts_view = host_browser.get(&format!("/requests/{}", blocked.id)).await;
        assert_eq!(hosts_view.status, StatusCode::OK);
        assert!(
            hosts_view.body.contains("state-blocked"),
            "hosts still see the block"
        );
        assert!(hosts_view.body.contains("Written while waiting."));
        assert!(!hosts_view.body.contains("Written after the answer."));
        assert!(!hosts_view.body.contains("Written on the page."));
        let hosts_thread = host_api
            .get(&format!("/api/v1/join-requests/{}/messages", blocked.id))
            .await
            .json();
        assert_eq!(
            hosts_thread.as_array().map(Vec::len),
            Some(1),
            "{hosts_thread}"
        );
        let dora_thread = host_api
            .get(&format!("/api/v1/join-requests/{}/messages", declined.id))
            .await
            .json();
        assert_eq!(
            dora_thread.as_array().map(Vec::len),
            Some(3),
            "{dora_thread}"
        );
        let state = host_api
            .get(&format!("/api/v1/join-requests/{}", blocked.id))
            .await
            .json();
        assert_eq!(state["state"], "blocked");
        assert_eq!(
            without_tokens(&host_browser.get(&people).await.body),
            hosts_list
        );
    }
);
