//! Journal entries on both databases: check-ins and the taper log written,
//! edited, listed and deleted by their writer only, the step between
//! doses, bad input refused with nothing written, and the journal's own
//! export taken into another member's empty journal.

use std::sync::Arc;

use kith_app::access::Person;
use kith_app::accounts::{self, LoginOutcome, LoginRequest};
use kith_app::journal;
use kith_app::testing::{PASSWORD, now, registered};
use kith_app::{App, AppError, Conflict};
use kith_domain::ids::{CheckinId, DoseId, MedicineId};
use kith_domain::journal::{CheckinInput, DoseInput};
use kith_domain::zone::Zone;
use kith_store::accounts::SessionKind;
use kith_store::{Store, on_both_backends};

async fn member(app: &App, handle: &str) -> (Person, String) {
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
    journal::create(app, &person, PASSWORD, &token.token, now())
        .await
        .expect("journal");
    (person, token.token)
}

fn checkin(day: &str, mood: &str, note: &str) -> CheckinInput {
    CheckinInput {
        day: day.to_owned(),
        mood: mood.to_owned(),
        hours_slept: "6.5".to_owned(),
        symptoms: vec!["brain zaps".to_owned(), "tinnitus".to_owned()],
        note: note.to_owned(),
    }
}

fn dose(day: &str, amount: &str, unit: &str) -> DoseInput {
    DoseInput {
        day: day.to_owned(),
        amount: amount.to_owned(),
        unit: unit.to_owned(),
        note: String::new(),
    }
}

fn codes<T>(result: Result<T, AppError>) -> Vec<(&'static str, &'static str)> {
    match result {
        Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        Err(other) => panic!("not refused as input: {other:?}"),
        Ok(_) => panic!("accepted"),
    }
}

fn utc() -> Zone {
    Zone::utc()
}

on_both_backends!(
    check_ins_are_written_read_and_deleted_by_their_writer_only,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token) = member(app, "River").await;
        let (lake, lakes) = member(app, "Lake").await;
        let (r, river_token) = (&river, token.clone());
        let t = river_token.as_str();
        let add = |input: CheckinInput| async move {
            journal::add_checkin(app, r, t, &input, &utc(), now()).await
        };
        let first = add(checkin("2026-05-01", "2", "a hard day"))
            .await
            .expect("add");
        let second = add(checkin("2026-05-20", "4", "better"))
            .await
            .expect("add");
        let third = add(checkin("2026-06-01", "5", "today")).await.expect("add");

        let list = journal::checkins(app, &river, &river_token, None, None)
            .await
            .expect("list");
        let ids: Vec<&CheckinId> = list.iter().map(|c| &c.id).collect();
        assert_eq!(ids, [&third, &second, &first], "newest first");
        let opened = list[2].content.as_ref().expect("opens");
        assert_eq!(opened.note, "a hard day");
        assert_eq!(opened.mood.level(), 2);
        assert_eq!(opened.sleep.map(|s| s.hours_text()), Some("6.5".to_owned()));
        assert_eq!(opened.symptoms, ["brain zaps", "tinnitus"]);

        let may = journal::checkins(
            app,
            &river,
            &river_token,
            Some(jiff::civil::date(2026, 5, 1)),
            Some(jiff::civil::date(2026, 5, 31)),
        )
        .await
        .expect("range");
        assert_eq!(may.len(), 2);

        // Bad input: every field told, nothing written.
        let bad = checkin("2026-06-02", "9", &"n".repeat(4001));
        assert_eq!(
            codes(journal::add_checkin(app, &river, &river_token, &bad, &utc(), now()).await),
            [
                ("day", "in_future"),
                ("mood", "out_of_range"),
                ("note", "too_long")
            ]
        );
        // Today is the member's: 2 June has begun in Auckland.
        let auckland = Zone::parse("Pacific/Auckland").expect("zone");
        let late: jiff::Timestamp = "2026-06-01T20:00:00Z".parse().expect("time");
        journal::add_checkin(
            app,
            &river,
            &river_token,
            &checkin("2026-06-02", "3", "from Auckland"),
            &auckland,
            late,
        )
        .await
        .expect("not in their future");
        let before_1900 = checkin("1899-12-31", "3", "");
        assert_eq!(
            codes(
                journal::add_checkin(app, &river, &river_token, &before_1900, &utc(), now()).await
            ),
            [("day", "too_early")]
        );
        assert_eq!(
            journal::checkins(app, &river, &river_token, None, None)
                .await
                .expect("list")
                .len(),
            4
        );

        journal::edit_checkin(
            app,
            &river,
            &river_token,
            &first,
            &checkin("2026-05-02", "3", "edited"),
            &utc(),
            now(),
        )
        .await
        .expect("edit");
        let edited = journal::checkin(app, &river, &river_token, &first)
            .await
            .expect("one");
        assert_eq!(edited.day, jiff::civil::date(2026, 5, 2));
        assert_eq!(edited.content.expect("opens").note, "edited");

        // Lake, with an open journal of her own, gets nothing of River's.
        assert!(matches!(
            journal::checkin(app, &lake, &lakes, &first).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::edit_checkin(
                app,
                &lake,
                &lakes,
                &first,
                &checkin("2026-05-02", "1", "x"),
                &utc(),
                now()
            )
            .await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::delete_checkin(app, &lake, &lakes, &first).await,
            Err(AppError::NotFound)
        ));
        assert!(
            journal::checkins(app, &lake, &lakes, None, None)
                .await
                .expect("hers")
                .is_empty()
        );

        journal::delete_checkin(app, &river, &river_token, &first)
            .await
            .expect("delete");
        assert!(matches!(
            journal::checkin(app, &river, &river_token, &first).await,
            Err(AppError::NotFound)
        ));
    }
);

on_both_backends!(
    a_taper_log_shows_each_dose_changes_step_and_nothing_more,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token) = member(app, "River").await;
        let (lake, lakes) = member(app, "Lake").await;
        let t = token.as_str();
        assert_eq!(
            codes(journal::add_medicine(app, &river, t, " ", now()).await),
            [("name", "required")]
        );
        let medicine = journal::add_medicine(app, &river, t, "sertraline", now())
            .await
            .expect("medicine");
        let (r, m) = (&river, &medicine);
        let add = |input: DoseInput| async move {
            journal::add_dose(app, r, t, m, &input, &utc(), now()).await
        };
        add(dose("2026-03-01", "40", "mg")).await.expect("dose");
        add(dose("2026-04-01", "36", "mg")).await.expect("dose");
        let liquid = add(dose("2026-05-01", "5", "ml")).await.expect("dose");
        add(dose("2026-05-15", "4.5", "ml")).await.expect("dose");
        // Out of order in writing, in order in reading.
        add(dose("2026-03-15", "40", "mg")).await.expect("dose");

        let steps = |doses: Vec<journal::DoseEntry>| -> Vec<(String, Option<String>)> {
            doses
                .into_iter()
                .map(|d| {
                    let c = d.content.expect("opens");
                    (
                        format!("{} {}", c.amount, c.unit.as_str()),
                        d.step.map(|s| s.to_string()),
                    )
                })
                .collect()
        };
        let listed = journal::doses(app, &river, t, &medicine)
            .await
            .expect("doses");
        assert_eq!(
            steps(listed),
            [
                ("40 mg".to_owned(), None),
                ("40 mg".to_owned(), Some("0%".to_owned())),
                ("36 mg".to_owned(), Some("-10%".to_owned())),
                ("5 ml".to_owned(), None),
                ("4.5 ml".to_owned(), Some("-10%".to_owned())),
            ]
        );
        let one = journal::dose(app, &river, t, &liquid).await.expect("one");
        assert_eq!(one.step, None, "the form changed");

        for (amount, code) in [
            ("0", "not_positive"),
            ("-1", "not_positive"),
            ("10000.5", "too_large"),
        ] {
            assert_eq!(
                codes(add(dose("2026-05-20", amount, "mg")).await),
                [("amount", code)],
                "{amount}"
            );
        }
        assert_eq!(
            codes(add(dose("2026-06-02", "4", "mg")).await),
            [("day", "in_future")]
        );
        assert_eq!(
            journal::doses(app, &river, t, &medicine)
                .await
                .expect("doses")
                .len(),
            5
        );

        journal::edit_dose(
            app,
            &river,
            t,
            &liquid,
            &dose("2026-05-01", "4.8", "ml"),
            &utc(),
            now(),
        )
        .await
        .expect("edit");
        let listed = journal::doses(app, &river, t, &medicine)
            .await
            .expect("doses");
        assert_eq!(
            listed[4].step.map(|s| s.to_string()),
            Some("-6.3%".to_owned())
        );
        journal::rename_medicine(app, &river, t, &medicine, "Zoloft")
            .await
            .expect("rename");
        let named = journal::medicine(app, &river, t, &medicine)
            .await
            .expect("one");
        assert_eq!(named.name.expect("opens").as_str(), "Zoloft");

        // Lake's session and journal reach nothing of River's.
        let l = lakes.as_str();
        let lake_add = journal::add_dose(
            app,
            &lake,
            l,
            &medicine,
            &dose("2026-05-01", "1", "mg"),
            &utc(),
            now(),
        )
        .await;
        assert!(matches!(lake_add, Err(AppError::NotFound)), "{lake_add:?}");
        assert!(matches!(
            journal::doses(app, &lake, l, &medicine).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::dose(app, &lake, l, &liquid).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::edit_dose(
                app,
                &lake,
                l,
                &liquid,
                &dose("2026-05-01", "1", "mg"),
                &utc(),
                now()
            )
            .await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::delete_dose(app, &lake, l, &liquid).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::rename_medicine(app, &lake, l, &medicine, "x").await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::delete_medicine(app, &lake, l, &medicine).await,
            Err(AppError::NotFound)
        ));
        assert!(
            journal::medicines(app, &lake, l)
                .await
                .expect("hers")
                .is_empty()
        );
        let unknown = MedicineId::random();
        assert!(matches!(
            journal::doses(app, &river, t, &unknown).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            journal::dose(app, &river, t, &DoseId::random()).await,
            Err(AppError::NotFound)
        ));

        journal::delete_dose(app, &river, t, &liquid)
            .await
            .expect("delete");
        assert_eq!(
            journal::doses(app, &river, t, &medicine)
                .await
                .expect("doses")
                .len(),
            4
        );
        journal::delete_medicine(app, &river, t, &medicine)
            .await
            .expect("delete");
        assert!(
            journal::medicines(app, &river, t)
                .await
                .expect("none")
                .is_empty()
        );
        assert!(store.all_doses(river.id).await.expect("rows").is_empty());
    }
);

on_both_backends!(
    an_export_is_taken_into_another_members_empty_journal_and_nothing_else_is,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token) = member(app, "River").await;
        let t = token.as_str();
        journal::add_checkin(
            app,
            &river,
            t,
            &checkin("2026-05-01", "2", "older"),
            &utc(),
            now(),
        )
        .await
        .expect("add");
        journal::add_checkin(
            app,
            &river,
            t,
            &checkin("2026-05-02", "4", "newer"),
            &utc(),
            now(),
        )
        .await
        .expect("add");
        let medicine = journal::add_medicine(app, &river, t, "venlafaxine", now())
            .await
            .expect("medicine");
        for (day, amount) in [("2026-04-01", "75"), ("2026-05-01", "37.5")] {
            journal::add_dose(
                app,
                &river,
                t,
                &medicine,
                &dose(day, amount, "beads"),
                &utc(),
                now(),
            )
            .await
            .expect("dose");
        }
        let export = journal::export(app, &river, t, now())
            .await
            .expect("export");
        let bytes = serde_json::to_vec(&export).expect("json");
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(value["kith_journal"], 1);
        assert_eq!(value["checkins"][0]["note"], "newer");
        assert_eq!(value["checkins"][0]["hours_slept"], "6.5");
        assert_eq!(value["medicines"][0]["name"], "venlafaxine");
        assert_eq!(value["medicines"][0]["doses"][1]["amount"], "37.5");
        assert_eq!(value["could_not_open"]["checkins"], 0);

        let (lake, lakes) = member(app, "Lake").await;
        let l = lakes.as_str();
        let who = &lake;
        let import =
            |file: Vec<u8>| async move { journal::import(app, who, l, &file, &utc(), now()).await };
        for (file, code) in [
            (b"not json".to_vec(), "not_a_journal"),
            (br#"{"checkins": []}"#.to_vec(), "not_a_journal"),
            (br#"{"kith_journal": 2}"#.to_vec(), "unsupported_version"),
            (br#"{"kith_journal": 1, "checkins": {"day": 1}}"#.to_vec(), "malformed"),
            (
                br#"{"kith_journal": 1, "checkins": [{"day": "2026-05-01", "mood": 3}, {"day": "2026-05-02", "mood": 9}]}"#.to_vec(),
                "invalid_entry",
            ),
            (
                br#"{"kith_journal": 1, "medicines": [{"name": "x", "doses": [{"day": "2026-05-01", "amount": "10001", "unit": "mg"}]}]}"#.to_vec(),
                "invalid_entry",
            ),
        ] {
            assert_eq!(codes(import(file).await), [("file", code)], "{code}");
        }
        assert!(
            journal::checkins(app, &lake, l, None, None)
                .await
                .expect("none")
                .is_empty()
        );
        assert!(
            journal::medicines(app, &lake, l)
                .await
                .expect("none")
                .is_empty()
        );

        assert_eq!(import(bytes.clone()).await.expect("imported"), 5);
        let hers = journal::export(app, &lake, l, now()).await.expect("export");
        let mut again = serde_json::to_value(&hers).expect("json");
        let mut original = value.clone();
        for v in [&mut again, &mut original] {
            v["exported_at"] = serde_json::Value::Null;
        }
        assert_eq!(again, original, "the same journal, sealed under Lake's key");
        let doses = journal::doses(
            app,
            &lake,
            l,
            &journal::medicines(app, &lake, l).await.expect("one")[0].id,
        )
        .await
        .expect("doses");
        assert_eq!(
            doses[1].step.map(|s| s.to_string()),
            Some("-50%".to_owned())
        );

        assert_eq!(
            codes(import(bytes.clone()).await),
            [("file", "journal_not_empty")]
        );
        assert_eq!(
            journal::checkins(app, &lake, l, None, None)
                .await
                .expect("two")
                .len(),
            2
        );

        // Without an open journal there is nothing to import into.
        let (sea, seas) = (
            registered(app, "Sea").await,
            String::from("0123456789abcdef0123456789abcdef"),
        );
        assert!(matches!(
            journal::import(app, &sea, &seas, &bytes, &utc(), now()).await,
            Err(AppError::Conflict(Conflict::NoJournal))
        ));
    }
);
