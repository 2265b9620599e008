//! Why an action does not fit the current state: one variant per reason,
//! each with the stable code that pages (`messages/*.json`, under
//! `conflict`) and problem documents carry.

use kith_domain::membership::Refusal;

/// An action the current state refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A step a request's state does not allow (asking twice, a full
    /// group, an invitation-only group…).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The person hosts the group they ask to join.
    #[error("already_host")]
    AlreadyHost,
    /// The group has no host to answer (an imported listing).
    #[error("no_host")]
    NoHost,
    /// The action needs a confirmed email address.
    #[error("email_unverified")]
    EmailUnverified,
    /// The invitation is unknown, used up, expired or for another group.
    #[error("invitation_invalid")]
    InvitationInvalid,
    /// Another account has this email address.
    #[error("email")]
    EmailTaken,
    /// The listing's status does not allow this change (or it changed
    /// meanwhile).
    #[error("invalid_status")]
    InvalidStatus,
    /// The listing cannot be claimed (it has hosts, or was not imported).
    #[error("not_claimable")]
    NotClaimable,
    /// The person has asked to claim this listing already.
    #[error("already_asked")]
    ClaimPending,
    /// The account alone hosts groups; it cannot be deleted yet.
    #[error("hosts_groups")]
    HostsGroups,
    /// The comment answered is deleted, hidden or not yet shown.
    #[error("reply_unavailable")]
    ReplyUnavailable,
    /// The thread is as deep as threads go.
    #[error("too_deep")]
    TooDeep,
    /// The comment is past the time in which its author may change it.
    #[error("edit_window_closed")]
    EditWindowClosed,
    /// An appeal goes to another moderator than the one who decided.
    #[error("own_decision")]
    OwnDecision,
    /// The person has no journal yet.
    #[error("no_journal")]
    NoJournal,
    /// The person has a journal already.
    #[error("journal_exists")]
    JournalExists,
    /// The journal is not open in this session: the password (or the
    /// recovery code) opens it.
    #[error("journal_locked")]
    JournalLocked,
    /// The password no longer opens the journal (it was reset by mail):
    /// the recovery code does.
    #[error("journal_needs_recovery")]
    JournalNeedsRecovery,
}

impl Conflict {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Refused(refusal) => refusal.code(),
            Self::AlreadyHost => "already_host",
            Self::NoHost => "no_host",
            Self::EmailUnverified => "email_unverified",
            Self::InvitationInvalid => "invitation_invalid",
            Self::EmailTaken => "email",
            Self::InvalidStatus => "invalid_status",
            Self::NotClaimable => "not_claimable",
            Self::ClaimPending => "already_asked",
            Self::HostsGroups => "hosts_groups",
            Self::ReplyUnavailable => "reply_unavailable",
            Self::TooDeep => "too_deep",
            Self::EditWindowClosed => "edit_window_closed",
            Self::OwnDecision => "own_decision",
            Self::NoJournal => "no_journal",
            Self::JournalExists => "journal_exists",
            Self::JournalLocked => "journal_locked",
            Self::JournalNeedsRecovery => "journal_needs_recovery",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_says_its_code_and_a_refusal_keeps_its_own() {
        assert_eq!(Conflict::EmailTaken.code(), "email");
        assert_eq!(Conflict::EmailTaken.to_string(), "email");
        let full = Conflict::from(Refusal::Full);
        assert_eq!(full.code(), "group_full");
        assert_eq!(full.to_string(), "group_full");
    }
}
