//! The recovery code is spent once used, on both databases: opening a
//! journal with it wraps the key under a new code (the old one opens
//! nothing after), and a member whose journal is open can replace a lost
//! code with their password.

use std::sync::Arc;

use kith_app::access::Person;
use kith_app::accounts::{self, LoginOutcome, LoginRequest};
use kith_app::journal::{self, Recovered, Status};
use kith_app::testing::{PASSWORD, now, registered};
use kith_app::{App, AppError, Conflict};
use kith_store::accounts::SessionKind;
use kith_store::{Store, on_both_backends};

/// Logs in with a password; the new session's token.
async fn login(app: &App, handle: &str) -> String {
    let request = LoginRequest {
        login: handle,
        password: PASSWORD,
        kind: SessionKind::Browser,
        remember: false,
    };
    match accounts::login(app, &request, now(), |_| Ok(()))
        .await
        .expect("login")
    {
        LoginOutcome::LoggedIn { token, .. } => token.token,
        _ => panic!("logged in"),
    }
}

/// A member with a journal, logged in: their session and recovery code.
async fn member_with_journal(app: &App, handle: &str) -> (Person, String, String) {
    let person = registered(app, handle).await;
    let token = login(app, handle).await;
    let code = journal::create(app, &person, PASSWORD, &token, now())
        .await
        .expect("journal");
    journal::confirm_recovery_saved(app, &person, now())
        .await
        .expect("saved");
    (person, token, code.expose().to_string())
}

/// Opens the journal in `token`'s session with `code`: the new code, or
/// `None` when refused.
async fn recover(app: &App, person: &Person, token: &str, code: &str) -> Option<String> {
    match journal::unlock_with_recovery(app, person, token, code, None, now(), || Ok(()))
        .await
        .expect("answer")
    {
        Recovered::Opened(new) => Some(new.expose().to_string()),
        Recovered::Refused => None,
        Recovered::Limited(_) => panic!("not limited"),
    }
}

on_both_backends!(
    a_used_recovery_code_opens_nothing_and_its_replacement_opens_once,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, first) = member_with_journal(app, "River").await;
        journal::lock(app, &river, &token).await.expect("locked");

        let second = recover(app, &river, &token, &first)
            .await
            .expect("the first code opens");
        assert_ne!(second, first);
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::Open {
                recovery_saved: false,
                opens_at_login: true
            },
            "the new code is not yet saved: the page asks"
        );

        journal::lock(app, &river, &token).await.expect("locked");
        assert_eq!(recover(app, &river, &token, &first).await, None);
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::Locked
        );
        let third = recover(app, &river, &token, &second)
            .await
            .expect("the second code opens");
        assert_ne!(third, second);
    }
);

on_both_backends!(
    a_lost_code_is_replaced_with_the_password_from_an_open_journal,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, old) = member_with_journal(app, "River").await;

        let wrong =
            journal::replace_recovery_code(app, &river, &token, "not the password", || Ok(()))
                .await;
        assert!(matches!(wrong, Err(AppError::Invalid(ref e)) if e[0].field == "password"));
        let limited = journal::replace_recovery_code(app, &river, &token, PASSWORD, || Err(30))
            .await
            .expect("answer");
        assert!(matches!(limited, Err(30)));

        let new = journal::replace_recovery_code(app, &river, &token, PASSWORD, || Ok(()))
            .await
            .expect("answer")
            .expect("not limited")
            .expose()
            .to_string();
        assert_ne!(new, old);
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::Open {
                recovery_saved: false,
                opens_at_login: true
            }
        );

        let other = login(app, "River").await;
        journal::lock(app, &river, &other).await.expect("locked");
        assert_eq!(recover(app, &river, &other, &old).await, None, "old: spent");
        assert!(recover(app, &river, &other, &new).await.is_some());

        // Not from a session where the journal is locked.
        journal::lock(app, &river, &other).await.expect("locked");
        let locked = journal::replace_recovery_code(app, &river, &other, PASSWORD, || Ok(())).await;
        assert!(matches!(
            locked,
            Err(AppError::Conflict(Conflict::JournalLocked))
        ));
    }
);
