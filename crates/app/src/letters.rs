//! Letters to the mailing list, as admins and editors write and send
//! them: drafts, the audience's size, a preview and a test to oneself,
//! sending now or at a time, and the background task that queues letters
//! when they fall due (every instance runs it; each letter is queued once).
//!
//! Only the `admin` and `editor` roles may; everyone else is answered
//! `NotFound`, as for a letter that does not exist. Nobody can see who
//! opened a letter: kith does not know (no pixel, no rewritten link).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Role;
use kith_domain::letter::{Audience, LetterInput, check_send};
use kith_domain::validation::FieldError;
use kith_store::StoreError;
/// A letter, an interest it may choose, a letter queued: as the store
/// reads them.
pub use kith_store::letters::{Letter, LetterInterest, QueuedLetter};
use kith_store::mail::{NewMail, Recipient};

use crate::access::Person;
use crate::mail::letter_kinds::{LETTER_TEST, LetterBody, LetterFooter, render_letter};
use crate::tokens::{new_token, token_hash};
use crate::{App, AppError, AppResult};

/// How long a letter's manage and unsubscribe link works.
pub const MANAGE_LINK_DAYS: i64 = 400;

/// Whether `person` may write and send letters.
pub fn may_write_letters(person: &Person) -> bool {
    matches!(person.role, Role::Admin | Role::Editor)
}

/// `NotFound` unless `person` may write and send letters.
pub fn require_writer(person: &Person) -> AppResult<()> {
    if may_write_letters(person) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The interests a letter may choose.
pub async fn interests(app: &App, person: &Person) -> AppResult<Vec<LetterInterest>> {
    require_writer(person)?;
    Ok(app.store().letter_interests().await?)
}

/// An unknown interest is the author's field error, not a conflict.
fn unknown_interest(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict {
            what: "unknown interest",
        } => AppError::Invalid(vec![FieldError::new("interests", "unknown_interest")]),
        other => other.into(),
    }
}

/// Writes a draft; answers its id.
pub async fn create(app: &App, person: &Person, input: &LetterInput) -> AppResult<i64> {
    require_writer(person)?;
    let text = input.parse().map_err(AppError::Invalid)?;
    app.store()
        .create_letter(&text, person.id, app.now())
        .await
        .map_err(unknown_interest)
}

/// Changes a letter not queued yet.
pub async fn update(app: &App, person: &Person, id: i64, input: &LetterInput) -> AppResult<()> {
    require_writer(person)?;
    let text = input.parse().map_err(AppError::Invalid)?;
    app.store()
        .update_letter(id, &text, app.now())
        .await
        .map_err(unknown_interest)
}

/// Deletes a letter not queued yet.
pub async fn delete(app: &App, person: &Person, id: i64) -> AppResult<()> {
    require_writer(person)?;
    Ok(app.store().delete_letter(id).await?)
}

/// Every letter, newest first.
pub async fn list(app: &App, person: &Person) -> AppResult<Vec<Letter>> {
    require_writer(person)?;
    Ok(app.store().letters().await?)
}

/// One letter.
pub async fn get(app: &App, person: &Person, id: i64) -> AppResult<Letter> {
    require_writer(person)?;
    Ok(app.store().letter(id).await?)
}

/// How many confirmed subscribers `audience` reaches now.
pub async fn count_audience(app: &App, person: &Person, audience: &Audience) -> AppResult<u64> {
    require_writer(person)?;
    Ok(app.store().count_audience(audience).await?)
}

/// Sends a letter at `at` (`None`: now). Refused when `at` is past or
/// its audience is empty; a letter due now is queued at once.
pub async fn send(app: &App, person: &Person, id: i64, at: Option<Timestamp>) -> AppResult<()> {
    require_writer(person)?;
    let now = app.now();
    let letter = app.store().letter(id).await?;
    if !letter.status().editable() {
        return Err(AppError::Conflict(crate::Conflict::InvalidStatus));
    }
    let at = at.unwrap_or(now);
    let recipients = app.store().count_audience(&letter.audience).await?;
    check_send(at, now, recipients).map_err(|e| AppError::Invalid(vec![e]))?;
    // A minute's grace is allowed for "now": never store a time before it.
    let at = at.max(now);
    app.store().schedule_letter(id, Some(at), now).await?;
    if at <= now {
        queue_due(app).await?;
    }
    Ok(())
}

/// Takes a scheduled letter back to a draft.
pub async fn cancel(app: &App, person: &Person, id: i64) -> AppResult<()> {
    require_writer(person)?;
    Ok(app.store().schedule_letter(id, None, app.now()).await?)
}

/// A letter as a recipient reads it, with sample links.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The plain-text part, whole.
    pub text: String,
    /// The HTML part, whole (a document of its own).
    pub html: String,
    /// The letter's sanitised HTML alone, to show inside a page.
    pub body_html: String,
    /// The footer's sample links.
    pub footer: LetterFooter,
}

/// A letter's text and HTML as a recipient reads them, with sample links.
pub fn preview(app: &App, subject: &str, body: &str) -> AppResult<Preview> {
    let body = LetterBody::from_parts(subject, body);
    let footer = LetterFooter::sample(app.site_url(), false);
    let (text, html) = render_letter(&body, &footer)
        .map_err(|e| AppError::internal(format!("a letter template failed: {e}")))?;
    Ok(Preview {
        text,
        html,
        body_html: body.html,
        footer,
    })
}

/// Mails the letter to its author's own account: sample links, not
/// counted, no manage token.
pub async fn send_test(app: &App, person: &Person, id: i64) -> AppResult<()> {
    require_writer(person)?;
    let letter = app.store().letter(id).await?;
    let body = LetterBody::new(&letter);
    let (text, html) = render_letter(&body, &LetterFooter::sample(app.site_url(), true))
        .map_err(|e| AppError::internal(format!("a letter template failed: {e}")))?;
    let now = app.now();
    let mail = NewMail {
        recipient: Recipient::Account(person.id),
        kind: LETTER_TEST,
        subject: &letter.subject,
        text: &text,
        html: &html,
        unsubscribe: None,
        not_before: now,
    };
    app.enqueue(&mail, now).await
}

/// Queues every letter due now (each once, whichever instance is first)
/// and wakes the sender.
pub async fn queue_due(app: &App) -> AppResult<Vec<QueuedLetter>> {
    let now = app.now();
    let until = now
        .saturating_add(SignedDuration::from_hours(24 * MANAGE_LINK_DAYS))
        .unwrap_or(now);
    let make = || {
        let token = new_token();
        let hash = token_hash(&token);
        (token, hash)
    };
    let queued = app
        .store()
        .queue_due_letters(app.site_url().base(), &make, until, now)
        .await?;
    if !queued.is_empty() {
        app.mailed();
    }
    Ok(queued)
}

/// Queues due letters every `every`, for as long as the process runs.
pub async fn run_letters(app: App, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        if let Err(err) = queue_due(&app).await {
            tracing::warn!(error = %err, "could not queue due letters");
        }
    }
}
