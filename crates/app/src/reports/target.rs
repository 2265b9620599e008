//! What a report is about: a [`Target`] as a person names it, and how it
//! is found as the reporter may see it (`resolve`), each kind through its
//! own capability; what a reporter may not see is `NotFound`, exactly as
//! for nothing.

use jiff::Timestamp;
use kith_domain::account::Handle;
use kith_domain::ids::{AccountId, CommentId, OccurrenceId, Slug, StoryId};
use kith_domain::reports::TargetKind;
use kith_domain::room::Who;

use super::invalid;
use crate::access::{GroupAction, Person, authorize};
use crate::{App, AppError, AppResult};

/// What a person reports, as they name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A group's listing, by slug.
    Group(Slug),
    /// A person, by handle.
    Person(String),
    /// A message in a meeting's room, by its number there.
    RoomMessage(OccurrenceId, u64),
    /// A member's story.
    Story(StoryId),
    /// A comment.
    Comment(CommentId),
}

impl Target {
    /// Its kind.
    pub fn kind(&self) -> TargetKind {
        match self {
            Self::Group(_) => TargetKind::Group,
            Self::Person(_) => TargetKind::Person,
            Self::RoomMessage(..) => TargetKind::RoomMessage,
            Self::Story(_) => TargetKind::Story,
            Self::Comment(_) => TargetKind::Comment,
        }
    }
}

/// A target as the store keeps it: its internal id, whom it is about and
/// what the reporter saw.
pub(super) struct Resolved {
    pub(super) target_id: i64,
    pub(super) target_ref: String,
    pub(super) author: Option<AccountId>,
    pub(super) excerpt: String,
}

/// Finds the target as `person` (`None`: a visitor) may see it:
/// `NotFound` for what they may not see, exactly as for nothing; their own
/// content is refused.
pub(super) async fn resolve(
    app: &App,
    person: Option<&Person>,
    target: &Target,
    now: Timestamp,
) -> AppResult<Resolved> {
    let store = app.store();
    let me = person.map(|p| p.id);
    let resolved = match target {
        Target::Group(slug) => {
            let access = authorize(store, person, slug, GroupAction::View).await?;
            if me.is_some_and(|me| access.hosts.contains(&me)) {
                return Err(invalid("target", "own_content"));
            }
            let name = store.managed_group(slug).await?.profile.name;
            Resolved {
                target_id: access.id.0,
                target_ref: String::new(),
                author: access.hosts.first().copied(),
                excerpt: name,
            }
        }
        Target::Person(handle) => {
            let handle = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
            let account = store
                .account_by_handle(&handle)
                .await?
                .ok_or(AppError::NotFound)?;
            if Some(account.id) == me {
                return Err(invalid("target", "own_content"));
            }
            Resolved {
                target_id: account.id.0,
                target_ref: String::new(),
                author: Some(account.id),
                excerpt: account.handle.to_string(),
            }
        }
        // A visitor is in no room.
        Target::RoomMessage(meeting, number) => {
            let person = person.ok_or(AppError::NotFound)?;
            room_message(app, person, meeting, *number, now).await?
        }
        Target::Story(id) => {
            let story = crate::stories::story(app, person, id).await?;
            if Some(story.author_id) == me {
                return Err(invalid("target", "own_content"));
            }
            Resolved {
                target_id: story.row_id,
                target_ref: String::new(),
                author: Some(story.author_id),
                excerpt: story.text.title,
            }
        }
        Target::Comment(id) => {
            let comment = crate::comments::to_report(app, person, id).await?;
            if comment.account().is_some_and(|author| Some(author) == me) {
                return Err(invalid("target", "own_content"));
            }
            Resolved {
                target_id: comment.row,
                target_ref: String::new(),
                author: comment.account(),
                excerpt: crate::markdown::to_plain_text(&comment.body),
            }
        }
    };
    Ok(resolved)
}

/// A message of a meeting's room, read from the room's log, for someone
/// who may be in that room: still there (not removed by the facilitator),
/// not their own. A message from someone without a device has no account
/// to tell or suspend.
async fn room_message(
    app: &App,
    person: &Person,
    meeting: &OccurrenceId,
    number: u64,
    now: Timestamp,
) -> AppResult<Resolved> {
    let entry = crate::rooms::entry(app, person, meeting, now).await?;
    let (from, text) = crate::rooms::message(app, &entry.occurrence.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let author = match from {
        Who::Account(id) => Some(AccountId(id)),
        Who::Guest(_) => None,
    };
    if author == Some(person.id) {
        return Err(invalid("target", "own_content"));
    }
    Ok(Resolved {
        target_id: i64::try_from(number).map_err(|_| AppError::NotFound)?,
        target_ref: meeting.to_string(),
        author,
        excerpt: text,
    })
}
