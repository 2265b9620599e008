//! The export as CSV, one file per kind (check-ins, medicines, dose
//! changes), for a spreadsheet. Written from the same opened
//! [`JournalExport`] as the JSON, so both say the same. Every cell that a
//! spreadsheet would take for a formula (it starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) is written with a leading apostrophe:
//! a note such as `=HYPERLINK(…)` stays words when the file is opened.

use std::borrow::Cow;

use super::transfer::{JournalExport, Number};
use crate::{AppError, AppResult};

/// Which of the CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// `day,mood,hours_slept,symptoms,note,written_at`, newest first.
    Checkins,
    /// `medicine,added_at,dose_changes`, in the order added.
    Medicines,
    /// `medicine,day,amount,unit,note,written_at`, by medicine, oldest
    /// first.
    Doses,
}

impl Sheet {
    /// The sheet named by a download's file name stem (`checkins`,
    /// `medicines`, `doses`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "checkins" => Some(Self::Checkins),
            "medicines" => Some(Self::Medicines),
            "doses" => Some(Self::Doses),
            _ => None,
        }
    }

    /// Its name, as in [`Sheet::parse`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Checkins => "checkins",
            Self::Medicines => "medicines",
            Self::Doses => "doses",
        }
    }
}

/// A cell as a spreadsheet will read it as text: with a leading
/// apostrophe when it would start a formula.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn number(n: &Number) -> String {
    match n {
        Number::Number(n) => n.to_string(),
        Number::Text(t) => t.clone(),
    }
}

/// One sheet of the export, as CSV bytes (UTF-8, a header row first).
pub fn sheet(export: &JournalExport, which: Sheet) -> AppResult<Vec<u8>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    match which {
        Sheet::Checkins => {
            rows.push(header(&[
                "day",
                "mood",
                "hours_slept",
                "symptoms",
                "note",
                "written_at",
            ]));
            for c in &export.checkins {
                rows.push(vec![
                    c.day.clone(),
                    number(&c.mood),
                    c.hours_slept.as_ref().map(number).unwrap_or_default(),
                    c.symptoms.join("; "),
                    c.note.clone(),
                    c.written_at.clone().unwrap_or_default(),
                ]);
            }
        }
        Sheet::Medicines => {
            rows.push(header(&["medicine", "added_at", "dose_changes"]));
            for m in &export.medicines {
                rows.push(vec![
                    m.name.clone(),
                    m.added_at.clone().unwrap_or_default(),
                    m.doses.len().to_string(),
                ]);
            }
        }
        Sheet::Doses => {
            rows.push(header(&[
                "medicine",
                "day",
                "amount",
                "unit",
                "note",
                "written_at",
            ]));
            for m in &export.medicines {
                for d in &m.doses {
                    rows.push(vec![
                        m.name.clone(),
                        d.day.clone(),
                        number(&d.amount),
                        d.unit.clone(),
                        d.note.clone(),
                        d.written_at.clone().unwrap_or_default(),
                    ]);
                }
            }
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        writer
            .write_record(row.iter().map(|cell| defuse(cell).into_owned()))
            .map_err(|_| AppError::internal("a CSV row could not be written"))?;
    }
    writer
        .into_inner()
        .map_err(|_| AppError::internal("a CSV file could not be finished"))
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::transfer::{CheckinExport, DoseExport, MedicineExport, Unopened};

    fn export() -> JournalExport {
        JournalExport {
            kith_journal: 1,
            exported_at: None,
            checkins: vec![CheckinExport {
                day: "2026-05-30".to_owned(),
                mood: Number::Number(3.into()),
                hours_slept: Some(Number::Text("6.5".to_owned())),
                symptoms: vec!["@brain zaps".to_owned(), "dizzy".to_owned()],
                note: "=HYPERLINK(\"http://x\",\"y\"), with \"quotes\"\nand a line".to_owned(),
                written_at: Some("2026-05-30T20:00:00Z".to_owned()),
            }],
            medicines: vec![MedicineExport {
                name: "+pill".to_owned(),
                added_at: None,
                doses: vec![DoseExport {
                    day: "2026-05-01".to_owned(),
                    amount: Number::Text("37.5".to_owned()),
                    unit: "mg".to_owned(),
                    note: "-10% today".to_owned(),
                    written_at: None,
                }],
            }],
            could_not_open: Unopened::default(),
        }
    }

    fn read(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.expect("a row").iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn every_cell_that_would_start_a_formula_gets_an_apostrophe() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse(cell), format!("'{cell}"));
        }
        for cell in ["", "1", "a=b", "37.5", "2026-05-30", " =x"] {
            assert_eq!(defuse(cell), cell);
        }
    }

    #[test]
    fn a_checkin_sheet_has_its_header_and_defused_quoted_cells() {
        let bytes = sheet(&export(), Sheet::Checkins).expect("csv");
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(text.starts_with("day,mood,hours_slept,symptoms,note,written_at\n"));
        let rows = read(&bytes);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][0], "2026-05-30");
        assert_eq!(rows[0][1], "3");
        assert_eq!(rows[0][2], "6.5");
        assert_eq!(rows[0][3], "'@brain zaps; dizzy");
        assert_eq!(
            rows[0][4],
            "'=HYPERLINK(\"http://x\",\"y\"), with \"quotes\"\nand a line"
        );
    }

    #[test]
    fn medicine_and_dose_sheets_name_the_medicine_on_each_row() {
        let medicines = read(&sheet(&export(), Sheet::Medicines).expect("csv"));
        assert_eq!(medicines, [["'+pill", "", "1"]]);
        let doses = sheet(&export(), Sheet::Doses).expect("csv");
        assert!(doses.starts_with(b"medicine,day,amount,unit,note,written_at\n"));
        assert_eq!(
            read(&doses),
            [["'+pill", "2026-05-01", "37.5", "mg", "'-10% today", ""]]
        );
    }

    #[test]
    fn sheets_are_named_as_their_downloads() {
        for which in [Sheet::Checkins, Sheet::Medicines, Sheet::Doses] {
            assert_eq!(Sheet::parse(which.name()), Some(which));
        }
        assert_eq!(Sheet::parse("journal"), None);
    }
}
