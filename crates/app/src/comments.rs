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
use kith_domain::account::Email;
use kith_domain::comment::{
    self, CommentStatus, Deletion, Placed, ReplyRefusal, editable, shares_a_group,
};
use kith_domain::ids::{AccountId, CommentId, Slug};
use kith_domain::validation::{FieldError, Refusals};
use kith_store::comments::{
    CommentDecision, ConfirmedComment, GuestConfirmation, NewAuthor, NewComment, PostedComment,
};
use kith_store::mail::Audience;
use kith_store::model::AuditEntry;

pub use kith_store::comments::{CommentAuthor, CommentRecord, SubjectKey, SubjectRecord};

mod guest_mail;

use self::guest_mail::{Answer, TellGuest};
pub use self::guest_mail::{GUEST_UNSUBSCRIBE_LIFETIME, guest_unsubscribe_link, unsubscribe_guest};

use crate::access::Person;
use crate::mail::NotificationPreferences;
use crate::mail::kinds::{CommentReply, GuestCommentConfirm};
use crate::mail::{Tell, compose};
use crate::markdown::{to_plain_text, to_safe_ugc_html};
use crate::tokens::{new_token, token_hash};
use crate::{App, AppError, AppResult, Conflict};

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

/// A moderator's decision on a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentModeration {
    /// Publish a held comment.
    Publish,
    /// Hide a comment from everyone but its author and moderators.
    Hide,
    /// Show a hidden comment again.
    Show,
}

impl CommentModeration {
    /// The stable code, as a moderation path names it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Hide => "hide",
            Self::Show => "show",
        }
    }

    /// The decision a path names (`publish`, `hide` or `show`).
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Publish, Self::Hide, Self::Show]
            .into_iter()
            .find(|d| d.code() == code)
    }
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

/// Refuses a reply between two people of whom one blocks the other, in
/// the words of any other reply that cannot be written.
async fn refuse_blocked_reply(
    app: &App,
    person: &Person,
    parent: Option<&CommentId>,
) -> AppResult<()> {
    let Some(parent) = parent else {
        return Ok(());
    };
    let answered = match app.store().comment(parent).await {
        Ok(record) => record.account(),
        Err(kith_store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(err) => return Err(err.into()),
    };
    match answered {
        Some(author) if crate::blocks::blocked_between(app, author, person.id).await? => {
            Err(AppError::Conflict(Conflict::ReplyUnavailable))
        }
        _ => Ok(()),
    }
}

fn refused(refusal: ReplyRefusal) -> AppError {
    AppError::Conflict(match refusal {
        ReplyRefusal::ParentUnavailable => Conflict::ReplyUnavailable,
        ReplyRefusal::TooDeep => Conflict::TooDeep,
    })
}

/// Refuses a comment past an hourly limit: `Busy` with the seconds until
/// the hour has passed.
fn within_hourly(written: u64, limit: u64) -> AppResult<()> {
    if written >= limit {
        return Err(AppError::Busy(3600));
    }
    Ok(())
}

/// The listed group a host points to: theirs, or a field error.
async fn pointed_group(
    app: &App,
    person: &Person,
    raw: Option<&str>,
) -> AppResult<Option<kith_domain::ids::GroupId>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let refuse = || AppError::Invalid(vec![FieldError::new("group", "not_yours")]);
    let slug = Slug::parse(raw).ok_or_else(refuse)?;
    let access = match app.store().group_access(&slug).await {
        Ok(access) => access,
        Err(kith_store::StoreError::NotFound) => return Err(refuse()),
        Err(err) => return Err(err.into()),
    };
    let listed = access.status == kith_domain::group::ListingStatus::Listed;
    if listed && access.hosts.contains(&person.id) {
        Ok(Some(access.id))
    } else {
        Err(refuse())
    }
}

/// The mail that tells the member a published comment answers.
fn reply_mail<'a>(
    app: &'a App,
    title: &'a str,
    writer: Option<AccountId>,
    excerpt: String,
) -> Tell<'a, PostedComment, CommentReply> {
    let site = app.site_url();
    Tell::new(
        site,
        move |posted: &PostedComment| match posted.parent_author {
            Some(author) if posted.status == CommentStatus::Published && Some(author) != writer => {
                Audience::Accounts(vec![author])
            }
            _ => Audience::Nobody,
        },
        move |posted, _, _| {
            Some(CommentReply {
                page_title: title.to_owned(),
                excerpt: excerpt.clone(),
                link: site.link(&permalink(&posted.id)),
            })
        },
    )
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

/// A member writes a comment (or a reply) under the page `key` names.
pub async fn post(
    app: &App,
    person: &Person,
    key: &SubjectKey,
    input: &CommentInput,
    now: Timestamp,
) -> AppResult<Written> {
    let subject = subject(app, Some(person), key).await?;
    if !subject.published {
        return Err(AppError::NotFound);
    }
    if !person.email_verified {
        return Err(AppError::Conflict(Conflict::EmailUnverified));
    }
    let body = comment::parse_body(&input.body).map_err(|e| AppError::Invalid(vec![e]))?;
    let group = pointed_group(app, person, input.group.as_deref()).await?;
    refuse_blocked_reply(app, person, input.parent.as_ref()).await?;
    let store = app.store();
    let account = store.account_details(person.id).await?;
    let limit = if now.duration_since(account.created_at) < SignedDuration::from_hours(24) {
        NEW_ACCOUNT_HOURLY
    } else {
        MEMBER_HOURLY
    };
    let hour_ago = now - SignedDuration::from_hours(1);
    within_hourly(
        store.comments_by_account_since(person.id, hour_ago).await?,
        limit,
    )?;
    let new = NewComment {
        subject: subject.subject,
        parent: input.parent.as_ref(),
        author: NewAuthor::Member(person.id),
        group,
        body: &body,
        status: CommentStatus::Published,
    };
    let notices = reply_mail(app, &subject.title, Some(person.id), excerpt(&body));
    let site = app.site_url();
    let guest = TellGuest::new(site, now, |posted: &PostedComment| {
        (posted.status == CommentStatus::Published).then(|| Answer {
            writer: None,
            page_title: subject.title.clone(),
            excerpt: excerpt(&body),
            link: site.link(&permalink(&posted.id)),
        })
    });
    let posted = store
        .post_comment(&new, &notices, &guest, now)
        .await?
        .map_err(refused)?;
    app.mailed();
    Ok(Written {
        id: posted.id,
        status: posted.status,
        key: subject.key,
    })
}

/// A visitor writes a comment as a guest under `subject` (as [`subject`]
/// read it, which the caller already did to answer 404 before anything
/// else): nothing shows until they follow the link mailed to them, and a
/// first comment waits for a moderator.
pub async fn post_as_guest(
    app: &App,
    subject: &SubjectRecord,
    input: &GuestInput,
    now: Timestamp,
) -> AppResult<()> {
    if !may_read(subject, None) {
        return Err(AppError::NotFound);
    }
    let mut refusals = Refusals::default();
    let name = refusals.check(comment::parse_guest_name(&input.name));
    let email = refusals.check(Email::parse(&input.email));
    let body = refusals.check(comment::parse_body(&input.body));
    refusals.finish(|| ()).map_err(AppError::Invalid)?;
    let (Some(name), Some(email), Some(body)) = (name, email, body) else {
        return Err(AppError::internal("a checked field is missing"));
    };
    let store = app.store();
    let hour_ago = now - SignedDuration::from_hours(1);
    within_hourly(
        store.comments_by_guest_since(&email, hour_ago).await?,
        GUEST_HOURLY,
    )?;
    let token = new_token();
    let mail = compose(
        app.site_url(),
        &GuestCommentConfirm {
            name: name.clone(),
            page_title: subject.title.clone(),
            link: app.site_url().link(&format!("/comments/confirm/{token}")),
        },
        &NotificationPreferences::default(),
    )?;
    let hash = token_hash(&token);
    let new = NewComment {
        subject: subject.subject,
        parent: input.parent.as_ref(),
        author: NewAuthor::Guest {
            email: &email,
            name: &name,
            reply_mail: input.reply_mail,
        },
        group: None,
        body: &body,
        status: CommentStatus::Unconfirmed,
    };
    let confirmation = GuestConfirmation {
        token_hash: &hash,
        expires_at: now + GUEST_LINK_LIFETIME,
        mail: &mail,
    };
    store
        .post_guest_comment(&new, &confirmation, now)
        .await?
        .map_err(refused)?;
    app.mailed();
    Ok(())
}

/// Follows a guest's confirmation link: their comment goes on (held the
/// first time). `NotFound` for an unknown, used or expired link.
pub async fn confirm_guest(app: &App, token: &str, now: Timestamp) -> AppResult<Written> {
    if !crate::tokens::is_token(token) {
        return Err(AppError::NotFound);
    }
    let site = app.site_url();
    let notices = Tell::new(
        site,
        |confirmed: &ConfirmedComment| match confirmed.parent_author {
            Some(author) if confirmed.comment.status == CommentStatus::Published => {
                Audience::Accounts(vec![author])
            }
            _ => Audience::Nobody,
        },
        move |confirmed: &ConfirmedComment, _, _| {
            Some(CommentReply {
                page_title: confirmed.comment.subject_title.clone(),
                excerpt: excerpt(&confirmed.comment.body),
                link: site.link(&permalink(&confirmed.comment.id)),
            })
        },
    );
    let guest = TellGuest::new(site, now, |confirmed: &ConfirmedComment| {
        (confirmed.comment.status == CommentStatus::Published)
            .then(|| Answer::of(site, &confirmed.comment))
    });
    let confirmed = app
        .store()
        .confirm_guest_comment(&token_hash(token), &notices, &guest, now)
        .await?;
    app.mailed();
    Ok(Written {
        id: confirmed.comment.id,
        status: confirmed.comment.status,
        key: confirmed.comment.subject_key,
    })
}

/// The comment `id` if `person` wrote it.
async fn own(app: &App, person: &Person, id: &CommentId) -> AppResult<CommentRecord> {
    let record = app.store().comment(id).await?;
    if record.account() == Some(person.id) {
        Ok(record)
    } else {
        Err(AppError::NotFound)
    }
}

/// The author changes their comment, within the edit window.
pub async fn edit(
    app: &App,
    person: &Person,
    id: &CommentId,
    body: &str,
    now: Timestamp,
) -> AppResult<Written> {
    let record = own(app, person, id).await?;
    if !editable(record.status, record.created_at, now) {
        return Err(AppError::Conflict(Conflict::EditWindowClosed));
    }
    let body = comment::parse_body(body).map_err(|e| AppError::Invalid(vec![e]))?;
    app.store().edit_comment(record.row, &body, now).await?;
    Ok(Written {
        id: record.id,
        status: record.status,
        key: record.subject_key,
    })
}

/// The author deletes their comment: a "deleted" placeholder stays while
/// replies hang on it.
pub async fn delete(
    app: &App,
    person: &Person,
    id: &CommentId,
    now: Timestamp,
) -> AppResult<(SubjectKey, Deletion)> {
    let record = own(app, person, id).await?;
    if record.status == CommentStatus::Deleted {
        return Err(AppError::NotFound);
    }
    let left = app.store().delete_comment(record.row, now).await?;
    Ok((record.subject_key, left))
}

/// A held comment as moderators read it, with the page it is under.
#[derive(Debug, Clone)]
pub struct HeldComment {
    /// The comment.
    pub comment: CommentRecord,
    /// Its text as sanitised HTML.
    pub html: String,
}

/// Comments waiting for a moderator, oldest first.
pub async fn held(app: &App, person: &Person) -> AppResult<Vec<HeldComment>> {
    if !person.role.moderates() {
        return Err(AppError::NotFound);
    }
    let held = app.store().held_comments(100).await?;
    Ok(held
        .into_iter()
        .map(|comment| HeldComment {
            html: to_safe_ugc_html(&comment.body),
            comment,
        })
        .collect())
}

/// A moderator publishes a held comment, or hides or shows one; audited.
pub async fn moderate(
    app: &App,
    person: &Person,
    id: &CommentId,
    decision: CommentModeration,
    now: Timestamp,
) -> AppResult<SubjectKey> {
    if !person.role.moderates() {
        return Err(AppError::NotFound);
    }
    let record = app.store().comment(id).await?;
    let (from, to, action) = match decision {
        CommentModeration::Publish => (
            CommentStatus::Held,
            CommentStatus::Published,
            "comment.publish",
        ),
        CommentModeration::Hide => (
            CommentStatus::Published,
            CommentStatus::Hidden,
            "comment.hide",
        ),
        CommentModeration::Show => (
            CommentStatus::Hidden,
            CommentStatus::Published,
            "comment.show",
        ),
    };
    let from = if decision == CommentModeration::Hide && record.status == CommentStatus::Held {
        CommentStatus::Held
    } else {
        from
    };
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action,
        target: format!("comment:{id}"),
        reason: "",
    };
    let site = app.site_url();
    // A failed read must fail the decision: read as "nobody to tell", it
    // would publish the reply and silently never mail the person answered.
    let parent_author = match &record.parent {
        Some((_, parent)) => app.store().comment(parent).await?.account(),
        None => None,
    };
    let notices = Tell::new(
        site,
        move |published: &CommentRecord| match parent_author {
            Some(author)
                if decision == CommentModeration::Publish
                    && published.account() != Some(author) =>
            {
                Audience::Accounts(vec![author])
            }
            _ => Audience::Nobody,
        },
        move |published: &CommentRecord, _, _| {
            Some(CommentReply {
                page_title: published.subject_title.clone(),
                excerpt: excerpt(&published.body),
                link: site.link(&permalink(&published.id)),
            })
        },
    );
    let guest = TellGuest::new(site, now, |published: &CommentRecord| {
        (decision == CommentModeration::Publish).then(|| Answer::of(site, published))
    });
    app.store()
        .decide_comment(
            record.row,
            CommentDecision { from, to },
            &audit,
            &notices,
            &guest,
            now,
        )
        .await?;
    app.mailed();
    Ok(record.subject_key)
}

/// Every comment the person wrote, newest first (their export).
pub async fn your_comments(app: &App, person: &Person) -> AppResult<Vec<CommentRecord>> {
    Ok(app.store().account_comments(person.id).await?)
}

#[cfg(test)]
mod tests {
    use super::CommentModeration;

    #[test]
    fn a_moderation_path_names_each_decision_by_its_code() {
        for decision in [
            CommentModeration::Publish,
            CommentModeration::Hide,
            CommentModeration::Show,
        ] {
            assert_eq!(CommentModeration::parse(decision.code()), Some(decision));
        }
        assert_eq!(
            CommentModeration::parse("publish"),
            Some(CommentModeration::Publish)
        );
        assert_eq!(CommentModeration::parse("Publish"), None);
        assert_eq!(CommentModeration::parse("delete"), None);
    }
}
