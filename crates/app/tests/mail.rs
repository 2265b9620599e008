//! The outbox and its sender against a real SMTP server on 127.0.0.1
//! (`kith_app::testing::smtp`), on both databases: what arrives, retries,
//! leases, several senders at once, and the `.eml` folder.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::SignedDuration;
use kith_app::App;
use kith_app::mail::compose;
use kith_app::mail::kinds::Announcement;
use kith_app::mail::sender::{SendReport, SenderSettings, send_due};
use kith_app::mail::transport::Transport;
use kith_app::site_url::SiteUrl;
use kith_app::testing::smtp::{Received, SmtpServer};
use kith_app::testing::{self, now};
use kith_domain::ids::AccountId;
use kith_store::mail::{NotificationPreferences, Recipient};
use kith_store::{Store, on_both_backends};
use mail_parser::MessageParser;

fn site() -> SiteUrl {
    SiteUrl::new("https://kith.example")
}

fn settings() -> SenderSettings {
    SenderSettings::new("kith <kith@kith.example>".parse().expect("from"))
}

fn smtp(server: &SmtpServer) -> Transport {
    Transport::smtp(&server.url(), std::time::Duration::from_secs(5)).expect("transport")
}

async fn register(app: &App, handle: &str) -> AccountId {
    testing::registered(app, handle).await.id
}

/// A parsed message: headers by name, and its text and HTML parts.
struct Mail {
    subject: String,
    message_id: String,
    to: String,
    text: String,
    html: String,
    raw: String,
}

fn parse(received: &Received) -> Mail {
    let message = MessageParser::default()
        .parse(received.data.as_bytes())
        .expect("a MIME message");
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    Mail {
        subject: message.subject().unwrap_or_default().to_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        to: header("To"),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
        raw: received.data.clone(),
    }
}

/// The first link to `path` in a body.
fn link(body: &str, path: &str) -> String {
    let start = body
        .find(&format!("https://kith.example{path}"))
        .expect(path);
    body[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .expect("link")
        .to_owned()
}

on_both_backends!(
    a_new_account_gets_one_kind_neutral_mail_in_text_and_html,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let server = SmtpServer::start().await;
        let store = store.as_ref();
        register(app, "River").await;
        let report = send_due(store, &smtp(&server), &settings(), now())
            .await
            .expect("send");
        assert_eq!(
            report,
            SendReport {
                sent: 1,
                ..SendReport::default()
            }
        );
        let received = server.wait_for(1).await;
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].to, vec!["river@example.org".to_owned()]);
        assert_eq!(received[0].from, "kith@kith.example");
        let mail = parse(&received[0]);
        assert_eq!(mail.subject, "kith: confirm your email");
        assert!(
            mail.message_id.ends_with("@kith.example"),
            "{}",
            mail.message_id
        );
        assert!(mail.to.contains("river@example.org"));
        assert!(mail.text.contains("Hello River,"), "{}", mail.text);
        assert!(mail.html.contains("<p>Hello River,</p>"), "{}", mail.html);
        let text_link = link(&mail.text, "/verify-email/");
        assert_eq!(text_link, link(&mail.html, "/verify-email/"));
        assert!(
            !mail.raw.contains("List-Unsubscribe"),
            "essential mail has no unsubscribe"
        );
        assert!(mail.raw.contains("Auto-Submitted: auto-generated"));
        // Sent once: a second round finds nothing, and the bodies are gone
        // from the outbox.
        let again = send_due(store, &smtp(&server), &settings(), now())
            .await
            .expect("send");
        assert_eq!(again.claimed(), 0);
        let states = store.outbox_states().await.expect("states");
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].sent_at, Some(now()));
        // The link verifies the address, once.
        let token = text_link.rsplit('/').next().expect("token");
        kith_app::account_settings::verify_email(app, token, now())
            .await
            .expect("verified");
        assert!(
            kith_app::account_settings::verify_email(app, token, now())
                .await
                .is_err()
        );
    }
);

on_both_backends!(
    optional_mail_carries_one_click_unsubscribe_that_works,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let server = SmtpServer::start().await;
        let store = store.as_ref();
        let willow = register(app, "Willow").await;
        send_due(store, &smtp(&server), &settings(), now())
            .await
            .expect("send");
        let news = Announcement {
            group_name: "Tapering Circle".into(),
            host_handle: "alder".into(),
            body: "We start later this Tuesday.".into(),
            group_url: site().link("/groups/tapering-circle"),
        };
        let composed =
            compose(&site(), &news, &NotificationPreferences::default()).expect("compose");
        store
            .enqueue_mail(&composed.to(Recipient::Account(willow), now()), now())
            .await
            .expect("enqueue");
        send_due(store, &smtp(&server), &settings(), now())
            .await
            .expect("send");
        let received = server.wait_for(2).await;
        let mail = parse(&received[1]);
        assert_eq!(mail.subject, "kith: news from one of your groups");
        assert!(!mail.subject.contains("Tapering"));
        let url = link(&mail.text, "/mail/unsubscribe/");
        assert!(
            mail.raw.contains(&format!("List-Unsubscribe: <{url}>")),
            "{}",
            mail.raw
        );
        assert!(
            mail.raw
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        );
        assert!(mail.text.contains("https://kith.example/me/notifications"));
        assert!(mail.html.contains("https://kith.example/me/notifications"));
        let token = url.rsplit('/').next().expect("token");
        let category = kith_app::account_settings::unsubscribe(app, token, now())
            .await
            .expect("unsubscribe");
        assert_eq!(category, "announcements");
        let preferences = store.notification_preferences(willow).await.expect("prefs");
        assert!(!preferences.announcements);
        assert!(preferences.reminder_1h, "only that category is turned off");
        assert!(!<Announcement as kith_app::mail::MailKind>::wanted(
            &preferences
        ));
    }
);

on_both_backends!(
    a_refused_mail_is_retried_with_backoff_and_sent_once_accepted,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let server = SmtpServer::start().await;
        let store = store.as_ref();
        register(app, "Rowan").await;
        server.refuse_next(2, 451);
        let first = send_due(store, &smtp(&server), &settings(), now())
            .await
            .expect("send");
        assert_eq!(first.retried, 1);
        let state = &store.outbox_states().await.expect("states")[0];
        assert_eq!(state.attempts, 1);
        assert_eq!(state.not_before, now() + SignedDuration::from_secs(60));
        assert!(
            state
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("451")),
            "{state:?}"
        );
        assert!(
            !state
                .last_error
                .as_deref()
                .unwrap_or_default()
                .contains("example.org")
        );
        // Not before its time.
        let early = send_due(store, &smtp(&server), &settings(), now())
            .await
            .expect("send");
        assert_eq!(early.claimed(), 0);
        let later = now() + SignedDuration::from_secs(61);
        assert_eq!(
            send_due(store, &smtp(&server), &settings(), later)
                .await
                .expect("send")
                .retried,
            1
        );
        assert_eq!(
            store.outbox_states().await.expect("states")[0].not_before,
            later + SignedDuration::from_secs(120),
            "the wait doubles"
        );
        let accepted = later + SignedDuration::from_secs(121);
        let sent = send_due(store, &smtp(&server), &settings(), accepted)
            .await
            .expect("send");
        assert_eq!(sent.sent, 1);
        assert_eq!(server.wait_for(1).await.len(), 1);
        let state = &store.outbox_states().await.expect("states")[0];
        assert_eq!((state.attempts, state.sent_at), (3, Some(accepted)));
    }
);

on_both_backends!(a_permanent_refusal_is_given_up_at_once, |store: Arc<
    dyn Store,
>| async move {
    let app = &kith_app::testing::app(store.clone());
    let server = SmtpServer::start().await;
    let store = store.as_ref();
    register(app, "Hazel").await;
    server.refuse_next(1, 550);
    let report = send_due(store, &smtp(&server), &settings(), now())
        .await
        .expect("send");
    assert_eq!(report.gave_up, 1);
    let state = &store.outbox_states().await.expect("states")[0];
    assert_eq!(state.gave_up_at, Some(now()));
    let later = now() + SignedDuration::from_hours(5);
    assert_eq!(
        send_due(store, &smtp(&server), &settings(), later)
            .await
            .expect("send")
            .claimed(),
        0
    );
    assert!(server.received().is_empty());
});

on_both_backends!(
    a_claim_left_by_a_stopped_sender_is_sent_once_after_its_lease,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let server = SmtpServer::start().await;
        let store = store.as_ref();
        register(app, "Linden").await;
        // A sender claims the mail and stops before sending it.
        let lease = settings().lease;
        let lease_until = now() + SignedDuration::try_from(lease).expect("lease");
        assert_eq!(
            store
                .claim_mail(now(), lease_until, 10)
                .await
                .expect("claim")
                .len(),
            1
        );
        // Restarted within the lease: nothing is sent twice at once.
        let soon = now() + SignedDuration::from_secs(60);
        assert_eq!(
            send_due(store, &smtp(&server), &settings(), soon)
                .await
                .expect("send")
                .claimed(),
            0
        );
        // After it: sent, once.
        let after = lease_until + SignedDuration::from_secs(1);
        assert_eq!(
            send_due(store, &smtp(&server), &settings(), after)
                .await
                .expect("send")
                .sent,
            1
        );
        assert_eq!(
            send_due(store, &smtp(&server), &settings(), after)
                .await
                .expect("send")
                .claimed(),
            0
        );
        assert_eq!(server.wait_for(1).await.len(), 1);
        let state = &store.outbox_states().await.expect("states")[0];
        assert_eq!(state.attempts, 2, "the lost attempt counts");
    }
);

on_both_backends!(two_senders_at_once_never_send_a_mail_twice, |store: Arc<
    dyn Store,
>| async move {
    let app = &kith_app::testing::app(store.clone());
    let server = SmtpServer::start().await;
    let mut accounts = Vec::new();
    for n in 0..6 {
        accounts.push(register(app, &format!("person{n}")).await);
    }
    let news = Announcement {
        group_name: "Circle".into(),
        host_handle: "alder".into(),
        body: "Hello.".into(),
        group_url: site().link("/groups/circle"),
    };
    for account in &accounts {
        for _ in 0..4 {
            let composed =
                compose(&site(), &news, &NotificationPreferences::default()).expect("compose");
            store
                .enqueue_mail(&composed.to(Recipient::Account(*account), now()), now())
                .await
                .expect("enqueue");
        }
    }
    let total = 6 + 6 * 4;
    let mut small = settings();
    small.batch = 3;
    let run = |store: Arc<dyn Store>, transport: Transport, settings: SenderSettings| async move {
        let mut sent = 0;
        loop {
            let report = send_due(store.as_ref(), &transport, &settings, now())
                .await
                .expect("send");
            if report.claimed() == 0 {
                return sent;
            }
            sent += report.sent;
        }
    };
    let a = tokio::spawn(run(store.clone(), smtp(&server), small.clone()));
    let b = tokio::spawn(run(store.clone(), smtp(&server), small.clone()));
    let (a, b) = (a.await.expect("sender a"), b.await.expect("sender b"));
    assert_eq!(a + b, total);
    let received = server.wait_for(total as usize).await;
    assert_eq!(received.len(), total as usize);
    let ids: HashSet<String> = received.iter().map(|r| parse(r).message_id).collect();
    assert_eq!(ids.len(), total as usize, "every Message-ID once");
    // Nobody's mail holds another person's address.
    for r in &received {
        let own = &r.to[0];
        assert_eq!(r.to.len(), 1, "one recipient per mail");
        for n in 0..6 {
            let other = format!("person{n}@example.org");
            if &other != own {
                assert!(!r.data.contains(&other), "{own}'s mail names {other}");
            }
        }
    }
});

on_both_backends!(
    without_a_server_mail_is_written_as_eml_files_once_each,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let dir = tempfile::tempdir().expect("dir");
        let store = store.as_ref();
        register(app, "Aspen").await;
        let files = Transport::files(dir.path().join("outbox"));
        assert_eq!(
            send_due(store, &files, &settings(), now())
                .await
                .expect("send")
                .sent,
            1
        );
        let written: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .expect("outbox dir")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(written.len(), 1, "{written:?}");
        assert_eq!(written[0].extension().and_then(|e| e.to_str()), Some("eml"));
        let text = std::fs::read_to_string(&written[0]).expect("read");
        let message = MessageParser::default()
            .parse(text.as_bytes())
            .expect("mime");
        assert_eq!(message.subject(), Some("kith: confirm your email"));
        assert!(text.contains("aspen@example.org"));
        assert!(
            message
                .body_text(0)
                .expect("text")
                .contains("/verify-email/")
        );
    }
);
