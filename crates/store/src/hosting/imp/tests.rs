//! The hosting store on both backends: edits, closing, co-hosts.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::directory::horizon;
use kith_domain::group::ListingStatus;
use kith_domain::ids::{GroupId, OccurrenceId, Slug};

use crate::hosting::GroupUpdate;
use crate::mail::NoMail;
use crate::testing::{now, two_groups};
use crate::{Store, StoreError};

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
        let update = GroupUpdate {
            group: &renamed,
            status: ListingStatus::Listed,
            review_note: None,
            occurrences: None,
            occurrences_until: until,
            change_log: Some((willow, r#"{"name":{"before":"Quiet River"}}"#.to_owned())),
        };
        store
            .update_group(ids[0], &update, &NoMail, later)
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
        let edit = |group| GroupUpdate {
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
                .update_group(GroupId(i64::MAX), &edit(&described), &NoMail, later)
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
        store
            .close_group(ids[0], &NoMail, now())
            .await
            .expect("close");
        assert!(matches!(
            store.group_access(slug).await,
            Err(StoreError::NotFound)
        ));
        assert!(meeting_ids(&store, slug).await.is_empty());
        assert!(store.claims(10).await.expect("claims").is_empty());
        assert_eq!(store.count_groups().await.expect("count"), 1);
        assert!(matches!(
            store.close_group(ids[0], &NoMail, now()).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    closing_a_group_mails_its_members_in_the_same_change,
    |store: Arc<dyn Store>| async move {
        use kith_domain::membership::RequestState;

        use crate::mail::Audience;
        use crate::testing::{TestNotice, account};

        let (_, ids) = two_groups(&store, ListingStatus::Listed).await;
        let river = account(&store, "river").await;
        let sky = account(&store, "sky").await;
        let member = |_: Option<RequestState>, _| Ok(RequestState::Approved);
        let waiting = |_: Option<RequestState>, _| Ok(RequestState::Waitlisted);
        for (who, step) in [
            (river, &member as crate::membership::Step<'_>),
            (sky, &waiting),
        ] {
            store
                .ask_to_join(ids[0], who, "", step, &NoMail, now())
                .await
                .expect("ask")
                .expect("in");
        }
        let members = TestNotice::to(Audience::MembersOf(ids[0]));
        let told = store
            .close_group(ids[0], &members, now())
            .await
            .expect("close");
        assert_eq!(told, 1, "the member, not the person waiting");
        assert_eq!(store.outbox_states().await.expect("outbox").len(), 1);
        assert!(matches!(
            store.close_group(ids[0], &members, now()).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.outbox_states().await.expect("outbox").len(),
            1,
            "a close that finds no group mails nobody"
        );
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
