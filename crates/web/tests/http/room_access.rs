//! The live room after a person's right to it ends: whatever ends it, their
//! open connections get one last frame (`removed`, or `closed` when the
//! group is unlisted or closed) and nothing after it, a message written
//! afterwards never reaches them, and the command they send at that moment
//! is never applied — with real WebSocket clients on both databases, and
//! across two instances on one PostgreSQL.

use std::sync::Arc;

use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::ids::{OccurrenceId, Slug};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Error as WsError;

use crate::rooms::{
    Socket, command, connect, cookie, joined, meeting_now, serve, until, until_closed, until_event,
    who,
};
use crate::support::{PASSWORD, TestApp};

/// What takes the room away.
#[derive(Debug, Clone, Copy)]
enum Cause {
    /// The host removes Ada from the group.
    Removed,
    /// The host blocks her.
    Blocked,
    /// She leaves the group.
    Left,
    /// She logs out in the browser that opened the room.
    LoggedOut,
    /// She sets a new password elsewhere, which ends her other sessions.
    NewPassword,
    /// From another device she ends every other session.
    SessionsEnded,
    /// She deletes her account.
    AccountDeleted,
    /// The host unlists the group.
    Unlisted,
    /// A moderator unlists the group.
    UnlistedByModerator,
    /// The host closes the group for good.
    Closed,
}

impl Cause {
    /// The last frame Ada's connection receives.
    fn last_frame(self) -> &'static str {
        match self {
            Self::Unlisted | Self::UnlistedByModerator | Self::Closed => "closed",
            _ => "removed",
        }
    }

    /// Whether everyone loses the room, not Ada alone.
    fn for_everyone(self) -> bool {
        self.last_frame() == "closed"
    }
}

/// Ada's request to join the group.
async fn request_of(app: &TestApp, person: &Person) -> String {
    let requests = app
        .db
        .store
        .account_requests(person.id)
        .await
        .expect("requests");
    requests[0].id.to_string()
}

/// Makes `cause` happen, as the people involved would: through the API
/// (logging out through the use case the logout route calls).
async fn bring_about(
    app: &TestApp,
    cause: Cause,
    slug: &Slug,
    host: &Person,
    ada: &Person,
    ada_cookie: &str,
) {
    let request = request_of(app, ada).await;
    let (client, method, uri, body) = match cause {
        Cause::Removed | Cause::Blocked => {
            let action = if matches!(cause, Cause::Removed) {
                "remove"
            } else {
                "block"
            };
            (
                host,
                "POST",
                format!("/api/v1/join-requests/{request}/{action}"),
                json!({}),
            )
        }
        Cause::Left => (
            ada,
            "POST",
            format!("/api/v1/join-requests/{request}/withdraw"),
            json!({}),
        ),
        Cause::LoggedOut => {
            let token = ada_cookie.trim_start_matches("kith_session=");
            kith_app::accounts::logout(&app.context, token)
                .await
                .expect("logout");
            return;
        }
        Cause::NewPassword => (
            ada,
            "PUT",
            "/api/v1/me/password".to_owned(),
            json!({"current_password": PASSWORD, "password": "a new and longer passphrase"}),
        ),
        Cause::SessionsEnded => {
            let mut device = app.api_as(ada).await;
            let sessions = device
                .json("GET", "/api/v1/me/sessions", json!(null))
                .await
                .json();
            for session in sessions.as_array().expect("sessions") {
                if session["current"] == false {
                    let id = session["id"].as_str().expect("id");
                    let ended = device
                        .json("DELETE", &format!("/api/v1/me/sessions/{id}"), json!(null))
                        .await;
                    assert_eq!(ended.status, 204, "{}", ended.body);
                }
            }
            return;
        }
        Cause::AccountDeleted => (
            ada,
            "DELETE",
            "/api/v1/me".to_owned(),
            json!({"password": PASSWORD}),
        ),
        Cause::Unlisted => (
            host,
            "POST",
            format!("/api/v1/groups/{slug}/unlist"),
            json!({}),
        ),
        Cause::UnlistedByModerator => {
            let moderator = app.account("Warden", Role::Moderator).await;
            let done = app
                .api_as(&moderator)
                .await
                .json(
                    "POST",
                    &format!("/api/v1/moderation/groups/{slug}/unlist"),
                    json!({"reason": "Off topic."}),
                )
                .await;
            assert!(done.status.is_success(), "{}", done.body);
            return;
        }
        Cause::Closed => (
            host,
            "DELETE",
            format!("/api/v1/groups/{slug}"),
            json!(null),
        ),
    };
    let done = app.api_as(client).await.json(method, &uri, body).await;
    assert!(
        done.status.is_success(),
        "{cause:?}: {} {}",
        done.status,
        done.body
    );
}

/// Every frame until the server closes the connection.
async fn rest_of(socket: &mut Socket) -> Vec<Value> {
    until_closed(socket).await.0
}

/// Whether any frame holds this chat text.
fn carries(frames: &[Value], text: &str) -> bool {
    frames.iter().any(|frame| frame.to_string().contains(text))
}

/// Asserts that a connection's last frame is `last`, that nothing follows
/// it, and that it never carried `unseen`.
fn ended_with(frames: &[Value], last: &str, unseen: &str) {
    let types: Vec<&Value> = frames.iter().map(|f| &f["type"]).collect();
    assert_eq!(
        frames.last().map(|f| &f["type"]),
        Some(&json!(last)),
        "{types:?}"
    );
    assert_eq!(
        frames.iter().filter(|f| f["type"] == last).count(),
        1,
        "{types:?}"
    );
    assert!(
        !carries(frames, unseen),
        "a message after the change arrived: {frames:?}"
    );
}

/// Whether the room's log holds a command with this client id.
async fn applied(app: &TestApp, meeting: &OccurrenceId, client_id: &str) -> bool {
    let log = app.db.store.room_log(meeting).await.expect("log");
    log.iter().any(|c| c.client_id == client_id)
}

/// The host, Ada and Bea are in the room; `cause` takes Ada's right away.
async fn ada_loses_the_room(store: Arc<dyn kith_store::Store>, cause: Cause) {
    let app = TestApp::on(store.clone());
    let (slug, meeting, host, ada, bea) = meeting_now(&app).await;
    let (addr, _) = serve(store).await;
    let ada_cookie = cookie(&app, &ada).await;
    let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
    let mut a = joined(&addr, &meeting, &ada_cookie).await;
    let mut b = joined(&addr, &meeting, &cookie(&app, &bea).await).await;
    command(
        &mut a,
        "before",
        json!({"type": "say", "text": "ada before"}),
    )
    .await;
    until(&mut a, "ack").await;

    bring_about(&app, cause, &slug, &host, &ada, &ada_cookie).await;
    // At once, Ada says something, and Bea after her.
    command(
        &mut a,
        "late",
        json!({"type": "say", "text": "ada too late"}),
    )
    .await;
    if !cause.for_everyone() {
        command(&mut b, "after", json!({"type": "say", "text": "bea after"})).await;
        until(&mut b, "ack").await;
    }

    let heard = rest_of(&mut a).await;
    ended_with(&heard, cause.last_frame(), "bea after");
    assert!(!carries(&heard, "ada too late"), "{heard:?}");
    assert!(
        !applied(&app, &meeting, "late").await,
        "her late command was applied"
    );
    if cause.for_everyone() {
        for socket in [&mut h, &mut b] {
            let heard = rest_of(socket).await;
            ended_with(&heard, "closed", "ada too late");
        }
    } else {
        // The others see her go, and the room carries on.
        assert_eq!(until_event(&mut h, "left").await["who"], who(&ada));
        command(&mut h, "still", json!({"type": "say", "text": "carry on"})).await;
        while until_event(&mut b, "said").await["text"] != "carry on" {}
    }
    // She cannot come back with the same cookie.
    match connect(&addr, &meeting, &ada_cookie, None).await {
        Err(WsError::Http(response)) => {
            assert!(response.status().is_client_error() || response.status().is_redirection())
        }
        other => panic!("came back after {cause:?}: {other:?}"),
    }
}

macro_rules! loses_the_room {
    ($($name:ident: $cause:expr;)*) => {
        $(kith_store::on_both_backends!($name, |store| async move {
            ada_loses_the_room(store, $cause).await;
        });)*
    };
}

loses_the_room! {
    a_removed_member_loses_the_room_at_once: Cause::Removed;
    a_blocked_member_loses_the_room_at_once: Cause::Blocked;
    a_member_who_leaves_loses_the_room_at_once: Cause::Left;
    logging_out_ends_the_room_that_session_opened: Cause::LoggedOut;
    a_new_password_ends_the_rooms_of_other_sessions: Cause::NewPassword;
    ending_a_session_from_another_device_ends_its_room: Cause::SessionsEnded;
    a_deleted_account_loses_the_room_at_once: Cause::AccountDeleted;
    unlisting_a_group_closes_its_room_for_everyone: Cause::Unlisted;
    a_moderator_unlisting_closes_the_room_for_everyone: Cause::UnlistedByModerator;
    closing_a_group_closes_its_room_for_everyone: Cause::Closed;
}

kith_store::on_both_backends!(
    a_session_that_ends_closes_only_the_connections_it_opened,
    |store| async move {
        let app = TestApp::on(store.clone());
        let (_, meeting, host, ada, _) = meeting_now(&app).await;
        let (addr, _) = serve(store).await;
        let mut h = joined(&addr, &meeting, &cookie(&app, &host).await).await;
        let laptop = cookie(&app, &ada).await;
        let phone = cookie(&app, &ada).await;
        let mut on_laptop = joined(&addr, &meeting, &laptop).await;
        let mut on_phone = joined(&addr, &meeting, &phone).await;
        let token = laptop.trim_start_matches("kith_session=");
        kith_app::accounts::logout(&app.context, token)
            .await
            .expect("logout");
        let heard = rest_of(&mut on_laptop).await;
        ended_with(&heard, "removed", "still on the phone");
        // The phone's connection stays and hears the room.
        command(
            &mut h,
            "h1",
            json!({"type": "say", "text": "still on the phone"}),
        )
        .await;
        let said = until_event(&mut on_phone, "said").await;
        assert_eq!(said["text"], "still on the phone");
    }
);

#[tokio::test]
async fn a_member_removed_on_one_instance_loses_the_room_on_another() {
    let Some(db) = kith_store::testing::TempPostgres::create().await else {
        return;
    };
    let store = kith_store::open(&db.url, 4).await.expect("open");
    let app = TestApp::on(store.clone());
    let (_, meeting, host, ada, bea) = meeting_now(&app).await;
    let (first, _) = serve(store.clone()).await;
    let other = kith_store::open(&db.url, 4).await.expect("open again");
    let (second, _) = serve(other).await;
    let mut h = joined(&first, &meeting, &cookie(&app, &host).await).await;
    let mut b = joined(&first, &meeting, &cookie(&app, &bea).await).await;
    let mut a = joined(&second, &meeting, &cookie(&app, &ada).await).await;

    // The host removes her through the first instance's store.
    let request = request_of(&app, &ada).await;
    let done = app
        .api_as(&host)
        .await
        .json(
            "POST",
            &format!("/api/v1/join-requests/{request}/remove"),
            json!({}),
        )
        .await;
    assert!(done.status.is_success(), "{}", done.body);
    command(
        &mut a,
        "late",
        json!({"type": "say", "text": "ada too late"}),
    )
    .await;
    command(&mut b, "after", json!({"type": "say", "text": "bea after"})).await;
    until(&mut b, "ack").await;

    let heard = rest_of(&mut a).await;
    ended_with(&heard, "removed", "bea after");
    assert!(
        !applied(&app, &meeting, "late").await,
        "her late command was applied"
    );
    assert_eq!(until_event(&mut h, "left").await["who"], who(&ada));
    db.drop_now().await;
}
