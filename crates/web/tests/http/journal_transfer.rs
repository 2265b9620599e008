//! The journal leaving and coming back, through the real router on both
//! databases: the export page and its downloads (JSON of everything, a
//! CSV per kind with formulas defused, dated attachments, `no-store`),
//! only from an open journal; the JSON taken into another member's empty
//! journal with the same contents; every import refusal in words with
//! nothing written. Changing the taper log and the recovery code are in
//! `journal_changes.rs`.

use axum::http::StatusCode;
use kith_domain::account::Role;

use crate::journal::{NOTE, add, member_with_journal, no_store};
use crate::support::{Browser, TestResponse};

/// Adds a medicine by name with doses (day, amount); answers its page.
pub(crate) async fn medicine_with_doses(
    browser: &mut Browser,
    name: &str,
    doses: &[(&str, &str)],
) -> String {
    let added = browser.post_form("/journal/taper", &[("name", name)]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = added.header("location").to_owned();
    for (day, amount) in doses {
        let dose = browser
            .post_form(
                &format!("{page}/doses"),
                &[
                    ("day", day),
                    ("amount", amount),
                    ("unit", "mg"),
                    ("note", "-5% from here"),
                ],
            )
            .await;
        assert_eq!(dose.status, StatusCode::SEE_OTHER, "{}", dose.body);
    }
    page
}

/// A download: its answer, checked to be a dated, uncached attachment.
async fn download(browser: &mut Browser, file: &str, stem: &str, kind: &str) -> TestResponse {
    let got = browser.get(&format!("/journal/export/{file}")).await;
    assert_eq!(got.status, StatusCode::OK, "{file}: {}", got.body);
    no_store(&got);
    let disposition = got.header("content-disposition");
    let name = disposition
        .strip_prefix("attachment; filename=\"")
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{disposition}"));
    assert_eq!(name, format!("kith-{stem}-2026-06-01.{kind}"));
    got
}

/// The export as JSON, without the moment it was made.
async fn exported(browser: &mut Browser) -> serde_json::Value {
    let got = download(browser, "journal.json", "journal", "json").await;
    assert!(got.header("content-type").starts_with("application/json"));
    let mut json = got.json();
    json.as_object_mut().expect("object").remove("exported_at");
    json
}

fn rows(csv_text: &str) -> Vec<Vec<String>> {
    let text = csv_text
        .strip_prefix('\u{feff}')
        .expect("a byte order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a row").iter().map(str::to_owned).collect())
        .collect()
}

async fn import(browser: &mut Browser, bytes: &[u8]) -> TestResponse {
    browser.get("/journal/import").await;
    browser
        .post_multipart("/journal/import", &[], Some(("journal.json", bytes)))
        .await
}

kith_store::on_both_backends!(
    an_export_comes_back_whole_into_another_members_empty_journal,
    |store| async move {
        let app = crate::support::TestApp::on(store);
        let (_, mut river) = member_with_journal(&app, "River").await;
        add(&mut river, NOTE).await;
        medicine_with_doses(
            &mut river,
            "CANARY-sertraline",
            &[("2026-04-01", "50"), ("2026-05-01", "37.5")],
        )
        .await;

        let page = river.get("/journal").await;
        assert!(page.body.contains("href=\"/journal/export\""));
        let page = river.get("/journal/export").await;
        assert_eq!(page.status, StatusCode::OK);
        no_store(&page);
        assert!(page.body.contains("These files are not encrypted."));
        assert!(
            page.body
                .contains("check-ins, 1; medicines, 1; dose changes, 2."),
            "{}",
            page.body
        );
        for file in ["journal.json", "checkins.csv", "medicines.csv", "doses.csv"] {
            assert!(
                page.body
                    .contains(&format!("href=\"/journal/export/{file}\"")),
                "{file}"
            );
        }
        assert!(!page.body.contains("could not be opened"));

        let original = exported(&mut river).await;
        assert_eq!(original["kith_journal"], 1);
        assert_eq!(original["checkins"][0]["note"], NOTE);
        assert_eq!(original["medicines"][0]["doses"][1]["amount"], "37.5");

        let (_, mut lake) = member_with_journal(&app, "Lake").await;
        let form = lake.get("/journal/import").await;
        assert_eq!(form.status, StatusCode::OK);
        no_store(&form);
        assert!(form.body.contains("enctype=\"multipart/form-data\""));
        assert!(!form.body.contains("already has entries"));
        let file = serde_json::to_vec(&original).expect("json");
        let taken = import(&mut lake, &file).await;
        assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
        assert_eq!(taken.header("location"), "/journal/import?taken=4");
        let done = lake.get("/journal/import?taken=4").await;
        assert!(
            done.body.contains("entries taken from the file: 4"),
            "{}",
            done.body
        );
        assert!(done.body.contains("already has entries"));

        assert_eq!(exported(&mut lake).await, original, "the same contents");
        assert!(lake.get("/journal").await.body.contains(NOTE));
        // River's journal is as it was.
        assert_eq!(exported(&mut river).await, original);
    }
);

kith_store::on_both_backends!(
    csv_files_have_headers_and_read_formulas_as_words,
    |store| async move {
        let app = crate::support::TestApp::on(store);
        let (_, mut river) = member_with_journal(&app, "River").await;
        add(
            &mut river,
            "=HYPERLINK(\"http://evil.test\",\"click\"), a note, \"quoted\"",
        )
        .await;
        medicine_with_doses(&mut river, "+plus pill", &[("2026-05-01", "10")]).await;

        let checkins = download(&mut river, "checkins.csv", "checkins", "csv").await;
        assert_eq!(checkins.header("content-type"), "text/csv; charset=utf-8");
        let table = rows(&checkins.body);
        assert_eq!(
            table[0],
            [
                "day",
                "mood",
                "hours_slept",
                "symptoms",
                "note",
                "written_at"
            ]
        );
        assert_eq!(table.len(), 2);
        assert_eq!(table[1][0], "2026-05-30");
        assert_eq!(table[1][1], "2");
        assert_eq!(table[1][2], "6.5");
        assert_eq!(
            table[1][4],
            "'=HYPERLINK(\"http://evil.test\",\"click\"), a note, \"quoted\""
        );

        let medicines = rows(
            &download(&mut river, "medicines.csv", "medicines", "csv")
                .await
                .body,
        );
        assert_eq!(medicines[0], ["medicine", "added_at", "dose_changes"]);
        assert_eq!(medicines[1][0], "'+plus pill");
        assert_eq!(medicines[1][2], "1");

        let doses = rows(&download(&mut river, "doses.csv", "doses", "csv").await.body);
        assert_eq!(
            doses[0],
            ["medicine", "day", "amount", "unit", "note", "written_at"]
        );
        assert_eq!(
            &doses[1][..5],
            ["'+plus pill", "2026-05-01", "10", "mg", "'-5% from here"]
        );

        for unknown in ["journal.csv", "checkins.json", "notes.csv", "checkins"] {
            let got = river.get(&format!("/journal/export/{unknown}")).await;
            assert_eq!(got.status, StatusCode::NOT_FOUND, "{unknown}");
        }
    }
);

kith_store::on_both_backends!(
    a_locked_or_missing_journal_gives_no_data_only_the_way_to_open_it,
    |store| async move {
        let app = crate::support::TestApp::on(store);
        let (_, mut river) = member_with_journal(&app, "River").await;
        add(&mut river, NOTE).await;
        river.post_form("/journal/lock", &[]).await;
        let newcomer = app.account("Newcomer", Role::Member).await;
        let mut newcomer = app.browser_as(&newcomer).await;
        for browser in [&mut river, &mut newcomer] {
            for path in [
                "/journal/export",
                "/journal/export/journal.json",
                "/journal/export/checkins.csv",
                "/journal/export/medicines.csv",
                "/journal/export/doses.csv",
                "/journal/import",
                "/journal/recovery-code",
            ] {
                let got = browser.get(path).await;
                assert_eq!(got.status, StatusCode::SEE_OTHER, "{path}");
                assert_eq!(got.header("location"), "/journal", "{path}");
                assert!(got.header("content-disposition").is_empty());
                assert!(!got.body.contains("CANARY"), "{path}");
            }
        }
        // Nor does an import write into a locked journal.
        let file = br#"{"kith_journal": 1, "checkins": [{"day": "2026-05-01", "mood": 3}]}"#;
        let refused = import(&mut river, file).await;
        assert_eq!(refused.header("location"), "/journal");
        river
            .post_form("/journal/unlock", &[("password", crate::support::PASSWORD)])
            .await;
        let json = exported(&mut river).await;
        assert_eq!(json["checkins"].as_array().map(Vec::len), Some(1));
    }
);

kith_store::on_both_backends!(
    each_import_refusal_is_said_on_the_file_and_writes_nothing,
    |store| async move {
        let app = crate::support::TestApp::on(store);
        let (_, mut lake) = member_with_journal(&app, "Lake").await;
        let too_large = vec![b' '; 16 * 1024 * 1024 + 1];
        let cases: Vec<(&[u8], &str)> = vec![
            (b"a letter, not a journal", "This file is not a kith journal."),
            (br#"{"kith_journal": 2}"#, "comes from a version of kith this site cannot read"),
            (br#"{"kith_journal": 1, "checkins": "many"}"#, "damaged or was changed by hand"),
            (
                br#"{"kith_journal": 1, "checkins": [{"day": "2026-05-01", "mood": 9}]}"#,
                "breaks the journal",
            ),
            (
                br#"{"kith_journal": 1, "medicines": [{"name": "x", "doses": [{"day": "2026-05-01", "amount": "20000", "unit": "mg"}]}]}"#,
                "breaks the journal",
            ),
            (&too_large, "This file is too large to be a journal."),
            (b"", "Choose the journal file to bring in."),
        ];
        for (file, words) in cases {
            let refused = import(&mut lake, file).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{words}");
            no_store(&refused);
            assert!(refused.body.contains(words), "{words}: {}", refused.body);
            assert!(refused.body.contains("href=\"#f-file\""), "{words}");
            assert!(refused.body.contains("aria-invalid=\"true\""), "{words}");
        }
        let json = exported(&mut lake).await;
        assert_eq!(json["checkins"], serde_json::json!([]), "nothing written");
        assert_eq!(json["medicines"], serde_json::json!([]));

        add(&mut lake, "already here").await;
        let file = br#"{"kith_journal": 1, "checkins": [{"day": "2026-05-01", "mood": 3}]}"#;
        let refused = import(&mut lake, file).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains(
            "Your journal already has entries. A file is brought only into an empty journal."
        ));
        let json = exported(&mut lake).await;
        assert_eq!(json["checkins"].as_array().map(Vec::len), Some(1));
    }
);

kith_store::on_both_backends!(
    an_entry_that_could_not_be_opened_is_left_out_and_counted,
    |store| async move {
        let app = crate::support::TestApp::on(store);
        let (river, mut browser) = member_with_journal(&app, "River").await;
        add(&mut browser, NOTE).await;
        add(&mut browser, "a second day").await;
        // One byte of one seal flipped, as a damaged backup might.
        let store = &app.db.store;
        let stored = store.checkins(river.id, None, None).await.expect("rows");
        let mut flipped = stored[0].sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        store
            .update_checkin(
                river.id,
                &stored[0].id,
                stored[0].day,
                &flipped,
                crate::support::now(),
            )
            .await
            .expect("tamper");

        let page = browser.get("/journal/export").await;
        assert!(
            page.body.contains("left out of the files: 1."),
            "{}",
            page.body
        );
        let json = exported(&mut browser).await;
        assert_eq!(json["checkins"].as_array().map(Vec::len), Some(1));
        assert_eq!(json["could_not_open"]["checkins"], 1);
        let csv = download(&mut browser, "checkins.csv", "checkins", "csv").await;
        assert_eq!(
            rows(&csv.body).len(),
            2,
            "the header and the one that opens"
        );
    }
);
