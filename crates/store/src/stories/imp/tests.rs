//! Stories on both backends: writing and reading, the published list's
//! order, revisions beside published text, decisions as compare-and-set,
//! withdrawing, and deleting the author.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::ids::StoryId;
use kith_domain::story::{StoryStatus, StoryText};

use crate::mail::NoMail;
use crate::stories::{StoryDecision, StoryRecord};
use crate::testing::{account, audit_by, now};
use crate::{AccountId, Store, StoreError};

fn text(title: &str, anonymous: bool) -> StoryText {
    StoryText {
        title: title.to_owned(),
        body: format!("{title}: what the group gave me, week by week."),
        anonymous,
    }
}

async fn write(
    store: &Arc<dyn Store>,
    author: AccountId,
    title: &str,
    status: StoryStatus,
    minutes: i64,
) -> StoryRecord {
    let id = StoryId::random();
    let at = now() + SignedDuration::from_mins(minutes);
    store
        .create_story(&id, author, &text(title, false), status, &NoMail, at)
        .await
        .expect("story");
    store.story(&id).await.expect("read back")
}

const PUBLISH: StoryDecision<'static> = StoryDecision {
    publish: true,
    to: StoryStatus::Published,
    note: None,
};

crate::on_both_backends!(
    a_story_is_read_back_and_only_published_ones_are_listed_newest_first,
    |store: Arc<dyn Store>| async move {
        let ana = account(&store, "ana").await;
        let first = write(&store, ana, "First", StoryStatus::Published, 0).await;
        let waiting = write(&store, ana, "Waiting", StoryStatus::Pending, 1).await;
        let second = write(&store, ana, "Second", StoryStatus::Published, 2).await;
        assert_eq!(first.author_handle, "ana");
        assert_eq!(first.text, text("First", false));
        assert_eq!(first.published_at, Some(now()));
        assert_eq!(waiting.published_at, None);
        assert!(first.id > 0 && first.id != second.id);

        let titles = |list: Vec<StoryRecord>| -> Vec<String> {
            list.into_iter().map(|s| s.text.title).collect()
        };
        let listed = store.published_stories(10, 0).await.expect("list");
        assert_eq!(titles(listed), ["Second", "First"]);
        let page_two = store.published_stories(1, 1).await.expect("page");
        assert_eq!(titles(page_two), ["First"]);
        let queue = store.story_queue(10).await.expect("queue");
        assert_eq!(titles(queue), ["Waiting"]);
        let mine = store.stories_by(ana).await.expect("mine");
        assert_eq!(titles(mine), ["Second", "Waiting", "First"]);
        let missing = store.story(&StoryId::random()).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    }
);

crate::on_both_backends!(
    two_moderators_deciding_one_story_at_once_cannot_both_win,
    |store: Arc<dyn Store>| async move {
        let author = account(&store, "author").await;
        let ana = account(&store, "ana").await;
        let joe = account(&store, "joe").await;
        let story = write(&store, author, "Contested", StoryStatus::Pending, 0).await;
        let publish = audit_by(ana, "ana", "story.publish", "story:x");
        let decline = audit_by(joe, "joe", "story.decline", "story:x");
        let declined = StoryDecision {
            publish: false,
            to: StoryStatus::Declined,
            note: Some("Please leave out the dose."),
        };
        let (a, b) = tokio::join!(
            store.decide_story(story.seen(), &PUBLISH, &publish, &NoMail, now()),
            store.decide_story(story.seen(), &declined, &decline, &NoMail, now()),
        );
        let winner = match (&a, &b) {
            (Ok(()), Err(StoreError::Stale)) => StoryStatus::Published,
            (Err(StoreError::Stale), Ok(())) => StoryStatus::Declined,
            other => panic!("exactly one decision wins: {other:?}"),
        };
        let log = store.audit_log(10).await.expect("audit");
        assert_eq!(log.len(), 1, "only the winner's audit row: {log:?}");
        let after = store.story(&story.public_id).await.expect("story");
        assert_eq!(after.status, winner);
        assert_eq!(after.version, story.version + 1);
        if winner == StoryStatus::Declined {
            assert_eq!(
                after.review_note.as_deref(),
                Some("Please leave out the dose.")
            );
        }
    }
);

crate::on_both_backends!(
    an_edit_of_a_published_story_waits_beside_it_until_a_moderator_decides,
    |store: Arc<dyn Store>| async move {
        let ana = account(&store, "ana").await;
        let moderator = account(&store, "warden").await;
        let story = write(&store, ana, "Original", StoryStatus::Published, 0).await;
        let later = now() + SignedDuration::from_hours(1);
        let edit = text("Edited", true);
        store
            .edit_story(
                story.seen(),
                StoryStatus::Published,
                &edit,
                true,
                &NoMail,
                later,
            )
            .await
            .expect("edit");
        let waiting = store.story(&story.public_id).await.expect("story");
        assert_eq!(waiting.text, story.text, "the published text stays");
        assert_eq!(waiting.revision.as_ref(), Some(&edit));
        assert_eq!(waiting.submitted_at, later);
        let listed = store.published_stories(10, 0).await.expect("list");
        assert_eq!(listed[0].text.title, "Original");
        assert_eq!(store.story_queue(10).await.expect("queue").len(), 1);

        // A decision on what the moderator read before the edit is stale.
        let audit = audit_by(moderator, "warden", "story.publish", "story:x");
        let stale = store
            .decide_story(story.seen(), &PUBLISH, &audit, &NoMail, later)
            .await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");

        let decline = StoryDecision {
            publish: false,
            to: StoryStatus::Published,
            note: Some("Keep the first version, please."),
        };
        store
            .decide_story(waiting.seen(), &decline, &audit, &NoMail, later)
            .await
            .expect("decline the revision");
        let kept = store.story(&story.public_id).await.expect("story");
        assert_eq!(
            (kept.status, kept.revision.as_ref()),
            (StoryStatus::Published, None)
        );
        assert_eq!(kept.text.title, "Original");
        assert_eq!(
            kept.review_note.as_deref(),
            Some("Keep the first version, please.")
        );
        assert!(store.story_queue(10).await.expect("queue").is_empty());

        store
            .edit_story(
                kept.seen(),
                StoryStatus::Published,
                &edit,
                true,
                &NoMail,
                later,
            )
            .await
            .expect("edit again");
        let again = store.story(&story.public_id).await.expect("story");
        assert_eq!(again.review_note, None, "a new edit clears the old note");
        store
            .decide_story(again.seen(), &PUBLISH, &audit, &NoMail, later)
            .await
            .expect("publish the revision");
        let published = store.story(&story.public_id).await.expect("story");
        assert_eq!(published.text, edit);
        assert_eq!(published.revision, None);
        assert_eq!(
            published.published_at,
            Some(now()),
            "first publication kept"
        );
    }
);

crate::on_both_backends!(
    a_withdrawn_story_leaves_the_list_and_a_stale_withdrawal_writes_nothing,
    |store: Arc<dyn Store>| async move {
        let ana = account(&store, "ana").await;
        let story = write(&store, ana, "Mine", StoryStatus::Published, 0).await;
        store
            .edit_story(
                story.seen(),
                StoryStatus::Published,
                &text("Mine, edited", false),
                true,
                &NoMail,
                now(),
            )
            .await
            .expect("edit");
        let stale = store.withdraw_story(story.seen(), now()).await;
        assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
        let current = store.story(&story.public_id).await.expect("story");
        store
            .withdraw_story(current.seen(), now())
            .await
            .expect("withdraw");
        let gone = store.story(&story.public_id).await.expect("story");
        assert_eq!(gone.status, StoryStatus::Withdrawn);
        assert_eq!(gone.revision, None, "its waiting edit goes too");
        assert!(
            store
                .published_stories(10, 0)
                .await
                .expect("list")
                .is_empty()
        );
        assert!(store.story_queue(10).await.expect("queue").is_empty());

        // Edited again, it goes back to review as its own text.
        store
            .edit_story(
                gone.seen(),
                StoryStatus::Pending,
                &text("Back", false),
                false,
                &NoMail,
                now(),
            )
            .await
            .expect("resubmit");
        let back = store.story(&story.public_id).await.expect("story");
        assert_eq!(
            (back.status, back.text.title.as_str()),
            (StoryStatus::Pending, "Back")
        );
    }
);

crate::on_both_backends!(deleting_an_account_deletes_its_stories, |store: Arc<
    dyn Store,
>| async move {
    let ana = account(&store, "ana").await;
    let other = account(&store, "other").await;
    let gone = write(&store, ana, "Gone", StoryStatus::Published, 0).await;
    let stays = write(&store, other, "Stays", StoryStatus::Published, 1).await;
    store
        .delete_account(ana)
        .await
        .expect("delete")
        .expect("not a sole host");
    let missing = store.story(&gone.public_id).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let listed = store.published_stories(10, 0).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].public_id, stays.public_id);
});
