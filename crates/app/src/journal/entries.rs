//! Check-ins, medicines and dose changes: each checked by the domain's
//! rules, sealed under the journal's key with its place bound in
//! (`keys::entry_aad`), and opened one by one when read — an entry that
//! does not open is told as such beside the others, never read as
//! something else. Another person's ids answer `NotFound`, as none.

use jiff::Timestamp;
use jiff::civil::Date;
use kith_domain::ids::{CheckinId, DoseId, MedicineId};
use kith_domain::journal::{
    CheckinContent, CheckinInput, DoseContent, DoseInput, MedicineName, Step, step, today,
};
use kith_domain::zone::Zone;
use kith_store::journal::{SealedCheckin, SealedDose, SealedMedicine};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::{self, CouldNotOpen, DataKey, Entry};
use super::open_key;
use crate::access::Person;
use crate::{App, AppError, AppResult};

/// A check-in as its writer reads it. No `Debug`: it holds what they
/// wrote.
pub struct CheckinEntry {
    /// Its id.
    pub id: CheckinId,
    /// The day it is about.
    pub day: Date,
    /// When it was written.
    pub written_at: Timestamp,
    /// When it was last changed.
    pub changed_at: Timestamp,
    /// What it says, or that it could not be opened.
    pub content: Result<CheckinContent, CouldNotOpen>,
}

/// A medicine as its writer reads it.
pub struct MedicineEntry {
    /// Its id.
    pub id: MedicineId,
    /// When it was added.
    pub added_at: Timestamp,
    /// Its name, or that it could not be opened.
    pub name: Result<MedicineName, CouldNotOpen>,
}

/// A dose change as its writer reads it.
pub struct DoseEntry {
    /// Its id.
    pub id: DoseId,
    /// The medicine it is a dose of.
    pub medicine: MedicineId,
    /// The day it began.
    pub day: Date,
    /// When it was written.
    pub written_at: Timestamp,
    /// Amount, unit and note, or that it could not be opened.
    pub content: Result<DoseContent, CouldNotOpen>,
    /// The change from the dose before it, as a percentage of that one;
    /// `None` for the first, after another unit, or beside one that could
    /// not be opened.
    pub step: Option<Step>,
}

/// What a medicine's seal holds.
#[derive(Serialize, Deserialize)]
pub(super) struct MedicineSealed {
    pub(super) name: MedicineName,
}

pub(super) fn seal_json<T: Serialize>(
    key: &DataKey,
    person: &Person,
    entry: Entry<'_>,
    value: &T,
) -> AppResult<Vec<u8>> {
    let json = Zeroizing::new(
        serde_json::to_vec(value)
            .map_err(|_| AppError::internal("a journal entry did not serialize"))?,
    );
    keys::seal(key, &keys::entry_aad(person.id, entry), &json)
        .map_err(|_| AppError::internal("a journal entry could not be sealed"))
}

fn open_json<T: DeserializeOwned>(
    key: &DataKey,
    person: &Person,
    entry: Entry<'_>,
    sealed: &[u8],
) -> Result<T, CouldNotOpen> {
    let json = keys::open(key, &keys::entry_aad(person.id, entry), sealed)?;
    serde_json::from_slice(&json).map_err(|_| CouldNotOpen)
}

pub(super) fn open_checkin(key: &DataKey, person: &Person, row: SealedCheckin) -> CheckinEntry {
    let content = open_json(key, person, Entry::Checkin(&row.id, row.day), &row.sealed);
    CheckinEntry {
        id: row.id,
        day: row.day,
        written_at: row.created_at,
        changed_at: row.updated_at,
        content,
    }
}

pub(super) fn open_medicine(key: &DataKey, person: &Person, row: SealedMedicine) -> MedicineEntry {
    let name = open_json::<MedicineSealed>(key, person, Entry::Medicine(&row.id), &row.sealed)
        .map(|sealed| sealed.name);
    MedicineEntry {
        id: row.id,
        added_at: row.created_at,
        name,
    }
}

/// Opens a medicine's doses (in the order taken) and gives each its step.
pub(super) fn open_doses(key: &DataKey, person: &Person, rows: Vec<SealedDose>) -> Vec<DoseEntry> {
    let mut previous: Option<DoseContent> = None;
    rows.into_iter()
        .map(|row| {
            let entry = Entry::Dose(&row.id, &row.medicine, row.day);
            let content: Result<DoseContent, CouldNotOpen> =
                open_json(key, person, entry, &row.sealed);
            let step = match (&previous, &content) {
                (Some(before), Ok(after)) => step(
                    Some((before.amount, &before.unit)),
                    (after.amount, &after.unit),
                ),
                _ => None,
            };
            previous = content.as_ref().ok().cloned();
            DoseEntry {
                id: row.id,
                medicine: row.medicine,
                day: row.day,
                written_at: row.created_at,
                content,
                step,
            }
        })
        .collect()
}

/// Adds a check-in for the day it names (not after today in `zone`);
/// answers its id.
pub async fn add_checkin(
    app: &App,
    person: &Person,
    session_token: &str,
    input: &CheckinInput,
    zone: &Zone,
    now: Timestamp,
) -> AppResult<CheckinId> {
    let key = open_key(app, person, session_token).await?;
    let checkin = input.parse(today(now, zone)).map_err(AppError::Invalid)?;
    let id = CheckinId::random();
    let sealed = seal_json(
        &key,
        person,
        Entry::Checkin(&id, checkin.day),
        &checkin.content,
    )?;
    app.store()
        .add_checkin(person.id, &id, checkin.day, &sealed, now)
        .await?;
    Ok(id)
}

/// Replaces one of the person's check-ins (its day too).
pub async fn edit_checkin(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &CheckinId,
    input: &CheckinInput,
    zone: &Zone,
    now: Timestamp,
) -> AppResult<()> {
    let key = open_key(app, person, session_token).await?;
    let checkin = input.parse(today(now, zone)).map_err(AppError::Invalid)?;
    let sealed = seal_json(
        &key,
        person,
        Entry::Checkin(id, checkin.day),
        &checkin.content,
    )?;
    Ok(app
        .store()
        .update_checkin(person.id, id, checkin.day, &sealed, now)
        .await?)
}

/// Deletes one of the person's check-ins, even one that could not be
/// opened.
pub async fn delete_checkin(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &CheckinId,
) -> AppResult<()> {
    open_key(app, person, session_token).await?;
    Ok(app.store().delete_checkin(person.id, id).await?)
}

/// One of the person's check-ins.
pub async fn checkin(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &CheckinId,
) -> AppResult<CheckinEntry> {
    let key = open_key(app, person, session_token).await?;
    let row = app.store().checkin(person.id, id).await?;
    Ok(open_checkin(&key, person, row))
}

/// The person's check-ins from `from` to `to` (both included; either
/// open), newest day first.
pub async fn checkins(
    app: &App,
    person: &Person,
    session_token: &str,
    from: Option<Date>,
    to: Option<Date>,
) -> AppResult<Vec<CheckinEntry>> {
    let key = open_key(app, person, session_token).await?;
    let rows = app.store().checkins(person.id, from, to).await?;
    Ok(rows
        .into_iter()
        .map(|row| open_checkin(&key, person, row))
        .collect())
}

/// Adds a medicine by the person's own name for it; answers its id.
pub async fn add_medicine(
    app: &App,
    person: &Person,
    session_token: &str,
    name: &str,
    now: Timestamp,
) -> AppResult<MedicineId> {
    let key = open_key(app, person, session_token).await?;
    let name = MedicineName::parse(name).map_err(|e| AppError::Invalid(vec![e]))?;
    let id = MedicineId::random();
    let sealed = seal_json(&key, person, Entry::Medicine(&id), &MedicineSealed { name })?;
    app.store()
        .add_medicine(person.id, &id, &sealed, now)
        .await?;
    Ok(id)
}

/// Renames one of the person's medicines.
pub async fn rename_medicine(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &MedicineId,
    name: &str,
) -> AppResult<()> {
    let key = open_key(app, person, session_token).await?;
    let name = MedicineName::parse(name).map_err(|e| AppError::Invalid(vec![e]))?;
    let sealed = seal_json(&key, person, Entry::Medicine(id), &MedicineSealed { name })?;
    Ok(app.store().rename_medicine(person.id, id, &sealed).await?)
}

/// Deletes one of the person's medicines with all its dose changes.
pub async fn delete_medicine(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &MedicineId,
) -> AppResult<()> {
    open_key(app, person, session_token).await?;
    Ok(app.store().delete_medicine(person.id, id).await?)
}

/// One of the person's medicines.
pub async fn medicine(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &MedicineId,
) -> AppResult<MedicineEntry> {
    let key = open_key(app, person, session_token).await?;
    let row = app.store().medicine(person.id, id).await?;
    Ok(open_medicine(&key, person, row))
}

/// The person's medicines, in the order added.
pub async fn medicines(
    app: &App,
    person: &Person,
    session_token: &str,
) -> AppResult<Vec<MedicineEntry>> {
    let key = open_key(app, person, session_token).await?;
    let rows = app.store().medicines(person.id).await?;
    Ok(rows
        .into_iter()
        .map(|row| open_medicine(&key, person, row))
        .collect())
}

/// Adds a dose change to one of the person's medicines; answers its id.
pub async fn add_dose(
    app: &App,
    person: &Person,
    session_token: &str,
    medicine: &MedicineId,
    input: &DoseInput,
    zone: &Zone,
    now: Timestamp,
) -> AppResult<DoseId> {
    let key = open_key(app, person, session_token).await?;
    let dose = input.parse(today(now, zone)).map_err(AppError::Invalid)?;
    let id = DoseId::random();
    let sealed = seal_json(
        &key,
        person,
        Entry::Dose(&id, medicine, dose.day),
        &dose.content,
    )?;
    app.store()
        .add_dose(person.id, medicine, &id, dose.day, &sealed, now)
        .await?;
    Ok(id)
}

/// Replaces one of the person's dose changes (its day too).
pub async fn edit_dose(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &DoseId,
    input: &DoseInput,
    zone: &Zone,
    now: Timestamp,
) -> AppResult<()> {
    let key = open_key(app, person, session_token).await?;
    let dose = input.parse(today(now, zone)).map_err(AppError::Invalid)?;
    let store = app.store();
    let medicine = store.dose(person.id, id).await?.medicine;
    let sealed = seal_json(
        &key,
        person,
        Entry::Dose(id, &medicine, dose.day),
        &dose.content,
    )?;
    Ok(store.update_dose(person.id, id, dose.day, &sealed).await?)
}

/// Deletes one of the person's dose changes.
pub async fn delete_dose(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &DoseId,
) -> AppResult<()> {
    open_key(app, person, session_token).await?;
    Ok(app.store().delete_dose(person.id, id).await?)
}

/// One of the person's dose changes, with its step.
pub async fn dose(
    app: &App,
    person: &Person,
    session_token: &str,
    id: &DoseId,
) -> AppResult<DoseEntry> {
    let key = open_key(app, person, session_token).await?;
    let store = app.store();
    let medicine = store.dose(person.id, id).await?.medicine;
    let rows = store.doses(person.id, &medicine).await?;
    open_doses(&key, person, rows)
        .into_iter()
        .find(|d| &d.id == id)
        .ok_or(AppError::NotFound)
}

/// The dose changes of one of the person's medicines, oldest first, each
/// with its step from the one before.
pub async fn doses(
    app: &App,
    person: &Person,
    session_token: &str,
    medicine: &MedicineId,
) -> AppResult<Vec<DoseEntry>> {
    let key = open_key(app, person, session_token).await?;
    let rows = app.store().doses(person.id, medicine).await?;
    Ok(open_doses(&key, person, rows))
}
