//! A used or replaced recovery code is spent: reopening the journal with
//! it stores the key under a new code in the same transaction as the
//! session's key, and forgets that the old code was saved.

use super::*;

crate::on_both_backends!(
    reopening_replaces_the_recovery_wrap_with_the_sessions_key_or_not_at_all,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let _ = journal(&store, river, "river").await;
        store
            .confirm_recovery_saved(river, at(1))
            .await
            .expect("confirm");
        let later = session(&store, river, "later").await;
        store
            .reopen_journal(river, &wrap("r2", 5), None, &later, &[6; 72], at(2))
            .await
            .expect("reopen");
        let keys = store.journal_keys(river).await.expect("keys").expect("one");
        assert_eq!(keys.recovery, wrap("r2", 5), "the new code's wrap");
        assert_eq!(
            keys.recovery_confirmed_at, None,
            "the new code is not saved yet"
        );
        assert_eq!(keys.password, Some(wrap("p", 1)), "no password: unchanged");
        assert_eq!(
            store.session_key(river, &later).await.expect("key"),
            Some(vec![6; 72])
        );

        // Onto another person's session: refused, and the wrap stays.
        let lake = account(&store, "Lake").await;
        let lakes = session(&store, lake, "lake").await;
        assert!(matches!(
            store
                .reopen_journal(
                    river,
                    &wrap("r3", 7),
                    Some(&wrap("q", 7)),
                    &lakes,
                    &[7; 72],
                    at(3)
                )
                .await,
            Err(StoreError::NotFound)
        ));
        let keys = store.journal_keys(river).await.expect("keys").expect("one");
        assert_eq!(keys.recovery, wrap("r2", 5), "nothing written on refusal");
        assert_eq!(keys.password, Some(wrap("p", 1)));
    }
);

crate::on_both_backends!(
    a_new_recovery_wrap_replaces_the_old_and_asks_again,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let _ = journal(&store, river, "river").await;
        store
            .confirm_recovery_saved(river, at(1))
            .await
            .expect("confirm");
        store
            .set_recovery_wrap(river, &wrap("r9", 9))
            .await
            .expect("replace");
        let keys = store.journal_keys(river).await.expect("keys").expect("one");
        assert_eq!(keys.recovery, wrap("r9", 9));
        assert_eq!(keys.recovery_confirmed_at, None);

        let lake = account(&store, "Lake").await;
        assert!(matches!(
            store.set_recovery_wrap(lake, &wrap("r9", 9)).await,
            Err(StoreError::NotFound)
        ));
    }
);
