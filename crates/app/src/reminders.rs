//! Reminders before meetings, by mail: a day before and an hour before, to
//! each host and member of the group who wants them (both on by default;
//! `/me/notifications` turns either off). A background task in `kith serve`
//! writes them to the outbox; a row in `reminders_sent` makes each go out
//! once per person, meeting and kind, even with several instances.
//!
//! The row is claimed before the mail is written, so a crash between the
//! two loses that one reminder rather than sending it twice: a reminder
//! is a courtesy, a duplicate is noise.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kith_domain::group::Format;
use kith_domain::zone::Zone;
use kith_store::mail::{Audience, NoMail, Notices};
use kith_store::membership::DueReminder;

use crate::mail::kinds::{ReminderDayBefore, ReminderHourBefore, ReminderText};
use crate::mail::time::MailTime;
use crate::mail::{MailKind, Tell};
use crate::{App, AppResult};

/// How many due reminders one pass reads.
const BATCH: u32 = 500;

/// Which reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// A day before: for meetings starting in more than an hour and at most
    /// a day.
    Day,
    /// An hour before: for meetings starting within the hour.
    Hour,
}

impl Before {
    /// Both, the later one first so a meeting an hour away gets only its
    /// hour reminder.
    pub const ALL: [Self; 2] = [Self::Hour, Self::Day];

    /// The stable code (the preference's and the ledger's).
    pub fn code(self) -> &'static str {
        match self {
            Self::Day => "reminder_24h",
            Self::Hour => "reminder_1h",
        }
    }

    /// The meetings it is for: those starting in this window.
    pub fn window(self, now: Timestamp) -> (Timestamp, Timestamp) {
        let hour = now + SignedDuration::from_hours(1);
        match self {
            Self::Hour => (now, hour),
            Self::Day => (hour, now + SignedDuration::from_hours(24)),
        }
    }
}

/// Where a reminder sends a member to take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinAt {
    /// The meeting's live room in kith: an online group with no call link
    /// or dial-in of its own meets there.
    Room,
    /// The group page's private details (call link, dial-in, address),
    /// which members see there.
    Details,
}

impl JoinAt {
    /// The code the mail templates read.
    pub fn code(self) -> &'static str {
        match self {
            Self::Room => "room",
            Self::Details => "details",
        }
    }
}

/// The anchor of the group page's private details (`group.html`).
pub const DETAILS_ANCHOR: &str = "private-details";

/// Where a group of `format` (if known), with or without a call link or
/// dial-in of its own, takes part.
pub fn join_at(format: Option<Format>, has_call: bool) -> JoinAt {
    match format {
        Some(Format::Phone | Format::Video | Format::Hybrid) if !has_call => JoinAt::Room,
        _ => JoinAt::Details,
    }
}

/// Writes every due reminder to the outbox; answers how many were written.
pub async fn send_due(app: &App, now: Timestamp) -> AppResult<usize> {
    let store = app.store();
    let mut written = 0;
    for before in Before::ALL {
        let (from, until) = before.window(now);
        for due in store
            .due_reminders(before.code(), from, until, BATCH)
            .await?
        {
            if remind(app, before, &due, now).await? {
                written += 1;
            }
        }
    }
    Ok(written)
}

/// One reminder: claimed in the ledger, with its mail if the person wants
/// it, in one transaction. Answers whether a mail was written.
async fn remind(app: &App, before: Before, due: &DueReminder, now: Timestamp) -> AppResult<bool> {
    let store = app.store();
    let site = app.site_url();
    let preferences = store.notification_preferences(due.account).await?;
    let zone = Zone::parse(&due.time_zone).unwrap_or_else(|_| Zone::utc());
    let reader = due
        .account_zone
        .as_deref()
        .and_then(|z| Zone::parse(z).ok());
    let group_url = site.link(&format!("/groups/{}", due.slug));
    let join_at = join_at(Format::parse(&due.format), due.has_call);
    let meeting = ReminderText {
        group_name: due.group_name.clone(),
        when: MailTime::new(due.occurrence.starts_at, &zone, reader.as_ref()),
        join_url: match join_at {
            JoinAt::Room => site.link(&format!("/meetings/{}/room", due.occurrence.id)),
            JoinAt::Details => format!("{group_url}#{DETAILS_ANCHOR}"),
        },
        join_at: join_at.code(),
        group_url,
    };
    let to = Audience::Accounts(vec![due.account]);
    let (claimed, wanted) = match before {
        Before::Day if ReminderDayBefore::wanted(&preferences) => {
            let mail = Tell::fixed(site, to, ReminderDayBefore { meeting });
            (claim(app, before, due, &mail, now).await?, true)
        }
        Before::Hour if ReminderHourBefore::wanted(&preferences) => {
            let mail = Tell::fixed(site, to, ReminderHourBefore { meeting });
            (claim(app, before, due, &mail, now).await?, true)
        }
        // Claimed all the same: it is never weighed again.
        _ => (claim(app, before, due, &NoMail, now).await?, false),
    };
    if claimed && wanted {
        app.mailed();
    }
    Ok(claimed && wanted)
}

/// Claims a reminder in the ledger with the mail `notices` makes.
async fn claim(
    app: &App,
    before: Before,
    due: &DueReminder,
    notices: &dyn Notices<()>,
    now: Timestamp,
) -> AppResult<bool> {
    Ok(app
        .store()
        .claim_reminder(&due.occurrence.id, due.account, before.code(), notices, now)
        .await?)
}

/// Writes due reminders every `every`; each wakes the mail sender.
pub async fn run_reminders(app: App, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match send_due(&app, app.now()).await {
            Ok(0) => {}
            Ok(written) => tracing::info!(written, "reminders written"),
            Err(err) => tracing::warn!(error = %err, "could not write reminders"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_groups_without_a_call_of_their_own_meet_in_the_room() {
        assert_eq!(join_at(Some(Format::Video), false), JoinAt::Room);
        assert_eq!(join_at(Some(Format::Phone), false), JoinAt::Room);
        assert_eq!(join_at(Some(Format::Hybrid), false), JoinAt::Room);
        assert_eq!(join_at(Some(Format::Video), true), JoinAt::Details);
        assert_eq!(join_at(Some(Format::InPerson), false), JoinAt::Details);
        assert_eq!(join_at(None, false), JoinAt::Details);
    }

    #[test]
    fn the_windows_meet_without_overlap() {
        let now: Timestamp = "2026-06-01T10:00:00Z".parse().expect("now");
        let (hour_from, hour_until) = Before::Hour.window(now);
        let (day_from, day_until) = Before::Day.window(now);
        assert_eq!(hour_from, now);
        assert_eq!(hour_until, day_from);
        assert_eq!(day_until, now + SignedDuration::from_hours(24));
        assert_eq!(Before::Day.code(), "reminder_24h");
        assert_eq!(Before::Hour.code(), "reminder_1h");
    }
}
