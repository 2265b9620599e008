//! `kith import meeting-guide` on a real database of each backend: records
//! become groups, bad ones are reported and skipped, a second import changes
//! nothing, and export → import → export gives the same meetings.

use std::sync::Arc;

use kith_app::App;
use kith_app::Conflict;
use kith_app::feeds::meeting_guide::{FocusWords, meetings};
use kith_app::imports::{ImportReport, import_meeting_guide};
use kith_app::testing::now;
use kith_domain::group::{Focus, ListingStatus};
use kith_domain::ids::Slug;
use kith_store::{Store, on_both_backends};

struct Words;

impl FocusWords for Words {
    fn focus_label(&self) -> &str {
        "Focus:"
    }

    fn focus_name(&self, focus: Focus) -> &str {
        focus.code()
    }
}

async fn import(app: &App, feed: &str, status: ListingStatus) -> ImportReport {
    import_meeting_guide(
        app,
        feed,
        "https://other.example/feed.json",
        status,
        now(),
        &mut |_, _| {},
    )
    .await
    .expect("import")
}

const FEED: &str = r#"[
  {"name": "Sunday Serenity", "slug": "sunday-serenity-14", "day": 0, "time": "18:00", "end_time": "19:30",
   "timezone": "America/Los_Angeles", "types": ["O", "EN"], "notes": "<p>Ring the buzzer.</p>",
   "url": "https://district123.org/meetings/sunday-serenity", "city": "Anytown", "country": "US"},
  {"name": "Online Tapering", "slug": "online-tapering", "day": [1, 4], "time": "7:30",
   "timezone": "Europe/Berlin", "types": ["DE", "W", "BE"], "conference_url": "https://meet.example.org/t"},
  {"slug": "no-name", "day": 1, "time": "10:00", "timezone": "UTC", "city": "X"},
  {"name": "Too late", "slug": "too-late", "day": 7, "time": "25:00", "timezone": "UTC", "city": "X"},
  {"name": "Unknown zone", "slug": "unknown-zone", "day": 2, "time": "10:00", "timezone": "Mars/Olympus", "city": "X"},
  "not an object",
  {"name": "Twice", "slug": "online-tapering", "day": 2, "time": "10:00", "timezone": "UTC", "city": "X"}
]"#;

on_both_backends!(
    records_become_groups_and_bad_ones_are_reported,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let report = import(app, FEED, ListingStatus::Listed).await;
        assert_eq!(
            (report.created, report.updated, report.unchanged),
            (2, 0, 0)
        );
        let failed: Vec<String> = report
            .failed
            .iter()
            .map(|(record, fields)| {
                let fields: Vec<String> = fields.iter().map(|(f, c)| format!("{f}:{c}")).collect();
                format!("{record} {}", fields.join(","))
            })
            .collect();
        assert_eq!(
            failed,
            [
                "no-name name:required",
                "too-late day:invalid_value,time:invalid_time",
                "unknown-zone timezone:unknown_time_zone",
                "#5 record:not_an_object",
                "online-tapering slug:duplicate",
            ]
        );
        let group = store
            .listed_group(&Slug::parse("sunday-serenity-14").expect("slug"))
            .await
            .expect("listed at once");
        assert!(group.hosts.is_empty(), "no host here");
        assert_eq!(
            group.source.as_deref(),
            Some("https://district123.org/meetings/sunday-serenity")
        );
        assert_eq!(group.description, "Ring the buzzer.");

        // Again: nothing changes (even though "W" comes before "BE" and
        // kith keeps attributes in its own order). A changed record updates
        // its group.
        let again = import(app, FEED, ListingStatus::Listed).await;
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
        let changed = FEED.replace("\"18:00\"", "\"18:30\"");
        let report = import(app, &changed, ListingStatus::Listed).await;
        assert_eq!(
            (report.created, report.updated, report.unchanged),
            (0, 1, 1)
        );
        let upcoming = store
            .upcoming_occurrences(&Slug::parse("sunday-serenity-14").expect("slug"), now(), 1)
            .await
            .expect("upcoming");
        // Sunday 7 June 2026, 18:30 in Los Angeles (PDT) is 01:30 UTC on Monday.
        assert_eq!(upcoming[0].starts_at.to_string(), "2026-06-08T01:30:00Z");
    }
);

on_both_backends!(
    pending_imports_wait_for_review_and_native_slugs_are_not_overwritten,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let report = import(app, FEED, ListingStatus::Pending).await;
        assert_eq!(report.created, 2);
        let slug = Slug::parse("online-tapering").expect("slug");
        assert_eq!(
            store.group_access(&slug).await.expect("access").status,
            ListingStatus::Pending
        );

        kith_app::groups::create_groups(
            app,
            &[kith_app::testing::GroupBuilder::new("Native")
                .slug("native-group")
                .build()],
            now(),
        )
        .await
        .expect("native");
        let feed = r#"[{"name": "Impostor", "slug": "native-group", "day": 1, "time": "10:00", "timezone": "UTC", "city": "X"}]"#;
        let report = import(app, feed, ListingStatus::Listed).await;
        assert_eq!(
            report.failed,
            [("native-group".to_owned(), vec![("slug", "taken")])]
        );
    }
);

on_both_backends!(
    export_import_export_gives_the_same_meetings,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        kith_app::demo::seed_if_empty(app, now())
            .await
            .expect("demo");
        let first = meetings(
            &store.listed_groups_for_feed().await.expect("feed"),
            "https://a.example",
            &Words,
        );
        assert!(first.len() >= 60);

        let copy = kith_store::testing::TempSqlite::create().await;
        let text = serde_json::to_string(&first).expect("json");
        let report = import(
            &kith_app::testing::app(copy.store.clone()),
            &text,
            ListingStatus::Listed,
        )
        .await;
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        assert_eq!(report.created, first.len());
        let second = meetings(
            &copy.store.listed_groups_for_feed().await.expect("feed"),
            "https://a.example",
            &Words,
        );

        let key = |m: &kith_app::feeds::meeting_guide::Meeting| {
            (
                m.slug.clone(),
                m.day.to_string(),
                m.time.clone(),
                m.end_time.clone(),
                m.timezone.clone(),
                m.name.clone(),
                m.types.clone(),
            )
        };
        let mut a: Vec<_> = first.iter().map(key).collect();
        let mut b: Vec<_> = second.iter().map(key).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }
);

on_both_backends!(
    a_person_asks_to_host_an_imported_group_and_a_moderator_approves,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        use kith_app::accounts::{self, Registration};
        use kith_app::{AppError, claims, hosting};
        use kith_domain::account::{Handle, Role};

        let store = store.as_ref();
        import(app, FEED, ListingStatus::Listed).await;
        let make = |handle: &'static str, role: Role| async move {
            let registration = Registration {
                handle: handle.to_owned(),
                email: format!("{handle}@example.org"),
                password: "correct horse battery".to_owned(),
            };
            accounts::create_staff(app, &registration, role, now())
                .await
                .expect("account");
            let handle = Handle::parse(handle).expect("handle");
            let id = store
                .account_by_handle(&handle)
                .await
                .expect("lookup")
                .expect("exists")
                .id;
            kith_app::access::Person {
                id,
                handle,
                role,
                email_verified: true,
            }
        };
        let claimant = make("serenity", Role::Member).await;
        let moderator = make("warden", Role::Moderator).await;
        let slug = Slug::parse("sunday-serenity-14").expect("slug");

        let empty = claims::ask(app, &claimant, &slug, "  ", now()).await;
        assert!(matches!(&empty, Err(AppError::Invalid(e)) if e[0].field == "message"));
        claims::ask(
            app,
            &claimant,
            &slug,
            "I run this meeting; ask district123.",
            now(),
        )
        .await
        .expect("ask");
        let twice = claims::ask(app, &claimant, &slug, "Again", now()).await;
        assert!(matches!(
            twice,
            Err(AppError::Conflict(Conflict::ClaimPending))
        ));
        assert!(matches!(
            claims::queue(app, &claimant).await,
            Err(AppError::NotFound)
        ));
        let rival = make("rival", Role::Member).await;
        claims::ask(app, &rival, &slug, "I help run it.", now())
            .await
            .expect("ask");
        let queue = claims::queue(app, &moderator).await.expect("queue");
        assert_eq!(
            (queue[0].handle.as_str(), queue[0].slug.as_str()),
            ("serenity", "sunday-serenity-14")
        );

        let decided = claims::decide(app, &moderator, queue[0].id, true, now())
            .await
            .expect("approve");
        assert_eq!(decided, slug);
        hosting::editable_group(app, &claimant, &slug)
            .await
            .expect("the claimant hosts it now");
        let audit = store.audit_log(5).await.expect("audit");
        assert_eq!(audit[0].action, "group.claim_approve");
        // The new host adds the other asker as co-host; approving that
        // person's own request afterwards is not an error.
        hosting::add_cohost(app, &claimant, &slug, "rival")
            .await
            .expect("co-host");
        let rest = claims::queue(app, &moderator).await.expect("queue");
        assert_eq!(rest.len(), 1);
        claims::decide(app, &moderator, rest[0].id, true, now())
            .await
            .expect("approving a request of a host already is not an error");
        assert!(
            claims::queue(app, &moderator)
                .await
                .expect("queue")
                .is_empty()
        );

        // A hosted group cannot be claimed again, nor a group of this site.
        let other = make("other", Role::Member).await;
        let hosted = claims::ask(app, &other, &slug, "Mine", now()).await;
        assert!(matches!(
            hosted,
            Err(AppError::Conflict(Conflict::NotClaimable))
        ));
    }
);
