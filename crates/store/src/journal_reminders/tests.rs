//! The journal reminder's choice, holders and ledger on both backends.

use std::sync::Arc;

use jiff::SignedDuration;

use super::*;
use crate::Store;
use crate::mail::NotificationPreferences;
use crate::mail::notices::Audience;
use crate::testing::{TestNotice, account, now};

crate::on_both_backends!(
    the_reminder_is_off_until_chosen_and_keeps_the_other_preferences,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        assert_eq!(
            store.journal_reminder(river).await.expect("read"),
            JournalReminderChoice::default()
        );
        assert!(
            !store
                .notification_preferences(river)
                .await
                .expect("prefs")
                .journal_reminder,
            "off by default"
        );
        let quiet = NotificationPreferences {
            announcements: false,
            ..NotificationPreferences::default()
        };
        store
            .set_notification_preferences(river, &quiet, now())
            .await
            .expect("prefs");
        let on = JournalReminderChoice {
            on: true,
            at: Some("08:00".to_owned()),
        };
        store
            .set_journal_reminder(river, &on, now())
            .await
            .expect("set");
        assert_eq!(store.journal_reminder(river).await.expect("read"), on);
        let prefs = store.notification_preferences(river).await.expect("prefs");
        assert!(prefs.journal_reminder && !prefs.announcements, "{prefs:?}");
        // Saving the other preferences leaves the reminder as it is.
        store
            .set_notification_preferences(river, &NotificationPreferences::default(), now())
            .await
            .expect("prefs again");
        assert_eq!(store.journal_reminder(river).await.expect("read"), on);
    }
);

crate::on_both_backends!(
    holders_are_those_with_it_on_and_an_address_and_each_day_is_claimed_once,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        let sky = account(&store, "Sky").await;
        let off = account(&store, "Off").await;
        for (who, on) in [(river, true), (sky, true), (off, false)] {
            let choice = JournalReminderChoice {
                on,
                at: Some("07:30".to_owned()),
            };
            store
                .set_journal_reminder(who, &choice, now())
                .await
                .expect("set");
        }
        let holders = store
            .journal_reminder_holders(AccountId(0), 10)
            .await
            .expect("holders");
        let accounts: Vec<AccountId> = holders.iter().map(|h| h.account).collect();
        assert_eq!(accounts, vec![river, sky]);
        assert_eq!(holders[0].at, "07:30");
        let page = store
            .journal_reminder_holders(river, 10)
            .await
            .expect("next page");
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].account, sky);

        let notice = TestNotice::to(Audience::Accounts(vec![river]));
        assert!(
            store
                .claim_journal_reminder(river, "2026-12-07", &notice, now())
                .await
                .expect("claim")
        );
        assert!(
            !store
                .claim_journal_reminder(river, "2026-12-07", &notice, now())
                .await
                .expect("claim again"),
            "a day's reminder is claimed once"
        );
        assert!(
            store
                .claim_journal_reminder(river, "2026-12-08", &notice, now())
                .await
                .expect("next day")
        );
        assert_eq!(store.outbox_states().await.expect("outbox").len(), 2);
        let later = now() + SignedDuration::from_hours(1);
        assert_eq!(
            store.prune_journal_reminders(later).await.expect("prune"),
            2
        );
    }
);
