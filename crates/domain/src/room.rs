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
    /// Time spoken in this meeting, over every turn.
    pub spoken: Duration,
    /// Whether they have had a turn (passing counts: they were offered one).
    pub has_spoken: bool,
    /// Order of arrival, for the round's default order and ties.
    pub arrived: u64,
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

/// What someone asks of the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Command {
    /// Comes in (again, after a lost connection) with this name.
    Enter {
        /// Their pseudonym.
        name: String,
    },
    /// Goes out.
    Leave,
    /// Facilitator: adds a person without a device.
    AddGuest {
        /// Their first name.
        name: String,
    },
    /// Facilitator: starts a check-in round of everyone present, in order
    /// of arrival, or shuffled by the given order of draws (the server
    /// draws; the rule stays pure).
    StartRound {
        /// `None` for arrival order; otherwise one random number per
        /// person present, which decides the order.
        shuffle: Option<Vec<u64>>,
    },
    /// The speaker (or the facilitator) ends the turn; the next one starts.
    Next,
    /// The person whose turn it is passes.
    Pass,
    /// Facilitator: ends the round.
    EndRound,
    /// Facilitator: opens sharing by raised hands.
    OpenSharing,
    /// Raises one's hand.
    RaiseHand,
    /// Lowers one's hand.
    LowerHand,
    /// Facilitator: gives the next turn to the fairest raised hand, or to
    /// this person.
    Call {
        /// `None` for the queue's first.
        who: Option<Who>,
    },
    /// The speaker is done.
    Yield,
    /// Writes in the side-channel.
    Say {
        /// The text.
        text: String,
    },
    /// Facilitator: removes a message.
    RemoveMessage {
        /// Its number.
        id: u64,
    },
    /// Facilitator: hides a person's text (or shows it again).
    Mute {
        /// Whom.
        who: Who,
        /// Muted or not.
        muted: bool,
    },
    /// Facilitator: removes a person for the rest of this meeting.
    Remove {
        /// Whom.
        who: Who,
    },
    /// Facilitator: hands facilitation to someone present.
    HandOver {
        /// To whom.
        to: Who,
    },
    /// The clock: gives the time's-up cue when a turn ran out.
    Tick,
}

/// What happened, for everyone in the room (and the live region that
/// announces it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Event {
    /// Someone came in.
    Entered {
        /// Who.
        who: Who,
        /// Their name.
        name: String,
    },
    /// Someone went out.
    Left {
        /// Who.
        who: Who,
    },
    /// A round began, in this order.
    RoundStarted {
        /// The order.
        order: Vec<Who>,
    },
    /// A round ended.
    RoundEnded,
    /// Sharing by raised hands began.
    SharingOpened,
    /// A turn began.
    TurnStarted {
        /// Whose.
        who: Who,
    },
    /// A turn ended, after this long.
    TurnEnded {
        /// Whose.
        who: Who,
        /// How long they spoke.
        spoke: Duration,
        /// Whether they passed.
        passed: bool,
    },
    /// The turn's time is up: a cue, not a cut-off.
    TimeUp {
        /// Whose turn.
        who: Who,
    },
    /// A hand went up.
    HandRaised {
        /// Whose.
        who: Who,
    },
    /// A hand went down.
    HandLowered {
        /// Whose.
        who: Who,
    },
    /// A message in the side-channel.
    Said {
        /// Its number.
        id: u64,
        /// Who wrote it.
        from: Who,
        /// The text.
        text: String,
    },
    /// A message was removed.
    MessageRemoved {
        /// Its number.
        id: u64,
    },
    /// Someone's text was hidden or shown again.
    MuteChanged {
        /// Whose.
        who: Who,
        /// Muted or not.
        muted: bool,
    },
    /// Someone was removed from the meeting.
    Removed {
        /// Who.
        who: Who,
    },
    /// Someone else facilitates now.
    FacilitatorChanged {
        /// Who.
        to: Who,
    },
}

/// Why a command was refused; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Only the facilitator may do that.
    #[error("not_facilitator")]
    NotFacilitator,
    /// The person is not in the room.
    #[error("not_present")]
    NotPresent,
    /// The person was removed from this meeting.
    #[error("removed")]
    Removed,
    /// It is not this person's turn.
    #[error("not_your_turn")]
    NotYourTurn,
    /// The room is not in the mode the command needs.
    #[error("wrong_mode")]
    WrongMode,
    /// Nobody is there to take a turn.
    #[error("nobody_waiting")]
    NobodyWaiting,
    /// The text is empty or too long, or the person is muted.
    #[error("invalid_text")]
    InvalidText,
    /// No such message or person.
    #[error("unknown")]
    Unknown,
}

impl Refusal {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotFacilitator => "not_facilitator",
            Self::NotPresent => "not_present",
            Self::Removed => "removed",
            Self::NotYourTurn => "not_your_turn",
            Self::WrongMode => "wrong_mode",
            Self::NobodyWaiting => "nobody_waiting",
            Self::InvalidText => "invalid_text",
            Self::Unknown => "unknown",
        }
    }
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
        if command == Command::Tick {
            // The clock is nobody: it only cues.
            return Ok(self.tick(now));
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
            Command::Enter { name } => self.enter(actor, name, &mut events),
            Command::Leave => self.leave(actor, now, &mut events),
            Command::AddGuest { name } => {
                let number = self.next_number();
                let guest = Who::Guest(u32::try_from(number).unwrap_or(u32::MAX));
                self.enter(guest, name, &mut events);
            }
            Command::StartRound { shuffle } => self.start_round(shuffle, now, &mut events)?,
            Command::Next | Command::Pass => {
                let passed = matches!(command, Command::Pass);
                let turn = self.turn.ok_or(Refusal::NobodyWaiting)?;
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
                let before = self.messages.len();
                self.messages.retain(|m| m.id != id);
                if self.messages.len() == before {
                    return Err(Refusal::Unknown);
                }
                events.push(Event::MessageRemoved { id });
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
                self.leave(who, now, &mut events);
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
            Command::Tick => events = self.tick(now),
        }
        Ok(events)
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

    fn enter(&mut self, who: Who, name: String, events: &mut Vec<Event>) {
        match self.person_mut(who) {
            Some(person) if person.present => return,
            Some(person) => person.present = true,
            None => {
                let arrived = self.next_number();
                self.people.push(Person {
                    who,
                    name: name.clone(),
                    present: true,
                    muted: false,
                    spoken: Duration::ZERO,
                    has_spoken: false,
                    arrived,
                });
            }
        }
        events.push(Event::Entered { who, name });
    }

    fn leave(&mut self, who: Who, now: Duration, events: &mut Vec<Event>) {
        if self.turn.map(|t| t.who) == Some(who) {
            self.end_turn(now, false, events);
            if matches!(self.mode, Mode::Round { .. }) {
                self.advance_round(now, events);
            }
        }
        self.lower(who);
        if let Some(person) = self.person_mut(who) {
            if person.present {
                person.present = false;
                events.push(Event::Left { who });
            }
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
        let mut present: Vec<&Person> = self.people.iter().filter(|p| p.present).collect();
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
            .find(|(_, who)| self.is_present(**who))
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
        self.turn = Some(Turn {
            who,
            started: now,
            cued: false,
        });
        events.push(Event::TurnStarted { who });
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

#[cfg(test)]
mod tests;
