//! The one place that answers "may this person do this to this group?" and
//! "may this person do this on the site?". Every route, HTML and API alike,
//! asks here. A refusal is `NotFound`, exactly as for a group that does not
//! exist, so probing reveals nothing.

use kith_domain::account::{Handle, Role};
use kith_domain::group::ListingStatus;
use kith_domain::ids::{AccountId, RequestId, Slug};
use kith_domain::membership::RequestState;
use kith_store::Store;
use kith_store::hosting::GroupAccess;
use kith_store::membership::{MessageRecord, RequestRecord};

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
    /// Edit the page about the site.
    EditAboutPage,
    /// Write, publish, unpublish and delete resources; read drafts.
    EditResources,
    /// Give and take the editor role.
    ManageEditors,
    /// Keep the mailing list: interests, forms, export, import.
    ManageMailingList,
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
        SiteAction::ReadAuditLog
        | SiteAction::EditSafetyText
        | SiteAction::EditAboutPage
        | SiteAction::ManageEditors
        | SiteAction::ManageMailingList => role == Some(Role::Admin),
        SiteAction::EditResources => role.is_some_and(Role::edits_resources),
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

/// Which side of a request to join a person reads it from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The person who asked.
    Seeker,
    /// One of the group's hosts.
    Host,
}

/// Whether a request is held from the hosts: asked before the person
/// confirmed their email, and not answered (an open group lets them in only
/// once confirmed). Held means unseen — no page, no list, no count, no
/// mail — until the email is confirmed (`membership::release_held`). The
/// store's list of a group's requests applies the same rule in SQL.
pub fn is_held(request: &RequestRecord) -> bool {
    request.state == RequestState::Pending && !request.email_verified
}

/// The rule for a request and its thread, with no I/O: the person who
/// asked reads it as the seeker, the group's `hosts` as hosts unless it is
/// held, nobody else.
pub fn request_reader(
    person: &Person,
    request: &RequestRecord,
    hosts: &[AccountId],
) -> Option<Reader> {
    if request.account == person.id {
        Some(Reader::Seeker)
    } else if hosts.contains(&person.id) && !is_held(request) {
        Some(Reader::Host)
    } else {
        None
    }
}

/// A request and the side `person` reads it from; `NotFound` for anyone
/// else, exactly as for a request that does not exist.
pub async fn authorize_request(
    store: &dyn Store,
    person: &Person,
    id: &RequestId,
) -> AppResult<(RequestRecord, Reader)> {
    let request = store.request(id).await?;
    let hosts = if request.account == person.id {
        Vec::new()
    } else {
        store.group_access(&request.slug).await?.hosts
    };
    match request_reader(person, &request, &hosts) {
        Some(reader) => Ok((request, reader)),
        None => Err(AppError::NotFound),
    }
}

/// Whether the hosts get what the person who asked writes now. Not after a
/// block: to the blocked person the thread stays open, as after a decline,
/// so the block never shows, but their words reach nobody — no mail, and
/// not on the hosts' page.
pub fn hosts_read_the_seeker(state: RequestState) -> bool {
    state != RequestState::Blocked
}

/// Whether the hosts are told now of what the person who asked writes:
/// never after a block; not while the request is held — the hosts find the
/// words in the thread once it reaches them.
pub fn hosts_hear_the_seeker_now(request: &RequestRecord) -> bool {
    hosts_read_the_seeker(request.state) && !is_held(request)
}

/// Whether `reader` is shown one message of a thread: the person who asked
/// sees all they wrote; the hosts never see what was kept from them.
pub fn shows_message(reader: Reader, message: &MessageRecord) -> bool {
    reader == Reader::Seeker || !message.hidden_from_hosts
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

    fn request(seeker: i64, state: RequestState) -> RequestRecord {
        let now = jiff::Timestamp::UNIX_EPOCH;
        RequestRecord {
            id: RequestId::from_trusted("r".repeat(32)),
            group: kith_domain::ids::GroupId(1),
            slug: Slug::from_trusted("circle".to_owned()),
            group_name: "Circle".to_owned(),
            account: AccountId(seeker),
            handle: format!("p{seeker}"),
            state,
            answer: String::new(),
            created_at: now,
            state_changed_at: now,
            email_verified: true,
        }
    }

    #[test]
    fn a_request_is_read_by_its_seeker_and_the_hosts_only() {
        let hosts = [AccountId(1), AccountId(2)];
        let asked = request(7, RequestState::Pending);
        let reader = |id, role| request_reader(&person(id, role), &asked, &hosts);
        assert_eq!(reader(7, Role::Member), Some(Reader::Seeker));
        assert_eq!(reader(2, Role::Member), Some(Reader::Host));
        assert_eq!(reader(9, Role::Member), None);
        assert_eq!(reader(9, Role::Admin), None, "not even an admin");
    }

    #[test]
    fn a_request_held_for_an_unconfirmed_email_is_the_seekers_alone() {
        let hosts = [AccountId(1)];
        let host = person(1, Role::Member);
        let seeker = person(7, Role::Member);
        for state in RequestState::ALL {
            let held = RequestRecord {
                email_verified: false,
                ..request(7, *state)
            };
            let pending = *state == RequestState::Pending;
            assert_eq!(is_held(&held), pending, "{state:?}");
            assert_eq!(
                request_reader(&host, &held, &hosts),
                (!pending).then_some(Reader::Host)
            );
            assert_eq!(request_reader(&seeker, &held, &hosts), Some(Reader::Seeker));
            assert_eq!(
                hosts_hear_the_seeker_now(&held),
                !pending && *state != RequestState::Blocked
            );
        }
        let confirmed = request(7, RequestState::Pending);
        assert!(!is_held(&confirmed));
        assert!(hosts_hear_the_seeker_now(&confirmed));
        assert_eq!(
            request_reader(&host, &confirmed, &hosts),
            Some(Reader::Host)
        );
    }

    #[test]
    fn what_a_blocked_person_writes_reaches_nobody_but_themselves() {
        for state in RequestState::ALL {
            assert_eq!(
                hosts_read_the_seeker(*state),
                *state != RequestState::Blocked
            );
        }
        let kept = MessageRecord {
            author: Some("p7".to_owned()),
            from_host: false,
            body: "hello?".to_owned(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            hidden_from_hosts: true,
        };
        assert!(shows_message(Reader::Seeker, &kept));
        assert!(!shows_message(Reader::Host, &kept));
        let shared = MessageRecord {
            hidden_from_hosts: false,
            ..kept
        };
        assert!(shows_message(Reader::Host, &shared));
    }

    #[test]
    fn the_audit_log_and_safety_text_are_for_admins() {
        let moderator = person(1, Role::Moderator);
        let admin = person(2, Role::Admin);
        assert!(permits_on_site(Some(&moderator), SiteAction::Moderate));
        assert!(!permits_on_site(Some(&moderator), SiteAction::ReadAuditLog));
        assert!(permits_on_site(Some(&admin), SiteAction::EditSafetyText));
        assert!(permits_on_site(Some(&admin), SiteAction::EditAboutPage));
        assert!(!permits_on_site(
            Some(&moderator),
            SiteAction::EditAboutPage
        ));
        assert!(!permits_on_site(None, SiteAction::Moderate));
    }
}
