//! An account's life on both databases: verification, password reset,
//! changing email and password, sessions, deletion. Links are read from
//! the outbox, as the person would read them from their mail.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_app::App;
use kith_app::AppError;
use kith_app::Conflict;
use kith_app::account_settings;
use kith_app::accounts::{self, Registration};
use kith_app::testing::{PASSWORD, now, person, registered};
use kith_domain::account::Role;
use kith_store::accounts::SessionKind;
use kith_store::mail::NoMail;
use kith_store::moderation::StatusChange;
use kith_store::{Store, on_both_backends};

/// The token of the newest due mail's first link to `path`.
async fn token_from_mail(app: &App, path: &str) -> Option<String> {
    kith_app::testing::token_from_mail(app, path, now()).await
}

async fn logs_in(app: &App, login: &str, password: &str) -> bool {
    let request = accounts::LoginRequest {
        login,
        password,
        kind: SessionKind::Browser,
        remember: false,
    };
    matches!(
        accounts::login(app, &request, now(), |_| Ok(()))
            .await
            .expect("login"),
        accounts::LoginOutcome::LoggedIn { .. }
    )
}

on_both_backends!(listing_a_group_needs_a_verified_email, |store: Arc<
    dyn Store,
>| async move {
    let app = &kith_app::testing::app(store.clone());
    let river = registered(app, "River").await;
    assert!(!river.email_verified);
    let input = kith_domain::group_input::GroupInput::default();
    let refused = kith_app::hosting::submit_group(app, &river, &input, now()).await;
    assert!(
        matches!(refused, Err(AppError::Conflict(Conflict::EmailUnverified))),
        "{refused:?}"
    );
    // Resending makes a second working link; following one verifies.
    account_settings::send_verification(app, river.id, now())
        .await
        .expect("resend");
    let token = token_from_mail(app, "/verify-email/")
        .await
        .expect("a link");
    account_settings::verify_email(app, &token, now())
        .await
        .expect("verify");
    assert!(person(app, "River").await.email_verified);
    // Nothing more is sent once verified.
    account_settings::send_verification(app, river.id, now())
        .await
        .expect("resend");
    assert!(token_from_mail(app, "/verify-email/").await.is_none());
    // A wrong, used or malformed token: NotFound alike.
    for bad in [
        token.as_str(),
        "0123456789abcdef0123456789abcdef",
        "../../etc",
    ] {
        assert!(matches!(
            account_settings::verify_email(app, bad, now()).await,
            Err(AppError::NotFound)
        ));
    }
});

on_both_backends!(
    a_forgotten_password_is_reset_by_a_single_use_link_that_ends_every_session,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let river = registered(app, "River").await;
        token_from_mail(app, "/verify-email/").await;
        accounts::start_session(app, river.id, SessionKind::Api, true, now())
            .await
            .expect("session");
        // Unknown addresses answer the same and send nothing.
        account_settings::request_password_reset(app, "nobody@example.org", now())
            .await
            .expect("same answer");
        assert!(token_from_mail(app, "/password-reset/").await.is_none());
        assert!(matches!(
            account_settings::request_password_reset(app, "not an address", now()).await,
            Err(AppError::Invalid(_))
        ));
        account_settings::request_password_reset(app, "RIVER@example.org", now())
            .await
            .expect("request");
        let token = token_from_mail(app, "/password-reset/")
            .await
            .expect("a link");
        // An hour later it no longer works.
        let late = now() + SignedDuration::from_secs(3601);
        assert!(
            !account_settings::reset_link_valid(app, &token, late)
                .await
                .expect("valid?")
        );
        assert!(
            account_settings::reset_link_valid(app, &token, now())
                .await
                .expect("valid?")
        );
        let weak = account_settings::reset_password(app, &token, "password", now()).await;
        assert!(
            matches!(weak, Err(AppError::Invalid(_))),
            "the usual rules apply"
        );
        account_settings::reset_password(app, &token, "a new and long passphrase", now())
            .await
            .expect("reset");
        assert!(
            store
                .sessions_of(river.id, now())
                .await
                .expect("sessions")
                .is_empty()
        );
        assert!(logs_in(app, "river", "a new and long passphrase").await);
        assert!(!logs_in(app, "river", PASSWORD).await);
        let again =
            account_settings::reset_password(app, &token, "yet another passphrase", now()).await;
        assert!(matches!(again, Err(AppError::NotFound)), "single use");
        assert!(
            person(app, "River").await.email_verified,
            "the link proved the address"
        );
    }
);

on_both_backends!(
    a_new_email_counts_only_once_confirmed_and_a_taken_one_gets_nothing,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let river = registered(app, "River").await;
        registered(app, "Alder").await;
        token_from_mail(app, "/verify-email/").await;
        let wrong = account_settings::change_email(
            app,
            &river,
            "wrong wrong wrong",
            "new@example.org",
            now(),
        )
        .await;
        assert!(
            matches!(wrong, Err(AppError::Invalid(ref e)) if e[0].code == "wrong_password"),
            "{wrong:?}"
        );
        account_settings::change_email(app, &river, PASSWORD, "alder@example.org", now())
            .await
            .expect("the same answer for a taken address");
        assert!(token_from_mail(app, "/verify-email/").await.is_none());
        account_settings::change_email(app, &river, PASSWORD, "River.New@example.org", now())
            .await
            .expect("change");
        // The old address still logs in until the new one is confirmed.
        assert!(logs_in(app, "river@example.org", PASSWORD).await);
        let token = token_from_mail(app, "/verify-email/")
            .await
            .expect("a link");
        account_settings::verify_email(app, &token, now())
            .await
            .expect("confirm");
        assert!(logs_in(app, "river.new@example.org", PASSWORD).await);
        assert!(!logs_in(app, "river@example.org", PASSWORD).await);
        let details = store.account_details(river.id).await.expect("details");
        assert_eq!(
            details.email.expect("email").as_str(),
            "river.new@example.org"
        );
        assert!(details.record.email_verified);
    }
);

on_both_backends!(
    changing_the_password_ends_the_other_sessions_and_sessions_can_be_ended_one_by_one,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let river = registered(app, "River").await;
        let alder = registered(app, "Alder").await;
        let here = accounts::start_session(app, river.id, SessionKind::Browser, false, now())
            .await
            .expect("s");
        accounts::start_session(app, river.id, SessionKind::Api, true, now())
            .await
            .expect("s");
        let other = accounts::start_session(app, river.id, SessionKind::Browser, false, now())
            .await
            .expect("s");
        let alders = accounts::start_session(app, alder.id, SessionKind::Browser, false, now())
            .await
            .expect("s");
        assert_eq!(
            account_settings::sessions(app, &river, now())
                .await
                .expect("list")
                .len(),
            3
        );
        // One's own session by its id; someone else's is NotFound.
        let alder_id = kith_app::accounts::session_id(&alders.token);
        assert!(matches!(
            account_settings::end_session(app, &river, &alder_id).await,
            Err(AppError::NotFound)
        ));
        let other_id = kith_app::accounts::session_id(&other.token);
        account_settings::end_session(app, &river, &other_id)
            .await
            .expect("end");
        assert!(
            accounts::session(app, &other.token, now())
                .await
                .expect("s")
                .is_none()
        );
        assert_eq!(
            account_settings::sessions(app, &river, now())
                .await
                .expect("list")
                .len(),
            2
        );
        let wrong = account_settings::change_password(
            app,
            &river,
            Some(&here.token),
            "wrong wrong wrong",
            "a brand new passphrase",
        )
        .await;
        assert!(matches!(wrong, Err(AppError::Invalid(ref e)) if e[0].field == "current_password"));
        account_settings::change_password(
            app,
            &river,
            Some(&here.token),
            PASSWORD,
            "a brand new passphrase",
        )
        .await
        .expect("change");
        let left = account_settings::sessions(app, &river, now())
            .await
            .expect("list");
        assert_eq!(left.len(), 1, "only the session that asked");
        assert!(
            accounts::session(app, &here.token, now())
                .await
                .expect("s")
                .is_some()
        );
        assert!(
            accounts::session(app, &alders.token, now())
                .await
                .expect("s")
                .is_some(),
            "others untouched"
        );
        assert!(logs_in(app, "river", "a brand new passphrase").await);
    }
);

on_both_backends!(
    an_only_host_cannot_delete_until_someone_else_hosts_and_then_everything_goes,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        let staff = |handle: &str| Registration {
            handle: handle.to_owned(),
            email: format!("{handle}@example.org"),
            password: PASSWORD.to_owned(),
        };
        accounts::create_staff(app, &staff("willow"), Role::Member, now())
            .await
            .expect("w");
        accounts::create_staff(app, &staff("alder"), Role::Member, now())
            .await
            .expect("a");
        let willow = person(app, "willow").await;
        let alder = person(app, "alder").await;
        assert!(
            willow.email_verified,
            "operator-made accounts count as verified"
        );
        let input = kith_domain::group_input::GroupInput::from_pairs(
            [
                ("name", "Quiet Circle"),
                ("description", "We check in."),
                ("agreements", "Confidential."),
                ("facilitation_style", "check_in_round"),
                ("focus", "tapering"),
                ("format", "video"),
                ("language", "en"),
                ("time_zone", "Europe/Berlin"),
                ("rules[0].weekdays", "2"),
                ("rules[0].start", "19:00"),
                ("rules[0].duration_minutes", "90"),
            ]
            .into_iter(),
        );
        let slug = kith_app::hosting::submit_group(app, &willow, &input, now())
            .await
            .expect("submit");
        let access = store.group_access(&slug).await.expect("access");
        store
            .set_group_status(
                access.id,
                StatusChange::new(
                    kith_domain::group::ListingStatus::Pending,
                    kith_domain::group::ListingStatus::Listed,
                ),
                None,
                None,
                &NoMail,
                now(),
            )
            .await
            .expect("listed");
        let token = accounts::start_session(app, willow.id, SessionKind::Browser, false, now())
            .await
            .expect("s");
        let wrong = account_settings::delete_account(app, &willow, "wrong wrong wrong").await;
        assert!(matches!(wrong, Err(AppError::Invalid(_))));
        let refused = account_settings::delete_account(app, &willow, PASSWORD).await;
        assert!(
            matches!(refused, Err(AppError::Conflict(Conflict::HostsGroups))),
            "{refused:?}"
        );
        let names: Vec<String> = account_settings::sole_hosted_groups(app, &willow)
            .await
            .expect("groups")
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        assert_eq!(names, ["Quiet Circle"]);
        store.add_host(access.id, alder.id).await.expect("cohost");
        account_settings::delete_account(app, &willow, PASSWORD)
            .await
            .expect("deleted");
        assert!(
            accounts::session(app, &token.token, now())
                .await
                .expect("s")
                .is_none()
        );
        assert!(store.account_details(willow.id).await.is_err());
        assert!(!logs_in(app, "willow", PASSWORD).await);
        assert_eq!(
            store.group_access(&slug).await.expect("group stays").hosts,
            vec![alder.id]
        );
    }
);
