use proptest::prelude::*;

use super::*;

const ROOMY: Occupancy = Occupancy {
    capacity: None,
    members: 40,
};
const FULL: Occupancy = Occupancy {
    capacity: Some(3),
    members: 3,
};

#[test]
fn codes_parse_back() {
    for policy in JoinPolicy::ALL {
        assert_eq!(JoinPolicy::parse(policy.code()), Some(*policy));
    }
    for state in RequestState::ALL {
        assert_eq!(RequestState::parse(state.code()), Some(*state));
    }
    assert_eq!(JoinPolicy::parse("closed"), None);
}

#[test]
fn each_policy_starts_a_request_its_own_way() {
    assert_eq!(
        on_ask(JoinPolicy::Open, None, false, ROOMY),
        Ok(RequestState::Approved)
    );
    assert_eq!(
        on_ask(JoinPolicy::Approval, None, false, ROOMY),
        Ok(RequestState::Pending)
    );
    assert_eq!(
        on_ask(JoinPolicy::InviteOnly, None, false, ROOMY),
        Err(Refusal::InvitationRequired)
    );
    assert_eq!(
        on_ask(JoinPolicy::InviteOnly, None, true, ROOMY),
        Ok(RequestState::Approved)
    );
    assert_eq!(
        on_ask(JoinPolicy::Approval, None, true, ROOMY),
        Ok(RequestState::Approved),
        "an invitation skips the question"
    );
}

#[test]
fn a_full_group_puts_people_on_its_waitlist() {
    assert_eq!(
        on_ask(JoinPolicy::Open, None, false, FULL),
        Ok(RequestState::Waitlisted)
    );
    assert_eq!(
        on_decision(RequestState::Pending, Decision::Approve, FULL),
        Ok(RequestState::Waitlisted)
    );
    assert_eq!(
        on_decision(RequestState::Waitlisted, Decision::Approve, FULL),
        Err(Refusal::Full)
    );
    assert!(
        Occupancy {
            capacity: Some(3),
            members: 2
        }
        .has_place()
    );
}

#[test]
fn nobody_asks_twice_and_only_removed_people_come_back_with_an_invitation() {
    use RequestState::*;
    for (previous, refusal) in [
        (Pending, Some(Refusal::AlreadyAsked)),
        (Waitlisted, Some(Refusal::AlreadyAsked)),
        (Approved, Some(Refusal::AlreadyMember)),
        (Declined, Some(Refusal::AlreadyAnswered)),
        (Removed, Some(Refusal::AlreadyAnswered)),
        (Blocked, Some(Refusal::AlreadyAnswered)),
        (Withdrawn, None),
        (Left, None),
    ] {
        let result = on_ask(JoinPolicy::Approval, Some(previous), false, ROOMY);
        assert_eq!(result.err(), refusal, "after {previous:?}");
    }
    assert_eq!(
        on_ask(JoinPolicy::Approval, Some(Removed), true, ROOMY),
        Ok(Approved)
    );
    assert_eq!(
        on_ask(JoinPolicy::Open, Some(Blocked), true, ROOMY),
        Err(Refusal::AlreadyAnswered),
        "an invitation does not lift a block"
    );
    assert_eq!(
        on_ask(JoinPolicy::Open, Some(Declined), true, ROOMY),
        Err(Refusal::AlreadyAnswered),
        "nor a decline, which must read the same as a block"
    );
}

#[test]
fn a_decided_request_is_not_decided_again() {
    use RequestState::*;
    for state in [Approved, Declined, Withdrawn, Left, Removed, Blocked] {
        for decision in [Decision::Approve, Decision::Decline] {
            assert_eq!(
                on_decision(state, decision, ROOMY),
                Err(Refusal::AlreadyDecided)
            );
        }
    }
    assert_eq!(on_decision(Pending, Decision::Decline, ROOMY), Ok(Declined));
}

#[test]
fn leaving_removing_and_blocking() {
    use RequestState::*;
    assert_eq!(on_withdraw(Pending), Ok(Withdrawn));
    assert_eq!(on_withdraw(Approved), Ok(Left));
    assert_eq!(on_withdraw(Declined), Err(Refusal::NotApplicable));
    assert_eq!(on_remove(Approved), Ok(Removed));
    assert_eq!(on_remove(Pending), Err(Refusal::NotApplicable));
    assert_eq!(on_block(Pending), Ok(Blocked));
    assert_eq!(on_block(Blocked), Err(Refusal::NotApplicable));
    assert!(frees_a_place(Approved, Left));
    assert!(frees_a_place(Approved, Blocked));
    assert!(!frees_a_place(Waitlisted, Removed));
}

#[test]
fn a_block_is_never_announced() {
    assert_eq!(
        RequestState::Blocked.as_seen_by_seeker(),
        RequestState::Declined
    );
    assert_eq!(
        RequestState::Waitlisted.as_seen_by_seeker(),
        RequestState::Waitlisted
    );
}

#[test]
fn only_open_groups_may_publish_their_call_link() {
    let mut settings = JoinSettings {
        publish_call_link: true,
        ..JoinSettings::default()
    };
    assert!(!settings.private_details_are_public());
    settings.policy = JoinPolicy::Open;
    assert!(settings.private_details_are_public());
    settings.publish_call_link = false;
    assert!(!settings.private_details_are_public());
}

fn any_state() -> impl Strategy<Value = RequestState> {
    proptest::sample::select(RequestState::ALL)
}

fn any_policy() -> impl Strategy<Value = JoinPolicy> {
    proptest::sample::select(JoinPolicy::ALL)
}

fn any_room() -> impl Strategy<Value = Occupancy> {
    (proptest::option::of(0u32..5), 0u32..6).prop_map(|(capacity, members)| Occupancy {
        capacity,
        members: capacity.map_or(members, |c| members.min(c)),
    })
}

proptest! {
    /// Nobody becomes a member of a full group by any step.
    #[test]
    fn a_full_group_never_gains_a_member(
        policy in any_policy(),
        previous in proptest::option::of(any_state()),
        invited in any::<bool>(),
        state in any_state(),
        members in 0u32..5,
    ) {
        let full = Occupancy { capacity: Some(members), members };
        prop_assert_ne!(on_ask(policy, previous, invited, full), Ok(RequestState::Approved));
        for decision in [Decision::Approve, Decision::Decline] {
            prop_assert_ne!(on_decision(state, decision, full), Ok(RequestState::Approved));
        }
    }

    /// A blocked person never gets back in, whatever they hold.
    #[test]
    fn a_block_holds(policy in any_policy(), invited in any::<bool>(), room in any_room()) {
        prop_assert_eq!(
            on_ask(policy, Some(RequestState::Blocked), invited, room),
            Err(Refusal::AlreadyAnswered)
        );
    }

    /// Asking again after a block answers exactly what asking again after a
    /// decline answers, so the block never shows.
    #[test]
    fn asking_after_a_block_reads_as_after_a_decline(
        policy in any_policy(),
        invited in any::<bool>(),
        room in any_room(),
    ) {
        prop_assert_eq!(
            on_ask(policy, Some(RequestState::Blocked), invited, room),
            on_ask(policy, Some(RequestState::Declined), invited, room)
        );
    }
}
