//! Each [`MembershipStore`] method on both backends: requests and their
//! threads here, meetings and invitations in `meetings`.

use std::sync::{Arc, Mutex};

use jiff::civil::Weekday;
use kith_domain::account::{Email, Handle, Role};
use kith_domain::group::ListingStatus;
use kith_domain::membership::{
    Decision, JoinPolicy, Occupancy, on_ask, on_decision, on_remove, on_withdraw,
};

use super::*;
use crate::Store;
use crate::accounts::NewAccount;
use crate::mail::notices::Addressee;
use crate::mail::{Audience, NoMail, Notices};
use crate::testing::TestNotice;
use crate::testing::{group, insert, now};

mod meetings;

/// A person with a confirmed address, so their requests are not held.
async fn person(store: &Arc<dyn Store>, handle: &str) -> AccountId {
    let handle = Handle::parse(handle).expect("handle");
    let email = Email::parse(&format!("{handle}@example.org")).expect("email");
    let account = NewAccount {
        handle: &handle,
        email: &email,
        password_hash: "$argon2id$test",
        role: Role::Member,
        email_verified: true,
    };
    store
        .create_account(&account, None, now())
        .await
        .expect("account")
}

/// A listed group hosted by `willow`, with this policy and capacity.
async fn a_group(
    store: &Arc<dyn Store>,
    name: &str,
    policy: JoinPolicy,
    capacity: Option<u32>,
) -> (GroupId, Slug) {
    let mut new = group(name, "UTC", &[Weekday::Monday], "18:00");
    new.profile.join.policy = policy;
    new.profile.capacity = capacity;
    let slug = insert(store, &[new], ListingStatus::Listed).await.remove(0);
    let id = store.group_access(&slug).await.expect("access").id;
    (id, slug)
}

fn ask_open(previous: Option<RequestState>, room: Occupancy) -> Result<RequestState, Refusal> {
    on_ask(JoinPolicy::Open, previous, false, room)
}

fn ask_approval(previous: Option<RequestState>, room: Occupancy) -> Result<RequestState, Refusal> {
    on_ask(JoinPolicy::Approval, previous, false, room)
}

fn approve(current: Option<RequestState>, room: Occupancy) -> Result<RequestState, Refusal> {
    on_decision(
        current.ok_or(Refusal::NotApplicable)?,
        Decision::Approve,
        room,
    )
}

fn withdraw(current: Option<RequestState>, _room: Occupancy) -> Result<RequestState, Refusal> {
    on_withdraw(current.ok_or(Refusal::NotApplicable)?)
}

fn remove(current: Option<RequestState>, _room: Occupancy) -> Result<RequestState, Refusal> {
    on_remove(current.ok_or(Refusal::NotApplicable)?)
}

/// The room a step is shown, learnt by asking with a step that refuses.
async fn room_seen(store: &Arc<dyn Store>, group: GroupId, account: AccountId) -> Occupancy {
    let seen = Mutex::new(None);
    let peek = |_: Option<RequestState>, room: Occupancy| {
        *seen.lock().expect("lock") = Some(room);
        Err(Refusal::NotApplicable)
    };
    let refused = store
        .ask_to_join(group, account, "", &peek, &NoMail, now())
        .await
        .expect("store");
    assert_eq!(refused, Err(Refusal::NotApplicable));
    seen.into_inner().expect("lock").expect("the step ran")
}

/// Asks, expecting the step to let the person in some state.
async fn ask(
    store: &Arc<dyn Store>,
    group: GroupId,
    account: AccountId,
    step: Step<'_>,
) -> Transition {
    store
        .ask_to_join(
            group,
            account,
            "I would like to come.",
            step,
            &NoMail,
            now(),
        )
        .await
        .expect("store")
        .expect("not refused")
}

crate::on_both_backends!(
    asking_to_join_a_full_group_is_refused_and_leaves_nothing,
    |store: Arc<dyn Store>| async move {
        let (id, _) = a_group(&store, "Full", JoinPolicy::Open, Some(1)).await;
        let first = person(&store, "first").await;
        let late = person(&store, "late").await;
        assert_eq!(
            ask(&store, id, first, &ask_open).await.request.state,
            RequestState::Approved
        );

        let only_with_a_place = |_: Option<RequestState>, room: Occupancy| {
            if room.has_place() {
                Ok(RequestState::Approved)
            } else {
                Err(Refusal::Full)
            }
        };
        let refused = store
            .ask_to_join(id, late, "me too", &only_with_a_place, &NoMail, now())
            .await
            .expect("store");
        assert_eq!(refused, Err(Refusal::Full));
        assert_eq!(store.request_state(id, late).await.expect("store"), None);
        assert!(
            store
                .account_requests(late)
                .await
                .expect("store")
                .is_empty()
        );

        assert_eq!(
            ask(&store, id, late, &ask_open).await.request.state,
            RequestState::Waitlisted,
            "an open group that is full takes the asker onto its waitlist"
        );
        assert!(matches!(
            store
                .ask_to_join(GroupId(999), late, "", &ask_open, &NoMail, now())
                .await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    an_approved_request_is_a_member_the_room_counts,
    |store: Arc<dyn Store>| async move {
        let (id, slug) = a_group(&store, "Approval", JoinPolicy::Approval, Some(2)).await;
        let seeker = person(&store, "seeker").await;
        let other = person(&store, "other").await;
        assert_eq!(
            room_seen(&store, id, other).await,
            Occupancy {
                capacity: Some(2),
                members: 0
            }
        );

        let asked = ask(&store, id, seeker, &ask_approval).await;
        assert_eq!(asked.before, None);
        assert_eq!(asked.request.state, RequestState::Pending);
        assert_eq!(asked.request.answer, "I would like to come.");
        assert_eq!(asked.request.handle, "seeker");
        assert_eq!(asked.request.slug, slug);
        assert!(asked.request.email_verified);
        assert_eq!(
            store.request(&asked.request.id).await.expect("store"),
            asked.request
        );
        assert_eq!(
            store.request_state(id, seeker).await.expect("store"),
            Some(RequestState::Pending)
        );
        assert_eq!(
            room_seen(&store, id, other).await.members,
            0,
            "a pending request is not a member"
        );

        let later = now() + jiff::SignedDuration::from_hours(1);
        let approved = store
            .change_request(&asked.request.id, &approve, None, &NoMail, later)
            .await
            .expect("store")
            .expect("approved");
        assert_eq!(approved.before, Some(RequestState::Pending));
        assert_eq!(approved.request.state, RequestState::Approved);
        assert_eq!(approved.request.state_changed_at, later);
        assert_eq!(approved.promoted, None);
        assert_eq!(
            room_seen(&store, id, other).await,
            Occupancy {
                capacity: Some(2),
                members: 1
            }
        );
        let members = store
            .group_requests(id, &[RequestState::Approved])
            .await
            .expect("store");
        assert_eq!(members, vec![approved.request.clone()]);
        assert_eq!(
            store.answer_waits(&slug, 10).await.expect("store"),
            vec![3600],
            "the wait from asking to the hosts' answer"
        );
        assert_eq!(
            store
                .change_request(&asked.request.id, &approve, None, &NoMail, later)
                .await
                .expect("store"),
            Err(Refusal::AlreadyDecided)
        );
        assert_eq!(
            store
                .ask_to_join(id, seeker, "again", &ask_approval, &NoMail, now())
                .await
                .expect("store"),
            Err(Refusal::AlreadyMember)
        );
        assert!(matches!(
            store
                .change_request(&RequestId::random(), &approve, None, &NoMail, now())
                .await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    withdrawing_and_asking_again_keep_the_request_and_its_thread,
    |store: Arc<dyn Store>| async move {
        let (id, _) = a_group(&store, "Again", JoinPolicy::Approval, None).await;
        let seeker = person(&store, "seeker").await;
        let first = ask(&store, id, seeker, &ask_approval).await.request;
        let note = NewMessage {
            author: seeker,
            from_host: false,
            body: "Sorry, not this month.",
            hidden_from_hosts: false,
        };
        let withdrawn = store
            .change_request(&first.id, &withdraw, Some(note), &NoMail, now())
            .await
            .expect("store")
            .expect("withdrawn");
        assert_eq!(withdrawn.request.state, RequestState::Withdrawn);
        assert_eq!(
            store
                .change_request(&first.id, &withdraw, None, &NoMail, now())
                .await
                .expect("store"),
            Err(Refusal::NotApplicable)
        );

        let again = store
            .ask_to_join(id, seeker, "Now I can.", &ask_approval, &NoMail, now())
            .await
            .expect("store")
            .expect("asked again");
        assert_eq!(again.before, Some(RequestState::Withdrawn));
        assert_eq!(again.request.id, first.id);
        assert_eq!(again.request.state, RequestState::Pending);
        assert_eq!(again.request.answer, "Now I can.");
        let thread = store.thread(&first.id).await.expect("store");
        assert_eq!(thread.len(), 1);
        assert_eq!(thread[0].body, "Sorry, not this month.");
        assert_eq!(
            store.account_requests(seeker).await.expect("store").len(),
            1
        );
    }
);

crate::on_both_backends!(removing_a_member_lets_the_first_waiting_in, |store: Arc<
    dyn Store,
>| async move {
    let (id, _) = a_group(&store, "Waitlist", JoinPolicy::Open, Some(1)).await;
    let member = person(&store, "member").await;
    let second = person(&store, "second").await;
    let third = person(&store, "third").await;
    let member_request = ask(&store, id, member, &ask_open).await.request;
    let second_request = ask(&store, id, second, &ask_open).await.request;
    let third_request = ask(&store, id, third, &ask_open).await.request;
    assert_eq!(second_request.state, RequestState::Waitlisted);
    assert_eq!(third_request.state, RequestState::Waitlisted);

    let removed = store
        .change_request(&member_request.id, &remove, None, &NoMail, now())
        .await
        .expect("store")
        .expect("removed");
    assert_eq!(removed.request.state, RequestState::Removed);
    let promoted = removed.promoted.expect("the first waiting moves up");
    assert_eq!(promoted.id, second_request.id);
    assert_eq!(promoted.state, RequestState::Approved);
    assert_eq!(
        store.request_state(id, third).await.expect("store"),
        Some(RequestState::Waitlisted)
    );
    assert_eq!(
        store
            .change_request(&member_request.id, &remove, None, &NoMail, now())
            .await
            .expect("store"),
        Err(Refusal::NotApplicable)
    );
    assert_eq!(
        store
            .ask_to_join(id, member, "back?", &ask_open, &NoMail, now())
            .await
            .expect("store"),
        Err(Refusal::AlreadyAnswered)
    );
});

crate::on_both_backends!(
    a_thread_keeps_its_messages_in_order_with_who_may_see_them,
    |store: Arc<dyn Store>| async move {
        let (id, _) = a_group(&store, "Thread", JoinPolicy::Approval, None).await;
        let seeker = person(&store, "seeker").await;
        let host = store.ensure_account("willow", now()).await.expect("host");
        let request = ask(&store, id, seeker, &ask_approval).await.request;
        let later = now() + jiff::SignedDuration::from_mins(5);
        let message = |author, from_host, body, hidden_from_hosts| NewMessage {
            author,
            from_host,
            body,
            hidden_from_hosts,
        };
        store
            .post_message(
                &request.id,
                message(host, true, "Welcome.", false),
                &NoMail,
                now(),
            )
            .await
            .expect("store");
        store
            .post_message(
                &request.id,
                message(seeker, false, "Kept back.", true),
                &NoMail,
                later,
            )
            .await
            .expect("store");

        let thread = store.thread(&request.id).await.expect("store");
        assert_eq!(
            thread,
            vec![
                MessageRecord {
                    author: Some("willow".to_owned()),
                    from_host: true,
                    body: "Welcome.".to_owned(),
                    created_at: now(),
                    hidden_from_hosts: false,
                },
                MessageRecord {
                    author: Some("seeker".to_owned()),
                    from_host: false,
                    body: "Kept back.".to_owned(),
                    created_at: later,
                    hidden_from_hosts: true,
                },
            ]
        );
        assert!(
            store
                .thread(&RequestId::random())
                .await
                .expect("store")
                .is_empty()
        );
    }
);

crate::on_both_backends!(
    the_hosts_see_requests_only_from_confirmed_addresses,
    |store: Arc<dyn Store>| async move {
        let (id, _) = a_group(&store, "Held", JoinPolicy::Approval, None).await;
        let confirmed = person(&store, "confirmed").await;
        let unconfirmed = store
            .ensure_account("unconfirmed", now())
            .await
            .expect("account");
        ask(&store, id, confirmed, &ask_approval).await;
        let held = ask(&store, id, unconfirmed, &ask_approval).await.request;
        assert!(!held.email_verified);

        let pending = store
            .group_requests(id, &[RequestState::Pending])
            .await
            .expect("store");
        let handles: Vec<&str> = pending.iter().map(|r| r.handle.as_str()).collect();
        assert_eq!(handles, ["confirmed"]);
        assert!(
            store
                .group_requests(id, &[])
                .await
                .expect("store")
                .is_empty()
        );
        assert_eq!(
            store.account_requests(unconfirmed).await.expect("store"),
            vec![held],
            "the person who asked still sees their own"
        );
    }
);

crate::on_both_backends!(
    only_listed_open_groups_let_people_in_at_once,
    |store: Arc<dyn Store>| async move {
        let (_, open) = a_group(&store, "Open door", JoinPolicy::Open, None).await;
        let (_, asked) = a_group(&store, "Ask first", JoinPolicy::Approval, None).await;
        let unknown = Slug::for_name("Nowhere");
        let found = store
            .open_policy_groups(&[asked, open.clone(), unknown])
            .await
            .expect("store");
        assert_eq!(found, vec![open]);
        assert!(
            store
                .open_policy_groups(&[])
                .await
                .expect("store")
                .is_empty()
        );
    }
);

/// How many groups race for their last place: not every race interleaves
/// its two transactions, so several make a missing row lock show (without
/// it, PostgreSQL let both in within the first two races in every one of
/// six runs).
const RACES: usize = 5;

crate::on_both_backends!(
    two_approvals_of_the_last_place_at_once_let_exactly_one_in,
    |store: Arc<dyn Store>| async move {
        let mut people = Vec::new();
        for handle in ["first", "second", "third"] {
            people.push(person(&store, handle).await);
        }
        for race in 0..RACES {
            let name = format!("Last place {race}");
            let (id, _) = a_group(&store, &name, JoinPolicy::Approval, Some(2)).await;
            let mut pending = Vec::new();
            for &account in &people {
                pending.push(ask(&store, id, account, &ask_approval).await.request.id);
            }
            store
                .change_request(&pending[0], &approve, None, &NoMail, now())
                .await
                .expect("store")
                .expect("approved");

            // Two connections open before the race, so neither approval
            // waits to connect while the other runs through.
            let (one, two) = tokio::join!(store.ping(), store.ping());
            one.and(two).expect("ping");
            let (a, b) = tokio::join!(
                store.change_request(&pending[1], &approve, None, &NoMail, now()),
                store.change_request(&pending[2], &approve, None, &NoMail, now()),
            );
            let mut states = [
                a.expect("store").expect("decided").request.state,
                b.expect("store").expect("decided").request.state,
            ];
            states.sort_by_key(|s| s.code());
            assert_eq!(
                states,
                [RequestState::Approved, RequestState::Waitlisted],
                "one gets the place, the other waits for one (race {race})"
            );
            let members = store
                .group_requests(id, &[RequestState::Approved])
                .await
                .expect("store");
            assert_eq!(members.len(), 2, "race {race}");
        }
    }
);

/// Tells whoever a change moves up from the waitlist.
struct TellPromoted;

impl Notices<Transition> for TellPromoted {
    fn audience(&self, outcome: &Transition) -> Audience {
        match &outcome.promoted {
            Some(promoted) => Audience::Accounts(vec![promoted.account]),
            None => Audience::Nobody,
        }
    }

    fn mail_for(
        &self,
        _: &Transition,
        to: &Addressee,
    ) -> Result<Option<crate::mail::MailDraft>, crate::mail::notices::ComposeError> {
        TestNotice::to(Audience::Nobody).mail_for(&(), to)
    }
}

crate::on_both_backends!(
    a_change_writes_the_mail_its_outcome_causes_or_none,
    |store: Arc<dyn Store>| async move {
        let (id, _) = a_group(&store, "Waitlist", JoinPolicy::Open, Some(1)).await;
        let member = person(&store, "member").await;
        let second = person(&store, "second").await;
        let member_request = ask(&store, id, member, &ask_open).await.request;
        ask(&store, id, second, &ask_open).await;

        let left = store
            .change_request(&member_request.id, &withdraw, None, &TellPromoted, now())
            .await
            .expect("store")
            .expect("withdrawn");
        assert_eq!(left.promoted.map(|p| p.account), Some(second));
        let outbox = store.claim_mail(now(), now(), 10).await.expect("claim");
        assert_eq!(
            outbox.iter().map(|m| m.subject.clone()).collect::<Vec<_>>(),
            [format!("to {}", second.0)],
            "the person moved up, known only inside the change"
        );

        let told = TestNotice::to(Audience::Accounts(vec![member]));
        let refused = store
            .change_request(&member_request.id, &withdraw, None, &told, now())
            .await
            .expect("store");
        assert!(refused.is_err());
        let failing = TestNotice {
            fails: true,
            ..told.clone()
        };
        let message = NewMessage {
            author: member,
            from_host: false,
            body: "Are you there?",
            hidden_from_hosts: false,
        };
        assert!(
            store
                .post_message(&member_request.id, message, &failing, now())
                .await
                .is_err()
        );
        assert!(
            store
                .thread(&member_request.id)
                .await
                .expect("thread")
                .is_empty(),
            "a message whose mail cannot be written is not posted"
        );
        assert_eq!(
            store.outbox_states().await.expect("outbox").len(),
            1,
            "a refused change mails nobody"
        );
    }
);

crate::on_both_backends!(
    a_request_moves_on_once_however_many_ask_at_once,
    |store: Arc<dyn Store>| async move {
        let (id, _) = a_group(&store, "Together", JoinPolicy::Open, Some(1)).await;
        let member = person(&store, "member").await;
        let second = person(&store, "second").await;
        let request = ask(&store, id, member, &ask_open).await.request;
        ask(&store, id, second, &ask_open).await;
        let leaving: Vec<_> = (0..6)
            .map(|_| {
                let store = store.clone();
                let request = request.id.clone();
                tokio::spawn(async move {
                    store
                        .change_request(&request, &withdraw, None, &TellPromoted, now())
                        .await
                        .expect("store")
                        .is_ok()
                })
            })
            .collect();
        let mut left = 0;
        for one in leaving {
            left += usize::from(one.await.expect("task"));
        }
        assert_eq!(left, 1, "one withdrawal; the others find it withdrawn");
        assert_eq!(
            store.outbox_states().await.expect("outbox").len(),
            1,
            "the person moved up is told once"
        );
    }
);
