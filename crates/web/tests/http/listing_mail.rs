//! Listing mail (issue 18, item 4), on both databases and through a real
//! SMTP server: hosts hear when their listing is approved, moderators and
//! admins when one waits — never of their own.

use axum::http::StatusCode;
use kith_domain::account::Role;

use crate::support::TestApp;

kith_store::on_both_backends!(
    hosts_hear_their_listing_is_approved_and_moderators_that_one_waits,
    |store| async move {
        let app = TestApp::on(store);
        let warden = app.account("Warden", Role::Moderator).await;
        app.account("Keeper", Role::Admin).await;
        let host = app.account("Hostess", Role::Member).await;

        // A moderator who lists a group is not told of their own listing.
        app.group_hosted_by(
            &warden,
            "Warden Circle",
            kith_domain::group::ListingStatus::Pending,
        )
        .await;
        let slug = app
            .group_hosted_by(
                &host,
                "Willow Circle",
                kith_domain::group::ListingStatus::Pending,
            )
            .await;
        let mut moderator = app.browser_as(&warden).await;
        moderator.get("/moderation").await;
        let approved = moderator
            .post_form(&format!("/moderation/groups/{slug}/approve"), &[])
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);

        let delivered = app.deliver().await;
        let to = |address: &str| -> Vec<_> {
            delivered
                .iter()
                .filter(|m| m.to == vec![address.to_owned()])
                .collect()
        };
        // Each staff member hears of each listing but their own.
        let warden_mail = to("warden@example.org");
        assert_eq!(warden_mail.len(), 1, "{delivered:#?}");
        assert_eq!(warden_mail[0].subject, "kith: a listing waits for review");
        assert!(warden_mail[0].text.contains("Willow Circle"));
        assert!(warden_mail[0].text.contains("http://kith.test/moderation"));
        assert!(warden_mail[0].html.contains("Open the review queue"));
        let keeper_mail = to("keeper@example.org");
        assert_eq!(keeper_mail.len(), 2, "{delivered:#?}");
        // The host hears their group is listed, with a neutral subject.
        let host_mail = to("hostess@example.org");
        assert_eq!(host_mail.len(), 1, "{delivered:#?}");
        assert_eq!(host_mail[0].subject, "kith: your group is listed");
        assert!(
            host_mail[0]
                .text
                .contains(&format!("http://kith.test/groups/{slug}"))
        );
        assert!(host_mail[0].html.contains("Willow Circle"));
        // One recipient each, no other address in any mail.
        for mail in &delivered {
            assert_eq!(mail.to.len(), 1);
            for address in ["warden@", "keeper@", "hostess@"] {
                if !mail.to[0].starts_with(address) {
                    assert!(!mail.raw.contains(&format!("{address}example.org")));
                }
            }
        }
    }
);
