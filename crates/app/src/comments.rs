//! Comments under resources and stories: who may read, write, change and
//! delete which; guests who confirm an address by mail before their words
//! go on; the held comments moderators review; and the mail that tells a
//! member, or a guest who asked for it (`guest_mail`), someone answered
//! them.
//!
//! A comment answers the same 404 as nothing to anyone who may not see it:
//! the page it is under must be readable, and a held, unconfirmed or
//! hidden comment is its author's and moderators' alone.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use kith_domain::comment::{self, CommentStatus, Placed, editable, shares_a_group};
use kith_domain::ids::{AccountId, CommentId, Slug};

pub use kith_store::comments::{CommentAuthor, CommentRecord, SubjectKey, SubjectRecord};

mod guest_mail;
mod moderation;
mod writing;

pub use self::guest_mail::{GUEST_UNSUBSCRIBE_LIFETIME, guest_unsubscribe_link, unsubscribe_guest};
pub use self::moderation::{CommentModeration, HeldComment, held, moderate};
pub use self::writing::{confirm_guest, delete, edit, post, post_as_guest};

use crate::access::Person;
use crate::markdown::{to_plain_text, to_safe_ugc_html};
use crate::{App, AppError, AppResult};

/// Threads (comments on the page, with their replies) per page.
pub const THREADS_PER_PAGE: u32 = 20;
/// Comments a member may write in an hour.
pub const MEMBER_HOURLY: u64 = 20;
/// Comments an account younger than a day may write in an hour.
pub const NEW_ACCOUNT_HOURLY: u64 = 3;
/// Comments a guest (by address) may write in an hour.
pub const GUEST_HOURLY: u64 = 3;
/// How long a guest's confirmation link works.
pub const GUEST_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(48);

/// The path of the page comments sit under.
pub fn page_path(key: &SubjectKey) -> String {
    match key {
        SubjectKey::Resource(slug) => format!("/resources/{slug}"),
        SubjectKey::Story(id) => format!("/stories/{id}"),
    }
}

/// A comment's permalink.
pub fn permalink(id: &CommentId) -> String {
    format!("/comments/{id}")
}

/// Under whose name a comment shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Byline {
    /// A member, by handle.
    Member(String),
    /// A guest, by the name they gave.
    Guest(String),
    /// The author of the anonymous story it is under: never their handle.
    StoryAuthor,
    /// Nobody: the comment or its account is deleted.
    Deleted,
}

/// One comment as a reader sees it.
#[derive(Debug, Clone)]
pub struct CommentView {
    /// Its public id (its permalink's).
    pub id: CommentId,
    /// Under whose name it shows.
    pub byline: Byline,
    /// Its text as sanitised HTML; empty once deleted.
    pub html: String,
    /// Its Markdown, for its author to change.
    pub markdown: Option<String>,
    /// Where it is in its life.
    pub status: CommentStatus,
    /// When it was written.
    pub created_at: Timestamp,
    /// When its author last changed it.
    pub edited_at: Option<Timestamp>,
    /// The comment it answers.
    pub parent: Option<CommentId>,
    /// The listed group its host pointed to: (slug, name).
    pub group: Option<(Slug, String)>,
    /// It looks like it shares a group that is not listed here.
    pub shares_group: bool,
    /// The reader wrote it.
    pub yours: bool,
    /// The reader may still change it.
    pub may_edit: bool,
    /// The reader may delete it.
    pub may_delete: bool,
    /// The reader may answer it.
    pub may_reply: bool,
    /// The reader may report it (someone else's, not deleted).
    pub may_report: bool,
}

/// A comment in its place in a thread.
#[derive(Debug, Clone)]
pub struct ShownComment {
    /// The comment.
    pub comment: CommentView,
    /// How far it is indented (0 to `SHOWN_DEPTH - 1`).
    pub indent: u32,
    /// Whom it answers, when the indent does not show it.
    pub in_reply_to: Option<(CommentId, Byline)>,
}

/// A page of comments under one page.
#[derive(Debug, Clone)]
pub struct ThreadPage {
    /// The page they are under.
    pub key: SubjectKey,
    /// Its title.
    pub title: String,
    /// The comments, in reading order.
    pub comments: Vec<ShownComment>,
    /// The cursor of the next page of threads, if there is one.
    pub next: Option<CommentId>,
    /// How many comments everyone may read there.
    pub count: u64,
    /// Whether the reader may comment (a member with a confirmed address;
    /// a visitor comments as a guest).
    pub may_comment: bool,
}

/// The thread one comment is in, for its permalink.
#[derive(Debug, Clone)]
pub struct CommentInThread {
    /// The page it is under.
    pub key: SubjectKey,
    /// That page's title.
    pub title: String,
    /// The comment the permalink names.
    pub focus: CommentId,
    /// Its whole thread, in reading order.
    pub comments: Vec<ShownComment>,
}

/// What a member writes.
#[derive(Debug, Clone, Default)]
pub struct CommentInput {
    /// The text (Markdown).
    pub body: String,
    /// The comment it answers.
    pub parent: Option<CommentId>,
    /// A group the member hosts, to point to.
    pub group: Option<String>,
}

/// What a guest writes.
#[derive(Debug, Clone, Default)]
pub struct GuestInput {
    /// The name shown.
    pub name: String,
    /// The address, never shown.
    pub email: String,
    /// The text (Markdown).
    pub body: String,
    /// The comment it answers.
    pub parent: Option<CommentId>,
    /// Whether they want answers mailed.
    pub reply_mail: bool,
}

/// A comment just written: where it went and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Its public id.
    pub id: CommentId,
    /// Its status (a member's is published at once).
    pub status: CommentStatus,
    /// The page it is under.
    pub key: SubjectKey,
}

/// Whether `reader` may read the page: published; a draft resource to
/// its editors; a story to its author and the moderators.
fn may_read(subject: &SubjectRecord, reader: Option<&Person>) -> bool {
    subject.published
        || match subject.key {
            SubjectKey::Resource(_) => crate::resources::may_edit(reader),
            SubjectKey::Story(_) => {
                reader.is_some_and(|p| p.role.moderates() || subject.author == Some(p.id))
            }
        }
}

/// The page `key` names, if `reader` may read it.
pub async fn subject(
    app: &App,
    reader: Option<&Person>,
    key: &SubjectKey,
) -> AppResult<SubjectRecord> {
    let subject = match key {
        SubjectKey::Resource(slug) => app.store().resource_subject(slug).await?,
        SubjectKey::Story(id) => app.store().story_subject(id).await?,
    };
    if may_read(&subject, reader) {
        Ok(subject)
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether `reader` may see a comment at all.
fn visible(record: &CommentRecord, reader: Option<&Person>) -> bool {
    match record.status {
        CommentStatus::Published | CommentStatus::Deleted => true,
        // Anyone could have typed the address: until its owner confirms,
        // the words are nobody's to read.
        CommentStatus::Unconfirmed => false,
        CommentStatus::Held | CommentStatus::Hidden => {
            reader.is_some_and(|p| p.role.moderates() || record.account() == Some(p.id))
        }
    }
}

fn byline(record: &CommentRecord, subject: &SubjectRecord) -> Byline {
    match &record.author {
        _ if record.status == CommentStatus::Deleted => Byline::Deleted,
        CommentAuthor::Member { account, .. }
            if subject.anonymous && subject.author == Some(*account) =>
        {
            Byline::StoryAuthor
        }
        CommentAuthor::Member { handle, .. } => Byline::Member(handle.clone()),
        CommentAuthor::Guest { name, .. } => Byline::Guest(name.clone()),
        CommentAuthor::Gone => Byline::Deleted,
    }
}

fn view(
    record: CommentRecord,
    subject: &SubjectRecord,
    reader: Option<&Person>,
    now: Timestamp,
) -> CommentView {
    let yours = reader.is_some_and(|p| record.account() == Some(p.id));
    let deleted = record.status == CommentStatus::Deleted;
    CommentView {
        byline: byline(&record, subject),
        html: if deleted {
            String::new()
        } else {
            to_safe_ugc_html(&record.body)
        },
        shares_group: record.group.is_none() && shares_a_group(&record.body),
        markdown: yours.then(|| record.body.clone()),
        status: record.status,
        created_at: record.created_at,
        edited_at: record.edited_at,
        parent: record.parent.map(|(_, id)| id),
        group: record.group,
        yours,
        may_edit: yours && editable(record.status, record.created_at, now),
        may_delete: yours && !deleted,
        may_report: !yours && !deleted,
        may_reply: reader.is_some_and(|p| p.email_verified)
            && subject.published
            && record.status.takes_replies(),
        id: record.id,
    }
}

/// Threads the comments `reader` may see, in reading order, each saying
/// whom it answers where the indent does not.
fn shown(
    records: Vec<CommentRecord>,
    subject: &SubjectRecord,
    reader: Option<&Person>,
    hidden: &HashSet<AccountId>,
    now: Timestamp,
) -> Vec<ShownComment> {
    let records: Vec<CommentRecord> = records
        .into_iter()
        .filter(|r| visible(r, reader))
        .filter(|r| r.account().is_none_or(|a| !hidden.contains(&a)))
        .collect();
    let names: std::collections::HashMap<i64, (CommentId, Byline)> = records
        .iter()
        .map(|r| (r.row, (r.id.clone(), byline(r, subject))))
        .collect();
    let placed: Vec<Placed<CommentRecord>> = comment::thread(records);
    placed
        .into_iter()
        .map(|p| {
            let answers = p.in_reply_to.and_then(|row| {
                names.get(&row).cloned().or_else(|| {
                    // The comment answered is not shown to this reader.
                    p.comment
                        .parent
                        .as_ref()
                        .map(|(_, id)| (id.clone(), Byline::Deleted))
                })
            });
            ShownComment {
                indent: p.indent,
                in_reply_to: answers,
                comment: view(p.comment, subject, reader, now),
            }
        })
        .collect()
}

/// A page of the comments under the page `key` names, from the thread
/// after `after`.
pub async fn thread(
    app: &App,
    reader: Option<&Person>,
    key: &SubjectKey,
    after: Option<&CommentId>,
    now: Timestamp,
) -> AppResult<ThreadPage> {
    let subject = subject(app, reader, key).await?;
    let store = app.store();
    let records = store
        .comment_threads(subject.subject, after, THREADS_PER_PAGE + 1)
        .await?;
    let roots: Vec<&CommentRecord> = records.iter().filter(|r| r.parent.is_none()).collect();
    let (records, next) = if roots.len() > THREADS_PER_PAGE as usize {
        let cut = roots[THREADS_PER_PAGE as usize].row;
        let last = roots[THREADS_PER_PAGE as usize - 1].id.clone();
        let kept = records
            .into_iter()
            .filter(|r| r.thread_root < cut)
            .collect();
        (kept, Some(last))
    } else {
        (records, None)
    };
    let count = store.published_comment_count(subject.subject).await?;
    Ok(ThreadPage {
        key: subject.key.clone(),
        title: subject.title.clone(),
        comments: shown(
            records,
            &subject,
            reader,
            &hidden_for(app, reader).await?,
            now,
        ),
        next,
        count,
        may_comment: subject.published,
    })
}

/// The thread the comment `id` is in, if `reader` may see it.
pub async fn comment_in_thread(
    app: &App,
    reader: Option<&Person>,
    id: &CommentId,
    now: Timestamp,
) -> AppResult<CommentInThread> {
    let record = app.store().comment(id).await?;
    if !visible(&record, reader) {
        return Err(AppError::NotFound);
    }
    let subject = subject(app, reader, &record.subject_key).await?;
    let records = app.store().comment_thread(id).await?;
    Ok(CommentInThread {
        key: subject.key.clone(),
        title: subject.title.clone(),
        focus: id.clone(),
        comments: shown(
            records,
            &subject,
            reader,
            &hidden_for(app, reader).await?,
            now,
        ),
    })
}

/// A comment `person` may see and report: not deleted, on a page they
/// may read.
pub async fn to_report(
    app: &App,
    person: Option<&Person>,
    id: &CommentId,
) -> AppResult<CommentRecord> {
    let record = app.store().comment(id).await?;
    if !visible(&record, person) || record.status == CommentStatus::Deleted {
        return Err(AppError::NotFound);
    }
    subject(app, person, &record.subject_key).await?;
    Ok(record)
}

/// The authors whose comments `reader` does not read: those they block.
async fn hidden_for(app: &App, reader: Option<&Person>) -> AppResult<HashSet<AccountId>> {
    match reader {
        Some(person) => crate::blocks::hidden_authors_for(app, person.id).await,
        None => Ok(HashSet::new()),
    }
}

/// The first words of a comment, as plain text, for a mail.
fn excerpt(markdown: &str) -> String {
    const MAX: usize = 300;
    let text = to_plain_text(markdown);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Every comment the person wrote, newest first (their export).
pub async fn your_comments(app: &App, person: &Person) -> AppResult<Vec<CommentRecord>> {
    Ok(app.store().account_comments(person.id).await?)
}
