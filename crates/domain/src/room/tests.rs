use proptest::prelude::*;

use super::*;

const HOST: Who = Who::Account(1);
const ADA: Who = Who::Account(2);
const BEA: Who = Who::Account(3);
const CYD: Who = Who::Account(4);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A room with the host, Ada and Bea present, in that order.
fn room() -> Room {
    let mut room = Room::new(HOST, DEFAULT_TURN);
    for (who, name) in [(HOST, "host"), (ADA, "ada"), (BEA, "bea")] {
        room.apply(
            who,
            Command::Enter {
                name: name.into(),
                connection: String::new(),
            },
            secs(0),
        )
        .expect("enter");
    }
    room
}

fn turn_of(room: &Room) -> Option<Who> {
    room.turn.map(|t| t.who)
}

#[test]
fn a_round_goes_through_everyone_in_order_of_arrival() {
    let mut room = room();
    let events = room
        .apply(HOST, Command::StartRound { shuffle: None }, secs(10))
        .expect("start");
    let first = room.turn.map(|t| t.number).expect("a turn");
    assert_eq!(
        events,
        vec![
            Event::RoundStarted {
                order: vec![HOST, ADA, BEA]
            },
            Event::TurnStarted {
                who: HOST,
                turn: first
            },
        ]
    );
    room.apply(HOST, Command::Next { turn: None }, secs(70))
        .expect("next");
    assert_eq!(turn_of(&room), Some(ADA));
    // Only the speaker or the facilitator moves on.
    assert_eq!(
        room.apply(BEA, Command::Next { turn: None }, secs(80)),
        Err(Refusal::NotYourTurn)
    );
    let passed = room
        .apply(ADA, Command::Pass { turn: None }, secs(90))
        .expect("pass");
    assert_eq!(
        passed[0],
        Event::TurnEnded {
            who: ADA,
            spoke: Duration::ZERO,
            passed: true
        }
    );
    assert_eq!(turn_of(&room), Some(BEA));
    let last = room
        .apply(HOST, Command::Next { turn: None }, secs(150))
        .expect("last");
    assert!(last.contains(&Event::RoundEnded));
    assert_eq!(room.mode, Mode::Open);
    assert_eq!(room.person(HOST).map(|p| p.spoken), Some(secs(60)));
    assert_eq!(room.person(BEA).map(|p| p.spoken), Some(secs(60)));
}

#[test]
fn a_shuffled_round_follows_the_draws() {
    let mut room = room();
    room.apply(
        HOST,
        Command::StartRound {
            shuffle: Some(vec![30, 10, 20]),
        },
        secs(0),
    )
    .expect("start");
    assert_eq!(
        room.mode,
        Mode::Round {
            order: vec![ADA, BEA, HOST],
            position: 0
        }
    );
}

#[test]
fn time_up_is_a_cue_once_never_a_cut_off() {
    let mut room = room();
    room.apply(HOST, Command::StartRound { shuffle: None }, secs(0))
        .expect("start");
    assert_eq!(room.apply(ADA, Command::Tick, secs(179)), Ok(vec![]));
    assert_eq!(
        room.apply(ADA, Command::Tick, secs(180)),
        Ok(vec![Event::TimeUp { who: HOST }])
    );
    assert_eq!(room.apply(ADA, Command::Tick, secs(240)), Ok(vec![]));
    assert_eq!(turn_of(&room), Some(HOST), "still speaking");
}

#[test]
fn the_queue_puts_those_who_have_not_spoken_first() {
    let mut room = room();
    room.apply(
        HOST,
        Command::Enter {
            name: "host".into(),
            connection: String::new(),
        },
        secs(0),
    )
    .expect("again");
    room.apply(
        CYD,
        Command::Enter {
            name: "cyd".into(),
            connection: String::new(),
        },
        secs(0),
    )
    .expect("cyd");
    room.apply(HOST, Command::OpenSharing, secs(0))
        .expect("open");
    // Ada speaks two minutes.
    room.apply(HOST, Command::Call { who: Some(ADA) }, secs(0))
        .expect("call ada");
    room.apply(ADA, Command::Yield, secs(120)).expect("yield");
    // Ada raises her hand first, then Bea, then Cyd.
    for who in [ADA, BEA, CYD] {
        room.apply(who, Command::RaiseHand, secs(130))
            .expect("hand");
    }
    assert_eq!(room.fairest_hand(), Some(BEA), "not spoken, earliest hand");
    room.apply(HOST, Command::Call { who: None }, secs(140))
        .expect("call");
    assert_eq!(turn_of(&room), Some(BEA));
    room.apply(BEA, Command::Yield, secs(200)).expect("yield");
    room.apply(HOST, Command::Call { who: None }, secs(200))
        .expect("call");
    assert_eq!(turn_of(&room), Some(CYD), "Cyd has not spoken yet");
    room.apply(CYD, Command::Yield, secs(400)).expect("yield");
    room.apply(BEA, Command::RaiseHand, secs(400))
        .expect("hand");
    // Ada spoke 120 s, Bea 60 s: the least time goes first.
    assert_eq!(room.fairest_hand(), Some(BEA));
    room.apply(BEA, Command::LowerHand, secs(401))
        .expect("lower");
    assert_eq!(room.fairest_hand(), Some(ADA));
}

#[test]
fn a_removed_person_cannot_come_back_to_this_meeting() {
    let mut room = room();
    let events = room
        .apply(HOST, Command::Remove { who: BEA }, secs(5))
        .expect("remove");
    assert!(events.contains(&Event::Removed { who: BEA }));
    assert_eq!(
        room.apply(
            BEA,
            Command::Enter {
                name: "bea".into(),
                connection: String::new()
            },
            secs(6)
        ),
        Err(Refusal::Removed)
    );
    assert_eq!(
        room.apply(ADA, Command::Remove { who: HOST }, secs(7)),
        Err(Refusal::NotFacilitator)
    );
}

#[test]
fn the_side_channel_is_moderated() {
    let mut room = room();
    let said = room
        .apply(
            ADA,
            Command::Say {
                text: " hello ".into(),
            },
            secs(1),
        )
        .expect("say");
    let Event::Said { id, text, .. } = &said[0] else {
        panic!("{said:?}");
    };
    assert_eq!(text, "hello");
    room.apply(HOST, Command::RemoveMessage { id: *id }, secs(2))
        .expect("remove");
    assert!(room.messages.is_empty());
    room.apply(
        HOST,
        Command::Mute {
            who: ADA,
            muted: true,
        },
        secs(3),
    )
    .expect("mute");
    assert_eq!(
        room.apply(ADA, Command::Say { text: "hi".into() }, secs(4)),
        Err(Refusal::InvalidText)
    );
    assert_eq!(
        room.apply(
            BEA,
            Command::Say {
                text: "x".repeat(MESSAGE_MAX + 1)
            },
            secs(5)
        ),
        Err(Refusal::InvalidText)
    );
}

#[test]
fn guests_take_turns_and_facilitation_can_be_handed_over() {
    let mut room = room();
    let added = room
        .apply(HOST, Command::AddGuest { name: "Mo".into() }, secs(0))
        .expect("guest");
    let Event::Entered { who: guest, .. } = added[0] else {
        panic!("{added:?}");
    };
    room.apply(HOST, Command::StartRound { shuffle: None }, secs(0))
        .expect("start");
    let Mode::Round { order, .. } = &room.mode else {
        panic!("not a round");
    };
    assert_eq!(order.last(), Some(&guest));
    room.apply(HOST, Command::HandOver { to: ADA }, secs(1))
        .expect("hand over");
    assert_eq!(room.facilitator, ADA);
    assert_eq!(
        room.apply(HOST, Command::EndRound, secs(2)),
        Err(Refusal::NotFacilitator)
    );
    assert_eq!(
        room.apply(ADA, Command::HandOver { to: guest }, secs(3)),
        Err(Refusal::Unknown),
        "a person without a device cannot facilitate"
    );
}

#[test]
fn a_speaker_whose_connection_drops_keeps_the_turn_for_the_grace() {
    let mut room = room();
    room.apply(HOST, Command::StartRound { shuffle: None }, secs(0))
        .expect("start");
    room.apply(HOST, Command::Next { turn: None }, secs(10))
        .expect("next");
    let adas = room.turn.expect("ada's turn").number;
    let left = leave(&mut room, ADA, "");
    assert_eq!(left, vec![Event::Left { who: ADA }], "the turn stays hers");
    assert_eq!(room.turn_of_someone_away(), Some(adas));
    assert_eq!(
        room.apply(ADA, Command::RaiseHand, secs(21)),
        Err(Refusal::NotPresent)
    );
    // Back within the grace: still her turn, and the server's later
    // "grace over" changes nothing.
    enter(&mut room, ADA, "");
    assert_eq!(room.turn_of_someone_away(), None);
    assert_eq!(
        room.apply(HOST, Command::SpeakerGraceOver { turn: adas }, secs(50)),
        Ok(vec![])
    );
    assert_eq!(turn_of(&room), Some(ADA));
    // Gone past the grace: the round moves on to Bea.
    leave(&mut room, ADA, "");
    let moved = room
        .apply(HOST, Command::SpeakerGraceOver { turn: adas }, secs(80))
        .expect("grace over");
    assert!(
        moved
            .iter()
            .any(|e| matches!(e, Event::TurnEnded { who: ADA, .. }))
    );
    assert_eq!(turn_of(&room), Some(BEA));
}

#[test]
fn someone_just_listening_is_passed_by_in_rounds() {
    let mut room = room();
    assert_eq!(
        room.apply(ADA, Command::Listen { listening: true }, secs(1)),
        Ok(vec![Event::ListeningChanged {
            who: ADA,
            listening: true
        }])
    );
    assert_eq!(
        room.apply(ADA, Command::Listen { listening: true }, secs(2)),
        Ok(vec![]),
        "no change, no event"
    );
    let started = room
        .apply(HOST, Command::StartRound { shuffle: None }, secs(3))
        .expect("start");
    assert_eq!(
        started[0],
        Event::RoundStarted {
            order: vec![HOST, BEA]
        }
    );
    // Bea decides to listen during the round: her turn is passed by too.
    room.apply(BEA, Command::Listen { listening: true }, secs(4))
        .expect("listen");
    let next = room
        .apply(HOST, Command::Next { turn: None }, secs(10))
        .expect("next");
    assert!(next.contains(&Event::RoundEnded), "{next:?}");
}

#[test]
fn removing_the_speaker_moves_the_round_on_at_once() {
    let mut room = room();
    room.apply(HOST, Command::StartRound { shuffle: None }, secs(0))
        .expect("start");
    room.apply(HOST, Command::Next { turn: None }, secs(10))
        .expect("next");
    let removed = room
        .apply(HOST, Command::Remove { who: ADA }, secs(20))
        .expect("remove");
    assert!(
        removed
            .iter()
            .any(|e| matches!(e, Event::TurnStarted { who: BEA, .. }))
    );
}

fn enter(room: &mut Room, who: Who, connection: &str) -> Vec<Event> {
    room.apply(
        who,
        Command::Enter {
            name: "someone".into(),
            connection: connection.into(),
        },
        secs(1),
    )
    .expect("enter")
}

fn leave(room: &mut Room, who: Who, connection: &str) -> Vec<Event> {
    room.apply(
        who,
        Command::Leave {
            connection: connection.into(),
        },
        secs(2),
    )
    .expect("leave")
}

#[test]
fn a_person_is_present_while_any_of_their_connections_is_open() {
    let mut room = Room::new(HOST, DEFAULT_TURN);
    assert_eq!(enter(&mut room, ADA, "tab-1").len(), 1);
    assert_eq!(enter(&mut room, ADA, "tab-2"), vec![], "no second arrival");
    assert_eq!(leave(&mut room, ADA, "tab-1"), vec![]);
    assert_eq!(
        room.apply(ADA, Command::Say { text: "hi".into() }, secs(3))
            .map(|e| e.len()),
        Ok(1),
        "still present"
    );
    assert_eq!(
        leave(&mut room, ADA, "tab-1"),
        vec![],
        "a close heard twice"
    );
    assert_eq!(
        leave(&mut room, ADA, "tab-2"),
        vec![Event::Left { who: ADA }]
    );
    assert_eq!(enter(&mut room, ADA, "tab-3").len(), 1, "back again");
}

#[test]
fn a_second_end_of_the_same_turn_changes_nothing() {
    let mut room = room();
    room.apply(HOST, Command::StartRound { shuffle: None }, secs(0))
        .expect("start");
    room.apply(HOST, Command::Next { turn: None }, secs(10))
        .expect("next");
    let adas = room.turn.expect("ada's turn");
    assert_eq!(adas.who, ADA);
    // Ada and the facilitator press at the same moment: one ends it.
    room.apply(
        ADA,
        Command::Pass {
            turn: Some(adas.number),
        },
        secs(20),
    )
    .expect("pass");
    let before = room.clone();
    assert_eq!(
        room.apply(
            HOST,
            Command::Next {
                turn: Some(adas.number)
            },
            secs(20)
        ),
        Err(Refusal::TurnOver)
    );
    assert_eq!(room, before);
    assert_eq!(turn_of(&room), Some(BEA), "Bea is not skipped");
}

#[test]
fn the_sites_moderators_remove_a_message_whoever_facilitates_and_once() {
    let mut room = room();
    let said = room
        .apply(ADA, Command::Say { text: "hi".into() }, secs(1))
        .expect("say");
    let Event::Said { id, .. } = said[0] else {
        panic!("{said:?}");
    };
    // Ada left and was removed, and the site is nobody in the room: it
    // removes the message anyway.
    room.apply(HOST, Command::Remove { who: ADA }, secs(2))
        .expect("remove ada");
    let moderator = Who::Account(99);
    assert_eq!(
        room.apply(moderator, Command::SiteRemoveMessage { id }, secs(3)),
        Ok(vec![Event::MessageRemoved { id }])
    );
    assert!(room.messages.is_empty());
    let before = room.clone();
    assert_eq!(
        room.apply(moderator, Command::SiteRemoveMessage { id }, secs(4)),
        Ok(Vec::new()),
        "a removal that finds nothing is no refusal"
    );
    assert_eq!(room, before);
    // A participant cannot remove it without facilitating.
    let said = room
        .apply(
            BEA,
            Command::Say {
                text: "hello".into(),
            },
            secs(5),
        )
        .expect("say");
    let Event::Said { id, .. } = said[0] else {
        panic!("{said:?}");
    };
    assert_eq!(
        room.apply(BEA, Command::RemoveMessage { id }, secs(6)),
        Err(Refusal::NotFacilitator)
    );
}

#[test]
fn entering_leaving_and_the_clock_are_the_servers_alone() {
    for command in [
        Command::Enter {
            name: "roomhost (facilitator)".into(),
            connection: String::new(),
        },
        Command::Leave {
            connection: String::new(),
        },
        Command::Tick,
        Command::ReturnFacilitation { absence: 1 },
        Command::SiteRemoveMessage { id: 1 },
    ] {
        assert!(!command.from_client(), "{command:?}");
    }
    assert!(Command::RaiseHand.from_client());
    assert!(Command::TakeFacilitation.from_client());
}

#[test]
fn a_guests_name_follows_the_rules_of_a_display_name() {
    let mut room = room();
    for bad in [
        "",
        "   ",
        "\u{202E}tsoh",
        "a\u{0}b",
        "two\nlines",
        &"x".repeat(3_900),
    ] {
        assert_eq!(
            room.apply(HOST, Command::AddGuest { name: bad.into() }, secs(1)),
            Err(Refusal::InvalidName),
            "{bad:?}"
        );
    }
    let added = room
        .apply(
            HOST,
            Command::AddGuest {
                name: "  Marta ".into(),
            },
            secs(1),
        )
        .expect("added");
    assert!(matches!(&added[0], Event::Entered { name, .. } if name == "Marta"));
}

#[test]
fn facilitation_returns_to_a_host_who_can_also_take_it_back() {
    let mut room = room().with_hosts(vec![HOST]);
    room.apply(HOST, Command::HandOver { to: ADA }, secs(1))
        .expect("hand over");
    // Ada cannot remove the group's host; a member cannot take facilitation.
    assert_eq!(
        room.apply(ADA, Command::Remove { who: HOST }, secs(2)),
        Err(Refusal::HostProtected)
    );
    assert_eq!(
        room.apply(BEA, Command::TakeFacilitation, secs(2)),
        Err(Refusal::NotHost)
    );
    // Ada goes away: after the grace the server returns facilitation, but
    // not for an absence she already came back from.
    leave(&mut room, ADA, "");
    let first = room.absences;
    enter(&mut room, ADA, "");
    leave(&mut room, ADA, "");
    assert_eq!(
        room.apply(
            ADA,
            Command::ReturnFacilitation { absence: first },
            secs(40)
        ),
        Ok(vec![])
    );
    assert_eq!(
        room.apply(
            ADA,
            Command::ReturnFacilitation {
                absence: room.absences
            },
            secs(40)
        ),
        Ok(vec![Event::FacilitatorChanged { to: HOST }])
    );
    // And a host takes it back at any time.
    enter(&mut room, ADA, "");
    room.apply(HOST, Command::HandOver { to: ADA }, secs(50))
        .expect("hand over again");
    assert_eq!(
        room.apply(HOST, Command::TakeFacilitation, secs(51)),
        Ok(vec![Event::FacilitatorChanged { to: HOST }])
    );
    assert_eq!(
        room.apply(HOST, Command::TakeFacilitation, secs(52)),
        Ok(vec![])
    );
}

fn any_who() -> impl Strategy<Value = Who> {
    prop_oneof![Just(HOST), Just(ADA), Just(BEA), Just(CYD)]
}

fn any_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Enter {
            name: "x".into(),
            connection: String::new()
        }),
        Just(Command::Leave {
            connection: String::new()
        }),
        Just(Command::StartRound { shuffle: None }),
        Just(Command::Next { turn: None }),
        Just(Command::Pass { turn: None }),
        Just(Command::EndRound),
        Just(Command::OpenSharing),
        Just(Command::RaiseHand),
        Just(Command::RaiseHand),
        Just(Command::LowerHand),
        Just(Command::Call { who: None }),
        Just(Command::Call { who: None }),
        any_who().prop_map(|who| Command::Call { who: Some(who) }),
        Just(Command::Yield),
        Just(Command::Tick),
    ]
}

proptest! {
    /// Whenever the next speaker is taken from the queue, nobody who has
    /// spoken is chosen while someone who has not is waiting; nobody ever
    /// speaks longer than the meeting has lasted; a refusal changes nothing.
    #[test]
    fn the_queue_is_fair(steps in proptest::collection::vec((any_who(), any_command(), 0u64..300), 1..120)) {
        let mut room = room();
        let mut now = Duration::ZERO;
        for (actor, command, wait) in steps {
            now += secs(wait);
            let before = room.clone();
            let waiting_unspoken: Vec<Who> = room
                .hands
                .iter()
                .filter(|h| room.person(h.who).is_some_and(|p| !p.has_spoken))
                .map(|h| h.who)
                .collect();
            let from_queue = command == Command::Call { who: None };
            match room.apply(actor, command, now) {
                Ok(events) => {
                    if from_queue && !waiting_unspoken.is_empty() {
                        let chosen = turn_of(&room).expect("a turn");
                        prop_assert!(waiting_unspoken.contains(&chosen), "{chosen:?} over {waiting_unspoken:?}");
                    }
                    for event in &events {
                        if let Event::TurnEnded { spoke, .. } = event {
                            prop_assert!(*spoke <= now);
                        }
                    }
                }
                Err(_) => prop_assert_eq!(&room, &before),
            }
            for person in &room.people {
                prop_assert!(person.spoken <= now);
            }
        }
    }
}
