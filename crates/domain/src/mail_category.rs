//! The kinds of optional mail, each a preference a person may turn off in
//! one click. Essential mail (confirmations, answers to one's own request)
//! has none and always comes.

/// A kind of optional mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailCategory {
    /// A reminder a day before a meeting.
    Reminder24h,
    /// A reminder an hour before a meeting.
    Reminder1h,
    /// A host's announcement to their group's members.
    Announcements,
    /// A meeting cancelled, moved or put back.
    MeetingChanges,
    /// Someone answered one's comment.
    CommentReplies,
    /// The daily journal reminder: off by default, turned on with its time
    /// on the journal page rather than among the preferences' boxes.
    JournalReminder,
}

impl MailCategory {
    /// Every category.
    pub const ALL: [Self; 6] = [
        Self::Reminder24h,
        Self::Reminder1h,
        Self::Announcements,
        Self::MeetingChanges,
        Self::CommentReplies,
        Self::JournalReminder,
    ];

    /// The categories the preferences page turns on and off with a box,
    /// in its order. The journal reminder is not one: it needs a time,
    /// chosen on the journal page (its one-click unsubscribe still turns
    /// it off).
    pub const BOXES: [Self; 5] = [
        Self::Reminder24h,
        Self::Reminder1h,
        Self::Announcements,
        Self::MeetingChanges,
        Self::CommentReplies,
    ];

    /// The stable code: the preference's column and the catalogue's key.
    pub fn code(self) -> &'static str {
        match self {
            Self::Reminder24h => "reminder_24h",
            Self::Reminder1h => "reminder_1h",
            Self::Announcements => "announcements",
            Self::MeetingChanges => "meeting_changes",
            Self::CommentReplies => "comment_replies",
            Self::JournalReminder => "journal_reminder",
        }
    }

    /// The category of a code; `None` for anything else.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_nothing_else_does() {
        for category in MailCategory::ALL {
            assert_eq!(MailCategory::parse(category.code()), Some(category));
        }
        assert_eq!(MailCategory::parse("x; DROP TABLE outbox"), None);
        assert_eq!(MailCategory::parse("Announcements"), None);
    }
}
