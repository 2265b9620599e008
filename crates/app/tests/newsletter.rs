//! The mailing list's signups and the sender's hourly pruning, on a real
//! database of each backend: an unconfirmed signup is forgotten when its
//! confirmation link expires, a confirmed one stays.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_app::mail::sender::prune;
use kith_app::newsletter::{self, CONFIRM_DAYS, SignupInput};
use kith_app::testing::{self, now};
use kith_store::newsletter::SignupOutcome;
use kith_store::testing::query_i64;
use kith_store::{Store, on_both_backends_with_url};

async fn sign_up(app: &kith_app::App, email: &str) -> SignupOutcome {
    let interests = vec!["events".to_owned()];
    let input = SignupInput {
        email,
        first_name: None,
        interests: &interests,
        placement: newsletter::PAGE_PLACEMENT,
    };
    newsletter::sign_up(app, &input, now())
        .await
        .expect("sign up")
        .expect("accepted")
}

on_both_backends_with_url!(
    the_senders_pruning_forgets_signups_never_confirmed_when_their_link_expires,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        assert_eq!(sign_up(app, "never@example.net").await, SignupOutcome::New);
        assert_eq!(sign_up(app, "kept@example.net").await, SignupOutcome::New);
        assert_eq!(
            sign_up(app, "never@example.net").await,
            SignupOutcome::Pending { mailed: false },
            "one confirmation per ten minutes"
        );
        // Confirm the second through the store's record of its link: the
        // use case needs the token, which only the mail holds.
        kith_store::testing::execute_sql(
            &url,
            "UPDATE subscribers SET confirmed_at = expires_at, expires_at = NULL
             WHERE email = 'kept@example.net'",
        )
        .await;
        let week = now() + SignedDuration::from_hours(CONFIRM_DAYS * 24);
        prune(store.as_ref(), week - SignedDuration::from_secs(1)).await;
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM subscribers").await,
            2,
            "its link still works"
        );
        prune(store.as_ref(), week).await;
        assert_eq!(
            query_i64(
                &url,
                "SELECT COUNT(*) FROM subscribers WHERE email = 'kept@example.net'"
            )
            .await,
            1
        );
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscribers").await, 1);
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM subscriber_tokens").await,
            0,
            "expired links go too"
        );
    }
);
