//! The mailing list's admin side on both backends: interests, forms and
//! their versions, counts, the audited export and the all-or-nothing
//! import.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Email;
use kith_domain::newsletter_list::{FormWords, InterestLabel, Placement};

use crate::mail::MailDraft;
use crate::mail::notices::ComposeError;
use crate::model::AccountId;
use crate::newsletter_admin::{
    ConfirmMails, FormChange, ImportOutcome, ImportedSubscriber, InterestChange,
};
use crate::resources::{FileMeta, NewFile, ResourceFields};
use crate::testing::{account, audit_by, execute_sql, now, query_i64};
use crate::{Store, StoreError};

fn label(raw: &str) -> InterestLabel {
    InterestLabel::parse(raw).expect("label")
}

fn words(heading: &str) -> FormWords {
    FormWords {
        heading: heading.to_owned(),
        intro: "Now and then.".to_owned(),
        consent: "I agree to these letters.".to_owned(),
    }
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("email")
}

fn hash(email: &Email) -> String {
    // Any stable text stands in for the app's SHA-256 here.
    format!("hash-of-{}", email.as_str())
}

/// Counts the mails it composes; each token is `t<n>`.
#[derive(Default)]
struct CountingMails(AtomicUsize);

impl ConfirmMails for CountingMails {
    fn confirm_mail(&self) -> Result<(String, MailDraft), ComposeError> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Ok((
            format!("t{n}"),
            MailDraft {
                kind: "newsletter_import_confirm",
                subject: "Please confirm".to_owned(),
                text: format!("link t{n}"),
                html: String::new(),
                unsubscribe: None,
            },
        ))
    }
}

struct FailingMails;

impl ConfirmMails for FailingMails {
    fn confirm_mail(&self) -> Result<(String, MailDraft), ComposeError> {
        Err("a template failed".into())
    }
}

async fn admin(store: &Arc<dyn Store>) -> AccountId {
    account(store, "keeper").await
}

async fn count(url: &str, sql: &str) -> i64 {
    query_i64(url, sql).await
}

fn later(days: i64) -> Timestamp {
    now() + SignedDuration::from_hours(24 * days)
}

async fn import(
    store: &Arc<dyn Store>,
    actor: AccountId,
    addresses: &[&str],
    attested: bool,
    interests: Vec<i64>,
    mails: &dyn ConfirmMails,
) -> Result<ImportOutcome, StoreError> {
    let emails: Vec<Email> = addresses.iter().map(|a| email(a)).collect();
    let rows: Vec<ImportedSubscriber<'_>> = emails
        .iter()
        .map(|e| ImportedSubscriber {
            email: e,
            email_hash: hash(e),
            first_name: Some("Ann"),
            interests: interests.clone(),
        })
        .collect();
    let audit = audit_by(actor, "keeper", "newsletter_import", "");
    store
        .import_newsletter_subscribers(&rows, attested, mails, &audit, later(7), now())
        .await
}

crate::on_both_backends_with_url!(
    interests_are_added_renamed_moved_retired_and_restored,
    |store: Arc<dyn Store>, _url: String| async move {
        let actor = admin(&store).await;
        let audit = audit_by(actor, "keeper", "newsletter_interest", "");
        let start = store.all_newsletter_interests().await.expect("list");
        assert_eq!(start.len(), 6);
        assert_eq!(start[0].code, "coming-off");

        let added = store
            .add_newsletter_interest(&label("Events & Talks"), &audit, now())
            .await
            .expect("add");
        assert_eq!(added.code, "events-talks");
        assert_eq!(added.position, 7);
        let again = store
            .add_newsletter_interest(&label("Events, talks"), &audit, now())
            .await
            .expect("add again");
        assert_eq!(again.code, "events-talks-2");

        let renamed = store
            .change_newsletter_interest(
                "events-talks",
                &InterestChange {
                    label: Some(&label("Talks")),
                    ..Default::default()
                },
                &audit,
                now(),
            )
            .await
            .expect("rename");
        assert_eq!(
            (renamed.code.as_str(), renamed.label.as_str()),
            ("events-talks", "Talks")
        );

        store
            .change_newsletter_interest(
                "events-talks",
                &InterestChange {
                    position: Some(1),
                    ..Default::default()
                },
                &audit,
                now(),
            )
            .await
            .expect("move");
        let order: Vec<String> = store
            .all_newsletter_interests()
            .await
            .expect("list")
            .into_iter()
            .map(|i| i.code)
            .collect();
        assert_eq!(order[..3], ["events-talks", "coming-off", "staying-off"]);
        assert_eq!(order.len(), 8);

        let retired = store
            .change_newsletter_interest(
                "coming-off",
                &InterestChange {
                    retired: Some(true),
                    ..Default::default()
                },
                &audit,
                now(),
            )
            .await
            .expect("retire");
        assert_eq!(retired.retired_at, Some(now()));
        let listed = store.all_newsletter_interests().await.expect("list");
        assert!(
            listed
                .iter()
                .any(|i| i.code == "coming-off" && i.retired_at.is_some())
        );
        let restored = store
            .change_newsletter_interest(
                "coming-off",
                &InterestChange {
                    retired: Some(false),
                    ..Default::default()
                },
                &audit,
                now(),
            )
            .await
            .expect("restore");
        assert_eq!(restored.retired_at, None);

        let missing = store
            .change_newsletter_interest("nope", &InterestChange::default(), &audit, now())
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound)));
        let log = store.audit_log(20).await.expect("log");
        assert_eq!(log.len(), 6);
        assert!(log.iter().all(|r| r.action == "newsletter_interest"));
    }
);

crate::on_both_backends_with_url!(
    changed_words_make_a_new_version_and_unchanged_words_write_nothing,
    |store: Arc<dyn Store>, url: String| async move {
        let actor = admin(&store).await;
        let audit = audit_by(actor, "keeper", "newsletter_form", "");
        let forms = store.newsletter_forms().await.expect("forms");
        let placements: Vec<Placement> = forms.iter().map(|f| f.placement).collect();
        assert_eq!(placements, Placement::ALL);
        assert!(forms[0].shown && !forms[1].shown);
        let first = forms[1].words.clone();
        assert_eq!(forms[1].version, 1);

        let new = words("Letters from us");
        let saved = store
            .save_newsletter_form(
                Placement::Home,
                &FormChange {
                    shown: true,
                    download: None,
                    words: &new,
                },
                &audit,
                now(),
            )
            .await
            .expect("save");
        assert_eq!(saved.version, 2);
        assert!(saved.shown);
        assert_eq!(saved.words, new);
        assert_eq!(
            store
                .newsletter_form_version(Placement::Home, 1)
                .await
                .expect("v1"),
            first
        );

        let same = store
            .save_newsletter_form(
                Placement::Home,
                &FormChange {
                    shown: false,
                    download: None,
                    words: &new,
                },
                &audit,
                now(),
            )
            .await
            .expect("save same words");
        assert_eq!(same.version, 2);
        assert!(!same.shown);
        assert_eq!(
            count(&url, "SELECT COUNT(*) FROM newsletter_form_versions").await,
            4
        );

        // The newsletter page keeps its form whatever is asked.
        let page = store
            .save_newsletter_form(
                Placement::Newsletter,
                &FormChange {
                    shown: false,
                    download: None,
                    words: &forms[0].words,
                },
                &audit,
                now(),
            )
            .await
            .expect("save page");
        assert!(page.shown);
        assert_eq!(page.version, 1);
        assert!(matches!(
            store.newsletter_form_version(Placement::Home, 3).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends_with_url!(
    a_form_offers_only_a_published_resource_with_a_file,
    |store: Arc<dyn Store>, _url: String| async move {
        let actor = admin(&store).await;
        let meta = FileMeta {
            name: "book.pdf".into(),
            content_type: "application/pdf".into(),
            size: 9,
            sha256: "ab".repeat(32),
        };
        let bytes = b"%PDF-1.7\n".to_vec();
        for (slug, published, file) in [
            ("ebook", true, true),
            ("draft", false, true),
            ("plain", true, false),
        ] {
            let fields = ResourceFields {
                slug,
                title: "Coming off",
                summary: "s",
                body: "b",
                tags: &[],
                published,
            };
            let file = file.then_some(NewFile {
                meta: &meta,
                data: &bytes,
            });
            store
                .create_resource(
                    actor,
                    &fields,
                    file,
                    &audit_by(actor, "keeper", "resource.create", slug),
                    now(),
                )
                .await
                .expect("resource");
        }
        let choices = store.newsletter_download_choices().await.expect("choices");
        assert_eq!(choices.len(), 1);
        assert_eq!(choices[0].slug, "ebook");

        let audit = audit_by(actor, "keeper", "newsletter_form", "");
        let current = words("Hear from us");
        for refused in ["draft", "plain", "missing"] {
            let result = store
                .save_newsletter_form(
                    Placement::Resources,
                    &FormChange {
                        shown: true,
                        download: Some(refused),
                        words: &current,
                    },
                    &audit,
                    now(),
                )
                .await;
            assert!(matches!(result, Err(StoreError::NotFound)), "{refused}");
        }
        let form = &store.newsletter_forms().await.expect("forms")[2];
        assert!(!form.shown && form.version == 1, "nothing written");
        let saved = store
            .save_newsletter_form(
                Placement::Resources,
                &FormChange {
                    shown: true,
                    download: Some("ebook"),
                    words: &current,
                },
                &audit,
                now(),
            )
            .await
            .expect("save");
        assert_eq!(saved.download.map(|d| d.slug).as_deref(), Some("ebook"));
    }
);

crate::on_both_backends_with_url!(
    an_attested_import_adds_confirmed_subscribers_and_mails_no_one,
    |store: Arc<dyn Store>, url: String| async move {
        let actor = admin(&store).await;
        let events = store.all_newsletter_interests().await.expect("list")[5].id;
        let mails = CountingMails::default();
        let outcome = import(
            &store,
            actor,
            &["a@example.org", "b@example.org"],
            true,
            vec![events],
            &mails,
        )
        .await
        .expect("import");
        assert_eq!(
            outcome,
            ImportOutcome {
                added: 2,
                present: 0,
                suppressed: 0
            }
        );
        assert_eq!(mails.0.load(Ordering::SeqCst), 0);
        assert_eq!(count(&url, "SELECT COUNT(*) FROM outbox").await, 0);
        assert_eq!(
            count(&url, "SELECT COUNT(*) FROM subscribers WHERE consent_source = 'import_attested' AND confirmed_at IS NOT NULL AND expires_at IS NULL").await,
            2
        );
        let counts = store.newsletter_counts().await.expect("counts");
        assert_eq!((counts.confirmed, counts.unconfirmed), (2, 0));
        assert_eq!(counts.of(events), 2);
        let log = store.audit_log(1).await.expect("log");
        assert_eq!(log[0].action, "newsletter_import");
        assert_eq!(log[0].target, "added:2 present:0 suppressed:0 attested:yes");
    }
);

crate::on_both_backends_with_url!(
    an_import_without_attestation_adds_unconfirmed_with_a_token_and_a_mail_each,
    |store: Arc<dyn Store>, url: String| async move {
        let actor = admin(&store).await;
        let mails = CountingMails::default();
        let outcome = import(
            &store,
            actor,
            &["a@example.org", "b@example.org"],
            false,
            vec![],
            &mails,
        )
        .await
        .expect("import");
        assert_eq!(outcome.added, 2);
        assert_eq!(mails.0.load(Ordering::SeqCst), 2);
        assert_eq!(
            count(&url, "SELECT COUNT(*) FROM outbox WHERE kind = 'newsletter_import_confirm' AND address IS NOT NULL").await,
            2
        );
        assert_eq!(
            count(&url, &format!("SELECT COUNT(*) FROM subscriber_tokens t JOIN subscribers s ON s.id = t.subscriber_id WHERE t.purpose = 'confirm' AND t.expires_at = {} AND s.expires_at = {} AND s.confirmed_at IS NULL AND s.consent_source = 'import'", later(7).as_second(), later(7).as_second())).await,
            2
        );
        let counts = store.newsletter_counts().await.expect("counts");
        assert_eq!((counts.confirmed, counts.unconfirmed), (0, 2));
        assert!(
            store.audit_log(1).await.expect("log")[0]
                .target
                .ends_with("attested:no")
        );
    }
);

crate::on_both_backends_with_url!(
    suppressed_and_present_addresses_are_skipped_and_counted,
    |store: Arc<dyn Store>, url: String| async move {
        let actor = admin(&store).await;
        let gone = email("gone@example.org");
        execute_sql(
            &url,
            &format!(
                "INSERT INTO newsletter_suppressions (email_hash, created_at) VALUES ('{}', 0)",
                hash(&gone)
            ),
        )
        .await;
        let mails = CountingMails::default();
        import(&store, actor, &["here@example.org"], false, vec![], &mails)
            .await
            .expect("first");
        let outcome = import(
            &store,
            actor,
            &["here@example.org", "gone@example.org", "new@example.org"],
            false,
            vec![],
            &mails,
        )
        .await
        .expect("second");
        assert_eq!(
            outcome,
            ImportOutcome {
                added: 1,
                present: 1,
                suppressed: 1
            }
        );
        assert_eq!(mails.0.load(Ordering::SeqCst), 2);
        assert_eq!(
            count(
                &url,
                "SELECT COUNT(*) FROM subscribers WHERE email = 'gone@example.org'"
            )
            .await,
            0
        );
    }
);

crate::on_both_backends_with_url!(
    a_failed_import_writes_nothing,
    |store: Arc<dyn Store>, url: String| async move {
        let actor = admin(&store).await;
        let result = import(
            &store,
            actor,
            &["a@example.org"],
            false,
            vec![],
            &FailingMails,
        )
        .await;
        assert!(result.is_err());
        assert_eq!(count(&url, "SELECT COUNT(*) FROM subscribers").await, 0);
        assert_eq!(count(&url, "SELECT COUNT(*) FROM audit_log").await, 0);
    }
);

crate::on_both_backends_with_url!(
    the_export_holds_confirmed_subscribers_only_and_audits_their_count,
    |store: Arc<dyn Store>, _url: String| async move {
        let actor = admin(&store).await;
        let interests = store.all_newsletter_interests().await.expect("list");
        let (first, last) = (interests[0].id, interests[5].id);
        import(
            &store,
            actor,
            &["yes@example.org"],
            true,
            vec![last, first],
            &CountingMails::default(),
        )
        .await
        .expect("attested");
        import(
            &store,
            actor,
            &["not-yet@example.org"],
            false,
            vec![first],
            &CountingMails::default(),
        )
        .await
        .expect("unconfirmed");
        let audit = audit_by(actor, "keeper", "newsletter_export", "");
        let rows = store
            .export_newsletter_subscribers(&audit, now())
            .await
            .expect("export");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].email, "yes@example.org");
        assert_eq!(rows[0].first_name.as_deref(), Some("Ann"));
        assert_eq!(rows[0].interests, ["coming-off", "events"]);
        assert_eq!(rows[0].consent_source, "import_attested");
        assert_eq!(rows[0].confirmed_at, now());
        assert_eq!(rows[0].form_placement, None);
        let log = store.audit_log(1).await.expect("log");
        assert_eq!(
            (log[0].action.as_str(), log[0].target.as_str()),
            ("newsletter_export", "subscribers:1")
        );
        assert!(!format!("{rows:?}").contains("yes@"));
    }
);

crate::on_both_backends_with_url!(
    an_import_of_many_addresses_goes_in_batches,
    |store: Arc<dyn Store>, url: String| async move {
        let actor = admin(&store).await;
        let addresses: Vec<String> = (0..2_500).map(|i| format!("p{i}@example.org")).collect();
        let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
        let interest = store.all_newsletter_interests().await.expect("list")[0].id;
        let mails = CountingMails::default();
        let outcome = import(&store, actor, &refs, false, vec![interest], &mails)
            .await
            .expect("import");
        assert_eq!(outcome.added, 2_500);
        assert_eq!(count(&url, "SELECT COUNT(*) FROM outbox").await, 2_500);
        assert_eq!(
            count(&url, "SELECT COUNT(*) FROM subscriber_interests").await,
            2_500
        );
        assert_eq!(
            count(
                &url,
                "SELECT COUNT(DISTINCT token_hash) FROM subscriber_tokens"
            )
            .await,
            2_500
        );
    }
);
