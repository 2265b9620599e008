//! Joining a group: join policies, the states of a request to join, and the
//! rules that move a request from one state to the next, as plain functions.
//!
//! One request exists per person and group; it is the membership too, so the
//! thread between the person and the hosts stays with it through every state.

use serde::{Deserialize, Serialize};

/// Limits on the texts of joining, in characters.
pub mod limits {
    /// The host's question to people who ask.
    pub const QUESTION: usize = 500;
    /// A seeker's answer to it.
    pub const ANSWER: usize = 2_000;
    /// One message of a thread, and a host's note with a decision.
    pub const MESSAGE: usize = 4_000;
}

/// How a person becomes a member: how one gets in, not who may come (that
/// is the `open` / `members_only` attribute).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinPolicy {
    /// Anyone who asks is a member at once.
    Open,
    /// The hosts read the answer to their question and decide.
    #[default]
    Approval,
    /// Only people with an invitation link may join.
    InviteOnly,
}

impl JoinPolicy {
    /// Every policy, in the order a form offers them.
    pub const ALL: &'static [Self] = &[Self::Open, Self::Approval, Self::InviteOnly];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Approval => "approval",
            Self::InviteOnly => "invite_only",
        }
    }

    /// The policy with this code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.code() == code)
    }
}

/// How a group lets people in, and what its members see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JoinSettings {
    /// Open, approval or invitation only.
    pub policy: JoinPolicy,
    /// The hosts' question to people who ask (approval groups); may be empty.
    pub question: String,
    /// The host of an open group chose to show the call link to everyone.
    pub publish_call_link: bool,
    /// Members see each other's pseudonyms.
    pub members_visible: bool,
}

impl JoinSettings {
    /// Whether the call link, dial-in and address are public: only when the
    /// host of an open group ticked "publish the call link".
    pub fn private_details_are_public(&self) -> bool {
        self.policy == JoinPolicy::Open && self.publish_call_link
    }
}

/// Where one person's request to join one group stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for the hosts.
    Pending,
    /// A member.
    Approved,
    /// Accepted, waiting for a place.
    Waitlisted,
    /// The hosts said no.
    Declined,
    /// The person took the request back.
    Withdrawn,
    /// The person left the group.
    Left,
    /// The hosts removed the person.
    Removed,
    /// The hosts blocked the person; to them it looks like a decline.
    Blocked,
}

impl RequestState {
    /// Every state.
    pub const ALL: &'static [Self] = &[
        Self::Pending,
        Self::Approved,
        Self::Waitlisted,
        Self::Declined,
        Self::Withdrawn,
        Self::Left,
        Self::Removed,
        Self::Blocked,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Waitlisted => "waitlisted",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Left => "left",
            Self::Removed => "removed",
            Self::Blocked => "blocked",
        }
    }

    /// The state with this code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// What the person who asked is shown: a block is never announced, so
    /// it reads as a decline.
    pub fn as_seen_by_seeker(self) -> Self {
        match self {
            Self::Blocked => Self::Declined,
            other => other,
        }
    }

    /// Still waiting for something: the hosts' answer or a place.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Waitlisted)
    }
}

/// How full a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupancy {
    /// The most members, if the hosts set a limit.
    pub capacity: Option<u32>,
    /// Approved members now (hosts not counted).
    pub members: u32,
}

impl Occupancy {
    /// Whether one more member fits.
    pub fn has_place(self) -> bool {
        self.capacity.is_none_or(|c| self.members < c)
    }
}

/// Why a request, or a step of one, is refused. Each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The person has a request waiting already.
    #[error("already_asked")]
    AlreadyAsked,
    /// The person is a member already.
    #[error("already_member")]
    AlreadyMember,
    /// The hosts answered this person already (declined, removed, blocked).
    #[error("already_answered")]
    AlreadyAnswered,
    /// The group takes members by invitation only.
    #[error("invitation_required")]
    InvitationRequired,
    /// The request was decided already.
    #[error("already_decided")]
    AlreadyDecided,
    /// No place is free.
    #[error("group_full")]
    Full,
    /// The step does not apply to the request's state.
    #[error("not_applicable")]
    NotApplicable,
}

impl Refusal {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::AlreadyAsked => "already_asked",
            Self::AlreadyMember => "already_member",
            Self::AlreadyAnswered => "already_answered",
            Self::InvitationRequired => "invitation_required",
            Self::AlreadyDecided => "already_decided",
            Self::Full => "group_full",
            Self::NotApplicable => "not_applicable",
        }
    }
}

/// The state a request starts in, given the person's earlier request (if
/// any), whether they hold a valid invitation, and how full the group is.
pub fn on_ask(
    policy: JoinPolicy,
    previous: Option<RequestState>,
    invited: bool,
    room: Occupancy,
) -> Result<RequestState, Refusal> {
    match previous {
        Some(RequestState::Pending | RequestState::Waitlisted) => {
            return Err(Refusal::AlreadyAsked);
        }
        Some(RequestState::Approved) => return Err(Refusal::AlreadyMember),
        // A block must read as a decline, and a block holds against any
        // invitation link (links get passed on), so a decline holds too.
        Some(RequestState::Declined | RequestState::Blocked) => {
            return Err(Refusal::AlreadyAnswered);
        }
        // An invitation is the hosts' own word, so it opens the door again.
        Some(RequestState::Removed) if !invited => return Err(Refusal::AlreadyAnswered),
        _ => {}
    }
    let admitted = || {
        if room.has_place() {
            RequestState::Approved
        } else {
            RequestState::Waitlisted
        }
    };
    match policy {
        _ if invited => Ok(admitted()),
        JoinPolicy::Open => Ok(admitted()),
        JoinPolicy::Approval => Ok(RequestState::Pending),
        JoinPolicy::InviteOnly => Err(Refusal::InvitationRequired),
    }
}

/// A host's answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let the person in (or onto the waitlist when the group is full).
    Approve,
    /// Say no.
    Decline,
}

/// The state after a host's decision.
pub fn on_decision(
    current: RequestState,
    decision: Decision,
    room: Occupancy,
) -> Result<RequestState, Refusal> {
    match (current, decision) {
        (RequestState::Pending, Decision::Approve) if room.has_place() => {
            Ok(RequestState::Approved)
        }
        (RequestState::Pending, Decision::Approve) => Ok(RequestState::Waitlisted),
        (RequestState::Waitlisted, Decision::Approve) if room.has_place() => {
            Ok(RequestState::Approved)
        }
        (RequestState::Waitlisted, Decision::Approve) => Err(Refusal::Full),
        (RequestState::Pending | RequestState::Waitlisted, Decision::Decline) => {
            Ok(RequestState::Declined)
        }
        _ => Err(Refusal::AlreadyDecided),
    }
}

/// The state after the person takes their request back, or leaves.
pub fn on_withdraw(current: RequestState) -> Result<RequestState, Refusal> {
    match current {
        RequestState::Pending | RequestState::Waitlisted => Ok(RequestState::Withdrawn),
        RequestState::Approved => Ok(RequestState::Left),
        _ => Err(Refusal::NotApplicable),
    }
}

/// The state after a host removes a member (or someone waiting for a place).
pub fn on_remove(current: RequestState) -> Result<RequestState, Refusal> {
    match current {
        RequestState::Approved | RequestState::Waitlisted => Ok(RequestState::Removed),
        _ => Err(Refusal::NotApplicable),
    }
}

/// The state after a host blocks the person: from any state.
pub fn on_block(current: RequestState) -> Result<RequestState, Refusal> {
    match current {
        RequestState::Blocked => Err(Refusal::NotApplicable),
        _ => Ok(RequestState::Blocked),
    }
}

/// Whether a change of state frees a member's place, so the first person on
/// the waitlist moves up.
pub fn frees_a_place(before: RequestState, after: RequestState) -> bool {
    before == RequestState::Approved && after != RequestState::Approved
}

#[cfg(test)]
mod tests;
