//! The journal's keys over a member's life, on both databases: starting a
//! journal, opening it at login, with the password or the recovery code,
//! a password change, a reset by mail, logout, locking, discarding and
//! deleting the account. Entries and their sealing are in
//! `journal_entries.rs` and `journal_sealed.rs`.

use std::sync::Arc;

use kith_app::access::Person;
use kith_app::accounts::{self, LoginOutcome, LoginRequest};
use kith_app::journal::{self, Recovered, Status, Unlock};
use kith_app::testing::{PASSWORD, now, registered};
use kith_app::{App, AppError, Conflict, account_settings};
use kith_domain::journal::CheckinInput;
use kith_domain::zone::Zone;
use kith_store::accounts::SessionKind;
use kith_store::{Store, on_both_backends};

/// Logs in with a password; the new session's token.
async fn login(app: &App, handle: &str, password: &str) -> Option<String> {
    let request = LoginRequest {
        login: handle,
        password,
        kind: SessionKind::Browser,
        remember: false,
    };
    match accounts::login(app, &request, now(), |_| Ok(()))
        .await
        .expect("login")
    {
        LoginOutcome::LoggedIn { token, .. } => Some(token.token),
        _ => None,
    }
}

/// A session begun without the password (as a mailed link begins one).
async fn session_without_password(app: &App, person: &Person) -> String {
    accounts::start_session(app, person.id, SessionKind::Browser, false, now())
        .await
        .expect("session")
        .token
}

/// A member with a journal, logged in: their session and recovery code.
async fn member_with_journal(app: &App, handle: &str) -> (Person, String, String) {
    let person = registered(app, handle).await;
    let token = login(app, handle, PASSWORD).await.expect("logged in");
    let code = journal::create(app, &person, PASSWORD, &token, now())
        .await
        .expect("journal");
    (person, token, code.expose().to_string())
}

fn note(text: &str) -> CheckinInput {
    CheckinInput {
        day: "2026-05-30".to_owned(),
        mood: "3".to_owned(),
        hours_slept: "7.5".to_owned(),
        symptoms: vec![],
        note: text.to_owned(),
    }
}

async fn write(app: &App, person: &Person, token: &str, text: &str) {
    journal::add_checkin(app, person, token, &note(text), &Zone::utc(), now())
        .await
        .expect("check-in");
}

/// The notes of the person's check-ins, as this session reads them.
async fn notes(app: &App, person: &Person, token: &str) -> AppResult<Vec<String>> {
    Ok(journal::checkins(app, person, token, None, None)
        .await?
        .into_iter()
        .map(|c| c.content.expect("opens").note)
        .collect())
}

type AppResult<T> = Result<T, AppError>;

fn is_conflict<T>(result: AppResult<T>, conflict: Conflict) -> bool {
    matches!(result, Err(AppError::Conflict(c)) if c == conflict)
}

fn refused_on<T>(result: AppResult<T>, field: &str, code: &str) -> bool {
    matches!(result, Err(AppError::Invalid(errors))
        if errors.len() == 1 && errors[0].field == field && errors[0].code == code)
}

on_both_backends!(
    a_journal_starts_with_the_password_and_opens_at_each_login,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let river = registered(app, "River").await;
        let token = login(app, "River", PASSWORD).await.expect("logged in");
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::None
        );
        assert!(is_conflict(
            notes(app, &river, &token).await,
            Conflict::NoJournal
        ));
        assert!(refused_on(
            journal::create(app, &river, "not the password", &token, now()).await,
            "password",
            "wrong_password"
        ));
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::None
        );

        journal::create(app, &river, PASSWORD, &token, now())
            .await
            .expect("journal");
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::Open {
                recovery_saved: false,
                opens_at_login: true
            }
        );
        assert!(is_conflict(
            journal::create(app, &river, PASSWORD, &token, now()).await,
            Conflict::JournalExists
        ));
        journal::confirm_recovery_saved(app, &river, now())
            .await
            .expect("saved");
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::Open {
                recovery_saved: true,
                opens_at_login: true
            }
        );
        write(app, &river, &token, "first day").await;

        // A login with the password opens it in the new session too.
        let next = login(app, "river", PASSWORD).await.expect("logged in");
        assert_eq!(
            notes(app, &river, &next).await.expect("open"),
            ["first day"]
        );

        // A session begun otherwise is locked until the password opens it,
        // within the caller's limit.
        let linked = session_without_password(app, &river).await;
        assert_eq!(
            journal::status(app, &river, &linked).await.expect("status"),
            Status::Locked
        );
        assert!(is_conflict(
            notes(app, &river, &linked).await,
            Conflict::JournalLocked
        ));
        let limited =
            journal::unlock_with_password(app, &river, &linked, PASSWORD, now(), || Err(30))
                .await
                .expect("answer");
        assert_eq!(limited, Unlock::Limited(30));
        assert_eq!(
            journal::status(app, &river, &linked).await.expect("status"),
            Status::Locked
        );
        let wrong = journal::unlock_with_password(app, &river, &linked, "not it", now(), || Ok(()))
            .await
            .expect("answer");
        assert_eq!(wrong, Unlock::Refused);
        let right = journal::unlock_with_password(app, &river, &linked, PASSWORD, now(), || Ok(()))
            .await
            .expect("answer");
        assert_eq!(right, Unlock::Opened);
        assert_eq!(
            notes(app, &river, &linked).await.expect("open"),
            ["first day"]
        );

        // Locking closes it in that session only.
        journal::lock(app, &river, &linked).await.expect("lock");
        assert_eq!(
            journal::status(app, &river, &linked).await.expect("status"),
            Status::Locked
        );
        assert!(notes(app, &river, &next).await.is_ok());

        // Another member's session token opens nothing of River's.
        let lake = registered(app, "Lake").await;
        let lakes = login(app, "Lake", PASSWORD).await.expect("logged in");
        assert!(is_conflict(
            notes(app, &river, &lakes).await,
            Conflict::JournalLocked
        ));
        assert_eq!(
            journal::status(app, &lake, &lakes).await.expect("status"),
            Status::None
        );
    }
);

on_both_backends!(
    logout_removes_the_sessions_key,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, _) = member_with_journal(app, "River").await;
        let hash = kith_app::tokens::token_hash(&token);
        assert!(
            store
                .session_key(river.id, &hash)
                .await
                .expect("key")
                .is_some()
        );
        accounts::logout(app, &token).await.expect("logout");
        assert_eq!(store.session_key(river.id, &hash).await.expect("key"), None);
        assert!(is_conflict(
            notes(app, &river, &token).await,
            Conflict::JournalLocked
        ));
        let linked = session_without_password(app, &river).await;
        assert_eq!(
            journal::status(app, &river, &linked).await.expect("status"),
            Status::Locked
        );
    }
);

on_both_backends!(
    a_password_change_keeps_the_journal_opening_with_the_new_password,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, _) = member_with_journal(app, "River").await;
        write(app, &river, &token, "before the change").await;
        let other = login(app, "River", PASSWORD).await.expect("logged in");
        let new = "a new and longer passphrase";
        account_settings::change_password(app, &river, Some(&token), PASSWORD, new)
            .await
            .expect("changed");
        assert_eq!(
            notes(app, &river, &token).await.expect("still open here"),
            ["before the change"]
        );
        assert!(
            is_conflict(notes(app, &river, &other).await, Conflict::JournalLocked),
            "the other session ended, and its key with it"
        );
        let next = login(app, "River", new).await.expect("logged in");
        assert_eq!(
            journal::status(app, &river, &next).await.expect("status"),
            Status::Open {
                recovery_saved: false,
                opens_at_login: true
            }
        );
        assert_eq!(
            notes(app, &river, &next).await.expect("open"),
            ["before the change"]
        );
        let linked = session_without_password(app, &river).await;
        let old = journal::unlock_with_password(app, &river, &linked, PASSWORD, now(), || Ok(()))
            .await
            .expect("answer");
        assert_eq!(old, Unlock::Refused, "the old password opens nothing");
    }
);

on_both_backends!(
    a_reset_by_mail_leaves_the_journal_locked_until_the_recovery_code,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, code) = member_with_journal(app, "River").await;
        write(app, &river, &token, "kept through a reset").await;
        account_settings::request_password_reset(app, "river@example.org", now())
            .await
            .expect("request");
        let link = kith_app::testing::token_from_mail(app, "/password-reset/", now())
            .await
            .expect("a link");
        let new = "a new and longer passphrase";
        account_settings::reset_password(app, &link, new, now())
            .await
            .expect("reset");
        let after = login(app, "River", new).await.expect("logged in");
        assert_eq!(
            journal::status(app, &river, &after).await.expect("status"),
            Status::NeedsRecovery
        );
        assert!(is_conflict(
            journal::unlock_with_password(app, &river, &after, new, now(), || Ok(())).await,
            Conflict::JournalNeedsRecovery
        ));

        // A code of the right shape that is not this journal's opens
        // nothing; a typo is caught before anything is tried or counted.
        let other = journal::RecoveryCode::generate().expose().to_string();
        let tried =
            journal::unlock_with_recovery(app, &river, &after, &other, None, now(), || Ok(()))
                .await
                .expect("answer");
        assert!(matches!(tried, Recovered::Refused));
        let mut typo: Vec<char> = code.chars().collect();
        typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert!(refused_on(
            journal::unlock_with_recovery(app, &river, &after, &typo, None, now(), || Err(9)).await,
            "recovery_code",
            "mistyped"
        ));
        assert!(refused_on(
            journal::unlock_with_recovery(app, &river, &after, "1234", None, now(), || Ok(()))
                .await,
            "recovery_code",
            "malformed"
        ));
        let limited =
            journal::unlock_with_recovery(app, &river, &after, &code, None, now(), || Err(60))
                .await
                .expect("answer");
        assert!(matches!(limited, Recovered::Limited(60)));
        // The right code with a wrong password writes nothing.
        assert!(refused_on(
            journal::unlock_with_recovery(
                app,
                &river,
                &after,
                &code,
                Some(PASSWORD),
                now(),
                || Ok(())
            )
            .await,
            "password",
            "wrong_password"
        ));
        assert_eq!(
            journal::status(app, &river, &after).await.expect("status"),
            Status::NeedsRecovery
        );

        // The code alone opens it for this session only, and is spent:
        // a new one, unlike it, takes its place.
        let typed = code.to_lowercase().replace('-', " ");
        let opened =
            journal::unlock_with_recovery(app, &river, &after, &typed, None, now(), || Ok(()))
                .await
                .expect("answer");
        let Recovered::Opened(new_code) = opened else {
            panic!("the code opens the journal");
        };
        let new_code = new_code.expose().to_string();
        assert_ne!(new_code, code);
        assert_eq!(
            journal::status(app, &river, &after).await.expect("status"),
            Status::Open {
                recovery_saved: false,
                opens_at_login: false
            }
        );
        assert_eq!(
            notes(app, &river, &after).await.expect("open"),
            ["kept through a reset"]
        );
        let again = login(app, "River", new).await.expect("logged in");
        assert_eq!(
            journal::status(app, &river, &again).await.expect("status"),
            Status::NeedsRecovery
        );

        let spent =
            journal::unlock_with_recovery(app, &river, &again, &code, None, now(), || Ok(()))
                .await
                .expect("answer");
        assert!(
            matches!(spent, Recovered::Refused),
            "a used code opens nothing"
        );

        // With the current password, it opens at login from then on.
        let opened =
            journal::unlock_with_recovery(app, &river, &again, &new_code, Some(new), now(), || {
                Ok(())
            })
            .await
            .expect("answer");
        assert!(matches!(opened, Recovered::Opened(_)));
        let later = login(app, "River", new).await.expect("logged in");
        assert_eq!(
            journal::status(app, &river, &later).await.expect("status"),
            Status::Open {
                recovery_saved: false,
                opens_at_login: true
            }
        );
        assert_eq!(
            notes(app, &river, &later).await.expect("open"),
            ["kept through a reset"]
        );
    }
);

on_both_backends!(
    a_password_change_after_a_reset_wraps_the_key_the_session_holds,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, _, code) = member_with_journal(app, "River").await;
        account_settings::request_password_reset(app, "river@example.org", now())
            .await
            .expect("request");
        let link = kith_app::testing::token_from_mail(app, "/password-reset/", now())
            .await
            .expect("a link");
        let reset = "a passphrase set by mail";
        account_settings::reset_password(app, &link, reset, now())
            .await
            .expect("reset");
        let session = login(app, "River", reset).await.expect("logged in");
        journal::unlock_with_recovery(app, &river, &session, &code, None, now(), || Ok(()))
            .await
            .expect("opened");
        let chosen = "the passphrase chosen later";
        account_settings::change_password(app, &river, Some(&session), reset, chosen)
            .await
            .expect("changed");
        let next = login(app, "River", chosen).await.expect("logged in");
        assert!(matches!(
            journal::status(app, &river, &next).await.expect("status"),
            Status::Open {
                opens_at_login: true,
                ..
            }
        ));
    }
);

on_both_backends!(
    a_journal_can_be_discarded_and_goes_with_the_account,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let (river, token, _) = member_with_journal(app, "River").await;
        write(app, &river, &token, "to be discarded").await;
        assert!(refused_on(
            journal::discard(app, &river, "not it").await,
            "password",
            "wrong_password"
        ));
        assert!(notes(app, &river, &token).await.is_ok());
        journal::discard(app, &river, PASSWORD)
            .await
            .expect("discarded");
        assert_eq!(
            journal::status(app, &river, &token).await.expect("status"),
            Status::None
        );
        assert!(is_conflict(
            journal::discard(app, &river, PASSWORD).await,
            Conflict::NoJournal
        ));
        // A new one starts empty.
        journal::create(app, &river, PASSWORD, &token, now())
            .await
            .expect("a new journal");
        assert!(notes(app, &river, &token).await.expect("open").is_empty());

        let (lake, lakes, _) = member_with_journal(app, "Lake").await;
        write(app, &lake, &lakes, "gone with the account").await;
        account_settings::delete_account(app, &lake, PASSWORD)
            .await
            .expect("deleted");
        assert_eq!(store.journal_keys(lake.id).await.expect("keys"), None);
        assert!(
            store
                .checkins(lake.id, None, None)
                .await
                .expect("rows")
                .is_empty()
        );
    }
);
