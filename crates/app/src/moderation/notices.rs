//! Mail about listings: to the hosts when a moderator approves theirs, to
//! the moderators when one waits for review. One mail per person, never a
//! shared To; accounts without an address (demo hosts) get none.

use jiff::Timestamp;
use kith_domain::ids::Slug;
use kith_store::AccountId;
use kith_store::mail::Recipient;

use crate::mail::kinds::{ListingApproved, ListingWaiting};
use crate::mail::{MailKind, compose};
use crate::{App, AppResult};

/// Writes `mail` to each of `to` who has an address and wants it.
async fn mail_each<K: MailKind>(
    app: &App,
    to: &[AccountId],
    mail: &K,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let site = app.mail_site();
    for account in to {
        if store.account_details(*account).await?.email.is_none() {
            continue;
        }
        let preferences = store.notification_preferences(*account).await?;
        if !K::wanted(&preferences) {
            continue;
        }
        let composed = compose(site, mail, &preferences)?;
        app.enqueue(&composed.to(Recipient::Account(*account), now), now)
            .await?;
    }
    Ok(())
}

/// Tells a group's hosts that it is listed now.
pub(crate) async fn listing_approved(
    app: &App,
    slug: &Slug,
    group_name: &str,
    hosts: &[AccountId],
    now: Timestamp,
) -> AppResult<()> {
    let site = app.mail_site();
    let mail = ListingApproved {
        group_name: group_name.to_owned(),
        group_url: site.link(&format!("/groups/{slug}")),
        people_url: site.link(&format!("/groups/{slug}/people")),
    };
    mail_each(app, hosts, &mail, now).await
}

/// Tells every moderator and admin, except `sent_by` (who knows), that a
/// listing waits for review.
pub(crate) async fn listing_waiting(
    app: &App,
    group_name: &str,
    sent_by: AccountId,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let site = app.mail_site();
    let mail = ListingWaiting {
        group_name: group_name.to_owned(),
        queue_url: site.link("/moderation"),
    };
    let staff: Vec<AccountId> = store
        .staff_accounts()
        .await?
        .into_iter()
        .filter(|a| *a != sent_by)
        .collect();
    mail_each(app, &staff, &mail, now).await
}
