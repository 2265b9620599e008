//! Letters on both backends: drafts, audiences, and queuing once.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::letter::{Audience, AudienceMode, LetterStatus, LetterText};

use super::fixtures::insert_subscribers;
use super::*;
use crate::Store;
use crate::StoreError;
use crate::testing::{account, now, query_i64};

fn text(subject: &str, mode: AudienceMode, interests: &[&str]) -> LetterText {
    LetterText {
        subject: subject.to_owned(),
        body: "Hello **all**".to_owned(),
        audience: Audience {
            mode,
            interests: interests.iter().map(|c| (*c).to_owned()).collect(),
        },
    }
}

fn tokens() -> (String, String) {
    let token = kith_domain::ids::random_secret();
    let hash = format!("hash-{token}");
    (token, hash)
}

fn later(minutes: i64) -> Timestamp {
    now()
        .saturating_add(SignedDuration::from_mins(minutes))
        .expect("later")
}

async fn queue(store: &Arc<dyn Store>, at: Timestamp) -> Vec<QueuedLetter> {
    store
        .queue_due_letters("https://kith.example/", &tokens, later(400 * 24 * 60), at)
        .await
        .expect("queue")
}

crate::on_both_backends_with_url!(
    drafts_are_written_changed_and_deleted_only_before_they_are_queued,
    |store: Arc<dyn Store>, url: String| async move {
        let author = account(&store, "Editor").await;
        let interests = store.letter_interests().await.expect("interests");
        assert_eq!(interests.len(), 6);
        assert_eq!(interests[0].code, "coming-off");
        let id = store
            .create_letter(
                &text("First", AudienceMode::All, &["events", "coming-off"]),
                author,
                now(),
            )
            .await
            .expect("create");
        let letter = store.letter(id).await.expect("read");
        assert_eq!(letter.subject, "First");
        assert_eq!(letter.audience.mode, AudienceMode::All);
        assert_eq!(letter.audience.interests, vec!["coming-off", "events"]);
        assert_eq!(letter.author, Some(author));
        assert_eq!(letter.status(), LetterStatus::Draft);
        // An unknown interest writes nothing, neither new nor changed.
        let unknown = text("Second", AudienceMode::Any, &["events", "nope"]);
        assert!(matches!(
            store.create_letter(&unknown, author, now()).await,
            Err(StoreError::Conflict {
                what: "unknown interest"
            })
        ));
        assert!(matches!(
            store.update_letter(id, &unknown, later(1)).await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(store.letters().await.expect("list").len(), 1);
        assert_eq!(store.letter(id).await.expect("read").subject, "First");
        store
            .update_letter(
                id,
                &text("Changed", AudienceMode::Any, &["events"]),
                later(1),
            )
            .await
            .expect("update");
        let letter = store.letter(id).await.expect("read");
        assert_eq!(
            (letter.subject.as_str(), letter.audience.interests.clone()),
            ("Changed", vec!["events".to_owned()])
        );
        // Scheduled, then queued: no more changes.
        store
            .schedule_letter(id, Some(later(5)), now())
            .await
            .expect("schedule");
        assert_eq!(
            store.letter(id).await.expect("read").status(),
            LetterStatus::Scheduled
        );
        store
            .schedule_letter(id, None, now())
            .await
            .expect("unschedule");
        assert_eq!(
            store.letter(id).await.expect("read").status(),
            LetterStatus::Draft
        );
        store
            .schedule_letter(id, Some(later(5)), now())
            .await
            .expect("schedule");
        assert!(queue(&store, later(4)).await.is_empty(), "not due yet");
        assert_eq!(queue(&store, later(5)).await.len(), 1);
        assert!(matches!(
            store
                .update_letter(id, &text("Late", AudienceMode::Any, &[]), later(6))
                .await,
            Err(StoreError::Stale)
        ));
        assert!(matches!(
            store.delete_letter(id).await,
            Err(StoreError::Stale)
        ));
        assert!(matches!(
            store.schedule_letter(id, None, later(6)).await,
            Err(StoreError::Stale)
        ));
        assert!(matches!(
            store.delete_letter(9999).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.letter(9999).await,
            Err(StoreError::NotFound)
        ));
        let draft = store
            .create_letter(&text("Draft", AudienceMode::Any, &[]), author, now())
            .await
            .expect("create");
        store.delete_letter(draft).await.expect("delete");
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM letters").await, 1);
    }
);

crate::on_both_backends_with_url!(
    an_audience_counts_confirmed_subscribers_with_any_or_all_of_its_interests,
    |store: Arc<dyn Store>, url: String| async move {
        insert_subscribers(&url, "both", 3, true, &["events", "coming-off"]).await;
        insert_subscribers(&url, "ev", 4, true, &["events"]).await;
        insert_subscribers(&url, "none", 2, true, &[]).await;
        insert_subscribers(&url, "waiting", 5, false, &["events"]).await;
        let count = |mode, codes: &[&str]| {
            let store = store.clone();
            let audience = Audience {
                mode,
                interests: codes.iter().map(|c| (*c).to_owned()).collect(),
            };
            async move { store.count_audience(&audience).await.expect("count") }
        };
        assert_eq!(
            count(AudienceMode::Any, &[]).await,
            9,
            "every confirmed one"
        );
        assert_eq!(count(AudienceMode::Any, &["events"]).await, 7);
        assert_eq!(count(AudienceMode::Any, &["coming-off", "events"]).await, 7);
        assert_eq!(count(AudienceMode::All, &["coming-off", "events"]).await, 3);
        assert_eq!(count(AudienceMode::All, &["events", "nope"]).await, 0);
        assert_eq!(count(AudienceMode::Any, &["hearing-voices"]).await, 0);
    }
);

crate::on_both_backends_with_url!(
    a_due_letter_is_queued_once_with_a_mail_and_a_manage_link_per_recipient,
    |store: Arc<dyn Store>, url: String| async move {
        let author = account(&store, "Editor").await;
        insert_subscribers(&url, "yes", 5, true, &["events"]).await;
        insert_subscribers(&url, "other", 2, true, &["staying-off"]).await;
        insert_subscribers(&url, "unconfirmed", 3, false, &["events"]).await;
        let id = store
            .create_letter(&text("News", AudienceMode::Any, &["events"]), author, now())
            .await
            .expect("create");
        store
            .schedule_letter(id, Some(now()), now())
            .await
            .expect("schedule");
        let queued = queue(&store, now()).await;
        assert_eq!(queued, vec![QueuedLetter { id, recipients: 5 }]);
        assert!(queue(&store, later(1)).await.is_empty(), "queued once");
        let letter = store.letter(id).await.expect("read");
        assert_eq!(
            (letter.recipients, letter.status()),
            (5, LetterStatus::Sending)
        );
        assert_eq!(
            query_i64(
                &url,
                &format!(
                    "SELECT COUNT(*) FROM outbox WHERE letter_id = {id} AND kind = 'letter' \
                     AND text_body = '' AND html_body = '' AND subject = '' \
                     AND address LIKE 'yes%' AND subscriber_id IS NOT NULL \
                     AND unsubscribe_url LIKE 'https://kith.example/newsletter/unsubscribe/%'"
                )
            )
            .await,
            5
        );
        assert_eq!(
            query_i64(
                &url,
                &format!(
                    "SELECT COUNT(DISTINCT unsubscribe_url) FROM outbox WHERE letter_id = {id}"
                )
            )
            .await,
            5,
            "a link of its own per recipient"
        );
        let expires = later(400 * 24 * 60).as_second();
        assert_eq!(
            query_i64(
                &url,
                &format!(
                    "SELECT COUNT(*) FROM subscriber_tokens WHERE letter_id = {id} \
                     AND purpose = 'manage' AND expires_at = {expires}"
                )
            )
            .await,
            5
        );
        // The token in each URL is the one whose hash is stored for that
        // subscriber.
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM outbox o JOIN subscriber_tokens t \
                 ON t.subscriber_id = o.subscriber_id AND t.letter_id = o.letter_id \
                 AND t.token_hash = 'hash-' || substr(o.unsubscribe_url, 45)"
            )
            .await,
            5
        );
        // Sending counts on the letter, in the marking's transaction.
        let claimed = store.claim_mail(now(), later(10), 10).await.expect("claim");
        assert_eq!(claimed.len(), 5);
        assert!(
            claimed
                .iter()
                .all(|m| m.letter_id == Some(id) && m.address.is_some())
        );
        store
            .mark_mails_sent(&[claimed[0].id, claimed[1].id], now())
            .await
            .expect("sent");
        store
            .mark_mail_sent(claimed[2].id, now())
            .await
            .expect("sent");
        store
            .mark_mail_sent(claimed[0].id, now())
            .await
            .expect("again");
        store
            .mark_mails_sent(&[claimed[1].id, claimed[2].id], now())
            .await
            .expect("again");
        store
            .mark_mail_failed(claimed[3].id, "deferred", Some(later(1)), now())
            .await
            .expect("retry");
        store
            .mark_mail_failed(claimed[4].id, "refused", None, now())
            .await
            .expect("give up");
        let letter = store.letter(id).await.expect("read");
        assert_eq!((letter.sent, letter.failed), (3, 1), "{letter:?}");
        assert_eq!(letter.status(), LetterStatus::Sending);
        store
            .mark_mail_sent(claimed[3].id, now())
            .await
            .expect("sent");
        let letter = store.letter(id).await.expect("read");
        assert_eq!((letter.sent, letter.status()), (4, LetterStatus::Sent));
    }
);

crate::on_both_backends_with_url!(
    a_letter_to_an_audience_that_emptied_is_queued_to_nobody,
    |store: Arc<dyn Store>, url: String| async move {
        let author = account(&store, "Editor").await;
        let id = store
            .create_letter(
                &text("Empty", AudienceMode::All, &["events"]),
                author,
                now(),
            )
            .await
            .expect("create");
        store
            .schedule_letter(id, Some(now()), now())
            .await
            .expect("schedule");
        assert_eq!(
            queue(&store, now()).await,
            vec![QueuedLetter { id, recipients: 0 }]
        );
        assert_eq!(
            store.letter(id).await.expect("read").status(),
            LetterStatus::Sent
        );
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM outbox").await, 0);
    }
);

/// Two instances queue at once on one PostgreSQL: the letter is queued by
/// one of them, its mail written once.
#[tokio::test]
async fn two_instances_queuing_at_once_queue_a_letter_once_on_postgres() {
    crate::testing::with_postgres_url(|store: Arc<dyn Store>, url: String| async move {
        let other = crate::open(&url, 4).await.expect("second instance");
        let author = account(&store, "Editor").await;
        insert_subscribers(&url, "many", 3_000, true, &[]).await;
        let id = store
            .create_letter(&text("Once", AudienceMode::Any, &[]), author, now())
            .await
            .expect("create");
        store
            .schedule_letter(id, Some(now()), now())
            .await
            .expect("schedule");
        let (a, b) = tokio::join!(queue(&store, now()), queue(&other, now()));
        let total: u64 = a.iter().chain(&b).map(|q| q.recipients).sum();
        assert_eq!(a.len() + b.len(), 1, "{a:?} {b:?}");
        assert_eq!(total, 3_000);
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM outbox").await, 3_000);
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM subscriber_tokens").await,
            3_000
        );
    })
    .await;
}

/// The benchmark's figure, on demand: `cargo test -p kith-store
/// queuing_a_letter_to_100000 -- --ignored --nocapture`.
async fn queue_100000(store: Arc<dyn Store>, url: String) {
    let author = account(&store, "Editor").await;
    insert_subscribers(&url, "bulk", 100_000, true, &[]).await;
    let id = store
        .create_letter(&text("Many", AudienceMode::Any, &[]), author, now())
        .await
        .expect("create");
    store
        .schedule_letter(id, Some(now()), now())
        .await
        .expect("schedule");
    let started = std::time::Instant::now();
    let queued = queue(&store, now()).await;
    let took = started.elapsed();
    println!("{:?}: queued 100,000 in {took:?}", store.backend());
    assert_eq!(queued[0].recipients, 100_000);
    assert!(took.as_secs_f64() <= 10.0, "{took:?}");
}

#[tokio::test]
#[ignore = "a benchmark: about ten seconds"]
async fn queuing_a_letter_to_100000_on_sqlite() {
    crate::testing::with_sqlite_url(queue_100000).await;
}

#[tokio::test]
#[ignore = "a benchmark: about ten seconds"]
async fn queuing_a_letter_to_100000_on_postgres() {
    crate::testing::with_postgres_url(queue_100000).await;
}
