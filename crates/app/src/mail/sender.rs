//! The background sender: claims due mail from the outbox, sends it, marks
//! it sent, or schedules a retry with exponential backoff (capped), giving
//! up after a number of attempts or at once on a permanent refusal (which,
//! for a guest's mail, also says something about the guest: `refused`).
//!
//! **Once, and the window where it is not.** A mail is claimed with a lease
//! (`claimed_until`), so no other sender — another task, another kith
//! instance on the same PostgreSQL — sends it while the lease lasts; a
//! sender stops working through its batch before its lease could run out.
//! If kith stops mid-send, the lease expires and the mail is sent again
//! later — once more, not twice at the same time. One window remains
//! at-least-once: the server accepted the mail but kith stopped (or lost
//! the database) before recording that; the mail is then sent again after
//! the lease. It keeps its Message-ID on every attempt, so mail systems
//! that deduplicate by Message-ID show it once. With the `.eml` folder the
//! second write replaces the first file: exactly once.
//!
//! **Letters.** A letter's outbox rows hold no bodies: a batch reads each
//! of its letters once, renders the Markdown once, and wraps it per
//! recipient with their own links. Mails go out `concurrency` at a time
//! over the SMTP pool's connections, at most `KITH_MAIL_RATE_PER_MINUTE`
//! a minute per instance ([`MailRate`]).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use jiff::{SignedDuration, Timestamp};
use kith_store::Store;
use kith_store::comments::PrunedGuests;
use kith_store::mail::OutboxMail;
use kith_store::newsletter::PrunedSubscribers;
use lettre::message::Mailbox;
use tokio::sync::Notify;

use super::MailKind;
use super::kinds::{GuestCommentConfirm, GuestCommentReply};
use super::letter_kinds::{LetterBody, LetterFooter, render_letter};
use super::transport::{DeliveryError, Transport, build_message};
use crate::{AppResult, Clock};

/// A limit on how many mails an instance sends a minute
/// (`KITH_MAIL_RATE_PER_MINUTE`): a token bucket shared by every clone of
/// the settings. Each instance has its own, so with several instances on
/// one PostgreSQL the provider sees up to that many times the rate.
#[derive(Clone, Default)]
pub struct MailRate(Option<Arc<DefaultDirectRateLimiter>>);

impl std::fmt::Debug for MailRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "MailRate(limited)"
        } else {
            "MailRate(unlimited)"
        })
    }
}

impl MailRate {
    /// At most `per_minute` mails a minute, evenly spread (a burst of at
    /// most a tenth of a minute's worth); 0: unlimited.
    pub fn per_minute(per_minute: u32) -> Self {
        let Some(rate) = NonZeroU32::new(per_minute) else {
            return Self(None);
        };
        let burst = NonZeroU32::new(per_minute / 10).unwrap_or(NonZeroU32::MIN);
        Self(Some(Arc::new(RateLimiter::direct(
            Quota::per_minute(rate).allow_burst(burst),
        ))))
    }

    /// Waits until one more mail may go.
    async fn until_ready(&self) {
        if let Some(limiter) = &self.0 {
            limiter.until_ready().await;
        }
    }
}

/// How the sender works.
#[derive(Debug, Clone)]
pub struct SenderSettings {
    /// The `From:` of every mail (`KITH_MAIL_FROM`).
    pub from: Mailbox,
    /// Mails claimed at once.
    pub batch: u32,
    /// Mails claimed at once after a round that found a full batch (a
    /// letter going out): fewer trips to the database per mail.
    pub busy_batch: u32,
    /// Mails sent at once (SMTP connections from the pool).
    pub concurrency: usize,
    /// The operator's limit on mails a minute.
    pub rate: MailRate,
    /// How long a claim lasts; a batch stops before it runs out.
    pub lease: Duration,
    /// Attempts before giving up.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles with each attempt.
    pub first_retry: SignedDuration,
    /// The longest wait between attempts.
    pub max_retry: SignedDuration,
    /// How often the outbox is read when nothing wakes the sender.
    pub poll: Duration,
}

impl SenderSettings {
    /// The defaults, from this sender address.
    pub fn new(from: Mailbox) -> Self {
        Self {
            from,
            batch: 10,
            busy_batch: 200,
            concurrency: super::transport::SMTP_CONNECTIONS,
            rate: MailRate::default(),
            lease: Duration::from_secs(10 * 60),
            max_attempts: 8,
            first_retry: SignedDuration::from_secs(60),
            max_retry: SignedDuration::from_hours(1),
            poll: Duration::from_secs(5),
        }
    }

    /// The same settings, sending at most `per_minute` mails a minute (0:
    /// unlimited).
    pub fn with_rate_per_minute(self, per_minute: u32) -> Self {
        Self {
            rate: MailRate::per_minute(per_minute),
            ..self
        }
    }

    /// When to try again after `attempts` attempts; `None` to give up.
    pub fn retry_at(&self, attempts: u32, now: Timestamp) -> Option<Timestamp> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let wait = self
            .first_retry
            .checked_mul(1 << doublings)
            .unwrap_or(self.max_retry)
            .min(self.max_retry);
        Some(now.saturating_add(wait).unwrap_or(now))
    }
}

/// What one round of sending did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Mails sent.
    pub sent: u32,
    /// Mails that failed and will be tried again.
    pub retried: u32,
    /// Mails given up.
    pub gave_up: u32,
    /// Mails claimed but left for a later round (the lease ran short).
    pub left: u32,
}

impl SendReport {
    /// Mails claimed this round.
    pub fn claimed(&self) -> u32 {
        self.sent + self.retried + self.gave_up + self.left
    }
}

/// What became of one claimed mail.
enum Outcome {
    Sent,
    Retried,
    GaveUp,
    Left,
}

/// Claims one batch of due mail (`settings.batch`) and sends it.
pub async fn send_due(
    store: &dyn Store,
    transport: &Transport,
    settings: &SenderSettings,
    now: Timestamp,
) -> AppResult<SendReport> {
    send_batch(store, transport, settings, settings.batch, now).await
}

/// Claims up to `limit` due mails and sends them, `settings.concurrency`
/// at a time, each when the rate allows, marking them sent a chunk at a
/// time. A letter's mails are rendered
/// here, from the letter read once per batch.
pub async fn send_batch(
    store: &dyn Store,
    transport: &Transport,
    settings: &SenderSettings,
    limit: u32,
    now: Timestamp,
) -> AppResult<SendReport> {
    let started = Instant::now();
    let lease = SignedDuration::try_from(settings.lease).unwrap_or(SignedDuration::from_secs(600));
    let lease_until = now.saturating_add(lease).unwrap_or(now);
    let claimed = store.claim_mail(now, lease_until, limit).await?;
    let letters = letters_of(store, &claimed).await?;
    // Keep a margin: a send that began just before the lease ended could
    // still be running when another sender claims the mail.
    let usable = settings.lease.mul_f64(0.5);
    let letters = &letters;
    let mut report = SendReport::default();
    let mut failure = None;
    // Mails are marked sent a chunk at a time, in one transaction: a
    // crash between a delivery and its marking sends at most a chunk
    // again (with the same Message-IDs).
    for chunk in claimed.chunks(MARKED_TOGETHER) {
        // Collected first: a stream mapped by a closure over borrowed
        // mails trips the compiler's `Send` inference.
        let sends: Vec<_> = chunk
            .iter()
            .map(|mail| async move {
                if started.elapsed() > usable {
                    return Ok((mail.id, Outcome::Left));
                }
                send_one(store, transport, settings, letters, mail, now)
                    .await
                    .map(|outcome| (mail.id, outcome))
            })
            .collect();
        let outcomes: Vec<AppResult<(i64, Outcome)>> = futures::stream::iter(sends)
            .buffer_unordered(settings.concurrency.max(1))
            .collect()
            .await;
        let mut delivered = Vec::with_capacity(chunk.len());
        for outcome in outcomes {
            match outcome {
                Ok((id, Outcome::Sent)) => delivered.push(id),
                Ok((_, Outcome::Retried)) => report.retried += 1,
                Ok((_, Outcome::GaveUp)) => report.gave_up += 1,
                Ok((_, Outcome::Left)) => report.left += 1,
                Err(err) => failure = failure.or(Some(err)),
            }
        }
        store.mark_mails_sent(&delivered, now).await?;
        report.sent += u32::try_from(delivered.len()).unwrap_or(u32::MAX);
        if let Some(err) = failure {
            return Err(err);
        }
    }
    Ok(report)
}

/// Mails delivered before they are marked sent together.
const MARKED_TOGETHER: usize = 3 * super::transport::SMTP_CONNECTIONS;

/// The letters a batch's mails belong to, each read and rendered once;
/// a letter deleted meanwhile is missing (its mail went with it).
async fn letters_of(
    store: &dyn Store,
    claimed: &[OutboxMail],
) -> AppResult<HashMap<i64, LetterBody>> {
    let mut letters = HashMap::new();
    for id in claimed.iter().filter_map(|m| m.letter_id) {
        if letters.contains_key(&id) {
            continue;
        }
        match store.letter(id).await {
            Ok(letter) => {
                letters.insert(id, LetterBody::new(&letter));
            }
            Err(kith_store::StoreError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(letters)
}

/// A letter's mail with its bodies, for its recipient.
fn letter_mail(
    mail: &OutboxMail,
    letters: &HashMap<i64, LetterBody>,
) -> Result<OutboxMail, DeliveryError> {
    let letter = mail
        .letter_id
        .and_then(|id| letters.get(&id))
        .ok_or_else(|| DeliveryError::permanent("the letter is gone"))?;
    let url = mail
        .unsubscribe_url
        .as_deref()
        .ok_or_else(|| DeliveryError::permanent("a letter without its links"))?;
    let (text, html) = render_letter(letter, &LetterFooter::for_recipient(url))
        .map_err(|_| DeliveryError::permanent("the letter could not be rendered"))?;
    Ok(OutboxMail {
        subject: letter.subject.clone(),
        text,
        html,
        ..mail.clone()
    })
}

async fn send_one(
    store: &dyn Store,
    transport: &Transport,
    settings: &SenderSettings,
    letters: &HashMap<i64, LetterBody>,
    mail: &OutboxMail,
    now: Timestamp,
) -> AppResult<Outcome> {
    let built = if mail.letter_id.is_some() {
        letter_mail(mail, letters).and_then(|full| build_message(&settings.from, &full))
    } else {
        build_message(&settings.from, mail)
    };
    let outcome = match built {
        Ok(message) => {
            settings.rate.until_ready().await;
            transport.deliver(message, &mail.message_key).await
        }
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => {
            metrics::counter!("kith_mail_sent_total").increment(1);
            // Marked sent with its chunk, by the caller.
            if mail.letter_id.is_some() {
                // A letter's hundred thousand would drown the log.
                tracing::debug!(mail.id = mail.id, mail.kind = %mail.kind, "mail sent");
            } else {
                tracing::info!(mail.id = mail.id, mail.kind = %mail.kind, "mail sent");
            }
            Ok(Outcome::Sent)
        }
        Err(err) => {
            metrics::counter!("kith_mail_send_failures_total").increment(1);
            if err.permanent {
                refused(store, mail).await?;
            }
            let retry = (!err.permanent)
                .then(|| settings.retry_at(mail.attempts, now))
                .flatten();
            store
                .mark_mail_failed(mail.id, &err.summary, retry, now)
                .await?;
            if retry.is_some() {
                tracing::warn!(mail.id = mail.id, mail.kind = %mail.kind, mail.attempts = mail.attempts, error = %err.summary, "mail not sent; trying again later");
                Ok(Outcome::Retried)
            } else {
                tracing::error!(mail.id = mail.id, mail.kind = %mail.kind, mail.attempts = mail.attempts, error = %err.summary, "mail given up");
                Ok(Outcome::GaveUp)
            }
        }
    }
}

/// What a mail refused for good means beyond itself, by its kind: a
/// guest's address that refuses their confirmation link can never
/// confirm, so what waits for it goes at once (nothing they wrote stays);
/// one that refuses a reply mail gets no more of them. Done before the
/// mail is marked, so a failure here leaves the mail to be tried again.
async fn refused(store: &dyn Store, mail: &OutboxMail) -> AppResult<()> {
    match mail.kind.as_str() {
        GuestCommentConfirm::KIND => {
            let comments = store.forget_refused_guest(mail.id).await?;
            tracing::info!(
                mail.id = mail.id,
                comments,
                "a guest's address refused their link: their waiting comments are deleted"
            );
        }
        GuestCommentReply::KIND => {
            store.stop_refused_guest_reply_mail(mail.id).await?;
            tracing::info!(
                mail.id = mail.id,
                "a guest's address refused a reply mail: no more are sent"
            );
        }
        _ => {}
    }
    Ok(())
}

/// Deletes what the mail system no longer needs: sent mail older than a
/// week, unsubscribe tokens older than half a year, expired account
/// tokens, and guests' leftovers (expired links, comments never confirmed,
/// guests never confirmed with nothing left, with their addresses), and
/// the mailing list's unconfirmed signups and links past their time. Logs
/// what fails and goes on: the next round tries again.
pub async fn prune(store: &dyn Store, now: Timestamp) {
    let week = now
        .saturating_sub(SignedDuration::from_hours(7 * 24))
        .unwrap_or(now);
    let half_year = now
        .saturating_sub(SignedDuration::from_hours(183 * 24))
        .unwrap_or(now);
    match store.prune_mail(week, half_year).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(mails = n, "old sent mail deleted"),
        Err(err) => tracing::warn!(error = %err, "could not prune the outbox"),
    }
    if let Err(err) = store.prune_account_tokens(now).await {
        tracing::warn!(error = %err, "could not delete expired account tokens");
    }
    match store.prune_guests(now).await {
        Ok(pruned) if pruned == PrunedGuests::default() => {}
        Ok(pruned) => tracing::info!(
            guest_tokens = pruned.tokens,
            comments = pruned.comments,
            guests = pruned.guests,
            "guests' unconfirmed comments and expired links deleted"
        ),
        Err(err) => tracing::warn!(error = %err, "could not prune guests' leftovers"),
    }
    match store.prune_subscribers(now).await {
        Ok(pruned) if pruned == PrunedSubscribers::default() => {}
        Ok(pruned) => tracing::info!(
            subscribers = pruned.subscribers,
            subscriber_tokens = pruned.tokens,
            "unconfirmed signups and expired mailing-list links deleted"
        ),
        Err(err) => tracing::warn!(error = %err, "could not prune the mailing list's leftovers"),
    }
}

/// Sends due mail for as long as the process runs: a round whenever
/// `wake` is notified (a mail was written) or `settings.poll` passed, and
/// at once again while rounds find full batches. [`prune`]s hourly.
pub async fn run_sender(
    store: Arc<dyn Store>,
    transport: Transport,
    settings: SenderSettings,
    clock: Clock,
    wake: Arc<Notify>,
) {
    run_sender_until(
        store,
        transport,
        settings,
        clock,
        wake,
        std::future::pending(),
    )
    .await;
}

/// [`run_sender`] until `stop` completes: a batch under way is finished
/// and recorded first (what it could not send keeps its lease and is sent
/// again once that runs out), so a restart leaves the outbox as a batch
/// boundary leaves it.
pub async fn run_sender_until(
    store: Arc<dyn Store>,
    transport: Transport,
    settings: SenderSettings,
    clock: Clock,
    wake: Arc<Notify>,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut last_prune: Option<Instant> = None;
    let mut limit = settings.batch;
    let mut stop = std::pin::pin!(stop);
    loop {
        // Checked between batches only: a batch is never cut halfway.
        if futures::FutureExt::now_or_never(stop.as_mut()).is_some() {
            return;
        }
        let report = send_batch(store.as_ref(), &transport, &settings, limit, clock.now()).await;
        let busy = match report {
            Ok(report) => report.claimed() >= limit && report.left == 0,
            Err(err) => {
                tracing::warn!(error = %err, "could not read the outbox");
                false
            }
        };
        if last_prune.is_none_or(|at| at.elapsed() > Duration::from_secs(3600)) {
            last_prune = Some(Instant::now());
            prune(store.as_ref(), clock.now()).await;
        }
        // A full batch means more is waiting (a letter): claim more at once.
        limit = if busy {
            settings.busy_batch.max(settings.batch)
        } else {
            settings.batch
        };
        if !busy {
            tokio::select! {
                () = &mut stop => return,
                _ = tokio::time::timeout(settings.poll, wake.notified()) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap_then_give_up() {
        let settings = SenderSettings::new("kith@kith.example".parse().expect("from"));
        let now: Timestamp = "2026-06-01T10:00:00Z".parse().expect("now");
        let wait = |attempts| {
            settings
                .retry_at(attempts, now)
                .map(|at| at.duration_since(now).as_secs())
        };
        assert_eq!(wait(1), Some(60));
        assert_eq!(wait(2), Some(120));
        assert_eq!(wait(3), Some(240));
        assert_eq!(wait(7), Some(3600));
        assert_eq!(wait(8), None);
    }
}
