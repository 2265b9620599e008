//! The hosting store on both backends: claims, status decisions, edits,
//! co-hosts, closing, and the texts admins keep.

use std::sync::Arc;

use jiff::SignedDuration;
use jiff::civil::Weekday;
use kith_domain::directory::horizon;
use kith_domain::group::{ListingStatus, NewGroup};
use kith_domain::ids::{GroupId, OccurrenceId, Slug};

use crate::model::{AccountId, AuditEntry};
use crate::testing::{group, insert, now};
use crate::{Store, StoreError};

/// An audit row by `actor`.
fn audit<'a>(
    actor: AccountId,
    handle: &'a str,
    action: &'static str,
    target: &str,
) -> AuditEntry<'a> {
    AuditEntry {
        actor: Some(actor),
        actor_handle: handle,
        action,
        target: target.to_owned(),
        reason: "",
    }
}

/// Two weekly groups hosted by `willow`, in `status`.
async fn two_groups(
    store: &Arc<dyn Store>,
    status: ListingStatus,
) -> (Vec<NewGroup>, Vec<GroupId>) {
    let groups = vec![
        group("Quiet River", "UTC", &[Weekday::Monday], "10:00"),
        group("Lantern", "Europe/Berlin", &[Weekday::Thursday], "19:00"),
    ];
    let slugs = insert(store, &groups, status).await;
    let mut ids = Vec::new();
    for slug in &slugs {
        ids.push(store.group_access(slug).await.expect("access").id);
    }
    (groups, ids)
}

/// The ids of a group's next meetings.
async fn meeting_ids(store: &Arc<dyn Store>, slug: &Slug) -> Vec<OccurrenceId> {
    store
        .upcoming_occurrences(slug, now(), 1_000)
        .await
        .expect("meetings")
        .into_iter()
        .map(|m| m.id)
        .collect()
}

crate::on_both_backends!(
    a_claim_approved_adds_a_host_and_one_rejected_does_not,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Listed).await;
        let slug = &groups[0].profile.slug;
        let moderator = store
            .ensure_account("keeper", now())
            .await
            .expect("account");
        let rowan = store.ensure_account("rowan", now()).await.expect("account");
        let ash = store.ensure_account("ash", now()).await.expect("account");
        store
            .create_claim(ids[0], rowan, "I run it.", now())
            .await
            .expect("claim");
        store
            .create_claim(ids[0], ash, "Me too.", now() + SignedDuration::from_secs(1))
            .await
            .expect("claim");
        assert!(
            matches!(
                store.create_claim(ids[0], rowan, "Again.", now()).await,
                Err(StoreError::Conflict { .. })
            ),
            "one claim per person and group"
        );

        let claims = store.claims(10).await.expect("claims");
        let who: Vec<&str> = claims.iter().map(|c| c.handle.as_str()).collect();
        assert_eq!(who, ["rowan", "ash"], "oldest first");
        assert_eq!(claims[0].slug, *slug);
        assert_eq!(claims[0].message, "I run it.");
        assert_eq!(claims[0].created_at, now());

        let decided = store
            .decide_claim(
                claims[0].id,
                true,
                &audit(moderator, "keeper", "claim.approve", "claim:1"),
                now(),
            )
            .await
            .expect("approve");
        assert_eq!(decided, *slug);
        store
            .decide_claim(
                claims[1].id,
                false,
                &audit(moderator, "keeper", "claim.reject", "claim:2"),
                now(),
            )
            .await
            .expect("reject");

        let hosts = store.group_access(slug).await.expect("access").hosts;
        assert_eq!(hosts.len(), 2, "{hosts:?}");
        assert_eq!(hosts[1], rowan, "the approved claimant, after willow");
        assert!(!hosts.contains(&ash));
        assert!(store.claims(10).await.expect("claims").is_empty());
        assert!(matches!(
            store
                .decide_claim(
                    claims[0].id,
                    true,
                    &audit(moderator, "keeper", "claim.approve", "claim:1"),
                    now(),
                )
                .await,
            Err(StoreError::NotFound)
        ));
        let actions: Vec<String> = store
            .audit_log(10)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.action)
            .collect();
        assert_eq!(actions, ["claim.reject", "claim.approve"], "newest first");
    }
);

crate::on_both_backends!(
    two_moderators_deciding_one_group_at_once_cannot_both_win,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Pending).await;
        let ana = store.ensure_account("ana", now()).await.expect("account");
        let joe = store.ensure_account("joe", now()).await.expect("account");
        let approve = audit(ana, "ana", "group.approve", "group:quiet-river");
        let reject = audit(joe, "joe", "group.reject", "group:quiet-river");
        let (approved, rejected) = tokio::join!(
            store.set_group_status(
                ids[0],
                ListingStatus::Pending,
                ListingStatus::Listed,
                None,
                Some(&approve),
                now(),
            ),
            store.set_group_status(
                ids[0],
                ListingStatus::Pending,
                ListingStatus::Rejected,
                Some("Not a support group."),
                Some(&reject),
                now(),
            ),
        );
        let (winner, action) = match (&approved, &rejected) {
            (Ok(()), Err(StoreError::Stale)) => (ListingStatus::Listed, "group.approve"),
            (Err(StoreError::Stale), Ok(())) => (ListingStatus::Rejected, "group.reject"),
            other => panic!("exactly one decision wins: {other:?}"),
        };
        let log = store.audit_log(10).await.expect("audit");
        assert_eq!(log.len(), 1, "only the winner's audit row: {log:?}");
        assert_eq!(log[0].action, action);
        let access = store
            .group_access(&groups[0].profile.slug)
            .await
            .expect("access");
        assert_eq!(access.status, winner);
    }
);

crate::on_both_backends!(
    a_status_change_moves_a_group_through_the_queue_and_a_stale_one_writes_nothing,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Pending).await;
        let willow = store
            .ensure_account("willow", now())
            .await
            .expect("account");
        let names = |queue: Vec<crate::hosting::QueueItem>| -> Vec<String> {
            queue.into_iter().map(|q| q.name).collect()
        };
        let queue = store.moderation_queue(10).await.expect("queue");
        assert_eq!(queue[0].hosts, ["willow"]);
        assert_eq!(queue[0].description, groups[0].profile.description);
        assert_eq!(names(queue), ["Quiet River", "Lantern"]);

        let later = now() + SignedDuration::from_hours(1);
        store
            .set_group_status(
                ids[0],
                ListingStatus::Pending,
                ListingStatus::Rejected,
                Some("Say more about the meetings."),
                None,
                now(),
            )
            .await
            .expect("reject");
        // Submitted again, it queues behind the group that waited longer.
        store
            .set_group_status(
                ids[0],
                ListingStatus::Rejected,
                ListingStatus::Pending,
                None,
                Some(&audit(
                    willow,
                    "willow",
                    "group.submit",
                    "group:quiet-river",
                )),
                later,
            )
            .await
            .expect("submit");
        let queue = store.moderation_queue(10).await.expect("queue");
        assert_eq!(queue[1].submitted_at, later);
        assert_eq!(names(queue), ["Lantern", "Quiet River"]);

        // A decision from a status the group no longer has.
        assert!(matches!(
            store
                .set_group_status(
                    ids[1],
                    ListingStatus::Listed,
                    ListingStatus::Unlisted,
                    Some("stale"),
                    Some(&audit(willow, "willow", "group.unlist", "group:lantern")),
                    later,
                )
                .await,
            Err(StoreError::Stale)
        ));
        let hosted = store.groups_hosted_by(willow).await.expect("hosted");
        let lantern = hosted
            .iter()
            .find(|g| g.name == "Lantern")
            .expect("hosted by willow");
        assert_eq!(lantern.status, ListingStatus::Pending);
        assert_eq!(lantern.review_note, None, "the stale note is not saved");
        let log = store.audit_log(10).await.expect("audit");
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0].action, "group.submit");
        assert_eq!(log[0].actor_handle, "willow");
    }
);

crate::on_both_backends!(
    edits_without_a_new_schedule_keep_the_rules_and_meetings,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Listed).await;
        let slugs: Vec<Slug> = groups.iter().map(|g| g.profile.slug.clone()).collect();
        let willow = store
            .ensure_account("willow", now())
            .await
            .expect("account");
        let series = store.series_ids(ids[0]).await.expect("series");
        let meetings = meeting_ids(&store, &slugs[0]).await;
        assert!(!meetings.is_empty());
        let until = horizon(now());
        let later = now() + SignedDuration::from_hours(1);

        let mut renamed = groups[0].clone();
        renamed.profile.name = "Still River".to_owned();
        renamed.private.dial_in = Some("+49 30 1234567".to_owned());
        let update = crate::hosting::GroupUpdate {
            group: &renamed,
            status: ListingStatus::Listed,
            review_note: None,
            occurrences: None,
            occurrences_until: until,
            change_log: Some((willow, r#"{"name":{"before":"Quiet River"}}"#.to_owned())),
        };
        store
            .update_group(ids[0], &update, later)
            .await
            .expect("update");
        let managed = store.managed_group(&slugs[0]).await.expect("read");
        assert_eq!(managed.profile.name, "Still River");
        assert_eq!(managed.private, renamed.private);
        assert_eq!(managed.updated_at, later);
        assert_eq!(store.series_ids(ids[0]).await.expect("series"), series);
        assert_eq!(meeting_ids(&store, &slugs[0]).await, meetings);
        let changes = store.recent_group_changes(10).await.expect("changes");
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].name, "Still River");
        assert_eq!(changes[0].handle.as_deref(), Some("willow"));
        assert_eq!(changes[0].changed_at, later);
        assert!(changes[0].changes.contains("Quiet River"));

        // Several at once keep theirs too; one gone saves none.
        let before = [
            store.series_ids(ids[0]).await.expect("series"),
            store.series_ids(ids[1]).await.expect("series"),
        ];
        let mut described = groups[1].clone();
        described.profile.description = "Thursdays, in German.".to_owned();
        let edit = |group| crate::hosting::GroupUpdate {
            group,
            status: ListingStatus::Listed,
            review_note: None,
            occurrences: None,
            occurrences_until: until,
            change_log: None,
        };
        store
            .update_groups(
                &[(ids[0], edit(&renamed)), (ids[1], edit(&described))],
                later,
            )
            .await
            .expect("update both");
        assert_eq!(store.series_ids(ids[0]).await.expect("series"), before[0]);
        assert_eq!(store.series_ids(ids[1]).await.expect("series"), before[1]);
        assert_eq!(meeting_ids(&store, &slugs[0]).await, meetings);
        let read = store.managed_groups(&slugs).await.expect("read both");
        assert!(
            read.iter()
                .any(|g| g.profile.description == "Thursdays, in German.")
        );
        assert!(matches!(
            store
                .update_group(GroupId(i64::MAX), &edit(&described), later)
                .await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    closing_a_group_deletes_it_once,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Listed).await;
        let slug = &groups[0].profile.slug;
        let rowan = store.ensure_account("rowan", now()).await.expect("account");
        store
            .create_claim(ids[0], rowan, "Mine?", now())
            .await
            .expect("claim");
        store.close_group(ids[0]).await.expect("close");
        assert!(matches!(
            store.group_access(slug).await,
            Err(StoreError::NotFound)
        ));
        assert!(meeting_ids(&store, slug).await.is_empty());
        assert!(store.claims(10).await.expect("claims").is_empty());
        assert_eq!(store.count_groups().await.expect("count"), 1);
        assert!(matches!(
            store.close_group(ids[0]).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(a_cohost_is_added_once, |store: Arc<dyn Store>| async move {
    let (groups, ids) = two_groups(&store, ListingStatus::Listed).await;
    let willow = store
        .ensure_account("willow", now())
        .await
        .expect("account");
    let rowan = store.ensure_account("rowan", now()).await.expect("account");
    store.add_host(ids[1], rowan).await.expect("add");
    assert!(matches!(
        store.add_host(ids[1], rowan).await,
        Err(StoreError::Conflict { what: "host" })
    ));
    assert!(matches!(
        store.add_host(ids[1], willow).await,
        Err(StoreError::Conflict { what: "host" })
    ));
    let access = store
        .group_access(&groups[1].profile.slug)
        .await
        .expect("access");
    assert_eq!(access.hosts, [willow, rowan], "in the order they came");
    let hosted = store.groups_hosted_by(rowan).await.expect("hosted");
    assert_eq!(hosted.len(), 1);
    assert_eq!(hosted[0].slug, groups[1].profile.slug);
    assert_eq!(hosted[0].status, ListingStatus::Listed);
    assert_eq!(
        store.groups_hosted_by(willow).await.expect("hosted").len(),
        2
    );
});

crate::on_both_backends!(
    safety_texts_and_site_pages_round_trip_with_audit_rows,
    |store: Arc<dyn Store>| async move {
        let admin = store
            .ensure_account("keeper", now())
            .await
            .expect("account");
        assert!(store.safety_texts().await.expect("texts").is_empty());
        for (country, body) in [
            ("default", "Call 112."),
            ("DE", "Ruf 112 an."),
            ("DE", "Ruf 112 oder 110 an."),
        ] {
            store
                .save_safety_text(
                    country,
                    body,
                    &audit(admin, "keeper", "safety.edit", country),
                    now(),
                )
                .await
                .expect("save");
        }
        assert_eq!(
            store.safety_texts().await.expect("texts"),
            [
                ("DE".to_owned(), "Ruf 112 oder 110 an.".to_owned()),
                ("default".to_owned(), "Call 112.".to_owned()),
            ]
        );

        assert_eq!(store.site_page("about").await.expect("page"), None);
        for body in ["Run by a collective.", "Run by Ana and Joe."] {
            store
                .save_site_page(
                    "about",
                    body,
                    &audit(admin, "keeper", "about.edit", "page:about"),
                    now(),
                )
                .await
                .expect("save");
        }
        assert_eq!(
            store.site_page("about").await.expect("page").as_deref(),
            Some("Run by Ana and Joe.")
        );
        assert_eq!(store.site_page("terms").await.expect("page"), None);

        let log = store.audit_log(3).await.expect("audit");
        assert_eq!(log.len(), 3, "the limit holds");
        assert_eq!(log[0].action, "about.edit");
        assert_eq!(log[0].at, now());
        let all = store.audit_log(10).await.expect("audit");
        assert_eq!(all.iter().filter(|r| r.action == "safety.edit").count(), 3);
    }
);
