//! Reports of content or people, and what moderators decide about them.
//! A target kind is one [`TargetKind`] variant; which decisions fit it is
//! [`Action::fits`]. The order of a report's life: open, decided (the
//! author may appeal once), appealed, closed.

use jiff::{SignedDuration, Timestamp};

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// A group's listing.
    Group,
    /// A message in a meeting room's text side-channel.
    RoomMessage,
    /// A person (an account, by handle).
    Person,
    /// A member's story.
    Story,
    /// A comment under a resource or story.
    Comment,
}

impl TargetKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [Self; 5] = [
        Self::Group,
        Self::RoomMessage,
        Self::Person,
        Self::Story,
        Self::Comment,
    ];

    /// The stable code, stored and in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::RoomMessage => "room_message",
            Self::Person => "person",
            Self::Story => "story",
            Self::Comment => "comment",
        }
    }

    /// The kind a code names.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Why someone reports: a short list, with "other" and words of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Unsafe or harmful advice (tapering too fast, stopping abruptly).
    UnsafeAdvice,
    /// Harassment or hate.
    Harassment,
    /// Spam or advertising.
    Spam,
    /// Shares someone's private information.
    PrivateInformation,
    /// Something else; the details say what.
    Other,
}

impl Reason {
    /// Every reason, in the order forms list them.
    pub const ALL: [Self; 5] = [
        Self::UnsafeAdvice,
        Self::Harassment,
        Self::Spam,
        Self::PrivateInformation,
        Self::Other,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnsafeAdvice => "unsafe_advice",
            Self::Harassment => "harassment",
            Self::Spam => "spam",
            Self::PrivateInformation => "private_information",
            Self::Other => "other",
        }
    }

    /// The reason a code names.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// What a moderator decides about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing to act on.
    Dismiss,
    /// Hide the content from everyone but its author and moderators (a
    /// listing is unlisted, and relisting goes back to review).
    Hide,
    /// Warn the author by mail.
    Warn,
    /// Suspend the author's account for a number of days.
    Suspend,
    /// Remove the content for good.
    Remove,
}

impl Action {
    /// Every action, in the order the queue offers them.
    pub const ALL: [Self; 5] = [
        Self::Dismiss,
        Self::Hide,
        Self::Warn,
        Self::Suspend,
        Self::Remove,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Dismiss => "dismiss",
            Self::Hide => "hide",
            Self::Warn => "warn",
            Self::Suspend => "suspend",
            Self::Remove => "remove",
        }
    }

    /// The action a code names.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Whether the action applies to a target of `kind`: a person has no
    /// content to hide, and a listing is hidden (unlisted) but never
    /// removed from under its members. Hiding a room message and removing
    /// it are one: it leaves its room while the room is open (once the
    /// room closed its log, and the message, are gone anyway).
    pub fn fits(self, kind: TargetKind) -> bool {
        match self {
            Self::Dismiss | Self::Warn | Self::Suspend => true,
            Self::Hide => kind != TargetKind::Person,
            Self::Remove => matches!(
                kind,
                TargetKind::Story | TargetKind::Comment | TargetKind::RoomMessage
            ),
        }
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// Waiting for a moderator.
    Open,
    /// Decided; the author may still appeal once.
    Decided,
    /// The author appealed; waiting for another moderator.
    Appealed,
    /// The appeal was decided, or the decision can no longer be appealed.
    Closed,
}

impl ReportStatus {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Decided => "decided",
            Self::Appealed => "appealed",
            Self::Closed => "closed",
        }
    }

    /// The status a code names.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Open, Self::Decided, Self::Appealed, Self::Closed]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Whether a moderator has something to decide.
    pub fn waits(self) -> bool {
        matches!(self, Self::Open | Self::Appealed)
    }
}

/// The longest details a reporter may give.
pub const DETAILS_MAX: usize = 2_000;
/// The longest reason a moderator or an appealing author may give.
pub const NOTE_MAX: usize = 2_000;
/// The longest suspension, in days.
pub const SUSPEND_MAX_DAYS: i64 = 365;
/// How long a report may wait before the admins hear of it.
pub const OVERDUE: SignedDuration = SignedDuration::from_hours(48);

/// Whether a report made at `created_at` and still open is overdue `now`.
pub fn overdue(created_at: Timestamp, now: Timestamp) -> bool {
    now.duration_since(created_at) >= OVERDUE
}

/// The day a digest of overdue reports belongs to: whole UTC days since
/// the epoch, so every instance agrees which day it is.
pub fn digest_day(now: Timestamp) -> i64 {
    now.as_second().div_euclid(86_400)
}

/// Whether `moderator` may decide an appeal whose first decision was made
/// by `first`: never the same person, unless no other moderator exists
/// (a site with one moderator still answers appeals).
pub fn may_decide_appeal(moderator: i64, first: Option<i64>, others_exist: bool) -> bool {
    first != Some(moderator) || !others_exist
}

/// Who is mailed that an appeal waits: the moderators (and admins) who
/// may decide it — all but the one who decided first, unless no other
/// exists — never the appealing author, who knows.
pub fn appeal_deciders(moderators: &[i64], first: Option<i64>, author: Option<i64>) -> Vec<i64> {
    let candidates: Vec<i64> = moderators
        .iter()
        .copied()
        .filter(|m| Some(*m) != author)
        .collect();
    let others: Vec<i64> = candidates
        .iter()
        .copied()
        .filter(|m| Some(*m) != first)
        .collect();
    if others.is_empty() {
        candidates
    } else {
        others
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself() {
        for kind in TargetKind::ALL {
            assert_eq!(TargetKind::parse(kind.code()), Some(kind));
        }
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.code()), Some(reason));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.code()), Some(action));
        }
        assert_eq!(Reason::parse("rude"), None);
        assert_eq!(
            ReportStatus::parse("appealed"),
            Some(ReportStatus::Appealed)
        );
    }

    #[test]
    fn a_person_cannot_be_hidden_and_a_listing_is_never_removed() {
        assert!(!Action::Hide.fits(TargetKind::Person));
        assert!(!Action::Remove.fits(TargetKind::Person));
        assert!(!Action::Remove.fits(TargetKind::Group));
        assert!(Action::Hide.fits(TargetKind::Group));
        assert!(Action::Remove.fits(TargetKind::Comment));
        assert!(Action::Suspend.fits(TargetKind::Person));
        assert!(Action::Hide.fits(TargetKind::RoomMessage));
        assert!(Action::Remove.fits(TargetKind::RoomMessage));
        assert!(Action::Warn.fits(TargetKind::RoomMessage));
    }

    #[test]
    fn a_report_is_overdue_after_48_hours_and_a_digest_day_is_a_utc_day() {
        let made: Timestamp = "2026-03-01T10:00:00Z".parse().expect("time");
        let later = |h: i64| made + SignedDuration::from_hours(h);
        assert!(!overdue(made, later(47)));
        assert!(overdue(made, later(48)));
        let morning: Timestamp = "2026-03-02T00:30:00Z".parse().expect("time");
        let night: Timestamp = "2026-03-02T23:30:00Z".parse().expect("time");
        assert_eq!(digest_day(morning), digest_day(night));
        assert_ne!(digest_day(made), digest_day(morning));
    }

    #[test]
    fn an_appeal_goes_to_another_moderator_where_there_is_one() {
        assert!(!may_decide_appeal(7, Some(7), true));
        assert!(may_decide_appeal(8, Some(7), true));
        assert!(may_decide_appeal(7, Some(7), false));
        assert!(may_decide_appeal(7, None, true));
    }

    #[test]
    fn an_appeal_is_mailed_to_those_who_may_decide_it_never_to_its_author() {
        assert_eq!(appeal_deciders(&[1, 2, 3], Some(1), None), [2, 3]);
        assert_eq!(appeal_deciders(&[1], Some(1), None), [1], "the only one");
        assert_eq!(appeal_deciders(&[1, 2], Some(1), Some(2)), [1]);
        assert_eq!(appeal_deciders(&[1, 2], None, Some(9)), [1, 2]);
        assert!(appeal_deciders(&[], Some(1), None).is_empty());
    }
}
