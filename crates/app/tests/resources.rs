//! The resource library's use cases on both databases: who may write,
//! drafts that answer as nothing to readers, files checked by their bytes
//! with nothing written when refused, and the editor role an admin gives
//! and takes.

use std::sync::Arc;

use kith_app::access::Person;
use kith_app::resources::{self, FileEdit, Upload, editors};
use kith_app::testing::{self, now};
use kith_app::{App, AppError, accounts};
use kith_domain::account::Role;
use kith_domain::resource::ResourceInput;
use kith_store::{Store, on_both_backends};

async fn person(app: &App, handle: &str, role: Role) -> Person {
    accounts::create_staff(app, &testing::registration(handle), role, now())
        .await
        .expect("account");
    testing::person(app, handle).await
}

fn input(title: &str, status: &str) -> ResourceInput {
    ResourceInput {
        title: title.into(),
        slug: String::new(),
        summary: "Why peers help.".into(),
        body: "Coming together is *potent*.<script>alert(1)</script>".into(),
        tags: "Groups, peer support".into(),
        status: status.into(),
    }
}

fn upload(bytes: &[u8], max_bytes: u64) -> Upload {
    Upload {
        name: "Freedom From Psych Drugs.pdf".into(),
        bytes: bytes.to_vec(),
        max_bytes,
    }
}

fn codes(err: AppError) -> Vec<(&'static str, &'static str)> {
    match err {
        AppError::Invalid(errors) => errors.iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected refused fields, got {other:?}"),
    }
}

on_both_backends!(
    editors_write_and_readers_see_only_what_is_published,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let editor = person(app, "scribe", Role::Editor).await;
        let admin = person(app, "keeper", Role::Admin).await;
        let member = person(app, "ada", Role::Member).await;
        let moderator = person(app, "warden", Role::Moderator).await;

        // A member (or a moderator as such) cannot write: the same
        // `NotFound` as every forbidden edit.
        for who in [&member, &moderator] {
            let refused =
                resources::create(app, who, &input("Mine", "published"), None, now()).await;
            assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
        }

        let draft = resources::create(
            app,
            &editor,
            &input("Do It In a Group", "draft"),
            Some(upload(b"%PDF-1.7\nbook", 1024)),
            now(),
        )
        .await
        .expect("create");
        assert_eq!(draft.slug, "do-it-in-a-group");
        assert_eq!(draft.tags, ["groups", "peer-support"]);
        assert!(draft.id > 0, "the row id comments attach to");
        assert!(draft.html.contains("<em>potent</em>") && !draft.html.contains("<script"));
        let file = draft.file.clone().expect("file");
        assert_eq!(
            (file.name.as_str(), file.content_type.as_str(), file.size),
            ("Freedom From Psych Drugs.pdf", "application/pdf", 13)
        );
        assert_eq!(file.sha256.len(), 64);

        // A draft is nothing to readers, its file too.
        for who in [None, Some(&member), Some(&moderator)] {
            let read = resources::read(app, who, "do-it-in-a-group").await;
            assert!(matches!(read, Err(AppError::NotFound)), "{who:?}");
            let file = resources::file(app, who, "do-it-in-a-group").await;
            assert!(matches!(file, Err(AppError::NotFound)), "{who:?}");
        }
        for who in [&editor, &admin] {
            let read = resources::read(app, Some(who), "do-it-in-a-group")
                .await
                .expect("draft");
            assert!(read.is_draft());
        }
        let index = resources::index(app, None, None, 10).await.expect("index");
        assert!(index.items.is_empty());

        // Published by the admin: everyone reads it, and the file.
        let published = resources::update(
            app,
            &admin,
            "do-it-in-a-group",
            &input("Do It In a Group", "published"),
            FileEdit::Keep,
            now(),
        )
        .await
        .expect("publish");
        assert_eq!(published.published_at, Some(now()));
        assert_eq!(published.id, draft.id);
        let read = resources::read(app, None, "do-it-in-a-group")
            .await
            .expect("public");
        assert_eq!(read.title, "Do It In a Group");
        let stored = resources::file(app, None, "do-it-in-a-group")
            .await
            .expect("file");
        assert_eq!(stored.data, b"%PDF-1.7\nbook");
        let tagged = resources::index(app, Some("Peer Support"), None, 10)
            .await
            .expect("tag");
        assert_eq!(tagged.items.len(), 1, "a tag filter is normalised too");
        assert!(
            resources::index(app, Some("other"), None, 10)
                .await
                .expect("tag")
                .items
                .is_empty()
        );

        // Unpublished: gone for readers again.
        resources::update(
            app,
            &editor,
            "do-it-in-a-group",
            &input("Do It In a Group", "draft"),
            FileEdit::Keep,
            now(),
        )
        .await
        .expect("unpublish");
        assert!(matches!(
            resources::read(app, None, "do-it-in-a-group").await,
            Err(AppError::NotFound)
        ));

        let refused = resources::delete(app, &member, "do-it-in-a-group", now()).await;
        assert!(matches!(refused, Err(AppError::NotFound)));
        resources::delete(app, &editor, "do-it-in-a-group", now())
            .await
            .expect("delete");
        assert!(matches!(
            resources::read(app, Some(&editor), "do-it-in-a-group").await,
            Err(AppError::NotFound)
        ));

        let actions: Vec<String> = store
            .audit_log(10)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.action)
            .filter(|a| a.starts_with("resource."))
            .collect();
        assert_eq!(
            actions,
            [
                "resource.delete",
                "resource.unpublish",
                "resource.publish",
                "resource.create"
            ]
        );
    }
);

on_both_backends!(
    a_wrong_or_too_large_file_is_refused_with_every_field_and_nothing_written,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let editor = person(app, "scribe", Role::Editor).await;

        let wrong = resources::create(
            app,
            &editor,
            &input("Guide", "published"),
            Some(upload(b"<html>not a pdf</html>", 1024)),
            now(),
        )
        .await
        .expect_err("wrong type");
        assert_eq!(codes(wrong), [("file", "wrong_type")]);

        let mut untitled = input("", "published");
        untitled.summary.clear();
        let both = resources::create(
            app,
            &editor,
            &untitled,
            Some(upload(b"%PDF-1.7 a little too big", 8)),
            now(),
        )
        .await
        .expect_err("too big");
        assert_eq!(
            codes(both),
            [
                ("title", "required"),
                ("summary", "required"),
                ("file", "too_large")
            ]
        );
        assert!(
            resources::index(app, None, None, 10)
                .await
                .expect("index")
                .items
                .is_empty()
        );
        assert!(
            resources::drafts(app, &editor)
                .await
                .expect("drafts")
                .is_empty()
        );

        resources::create(app, &editor, &input("Guide", "published"), None, now())
            .await
            .expect("first");
        let taken = resources::create(app, &editor, &input("Guide", "draft"), None, now())
            .await
            .expect_err("taken");
        assert_eq!(codes(taken), [("slug", "taken")]);

        // A refused replacement keeps the resource as it was.
        let refused = resources::update(
            app,
            &editor,
            "guide",
            &input("Guide, renamed", "published"),
            FileEdit::Replace(upload(b"PK\x03\x04 a zip, no book", 1024)),
            now(),
        )
        .await
        .expect_err("wrong type");
        assert_eq!(codes(refused), [("file", "wrong_type")]);
        let kept = resources::read(app, None, "guide").await.expect("kept");
        assert_eq!((kept.title.as_str(), kept.file), ("Guide", None));
        let actions = store.audit_log(10).await.expect("audit");
        assert_eq!(
            actions
                .iter()
                .filter(|a| a.action.starts_with("resource."))
                .count(),
            1
        );
    }
);

on_both_backends!(
    an_admin_gives_and_takes_the_editor_role_with_audit_rows,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let admin = person(app, "keeper", Role::Admin).await;
        let moderator = person(app, "warden", Role::Moderator).await;
        person(app, "ada", Role::Member).await;

        let refused = editors::give(app, &moderator, "ada", now()).await;
        assert!(matches!(refused, Err(AppError::NotFound)), "only admins");
        editors::give(app, &admin, "Ada", now())
            .await
            .expect("give");
        assert_eq!(editors::list(app, &admin).await.expect("list"), ["ada"]);
        let ada = testing::person(app, "ada").await;
        assert_eq!(ada.role, Role::Editor);
        resources::create(app, &ada, &input("Hers", "draft"), None, now())
            .await
            .expect("an editor now");

        assert_eq!(
            codes(
                editors::give(app, &admin, "warden", now())
                    .await
                    .expect_err("a moderator")
            ),
            [("handle", "has_role")]
        );
        assert_eq!(
            codes(
                editors::give(app, &admin, "nobody", now())
                    .await
                    .expect_err("unknown")
            ),
            [("handle", "unknown_handle")]
        );
        assert_eq!(
            codes(
                editors::take(app, &admin, "warden", now())
                    .await
                    .expect_err("not an editor")
            ),
            [("handle", "not_an_editor")]
        );
        editors::take(app, &admin, "ada", now())
            .await
            .expect("take");
        let ada = testing::person(app, "ada").await;
        let refused = resources::create(app, &ada, &input("Again", "draft"), None, now()).await;
        assert!(matches!(refused, Err(AppError::NotFound)));

        let log = store.audit_log(20).await.expect("audit");
        let roles: Vec<(&str, &str)> = log
            .iter()
            .filter(|r| r.action.starts_with("editor."))
            .map(|r| (r.action.as_str(), r.target.as_str()))
            .collect();
        assert_eq!(
            roles,
            [
                ("editor.take", "account:ada"),
                ("editor.give", "account:ada")
            ]
        );
    }
);
