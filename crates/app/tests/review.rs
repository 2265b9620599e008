//! A host lists a group; a moderator reviews it; edits, unlisting and
//! co-hosts — on a real database of each backend.

use std::sync::Arc;

use kith_app::App;
use kith_app::Conflict;
use kith_app::access::Person;
use kith_app::accounts;
use kith_app::directory::search;
use kith_app::moderation::{self, Decision};
use kith_app::testing::{self, now};
use kith_app::{AppError, hosting};
use kith_domain::account::Role;
use kith_domain::directory::RawFilters;
use kith_domain::group::ListingStatus;
use kith_domain::group_input::GroupInput;
use kith_domain::ids::Slug;
use kith_domain::listing::ListingChange;
use kith_domain::zone::Zone;
use kith_store::mail::NoMail;
use kith_store::moderation::StatusChange;
use kith_store::{Store, on_both_backends};

async fn person(app: &App, handle: &str, role: Role) -> Person {
    accounts::create_staff(app, &testing::registration(handle), role, now())
        .await
        .expect("account");
    testing::person(app, handle).await
}

fn form(name: &str) -> GroupInput {
    GroupInput::from_pairs([
        ("name", name),
        ("description", "We check in about tapering, gently."),
        ("agreements", "What is said here stays here."),
        ("facilitation_style", "check_in_round"),
        ("focus", "tapering"),
        ("format", "video"),
        ("language", "en"),
        ("time_zone", "Europe/Berlin"),
        ("rules[0].weekdays", "2"),
        ("rules[0].start", "19:00"),
        ("rules[0].duration_minutes", "90"),
        ("call_link", "https://meet.example.org/private-canary"),
    ])
}

async fn directory_names(app: &App, q: &str) -> Vec<String> {
    let filters = RawFilters::from_pairs([("q", q)])
        .parse(&Zone::utc())
        .expect("filters");
    search(app, &filters, now())
        .await
        .expect("search")
        .results
        .into_iter()
        .map(|r| r.hit.name)
        .collect()
}

async fn status(app: &App, slug: &Slug) -> (ListingStatus, Option<String>) {
    let store = app.store();
    let access = store.group_access(slug).await.expect("access");
    (access.status, access.review_note)
}

on_both_backends!(a_listing_is_reviewed_before_anyone_sees_it, |store: Arc<
    dyn Store,
>| async move {
    let app = &kith_app::testing::app(store.clone());
    let store = store.as_ref();
    let host = person(app, "willow", Role::Member).await;
    let stranger = person(app, "passerby", Role::Member).await;
    let moderator = person(app, "warden", Role::Moderator).await;
    let zone = Zone::utc();

    let slug = hosting::submit_group(app, &host, &form("Quillwort Circle"), now())
        .await
        .expect("submit");
    assert_eq!(status(app, &slug).await.0, ListingStatus::Pending);
    assert!(directory_names(app, "quillwort").await.is_empty());
    for reader in [None, Some(&stranger)] {
        let page = kith_app::groups::group_page(app, reader, &slug, &zone, now()).await;
        assert!(matches!(page, Err(AppError::NotFound)), "{reader:?}");
    }
    let page = kith_app::groups::group_page(app, Some(&host), &slug, &zone, now())
        .await
        .expect("the host sees it");
    assert!(page.may.host);
    let private = page.private.expect("the host sees the private fields");
    assert_eq!(
        private.call_link.as_deref(),
        Some("https://meet.example.org/private-canary")
    );
    let queue = moderation::queue(app, &moderator).await.expect("queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].hosts, vec!["willow"]);
    assert!(matches!(
        moderation::queue(app, &host).await,
        Err(AppError::NotFound)
    ));

    // A reason is required; nothing is written without one.
    let refused = moderation::decide(
        app,
        &moderator,
        &slug,
        &Decision::Reject {
            reason: "  ".into(),
        },
        now(),
    )
    .await;
    assert!(matches!(&refused, Err(AppError::Invalid(e)) if e[0].field == "reason"));
    assert!(
        store
            .audit_log(10)
            .await
            .expect("audit")
            .iter()
            .all(|a| a.action != "group.reject")
    );

    let reason = "Please describe who the group is for.";
    moderation::decide(
        app,
        &moderator,
        &slug,
        &Decision::Reject {
            reason: reason.into(),
        },
        now(),
    )
    .await
    .expect("reject");
    assert_eq!(
        status(app, &slug).await,
        (ListingStatus::Rejected, Some(reason.to_owned()))
    );
    let mine = hosting::my_groups(app, &host).await.expect("mine");
    assert_eq!(mine[0].review_note.as_deref(), Some(reason));

    // Editing a rejected listing resubmits it.
    let mut edited = form("Quillwort Circle");
    edited.description = "For anyone tapering, newcomers welcome.".into();
    hosting::edit_group(app, &host, &slug, &edited, now())
        .await
        .expect("edit");
    assert_eq!(status(app, &slug).await, (ListingStatus::Pending, None));

    // A host cannot approve their own listing.
    let own = moderation::decide(app, &host, &slug, &Decision::Approve, now()).await;
    assert!(matches!(own, Err(AppError::NotFound)));
    moderation::decide(app, &moderator, &slug, &Decision::Approve, now())
        .await
        .expect("approve");
    assert_eq!(
        directory_names(app, "quillwort").await,
        vec!["Quillwort Circle"]
    );
    let public = kith_app::groups::group_page(app, None, &slug, &zone, now())
        .await
        .expect("public now");
    assert!(public.private.is_none());
    let actions: Vec<String> = store
        .audit_log(10)
        .await
        .expect("audit")
        .into_iter()
        .map(|a| format!("{} {} {}", a.actor_handle, a.action, a.target))
        .collect();
    assert!(actions.contains(&format!("warden group.reject group:{slug}")));
    assert!(actions.contains(&format!("warden group.approve group:{slug}")));
});

on_both_backends!(
    a_listed_group_stays_live_through_edits_that_the_moderators_can_read,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let host = person(app, "willow", Role::Member).await;
        let moderator = person(app, "warden", Role::Moderator).await;
        let slug = hosting::submit_group(app, &host, &form("Quillwort Circle"), now())
            .await
            .expect("submit");
        moderation::decide(app, &moderator, &slug, &Decision::Approve, now())
            .await
            .expect("approve");

        let mut renamed = form("Bladderwrack Circle");
        renamed.rules[0].start = "20:00".into();
        hosting::edit_group(app, &host, &slug, &renamed, now())
            .await
            .expect("edit");
        assert_eq!(status(app, &slug).await.0, ListingStatus::Listed);
        assert_eq!(
            directory_names(app, "bladderwrack").await,
            vec!["Bladderwrack Circle"]
        );
        assert!(directory_names(app, "quillwort").await.is_empty());
        let upcoming = store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("upcoming");
        // Tuesday 2 June 2026, 20:00 in Berlin is 18:00 UTC.
        assert_eq!(upcoming[0].starts_at.to_string(), "2026-06-02T18:00:00Z");

        let changes = moderation::changes(app, &moderator).await.expect("changes");
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].handle.as_deref(), Some("willow"));
        let log: serde_json::Value = serde_json::from_str(&changes[0].changes).expect("json");
        assert_eq!(log["name"]["before"], "Quillwort Circle");
        assert_eq!(log["name"]["after"], "Bladderwrack Circle");

        // The host unlists and relists straight back.
        let unlisted = hosting::change_listing(app, &host, &slug, ListingChange::HostUnlist, now())
            .await
            .expect("unlist");
        assert_eq!(unlisted, ListingStatus::Unlisted);
        assert!(directory_names(app, "bladderwrack").await.is_empty());
        let relisted = hosting::change_listing(app, &host, &slug, ListingChange::HostRelist, now())
            .await
            .expect("relist");
        assert_eq!(relisted, ListingStatus::Listed);

        // Unlisted by a moderator, relisting goes back to review.
        moderation::decide(
            app,
            &moderator,
            &slug,
            &Decision::Unlist {
                reason: "Reports of disruption.".into(),
            },
            now(),
        )
        .await
        .expect("moderator unlists");
        let back = hosting::change_listing(app, &host, &slug, ListingChange::HostRelist, now())
            .await
            .expect("relist");
        assert_eq!(back, ListingStatus::Pending);
        assert!(directory_names(app, "bladderwrack").await.is_empty());
    }
);

on_both_backends!(co_hosts_are_added_by_handle_and_may_edit, |store: Arc<
    dyn Store,
>| async move {
    let app = &kith_app::testing::app(store.clone());
    let host = person(app, "willow", Role::Member).await;
    let cohost = person(app, "Alder", Role::Member).await;
    let slug = hosting::submit_group(app, &host, &form("Quillwort Circle"), now())
        .await
        .expect("submit");
    let unknown = hosting::add_cohost(app, &host, &slug, "nobody-here").await;
    assert!(matches!(&unknown, Err(AppError::Invalid(e)) if e[0].code == "unknown_handle"));
    let by_stranger = hosting::add_cohost(app, &cohost, &slug, "alder").await;
    assert!(matches!(by_stranger, Err(AppError::NotFound)));
    hosting::add_cohost(app, &host, &slug, "alder")
        .await
        .expect("add");
    let twice = hosting::add_cohost(app, &host, &slug, "ALDER").await;
    assert!(matches!(&twice, Err(AppError::Invalid(e)) if e[0].code == "already_host"));
    hosting::edit_group(app, &cohost, &slug, &form("Quillwort Co-op"), now())
        .await
        .expect("a co-host edits");
    let managed = hosting::managed_group(app, &cohost, &slug)
        .await
        .expect("managed");
    assert_eq!(managed.profile.name, "Quillwort Co-op");
    assert_eq!(managed.profile.hosts, vec!["willow", "Alder"]);
});

on_both_backends!(
    refused_input_writes_nothing,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let host = person(app, "willow", Role::Member).await;
        let mut bad = form("ab");
        bad.rules[0].start = "25:00".into();
        let refused = hosting::submit_group(app, &host, &bad, now()).await;
        let Err(AppError::Invalid(errors)) = refused else {
            panic!("refused: {refused:?}")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "rules[0].start"]);
        assert_eq!(store.count_groups().await.expect("count"), 0);
    }
);

on_both_backends!(
    every_kind_of_rule_is_stored_and_read_back_as_written,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let host = person(app, "willow", Role::Member).await;
        let mut input = form("Tidepool Circle");
        input.rules = GroupInput::from_pairs([
            ("rules[0].kind", "every_n_weeks"),
            ("rules[0].weekdays", "2"),
            ("rules[0].interval_weeks", "3"),
            ("rules[0].anchor_date", "2026-06-02"),
            ("rules[0].start", "19:00"),
            ("rules[0].duration_minutes", "60"),
            ("rules[1].kind", "monthly"),
            ("rules[1].weekdays", "4"),
            ("rules[1].month_weeks", "1"),
            ("rules[1].month_weeks", "last"),
            ("rules[1].start", "18:30"),
            ("rules[1].duration_minutes", "90"),
            ("rules[2].kind", "once"),
            ("rules[2].date", "2026-06-20"),
            ("rules[2].start", "17:00"),
            ("rules[2].duration_minutes", "120"),
        ])
        .rules;
        let expected = input.parse().expect("valid").profile.schedule;
        let slug = hosting::submit_group(app, &host, &input, now())
            .await
            .expect("submit");
        let stored = hosting::managed_group(app, &host, &slug)
            .await
            .expect("managed");
        let without_ids: Vec<_> = stored
            .profile
            .schedule
            .rules
            .iter()
            .map(|r| kith_domain::schedule::Rule {
                id: None,
                ..r.clone()
            })
            .collect();
        assert_eq!(without_ids, expected.rules);
        // The form made from what is stored is the form that was sent.
        assert_eq!(hosting::input_of(&stored).rules, input.rules);
        let upcoming: Vec<String> = store
            .upcoming_occurrences(&slug, now(), 10)
            .await
            .expect("upcoming")
            .iter()
            .map(|o| o.starts_at.to_string())
            .collect();
        // Berlin is UTC+2 in June: every 3 weeks from 2 June at 19:00; the
        // 1st and last Thursday at 18:30; once on 20 June at 17:00.
        assert_eq!(
            upcoming,
            [
                "2026-06-02T17:00:00Z",
                "2026-06-04T16:30:00Z",
                "2026-06-20T15:00:00Z",
                "2026-06-23T17:00:00Z",
                "2026-06-25T16:30:00Z",
                "2026-07-02T16:30:00Z",
            ]
        );
    }
);

on_both_backends!(
    a_cancelled_meeting_leaves_the_directory_and_the_calendar_but_keeps_its_id,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let host = person(app, "willow", Role::Member).await;
        let moderator = person(app, "warden", Role::Moderator).await;
        let stranger = person(app, "passerby", Role::Member).await;
        let slug = hosting::submit_group(app, &host, &form("Quillwort Circle"), now())
            .await
            .expect("submit");
        moderation::decide(app, &moderator, &slug, &Decision::Approve, now())
            .await
            .expect("approve");
        let before = store
            .upcoming_occurrences(&slug, now(), 3)
            .await
            .expect("upcoming");
        let first = before[0].id.clone();
        let change = hosting::MeetingChange::Cancel {
            note: "Holiday: back next week.",
        };
        let refused = hosting::change_meeting(app, &stranger, &slug, &first, change, now()).await;
        assert!(matches!(refused, Err(AppError::NotFound)));
        hosting::change_meeting(app, &host, &slug, &first, change, now())
            .await
            .expect("cancel");

        let after = store
            .upcoming_occurrences(&slug, now(), 3)
            .await
            .expect("upcoming");
        assert_eq!(after[0].id, first, "the meeting keeps its id");
        assert!(after[0].cancelled);
        assert_eq!(after[0].note.as_deref(), Some("Holiday: back next week."));
        // The directory's next meeting is the one after.
        let filters = RawFilters::from_pairs([("q", "quillwort")])
            .parse(&Zone::utc())
            .expect("filters");
        let page = search(app, &filters, now()).await.expect("search");
        assert_eq!(page.results[0].hit.next.id, before[1].id);

        // The refresher recomputes times but keeps the cancellation.
        let later = now()
            .checked_add(jiff::SignedDuration::from_hours(24 * 20))
            .expect("later");
        kith_app::schedule::refresh_due(store, later)
            .await
            .expect("refresh");
        let kept = store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("upcoming");
        assert!(kept[0].cancelled);

        let words = kith_app::feeds::CalendarWords {
            name: "kith",
            summary: "kith: meeting",
            description: "-",
        };
        let ics = kith_app::feeds::group_calendar(app, &slug, words, now())
            .await
            .expect("calendar");
        assert!(
            ics.contains("EXDATE;TZID=Europe/Berlin:20260602T190000\r\n"),
            "{ics}"
        );

        let restore = hosting::MeetingChange::Restore;
        hosting::change_meeting(app, &host, &slug, &first, restore, now())
            .await
            .expect("restore");
        let page = search(app, &filters, now()).await.expect("search");
        assert_eq!(page.results[0].hit.next.id, first);
        assert!(
            store
                .upcoming_occurrences(&slug, now(), 1)
                .await
                .expect("upcoming")[0]
                .note
                .is_none()
        );
    }
);

on_both_backends!(
    a_moved_meeting_keeps_its_id_and_its_new_time_through_refreshes,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let host = person(app, "willow", Role::Member).await;
        let moderator = person(app, "warden", Role::Moderator).await;
        let slug = hosting::submit_group(app, &host, &form("Quillwort Circle"), now())
            .await
            .expect("submit");
        moderation::decide(app, &moderator, &slug, &Decision::Approve, now())
            .await
            .expect("approve");
        let first = store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("upcoming")[0]
            .id
            .clone();

        for (date, time, field, code) in [
            ("2026-02-30", "19:00", "date", "invalid_date"),
            ("2026-06-03", "25:00", "time", "invalid_time"),
            ("2026-05-01", "19:00", "date", "in_the_past"),
        ] {
            let refused = hosting::change_meeting(
                app,
                &host,
                &slug,
                &first,
                hosting::MeetingChange::Move { date, time },
                now(),
            )
            .await;
            assert!(
                matches!(&refused, Err(AppError::Invalid(e)) if e[0].field == field && e[0].code == code),
                "{date} {time}: {refused:?}"
            );
        }
        // Tuesday 19:00 becomes Wednesday 3 June, 18:00 Berlin time.
        let to = hosting::MeetingChange::Move {
            date: "2026-06-03",
            time: "18:00",
        };
        hosting::change_meeting(app, &host, &slug, &first, to, now())
            .await
            .expect("move");
        let moved = &store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("upcoming")[0];
        assert_eq!(
            (moved.id.clone(), moved.starts_at.to_string(), moved.moved),
            (first.clone(), "2026-06-03T16:00:00Z".to_owned(), true)
        );
        assert_eq!(
            moved.ends_at.to_string(),
            "2026-06-03T17:30:00Z",
            "the rule's 90 minutes"
        );

        let later = now()
            .checked_add(jiff::SignedDuration::from_hours(24 * 20))
            .expect("later");
        kith_app::schedule::refresh_due(store, later)
            .await
            .expect("refresh");
        assert_eq!(
            store
                .upcoming_occurrences(&slug, now(), 1)
                .await
                .expect("upcoming")[0]
                .starts_at
                .to_string(),
            "2026-06-03T16:00:00Z"
        );

        let words = kith_app::feeds::CalendarWords {
            name: "kith",
            summary: "kith: meeting",
            description: "-",
        };
        let ics = kith_app::feeds::group_calendar(app, &slug, words, now())
            .await
            .expect("calendar");
        assert!(
            ics.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260602T190000\r\n"),
            "{ics}"
        );
        assert!(
            ics.contains("DTSTART;TZID=Europe/Berlin:20260603T180000\r\n"),
            "{ics}"
        );

        hosting::change_meeting(
            app,
            &host,
            &slug,
            &first,
            hosting::MeetingChange::Restore,
            now(),
        )
        .await
        .expect("restore");
        let back = &store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("upcoming")[0];
        assert_eq!(
            (back.starts_at.to_string(), back.moved),
            ("2026-06-02T17:00:00Z".to_owned(), false)
        );
    }
);

on_both_backends!(
    cancelled_meetings_never_appear_as_a_groups_next_meeting,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let host = person(app, "willow", Role::Member).await;
        let moderator = person(app, "warden", Role::Moderator).await;
        let mut input = form("Quillwort Circle");
        input.rules[0].weekdays = vec!["1".into(), "2".into(), "4".into(), "6".into()];
        let slug = hosting::submit_group(app, &host, &input, now())
            .await
            .expect("submit");
        moderation::decide(app, &moderator, &slug, &Decision::Approve, now())
            .await
            .expect("approve");
        let all = store
            .upcoming_occurrences(&slug, now(), 30)
            .await
            .expect("upcoming");
        assert!(all.len() >= 20);
        let filters = RawFilters::from_pairs([("q", "quillwort")])
            .parse(&Zone::utc())
            .expect("filters");
        // A fixed pseudo-random sequence of cancellations and restorations.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut cancelled = std::collections::HashSet::new();
        for _ in 0..40 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let pick = &all[(state % all.len() as u64) as usize];
            let change = if cancelled.remove(&pick.id) {
                hosting::MeetingChange::Restore
            } else {
                cancelled.insert(pick.id.clone());
                hosting::MeetingChange::Cancel { note: "" }
            };
            hosting::change_meeting(app, &host, &slug, &pick.id, change, now())
                .await
                .expect("change");
            let expected = all
                .iter()
                .find(|o| !cancelled.contains(&o.id))
                .map(|o| o.id.clone());
            let page = search(app, &filters, now()).await.expect("search");
            assert_eq!(
                page.results.first().map(|r| r.hit.next.id.clone()),
                expected
            );
            let upcoming = store
                .upcoming_occurrences(&slug, now(), 30)
                .await
                .expect("upcoming");
            for o in &upcoming {
                assert_eq!(o.cancelled, cancelled.contains(&o.id), "{}", o.id);
            }
        }
    }
);

on_both_backends!(
    two_moderators_deciding_at_once_never_both_win,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let host = person(app, "willow", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let keeper = person(app, "keeper", Role::Moderator).await;
        let slug = hosting::submit_group(app, &host, &form("Sorrel Circle"), now())
            .await
            .expect("submit");

        // One approves while the other declines, at the same moment.
        let reject = Decision::Reject {
            reason: "Please say who the group is for.".into(),
        };
        let (approved, rejected) = tokio::join!(
            moderation::decide(app, &warden, &slug, &Decision::Approve, now()),
            moderation::decide(app, &keeper, &slug, &reject, now()),
        );
        let won = [approved.is_ok(), rejected.is_ok()];
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "{approved:?} {rejected:?}"
        );
        let lost = if approved.is_ok() { rejected } else { approved };
        assert!(
            matches!(lost, Err(AppError::Conflict(Conflict::InvalidStatus))),
            "{lost:?}"
        );
        let decisions = store
            .audit_log(10)
            .await
            .expect("audit")
            .into_iter()
            .filter(|a| a.action == "group.approve" || a.action == "group.reject")
            .count();
        assert_eq!(decisions, 1, "only the winner's decision is on record");

        // The store itself refuses a change from a status the group has left.
        let access = store.group_access(&slug).await.expect("access");
        let stale = store
            .set_group_status(
                access.id,
                StatusChange::new(ListingStatus::Pending, ListingStatus::Unlisted),
                None,
                None,
                &NoMail,
                now(),
            )
            .await;
        assert!(
            matches!(stale, Err(kith_store::StoreError::Stale)),
            "{stale:?}"
        );
        assert_eq!(status(app, &slug).await.0, access.status, "unchanged");
    }
);
