//! A newcomer joins in one step: the form creates their account (which
//! mails a link to confirm the address) and asks to join, and the request
//! is held until that link is opened (see
//! [`crate::membership::release_held`]). It composes [`crate::accounts`]
//! and [`crate::membership`], so it lives beside them rather than in
//! either.

use jiff::Timestamp;
use kith_domain::account::Handle;
use kith_domain::ids::Slug;
use kith_domain::membership::JoinPolicy;
use kith_domain::zone::Zone;

use crate::access::Person;
use crate::accounts::{Registration, register_in_zone};
use crate::membership::{ask_to_join, check_answer, group_to_join};
use crate::{App, AppError, AppResult, Conflict};

/// What a newcomer's join came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// Done, or nothing to do: the answer is the same whether or not the
    /// email was known already, so it reveals nobody's address.
    Sent,
    /// Over the registration limit: try again after this many seconds.
    /// Nothing changed.
    Limited(u64),
}

/// Registers a newcomer and asks to join `slug` for them, in their
/// browser's zone. `allow` is asked once the group is known to take
/// requests without an invitation, before the answer or the registration
/// is checked, so that every such attempt counts against the limit.
pub async fn join(
    app: &App,
    slug: &Slug,
    registration: &Registration,
    answer: &str,
    zone: Option<&Zone>,
    now: Timestamp,
    allow: impl FnOnce() -> Result<(), u64>,
) -> AppResult<JoinOutcome> {
    let profile = group_to_join(app, slug).await?;
    if profile.join.policy == JoinPolicy::InviteOnly {
        return Err(AppError::Conflict(Conflict::Refused(
            kith_domain::membership::Refusal::InvitationRequired,
        )));
    }
    let checked = check_answer(&profile.join, answer, false);
    if let Err(seconds) = allow() {
        return Ok(JoinOutcome::Limited(seconds));
    }
    checked?;
    register_in_zone(app, registration, zone, now).await?;
    // A new account has this handle only if registering created it (a
    // taken handle is refused above; a taken email creates nothing).
    let handle = Handle::parse(&registration.handle).map_err(|e| AppError::Invalid(vec![e]))?;
    if let Some(account) = app.store().account_by_handle(&handle).await? {
        let newcomer = Person {
            id: account.id,
            handle,
            role: account.role,
            email_verified: false,
        };
        ask_to_join(app, &newcomer, slug, answer, None, now).await?;
    }
    Ok(JoinOutcome::Sent)
}
