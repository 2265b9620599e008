//! The resource library on both backends: resources with tags and files,
//! published and drafts, the cursor through the index, deletion, and the
//! editor role, each change with its audit row.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Role;

use crate::resources::{FileChange, FileMeta, NewFile, ResourceFields, ResourceQuery};
use crate::testing::{account, audit_by, now};
use crate::{Store, StoreError};

fn fields<'a>(slug: &'a str, tags: &'a [String], published: bool) -> ResourceFields<'a> {
    ResourceFields {
        slug,
        title: "Do It In a Group",
        summary: "Why peers help.",
        body: "The group can be on the phone.",
        tags,
        published,
    }
}

fn pdf_meta() -> FileMeta {
    FileMeta {
        name: "freedom.pdf".into(),
        content_type: "application/pdf".into(),
        size: 9,
        sha256: "ab".repeat(32),
    }
}

fn later(minutes: i64) -> Timestamp {
    now() + SignedDuration::from_mins(minutes)
}

crate::on_both_backends!(
    a_resource_keeps_its_tags_and_file_and_writes_audit_rows,
    |store: Arc<dyn Store>| async move {
        let editor = account(&store, "scribe").await;
        let tags = vec!["groups".to_owned(), "tapering".to_owned()];
        let meta = pdf_meta();
        let bytes = b"%PDF-1.7\n".to_vec();
        let file = NewFile {
            meta: &meta,
            data: &bytes,
        };
        let audit = audit_by(editor, "scribe", "resource.create", "resource:group");
        let made = store
            .create_resource(
                editor,
                &fields("group", &tags, false),
                Some(file),
                &audit,
                now(),
            )
            .await
            .expect("create");
        assert_eq!(made.tags, tags);
        assert_eq!(made.file.as_ref(), Some(&meta));
        assert_eq!(made.published_at, None, "a draft");
        assert_eq!(made.author, Some(editor));
        assert_eq!(store.resource("group").await.expect("read"), made);

        let stored = store.resource_file("group").await.expect("file");
        assert_eq!((stored.data, stored.published), (bytes.clone(), false));

        let taken = store
            .create_resource(editor, &fields("group", &[], true), None, &audit, now())
            .await;
        assert!(
            matches!(
                taken,
                Err(StoreError::Conflict {
                    what: "resource slug"
                })
            ),
            "{taken:?}"
        );

        // Published: stamped once, kept on later edits, cleared on unpublish.
        let tags = vec!["peer-support".to_owned()];
        let edit = audit_by(editor, "scribe", "resource.edit", "resource:group");
        let published = store
            .update_resource(
                made.id,
                &fields("do-it", &tags, true),
                FileChange::Keep,
                &edit,
                later(1),
            )
            .await
            .expect("publish");
        assert_eq!(published.published_at, Some(later(1)));
        assert_eq!(published.tags, tags);
        assert!(published.file.is_some(), "the file stays");
        assert!(matches!(
            store.resource("group").await,
            Err(StoreError::NotFound)
        ));
        let again = store
            .update_resource(
                made.id,
                &fields("do-it", &tags, true),
                FileChange::Remove,
                &edit,
                later(2),
            )
            .await
            .expect("edit");
        assert_eq!(
            again.published_at,
            Some(later(1)),
            "still first published then"
        );
        assert_eq!(again.file, None);
        assert!(matches!(
            store.resource_file("do-it").await,
            Err(StoreError::NotFound)
        ));
        let replaced = store
            .update_resource(
                made.id,
                &fields("do-it", &tags, false),
                FileChange::Replace(NewFile {
                    meta: &meta,
                    data: &bytes,
                }),
                &edit,
                later(3),
            )
            .await
            .expect("unpublish");
        assert_eq!(
            (replaced.published_at, replaced.file.is_some()),
            (None, true)
        );

        let missing = store
            .update_resource(
                9999,
                &fields("x", &[], true),
                FileChange::Keep,
                &edit,
                now(),
            )
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

        store
            .delete_resource(
                made.id,
                &audit_by(editor, "scribe", "resource.delete", "resource:do-it"),
                later(4),
            )
            .await
            .expect("delete");
        assert!(matches!(
            store.resource("do-it").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.resource_file("do-it").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_resource(made.id, &edit, later(5)).await,
            Err(StoreError::NotFound)
        ));

        let actions: Vec<String> = store
            .audit_log(10)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.action)
            .collect();
        assert_eq!(
            actions,
            [
                "resource.delete",
                "resource.edit",
                "resource.edit",
                "resource.edit",
                "resource.create"
            ]
        );
    }
);

crate::on_both_backends!(
    the_index_lists_published_resources_newest_first_by_tag_and_cursor,
    |store: Arc<dyn Store>| async move {
        let editor = account(&store, "scribe").await;
        let audit = audit_by(editor, "scribe", "resource.create", "resource");
        let tapering = vec!["tapering".to_owned()];
        // Two published in the same second: the id breaks the tie.
        for (slug, tags, published, at) in [
            ("first", &tapering, true, now()),
            ("second", &Vec::new(), true, later(1)),
            ("third", &tapering, true, later(1)),
            ("draft", &tapering, false, later(2)),
        ] {
            store
                .create_resource(editor, &fields(slug, tags, published), None, &audit, at)
                .await
                .expect("create");
        }
        let slugs = |list: Vec<crate::resources::ResourceRecord>| {
            list.into_iter().map(|r| r.slug).collect::<Vec<_>>()
        };
        let all = store
            .published_resources(&ResourceQuery {
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("list");
        assert_eq!(slugs(all.clone()), ["third", "second", "first"]);

        let first_page = store
            .published_resources(&ResourceQuery {
                limit: 2,
                ..Default::default()
            })
            .await
            .expect("page");
        let last = first_page.last().expect("two");
        let rest = store
            .published_resources(&ResourceQuery {
                limit: 2,
                before: Some((last.published_at.expect("published"), last.id)),
                ..Default::default()
            })
            .await
            .expect("rest");
        assert_eq!(slugs(rest), ["first"]);

        let tagged = store
            .published_resources(&ResourceQuery {
                tag: Some("tapering".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("tagged");
        assert_eq!(slugs(tagged), ["third", "first"]);

        assert_eq!(
            slugs(store.draft_resources(10).await.expect("drafts")),
            ["draft"]
        );
    }
);

crate::on_both_backends!(
    a_role_changes_only_from_what_it_was_with_an_audit_row,
    |store: Arc<dyn Store>| async move {
        let admin = account(&store, "keeper").await;
        let ada = account(&store, "ada").await;
        let audit = audit_by(admin, "keeper", "editor.give", "account:ada");
        store
            .change_role(ada, Role::Member, Role::Editor, &audit, now())
            .await
            .expect("give");
        assert_eq!(
            store
                .accounts_with_role(Role::Editor)
                .await
                .expect("editors"),
            [(ada, "ada".to_owned())]
        );
        let again = store
            .change_role(ada, Role::Member, Role::Editor, &audit, now())
            .await;
        assert!(matches!(again, Err(StoreError::Stale)), "{again:?}");
        store
            .change_role(
                ada,
                Role::Editor,
                Role::Member,
                &audit_by(admin, "keeper", "editor.take", "account:ada"),
                now(),
            )
            .await
            .expect("take");
        assert!(
            store
                .accounts_with_role(Role::Editor)
                .await
                .expect("editors")
                .is_empty()
        );
        let log = store.audit_log(5).await.expect("audit");
        assert_eq!(log.len(), 2, "the refused change wrote nothing");
        assert_eq!(log[0].action, "editor.take");
    }
);
