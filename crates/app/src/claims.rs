//! Asking to host an imported group ("this is my group"): the request goes
//! to the moderators; approved, the person becomes its host. Decisions
//! write their audit row in the same transaction.

use jiff::Timestamp;
use kith_domain::ids::Slug;
use kith_domain::validation::text_within;
use kith_store::claims::ClaimRecord;
use kith_store::{AuditEntry, StoreError};

use crate::access::{GroupAction, Person, SiteAction, authorize, authorize_on_site};
use crate::{App, AppError, AppResult, Conflict};

/// The longest message to the moderators.
pub const MESSAGE_MAX: usize = 2_000;

/// Asks to host an imported group that has no host yet.
pub async fn ask(
    app: &App,
    person: &Person,
    slug: &Slug,
    message: &str,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::View).await?;
    let group = store.managed_group(slug).await?;
    if group.profile.source.is_none() || !access.hosts.is_empty() {
        return Err(AppError::Conflict(Conflict::NotClaimable));
    }
    let message =
        text_within("message", message, 1, MESSAGE_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    match store
        .create_claim(access.id, person.id, &message, now)
        .await
    {
        Err(StoreError::Conflict { .. }) => Err(AppError::Conflict(Conflict::ClaimPending)),
        other => Ok(other?),
    }
}

/// Open requests, oldest first; moderators only.
pub async fn queue(app: &App, person: &Person) -> AppResult<Vec<ClaimRecord>> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    Ok(store.claims(crate::moderation::PAGE).await?)
}

/// Approves (the person becomes the group's host) or declines a request.
pub async fn decide(
    app: &App,
    person: &Person,
    claim: i64,
    approve: bool,
    now: Timestamp,
) -> AppResult<Slug> {
    let store = app.store();
    authorize_on_site(Some(person), SiteAction::Moderate)?;
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action: if approve {
            "group.claim_approve"
        } else {
            "group.claim_decline"
        },
        target: format!("claim:{claim}"),
        reason: "",
    };
    let slug = store.decide_claim(claim, approve, &audit, now).await?;
    app.public_changed();
    Ok(slug)
}
