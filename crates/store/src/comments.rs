//! Threaded comments under resources and stories, by members and by
//! guests whose address is confirmed by mail: the [`CommentStore`] trait
//! and its one implementation for both backends (`imp`).
//!
//! The rules (how deep a reply may go, what deleting leaves) are the
//! domain's ([`kith_domain::comment`]); the store applies them inside the
//! transaction that writes, with the comment answered locked, so a reply
//! never lands under a comment being deleted.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Email;
use kith_domain::comment::{CommentStatus, Deletion, ReplyRefusal, Threaded};
use kith_domain::ids::{CommentId, GroupId, Slug, StoryId};

use crate::mail::notices::ComposeError;
use crate::mail::{MailDraft, NoMail, Notices};
use crate::model::{AccountId, AuditEntry};
use crate::{StoreError, StoreResult, from_seconds};

/// What a comment sits under, by its internal row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentSubject {
    /// A resource (`resources.id`).
    Resource(i64),
    /// A member's story (`stories.id`).
    Story(i64),
}

impl CommentSubject {
    /// The column of `comments` that holds it.
    fn column(self) -> &'static str {
        match self {
            Self::Resource(_) => "resource_id",
            Self::Story(_) => "story_id",
        }
    }

    /// Its row id.
    fn row(self) -> i64 {
        match self {
            Self::Resource(id) | Self::Story(id) => id,
        }
    }
}

/// How a page under which comments sit is named in links.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SubjectKey {
    /// A resource, by slug (`/resources/{slug}`).
    Resource(Slug),
    /// A story, by its public id (`/stories/{id}`).
    Story(StoryId),
}

/// A page comments may sit under, as comments need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRecord {
    /// Its row.
    pub subject: CommentSubject,
    /// Its name in links.
    pub key: SubjectKey,
    /// Its title.
    pub title: String,
    /// Whether everyone may read it (published).
    pub published: bool,
    /// A story's author (who, alone with moderators, sees it unpublished).
    pub author: Option<AccountId>,
    /// Whether a story's author is shown as "anonymous member".
    pub anonymous: bool,
}

/// Who wrote a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentAuthor {
    /// A member, under their handle.
    Member {
        /// The account.
        account: AccountId,
        /// Its handle.
        handle: String,
    },
    /// A guest, under the name they gave.
    Guest {
        /// The guest's row (never shown).
        guest: i64,
        /// The name they gave.
        name: String,
    },
    /// Nobody any more: the comment is deleted, or its account is.
    Gone,
}

/// One comment as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    /// Its row.
    pub row: i64,
    /// Its public id.
    pub id: CommentId,
    /// What it sits under.
    pub subject: CommentSubject,
    /// That page's name in links.
    pub subject_key: SubjectKey,
    /// That page's title.
    pub subject_title: String,
    /// The comment it answers: (row, public id).
    pub parent: Option<(i64, CommentId)>,
    /// The row of the comment on the page its thread starts from (its own
    /// for a comment on the page).
    pub thread_root: i64,
    /// How deep it sits (0: on the page itself).
    pub depth: u32,
    /// Who wrote it.
    pub author: CommentAuthor,
    /// The listed group its host pointed to: (slug, name).
    pub group: Option<(Slug, String)>,
    /// Its text (Markdown); empty once deleted.
    pub body: String,
    /// Where it is in its life.
    pub status: CommentStatus,
    /// When it was written.
    pub created_at: Timestamp,
    /// When its author last changed it.
    pub edited_at: Option<Timestamp>,
}

impl CommentRecord {
    /// The account that wrote it, if a member did.
    pub fn account(&self) -> Option<AccountId> {
        match self.author {
            CommentAuthor::Member { account, .. } => Some(account),
            _ => None,
        }
    }
}

/// Threads are built by the comment's row and its parent's.
impl Threaded for CommentRecord {
    fn id(&self) -> i64 {
        self.row
    }

    fn parent(&self) -> Option<i64> {
        self.parent.as_ref().map(|(row, _)| *row)
    }
}

/// Who writes a new comment.
#[derive(Debug, Clone, Copy)]
pub enum NewAuthor<'a> {
    /// A member.
    Member(AccountId),
    /// A guest, under `name`; their address is kept by the mail system.
    Guest {
        /// The guest's address, normalised.
        email: &'a Email,
        /// The name shown.
        name: &'a str,
        /// Whether they want replies mailed.
        reply_mail: bool,
    },
}

/// A comment to write.
#[derive(Debug, Clone, Copy)]
pub struct NewComment<'a> {
    /// What it sits under.
    pub subject: CommentSubject,
    /// The comment it answers.
    pub parent: Option<&'a CommentId>,
    /// Who writes it.
    pub author: NewAuthor<'a>,
    /// A listed group its host points to.
    pub group: Option<GroupId>,
    /// Its text (Markdown), already checked.
    pub body: &'a str,
    /// Its first status (a guest's is always `Unconfirmed`).
    pub status: CommentStatus,
}

/// A guest's confirmation link: the hash of its token, until when it
/// works, and the mail that carries it.
pub struct GuestConfirmation<'a> {
    /// SHA-256 of the token, hex.
    pub token_hash: &'a str,
    /// It works until then.
    pub expires_at: Timestamp,
    /// The mail with the link.
    pub mail: &'a MailDraft,
}

/// A comment just written, as its mail needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedComment {
    /// Its row.
    pub row: i64,
    /// Its public id.
    pub id: CommentId,
    /// Its status.
    pub status: CommentStatus,
    /// Who wrote the comment it answers, if a member did.
    pub parent_author: Option<AccountId>,
}

/// A guest's comment once their address is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedComment {
    /// The comment, in its new status.
    pub comment: CommentRecord,
    /// Who wrote the comment it answers, if a member did.
    pub parent_author: Option<AccountId>,
}

/// A comment's status, from what the moderator saw to what they decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentDecision {
    /// The status the moderator read; `Stale` if it moved on.
    pub from: CommentStatus,
    /// The status decided.
    pub to: CommentStatus,
}

/// The guest whose comment a reply answers, as the mail that tells them
/// needs to know them; their address stays in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnsweredGuest {
    /// The guest's row.
    pub guest: i64,
    /// Whether they confirmed their address.
    pub confirmed: bool,
    /// Whether they asked for replies by mail.
    pub reply_mail: bool,
    /// The status of their comment that the reply answers.
    pub answered: CommentStatus,
}

/// A mail to a guest, with its one-click unsubscribe.
pub struct GuestMail {
    /// The mail; its `unsubscribe` holds the link and its token's hash.
    pub draft: MailDraft,
    /// Until when the link works.
    pub unsubscribe_until: Timestamp,
}

/// The mail that tells a guest a reply answers their comment, written in
/// the transaction that publishes the reply: the store finds the guest,
/// this says whether they hear of it and what.
pub trait GuestNotices<T: ?Sized>: Sync {
    /// The mail for `to` about `outcome`, or `None` to tell them nothing.
    fn mail_for(&self, outcome: &T, to: &AnsweredGuest) -> Result<Option<GuestMail>, ComposeError>;
}

/// A change that mails no guest.
impl<T: ?Sized> GuestNotices<T> for NoMail {
    fn mail_for(&self, _: &T, _: &AnsweredGuest) -> Result<Option<GuestMail>, ComposeError> {
        Ok(None)
    }
}

/// What pruning guests' leftovers deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrunedGuests {
    /// Expired links (confirmation and unsubscribe).
    pub tokens: u64,
    /// Unconfirmed comments whose link expired.
    pub comments: u64,
    /// Guests never confirmed with no comment left, with their addresses.
    pub guests: u64,
}

/// Comments and the guests who write some.
#[async_trait]
pub trait CommentStore {
    /// The resource with this slug, as comments see it; `NotFound` if none.
    async fn resource_subject(&self, slug: &Slug) -> StoreResult<SubjectRecord>;

    /// The story with this id, as comments see it; `NotFound` if none.
    async fn story_subject(&self, id: &StoryId) -> StoreResult<SubjectRecord>;

    /// Writes a comment, refused when the comment it answers is not
    /// published, belongs elsewhere (`NotFound`) or is as deep as threads
    /// go. The mail `notices` makes of it is written with it, and the
    /// mail `guest` makes for the guest it answers, if a guest wrote that.
    async fn post_comment(
        &self,
        comment: &NewComment<'_>,
        notices: &dyn Notices<PostedComment>,
        guest: &dyn GuestNotices<PostedComment>,
        now: Timestamp,
    ) -> StoreResult<Result<PostedComment, ReplyRefusal>>;

    /// Writes a guest's comment (`Unconfirmed`), the guest if new, and the
    /// link that confirms their address with the mail that carries it.
    /// Their choice of reply mail waits in the link: it counts once they
    /// follow it.
    async fn post_guest_comment(
        &self,
        comment: &NewComment<'_>,
        confirmation: &GuestConfirmation<'_>,
        now: Timestamp,
    ) -> StoreResult<Result<PostedComment, ReplyRefusal>>;

    /// Follows a guest's confirmation link: the guest's address counts as
    /// confirmed, with the reply mail chosen on this comment's form, and
    /// the comment becomes `Held` while the guest has no
    /// published comment, else `Published`; the link works once. `NotFound`
    /// for an unknown, used or expired link. The mail `notices` makes is
    /// written with it, and the mail `guest` makes for the guest it
    /// answers, if a guest wrote that.
    async fn confirm_guest_comment(
        &self,
        token_hash: &str,
        notices: &dyn Notices<ConfirmedComment>,
        guest: &dyn GuestNotices<ConfirmedComment>,
        now: Timestamp,
    ) -> StoreResult<ConfirmedComment>;

    /// One comment by its public id; `NotFound` when there is none.
    async fn comment(&self, id: &CommentId) -> StoreResult<CommentRecord>;

    /// A page of a subject's threads: up to `threads` comments on the page
    /// itself after the one `after` names (oldest first), each with every
    /// reply under it, in every status.
    async fn comment_threads(
        &self,
        subject: CommentSubject,
        after: Option<&CommentId>,
        threads: u32,
    ) -> StoreResult<Vec<CommentRecord>>;

    /// The thread a comment is in: the comment on the page it starts from
    /// and every reply under that, in every status.
    async fn comment_thread(&self, id: &CommentId) -> StoreResult<Vec<CommentRecord>>;

    /// How many comments everyone may read under a subject.
    async fn published_comment_count(&self, subject: CommentSubject) -> StoreResult<u64>;

    /// Replaces a comment's text; `Stale` when it is deleted or hidden
    /// meanwhile.
    async fn edit_comment(&self, row: i64, body: &str, now: Timestamp) -> StoreResult<()>;

    /// Deletes a comment: the row goes when nothing answers it, else it
    /// becomes a blank placeholder; a placeholder left with no replies
    /// goes too. Answers what was left.
    async fn delete_comment(&self, row: i64, now: Timestamp) -> StoreResult<Deletion>;

    /// A moderator's decision on a comment (publishing a held one, hiding
    /// or showing one), with its audit row and mail (`guest`'s to the guest
    /// it answers, if a guest wrote that); `Stale` when its status is no
    /// longer `decision.from`.
    async fn decide_comment(
        &self,
        row: i64,
        decision: CommentDecision,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<CommentRecord>,
        guest: &dyn GuestNotices<CommentRecord>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Comments waiting for a moderator, oldest first.
    async fn held_comments(&self, limit: u32) -> StoreResult<Vec<CommentRecord>>;

    /// How many comments a member wrote since `since` (rate limits).
    async fn comments_by_account_since(
        &self,
        account: AccountId,
        since: Timestamp,
    ) -> StoreResult<u64>;

    /// How many comments the guest with this address wrote since `since`.
    async fn comments_by_guest_since(&self, email: &Email, since: Timestamp) -> StoreResult<u64>;

    /// Every comment a member wrote, newest first (their export).
    async fn account_comments(&self, account: AccountId) -> StoreResult<Vec<CommentRecord>>;

    /// Whether a guest's unsubscribe link works: known and not expired.
    async fn guest_unsubscribe_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool>;

    /// Deletes what guests left unfinished by `now`: expired links, the
    /// unconfirmed comments no link can confirm any more, and the guests
    /// never confirmed who have no comment left (their address goes with
    /// them).
    async fn prune_guests(&self, now: Timestamp) -> StoreResult<PrunedGuests>;

    /// The outbox's mail `mail`, to a guest's address, was refused for
    /// good, so no link in it will be followed: the guest's comments that
    /// wait for confirmation go with their links, and the guest too if
    /// never confirmed and nothing of theirs is left. Answers how many
    /// comments went.
    async fn forget_refused_guest(&self, mail: i64) -> StoreResult<u64>;

    /// The outbox's mail `mail`, to a guest's address, was refused for
    /// good: no more reply mail to that guest.
    async fn stop_refused_guest_reply_mail(&self, mail: i64) -> StoreResult<()>;

    /// Turns off reply mail for the guest of an unsubscribe link;
    /// `NotFound` for an unknown or expired link. Twice changes nothing
    /// more.
    async fn stop_guest_reply_mail(&self, token_hash: &str, now: Timestamp) -> StoreResult<()>;
}

/// The columns every read of comments selects, `c` being the comment.
const COMMENT_COLUMNS: &str = "SELECT c.id, c.public_id, c.resource_id, c.story_id,
    r.slug AS resource_slug, s.public_id AS story_public_id,
    COALESCE(r.title, s.title) AS subject_title,
    c.parent_id, p.public_id AS parent_public_id, c.root_id, c.depth,
    c.author_id, a.handle, c.guest_id, c.guest_name, g.slug AS group_slug, g.name AS group_name,
    c.body, c.status, c.created_at, c.edited_at
FROM comments c
LEFT JOIN resources r ON r.id = c.resource_id
LEFT JOIN stories s ON s.id = c.story_id
LEFT JOIN comments p ON p.id = c.parent_id
LEFT JOIN accounts a ON a.id = c.author_id
LEFT JOIN groups g ON g.id = c.group_id AND g.status = 'listed'";

/// A page of threads under a subject; `{column}` is the subject's column.
fn threads_query(subject: CommentSubject) -> String {
    let column = subject.column();
    format!(
        "WITH roots AS (
    SELECT id FROM comments
    WHERE {column} = $1 AND parent_id IS NULL
      AND id > COALESCE((SELECT id FROM comments WHERE public_id = $2 AND {column} = $1), 0)
    ORDER BY id LIMIT $3)
{COMMENT_COLUMNS}
WHERE c.id IN (SELECT id FROM roots) OR c.root_id IN (SELECT id FROM roots)
ORDER BY c.id"
    )
}

fn published_count_query(subject: CommentSubject) -> String {
    format!(
        "SELECT COUNT(*) FROM comments WHERE {} = $1 AND status = 'published'",
        subject.column()
    )
}

pub(crate) const RESOURCE_SUBJECT: &str =
    "SELECT id, slug, title, published_at FROM resources WHERE slug = $1";
pub(crate) const STORY_SUBJECT: &str =
    "SELECT id, public_id, title, status, author_id, anonymous FROM stories WHERE public_id = $1";
pub(crate) const PARENT: &str =
    "SELECT id, resource_id, story_id, root_id, depth, status, author_id
FROM comments WHERE public_id = $1";
pub(crate) const INSERT_COMMENT: &str = "INSERT INTO comments
    (public_id, resource_id, story_id, parent_id, root_id, depth, author_id, guest_id,
     guest_name, group_id, body, status, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
/// A guest's row for an address, made when new (replies not mailed until
/// a confirmation says so). The no-op update lets `RETURNING` answer an
/// existing row.
pub(crate) const UPSERT_GUEST: &str = "INSERT INTO guests (email, reply_mail, created_at)
VALUES ($1, 0, $2)
ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id";
pub(crate) const INSERT_GUEST_TOKEN: &str = "INSERT INTO guest_tokens
    (token_hash, purpose, guest_id, comment_id, created_at, expires_at, reply_mail)
VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// The guest who wrote the comment a reply answers, if a guest did.
pub(crate) const ANSWERED_GUEST: &str = "SELECT g.id, g.email,
    g.confirmed_at IS NOT NULL AS confirmed, g.reply_mail, p.status
FROM comments p JOIN guests g ON g.id = p.guest_id WHERE p.id = $1";
pub(crate) const PRUNE_GUEST_TOKENS: &str = "DELETE FROM guest_tokens WHERE expires_at <= $1";
pub(crate) const PRUNE_UNCONFIRMED: &str = "DELETE FROM comments
WHERE status = 'unconfirmed'
  AND NOT EXISTS (SELECT 1 FROM guest_tokens t
                  WHERE t.comment_id = comments.id AND t.purpose = 'confirm'
                    AND t.expires_at > $1)";
/// Guests never confirmed with no comment; the backend appends its lock.
pub(crate) const LONELY_GUESTS: &str = "SELECT id FROM guests
WHERE confirmed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.guest_id = guests.id)";
/// Asks again under the lock: a comment may have come meanwhile.
pub(crate) const REMOVE_LONELY_GUEST: &str = "DELETE FROM guests
WHERE id = $1 AND confirmed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.guest_id = $1)";
/// The guest an outbox row was addressed to.
pub(crate) const GUEST_OF_MAIL: &str = "SELECT g.id FROM outbox o
JOIN guests g ON g.email = o.address WHERE o.id = $1";
pub(crate) const DROP_GUEST_LINKS: &str =
    "DELETE FROM guest_tokens WHERE guest_id = $1 AND purpose = 'confirm'";
pub(crate) const DROP_UNCONFIRMED: &str =
    "DELETE FROM comments WHERE guest_id = $1 AND status = 'unconfirmed'";
pub(crate) const NO_REPLY_MAIL_AFTER: &str = "UPDATE guests SET reply_mail = 0
WHERE email = (SELECT address FROM outbox WHERE id = $1)";
pub(crate) const GUEST_UNSUBSCRIBE_VALID: &str = "SELECT COUNT(*) FROM guest_tokens
WHERE token_hash = $1 AND purpose = 'unsubscribe' AND expires_at > $2";
pub(crate) const STOP_GUEST_REPLY_MAIL: &str = "UPDATE guests SET reply_mail = 0
WHERE id = (SELECT guest_id FROM guest_tokens
            WHERE token_hash = $1 AND purpose = 'unsubscribe' AND expires_at > $2)";
pub(crate) const TAKE_GUEST_TOKEN: &str = "DELETE FROM guest_tokens
WHERE token_hash = $1 AND purpose = 'confirm' AND expires_at > $2
RETURNING guest_id, comment_id, reply_mail";
/// The address is proven: the choice its link carries counts now.
pub(crate) const CONFIRM_GUEST: &str = "UPDATE guests
SET confirmed_at = COALESCE(confirmed_at, $2), reply_mail = $3 WHERE id = $1";
pub(crate) const GUEST_PUBLISHED: &str =
    "SELECT COUNT(*) FROM comments WHERE guest_id = $1 AND status = 'published'";
pub(crate) const QUEUE_GUEST_COMMENT: &str =
    "UPDATE comments SET status = $2 WHERE id = $1 AND status = 'unconfirmed'";
pub(crate) const EDIT_COMMENT: &str = "UPDATE comments SET body = $2, edited_at = $3
WHERE id = $1 AND status NOT IN ('deleted', 'hidden')";
pub(crate) const REPLY_COUNT: &str = "SELECT COUNT(*) FROM comments WHERE parent_id = $1";
pub(crate) const COMMENT_PARENT: &str = "SELECT parent_id FROM comments WHERE id = $1";
pub(crate) const COMMENT_AUTHOR: &str = "SELECT author_id FROM comments WHERE id = $1";
pub(crate) const COMMENT_STATUS: &str = "SELECT status FROM comments WHERE id = $1";
pub(crate) const REMOVE_COMMENT: &str = "DELETE FROM comments WHERE id = $1";
pub(crate) const BLANK_COMMENT: &str = "UPDATE comments
SET status = 'deleted', body = '', author_id = NULL, guest_id = NULL, guest_name = NULL,
    group_id = NULL, edited_at = $2
WHERE id = $1";
pub(crate) const DECIDE_COMMENT: &str =
    "UPDATE comments SET status = $2 WHERE id = $1 AND status = $3";
pub(crate) const BY_ACCOUNT_SINCE: &str =
    "SELECT COUNT(*) FROM comments WHERE author_id = $1 AND created_at >= $2";
pub(crate) const BY_GUEST_SINCE: &str = "SELECT COUNT(*) FROM comments c
JOIN guests g ON g.id = c.guest_id WHERE g.email = $1 AND c.created_at >= $2";

pub(crate) const BLANK_AUTHORS_COMMENTS: &str = "UPDATE comments
SET status = 'deleted', body = '', author_id = NULL, group_id = NULL
WHERE author_id = $1";
pub(crate) const REMOVE_BARE_PLACEHOLDERS: &str = "DELETE FROM comments
WHERE status = 'deleted'
  AND id NOT IN (SELECT parent_id FROM comments WHERE parent_id IS NOT NULL)";

/// Deletes a member's comments as their account goes: each becomes a
/// placeholder, and placeholders nothing answers go, level by level.
pub(crate) async fn forget_author(tx: &mut crate::db::Tx, account: AccountId) -> StoreResult<()> {
    crate::db::query(BLANK_AUTHORS_COMMENTS)
        .bind(account.0)
        .execute(&mut *tx)
        .await?;
    while crate::db::query(REMOVE_BARE_PLACEHOLDERS)
        .execute(&mut *tx)
        .await?
        > 0
    {}
    Ok(())
}

fn comment_by_public_id() -> String {
    format!("{COMMENT_COLUMNS} WHERE c.public_id = $1")
}

fn comment_by_row() -> String {
    format!("{COMMENT_COLUMNS} WHERE c.id = $1")
}

fn thread_query() -> String {
    format!("{COMMENT_COLUMNS} WHERE c.id = $1 OR c.root_id = $1 ORDER BY c.id")
}

fn held_query() -> String {
    format!("{COMMENT_COLUMNS} WHERE c.status = 'held' ORDER BY c.id LIMIT $1")
}

fn account_comments_query() -> String {
    format!("{COMMENT_COLUMNS} WHERE c.author_id = $1 ORDER BY c.id DESC")
}

/// A comment's row as [`COMMENT_COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct CommentRow {
    id: i64,
    public_id: String,
    resource_id: Option<i64>,
    story_id: Option<i64>,
    resource_slug: Option<String>,
    story_public_id: Option<String>,
    subject_title: Option<String>,
    parent_id: Option<i64>,
    parent_public_id: Option<String>,
    root_id: Option<i64>,
    depth: i64,
    author_id: Option<i64>,
    handle: Option<String>,
    guest_id: Option<i64>,
    guest_name: Option<String>,
    group_slug: Option<String>,
    group_name: Option<String>,
    body: String,
    status: String,
    created_at: i64,
    edited_at: Option<i64>,
}

impl CommentRow {
    pub(crate) fn into_record(self) -> StoreResult<CommentRecord> {
        let (subject, subject_key) = match (
            self.resource_id,
            self.resource_slug,
            self.story_id,
            self.story_public_id,
        ) {
            (Some(id), Some(slug), None, None) => (
                CommentSubject::Resource(id),
                SubjectKey::Resource(Slug::from_trusted(slug)),
            ),
            (None, None, Some(id), Some(public)) => (
                CommentSubject::Story(id),
                SubjectKey::Story(StoryId::from_trusted(public)),
            ),
            _ => return Err(StoreError::corrupt("comment subject")),
        };
        let author = match (self.author_id, self.handle, self.guest_id, self.guest_name) {
            (Some(account), Some(handle), _, _) => CommentAuthor::Member {
                account: AccountId(account),
                handle,
            },
            (None, _, Some(guest), Some(name)) => CommentAuthor::Guest { guest, name },
            _ => CommentAuthor::Gone,
        };
        Ok(CommentRecord {
            row: self.id,
            id: CommentId::from_trusted(self.public_id),
            subject,
            subject_key,
            subject_title: self.subject_title.unwrap_or_default(),
            parent: self
                .parent_id
                .zip(self.parent_public_id.map(CommentId::from_trusted)),
            thread_root: self.root_id.unwrap_or(self.id),
            depth: u32::try_from(self.depth).map_err(|_| StoreError::corrupt("comment depth"))?,
            author,
            group: self.group_slug.map(Slug::from_trusted).zip(self.group_name),
            body: self.body,
            status: CommentStatus::parse(&self.status)
                .ok_or_else(|| StoreError::corrupt("comment status"))?,
            created_at: from_seconds(self.created_at)?,
            edited_at: self.edited_at.map(from_seconds).transpose()?,
        })
    }
}

mod imp;
