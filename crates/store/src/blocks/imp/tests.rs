//! Blocks on both backends: once per pair, both directions seen by
//! `blocked_between`, one direction by `hidden_authors_for`, and gone with
//! either account.

use std::sync::Arc;

use crate::Store;
use crate::testing::{account, now};

crate::on_both_backends!(
    a_block_is_kept_once_read_both_ways_and_lifted,
    |store: Arc<dyn Store>| async move {
        let ana = account(&store, "ana").await;
        let joe = account(&store, "joe").await;
        let kim = account(&store, "kim").await;
        assert!(store.block(ana, joe, now()).await.expect("block"));
        assert!(!store.block(ana, joe, now()).await.expect("twice"));
        assert!(store.blocked_between(ana, joe).await.expect("between"));
        assert!(store.blocked_between(joe, ana).await.expect("either way"));
        assert!(!store.blocked_between(ana, kim).await.expect("not kim"));
        assert!(store.blocked_by_any(joe, &[kim, ana]).await.expect("any"));
        assert!(
            !store
                .blocked_by_any(ana, &[joe])
                .await
                .expect("not the other way")
        );
        assert!(!store.blocked_by_any(joe, &[]).await.expect("nobody"));
        assert_eq!(
            store.hidden_authors_for(ana).await.expect("hidden"),
            vec![joe]
        );
        assert!(
            store
                .hidden_authors_for(joe)
                .await
                .expect("none")
                .is_empty()
        );
        let listed = store.blocks_of(ana).await.expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].account, listed[0].handle.as_str()), (joe, "joe"));
        assert!(store.unblock(ana, joe).await.expect("unblock"));
        assert!(!store.unblock(ana, joe).await.expect("again"));
        assert!(!store.blocked_between(ana, joe).await.expect("lifted"));
    }
);

crate::on_both_backends!(deleting_an_account_deletes_its_blocks, |store: Arc<
    dyn Store,
>| async move {
    let ana = account(&store, "ana").await;
    let joe = account(&store, "joe").await;
    store.block(ana, joe, now()).await.expect("block");
    store
        .delete_account(ana)
        .await
        .expect("delete")
        .expect("deleted");
    assert!(!store.blocked_between(ana, joe).await.expect("gone"));
});
