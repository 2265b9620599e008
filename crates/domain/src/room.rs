//! The live facilitation room's rules, as a pure state machine: a command
//! and the time go in; the next state and the events that happened come
//! out. No I/O and no clock of its own, so the server can store the events,
//! replay them after a restart, and fan them out to every instance in one
//! order — and tests can run a whole meeting with paused time.
//!
//! A room carries *turns*, not voices: a check-in round (an order, an
//! equal timer for each, "pass" always allowed) and open sharing (raised
//! hands, fairest first). Time's up is a cue, never a cut-off.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How long a turn lasts unless the host chose otherwise.
pub const DEFAULT_TURN: Duration = Duration::from_secs(180);
/// The longest a chat message may be, in characters.
pub const MESSAGE_MAX: usize = 1_000;

/// Someone in the room: a member or host with an account, or a person the
/// facilitator added who has no device (in the room, on the phone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// An account, by its internal id.
    Account(i64),
    /// A person without a device, numbered in the room.
    Guest(u32),
}

/// One person in the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Who.
    pub who: Who,
    /// The pseudonym, or the first name the facilitator typed.
    pub name: String,
    /// In the room now (guests are present until removed).
    pub present: bool,
    /// Their text is hidden from the side-channel.
    pub muted: bool,
    /// They came to listen today: rounds pass them by.
    #[serde(default)]
    pub listening: bool,
    /// Time spoken in this meeting, over every turn.
    pub spoken: Duration,
    /// Whether they have had a turn (passing counts: they were offered one).
    pub has_spoken: bool,
    /// Order of arrival, for the round's default order and ties.
    pub arrived: u64,
    /// Their open connections, by id: present while there is one.
    #[serde(skip)]
    pub connections: Vec<String>,
}

/// What the room is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Mode {
    /// Between rounds: people talk as they like.
    #[default]
    Open,
    /// A check-in round: everyone in `order`, one after another.
    Round {
        /// The order of the round.
        order: Vec<Who>,
        /// Whose turn it is, as an index into `order`.
        position: usize,
    },
    /// Open sharing: raised hands, the fairest first.
    Sharing,
}

/// The current turn, in either mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// Its number in the room, which `next` and `pass` name.
    pub number: u64,
    /// Who speaks.
    pub who: Who,
    /// When the turn began (time since the room opened).
    pub started: Duration,
    /// Whether the time's-up cue was given.
    pub cued: bool,
}

/// A raised hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hand {
    /// Whose.
    pub who: Who,
    /// When it went up, in the room's own order.
    pub raised: u64,
}

/// A message in the text side-channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Its number in the room.
    pub id: u64,
    /// Who wrote it.
    pub from: Who,
    /// The text.
    pub text: String,
}

/// A room's whole state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    /// Who facilitates.
    pub facilitator: Who,
    /// The group's hosts: they may take facilitation, and only they may
    /// remove one of them.
    pub hosts: Vec<Who>,
    /// How many times the facilitator went away, so that facilitation
    /// returns only after the absence that asked for it.
    pub absences: u64,
    /// How long each turn is.
    pub turn_length: Duration,
    /// Everyone who came, in order of arrival.
    pub people: Vec<Person>,
    /// Removed from this meeting: they cannot come back.
    pub removed: Vec<Who>,
    /// Round, sharing or neither.
    pub mode: Mode,
    /// The turn under way.
    pub turn: Option<Turn>,
    /// Raised hands, in the order they went up.
    pub hands: Vec<Hand>,
    /// The side-channel.
    pub messages: Vec<Message>,
    /// The next number for arrivals, hands, messages and guests.
    pub counter: u64,
}

/// The outcome of a command: the events it caused (the new state is the
/// room it was applied to).
pub type Outcome = Result<Vec<Event>, Refusal>;

impl Room {
    /// An empty room, facilitated by `facilitator` (a host), with turns of
    /// `turn_length`.
    pub fn new(facilitator: Who, turn_length: Duration) -> Self {
        Self {
            facilitator,
            hosts: vec![facilitator],
            absences: 0,
            turn_length,
            people: Vec::new(),
            removed: Vec::new(),
            mode: Mode::Open,
            turn: None,
            hands: Vec::new(),
            messages: Vec::new(),
            counter: 0,
        }
    }

    /// The same room with the group's hosts (the facilitator first).
    pub fn with_hosts(mut self, hosts: Vec<Who>) -> Self {
        self.hosts = hosts;
        self
    }

    /// The person with this id, if they ever came.
    pub fn person(&self, who: Who) -> Option<&Person> {
        self.people.iter().find(|p| p.who == who)
    }

    fn person_mut(&mut self, who: Who) -> Option<&mut Person> {
        self.people.iter_mut().find(|p| p.who == who)
    }

    fn is_present(&self, who: Who) -> bool {
        self.person(who).is_some_and(|p| p.present)
    }

    fn next_number(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// The raised hand to call next: those who have not spoken in this
    /// meeting first, then the least speaking time, then the earliest hand.
    pub fn fairest_hand(&self) -> Option<Who> {
        self.hands
            .iter()
            .filter_map(|hand| self.person(hand.who).map(|p| (hand, p)))
            .min_by_key(|(hand, p)| (p.has_spoken, p.spoken, hand.raised))
            .map(|(hand, _)| hand.who)
    }

    /// Applies `command` by `actor` at `now` (time since the room opened):
    /// the room changes and the events are answered, or nothing changes
    /// and the refusal is answered.
    pub fn apply(&mut self, actor: Who, command: Command, now: Duration) -> Outcome {
        match command {
            // The clock is nobody: it only cues.
            Command::Tick => return Ok(self.tick(now)),
            Command::ReturnFacilitation { absence } => return Ok(self.return_facilitation(absence)),
            Command::SpeakerGraceOver { turn } => {
                return Ok(self.end_turn_of_someone_away(turn, now));
            }
            // The site's authority, not a participant's: no one need be
            // present or facilitate, and a removal that came too late to
            // find the message is no refusal (the decision stands).
            Command::SiteRemoveMessage { id } => return Ok(self.remove_message(id)),
            _ => {}
        }
        if self.removed.contains(&actor) {
            return Err(Refusal::Removed);
        }
        let facilitates = actor == self.facilitator;
        if command_needs_facilitator(&command) && !facilitates {
            return Err(Refusal::NotFacilitator);
        }
        if !matches!(command, Command::Enter { .. }) && !self.is_present(actor) {
            return Err(Refusal::NotPresent);
        }
        let mut events = Vec::new();
        match command {
            Command::Enter { name, connection } => {
                self.enter(actor, name, connection, &mut events);
            }
            Command::Leave { connection } => {
                self.leave_connection(actor, &connection, now, &mut events);
            }
            Command::AddGuest { name } => {
                let name = guest_name(&name).ok_or(Refusal::InvalidName)?;
                let number = self.next_number();
                let guest = Who::Guest(u32::try_from(number).unwrap_or(u32::MAX));
                self.enter(guest, name, String::new(), &mut events);
            }
            Command::StartRound { shuffle } => self.start_round(shuffle, now, &mut events)?,
            Command::Next { turn: named } | Command::Pass { turn: named } => {
                let passed = matches!(command, Command::Pass { .. });
                let turn = match (self.turn, named) {
                    (Some(turn), Some(number)) if turn.number != number => {
                        return Err(Refusal::TurnOver);
                    }
                    (Some(turn), _) => turn,
                    (None, Some(_)) => return Err(Refusal::TurnOver),
                    (None, None) => return Err(Refusal::NobodyWaiting),
                };
                if turn.who != actor && !facilitates {
                    return Err(Refusal::NotYourTurn);
                }
                self.end_turn(now, passed, &mut events);
                if matches!(self.mode, Mode::Round { .. }) {
                    self.advance_round(now, &mut events);
                }
            }
            Command::EndRound => {
                if !matches!(self.mode, Mode::Round { .. }) {
                    return Err(Refusal::WrongMode);
                }
                self.end_turn(now, false, &mut events);
                self.mode = Mode::Open;
                events.push(Event::RoundEnded);
            }
            Command::OpenSharing => {
                self.end_turn(now, false, &mut events);
                if matches!(self.mode, Mode::Round { .. }) {
                    events.push(Event::RoundEnded);
                }
                self.mode = Mode::Sharing;
                events.push(Event::SharingOpened);
            }
            Command::RaiseHand => {
                if self.mode != Mode::Sharing {
                    return Err(Refusal::WrongMode);
                }
                if !self.hands.iter().any(|h| h.who == actor)
                    && self.turn.map(|t| t.who) != Some(actor)
                {
                    let raised = self.next_number();
                    self.hands.push(Hand { who: actor, raised });
                    events.push(Event::HandRaised { who: actor });
                }
            }
            Command::LowerHand => {
                if self.lower(actor) {
                    events.push(Event::HandLowered { who: actor });
                }
            }
            Command::Call { who } => {
                if self.mode != Mode::Sharing {
                    return Err(Refusal::WrongMode);
                }
                let next = match who {
                    Some(who) if self.is_present(who) => who,
                    Some(_) => return Err(Refusal::Unknown),
                    None => self.fairest_hand().ok_or(Refusal::NobodyWaiting)?,
                };
                self.end_turn(now, false, &mut events);
                self.lower(next);
                self.start_turn(next, now, &mut events);
            }
            Command::Yield => {
                if self.turn.map(|t| t.who) != Some(actor) {
                    return Err(Refusal::NotYourTurn);
                }
                self.end_turn(now, false, &mut events);
            }
            Command::Say { text } => {
                let text = text.trim().to_owned();
                let muted = self.person(actor).is_some_and(|p| p.muted);
                if muted || text.is_empty() || text.chars().count() > MESSAGE_MAX {
                    return Err(Refusal::InvalidText);
                }
                let id = self.next_number();
                self.messages.push(Message {
                    id,
                    from: actor,
                    text: text.clone(),
                });
                events.push(Event::Said {
                    id,
                    from: actor,
                    text,
                });
            }
            Command::RemoveMessage { id } => {
                let removed = self.remove_message(id);
                if removed.is_empty() {
                    return Err(Refusal::Unknown);
                }
                events.extend(removed);
            }
            Command::Listen { listening } => {
                let person = self.person_mut(actor).ok_or(Refusal::Unknown)?;
                if person.listening != listening {
                    person.listening = listening;
                    events.push(Event::ListeningChanged {
                        who: actor,
                        listening,
                    });
                }
            }
            Command::Mute { who, muted } => {
                let person = self.person_mut(who).ok_or(Refusal::Unknown)?;
                person.muted = muted;
                events.push(Event::MuteChanged { who, muted });
            }
            Command::Remove { who } => {
                if who == actor || self.person(who).is_none() {
                    return Err(Refusal::Unknown);
                }
                if self.hosts.contains(&who) && !self.hosts.contains(&actor) {
                    return Err(Refusal::HostProtected);
                }
                self.leave(who, now, false, &mut events);
                self.removed.push(who);
                events.push(Event::Removed { who });
            }
            Command::HandOver { to } => {
                if !self.is_present(to) || matches!(to, Who::Guest(_)) {
                    return Err(Refusal::Unknown);
                }
                self.facilitator = to;
                events.push(Event::FacilitatorChanged { to });
            }
            Command::TakeFacilitation => {
                if !self.hosts.contains(&actor) {
                    return Err(Refusal::NotHost);
                }
                if self.facilitator != actor {
                    self.facilitator = actor;
                    events.push(Event::FacilitatorChanged { to: actor });
                }
            }
            Command::Tick
            | Command::ReturnFacilitation { .. }
            | Command::SpeakerGraceOver { .. }
            | Command::SiteRemoveMessage { .. } => {}
        }
        Ok(events)
    }

    /// Takes a message out of the side-channel: its removal, or nothing
    /// when it is not there.
    fn remove_message(&mut self, id: u64) -> Vec<Event> {
        let before = self.messages.len();
        self.messages.retain(|m| m.id != id);
        if self.messages.len() == before {
            Vec::new()
        } else {
            vec![Event::MessageRemoved { id }]
        }
    }

    /// The time's-up cue, once per turn, when the turn ran out.
    fn tick(&mut self, now: Duration) -> Vec<Event> {
        match self.turn.as_mut() {
            Some(turn) if !turn.cued && now.saturating_sub(turn.started) >= self.turn_length => {
                turn.cued = true;
                vec![Event::TimeUp { who: turn.who }]
            }
            _ => Vec::new(),
        }
    }

    fn lower(&mut self, who: Who) -> bool {
        let before = self.hands.len();
        self.hands.retain(|h| h.who != who);
        self.hands.len() != before
    }

    fn start_round(
        &mut self,
        shuffle: Option<Vec<u64>>,
        now: Duration,
        events: &mut Vec<Event>,
    ) -> Result<(), Refusal> {
        let mut present: Vec<&Person> = self
            .people
            .iter()
            .filter(|p| p.present && !p.listening)
            .collect();
        if present.is_empty() {
            return Err(Refusal::NobodyWaiting);
        }
        present.sort_by_key(|p| p.arrived);
        let mut order: Vec<Who> = present.iter().map(|p| p.who).collect();
        if let Some(draws) = shuffle {
            let mut keyed: Vec<(u64, Who)> = order
                .iter()
                .enumerate()
                .map(|(i, who)| (draws.get(i).copied().unwrap_or(0), *who))
                .collect();
            keyed.sort();
            order = keyed.into_iter().map(|(_, who)| who).collect();
        }
        self.end_turn(now, false, events);
        self.hands.clear();
        events.push(Event::RoundStarted {
            order: order.clone(),
        });
        let first = order[0];
        self.mode = Mode::Round { order, position: 0 };
        self.start_turn(first, now, events);
        Ok(())
    }

    /// Moves the round on to the next person still present, or ends it.
    fn advance_round(&mut self, now: Duration, events: &mut Vec<Event>) {
        let Mode::Round { order, position } = &self.mode else {
            return;
        };
        let next = order
            .iter()
            .enumerate()
            .skip(position + 1)
            .find(|(_, who)| {
                self.person(**who)
                    .is_some_and(|p| p.present && !p.listening)
            })
            .map(|(i, who)| (i, *who));
        match next {
            Some((index, who)) => {
                if let Mode::Round { position, .. } = &mut self.mode {
                    *position = index;
                }
                self.start_turn(who, now, events);
            }
            None => {
                self.mode = Mode::Open;
                events.push(Event::RoundEnded);
            }
        }
    }

    fn start_turn(&mut self, who: Who, now: Duration, events: &mut Vec<Event>) {
        let number = self.next_number();
        self.turn = Some(Turn {
            number,
            who,
            started: now,
            cued: false,
        });
        events.push(Event::TurnStarted { who, turn: number });
    }

    fn end_turn(&mut self, now: Duration, passed: bool, events: &mut Vec<Event>) {
        let Some(turn) = self.turn.take() else {
            return;
        };
        let spoke = if passed {
            Duration::ZERO
        } else {
            now.saturating_sub(turn.started)
        };
        if let Some(person) = self.person_mut(turn.who) {
            person.spoken += spoke;
            person.has_spoken = true;
        }
        events.push(Event::TurnEnded {
            who: turn.who,
            spoke,
            passed,
        });
    }
}

fn command_needs_facilitator(command: &Command) -> bool {
    matches!(
        command,
        Command::AddGuest { .. }
            | Command::StartRound { .. }
            | Command::EndRound
            | Command::OpenSharing
            | Command::Call { .. }
            | Command::RemoveMessage { .. }
            | Command::Mute { .. }
            | Command::Remove { .. }
            | Command::HandOver { .. }
    )
}

mod guest_name;
mod presence;
mod wire;

pub use guest_name::{GUEST_NAME_MAX, guest_name};
pub use wire::{Command, Event, Refusal};

#[cfg(test)]
mod tests;
