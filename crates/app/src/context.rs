//! The app context: what every use case needs besides its own arguments —
//! the store, the clock, the public cache, the password hasher, the site's
//! address for mail and the mail sender's wake — in one cheap-to-clone
//! value.
//!
//! A use case takes `&App` and owns its side effects: after a change to
//! something public it calls [`App::public_changed`]; after writing a mail
//! it calls [`App::mailed`] (or writes through [`App::enqueue`], which
//! does); after a change that may end someone's right to a live room it
//! calls [`App::access_changed`]. Callers (web handlers, the CLI) never
//! have to remember any of them.

use std::sync::Arc;

use jiff::Timestamp;
use kith_store::Store;
use kith_store::mail::NewMail;
use kith_store::rooms::AccessChange;
use tokio::sync::Notify;

use crate::passwords::PasswordHasher;
use crate::public_cache::PublicCache;
use crate::site_url::SiteUrl;
use crate::{AppResult, Clock};

/// What the use cases run with. Cloning it is cheap (a few `Arc`s), so a
/// web state, a background task and a test may each hold one.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Clock,
    public_cache: Arc<PublicCache>,
    hasher: PasswordHasher,
    site_url: SiteUrl,
    mail_wake: Arc<Notify>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("clock", &self.clock)
            .field("site_url", &self.site_url)
            .finish_non_exhaustive()
    }
}

impl App {
    /// An app over `store`, hashing with `hasher`, whose mail links start
    /// at `site_url`; with the system clock, no public cache (every
    /// question goes to the store) and a mail wake of its own.
    pub fn new(store: Arc<dyn Store>, hasher: PasswordHasher, site_url: SiteUrl) -> Self {
        Self {
            store,
            clock: Clock::System,
            public_cache: Arc::new(PublicCache::disabled()),
            hasher,
            site_url,
            mail_wake: Arc::new(Notify::new()),
        }
    }

    /// The same app reading the time from `clock`.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// The same app keeping public answers in `cache`.
    pub fn with_public_cache(self, cache: Arc<PublicCache>) -> Self {
        Self {
            public_cache: cache,
            ..self
        }
    }

    /// The database.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The database, to hand to a task that outlives the caller.
    pub fn shared_store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Where "now" comes from.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The current instant, as the store keeps it.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The public cache.
    pub fn public_cache(&self) -> &PublicCache {
        &self.public_cache
    }

    /// Hashes and checks passwords.
    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// The site's one address, which every absolute link starts with.
    pub fn site_url(&self) -> &SiteUrl {
        &self.site_url
    }

    /// What wakes the mail sender, for the sender to wait on.
    pub fn mail_wake(&self) -> Arc<Notify> {
        self.mail_wake.clone()
    }

    /// Something public changed (a listing, a schedule, a group's hosts):
    /// forget the public cache, so the next reader sees the change.
    pub fn public_changed(&self) {
        self.public_cache.invalidate();
    }

    /// A mail was written to the outbox: wake the sender, so it goes now
    /// rather than at the next poll.
    pub fn mailed(&self) {
        self.mail_wake.notify_one();
    }

    /// Writes one mail to the outbox and wakes the sender.
    pub async fn enqueue(&self, mail: &NewMail<'_>, now: Timestamp) -> AppResult<()> {
        self.store.enqueue_mail(mail, now).await?;
        self.mailed();
        Ok(())
    }

    /// Whether the database answers now (for `/healthz`).
    pub async fn database_answers(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// The pool's connections and the outbox's backlog, for `/metrics`.
    pub async fn operations_gauges(&self) -> AppResult<kith_store::OperationsGauges> {
        Ok(self.store.operations_gauges().await?)
    }

    /// Tells every instance's rooms that `change` may have ended someone's
    /// right to be in one. Best effort: the change itself has committed,
    /// and connections check again on their own every
    /// [`crate::rooms::ADMISSION_RECHECK`].
    pub async fn access_changed(&self, change: AccessChange) {
        if let Err(err) = self.store.announce_access_change(change).await {
            tracing::warn!(error = %err, "could not announce an access change to the rooms");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kith_store::testing::TempSqlite;

    use super::*;
    use crate::accounts::{Registration, register};
    use crate::directory::search;
    use crate::testing::GroupBuilder;

    fn now() -> Timestamp {
        "2026-06-01T10:00:00Z".parse().expect("timestamp")
    }

    /// Whether the sender was woken (a permit is waiting), without waiting
    /// for the poll.
    async fn woken(wake: &Notify) -> bool {
        tokio::time::timeout(Duration::from_millis(50), wake.notified())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn a_use_case_that_writes_a_mail_wakes_the_sender_itself() {
        let db = TempSqlite::create().await;
        let app = crate::testing::app(db.store.clone());
        let wake = app.mail_wake();
        assert!(!woken(&wake).await, "nothing written yet");
        let registration = Registration {
            handle: "River".to_owned(),
            email: "river@example.org".to_owned(),
            password: "correct horse battery".to_owned(),
        };
        register(&app, &registration, now())
            .await
            .expect("register");
        assert!(woken(&wake).await, "the verification mail woke the sender");
        assert_eq!(
            db.store.outbox_states().await.expect("outbox").len(),
            1,
            "and it is in the outbox"
        );
    }

    #[tokio::test]
    async fn a_use_case_that_changes_listings_empties_the_public_cache_itself() {
        let db = TempSqlite::create().await;
        let app = crate::testing::app(db.store.clone())
            .with_public_cache(Arc::new(PublicCache::new(Duration::from_secs(3600))));
        let utc = kith_domain::zone::Zone::utc();
        let slugs =
            crate::groups::create_groups(&app, &[GroupBuilder::new("Quiet Circle").build()], now())
                .await
                .expect("group");
        crate::groups::group_page(&app, None, &slugs[0], &utc, now())
            .await
            .expect("page");
        assert_eq!(app.public_cache().entries(), 1, "the page is kept");
        crate::groups::create_groups(&app, &[GroupBuilder::new("Other Circle").build()], now())
            .await
            .expect("group");
        assert_eq!(app.public_cache().entries(), 0, "emptied by the use case");

        // The directory is never cached: a change made past this app shows
        // in its next search.
        let elsewhere = crate::testing::app(db.store.clone());
        crate::groups::create_groups(
            &elsewhere,
            &[GroupBuilder::new("Third Circle").build()],
            now(),
        )
        .await
        .expect("group");
        let filters = kith_domain::directory::RawFilters::from_pairs([("q", "circle")])
            .parse(&utc)
            .expect("filters");
        let found = search(&app, &filters, now()).await.expect("search");
        assert_eq!(found.results.len(), 3);
    }
}
