use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::account::{Email, Role};

use super::*;
use crate::Store;
use crate::accounts::SessionKind;
use crate::testing::{account, now};

/// `seconds` after the tests' now.
fn at(seconds: i64) -> Timestamp {
    now() + SignedDuration::from_secs(seconds)
}

fn session(token_hash: &str, account: AccountId, idle_seconds: i64) -> NewSession {
    NewSession {
        token_hash: token_hash.to_owned(),
        account,
        kind: SessionKind::Browser,
        csrf_token: format!("csrf-{token_hash}"),
        idle_seconds,
        expires_at: at(1000),
    }
}

/// Creates an account with this role, at `<handle>@example.org`.
async fn with_role(
    store: &Arc<dyn Store>,
    handle: &str,
    role: Role,
    audit: Option<&AuditEntry<'_>>,
) -> StoreResult<AccountId> {
    let handle = Handle::parse(handle).expect("handle");
    let email = Email::parse(&format!("{handle}@example.org")).expect("email");
    let new = NewAccount {
        handle: &handle,
        email: &email,
        password_hash: "$argon2id$v=19$test",
        role,
        email_verified: role != Role::Member,
    };
    store.create_account(&new, audit, now()).await
}

crate::on_both_backends!(
    a_taken_handle_or_email_is_a_conflict_and_writes_nothing,
    |store: Arc<dyn Store>| async move {
        let audit = AuditEntry {
            actor: None,
            actor_handle: "operator",
            action: "account.create",
            target: "account:River".to_owned(),
            reason: "",
        };
        let river = with_role(&store, "River", Role::Moderator, Some(&audit))
            .await
            .expect("create");
        let other = Email::parse("someone@example.org").expect("email");
        let taken_handle = Handle::parse("rIVER").expect("handle");
        let mut new = NewAccount {
            handle: &taken_handle,
            email: &other,
            password_hash: "x",
            role: Role::Member,
            email_verified: false,
        };
        assert!(matches!(
            store.create_account(&new, Some(&audit), now()).await,
            Err(StoreError::Conflict { what: "handle" })
        ));
        let free = Handle::parse("stone").expect("handle");
        let taken_email = Email::parse("river@example.org").expect("email");
        new.handle = &free;
        new.email = &taken_email;
        assert!(matches!(
            store.create_account(&new, Some(&audit), now()).await,
            Err(StoreError::Conflict { what: "email" })
        ));

        let log = store.audit_log(10).await.expect("audit");
        assert_eq!(log.len(), 1, "a refused account leaves no audit row");
        assert_eq!(
            (log[0].action.as_str(), log[0].target.as_str(), log[0].at),
            ("account.create", "account:River", now())
        );
        let found = store
            .account_by_handle(&free)
            .await
            .expect("read")
            .map(|a| a.id);
        assert_eq!(found, None);
        let found = store
            .account_by_handle(&taken_handle)
            .await
            .expect("read")
            .expect("found in any case");
        assert_eq!(
            (found.id, found.handle.as_str(), found.role),
            (river, "River", Role::Moderator)
        );
        assert!(found.email_verified);
    }
);

crate::on_both_backends!(
    an_account_is_found_by_its_handle_in_any_case_or_its_email,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "River").await;
        for login in ["  rIVER ", "River@Example.org"] {
            let found = store
                .account_by_login(login)
                .await
                .expect("read")
                .expect("found");
            assert_eq!(found.id, river, "{login}");
            assert_eq!(found.password_hash.as_deref(), Some("$argon2id$v=19$test"));
            assert!(!found.email_verified);
        }
        assert!(
            store
                .account_by_login("stone")
                .await
                .expect("read")
                .is_none()
        );
    }
);

crate::on_both_backends!(
    a_session_lives_while_used_and_ends_when_idle_expired_or_ended,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        store
            .create_session(&session("used", river, 300), now())
            .await
            .expect("session");
        store
            .create_session(&session("idle", river, 300), now())
            .await
            .expect("session");
        let live = store
            .session("used", at(30))
            .await
            .expect("read")
            .expect("live");
        assert_eq!(
            (live.account.id, live.kind, live.csrf_token.as_str()),
            (river, SessionKind::Browser, "csrf-used")
        );
        assert_eq!(
            live.account.password_hash, None,
            "never read with a session"
        );
        // Used again after over a minute: marked, so it lives past the
        // first idle limit.
        assert!(
            store
                .session("used", at(290))
                .await
                .expect("read")
                .is_some()
        );
        assert!(
            store
                .session("used", at(500))
                .await
                .expect("read")
                .is_some()
        );
        // Used within a minute only: not marked, so it idles out.
        assert!(store.session("idle", at(30)).await.expect("read").is_some());
        assert!(
            store
                .session("idle", at(310))
                .await
                .expect("read")
                .is_none()
        );
        assert!(
            store
                .session("used", at(1000))
                .await
                .expect("read")
                .is_none(),
            "past its end however used"
        );

        assert_eq!(store.end_session("used").await.expect("end"), Some(river));
        assert_eq!(store.end_session("used").await.expect("end"), None);
        assert!(
            store
                .session("used", at(500))
                .await
                .expect("read")
                .is_none()
        );
    }
);

crate::on_both_backends!(
    expired_sessions_are_deleted_and_live_ones_kept,
    |store: Arc<dyn Store>| async move {
        let river = account(&store, "river").await;
        for (token, idle) in [("short", 60), ("long", 600)] {
            store
                .create_session(&session(token, river, idle), now())
                .await
                .expect("session");
        }
        let over = NewSession {
            expires_at: at(30),
            ..session("over", river, 600)
        };
        store.create_session(&over, now()).await.expect("session");
        assert_eq!(store.end_expired_sessions(at(59)).await.expect("end"), 1);
        assert_eq!(store.end_expired_sessions(at(60)).await.expect("end"), 1);
        assert_eq!(store.end_expired_sessions(at(60)).await.expect("end"), 0);
        assert_eq!(store.end_session("long").await.expect("end"), Some(river));
    }
);

crate::on_both_backends!(
    staff_are_moderators_and_admins_oldest_first,
    |store: Arc<dyn Store>| async move {
        with_role(&store, "fern", Role::Member, None)
            .await
            .expect("create");
        let admin = with_role(&store, "oak", Role::Admin, None)
            .await
            .expect("create");
        let moderator = with_role(&store, "birch", Role::Moderator, None)
            .await
            .expect("create");
        assert_eq!(
            store.staff_accounts().await.expect("staff"),
            [admin, moderator]
        );
        assert!(store.admin_exists().await.expect("admins"));
    }
);

crate::on_both_backends!(a_setup_link_makes_the_first_admin_once, |store: Arc<
    dyn Store,
>| async move {
    assert!(!store.admin_exists().await.expect("admins"));
    store
        .create_setup_token("setup", now(), at(3600))
        .await
        .expect("token");
    assert!(
        store
            .setup_token_valid("setup", now())
            .await
            .expect("valid")
    );
    assert!(
        !store
            .setup_token_valid("setup", at(3600))
            .await
            .expect("valid")
    );
    assert!(
        !store
            .setup_token_valid("other", now())
            .await
            .expect("valid")
    );

    let handle = Handle::parse("Willow").expect("handle");
    let email = Email::parse("willow@example.org").expect("email");
    let new = NewAccount {
        handle: &handle,
        email: &email,
        password_hash: "x",
        role: Role::Admin,
        email_verified: true,
    };
    for (token, when) in [("other", now()), ("setup", at(3600))] {
        assert!(matches!(
            store.create_first_admin(token, &new, when).await,
            Err(StoreError::NotFound)
        ));
    }
    let admin = store
        .create_first_admin("setup", &new, now())
        .await
        .expect("first admin");
    let log = store.audit_log(10).await.expect("audit");
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].actor_handle.as_str(),
            log[0].action.as_str(),
            log[0].target.as_str()
        ),
        ("Willow", "admin.create_first", "account:Willow")
    );
    assert_eq!(store.staff_accounts().await.expect("staff"), [admin]);
    assert!(
        !store
            .setup_token_valid("setup", now())
            .await
            .expect("valid"),
        "the link is spent"
    );

    store
        .create_setup_token("again", now(), at(3600))
        .await
        .expect("token");
    let second = Handle::parse("second").expect("handle");
    let email = Email::parse("second@example.org").expect("email");
    let new = NewAccount {
        handle: &second,
        email: &email,
        ..new
    };
    assert!(
        !store
            .setup_token_valid("again", now())
            .await
            .expect("valid"),
        "not once an admin exists"
    );
    assert!(matches!(
        store.create_first_admin("again", &new, now()).await,
        Err(StoreError::NotFound)
    ));
});

crate::on_both_backends!(a_calendar_token_is_replaced_and_removed, |store: Arc<
    dyn Store,
>| async move {
    let river = account(&store, "river").await;
    assert_eq!(store.calendar_token_made(river).await.expect("read"), None);
    store
        .set_calendar_token(river, Some("cal1"), now())
        .await
        .expect("set");
    assert_eq!(
        store.calendar_token_owner("cal1").await.expect("read"),
        Some(river)
    );
    assert_eq!(
        store.calendar_token_made(river).await.expect("read"),
        Some(now())
    );
    store
        .set_calendar_token(river, Some("cal2"), at(60))
        .await
        .expect("replace");
    assert_eq!(
        store.calendar_token_owner("cal1").await.expect("read"),
        None
    );
    assert_eq!(
        store.calendar_token_owner("cal2").await.expect("read"),
        Some(river)
    );
    assert_eq!(
        store.calendar_token_made(river).await.expect("read"),
        Some(at(60))
    );
    store
        .set_calendar_token(river, None, at(120))
        .await
        .expect("remove");
    assert_eq!(
        store.calendar_token_owner("cal2").await.expect("read"),
        None
    );
    assert_eq!(store.calendar_token_made(river).await.expect("read"), None);
});

crate::on_both_backends!(a_zone_is_remembered_only_when_none_is_set, |store: Arc<
    dyn Store,
>| async move {
    let river = account(&store, "river").await;
    assert!(
        store
            .remember_account_zone(river, "Europe/Berlin")
            .await
            .expect("remember")
    );
    assert!(
        !store
            .remember_account_zone(river, "Asia/Tokyo")
            .await
            .expect("remember")
    );
    assert_eq!(
        store.account_zone(river).await.expect("read").as_deref(),
        Some("Europe/Berlin")
    );
    store.set_account_zone(river, None).await.expect("forget");
    assert_eq!(store.account_zone(river).await.expect("read"), None);
    assert_eq!(
        store.account_zone(AccountId(999)).await.expect("read"),
        None,
        "no account, no zone"
    );
});

crate::on_both_backends!(
    a_registered_account_comes_with_its_verification_mail_and_a_refused_one_with_none,
    |store: Arc<dyn Store>| async move {
        let draft = crate::mail::MailDraft {
            kind: "verify_email",
            subject: "Confirm your address".to_owned(),
            text: "text".to_owned(),
            html: "<p>html</p>".to_owned(),
            unsubscribe: None,
        };
        let verification = Verification {
            token_hash: "hash-of-the-link",
            expires_at: at(3600),
            mail: &draft,
        };
        let handle = Handle::parse("Fern").expect("handle");
        let email = Email::parse("fern@example.org").expect("email");
        let new = NewAccount {
            handle: &handle,
            email: &email,
            password_hash: "$argon2id$v=19$test",
            role: Role::Member,
            email_verified: false,
        };
        let fern = store
            .register_account(&new, &verification, now())
            .await
            .expect("registered");
        let outbox = store.outbox_states().await.expect("outbox");
        assert_eq!(
            outbox.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(),
            ["verify_email"]
        );
        assert_eq!(
            store
                .use_verify_token("hash-of-the-link", at(60))
                .await
                .expect("the token was written with the account"),
            fern
        );

        let again = Handle::parse("Fern2").expect("handle");
        let taken = NewAccount {
            handle: &again,
            ..new
        };
        assert!(matches!(
            store.register_account(&taken, &verification, now()).await,
            Err(StoreError::Conflict { what: "email" })
        ));
        assert_eq!(store.outbox_states().await.expect("outbox").len(), 1);
    }
);
