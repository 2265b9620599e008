//! Invitations, answers to "will you come?", reminders and handing a group
//! over, on both backends.

use jiff::SignedDuration;

use super::*;

/// A group with a member, and its first meeting.
async fn a_member_and_a_meeting(
    store: &Arc<dyn Store>,
) -> (GroupId, Slug, AccountId, OccurrenceTime) {
    let (id, slug) = a_group(store, "Meets", JoinPolicy::Open, None).await;
    let member = person(store, "member").await;
    ask(store, id, member, &ask_open).await;
    let meeting = store
        .upcoming_occurrences(&slug, now(), 1)
        .await
        .expect("store")
        .remove(0);
    (id, slug, member, meeting)
}

crate::on_both_backends!(
    an_invitation_opens_its_group_until_revoked_or_expired,
    |store: Arc<dyn Store>| async move {
        let (id, slug) = a_group(&store, "Invited", JoinPolicy::InviteOnly, None).await;
        let (other, _) = a_group(&store, "Elsewhere", JoinPolicy::Open, None).await;
        let host = store.ensure_account("willow", now()).await.expect("host");
        let expires = now() + SignedDuration::from_hours(24);
        let (old, new) = (InvitationId::random(), InvitationId::random());
        store
            .create_invitation(id, &old, "hash-old", host, expires, now())
            .await
            .expect("store");
        let later = now() + SignedDuration::from_mins(1);
        store
            .create_invitation(id, &new, "hash-new", host, expires, later)
            .await
            .expect("store");

        let links = store.invitations(id).await.expect("store");
        let ids: Vec<&InvitationId> = links.iter().map(|i| &i.id).collect();
        assert_eq!(ids, [&new, &old], "newest first");
        assert_eq!(links[1].created_by.as_deref(), Some("willow"));
        assert_eq!(links[1].created_at, now());
        assert_eq!(links[1].expires_at, expires);
        assert_eq!(links[1].revoked_at, None);

        assert_eq!(
            store
                .invitation_group("hash-old", now())
                .await
                .expect("store"),
            Some(slug)
        );
        assert_eq!(
            store
                .invitation_group("hash-old", expires)
                .await
                .expect("store"),
            None,
            "an expired link opens nothing"
        );
        assert_eq!(
            store
                .invitation_group("unknown", now())
                .await
                .expect("store"),
            None
        );

        assert!(matches!(
            store.revoke_invitation(other, &old, later).await,
            Err(StoreError::NotFound)
        ));
        store
            .revoke_invitation(id, &old, later)
            .await
            .expect("store");
        assert_eq!(
            store
                .invitation_group("hash-old", now())
                .await
                .expect("store"),
            None
        );
        let revoked = store.invitations(id).await.expect("store");
        assert_eq!(revoked[1].revoked_at, Some(later));
        assert!(matches!(
            store.revoke_invitation(id, &old, later).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(an_answer_to_will_you_come_round_trips, |store: Arc<
    dyn Store,
>| async move {
    let (_, slug, member, meeting) = a_member_and_a_meeting(&store).await;
    assert_eq!(store.attending_count(&meeting.id).await.expect("store"), 0);
    store
        .set_attending(&meeting.id, member, true, now())
        .await
        .expect("store");
    assert_eq!(store.attending_count(&meeting.id).await.expect("store"), 1);
    assert_eq!(
        store.rsvps_of(member).await.expect("store"),
        vec![(meeting.id.clone(), slug.clone(), meeting.starts_at, true)]
    );

    store
        .set_attending(&meeting.id, member, false, now())
        .await
        .expect("store");
    assert_eq!(store.attending_count(&meeting.id).await.expect("store"), 0);
    assert_eq!(
        store.rsvps_of(member).await.expect("store"),
        vec![(meeting.id.clone(), slug.clone(), meeting.starts_at, false)],
        "a second answer replaces the first"
    );

    let mine = store
        .personal_meetings(member, now(), meeting.ends_at, 10)
        .await
        .expect("store");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].slug, slug);
    assert_eq!(mine[0].group_name, "Meets");
    assert_eq!(mine[0].occurrence, meeting);
    assert_eq!(mine[0].attending, Some(false));
    let stranger = person(&store, "stranger").await;
    assert!(
        store
            .personal_meetings(stranger, now(), meeting.ends_at, 10)
            .await
            .expect("store")
            .is_empty()
    );
});

crate::on_both_backends!(
    a_meeting_names_its_group_and_only_until_it_ends,
    |store: Arc<dyn Store>| async move {
        let (_, slug, _, meeting) = a_member_and_a_meeting(&store).await;
        assert_eq!(
            store.meeting(&meeting.id).await.expect("store"),
            (slug.clone(), meeting.clone())
        );
        assert_eq!(
            store
                .occurrence_group(&meeting.id, now())
                .await
                .expect("store"),
            slug
        );
        assert!(matches!(
            store.occurrence_group(&meeting.id, meeting.ends_at).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.meeting(&meeting.id).await.expect("store").0,
            slug,
            "a meeting that ended is still found by id"
        );
        let unknown = OccurrenceId::from_trusted("no-such-meeting".to_owned());
        assert!(matches!(
            store.meeting(&unknown).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    a_reminder_is_due_once_to_each_member_with_an_address,
    |store: Arc<dyn Store>| async move {
        let (_, slug, member, meeting) = a_member_and_a_meeting(&store).await;
        let from = meeting.starts_at;
        let until = from + SignedDuration::from_mins(1);
        let due = store
            .due_reminders("day_before", from, until, 10)
            .await
            .expect("store");
        // The host, willow, has no address: only the member is reminded.
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].account, member);
        assert_eq!(due[0].slug, slug);
        assert_eq!(due[0].format, "video");
        assert!(due[0].has_call);
        assert_eq!(due[0].occurrence, meeting);

        assert!(
            store
                .claim_reminder(&meeting.id, member, "day_before", &NoMail, now())
                .await
                .expect("store")
        );
        assert!(
            !store
                .claim_reminder(&meeting.id, member, "day_before", &NoMail, now())
                .await
                .expect("store"),
            "a reminder is claimed only once"
        );
        assert!(
            store
                .due_reminders("day_before", from, until, 10)
                .await
                .expect("store")
                .is_empty()
        );
        assert_eq!(
            store
                .due_reminders("hour_before", from, until, 10)
                .await
                .expect("store")
                .len(),
            1,
            "another kind is still due"
        );
    }
);

crate::on_both_backends!(
    handing_a_group_over_makes_the_receiver_its_first_host,
    |store: Arc<dyn Store>| async move {
        let (id, slug, member, _) = a_member_and_a_meeting(&store).await;
        let host = store.ensure_account("willow", now()).await.expect("host");
        let stranger = person(&store, "stranger").await;
        assert!(matches!(
            store.hand_over(id, host, stranger, now()).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.hand_over(id, member, host, now()).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.hand_over(id, host, host, now()).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.group_access(&slug).await.expect("store").hosts,
            vec![host],
            "a refused hand-over changes nothing"
        );

        store
            .hand_over(id, host, member, now())
            .await
            .expect("store");
        assert_eq!(
            store.group_access(&slug).await.expect("store").hosts,
            vec![member]
        );
    }
);
