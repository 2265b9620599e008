//! Guests' mail, on a real database of each backend and a real SMTP
//! server: a published reply mails the guest it answers when they asked
//! for it, with a one-click unsubscribe of their own; the sender's prune
//! forgets what guests never confirmed; an address that refuses mail for
//! good takes its waiting comment, or its reply mail, with it.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kith_app::access::Person;
use kith_app::comments::{self, CommentModeration, GuestInput, SubjectKey, Written};
use kith_app::mail::sender::{SenderSettings, prune, send_due};
use kith_app::mail::transport::Transport;
use kith_app::testing::smtp::SmtpServer;
use kith_app::testing::{self, now};
use kith_app::{App, AppError};
use kith_domain::account::{Email, Role};
use kith_domain::comment::CommentStatus;
use kith_domain::ids::CommentId;
use kith_store::{Store, on_both_backends_with_url};
use mail_parser::MessageParser;

use super::{outbox, pages, reply, staff};

/// What a guest writes: on the page itself unless `parent` says whom it
/// answers.
fn guest(email: &str, body: &str, parent: Option<&CommentId>, reply_mail: bool) -> GuestInput {
    GuestInput {
        name: email.split('@').next().unwrap_or_default().to_owned(),
        email: email.to_owned(),
        body: body.to_owned(),
        parent: parent.cloned(),
        reply_mail,
    }
}

/// A guest's comment, confirmed through the link mailed to them (reading
/// it marks every mail then due sent) and published by `moderator` when
/// it waits for one.
async fn guest_says(
    app: &App,
    moderator: &Person,
    page: &SubjectKey,
    input: &GuestInput,
    at: Timestamp,
) -> Written {
    let subject = comments::subject(app, None, page).await.expect("page");
    comments::post_as_guest(app, &subject, input, at)
        .await
        .expect("guest comment");
    let token = testing::token_from_mail(app, "/comments/confirm/", at)
        .await
        .expect("the confirmation link");
    let written = comments::confirm_guest(app, &token, at)
        .await
        .expect("confirmed");
    if written.status == CommentStatus::Held {
        comments::moderate(app, moderator, &written.id, CommentModeration::Publish, at)
            .await
            .expect("published");
    }
    written
}

/// Who guests' tests need, and where: a member who answers (`ben`), a
/// moderator (`mia`), and a published resource (its story by `ana`).
struct Scene {
    ben: Person,
    mia: Person,
    resource: SubjectKey,
}

async fn scene(app: &App, url: &str) -> Scene {
    let ana = staff(app, "ana", Role::Member).await;
    let (resource, _) = pages(url, &ana, "published").await;
    Scene {
        ben: staff(app, "ben", Role::Member).await,
        mia: staff(app, "mia", Role::Moderator).await,
        resource,
    }
}

/// When guests' tests happen: past the new accounts' first day.
fn later() -> Timestamp {
    now() + SignedDuration::from_hours(48)
}

/// How many comments the guest at `address` wrote that are still kept.
async fn written(store: &Arc<dyn Store>, address: &str) -> u64 {
    let email = Email::parse(address).expect("email");
    store
        .comments_by_guest_since(&email, Timestamp::UNIX_EPOCH)
        .await
        .expect("count")
}

/// The sender's transport and settings, for the test server.
fn sender_to(server: &SmtpServer) -> (Transport, SenderSettings) {
    let transport =
        Transport::smtp(&server.url(), std::time::Duration::from_secs(5)).expect("transport");
    let from = "kith <kith@kith.example>".parse().expect("from");
    (transport, SenderSettings::new(from))
}

/// How many mails of `kind` the outbox holds.
async fn mails_of(store: &Arc<dyn Store>, kind: &str) -> usize {
    outbox(store).await.iter().filter(|k| *k == kind).count()
}

on_both_backends_with_url!(
    a_reply_mails_the_guest_it_answers_with_a_one_click_unsubscribe_of_their_own,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let Scene { ben, mia, resource } = scene(app, &url).await;
        let later = later();
        let rowan = guest("rowan.canary@example.net", "This helped me.", None, true);
        let asked = guest_says(app, &mia, &resource, &rowan, later).await;

        reply(app, &ben, &resource, &asked.id, "Glad to hear it.", later).await;
        let server = SmtpServer::start().await;
        let (transport, settings) = sender_to(&server);
        let report = send_due(store.as_ref(), &transport, &settings, later)
            .await
            .expect("send");
        assert_eq!(report.sent, 1);
        let received = server.wait_for(1).await;
        assert_eq!(received[0].to, ["rowan.canary@example.net"]);
        let message = MessageParser::default()
            .parse(received[0].data.as_bytes())
            .expect("a MIME message");
        assert_eq!(
            message.subject(),
            Some("kith: someone answered your comment")
        );
        let text = message.body_text(0).expect("text").into_owned();
        assert!(text.contains("Glad to hear it."), "{text}");
        assert!(
            !text.contains("/me/notifications"),
            "a guest has no preferences page"
        );
        let raw = &received[0].data;
        let header = raw
            .lines()
            .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
            .expect("List-Unsubscribe");
        let url = header.trim_end_matches('>');
        assert!(
            url.starts_with("https://kith.example/comments/unsubscribe/"),
            "{url}"
        );
        assert!(text.contains(url), "the footer links the same");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

        let token = url.rsplit('/').next().expect("token");
        comments::guest_unsubscribe_link(app, token, later)
            .await
            .expect("the link works");
        assert_eq!(
            mails_of(&store, "guest_comment_reply").await,
            1,
            "reading the page changes nothing"
        );
        comments::unsubscribe_guest(app, token, later)
            .await
            .expect("unsubscribed");
        comments::unsubscribe_guest(app, token, later)
            .await
            .expect("twice is no error");
        reply(app, &ben, &resource, &asked.id, "Anyone else?", later).await;
        assert_eq!(
            mails_of(&store, "guest_comment_reply").await,
            1,
            "no more after unsubscribing"
        );
        // Anyone may type Rowan's address: a comment nobody confirmed
        // changes nothing; the choice counts once the address is proven.
        let subject = comments::subject(app, None, &resource).await.expect("page");
        let typed = guest("rowan.canary@example.net", "Mail me again.", None, true);
        comments::post_as_guest(app, &subject, &typed, later)
            .await
            .expect("unconfirmed comment");
        reply(app, &ben, &resource, &asked.id, "Still there?", later).await;
        assert_eq!(mails_of(&store, "guest_comment_reply").await, 1);
        let confirm = testing::token_from_mail(app, "/comments/confirm/", later)
            .await
            .expect("the confirmation link");
        comments::confirm_guest(app, &confirm, later)
            .await
            .expect("confirmed");
        reply(app, &ben, &resource, &asked.id, "Welcome back.", later).await;
        assert_eq!(mails_of(&store, "guest_comment_reply").await, 2);
        let expired = later + comments::GUEST_UNSUBSCRIBE_LIFETIME;
        for (bad, at) in [
            ("0123456789abcdef0123456789abcdef", later),
            ("not a token", later),
            (token, expired),
        ] {
            assert!(matches!(
                comments::guest_unsubscribe_link(app, bad, at).await,
                Err(AppError::NotFound)
            ));
            assert!(matches!(
                comments::unsubscribe_guest(app, bad, at).await,
                Err(AppError::NotFound)
            ));
        }
    }
);

on_both_backends_with_url!(
    guests_hear_of_published_replies_they_asked_for_and_never_of_their_own,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let Scene { ben, mia, resource } = scene(app, &url).await;
        let later = later();
        let rowan = guest_says(
            app,
            &mia,
            &resource,
            &guest("rowan@example.net", "First.", None, true),
            later,
        )
        .await;
        let sky = guest_says(
            app,
            &mia,
            &resource,
            &guest("sky@example.net", "Quiet, please.", None, false),
            later,
        )
        .await;

        reply(app, &ben, &resource, &sky.id, "Hello Sky.", later).await;
        assert_eq!(
            mails_of(&store, "guest_comment_reply").await,
            0,
            "Sky said no"
        );
        let own = guest("rowan@example.net", "And me again.", Some(&rowan.id), true);
        let again = guest_says(app, &mia, &resource, &own, later).await;
        assert_eq!(
            again.status,
            CommentStatus::Published,
            "a known guest's answer is published as it is confirmed"
        );
        assert_eq!(
            mails_of(&store, "guest_comment_reply").await,
            0,
            "nobody is told of their own answer"
        );

        // A first-time guest's answer waits; publishing it tells Rowan.
        let ash = guest("ash@example.net", "Same for me.", Some(&rowan.id), false);
        guest_says(app, &mia, &resource, &ash, later).await;
        assert_eq!(mails_of(&store, "guest_comment_reply").await, 1);
        // A known guest's answer is published on confirming: Rowan hears.
        let sky_answers = guest("sky@example.net", "Welcome.", Some(&rowan.id), false);
        guest_says(app, &mia, &resource, &sky_answers, later).await;
        assert_eq!(mails_of(&store, "guest_comment_reply").await, 2);
        assert_eq!(
            mails_of(&store, "comment_reply").await,
            0,
            "guests' mail is their own kind"
        );
    }
);

on_both_backends_with_url!(
    the_senders_hourly_prune_forgets_a_guest_who_never_confirmed,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let Scene { mia, resource, .. } = scene(app, &url).await;
        let later = later();
        let kept = guest("kept@example.net", "Confirmed words.", None, true);
        guest_says(app, &mia, &resource, &kept, later).await;
        let subject = comments::subject(app, None, &resource).await.expect("page");
        let never = guest("never@example.net", "Anyone?", None, true);
        comments::post_as_guest(app, &subject, &never, later)
            .await
            .expect("guest comment");

        let link_lifetime = comments::GUEST_LINK_LIFETIME;
        prune(
            store.as_ref(),
            later + link_lifetime - SignedDuration::from_secs(1),
        )
        .await;
        assert_eq!(
            written(&store, "never@example.net").await,
            1,
            "its link still works"
        );
        prune(store.as_ref(), later + link_lifetime).await;
        assert_eq!(
            written(&store, "never@example.net").await,
            0,
            "gone with its link"
        );
        assert_eq!(written(&store, "kept@example.net").await, 1);
    }
);

on_both_backends_with_url!(
    an_address_that_refuses_mail_for_good_takes_its_waiting_comment_and_its_reply_mail,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let Scene { ben, mia, resource } = scene(app, &url).await;
        let later = later();
        let rowan = guest("rowan@example.net", "Confirmed words.", None, true);
        let asked = guest_says(app, &mia, &resource, &rowan, later).await;
        let server = SmtpServer::start().await;
        let (transport, settings) = sender_to(&server);
        let subject = comments::subject(app, None, &resource).await.expect("page");
        let send_refused = async |code| {
            server.refuse_next(1, code);
            send_due(store.as_ref(), &transport, &settings, later)
                .await
                .expect("send")
        };

        // The confirmation link is refused (550): the comment waiting for
        // it goes at once, not two days later.
        let bounces = guest("nobody@example.net", "Lost words.", None, true);
        comments::post_as_guest(app, &subject, &bounces, later)
            .await
            .expect("guest comment");
        let report = send_refused(550).await;
        assert_eq!(report.gave_up, 1);
        assert_eq!(written(&store, "nobody@example.net").await, 0);

        // A temporary refusal (451) changes nothing but the retry.
        let waits = guest("later@example.net", "Patient words.", None, true);
        comments::post_as_guest(app, &subject, &waits, later)
            .await
            .expect("guest comment");
        let report = send_refused(451).await;
        assert_eq!(report.retried, 1);
        assert_eq!(written(&store, "later@example.net").await, 1);

        // A reply mail is refused: no more reply mail to that guest.
        reply(app, &ben, &resource, &asked.id, "Welcome.", later).await;
        let report = send_refused(550).await;
        assert_eq!(report.gave_up, 1);
        reply(app, &ben, &resource, &asked.id, "Are you there?", later).await;
        assert_eq!(mails_of(&store, "guest_comment_reply").await, 1);
        assert_eq!(
            written(&store, "rowan@example.net").await,
            1,
            "what they wrote and confirmed stays"
        );
        assert!(server.received().is_empty());
    }
);
