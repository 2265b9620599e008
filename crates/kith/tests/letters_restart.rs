//! A letter survives a crash of the sender: the real binary sends a letter
//! to 300 subscribers through the suite's SMTP server, is killed with
//! SIGKILL halfway, and a second start finishes it. Nobody is missed and
//! nobody receives two different messages; a mail delivered but not yet
//! recorded as sent when the process died is sent again with the same
//! Message-ID (mail systems that deduplicate by Message-ID show it once).
//! How many such re-deliveries happened is printed. On PostgreSQL two
//! instances finish the letter together, as several behind one load
//! balancer would.

mod support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use kith_app::testing::smtp::{Received, SmtpServer};
use kith_domain::letter::{Audience, LetterText};
use kith_store::letters::fixtures::insert_subscribers;
use kith_store::testing::TempPostgres;

use support::{start, stop};

const SUBSCRIBERS: usize = 300;

fn message_id(received: &Received) -> String {
    received
        .data
        .lines()
        .find_map(|l| {
            l.strip_prefix("Message-ID:")
                .or_else(|| l.strip_prefix("Message-Id:"))
        })
        .map(|v| v.trim().to_owned())
        .expect("a Message-ID")
}

async fn wait_until(server: &SmtpServer, n: usize, within: Duration) -> usize {
    let deadline = Instant::now() + within;
    loop {
        let got = server.received().len();
        if got >= n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_letter_killed_mid_send_is_finished_after_a_restart_without_anyone_missed_or_sent_two_messages()
 {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kith.db").display());
    killed_mid_letter(dir.path(), &url, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_postgresql_two_instances_finish_a_letter_killed_mid_send_without_anyone_missed_or_sent_two_messages()
 {
    let Some(database) = TempPostgres::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    killed_mid_letter(dir.path(), &database.url, 2).await;
    database.drop_now().await;
}

/// Sends a letter from one instance, kills it halfway, and finishes it
/// with `restarted` instances at once.
async fn killed_mid_letter(dir: &std::path::Path, url: &str, restarted: usize) {
    let url = url.to_owned();
    let now = Timestamp::now();
    {
        let store = kith_store::open(&url, 2).await.expect("open");
        insert_subscribers(&url, "reader", SUBSCRIBERS as u32, true, &[]).await;
        insert_subscribers(&url, "unconfirmed", 20, false, &[]).await;
        let author = store.ensure_account("Quill", now).await.expect("author");
        let text = LetterText {
            subject: "Autumn letter".into(),
            body: "Hello, **everyone**.".into(),
            audience: Audience::default(),
        };
        let id = store
            .create_letter(&text, author, now)
            .await
            .expect("letter");
        store
            .schedule_letter(id, Some(now), now)
            .await
            .expect("schedule");
    }
    let smtp = SmtpServer::start().await;
    let env = [
        ("KITH_DATABASE_URL", url.as_str()),
        ("KITH_SMTP_URL", &smtp.url()),
        ("KITH_MAIL_FROM", "kith <kith@kith.example>"),
        // Slow enough to be killed halfway: a burst of 120, then 20 a second.
        ("KITH_MAIL_RATE_PER_MINUTE", "1200"),
        ("RUST_LOG", "info"),
    ];
    let first = start(dir, &[], &env);
    let before_kill = wait_until(&smtp, SUBSCRIBERS / 2, Duration::from_secs(60)).await;
    assert!(
        (SUBSCRIBERS / 2..SUBSCRIBERS).contains(&before_kill),
        "killed halfway: {before_kill} delivered"
    );
    // `Child::kill` is SIGKILL: no shutdown, no last write.
    let logs = stop(first);
    assert!(logs.contains("letter queued"), "{logs}");
    let at_kill = smtp.received().len();

    // The second start sees the first one's leases expired (they last ten
    // minutes): its clock is eleven minutes on.
    let later = now + SignedDuration::from_mins(11);
    let later = later.to_string();
    let env = [
        ("KITH_DATABASE_URL", url.as_str()),
        ("KITH_SMTP_URL", &smtp.url()),
        ("KITH_MAIL_FROM", "kith <kith@kith.example>"),
        ("KITH_FIXED_NOW", later.as_str()),
        ("RUST_LOG", "info"),
    ];
    let second: Vec<_> = (0..restarted).map(|_| start(dir, &[], &env)).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let store = kith_store::open(&url, 2).await.expect("open");
    loop {
        let letter = &store.letters().await.expect("letters")[0];
        if letter.sent as usize == SUBSCRIBERS || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for server in second {
        stop(server);
    }

    let received = smtp.received();
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    for mail in &received {
        assert_eq!(mail.to.len(), 1, "one recipient per message");
        ids.entry(mail.to[0].clone())
            .or_default()
            .insert(message_id(mail));
    }
    let expected: HashSet<String> = (1..=SUBSCRIBERS)
        .map(|i| format!("reader{i}@example.org"))
        .collect();
    let got: HashSet<String> = ids.keys().cloned().collect();
    assert_eq!(got, expected, "every confirmed subscriber, nobody else");
    let doubled: Vec<_> = ids.iter().filter(|(_, set)| set.len() > 1).collect();
    assert!(doubled.is_empty(), "two different messages: {doubled:?}");
    let again = received.len() - SUBSCRIBERS;
    println!(
        "killed after {at_kill} of {SUBSCRIBERS} deliveries; {again} re-delivered with the same Message-ID after the restart ({restarted} instance(s))"
    );
    let letter = &store.letters().await.expect("letters")[0];
    assert_eq!(
        (letter.recipients, letter.sent, letter.failed),
        (SUBSCRIBERS as u64, SUBSCRIBERS as u64, 0),
        "each counted once"
    );
}
