//! Mail to a group's members through a real SMTP server on 127.0.0.1, on
//! both databases: one mail per member, each with one recipient, nobody
//! else's address anywhere in it.

use std::sync::Arc;

use kith_app::App;
use kith_app::access::Person;
use kith_app::groups::create_groups;
use kith_app::mail::sender::{SenderSettings, send_due};
use kith_app::mail::transport::Transport;
use kith_app::testing::GroupBuilder;
use kith_app::testing::smtp::SmtpServer;
use kith_app::testing::{now, registered};
use kith_domain::membership::{Occupancy, RequestState};
use kith_store::mail::NoMail;
use kith_store::{Store, on_both_backends};

/// A member whose address is confirmed, so that their requests reach hosts.
async fn person(app: &App, handle: &str) -> Person {
    Person {
        email_verified: true,
        ..registered(app, handle).await
    }
}

on_both_backends!(
    an_announcement_is_one_mail_per_member_with_nobody_elses_address,
    |store: Arc<dyn Store>| async move {
        let app = &kith_app::testing::app(store.clone());
        let server = SmtpServer::start().await;
        let store = store.as_ref();
        let transport =
            Transport::smtp(&server.url(), std::time::Duration::from_secs(5)).expect("transport");
        let settings = SenderSettings::new("kith <kith@kith.example>".parse().expect("from"));
        // GroupBuilder's host is "willow".
        let host = person(app, "Willow").await;
        let members = [person(app, "Ada").await, person(app, "Bea").await];
        let slugs = create_groups(app, &[GroupBuilder::new("Tuesday Circle").build()], now())
            .await
            .expect("group");
        let group = store.group_access(&slugs[0]).await.expect("access").id;
        for member in &members {
            let approve = |_: Option<RequestState>, _: Occupancy| Ok(RequestState::Approved);
            store
                .ask_to_join(group, member.id, "", &approve, &NoMail, now())
                .await
                .expect("ask")
                .expect("member");
        }
        // The registration mails go first.
        send_due(store, &transport, &settings, now())
            .await
            .expect("send");
        let before = server.wait_for(3).await.len();

        let written = kith_app::membership::announce(
            app,
            &host,
            &slugs[0],
            "We start half an hour later on Tuesday.",
            now(),
        )
        .await
        .expect("announce");
        assert_eq!(written, 2);
        send_due(store, &transport, &settings, now())
            .await
            .expect("send");
        let received = server.wait_for(before + 2).await;
        let news = &received[before..];
        let mut recipients: Vec<&str> = news.iter().map(|m| m.to[0].as_str()).collect();
        recipients.sort_unstable();
        assert_eq!(recipients, ["ada@example.org", "bea@example.org"]);
        for mail in news {
            assert_eq!(mail.to.len(), 1, "one recipient per mail");
            let other = if mail.to[0] == "ada@example.org" {
                "bea@example.org"
            } else {
                "ada@example.org"
            };
            assert!(!mail.data.contains(other), "another member's address");
            assert!(
                !mail.data.contains("willow@example.org"),
                "the host's address"
            );
            assert!(!mail.data.contains("\r\nCc:") && !mail.data.contains("\r\nBcc:"));
            assert!(
                mail.data
                    .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
            );
            assert!(
                mail.data
                    .contains("Subject: kith: news from one of your groups")
            );
            assert!(mail.data.contains("half an hour later"));
        }
    }
);
