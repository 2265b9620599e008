//! Joining groups: asking (with the hosts' question, or an invitation),
//! the private thread between the person who asked and the hosts, the
//! hosts' decisions, leaving, removal, blocks, the waitlist, invitation
//! links, "my groups" and "my meetings", and RSVPs.
//!
//! Only the person who asked and the group's hosts may see a request or its
//! thread; anyone else gets `NotFound`, exactly as for a request that does
//! not exist.

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Handle;
use kith_domain::ids::{GroupId, OccurrenceId, RequestId, Slug, random_secret};
use kith_domain::membership::{
    Decision, JoinPolicy, Refusal, RequestState, limits, on_ask, on_block, on_decision, on_remove,
    on_withdraw,
};
use kith_domain::validation::{FieldError, text_within};
use kith_store::Store;
use kith_store::membership::{
    InvitationRecord, MessageRecord, NewMessage, PersonalMeeting, RequestRecord, Transition,
};

use crate::access::{GroupAction, Person, authorize};
use crate::accounts::token_hash;
use crate::mail::kinds::{Announcement, RequestNews};
use crate::mail::{MailKind, MailSite, compose};
use crate::{AppError, AppResult};
use kith_store::AccountId;
use kith_store::mail::Recipient;

/// How long an invitation link works unless the host says otherwise.
pub const INVITATION_DAYS: i64 = 14;
/// The longest an invitation link may work.
pub const MAX_INVITATION_DAYS: i64 = 90;
/// How far ahead "my meetings" looks.
pub const MY_MEETINGS_DAYS: i64 = 28;

/// Who is reading a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The person who asked.
    Seeker,
    /// One of the group's hosts.
    Host,
}

/// A request as one of the two sides sees it.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The request; for the seeker, its state as they may see it.
    pub request: RequestRecord,
    /// Which side reads it.
    pub reader: Reader,
    /// The thread, oldest first.
    pub thread: Vec<MessageRecord>,
    /// Whether the reader may write in the thread.
    pub may_write: bool,
}

fn refused(refusal: Refusal) -> AppError {
    AppError::Conflict(refusal.code())
}

fn committed(result: Result<Transition, Refusal>) -> AppResult<Transition> {
    result.map_err(refused)
}

/// Mails news about a request to each of `to`, in the outbox; the sender
/// delivers it. Essential mail: sent whatever the preferences.
async fn notify(
    store: &dyn Store,
    site: &MailSite,
    to: &[AccountId],
    request: &RequestRecord,
    what: &'static str,
    now: Timestamp,
) -> AppResult<()> {
    let news = RequestNews {
        group_name: request.group_name.clone(),
        what,
        url: site.link(&format!("/requests/{}", request.id)),
    };
    for account in to {
        // Hosts of demo groups have no address: nothing to write.
        if store.account_details(*account).await?.email.is_none() {
            continue;
        }
        let preferences = store.notification_preferences(*account).await?;
        let composed = compose(site, &news, &preferences)?;
        store
            .enqueue_mail(&composed.to(Recipient::Account(*account), now), now)
            .await?;
    }
    Ok(())
}

/// Writes one mail of `kind` to each member of a group who wants it — one
/// mail per person, never a shared To, Cc or Bcc. Answers how many.
pub(crate) async fn mail_members<K: MailKind>(
    store: &dyn Store,
    site: &MailSite,
    group: GroupId,
    mail: &K,
    now: Timestamp,
) -> AppResult<usize> {
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
        store
            .enqueue_mail(&composed.to(Recipient::Account(member.account), now), now)
            .await?;
        written += 1;
    }
    Ok(written)
}

/// A host's announcement to every member of their group, by mail; members
/// who turned announcements off get none. Answers how many mails went out.
pub async fn announce(
    store: &dyn Store,
    site: &MailSite,
    person: &Person,
    slug: &Slug,
    text: &str,
    now: Timestamp,
) -> AppResult<usize> {
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    let text = message_text("text", text, 1)?;
    let profile = store.managed_group(slug).await?.profile;
    let announcement = Announcement {
        group_name: profile.name,
        host_handle: person.handle.to_string(),
        body: text,
        group_url: site.link(&format!("/groups/{slug}")),
    };
    mail_members(store, site, access.id, &announcement, now).await
}

/// Tells the person who moved up from the waitlist, if anyone did.
async fn notify_promoted(
    store: &dyn Store,
    site: &MailSite,
    transition: &Transition,
    now: Timestamp,
) -> AppResult<()> {
    match &transition.promoted {
        Some(promoted) => notify(store, site, &[promoted.account], promoted, "moved_up", now).await,
        None => Ok(()),
    }
}

fn message_text(field: &'static str, raw: &str, min: usize) -> AppResult<String> {
    text_within(field, raw, min, limits::MESSAGE).map_err(|e| AppError::Invalid(vec![e]))
}

/// Asks to join a listed group, answering the hosts' question; an
/// invitation token (for the group) lets the person in directly. Answers
/// the request as committed: pending, approved or waitlisted.
pub async fn ask_to_join(
    store: &dyn Store,
    site: &MailSite,
    person: &Person,
    slug: &Slug,
    answer: &str,
    invitation: Option<&str>,
    now: Timestamp,
) -> AppResult<RequestRecord> {
    let access = authorize(store, Some(person), slug, GroupAction::View).await?;
    let profile = store.listed_group(slug).await?;
    if access.hosts.contains(&person.id) {
        return Err(AppError::Conflict("already_host"));
    }
    if access.hosts.is_empty() {
        // An imported group has nobody to answer.
        return Err(AppError::Conflict("no_host"));
    }
    let verified = person.email_verified;
    if !verified && invitation.is_some() {
        return Err(AppError::Conflict("email_unverified"));
    }
    let invited = match invitation {
        Some(token) => {
            let opens = store.invitation_group(&token_hash(token), now).await?;
            if opens.as_ref() != Some(slug) {
                return Err(AppError::Conflict("invitation_invalid"));
            }
            true
        }
        None => false,
    };
    let answer = check_answer(&profile.join, answer, invited)?;
    let policy = profile.join.policy;
    // Until the person confirms their email the request is held: pending,
    // unseen by the hosts, whatever the policy (see `release_held`).
    let step = move |previous, room| {
        on_ask(policy, previous, invited, room).map(|state| {
            if verified {
                state
            } else {
                RequestState::Pending
            }
        })
    };
    let transition = committed(
        store
            .ask_to_join(access.id, person.id, &answer, &step, now)
            .await?,
    )?;
    if verified && transition.request.state == RequestState::Pending {
        notify(
            store,
            site,
            &access.hosts,
            &transition.request,
            "arrived",
            now,
        )
        .await?;
    }
    Ok(transition.request)
}

/// The answer to a group's question, trimmed: required when the hosts of
/// an approval group ask one (and no invitation skips it).
pub fn check_answer(
    join: &kith_domain::membership::JoinSettings,
    answer: &str,
    invited: bool,
) -> AppResult<String> {
    let answer =
        text_within("answer", answer, 0, limits::ANSWER).map_err(|e| AppError::Invalid(vec![e]))?;
    let asks_question = join.policy == JoinPolicy::Approval && !join.question.trim().is_empty();
    if asks_question && !invited && answer.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "answer", "required",
        )]));
    }
    Ok(answer)
}

/// Once a person confirms their email, the requests they made before reach
/// the hosts: an open group lets them in (or onto its waitlist), an
/// approval group's hosts hear of them.
pub async fn release_held(
    store: &dyn Store,
    site: &MailSite,
    account: AccountId,
    now: Timestamp,
) -> AppResult<()> {
    for request in store.account_requests(account).await? {
        if request.state != RequestState::Pending {
            continue;
        }
        let profile = match store.listed_group(&request.slug).await {
            Ok(profile) => profile,
            Err(kith_store::StoreError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        };
        if profile.join.policy == JoinPolicy::Open {
            let step = |current: Option<RequestState>, room: kith_domain::membership::Room| {
                match current {
                    Some(RequestState::Pending) if room.has_place() => Ok(RequestState::Approved),
                    Some(RequestState::Pending) => Ok(RequestState::Waitlisted),
                    _ => Err(Refusal::NotApplicable),
                }
            };
            // Already moved on (withdrawn meanwhile) is fine: nothing to do.
            let _ = store.change_request(&request.id, &step, None, now).await?;
        } else {
            let hosts = store.group_access(&request.slug).await?.hosts;
            notify(store, site, &hosts, &request, "arrived", now).await?;
        }
    }
    Ok(())
}

/// Finds a request and which side `person` is on; `NotFound` for anyone
/// else.
async fn request_for(
    store: &dyn Store,
    person: &Person,
    id: &RequestId,
) -> AppResult<(RequestRecord, Reader)> {
    let request = store.request(id).await?;
    if request.account == person.id {
        return Ok((request, Reader::Seeker));
    }
    let access = store.group_access(&request.slug).await?;
    if access.hosts.contains(&person.id) {
        Ok((request, Reader::Host))
    } else {
        Err(AppError::NotFound)
    }
}

/// Finds a request that `person` hosts; `NotFound` otherwise.
async fn hosted_request(
    store: &dyn Store,
    person: &Person,
    id: &RequestId,
) -> AppResult<RequestRecord> {
    match request_for(store, person, id).await? {
        (request, Reader::Host) => Ok(request),
        (_, Reader::Seeker) => Err(AppError::NotFound),
    }
}

/// A request with its thread, for the person who asked or a host.
pub async fn request_view(
    store: &dyn Store,
    person: &Person,
    id: &RequestId,
) -> AppResult<RequestView> {
    let (mut request, reader) = request_for(store, person, id).await?;
    let may_write = reader == Reader::Host || request.state.seeker_may_write();
    if reader == Reader::Seeker {
        request.state = request.state.as_seen_by_seeker();
    }
    let thread = store.thread(id).await?;
    Ok(RequestView {
        request,
        reader,
        thread,
        may_write,
    })
}

/// Adds a message to a request's thread, as the person who asked or as a
/// host; a blocked person's thread is closed to them.
pub async fn post_message(
    store: &dyn Store,
    site: &MailSite,
    person: &Person,
    id: &RequestId,
    body: &str,
    now: Timestamp,
) -> AppResult<()> {
    let (request, reader) = request_for(store, person, id).await?;
    let body = message_text("text", body, 1)?;
    if reader == Reader::Seeker && !request.state.seeker_may_write() {
        return Err(AppError::Conflict("thread_closed"));
    }
    let message = NewMessage {
        author: person.id,
        from_host: reader == Reader::Host,
        body: &body,
    };
    store.post_message(id, message, now).await?;
    let to = match reader {
        Reader::Host => vec![request.account],
        Reader::Seeker => store.group_access(&request.slug).await?.hosts,
    };
    notify(store, site, &to, &request, "message", now).await
}

/// A host approves or declines a request, with an optional message to the
/// person, which goes into the thread.
pub async fn decide(
    store: &dyn Store,
    site: &MailSite,
    person: &Person,
    id: &RequestId,
    decision: Decision,
    message: &str,
    now: Timestamp,
) -> AppResult<Transition> {
    hosted_request(store, person, id).await?;
    let message = message_text("decision_note", message, 0)?;
    let step = move |current: Option<RequestState>, room| {
        on_decision(current.ok_or(Refusal::NotApplicable)?, decision, room)
    };
    let note = (!message.is_empty()).then_some(NewMessage {
        author: person.id,
        from_host: true,
        body: &message,
    });
    let transition = committed(store.change_request(id, &step, note, now).await?)?;
    let request = &transition.request;
    notify(
        store,
        site,
        &[request.account],
        request,
        request.state.code(),
        now,
    )
    .await?;
    Ok(transition)
}

/// A host removes a member (or someone waiting for a place), or blocks the
/// person: they then see the group like anyone and cannot ask again, and
/// are not told.
pub async fn remove(
    store: &dyn Store,
    site: &MailSite,
    person: &Person,
    id: &RequestId,
    block: bool,
    now: Timestamp,
) -> AppResult<Transition> {
    hosted_request(store, person, id).await?;
    let rule = if block { on_block } else { on_remove };
    let step =
        move |current: Option<RequestState>, _room| rule(current.ok_or(Refusal::NotApplicable)?);
    // The person removed or blocked is not mailed: a block is never told.
    let transition = committed(store.change_request(id, &step, None, now).await?)?;
    notify_promoted(store, site, &transition, now).await?;
    Ok(transition)
}

/// The person who asked takes their request back, or leaves the group.
pub async fn withdraw(
    store: &dyn Store,
    site: &MailSite,
    person: &Person,
    id: &RequestId,
    now: Timestamp,
) -> AppResult<Transition> {
    match request_for(store, person, id).await? {
        (_, Reader::Seeker) => {}
        (_, Reader::Host) => return Err(AppError::NotFound),
    }
    let step =
        |current: Option<RequestState>, _room| on_withdraw(current.ok_or(Refusal::NotApplicable)?);
    let transition = committed(store.change_request(id, &step, None, now).await?)?;
    notify_promoted(store, site, &transition, now).await?;
    Ok(transition)
}

/// A group's people, for its hosts.
#[derive(Debug, Clone, Default)]
pub struct GroupPeople {
    /// Waiting for a decision, oldest first.
    pub pending: Vec<RequestRecord>,
    /// Accepted, waiting for a place, first to move up first.
    pub waitlisted: Vec<RequestRecord>,
    /// Members.
    pub members: Vec<RequestRecord>,
    /// Invitation links.
    pub invitations: Vec<InvitationRecord>,
}

/// The requests, members and invitations of a group, for its hosts.
pub async fn group_people(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
) -> AppResult<GroupPeople> {
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    let mut requests = store
        .group_requests(
            access.id,
            &[
                RequestState::Pending,
                RequestState::Waitlisted,
                RequestState::Approved,
            ],
        )
        .await?;
    let mut people = GroupPeople {
        invitations: store.invitations(access.id).await?,
        ..GroupPeople::default()
    };
    for request in requests.drain(..) {
        match request.state {
            RequestState::Pending => people.pending.push(request),
            RequestState::Waitlisted => people.waitlisted.push(request),
            _ => people.members.push(request),
        }
    }
    Ok(people)
}

/// The pseudonyms of a group's members, for its members when the group
/// allows it; `NotFound` otherwise.
pub async fn fellow_members(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
) -> AppResult<Vec<String>> {
    let access = authorize(store, Some(person), slug, GroupAction::ViewPrivate).await?;
    let profile = store.managed_group(slug).await?.profile;
    let hosts = access.hosts.contains(&person.id);
    if !hosts && !profile.join.members_visible {
        return Err(AppError::NotFound);
    }
    let members = store
        .group_requests(access.id, &[RequestState::Approved])
        .await?;
    Ok(members.into_iter().map(|r| r.handle).collect())
}

/// A person's requests and memberships, each in the state they may see.
pub async fn my_requests(store: &dyn Store, person: &Person) -> AppResult<Vec<RequestRecord>> {
    let mut requests = store.account_requests(person.id).await?;
    for request in &mut requests {
        request.state = request.state.as_seen_by_seeker();
    }
    Ok(requests)
}

/// The person's request to join a group, if they asked, as they may see it.
pub async fn my_request(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
) -> AppResult<Option<RequestRecord>> {
    Ok(my_requests(store, person)
        .await?
        .into_iter()
        .find(|r| &r.slug == slug))
}

/// The meetings of the groups a person hosts or belongs to, over the next
/// four weeks.
pub async fn my_meetings(
    store: &dyn Store,
    person: &Person,
    now: Timestamp,
    limit: u32,
) -> AppResult<Vec<PersonalMeeting>> {
    let until = now + SignedDuration::from_hours(24 * MY_MEETINGS_DAYS);
    Ok(store
        .personal_meetings(person.id, now, until, limit)
        .await?)
}

/// Records whether a member (or host) will come to a meeting of their
/// group; `NotFound` for anyone else, or a meeting that has ended.
pub async fn set_attending(
    store: &dyn Store,
    person: &Person,
    occurrence: &OccurrenceId,
    attending: bool,
    now: Timestamp,
) -> AppResult<()> {
    let slug = store.occurrence_group(occurrence, now).await?;
    authorize(store, Some(person), &slug, GroupAction::ViewPrivate).await?;
    Ok(store
        .set_attending(occurrence, person.id, attending, now)
        .await?)
}

/// A new invitation link's secret, shown to the host once.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// The token for the link; only its hash is kept.
    pub token: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// Makes an invitation link that works for `days` days (1–90).
pub async fn create_invitation(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
    days: &str,
    now: Timestamp,
) -> AppResult<NewInvitation> {
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    let days = match days.trim() {
        "" => INVITATION_DAYS,
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=MAX_INVITATION_DAYS).contains(d))
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("days", "out_of_range")]))?,
    };
    let token = random_secret();
    let expires_at = now + SignedDuration::from_hours(24 * days);
    store
        .create_invitation(
            access.id,
            &random_secret(),
            &token_hash(&token),
            person.id,
            expires_at,
            now,
        )
        .await?;
    Ok(NewInvitation { token, expires_at })
}

/// Revokes one of a group's invitation links.
pub async fn revoke_invitation(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
    id: &str,
    now: Timestamp,
) -> AppResult<()> {
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    Ok(store.revoke_invitation(access.id, id, now).await?)
}

/// The group a valid invitation token opens; `None` for a wrong, expired or
/// revoked one, which all read the same.
pub async fn invitation_group(
    store: &dyn Store,
    token: &str,
    now: Timestamp,
) -> AppResult<Option<Slug>> {
    Ok(store.invitation_group(&token_hash(token), now).await?)
}

/// Hands a group to a co-host or member; the giver steps down as host.
pub async fn hand_over(
    store: &dyn Store,
    person: &Person,
    slug: &Slug,
    to: &str,
    now: Timestamp,
) -> AppResult<()> {
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    let unknown = || AppError::Invalid(vec![FieldError::new("handle", "not_a_member")]);
    let handle = Handle::parse(to).map_err(|_| unknown())?;
    let receiver = store
        .account_by_handle(&handle)
        .await?
        .ok_or_else(unknown)?;
    match store
        .hand_over(access.id, person.id, receiver.id, now)
        .await
    {
        Err(kith_store::StoreError::NotFound) => Err(unknown()),
        other => Ok(other?),
    }
}
