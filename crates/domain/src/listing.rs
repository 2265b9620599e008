//! How a listing moves between statuses, and who moves it: hosts submit,
//! edit, unlist and relist; moderators approve, reject and unlist.

use crate::group::ListingStatus;

/// Something that changes a listing's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingChange {
    /// A host saved an edit.
    HostEdit,
    /// A host took a listed group out of the directory.
    HostUnlist,
    /// A host asked for an unlisted group to be listed again.
    HostRelist,
    /// A moderator approved a pending listing.
    Approve,
    /// A moderator declined a pending listing, with a reason.
    Reject,
    /// A moderator took a listed group out of the directory, with a reason.
    ModeratorUnlist,
}

/// The status after `change`, or `None` when it does not apply to
/// `current`. `unlisted_by_moderator` says whether an unlisted group was
/// unlisted by a moderator (then relisting goes back to review).
pub fn next_status(
    current: ListingStatus,
    unlisted_by_moderator: bool,
    change: ListingChange,
) -> Option<ListingStatus> {
    use ListingChange as C;
    use ListingStatus as S;
    match (change, current) {
        // Editing a rejected listing resubmits it; other edits keep the
        // status (a listed group's text changes stay live and are logged).
        (C::HostEdit, S::Rejected) => Some(S::Pending),
        (C::HostEdit, status) => Some(status),
        (C::HostUnlist, S::Listed) => Some(S::Unlisted),
        (C::HostRelist, S::Unlisted) if unlisted_by_moderator => Some(S::Pending),
        (C::HostRelist, S::Unlisted) => Some(S::Listed),
        (C::Approve, S::Pending) => Some(S::Listed),
        (C::Reject, S::Pending) => Some(S::Rejected),
        (C::ModeratorUnlist, S::Listed) => Some(S::Unlisted),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ListingChange as C;
    use ListingStatus as S;

    #[test]
    fn a_listing_is_reviewed_before_it_is_listed() {
        assert_eq!(next_status(S::Pending, false, C::Approve), Some(S::Listed));
        assert_eq!(next_status(S::Pending, false, C::Reject), Some(S::Rejected));
        assert_eq!(next_status(S::Listed, false, C::Approve), None);
        assert_eq!(next_status(S::Pending, false, C::HostRelist), None);
        assert_eq!(next_status(S::Pending, false, C::HostUnlist), None);
    }

    #[test]
    fn a_rejected_listing_goes_back_to_review_when_edited() {
        assert_eq!(
            next_status(S::Rejected, false, C::HostEdit),
            Some(S::Pending)
        );
        assert_eq!(next_status(S::Listed, false, C::HostEdit), Some(S::Listed));
    }

    #[test]
    fn only_a_host_unlisting_can_be_undone_by_the_host() {
        assert_eq!(
            next_status(S::Listed, false, C::HostUnlist),
            Some(S::Unlisted)
        );
        assert_eq!(
            next_status(S::Unlisted, false, C::HostRelist),
            Some(S::Listed)
        );
        assert_eq!(
            next_status(S::Unlisted, true, C::HostRelist),
            Some(S::Pending)
        );
        assert_eq!(
            next_status(S::Listed, false, C::ModeratorUnlist),
            Some(S::Unlisted)
        );
    }
}
