//! Pages in the order people need them: a host's group page starts with
//! the group and one tap to its requests and members; a member sees the
//! meeting on now at the top; moderators read a listing before approving
//! it, hear what they did, read edits sentence by sentence, and unlist from
//! a page that keeps their words when a reason is missing.

use axum::http::StatusCode;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;

use crate::rooms::meeting_now;
use crate::support::{TestApp, group_pairs};

/// Where `needle` first appears in `body`; fails the test if it does not.
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not on the page"))
}

#[tokio::test]
async fn a_host_reads_the_group_first_and_a_member_sees_the_meeting_on_now() {
    let app = TestApp::empty().await;
    let (slug, meeting, host, ada, _) = meeting_now(&app).await;

    let page = app
        .browser_as(&host)
        .await
        .get(&format!("/groups/{slug}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let people = at(&page.body, &format!("href=\"/groups/{slug}/people\""));
    let about = at(&page.body, "About this group");
    let cancel_forms = at(&page.body, "/cancel\"");
    assert!(people < about, "requests and members come before the group");
    assert!(about < cancel_forms, "the group comes before the forms");
    assert!(
        at(&page.body, "<details class=\"change-meetings\">") < cancel_forms,
        "cancelling and moving fold away"
    );

    let member = app
        .browser_as(&ada)
        .await
        .get(&format!("/groups/{slug}"))
        .await;
    let now = at(&member.body, "The meeting is on now — late is fine.");
    assert!(now < at(&member.body, "About this group"));
    assert!(
        member
            .body
            .contains(&format!("href=\"/meetings/{meeting}/room\""))
    );

    // A stranger reads the same group without the invitation in.
    let stranger = app.browser().get(&format!("/groups/{slug}")).await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert!(!stranger.body.contains("The meeting is on now"));
    assert!(!stranger.body.contains("/room\""));
}

#[tokio::test]
async fn moderators_preview_approve_read_edits_and_unlist_with_a_reason() {
    let app = TestApp::empty().await;
    let moderator = app.account("Warden", Role::Moderator).await;
    let host = app.account("Willow", Role::Member).await;
    let slug = app
        .group_hosted_by(&host, "Sorrel Circle", ListingStatus::Pending)
        .await;
    let mut warden = app.browser_as(&moderator).await;

    // The listing's own words are there to read before the button.
    let queue = warden.get("/moderation").await;
    let preview = at(&queue.body, "We check in about tapering, gently.");
    assert!(preview < at(&queue.body, &format!("/moderation/groups/{slug}/approve")));
    assert!(queue.body.contains("What is said here stays here."));

    let approved = warden
        .post_form(&format!("/moderation/groups/{slug}/approve"), &[])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let back = approved.header("location").to_owned();
    assert_eq!(back, format!("/moderation?approved={slug}"));
    let said = warden.get(&back).await;
    assert!(said.body.contains("Approved. It is in the directory now:"));
    assert!(said.body.contains("Sorrel Circle"));
    // A made-up slug says nothing.
    let unknown = warden.get("/moderation?approved=no-such-group").await;
    assert!(!unknown.body.contains("Approved."));

    // The host edits one sentence and adds a paragraph: the log shows that.
    let mut hosting = app.browser_as(&host).await;
    hosting.get(&format!("/groups/{slug}/edit")).await;
    let mut fields = group_pairs("Sorrel Circle");
    fields.retain(|(k, _)| *k != "description");
    fields.push((
        "description",
        "We check in about tapering, kindly.\n\nNewcomers are welcome.".to_owned(),
    ));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = hosting
        .post_form(&format!("/groups/{slug}/edit"), &pairs)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let log = warden.get("/moderation").await;
    assert!(
        log.body
            .contains("removed: </span>We check in about tapering, gently.</del>"),
        "{}",
        log.body
    );
    assert!(
        log.body
            .contains("added: </span>We check in about tapering, kindly.</ins></p><p>")
    );
    assert!(
        log.body
            .contains("added: </span>Newcomers are welcome.</ins></p>")
    );

    // Unlisting without a reason says so on its own page; nothing changes.
    let form = warden
        .get(&format!("/moderation/groups/{slug}/unlist"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Sorrel Circle"));
    let empty = warden
        .post_form(
            &format!("/moderation/groups/{slug}/unlist"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("aria-invalid=\"true\""));
    assert!(empty.body.contains("href=\"#f-reason\""));
    let long = "x".repeat(kith_app::moderation::REASON_MAX + 1);
    let too_long = warden
        .post_form(
            &format!("/moderation/groups/{slug}/unlist"),
            &[("reason", &long)],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains(&long), "what was typed is kept");
    assert_eq!(
        app.browser().get(&format!("/groups/{slug}")).await.status,
        StatusCode::OK,
        "still listed"
    );
    let done = warden
        .post_form(
            &format!("/moderation/groups/{slug}/unlist"),
            &[("reason", "Reports of selling supplements.")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().get(&format!("/groups/{slug}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Nobody else reaches the page.
    let other = app.account("Ada", Role::Member).await;
    let refused = app
        .browser_as(&other)
        .await
        .get(&format!("/moderation/groups/{slug}/unlist"))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}
