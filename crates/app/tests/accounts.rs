//! Accounts and sessions on a real database of each backend.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kith_app::App;
use kith_app::AppError;
use kith_app::accounts::{self, Registration};
use kith_app::testing::now;
use kith_store::Store;
use kith_store::accounts::SessionKind;
use kith_store::on_both_backends;

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

fn registration(handle: &str, email: &str) -> Registration {
    Registration {
        handle: handle.to_owned(),
        email: email.to_owned(),
        password: "correct horse battery".to_owned(),
    }
}

async fn log_in(app: &App, login: &str, password: &str, at: Timestamp) -> Option<String> {
    let request = accounts::LoginRequest {
        login,
        password,
        kind: SessionKind::Browser,
        remember: false,
    };
    match accounts::login(app, &request, at, |_| Ok(()))
        .await
        .expect("login")
    {
        accounts::LoginOutcome::LoggedIn { token, .. } => Some(token.token),
        _ => None,
    }
}

on_both_backends!(
    a_member_registers_and_logs_in_with_handle_or_email,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        accounts::register(app, &registration("River", "River@Example.org"), now())
            .await
            .expect("register");
        for login in [
            "River",
            "river",
            "RIVER",
            "river@example.org",
            " River@EXAMPLE.org ",
        ] {
            assert!(
                log_in(app, login, "correct horse battery", now())
                    .await
                    .is_some(),
                "{login}"
            );
        }
        assert!(
            log_in(app, "river", "correct horse batterY", now())
                .await
                .is_none()
        );
        assert!(
            log_in(app, "nobody", "correct horse battery", now())
                .await
                .is_none()
        );
    }
);

on_both_backends!(
    handles_are_unique_in_any_case_and_a_taken_email_is_not_revealed,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        accounts::register(app, &registration("River", "river@example.org"), now())
            .await
            .expect("register");
        let taken =
            accounts::register(app, &registration("rIVER", "other@example.org"), now()).await;
        assert!(
            matches!(&taken, Err(AppError::Invalid(e)) if e[0].field == "handle" && e[0].code == "taken"),
            "{taken:?}"
        );
        // Same answer as a new account; no second account exists.
        accounts::register(app, &registration("Stone", "RIVER@example.org"), now())
            .await
            .expect("a taken email looks like success");
        assert!(
            log_in(app, "Stone", "correct horse battery", now())
                .await
                .is_none()
        );
    }
);

on_both_backends!(
    sessions_end_when_idle_too_long_at_their_absolute_limit_and_at_logout,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let store = store.as_ref();
        accounts::register(app, &registration("River", "river@example.org"), now())
            .await
            .expect("register");
        let token = log_in(app, "river", "correct horse battery", now())
            .await
            .expect("token");
        let at = |h| now().checked_add(hours(h)).expect("time");
        let live = |t: Timestamp| {
            let token = token.clone();
            async move {
                accounts::session(app, &token, t)
                    .await
                    .expect("session")
                    .is_some()
            }
        };
        assert!(live(at(11)).await);
        // Used at 11 h, so still alive at 22 h; idle from 22 h to 35 h ends it.
        assert!(live(at(22)).await);
        assert!(!live(at(35)).await);

        let token = log_in(app, "river", "correct horse battery", now())
            .await
            .expect("token");
        let session = accounts::session(app, &token, now())
            .await
            .expect("session")
            .expect("live");
        assert_eq!(session.account.handle.as_str(), "River");
        // Kept busy every 10 h, it still ends after 7 days.
        for h in (10..168).step_by(10) {
            assert!(
                accounts::session(app, &token, at(h))
                    .await
                    .expect("session")
                    .is_some(),
                "{h}"
            );
        }
        assert!(
            accounts::session(app, &token, at(170))
                .await
                .expect("session")
                .is_none()
        );

        let token = log_in(app, "river", "correct horse battery", now())
            .await
            .expect("token");
        accounts::logout(app, &token).await.expect("logout");
        assert!(
            accounts::session(app, &token, now())
                .await
                .expect("session")
                .is_none()
        );
        // The store keeps only the token's hash.
        assert!(
            store
                .session(&token, now())
                .await
                .expect("lookup")
                .is_none()
        );
    }
);

on_both_backends!(the_setup_link_creates_the_first_admin_once, |store: Arc<
    dyn Store,
>| async move {
    let app = &kith_app::testing::app(store.clone());
    let store = store.as_ref();
    let token = accounts::setup_link_token(app, now())
        .await
        .expect("token")
        .expect("no admin yet");
    assert!(
        accounts::setup_link_valid(app, &token, now())
            .await
            .expect("valid")
    );
    let late = now().checked_add(hours(25)).expect("time");
    assert!(
        !accounts::setup_link_valid(app, &token, late)
            .await
            .expect("valid")
    );
    accounts::create_first_admin(
        app,
        &token,
        &registration("Keeper", "keeper@example.org"),
        now(),
    )
    .await
    .expect("first admin");
    let again = accounts::create_first_admin(
        app,
        &token,
        &registration("Other", "other@example.org"),
        now(),
    )
    .await;
    assert!(matches!(again, Err(AppError::NotFound)), "{again:?}");
    assert!(
        accounts::setup_link_token(app, now())
            .await
            .expect("token")
            .is_none()
    );
    let audit = store.audit_log(10).await.expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "admin.create_first");
});
