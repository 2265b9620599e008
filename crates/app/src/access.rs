//! The one place that answers "may this person do this to this group?" and
//! "may this person do this on the site?". Every route, HTML and API alike,
//! asks here. A refusal is `NotFound`, exactly as for a group that does not
//! exist, so probing reveals nothing.

use kith_domain::account::{Handle, Role};
use kith_domain::group::ListingStatus;
use kith_domain::ids::Slug;
use kith_domain::membership::RequestState;
use kith_store::hosting::GroupAccess;
use kith_store::{AccountId, Store};

use crate::{AppError, AppResult};

/// A logged-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Their account.
    pub id: AccountId,
    /// Their pseudonym.
    pub handle: Handle,
    /// What they may do on the site.
    pub role: Role,
    /// Whether they proved they read mail at their address: needed to list
    /// a group (and, with joining, to ask to join one).
    pub email_verified: bool,
}

/// Something a person may want to do to one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAction {
    /// Read its page.
    View,
    /// Read its call link, dial-in and street address.
    ViewPrivate,
    /// Read its requests to join, member list and invitations; decide.
    ManageMembers,
    /// Be among the group's own people — enter a meeting's room, read the
    /// member list where the group shows it: hosts and approved members,
    /// never a moderator as such.
    Belong,
    /// Be in a meeting's live room: the group's own people, while it is
    /// listed — unlisting or closing a group closes its rooms.
    EnterRoom,
    /// Change its fields.
    Edit,
    /// Unlist or relist it.
    ChangeListing,
    /// Add a co-host.
    AddHost,
    /// Approve, reject or unlist it as a moderator.
    Moderate,
}

/// Something a person may want to do on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteAction {
    /// Review listings and read the change log.
    Moderate,
    /// Read the audit log.
    ReadAuditLog,
    /// Edit the crisis page.
    EditSafetyText,
}

/// The rule itself, with no I/O.
pub fn permits(person: Option<&Person>, action: GroupAction, group: &GroupAccess) -> bool {
    let hosts = person.is_some_and(|p| group.hosts.contains(&p.id));
    let moderates = person.is_some_and(|p| p.role.moderates());
    let member = person.is_some() && group.viewer_request == Some(RequestState::Approved);
    match action {
        // Members keep their group when its hosts unlist it.
        GroupAction::View => group.status == ListingStatus::Listed || hosts || moderates || member,
        GroupAction::ViewPrivate => hosts || moderates || member,
        GroupAction::Belong => hosts || member,
        GroupAction::EnterRoom => (hosts || member) && group.status == ListingStatus::Listed,
        GroupAction::Edit
        | GroupAction::ChangeListing
        | GroupAction::AddHost
        | GroupAction::ManageMembers => hosts,
        GroupAction::Moderate => moderates,
    }
}

/// The site-wide rule.
pub fn permits_on_site(person: Option<&Person>, action: SiteAction) -> bool {
    let role = person.map(|p| p.role);
    match action {
        SiteAction::Moderate => role.is_some_and(Role::moderates),
        SiteAction::ReadAuditLog | SiteAction::EditSafetyText => role == Some(Role::Admin),
    }
}

/// The group's access facts when `person` may do `action` to it; otherwise
/// `NotFound`.
pub async fn authorize(
    store: &dyn Store,
    person: Option<&Person>,
    slug: &Slug,
    action: GroupAction,
) -> AppResult<GroupAccess> {
    let mut group = store.group_access(slug).await?;
    if let Some(person) = person {
        group.viewer_request = store.request_state(group.id, person.id).await?;
    }
    if permits(person, action, &group) {
        Ok(group)
    } else {
        Err(AppError::NotFound)
    }
}

/// `Ok` when `person` may do `action` on the site; otherwise `NotFound`.
pub fn authorize_on_site(person: Option<&Person>, action: SiteAction) -> AppResult<()> {
    if permits_on_site(person, action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, role: Role) -> Person {
        Person {
            id: AccountId(id),
            handle: Handle::from_trusted(format!("p{id}")),
            role,
            email_verified: true,
        }
    }

    fn group(status: ListingStatus) -> GroupAccess {
        GroupAccess {
            id: kith_domain::ids::GroupId(1),
            status,
            hosts: vec![AccountId(1), AccountId(2)],
            review_note: None,
            viewer_request: None,
        }
    }

    #[test]
    fn only_listed_groups_are_seen_by_everyone() {
        for status in ListingStatus::ALL {
            let g = group(*status);
            let listed = *status == ListingStatus::Listed;
            assert_eq!(permits(None, GroupAction::View, &g), listed);
            assert_eq!(
                permits(Some(&person(9, Role::Member)), GroupAction::View, &g),
                listed
            );
            assert!(permits(
                Some(&person(2, Role::Member)),
                GroupAction::View,
                &g
            ));
            assert!(permits(
                Some(&person(9, Role::Moderator)),
                GroupAction::View,
                &g
            ));
        }
    }

    #[test]
    fn private_fields_are_for_hosts_and_moderators_and_edits_for_hosts() {
        let g = group(ListingStatus::Listed);
        let stranger = person(9, Role::Member);
        let cohost = person(2, Role::Member);
        let moderator = person(9, Role::Moderator);
        assert!(!permits(Some(&stranger), GroupAction::ViewPrivate, &g));
        assert!(permits(Some(&cohost), GroupAction::ViewPrivate, &g));
        assert!(permits(Some(&moderator), GroupAction::ViewPrivate, &g));
        assert!(permits(Some(&cohost), GroupAction::Edit, &g));
        assert!(!permits(Some(&moderator), GroupAction::Edit, &g));
        assert!(!permits(Some(&cohost), GroupAction::Moderate, &g));
        assert!(permits(Some(&moderator), GroupAction::Moderate, &g));
    }

    #[test]
    fn rooms_are_for_the_groups_own_people_while_it_is_listed() {
        let host = person(1, Role::Member);
        let moderator = person(9, Role::Moderator);
        for status in ListingStatus::ALL {
            let g = group(*status);
            let listed = *status == ListingStatus::Listed;
            assert_eq!(permits(Some(&host), GroupAction::EnterRoom, &g), listed);
            assert!(!permits(Some(&moderator), GroupAction::EnterRoom, &g));
            let member = GroupAccess {
                viewer_request: Some(RequestState::Approved),
                ..group(*status)
            };
            assert_eq!(
                permits(
                    Some(&person(7, Role::Member)),
                    GroupAction::EnterRoom,
                    &member
                ),
                listed
            );
        }
    }

    #[test]
    fn only_approved_members_see_private_fields() {
        let reader = person(9, Role::Member);
        for state in RequestState::ALL {
            let g = GroupAccess {
                viewer_request: Some(*state),
                ..group(ListingStatus::Listed)
            };
            assert_eq!(
                permits(Some(&reader), GroupAction::ViewPrivate, &g),
                *state == RequestState::Approved,
                "{state:?}"
            );
            assert!(!permits(Some(&reader), GroupAction::ManageMembers, &g));
            assert_eq!(
                permits(Some(&reader), GroupAction::Belong, &g),
                *state == RequestState::Approved
            );
        }
    }

    #[test]
    fn the_audit_log_and_safety_text_are_for_admins() {
        let moderator = person(1, Role::Moderator);
        let admin = person(2, Role::Admin);
        assert!(permits_on_site(Some(&moderator), SiteAction::Moderate));
        assert!(!permits_on_site(Some(&moderator), SiteAction::ReadAuditLog));
        assert!(permits_on_site(Some(&admin), SiteAction::EditSafetyText));
        assert!(!permits_on_site(None, SiteAction::Moderate));
    }
}
