//! An account's life after registering: verifying its email, resetting a
//! forgotten password, changing the email (verified again at the new
//! address; the old stays until then) or the password, listing and ending
//! one's sessions, deleting the account, and which mail one wants.
//!
//! Every link mailed here is a single-use token of which only the SHA-256
//! is stored. Answers never reveal whether an email is known.

use jiff::{SignedDuration, Timestamp};
use kith_domain::account::{Email, NewPassword};
use kith_domain::ids::{SessionId, Slug};
use kith_domain::validation::FieldError;
use kith_store::account_settings::{NewAccountToken, SessionInfo, SoleHost, TokenPurpose};
use kith_store::mail::{NotificationPreferences, Recipient};
use kith_store::rooms::AccessChange;
use kith_store::{AccountId, StoreError};

use crate::access::Person;
use crate::mail::compose;
use crate::mail::kinds::{AccountExists, PasswordReset, VerifyEmail};
use crate::tokens::{is_token, new_token, token_hash};
use crate::{App, AppError, AppResult, Conflict};

/// How long a verification link works.
pub const VERIFY_VALID: SignedDuration = SignedDuration::from_hours(48);
/// How long a password reset link works.
pub const RESET_VALID: SignedDuration = SignedDuration::from_hours(1);

fn wrong_password(field: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, "wrong_password")])
}

/// Mails a fresh verification link to the account's address, unless it is
/// verified already.
pub async fn send_verification(app: &App, account: AccountId, now: Timestamp) -> AppResult<()> {
    let store = app.store();
    let details = store.account_details(account).await?;
    let Some(email) = details.email.filter(|_| !details.record.email_verified) else {
        return Ok(());
    };
    mail_verification(
        app,
        account,
        &details.record.handle.to_string(),
        &email,
        false,
        now,
    )
    .await
}

/// A verification link and the mail that carries it, before either is
/// written.
pub(crate) struct VerificationMail {
    /// The link's token, of which only the hash is kept.
    pub(crate) token_hash: String,
    /// The mail, addressed on writing.
    pub(crate) composed: kith_store::mail::MailDraft,
}

/// Composes the mail that verifies `email` for the account `handle`,
/// with a fresh token.
pub(crate) fn verification_mail(
    app: &App,
    handle: &str,
    new_address: bool,
) -> AppResult<VerificationMail> {
    let site = app.site_url();
    let token = new_token();
    let composed = compose(
        site,
        &VerifyEmail {
            handle: handle.to_owned(),
            link: site.link(&format!("/verify-email/{token}")),
            new_address,
        },
        &NotificationPreferences::default(),
    )?;
    Ok(VerificationMail {
        token_hash: token_hash(&token),
        composed,
    })
}

async fn mail_verification(
    app: &App,
    account: AccountId,
    handle: &str,
    email: &Email,
    new_address: bool,
    now: Timestamp,
) -> AppResult<()> {
    let verification = verification_mail(app, handle, new_address)?;
    let recipient = if new_address {
        Recipient::AccountAt(account, email)
    } else {
        Recipient::Account(account)
    };
    app.store()
        .create_account_token(
            &NewAccountToken {
                token_hash: &verification.token_hash,
                account,
                purpose: TokenPurpose::VerifyEmail,
                email,
                expires_at: now.saturating_add(VERIFY_VALID).unwrap_or(now),
            },
            &verification.composed.to(recipient, now),
            now,
        )
        .await?;
    app.mailed();
    Ok(())
}

/// Tells the owner of `email` that someone tried to register with it.
pub async fn tell_account_exists(app: &App, email: &Email, now: Timestamp) -> AppResult<()> {
    let store = app.store();
    let site = app.site_url();
    let Some(account) = store.account_by_email(email).await? else {
        return Ok(());
    };
    let composed = compose(
        site,
        &AccountExists {
            handle: account.handle.to_string(),
            login_link: site.link("/login"),
            reset_link: site.link("/password-reset"),
        },
        &NotificationPreferences::default(),
    )?;
    app.enqueue(&composed.to(Recipient::Account(account.id), now), now)
        .await?;
    Ok(())
}

/// Follows a verification link. `NotFound` for any link that does not
/// work (unknown, used, expired, or its address taken meanwhile): one
/// answer for all. Answers whose address it confirmed: the link proves it
/// as a password would, so the web layer logs them in.
pub async fn verify_email(app: &App, token: &str, now: Timestamp) -> AppResult<AccountId> {
    let store = app.store();
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    match store.use_verify_token(&token_hash(token), now).await {
        Ok(account) => {
            crate::membership::release_held(app, account, now).await?;
            Ok(account)
        }
        Err(StoreError::NotFound | StoreError::Conflict { .. }) => Err(AppError::NotFound),
        Err(err) => Err(err.into()),
    }
}

/// Whether a verification link works now.
pub async fn verify_link_valid(app: &App, token: &str, now: Timestamp) -> AppResult<bool> {
    let store = app.store();
    Ok(is_token(token) && store.verify_token_valid(&token_hash(token), now).await?)
}

/// Mails a password reset link when an account has this address; answers
/// the same either way. Only a malformed address is refused.
pub async fn request_password_reset(app: &App, email: &str, now: Timestamp) -> AppResult<()> {
    let store = app.store();
    let site = app.site_url();
    let email = Email::parse(email).map_err(|e| AppError::Invalid(vec![e]))?;
    let Some(account) = store.account_by_email(&email).await? else {
        return Ok(());
    };
    let token = new_token();
    let hash = token_hash(&token);
    let composed = compose(
        site,
        &PasswordReset {
            handle: account.handle.to_string(),
            link: site.link(&format!("/password-reset/{token}")),
        },
        &NotificationPreferences::default(),
    )?;
    store
        .create_account_token(
            &NewAccountToken {
                token_hash: &hash,
                account: account.id,
                purpose: TokenPurpose::PasswordReset,
                email: &email,
                expires_at: now.saturating_add(RESET_VALID).unwrap_or(now),
            },
            &composed.to(Recipient::Account(account.id), now),
            now,
        )
        .await?;
    app.mailed();
    Ok(())
}

/// Whether a password reset link works now.
pub async fn reset_link_valid(app: &App, token: &str, now: Timestamp) -> AppResult<bool> {
    let store = app.store();
    Ok(is_token(token) && store.reset_token_valid(&token_hash(token), now).await?)
}

/// Sets a new password through a reset link, ending all the person's
/// sessions; answers whose password it was. The new password cannot open
/// the person's journal (only the old one or the recovery code could):
/// the journal stays, and [`crate::journal::status`] answers
/// `NeedsRecovery` until the recovery code opens it. `NotFound` when the link does
/// not work; the password's rules as for registering.
pub async fn reset_password(
    app: &App,
    token: &str,
    password: &str,
    now: Timestamp,
) -> AppResult<AccountId> {
    let store = app.store();
    let hasher = app.hasher();
    if !reset_link_valid(app, token, now).await? {
        return Err(AppError::NotFound);
    }
    let password =
        NewPassword::parse(password, None, None).map_err(|e| AppError::Invalid(vec![e]))?;
    let phc = hasher.hash(&password).await?;
    let account = store.use_reset_token(&token_hash(token), &phc, now).await?;
    app.access_changed(AccessChange::Account(account)).await;
    Ok(account)
}

async fn check_password(
    app: &App,
    person: &Person,
    password: &str,
    field: &'static str,
) -> AppResult<()> {
    let store = app.store();
    let hasher = app.hasher();
    let account = store.account_by_handle(&person.handle).await?;
    let stored = account
        .as_ref()
        .filter(|a| a.id == person.id)
        .and_then(|a| a.password_hash.as_deref());
    if hasher.verify(password, stored).await? {
        Ok(())
    } else {
        Err(wrong_password(field))
    }
}

/// Changes the password after checking the current one
/// (`current_password`), ending every other session of the person; `keep`
/// is the token of the session that asked. The journal's key is wrapped
/// under the new password in the same transaction as the new hash.
pub async fn change_password(
    app: &App,
    person: &Person,
    keep: Option<&str>,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let store = app.store();
    let hasher = app.hasher();
    check_password(app, person, current, "current_password").await?;
    let password = NewPassword::parse(new, Some(person.handle.as_str()), None)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let phc = hasher.hash(&password).await?;
    let journal =
        crate::journal::rewrap_for_new_password(app, person, current, password.expose(), keep)
            .await?;
    store
        .set_password(
            person.id,
            &phc,
            keep.map(token_hash).as_deref(),
            journal.as_ref(),
        )
        .await?;
    app.access_changed(AccessChange::Account(person.id)).await;
    Ok(())
}

/// Asks to change the email after checking the password: a link goes to
/// the new address, and the old one stays until it is followed. An address
/// that belongs to another account gets nothing, and the answer is the
/// same.
pub async fn change_email(
    app: &App,
    person: &Person,
    password: &str,
    new_email: &str,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let email = Email::parse(new_email).map_err(|e| AppError::Invalid(vec![e]))?;
    check_password(app, person, password, "password").await?;
    let details = store.account_details(person.id).await?;
    if details.email.as_ref() == Some(&email) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "email",
            "unchanged",
        )]));
    }
    if store.account_by_email(&email).await?.is_some() {
        return Ok(());
    }
    mail_verification(app, person.id, person.handle.as_str(), &email, true, now).await
}

/// The person's live sessions, most recently used first.
pub async fn sessions(app: &App, person: &Person, now: Timestamp) -> AppResult<Vec<SessionInfo>> {
    let store = app.store();
    Ok(store.sessions_of(person.id, now).await?)
}

/// Ends one of the person's sessions; `NotFound` for anyone else's.
pub async fn end_session(app: &App, person: &Person, id: &SessionId) -> AppResult<()> {
    let store = app.store();
    store.end_session_of(person.id, id).await?;
    app.access_changed(AccessChange::Account(person.id)).await;
    Ok(())
}

/// The listed or unlisted groups only this person hosts: they must hand
/// them to a co-host or close them before deleting their account.
pub async fn sole_hosted_groups(app: &App, person: &Person) -> AppResult<Vec<(Slug, String)>> {
    let store = app.store();
    Ok(store.sole_hosted_groups(person.id).await?)
}

/// Deletes the person's account and everything of it, after checking the
/// password; their sessions end at once. `Conflict::HostsGroups` while
/// they alone host a group ([`sole_hosted_groups`] names them).
pub async fn delete_account(app: &App, person: &Person, password: &str) -> AppResult<()> {
    let store = app.store();
    check_password(app, person, password, "password").await?;
    match store.delete_account(person.id).await? {
        Err(SoleHost) => Err(AppError::Conflict(Conflict::HostsGroups)),
        Ok(()) => {
            // Pages of groups they co-hosted named them.
            app.public_changed();
            app.access_changed(AccessChange::Account(person.id)).await;
            Ok(())
        }
    }
}

/// The person's notification preferences.
pub async fn preferences(app: &App, person: &Person) -> AppResult<NotificationPreferences> {
    let store = app.store();
    Ok(store.notification_preferences(person.id).await?)
}

/// Saves the person's notification preferences.
pub async fn set_preferences(
    app: &App,
    person: &Person,
    preferences: &NotificationPreferences,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    Ok(store
        .set_notification_preferences(person.id, preferences, now)
        .await?)
}

/// The category an unsubscribe link turns off; `NotFound` for an unknown
/// link.
pub async fn unsubscribe_category(
    app: &App,
    token: &str,
) -> AppResult<kith_domain::mail_category::MailCategory> {
    let store = app.store();
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    store
        .unsubscribe_category(&token_hash(token))
        .await?
        .and_then(|code| kith_domain::mail_category::MailCategory::parse(&code))
        .ok_or(AppError::NotFound)
}

/// Follows a one-click unsubscribe: turns the link's category off for its
/// account, answering the category. `NotFound` for an unknown link.
pub async fn unsubscribe(app: &App, token: &str, now: Timestamp) -> AppResult<String> {
    let store = app.store();
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    Ok(store.unsubscribe(&token_hash(token), now).await?)
}
