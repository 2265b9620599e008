//! Mail about requests and members: news to one side of a request, and
//! mail to every member of a group.

use jiff::Timestamp;
use kith_domain::ids::{GroupId, Slug};
use kith_domain::membership::RequestState;
use kith_domain::zone::Zone;
use kith_store::AccountId;
use kith_store::mail::Recipient;
use kith_store::membership::{RequestRecord, Transition};

use super::message_text;
use crate::access::{GroupAction, Person, authorize};
use crate::mail::kinds::{Announcement, RequestNews};
use crate::mail::{MailKind, compose};
use crate::{App, AppResult};

/// Mails news about a request to each of `to`, in the outbox; the sender
/// delivers it. Essential mail: sent whatever the preferences.
pub(super) async fn notify(
    app: &App,
    to: &[AccountId],
    request: &RequestRecord,
    what: &'static str,
    now: Timestamp,
) -> AppResult<()> {
    notify_with_note(app, to, request, what, None, now).await
}

/// As [`notify`], with the hosts' own words to the person (their welcome,
/// or why not), which the mail quotes. A welcome links to the group's page,
/// where the call link and the room are; the thread is linked second.
pub(super) async fn notify_with_note(
    app: &App,
    to: &[AccountId],
    request: &RequestRecord,
    what: &'static str,
    note: Option<&str>,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let site = app.mail_site();
    let thread = site.link(&format!("/requests/{}", request.id));
    let welcomed = matches!(what, "approved" | "moved_up");
    let news = RequestNews {
        group_name: request.group_name.clone(),
        what,
        url: if welcomed {
            site.link(&format!("/groups/{}", request.slug))
        } else {
            thread.clone()
        },
        thread_url: welcomed.then_some(thread),
        note: note.filter(|n| !n.is_empty()).map(str::to_owned),
    };
    for account in to {
        // Hosts of demo groups have no address: nothing to write.
        if store.account_details(*account).await?.email.is_none() {
            continue;
        }
        let preferences = store.notification_preferences(*account).await?;
        let composed = compose(site, &news, &preferences)?;
        app.enqueue(&composed.to(Recipient::Account(*account), now), now)
            .await?;
    }
    Ok(())
}

/// Writes one mail of `kind` to each member of a group who wants it — one
/// mail per person, never a shared To, Cc or Bcc. Answers how many.
pub(crate) async fn mail_members<K: MailKind>(
    app: &App,
    group: GroupId,
    mail: &K,
    now: Timestamp,
) -> AppResult<usize> {
    let store = app.store();
    let site = app.mail_site();
    let members = store
        .group_requests(group, &[RequestState::Approved])
        .await?;
    let mut written = 0;
    for member in members {
        let preferences = store.notification_preferences(member.account).await?;
        if !K::wanted(&preferences) {
            continue;
        }
        let composed = compose(site, mail, &preferences)?;
        app.enqueue(&composed.to(Recipient::Account(member.account), now), now)
            .await?;
        written += 1;
    }
    Ok(written)
}

/// As [`mail_members`], with each mail made for its recipient's zone (kept
/// on their account, if any), so that times in it read where they are.
pub(crate) async fn mail_members_in_their_zones<K: MailKind>(
    app: &App,
    group: GroupId,
    mail_for: impl Fn(Option<&Zone>) -> K,
    now: Timestamp,
) -> AppResult<usize> {
    let store = app.store();
    let site = app.mail_site();
    let members = store
        .group_requests(group, &[RequestState::Approved])
        .await?;
    let mut written = 0;
    for member in members {
        let preferences = store.notification_preferences(member.account).await?;
        if !K::wanted(&preferences) {
            continue;
        }
        let zone = crate::account_zone::of(store, member.account).await?;
        let composed = compose(site, &mail_for(zone.as_ref()), &preferences)?;
        app.enqueue(&composed.to(Recipient::Account(member.account), now), now)
            .await?;
        written += 1;
    }
    Ok(written)
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
    let site = app.mail_site();
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    let text = message_text("text", text, 1)?;
    let profile = store.managed_group(slug).await?.profile;
    let announcement = Announcement {
        group_name: profile.name,
        host_handle: person.handle.to_string(),
        body: text,
        group_url: site.link(&format!("/groups/{slug}")),
    };
    mail_members(app, access.id, &announcement, now).await
}

/// Tells the person who moved up from the waitlist, if anyone did.
pub(super) async fn notify_promoted(
    app: &App,
    transition: &Transition,
    now: Timestamp,
) -> AppResult<()> {
    match &transition.promoted {
        Some(promoted) => notify(app, &[promoted.account], promoted, "moved_up", now).await,
        None => Ok(()),
    }
}
