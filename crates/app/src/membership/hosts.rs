//! What hosts do with their group's people: the request queue and member
//! list, invitation links, handing the group over.

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Handle;
use kith_domain::group::GroupProfile;
use kith_domain::ids::{InvitationId, Slug};
use kith_domain::membership::RequestState;
use kith_domain::validation::FieldError;
use kith_store::membership::{InvitationRecord, RequestRecord};

use crate::access::{GroupAction, Person, authorize};
use crate::tokens::{new_token, token_hash};
use crate::{App, AppError, AppResult};

/// How long an invitation link works unless the host says otherwise.
pub const INVITATION_DAYS: i64 = 14;
/// The longest an invitation link may work.
pub const MAX_INVITATION_DAYS: i64 = 90;

/// A group's people, for its hosts.
#[derive(Debug, Clone)]
pub struct GroupPeople {
    /// The group, with what its people page shows of it (name, policy,
    /// capacity).
    pub profile: GroupProfile,
    /// Waiting for a decision, oldest first.
    pub pending: Vec<RequestRecord>,
    /// Accepted, waiting for a place, first to move up first.
    pub waitlisted: Vec<RequestRecord>,
    /// Members.
    pub members: Vec<RequestRecord>,
    /// Invitation links.
    pub invitations: Vec<InvitationRecord>,
}

/// The requests, members and invitations of a group, and its profile, for
/// its hosts: authorized and read in one.
pub async fn group_people(app: &App, person: &Person, slug: &Slug) -> AppResult<GroupPeople> {
    let store = app.store();
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
        profile: store.managed_group(slug).await?.profile,
        pending: Vec::new(),
        waitlisted: Vec::new(),
        members: Vec::new(),
        invitations: store.invitations(access.id).await?,
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
pub async fn fellow_members(app: &App, person: &Person, slug: &Slug) -> AppResult<Vec<String>> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::Belong).await?;
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
    app: &App,
    person: &Person,
    slug: &Slug,
    days: &str,
    now: Timestamp,
) -> AppResult<NewInvitation> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    let days = match days.trim() {
        "" => INVITATION_DAYS,
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=MAX_INVITATION_DAYS).contains(d))
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("days", "out_of_range")]))?,
    };
    let token = new_token();
    let expires_at = now + SignedDuration::from_hours(24 * days);
    store
        .create_invitation(
            access.id,
            &InvitationId::random(),
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
    app: &App,
    person: &Person,
    slug: &Slug,
    id: &InvitationId,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::ManageMembers).await?;
    Ok(store.revoke_invitation(access.id, id, now).await?)
}

/// The listed group a valid invitation token opens, with its name; `None`
/// for a wrong, expired or revoked one, or a group no longer listed, which
/// all read the same.
pub async fn invitation_group(
    app: &App,
    token: &str,
    now: Timestamp,
) -> AppResult<Option<(Slug, String)>> {
    let store = app.store();
    let Some(slug) = store.invitation_group(&token_hash(token), now).await? else {
        return Ok(None);
    };
    match store.listed_group(&slug).await {
        Ok(profile) => Ok(Some((slug, profile.name))),
        Err(kith_store::StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Hands a group to a co-host or member; the giver steps down as host.
pub async fn hand_over(
    app: &App,
    person: &Person,
    slug: &Slug,
    to: &str,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
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
        other => {
            other?;
            // The group's page names its hosts.
            app.public_changed();
            Ok(())
        }
    }
}
