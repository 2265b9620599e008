//! The mailing list, the subscriber's side: the signup forms, double
//! opt-in, the free download, changing interests and unsubscribing by a
//! link without an account, and a member's subscription from `/me`.
//!
//! A signup answers the same whatever the address's state (new, waiting,
//! confirmed): the store mails the owner instead (a confirmation, or "you
//! are already subscribed"), so nobody learns from the answer whether an
//! address is on the list. Links are tokens stored as hashes
//! (`subscriber_tokens`); one that was never made is `NotFound`, one that
//! expired or was used answers its [`LinkRefusal`] for a clear page.

use jiff::{SignedDuration, Timestamp};
use kith_domain::newsletter::{ConsentSource, SignupRefusal, parse_interests, parse_signup};
use kith_store::newsletter::{ConfirmLinks, LinkMail, NewSubscription, SignupMails, SignupOutcome};
use kith_store::resources::StoredFile;

pub use kith_store::newsletter::{DownloadOffer, Interest, LinkRefusal, SignupForm, Subscription};

use crate::access::Person;
use crate::mail::NotificationPreferences;
use crate::mail::compose;
use crate::mail::newsletter_kinds::{NewsletterAlready, NewsletterConfirm, NewsletterWelcome};
use crate::tokens::{is_token, new_token, token_hash};
use crate::{App, AppError, AppResult, Conflict};

/// How long a confirmation link (and the unconfirmed signup) lasts.
pub const CONFIRM_DAYS: i64 = 7;
/// How long a manage link made outside a letter lasts, as letters' do.
pub const MANAGE_DAYS: i64 = 400;
/// How long a download link lasts.
pub const DOWNLOAD_DAYS: i64 = 30;

/// The placement of the newsletter page's own form.
pub const PAGE_PLACEMENT: &str = "newsletter";

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n * 24)
}

/// A form as a page shows it, with the interests offered.
#[derive(Debug, Clone)]
pub struct FormView {
    /// The form and its words.
    pub form: SignupForm,
    /// The interests to check, in order.
    pub interests: Vec<Interest>,
}

/// A signup as typed.
#[derive(Debug, Clone, Copy)]
pub struct SignupInput<'a> {
    /// The address typed.
    pub email: &'a str,
    /// The first name typed, if the form asked.
    pub first_name: Option<&'a str>,
    /// The interest codes checked.
    pub interests: &'a [String],
    /// The form it came from (`newsletter`, `home`, `resources`).
    pub placement: &'a str,
}

/// The form of a placement; `NotFound` for an unknown one.
pub async fn form(app: &App, placement: &str) -> AppResult<FormView> {
    let form = app.store().newsletter_form(placement).await?;
    let interests = app.store().newsletter_interests().await?;
    Ok(FormView { form, interests })
}

/// The form of a placement if an admin placed it (the newsletter page's
/// always is).
pub async fn placed_form(app: &App, placement: &str) -> AppResult<Option<FormView>> {
    let view = form(app, placement).await?;
    Ok((view.form.shown || placement == PAGE_PLACEMENT).then_some(view))
}

/// The interests offered now.
pub async fn interests(app: &App) -> AppResult<Vec<Interest>> {
    Ok(app.store().newsletter_interests().await?)
}

/// Reads chosen interest codes against those offered; an unknown one is
/// refused as the field `interests`.
async fn chosen(app: &App, codes: &[String]) -> AppResult<Vec<String>> {
    let offered = interests(app).await?;
    let offered: Vec<&str> = offered.iter().map(|i| i.code.as_str()).collect();
    parse_interests(codes, &offered)
        .map_err(|unknown| AppError::Invalid(vec![unknown.field_error()]))
}

/// Signs an address up through a form: refused input comes back whole
/// (every field, the unknown interest by name) with nothing written;
/// accepted input answers the same for every address, and the owner of
/// the address is mailed (at most once per ten minutes). The outcome is
/// for tests and logs of counts only, never for the person.
pub async fn sign_up(
    app: &App,
    input: &SignupInput<'_>,
    now: Timestamp,
) -> AppResult<Result<SignupOutcome, SignupRefusal>> {
    let view = form(app, input.placement).await?;
    let offered: Vec<&str> = view.interests.iter().map(|i| i.code.as_str()).collect();
    let signup = match parse_signup(input.email, input.first_name, input.interests, &offered) {
        Ok(signup) => signup,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let site = app.site_url();
    let confirm_token = new_token();
    let manage_token = new_token();
    let confirm_mail = compose(
        site,
        &NewsletterConfirm {
            first_name: signup.first_name.clone(),
            link: site.link(&format!("/newsletter/confirm/{confirm_token}")),
            days: CONFIRM_DAYS,
        },
        &NotificationPreferences::default(),
    )?;
    let already_mail = compose(
        site,
        &NewsletterAlready {
            manage_link: site.link(&format!("/newsletter/manage/{manage_token}")),
        },
        &NotificationPreferences::default(),
    )?;
    let confirm_hash = token_hash(&confirm_token);
    let manage_hash = token_hash(&manage_token);
    let mails = SignupMails {
        confirm: LinkMail {
            token_hash: &confirm_hash,
            expires_at: now + days(CONFIRM_DAYS),
            mail: &confirm_mail,
        },
        already: LinkMail {
            token_hash: &manage_hash,
            expires_at: now + days(MANAGE_DAYS),
            mail: &already_mail,
        },
    };
    let new = NewSubscription {
        email: &signup.email,
        first_name: signup.first_name.as_deref(),
        interests: &signup.interests,
        source: ConsentSource::Form,
        placement: &view.form.placement,
    };
    let outcome = app.store().subscribe(&new, &mails, now).await?;
    app.mailed();
    Ok(Ok(outcome))
}

/// The hash of a token that has the shape of one; `NotFound` otherwise,
/// so nothing else reaches the database.
fn hash_of(token: &str) -> AppResult<String> {
    if is_token(token) {
        Ok(token_hash(token))
    } else {
        Err(AppError::NotFound)
    }
}

/// `NotFound` for a link never made; its refusal for an expired or used
/// one.
fn known<T>(found: Result<T, LinkRefusal>) -> AppResult<Result<T, LinkRefusal>> {
    match found {
        Err(LinkRefusal::Unknown) => Err(AppError::NotFound),
        other => Ok(other),
    }
}

/// Whether a link works, before its button is pressed (mail scanners
/// follow links: a visit changes nothing). `purpose`: `confirm` or
/// `manage`.
pub async fn check_link(
    app: &App,
    token: &str,
    purpose: &'static str,
    now: Timestamp,
) -> AppResult<Result<(), LinkRefusal>> {
    let hash = hash_of(token)?;
    known(app.store().newsletter_link(&hash, purpose, now).await?)
}

/// What confirming earned: the file's link if the form offers one, and
/// where to change interests or unsubscribe.
#[derive(Debug, Clone)]
pub struct ConfirmedLinks {
    /// The file offered and its link (`/newsletter/download/{token}`).
    pub download: Option<(DownloadOffer, String)>,
    /// The link to manage the subscription (`/newsletter/manage/{token}`).
    pub manage: String,
    /// The manage link's token, for the page's own links.
    pub manage_token: String,
}

/// Follows a confirmation link (the button pressed): the address is
/// subscribed, and the welcome mail carries the download and manage links
/// the page shows too.
pub async fn confirm(
    app: &App,
    token: &str,
    now: Timestamp,
) -> AppResult<Result<ConfirmedLinks, LinkRefusal>> {
    let hash = hash_of(token)?;
    let site = app.site_url();
    let manage_token = new_token();
    let download_token = new_token();
    let manage = site.link(&format!("/newsletter/manage/{manage_token}"));
    let download = site.link(&format!("/newsletter/download/{download_token}"));
    let welcome = |offer: Option<&DownloadOffer>| {
        compose(
            site,
            &NewsletterWelcome {
                download: offer.map(|o| (o.title.clone(), download.clone())),
                download_days: DOWNLOAD_DAYS,
                manage_link: manage.clone(),
            },
            &NotificationPreferences::default(),
        )
        .map_err(|e| Box::new(e) as kith_store::mail::notices::ComposeError)
    };
    let manage_hash = token_hash(&manage_token);
    let download_hash = token_hash(&download_token);
    let links = ConfirmLinks {
        manage_hash: &manage_hash,
        manage_until: now + days(MANAGE_DAYS),
        download_hash: &download_hash,
        download_until: now + days(DOWNLOAD_DAYS),
        welcome: &welcome,
    };
    let confirmed = match known(app.store().confirm_subscription(&hash, &links, now).await?)? {
        Ok(confirmed) => confirmed,
        Err(refusal) => return Ok(Err(refusal)),
    };
    app.mailed();
    Ok(Ok(ConfirmedLinks {
        download: confirmed.download.map(|offer| (offer, download.clone())),
        manage: manage.clone(),
        manage_token,
    }))
}

/// The file a download link serves.
pub async fn download(
    app: &App,
    token: &str,
    now: Timestamp,
) -> AppResult<Result<StoredFile, LinkRefusal>> {
    let hash = hash_of(token)?;
    known(app.store().newsletter_download(&hash, now).await?)
}

/// A subscription as its manage page shows it, with the interests
/// offered.
#[derive(Debug, Clone)]
pub struct ManageView {
    /// The subscription.
    pub subscription: Subscription,
    /// The interests offered, in order.
    pub interests: Vec<Interest>,
}

/// The subscription a manage link opens.
pub async fn manage(
    app: &App,
    token: &str,
    now: Timestamp,
) -> AppResult<Result<ManageView, LinkRefusal>> {
    let hash = hash_of(token)?;
    let found = known(app.store().subscription_by_link(&hash, now).await?)?;
    let interests = interests(app).await?;
    Ok(found.map(|subscription| ManageView {
        subscription,
        interests,
    }))
}

/// Saves the interests checked on a manage page; an unknown one is
/// refused (`interests`, `unknown_interest`) with nothing written.
pub async fn set_interests(
    app: &App,
    token: &str,
    codes: &[String],
    now: Timestamp,
) -> AppResult<Result<(), LinkRefusal>> {
    let hash = hash_of(token)?;
    let codes = chosen(app, codes).await?;
    known(
        app.store()
            .set_interests_by_link(&hash, &codes, now)
            .await?,
    )
}

/// Unsubscribes by a link (its button, or a mail client's one-click POST):
/// the address is suppressed and forgotten. A second press finds the link
/// gone (`NotFound`), as a forged one.
pub async fn unsubscribe(
    app: &App,
    token: &str,
    now: Timestamp,
) -> AppResult<Result<(), LinkRefusal>> {
    let hash = hash_of(token)?;
    known(app.store().unsubscribe_by_link(&hash, now).await?)
}

/// A member's subscription as `/me` shows it.
#[derive(Debug, Clone)]
pub struct MemberView {
    /// Their subscription, if they have one.
    pub subscription: Option<Subscription>,
    /// The interests offered, in order.
    pub interests: Vec<Interest>,
    /// Whether their address is verified (needed to subscribe).
    pub verified: bool,
}

/// A member's subscription.
pub async fn member(app: &App, person: &Person) -> AppResult<MemberView> {
    Ok(MemberView {
        subscription: app.store().account_subscription(person.id).await?,
        interests: interests(app).await?,
        verified: person.email_verified,
    })
}

/// Subscribes a member with their verified address (confirmed at once:
/// the address is proven), or saves the interests of the subscription
/// they have. `EmailUnverified` until they confirm their address.
pub async fn member_subscribe(
    app: &App,
    person: &Person,
    codes: &[String],
    now: Timestamp,
) -> AppResult<Subscription> {
    let codes = chosen(app, codes).await?;
    app.store()
        .subscribe_account(person.id, &codes, now)
        .await?
        .map_err(|_| AppError::Conflict(Conflict::EmailUnverified))
}

/// Unsubscribes a member; `NotFound` when they had no subscription.
pub async fn member_unsubscribe(app: &App, person: &Person, now: Timestamp) -> AppResult<()> {
    if app.store().unsubscribe_account(person.id, now).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
