//! The daily journal reminder: a neutral mail ("Your kith reminder") at a
//! local time the member chooses on their journal page, off until they
//! turn it on; its one-click unsubscribe turns it off again. A background
//! task in `kith serve` writes due ones to the outbox; the ledger
//! (`journal_reminders_sent`) lets each local day's go out once, even with
//! several instances, claimed before its mail is written (a crash loses
//! a reminder rather than doubling it, as meeting reminders do).
//!
//! The time is read in the zone kept on the account (UTC without one);
//! a time a day skips or has twice follows the domain's rule
//! ([`kith_domain::journal_reminder`]).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kith_domain::journal_reminder::ReminderTime;
use kith_domain::zone::Zone;
use kith_store::journal_reminders::{JournalReminderChoice, ReminderHolder};
use kith_store::mail::Audience;
use kith_store::model::AccountId;

use crate::access::Person;
use crate::mail::Tell;
use crate::mail::kinds::JournalReminder;
use crate::{App, AppError, AppResult};

/// How many holders one page of a pass reads.
const BATCH: u32 = 500;

/// How long a day's ledger row is kept: well past its window.
const LEDGER_KEPT: SignedDuration = SignedDuration::from_hours(72);

/// A member's reminder as their journal page shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderSetting {
    /// Whether it goes out.
    pub on: bool,
    /// The time chosen last, kept while it is off.
    pub at: Option<ReminderTime>,
}

/// The member's reminder.
pub async fn setting(app: &App, person: &Person) -> AppResult<ReminderSetting> {
    let choice = app.store().journal_reminder(person.id).await?;
    Ok(ReminderSetting {
        on: choice.on,
        // A stored time that does not read is as none: the form asks again.
        at: choice
            .at
            .as_deref()
            .and_then(|at| ReminderTime::parse(at).ok()),
    })
}

/// Turns the reminder on at the typed time, or off. A time must be given
/// to turn it on; a typed one must read as `HH:MM` either way (refused as
/// the field `reminder_time`); off with none typed keeps the one before.
pub async fn choose(
    app: &App,
    person: &Person,
    on: bool,
    raw_time: &str,
    now: Timestamp,
) -> AppResult<ReminderSetting> {
    let typed = match ReminderTime::parse(raw_time) {
        Ok(time) => Some(time),
        Err(refusal) if on || refusal.code != "required" => {
            return Err(AppError::Invalid(vec![refusal]));
        }
        Err(_) => None,
    };
    let at = match typed {
        Some(time) => Some(time),
        None => setting(app, person).await?.at,
    };
    let choice = JournalReminderChoice {
        on,
        at: at.map(|t| t.to_string()),
    };
    app.store()
        .set_journal_reminder(person.id, &choice, now)
        .await?;
    Ok(ReminderSetting { on, at })
}

/// Writes every reminder due at `now` to the outbox; answers how many.
pub async fn send_due(app: &App, now: Timestamp) -> AppResult<usize> {
    let store = app.store();
    store.prune_journal_reminders(now - LEDGER_KEPT).await?;
    let mut written = 0;
    let mut after = AccountId(0);
    loop {
        let holders = store.journal_reminder_holders(after, BATCH).await?;
        let Some(last) = holders.last() else {
            break;
        };
        after = last.account;
        for holder in &holders {
            if remind(app, holder, now).await? {
                written += 1;
            }
        }
    }
    if written > 0 {
        app.mailed();
    }
    Ok(written)
}

/// One holder's reminder, if a day's is due and not yet written.
async fn remind(app: &App, holder: &ReminderHolder, now: Timestamp) -> AppResult<bool> {
    let Ok(time) = ReminderTime::parse(&holder.at) else {
        return Ok(false);
    };
    let zone = holder
        .time_zone
        .as_deref()
        .and_then(|z| Zone::parse(z).ok())
        .unwrap_or_else(Zone::utc);
    let Some(day) = time.due_day(now, &zone) else {
        return Ok(false);
    };
    let site = app.site_url();
    let mail = JournalReminder {
        journal_url: site.link("/journal"),
    };
    let notices = Tell::fixed(site, Audience::Accounts(vec![holder.account]), mail);
    Ok(app
        .store()
        .claim_journal_reminder(holder.account, &day.to_string(), &notices, now)
        .await?)
}

/// Writes due journal reminders every `every`; each pass wakes the mail
/// sender when it wrote one.
pub async fn run_journal_reminders(app: App, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match send_due(&app, app.now()).await {
            Ok(0) => {}
            Ok(written) => tracing::info!(written, "journal reminders written"),
            Err(err) => tracing::warn!(error = %err, "could not write journal reminders"),
        }
    }
}
