//! Members' stories: writing one, the author's edits (a published story's
//! edit waits as a revision beside the published text), withdrawing, the
//! moderators' queue and decisions, and the published list. Every change is
//! a compare-and-set on the version the caller read, so two moderators
//! never both decide and a decision applies only to the text that was
//! read. [`StoryStore`] and its one implementation for both backends
//! (`imp`).

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::ids::StoryId;
use kith_domain::story::{StoryStatus, StoryText};

use crate::StoreResult;
use crate::mail::Notices;
use crate::model::{AccountId, AuditEntry};

/// A story as stored, with its author's handle: the app decides who may
/// read which of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryRecord {
    /// Its internal row id (what `comments.story_id` references); never
    /// shown to anyone.
    pub id: i64,
    /// Its public, random id.
    pub public_id: StoryId,
    /// Who wrote it.
    pub author_id: AccountId,
    /// The author's handle: only for the author and the moderators when
    /// the story is anonymous.
    pub author_handle: String,
    /// The text readers see once it is published.
    pub text: StoryText,
    /// Where it stands.
    pub status: StoryStatus,
    /// The moderator's note when they declined it or its revision.
    pub review_note: Option<String>,
    /// Counts every change: what a change compares and sets.
    pub version: i64,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it last went to the review queue.
    pub submitted_at: Timestamp,
    /// When it was first published.
    pub published_at: Option<Timestamp>,
    /// An edit of the published story, waiting for review.
    pub revision: Option<StoryText>,
}

impl StoryRecord {
    /// What a change to this story compares against.
    pub fn seen(&self) -> StorySeen {
        StorySeen {
            id: self.id,
            status: self.status,
            version: self.version,
        }
    }
}

/// The story a change is for, as its caller read it; the change is
/// `Stale` (nothing written) when it moved on since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorySeen {
    /// Its row id.
    pub id: i64,
    /// Its status then.
    pub status: StoryStatus,
    /// Its version then.
    pub version: i64,
}

/// A moderator's decision on a story or its waiting revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryDecision<'a> {
    /// Published (else declined).
    pub publish: bool,
    /// The status afterwards.
    pub to: StoryStatus,
    /// The note the author reads, for a decline.
    pub note: Option<&'a str>,
}

/// Members' stories and the moderators' decisions on them.
#[async_trait]
pub trait StoryStore {
    /// Writes a story in `status` (pending, or published for the demo)
    /// with the mail `notices` makes; answers its row id.
    async fn create_story(
        &self,
        public_id: &StoryId,
        author: AccountId,
        text: &StoryText,
        status: StoryStatus,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<i64>;

    /// One story, whatever its status; `NotFound` if there is none.
    async fn story(&self, id: &StoryId) -> StoreResult<StoryRecord>;

    /// Published stories, newest first, `limit` of them after `offset`.
    async fn published_stories(&self, limit: u32, offset: u32) -> StoreResult<Vec<StoryRecord>>;

    /// An author's stories in any status, newest first.
    async fn stories_by(&self, author: AccountId) -> StoreResult<Vec<StoryRecord>>;

    /// Stories and revisions waiting for review, oldest first.
    async fn story_queue(&self, limit: u32) -> StoreResult<Vec<StoryRecord>>;

    /// Saves an author's edit: as the revision beside a published story
    /// (`revision`), or as the story's own text with status `to`. Clears
    /// the review note; marks it submitted now; mails what `notices`
    /// makes. `Stale` when the story moved on from `seen`.
    async fn edit_story(
        &self,
        seen: StorySeen,
        to: StoryStatus,
        text: &StoryText,
        revision: bool,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// The author takes the story back (and any waiting revision).
    /// `Stale` when it moved on from `seen`.
    async fn withdraw_story(&self, seen: StorySeen, now: Timestamp) -> StoreResult<()>;

    /// A moderator's decision, with its note, audit row and mail, in one
    /// transaction. Publishing makes a waiting revision the story's text;
    /// declining drops it (the published text stays). `Stale` when the
    /// story moved on from `seen`, so two moderators never both decide.
    async fn decide_story(
        &self,
        seen: StorySeen,
        decision: &StoryDecision<'_>,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<()>,
        now: Timestamp,
    ) -> StoreResult<()>;
}

const COLUMNS: &str = "SELECT s.id, s.public_id, s.author_id, a.handle, s.title, s.body,
    s.anonymous, s.status, s.review_note, s.version, s.created_at, s.submitted_at,
    s.published_at, s.revision_title, s.revision_body, s.revision_anonymous
FROM stories s JOIN accounts a ON a.id = s.author_id";

pub(crate) const INSERT: &str = "INSERT INTO stories (public_id, author_id, title, body,
    anonymous, status, created_at, updated_at, submitted_at, published_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8, 0) RETURNING id";
pub(crate) fn by_public_id() -> String {
    format!("{COLUMNS} WHERE s.public_id = $1")
}
pub(crate) fn published() -> String {
    format!(
        "{COLUMNS} WHERE s.status = 'published'
ORDER BY s.published_at DESC, s.id DESC LIMIT $1 OFFSET $2"
    )
}
pub(crate) fn by_author() -> String {
    format!("{COLUMNS} WHERE s.author_id = $1 ORDER BY s.created_at DESC, s.id DESC")
}
pub(crate) fn queue() -> String {
    format!(
        "{COLUMNS} WHERE s.status = 'pending'
    OR (s.status = 'published' AND s.revision_title IS NOT NULL)
ORDER BY s.submitted_at, s.id LIMIT $1"
    )
}
pub(crate) const EDIT_TEXT: &str = "UPDATE stories SET title = $4, body = $5, anonymous = $6,
    status = $7, submitted_at = $8, updated_at = $8, review_note = NULL,
    revision_title = NULL, revision_body = NULL, revision_anonymous = NULL,
    version = version + 1
WHERE id = $1 AND status = $2 AND version = $3";
pub(crate) const EDIT_REVISION: &str = "UPDATE stories SET revision_title = $4,
    revision_body = $5, revision_anonymous = $6, status = $7, submitted_at = $8,
    updated_at = $8, review_note = NULL, version = version + 1
WHERE id = $1 AND status = $2 AND version = $3";
pub(crate) const WITHDRAW: &str = "UPDATE stories SET status = 'withdrawn',
    revision_title = NULL, revision_body = NULL, revision_anonymous = NULL,
    updated_at = $4, version = version + 1
WHERE id = $1 AND status = $2 AND version = $3";
pub(crate) const PUBLISH: &str = "UPDATE stories SET status = $4,
    title = COALESCE(revision_title, title), body = COALESCE(revision_body, body),
    anonymous = COALESCE(revision_anonymous, anonymous),
    revision_title = NULL, revision_body = NULL, revision_anonymous = NULL,
    published_at = COALESCE(published_at, $5), review_note = NULL,
    updated_at = $5, version = version + 1
WHERE id = $1 AND status = $2 AND version = $3";
pub(crate) const DECLINE: &str = "UPDATE stories SET status = $4, review_note = $6,
    revision_title = NULL, revision_body = NULL, revision_anonymous = NULL,
    updated_at = $5, version = version + 1
WHERE id = $1 AND status = $2 AND version = $3";

mod imp;
