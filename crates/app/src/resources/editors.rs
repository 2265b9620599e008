//! Who writes the library: admins give the editor role to a member and
//! take it back, each with an audit row. Moderators and admins keep their
//! own roles (an admin already does all an editor does), so only a member
//! becomes an editor and only an editor goes back to being a member.

use jiff::Timestamp;
use kith_domain::account::{Handle, Role};
use kith_domain::validation::FieldError;
use kith_store::{AuditEntry, StoreError};

use crate::access::{Person, SiteAction, authorize_on_site};
use crate::{App, AppError, AppResult};

/// The editors' handles, alphabetically, for an admin.
pub async fn list(app: &App, person: &Person) -> AppResult<Vec<String>> {
    authorize_on_site(Some(person), SiteAction::ManageEditors)?;
    let editors = app.store().accounts_with_role(Role::Editor).await?;
    Ok(editors.into_iter().map(|(_, handle)| handle).collect())
}

/// Makes the member with `handle` an editor.
pub async fn give(app: &App, person: &Person, handle: &str, now: Timestamp) -> AppResult<()> {
    change(
        app,
        person,
        handle,
        (Role::Member, Role::Editor),
        "editor.give",
        now,
    )
    .await
}

/// Makes the editor with `handle` a member again.
pub async fn take(app: &App, person: &Person, handle: &str, now: Timestamp) -> AppResult<()> {
    change(
        app,
        person,
        handle,
        (Role::Editor, Role::Member),
        "editor.take",
        now,
    )
    .await
}

async fn change(
    app: &App,
    person: &Person,
    handle: &str,
    (from, to): (Role, Role),
    action: &'static str,
    now: Timestamp,
) -> AppResult<()> {
    authorize_on_site(Some(person), SiteAction::ManageEditors)?;
    let refuse = |code| AppError::Invalid(vec![FieldError::new("handle", code)]);
    let handle = Handle::parse(handle).map_err(|_| refuse("unknown_handle"))?;
    let account = app
        .store()
        .account_by_handle(&handle)
        .await?
        .ok_or_else(|| refuse("unknown_handle"))?;
    if account.role != from {
        return Err(refuse(if from == Role::Member {
            "has_role"
        } else {
            "not_an_editor"
        }));
    }
    let audit = AuditEntry {
        actor: Some(person.id),
        actor_handle: person.handle.as_str(),
        action,
        target: format!("account:{}", account.handle),
        reason: "",
    };
    match app
        .store()
        .change_role(account.id, from, to, &audit, now)
        .await
    {
        Ok(()) => Ok(()),
        // Someone changed the role meanwhile: as if read after their change.
        Err(StoreError::Stale) => Err(refuse("has_role")),
        Err(other) => Err(other.into()),
    }
}
