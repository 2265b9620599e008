//! kith's capabilities: the use cases that the web layer and the CLI share.
//! Each takes the app context ([`App`]: store, clock, public cache, hasher,
//! mail) and the time explicitly, so tests control both; each owns its
//! side effects (forgetting the public cache, waking the mail sender,
//! telling the live rooms), so no caller has to remember them.
//!
//! - [`App`] (`context.rs`): the context every use case takes.
//! - [`accounts`]: registering, logging in and out, sessions, admins.
//! - [`account_zone`]: the zone a person reads times in, kept on their
//!   account.
//! - [`access`]: the one place that decides who may see or change a group.
//! - [`claims`]: asking to host an imported group.
//! - [`directory`]: a seeker's search of listed groups.
//! - [`account_settings`]: verifying an email, password resets, changing
//!   email or password, one's sessions, deleting an account, mail
//!   preferences.
//! - [`export`]: everything about a person, as JSON (never their
//!   journal, which has its own).
//! - [`journal`]: the private journal and taper log, sealed with keys
//!   only its writer holds: keys, check-ins, medicines, doses, its own
//!   export and import.
//! - [`journal_share`]: sharing one check-in into a live room, on purpose.
//! - [`letters`]: letters to the mailing list — drafts, audience, test,
//!   sending now or later, and queuing them when due.
//! - [`journal_reminder`]: the daily journal reminder, off by default.
//! - [`mail`]: composing mail, the outbox's sender, SMTP or `.eml` files.
//! - [`feeds`]: a group's public calendar (RFC 5545).
//! - [`groups`]: a group's public page; creating groups.
//! - [`hosting`]: listing, editing, unlisting a group; co-hosts.
//! - [`imports`]: groups from another site's Meeting Guide feed.
//! - [`membership`]: joining groups, request threads, invitations, RSVPs.
//! - [`newsletter`]: the mailing list, the subscriber's side: signup with
//!   double opt-in, the free download, managing and unsubscribing by a
//!   link, a member's subscription.
//! - [`newcomer`]: registering and asking to join in one step.
//! - [`newsletter_admin`]: the mailing list as admins keep it: interests,
//!   forms and their versions, counts, the audited export, the import.
//! - [`moderation`]: the review queue, decisions, change and audit logs.
//! - [`reports`]: reports, their queue, decisions, appeals, the admins'
//!   daily digest of overdue ones.
//! - [`blocks`]: members blocking one another.
//! - [`reminders`]: mail a day and an hour before each meeting.
//! - [`resources`]: the resource library (pages, tags, files, drafts) and
//!   who is an editor.
//! - [`rooms`]: the live rooms: who may enter, one order for every command.
//! - [`safety`]: the crisis page, per country.
//! - [`stories`]: members' stories — writing, editing, withdrawing,
//!   review, reading.
//! - [`about`]: the page about the site, the operator's to edit.
//! - [`schedule`]: keeping each group's occurrences materialized ahead.
//! - [`demo`]: the demo groups that `kith serve --demo` starts with.
//! - [`markdown`]: user-written Markdown to sanitised HTML.
//! - [`clock`]: the time, real or fixed.
//! - [`tokens`]: secret tokens for links and sessions, stored as hashes.
//! - [`passwords`]: Argon2id hashing behind a bounded line.
//! - [`public_cache`]: short-lived answers that are the same for everyone
//!   (directory pages, listed groups' pages, the Meeting Guide feed).
//! - [`meeting_time`]: a meeting as a reader in some zone sees it.
//! - `testing` (feature): an [`App`] over a test's store, fixture builders,
//!   a local SMTP server.

pub mod about;
pub mod access;
pub mod account_settings;
pub mod account_zone;
pub mod accounts;
pub mod blocks;
pub mod claims;
pub mod clock;
pub mod comments;
mod conflict;
mod context;
pub mod demo;
pub mod directory;
pub mod export;
pub mod feeds;
pub mod groups;
pub mod hosting;
pub mod imports;
pub mod journal;
pub mod journal_reminder;
pub mod journal_share;
pub mod letters;
pub mod mail;
pub mod markdown;
pub mod meeting_time;
pub mod membership;
pub mod moderation;
pub mod newcomer;
pub mod newsletter;
pub mod newsletter_admin;
pub mod passwords;
pub mod public_cache;
pub mod reminders;
pub mod reports;
pub mod resources;
pub mod rooms;
pub mod safety;
pub mod schedule;
pub mod site_url;
pub mod stories;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;

pub use clock::Clock;
pub use conflict::Conflict;
pub use context::App;
/// An account's id (the domain's), re-exported where callers already
/// look for it.
pub use kith_domain::ids::AccountId;

use kith_store::StoreError;

/// What a capability can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing does not exist, or the caller may not see it.
    #[error("not found")]
    NotFound,
    /// The input was refused; each entry names a field and a stable code.
    #[error("invalid input")]
    Invalid(Vec<kith_domain::validation::FieldError>),
    /// The action does not fit the current state; [`Conflict::code`] says
    /// which.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The database did not answer.
    #[error("database unavailable")]
    Unavailable(#[source] StoreError),
    /// Too many wait for the same scarce work (password hashing): try again
    /// after this many seconds. Nothing changed.
    #[error("busy")]
    Busy(u64),
    /// Anything else; the detail is for the log only.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// An internal error with a detail for the log.
    pub fn internal(detail: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(detail.into())
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound,
            // Someone else changed it first: the same answer as a decision
            // on a page read before their change.
            StoreError::Stale => Self::Conflict(Conflict::InvalidStatus),
            StoreError::Unavailable(_) => Self::Unavailable(err),
            other => Self::Internal(Box::new(other)),
        }
    }
}

/// The result of a capability.
pub type AppResult<T> = Result<T, AppError>;
