//! The store: everything kith keeps, behind one [`Store`] trait, on SQLite
//! (embedded, the default) or PostgreSQL (several instances).
//!
//! There is one implementation, `SqlStore`, for both databases. Queries are
//! runtime queries with `FromRow` rows, not the compile-checked macros, and
//! each SQL text is written once with `$n` placeholders, which both drivers
//! accept: `db` holds either pool or transaction and binds a query to
//! whichever it runs on, and its module comment gives the rule that lets
//! one text serve both. Where the backends differ (full-text search, row
//! locks, `pg_notify`), the code says so with a `match`. Every capability's
//! methods are tested on both databases beside them (`imp/tests.rs`); the
//! contract suite (`tests/contract.rs`) tells the stories across them.
//!
//! - [`model`]: what goes in and comes out (drafts, hits, occurrences).
//! - [`accounts`]: accounts, sessions, the one-time setup link.
//! - [`backup`]: snapshots and restores for `kith backup` and `kith
//!   restore`, on either database and from SQLite into PostgreSQL.
//! - [`audit`]: the audit row every moderation or admin change writes in
//!   its own transaction, and the log that reads them.
//! - [`groups`]: listed groups as the directory and feeds read them, and
//!   new groups going in.
//! - [`occurrences`]: meetings — materialized from schedules, cancelled,
//!   moved, pruned.
//! - [`hosting`]: what hosts change: a group with its private fields,
//!   edits, co-hosts, closing.
//! - [`claims`]: requests to host an imported group, and their decisions.
//! - [`moderation`]: listing decisions, the review queue, the change log.
//! - [`site_texts`]: the texts the operator writes: safety texts and site
//!   pages (`about`).
//! - [`membership`]: requests to join, their threads, invitations, RSVPs.
//! - [`mail`]: the outbox, notification preferences, unsubscribe tokens.
//! - [`account_settings`]: account tokens (verification, password reset),
//!   password changes, one's sessions, deleting an account.
//! - [`rooms`]: the live rooms' logs and what remains of them.
//! - [`comments`]: threaded comments under resources and stories, and the
//!   guests who confirm an address to write some.
//! - [`reports`]: reports, moderators' decisions and appeals, the daily
//!   digest of overdue ones.
//! - [`blocks`]: who blocked whom.
//! - [`journal`]: the private journal's wrapped keys and sealed entries,
//!   which the store cannot open.
//! - [`journal_reminders`]: the daily journal reminder's choice and the
//!   ledger that sends each day's once.
//! - [`stories`]: members' stories, their revisions and the moderators'
//!   decisions on them.
//! - [`newsletter`]: the mailing list's subscribers: signup with double
//!   opt-in, their single-purpose links, unsubscribing.
//! - [`letters`]: letters to the mailing list, their audience, and
//!   queuing them once, one outbox row per recipient.
//! - [`resources`]: the resource library's pages, tags and files, and
//!   who is an editor.
//! - [`newsletter_admin`]: the mailing list as admins keep it: interests,
//!   forms and their versions, counts, export and import.
//! - `directory_index`: the directory answered from memory, kept current
//!   from the database's change table.
//! - `search`: the directory query on the database, for searches before
//!   the index is built.
//! - `db`: one pool or transaction over either database, and `Query`.
//! - `sql_store`: the one `Store`, with what each backend needs beside its
//!   pool; `bulk` and `direct`: many groups at a time, in multi-row
//!   statements or (SQLite) through a writer of their own.
//! - [`sqlite`], [`postgres`]: connecting, tuning, migrations.
//! - `testing` (feature): throwaway databases and fixtures for tests.

pub mod account_settings;
pub mod accounts;
pub mod audit;
pub mod backup;
pub mod blocks;
mod bulk;
pub mod claims;
pub mod comments;
mod db;
mod direct;
mod directory_index;
pub mod groups;
pub mod health;
pub mod hosting;
pub mod journal;
pub mod journal_reminders;
pub mod letters;
pub mod mail;
pub mod membership;
pub mod model;
pub mod moderation;
pub mod newsletter;
pub mod newsletter_admin;
pub mod occurrences;
pub mod postgres;
pub mod reports;
pub mod resources;
pub mod rooms;
pub mod schema;
mod search;
pub mod site_texts;
mod sql;
mod sql_store;
pub mod sqlite;
pub mod stories;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;

pub use account_settings::AccountSettingsStore;
pub use accounts::AccountStore;
pub use audit::AuditStore;
pub use blocks::BlockStore;
pub use claims::ClaimStore;
pub use comments::CommentStore;
pub use groups::GroupStore;
pub use hosting::HostingStore;
pub use journal::JournalStore;
pub use journal_reminders::JournalReminderStore;
pub use letters::LetterStore;
pub use mail::MailStore;
pub use membership::MembershipStore;
pub use model::{
    AccountId, AuditEntry, DirectoryHit, DirectorySearch, FeedGroup, GroupDraft, IndexState,
    OccurrenceException, OccurrenceTime,
};
pub use moderation::ModerationStore;
pub use newsletter::NewsletterStore;
pub use newsletter_admin::NewsletterAdminStore;
pub use occurrences::OccurrenceStore;
pub use reports::ReportStore;
pub use resources::ResourceStore;
pub use rooms::RoomStore;
pub use site_texts::SiteTextStore;
pub use stories::StoryStore;

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (or may not be seen).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `what` names it.
    #[error("conflict: {what}")]
    Conflict {
        /// The constraint, in words a developer reads.
        what: &'static str,
    },
    /// The row changed since the caller read it (a compare-and-set
    /// lost); nothing was written.
    #[error("changed meanwhile")]
    Stale,
    /// The database did not answer.
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// Anything else; details go to the log, never to a user.
    #[error("database error")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(err),
            sqlx::Error::Database(ref db) if is_unavailable(db.code().as_deref()) => {
                Self::Unavailable(err)
            }
            sqlx::Error::Database(ref db) if db.is_unique_violation() => Self::Conflict {
                what: "unique value already taken",
            },
            other => Self::Other(Box::new(other)),
        }
    }
}

/// Database error codes that mean "the database is not there right now":
/// PostgreSQL's connection exceptions (08…), shutdowns (57P…), a missing
/// database (3D000) and one closed to connections (55000, what a new
/// connection gets after `ALTER DATABASE … ALLOW_CONNECTIONS false`);
/// SQLite's busy (5), I/O (10) and cannot-open (14).
fn is_unavailable(code: Option<&str>) -> bool {
    code.is_some_and(|c| {
        c.starts_with("08")
            || c.starts_with("57P")
            || c == "3D000"
            || c == "55000"
            || ["5", "10", "14"].contains(&c)
    })
}

impl StoreError {
    /// A stored value that the domain does not accept: the database was
    /// changed behind kith's back.
    pub fn corrupt(what: &str) -> Self {
        Self::Other(format!("stored value out of range: {what}").into())
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Everything kith keeps: one trait per capability, each method named
/// after intent and one transaction; `Store` adds what concerns the
/// database as a whole.
#[async_trait]
pub trait Store:
    AccountStore
    + GroupStore
    + OccurrenceStore
    + HostingStore
    + ClaimStore
    + ModerationStore
    + AuditStore
    + SiteTextStore
    + MembershipStore
    + MailStore
    + AccountSettingsStore
    + RoomStore
    + CommentStore
    + ReportStore
    + BlockStore
    + StoryStore
    + ResourceStore
    + JournalStore
    + JournalReminderStore
    + NewsletterStore
    + NewsletterAdminStore
    + LetterStore
    + Send
    + Sync
    + 'static
{
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Answers when the database does.
    async fn ping(&self) -> StoreResult<()>;

    /// The account with this handle, created if it does not exist yet.
    async fn ensure_account(&self, handle: &str, now: Timestamp) -> StoreResult<AccountId>;

    /// What is announced to the rooms by every instance, this one's
    /// included: appended room commands (PostgreSQL) and access changes.
    async fn room_listener(&self) -> StoreResult<rooms::RoomListener>;

    /// Tells every instance's live rooms that `change` may have ended
    /// someone's right to be in one; call after the change committed.
    async fn announce_access_change(&self, change: rooms::AccessChange) -> StoreResult<()>;

    /// Refreshes the query planner's statistics after bulk changes.
    async fn optimize(&self) -> StoreResult<()>;

    /// What an operator watches: the pool's connections and the mail
    /// waiting in the outbox (`/metrics`).
    async fn operations_gauges(&self) -> StoreResult<OperationsGauges>;
}

/// The store's part of `/metrics`, read when scraped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperationsGauges {
    /// Pool connections open and waiting for a query.
    pub idle_connections: u32,
    /// Pool connections running a query or transaction now.
    pub busy_connections: u32,
    /// Mail neither sent nor given up yet.
    pub outbox_backlog: u64,
}

/// Opens the database a URL names — `sqlite://path` (created if missing) or
/// `postgres://…` — and applies pending migrations.
pub async fn open(url: &str, max_connections: u32) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::connect(url, max_connections).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::connect(url, max_connections).await?))
    } else {
        Err(StoreError::Other(
            "the database URL must start with sqlite:// or postgres://".into(),
        ))
    }
}

/// Opens a database like [`open`], tuned for a process that writes many
/// rows at once (`kith import`, `kith generate`); see
/// `sqlite::connect_for_bulk_writes`. PostgreSQL is opened as
/// usual.
pub async fn open_for_bulk_writes(url: &str, max_connections: u32) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            sqlite::connect_for_bulk_writes(url, max_connections).await?,
        ))
    } else {
        open(url, max_connections).await
    }
}

/// Timestamp from stored unix seconds.
fn from_seconds(seconds: i64) -> StoreResult<Timestamp> {
    Timestamp::from_second(seconds).map_err(|_| StoreError::corrupt("timestamp"))
}
