//! Members' stories: a member writes one, moderators publish or decline
//! it (and each later edit) with a note, everyone reads the published ones.
//! The author may show their handle or be an "anonymous member"; only they
//! and the moderators ever learn who wrote an anonymous story. A story that
//! is not published is `NotFound` to everyone else, exactly like one that
//! does not exist. Decisions write their audit row and the author's mail in
//! the same transaction; moderators are mailed when a story waits.

pub mod demo;
mod notices;

use jiff::Timestamp;
use kith_domain::ids::{AccountId, StoryId};
use kith_domain::story::{StoryChange, StoryInput, StoryStatus, StoryText, is_public, next_status};
use kith_domain::validation::text_within;
use kith_store::AuditEntry;
use kith_store::stories::{StoryDecision, StoryRecord};

use crate::access::{Person, SiteAction, authorize_on_site};
use crate::{App, AppError, AppResult, Conflict};

/// Stories on one page of the list.
pub const PAGE_SIZE: u32 = 20;
/// The last page the list answers (more is a search's job).
pub const MAX_PAGE: u32 = 500;
/// The longest note a moderator may give.
pub const NOTE_MAX: usize = crate::moderation::REASON_MAX;

/// Who is reading a story, which decides what of it they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryReader {
    /// The person who wrote it: everything, their handle included.
    Author,
    /// A moderator or admin: everything, the author's handle included.
    Moderator,
    /// Anyone else, of a published story: its text, and the handle only
    /// when it is not anonymous.
    Public,
}

/// Who `person` reads a story in `status` by `author` as, or `None` when
/// they may not read it at all. The rule, with no I/O.
pub fn reader(
    person: Option<&Person>,
    author: AccountId,
    status: StoryStatus,
) -> Option<StoryReader> {
    match person {
        Some(p) if p.id == author => Some(StoryReader::Author),
        Some(p) if p.role.moderates() => Some(StoryReader::Moderator),
        _ => is_public(status).then_some(StoryReader::Public),
    }
}

/// A story as one reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryView {
    /// The story's internal row id, for comments (`comments.story_id`);
    /// never in a page, an answer or a log.
    pub row_id: i64,
    /// The author's account, so comments can tell the author apart; never
    /// in a page, an answer or a log (an anonymous story's author is no
    /// one's business).
    pub author_id: AccountId,
    /// Its public id.
    pub id: StoryId,
    /// The published (or submitted) text.
    pub text: StoryText,
    /// The author's handle, for readers who may know it: everyone when the
    /// story is signed, else only the author and the moderators.
    pub author_handle: Option<String>,
    /// Who reads it.
    pub reader: StoryReader,
    /// Where it stands.
    pub status: StoryStatus,
    /// When it was first published.
    pub published_at: Option<Timestamp>,
    /// When it last went to review.
    pub submitted_at: Timestamp,
    /// An edit waiting for review (author and moderators only).
    pub revision: Option<StoryText>,
    /// The moderator's note on a decline (author and moderators only).
    pub review_note: Option<String>,
    /// The version read, for a decision on exactly this text.
    pub version: i64,
}

impl StoryView {
    fn of(story: StoryRecord, reader: StoryReader) -> Self {
        let knows_author = reader != StoryReader::Public || !story.text.anonymous;
        let private = reader != StoryReader::Public;
        Self {
            row_id: story.id,
            author_id: story.author_id,
            id: story.public_id,
            author_handle: knows_author.then_some(story.author_handle),
            reader,
            status: story.status,
            published_at: story.published_at,
            submitted_at: story.submitted_at,
            revision: story.revision.filter(|_| private),
            review_note: story.review_note.filter(|_| private),
            version: story.version,
            text: story.text,
        }
    }

    /// The text a moderator decides on: the waiting edit, else the story.
    pub fn text_to_review(&self) -> &StoryText {
        self.revision.as_ref().unwrap_or(&self.text)
    }
}

/// A page of published stories.
#[derive(Debug, Clone)]
pub struct StoriesPage {
    /// Newest first.
    pub items: Vec<StoryView>,
    /// The next page's number, if there is one.
    pub next_page: Option<u32>,
}

/// A moderator's decision on a story or its waiting edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Publish it (or make the edit its text).
    Publish,
    /// Decline it (or the edit), with a note the author reads.
    Decline {
        /// Why, in words the author can act on.
        note: String,
    },
}

async fn read(app: &App, person: Option<&Person>, id: &StoryId) -> AppResult<StoryView> {
    let story = app.store().story(id).await?;
    let reader = reader(person, story.author_id, story.status).ok_or(AppError::NotFound)?;
    Ok(StoryView::of(story, reader))
}

/// The story as its author, a moderator or (published) anyone reads it;
/// `NotFound` for anyone else.
pub async fn story(app: &App, person: Option<&Person>, id: &StoryId) -> AppResult<StoryView> {
    read(app, person, id).await
}

/// The story for its author to edit; `NotFound` for anyone else.
pub async fn own_story(app: &App, person: &Person, id: &StoryId) -> AppResult<StoryView> {
    let view = read(app, Some(person), id).await?;
    if view.reader == StoryReader::Author {
        Ok(view)
    } else {
        Err(AppError::NotFound)
    }
}

/// Published stories, newest first; `page` counts from 1.
pub async fn published(app: &App, page: u32) -> AppResult<StoriesPage> {
    let page = page.clamp(1, MAX_PAGE);
    let mut items = app
        .store()
        .published_stories(PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        .await?;
    let more = items.len() > PAGE_SIZE as usize;
    items.truncate(PAGE_SIZE as usize);
    Ok(StoriesPage {
        items: items
            .into_iter()
            .map(|s| StoryView::of(s, StoryReader::Public))
            .collect(),
        next_page: (more && page < MAX_PAGE).then_some(page + 1),
    })
}

/// The person's own stories in every status, newest first.
pub async fn my_stories(app: &App, person: &Person) -> AppResult<Vec<StoryView>> {
    let stories = app.store().stories_by(person.id).await?;
    Ok(stories
        .into_iter()
        .map(|s| StoryView::of(s, StoryReader::Author))
        .collect())
}

/// Writes a story; it waits for a moderator. Needs a confirmed email
/// (`email_unverified`), as listing a group does.
pub async fn write_story(
    app: &App,
    person: &Person,
    input: &StoryInput,
    now: Timestamp,
) -> AppResult<StoryId> {
    if !person.email_verified {
        return Err(AppError::Conflict(Conflict::EmailUnverified));
    }
    let text = input.parse().map_err(AppError::Invalid)?;
    let id = StoryId::random();
    let waiting = notices::story_waiting(app, person.id).await?;
    app.store()
        .create_story(&id, person.id, &text, StoryStatus::Pending, &waiting, now)
        .await?;
    app.mailed();
    Ok(id)
}

/// Saves the author's edit. A published story stays up as it was while
/// the edit waits for review; anything else goes (back) to review. Answers
/// the story's status afterwards.
pub async fn edit_story(
    app: &App,
    person: &Person,
    id: &StoryId,
    input: &StoryInput,
    now: Timestamp,
) -> AppResult<StoryStatus> {
    let story = app.store().story(id).await?;
    if story.author_id != person.id {
        return Err(AppError::NotFound);
    }
    let text = input.parse().map_err(AppError::Invalid)?;
    let step = next_status(
        story.status,
        story.revision.is_some(),
        StoryChange::AuthorEdit,
    )
    .ok_or(AppError::Conflict(Conflict::InvalidStatus))?;
    let waiting = notices::story_waiting(app, person.id).await?;
    app.store()
        .edit_story(
            story.seen(),
            step.status,
            &text,
            step.revision,
            &waiting,
            now,
        )
        .await?;
    app.mailed();
    Ok(step.status)
}

/// The author takes their story back: nobody else sees it any more.
pub async fn withdraw_story(
    app: &App,
    person: &Person,
    id: &StoryId,
    now: Timestamp,
) -> AppResult<()> {
    let story = app.store().story(id).await?;
    if story.author_id != person.id {
        return Err(AppError::NotFound);
    }
    next_status(
        story.status,
        story.revision.is_some(),
        StoryChange::Withdraw,
    )
    .ok_or(AppError::Conflict(Conflict::InvalidStatus))?;
    Ok(app.store().withdraw_story(story.seen(), now).await?)
}

/// Stories and edits waiting for review, oldest first; moderators only.
pub async fn queue(app: &App, person: &Person) -> AppResult<Vec<StoryView>> {
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    let stories = app.store().story_queue(crate::moderation::PAGE).await?;
    Ok(stories
        .into_iter()
        .map(|s| StoryView::of(s, StoryReader::Moderator))
        .collect())
}

/// A moderator publishes or declines a story (or its waiting edit), with
/// its audit row and the author's mail. `seen` is the version the moderator
/// read, if known: a decision on text that changed since is refused
/// (`invalid_status`), as is a second moderator's.
pub async fn decide(
    app: &App,
    person: &Person,
    id: &StoryId,
    verdict: &Verdict,
    seen: Option<i64>,
    now: Timestamp,
) -> AppResult<StoryStatus> {
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    let story = app.store().story(id).await?;
    let (change, action, note) = match verdict {
        Verdict::Publish => (StoryChange::Publish, "story.publish", None),
        Verdict::Decline { note } => {
            let note = text_within("review_note", note, 1, NOTE_MAX)
                .map_err(|e| AppError::Invalid(vec![e]))?;
            (StoryChange::Decline, "story.decline", Some(note))
        }
    };
    let revision = story.revision.is_some();
    let step = next_status(story.status, revision, change)
        .filter(|_| seen.is_none_or(|v| v == story.version))
        .ok_or(AppError::Conflict(Conflict::InvalidStatus))?;
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action,
        target: format!("story:{id}"),
        reason: note.as_deref().unwrap_or_default(),
    };
    let publish = change == StoryChange::Publish;
    let title = story.revision.as_ref().unwrap_or(&story.text).title.clone();
    let decided = notices::story_decided(
        app.site_url(),
        &story,
        title,
        publish,
        revision,
        note.clone(),
    );
    let decision = StoryDecision {
        publish,
        to: step.status,
        note: note.as_deref(),
    };
    app.store()
        .decide_story(story.seen(), &decision, &audit, &decided, now)
        .await?;
    app.mailed();
    Ok(step.status)
}
