//! Moderation on both backends: status decisions as compare-and-set, the
//! queue's order, and the change log.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::directory::horizon;
use kith_domain::group::{ListingStatus, NewGroup};

use crate::hosting::GroupUpdate;
use crate::mail::NoMail;
use crate::model::AccountId;
use crate::moderation::{QueueItem, StatusChange};
use crate::testing::{account, audit_by, now, two_groups};
use crate::{Store, StoreError};

crate::on_both_backends!(
    two_moderators_deciding_one_group_at_once_cannot_both_win,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Pending).await;
        let ana = store.ensure_account("ana", now()).await.expect("account");
        let joe = store.ensure_account("joe", now()).await.expect("account");
        let approve = audit_by(ana, "ana", "group.approve", "group:quiet-river");
        let reject = audit_by(joe, "joe", "group.reject", "group:quiet-river");
        let (approved, rejected) = tokio::join!(
            store.set_group_status(
                ids[0],
                StatusChange::new(ListingStatus::Pending, ListingStatus::Listed),
                None,
                Some(&approve),
                &NoMail,
                now(),
            ),
            store.set_group_status(
                ids[0],
                StatusChange::new(ListingStatus::Pending, ListingStatus::Rejected),
                Some("Not a support group."),
                Some(&reject),
                &NoMail,
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
        let names =
            |queue: Vec<QueueItem>| -> Vec<String> { queue.into_iter().map(|q| q.name).collect() };
        let queue = store.moderation_queue(10).await.expect("queue");
        assert_eq!(queue[0].hosts, ["willow"]);
        assert_eq!(queue[0].description, groups[0].profile.description);
        assert_eq!(names(queue), ["Quiet River", "Lantern"]);

        let later = now() + SignedDuration::from_hours(1);
        store
            .set_group_status(
                ids[0],
                StatusChange::new(ListingStatus::Pending, ListingStatus::Rejected),
                Some("Say more about the meetings."),
                None,
                &NoMail,
                now(),
            )
            .await
            .expect("reject");
        // Submitted again, it queues behind the group that waited longer.
        store
            .set_group_status(
                ids[0],
                StatusChange::new(ListingStatus::Rejected, ListingStatus::Pending),
                None,
                Some(&audit_by(
                    willow,
                    "willow",
                    "group.submit",
                    "group:quiet-river",
                )),
                &NoMail,
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
                    StatusChange::new(ListingStatus::Listed, ListingStatus::Unlisted),
                    Some("stale"),
                    Some(&audit_by(willow, "willow", "group.unlist", "group:lantern")),
                    &NoMail,
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

/// An edit that changes nothing but leaves a change-log row by `who`.
fn logged<'a>(group: &'a NewGroup, who: AccountId, changes: &str) -> GroupUpdate<'a> {
    GroupUpdate {
        group,
        status: ListingStatus::Listed,
        review_note: None,
        occurrences: None,
        occurrences_until: horizon(now()),
        change_log: Some((who, changes.to_owned())),
    }
}

crate::on_both_backends!(
    the_change_log_is_newest_first_and_outlives_its_author,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Listed).await;
        let willow = store
            .ensure_account("willow", now())
            .await
            .expect("account");
        let rowan = account(&store, "rowan").await;
        let later = now() + SignedDuration::from_hours(1);
        for (id, update, at) in [
            (ids[0], logged(&groups[0], willow, r#"{"first":1}"#), now()),
            (ids[1], logged(&groups[1], rowan, r#"{"second":2}"#), later),
            // At the same second as the one before: the later row first.
            (ids[0], logged(&groups[0], willow, r#"{"third":3}"#), later),
        ] {
            store
                .update_group(id, &update, &NoMail, at)
                .await
                .expect("edit");
        }

        let changes = store.recent_group_changes(10).await.expect("changes");
        let what: Vec<&str> = changes.iter().map(|c| c.changes.as_str()).collect();
        assert_eq!(
            what,
            [r#"{"third":3}"#, r#"{"second":2}"#, r#"{"first":1}"#]
        );
        assert_eq!(changes[1].slug, groups[1].profile.slug);
        assert_eq!(changes[1].name, "Lantern");
        assert_eq!(changes[1].handle.as_deref(), Some("rowan"));
        assert_eq!(changes[1].changed_at, later);
        assert_eq!(changes[2].changed_at, now());
        assert_eq!(
            store.recent_group_changes(1).await.expect("changes").len(),
            1,
            "the limit holds"
        );

        // A deleted author's changes stay, without a name.
        store
            .delete_account(rowan)
            .await
            .expect("delete")
            .expect("deleted");
        let changes = store.recent_group_changes(10).await.expect("changes");
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[1].handle, None);
        assert_eq!(changes[0].handle.as_deref(), Some("willow"));
    }
);
