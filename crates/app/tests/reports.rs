//! Reports and blocks on a real database of each backend: a report
//! handled to the end (decision, mail to both sides, one appeal to another
//! moderator), a suspension that keeps the author out until it lapses, the
//! admins' daily digest of overdue reports, and blocks in request threads.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_app::access::Person;
use kith_app::accounts::{self, LoginOutcome, LoginRequest};
use kith_app::mail::sender::{SenderSettings, send_due};
use kith_app::mail::transport::Transport;
use kith_app::reports::{self, DecisionInput, Target};
use kith_app::testing::smtp::SmtpServer;
use kith_app::testing::{self, now};
use kith_app::{App, AppError, Conflict, blocks, hosting, membership, moderation};
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use kith_domain::group_input::GroupInput;
use kith_domain::ids::Slug;
use kith_domain::membership::Refusal;
use kith_domain::reports::ReportStatus;
use kith_store::accounts::SessionKind;
use kith_store::{Store, on_both_backends};

async fn person(app: &App, handle: &str, role: Role) -> Person {
    accounts::create_staff(app, &testing::registration(handle), role, now())
        .await
        .expect("account");
    testing::person(app, handle).await
}

/// A listed group hosted by `host`.
async fn listed(app: &App, host: &Person, moderator: &Person) -> Slug {
    let input = GroupInput::from_pairs([
        ("name", "Larkspur Circle"),
        ("description", "Stop everything at once, it is easy."),
        ("agreements", "What is said here stays here."),
        ("facilitation_style", "check_in_round"),
        ("focus", "tapering"),
        ("format", "video"),
        ("language", "en"),
        ("time_zone", "Europe/Berlin"),
        ("rules[0].weekdays", "2"),
        ("rules[0].start", "19:00"),
        ("rules[0].duration_minutes", "90"),
    ]);
    let slug = hosting::submit_group(app, host, &input, now())
        .await
        .expect("submit");
    moderation::decide(app, moderator, &slug, &moderation::Decision::Approve, now())
        .await
        .expect("approve");
    slug
}

async fn mail_kinds(store: &dyn Store) -> Vec<String> {
    store
        .outbox_states()
        .await
        .expect("outbox")
        .into_iter()
        .map(|m| m.kind)
        .collect()
}

fn invalid_field(result: &Result<impl std::fmt::Debug, AppError>) -> (&'static str, &'static str) {
    match result {
        Err(AppError::Invalid(errors)) => (errors[0].field, errors[0].code),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

on_both_backends!(
    a_report_is_handled_to_the_end_and_appealed_once_to_another_moderator,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let host = person(app, "willow", Role::Member).await;
        let ana = person(app, "ana", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let keeper = person(app, "keeper", Role::Admin).await;
        let slug = listed(app, &host, &warden).await;
        let target = Target::Group(slug.clone());

        // Bad input writes nothing.
        let own = reports::report(app, &host, &target, "spam", "", now()).await;
        assert_eq!(invalid_field(&own), ("target", "own_content"));
        let herself = Target::Person("ana".into());
        let own = reports::report(app, &ana, &herself, "spam", "", now()).await;
        assert_eq!(invalid_field(&own), ("target", "own_content"));
        let no_reason = reports::report(app, &ana, &target, "rude", "", now()).await;
        assert_eq!(invalid_field(&no_reason), ("reason", "unknown_reason"));
        let other = reports::report(app, &ana, &target, "other", "  ", now()).await;
        assert_eq!(invalid_field(&other), ("details", "required"));
        let nobody = Target::Person("no-such-person".into());
        let nobody = reports::report(app, &ana, &nobody, "spam", "", now()).await;
        assert!(matches!(nobody, Err(AppError::NotFound)), "{nobody:?}");
        assert!(
            reports::my_reports(app, &ana)
                .await
                .expect("mine")
                .is_empty()
        );

        let id = reports::report(
            app,
            &ana,
            &target,
            "unsafe_advice",
            "It says to stop at once.",
            now(),
        )
        .await
        .expect("report");
        let again = reports::report(app, &ana, &target, "spam", "", now())
            .await
            .expect("again");
        assert_eq!(again, id, "one open report per person and target");
        assert!(matches!(
            reports::queue(app, &ana).await,
            Err(AppError::NotFound)
        ));
        let queue = reports::queue(app, &warden).await.expect("queue");
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].reporter_handle.as_deref(), Some("ana"));

        let hide = DecisionInput {
            action: "hide",
            why: "Advice to stop at once is not safe here.",
            suspend_days: "",
        };
        let no_note = DecisionInput {
            why: " ",
            ..hide.clone()
        };
        let refused = reports::decide(app, &warden, &id, &no_note, now()).await;
        assert_eq!(invalid_field(&refused), ("why", "required"));
        let remove = DecisionInput {
            action: "remove",
            ..hide.clone()
        };
        let refused = reports::decide(app, &warden, &id, &remove, now()).await;
        assert_eq!(invalid_field(&refused), ("action", "invalid"));
        assert!(matches!(
            reports::decide(app, &ana, &id, &hide, now()).await,
            Err(AppError::NotFound)
        ));
        let before = mail_kinds(store.as_ref()).await.len();
        reports::decide(app, &warden, &id, &hide, now())
            .await
            .expect("hide");
        let access = store.group_access(&slug).await.expect("access");
        assert_eq!(access.status, ListingStatus::Unlisted);
        let kinds = mail_kinds(store.as_ref()).await;
        assert_eq!(kinds.len(), before + 2, "{kinds:?}");
        assert!(kinds.contains(&"report_outcome".to_owned()));
        assert!(kinds.contains(&"report_decided".to_owned()));
        assert_eq!(
            store.audit_log(1).await.expect("audit")[0].action,
            "report.hide"
        );
        let twice = reports::decide(app, &warden, &id, &hide, now()).await;
        assert!(matches!(
            twice,
            Err(AppError::Conflict(Conflict::InvalidStatus))
        ));

        // The author reads the decision without the reporter, and appeals once.
        assert!(matches!(
            reports::for_author(app, &ana, &id).await,
            Err(AppError::NotFound)
        ));
        reports::for_author(app, &host, &id)
            .await
            .expect("the author's");
        let empty = reports::appeal(app, &host, &id, "", now()).await;
        assert_eq!(invalid_field(&empty), ("appeal", "required"));
        reports::appeal(app, &host, &id, "We changed the description.", now())
            .await
            .expect("appeal");
        let twice = reports::appeal(app, &host, &id, "Again.", now()).await;
        assert!(matches!(
            twice,
            Err(AppError::Conflict(Conflict::InvalidStatus))
        ));
        let overturn = DecisionInput {
            action: "overturn",
            why: "The new text is fine.",
            suspend_days: "",
        };
        let own = reports::decide(app, &warden, &id, &overturn, now()).await;
        assert!(
            matches!(own, Err(AppError::Conflict(Conflict::OwnDecision))),
            "{own:?}"
        );
        let closed = reports::decide(app, &keeper, &id, &overturn, now())
            .await
            .expect("overturn");
        assert_eq!(closed.status, ReportStatus::Closed);
        let access = store.group_access(&slug).await.expect("access");
        assert_eq!(access.status, ListingStatus::Listed);
        assert!(
            mail_kinds(store.as_ref())
                .await
                .contains(&"appeal_decided".to_owned())
        );
        let actions: Vec<String> = store
            .audit_log(5)
            .await
            .expect("audit")
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert!(
            actions.contains(&"report.appeal.overturn".to_owned()),
            "{actions:?}"
        );

        // The export holds the reports one made; deleting the account, them.
        let export = kith_app::export::export(app, &ana, now())
            .await
            .expect("export");
        assert_eq!(export.reports_made.len(), 1);
        assert_eq!(export.reports_made[0].decision, Some("hide"));
        kith_app::account_settings::delete_account(app, &ana, testing::PASSWORD)
            .await
            .expect("delete");
        assert!(store.report(&id).await.is_err(), "gone with its reporter");
    }
);

/// Sends what the outbox holds to `server`; answers the mails that say an
/// appeal waits, by recipient, sorted.
async fn appeal_mails(store: &dyn Store, server: &SmtpServer) -> Vec<(String, String)> {
    let transport =
        Transport::smtp(&server.url(), std::time::Duration::from_secs(5)).expect("transport");
    let settings = SenderSettings::new("kith <kith@kith.example>".parse().expect("from"));
    send_due(store, &transport, &settings, now())
        .await
        .expect("send");
    let queued = store.outbox_states().await.expect("outbox").len();
    let mut mails: Vec<(String, String)> = server
        .wait_for(queued)
        .await
        .into_iter()
        .filter_map(|m| {
            let message = mail_parser::MessageParser::default()
                .parse(m.data.as_bytes())
                .expect("a MIME message");
            (message.subject() == Some("kith: an appeal waits")).then(|| {
                let text = message.body_text(0).unwrap_or_default().into_owned();
                (m.to.join(","), text)
            })
        })
        .collect();
    mails.sort();
    mails
}

/// A listing reported by ana, hidden by `decider`, appealed by its host.
async fn appealed(app: &App, host: &Person, decider: &Person) {
    let ana = person(app, "ana", Role::Member).await;
    let slug = listed(app, host, decider).await;
    let id = reports::report(app, &ana, &Target::Group(slug), "spam", "", now())
        .await
        .expect("report");
    let hide = DecisionInput {
        action: "hide",
        why: "An advertisement, not a group.",
        suspend_days: "",
    };
    reports::decide(app, decider, &id, &hide, now())
        .await
        .expect("hide");
    reports::appeal(app, host, &id, "We meet every week.", now())
        .await
        .expect("appeal");
}

on_both_backends!(
    an_appeal_is_mailed_to_the_moderators_who_may_decide_it_not_the_first_decider,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let server = SmtpServer::start().await;
        let host = person(app, "willow", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        person(app, "ranger", Role::Moderator).await;
        person(app, "keeper", Role::Admin).await;
        appealed(app, &host, &warden).await;
        let mails = appeal_mails(store.as_ref(), &server).await;
        let to: Vec<&str> = mails.iter().map(|(to, _)| to.as_str()).collect();
        assert_eq!(to, ["keeper@example.org", "ranger@example.org"]);
        for (_, text) in &mails {
            assert!(text.contains("https://kith.example/moderation/reports"));
            assert!(text.contains("a group listing"), "the kind, alone");
            for secret in ["ana", "Larkspur", "advertisement", "every week"] {
                assert!(!text.contains(secret), "{secret} in an appeal's mail");
            }
        }
    }
);

on_both_backends!(
    a_site_with_one_moderator_mails_them_the_appeal_of_their_own_decision,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let server = SmtpServer::start().await;
        let host = person(app, "willow", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        appealed(app, &host, &warden).await;
        let mails = appeal_mails(store.as_ref(), &server).await;
        let to: Vec<&str> = mails.iter().map(|(to, _)| to.as_str()).collect();
        assert_eq!(to, ["warden@example.org"]);
    }
);

on_both_backends!(
    a_suspended_account_hears_until_when_only_with_its_password_and_logs_in_once_it_lapses,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let ana = person(app, "ana", Role::Member).await;
        let mallory = person(app, "mallory", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let login = |at| async move {
            let request = LoginRequest {
                login: "mallory",
                password: testing::PASSWORD,
                kind: SessionKind::Api,
                remember: false,
            };
            accounts::login(app, &request, at, |_| Ok(()))
                .await
                .expect("login")
        };
        let LoginOutcome::LoggedIn { token, .. } = login(now()).await else {
            panic!("mallory logs in before");
        };
        let id = reports::report(
            app,
            &ana,
            &Target::Person("mallory".into()),
            "harassment",
            "",
            now(),
        )
        .await
        .expect("report");
        let too_long = DecisionInput {
            action: "suspend",
            why: "Harassing members in threads.",
            suspend_days: "999",
        };
        let refused = reports::decide(app, &warden, &id, &too_long, now()).await;
        assert_eq!(invalid_field(&refused), ("suspend_days", "out_of_range"));
        let suspend = DecisionInput {
            suspend_days: "3",
            ..too_long
        };
        let decided = reports::decide(app, &warden, &id, &suspend, now())
            .await
            .expect("suspend");
        assert_eq!(
            decided.suspended_until,
            Some(now() + SignedDuration::from_hours(72))
        );
        let session = accounts::session(app, &token.token, now())
            .await
            .expect("session");
        assert!(session.is_none(), "the suspension ended the session");
        let until = now() + SignedDuration::from_hours(72);
        assert!(
            matches!(login(now()).await, LoginOutcome::Suspended { until: u } if u == until),
            "the right password hears until when"
        );
        let wrong = LoginRequest {
            login: "mallory",
            password: "not the password at all",
            kind: SessionKind::Api,
            remember: false,
        };
        let guessed = accounts::login(app, &wrong, now(), |_| Ok(()))
            .await
            .expect("login");
        assert!(
            matches!(guessed, LoginOutcome::Refused),
            "a wrong password reads as any mismatch: {guessed:?}"
        );
        let later = now() + SignedDuration::from_hours(73);
        assert!(matches!(login(later).await, LoginOutcome::LoggedIn { .. }));
        let _ = mallory;
    }
);

on_both_backends!(
    overdue_reports_are_mailed_to_the_admins_once_a_day,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let ana = person(app, "ana", Role::Member).await;
        person(app, "mallory", Role::Member).await;
        person(app, "keeper", Role::Admin).await;
        person(app, "warden", Role::Moderator).await;
        assert!(!reports::mail_overdue(app, now()).await.expect("nothing"));
        reports::report(
            app,
            &ana,
            &Target::Person("mallory".into()),
            "spam",
            "",
            now(),
        )
        .await
        .expect("report");
        let hours = |h| now() + SignedDuration::from_hours(h);
        assert!(
            !reports::mail_overdue(app, hours(47))
                .await
                .expect("not yet")
        );
        assert!(
            reports::mail_overdue(app, hours(49))
                .await
                .expect("overdue")
        );
        assert!(
            !reports::mail_overdue(app, hours(49) + SignedDuration::from_mins(5))
                .await
                .expect("once")
        );
        let digests = |kinds: Vec<String>| kinds.iter().filter(|k| *k == "reports_overdue").count();
        // The admin alone, not the moderator.
        assert_eq!(digests(mail_kinds(store.as_ref()).await), 1);
        assert!(
            reports::mail_overdue(app, hours(49 + 24))
                .await
                .expect("next day")
        );
        assert_eq!(digests(mail_kinds(store.as_ref()).await), 2);
    }
);

on_both_backends!(
    a_blocked_person_cannot_write_to_the_blocker_in_a_request_thread,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let host = person(app, "willow", Role::Member).await;
        let joe = person(app, "joe", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let slug = listed(app, &host, &warden).await;
        let request = membership::ask_to_join(app, &joe, &slug, "Hello.", None, now())
            .await
            .expect("ask");
        membership::post_message(app, &joe, &request.id, "Before.", now())
            .await
            .expect("before the block");

        let own = blocks::block(app, &host, "willow", now()).await;
        assert_eq!(invalid_field(&own), ("handle", "self_block"));
        let unknown = blocks::block(app, &host, "nobody-here", now()).await;
        assert_eq!(invalid_field(&unknown), ("handle", "unknown_handle"));
        blocks::block(app, &host, "joe", now())
            .await
            .expect("block");
        blocks::block(app, &host, "Joe", now())
            .await
            .expect("twice is once");
        assert_eq!(blocks::blocks(app, &host).await.expect("list").len(), 1);
        assert!(
            blocks::blocked_between(app, joe.id, host.id)
                .await
                .expect("between")
        );
        let hidden = blocks::hidden_authors_for(app, host.id)
            .await
            .expect("hidden");
        assert!(hidden.contains(&joe.id));
        assert!(
            blocks::hidden_authors_for(app, joe.id)
                .await
                .expect("none")
                .is_empty()
        );

        let refused = membership::post_message(app, &joe, &request.id, "After.", now()).await;
        assert!(
            matches!(
                refused,
                Err(AppError::Conflict(Conflict::Refused(
                    Refusal::NotApplicable
                )))
            ),
            "{refused:?}"
        );
        membership::post_message(app, &host, &request.id, "The host may still write.", now())
            .await
            .expect("the blocker writes");
        let export = kith_app::export::export(app, &host, now())
            .await
            .expect("export");
        assert_eq!(export.blocks.len(), 1);
        assert_eq!(export.blocks[0].handle, "joe");

        blocks::unblock(app, &host, "joe").await.expect("unblock");
        assert!(matches!(
            blocks::unblock(app, &host, "joe").await,
            Err(AppError::NotFound)
        ));
        membership::post_message(app, &joe, &request.id, "After the block.", now())
            .await
            .expect("unblocked");
    }
);

on_both_backends!(
    a_room_message_is_reported_by_someone_who_may_be_there_and_hidden_from_its_open_room,
    |store: Arc<dyn Store>| async move {
        use kith_domain::room::{Command, Event, Who};
        use kith_store::rooms::NewLogEntry;
        let app = &testing::app(store.clone());
        let host = person(app, "willow", Role::Member).await;
        let joe = person(app, "joe", Role::Member).await;
        let stranger = person(app, "passerby", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let slug = listed(app, &host, &warden).await;
        let request = membership::ask_to_join(app, &joe, &slug, "Hello.", None, now())
            .await
            .expect("ask");
        membership::decide(
            app,
            &host,
            &request.id,
            kith_domain::membership::Decision::Approve,
            "",
            now(),
        )
        .await
        .expect("welcome");
        let meeting = store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("meetings")[0]
            .id
            .clone();
        let said = |id: u64, text: &str| {
            serde_json::to_string(&[Event::Said {
                id,
                from: Who::Account(host.id.0),
                text: text.to_owned(),
            }])
            .expect("json")
        };
        let command = serde_json::to_string(&Command::Say { text: "x".into() }).expect("json");
        let actor = serde_json::to_string(&Who::Account(host.id.0)).expect("json");
        let events = said(7, "Just stop taking it, it is all in your head.");
        store
            .append_room_command(
                &meeting,
                &NewLogEntry {
                    seq: 1,
                    actor: &actor,
                    client_id: "c1",
                    command: &command,
                    events: &events,
                    at_ms: 0,
                },
            )
            .await
            .expect("append");
        let target = Target::RoomMessage(meeting.clone(), 7);
        // Only someone who may be in the room reports what was said there.
        let outside = reports::report(app, &stranger, &target, "unsafe_advice", "", now()).await;
        assert!(matches!(outside, Err(AppError::NotFound)), "{outside:?}");
        let own = reports::report(app, &host, &target, "unsafe_advice", "", now()).await;
        assert_eq!(invalid_field(&own), ("target", "own_content"));
        let missing = Target::RoomMessage(meeting.clone(), 8);
        let missing = reports::report(app, &joe, &missing, "unsafe_advice", "", now()).await;
        assert!(matches!(missing, Err(AppError::NotFound)), "{missing:?}");
        let id = reports::report(app, &joe, &target, "unsafe_advice", "", now())
            .await
            .expect("report");
        let queued = reports::for_moderator(app, &warden, &id)
            .await
            .expect("queued");
        assert_eq!(
            queued.excerpt,
            "Just stop taking it, it is all in your head."
        );
        assert_eq!(queued.author, Some(host.id));
        assert_eq!(queued.target_name.as_deref(), Some(meeting.as_str()));
        let hide = DecisionInput {
            action: "hide",
            why: "Not safe.",
            suspend_days: "",
        };
        let warn = DecisionInput {
            action: "warn",
            ..hide.clone()
        };
        reports::decide(app, &warden, &id, &warn, now())
            .await
            .expect("warn");
        assert!(
            mail_kinds(store.as_ref())
                .await
                .contains(&"report_decided".to_owned())
        );
        assert_eq!(store.room_log(&meeting).await.expect("log").len(), 1);

        // Hidden: the site's removal goes into the room's log, as the
        // moderator's, once; the message can no longer be reported.
        let again = reports::report(app, &joe, &target, "harassment", "", now())
            .await
            .expect("another report");
        reports::decide(app, &warden, &again, &hide, now())
            .await
            .expect("hide");
        let log = store.room_log(&meeting).await.expect("log");
        assert_eq!(log.len(), 2, "{log:?}");
        let removal: Command = serde_json::from_str(&log[1].command).expect("command");
        assert_eq!(removal, Command::SiteRemoveMessage { id: 7 });
        let events: Vec<Event> = serde_json::from_str(&log[1].events).expect("events");
        assert_eq!(events, [Event::MessageRemoved { id: 7 }]);
        let by: Who = serde_json::from_str(&log[1].actor).expect("actor");
        assert_eq!(by, Who::Account(warden.id.0));
        let gone = reports::report(app, &joe, &target, "spam", "", now()).await;
        assert!(matches!(gone, Err(AppError::NotFound)), "{gone:?}");

        // Once the room closed, its log and the message are gone: a
        // decision to remove appends nothing, and still stands and mails.
        let events = said(9, "Another unsafe line.");
        store
            .append_room_command(
                &meeting,
                &NewLogEntry {
                    seq: 3,
                    actor: &actor,
                    client_id: "c3",
                    command: &command,
                    events: &events,
                    at_ms: 0,
                },
            )
            .await
            .expect("append");
        let last = Target::RoomMessage(meeting.clone(), 9);
        let last = reports::report(app, &joe, &last, "unsafe_advice", "", now())
            .await
            .expect("report");
        let summary = kith_store::rooms::RoomSummary {
            present: 2,
            spoken_seconds: 0,
        };
        store
            .close_room(&meeting, summary, now())
            .await
            .expect("close");
        let before = mail_kinds(store.as_ref()).await.len();
        let remove = DecisionInput {
            action: "remove",
            ..hide
        };
        let decided = reports::decide(app, &warden, &last, &remove, now())
            .await
            .expect("remove");
        assert_eq!(decided.status, ReportStatus::Decided);
        assert!(store.room_log(&meeting).await.expect("log").is_empty());
        assert_eq!(mail_kinds(store.as_ref()).await.len(), before + 2);
    }
);

on_both_backends!(
    a_visitor_reports_what_a_visitor_sees_and_its_decision_mails_the_author_alone,
    |store: Arc<dyn Store>| async move {
        let app = &testing::app(store.clone());
        let host = person(app, "willow", Role::Member).await;
        let warden = person(app, "warden", Role::Moderator).await;
        let slug = listed(app, &host, &warden).await;
        let meeting = store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("meetings")[0]
            .id
            .clone();
        let room = Target::RoomMessage(meeting, 1);
        let in_room = reports::report_as_visitor(app, &room, "spam", "", now()).await;
        assert!(matches!(in_room, Err(AppError::NotFound)), "{in_room:?}");
        let nobody = Target::Person("no-such-person".into());
        let nobody = reports::report_as_visitor(app, &nobody, "spam", "", now()).await;
        assert!(matches!(nobody, Err(AppError::NotFound)), "{nobody:?}");
        let other =
            reports::report_as_visitor(app, &Target::Group(slug.clone()), "other", "", now()).await;
        assert_eq!(invalid_field(&other), ("details", "required"));

        let target = Target::Group(slug.clone());
        let first = reports::report_as_visitor(app, &target, "spam", "An advert.", now())
            .await
            .expect("report");
        let second = reports::report_as_visitor(app, &target, "spam", "", now())
            .await
            .expect("report");
        assert_ne!(first, second, "visitors are not one person");
        let queued = reports::for_moderator(app, &warden, &first)
            .await
            .expect("queued");
        assert_eq!((queued.reporter, queued.reporter_handle), (None, None));
        assert_eq!(queued.author, Some(host.id));

        let before = mail_kinds(store.as_ref()).await.len();
        let hide = DecisionInput {
            action: "hide",
            why: "An advertisement.",
            suspend_days: "",
        };
        reports::decide(app, &warden, &first, &hide, now())
            .await
            .expect("hide");
        let kinds = mail_kinds(store.as_ref()).await;
        assert_eq!(kinds[before..], ["report_decided".to_owned()]);
        // The listing is hidden now: a visitor no longer sees it to report.
        let unlisted = reports::report_as_visitor(app, &target, "spam", "", now()).await;
        assert!(matches!(unlisted, Err(AppError::NotFound)), "{unlisted:?}");
    }
);
