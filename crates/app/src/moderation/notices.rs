//! Mail about listings: to the hosts when a moderator approves theirs, to
//! the moderators when one waits for review. One mail per person, never a
//! shared To; accounts without an address (demo hosts) get none. Each is a
//! [`Tell`] the store writes with the change it reports.

use kith_domain::ids::{AccountId, Slug};
use kith_store::mail::Audience;

use crate::mail::Tell;
use crate::mail::kinds::{ListingApproved, ListingWaiting};
use crate::site_url::SiteUrl;
use crate::{App, AppResult};

/// Tells a group's hosts that it is listed now.
pub(crate) fn listing_approved<'a>(
    site: &'a SiteUrl,
    slug: &Slug,
    group_name: &str,
    hosts: Vec<AccountId>,
) -> Tell<'a, (), ListingApproved> {
    let mail = ListingApproved {
        group_name: group_name.to_owned(),
        group_url: site.link(&format!("/groups/{slug}")),
        people_url: site.link(&format!("/groups/{slug}/people")),
    };
    Tell::fixed(site, Audience::Accounts(hosts), mail)
}

/// Tells every moderator and admin, except `sent_by` (who knows), that a
/// listing waits for review — when `waits`; otherwise nobody.
pub(crate) async fn listing_waiting<'a>(
    app: &'a App,
    group_name: &str,
    sent_by: AccountId,
    waits: bool,
) -> AppResult<Tell<'a, (), ListingWaiting>> {
    let site = app.site_url();
    let mail = ListingWaiting {
        group_name: group_name.to_owned(),
        queue_url: site.link("/moderation"),
    };
    let audience = if waits {
        let staff = app.store().staff_accounts().await?;
        Audience::Accounts(staff.into_iter().filter(|a| *a != sent_by).collect())
    } else {
        Audience::Nobody
    };
    Ok(Tell::fixed(site, audience, mail))
}
