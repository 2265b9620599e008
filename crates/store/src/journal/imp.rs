//! The one implementation of [`JournalStore`], for both backends.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use kith_domain::ids::{CheckinId, DoseId, MedicineId};
use kith_domain::journal::{day_from_number, day_number};

use super::{
    CHECKIN, CHECKINS, CONFIRM_RECOVERY, DELETE_CHECKIN, DELETE_DOSE, DELETE_JOURNAL,
    DELETE_MEDICINE, DOSE_COLUMNS, DOSE_WHERE_ACCOUNT, DOSE_WHERE_MEDICINE, DOSE_WHERE_ONE,
    DROP_SESSION_KEY, ENTRY_COUNT, INSERT_CHECKIN, INSERT_DOSE, INSERT_JOURNAL, INSERT_MEDICINE,
    JournalEntries, JournalKeys, JournalStore, KEYS, KeyWrap, MEDICINE, MEDICINES, NewJournal,
    NotEmpty, PUT_SESSION_KEY, RENAME_MEDICINE, SESSION_KEY, SET_PASSWORD_WRAP, SET_RECOVERY_WRAP,
    SealedCheckin, SealedDose, SealedMedicine, UPDATE_CHECKIN, UPDATE_DOSE,
};
use crate::db::{Tx, query};
use crate::model::AccountId;
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

#[derive(sqlx::FromRow)]
struct KeysRow {
    password_salt: Option<String>,
    password_wrapped: Option<Vec<u8>>,
    recovery_salt: String,
    recovery_wrapped: Vec<u8>,
    created_at: i64,
    recovery_confirmed_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct CheckinRow {
    public_id: String,
    day: i64,
    sealed: Vec<u8>,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct MedicineRow {
    public_id: String,
    sealed: Vec<u8>,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct DoseRow {
    public_id: String,
    medicine: String,
    day: i64,
    sealed: Vec<u8>,
    created_at: i64,
}

fn day(number: i64) -> StoreResult<Date> {
    day_from_number(number).ok_or_else(|| StoreError::corrupt("journal day"))
}

impl TryFrom<CheckinRow> for SealedCheckin {
    type Error = StoreError;

    fn try_from(row: CheckinRow) -> StoreResult<Self> {
        Ok(Self {
            id: CheckinId::from_trusted(row.public_id),
            day: day(row.day)?,
            sealed: row.sealed,
            created_at: from_seconds(row.created_at)?,
            updated_at: from_seconds(row.updated_at)?,
        })
    }
}

impl TryFrom<MedicineRow> for SealedMedicine {
    type Error = StoreError;

    fn try_from(row: MedicineRow) -> StoreResult<Self> {
        Ok(Self {
            id: MedicineId::from_trusted(row.public_id),
            sealed: row.sealed,
            created_at: from_seconds(row.created_at)?,
        })
    }
}

impl TryFrom<DoseRow> for SealedDose {
    type Error = StoreError;

    fn try_from(row: DoseRow) -> StoreResult<Self> {
        Ok(Self {
            id: DoseId::from_trusted(row.public_id),
            medicine: MedicineId::from_trusted(row.medicine),
            day: day(row.day)?,
            sealed: row.sealed,
            created_at: from_seconds(row.created_at)?,
        })
    }
}

async fn insert_checkin(
    tx: &mut Tx,
    account: AccountId,
    checkin: &SealedCheckin,
) -> StoreResult<()> {
    query(INSERT_CHECKIN)
        .bind(checkin.id.as_str())
        .bind(account.0)
        .bind(day_number(checkin.day))
        .bind(checkin.sealed.as_slice())
        .bind(checkin.created_at)
        .execute(tx)
        .await?;
    Ok(())
}

#[async_trait]
impl JournalStore for SqlStore {
    async fn create_journal(&self, journal: &NewJournal<'_>, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let made = query(INSERT_JOURNAL)
            .bind(journal.account.0)
            .bind(journal.password.salt.as_str())
            .bind(journal.password.wrapped.as_slice())
            .bind(journal.recovery.salt.as_str())
            .bind(journal.recovery.wrapped.as_slice())
            .bind(now)
            .execute(&mut tx)
            .await;
        if let Err(StoreError::Conflict { .. }) = made {
            return Err(StoreError::Conflict { what: "journal" });
        }
        made?;
        if let Some((token_hash, wrapped)) = journal.session {
            query(PUT_SESSION_KEY)
                .bind(token_hash)
                .bind(journal.account.0)
                .bind(wrapped)
                .bind(now)
                .execute_or_not_found(&mut tx)
                .await?;
        }
        tx.commit().await
    }

    async fn journal_keys(&self, account: AccountId) -> StoreResult<Option<JournalKeys>> {
        let row: Option<KeysRow> = query(KEYS)
            .bind(account.0)
            .fetch_optional(self.db())
            .await?;
        row.map(|row| {
            Ok(JournalKeys {
                password: match (row.password_salt, row.password_wrapped) {
                    (Some(salt), Some(wrapped)) => Some(KeyWrap { salt, wrapped }),
                    _ => None,
                },
                recovery: KeyWrap {
                    salt: row.recovery_salt,
                    wrapped: row.recovery_wrapped,
                },
                created_at: from_seconds(row.created_at)?,
                recovery_confirmed_at: row.recovery_confirmed_at.map(from_seconds).transpose()?,
            })
        })
        .transpose()
    }

    async fn confirm_recovery_saved(&self, account: AccountId, now: Timestamp) -> StoreResult<()> {
        query(CONFIRM_RECOVERY)
            .bind(account.0)
            .bind(now)
            .execute_or_not_found(self.db())
            .await
    }

    async fn set_password_wrap(&self, account: AccountId, wrap: &KeyWrap) -> StoreResult<()> {
        query(SET_PASSWORD_WRAP)
            .bind(account.0)
            .bind(wrap.salt.as_str())
            .bind(wrap.wrapped.as_slice())
            .execute_or_not_found(self.db())
            .await
    }

    async fn put_session_key(
        &self,
        account: AccountId,
        session_token_hash: &str,
        wrapped: &[u8],
        now: Timestamp,
    ) -> StoreResult<()> {
        query(PUT_SESSION_KEY)
            .bind(session_token_hash)
            .bind(account.0)
            .bind(wrapped)
            .bind(now)
            .execute_or_not_found(self.db())
            .await
    }

    async fn set_recovery_wrap(&self, account: AccountId, wrap: &KeyWrap) -> StoreResult<()> {
        query(SET_RECOVERY_WRAP)
            .bind(account.0)
            .bind(wrap.salt.as_str())
            .bind(wrap.wrapped.as_slice())
            .execute_or_not_found(self.db())
            .await
    }

    async fn reopen_journal(
        &self,
        account: AccountId,
        recovery: &KeyWrap,
        password: Option<&KeyWrap>,
        session_token_hash: &str,
        wrapped: &[u8],
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        query(SET_RECOVERY_WRAP)
            .bind(account.0)
            .bind(recovery.salt.as_str())
            .bind(recovery.wrapped.as_slice())
            .execute_or_not_found(&mut tx)
            .await?;
        if let Some(wrap) = password {
            query(SET_PASSWORD_WRAP)
                .bind(account.0)
                .bind(wrap.salt.as_str())
                .bind(wrap.wrapped.as_slice())
                .execute_or_not_found(&mut tx)
                .await?;
        }
        query(PUT_SESSION_KEY)
            .bind(session_token_hash)
            .bind(account.0)
            .bind(wrapped)
            .bind(now)
            .execute_or_not_found(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn session_key(
        &self,
        account: AccountId,
        session_token_hash: &str,
    ) -> StoreResult<Option<Vec<u8>>> {
        query(SESSION_KEY)
            .bind(session_token_hash)
            .bind(account.0)
            .scalar_optional(self.db())
            .await
    }

    async fn drop_session_key(
        &self,
        account: AccountId,
        session_token_hash: &str,
    ) -> StoreResult<()> {
        query(DROP_SESSION_KEY)
            .bind(session_token_hash)
            .bind(account.0)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn delete_journal(&self, account: AccountId) -> StoreResult<()> {
        query(DELETE_JOURNAL)
            .bind(account.0)
            .execute_or_not_found(self.db())
            .await
    }

    async fn add_checkin(
        &self,
        account: AccountId,
        id: &CheckinId,
        day: Date,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()> {
        query(INSERT_CHECKIN)
            .bind(id.as_str())
            .bind(account.0)
            .bind(day_number(day))
            .bind(sealed)
            .bind(now)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn update_checkin(
        &self,
        account: AccountId,
        id: &CheckinId,
        day: Date,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()> {
        query(UPDATE_CHECKIN)
            .bind(id.as_str())
            .bind(account.0)
            .bind(day_number(day))
            .bind(sealed)
            .bind(now)
            .execute_or_not_found(self.db())
            .await
    }

    async fn delete_checkin(&self, account: AccountId, id: &CheckinId) -> StoreResult<()> {
        query(DELETE_CHECKIN)
            .bind(id.as_str())
            .bind(account.0)
            .execute_or_not_found(self.db())
            .await
    }

    async fn checkin(&self, account: AccountId, id: &CheckinId) -> StoreResult<SealedCheckin> {
        let row: CheckinRow = query(CHECKIN)
            .bind(id.as_str())
            .bind(account.0)
            .fetch_one(self.db())
            .await?;
        row.try_into()
    }

    async fn checkins(
        &self,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
    ) -> StoreResult<Vec<SealedCheckin>> {
        let rows: Vec<CheckinRow> = query(CHECKINS)
            .bind(account.0)
            .bind(from.map_or(i64::MIN, day_number))
            .bind(to.map_or(i64::MAX, day_number))
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn add_medicine(
        &self,
        account: AccountId,
        id: &MedicineId,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()> {
        query(INSERT_MEDICINE)
            .bind(id.as_str())
            .bind(account.0)
            .bind(sealed)
            .bind(now)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn rename_medicine(
        &self,
        account: AccountId,
        id: &MedicineId,
        sealed: &[u8],
    ) -> StoreResult<()> {
        query(RENAME_MEDICINE)
            .bind(id.as_str())
            .bind(account.0)
            .bind(sealed)
            .execute_or_not_found(self.db())
            .await
    }

    async fn delete_medicine(&self, account: AccountId, id: &MedicineId) -> StoreResult<()> {
        query(DELETE_MEDICINE)
            .bind(id.as_str())
            .bind(account.0)
            .execute_or_not_found(self.db())
            .await
    }

    async fn medicine(&self, account: AccountId, id: &MedicineId) -> StoreResult<SealedMedicine> {
        let row: MedicineRow = query(MEDICINE)
            .bind(id.as_str())
            .bind(account.0)
            .fetch_one(self.db())
            .await?;
        row.try_into()
    }

    async fn medicines(&self, account: AccountId) -> StoreResult<Vec<SealedMedicine>> {
        let rows: Vec<MedicineRow> = query(MEDICINES)
            .bind(account.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn add_dose(
        &self,
        account: AccountId,
        medicine: &MedicineId,
        id: &DoseId,
        day: Date,
        sealed: &[u8],
        now: Timestamp,
    ) -> StoreResult<()> {
        query(INSERT_DOSE)
            .bind(id.as_str())
            .bind(account.0)
            .bind(medicine.as_str())
            .bind(day_number(day))
            .bind(sealed)
            .bind(now)
            .execute_or_not_found(self.db())
            .await
    }

    async fn update_dose(
        &self,
        account: AccountId,
        id: &DoseId,
        day: Date,
        sealed: &[u8],
    ) -> StoreResult<()> {
        query(UPDATE_DOSE)
            .bind(id.as_str())
            .bind(account.0)
            .bind(day_number(day))
            .bind(sealed)
            .execute_or_not_found(self.db())
            .await
    }

    async fn delete_dose(&self, account: AccountId, id: &DoseId) -> StoreResult<()> {
        query(DELETE_DOSE)
            .bind(id.as_str())
            .bind(account.0)
            .execute_or_not_found(self.db())
            .await
    }

    async fn dose(&self, account: AccountId, id: &DoseId) -> StoreResult<SealedDose> {
        let row: DoseRow = query(format!("{DOSE_COLUMNS}{DOSE_WHERE_ONE}"))
            .bind(id.as_str())
            .bind(account.0)
            .fetch_one(self.db())
            .await?;
        row.try_into()
    }

    async fn doses(
        &self,
        account: AccountId,
        medicine: &MedicineId,
    ) -> StoreResult<Vec<SealedDose>> {
        // An empty list must still tell another's medicine from one's own.
        self.medicine(account, medicine).await?;
        let rows: Vec<DoseRow> = query(format!("{DOSE_COLUMNS}{DOSE_WHERE_MEDICINE}"))
            .bind(medicine.as_str())
            .bind(account.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn all_doses(&self, account: AccountId) -> StoreResult<Vec<SealedDose>> {
        let rows: Vec<DoseRow> = query(format!("{DOSE_COLUMNS}{DOSE_WHERE_ACCOUNT}"))
            .bind(account.0)
            .fetch_all(self.db())
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn import_journal(
        &self,
        account: AccountId,
        entries: &JournalEntries,
    ) -> StoreResult<Result<(), NotEmpty>> {
        let mut tx = self.db().begin().await?;
        let count: i64 = query(ENTRY_COUNT).bind(account.0).scalar(&mut tx).await?;
        if count > 0 {
            return Ok(Err(NotEmpty));
        }
        for checkin in &entries.checkins {
            insert_checkin(&mut tx, account, checkin).await?;
        }
        for medicine in &entries.medicines {
            query(INSERT_MEDICINE)
                .bind(medicine.id.as_str())
                .bind(account.0)
                .bind(medicine.sealed.as_slice())
                .bind(medicine.created_at)
                .execute(&mut tx)
                .await?;
        }
        for dose in &entries.doses {
            query(INSERT_DOSE)
                .bind(dose.id.as_str())
                .bind(account.0)
                .bind(dose.medicine.as_str())
                .bind(day_number(dose.day))
                .bind(dose.sealed.as_slice())
                .bind(dose.created_at)
                .execute_or_not_found(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests;
