//! The one implementation of [`CommentStore`], for both backends. Writing
//! a reply reads the comment it answers under a lock (PostgreSQL's `FOR
//! UPDATE`; SQLite's write lock is the transaction's), so a reply and the
//! deletion of what it answers never cross.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::account::Email;
use kith_domain::comment::{CommentStatus, Deletion, ReplyRefusal, deletion, reply_depth};
use kith_domain::ids::{CommentId, Slug, StoryId};

use super::{
    ANSWERED_GUEST, AnsweredGuest, BLANK_COMMENT, BY_ACCOUNT_SINCE, BY_GUEST_SINCE, COMMENT_AUTHOR,
    COMMENT_PARENT, COMMENT_STATUS, CONFIRM_GUEST, CommentDecision, CommentRecord, CommentRow,
    CommentStore, CommentSubject, ConfirmedComment, DECIDE_COMMENT, DROP_GUEST_LINKS,
    DROP_UNCONFIRMED, EDIT_COMMENT, GUEST_OF_MAIL, GUEST_PUBLISHED, GUEST_UNSUBSCRIBE_VALID,
    GuestConfirmation, GuestNotices, INSERT_COMMENT, INSERT_GUEST_TOKEN, LONELY_GUESTS,
    NO_REPLY_MAIL_AFTER, NewAuthor, NewComment, PARENT, PRUNE_GUEST_TOKENS, PRUNE_UNCONFIRMED,
    PostedComment, PrunedGuests, QUEUE_GUEST_COMMENT, REMOVE_COMMENT, REMOVE_LONELY_GUEST,
    REPLY_COUNT, RESOURCE_SUBJECT, STOP_GUEST_REPLY_MAIL, STORY_SUBJECT, SubjectKey, SubjectRecord,
    TAKE_GUEST_TOKEN, UPSERT_GUEST, account_comments_query, comment_by_public_id, comment_by_row,
    held_query, published_count_query, thread_query, threads_query,
};
use crate::audit::insert_audit;
use crate::db::{Tx, query};
use crate::mail::notices::write_notices;
use crate::mail::{Notices, Recipient, insert_mail};
use crate::model::{AccountId, AuditEntry};
use crate::sql_store::SqlStore;
use crate::{Backend, StoreError, StoreResult};

/// The comment a reply answers, as read under its lock.
#[derive(sqlx::FromRow)]
struct ParentRow {
    id: i64,
    resource_id: Option<i64>,
    story_id: Option<i64>,
    root_id: Option<i64>,
    depth: i64,
    status: String,
    author_id: Option<i64>,
}

/// Where a new comment goes in its thread: (parent, root, depth), and who
/// wrote the comment it answers.
struct Place {
    parent: Option<i64>,
    root: Option<i64>,
    depth: u32,
    parent_author: Option<AccountId>,
}

/// Reads the comment `comment` answers, under a lock, and places the new
/// one under it by the domain's rule.
async fn place(tx: &mut Tx, comment: &NewComment<'_>) -> StoreResult<Result<Place, ReplyRefusal>> {
    let Some(parent) = comment.parent else {
        return Ok(Ok(Place {
            parent: None,
            root: None,
            depth: 0,
            parent_author: None,
        }));
    };
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let row: ParentRow = query(format!("{PARENT}{lock}"))
        .bind(parent.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let same_subject = match comment.subject {
        CommentSubject::Resource(id) => row.resource_id == Some(id),
        CommentSubject::Story(id) => row.story_id == Some(id),
    };
    if !same_subject {
        return Err(StoreError::NotFound);
    }
    let status =
        CommentStatus::parse(&row.status).ok_or_else(|| StoreError::corrupt("comment status"))?;
    let parent_depth =
        u32::try_from(row.depth).map_err(|_| StoreError::corrupt("comment depth"))?;
    Ok(reply_depth(parent_depth, status).map(|depth| Place {
        parent: Some(row.id),
        root: Some(row.root_id.unwrap_or(row.id)),
        depth,
        parent_author: row.author_id.map(AccountId),
    }))
}

/// Inserts the comment at its place; answers its row and public id.
async fn insert(
    tx: &mut Tx,
    comment: &NewComment<'_>,
    place: &Place,
    guest: Option<i64>,
    now: Timestamp,
) -> StoreResult<(i64, CommentId)> {
    let id = CommentId::random();
    let (resource, story) = match comment.subject {
        CommentSubject::Resource(row) => (Some(row), None),
        CommentSubject::Story(row) => (None, Some(row)),
    };
    let (account, guest_name) = match comment.author {
        NewAuthor::Member(account) => (Some(account.0), None),
        NewAuthor::Guest { name, .. } => (None, Some(name)),
    };
    let row: i64 = query(INSERT_COMMENT)
        .bind(id.as_str().to_owned())
        .bind(resource)
        .bind(story)
        .bind(place.parent)
        .bind(place.root)
        .bind(i64::from(place.depth))
        .bind(account)
        .bind(guest)
        .bind(guest_name)
        .bind(comment.group.map(|g| g.0))
        .bind(comment.body)
        .bind(comment.status.code())
        .bind(now)
        .scalar(&mut *tx)
        .await?;
    Ok((row, id))
}

/// The guest who wrote a comment, as [`ANSWERED_GUEST`] reads them.
#[derive(sqlx::FromRow)]
struct AnsweredGuestRow {
    id: i64,
    email: String,
    confirmed: bool,
    reply_mail: i64,
    status: String,
}

/// Writes the mail `notices` makes for the guest who wrote the comment
/// `answered` (when a guest did): to their address, which only the store
/// reads, with its unsubscribe token.
async fn tell_guest<T: ?Sized>(
    tx: &mut Tx,
    notices: &dyn GuestNotices<T>,
    outcome: &T,
    answered: Option<i64>,
    now: Timestamp,
) -> StoreResult<()> {
    let Some(answered) = answered else {
        return Ok(());
    };
    let Some(row) = query(ANSWERED_GUEST)
        .bind(answered)
        .fetch_optional::<AnsweredGuestRow>(&mut *tx)
        .await?
    else {
        return Ok(());
    };
    let to = AnsweredGuest {
        guest: row.id,
        confirmed: row.confirmed,
        reply_mail: row.reply_mail == 1,
        answered: CommentStatus::parse(&row.status)
            .ok_or_else(|| StoreError::corrupt("comment status"))?,
    };
    let Some(mail) = notices.mail_for(outcome, &to).map_err(StoreError::Other)? else {
        return Ok(());
    };
    let Some((_, token_hash, _)) = &mail.draft.unsubscribe else {
        return Err(StoreError::Other(
            "a guest's optional mail needs its unsubscribe link".into(),
        ));
    };
    query(INSERT_GUEST_TOKEN)
        .bind(token_hash.as_str())
        .bind("unsubscribe")
        .bind(to.guest)
        .bind(None::<i64>)
        .bind(now)
        .bind(mail.unsubscribe_until)
        .bind(None::<i64>)
        .execute(&mut *tx)
        .await?;
    let email = Email::from_trusted(row.email);
    insert_mail(
        tx,
        &mail.draft.to(Recipient::Guest(to.guest, &email), now),
        now,
    )
    .await?;
    Ok(())
}

async fn record_in(tx: &mut Tx, row: i64) -> StoreResult<CommentRecord> {
    let row: CommentRow = query(comment_by_row())
        .bind(row)
        .fetch_one(&mut *tx)
        .await?;
    row.into_record()
}

#[async_trait]
impl CommentStore for SqlStore {
    async fn resource_subject(&self, slug: &Slug) -> StoreResult<SubjectRecord> {
        let (id, slug, title, published_at): (i64, String, String, Option<i64>) =
            query(RESOURCE_SUBJECT)
                .bind(slug.as_str())
                .fetch_optional(self.db())
                .await?
                .ok_or(StoreError::NotFound)?;
        Ok(SubjectRecord {
            subject: CommentSubject::Resource(id),
            key: SubjectKey::Resource(Slug::from_trusted(slug)),
            title,
            published: published_at.is_some(),
            author: None,
            anonymous: false,
        })
    }

    async fn story_subject(&self, id: &StoryId) -> StoreResult<SubjectRecord> {
        let (row, public_id, title, status, author, anonymous): (
            i64,
            String,
            String,
            String,
            i64,
            i64,
        ) = query(STORY_SUBJECT)
            .bind(id.as_str())
            .fetch_optional(self.db())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(SubjectRecord {
            subject: CommentSubject::Story(row),
            key: SubjectKey::Story(StoryId::from_trusted(public_id)),
            title,
            published: status == "published",
            author: Some(AccountId(author)),
            anonymous: anonymous == 1,
        })
    }

    async fn post_comment(
        &self,
        comment: &NewComment<'_>,
        notices: &dyn Notices<PostedComment>,
        guest: &dyn GuestNotices<PostedComment>,
        now: Timestamp,
    ) -> StoreResult<Result<PostedComment, ReplyRefusal>> {
        let mut tx = self.db().begin().await?;
        let place = match place(&mut tx, comment).await? {
            Ok(place) => place,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let (row, id) = insert(&mut tx, comment, &place, None, now).await?;
        let posted = PostedComment {
            row,
            id,
            status: comment.status,
            parent_author: place.parent_author,
        };
        write_notices(&mut tx, notices, &posted, now).await?;
        tell_guest(&mut tx, guest, &posted, place.parent, now).await?;
        tx.commit().await?;
        Ok(Ok(posted))
    }

    async fn post_guest_comment(
        &self,
        comment: &NewComment<'_>,
        confirmation: &GuestConfirmation<'_>,
        now: Timestamp,
    ) -> StoreResult<Result<PostedComment, ReplyRefusal>> {
        let NewAuthor::Guest {
            email, reply_mail, ..
        } = comment.author
        else {
            return Err(StoreError::Other("a guest comment needs a guest".into()));
        };
        let mut tx = self.db().begin().await?;
        let place = match place(&mut tx, comment).await? {
            Ok(place) => place,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let guest: i64 = query(UPSERT_GUEST)
            .bind(email.as_str())
            .bind(now)
            .scalar(&mut tx)
            .await?;
        let (row, id) = insert(&mut tx, comment, &place, Some(guest), now).await?;
        query(INSERT_GUEST_TOKEN)
            .bind(confirmation.token_hash)
            .bind("confirm")
            .bind(guest)
            .bind(row)
            .bind(now)
            .bind(confirmation.expires_at)
            .bind(i64::from(reply_mail))
            .execute(&mut tx)
            .await?;
        insert_mail(
            &mut tx,
            &confirmation.mail.to(Recipient::Address(email), now),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(PostedComment {
            row,
            id,
            status: CommentStatus::Unconfirmed,
            parent_author: place.parent_author,
        }))
    }

    async fn confirm_guest_comment(
        &self,
        token_hash: &str,
        notices: &dyn Notices<ConfirmedComment>,
        guest_notices: &dyn GuestNotices<ConfirmedComment>,
        now: Timestamp,
    ) -> StoreResult<ConfirmedComment> {
        let mut tx = self.db().begin().await?;
        let (guest, comment, reply_mail): (i64, Option<i64>, Option<i64>) = query(TAKE_GUEST_TOKEN)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let comment = comment.ok_or(StoreError::NotFound)?;
        query(CONFIRM_GUEST)
            .bind(guest)
            .bind(now)
            .bind(reply_mail.unwrap_or(0))
            .execute(&mut tx)
            .await?;
        let published: i64 = query(GUEST_PUBLISHED).bind(guest).scalar(&mut tx).await?;
        let status = if published == 0 {
            CommentStatus::Held
        } else {
            CommentStatus::Published
        };
        query(QUEUE_GUEST_COMMENT)
            .bind(comment)
            .bind(status.code())
            .execute(&mut tx)
            .await?;
        let record = record_in(&mut tx, comment).await?;
        let parent_author = match record.parent {
            Some((parent, _)) => {
                let author: Option<Option<i64>> = query(COMMENT_AUTHOR)
                    .bind(parent)
                    .scalar_optional(&mut tx)
                    .await?;
                author.flatten().map(AccountId)
            }
            None => None,
        };
        let confirmed = ConfirmedComment {
            comment: record,
            parent_author,
        };
        write_notices(&mut tx, notices, &confirmed, now).await?;
        let answered = confirmed.comment.parent.as_ref().map(|(row, _)| *row);
        tell_guest(&mut tx, guest_notices, &confirmed, answered, now).await?;
        tx.commit().await?;
        Ok(confirmed)
    }

    async fn comment(&self, id: &CommentId) -> StoreResult<CommentRecord> {
        let row: CommentRow = query(comment_by_public_id())
            .bind(id.as_str())
            .fetch_optional(self.db())
            .await?
            .ok_or(StoreError::NotFound)?;
        row.into_record()
    }

    async fn comment_threads(
        &self,
        subject: CommentSubject,
        after: Option<&CommentId>,
        threads: u32,
    ) -> StoreResult<Vec<CommentRecord>> {
        let rows: Vec<CommentRow> = query(threads_query(subject))
            .bind(subject.row())
            .bind(after.map(CommentId::as_str))
            .bind(i64::from(threads))
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(CommentRow::into_record).collect()
    }

    async fn comment_thread(&self, id: &CommentId) -> StoreResult<Vec<CommentRecord>> {
        let comment = self.comment(id).await?;
        let rows: Vec<CommentRow> = query(thread_query())
            .bind(comment.thread_root)
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(CommentRow::into_record).collect()
    }

    async fn published_comment_count(&self, subject: CommentSubject) -> StoreResult<u64> {
        let count: i64 = query(published_count_query(subject))
            .bind(subject.row())
            .scalar(self.db())
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn edit_comment(&self, row: i64, body: &str, now: Timestamp) -> StoreResult<()> {
        let done = query(EDIT_COMMENT)
            .bind(row)
            .bind(body)
            .bind(now)
            .execute(self.db())
            .await?;
        if done == 0 {
            return Err(StoreError::Stale);
        }
        Ok(())
    }

    async fn delete_comment(&self, row: i64, now: Timestamp) -> StoreResult<Deletion> {
        let mut tx = self.db().begin().await?;
        let parent: Option<i64> = query(COMMENT_PARENT)
            .bind(row)
            .fetch_optional::<(Option<i64>,)>(&mut tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .0;
        let replies: i64 = query(REPLY_COUNT).bind(row).scalar(&mut tx).await?;
        let left = deletion(u64::try_from(replies).unwrap_or(0));
        match left {
            Deletion::Placeholder => {
                query(BLANK_COMMENT)
                    .bind(row)
                    .bind(now)
                    .execute(&mut tx)
                    .await?;
            }
            Deletion::Remove => {
                query(REMOVE_COMMENT).bind(row).execute(&mut tx).await?;
                remove_bare_placeholders(&mut tx, parent).await?;
            }
        }
        tx.commit().await?;
        Ok(left)
    }

    async fn decide_comment(
        &self,
        row: i64,
        decision: CommentDecision,
        audit: &AuditEntry<'_>,
        notices: &dyn Notices<CommentRecord>,
        guest: &dyn GuestNotices<CommentRecord>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let done = query(DECIDE_COMMENT)
            .bind(row)
            .bind(decision.to.code())
            .bind(decision.from.code())
            .execute(&mut tx)
            .await?;
        if done == 0 {
            return Err(StoreError::Stale);
        }
        insert_audit(&mut tx, audit, now).await?;
        let record = record_in(&mut tx, row).await?;
        write_notices(&mut tx, notices, &record, now).await?;
        let answered = record.parent.as_ref().map(|(row, _)| *row);
        tell_guest(&mut tx, guest, &record, answered, now).await?;
        tx.commit().await
    }

    async fn held_comments(&self, limit: u32) -> StoreResult<Vec<CommentRecord>> {
        let rows: Vec<CommentRow> = query(held_query())
            .bind(i64::from(limit))
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(CommentRow::into_record).collect()
    }

    async fn comments_by_account_since(
        &self,
        account: AccountId,
        since: Timestamp,
    ) -> StoreResult<u64> {
        let count: i64 = query(BY_ACCOUNT_SINCE)
            .bind(account.0)
            .bind(since)
            .scalar(self.db())
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn comments_by_guest_since(&self, email: &Email, since: Timestamp) -> StoreResult<u64> {
        let count: i64 = query(BY_GUEST_SINCE)
            .bind(email.as_str())
            .bind(since)
            .scalar(self.db())
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn account_comments(&self, account: AccountId) -> StoreResult<Vec<CommentRecord>> {
        let rows: Vec<CommentRow> = query(account_comments_query())
            .bind(account.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(CommentRow::into_record).collect()
    }

    async fn guest_unsubscribe_valid(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool> {
        let known: i64 = query(GUEST_UNSUBSCRIBE_VALID)
            .bind(token_hash)
            .bind(now)
            .scalar(self.db())
            .await?;
        Ok(known > 0)
    }

    async fn prune_guests(&self, now: Timestamp) -> StoreResult<PrunedGuests> {
        let mut tx = self.db().begin().await?;
        let tokens = query(PRUNE_GUEST_TOKENS).bind(now).execute(&mut tx).await?;
        let comments = query(PRUNE_UNCONFIRMED).bind(now).execute(&mut tx).await?;
        // On PostgreSQL, a guest's new comment may be on its way: lock the
        // rows first (its upsert of the guest waits, or has committed),
        // then ask again with a fresh look before deleting.
        let lock = match tx.backend() {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let lonely: Vec<i64> = query(format!("{LONELY_GUESTS}{lock}"))
            .scalars(&mut tx)
            .await?;
        let mut guests = 0;
        for guest in lonely {
            guests += query(REMOVE_LONELY_GUEST)
                .bind(guest)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(PrunedGuests {
            tokens,
            comments,
            guests,
        })
    }

    async fn forget_refused_guest(&self, mail: i64) -> StoreResult<u64> {
        let mut tx = self.db().begin().await?;
        let Some(guest) = query(GUEST_OF_MAIL)
            .bind(mail)
            .scalar_optional::<i64>(&mut tx)
            .await?
        else {
            return Ok(0);
        };
        query(DROP_GUEST_LINKS).bind(guest).execute(&mut tx).await?;
        let comments = query(DROP_UNCONFIRMED).bind(guest).execute(&mut tx).await?;
        query(REMOVE_LONELY_GUEST)
            .bind(guest)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(comments)
    }

    async fn stop_refused_guest_reply_mail(&self, mail: i64) -> StoreResult<()> {
        query(NO_REPLY_MAIL_AFTER)
            .bind(mail)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn stop_guest_reply_mail(&self, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        query(STOP_GUEST_REPLY_MAIL)
            .bind(token_hash)
            .bind(now)
            .execute_or_not_found(self.db())
            .await
    }
}

/// Removes `from` and the placeholders above it while each is a deleted
/// placeholder that nothing answers any more.
async fn remove_bare_placeholders(tx: &mut Tx, mut from: Option<i64>) -> StoreResult<()> {
    while let Some(row) = from {
        let status: Option<String> = query(COMMENT_STATUS)
            .bind(row)
            .scalar_optional(&mut *tx)
            .await?;
        let replies: i64 = query(REPLY_COUNT).bind(row).scalar(&mut *tx).await?;
        if status.as_deref() != Some(CommentStatus::Deleted.code()) || replies > 0 {
            return Ok(());
        }
        from = query(COMMENT_PARENT)
            .bind(row)
            .fetch_optional::<(Option<i64>,)>(&mut *tx)
            .await?
            .and_then(|(parent,)| parent);
        query(REMOVE_COMMENT).bind(row).execute(&mut *tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
