//! Mail about requests and members: news to one side of a request, and
//! mail to every member of a group. Each is a [`Tell`] that the store
//! writes in the transaction of the change it reports.

use jiff::Timestamp;
use kith_domain::ids::{AccountId, Slug};
use kith_domain::membership::RequestState;
use kith_store::mail::Audience;
use kith_store::membership::{RequestRecord, Transition};

use super::message_text;
use crate::access::{GroupAction, Person, authorize};
use crate::mail::Tell;
use crate::mail::kinds::{Announcement, RequestNews};
use crate::site_url::SiteUrl;
use crate::{App, AppResult};

/// News that `what` happened to a request, with the hosts' own words to
/// the person (their welcome, or why not), which the mail quotes. A
/// welcome links to the group's page, where the call link and the room
/// are; the thread is linked second. Essential mail: sent whatever the
/// preferences.
fn news(
    site: &SiteUrl,
    request: &RequestRecord,
    what: &'static str,
    note: Option<&str>,
) -> RequestNews {
    let thread = site.link(&format!("/requests/{}", request.id));
    let welcomed = matches!(what, "approved" | "moved_up");
    RequestNews {
        group_name: request.group_name.clone(),
        what,
        url: if welcomed {
            site.link(&format!("/groups/{}", request.slug))
        } else {
            thread.clone()
        },
        thread_url: welcomed.then_some(thread),
        note: note.filter(|n| !n.is_empty()).map(str::to_owned),
    }
}

/// News of `request` to each of `to`, whatever the change's outcome.
pub(super) fn tell_about<'a>(
    site: &'a SiteUrl,
    to: Vec<AccountId>,
    request: &RequestRecord,
    what: &'static str,
) -> Tell<'a, (), RequestNews> {
    Tell::fixed(
        site,
        Audience::Accounts(to),
        news(site, request, what, None),
    )
}

/// News of a change to a request: to the person who asked, what `seeker`
/// makes of the outcome (nothing when `None`), quoting `note`; and "moved
/// up" to whoever the change lets in from the waitlist.
pub(super) fn tell_of_change<'a>(
    site: &'a SiteUrl,
    seeker: impl Fn(&Transition) -> Option<&'static str> + Send + Sync + 'a,
    note: Option<String>,
) -> Tell<'a, Transition, RequestNews> {
    let seeker = std::sync::Arc::new(seeker);
    let audience_seeker = seeker.clone();
    Tell::new(
        site,
        move |t: &Transition| {
            let asked = audience_seeker(t).map(|_| t.request.account);
            let promoted = t.promoted.as_ref().map(|p| p.account);
            Audience::Accounts(asked.into_iter().chain(promoted).collect())
        },
        move |t: &Transition, to, _| match &t.promoted {
            Some(promoted) if promoted.account == to => {
                Some(news(site, promoted, "moved_up", None))
            }
            _ => Some(news(site, &t.request, seeker(t)?, note.as_deref())),
        },
    )
}

/// "A request arrived", to `hosts`, when the person's request reaches
/// them: it is pending and the person's address is confirmed (until then
/// the request is held).
pub(super) fn tell_hosts_of_arrival(
    site: &SiteUrl,
    hosts: Vec<AccountId>,
    verified: bool,
) -> Tell<'_, Transition, RequestNews> {
    Tell::new(
        site,
        move |t: &Transition| {
            if verified && t.request.state == RequestState::Pending {
                Audience::Accounts(hosts.clone())
            } else {
                Audience::Nobody
            }
        },
        move |t: &Transition, _, _| Some(news(site, &t.request, "arrived", None)),
    )
}

/// A host's announcement to every member of their group, by mail; members
/// who turned announcements off get none. Answers how many mails went out.
pub async fn announce(
    app: &App,
    person: &Person,
    slug: &Slug,
    text: &str,
    now: Timestamp,
) -> AppResult<usize> {
    let store = app.store();
    let site = app.site_url();
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    let text = message_text("text", text, 1)?;
    let profile = store.managed_group(slug).await?.profile;
    let announcement = Announcement {
        group_name: profile.name,
        host_handle: person.handle.to_string(),
        body: text,
        group_url: site.link(&format!("/groups/{slug}")),
    };
    let members = Tell::fixed(site, Audience::MembersOf(access.id), announcement);
    let written = store.enqueue_notices(&members, now).await?;
    app.mailed();
    Ok(written)
}
