//! Reports on both backends: one open report per person and target, a
//! decision's effect with its audit row and mail, one appeal, and a digest
//! claimed once a day.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::group::ListingStatus;
use kith_domain::ids::ReportId;
use kith_domain::reports::{Action, Reason, ReportStatus, TargetKind};

use crate::accounts::{NewSession, SessionKind};
use crate::mail::Audience;
use crate::model::AccountId;
use crate::reports::{NewReport, ReportDecision};
use crate::rooms::{Announcement, NewLogEntry, RoomSummary, SiteCommand};
use crate::testing::{TestNotice, account, audit_by, now, two_groups};
use crate::{Store, StoreError};

fn about_group(reporter: AccountId, group: i64, host: AccountId) -> NewReport<'static> {
    NewReport {
        reporter: Some(reporter),
        kind: TargetKind::Group,
        target_id: group,
        target_ref: "",
        author: Some(host),
        excerpt: "Quiet River",
        reason: Reason::UnsafeAdvice,
        details: "It tells people to stop at once.",
    }
}

fn decision(action: Action, moderator: AccountId) -> ReportDecision<'static> {
    ReportDecision {
        action,
        note: "Stopping at once is not safe advice.",
        moderator,
        suspend_until: None,
        room: None,
    }
}

async fn willow(store: &Arc<dyn Store>) -> AccountId {
    store.ensure_account("willow", now()).await.expect("host")
}

crate::on_both_backends!(
    a_second_open_report_on_the_same_target_by_the_same_person_is_the_first,
    |store: Arc<dyn Store>| async move {
        let (_, ids) = two_groups(&store, ListingStatus::Listed).await;
        let host = willow(&store).await;
        let ana = account(&store, "ana").await;
        let joe = account(&store, "joe").await;
        let (first, new) = store
            .create_report(&about_group(ana, ids[0].0, host), now())
            .await
            .expect("report");
        assert!(new);
        let (again, new) = store
            .create_report(&about_group(ana, ids[0].0, host), now())
            .await
            .expect("again");
        assert_eq!((again.clone(), new), (first.clone(), false));
        let (other, new) = store
            .create_report(&about_group(joe, ids[0].0, host), now())
            .await
            .expect("another reporter");
        assert!(new);
        assert_ne!(other, first);
        let waiting = store.reports_waiting(10).await.expect("queue");
        assert_eq!(waiting.len(), 2);
        assert_eq!(waiting[0].id, first);
        assert_eq!(waiting[0].reporter_handle.as_deref(), Some("ana"));
        assert_eq!(waiting[0].author_handle.as_deref(), Some("willow"));
        let name = waiting[0].target_name.as_deref().unwrap_or_default();
        assert!(name.starts_with("quiet-river"), "{name}");
        assert_eq!(waiting[0].status, ReportStatus::Open);
        assert_eq!(store.reports_made_by(joe).await.expect("mine").len(), 1);
        let missing = store.report(&ReportId::random()).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    }
);

crate::on_both_backends!(
    hiding_a_listing_unlists_it_audits_and_mails_in_one_decision_that_happens_once,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Listed).await;
        let host = willow(&store).await;
        let ana = account(&store, "ana").await;
        let warden = account(&store, "warden").await;
        let (id, _) = store
            .create_report(&about_group(ana, ids[0].0, host), now())
            .await
            .expect("report");
        let audit = audit_by(warden, "warden", "report.hide", "report:x");
        let told = TestNotice::to(Audience::Accounts(vec![ana, host]));
        let decided = store
            .decide_report(&id, &decision(Action::Hide, warden), &audit, &told, now())
            .await
            .expect("decide");
        assert_eq!(decided.status, ReportStatus::Decided);
        assert_eq!(decided.decision, Some(Action::Hide));
        assert_eq!(decided.decided_by, Some(warden));
        let access = store
            .group_access(&groups[0].profile.slug)
            .await
            .expect("access");
        assert_eq!(access.status, ListingStatus::Unlisted);
        assert!(access.review_note.is_some(), "relisting goes to review");
        assert_eq!(
            store.audit_log(5).await.expect("audit")[0].action,
            "report.hide"
        );
        // The demo host has no address: only the reporter's mail is kept.
        assert_eq!(store.outbox_states().await.expect("outbox").len(), 1);
        let twice = store
            .decide_report(
                &id,
                &decision(Action::Dismiss, warden),
                &audit,
                &told,
                now(),
            )
            .await;
        assert!(matches!(twice, Err(StoreError::Stale)), "{twice:?}");
        assert_eq!(store.outbox_states().await.expect("outbox").len(), 1);
        assert!(store.reports_waiting(10).await.expect("queue").is_empty());
    }
);

crate::on_both_backends!(
    a_suspension_ends_the_authors_sessions_until_it_lapses_and_an_overturned_appeal_lifts_it,
    |store: Arc<dyn Store>| async move {
        let mallory = account(&store, "mallory").await;
        let ana = account(&store, "ana").await;
        let warden = account(&store, "warden").await;
        store
            .create_session(
                &NewSession {
                    token_hash: "h".repeat(64),
                    account: mallory,
                    kind: SessionKind::Browser,
                    csrf_token: "c".to_owned(),
                    idle_seconds: 3600,
                    expires_at: now() + SignedDuration::from_hours(8),
                },
                now(),
            )
            .await
            .expect("session");
        let report = NewReport {
            reporter: Some(ana),
            kind: TargetKind::Person,
            target_id: mallory.0,
            target_ref: "",
            author: Some(mallory),
            excerpt: "mallory",
            reason: Reason::Harassment,
            details: "",
        };
        let (id, _) = store.create_report(&report, now()).await.expect("report");
        let until = now() + SignedDuration::from_hours(72);
        let suspend = ReportDecision {
            suspend_until: Some(until),
            ..decision(Action::Suspend, warden)
        };
        let audit = audit_by(warden, "warden", "report.suspend", "report:x");
        let told = TestNotice::to(Audience::Nobody);
        store
            .decide_report(&id, &suspend, &audit, &told, now())
            .await
            .expect("suspend");
        assert_eq!(
            store.suspended_until(mallory, now()).await.expect("until"),
            Some(until)
        );
        let lapsed = until + SignedDuration::from_secs(1);
        assert_eq!(
            store
                .suspended_until(mallory, lapsed)
                .await
                .expect("lapsed"),
            None
        );
        let session = store
            .session(&"h".repeat(64), now())
            .await
            .expect("session");
        assert!(session.is_none(), "the suspension ended the session");

        let to_warden = TestNotice::to(Audience::Accounts(vec![warden]));
        let not_author = store
            .appeal_report(&id, ana, "Not mine.", &to_warden, now())
            .await;
        assert!(matches!(not_author, Err(StoreError::Stale)));
        let before = store.outbox_states().await.expect("outbox").len();
        store
            .appeal_report(&id, mallory, "I was quoting someone.", &to_warden, now())
            .await
            .expect("appeal");
        let once = store
            .appeal_report(&id, mallory, "Again.", &to_warden, now())
            .await;
        assert!(matches!(once, Err(StoreError::Stale)), "one appeal only");
        assert_eq!(
            store.outbox_states().await.expect("outbox").len(),
            before + 1,
            "the appeal's mail, once, and none for a refused one"
        );
        let appealed = store.report(&id).await.expect("report");
        assert_eq!(appealed.status, ReportStatus::Appealed);
        assert_eq!(appealed.appeal_excluded, Some(warden));
        assert_eq!(store.reports_waiting(5).await.expect("queue").len(), 1);
        let audit = audit_by(ana, "ana", "report.appeal.overturn", "report:x");
        let closed = store
            .decide_appeal(&id, true, &audit, &told, now())
            .await
            .expect("overturn");
        assert_eq!(closed.status, ReportStatus::Closed);
        assert_eq!(closed.appeal_outcome.as_deref(), Some("overturned"));
        assert_eq!(
            store.suspended_until(mallory, now()).await.expect("lifted"),
            None
        );
        assert!(store.other_moderators_exist(warden).await.is_ok());
    }
);

crate::on_both_backends!(
    a_days_digest_of_overdue_reports_is_claimed_and_mailed_once,
    |store: Arc<dyn Store>| async move {
        let (_, ids) = two_groups(&store, ListingStatus::Listed).await;
        let host = willow(&store).await;
        let ana = account(&store, "ana").await;
        let keeper = account(&store, "keeper").await;
        store
            .create_report(&about_group(ana, ids[1].0, host), now())
            .await
            .expect("report");
        let later = now() + SignedDuration::from_hours(49);
        let overdue = store
            .open_reports_since(later - SignedDuration::from_hours(48))
            .await
            .expect("overdue");
        assert_eq!(overdue.len(), 1);
        assert!(
            store
                .open_reports_since(now() - SignedDuration::from_secs(1))
                .await
                .expect("none")
                .is_empty()
        );
        let told = TestNotice::to(Audience::Accounts(vec![keeper]));
        assert!(
            store
                .claim_report_digest(20_000, &overdue, &told, later)
                .await
                .expect("claim")
        );
        assert!(
            !store
                .claim_report_digest(20_000, &overdue, &told, later)
                .await
                .expect("again")
        );
        assert_eq!(store.outbox_states().await.expect("outbox").len(), 1);
    }
);

crate::on_both_backends!(
    hiding_a_room_message_appends_the_sites_removal_to_its_open_room_and_announces_it,
    |store: Arc<dyn Store>| async move {
        let (groups, _) = two_groups(&store, ListingStatus::Listed).await;
        let host = willow(&store).await;
        let ana = account(&store, "ana").await;
        let joe = account(&store, "joe").await;
        let warden = account(&store, "warden").await;
        let meeting = store
            .upcoming_occurrences(&groups[0].profile.slug, now(), 1)
            .await
            .expect("meetings")[0]
            .id
            .clone();
        let said = NewLogEntry {
            seq: 1,
            actor: "{\"account\":1}",
            client_id: "c1",
            command: "{}",
            events: "[]",
            at_ms: 0,
        };
        store
            .append_room_command(&meeting, &said)
            .await
            .expect("append");
        let mut listener = store.room_listener().await.expect("listener");
        let about_message = |reporter| NewReport {
            reporter: Some(reporter),
            kind: TargetKind::RoomMessage,
            target_id: 1,
            target_ref: meeting.as_str(),
            author: Some(host),
            excerpt: "Just stop taking it.",
            reason: Reason::UnsafeAdvice,
            details: "",
        };
        let removal = SiteCommand {
            occurrence: &meeting,
            actor: "{\"account\":9}",
            client_id: "report-1",
            command: "{\"type\":\"site_remove_message\",\"id\":1}",
            events: "[{\"type\":\"message_removed\",\"id\":1}]",
            at_ms: 5_000,
        };
        let hide = ReportDecision {
            room: Some(removal),
            ..decision(Action::Hide, warden)
        };
        let audit = audit_by(warden, "warden", "report.hide", "report:x");
        let told = TestNotice::to(Audience::Nobody);
        let (id, _) = store
            .create_report(&about_message(ana), now())
            .await
            .expect("report");
        store
            .decide_report(&id, &hide, &audit, &told, now())
            .await
            .expect("hide");
        let log = store.room_log(&meeting).await.expect("log");
        assert_eq!(log.len(), 2, "{log:?}");
        assert_eq!((log[1].seq, log[1].client_id.as_str()), (2, "report-1"));
        assert_eq!(log[1].command, removal.command);
        let heard = tokio::time::timeout(std::time::Duration::from_secs(5), listener.next())
            .await
            .expect("announced in time")
            .expect("heard");
        assert_eq!(
            heard,
            Announcement::Appended {
                occurrence: meeting.clone(),
                seq: 2
            }
        );

        // Once the room closed (its log deleted), a decision appends
        // nothing, and still stands.
        let summary = RoomSummary {
            present: 2,
            spoken_seconds: 0,
        };
        store
            .close_room(&meeting, summary, now())
            .await
            .expect("close");
        let (later, _) = store
            .create_report(&about_message(joe), now())
            .await
            .expect("report");
        let removal = SiteCommand {
            client_id: "report-2",
            ..removal
        };
        let remove = ReportDecision {
            room: Some(removal),
            ..decision(Action::Remove, warden)
        };
        let decided = store
            .decide_report(&later, &remove, &audit, &told, now())
            .await
            .expect("remove");
        assert_eq!(decided.status, ReportStatus::Decided);
        assert!(store.room_log(&meeting).await.expect("log").is_empty());
    }
);

crate::on_both_backends!(
    a_visitors_reports_have_no_reporter_and_each_is_new,
    |store: Arc<dyn Store>| async move {
        let (_, ids) = two_groups(&store, ListingStatus::Listed).await;
        let host = willow(&store).await;
        let visitor = NewReport {
            reporter: None,
            ..about_group(host, ids[0].0, host)
        };
        let (first, new) = store.create_report(&visitor, now()).await.expect("report");
        assert!(new);
        let (second, new) = store.create_report(&visitor, now()).await.expect("again");
        assert!(new, "no one to hold to one open report");
        assert_ne!(first, second);
        let read = store.report(&first).await.expect("read");
        assert_eq!((read.reporter, read.reporter_handle), (None, None));
        assert_eq!(read.author, Some(host));
        assert_eq!(store.reports_waiting(10).await.expect("queue").len(), 2);
    }
);
