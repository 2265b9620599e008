//! Letters to the mailing list, from a draft to the recipients' inboxes
//! through the suite's SMTP server, on both databases: the audience, the
//! mail each recipient gets, the test to the author, refusals, the
//! operator's rate.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use kith_app::access::Person;
use kith_app::mail::sender::{SenderSettings, send_batch};
use kith_app::mail::transport::Transport;
use kith_app::testing::smtp::{Received, SmtpServer};
use kith_app::testing::{self, now};
use kith_app::{App, AppError, accounts, letters};
use kith_domain::account::Role;
use kith_domain::letter::{Audience, LetterInput, LetterStatus};
use kith_domain::validation::FieldError;
use kith_store::letters::fixtures::insert_subscribers;
use kith_store::testing::query_i64;
use kith_store::{Store, on_both_backends_with_url};
use mail_parser::MessageParser;

fn smtp(server: &SmtpServer) -> Transport {
    Transport::smtp(&server.url(), Duration::from_secs(5)).expect("transport")
}

fn settings() -> SenderSettings {
    SenderSettings::new("kith <kith@kith.example>".parse().expect("from"))
}

async fn person(app: &App, handle: &str, role: Role) -> Person {
    accounts::create_staff(app, &testing::registration(handle), role, now())
        .await
        .expect("account");
    testing::person(app, handle).await
}

fn input(subject: &str, mode: &str, interests: &[&str]) -> LetterInput {
    LetterInput {
        subject: subject.to_owned(),
        body: "# Spring\n\nWe meet [in the park](https://example.org/park).".to_owned(),
        mode: mode.to_owned(),
        interests: interests.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// Sends until the outbox is empty; answers what arrived.
async fn drain(store: &dyn Store, server: &SmtpServer, settings: &SenderSettings) -> usize {
    let transport = smtp(server);
    let mut sent = 0;
    loop {
        let report = send_batch(store, &transport, settings, 200, Timestamp::now())
            .await
            .expect("send");
        sent += report.sent as usize;
        if report.claimed() == 0 {
            return sent;
        }
    }
}

fn header(received: &Received, name: &str) -> Option<String> {
    let message = MessageParser::default()
        .parse(received.data.as_bytes())
        .expect("a MIME message");
    message.header_raw(name).map(|v| v.trim().to_owned())
}

on_both_backends_with_url!(
    a_letter_reaches_each_confirmed_subscriber_in_its_audience_once_with_one_click_unsubscribe,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let editor = person(app, "Quill", Role::Editor).await;
        insert_subscribers(&url, "ev", 4, true, &["events"]).await;
        insert_subscribers(&url, "off", 2, true, &["staying-off"]).await;
        insert_subscribers(&url, "wait", 3, false, &["events"]).await;
        let audience = Audience::parse("any", &["events".to_owned()]).expect("audience");
        assert_eq!(
            letters::count_audience(app, &editor, &audience)
                .await
                .expect("count"),
            4
        );
        let id = letters::create(app, &editor, &input("Spring news", "any", &["events"]))
            .await
            .expect("create");
        // The test goes to the author only, is not counted, has no token.
        letters::send_test(app, &editor, id).await.expect("test");
        let server = SmtpServer::start().await;
        drain(store.as_ref(), &server, &settings()).await;
        let received = server.wait_for(2).await;
        let tests: Vec<&Received> = received
            .iter()
            .filter(|r| r.to == vec!["quill@example.org".to_owned()])
            .collect();
        assert_eq!(
            tests.len(),
            1,
            "the test, and the author's verification mail"
        );
        let test = received
            .iter()
            .find(|r| r.data.contains("Subject: Spring news"))
            .expect("the test");
        assert!(test.data.contains("A test of this letter"), "{}", test.data);
        assert!(header(test, "List-Unsubscribe").is_none());
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM subscriber_tokens").await,
            0
        );
        let before = server.received().len();

        letters::send(app, &editor, id, None)
            .await
            .expect("send now");
        assert_eq!(drain(store.as_ref(), &server, &settings()).await, 4);
        let letters_received: Vec<Received> = server.received()[before..].to_vec();
        let to: HashSet<String> = letters_received.iter().map(|r| r.to[0].clone()).collect();
        let expected: HashSet<String> = (1..=4).map(|i| format!("ev{i}@example.org")).collect();
        assert_eq!(to, expected);
        assert_eq!(letters_received.len(), 4, "once each");
        for mail in &letters_received {
            let message = MessageParser::default()
                .parse(mail.data.as_bytes())
                .expect("MIME");
            assert_eq!(message.subject(), Some("Spring news"));
            let text = message.body_text(0).expect("text").into_owned();
            let html = message.body_html(0).expect("html").into_owned();
            assert!(mail.data.contains("multipart/alternative"));
            assert!(html.contains("<h1>Spring</h1>"), "{html}");
            assert!(
                html.contains(r#"href="https://example.org/park""#),
                "{html}"
            );
            let unsubscribe = header(mail, "List-Unsubscribe").expect("List-Unsubscribe");
            assert_eq!(
                header(mail, "List-Unsubscribe-Post").as_deref(),
                Some("List-Unsubscribe=One-Click")
            );
            let url = unsubscribe.trim_matches(['<', '>']);
            assert!(
                url.starts_with("https://kith.example/newsletter/unsubscribe/"),
                "{url}"
            );
            let token = url.rsplit('/').next().expect("token");
            assert!(text.contains(url), "{text}");
            assert!(
                html.contains(&format!("https://kith.example/newsletter/manage/{token}")),
                "{html}"
            );
            assert!(!html.contains("<img"), "no pixel");
        }
        let letter = letters::get(app, &editor, id).await.expect("read");
        assert_eq!(
            (
                letter.recipients,
                letter.sent,
                letter.failed,
                letter.status()
            ),
            (4, 4, 0, LetterStatus::Sent)
        );
    }
);

on_both_backends_with_url!(
    a_letter_to_nobody_or_in_the_past_is_refused_and_only_writers_may,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let admin = person(app, "Keeper", Role::Admin).await;
        let member = person(app, "River", Role::Member).await;
        let moderator = person(app, "Warden", Role::Moderator).await;
        insert_subscribers(&url, "ev", 2, true, &["events"]).await;
        for who in [&member, &moderator] {
            assert!(matches!(
                letters::create(app, who, &input("Hi", "any", &[])).await,
                Err(AppError::NotFound)
            ));
        }
        assert!(matches!(
            letters::create(app, &admin, &input(&"x".repeat(151), "any", &[])).await,
            Err(AppError::Invalid(e)) if e == vec![FieldError::new("subject", "too_long")]
        ));
        assert!(matches!(
            letters::create(app, &admin, &input("Hi", "any", &["nope"])).await,
            Err(AppError::Invalid(e)) if e == vec![FieldError::new("interests", "unknown_interest")]
        ));
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM letters").await, 0);
        let nobody = letters::create(app, &admin, &input("Hi", "all", &["events", "coming-off"]))
            .await
            .expect("create");
        assert!(matches!(
            letters::send(app, &admin, nobody, None).await,
            Err(AppError::Invalid(e)) if e == vec![FieldError::new("audience", "empty_audience")]
        ));
        let some = letters::create(app, &admin, &input("Hi", "any", &["events"]))
            .await
            .expect("create");
        let past = Timestamp::now() - SignedDuration::from_hours(1);
        assert!(matches!(
            letters::send(app, &admin, some, Some(past)).await,
            Err(AppError::Invalid(e)) if e == vec![FieldError::new("send_at", "in_the_past")]
        ));
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM letters WHERE send_at IS NOT NULL"
            )
            .await,
            0
        );
        // Scheduled for later: not queued before its time.
        let later = Timestamp::now() + SignedDuration::from_hours(1);
        letters::send(app, &admin, some, Some(later))
            .await
            .expect("schedule");
        assert!(letters::queue_due(app).await.expect("queue").is_empty());
        assert_eq!(
            letters::get(app, &admin, some)
                .await
                .expect("read")
                .status(),
            LetterStatus::Scheduled
        );
        letters::cancel(app, &admin, some).await.expect("cancel");
        assert_eq!(
            letters::get(app, &admin, some)
                .await
                .expect("read")
                .status(),
            LetterStatus::Draft
        );
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM outbox WHERE letter_id IS NOT NULL"
            )
            .await,
            0
        );
    }
);

on_both_backends_with_url!(
    the_operators_rate_spreads_mail_out,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let admin = person(app, "Keeper", Role::Admin).await;
        insert_subscribers(&url, "r", 14, true, &[]).await;
        // Sent before the letter, so only the letter is timed.
        let server = SmtpServer::start().await;
        drain(store.as_ref(), &server, &settings()).await;
        let id = letters::create(app, &admin, &input("Slow", "any", &[]))
            .await
            .expect("create");
        letters::send(app, &admin, id, None).await.expect("send");
        // 120 a minute: a burst of 12, then one every half second.
        let limited = settings().with_rate_per_minute(120);
        let started = Instant::now();
        assert_eq!(drain(store.as_ref(), &server, &limited).await, 14);
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
    }
);

/// The sender's throughput to the suite's SMTP server, on demand:
/// `cargo test -p kith-app --test letters throughput -- --ignored --nocapture`.
async fn throughput(store: Arc<dyn Store>, url: String) {
    let app = &testing::app(store.clone());
    let admin = person(app, "Keeper", Role::Admin).await;
    let server = SmtpServer::start().await;
    drain(store.as_ref(), &server, &settings()).await;
    insert_subscribers(&url, "t", 3_000, true, &[]).await;
    let id = letters::create(app, &admin, &input("Fast", "any", &[]))
        .await
        .expect("create");
    letters::send(app, &admin, id, None).await.expect("send");
    let started = Instant::now();
    let sent = drain(store.as_ref(), &server, &settings()).await;
    let took = started.elapsed();
    println!(
        "{:?}: {sent} mails in {took:?}: {:.0}/s",
        store.backend(),
        sent as f64 / took.as_secs_f64()
    );
    assert_eq!(sent, 3_000);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark"]
async fn throughput_on_sqlite() {
    kith_store::testing::with_sqlite_url(throughput).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark"]
async fn throughput_on_postgres() {
    kith_store::testing::with_postgres_url(throughput).await;
}
