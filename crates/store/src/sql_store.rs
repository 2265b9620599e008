//! The one store: either database behind [`Db`], with what only one of
//! them needs beside it, and the [`Store`] methods that concern the
//! database as a whole. Each capability's methods are in its `imp.rs`.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::PgPool;

use crate::db::{Db, query};
use crate::direct::DirectWriter;
use crate::directory_index::DirectoryIndex;
use crate::rooms::{AccessChange, Announcement, RoomListener};
use crate::sql::{ACCOUNT_BY_HANDLE, ENSURE_ACCOUNT, PING};
use crate::{AccountId, Backend, Store, StoreResult, postgres, sqlite};

/// A store on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlStore {
    db: Db,
    extras: Extras,
    /// The directory's in-memory index, once started.
    directory: Arc<DirectoryIndex>,
}

/// What a backend needs beyond its pool.
#[derive(Debug, Clone)]
pub(crate) enum Extras {
    /// One process serves a SQLite file: what it keeps in memory.
    Sqlite(Arc<sqlite::Extras>),
    /// Several instances share PostgreSQL: its pool, for `LISTEN`.
    Postgres(PgPool),
}

impl SqlStore {
    /// A store over `db`, with its backend's extras.
    pub(crate) fn new(db: Db, extras: Extras) -> Self {
        Self {
            db,
            extras,
            directory: Arc::default(),
        }
    }

    /// The directory's in-memory index.
    pub(crate) fn directory_index(&self) -> &Arc<DirectoryIndex> {
        &self.directory
    }

    /// Where to `LISTEN` for other instances' changes: PostgreSQL only.
    pub(crate) fn listen_pool(&self) -> Option<PgPool> {
        match &self.extras {
            Extras::Sqlite(_) => None,
            Extras::Postgres(pool) => Some(pool.clone()),
        }
    }

    /// The database.
    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// Where room appends queue before they write (SQLite only: see
    /// [`sqlite::Extras`]).
    pub(crate) fn room_append_turn(&self) -> Option<&tokio::sync::Mutex<()>> {
        match &self.extras {
            Extras::Sqlite(extras) => Some(&extras.room_appends),
            Extras::Postgres(_) => None,
        }
    }

    /// Tells this process's rooms of `announcement` on SQLite, once the
    /// change that makes it committed; on PostgreSQL the change announced
    /// it itself (`pg_notify`, delivered at its commit).
    pub(crate) fn announce_in_process(&self, announcement: Announcement) {
        if let Extras::Sqlite(extras) = &self.extras {
            // No listener yet is no one to tell.
            let _ = extras.announcements.send(announcement);
        }
    }

    /// The writer new groups go in through, if there is one (a SQLite
    /// file); otherwise they go in with multi-row statements.
    pub(crate) fn direct_writer(&self) -> Option<&Arc<DirectWriter>> {
        match &self.extras {
            Extras::Sqlite(extras) => extras.direct.as_ref(),
            Extras::Postgres(_) => None,
        }
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.db.backend()
    }

    async fn ping(&self) -> StoreResult<()> {
        query(PING).execute(&self.db).await?;
        Ok(())
    }

    async fn ensure_account(&self, handle: &str, now: Timestamp) -> StoreResult<AccountId> {
        let mut tx = self.db.begin().await?;
        query(ENSURE_ACCOUNT)
            .bind(handle)
            .bind(now)
            .execute(&mut tx)
            .await?;
        let id: i64 = query(ACCOUNT_BY_HANDLE)
            .bind(handle)
            .scalar(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(AccountId(id))
    }

    async fn room_listener(&self) -> StoreResult<RoomListener> {
        match &self.extras {
            Extras::Sqlite(extras) => Ok(RoomListener::local(extras.announcements.subscribe())),
            Extras::Postgres(pool) => RoomListener::connect(pool).await,
        }
    }

    async fn announce_access_change(&self, change: AccessChange) -> StoreResult<()> {
        match &self.extras {
            Extras::Sqlite(extras) => {
                // No listener yet is no one to tell.
                let _ = extras.announcements.send(Announcement::Access(change));
                Ok(())
            }
            Extras::Postgres(pool) => postgres::announce_access_change(pool, change).await,
        }
    }

    async fn optimize(&self) -> StoreResult<()> {
        match &self.extras {
            Extras::Sqlite(extras) => sqlite::optimize(&extras.pool).await,
            Extras::Postgres(pool) => postgres::optimize(pool).await,
        }
    }

    async fn operations_gauges(&self) -> StoreResult<crate::OperationsGauges> {
        let (size, idle) = match &self.db {
            Db::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Db::Postgres(pool) => (pool.size(), pool.num_idle()),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        // Mail neither sent nor given up: what the outbox's due index holds.
        let backlog: i64 =
            query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL")
                .scalar(&self.db)
                .await?;
        Ok(crate::OperationsGauges {
            idle_connections: idle,
            busy_connections: size.saturating_sub(idle),
            outbox_backlog: u64::try_from(backlog).unwrap_or_default(),
        })
    }
}
