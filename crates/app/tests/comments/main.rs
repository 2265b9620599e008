//! Comments under resources and stories, on a real database of each
//! backend: who sees what, replies that mail the person answered, guests
//! confirmed by mail and held the first time, the edit window, deletion,
//! and the hourly limits. Guests' own mail is in `guests`.

mod guests;

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kith_app::access::Person;
use kith_app::comments::{
    self, Byline, CommentInput, CommentModeration, GuestInput, SubjectKey, ThreadPage, Written,
};
use kith_app::testing::{self, now};
use kith_app::{App, AppError, Conflict, accounts};
use kith_domain::account::Role;
use kith_domain::comment::{CommentStatus, EDIT_WINDOW};
use kith_domain::ids::{CommentId, Slug, StoryId};
use kith_store::testing::execute_sql;
use kith_store::{Store, on_both_backends_with_url};

const STORY: &str = "00112233445566778899aabbccddeeff";

async fn staff(app: &App, handle: &str, role: Role) -> Person {
    accounts::create_staff(app, &testing::registration(handle), role, now())
        .await
        .expect("account");
    testing::person(app, handle).await
}

/// A published resource, and a story by `author` in `status`, anonymous.
async fn pages(url: &str, author: &Person, status: &str) -> (SubjectKey, SubjectKey) {
    execute_sql(
        url,
        &format!(
            "INSERT INTO resources (slug, title, summary, body, published_at, created_at, updated_at)
             VALUES ('do-it-in-a-group', 'Do it in a group', '', '', 1, 1, 1);
             INSERT INTO stories (public_id, author_id, title, body, anonymous, status, created_at, updated_at)
             VALUES ('{STORY}', {}, 'What helped', '', 1, '{status}', 1, 1)",
            author.id.0
        ),
    )
    .await;
    (
        SubjectKey::Resource(Slug::parse("do-it-in-a-group").expect("slug")),
        SubjectKey::Story(StoryId::parse(STORY).expect("id")),
    )
}

fn text(body: &str) -> CommentInput {
    CommentInput {
        body: body.to_owned(),
        ..CommentInput::default()
    }
}

fn answer(body: &str, to: &CommentId) -> CommentInput {
    CommentInput {
        body: body.to_owned(),
        parent: Some(to.clone()),
        group: None,
    }
}

/// `who` comments on `page` at `at`, as they may.
async fn post(app: &App, who: &Person, page: &SubjectKey, body: &str, at: Timestamp) -> Written {
    comments::post(app, who, page, &text(body), at)
        .await
        .expect("comment")
}

/// `who` answers the comment `to` on `page` at `at`, as they may.
async fn reply(
    app: &App,
    who: &Person,
    page: &SubjectKey,
    to: &CommentId,
    body: &str,
    at: Timestamp,
) -> Written {
    comments::post(app, who, page, &answer(body, to), at)
        .await
        .expect("reply")
}

fn bylines(page: &ThreadPage) -> Vec<Byline> {
    page.comments
        .iter()
        .map(|c| c.comment.byline.clone())
        .collect()
}

/// Mail kinds in the outbox, oldest first.
async fn outbox(store: &Arc<dyn Store>) -> Vec<String> {
    store
        .outbox_states()
        .await
        .expect("outbox")
        .into_iter()
        .map(|m| m.kind)
        .collect()
}

on_both_backends_with_url!(
    a_reply_mails_the_member_answered_and_nobody_else,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let ana = staff(app, "ana", Role::Member).await;
        let ben = staff(app, "ben", Role::Member).await;
        let (resource, _) = pages(&url, &ana, "published").await;
        let later = now() + SignedDuration::from_hours(48);
        let first = post(app, &ana, &resource, "We meet on Tuesdays.", later).await;
        reply(app, &ana, &resource, &first.id, "Me again", later).await;
        assert!(
            outbox(&store).await.is_empty(),
            "answering oneself mails nobody"
        );
        reply(app, &ben, &resource, &first.id, "Same here", later).await;
        assert_eq!(outbox(&store).await, ["comment_reply"]);

        let page = comments::thread(app, None, &resource, None, later)
            .await
            .expect("thread");
        assert_eq!(page.count, 3);
        assert_eq!(
            bylines(&page),
            [
                Byline::Member("ana".into()),
                Byline::Member("ana".into()),
                Byline::Member("ben".into())
            ]
        );
        assert!(
            page.comments
                .iter()
                .all(|c| !c.comment.may_edit && !c.comment.may_reply)
        );
        assert_eq!(page.comments[2].indent, 1);
    }
);

on_both_backends_with_url!(
    members_who_turned_replies_off_are_not_mailed,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let ana = staff(app, "ana", Role::Member).await;
        let ben = staff(app, "ben", Role::Member).await;
        let (resource, _) = pages(&url, &ana, "published").await;
        let quiet = kith_app::mail::NotificationPreferences {
            comment_replies: false,
            ..Default::default()
        };
        kith_app::account_settings::set_preferences(app, &ana, &quiet, now())
            .await
            .expect("preferences");
        let later = now() + SignedDuration::from_hours(48);
        let first = post(app, &ana, &resource, "first", later).await;
        reply(app, &ben, &resource, &first.id, "answer", later).await;
        assert!(outbox(&store).await.is_empty());
    }
);

on_both_backends_with_url!(
    an_anonymous_storys_author_answers_without_their_handle_and_unpublished_pages_hide_their_comments,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let ana = staff(app, "ana", Role::Member).await;
        let ben = staff(app, "ben", Role::Member).await;
        let (_, story) = pages(&url, &ana, "published").await;
        let later = now() + SignedDuration::from_hours(48);
        let asked = post(app, &ben, &story, "How long did it take?", later).await;
        reply(app, &ana, &story, &asked.id, "Two years.", later).await;
        let page = comments::thread(app, Some(&ben), &story, None, later)
            .await
            .expect("thread");
        assert_eq!(bylines(&page), [Byline::Member("ben".into()), Byline::StoryAuthor]);
        assert!(!format!("{page:?}").contains("\"ana\""), "the author's handle is nowhere");

        execute_sql(&url, "UPDATE stories SET status = 'withdrawn'").await;
        for reader in [None, Some(&ben)] {
            assert!(matches!(
                comments::thread(app, reader, &story, None, later).await,
                Err(AppError::NotFound)
            ));
            assert!(matches!(
                comments::comment_in_thread(app, reader, &asked.id, later).await,
                Err(AppError::NotFound)
            ));
        }
        assert!(comments::thread(app, Some(&ana), &story, None, later).await.is_ok());
        assert!(matches!(
            comments::post(app, &ana, &story, &text("more"), later).await,
            Err(AppError::NotFound)
        ));
    }
);

on_both_backends_with_url!(
    a_guest_is_held_until_confirmed_and_reviewed_and_their_address_shows_nowhere,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let ana = staff(app, "ana", Role::Member).await;
        let mia = staff(app, "mia", Role::Moderator).await;
        let (resource, _) = pages(&url, &ana, "published").await;
        let later = now() + SignedDuration::from_hours(48);
        let first = post(app, &ana, &resource, "Our group meets Mondays.", later).await;
        let guest = GuestInput {
            name: "Rowan".into(),
            email: "rowan.canary@example.net".into(),
            body: "Thank you, this helped.".into(),
            parent: Some(first.id.clone()),
            reply_mail: true,
        };
        let page = comments::subject(app, None, &resource)
            .await
            .expect("a page guests may comment on");
        comments::post_as_guest(app, &page, &guest, later)
            .await
            .expect("guest comment");
        assert_eq!(outbox(&store).await, ["guest_comment_confirm"]);
        let shown = comments::thread(app, Some(&mia), &resource, None, later)
            .await
            .expect("thread");
        assert_eq!(
            shown.comments.len(),
            1,
            "unconfirmed: not even moderators see it"
        );

        let bad = GuestInput {
            name: String::new(),
            email: "not an address".into(),
            body: " ".into(),
            ..guest.clone()
        };
        let Err(AppError::Invalid(errors)) = comments::post_as_guest(app, &page, &bad, later).await
        else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["guest_name", "email", "body"]);

        // The token is only in the mail; the store keeps its hash. Find it
        // the way the guest does: through the link in the mail body.
        let token = testing::token_from_mail(app, "/comments/confirm/", later)
            .await
            .expect("the link");
        let written = comments::confirm_guest(app, &token, later)
            .await
            .expect("confirm");
        assert_eq!(written.status, CommentStatus::Held);
        assert!(matches!(
            comments::confirm_guest(app, &token, later).await,
            Err(AppError::NotFound)
        ));
        let held = comments::held(app, &mia).await.expect("held");
        assert_eq!(held.len(), 1);
        assert!(matches!(
            comments::held(app, &ana).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            comments::comment_in_thread(app, Some(&ana), &written.id, later).await,
            Err(AppError::NotFound)
        ));
        // A failed read of whom the reply answers fails the decision: it
        // must not publish the reply and skip the mail.
        execute_sql(
            &url,
            "UPDATE comments SET status = 'unreadable' WHERE depth = 0",
        )
        .await;
        assert!(matches!(
            comments::moderate(app, &mia, &written.id, CommentModeration::Publish, later).await,
            Err(AppError::Internal(_))
        ));
        assert_eq!(comments::held(app, &mia).await.expect("held").len(), 1);
        execute_sql(
            &url,
            "UPDATE comments SET status = 'published' WHERE depth = 0",
        )
        .await;
        comments::moderate(app, &mia, &written.id, CommentModeration::Publish, later)
            .await
            .expect("publish");
        assert_eq!(
            outbox(&store).await,
            ["guest_comment_confirm", "comment_reply"],
            "the member answered hears of it once it is published"
        );
        let page = comments::thread(app, None, &resource, None, later)
            .await
            .expect("thread");
        assert_eq!(
            bylines(&page),
            [Byline::Member("ana".into()), Byline::Guest("Rowan".into())]
        );
        assert!(!format!("{page:?}").contains("canary"));
        assert!(!format!("{held:?}").contains("canary"));
    }
);

on_both_backends_with_url!(
    authors_edit_within_the_window_and_delete_leaving_a_placeholder_for_replies,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let ana = staff(app, "ana", Role::Member).await;
        let ben = staff(app, "ben", Role::Member).await;
        let (resource, _) = pages(&url, &ana, "published").await;
        let later = now() + SignedDuration::from_hours(48);
        let first = post(app, &ana, &resource, "frist", later).await;
        assert!(matches!(
            comments::edit(app, &ben, &first.id, "not mine", later).await,
            Err(AppError::NotFound)
        ));
        comments::edit(
            app,
            &ana,
            &first.id,
            "first",
            later + SignedDuration::from_secs(60),
        )
        .await
        .expect("edit");
        assert!(matches!(
            comments::edit(app, &ana, &first.id, "   ", later).await,
            Err(AppError::Invalid(_))
        ));
        let closed = later + EDIT_WINDOW + SignedDuration::from_secs(1);
        assert!(matches!(
            comments::edit(app, &ana, &first.id, "too late", closed).await,
            Err(AppError::Conflict(Conflict::EditWindowClosed))
        ));
        reply(app, &ben, &resource, &first.id, "answer", later).await;
        comments::delete(app, &ana, &first.id, closed)
            .await
            .expect("delete");
        let page = comments::thread(app, None, &resource, None, closed)
            .await
            .expect("thread");
        assert_eq!(
            bylines(&page),
            [Byline::Deleted, Byline::Member("ben".into())]
        );
        assert_eq!(page.comments[0].comment.html, "");
        assert!(matches!(
            comments::post(
                app,
                &ben,
                &resource,
                &answer("to a deleted one", &first.id),
                closed
            )
            .await,
            Err(AppError::Conflict(Conflict::ReplyUnavailable))
        ));
        assert!(matches!(
            comments::delete(app, &ana, &first.id, closed).await,
            Err(AppError::NotFound)
        ));
    }
);

on_both_backends_with_url!(
    new_and_unconfirmed_members_are_limited,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let ana = staff(app, "ana", Role::Member).await;
        let newcomer = testing::registered(app, "newcomer").await;
        let (resource, _) = pages(&url, &ana, "published").await;
        assert!(matches!(
            comments::post(app, &newcomer, &resource, &text("hello"), now()).await,
            Err(AppError::Conflict(Conflict::EmailUnverified))
        ));
        // Ana's account is new at `now()`: three an hour.
        for i in 0..comments::NEW_ACCOUNT_HOURLY {
            post(app, &ana, &resource, &format!("{i}"), now()).await;
        }
        assert!(matches!(
            comments::post(app, &ana, &resource, &text("one more"), now()).await,
            Err(AppError::Busy(_))
        ));
        let page = comments::thread(app, None, &resource, None, now())
            .await
            .expect("thread");
        assert_eq!(page.count, comments::NEW_ACCOUNT_HOURLY);
    }
);

on_both_backends_with_url!(
    a_blocked_person_is_neither_read_nor_answered_and_a_reported_comment_can_be_hidden,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &testing::app(store.clone());
        let ana = staff(app, "ana", Role::Member).await;
        let ben = staff(app, "ben", Role::Member).await;
        let mia = staff(app, "mia", Role::Moderator).await;
        let (resource, _) = pages(&url, &ana, "published").await;
        let later = now() + SignedDuration::from_hours(48);
        let anas = post(app, &ana, &resource, "Mine.", later).await;
        let bens = post(app, &ben, &resource, "Unkind words.", later).await;
        kith_app::blocks::block(app, &ana, "ben", later)
            .await
            .expect("block");
        let read = comments::thread(app, Some(&ana), &resource, None, later)
            .await
            .expect("thread");
        assert_eq!(
            bylines(&read),
            [Byline::Member("ana".into())],
            "ben is hidden from ana"
        );
        assert!(matches!(
            comments::post(app, &ben, &resource, &answer("Still here", &anas.id), later).await,
            Err(AppError::Conflict(Conflict::ReplyUnavailable))
        ));
        let everyone = comments::thread(app, None, &resource, None, later)
            .await
            .expect("thread");
        assert_eq!(everyone.comments.len(), 2, "others still read both");

        use kith_app::reports::{self, DecisionInput, Target};
        assert!(
            matches!(
                reports::report(
                    app,
                    &ana,
                    &Target::Comment(anas.id.clone()),
                    "spam",
                    "",
                    later
                )
                .await,
                Err(AppError::Invalid(_))
            ),
            "one's own comment is not reported"
        );
        let report = reports::report(
            app,
            &ana,
            &Target::Comment(bens.id.clone()),
            "harassment",
            "",
            later,
        )
        .await
        .expect("report");
        let hide = DecisionInput {
            action: "hide",
            why: "Unkind to another member.",
            suspend_days: "",
        };
        reports::decide(app, &mia, &report, &hide, later)
            .await
            .expect("hidden");
        assert!(matches!(
            comments::comment_in_thread(app, None, &bens.id, later).await,
            Err(AppError::NotFound)
        ));
        let own = comments::comment_in_thread(app, Some(&ben), &bens.id, later)
            .await
            .expect("its author still sees it");
        assert_eq!(
            own.comments
                .iter()
                .filter(|c| c.comment.status == CommentStatus::Hidden)
                .count(),
            1
        );
    }
);
