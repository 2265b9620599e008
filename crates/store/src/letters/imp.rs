//! The one implementation of [`LetterStore`], for both backends. Queuing
//! claims a letter with a conditional `UPDATE` first: on PostgreSQL a
//! second instance's `UPDATE` waits for the first's transaction and then
//! finds `queued_at` set (it changes nothing and moves on); on SQLite
//! `BEGIN IMMEDIATE` lets one writer in at a time.

use async_trait::async_trait;
use jiff::Timestamp;
use kith_domain::letter::{Audience, AudienceMode, LetterText};

use super::{
    LETTER_COLUMNS, LETTER_KIND, Letter, LetterInterest, LetterRow, LetterStore, QueuedLetter,
    TokenMaker,
};
use crate::db::{Query, Tx, query};
use crate::model::AccountId;
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult};

const INTERESTS: &str = "SELECT code, label FROM newsletter_interests
WHERE retired_at IS NULL ORDER BY position, id";
const INSERT_LETTER: &str = "INSERT INTO letters
    (subject, body, audience, author_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
const UPDATE_LETTER: &str = "UPDATE letters SET subject = $2, body = $3, audience = $4,
    updated_at = $5 WHERE id = $1 AND queued_at IS NULL";
const DELETE_LETTER: &str = "DELETE FROM letters WHERE id = $1 AND queued_at IS NULL";
const LETTER_EXISTS: &str = "SELECT id FROM letters WHERE id = $1";
const CLEAR_INTERESTS: &str = "DELETE FROM letter_interests WHERE letter_id = $1";
const LETTER_CODES: &str = "SELECT i.code, li.letter_id FROM letter_interests li
JOIN newsletter_interests i ON i.id = li.interest_id";
const SCHEDULE: &str = "UPDATE letters SET send_at = $2, updated_at = $3
WHERE id = $1 AND queued_at IS NULL";
const DUE: &str = "SELECT id FROM letters
WHERE send_at IS NOT NULL AND send_at <= $1 AND queued_at IS NULL ORDER BY send_at, id";
const CLAIM: &str = "UPDATE letters SET queued_at = $2, updated_at = $2
WHERE id = $1 AND queued_at IS NULL AND send_at IS NOT NULL AND send_at <= $2";
const SET_RECIPIENTS: &str = "UPDATE letters SET recipients = $2 WHERE id = $1";
/// Confirmed subscribers; an audience's condition follows.
const CONFIRMED: &str = "FROM subscribers s WHERE s.confirmed_at IS NOT NULL";

/// Recipients per statement: four values each, well under SQLite's
/// 32,766 bound values and PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 2_000;

/// Where an audience's interests come from.
enum Interests<'a> {
    /// A stored letter's `letter_interests`.
    Letter(i64, AudienceMode, usize),
    /// Codes not stored yet (counting while composing).
    Codes(&'a Audience),
}

/// `{select} FROM subscribers s WHERE confirmed … AND <audience>`.
fn audience_query<'a>(select: &str, interests: Interests<'a>) -> Query<'a> {
    let mut q = query(format!("{select} {CONFIRMED}"));
    let (mode, count) = match &interests {
        Interests::Letter(_, mode, count) => (*mode, *count),
        Interests::Codes(audience) => (audience.mode, audience.interests.len()),
    };
    if count == 0 {
        return q;
    }
    let ids = match interests {
        Interests::Letter(id, ..) => {
            let p = q.arg(id);
            format!("SELECT interest_id FROM letter_interests WHERE letter_id = {p}")
        }
        Interests::Codes(audience) => {
            let parts: Vec<String> = audience
                .interests
                .iter()
                .map(|code| q.arg(code.as_str()))
                .collect();
            format!(
                "SELECT id FROM newsletter_interests WHERE code IN ({})",
                parts.join(", ")
            )
        }
    };
    match mode {
        AudienceMode::Any => q.push(&format!(
            " AND EXISTS (SELECT 1 FROM subscriber_interests si \
             WHERE si.subscriber_id = s.id AND si.interest_id IN ({ids}))"
        )),
        AudienceMode::All => {
            let n = q.arg(i64::try_from(count).unwrap_or(i64::MAX));
            q.push(&format!(
                " AND (SELECT COUNT(*) FROM subscriber_interests si \
                 WHERE si.subscriber_id = s.id AND si.interest_id IN ({ids})) = {n}"
            ));
        }
    }
    q
}

/// Writes a letter's interests; `Conflict` when a code is unknown or
/// retired.
async fn write_interests(tx: &mut Tx, id: i64, audience: &Audience) -> StoreResult<()> {
    query(CLEAR_INTERESTS).bind(id).execute(&mut *tx).await?;
    if audience.interests.is_empty() {
        return Ok(());
    }
    let mut insert = query("INSERT INTO letter_interests (letter_id, interest_id) SELECT ");
    let letter = insert.arg(id);
    insert.push(&letter);
    insert.push(", id FROM newsletter_interests WHERE retired_at IS NULL AND code IN (");
    insert.push_list(audience.interests.iter().map(String::as_str));
    insert.push(")");
    let written = insert.execute(&mut *tx).await?;
    if usize::try_from(written).ok() != Some(audience.interests.len()) {
        return Err(StoreError::Conflict {
            what: "unknown interest",
        });
    }
    Ok(())
}

/// `NotFound` when the letter does not exist, else `Stale` (it is queued).
async fn missing_or_queued(on: &mut Tx, id: i64) -> StoreError {
    match query(LETTER_EXISTS)
        .bind(id)
        .scalar_optional::<i64>(&mut *on)
        .await
    {
        Ok(Some(_)) => StoreError::Stale,
        Ok(None) => StoreError::NotFound,
        Err(err) => err,
    }
}

/// Every letter's interest codes, by letter.
fn codes_of(rows: &[(String, i64)], letter: i64) -> Vec<String> {
    let mut codes: Vec<String> = rows
        .iter()
        .filter(|(_, id)| *id == letter)
        .map(|(code, _)| code.clone())
        .collect();
    codes.sort();
    codes
}

fn to_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl LetterStore for SqlStore {
    async fn letter_interests(&self) -> StoreResult<Vec<LetterInterest>> {
        let rows: Vec<(String, String)> = query(INTERESTS).fetch_all(self.db()).await?;
        Ok(rows
            .into_iter()
            .map(|(code, label)| LetterInterest { code, label })
            .collect())
    }

    async fn create_letter(
        &self,
        text: &LetterText,
        author: AccountId,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let mut tx = self.db().begin().await?;
        let id: i64 = query(INSERT_LETTER)
            .bind(text.subject.as_str())
            .bind(text.body.as_str())
            .bind(text.audience.mode.code())
            .bind(author.0)
            .bind(now)
            .scalar(&mut tx)
            .await?;
        write_interests(&mut tx, id, &text.audience).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn update_letter(&self, id: i64, text: &LetterText, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let changed = query(UPDATE_LETTER)
            .bind(id)
            .bind(text.subject.as_str())
            .bind(text.body.as_str())
            .bind(text.audience.mode.code())
            .bind(now)
            .execute(&mut tx)
            .await?;
        if changed == 0 {
            return Err(missing_or_queued(&mut tx, id).await);
        }
        write_interests(&mut tx, id, &text.audience).await?;
        tx.commit().await
    }

    async fn delete_letter(&self, id: i64) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        if query(DELETE_LETTER).bind(id).execute(&mut tx).await? == 0 {
            return Err(missing_or_queued(&mut tx, id).await);
        }
        tx.commit().await
    }

    async fn letters(&self) -> StoreResult<Vec<Letter>> {
        let rows: Vec<LetterRow> = query(format!(
            "SELECT {LETTER_COLUMNS} FROM letters ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(self.db())
        .await?;
        let codes: Vec<(String, i64)> = query(LETTER_CODES).fetch_all(self.db()).await?;
        rows.into_iter()
            .map(|row| {
                let interests = codes_of(&codes, row.id);
                row.into_letter(interests)
            })
            .collect()
    }

    async fn letter(&self, id: i64) -> StoreResult<Letter> {
        let row: LetterRow = query(format!(
            "SELECT {LETTER_COLUMNS} FROM letters WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(self.db())
        .await?;
        let codes: Vec<(String, i64)> = query(format!("{LETTER_CODES} WHERE li.letter_id = $1"))
            .bind(id)
            .fetch_all(self.db())
            .await?;
        row.into_letter(codes_of(&codes, id))
    }

    async fn count_audience(&self, audience: &Audience) -> StoreResult<u64> {
        let n: i64 = audience_query("SELECT COUNT(*)", Interests::Codes(audience))
            .scalar(self.db())
            .await?;
        Ok(to_count(n))
    }

    async fn schedule_letter(
        &self,
        id: i64,
        send_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.db().begin().await?;
        let changed = query(SCHEDULE)
            .bind(id)
            .bind(send_at)
            .bind(now)
            .execute(&mut tx)
            .await?;
        if changed == 0 {
            return Err(missing_or_queued(&mut tx, id).await);
        }
        tx.commit().await
    }

    async fn queue_due_letters(
        &self,
        base: &str,
        tokens: &TokenMaker,
        manage_until: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Vec<QueuedLetter>> {
        let due: Vec<i64> = query(DUE).bind(now).scalars(self.db()).await?;
        let mut queued = Vec::new();
        for id in due {
            let mut tx = self.db().begin().await?;
            // The claim: whoever changes the row queues the letter; a
            // second instance finds it queued and changes nothing.
            if query(CLAIM).bind(id).bind(now).execute(&mut tx).await? == 0 {
                continue;
            }
            let mode: String = query("SELECT audience FROM letters WHERE id = $1")
                .bind(id)
                .scalar(&mut tx)
                .await?;
            let mode =
                AudienceMode::parse(&mode).ok_or_else(|| StoreError::corrupt("letter audience"))?;
            let count: i64 = query("SELECT COUNT(*) FROM letter_interests WHERE letter_id = $1")
                .bind(id)
                .scalar(&mut tx)
                .await?;
            let recipients: Vec<(i64, String)> = audience_query(
                "SELECT s.id, s.email",
                Interests::Letter(id, mode, usize::try_from(count).unwrap_or(0)),
            )
            .fetch_all(&mut tx)
            .await?;
            for chunk in recipients.chunks(ROWS_PER_INSERT) {
                write_recipients(&mut tx, id, chunk, base, tokens, manage_until, now).await?;
            }
            let n = i64::try_from(recipients.len()).unwrap_or(i64::MAX);
            query(SET_RECIPIENTS)
                .bind(id)
                .bind(n)
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
            tracing::info!(letter.id = id, recipients = n, "letter queued");
            queued.push(QueuedLetter {
                id,
                recipients: to_count(n),
            });
        }
        Ok(queued)
    }
}

/// One statement of outbox rows and one of `manage` tokens for a chunk of
/// recipients; the values all rows share are bound once.
async fn write_recipients(
    tx: &mut Tx,
    letter: i64,
    recipients: &[(i64, String)],
    base: &str,
    tokens: &TokenMaker,
    manage_until: Timestamp,
    now: Timestamp,
) -> StoreResult<()> {
    let mut mails = query(
        "INSERT INTO outbox (address, kind, subject, text_body, html_body, unsubscribe_url,
            message_key, created_at, not_before, letter_id, subscriber_id) VALUES ",
    );
    let mail_letter = mails.arg(letter);
    let mail_now = mails.arg(now);
    let kind = mails.arg(LETTER_KIND);
    let mut links = query(
        "INSERT INTO subscriber_tokens
            (token_hash, subscriber_id, purpose, letter_id, created_at, expires_at) VALUES ",
    );
    let link_letter = links.arg(letter);
    let link_now = links.arg(now);
    let link_until = links.arg(manage_until);
    let base = base.trim_end_matches('/');
    for (i, (subscriber, email)) in recipients.iter().enumerate() {
        let (token, hash) = tokens();
        let sep = if i > 0 { ", " } else { "" };
        let address = mails.arg(email.as_str());
        let url = mails.arg(format!("{base}/newsletter/unsubscribe/{token}"));
        let key = mails.arg(kith_domain::ids::random_secret());
        let who = mails.arg(*subscriber);
        mails.push(&format!(
            "{sep}({address}, {kind}, '', '', '', {url}, {key}, {mail_now}, {mail_now}, \
             {mail_letter}, {who})"
        ));
        let hash = links.arg(hash);
        let who = links.arg(*subscriber);
        links.push(&format!(
            "{sep}({hash}, {who}, 'manage', {link_letter}, {link_now}, {link_until})"
        ));
    }
    mails.execute(&mut *tx).await?;
    links.execute(&mut *tx).await?;
    Ok(())
}
