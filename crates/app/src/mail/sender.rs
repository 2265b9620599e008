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

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use kith_store::Store;
use kith_store::comments::PrunedGuests;
use kith_store::mail::OutboxMail;
use kith_store::newsletter::PrunedSubscribers;
use lettre::message::Mailbox;
use tokio::sync::Notify;

use super::MailKind;
use super::kinds::{GuestCommentConfirm, GuestCommentReply};
use super::transport::{Transport, build_message};
use crate::{AppResult, Clock};

/// How the sender works.
#[derive(Debug, Clone)]
pub struct SenderSettings {
    /// The `From:` of every mail (`KITH_MAIL_FROM`).
    pub from: Mailbox,
    /// Mails claimed at once.
    pub batch: u32,
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
            lease: Duration::from_secs(10 * 60),
            max_attempts: 8,
            first_retry: SignedDuration::from_secs(60),
            max_retry: SignedDuration::from_hours(1),
            poll: Duration::from_secs(5),
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

/// Claims one batch of due mail and sends it.
pub async fn send_due(
    store: &dyn Store,
    transport: &Transport,
    settings: &SenderSettings,
    now: Timestamp,
) -> AppResult<SendReport> {
    let started = Instant::now();
    let lease = SignedDuration::try_from(settings.lease).unwrap_or(SignedDuration::from_secs(600));
    let lease_until = now.saturating_add(lease).unwrap_or(now);
    let claimed = store.claim_mail(now, lease_until, settings.batch).await?;
    let mut report = SendReport::default();
    // Keep a margin: a send that began just before the lease ended could
    // still be running when another sender claims the mail.
    let usable = settings.lease.mul_f64(0.5);
    for mail in claimed {
        if started.elapsed() > usable {
            report.left += 1;
            continue;
        }
        let outcome = match build_message(&settings.from, &mail) {
            Ok(message) => transport.deliver(message, &mail.message_key).await,
            Err(err) => Err(err),
        };
        match outcome {
            Ok(()) => {
                store.mark_mail_sent(mail.id, now).await?;
                tracing::info!(mail.id = mail.id, mail.kind = %mail.kind, "mail sent");
                report.sent += 1;
            }
            Err(err) => {
                if err.permanent {
                    refused(store, &mail).await?;
                }
                let retry = (!err.permanent)
                    .then(|| settings.retry_at(mail.attempts, now))
                    .flatten();
                store
                    .mark_mail_failed(mail.id, &err.summary, retry, now)
                    .await?;
                if retry.is_some() {
                    tracing::warn!(mail.id = mail.id, mail.kind = %mail.kind, mail.attempts = mail.attempts, error = %err.summary, "mail not sent; trying again later");
                    report.retried += 1;
                } else {
                    tracing::error!(mail.id = mail.id, mail.kind = %mail.kind, mail.attempts = mail.attempts, error = %err.summary, "mail given up");
                    report.gave_up += 1;
                }
            }
        }
    }
    Ok(report)
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
    let mut last_prune: Option<Instant> = None;
    loop {
        let report = send_due(store.as_ref(), &transport, &settings, clock.now()).await;
        let busy = match report {
            Ok(report) => report.claimed() >= settings.batch && report.left == 0,
            Err(err) => {
                tracing::warn!(error = %err, "could not read the outbox");
                false
            }
        };
        if last_prune.is_none_or(|at| at.elapsed() > Duration::from_secs(3600)) {
            last_prune = Some(Instant::now());
            prune(store.as_ref(), clock.now()).await;
        }
        if !busy {
            let _ = tokio::time::timeout(settings.poll, wake.notified()).await;
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
