//! What moderators and admins do: the review queue, approving, rejecting and
//! unlisting with a reason, the change log of listed groups, the audit log.
//! Every decision writes its audit row in the same transaction. Hosts are
//! mailed when their listing is approved, moderators when one waits
//! (`notices`).

pub(crate) mod notices;

use jiff::Timestamp;
use kith_domain::group::ListingStatus;
use kith_domain::ids::Slug;
use kith_domain::listing::{ListingChange, next_status};
use kith_domain::validation::{FieldError, text_within};
use kith_store::AuditEntry;
use kith_store::audit::AuditRecord;
use kith_store::moderation::{ChangeRecord, QueueItem, StatusChange};
use kith_store::rooms::AccessChange;

use crate::access::{GroupAction, Person, SiteAction, authorize, authorize_on_site};
use crate::{App, AppError, AppResult, Conflict};

/// The longest reason a moderator may give.
pub const REASON_MAX: usize = 2_000;
/// How many rows the queue, the change log and the audit log show.
pub const PAGE: u32 = 200;

/// A moderator's decision on one listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// List it.
    Approve,
    /// Decline it; the host sees the reason and may edit and resubmit.
    Reject {
        /// Why, in words the host can act on.
        reason: String,
    },
    /// Take a listed group out of the directory.
    Unlist {
        /// Why, in words the host can act on.
        reason: String,
    },
}

/// Pending listings, oldest first.
pub async fn queue(app: &App, person: &Person) -> AppResult<Vec<QueueItem>> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    Ok(store.moderation_queue(PAGE).await?)
}

/// Applies a decision, with its audit row, and refreshes the directory.
pub async fn decide(
    app: &App,
    person: &Person,
    slug: &Slug,
    decision: &Decision,
    now: Timestamp,
) -> AppResult<ListingStatus> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    let access = authorize(store, Some(person), slug, GroupAction::Moderate).await?;
    let (change, action, reason) = match decision {
        Decision::Approve => (ListingChange::Approve, "group.approve", None),
        Decision::Reject { reason } => (ListingChange::Reject, "group.reject", Some(reason)),
        Decision::Unlist { reason } => {
            (ListingChange::ModeratorUnlist, "group.unlist", Some(reason))
        }
    };
    let reason = reason
        .map(|r| text_within("reason", r, 1, REASON_MAX))
        .transpose()
        .map_err(|e: FieldError| AppError::Invalid(vec![e]))?;
    let status = next_status(access.status, access.review_note.is_some(), change)
        .ok_or(AppError::Conflict(Conflict::InvalidStatus))?;
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action,
        target: format!("group:{slug}"),
        reason: reason.as_deref().unwrap_or_default(),
    };
    let hosts = match decision {
        Decision::Approve => access.hosts,
        _ => Vec::new(),
    };
    let name = store.managed_group(slug).await?.profile.name;
    let approved = notices::listing_approved(app.site_url(), slug, &name, hosts);
    store
        .set_group_status(
            access.id,
            StatusChange::new(access.status, status),
            reason.as_deref(),
            Some(&audit),
            &approved,
            now,
        )
        .await?;
    app.public_changed();
    app.mailed();
    app.access_changed(AccessChange::Group(access.id)).await;
    Ok(status)
}

/// Recent changes to listed groups' public text.
pub async fn changes(app: &App, person: &Person) -> AppResult<Vec<ChangeRecord>> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    Ok(store.recent_group_changes(PAGE).await?)
}

/// The audit log, newest first; admins only.
pub async fn audit_log(app: &App, person: &Person) -> AppResult<Vec<AuditRecord>> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::ReadAuditLog)?;
    Ok(store.audit_log(PAGE).await?)
}
