//! The subscriber's side of the mailing list on both backends: signing up
//! in its three cases, confirming, the download, managing, unsubscribing,
//! members, deleting an account and pruning.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Email;
use kith_domain::newsletter::ConsentSource;

use crate::Store;
use crate::mail::MailDraft;
use crate::mail::notices::ComposeError;
use crate::model::AccountId;
use crate::newsletter::{
    AddressUnverified, ConfirmLinks, DownloadOffer, LinkMail, LinkRefusal, NewSubscription,
    PrunedSubscribers, SignupMails, SignupOutcome, email_hash,
};
use crate::resources::{FileMeta, NewFile, ResourceFields};
use crate::testing::{account, audit_by, execute_sql, now, query_i64};

fn draft(kind: &'static str) -> MailDraft {
    MailDraft {
        kind,
        subject: "kith: the mailing list".to_owned(),
        text: "a link".to_owned(),
        html: "<p>a link</p>".to_owned(),
        unsubscribe: None,
    }
}

fn hash(n: u32) -> String {
    format!("{n:064x}")
}

/// A signup of `email` through the `newsletter` form.
async fn sign_up(
    store: &Arc<dyn Store>,
    email: &str,
    interests: &[&str],
    n: u32,
    at: Timestamp,
) -> SignupOutcome {
    let email = Email::parse(email).expect("email");
    let interests: Vec<String> = interests.iter().map(|s| (*s).to_owned()).collect();
    let confirm = draft("newsletter_confirm");
    let already = draft("newsletter_already");
    let confirm_hash = hash(n);
    let manage_hash = hash(n + 1000);
    let mails = SignupMails {
        confirm: LinkMail {
            token_hash: &confirm_hash,
            expires_at: at + SignedDuration::from_hours(7 * 24),
            mail: &confirm,
        },
        already: LinkMail {
            token_hash: &manage_hash,
            expires_at: at + SignedDuration::from_hours(400 * 24),
            mail: &already,
        },
    };
    let signup = NewSubscription {
        email: &email,
        first_name: Some("Ada"),
        interests: &interests,
        source: ConsentSource::Form,
        placement: "newsletter",
    };
    store
        .subscribe(&signup, &mails, at)
        .await
        .expect("subscribe")
}

fn welcome(download: Option<&DownloadOffer>) -> Result<MailDraft, ComposeError> {
    Ok(draft(if download.is_some() {
        "newsletter_welcome_download"
    } else {
        "newsletter_welcome"
    }))
}

async fn confirm(
    store: &Arc<dyn Store>,
    n: u32,
    links: u32,
    at: Timestamp,
) -> Result<Option<DownloadOffer>, LinkRefusal> {
    let manage = hash(links);
    let download = hash(links + 1);
    let links = ConfirmLinks {
        manage_hash: &manage,
        manage_until: at + SignedDuration::from_hours(400 * 24),
        download_hash: &download,
        download_until: at + SignedDuration::from_hours(30 * 24),
        welcome: &welcome,
    };
    store
        .confirm_subscription(&hash(n), &links, at)
        .await
        .expect("confirm")
        .map(|c| c.download)
}

async fn kinds(store: &Arc<dyn Store>) -> Vec<String> {
    store
        .outbox_states()
        .await
        .expect("outbox")
        .into_iter()
        .map(|s| s.kind)
        .collect()
}

fn later(minutes: i64) -> Timestamp {
    now() + SignedDuration::from_mins(minutes)
}

crate::on_both_backends!(the_forms_and_interests_are_read_as_offered, |store: Arc<
    dyn Store,
>| async move {
    let form = store.newsletter_form("newsletter").await.expect("form");
    assert!(form.shown);
    assert_eq!((form.version, form.download.clone()), (1, None));
    assert!(form.consent.contains("unsubscribe"), "{form:?}");
    let home = store.newsletter_form("home").await.expect("home");
    assert!(!home.shown);
    assert!(matches!(
        store.newsletter_form("sidebar").await,
        Err(crate::StoreError::NotFound)
    ));
    let codes: Vec<String> = store
        .newsletter_interests()
        .await
        .expect("interests")
        .into_iter()
        .map(|i| i.code)
        .collect();
    assert_eq!(codes[0], "coming-off");
    assert_eq!(codes.len(), 6);
});

crate::on_both_backends_with_url!(
    a_signup_keeps_consent_and_mails_once_per_ten_minutes_whatever_the_state,
    |store: Arc<dyn Store>, url: String| async move {
        let outcome = sign_up(&store, "Ada@Example.org", &["events"], 1, now()).await;
        assert_eq!(outcome, SignupOutcome::New);
        assert_eq!(kinds(&store).await, ["newsletter_confirm"]);
        let consent = query_i64(
            &url,
            "SELECT COUNT(*) FROM subscribers WHERE email = 'ada@example.org'
               AND confirmed_at IS NULL AND expires_at IS NOT NULL AND consent_source = 'form'
               AND consent_form_version = 1 AND consent_form_id IS NOT NULL",
        )
        .await;
        assert_eq!(consent, 1);

        // Again at once: interests updated, no second mail.
        let again = sign_up(&store, "ada@example.org", &["coming-off"], 2, later(1)).await;
        assert_eq!(again, SignupOutcome::Pending { mailed: false });
        assert_eq!(kinds(&store).await.len(), 1);
        let events = query_i64(
            &url,
            "SELECT COUNT(*) FROM subscriber_interests si
             JOIN newsletter_interests i ON i.id = si.interest_id WHERE i.code = 'events'",
        )
        .await;
        assert_eq!(events, 0, "replaced by the second signup's");
        // Eleven minutes on: a fresh confirmation.
        let fresh = sign_up(&store, "ada@example.org", &["coming-off"], 3, later(11)).await;
        assert_eq!(fresh, SignupOutcome::Pending { mailed: true });
        assert_eq!(kinds(&store).await.len(), 2);

        // Confirmed: a signup changes nothing and mails "already".
        assert_eq!(confirm(&store, 3, 50, later(12)).await, Ok(None));
        let confirmed = sign_up(&store, "ada@example.org", &["events"], 4, later(30)).await;
        assert_eq!(confirmed, SignupOutcome::Confirmed { mailed: true });
        let twice = sign_up(&store, "ada@example.org", &["events"], 5, later(31)).await;
        assert_eq!(twice, SignupOutcome::Confirmed { mailed: false });
        assert_eq!(
            kinds(&store).await,
            [
                "newsletter_confirm",
                "newsletter_confirm",
                "newsletter_welcome",
                "newsletter_already"
            ]
        );
        let still = query_i64(
            &url,
            "SELECT COUNT(*) FROM subscriber_interests si
             JOIN newsletter_interests i ON i.id = si.interest_id WHERE i.code = 'coming-off'",
        )
        .await;
        assert_eq!(still, 1, "a confirmed subscriber's interests stay");
    }
);

crate::on_both_backends!(
    a_confirmation_link_works_once_and_not_after_its_time,
    |store: Arc<dyn Store>| async move {
        sign_up(&store, "ada@example.org", &[], 1, now()).await;
        assert_eq!(
            store
                .newsletter_link(&hash(1), "confirm", now())
                .await
                .expect("link"),
            Ok(())
        );
        assert_eq!(
            confirm(&store, 99, 50, now()).await,
            Err(LinkRefusal::Unknown)
        );
        let week = now() + SignedDuration::from_hours(7 * 24);
        assert_eq!(
            confirm(&store, 1, 50, week).await,
            Err(LinkRefusal::Expired)
        );
        assert_eq!(confirm(&store, 1, 50, later(5)).await, Ok(None));
        assert_eq!(
            confirm(&store, 1, 60, later(6)).await,
            Err(LinkRefusal::Used)
        );
        assert_eq!(
            store
                .newsletter_link(&hash(1), "confirm", later(6))
                .await
                .expect("link"),
            Err(LinkRefusal::Used)
        );
        // The confirmation's manage link works; a confirm hash is no manage link.
        let mine = store
            .subscription_by_link(&hash(50), later(7))
            .await
            .expect("read")
            .expect("live");
        assert!(mine.confirmed);
        assert_eq!(mine.first_name.as_deref(), Some("Ada"));
        assert_eq!(
            store
                .subscription_by_link(&hash(1), later(7))
                .await
                .expect("read"),
            Err(LinkRefusal::Unknown)
        );
    }
);

crate::on_both_backends_with_url!(
    a_form_that_offers_a_file_gives_a_download_link_for_thirty_days,
    |store: Arc<dyn Store>, url: String| async move {
        let editor = account(&store, "Scribe").await;
        let bytes = b"%PDF-1.4 the ebook".to_vec();
        let meta = FileMeta {
            name: "Coming off.pdf".to_owned(),
            content_type: "application/pdf".to_owned(),
            size: i64::try_from(bytes.len()).expect("size"),
            sha256: "ab".repeat(32),
        };
        let fields = ResourceFields {
            slug: "ebook",
            title: "The eBook",
            summary: "s",
            body: "b",
            tags: &[],
            published: true,
        };
        let audit = audit_by(editor, "scribe", "resource.create", "resource:ebook");
        let made = store
            .create_resource(
                editor,
                &fields,
                Some(NewFile {
                    meta: &meta,
                    data: &bytes,
                }),
                &audit,
                now(),
            )
            .await
            .expect("resource");
        execute_sql(
            &url,
            &format!(
                "UPDATE newsletter_forms SET download_resource_id = {} WHERE placement = 'newsletter'",
                made.id
            ),
        )
        .await;
        let form = store.newsletter_form("newsletter").await.expect("form");
        assert_eq!(
            form.download.as_ref().map(|d| d.title.as_str()),
            Some("The eBook")
        );
        sign_up(&store, "ada@example.org", &[], 1, now()).await;
        // Not before confirming.
        assert_eq!(
            store
                .newsletter_download(&hash(51), now())
                .await
                .expect("dl")
                .map(|f| f.data),
            Err(LinkRefusal::Unknown)
        );
        let offered = confirm(&store, 1, 50, now()).await.expect("confirmed");
        assert_eq!(offered.map(|d| d.file_name), Some(meta.name.clone()));
        assert_eq!(
            kinds(&store).await,
            ["newsletter_confirm", "newsletter_welcome_download"]
        );
        let file = store
            .newsletter_download(&hash(51), later(60))
            .await
            .expect("dl")
            .expect("works");
        assert_eq!((file.data, file.meta), (bytes, meta));
        let month = now() + SignedDuration::from_hours(30 * 24);
        assert_eq!(
            store
                .newsletter_download(&hash(51), month)
                .await
                .expect("dl")
                .map(|f| f.data),
            Err(LinkRefusal::Expired)
        );
    }
);

crate::on_both_backends_with_url!(
    a_manage_link_changes_interests_and_unsubscribes_with_a_suppressed_hash,
    |store: Arc<dyn Store>, url: String| async move {
        sign_up(&store, "ada@example.org", &["events"], 1, now()).await;
        confirm(&store, 1, 50, now()).await.expect("confirmed");
        let chosen = vec!["hearing-voices".to_owned(), "coming-off".to_owned()];
        assert_eq!(
            store
                .set_interests_by_link(&hash(50), &chosen, later(1))
                .await
                .expect("set"),
            Ok(())
        );
        let mine = store
            .subscription_by_link(&hash(50), later(1))
            .await
            .expect("read")
            .expect("live");
        assert_eq!(mine.interests, ["coming-off", "hearing-voices"], "in order");

        // A letter's manage link counts the unsubscribe on the letter.
        execute_sql(
            &url,
            &format!(
                "INSERT INTO letters (subject, body, audience, created_at, updated_at)
                 VALUES ('s', 'b', 'any', 0, 0);
                 INSERT INTO subscriber_tokens
                   (token_hash, subscriber_id, purpose, letter_id, created_at, expires_at)
                 SELECT '{}', id, 'manage', (SELECT MAX(id) FROM letters), 0, {}
                 FROM subscribers",
                hash(70),
                later(60 * 24 * 400).as_second()
            ),
        )
        .await;
        let email = Email::parse("ada@example.org").expect("email");
        assert!(!store.newsletter_suppressed(&email).await.expect("read"));
        assert_eq!(
            store
                .unsubscribe_by_link(&hash(70), later(2))
                .await
                .expect("unsubscribe"),
            Ok(())
        );
        assert!(store.newsletter_suppressed(&email).await.expect("read"));
        assert_eq!(query_i64(&url, "SELECT unsubscribed FROM letters").await, 1);
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscribers").await, 0);
        assert_eq!(
            query_i64(&url, "SELECT COUNT(*) FROM subscriber_tokens").await,
            0,
            "the links went with the subscriber"
        );
        assert_eq!(
            store
                .unsubscribe_by_link(&hash(70), later(3))
                .await
                .expect("again"),
            Err(LinkRefusal::Unknown)
        );
        let kept = query_i64(
            &url,
            &format!(
                "SELECT COUNT(*) FROM newsletter_suppressions WHERE email_hash = '{}'",
                email_hash("ada@example.org")
            ),
        )
        .await;
        assert_eq!(kept, 1);

        // Signing up again and confirming lifts the suppression.
        sign_up(&store, "ada@example.org", &[], 2, later(20)).await;
        assert!(store.newsletter_suppressed(&email).await.expect("read"));
        confirm(&store, 2, 80, later(21)).await.expect("confirmed");
        assert!(!store.newsletter_suppressed(&email).await.expect("read"));
    }
);

async fn verify(url: &str, account: AccountId) {
    execute_sql(
        url,
        &format!(
            "UPDATE accounts SET email_verified_at = 1 WHERE id = {}",
            account.0
        ),
    )
    .await;
}

crate::on_both_backends_with_url!(
    a_member_subscribes_with_a_verified_address_only_and_adopts_their_signup,
    |store: Arc<dyn Store>, url: String| async move {
        let river = account(&store, "River").await;
        assert_eq!(store.account_subscription(river).await.expect("read"), None);
        let events = vec!["events".to_owned()];
        assert_eq!(
            store
                .subscribe_account(river, &events, now())
                .await
                .expect("subscribe"),
            Err(AddressUnverified)
        );
        // Their address signed up through a form, unconfirmed: not theirs
        // to see until verified.
        sign_up(&store, "river@example.org", &["coming-off"], 1, now()).await;
        assert_eq!(store.account_subscription(river).await.expect("read"), None);
        verify(&url, river).await;
        let seen = store
            .account_subscription(river)
            .await
            .expect("read")
            .expect("theirs");
        assert!(!seen.confirmed);
        let mine = store
            .subscribe_account(river, &events, later(1))
            .await
            .expect("subscribe")
            .expect("verified");
        assert!(mine.confirmed);
        assert_eq!(mine.interests, ["events"]);
        let adopted = query_i64(
            &url,
            &format!(
                "SELECT COUNT(*) FROM subscribers s
                 JOIN newsletter_forms f ON f.id = s.consent_form_id AND f.placement = 'newsletter'
                 WHERE s.account_id = {} AND s.expires_at IS NULL
                   AND s.consent_source = 'account' AND s.consent_form_version = 1",
                river.0
            ),
        )
        .await;
        assert_eq!(adopted, 1);
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscribers").await, 1);
        assert!(
            store
                .unsubscribe_account(river, later(2))
                .await
                .expect("unsubscribe")
        );
        assert!(
            !store
                .unsubscribe_account(river, later(3))
                .await
                .expect("again")
        );
        let email = Email::parse("river@example.org").expect("email");
        assert!(store.newsletter_suppressed(&email).await.expect("read"));
        // Subscribing again is their new consent.
        store
            .subscribe_account(river, &[], later(4))
            .await
            .expect("subscribe")
            .expect("verified");
        assert!(!store.newsletter_suppressed(&email).await.expect("read"));
    }
);

crate::on_both_backends_with_url!(
    deleting_an_account_deletes_its_subscription_and_its_addresss,
    |store: Arc<dyn Store>, url: String| async move {
        let river = account(&store, "River").await;
        let other = account(&store, "Other").await;
        verify(&url, river).await;
        store
            .subscribe_account(river, &[], now())
            .await
            .expect("subscribe")
            .expect("verified");
        sign_up(&store, "stranger@example.org", &[], 1, now()).await;
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscribers").await, 2);
        store
            .delete_account(river)
            .await
            .expect("delete")
            .expect("no sole host");
        assert_eq!(query_i64(&url, "SELECT COUNT(*) FROM subscribers").await, 1);

        // A form signup of a member's verified address goes with the account.
        verify(&url, other).await;
        sign_up(&store, "other@example.org", &[], 2, now()).await;
        confirm(&store, 2, 50, now()).await.expect("confirmed");
        store
            .delete_account(other)
            .await
            .expect("delete")
            .expect("no sole host");
        let left = query_i64(
            &url,
            "SELECT COUNT(*) FROM subscribers WHERE email = 'stranger@example.org'",
        )
        .await;
        assert_eq!(
            (
                left,
                query_i64(&url, "SELECT COUNT(*) FROM subscribers").await
            ),
            (1, 1)
        );
    }
);

crate::on_both_backends_with_url!(
    pruning_deletes_expired_signups_and_links_only,
    |store: Arc<dyn Store>, url: String| async move {
        sign_up(&store, "gone@example.org", &[], 1, now()).await;
        sign_up(&store, "kept@example.org", &[], 2, now()).await;
        confirm(&store, 2, 50, now()).await.expect("confirmed");
        let nothing = store.prune_subscribers(later(60)).await.expect("prune");
        assert_eq!(nothing, PrunedSubscribers::default());
        let week = now() + SignedDuration::from_hours(7 * 24);
        let pruned = store.prune_subscribers(week).await.expect("prune");
        assert_eq!(pruned.subscribers, 1);
        assert_eq!(pruned.tokens, 1, "the used confirmation of the kept one");
        let left = query_i64(
            &url,
            "SELECT COUNT(*) FROM subscribers WHERE email = 'kept@example.org'",
        )
        .await;
        assert_eq!(
            (
                left,
                query_i64(&url, "SELECT COUNT(*) FROM subscribers").await
            ),
            (1, 1)
        );
        assert_eq!(
            store
                .subscription_by_link(&hash(50), week)
                .await
                .expect("read")
                .map(|s| s.confirmed),
            Ok(true),
            "the manage link lives on"
        );
    }
);
