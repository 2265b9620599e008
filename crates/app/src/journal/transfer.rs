//! A journal as one JSON document, to keep or to move to another kith
//! site: `{"kith_journal": 1, "checkins": […], "medicines": [{…, "doses":
//! […]}]}`, opened (plain text: it is the member's own download). An
//! import takes such a document into an empty journal, checks every entry
//! by the same rules as a form, seals each under this journal's key with
//! a fresh id, and writes all of it in one transaction or nothing.

use jiff::Timestamp;
use jiff::civil::Date;
use kith_domain::ids::{CheckinId, DoseId, MedicineId};
use kith_domain::journal::{CheckinInput, DoseInput, MedicineName, today};
use kith_domain::validation::FieldError;
use kith_domain::zone::Zone;
use kith_store::journal::{JournalEntries, SealedCheckin, SealedDose, SealedMedicine};
use serde::{Deserialize, Serialize};

use super::entries::{MedicineSealed, open_doses, seal_json};
use super::keys::{DataKey, Entry};
use super::open_key;
use crate::access::Person;
use crate::{App, AppError, AppResult};

/// The version this kith writes and reads (`"kith_journal": 1`).
pub const FORMAT_VERSION: u64 = 1;
/// The most entries (check-ins, medicines and doses together) one import
/// takes: decades of daily check-ins, far below what would strain a
/// transaction.
pub const IMPORT_MAX_ENTRIES: usize = 100_000;

/// A journal export. No `Debug`: it holds everything the member wrote.
#[derive(Serialize, Deserialize)]
pub struct JournalExport {
    /// [`FORMAT_VERSION`].
    pub kith_journal: u64,
    /// When it was made, RFC 3339.
    #[serde(default)]
    pub exported_at: Option<String>,
    /// The check-ins, newest first.
    #[serde(default)]
    pub checkins: Vec<CheckinExport>,
    /// The medicines, each with its dose changes.
    #[serde(default)]
    pub medicines: Vec<MedicineExport>,
    /// How many entries could not be opened and are not in the file.
    #[serde(default)]
    pub could_not_open: Unopened,
}

/// How many entries of each kind an export left out, unopened.
#[derive(Serialize, Deserialize, Default)]
pub struct Unopened {
    /// Check-ins.
    pub checkins: usize,
    /// Medicines (their doses are counted under `doses`).
    pub medicines: usize,
    /// Dose changes.
    pub doses: usize,
}

/// A number, or a number written as text (as the export writes amounts,
/// so `37.5` stays exactly that).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    /// A JSON number.
    Number(serde_json::Number),
    /// Text.
    Text(String),
}

impl Number {
    fn text(&self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

/// One check-in in an export.
#[derive(Serialize, Deserialize)]
pub struct CheckinExport {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// 1–5.
    pub mood: Number,
    /// Hours, in halves.
    #[serde(default)]
    pub hours_slept: Option<Number>,
    /// Symptom tags.
    #[serde(default)]
    pub symptoms: Vec<String>,
    /// The note.
    #[serde(default)]
    pub note: String,
    /// When it was written, RFC 3339.
    #[serde(default)]
    pub written_at: Option<String>,
}

/// One medicine in an export.
#[derive(Serialize, Deserialize)]
pub struct MedicineExport {
    /// The member's name for it.
    pub name: String,
    /// When it was added, RFC 3339.
    #[serde(default)]
    pub added_at: Option<String>,
    /// Its dose changes, oldest first.
    #[serde(default)]
    pub doses: Vec<DoseExport>,
}

/// One dose change in an export.
#[derive(Serialize, Deserialize)]
pub struct DoseExport {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The amount, as text (`"37.5"`).
    pub amount: Number,
    /// The unit.
    pub unit: String,
    /// The note.
    #[serde(default)]
    pub note: String,
    /// When it was written, RFC 3339.
    #[serde(default)]
    pub written_at: Option<String>,
}

/// The person's whole journal, opened, as one document.
pub async fn export(
    app: &App,
    person: &Person,
    session_token: &str,
    now: Timestamp,
) -> AppResult<JournalExport> {
    let key = open_key(app, person, session_token).await?;
    let mut unopened = Unopened::default();
    let mut checkins = Vec::new();
    for entry in super::checkins(app, person, session_token, None, None).await? {
        let Ok(content) = entry.content else {
            unopened.checkins += 1;
            continue;
        };
        checkins.push(CheckinExport {
            day: entry.day.to_string(),
            mood: Number::Number(content.mood.level().into()),
            hours_slept: content.sleep.map(|s| Number::Text(s.hours_text())),
            symptoms: content.symptoms,
            note: content.note,
            written_at: Some(entry.written_at.to_string()),
        });
    }
    let store = app.store();
    let mut all_doses = store.all_doses(person.id).await?;
    let mut medicines = Vec::new();
    for medicine in super::medicines(app, person, session_token).await? {
        let (own, rest): (Vec<_>, Vec<_>) = all_doses
            .into_iter()
            .partition(|d| d.medicine == medicine.id);
        all_doses = rest;
        let Ok(name) = medicine.name else {
            unopened.medicines += 1;
            unopened.doses += own.len();
            continue;
        };
        let mut doses = Vec::new();
        for dose in open_doses(&key, person, own) {
            let Ok(content) = dose.content else {
                unopened.doses += 1;
                continue;
            };
            doses.push(DoseExport {
                day: dose.day.to_string(),
                amount: Number::Text(content.amount.to_string()),
                unit: content.unit.as_str().to_owned(),
                note: content.note,
                written_at: Some(dose.written_at.to_string()),
            });
        }
        medicines.push(MedicineExport {
            name: name.as_str().to_owned(),
            added_at: Some(medicine.added_at.to_string()),
            doses,
        });
    }
    Ok(JournalExport {
        kith_journal: FORMAT_VERSION,
        exported_at: Some(now.to_string()),
        checkins,
        medicines,
        could_not_open: unopened,
    })
}

fn refuse(code: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new("file", code)])
}

/// A time written in a file, if it reads and is not after `now`; else
/// `now`.
fn written(at: Option<&str>, now: Timestamp) -> Timestamp {
    at.and_then(|t| t.parse::<Timestamp>().ok())
        .filter(|t| *t <= now)
        .unwrap_or(now)
}

/// Takes an export (the file's bytes) into the person's journal, which
/// must be open and empty. Refusals are on the field `file`: `not_a_journal`
/// (not JSON, or no `kith_journal`), `unsupported_version`, `malformed`
/// (the right version, the wrong shape), `invalid_entry` (an entry breaks
/// the journal's rules: a mood of 9, a dose above 10,000, a day in the
/// future…), `too_large`, `journal_not_empty`. Nothing is written unless
/// all of it is. Answers how many entries were taken.
pub async fn import(
    app: &App,
    person: &Person,
    session_token: &str,
    file: &[u8],
    zone: &Zone,
    now: Timestamp,
) -> AppResult<usize> {
    let key = open_key(app, person, session_token).await?;
    let value: serde_json::Value =
        serde_json::from_slice(file).map_err(|_| refuse("not_a_journal"))?;
    let version = value
        .get("kith_journal")
        .ok_or_else(|| refuse("not_a_journal"))?;
    if version.as_u64() != Some(FORMAT_VERSION) {
        return Err(refuse("unsupported_version"));
    }
    let file: JournalExport = serde_json::from_value(value).map_err(|_| refuse("malformed"))?;
    let count = file.checkins.len()
        + file
            .medicines
            .iter()
            .map(|m| 1 + m.doses.len())
            .sum::<usize>();
    if count > IMPORT_MAX_ENTRIES {
        return Err(refuse("too_large"));
    }
    let entries = sealed_entries(&key, person, &file, today(now, zone), now)?;
    match app.store().import_journal(person.id, &entries).await? {
        Ok(()) => Ok(count),
        Err(kith_store::journal::NotEmpty) => Err(refuse("journal_not_empty")),
    }
}

/// Every entry of `file`, checked and sealed with a fresh id.
fn sealed_entries(
    key: &DataKey,
    person: &Person,
    file: &JournalExport,
    today: Date,
    now: Timestamp,
) -> AppResult<JournalEntries> {
    let mut entries = JournalEntries::default();
    for checkin in &file.checkins {
        let parsed = CheckinInput {
            day: checkin.day.clone(),
            mood: checkin.mood.text(),
            hours_slept: checkin
                .hours_slept
                .as_ref()
                .map(Number::text)
                .unwrap_or_default(),
            symptoms: checkin.symptoms.clone(),
            note: checkin.note.clone(),
        }
        .parse(today)
        .map_err(|_| refuse("invalid_entry"))?;
        let id = CheckinId::random();
        let at = written(checkin.written_at.as_deref(), now);
        entries.checkins.push(SealedCheckin {
            sealed: seal_json(
                key,
                person,
                Entry::Checkin(&id, parsed.day),
                &parsed.content,
            )?,
            id,
            day: parsed.day,
            created_at: at,
            updated_at: at,
        });
    }
    for medicine in &file.medicines {
        let name = MedicineName::parse(&medicine.name).map_err(|_| refuse("invalid_entry"))?;
        let id = MedicineId::random();
        entries.medicines.push(SealedMedicine {
            sealed: seal_json(key, person, Entry::Medicine(&id), &MedicineSealed { name })?,
            id: id.clone(),
            created_at: written(medicine.added_at.as_deref(), now),
        });
        for dose in &medicine.doses {
            let parsed = DoseInput {
                day: dose.day.clone(),
                amount: dose.amount.text(),
                unit: dose.unit.clone(),
                note: dose.note.clone(),
            }
            .parse(today)
            .map_err(|_| refuse("invalid_entry"))?;
            let dose_id = DoseId::random();
            entries.doses.push(SealedDose {
                sealed: seal_json(
                    key,
                    person,
                    Entry::Dose(&dose_id, &id, parsed.day),
                    &parsed.content,
                )?,
                id: dose_id,
                medicine: id.clone(),
                day: parsed.day,
                created_at: written(dose.written_at.as_deref(), now),
            });
        }
    }
    Ok(entries)
}
