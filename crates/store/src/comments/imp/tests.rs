//! Comments on both backends: threads paged by the comment on the page,
//! replies refused where the domain says, deletion that keeps a thread
//! whole, guests confirmed by a single-use link, decisions as
//! compare-and-set.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Email;
use kith_domain::comment::{CommentStatus, DEPTH_LIMIT, Deletion, ReplyRefusal};
use kith_domain::ids::{CommentId, Slug, StoryId};

use crate::comments::{
    CommentAuthor, CommentDecision, CommentSubject, GuestConfirmation, NewAuthor, NewComment,
    PostedComment, PrunedGuests, SubjectKey,
};
use crate::mail::{Audience, MailDraft, NoMail};
use crate::model::AccountId;
use crate::testing::{TestNotice, account, audit_by, execute_sql, now};
use crate::{Store, StoreError};

const STORY: &str = "0123456789abcdef0123456789abcdef";

/// A published resource `on-tapering` and a published story by `author`.
async fn subjects(
    store: &Arc<dyn Store>,
    url: &str,
    author: AccountId,
) -> (CommentSubject, CommentSubject) {
    execute_sql(
        url,
        &format!(
            "INSERT INTO resources (slug, title, summary, body, published_at, created_at, updated_at)
             VALUES ('on-tapering', 'On tapering', '', '', 1, 1, 1);
             INSERT INTO stories (public_id, author_id, title, body, anonymous, status, created_at, updated_at)
             VALUES ('{STORY}', {}, 'Staying off', '', 1, 'published', 1, 1)",
            author.0
        ),
    )
    .await;
    let resource = store
        .resource_subject(&Slug::parse("on-tapering").expect("slug"))
        .await
        .expect("resource");
    let story = store
        .story_subject(&StoryId::parse(STORY).expect("id"))
        .await
        .expect("story");
    assert!(resource.published && story.published && story.anonymous);
    assert_eq!(story.author, Some(author));
    (resource.subject, story.subject)
}

fn by<'a>(
    subject: CommentSubject,
    author: AccountId,
    parent: Option<&'a CommentId>,
    body: &'a str,
) -> NewComment<'a> {
    NewComment {
        subject,
        parent,
        author: NewAuthor::Member(author),
        group: None,
        body,
        status: CommentStatus::Published,
    }
}

/// Writes `comment`, which must be allowed, mailing nobody.
async fn post(store: &Arc<dyn Store>, comment: &NewComment<'_>) -> PostedComment {
    store
        .post_comment(comment, &NoMail, &NoMail, now())
        .await
        .expect("post")
        .expect("allowed")
}

/// A guest at `email` writes `body` at `at`, with a confirmation link
/// (`hash`) that works for 48 hours.
async fn as_guest(
    store: &Arc<dyn Store>,
    subject: CommentSubject,
    email: &Email,
    body: &str,
    hash: &str,
    at: Timestamp,
) -> PostedComment {
    let mail = MailDraft {
        kind: "guest_comment_confirm",
        subject: "Confirm".into(),
        text: "link".into(),
        html: "<p>link</p>".into(),
        unsubscribe: None,
    };
    let comment = NewComment {
        subject,
        parent: None,
        author: NewAuthor::Guest {
            email,
            name: "Rowan",
            reply_mail: true,
        },
        group: None,
        body,
        status: CommentStatus::Unconfirmed,
    };
    let link = GuestConfirmation {
        token_hash: hash,
        expires_at: at + SignedDuration::from_hours(48),
        mail: &mail,
    };
    store
        .post_guest_comment(&comment, &link, at)
        .await
        .expect("post")
        .expect("allowed")
}

crate::on_both_backends_with_url!(
    threads_come_a_page_of_comments_on_the_page_at_a_time_with_every_reply,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let (resource, story) = subjects(&store, &url, ana).await;
        let mut roots = Vec::new();
        for i in 0..3 {
            let body = format!("root {i}");
            let root = post(&store, &by(resource, ana, None, &body)).await;
            roots.push(root.id);
        }
        let reply = post(&store, &by(resource, ana, Some(&roots[0]), "reply")).await;
        post(&store, &by(resource, ana, Some(&reply.id), "deeper")).await;
        post(&store, &by(story, ana, None, "elsewhere")).await;

        let first = store
            .comment_threads(resource, None, 1)
            .await
            .expect("page");
        let bodies: Vec<&str> = first.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(bodies, ["root 0", "reply", "deeper"]);
        assert_eq!(first[2].depth, 2);
        assert_eq!(first[2].thread_root, first[0].row);
        assert_eq!(first[2].parent.as_ref().map(|p| &p.1), Some(&reply.id));
        assert!(
            matches!(&first[0].author, CommentAuthor::Member { handle, .. } if handle == "ana")
        );
        assert_eq!(
            first[0].subject_key,
            SubjectKey::Resource(Slug::parse("on-tapering").expect("present"))
        );

        let rest = store
            .comment_threads(resource, Some(&roots[0]), 10)
            .await
            .expect("page");
        let bodies: Vec<&str> = rest.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(bodies, ["root 1", "root 2"]);
        assert_eq!(
            store
                .published_comment_count(resource)
                .await
                .expect("count"),
            5
        );
        assert_eq!(
            store.published_comment_count(story).await.expect("count"),
            1
        );

        let thread = store.comment_thread(&reply.id).await.expect("thread");
        assert_eq!(thread.len(), 3, "the whole thread the reply is in");
    }
);

crate::on_both_backends_with_url!(
    replies_are_refused_under_comments_that_take_none_and_past_the_limit,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let (resource, story) = subjects(&store, &url, ana).await;
        let held = post(
            &store,
            &NewComment {
                status: CommentStatus::Held,
                ..by(resource, ana, None, "held")
            },
        )
        .await;
        let refused = store
            .post_comment(
                &by(resource, ana, Some(&held.id), "to held"),
                &NoMail,
                &NoMail,
                now(),
            )
            .await
            .expect("post");
        assert_eq!(refused, Err(ReplyRefusal::ParentUnavailable));

        let mut parent = post(&store, &by(resource, ana, None, "0")).await.id;
        for depth in 1..=DEPTH_LIMIT {
            parent = store
                .post_comment(
                    &by(resource, ana, Some(&parent), "deeper"),
                    &NoMail,
                    &NoMail,
                    now(),
                )
                .await
                .expect("post")
                .unwrap_or_else(|e| panic!("depth {depth}: {e:?}"))
                .id;
        }
        let too_deep = store
            .post_comment(
                &by(resource, ana, Some(&parent), "one more"),
                &NoMail,
                &NoMail,
                now(),
            )
            .await
            .expect("post");
        assert_eq!(too_deep, Err(ReplyRefusal::TooDeep));

        let elsewhere = store
            .post_comment(
                &by(story, ana, Some(&parent), "across pages"),
                &NoMail,
                &NoMail,
                now(),
            )
            .await;
        assert!(matches!(elsewhere, Err(StoreError::NotFound)));
        let unknown = CommentId::random();
        let nowhere = store
            .post_comment(
                &by(resource, ana, Some(&unknown), "to nothing"),
                &NoMail,
                &NoMail,
                now(),
            )
            .await;
        assert!(matches!(nowhere, Err(StoreError::NotFound)));
        assert_eq!(
            store
                .published_comment_count(resource)
                .await
                .expect("count"),
            u64::from(DEPTH_LIMIT) + 1,
            "nothing refused was written"
        );
    }
);

crate::on_both_backends_with_url!(
    a_reply_tells_the_member_it_answers_in_the_same_transaction,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let ben = account(&store, "ben").await;
        let (resource, _) = subjects(&store, &url, ana).await;
        let first = post(&store, &by(resource, ana, None, "first")).await;
        let reply = store
            .post_comment(
                &by(resource, ben, Some(&first.id), "answer"),
                &TestNotice::to(Audience::Accounts(vec![ana])),
                &NoMail,
                now(),
            )
            .await
            .expect("post")
            .expect("allowed");
        assert_eq!(reply.parent_author, Some(ana));
        let outbox = store.outbox_states().await.expect("outbox");
        assert_eq!(outbox.len(), 1);

        let failing = TestNotice {
            fails: true,
            ..TestNotice::to(Audience::Accounts(vec![ana]))
        };
        let rolled_back = store
            .post_comment(
                &by(resource, ben, Some(&first.id), "lost"),
                &failing,
                &NoMail,
                now(),
            )
            .await;
        assert!(rolled_back.is_err());
        assert_eq!(
            store
                .published_comment_count(resource)
                .await
                .expect("count"),
            2
        );
    }
);

crate::on_both_backends_with_url!(
    deleting_keeps_a_placeholder_only_while_something_answers_it,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let ben = account(&store, "ben").await;
        let (resource, _) = subjects(&store, &url, ana).await;
        let first = post(&store, &by(resource, ana, None, "first")).await;
        let reply = post(&store, &by(resource, ben, Some(&first.id), "answer")).await;

        assert_eq!(
            store
                .delete_comment(first.row, now())
                .await
                .expect("delete"),
            Deletion::Placeholder
        );
        let placeholder = store.comment(&first.id).await.expect("still there");
        assert_eq!(placeholder.status, CommentStatus::Deleted);
        assert_eq!(placeholder.body, "");
        assert_eq!(placeholder.author, CommentAuthor::Gone);

        assert_eq!(
            store
                .delete_comment(reply.row, now())
                .await
                .expect("delete"),
            Deletion::Remove
        );
        assert!(matches!(
            store.comment(&reply.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            matches!(store.comment(&first.id).await, Err(StoreError::NotFound)),
            "a placeholder nothing answers goes too"
        );
        assert!(matches!(
            store.delete_comment(first.row, now()).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends_with_url!(
    edits_change_the_text_until_the_comment_is_hidden,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let moderator = account(&store, "mia").await;
        let (resource, _) = subjects(&store, &url, ana).await;
        let posted = post(&store, &by(resource, ana, None, "typo")).await;
        let later = now() + SignedDuration::from_secs(60);
        store
            .edit_comment(posted.row, "fixed", later)
            .await
            .expect("edit");
        let edited = store.comment(&posted.id).await.expect("comment");
        assert_eq!(
            (edited.body.as_str(), edited.edited_at),
            ("fixed", Some(later))
        );

        let hide = CommentDecision {
            from: CommentStatus::Published,
            to: CommentStatus::Hidden,
        };
        let audit = audit_by(moderator, "mia", "comment.hide", "comment");
        store
            .decide_comment(posted.row, hide, &audit, &NoMail, &NoMail, now())
            .await
            .expect("hide");
        assert!(matches!(
            store
                .decide_comment(posted.row, hide, &audit, &NoMail, &NoMail, now())
                .await,
            Err(StoreError::Stale)
        ));
        assert!(matches!(
            store.edit_comment(posted.row, "again", later).await,
            Err(StoreError::Stale)
        ));
        assert_eq!(
            store.comment(&posted.id).await.expect("comment").status,
            CommentStatus::Hidden
        );
    }
);

crate::on_both_backends_with_url!(
    a_guest_comment_waits_for_its_address_and_then_for_a_moderator_the_first_time,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let (resource, _) = subjects(&store, &url, ana).await;
        let email = Email::parse("Guest@Example.org").expect("email");
        let first = as_guest(&store, resource, &email, "first words", "hash-1", now()).await;
        assert_eq!(first.status, CommentStatus::Unconfirmed);
        assert_eq!(store.outbox_states().await.expect("outbox").len(), 1);
        assert_eq!(
            store
                .published_comment_count(resource)
                .await
                .expect("count"),
            0
        );

        let confirmed = store
            .confirm_guest_comment("hash-1", &NoMail, &NoMail, now())
            .await
            .expect("confirm");
        assert_eq!(
            confirmed.comment.status,
            CommentStatus::Held,
            "a first comment waits"
        );
        assert!(
            matches!(&confirmed.comment.author, CommentAuthor::Guest { name, .. } if name == "Rowan")
        );
        assert!(
            matches!(
                store
                    .confirm_guest_comment("hash-1", &NoMail, &NoMail, now())
                    .await,
                Err(StoreError::NotFound)
            ),
            "the link works once"
        );
        assert_eq!(store.held_comments(10).await.expect("held").len(), 1);

        let audit = audit_by(ana, "ana", "comment.publish", "comment");
        let publish = CommentDecision {
            from: CommentStatus::Held,
            to: CommentStatus::Published,
        };
        store
            .decide_comment(first.row, publish, &audit, &NoMail, &NoMail, now())
            .await
            .expect("publish");

        let second = as_guest(&store, resource, &email, "again", "hash-2", now()).await;
        let expired = now() + SignedDuration::from_hours(49);
        assert!(matches!(
            store
                .confirm_guest_comment("hash-2", &NoMail, &NoMail, expired)
                .await,
            Err(StoreError::NotFound)
        ));
        as_guest(&store, resource, &email, "third", "hash-3", now()).await;
        let third = store
            .confirm_guest_comment("hash-3", &NoMail, &NoMail, now())
            .await
            .expect("confirm");
        assert_eq!(
            third.comment.status,
            CommentStatus::Published,
            "a known guest is not held again"
        );
        assert_eq!(
            store.comment(&second.id).await.expect("second").status,
            CommentStatus::Unconfirmed
        );
        assert_eq!(
            store
                .comments_by_guest_since(&email, now())
                .await
                .expect("count"),
            3
        );
    }
);

crate::on_both_backends_with_url!(
    a_members_comments_are_theirs_to_count_and_export,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let ben = account(&store, "ben").await;
        let (resource, story) = subjects(&store, &url, ana).await;
        for (subject, body) in [(resource, "one"), (story, "two")] {
            post(&store, &by(subject, ana, None, body)).await;
        }
        post(&store, &by(resource, ben, None, "not ana's")).await;
        let mine = store.account_comments(ana).await.expect("mine");
        let bodies: Vec<&str> = mine.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(bodies, ["two", "one"]);
        assert_eq!(
            store
                .comments_by_account_since(ana, now())
                .await
                .expect("count"),
            2
        );
        let later = now() + SignedDuration::from_secs(1);
        assert_eq!(
            store
                .comments_by_account_since(ana, later)
                .await
                .expect("count"),
            0
        );
    }
);

crate::on_both_backends_with_url!(
    deleting_an_account_deletes_its_comments_and_keeps_the_replies_to_them,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let ben = account(&store, "ben").await;
        let (resource, _) = subjects(&store, &url, ben).await;
        let answered = post(&store, &by(resource, ana, None, "answered")).await;
        let alone = post(&store, &by(resource, ana, None, "alone")).await;
        let reply = post(&store, &by(resource, ben, Some(&answered.id), "reply")).await;
        store
            .delete_account(ana)
            .await
            .expect("delete")
            .expect("not a sole host");
        let placeholder = store
            .comment(&answered.id)
            .await
            .expect("kept for its reply");
        assert_eq!(
            (
                placeholder.status,
                placeholder.body.as_str(),
                &placeholder.author
            ),
            (CommentStatus::Deleted, "", &CommentAuthor::Gone)
        );
        assert!(matches!(
            store.comment(&alone.id).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(store.comment(&reply.id).await.expect("reply").body, "reply");
    }
);

crate::on_both_backends_with_url!(
    pruning_deletes_what_guests_left_unconfirmed_and_keeps_the_rest,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let (resource, _) = subjects(&store, &url, ana).await;
        let email = |address| Email::parse(address).expect("email");
        let (gone, known, fresh) = (
            email("gone@example.org"),
            email("known@example.org"),
            email("fresh@example.org"),
        );
        as_guest(
            &store,
            resource,
            &gone,
            "never confirmed",
            "hash-gone",
            now(),
        )
        .await;
        let kept = as_guest(&store, resource, &known, "confirmed", "hash-known", now()).await;
        store
            .confirm_guest_comment("hash-known", &NoMail, &NoMail, now())
            .await
            .expect("confirm");
        let left = as_guest(&store, resource, &known, "left", "hash-left", now()).await;
        let a_day_on = now() + SignedDuration::from_hours(24);
        as_guest(&store, resource, &fresh, "just now", "hash-fresh", a_day_on).await;

        let before = now() + SignedDuration::from_hours(47);
        assert_eq!(
            store.prune_guests(before).await.expect("prune"),
            PrunedGuests::default(),
            "every link still works"
        );
        let after = now() + SignedDuration::from_hours(49);
        assert_eq!(
            store.prune_guests(after).await.expect("prune"),
            PrunedGuests {
                tokens: 2,
                comments: 2,
                guests: 1
            }
        );
        assert!(matches!(
            store.comment(&left.id).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.comment(&kept.id).await.expect("kept").status,
            CommentStatus::Held
        );
        let since = Timestamp::UNIX_EPOCH;
        for (address, written) in [(&gone, 0), (&known, 1), (&fresh, 1)] {
            assert_eq!(
                store
                    .comments_by_guest_since(address, since)
                    .await
                    .expect("count"),
                written
            );
        }
        store
            .confirm_guest_comment("hash-fresh", &NoMail, &NoMail, after)
            .await
            .expect("a live link still works");
        assert_eq!(
            store.prune_guests(after).await.expect("prune"),
            PrunedGuests::default(),
            "nothing more to do"
        );
    }
);

crate::on_both_backends_with_url!(
    a_refused_confirmation_mail_takes_the_waiting_comments_and_their_links,
    |store: Arc<dyn Store>, url: String| async move {
        let ana = account(&store, "ana").await;
        let (resource, _) = subjects(&store, &url, ana).await;
        let refusing = Email::parse("refuses@example.org").expect("email");
        let fine = Email::parse("fine@example.org").expect("email");
        let known = as_guest(&store, resource, &refusing, "confirmed", "hash-1", now()).await;
        store
            .confirm_guest_comment("hash-1", &NoMail, &NoMail, now())
            .await
            .expect("confirm");
        let waiting = as_guest(&store, resource, &refusing, "waiting", "hash-2", now()).await;
        as_guest(&store, resource, &fine, "also waiting", "hash-3", now()).await;
        let mails = store.outbox_states().await.expect("outbox");
        assert_eq!(mails.len(), 3);

        assert_eq!(
            store
                .forget_refused_guest(mails[1].id)
                .await
                .expect("forget"),
            1
        );
        assert!(matches!(
            store.comment(&waiting.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .confirm_guest_comment("hash-2", &NoMail, &NoMail, now())
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.comment(&known.id).await.expect("kept").status,
            CommentStatus::Held,
            "what the address confirmed before stays"
        );
        store
            .confirm_guest_comment("hash-3", &NoMail, &NoMail, now())
            .await
            .expect("another guest's link still works");

        let gone = Email::parse("gone@example.org").expect("email");
        as_guest(&store, resource, &gone, "first and last", "hash-4", now()).await;
        let last = store.outbox_states().await.expect("outbox")[3].id;
        assert_eq!(store.forget_refused_guest(last).await.expect("forget"), 1);
        assert_eq!(
            store
                .comments_by_guest_since(&gone, now())
                .await
                .expect("count"),
            0
        );
        assert_eq!(
            store.prune_guests(now()).await.expect("prune"),
            PrunedGuests::default(),
            "the guest who never confirmed went at once"
        );
    }
);
