//! The zone a person reads times in, kept on their account so that mails
//! (reminders, a moved meeting) can give times in it, and pages can follow
//! it when the browser names none.

use kith_domain::ids::AccountId;
use kith_domain::zone::Zone;

use crate::{App, AppError, AppResult};

/// Keeps the browser's zone on the account unless one is kept already:
/// called at registration and login, so an explicit choice on `/me` is
/// never overwritten by wherever the person logs in from.
pub async fn remember(app: &App, account: AccountId, zone: &Zone) -> AppResult<()> {
    app.store()
        .remember_account_zone(account, zone.name())
        .await?;
    Ok(())
}

/// Sets the account's zone from a form's value: an IANA name from the
/// zone list; empty forgets it. A name that is not a zone is refused with
/// the field `time_zone`.
pub async fn choose(app: &App, account: AccountId, raw: &str) -> AppResult<Option<Zone>> {
    let store = app.store();
    let raw = raw.trim();
    if raw.is_empty() {
        store.set_account_zone(account, None).await?;
        return Ok(None);
    }
    let zone = Zone::parse(raw).map_err(|_| {
        AppError::Invalid(vec![kith_domain::validation::FieldError::new(
            "time_zone",
            "unknown_time_zone",
        )])
    })?;
    store.set_account_zone(account, Some(zone.name())).await?;
    Ok(Some(zone))
}
