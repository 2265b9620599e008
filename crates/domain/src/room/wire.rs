//! What crosses the room's wire: the commands people (and the server)
//! give, the events that happen, and why a command is refused.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Who;

/// What someone asks of the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Command {
    /// Server: a connection of this person opened; they are present while
    /// any of theirs is open, on any instance.
    Enter {
        /// Their pseudonym, from their account.
        name: String,
        /// The connection's own random id.
        #[serde(default)]
        connection: String,
    },
    /// Server: a connection of this person closed; they go out when it
    /// was their last (an empty id: every one of theirs).
    Leave {
        /// The connection's id.
        #[serde(default)]
        connection: String,
    },
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
    Next {
        /// The number of the turn it ends; a turn that already ended is
        /// not ended again (`None`: whichever is under way).
        #[serde(default)]
        turn: Option<u64>,
    },
    /// The person whose turn it is passes.
    Pass {
        /// The number of the turn it ends, as for `Next`.
        #[serde(default)]
        turn: Option<u64>,
    },
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
    /// Says one is just listening today (rounds pass one by), or not.
    Listen {
        /// Listening or not.
        listening: bool,
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
    /// A host takes facilitation (back), whoever has it.
    TakeFacilitation,
    /// Server: the facilitator has been away for the grace period since
    /// their `absence`-th absence; facilitation goes to a present host.
    ReturnFacilitation {
        /// Which absence began the wait ([`super::Room::absences`]).
        absence: u64,
    },
    /// Server: the speaker of turn `turn` lost their connection and did
    /// not come back within the grace; the turn moves on.
    SpeakerGraceOver {
        /// The turn's number.
        turn: u64,
    },
    /// Server: the clock gives the time's-up cue when a turn ran out.
    Tick,
    /// Server: the site's moderators removed a message (a report's
    /// decision), whoever facilitates and whoever is present; a message
    /// already gone changes nothing.
    SiteRemoveMessage {
        /// Its number.
        id: u64,
    },
}

impl Command {
    /// Whether a client may send it: entering, leaving, the clock and the
    /// moderators' removals are the server's alone, so nobody can give
    /// themselves another name, leave for someone else, or remove a
    /// message without facilitating.
    pub fn from_client(&self) -> bool {
        !matches!(
            self,
            Self::Enter { .. }
                | Self::Leave { .. }
                | Self::ReturnFacilitation { .. }
                | Self::SpeakerGraceOver { .. }
                | Self::Tick
                | Self::SiteRemoveMessage { .. }
        )
    }
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
        /// Its number in the room, which `next` and `pass` name.
        turn: u64,
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
    /// A message was removed, by the facilitator or the site's moderators.
    MessageRemoved {
        /// Its number.
        id: u64,
    },
    /// Someone is just listening now, or not any more.
    ListeningChanged {
        /// Who.
        who: Who,
        /// Listening or not.
        listening: bool,
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
    /// The turn named already ended.
    #[error("turn_over")]
    TurnOver,
    /// A guest's name is empty, too long, or holds control or
    /// direction-changing characters.
    #[error("invalid_name")]
    InvalidName,
    /// Only the group's hosts may remove one of its hosts.
    #[error("host_protected")]
    HostProtected,
    /// Only the group's hosts may take facilitation.
    #[error("not_host")]
    NotHost,
    /// The room has closed; nothing more is written.
    #[error("room_closed")]
    RoomClosed,
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
            Self::TurnOver => "turn_over",
            Self::InvalidName => "invalid_name",
            Self::HostProtected => "host_protected",
            Self::NotHost => "not_host",
            Self::RoomClosed => "room_closed",
        }
    }
}
