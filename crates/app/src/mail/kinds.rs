//! Every kind of mail kith sends. Each is a struct (what the templates
//! read as `mail`), a [`MailKind`] implementation and two templates in
//! `templates/mail/`. Subjects stay neutral unless the person chose group
//! names in subjects.

use super::{Footer, MailCategory, MailKind, mail_templates};

/// "Confirm your email": the link that verifies an address, after
/// registering or changing it.
#[derive(Debug, Clone)]
pub struct VerifyEmail {
    /// The person's handle.
    pub handle: String,
    /// The single-use link (`/verify-email/{token}`).
    pub link: String,
    /// Whether this confirms a changed address (rather than a new account).
    pub new_address: bool,
}

mail_templates!(
    VerifyEmail,
    "mail/verify_email.txt",
    "mail/verify_email.html"
);

impl MailKind for VerifyEmail {
    const KIND: &'static str = "verify_email";

    fn subject(&self, _group_names: bool) -> String {
        "kith: confirm your email".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// "Set a new password": the single-use link of a password reset.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    /// The person's handle.
    pub handle: String,
    /// The single-use link (`/password-reset/{token}`).
    pub link: String,
}

mail_templates!(
    PasswordReset,
    "mail/password_reset.txt",
    "mail/password_reset.html"
);

impl MailKind for PasswordReset {
    const KIND: &'static str = "password_reset";

    fn subject(&self, _group_names: bool) -> String {
        "kith: set a new password".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// Someone registered with an address that has an account already: its
/// owner is told (the page never says so, to reveal nothing).
#[derive(Debug, Clone)]
pub struct AccountExists {
    /// The existing account's handle.
    pub handle: String,
    /// The login page.
    pub login_link: String,
    /// The password reset page.
    pub reset_link: String,
}

mail_templates!(
    AccountExists,
    "mail/account_exists.txt",
    "mail/account_exists.html"
);

impl MailKind for AccountExists {
    const KIND: &'static str = "account_exists";

    fn subject(&self, _group_names: bool) -> String {
        "kith: you already have an account".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A host's announcement to a group's members: optional mail (category
/// `announcements`), one mail per member.
#[derive(Debug, Clone)]
pub struct Announcement {
    /// The group's name (in the subject only if the person opted in).
    pub group_name: String,
    /// The host who wrote it.
    pub host_handle: String,
    /// What the host wrote, as plain text.
    pub body: String,
    /// The group's page.
    pub group_url: String,
}

mail_templates!(
    Announcement,
    "mail/announcement.txt",
    "mail/announcement.html"
);

impl MailKind for Announcement {
    const KIND: &'static str = "announcement";
    const CATEGORY: Option<MailCategory> = Some(MailCategory::Announcements);

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: news from {}", self.group_name)
        } else {
            "kith: news from one of your groups".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// News about a request to join, to one side of it: a request arrived (to
/// the hosts), a message in its thread, the hosts' answer, a place came
/// free. Essential mail: it answers the person's own request or group.
#[derive(Debug, Clone)]
pub struct RequestNews {
    /// The group's name (in the subject only if the person opted in).
    pub group_name: String,
    /// What happened: `arrived`, `message`, `approved`, `waitlisted`,
    /// `declined` or `moved_up`.
    pub what: &'static str,
    /// Where to go: the request's page, the hosts' list, or (welcomed) the
    /// group's page.
    pub url: String,
    /// The request's thread, when `url` is the group's page.
    pub thread_url: Option<String>,
    /// What the hosts wrote with their answer, quoted.
    pub note: Option<String>,
}

mail_templates!(
    RequestNews,
    "mail/request_news.txt",
    "mail/request_news.html"
);

impl MailKind for RequestNews {
    const KIND: &'static str = "request_news";
    const CATEGORY: Option<MailCategory> = None;

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: news from {}", self.group_name)
        } else {
            "kith: a message about your group".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A host cancelled or moved one meeting: to the group's members, optional
/// mail (category `meeting_changes`).
#[derive(Debug, Clone)]
pub struct MeetingChanged {
    /// The group's name (in the subject only if the person opted in).
    pub group_name: String,
    /// `cancelled`, `moved` or `restored`.
    pub what: &'static str,
    /// When it was to meet, in the recipient's zone and the group's.
    pub was: super::time::MailTime,
    /// When it meets now, for a moved or restored meeting.
    pub now: Option<super::time::MailTime>,
    /// The host's note, for a cancellation.
    pub note: Option<String>,
    /// The group's page.
    pub group_url: String,
}

mail_templates!(
    MeetingChanged,
    "mail/meeting_changed.txt",
    "mail/meeting_changed.html"
);

impl MailKind for MeetingChanged {
    const KIND: &'static str = "meeting_changed";
    const CATEGORY: Option<MailCategory> = Some(MailCategory::MeetingChanges);

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: a change to a meeting of {}", self.group_name)
        } else {
            "kith: a change to one of your meetings".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A reminder a day before a meeting: optional mail (`reminder_24h`).
#[derive(Debug, Clone)]
pub struct ReminderDayBefore {
    /// What both reminders say.
    pub meeting: ReminderText,
}

/// A reminder an hour before a meeting: optional mail (`reminder_1h`).
#[derive(Debug, Clone)]
pub struct ReminderHourBefore {
    /// What both reminders say.
    pub meeting: ReminderText,
}

/// The meeting a reminder is about.
#[derive(Debug, Clone)]
pub struct ReminderText {
    /// The group's name (in the subject only if the person opted in).
    pub group_name: String,
    /// When, in the recipient's zone and the group's.
    pub when: super::time::MailTime,
    /// Where to take part: the meeting's room in kith, or the part of the
    /// group's page where members find the call link, dial-in or address.
    /// Only members and hosts get reminders, and the link itself shows
    /// nothing private to anyone else.
    pub join_url: String,
    /// `room` or `details`: which words go with `join_url`.
    pub join_at: &'static str,
    /// The group's page.
    pub group_url: String,
}

mail_templates!(
    ReminderDayBefore,
    "mail/reminder_24h.txt",
    "mail/reminder_24h.html"
);
mail_templates!(
    ReminderHourBefore,
    "mail/reminder_1h.txt",
    "mail/reminder_1h.html"
);

impl MailKind for ReminderDayBefore {
    const KIND: &'static str = "reminder_24h";
    const CATEGORY: Option<MailCategory> = Some(MailCategory::Reminder24h);

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: {} meets tomorrow", self.meeting.group_name)
        } else {
            "kith: meeting tomorrow".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

impl MailKind for ReminderHourBefore {
    const KIND: &'static str = "reminder_1h";
    const CATEGORY: Option<MailCategory> = Some(MailCategory::Reminder1h);

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: {} meets in an hour", self.meeting.group_name)
        } else {
            "kith: meeting in 1 hour".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A group's hosts closed it: to each member. Essential mail.
#[derive(Debug, Clone)]
pub struct GroupClosed {
    /// The group's name (in the subject only if the person opted in).
    pub group_name: String,
    /// The directory, to find another group.
    pub directory_url: String,
}

mail_templates!(
    GroupClosed,
    "mail/group_closed.txt",
    "mail/group_closed.html"
);

impl MailKind for GroupClosed {
    const KIND: &'static str = "group_closed";
    const CATEGORY: Option<MailCategory> = None;

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: {} has closed", self.group_name)
        } else {
            "kith: a message about your group".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A moderator approved a host's listing: to each of its hosts. Essential
/// mail: it answers the host's own request to be listed.
#[derive(Debug, Clone)]
pub struct ListingApproved {
    /// The group's name (in the subject only if the person opted in).
    pub group_name: String,
    /// The group's page.
    pub group_url: String,
    /// The hosts' page of requests and members.
    pub people_url: String,
}

mail_templates!(
    ListingApproved,
    "mail/listing_approved.txt",
    "mail/listing_approved.html"
);

impl MailKind for ListingApproved {
    const KIND: &'static str = "listing_approved";
    const CATEGORY: Option<MailCategory> = None;

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: {} is listed", self.group_name)
        } else {
            "kith: your group is listed".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A listing waits for review (new, resubmitted, or back from being
/// unlisted): to each moderator and admin but the one who sent it. The
/// duty they took on, so essential mail — one per listing each time it
/// enters the queue.
#[derive(Debug, Clone)]
pub struct ListingWaiting {
    /// The group's name (in the subject only if the person opted in).
    pub group_name: String,
    /// The review queue.
    pub queue_url: String,
}

mail_templates!(
    ListingWaiting,
    "mail/listing_waiting.txt",
    "mail/listing_waiting.html"
);

impl MailKind for ListingWaiting {
    const KIND: &'static str = "listing_waiting";
    const CATEGORY: Option<MailCategory> = None;

    fn subject(&self, group_names: bool) -> String {
        if group_names {
            format!("kith: {} waits for review", self.group_name)
        } else {
            "kith: a listing waits for review".to_owned()
        }
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A moderator decided on a member's story (or an edit of it): to its
/// author, with the moderator's note when declined. Essential mail: it
/// answers the author's own submission. The subject never names the story.
#[derive(Debug, Clone)]
pub struct StoryDecided {
    /// The story's title (the author's own words, in the body only).
    pub title: String,
    /// Published (else declined).
    pub published: bool,
    /// Whether it was an edit of a published story that was decided.
    pub revision: bool,
    /// The moderator's note, for a decline.
    pub note: Option<String>,
    /// The story's page.
    pub story_url: String,
    /// The author's list of their stories.
    pub my_stories_url: String,
}

mail_templates!(
    StoryDecided,
    "mail/story_decided.txt",
    "mail/story_decided.html"
);

impl MailKind for StoryDecided {
    const KIND: &'static str = "story_decided";
    const CATEGORY: Option<MailCategory> = None;

    fn subject(&self, _group_names: bool) -> String {
        "kith: your story was reviewed".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A story (or an edit of a published one) waits for review: to each
/// moderator and admin but its author. Like [`ListingWaiting`], the duty
/// they took on, so essential mail. It names neither the story nor its
/// author, who may have chosen to be anonymous.
#[derive(Debug, Clone)]
pub struct StoryWaiting {
    /// The review queue.
    pub queue_url: String,
}

mail_templates!(
    StoryWaiting,
    "mail/story_waiting.txt",
    "mail/story_waiting.html"
);

impl MailKind for StoryWaiting {
    const KIND: &'static str = "story_waiting";
    const CATEGORY: Option<MailCategory> = None;

    fn subject(&self, _group_names: bool) -> String {
        "kith: a story waits for review".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// Someone answered a person's comment: the page's title, an excerpt of
/// the answer and its permalink. Optional mail (`comment_replies`).
#[derive(Debug, Clone)]
pub struct CommentReply {
    /// The title of the page the comments are under.
    pub page_title: String,
    /// The answer's first words, as plain text.
    pub excerpt: String,
    /// The answer's permalink.
    pub link: String,
}

mail_templates!(
    CommentReply,
    "mail/comment_reply.txt",
    "mail/comment_reply.html"
);

impl MailKind for CommentReply {
    const KIND: &'static str = "comment_reply";
    const CATEGORY: Option<MailCategory> = Some(MailCategory::CommentReplies);

    fn subject(&self, _group_names: bool) -> String {
        "kith: someone answered your comment".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// Someone answered a guest's comment, as the guest asked on the comment
/// form: the page's title, an excerpt of the answer and its permalink.
/// Optional mail (`comment_replies`) whose one-click link is the guest's
/// own, since a guest has no preferences page.
#[derive(Debug, Clone)]
pub struct GuestCommentReply {
    /// The title of the page the comments are under.
    pub page_title: String,
    /// The answer's first words, as plain text.
    pub excerpt: String,
    /// The answer's permalink.
    pub link: String,
}

mail_templates!(
    GuestCommentReply,
    "mail/guest_comment_reply.txt",
    "mail/guest_comment_reply.html"
);

impl MailKind for GuestCommentReply {
    const KIND: &'static str = "guest_comment_reply";
    const CATEGORY: Option<MailCategory> = Some(MailCategory::CommentReplies);

    fn subject(&self, _group_names: bool) -> String {
        "kith: someone answered your comment".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// A guest's comment waits for them to confirm their address: the
/// single-use link that does it. Essential mail: they asked for it.
#[derive(Debug, Clone)]
pub struct GuestCommentConfirm {
    /// The name they gave.
    pub name: String,
    /// The title of the page they commented on.
    pub page_title: String,
    /// The single-use link (`/comments/confirm/{token}`).
    pub link: String,
}

mail_templates!(
    GuestCommentConfirm,
    "mail/guest_comment_confirm.txt",
    "mail/guest_comment_confirm.html"
);

impl MailKind for GuestCommentConfirm {
    const KIND: &'static str = "guest_comment_confirm";

    fn subject(&self, _group_names: bool) -> String {
        "kith: confirm your comment".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}

/// The daily journal reminder, at the time the member chose. Optional
/// mail (`journal_reminder`, off until turned on). Its subject and body
/// are the same for everyone and name no drug, mood or group: a lock
/// screen or a shared inbox learns nothing from it.
#[derive(Debug, Clone)]
pub struct JournalReminder {
    /// The journal (`/journal`).
    pub journal_url: String,
}

mail_templates!(
    JournalReminder,
    "mail/journal_reminder.txt",
    "mail/journal_reminder.html"
);

impl MailKind for JournalReminder {
    const KIND: &'static str = "journal_reminder";
    const CATEGORY: Option<MailCategory> = Some(MailCategory::JournalReminder);

    fn subject(&self, _group_names: bool) -> String {
        "Your kith reminder".to_owned()
    }

    fn render(&self, footer: &Footer) -> askama::Result<(String, String)> {
        self.render_templates(footer)
    }
}
