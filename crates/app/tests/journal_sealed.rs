//! The journal at rest, on both databases: after writing check-ins, a
//! medicine and doses with canary words, neither the SQLite file (and its
//! write-ahead log) nor any row of any PostgreSQL table holds one of
//! them, nor the session's token, the password or the recovery code; and
//! a changed, swapped or moved sealed value is told as "could not be
//! opened", never read as another entry.

use std::sync::Arc;

use kith_app::access::Person;
use kith_app::accounts::{self, LoginOutcome, LoginRequest};
use kith_app::journal::{self, CouldNotOpen, Status};
use kith_app::testing::{PASSWORD, now, registered};
use kith_app::{App, export};
use kith_domain::journal::{CheckinInput, DoseInput};
use kith_domain::zone::Zone;
use kith_store::accounts::SessionKind;
use kith_store::{Store, on_both_backends, on_both_backends_with_url};

async fn member(app: &App, handle: &str) -> (Person, String, String) {
    let person = registered(app, handle).await;
    let request = LoginRequest {
        login: handle,
        password: PASSWORD,
        kind: SessionKind::Browser,
        remember: false,
    };
    let LoginOutcome::LoggedIn { token, .. } = accounts::login(app, &request, now(), |_| Ok(()))
        .await
        .expect("login")
    else {
        panic!("logged in");
    };
    let code = journal::create(app, &person, PASSWORD, &token.token, now())
        .await
        .expect("journal");
    (person, token.token, code.expose().to_string())
}

fn checkin(day: &str, note: &str, tag: &str) -> CheckinInput {
    CheckinInput {
        day: day.to_owned(),
        mood: "2".to_owned(),
        hours_slept: "4.5".to_owned(),
        symptoms: vec![tag.to_owned()],
        note: note.to_owned(),
    }
}

fn dose(day: &str, amount: &str, unit: &str, note: &str) -> DoseInput {
    DoseInput {
        day: day.to_owned(),
        amount: amount.to_owned(),
        unit: unit.to_owned(),
        note: note.to_owned(),
    }
}

/// Whether `haystack` holds `needle` as text or, as PostgreSQL writes
/// `bytea`, in hex.
fn holds(haystack: &[u8], needle: &str) -> bool {
    let hex: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
    [needle.as_bytes(), hex.as_bytes()]
        .iter()
        .any(|n| haystack.windows(n.len()).any(|w| w == *n))
}

on_both_backends_with_url!(
    no_word_dose_key_or_code_of_a_journal_is_in_the_database,
    |store: Arc<dyn Store>, url: String| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, code) = member(app, "River").await;
        let t = token.as_str();
        let utc = Zone::utc();
        journal::add_checkin(
            app,
            &river,
            t,
            &checkin("2026-05-01", "zebracanary morning", "quokkasymptom"),
            &utc,
            now(),
        )
        .await
        .expect("check-in");
        let second = journal::add_checkin(
            app,
            &river,
            t,
            &checkin("2026-05-02", "second note", "tag"),
            &utc,
            now(),
        )
        .await
        .expect("check-in");
        journal::edit_checkin(
            app,
            &river,
            t,
            &second,
            &checkin("2026-05-02", "pangolinedit later", "tag"),
            &utc,
            now(),
        )
        .await
        .expect("edit");
        let medicine = journal::add_medicine(app, &river, t, "wombatmedicine", now())
            .await
            .expect("medicine");
        journal::add_dose(
            app,
            &river,
            t,
            &medicine,
            &dose("2026-04-01", "75", "mg", "okapinote"),
            &utc,
            now(),
        )
        .await
        .expect("dose");
        journal::add_dose(
            app,
            &river,
            t,
            &medicine,
            &dose("2026-05-01", "37.5", "narwhalunit", ""),
            &utc,
            now(),
        )
        .await
        .expect("dose");
        // The export a member downloads holds them (this test would find
        // them if they were stored in clear).
        let export = serde_json::to_vec(
            &journal::export(app, &river, t, now())
                .await
                .expect("export"),
        )
        .expect("json");
        let canaries = [
            "zebracanary",
            "quokkasymptom",
            "pangolinedit",
            "wombatmedicine",
            "okapinote",
            "narwhalunit",
            "37.5",
        ];
        for canary in canaries {
            assert!(holds(&export, canary), "the export holds {canary}");
        }
        // The member's own account export holds none of it.
        let account_export = serde_json::to_vec(
            &export::export(app, &river, now())
                .await
                .expect("account export"),
        )
        .expect("json");
        for canary in canaries {
            assert!(!holds(&account_export, canary), "account export: {canary}");
        }

        let bare_code = code.replace('-', "");
        let secrets = [token.as_str(), PASSWORD, code.as_str(), bare_code.as_str()];
        let stored: Vec<(String, Vec<u8>)> = if let Some(path) = url.strip_prefix("sqlite://") {
            let mut files = vec![(path.to_owned(), std::fs::read(path).expect("database file"))];
            let wal = format!("{path}-wal");
            if let Ok(bytes) = std::fs::read(&wal) {
                files.push((wal, bytes));
            }
            assert!(
                holds(
                    &files
                        .iter()
                        .flat_map(|(_, b)| b.clone())
                        .collect::<Vec<u8>>(),
                    "River"
                ),
                "the scan reads what is stored"
            );
            files
        } else {
            let rows = kith_store::testing::postgres_rows_as_text(&url).await;
            assert!(rows.iter().any(|r| r.starts_with("journal_checkins: ")));
            assert!(
                rows.iter().any(|r| r.contains("River")),
                "the scan reads what is stored"
            );
            rows.into_iter()
                .map(|r| (r.clone(), r.into_bytes()))
                .collect()
        };
        for (place, bytes) in &stored {
            for needle in canaries.iter().chain(&secrets) {
                let short: String = place.chars().take(60).collect();
                assert!(
                    !holds(bytes, needle),
                    "{needle} is stored in clear: {short}"
                );
            }
        }
    }
);

on_both_backends!(
    a_changed_swapped_or_moved_entry_could_not_be_opened_and_the_rest_still_open,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, _) = member(app, "River").await;
        let t = token.as_str();
        let utc = Zone::utc();
        let mut ids = Vec::new();
        for (day, note) in [
            ("2026-05-01", "one"),
            ("2026-05-02", "two"),
            ("2026-05-03", "three"),
        ] {
            ids.push(
                journal::add_checkin(app, &river, t, &checkin(day, note, "tag"), &utc, now())
                    .await
                    .expect("check-in"),
            );
        }
        let row = |i: usize| {
            let id = ids[i].clone();
            let store = store.clone();
            async move { store.checkin(river.id, &id).await.expect("row") }
        };
        let notes = || async {
            journal::checkins(app, &river, t, None, None)
                .await
                .expect("list")
                .into_iter()
                .map(|c| c.content.map(|c| c.note))
                .collect::<Vec<_>>()
        };

        // One byte of one seal flipped.
        let first = row(0).await;
        let mut flipped = first.sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        store
            .update_checkin(river.id, &first.id, first.day, &flipped, now())
            .await
            .expect("tamper");
        assert!(matches!(
            journal::checkin(app, &river, t, &ids[0])
                .await
                .expect("row")
                .content,
            Err(CouldNotOpen)
        ));
        assert_eq!(
            notes().await,
            [
                Ok("three".to_owned()),
                Ok("two".to_owned()),
                Err(CouldNotOpen)
            ]
        );

        // Two seals swapped: neither opens as the other.
        let (second, third) = (row(1).await, row(2).await);
        store
            .update_checkin(river.id, &second.id, second.day, &third.sealed, now())
            .await
            .expect("swap");
        store
            .update_checkin(river.id, &third.id, third.day, &second.sealed, now())
            .await
            .expect("swap");
        assert_eq!(
            notes().await,
            [Err(CouldNotOpen), Err(CouldNotOpen), Err(CouldNotOpen)]
        );

        // Put back, but moved to another day in clear: it does not open.
        store
            .update_checkin(river.id, &third.id, third.day, &third.sealed, now())
            .await
            .expect("restore");
        assert_eq!(notes().await[0], Ok("three".to_owned()));
        store
            .update_checkin(
                river.id,
                &third.id,
                jiff::civil::date(2026, 4, 1),
                &third.sealed,
                now(),
            )
            .await
            .expect("move");
        assert!(matches!(
            journal::checkin(app, &river, t, &ids[2])
                .await
                .expect("row")
                .content,
            Err(CouldNotOpen)
        ));

        // Another account's seal copied into River's row does not open
        // (nor would it under River's key).
        let (lake, lakes, _) = member(app, "Lake").await;
        let hers = journal::add_checkin(
            app,
            &lake,
            &lakes,
            &checkin("2026-05-02", "lake's", "tag"),
            &utc,
            now(),
        )
        .await
        .expect("check-in");
        let hers = store.checkin(lake.id, &hers).await.expect("row");
        store
            .update_checkin(river.id, &second.id, hers.day, &hers.sealed, now())
            .await
            .expect("copy");
        assert!(matches!(
            journal::checkin(app, &river, t, &ids[1])
                .await
                .expect("row")
                .content,
            Err(CouldNotOpen)
        ));
        // An entry that could not be opened can still be deleted.
        journal::delete_checkin(app, &river, t, &ids[1])
            .await
            .expect("delete");

        // A changed dose breaks its own step and the next one's, no other.
        let medicine = journal::add_medicine(app, &river, t, "lithium", now())
            .await
            .expect("medicine");
        let mut doses = Vec::new();
        for (day, amount) in [
            ("2026-03-01", "400"),
            ("2026-04-01", "300"),
            ("2026-05-01", "200"),
            ("2026-05-20", "100"),
        ] {
            doses.push(
                journal::add_dose(
                    app,
                    &river,
                    t,
                    &medicine,
                    &dose(day, amount, "mg", ""),
                    &utc,
                    now(),
                )
                .await
                .expect("dose"),
            );
        }
        let target = store.dose(river.id, &doses[1]).await.expect("row");
        let mut flipped = target.sealed.clone();
        flipped[30] ^= 0x01;
        store
            .update_dose(river.id, &target.id, target.day, &flipped)
            .await
            .expect("tamper");
        let read = journal::doses(app, &river, t, &medicine)
            .await
            .expect("doses");
        let seen: Vec<(bool, Option<String>)> = read
            .iter()
            .map(|d| (d.content.is_ok(), d.step.map(|s| s.to_string())))
            .collect();
        assert_eq!(
            seen,
            [
                (true, None),
                (false, None),
                (true, None),
                (true, Some("-50%".to_owned()))
            ]
        );
        let sealed_name = store
            .medicine(river.id, &medicine)
            .await
            .expect("row")
            .sealed;
        let other = journal::add_medicine(app, &river, t, "other", now())
            .await
            .expect("medicine");
        store
            .rename_medicine(river.id, &other, &sealed_name)
            .await
            .expect("copy");
        assert!(matches!(
            journal::medicine(app, &river, t, &other)
                .await
                .expect("row")
                .name,
            Err(CouldNotOpen)
        ));

        // A session's wrapped key that was changed locks, never opens
        // with another key.
        store
            .put_session_key(river.id, &kith_app::tokens::token_hash(t), &[7; 72], now())
            .await
            .expect("tamper");
        assert_eq!(
            journal::status(app, &river, t).await.expect("status"),
            Status::Locked
        );
    }
);
