//! Joining groups: asking (with the hosts' question, or an invitation),
//! the private thread between the person who asked and the hosts, the
//! hosts' decisions, leaving, removal, blocks, the waitlist, invitation
//! links, "my groups" and "my meetings", and RSVPs. A newcomer's one-step
//! join is [`crate::newcomer`].
//!
//! Only the person who asked and the group's hosts may see a request or its
//! thread; anyone else gets `NotFound`, exactly as for a request that does
//! not exist.

use jiff::{SignedDuration, Timestamp};
use kith_domain::ids::{AccountId, OccurrenceId, RequestId, Slug};
use kith_domain::membership::{
    Decision, JoinPolicy, Refusal, RequestState, limits, on_ask, on_block, on_decision, on_remove,
    on_withdraw,
};
use kith_domain::validation::{FieldError, text_within};
use kith_store::mail::NoMail;
use kith_store::membership::NewMessage;
/// The records membership's use cases answer with.
pub use kith_store::membership::{MessageRecord, PersonalMeeting, RequestRecord, Transition};
use kith_store::rooms::AccessChange;

use crate::access::{GroupAction, Person, authorize, authorize_request};
use crate::tokens::token_hash;
use crate::{App, AppError, AppResult, Conflict, access};

mod hosts;
mod notices;
pub mod waiting;

pub use hosts::{
    GroupPeople, INVITATION_DAYS, MAX_INVITATION_DAYS, NewInvitation, create_invitation,
    fellow_members, group_people, hand_over, invitation_group, revoke_invitation,
};
pub use notices::announce;
use notices::{tell_about, tell_hosts_of_arrival, tell_of_change};

/// How far ahead "my meetings" looks.
pub const MY_MEETINGS_DAYS: i64 = 28;

pub use crate::access::Reader;

/// A request as one of the two sides sees it.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The request; for the seeker, its state as they may see it.
    pub request: RequestRecord,
    /// Which side reads it.
    pub reader: Reader,
    /// The thread as the reader may read it, oldest first.
    pub thread: Vec<MessageRecord>,
}

fn refused(refusal: Refusal) -> AppError {
    AppError::Conflict(Conflict::Refused(refusal))
}

fn committed(result: Result<Transition, Refusal>) -> AppResult<Transition> {
    result.map_err(refused)
}

pub(super) fn message_text(field: &'static str, raw: &str, min: usize) -> AppResult<String> {
    text_within(field, raw, min, limits::MESSAGE).map_err(|e| AppError::Invalid(vec![e]))
}

/// Asks to join a listed group, answering the hosts' question; an
/// invitation token (for the group) lets the person in directly. Answers
/// the request as committed: pending, approved or waitlisted.
pub async fn ask_to_join(
    app: &App,
    person: &Person,
    slug: &Slug,
    answer: &str,
    invitation: Option<&str>,
    now: Timestamp,
) -> AppResult<RequestRecord> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::View).await?;
    let profile = store.listed_group(slug).await?;
    if access.hosts.contains(&person.id) {
        return Err(AppError::Conflict(Conflict::AlreadyHost));
    }
    if access.hosts.is_empty() {
        // An imported group has nobody to answer.
        return Err(AppError::Conflict(Conflict::NoHost));
    }
    let verified = person.email_verified;
    if !verified && invitation.is_some() {
        return Err(AppError::Conflict(Conflict::EmailUnverified));
    }
    let invited = match invitation {
        Some(token) => {
            let opens = store.invitation_group(&token_hash(token), now).await?;
            if opens.as_ref() != Some(slug) {
                return Err(AppError::Conflict(Conflict::InvitationInvalid));
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
    let arrival = tell_hosts_of_arrival(app.site_url(), access.hosts, verified);
    let transition = committed(
        store
            .ask_to_join(access.id, person.id, &answer, &step, &arrival, now)
            .await?,
    )?;
    app.mailed();
    Ok(transition.request)
}

/// The listed group a join form is for, as anyone may see it; `NotFound`
/// for any other.
pub async fn group_to_join(app: &App, slug: &Slug) -> AppResult<kith_domain::group::GroupProfile> {
    Ok(app.store().listed_group(slug).await?)
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
pub async fn release_held(app: &App, account: AccountId, now: Timestamp) -> AppResult<()> {
    let store = app.store();
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
            let step = |current: Option<RequestState>, room: kith_domain::membership::Occupancy| {
                match current {
                    Some(RequestState::Pending) if room.has_place() => Ok(RequestState::Approved),
                    Some(RequestState::Pending) => Ok(RequestState::Waitlisted),
                    _ => Err(Refusal::NotApplicable),
                }
            };
            // Already moved on (withdrawn meanwhile) is fine: nothing to do.
            let _ = store
                .change_request(&request.id, &step, None, &NoMail, now)
                .await?;
        } else {
            let hosts = store.group_access(&request.slug).await?.hosts;
            let arrived = tell_about(app.site_url(), hosts, &request, "arrived");
            store.enqueue_notices(&arrived, now).await?;
            app.mailed();
        }
    }
    Ok(())
}

/// Finds a request that `person` hosts; `NotFound` otherwise.
async fn hosted_request(app: &App, person: &Person, id: &RequestId) -> AppResult<RequestRecord> {
    let store = app.store();
    match authorize_request(store, person, id).await? {
        (request, Reader::Host) => Ok(request),
        (_, Reader::Seeker) => Err(AppError::NotFound),
    }
}

/// A request with its thread, for the person who asked or a host.
pub async fn request_view(app: &App, person: &Person, id: &RequestId) -> AppResult<RequestView> {
    let store = app.store();
    let (mut request, reader) = authorize_request(store, person, id).await?;
    if reader == Reader::Seeker {
        request.state = request.state.as_seen_by_seeker();
    }
    let mut thread = store.thread(id).await?;
    thread.retain(|message| access::shows_message(reader, message));
    Ok(RequestView {
        request,
        reader,
        thread,
    })
}

/// Adds a message to a request's thread, as the person who asked or as a
/// host. A blocked person writes as after a decline, but the hosts neither
/// hear of it nor read it; while a request is held, the hosts hear nothing,
/// and read the words once it reaches them. Someone a reader blocked (see
/// `blocks`) may not write to them at all.
pub async fn post_message(
    app: &App,
    person: &Person,
    id: &RequestId,
    body: &str,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let (request, reader) = authorize_request(store, person, id).await?;
    let body = message_text("text", body, 1)?;
    let hidden = reader == Reader::Seeker && !access::hosts_read_the_seeker(request.state);
    let message = NewMessage {
        author: person.id,
        from_host: reader == Reader::Host,
        body: &body,
        hidden_from_hosts: hidden,
    };
    let hosts = store.group_access(&request.slug).await?.hosts;
    // A person blocked by the one they write to is refused as for any
    // other step that does not apply, so neither learns of the block.
    let readers = match reader {
        Reader::Host => std::slice::from_ref(&request.account),
        Reader::Seeker => hosts.as_slice(),
    };
    if crate::blocks::blocked_by_any(app, person.id, readers).await? {
        return Err(refused(Refusal::NotApplicable));
    }
    let to = match reader {
        Reader::Host => vec![request.account],
        Reader::Seeker if !access::hosts_hear_the_seeker_now(&request) => Vec::new(),
        Reader::Seeker => hosts,
    };
    let told = tell_about(app.site_url(), to, &request, "message");
    store.post_message(id, message, &told, now).await?;
    app.mailed();
    Ok(())
}

/// A host approves or declines a request, with an optional message to the
/// person, which goes into the thread.
pub async fn decide(
    app: &App,
    person: &Person,
    id: &RequestId,
    decision: Decision,
    message: &str,
    now: Timestamp,
) -> AppResult<Transition> {
    let store = app.store();
    hosted_request(app, person, id).await?;
    let message = message_text("decision_note", message, 0)?;
    let step = move |current: Option<RequestState>, room| {
        on_decision(current.ok_or(Refusal::NotApplicable)?, decision, room)
    };
    let note = (!message.is_empty()).then_some(NewMessage {
        author: person.id,
        from_host: true,
        body: &message,
        hidden_from_hosts: false,
    });
    let told = tell_of_change(
        app.site_url(),
        |t| Some(t.request.state.code()),
        Some(message.clone()),
    );
    let transition = committed(store.change_request(id, &step, note, &told, now).await?)?;
    app.mailed();
    Ok(transition)
}

/// A host removes a member (or someone waiting for a place), or blocks the
/// person: they then see the group like anyone and cannot ask again, and
/// are never told — to them a block reads as a decline.
pub async fn remove(
    app: &App,
    person: &Person,
    id: &RequestId,
    block: bool,
    now: Timestamp,
) -> AppResult<Transition> {
    let store = app.store();
    hosted_request(app, person, id).await?;
    let rule = if block { on_block } else { on_remove };
    let step =
        move |current: Option<RequestState>, _room| rule(current.ok_or(Refusal::NotApplicable)?);
    // A removed person is not mailed. A blocked person gets exactly what a
    // decline would have sent them: the answer while they waited (decline
    // applies to nothing else), nothing otherwise.
    let told = tell_of_change(
        app.site_url(),
        move |t| {
            (block && t.before.is_some_and(RequestState::is_open))
                .then_some(RequestState::Declined.code())
        },
        None,
    );
    let transition = committed(store.change_request(id, &step, None, &told, now).await?)?;
    app.mailed();
    let left = AccessChange::Account(transition.request.account);
    app.access_changed(left).await;
    Ok(transition)
}

/// The person who asked takes their request back, or leaves the group.
pub async fn withdraw(
    app: &App,
    person: &Person,
    id: &RequestId,
    now: Timestamp,
) -> AppResult<Transition> {
    let store = app.store();
    match authorize_request(store, person, id).await? {
        (_, Reader::Seeker) => {}
        (_, Reader::Host) => return Err(AppError::NotFound),
    }
    let step =
        |current: Option<RequestState>, _room| on_withdraw(current.ok_or(Refusal::NotApplicable)?);
    let told = tell_of_change(app.site_url(), |_| None, None);
    let transition = committed(store.change_request(id, &step, None, &told, now).await?)?;
    app.mailed();
    let left = AccessChange::Account(transition.request.account);
    app.access_changed(left).await;
    Ok(transition)
}

/// A person's requests and memberships, each in the state they may see.
pub async fn my_requests(app: &App, person: &Person) -> AppResult<Vec<RequestRecord>> {
    let store = app.store();
    let mut requests = store.account_requests(person.id).await?;
    for request in &mut requests {
        request.state = request.state.as_seen_by_seeker();
    }
    Ok(requests)
}

/// The person's request to join a group, if they asked, as they may see it.
pub async fn my_request(
    app: &App,
    person: &Person,
    slug: &Slug,
) -> AppResult<Option<RequestRecord>> {
    Ok(my_requests(app, person)
        .await?
        .into_iter()
        .find(|r| &r.slug == slug))
}

/// The meetings of the groups a person hosts or belongs to, over the next
/// four weeks.
pub async fn my_meetings(
    app: &App,
    person: &Person,
    now: Timestamp,
    limit: u32,
) -> AppResult<Vec<PersonalMeeting>> {
    let store = app.store();
    let until = now + SignedDuration::from_hours(24 * MY_MEETINGS_DAYS);
    Ok(store
        .personal_meetings(person.id, now, until, limit)
        .await?)
}

/// Records whether a member (or host) will come to a meeting of their
/// group; `NotFound` for anyone else, or a meeting that has ended.
pub async fn set_attending(
    app: &App,
    person: &Person,
    occurrence: &OccurrenceId,
    attending: bool,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let slug = store.occurrence_group(occurrence, now).await?;
    authorize(store, Some(person), &slug, GroupAction::ViewPrivate).await?;
    Ok(store
        .set_attending(occurrence, person.id, attending, now)
        .await?)
}
