//! Everything kith keeps about a person, as one JSON document
//! (`GET /api/v1/me/export`, and the download link on `/me`).
//!
//! **Extending it.** Each capability owns a section: add a field to
//! [`Export`] (a `Vec` of a small serializable struct, named for what it
//! holds — `memberships`, `join_requests`, `threads`, `rsvps`…) and fill it
//! in [`export`]. Only the person's own data: never another person's email,
//! and other people by handle only.
//!
//! The journal is not here, by design: this export needs no key, and the
//! journal opens only with one. It has its own (`journal::export`).

use jiff::Timestamp;
use serde::Serialize;

use crate::access::Person;
use crate::{App, AppResult};

/// The export's format, for readers of old files.
pub const FORMAT: &str = "kith-export-1";

/// The whole export. No `Debug`: it holds the person's email.
#[derive(Serialize)]
pub struct Export {
    /// [`FORMAT`].
    pub format: &'static str,
    /// When it was made, RFC 3339.
    pub exported_at: String,
    /// The account.
    pub account: AccountSection,
    /// The groups the person hosts.
    pub hosted_groups: Vec<HostedGroupSection>,
    /// The person's live sessions (never their tokens).
    pub sessions: Vec<SessionSection>,
    /// What mail the person wants.
    pub notification_preferences: PreferencesSection,
    /// Whether the person has a private calendar link, and since when.
    pub calendar_link_made_at: Option<String>,
    /// The person's requests to join (memberships too), each with its
    /// thread.
    pub join_requests: Vec<JoinRequestSection>,
    /// The person's answers to "will you come?".
    pub rsvps: Vec<RsvpSection>,
    /// The reports the person made (never those about them: who reported
    /// is not theirs to know).
    pub reports_made: Vec<crate::reports::ReportSection>,
    /// Whom the person blocks, by handle.
    pub blocks: Vec<crate::blocks::BlockSection>,
    /// The person's comments, newest first.
    pub comments: Vec<CommentSection>,
    /// The stories the person wrote, in every status.
    pub stories: Vec<StorySection>,
}

/// One of the person's comments.
#[derive(Serialize)]
pub struct CommentSection {
    /// Its id (its permalink is `/comments/{id}`).
    pub id: String,
    /// The page it is under.
    pub page: String,
    /// The comment it answers.
    pub in_reply_to: Option<String>,
    /// Its text (Markdown).
    pub text: String,
    /// `published`, `held` or `hidden`.
    pub status: &'static str,
    /// When it was written.
    pub created_at: String,
    /// When it was last changed.
    pub edited_at: Option<String>,
}

/// A story the person wrote, as they see it.
#[derive(Serialize)]
pub struct StorySection {
    /// Its public id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its text (Markdown).
    pub story: String,
    /// Shown as "anonymous member".
    pub anonymous: bool,
    /// `pending`, `published`, `declined`, `withdrawn` or `hidden`.
    pub status: &'static str,
    /// When it was first published.
    pub published_at: Option<String>,
    /// An edit waiting for review: `{title, story, anonymous}`.
    pub waiting_edit: Option<serde_json::Value>,
    /// The moderator's note on a decline.
    pub review_note: Option<String>,
}

/// A request to join, as its author sees it.
#[derive(Serialize)]
pub struct JoinRequestSection {
    /// The group's slug.
    pub group: String,
    /// The group's name.
    pub group_name: String,
    /// Where it stands.
    pub state: &'static str,
    /// The answer to the hosts' question.
    pub answer: String,
    /// When the person asked.
    pub created_at: String,
    /// The thread with the hosts, oldest first.
    pub thread: Vec<MessageSection>,
}

/// One message of a thread.
#[derive(Serialize)]
pub struct MessageSection {
    /// Its author's handle, if the account still exists.
    pub author: Option<String>,
    /// Written by a host.
    pub from_host: bool,
    /// The text.
    pub text: String,
    /// When.
    pub created_at: String,
}

/// An answer to "will you come?".
#[derive(Serialize)]
pub struct RsvpSection {
    /// The meeting's id.
    pub meeting: String,
    /// The group's slug.
    pub group: String,
    /// When the meeting starts.
    pub starts_at: String,
    /// The answer.
    pub attending: bool,
}

/// The account's own fields.
#[derive(Serialize)]
pub struct AccountSection {
    /// The handle.
    pub handle: String,
    /// The email (only ever shown to its owner).
    pub email: Option<String>,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// `member`, `moderator` or `admin`.
    pub role: &'static str,
    /// When the account was created.
    pub created_at: String,
    /// The zone the person reads times in, if known.
    pub time_zone: Option<String>,
}

/// A hosted group.
#[derive(Serialize)]
pub struct HostedGroupSection {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its listing status.
    pub status: &'static str,
}

/// A session, without its token.
#[derive(Serialize)]
pub struct SessionSection {
    /// `browser` or `api`.
    pub kind: &'static str,
    /// When it began.
    pub created_at: String,
    /// When it was last used.
    pub last_used_at: String,
    /// When it ends at the latest.
    pub expires_at: String,
}

/// What mail the person wants.
#[derive(Debug, Clone, Serialize)]
pub struct PreferencesSection {
    /// A reminder 24 hours before a meeting.
    pub reminder_24h: bool,
    /// A reminder 1 hour before a meeting.
    pub reminder_1h: bool,
    /// Hosts' announcements.
    pub announcements: bool,
    /// Meetings cancelled or moved.
    pub meeting_changes: bool,
    /// Answers to one's comments.
    pub comment_replies: bool,
    /// Group names in subjects.
    pub group_names_in_subjects: bool,
    /// The daily journal reminder.
    pub journal_reminder: bool,
    /// Its time, `HH:MM` in the account's zone, once one was chosen.
    pub journal_reminder_at: Option<String>,
}

impl PreferencesSection {
    fn of(
        p: kith_store::mail::NotificationPreferences,
        journal: kith_store::journal_reminders::JournalReminderChoice,
    ) -> Self {
        Self {
            reminder_24h: p.reminder_24h,
            reminder_1h: p.reminder_1h,
            announcements: p.announcements,
            meeting_changes: p.meeting_changes,
            comment_replies: p.comment_replies,
            group_names_in_subjects: p.group_names_in_subjects,
            journal_reminder: p.journal_reminder,
            journal_reminder_at: journal.at,
        }
    }
}

/// Gathers the person's export.
pub async fn export(app: &App, person: &Person, now: Timestamp) -> AppResult<Export> {
    let store = app.store();
    let details = store.account_details(person.id).await?;
    let hosted = store.groups_hosted_by(person.id).await?;
    let sessions = store.sessions_of(person.id, now).await?;
    let mut join_requests = Vec::new();
    for request in crate::membership::my_requests(app, person).await? {
        let thread = store
            .thread(&request.id)
            .await?
            .into_iter()
            .map(|m| MessageSection {
                author: m.author,
                from_host: m.from_host,
                text: m.body,
                created_at: m.created_at.to_string(),
            })
            .collect();
        join_requests.push(JoinRequestSection {
            group: request.slug.to_string(),
            group_name: request.group_name,
            state: request.state.code(),
            answer: request.answer,
            created_at: request.created_at.to_string(),
            thread,
        });
    }
    let rsvps = store
        .rsvps_of(person.id)
        .await?
        .into_iter()
        .map(|(meeting, group, starts_at, attending)| RsvpSection {
            meeting: meeting.to_string(),
            group: group.to_string(),
            starts_at: starts_at.to_string(),
            attending,
        })
        .collect();
    let comments = crate::comments::your_comments(app, person)
        .await?
        .into_iter()
        .map(|c| CommentSection {
            id: c.id.to_string(),
            page: crate::comments::page_path(&c.subject_key),
            in_reply_to: c.parent.map(|(_, id)| id.to_string()),
            text: c.body,
            status: c.status.code(),
            created_at: c.created_at.to_string(),
            edited_at: c.edited_at.map(|t| t.to_string()),
        })
        .collect();
    Ok(Export {
        format: FORMAT,
        exported_at: now.to_string(),
        account: AccountSection {
            handle: details.record.handle.to_string(),
            email: details.email.map(|e| e.as_str().to_owned()),
            email_verified: details.record.email_verified,
            role: details.record.role.code(),
            created_at: details.created_at.to_string(),
            time_zone: details.record.time_zone.clone(),
        },
        hosted_groups: hosted
            .into_iter()
            .map(|g| HostedGroupSection {
                slug: g.slug.to_string(),
                name: g.name,
                status: g.status.code(),
            })
            .collect(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionSection {
                kind: match s.kind {
                    kith_store::accounts::SessionKind::Browser => "browser",
                    kith_store::accounts::SessionKind::Api => "api",
                },
                created_at: s.created_at.to_string(),
                last_used_at: s.last_seen_at.to_string(),
                expires_at: s.expires_at.to_string(),
            })
            .collect(),
        notification_preferences: PreferencesSection::of(
            store.notification_preferences(person.id).await?,
            store.journal_reminder(person.id).await?,
        ),
        calendar_link_made_at: store
            .calendar_token_made(person.id)
            .await?
            .map(|at| at.to_string()),
        join_requests,
        rsvps,
        reports_made: crate::reports::export_section(app, person).await?,
        blocks: crate::blocks::export_section(app, person).await?,
        comments,
        stories: crate::stories::my_stories(app, person)
            .await?
            .into_iter()
            .map(|s| {
                StorySection {
                id: s.id.to_string(),
                status: s.status.code(),
                published_at: s.published_at.map(|at| at.to_string()),
                waiting_edit: s.revision.map(|r| {
                    serde_json::json!({"title": r.title, "story": r.body, "anonymous": r.anonymous})
                }),
                review_note: s.review_note,
                title: s.text.title,
                story: s.text.body,
                anonymous: s.text.anonymous,
            }
            })
            .collect(),
    })
}
