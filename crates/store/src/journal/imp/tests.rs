//! The journal's keys and sealed entries on both backends: one journal per
//! account, session keys that go with their session (logout, a reset, a
//! password change elsewhere, deleting the account), entries in order and
//! by range, another person's ids answering as none, and imports only
//! into an empty journal.

use std::sync::Arc;

use jiff::SignedDuration;
use jiff::civil::{Date, date};
use kith_domain::account::Email;

use super::*;
use crate::Store;
use crate::account_settings::{NewAccountToken, TokenPurpose};
use crate::accounts::{NewSession, SessionKind};
use crate::mail::{NewMail, Recipient};
use crate::testing::{account, now};

fn at(minutes: i64) -> Timestamp {
    now() + SignedDuration::from_mins(minutes)
}

fn wrap(salt: &str, byte: u8) -> KeyWrap {
    KeyWrap {
        salt: salt.to_owned(),
        wrapped: vec![byte; 72],
    }
}

fn hash(name: &str) -> String {
    format!("{name:-<16}0123456789abcdef")
}

async fn session(store: &Arc<dyn Store>, account: AccountId, name: &str) -> String {
    let session = NewSession {
        token_hash: hash(name),
        account,
        kind: SessionKind::Browser,
        csrf_token: "csrf".to_owned(),
        idle_seconds: 86_400,
        expires_at: at(120),
    };
    store
        .create_session(&session, now())
        .await
        .expect("session");
    hash(name)
}

/// A journal for `account`, its key kept for the session `name`.
async fn journal(store: &Arc<dyn Store>, account: AccountId, name: &str) -> String {
    let token_hash = session(store, account, name).await;
    let (password, recovery) = (wrap("p", 1), wrap("r", 2));
    store
        .create_journal(
            &NewJournal {
                account,
                password: &password,
                recovery: &recovery,
                session: Some((&token_hash, &[3; 72])),
            },
            now(),
        )
        .await
        .expect("journal");
    token_hash
}

crate::on_both_backends!(a_journal_keeps_its_wraps_once_per_account, |store: Arc<
    dyn Store,
>| async move {
    let river = account(&store, "River").await;
    assert_eq!(store.journal_keys(river).await.expect("keys"), None);
    let token_hash = journal(&store, river, "river").await;
    let keys = store.journal_keys(river).await.expect("keys").expect("one");
    assert_eq!(keys.password, Some(wrap("p", 1)));
    assert_eq!(keys.recovery, wrap("r", 2));
    assert_eq!(keys.created_at, now());
    assert_eq!(keys.recovery_confirmed_at, None);
    assert_eq!(
        store.session_key(river, &token_hash).await.expect("key"),
        Some(vec![3; 72])
    );

    let again = store
        .create_journal(
            &NewJournal {
                account: river,
                password: &wrap("x", 9),
                recovery: &wrap("y", 9),
                session: None,
            },
            now(),
        )
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Conflict { what: "journal" })
    ));
    assert_eq!(
        store
            .journal_keys(river)
            .await
            .expect("keys")
            .map(|k| k.recovery),
        Some(wrap("r", 2)),
        "the first journal stands"
    );

    store
        .confirm_recovery_saved(river, at(1))
        .await
        .expect("confirm");
    store
        .confirm_recovery_saved(river, at(2))
        .await
        .expect("again");
    store
        .set_password_wrap(river, &wrap("q", 4))
        .await
        .expect("rewrap");
    let keys = store.journal_keys(river).await.expect("keys").expect("one");
    assert_eq!(
        keys.recovery_confirmed_at,
        Some(at(1)),
        "the first time counts"
    );
    assert_eq!(keys.password, Some(wrap("q", 4)));

    let lake = account(&store, "Lake").await;
    assert!(matches!(
        store.confirm_recovery_saved(lake, now()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_password_wrap(lake, &wrap("q", 4)).await,
        Err(StoreError::NotFound)
    ));
});

crate::on_both_backends!(
    a_session_key_is_only_for_the_accounts_own_session_and_ends_with_it,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let lake = account(&store, "Lake").await;
        let first = journal(&store, river, "river").await;
        let lakes = session(&store, lake, "lake").await;
        assert!(
            matches!(
                store.put_session_key(river, &lakes, &[5; 72], now()).await,
                Err(StoreError::NotFound)
            ),
            "not onto another's session"
        );
        assert!(
            matches!(
                store.put_session_key(lake, &lakes, &[5; 72], now()).await,
                Err(StoreError::NotFound)
            ),
            "not without a journal"
        );
        assert_eq!(store.session_key(lake, &first).await.expect("key"), None);

        let second = session(&store, river, "second").await;
        store
            .put_session_key(river, &second, &[6; 72], now())
            .await
            .expect("put");
        store
            .put_session_key(river, &second, &[7; 72], now())
            .await
            .expect("replace");
        assert_eq!(
            store.session_key(river, &second).await.expect("key"),
            Some(vec![7; 72])
        );

        store.drop_session_key(river, &second).await.expect("lock");
        assert_eq!(store.session_key(river, &second).await.expect("key"), None);

        store.end_session(&first).await.expect("logout");
        assert_eq!(
            store.session_key(river, &first).await.expect("key"),
            None,
            "logout removes the session's key"
        );
    }
);

crate::on_both_backends!(
    a_password_change_rewraps_and_ends_other_sessions_keys,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let kept = journal(&store, river, "kept").await;
        let other = session(&store, river, "other").await;
        store
            .put_session_key(river, &other, &[6; 72], now())
            .await
            .expect("put");
        store
            .set_password(river, "hash-2", Some(&kept), Some(&wrap("new", 8)))
            .await
            .expect("change");
        let keys = store.journal_keys(river).await.expect("keys").expect("one");
        assert_eq!(keys.password, Some(wrap("new", 8)));
        assert!(
            store
                .session_key(river, &kept)
                .await
                .expect("key")
                .is_some()
        );
        assert_eq!(store.session_key(river, &other).await.expect("key"), None);

        // Without a journal, a wrap to store is refused and nothing changes.
        let lake = account(&store, "Lake").await;
        assert!(matches!(
            store
                .set_password(lake, "hash-2", None, Some(&wrap("new", 8)))
                .await,
            Err(StoreError::NotFound)
        ));
        let record = store
            .account_by_login("Lake")
            .await
            .expect("lookup")
            .expect("exists");
        assert_ne!(record.password_hash.as_deref(), Some("hash-2"));
    }
);

crate::on_both_backends!(
    a_reset_by_mail_forgets_the_password_wrap_and_every_session_key,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let token_hash = journal(&store, river, "river").await;
        let email = Email::parse("river@example.org").expect("email");
        let mail = NewMail {
            recipient: Recipient::Account(river),
            kind: "password_reset",
            subject: "kith: a link",
            text: "the link",
            html: "<p>the link</p>",
            unsubscribe: None,
            not_before: now(),
        };
        store
            .create_account_token(
                &NewAccountToken {
                    token_hash: "reset-token-hash",
                    account: river,
                    purpose: TokenPurpose::PasswordReset,
                    email: &email,
                    expires_at: at(60),
                },
                &mail,
                now(),
            )
            .await
            .expect("token");
        store
            .use_reset_token("reset-token-hash", "hash-2", at(1))
            .await
            .expect("reset");
        let keys = store
            .journal_keys(river)
            .await
            .expect("keys")
            .expect("kept");
        assert_eq!(keys.password, None, "the new password cannot open it");
        assert_eq!(keys.recovery, wrap("r", 2), "the recovery code still can");
        assert_eq!(
            store.session_key(river, &token_hash).await.expect("key"),
            None
        );
    }
);

fn sealed(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

crate::on_both_backends!(
    check_ins_come_newest_first_by_day_range_and_only_to_their_owner,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let lake = account(&store, "Lake").await;
        journal(&store, river, "river").await;
        journal(&store, lake, "lake").await;
        let days: [Date; 4] = [
            date(2026, 5, 1),
            date(2026, 5, 3),
            date(2026, 5, 3),
            date(1900, 1, 1),
        ];
        let mut ids = Vec::new();
        for (i, day) in days.iter().enumerate() {
            let id = CheckinId::random();
            let minutes = i64::try_from(i).expect("small");
            store
                .add_checkin(river, &id, *day, &sealed(&format!("c{i}")), at(minutes))
                .await
                .expect("add");
            ids.push(id);
        }
        let all = store.checkins(river, None, None).await.expect("list");
        let order: Vec<&CheckinId> = all.iter().map(|c| &c.id).collect();
        assert_eq!(order, [&ids[2], &ids[1], &ids[0], &ids[3]]);
        assert_eq!(all[3].day, date(1900, 1, 1));
        let may = store
            .checkins(river, Some(date(2026, 5, 2)), Some(date(2026, 5, 31)))
            .await
            .expect("range");
        assert_eq!(may.len(), 2);
        assert_eq!(
            store
                .checkins(lake, None, None)
                .await
                .expect("lake's")
                .len(),
            0
        );

        let id = &ids[0];
        store
            .update_checkin(river, id, date(2026, 5, 2), &sealed("edited"), at(9))
            .await
            .expect("edit");
        let one = store.checkin(river, id).await.expect("one");
        assert_eq!(
            (one.day, one.sealed.as_slice()),
            (date(2026, 5, 2), &b"edited"[..])
        );
        assert_eq!((one.created_at, one.updated_at), (at(0), at(9)));

        // Another person's id answers as none, and changes nothing.
        assert!(matches!(
            store.checkin(lake, id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .update_checkin(lake, id, date(2026, 5, 2), &sealed("x"), at(9))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_checkin(lake, id).await,
            Err(StoreError::NotFound)
        ));
        store.delete_checkin(river, id).await.expect("delete");
        assert!(matches!(
            store.checkin(river, id).await,
            Err(StoreError::NotFound)
        ));
    }
);

crate::on_both_backends!(
    doses_belong_to_one_of_the_owners_medicines_and_go_with_it,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let lake = account(&store, "Lake").await;
        journal(&store, river, "river").await;
        journal(&store, lake, "lake").await;
        let (first, second) = (MedicineId::random(), MedicineId::random());
        store
            .add_medicine(river, &first, &sealed("m1"), at(0))
            .await
            .expect("m1");
        store
            .add_medicine(river, &second, &sealed("m2"), at(1))
            .await
            .expect("m2");
        let later = DoseId::random();
        let earlier = DoseId::random();
        store
            .add_dose(
                river,
                &first,
                &later,
                date(2026, 5, 10),
                &sealed("d2"),
                at(2),
            )
            .await
            .expect("dose");
        store
            .add_dose(
                river,
                &first,
                &earlier,
                date(2026, 4, 10),
                &sealed("d1"),
                at(3),
            )
            .await
            .expect("dose");
        let other = DoseId::random();
        store
            .add_dose(
                river,
                &second,
                &other,
                date(2026, 4, 1),
                &sealed("d3"),
                at(4),
            )
            .await
            .expect("dose");
        assert!(
            matches!(
                store
                    .add_dose(
                        lake,
                        &first,
                        &DoseId::random(),
                        date(2026, 5, 1),
                        &sealed("x"),
                        at(5)
                    )
                    .await,
                Err(StoreError::NotFound)
            ),
            "not onto another's medicine"
        );

        let doses = store.doses(river, &first).await.expect("doses");
        let order: Vec<&DoseId> = doses.iter().map(|d| &d.id).collect();
        assert_eq!(order, [&earlier, &later], "oldest day first");
        assert_eq!(doses[0].medicine, first);
        let all: Vec<DoseId> = store
            .all_doses(river)
            .await
            .expect("all")
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(all, [earlier.clone(), later.clone(), other.clone()]);
        let medicines: Vec<MedicineId> = store
            .medicines(river)
            .await
            .expect("medicines")
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(medicines, [first.clone(), second.clone()]);

        assert!(matches!(
            store.doses(lake, &first).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.dose(lake, &later).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .update_dose(lake, &later, date(2026, 5, 1), &sealed("x"))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_dose(lake, &later).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.rename_medicine(lake, &first, &sealed("x")).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_medicine(lake, &first).await,
            Err(StoreError::NotFound)
        ));

        store
            .update_dose(river, &later, date(2026, 3, 1), &sealed("d2'"))
            .await
            .expect("edit");
        let one = store.dose(river, &later).await.expect("one");
        assert_eq!(
            (one.day, one.sealed.as_slice()),
            (date(2026, 3, 1), &b"d2'"[..])
        );
        store
            .rename_medicine(river, &first, &sealed("m1'"))
            .await
            .expect("rename");
        assert_eq!(
            store.medicine(river, &first).await.expect("one").sealed,
            b"m1'"
        );

        store.delete_medicine(river, &first).await.expect("delete");
        assert!(matches!(
            store.dose(river, &earlier).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(store.all_doses(river).await.expect("all").len(), 1);
        store.delete_dose(river, &other).await.expect("delete dose");
        assert_eq!(store.all_doses(river).await.expect("all").len(), 0);
    }
);

crate::on_both_backends!(
    an_import_goes_only_into_an_empty_journal_all_at_once,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        journal(&store, river, "river").await;
        let medicine = MedicineId::random();
        let entries = JournalEntries {
            checkins: vec![SealedCheckin {
                id: CheckinId::random(),
                day: date(2026, 5, 1),
                sealed: sealed("c"),
                created_at: now(),
                updated_at: now(),
            }],
            medicines: vec![SealedMedicine {
                id: medicine.clone(),
                sealed: sealed("m"),
                created_at: now(),
            }],
            doses: vec![SealedDose {
                id: DoseId::random(),
                medicine: medicine.clone(),
                day: date(2026, 5, 1),
                sealed: sealed("d"),
                created_at: now(),
            }],
        };
        assert_eq!(
            store.import_journal(river, &entries).await.expect("import"),
            Ok(())
        );
        assert_eq!(store.checkins(river, None, None).await.expect("c").len(), 1);
        assert_eq!(store.doses(river, &medicine).await.expect("d").len(), 1);

        let mut again = entries.clone();
        again.checkins[0].id = CheckinId::random();
        again.medicines[0].id = MedicineId::random();
        again.doses[0].id = DoseId::random();
        again.doses[0].medicine = again.medicines[0].id.clone();
        assert_eq!(
            store.import_journal(river, &again).await.expect("answer"),
            Err(NotEmpty)
        );
        assert_eq!(store.checkins(river, None, None).await.expect("c").len(), 1);
        assert_eq!(store.medicines(river).await.expect("m").len(), 1);
    }
);

crate::on_both_backends_with_url!(
    deleting_the_account_or_the_journal_leaves_no_journal_row,
    |store: Arc<dyn Store>, url: String| async move {
        let river = account(&store, "River").await;
        let lake = account(&store, "Lake").await;
        for who in [river, lake] {
            journal(&store, who, &format!("s{}", who.0)).await;
            let medicine = MedicineId::random();
            store
                .add_medicine(who, &medicine, &sealed("m"), now())
                .await
                .expect("m");
            store
                .add_dose(
                    who,
                    &medicine,
                    &DoseId::random(),
                    date(2026, 5, 1),
                    &sealed("d"),
                    now(),
                )
                .await
                .expect("d");
            store
                .add_checkin(
                    who,
                    &CheckinId::random(),
                    date(2026, 5, 1),
                    &sealed("c"),
                    now(),
                )
                .await
                .expect("c");
        }
        store
            .delete_account(river)
            .await
            .expect("answer")
            .expect("deleted");
        store.delete_journal(lake).await.expect("discarded");
        assert!(matches!(
            store.delete_journal(lake).await,
            Err(StoreError::NotFound)
        ));
        for table in [
            "journals",
            "journal_session_keys",
            "journal_checkins",
            "journal_medicines",
            "journal_doses",
        ] {
            let n = crate::testing::query_i64(&url, &format!("SELECT COUNT(*) FROM {table}")).await;
            assert_eq!(n, 0, "{table}");
        }
    }
);

mod recovery;
