//! Blocks between members: a member blocks another by handle, lists and
//! lifts their blocks. The blocked person cannot write to the blocker in
//! request threads (`membership::post_message` asks [`blocked_by_any`]),
//! and the blocker no longer reads the blocked one's comments and stories
//! ([`hidden_authors_for`], for those capabilities). Nobody is ever told
//! who blocked whom: a refusal reads like any other unavailability.

use std::collections::HashSet;

use jiff::Timestamp;
use kith_domain::account::Handle;
use kith_domain::blocks::may_block;
use kith_domain::ids::AccountId;
use kith_domain::validation::FieldError;
/// One of a member's blocks, as they list it.
pub use kith_store::blocks::BlockRecord;

use crate::access::Person;
use crate::{App, AppError, AppResult};

async fn account_named(app: &App, handle: &str) -> AppResult<Option<AccountId>> {
    let Ok(handle) = Handle::parse(handle) else {
        return Ok(None);
    };
    Ok(app.store().account_by_handle(&handle).await?.map(|a| a.id))
}

/// `person` blocks the member with `handle`. An unknown handle and oneself
/// are refused on the `handle` field; blocking twice is once.
pub async fn block(app: &App, person: &Person, handle: &str, now: Timestamp) -> AppResult<()> {
    let blocked = account_named(app, handle)
        .await?
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("handle", "unknown_handle")]))?;
    may_block(person.id, blocked).map_err(|e| AppError::Invalid(vec![e]))?;
    app.store().block(person.id, blocked, now).await?;
    Ok(())
}

/// Lifts `person`'s block of `handle`; `NotFound` when there is none.
pub async fn unblock(app: &App, person: &Person, handle: &str) -> AppResult<()> {
    let blocked = account_named(app, handle)
        .await?
        .ok_or(AppError::NotFound)?;
    if app.store().unblock(person.id, blocked).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Whom `person` blocks.
pub async fn blocks(app: &App, person: &Person) -> AppResult<Vec<BlockRecord>> {
    Ok(app.store().blocks_of(person.id).await?)
}

/// Whether either of two people blocks the other: replies between them
/// are refused.
pub async fn blocked_between(app: &App, a: AccountId, b: AccountId) -> AppResult<bool> {
    Ok(app.store().blocked_between(a, b).await?)
}

/// Whether any of `blockers` blocks `blocked`: `blocked` may not write to
/// them.
pub async fn blocked_by_any(
    app: &App,
    blocked: AccountId,
    blockers: &[AccountId],
) -> AppResult<bool> {
    Ok(app.store().blocked_by_any(blocked, blockers).await?)
}

/// The authors whose comments and stories `viewer` no longer reads.
pub async fn hidden_authors_for(app: &App, viewer: AccountId) -> AppResult<HashSet<AccountId>> {
    Ok(app
        .store()
        .hidden_authors_for(viewer)
        .await?
        .into_iter()
        .collect())
}

/// A block, in the blocker's export.
#[derive(Debug, serde::Serialize)]
pub struct BlockSection {
    /// The blocked member's handle.
    pub handle: String,
    /// Since when, RFC 3339.
    pub created_at: String,
}

/// The export's section of one's blocks.
pub(crate) async fn export_section(app: &App, person: &Person) -> AppResult<Vec<BlockSection>> {
    Ok(blocks(app, person)
        .await?
        .into_iter()
        .map(|b| BlockSection {
            handle: b.handle,
            created_at: b.created_at.to_string(),
        })
        .collect())
}
