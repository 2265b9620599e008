//! Moderating comments: the held ones moderators read, and their
//! decisions (publish, hide, show), audited, with the reply mail a
//! publication causes.

use jiff::Timestamp;
use kith_domain::comment::CommentStatus;
use kith_domain::ids::CommentId;
use kith_store::comments::CommentDecision;
use kith_store::mail::Audience;
use kith_store::model::AuditEntry;

use super::guest_mail::{Answer, TellGuest};
use super::{CommentRecord, SubjectKey, excerpt, permalink};
use crate::access::Person;
use crate::mail::Tell;
use crate::mail::kinds::CommentReply;
use crate::markdown::to_safe_ugc_html;
use crate::{App, AppError, AppResult};

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
