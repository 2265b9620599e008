//! The one implementation of [`NewsletterAdminStore`], for both backends.
//! An import writes in batches (multi-row statements), so 100,000
//! addresses take one transaction of a few hundred statements.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::newsletter_list::{FormWords, Placement, interest_code};

use super::{
    ConfirmMails, DownloadChoice, ExportedSubscriber, FormChange, FormRecord, ImportOutcome,
    ImportedSubscriber, InterestChange, InterestRecord, NewsletterAdminStore, SubscriberCounts,
};
use crate::audit::insert_audit;
use crate::db::{Arg, On, Tx, query};
use crate::mail::{Recipient, insert_mails};
use crate::model::AuditEntry;
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult, from_seconds};

const INTERESTS: &str = "SELECT id, code, label, position, retired_at
FROM newsletter_interests ORDER BY position, id";
const INTEREST_BY_CODE: &str = "SELECT id, code, label, position, retired_at
FROM newsletter_interests WHERE code = $1";
const INSERT_INTEREST: &str = "INSERT INTO newsletter_interests (code, label, position, created_at)
VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM newsletter_interests), $3)";
const RENAME_INTEREST: &str = "UPDATE newsletter_interests SET label = $2 WHERE id = $1";
const RETIRE_INTEREST: &str = "UPDATE newsletter_interests
SET retired_at = CASE WHEN $2 = 1 THEN COALESCE(retired_at, $3) ELSE NULL END WHERE id = $1";
const PLACE_INTEREST: &str = "UPDATE newsletter_interests SET position = $2 WHERE id = $1";
const FORMS: &str = "SELECT f.placement, f.shown, f.version, f.updated_at,
    v.heading, v.intro, v.consent, r.slug, r.title
FROM newsletter_forms f
JOIN newsletter_form_versions v ON v.form_id = f.id AND v.version = f.version
LEFT JOIN resources r ON r.id = f.download_resource_id";
const LOCK_FORM: &str = "UPDATE newsletter_forms SET updated_at = $2 WHERE placement = $1
RETURNING id, version";
const FORM_WORDS: &str = "SELECT heading, intro, consent FROM newsletter_form_versions
WHERE form_id = $1 AND version = $2";
const FORM_VERSION_BY_PLACEMENT: &str = "SELECT v.heading, v.intro, v.consent
FROM newsletter_form_versions v JOIN newsletter_forms f ON f.id = v.form_id
WHERE f.placement = $1 AND v.version = $2";
const DOWNLOADS: &str = "SELECT r.slug, r.title FROM resources r
JOIN resource_files f ON f.resource_id = r.id
WHERE r.published_at IS NOT NULL ORDER BY r.title, r.slug";
const DOWNLOAD_BY_SLUG: &str = "SELECT r.id FROM resources r
JOIN resource_files f ON f.resource_id = r.id
WHERE r.published_at IS NOT NULL AND r.slug = $1";
const SET_FORM: &str = "UPDATE newsletter_forms
SET shown = $2, download_resource_id = $3, version = $4 WHERE id = $1";
const INSERT_FORM_VERSION: &str = "INSERT INTO newsletter_form_versions
    (form_id, version, heading, intro, consent, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const COUNT_CONFIRMED: &str = "SELECT COUNT(*) FROM subscribers WHERE confirmed_at IS NOT NULL";
const COUNT_UNCONFIRMED: &str = "SELECT COUNT(*) FROM subscribers WHERE confirmed_at IS NULL";
const COUNT_PER_INTEREST: &str = "SELECT si.interest_id, COUNT(*) FROM subscriber_interests si
JOIN subscribers s ON s.id = si.subscriber_id
WHERE s.confirmed_at IS NOT NULL GROUP BY si.interest_id";
const EXPORT: &str = "SELECT s.id, s.email, s.first_name, s.confirmed_at, s.consent_source,
    f.placement, s.consent_form_version
FROM subscribers s LEFT JOIN newsletter_forms f ON f.id = s.consent_form_id
WHERE s.confirmed_at IS NOT NULL ORDER BY s.confirmed_at, s.id";
const EXPORT_INTERESTS: &str = "SELECT si.subscriber_id, i.code
FROM subscriber_interests si
JOIN subscribers s ON s.id = si.subscriber_id
JOIN newsletter_interests i ON i.id = si.interest_id
WHERE s.confirmed_at IS NOT NULL ORDER BY si.subscriber_id, i.position, i.id";
const SUPPRESSED: &str = "SELECT email_hash FROM newsletter_suppressions WHERE email_hash IN (";
const INSERT_SUBSCRIBERS: &str = "INSERT INTO subscribers (email, first_name, created_at,
    confirmed_at, expires_at, consent_at, consent_source)";
const INSERT_SUBSCRIBER_INTERESTS: &str =
    "INSERT INTO subscriber_interests (subscriber_id, interest_id)";
const INSERT_TOKENS: &str = "INSERT INTO subscriber_tokens
    (token_hash, subscriber_id, purpose, created_at, expires_at)";

/// Rows per multi-row statement: at most 7 values each, well under
/// SQLite's 32,766 bound values and PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 1_000;

#[derive(sqlx::FromRow)]
struct InterestRow {
    id: i64,
    code: String,
    label: String,
    position: i64,
    retired_at: Option<i64>,
}

impl InterestRow {
    fn into_record(self) -> StoreResult<InterestRecord> {
        Ok(InterestRecord {
            id: self.id,
            code: self.code,
            label: self.label,
            position: self.position,
            retired_at: self.retired_at.map(from_seconds).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FormRow {
    placement: String,
    shown: bool,
    version: i64,
    updated_at: i64,
    heading: String,
    intro: String,
    consent: String,
    slug: Option<String>,
    title: Option<String>,
}

impl FormRow {
    fn into_record(self) -> StoreResult<FormRecord> {
        Ok(FormRecord {
            placement: Placement::parse(&self.placement)
                .ok_or_else(|| StoreError::corrupt("newsletter_forms.placement"))?,
            shown: self.shown,
            download: self
                .slug
                .zip(self.title)
                .map(|(slug, title)| DownloadChoice { slug, title }),
            version: self.version,
            words: FormWords {
                heading: self.heading,
                intro: self.intro,
                consent: self.consent,
            },
            updated_at: from_seconds(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ExportRow {
    id: i64,
    email: String,
    first_name: Option<String>,
    confirmed_at: i64,
    consent_source: String,
    placement: Option<String>,
    consent_form_version: Option<i64>,
}

async fn interests_on(on: impl Into<On<'_>>) -> StoreResult<Vec<InterestRecord>> {
    let rows: Vec<InterestRow> = query(INTERESTS).fetch_all(on).await?;
    rows.into_iter().map(InterestRow::into_record).collect()
}

async fn interest_by_code(tx: &mut Tx, code: &str) -> StoreResult<InterestRecord> {
    let row: InterestRow = query(INTEREST_BY_CODE).bind(code).fetch_one(tx).await?;
    row.into_record()
}

async fn form_on(on: impl Into<On<'_>>, placement: Placement) -> StoreResult<FormRecord> {
    let row: FormRow = query(format!("{FORMS} WHERE f.placement = $1"))
        .bind(placement.code())
        .fetch_one(on)
        .await?;
    row.into_record()
}

/// `$2 = 1` in shared text: flags are bound as integers.
fn flag(value: bool) -> i64 {
    i64::from(value)
}

#[async_trait]
impl NewsletterAdminStore for SqlStore {
    async fn all_newsletter_interests(&self) -> StoreResult<Vec<InterestRecord>> {
        interests_on(self.db()).await
    }

    async fn add_newsletter_interest(
        &self,
        label: &kith_domain::newsletter_list::InterestLabel,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<InterestRecord> {
        let mut tx = self.db().begin().await?;
        let taken: Vec<String> = query("SELECT code FROM newsletter_interests")
            .scalars(&mut tx)
            .await?;
        let code = interest_code(label, taken.iter().map(String::as_str));
        query(INSERT_INTEREST)
            .bind(code.as_str())
            .bind(label.as_str())
            .bind(now)
            .execute(&mut tx)
            .await?;
        let record = interest_by_code(&mut tx, &code).await?;
        insert_audit(
            &mut tx,
            &AuditEntry {
                target: format!("interest:{code}"),
                ..audit.clone()
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn change_newsletter_interest(
        &self,
        code: &str,
        change: &InterestChange<'_>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<InterestRecord> {
        let mut tx = self.db().begin().await?;
        let interest = interest_by_code(&mut tx, code).await?;
        if let Some(label) = change.label {
            query(RENAME_INTEREST)
                .bind(interest.id)
                .bind(label.as_str())
                .execute(&mut tx)
                .await?;
        }
        if let Some(retired) = change.retired {
            query(RETIRE_INTEREST)
                .bind(interest.id)
                .bind(flag(retired))
                .bind(now)
                .execute(&mut tx)
                .await?;
        }
        if let Some(position) = change.position {
            // Renumber the whole list 1…n with this one at its new place:
            // positions stay a dense order whatever came before.
            let mut ids: Vec<i64> = interests_on(&mut tx)
                .await?
                .into_iter()
                .map(|i| i.id)
                .filter(|id| *id != interest.id)
                .collect();
            let at = usize::try_from(position.max(1) - 1)
                .unwrap_or(usize::MAX)
                .min(ids.len());
            ids.insert(at, interest.id);
            for (i, id) in ids.into_iter().enumerate() {
                query(PLACE_INTEREST)
                    .bind(id)
                    .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
                    .execute(&mut tx)
                    .await?;
            }
        }
        let record = interest_by_code(&mut tx, code).await?;
        insert_audit(
            &mut tx,
            &AuditEntry {
                target: format!("interest:{code}"),
                ..audit.clone()
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn newsletter_forms(&self) -> StoreResult<Vec<FormRecord>> {
        let rows: Vec<FormRow> = query(FORMS).fetch_all(self.db()).await?;
        let mut forms = rows
            .into_iter()
            .map(FormRow::into_record)
            .collect::<StoreResult<Vec<_>>>()?;
        forms.sort_by_key(|f| Placement::ALL.iter().position(|p| *p == f.placement));
        Ok(forms)
    }

    async fn newsletter_download_choices(&self) -> StoreResult<Vec<DownloadChoice>> {
        let rows: Vec<(String, String)> = query(DOWNLOADS).fetch_all(self.db()).await?;
        Ok(rows
            .into_iter()
            .map(|(slug, title)| DownloadChoice { slug, title })
            .collect())
    }

    async fn save_newsletter_form(
        &self,
        placement: Placement,
        change: &FormChange<'_>,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<FormRecord> {
        let mut tx = self.db().begin().await?;
        // Touching the row first holds it (PostgreSQL's row lock; SQLite's
        // write lock is held already): two saves cannot both make version n+1.
        let (form_id, version): (i64, i64) = query(LOCK_FORM)
            .bind(placement.code())
            .bind(now)
            .fetch_one(&mut tx)
            .await?;
        let download = match change.download {
            None => None,
            Some(slug) => Some(
                query(DOWNLOAD_BY_SLUG)
                    .bind(slug)
                    .scalar::<i64>(&mut tx)
                    .await?,
            ),
        };
        let (heading, intro, consent): (String, String, String) = query(FORM_WORDS)
            .bind(form_id)
            .bind(version)
            .fetch_one(&mut tx)
            .await?;
        let words = change.words;
        let changed = heading != words.heading || intro != words.intro || consent != words.consent;
        let version = if changed { version + 1 } else { version };
        if changed {
            query(INSERT_FORM_VERSION)
                .bind(form_id)
                .bind(version)
                .bind(words.heading.as_str())
                .bind(words.intro.as_str())
                .bind(words.consent.as_str())
                .bind(now)
                .execute(&mut tx)
                .await?;
        }
        query(SET_FORM)
            .bind(form_id)
            .bind(change.shown || !placement.can_hide())
            .bind(download)
            .bind(version)
            .execute(&mut tx)
            .await?;
        insert_audit(
            &mut tx,
            &AuditEntry {
                target: format!("newsletter_form:{}:v{version}", placement.code()),
                ..audit.clone()
            },
            now,
        )
        .await?;
        let record = form_on(&mut tx, placement).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn newsletter_form_version(
        &self,
        placement: Placement,
        version: i64,
    ) -> StoreResult<FormWords> {
        let (heading, intro, consent): (String, String, String) = query(FORM_VERSION_BY_PLACEMENT)
            .bind(placement.code())
            .bind(version)
            .fetch_one(self.db())
            .await?;
        Ok(FormWords {
            heading,
            intro,
            consent,
        })
    }

    async fn newsletter_counts(&self) -> StoreResult<SubscriberCounts> {
        let confirmed: i64 = query(COUNT_CONFIRMED).scalar(self.db()).await?;
        let unconfirmed: i64 = query(COUNT_UNCONFIRMED).scalar(self.db()).await?;
        let per_interest: Vec<(i64, i64)> = query(COUNT_PER_INTEREST).fetch_all(self.db()).await?;
        Ok(SubscriberCounts {
            confirmed,
            unconfirmed,
            per_interest,
        })
    }

    async fn export_newsletter_subscribers(
        &self,
        audit: &AuditEntry<'_>,
        now: Timestamp,
    ) -> StoreResult<Vec<ExportedSubscriber>> {
        // A writing transaction: the audit row and the rows it counts are
        // one snapshot, and an export that fails to read is not recorded.
        let mut tx = self.db().begin().await?;
        let rows: Vec<ExportRow> = query(EXPORT).fetch_all(&mut tx).await?;
        let codes: Vec<(i64, String)> = query(EXPORT_INTERESTS).fetch_all(&mut tx).await?;
        insert_audit(
            &mut tx,
            &AuditEntry {
                target: format!("subscribers:{}", rows.len()),
                ..audit.clone()
            },
            now,
        )
        .await?;
        tx.commit().await?;
        let mut by_subscriber: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, code) in codes {
            by_subscriber.entry(id).or_default().push(code);
        }
        rows.into_iter()
            .map(|row| {
                Ok(ExportedSubscriber {
                    interests: by_subscriber.remove(&row.id).unwrap_or_default(),
                    email: row.email,
                    first_name: row.first_name,
                    confirmed_at: from_seconds(row.confirmed_at)?,
                    consent_source: row.consent_source,
                    form_placement: row.placement,
                    form_version: row.consent_form_version,
                })
            })
            .collect()
    }

    async fn import_newsletter_subscribers(
        &self,
        rows: &[ImportedSubscriber<'_>],
        attested: bool,
        mails: &dyn ConfirmMails,
        audit: &AuditEntry<'_>,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<ImportOutcome> {
        let mut outcome = ImportOutcome::default();
        let mut tx = self.db().begin().await?;
        let mut suppressed: HashSet<String> = HashSet::new();
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = query(SUPPRESSED);
            q.push_list(chunk.iter().map(|r| r.email_hash.as_str()));
            q.push(")");
            suppressed.extend(q.scalars::<String>(&mut tx).await?);
        }
        let wanted: Vec<&ImportedSubscriber<'_>> = rows
            .iter()
            .filter(|r| !suppressed.contains(&r.email_hash))
            .collect();
        outcome.suppressed = (rows.len() - wanted.len()) as u64;
        let (confirmed_at, expires_at, source) = if attested {
            (Some(now), None, "import_attested")
        } else {
            (None, Some(expires_at), "import")
        };
        for chunk in wanted.chunks(ROWS_PER_INSERT) {
            // Addresses already on the list (read by no one beforehand,
            // so a signup in between is also left as it is) come back
            // without an id.
            let mut insert = query(INSERT_SUBSCRIBERS);
            insert.push_values(chunk.iter().map(|r| -> [Arg<'_>; 7] {
                [
                    r.email.as_str().into(),
                    r.first_name.into(),
                    now.into(),
                    confirmed_at.into(),
                    expires_at.into(),
                    now.into(),
                    source.into(),
                ]
            }));
            insert.push(" ON CONFLICT (email) DO NOTHING RETURNING id, email");
            let added: Vec<(i64, String)> = insert.fetch_all(&mut tx).await?;
            outcome.added += added.len() as u64;
            outcome.present += (chunk.len() - added.len()) as u64;
            let ids: HashMap<&str, i64> = added.iter().map(|(id, e)| (e.as_str(), *id)).collect();
            let new: Vec<(i64, &ImportedSubscriber<'_>)> = chunk
                .iter()
                .filter_map(|r| ids.get(r.email.as_str()).map(|id| (*id, *r)))
                .collect();
            let pairs: Vec<[Arg<'_>; 2]> = new
                .iter()
                .flat_map(|(id, r)| r.interests.iter().map(move |i| [(*id).into(), (*i).into()]))
                .collect();
            for pairs in pairs.chunks(ROWS_PER_INSERT) {
                let mut q = query(INSERT_SUBSCRIBER_INTERESTS);
                q.push_values(pairs.iter().cloned());
                q.push(" ON CONFLICT DO NOTHING");
                q.execute(&mut tx).await?;
            }
            if !attested && !new.is_empty() {
                write_confirmations(&mut tx, &new, mails, expires_at, now).await?;
            }
        }
        insert_audit(
            &mut tx,
            &AuditEntry {
                target: format!(
                    "added:{} present:{} suppressed:{} attested:{}",
                    outcome.added,
                    outcome.present,
                    outcome.suppressed,
                    if attested { "yes" } else { "no" }
                ),
                ..audit.clone()
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// Each new address's `confirm` token and its mail, in two statements.
async fn write_confirmations(
    tx: &mut Tx,
    new: &[(i64, &ImportedSubscriber<'_>)],
    mails: &dyn ConfirmMails,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut drafts = Vec::with_capacity(new.len());
    for (id, row) in new {
        let (hash, draft) = mails.confirm_mail().map_err(StoreError::Other)?;
        drafts.push((*id, *row, hash, draft));
    }
    let mut tokens = query(INSERT_TOKENS);
    tokens.push_values(drafts.iter().map(|(id, _, hash, _)| -> [Arg<'_>; 5] {
        [
            hash.as_str().into(),
            (*id).into(),
            "confirm".into(),
            now.into(),
            expires_at.into(),
        ]
    }));
    tokens.execute(&mut *tx).await?;
    let outbox: Vec<_> = drafts
        .iter()
        .map(|(_, row, _, draft)| draft.to(Recipient::Address(row.email), now))
        .collect();
    insert_mails(tx, &outbox, now).await
}

#[cfg(test)]
mod tests;
