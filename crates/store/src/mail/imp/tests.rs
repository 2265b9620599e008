use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::account::Email;
use kith_domain::mail_category::MailCategory;

use super::*;
use crate::Store;
use crate::mail::{Recipient, Unsubscribe};
use crate::testing::{account, now};

/// `minutes` after the tests' now.
fn at(minutes: i64) -> Timestamp {
    now() + SignedDuration::from_mins(minutes)
}

fn mail(recipient: Recipient<'_>) -> NewMail<'_> {
    NewMail {
        recipient,
        kind: "notice",
        subject: "kith: a message",
        text: "the text",
        html: "<p>the text</p>",
        unsubscribe: None,
        not_before: now(),
    }
}

fn unsubscribing<'a>(
    recipient: Recipient<'a>,
    category: MailCategory,
    token_hash: &'a str,
) -> NewMail<'a> {
    NewMail {
        unsubscribe: Some(Unsubscribe {
            category,
            token_hash,
            url: "https://kith.example/unsubscribe/t",
        }),
        ..mail(recipient)
    }
}

crate::on_both_backends!(
    a_claimed_mail_goes_where_its_recipient_says_and_is_sent_once,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        let other = Email::parse("other@example.org").expect("email");
        let new = Email::parse("new@example.org").expect("email");
        let to_account = store
            .enqueue_mail(&mail(Recipient::Account(river)), now())
            .await
            .expect("enqueue");
        store
            .enqueue_mail(&mail(Recipient::Address(&other)), now())
            .await
            .expect("enqueue");
        store
            .enqueue_mail(&mail(Recipient::AccountAt(river, &new)), now())
            .await
            .expect("enqueue");
        let later = NewMail {
            not_before: at(60),
            ..mail(Recipient::Address(&other))
        };
        store.enqueue_mail(&later, now()).await.expect("enqueue");

        let claimed = store.claim_mail(now(), at(10), 10).await.expect("claim");
        let addresses: Vec<_> = claimed
            .iter()
            .map(|m| m.address.as_ref().map(Email::as_str))
            .collect();
        assert_eq!(
            addresses,
            [
                Some("river@example.org"),
                Some("other@example.org"),
                Some("new@example.org")
            ],
            "oldest first, the account's address unless one is given; the later one waits"
        );
        assert!(claimed.iter().all(|m| m.attempts == 1));
        assert_eq!(claimed[0].id, to_account);
        assert_eq!(claimed[0].text, "the text");
        assert!(!claimed[0].message_key.is_empty());
        assert!(
            store
                .claim_mail(now(), at(10), 10)
                .await
                .expect("claim")
                .is_empty(),
            "the lease holds"
        );

        store.mark_mail_sent(to_account, now()).await.expect("sent");
        let again = store.claim_mail(at(10), at(20), 10).await.expect("claim");
        assert_eq!(
            again.iter().map(|m| m.attempts).collect::<Vec<_>>(),
            [2, 2],
            "the unsent ones come back when the lease ends, the sent one never"
        );
        assert_eq!(again[0].message_key, claimed[1].message_key);
        let sent = store.outbox_states().await.expect("states").remove(0);
        assert_eq!(sent.sent_at, Some(now()));
        assert_eq!(sent.gave_up_at, None);
    }
);

crate::on_both_backends!(
    a_failed_mail_waits_for_its_retry_and_is_given_up_without_one,
    |store: Arc<dyn Store>| async move {
        let to = Email::parse("someone@example.org").expect("email");
        let id = store
            .enqueue_mail(&mail(Recipient::Address(&to)), now())
            .await
            .expect("enqueue");
        store.claim_mail(now(), at(10), 1).await.expect("claim");
        store
            .mark_mail_failed(id, "timed out", Some(at(5)), at(1))
            .await
            .expect("failed");
        let state = store.outbox_states().await.expect("states").remove(0);
        assert_eq!(state.not_before, at(5));
        assert_eq!(state.last_error.as_deref(), Some("timed out"));
        assert_eq!((state.sent_at, state.gave_up_at), (None, None));
        assert!(
            store
                .claim_mail(at(4), at(14), 1)
                .await
                .expect("claim")
                .is_empty(),
            "not before its retry"
        );
        let retried = store.claim_mail(at(5), at(15), 1).await.expect("claim");
        assert_eq!(retried.len(), 1, "the failure ended the lease");
        assert_eq!(retried[0].attempts, 2);

        store
            .mark_mail_failed(id, "no address", None, at(6))
            .await
            .expect("given up");
        let state = store.outbox_states().await.expect("states").remove(0);
        assert_eq!(state.gave_up_at, Some(at(6)));
        assert_eq!(state.last_error.as_deref(), Some("no address"));
        assert!(
            store
                .claim_mail(at(60 * 24), at(60 * 25), 1)
                .await
                .expect("claim")
                .is_empty(),
            "a mail given up is never claimed again"
        );
    }
);

crate::on_both_backends!(two_claimers_never_take_the_same_mail, |store: Arc<
    dyn Store,
>| async move {
    let to = Email::parse("someone@example.org").expect("email");
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(
            store
                .enqueue_mail(&mail(Recipient::Address(&to)), now())
                .await
                .expect("enqueue"),
        );
    }
    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = store.claim_mail(now(), at(10), 2).await.expect("claim");
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|m| m.id));
                }
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for claimer in claimers {
        claimed.extend(claimer.await.expect("claimer"));
    }
    // A row skipped while another claimer held it is still due.
    let rest = store.claim_mail(now(), at(10), 100).await.expect("claim");
    claimed.extend(rest.into_iter().map(|m| m.id));
    claimed.sort_unstable();
    assert_eq!(claimed, ids, "every mail claimed exactly once");
    let states = store.outbox_states().await.expect("states");
    assert!(states.iter().all(|s| s.attempts == 1), "{states:?}");
});

crate::on_both_backends!(
    pruning_deletes_finished_mail_and_old_unsubscribe_tokens,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        let to = Email::parse("someone@example.org").expect("email");
        let sent = store
            .enqueue_mail(&mail(Recipient::Address(&to)), now())
            .await
            .expect("enqueue");
        let given_up = store
            .enqueue_mail(&mail(Recipient::Address(&to)), now())
            .await
            .expect("enqueue");
        store.claim_mail(now(), at(10), 2).await.expect("claim");
        store.mark_mail_sent(sent, now()).await.expect("sent");
        store
            .mark_mail_failed(given_up, "refused", None, now())
            .await
            .expect("given up");
        let pending = store
            .enqueue_mail(&mail(Recipient::Address(&to)), now())
            .await
            .expect("enqueue");
        let with_token = store
            .enqueue_mail(
                &unsubscribing(Recipient::Account(river), MailCategory::Reminder1h, "tok"),
                now(),
            )
            .await
            .expect("enqueue");

        assert_eq!(store.prune_mail(at(1), now()).await.expect("prune"), 2);
        let left: Vec<i64> = store
            .outbox_states()
            .await
            .expect("states")
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(left, [pending, with_token], "unsent mail stays");
        assert!(
            store
                .unsubscribe_category("tok")
                .await
                .expect("token")
                .is_some(),
            "a token made at the cut-off stays"
        );
        assert_eq!(store.prune_mail(at(1), at(1)).await.expect("prune"), 0);
        assert_eq!(
            store.unsubscribe_category("tok").await.expect("token"),
            None
        );
    }
);

crate::on_both_backends!(
    preferences_round_trip_and_an_unsubscribe_turns_off_its_category,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        assert_eq!(
            store
                .notification_preferences(river)
                .await
                .expect("preferences"),
            NotificationPreferences::default(),
            "the defaults without a row"
        );
        let chosen = NotificationPreferences {
            reminder_24h: false,
            reminder_1h: true,
            announcements: true,
            meeting_changes: false,
            comment_replies: false,
            group_names_in_subjects: true,
            journal_reminder: false,
        };
        store
            .set_notification_preferences(river, &chosen, now())
            .await
            .expect("save");
        assert_eq!(
            store.notification_preferences(river).await.expect("read"),
            chosen
        );
        store
            .set_notification_preferences(river, &NotificationPreferences::default(), at(1))
            .await
            .expect("save again");
        assert_eq!(
            store.notification_preferences(river).await.expect("read"),
            NotificationPreferences::default(),
            "saving again replaces the row"
        );

        store
            .enqueue_mail(
                &unsubscribing(
                    Recipient::Account(river),
                    MailCategory::Announcements,
                    "tok-river",
                ),
                now(),
            )
            .await
            .expect("enqueue");
        assert_eq!(
            store
                .unsubscribe_category("tok-river")
                .await
                .expect("token")
                .as_deref(),
            Some("announcements")
        );
        assert_eq!(
            store.unsubscribe_category("unknown").await.expect("token"),
            None
        );
        for _ in 0..2 {
            assert_eq!(
                store
                    .unsubscribe("tok-river", at(2))
                    .await
                    .expect("unsubscribe"),
                "announcements",
                "twice changes nothing more"
            );
        }
        assert_eq!(
            store.notification_preferences(river).await.expect("read"),
            NotificationPreferences {
                announcements: false,
                ..NotificationPreferences::default()
            }
        );
        assert!(matches!(
            store.unsubscribe("unknown", at(2)).await,
            Err(StoreError::NotFound)
        ));

        let stone = account(&store, "stone").await;
        store
            .enqueue_mail(
                &unsubscribing(
                    Recipient::Account(stone),
                    MailCategory::Reminder1h,
                    "tok-stone",
                ),
                now(),
            )
            .await
            .expect("enqueue");
        store
            .unsubscribe("tok-stone", at(2))
            .await
            .expect("unsubscribe");
        assert_eq!(
            store.notification_preferences(stone).await.expect("read"),
            NotificationPreferences {
                reminder_1h: false,
                ..NotificationPreferences::default()
            },
            "without a row, the defaults less the category"
        );
    }
);

crate::on_both_backends!(
    an_unsubscribe_link_needs_an_account_to_unsubscribe,
    |store: Arc<dyn Store>| async move {
        let to = Email::parse("someone@example.org").expect("email");
        let refused = store
            .enqueue_mail(
                &unsubscribing(Recipient::Address(&to), MailCategory::Announcements, "tok"),
                now(),
            )
            .await;
        assert!(matches!(refused, Err(StoreError::Other(_))));
        assert!(store.outbox_states().await.expect("states").is_empty());
    }
);

crate::on_both_backends!(
    notices_reach_each_addressee_once_as_they_want,
    |store: Arc<dyn Store>| async move {
        use crate::mail::Audience;
        use crate::testing::TestNotice;

        let river = account(&store, "river").await;
        let sky = account(&store, "sky").await;
        let moss = account(&store, "moss").await;
        // A demo host: no address, so nothing to write.
        let willow = store.ensure_account("willow", now()).await.expect("host");
        store
            .set_account_zone(sky, Some("Europe/Berlin"))
            .await
            .expect("zone");
        let quiet = NotificationPreferences {
            announcements: false,
            ..NotificationPreferences::default()
        };
        store
            .set_notification_preferences(moss, &quiet, now())
            .await
            .expect("preferences");

        let audience = Audience::Accounts(vec![sky, river, willow, moss, river]);
        let written = store
            .enqueue_notices(&TestNotice::to(audience), now())
            .await
            .expect("notices");
        assert_eq!(written, 2, "river once, sky; not willow, not moss");
        let mut claimed: Vec<(String, String)> = store
            .claim_mail(now(), at(10), 10)
            .await
            .expect("claim")
            .into_iter()
            .map(|m| (m.subject, m.text))
            .collect();
        claimed.sort();
        let mut expected = vec![
            (format!("to {}", river.0), "zone none".to_owned()),
            (format!("to {}", sky.0), "zone Europe/Berlin".to_owned()),
        ];
        expected.sort();
        assert_eq!(claimed, expected);

        let failing = TestNotice {
            fails: true,
            ..TestNotice::to(Audience::Accounts(vec![river]))
        };
        assert!(matches!(
            store.enqueue_notices(&failing, now()).await,
            Err(StoreError::Other(_))
        ));
        assert_eq!(
            store.outbox_states().await.expect("states").len(),
            2,
            "a mail that cannot be composed writes nothing"
        );
    }
);

crate::on_both_backends!(a_large_audience_is_written_in_batches, |store: Arc<
    dyn Store,
>| async move {
    use crate::mail::Audience;
    use crate::testing::TestNotice;

    let mut everyone = Vec::new();
    for n in 0..(crate::mail::MAILS_PER_INSERT + 3) {
        everyone.push(account(&store, &format!("member{n}")).await);
    }
    let written = store
        .enqueue_notices(&TestNotice::to(Audience::Accounts(everyone.clone())), now())
        .await
        .expect("notices");
    assert_eq!(written, everyone.len());
    assert_eq!(
        store.outbox_states().await.expect("states").len(),
        everyone.len()
    );
});
