use std::sync::Arc;

use jiff::SignedDuration;
use jiff::civil::Weekday;
use kith_domain::group::ListingStatus;
use kith_domain::ids::{GroupId, SessionId};
use kith_domain::membership::{Occupancy, Refusal, RequestState};

use super::*;
use crate::Store;
use crate::account_settings::{SoleHost, TokenPurpose};
use crate::accounts::{NewSession, SessionKind};
use crate::mail::NoMail;
use crate::mail::Recipient;
use crate::testing::{account, group, insert, now};

/// `minutes` after the tests' now.
fn at(minutes: i64) -> Timestamp {
    now() + SignedDuration::from_mins(minutes)
}

/// A session token's hash whose first 16 characters (its listed id) are
/// `name`'s.
fn hash(name: &str) -> String {
    format!("{name:-<16}0123456789abcdef")
}

async fn begin_session(store: &Arc<dyn Store>, account: AccountId, name: &str, when: Timestamp) {
    let session = NewSession {
        token_hash: hash(name),
        account,
        kind: SessionKind::Browser,
        csrf_token: "csrf".to_owned(),
        idle_seconds: 86_400,
        expires_at: at(120),
    };
    store.create_session(&session, when).await.expect("session");
}

/// Stores a token for `email` with the mail that carries it.
async fn token(
    store: &Arc<dyn Store>,
    account: AccountId,
    token_hash: &str,
    purpose: TokenPurpose,
    email: &str,
) {
    let email = Email::parse(email).expect("email");
    let token = NewAccountToken {
        token_hash,
        account,
        purpose,
        email: &email,
        expires_at: at(60),
    };
    let mail = NewMail {
        recipient: Recipient::AccountAt(account, &email),
        kind: purpose.code(),
        subject: "kith: a link",
        text: "the link",
        html: "<p>the link</p>",
        unsubscribe: None,
        not_before: now(),
    };
    store
        .create_account_token(&token, &mail, now())
        .await
        .expect("token");
}

crate::on_both_backends!(
    an_account_reads_back_with_its_address_and_dates,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let details = store.account_details(river).await.expect("details");
        assert_eq!(details.record.handle.as_str(), "River");
        assert_eq!(
            details.email.as_ref().map(Email::as_str),
            Some("river@example.org")
        );
        assert_eq!(
            (details.created_at, details.email_verified_at),
            (now(), None)
        );
        let email = Email::parse("river@example.org").expect("email");
        let found = store.account_by_email(&email).await.expect("read");
        assert_eq!(found.map(|a| a.id), Some(river));
        let other = Email::parse("stone@example.org").expect("email");
        assert!(
            store
                .account_by_email(&other)
                .await
                .expect("read")
                .is_none()
        );
        assert!(matches!(
            store.account_details(AccountId(999)).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    a_verification_token_works_once_and_until_it_expires,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        token(
            &store,
            river,
            "v1",
            TokenPurpose::VerifyEmail,
            "river@example.org",
        )
        .await;
        let mails = store.outbox_states().await.expect("outbox");
        assert_eq!(mails.len(), 1, "the mail goes with the token");
        assert_eq!(mails[0].kind, "verify_email");
        assert!(store.verify_token_valid("v1", at(59)).await.expect("valid"));
        assert!(!store.verify_token_valid("v1", at(60)).await.expect("valid"));
        assert!(
            !store.reset_token_valid("v1", now()).await.expect("valid"),
            "a token works for its purpose only"
        );
        assert!(matches!(
            store.use_verify_token("v1", at(60)).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.use_verify_token("v1", at(1)).await.expect("use"),
            river
        );
        let details = store.account_details(river).await.expect("details");
        assert_eq!(details.email_verified_at, Some(at(1)));
        assert!(matches!(
            store.use_verify_token("v1", at(2)).await,
            Err(StoreError::NotFound)
        ));
        assert!(!store.verify_token_valid("v1", at(2)).await.expect("valid"));
    }
);

crate::on_both_backends!(
    verifying_a_new_address_changes_it_unless_another_account_took_it,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        let stone = account(&store, "stone").await;
        token(
            &store,
            river,
            "r1",
            TokenPurpose::PasswordReset,
            "river@example.org",
        )
        .await;
        token(
            &store,
            river,
            "v1",
            TokenPurpose::VerifyEmail,
            "new@example.org",
        )
        .await;
        token(
            &store,
            stone,
            "v2",
            TokenPurpose::VerifyEmail,
            "new@example.org",
        )
        .await;
        assert!(store.reset_token_valid("r1", now()).await.expect("valid"));

        store.use_verify_token("v1", at(1)).await.expect("use");
        let details = store.account_details(river).await.expect("details");
        assert_eq!(
            details.email.as_ref().map(Email::as_str),
            Some("new@example.org")
        );
        assert_eq!(details.email_verified_at, Some(at(1)));
        assert!(
            !store.reset_token_valid("r1", now()).await.expect("valid"),
            "links sent to the old address stop working"
        );

        assert!(matches!(
            store.use_verify_token("v2", at(2)).await,
            Err(StoreError::Conflict { what: "email" })
        ));
        assert!(
            !store.verify_token_valid("v2", at(2)).await.expect("valid"),
            "the token is spent either way"
        );
        let details = store.account_details(stone).await.expect("details");
        assert_eq!(
            details.email.as_ref().map(Email::as_str),
            Some("stone@example.org")
        );
    }
);

crate::on_both_backends!(
    a_reset_token_sets_the_password_spends_the_others_and_ends_every_session,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        begin_session(&store, river, "phone", now()).await;
        begin_session(&store, river, "laptop", now()).await;
        for name in ["r1", "r2"] {
            token(
                &store,
                river,
                name,
                TokenPurpose::PasswordReset,
                "river@example.org",
            )
            .await;
        }
        token(
            &store,
            river,
            "r-old",
            TokenPurpose::PasswordReset,
            "old@example.org",
        )
        .await;
        assert!(
            !store
                .reset_token_valid("r-old", now())
                .await
                .expect("valid"),
            "sent to an address the account no longer has"
        );
        assert!(matches!(
            store.use_reset_token("r-old", "new-hash", now()).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.use_reset_token("r1", "new-hash", at(60)).await,
            Err(StoreError::NotFound)
        ));

        assert_eq!(
            store
                .use_reset_token("r1", "new-hash", at(1))
                .await
                .expect("use"),
            river
        );
        let record = store
            .account_by_login("river")
            .await
            .expect("read")
            .expect("found");
        assert_eq!(record.password_hash.as_deref(), Some("new-hash"));
        assert!(record.email_verified, "the link proved the address");
        assert!(
            store
                .sessions_of(river, at(1))
                .await
                .expect("list")
                .is_empty()
        );
        assert!(!store.reset_token_valid("r2", at(1)).await.expect("valid"));
    }
);

crate::on_both_backends!(
    changing_the_password_ends_every_other_session,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        let stone = account(&store, "stone").await;
        for name in ["keep", "phone", "laptop"] {
            begin_session(&store, river, name, now()).await;
        }
        begin_session(&store, stone, "stone", now()).await;
        token(
            &store,
            river,
            "r1",
            TokenPurpose::PasswordReset,
            "river@example.org",
        )
        .await;

        store
            .set_password(river, "hash-2", Some(&hash("keep")), None)
            .await
            .expect("set");
        let left: Vec<SessionId> = store
            .sessions_of(river, now())
            .await
            .expect("list")
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(left, [SessionId::of_token_hash(&hash("keep"))]);
        assert_eq!(
            store.sessions_of(stone, now()).await.expect("list").len(),
            1,
            "another account's sessions stay"
        );
        assert!(!store.reset_token_valid("r1", now()).await.expect("valid"));
        let record = store
            .account_by_login("river")
            .await
            .expect("read")
            .expect("found");
        assert_eq!(record.password_hash.as_deref(), Some("hash-2"));

        store
            .set_password(river, "hash-3", None, None)
            .await
            .expect("set");
        assert!(
            store
                .sessions_of(river, now())
                .await
                .expect("list")
                .is_empty()
        );
    }
);

crate::on_both_backends!(
    sessions_are_listed_by_last_use_and_ended_by_their_id,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        let stone = account(&store, "stone").await;
        begin_session(&store, river, "first", now()).await;
        begin_session(&store, river, "second", at(10)).await;
        let ids = |sessions: Vec<SessionInfo>| -> Vec<SessionId> {
            sessions.into_iter().map(|s| s.id).collect()
        };
        let listed = store.sessions_of(river, at(20)).await.expect("list");
        assert_eq!(
            (listed[0].created_at, listed[0].kind, listed[0].expires_at),
            (at(10), SessionKind::Browser, at(120))
        );
        assert_eq!(
            ids(listed),
            [hash("second"), hash("first")].map(|h| SessionId::of_token_hash(&h))
        );
        store
            .session(&hash("first"), at(100))
            .await
            .expect("use")
            .expect("live");
        assert_eq!(
            ids(store.sessions_of(river, at(110)).await.expect("list")),
            [hash("first"), hash("second")].map(|h| SessionId::of_token_hash(&h)),
            "the one used last comes first"
        );
        assert!(
            store
                .sessions_of(river, at(120))
                .await
                .expect("list")
                .is_empty(),
            "ended ones are not listed"
        );

        let first = SessionId::of_token_hash(&hash("first"));
        assert!(matches!(
            store.end_session_of(stone, &first).await,
            Err(StoreError::NotFound)
        ));
        store.end_session_of(river, &first).await.expect("end");
        assert!(matches!(
            store.end_session_of(river, &first).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            ids(store.sessions_of(river, at(20)).await.expect("list")),
            [SessionId::of_token_hash(&hash("second"))]
        );
    }
);

crate::on_both_backends!(
    deleting_an_account_takes_its_sessions_requests_tokens_and_mail,
    |store: Arc<dyn Store>| async move {
        let listed = insert(
            &store,
            &[group("Listed", "UTC", &[Weekday::Monday], "10:00")],
            ListingStatus::Listed,
        )
        .await
        .remove(0);
        let willow = store.ensure_account("willow", now()).await.expect("host");
        insert(
            &store,
            &[group("Draft", "UTC", &[Weekday::Monday], "10:00")],
            ListingStatus::Pending,
        )
        .await;
        assert_eq!(
            store.sole_hosted_groups(willow).await.expect("hosted"),
            [(listed, "Listed".to_owned())],
            "a draft is not a hosted group"
        );
        assert_eq!(
            store.delete_account(willow).await.expect("refused"),
            Err(SoleHost)
        );
        assert_eq!(store.count_groups().await.expect("count"), 2);

        let river = account(&store, "river").await;
        begin_session(&store, river, "river", now()).await;
        let step = |_: Option<RequestState>, _: Occupancy| Ok::<_, Refusal>(RequestState::Pending);
        let asked = store
            .ask_to_join(GroupId(1), river, "hello", &step, &NoMail, now())
            .await
            .expect("store")
            .expect("asked");
        token(
            &store,
            river,
            "v1",
            TokenPurpose::VerifyEmail,
            "river@example.org",
        )
        .await;

        store
            .delete_account(river)
            .await
            .expect("delete")
            .expect("deleted");
        assert!(
            store
                .session(&hash("river"), now())
                .await
                .expect("read")
                .is_none()
        );
        assert!(matches!(
            store.request(&asked.request.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .group_requests(GroupId(1), &[RequestState::Pending])
                .await
                .expect("requests")
                .is_empty()
        );
        assert!(!store.verify_token_valid("v1", now()).await.expect("valid"));
        assert!(store.outbox_states().await.expect("outbox").is_empty());
        assert!(matches!(
            store.delete_account(river).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    the_drafts_an_account_alone_hosts_go_with_it,
    |store: Arc<dyn Store>| async move {
        insert(
            &store,
            &[group("Draft", "UTC", &[Weekday::Monday], "10:00")],
            ListingStatus::Pending,
        )
        .await;
        let willow = store.ensure_account("willow", now()).await.expect("host");
        store
            .delete_account(willow)
            .await
            .expect("delete")
            .expect("deleted");
        assert_eq!(store.count_groups().await.expect("count"), 0);
    }
);

crate::on_both_backends!(pruning_deletes_expired_account_tokens_only, |store: Arc<
    dyn Store,
>| async move {
    let river = account(&store, "river").await;
    token(
        &store,
        river,
        "v1",
        TokenPurpose::VerifyEmail,
        "river@example.org",
    )
    .await;
    assert_eq!(store.prune_account_tokens(at(59)).await.expect("prune"), 0);
    assert_eq!(store.prune_account_tokens(at(60)).await.expect("prune"), 1);
    assert!(!store.verify_token_valid("v1", now()).await.expect("valid"));
});

crate::on_both_backends_with_url!(
    a_members_subscription_moves_with_their_newly_verified_address,
    |store: Arc<dyn Store>, url: String| async move {
        use crate::testing::{execute_sql, query_i64};
        let river = account(&store, "river").await;
        execute_sql(
            &url,
            &format!(
                "UPDATE accounts SET email_verified_at = 1 WHERE id = {}",
                river.0
            ),
        )
        .await;
        store
            .subscribe_account(river, &["events".to_owned()], now())
            .await
            .expect("subscribe")
            .expect("verified");
        token(
            &store,
            river,
            "v1",
            TokenPurpose::VerifyEmail,
            "new@example.org",
        )
        .await;
        store.use_verify_token("v1", at(1)).await.expect("use");
        let moved = query_i64(
            &url,
            &format!(
                "SELECT COUNT(*) FROM subscribers
                 WHERE account_id = {} AND email = 'new@example.org'",
                river.0
            ),
        )
        .await;
        assert_eq!(moved, 1, "the letters go to the address they use now");
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscribers").await, 1);
    }
);
