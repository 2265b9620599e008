//! Writing comments: a member's (or a reply), a guest's with its mailed
//! confirmation, the author's edit and delete; the hourly limits, blocks
//! and depth rules each refuses with, and the reply mail it causes.

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Email;
use kith_domain::comment::{self, CommentStatus, Deletion, ReplyRefusal, editable};
use kith_domain::ids::{AccountId, CommentId, Slug};
use kith_domain::validation::{FieldError, Refusals};
use kith_store::comments::{
    ConfirmedComment, GuestConfirmation, NewAuthor, NewComment, PostedComment,
};
use kith_store::mail::Audience;

use super::guest_mail::{Answer, TellGuest};
use super::{
    CommentInput, CommentRecord, GUEST_HOURLY, GUEST_LINK_LIFETIME, GuestInput, MEMBER_HOURLY,
    NEW_ACCOUNT_HOURLY, SubjectKey, SubjectRecord, Written, excerpt, may_read, permalink, subject,
};
use crate::access::Person;
use crate::mail::NotificationPreferences;
use crate::mail::kinds::{CommentReply, GuestCommentConfirm};
use crate::mail::{Tell, compose};
use crate::tokens::{new_token, token_hash};
use crate::{App, AppError, AppResult, Conflict};

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
