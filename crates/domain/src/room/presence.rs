//! Who is in the room and who facilitates: a person is present while any
//! of their connections is open; a speaker whose connection dropped keeps
//! the turn for a grace, and facilitation goes back to a host when the
//! facilitator stays away.

use std::time::Duration;

use super::{Event, Mode, Person, Room, Who};

impl Room {
    /// Facilitation goes back to the first host present, when the
    /// facilitator is still away since their `absence`-th absence.
    pub(super) fn return_facilitation(&mut self, absence: u64) -> Vec<Event> {
        if absence != self.absences || self.is_present(self.facilitator) {
            return Vec::new();
        }
        let host = self
            .hosts
            .iter()
            .copied()
            .find(|h| self.is_present(*h) && !self.removed.contains(h));
        match host {
            Some(to) => {
                self.facilitator = to;
                vec![Event::FacilitatorChanged { to }]
            }
            None => Vec::new(),
        }
    }

    pub(super) fn enter(
        &mut self,
        who: Who,
        name: String,
        connection: String,
        events: &mut Vec<Event>,
    ) {
        let mut connections = Vec::new();
        if !connection.is_empty() {
            connections.push(connection);
        }
        match self.person_mut(who) {
            Some(person) => {
                for connection in connections {
                    if !person.connections.contains(&connection) {
                        person.connections.push(connection);
                    }
                }
                if person.present {
                    return;
                }
                person.present = true;
            }
            None => {
                let arrived = self.next_number();
                self.people.push(Person {
                    who,
                    name: name.clone(),
                    present: true,
                    muted: false,
                    listening: false,
                    spoken: Duration::ZERO,
                    has_spoken: false,
                    arrived,
                    connections,
                });
            }
        }
        events.push(Event::Entered { who, name });
    }

    /// One of the person's connections closed: they go out with their
    /// last one (or with any, for a log written before connections were
    /// counted).
    pub(super) fn leave_connection(
        &mut self,
        who: Who,
        connection: &str,
        now: Duration,
        events: &mut Vec<Event>,
    ) {
        if let Some(person) = self.person_mut(who) {
            person.connections.retain(|c| c != connection);
            if !connection.is_empty() && !person.connections.is_empty() {
                return;
            }
        }
        // A dropped connection keeps the speaker's turn for the grace the
        // server gives ([`super::Command::SpeakerGraceOver`]).
        self.leave(who, now, true, events);
    }

    /// The person goes out; their turn ends with them unless `keep_turn`.
    pub(super) fn leave(
        &mut self,
        who: Who,
        now: Duration,
        keep_turn: bool,
        events: &mut Vec<Event>,
    ) {
        if !keep_turn && self.turn.map(|t| t.who) == Some(who) {
            self.end_turn(now, false, events);
            if matches!(self.mode, Mode::Round { .. }) {
                self.advance_round(now, events);
            }
        }
        self.lower(who);
        let facilitator = self.facilitator;
        let mut went = false;
        if let Some(person) = self.person_mut(who) {
            person.connections.clear();
            if person.present {
                person.present = false;
                went = true;
            }
        }
        if went {
            if who == facilitator {
                self.absences += 1;
            }
            events.push(Event::Left { who });
        }
    }

    /// The number of the turn whose speaker is away, if that is so.
    pub fn turn_of_someone_away(&self) -> Option<u64> {
        self.turn
            .filter(|turn| !self.is_present(turn.who))
            .map(|turn| turn.number)
    }

    /// Ends turn `number` when its speaker is still away after the grace.
    pub(super) fn end_turn_of_someone_away(&mut self, number: u64, now: Duration) -> Vec<Event> {
        let mut events = Vec::new();
        if self.turn_of_someone_away() == Some(number) {
            self.end_turn(now, false, &mut events);
            if matches!(self.mode, Mode::Round { .. }) {
                self.advance_round(now, &mut events);
            }
        }
        events
    }
}
