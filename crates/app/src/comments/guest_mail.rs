//! The mail a guest asks for on the comment form: a published reply to
//! their comment, carrying a one-click unsubscribe of its own (a guest has
//! no account, so no preferences page), and following that link.

use jiff::{SignedDuration, Timestamp};
use kith_domain::comment::CommentStatus;
use kith_store::comments::{AnsweredGuest, GuestMail, GuestNotices};
use kith_store::mail::notices::ComposeError;

use super::{CommentAuthor, CommentRecord, excerpt, permalink};
use crate::mail::compose_for_guest;
use crate::mail::kinds::GuestCommentReply;
use crate::site_url::SiteUrl;
use crate::tokens::{is_token, token_hash};
use crate::{App, AppError, AppResult};

/// How long a guest's unsubscribe link works: as long as members' links
/// are kept.
pub const GUEST_UNSUBSCRIBE_LIFETIME: SignedDuration = SignedDuration::from_hours(183 * 24);

/// A published reply, as the mail about it tells it.
pub(super) struct Answer {
    /// The guest who wrote it, if one did: nobody hears of their own.
    pub(super) writer: Option<i64>,
    /// The title of the page it is under.
    pub(super) page_title: String,
    /// Its first words, as plain text.
    pub(super) excerpt: String,
    /// Its permalink.
    pub(super) link: String,
}

impl Answer {
    /// A published comment, as the mail tells it.
    pub(super) fn of(site: &SiteUrl, reply: &CommentRecord) -> Self {
        Self {
            writer: match reply.author {
                CommentAuthor::Guest { guest, .. } => Some(guest),
                _ => None,
            },
            page_title: reply.subject_title.clone(),
            excerpt: excerpt(&reply.body),
            link: site.link(&permalink(&reply.id)),
        }
    }
}

/// Whether a guest hears of a published reply: they asked for it, their
/// address is confirmed, what it answers is still published, and the
/// reply is not their own.
fn hears(to: &AnsweredGuest, writer: Option<i64>) -> bool {
    to.confirmed
        && to.reply_mail
        && to.answered == CommentStatus::Published
        && writer != Some(to.guest)
}

type AnswerOf<'a, T> = Box<dyn Fn(&T) -> Option<Answer> + Send + Sync + 'a>;

/// The mail to the guest a change's reply answers, if the change
/// published one (`answer` says which, `None` when it published none).
pub(super) struct TellGuest<'a, T: ?Sized> {
    site: &'a SiteUrl,
    now: Timestamp,
    answer: AnswerOf<'a, T>,
}

impl<'a, T: ?Sized> TellGuest<'a, T> {
    /// The mail about the reply `answer` finds in an outcome.
    pub(super) fn new(
        site: &'a SiteUrl,
        now: Timestamp,
        answer: impl Fn(&T) -> Option<Answer> + Send + Sync + 'a,
    ) -> Self {
        Self {
            site,
            now,
            answer: Box::new(answer),
        }
    }
}

impl<T: ?Sized> GuestNotices<T> for TellGuest<'_, T> {
    fn mail_for(&self, outcome: &T, to: &AnsweredGuest) -> Result<Option<GuestMail>, ComposeError> {
        let Some(answer) = (self.answer)(outcome) else {
            return Ok(None);
        };
        if !hears(to, answer.writer) {
            return Ok(None);
        }
        let mail = GuestCommentReply {
            page_title: answer.page_title,
            excerpt: answer.excerpt,
            link: answer.link,
        };
        Ok(Some(GuestMail {
            draft: compose_for_guest(self.site, &mail)?,
            unsubscribe_until: self.now + GUEST_UNSUBSCRIBE_LIFETIME,
        }))
    }
}

/// A guest's unsubscribe link, before its button is pressed (a mail
/// scanner's visit changes nothing): `NotFound` unless it works.
pub async fn guest_unsubscribe_link(app: &App, token: &str, now: Timestamp) -> AppResult<()> {
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    if app
        .store()
        .guest_unsubscribe_valid(&token_hash(token), now)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Follows a guest's one-click unsubscribe: no more mail about answers to
/// their comments. `NotFound` for an unknown or expired link; twice
/// changes nothing more.
pub async fn unsubscribe_guest(app: &App, token: &str, now: Timestamp) -> AppResult<()> {
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    Ok(app
        .store()
        .stop_guest_reply_mail(&token_hash(token), now)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(confirmed: bool, reply_mail: bool, answered: CommentStatus) -> AnsweredGuest {
        AnsweredGuest {
            guest: 7,
            confirmed,
            reply_mail,
            answered,
        }
    }

    #[test]
    fn a_guest_hears_of_replies_only_as_they_asked_and_never_of_their_own() {
        let published = CommentStatus::Published;
        assert!(hears(&guest(true, true, published), None));
        assert!(hears(&guest(true, true, published), Some(8)));
        assert!(!hears(&guest(true, true, published), Some(7)), "their own");
        assert!(!hears(&guest(true, false, published), None), "said no");
        assert!(!hears(&guest(false, true, published), None), "unconfirmed");
        assert!(
            !hears(&guest(true, true, CommentStatus::Hidden), None),
            "what they wrote is hidden"
        );
    }
}
