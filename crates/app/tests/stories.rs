//! Members' stories as the use cases decide them, on both databases: who
//! may write, read, edit, withdraw and decide; what the author, the
//! moderators and everyone else see of an anonymous story; the mail each
//! step writes; the export.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_app::access::Person;
use kith_app::stories::{self, StoryReader, Verdict};
use kith_app::testing::{self, now};
use kith_app::{App, AppError, Conflict, accounts};
use kith_domain::account::Role;
use kith_domain::ids::StoryId;
use kith_domain::story::{StoryInput, StoryStatus};
use kith_store::{Store, on_both_backends};

async fn person(app: &App, handle: &str, role: Role) -> Person {
    accounts::create_staff(app, &testing::registration(handle), role, now())
        .await
        .expect("account");
    testing::person(app, handle).await
}

fn input(title: &str, anonymous: bool) -> StoryInput {
    StoryInput {
        title: title.to_owned(),
        body: format!("{title}. The weekly call kept me going when nothing else did."),
        anonymous,
    }
}

/// The kinds of the mails waiting in the outbox, with their addressees'
/// local parts, each marked sent.
async fn mailed(app: &App) -> Vec<(String, String)> {
    let store = app.store();
    let later = now() + SignedDuration::from_hours(1);
    let claimed = store.claim_mail(now(), later, 100).await.expect("claim");
    let mut out = Vec::new();
    for mail in claimed {
        let to = mail
            .address
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        out.push((
            mail.kind.clone(),
            to.split('@').next().unwrap_or("").to_owned(),
        ));
        store.mark_mail_sent(mail.id, now()).await.expect("sent");
    }
    out.sort();
    out
}

fn missing<T: std::fmt::Debug>(result: Result<T, AppError>) {
    assert!(matches!(result, Err(AppError::NotFound)), "{result:?}");
}

on_both_backends!(
    an_anonymous_story_is_reviewed_then_read_without_its_author,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let author = person(app, "quillfeather", Role::Member).await;
        let stranger = person(app, "passerby", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        mailed(app).await;

        let id = stories::write_story(app, &author, &input("Off at last", true), now())
            .await
            .expect("write");
        assert_eq!(
            mailed(app).await,
            [("story_waiting".into(), "warden".into())]
        );

        // Pending: the author and the moderators, nobody else.
        missing(stories::story(app, None, &id).await);
        missing(stories::story(app, Some(&stranger), &id).await);
        let own = stories::story(app, Some(&author), &id).await.expect("own");
        assert_eq!(own.reader, StoryReader::Author);
        assert_eq!(own.author_handle.as_deref(), Some("quillfeather"));
        assert!(
            stories::published(app, 1)
                .await
                .expect("list")
                .items
                .is_empty()
        );

        // Only a moderator decides; the queue names the author to them.
        missing(stories::queue(app, &stranger).await);
        missing(stories::decide(app, &author, &id, &Verdict::Publish, None, now()).await);
        let queue = stories::queue(app, &warden).await.expect("queue");
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].author_handle.as_deref(), Some("quillfeather"));
        let status = stories::decide(app, &warden, &id, &Verdict::Publish, None, now())
            .await
            .expect("publish");
        assert_eq!(status, StoryStatus::Published);
        assert_eq!(
            mailed(app).await,
            [("story_decided".into(), "quillfeather".into())]
        );
        let again = stories::decide(app, &warden, &id, &Verdict::Publish, None, now()).await;
        assert!(
            matches!(again, Err(AppError::Conflict(Conflict::InvalidStatus))),
            "{again:?}"
        );
        let log = store.audit_log(10).await.expect("audit");
        assert_eq!(log[0].action, "story.publish");
        assert_eq!(log[0].target, format!("story:{id}"));

        // Published: everyone reads it, nobody else learns who wrote it,
        // while the view still carries the row and the author's account.
        for reader in [None, Some(&stranger)] {
            let view = stories::story(app, reader, &id).await.expect("public");
            assert_eq!(view.reader, StoryReader::Public);
            assert_eq!(view.author_handle, None);
            assert_eq!(view.author_id, author.id);
            assert!(view.row_id > 0);
            assert_eq!(view.review_note, None);
        }
        let listed = stories::published(app, 1).await.expect("list");
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].author_handle, None);
        let moderated = stories::story(app, Some(&warden), &id).await.expect("mod");
        assert_eq!(moderated.author_handle.as_deref(), Some("quillfeather"));
    }
);

on_both_backends!(
    writing_needs_a_confirmed_email_and_valid_text_and_writes_nothing_otherwise,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let unconfirmed = testing::registered(app, "newcomer").await;
        let refused = stories::write_story(app, &unconfirmed, &input("Mine", false), now()).await;
        assert!(
            matches!(refused, Err(AppError::Conflict(Conflict::EmailUnverified))),
            "{refused:?}"
        );
        let author = person(app, "author", Role::Member).await;
        let empty = stories::write_story(app, &author, &StoryInput::default(), now()).await;
        let Err(AppError::Invalid(fields)) = empty else {
            panic!("{empty:?}");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
        assert_eq!(names, ["title", "story"]);
        assert!(
            stories::my_stories(app, &author)
                .await
                .expect("mine")
                .is_empty()
        );
        assert!(
            stories::my_stories(app, &unconfirmed)
                .await
                .expect("mine")
                .is_empty()
        );
    }
);

on_both_backends!(
    an_edit_of_a_published_story_is_reviewed_while_the_story_stays_up,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let author = person(app, "author", Role::Member).await;
        let other = person(app, "other", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let id = stories::write_story(app, &author, &input("First words", false), now())
            .await
            .expect("write");
        let read = stories::story(app, Some(&warden), &id).await.expect("read");
        stories::decide(
            app,
            &warden,
            &id,
            &Verdict::Publish,
            Some(read.version),
            now(),
        )
        .await
        .expect("publish");
        mailed(app).await;

        // Only the author edits or withdraws.
        missing(stories::edit_story(app, &other, &id, &input("Hijack", false), now()).await);
        missing(stories::edit_story(app, &warden, &id, &input("Hijack", false), now()).await);
        missing(stories::withdraw_story(app, &other, &id, now()).await);
        missing(stories::own_story(app, &warden, &id).await);

        let status = stories::edit_story(app, &author, &id, &input("Better words", true), now())
            .await
            .expect("edit");
        assert_eq!(status, StoryStatus::Published);
        assert_eq!(
            mailed(app).await,
            [("story_waiting".into(), "warden".into())]
        );
        let public = stories::story(app, None, &id).await.expect("public");
        assert_eq!(public.text.title, "First words");
        assert_eq!(public.revision, None, "the edit is not the public's");
        assert_eq!(public.author_handle.as_deref(), Some("author"));

        // A decision on the version read before the edit is refused.
        let stale = stories::decide(
            app,
            &warden,
            &id,
            &Verdict::Publish,
            Some(read.version),
            now(),
        )
        .await;
        assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
        let queued = stories::queue(app, &warden).await.expect("queue");
        assert_eq!(queued[0].text_to_review().title, "Better words");
        let note = Verdict::Decline { note: "   ".into() };
        let blank = stories::decide(app, &warden, &id, &note, None, now()).await;
        assert!(matches!(blank, Err(AppError::Invalid(_))), "{blank:?}");
        stories::decide(app, &warden, &id, &Verdict::Publish, None, now())
            .await
            .expect("publish the edit");
        let public = stories::story(app, None, &id).await.expect("public");
        assert_eq!(public.text.title, "Better words");
        assert_eq!(public.author_handle, None, "now anonymous");
        assert_eq!(
            mailed(app).await,
            [("story_decided".into(), "author".into())]
        );
    }
);

on_both_backends!(
    a_declined_or_withdrawn_story_is_nobody_elses_and_the_export_holds_them_all,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let author = person(app, "author", Role::Member).await;
        let other = person(app, "other", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let declined = stories::write_story(app, &author, &input("Too raw", false), now())
            .await
            .expect("write");
        let note = Verdict::Decline {
            note: "Please leave out the clinic's name.".into(),
        };
        assert_eq!(
            stories::decide(app, &warden, &declined, &note, None, now())
                .await
                .expect("decline"),
            StoryStatus::Declined
        );
        let withdrawn = stories::write_story(app, &author, &input("Taken back", false), now())
            .await
            .expect("write");
        stories::decide(app, &warden, &withdrawn, &Verdict::Publish, None, now())
            .await
            .expect("publish");
        stories::withdraw_story(app, &author, &withdrawn, now())
            .await
            .expect("withdraw");
        let twice = stories::withdraw_story(app, &author, &withdrawn, now()).await;
        assert!(matches!(twice, Err(AppError::Conflict(_))), "{twice:?}");
        for id in [&declined, &withdrawn] {
            missing(stories::story(app, None, id).await);
            missing(stories::story(app, Some(&other), id).await);
            assert!(stories::story(app, Some(&author), id).await.is_ok());
            assert!(stories::story(app, Some(&warden), id).await.is_ok());
        }
        let own = stories::story(app, Some(&author), &declined)
            .await
            .expect("own");
        assert_eq!(
            own.review_note.as_deref(),
            Some("Please leave out the clinic's name.")
        );
        missing(stories::story(app, None, &StoryId::random()).await);

        // Edited, a declined story goes back to review.
        let status = stories::edit_story(app, &author, &declined, &input("Less raw", false), now())
            .await
            .expect("edit");
        assert_eq!(status, StoryStatus::Pending);

        let export = kith_app::export::export(app, &author, now())
            .await
            .expect("export");
        let json = serde_json::to_value(&export).expect("json");
        let titles: Vec<&str> = json["stories"]
            .as_array()
            .expect("stories")
            .iter()
            .map(|s| s["title"].as_str().expect("title"))
            .collect();
        assert_eq!(titles.len(), 2);
        assert!(
            titles.contains(&"Less raw") && titles.contains(&"Taken back"),
            "{titles:?}"
        );
        let others = kith_app::export::export(app, &other, now())
            .await
            .expect("export");
        let json = serde_json::to_value(&others).expect("json");
        assert_eq!(json["stories"], serde_json::json!([]));
    }
);
