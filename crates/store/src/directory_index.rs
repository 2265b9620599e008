//! The directory's search, answered from memory: each instance builds an
//! index of the listed groups from its database when it starts and keeps it
//! current, so that every question costs about the same on SQLite and on
//! PostgreSQL, and the database keeps only the truth.
//!
//! Current, because triggers on `groups` and `occurrences` (migration 0030)
//! record each changed group in `directory_changes`, and the index reads
//! that table again:
//!
//! - before the next search, when this process has written anything since
//!   it last read (a counter every commit raises: `db::writes`), so a change
//!   shows in the very next search of the instance that made it;
//! - on PostgreSQL, when the triggers' `pg_notify` says another instance
//!   wrote (within milliseconds);
//! - every poll interval, for what no notice reaches (a `kith import`
//!   process writing the same SQLite file, a dropped listener).
//!
//! Until the first build is done, searches read the database (the query in
//! `search`), so an instance answers rightly from its first second.
//! Meetings that have ended are skipped by each search and leave the index
//! when the occurrence refresher prunes them, which is itself a change.
//!
//! - `data`: the index and its posting lists.
//! - `query`: one question answered.
//! - `load`: groups and changes read from the database.

mod data;
mod load;
mod query;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::{Mutex, watch};

use crate::StoreResult;
use crate::db::{self, Db};
use crate::model::{DirectoryHit, DirectorySearch, IndexState};
use data::Index;
use load::Cursor;

/// The PostgreSQL channel the change triggers notify.
const CHANNEL: &str = "kith_directory";

/// How long changes are kept in `directory_changes`. An instance that has
/// not read them for half of it builds its index afresh instead.
const KEEP_CHANGES: Duration = Duration::from_secs(3600);

/// Groups read again per turn of the write lock: a large import is applied
/// in pieces, with searches answered in between.
const APPLY_CHUNK: usize = 1_000;

/// One instance's index, shared by its searches and its keeper task.
#[derive(Debug)]
pub(crate) struct DirectoryIndex {
    index: RwLock<Index>,
    /// Where the change table was read to; `None` before the first build.
    /// Held while changes are read and applied, so they apply in order.
    cursor: Mutex<Option<Read>>,
    /// `db::writes()` when the change table was last read: a search that
    /// finds it changed reads the table first.
    read_at_writes: AtomicU64,
    ready: watch::Sender<bool>,
    started: AtomicBool,
    build_millis: AtomicU64,
}

/// Who asks for the change table to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// A search, after this process wrote.
    Search,
    /// The background task that builds and keeps the index.
    Keeper,
}

/// Where and when the change table was last read.
#[derive(Debug)]
struct Read {
    cursor: Cursor,
    at: Instant,
}

impl Default for DirectoryIndex {
    fn default() -> Self {
        Self {
            index: RwLock::default(),
            cursor: Mutex::new(None),
            read_at_writes: AtomicU64::new(u64::MAX),
            ready: watch::channel(false).0,
            started: AtomicBool::new(false),
            build_millis: AtomicU64::new(0),
        }
    }
}

impl DirectoryIndex {
    /// Builds the index in the background, then keeps it current: on
    /// PostgreSQL's notices (`listen`) and every `poll`. Starting twice
    /// does nothing.
    pub(crate) fn start(self: &Arc<Self>, db: Db, listen: Option<PgPool>, poll: Duration) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let index = Arc::clone(self);
        tokio::spawn(async move { index.keep(db, listen, poll).await });
    }

    /// Waits until the first build is done.
    pub(crate) async fn ready(&self) {
        let mut ready = self.ready.subscribe();
        // The sender lives as long as `self`.
        let _ = ready.wait_for(|ready| *ready).await;
    }

    /// What the index holds, for metrics and tests.
    pub(crate) fn state(&self) -> IndexState {
        let ready = *self.ready.borrow();
        let index = self.index.read().unwrap_or_else(|e| e.into_inner());
        IndexState {
            ready,
            groups: index.groups.len() as u64,
            meetings: index.meetings as u64,
            build_millis: ready.then(|| self.build_millis.load(Ordering::Relaxed)),
        }
    }

    /// One page of the directory from the index, or `None` while it is
    /// still being built.
    pub(crate) async fn search(
        &self,
        db: &Db,
        search: &DirectorySearch,
    ) -> StoreResult<Option<Vec<DirectoryHit>>> {
        if !*self.ready.borrow() {
            return Ok(None);
        }
        if self.read_at_writes.load(Ordering::Acquire) != db::writes()
            && !self.sync(db, Caller::Search).await?
        {
            // Too long unread to catch up here: the database answers until
            // the keeper has built the index afresh.
            return Ok(None);
        }
        let index = self.index.read().unwrap_or_else(|e| e.into_inner());
        query::search(&index, search).map(Some)
    }

    async fn keep(self: Arc<Self>, db: Db, listen: Option<PgPool>, poll: Duration) {
        // Listening starts before the build, so no notice is lost between.
        let mut listener = match listen {
            Some(pool) => match listener(&pool).await {
                Ok(listener) => Some(listener),
                Err(err) => {
                    tracing::warn!(error = %err, "directory index: not listening; polling only");
                    None
                }
            },
            None => None,
        };
        let started = Instant::now();
        while let Err(err) = self.sync(&db, Caller::Keeper).await {
            tracing::warn!(error = %err, "directory index: build failed; retrying");
            tokio::time::sleep(poll).await;
        }
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.build_millis.store(millis, Ordering::Relaxed);
        self.ready.send_replace(true);
        let groups = self.state().groups;
        tracing::info!(groups, millis, "directory index built");
        let mut last_prune = Instant::now();
        loop {
            let heard = async {
                match listener.as_mut() {
                    Some(listener) => {
                        let heard = listener.recv().await.map(|_| ());
                        // One read answers every notice already waiting.
                        while listener.next_buffered().is_some() {}
                        heard
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                heard = heard => if let Err(err) = heard {
                    // sqlx reconnects on the next receive; until then, poll.
                    tracing::warn!(error = %err, "directory index: listener lost");
                    tokio::time::sleep(poll).await;
                },
                () = tokio::time::sleep(poll) => {}
            }
            if let Err(err) = self.sync(&db, Caller::Keeper).await {
                tracing::warn!(error = %err, "directory index: reading changes failed");
            }
            if last_prune.elapsed() >= KEEP_CHANGES / 4 {
                last_prune = Instant::now();
                let before = jiff::Timestamp::now().as_second()
                    - i64::try_from(KEEP_CHANGES.as_secs()).unwrap_or(i64::MAX);
                if let Err(err) = load::prune_changes(&db, before).await {
                    tracing::warn!(error = %err, "directory index: pruning changes failed");
                }
            }
        }
    }

    /// Applies the changes recorded since the last read. The keeper first
    /// builds the index afresh if there is none or the last read is too old
    /// for the changes since to be kept; a search never does, and is told
    /// `false` instead. A search does nothing if another read the changes
    /// since this process last wrote. A read that fails keeps the cursor,
    /// so the next one reads the same changes again (applying a change
    /// twice does no harm: a group is read whole).
    async fn sync(&self, db: &Db, from: Caller) -> StoreResult<bool> {
        let mut last = self.cursor.lock().await;
        let writes = db::writes();
        if from == Caller::Search && self.read_at_writes.load(Ordering::Acquire) == writes {
            return Ok(true);
        }
        let cursor = match last.as_ref() {
            Some(read) if read.at.elapsed() < KEEP_CHANGES / 2 => read.cursor.clone(),
            _ if from == Caller::Search => return Ok(false),
            _ => {
                let cursor = self.rebuild(db).await?;
                *last = Some(Read {
                    cursor: cursor.clone(),
                    at: Instant::now(),
                });
                cursor
            }
        };
        let (changed, next) = load::changes_since(db, &cursor).await?;
        for ids in changed.chunks(APPLY_CHUNK) {
            let groups = load::some_groups(db, ids).await?;
            let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
            for &id in ids {
                if let Ok(id) = u32::try_from(id) {
                    index.remove(id);
                }
            }
            for group in groups {
                index.upsert(group);
            }
        }
        *last = Some(Read {
            cursor: next,
            at: Instant::now(),
        });
        self.read_at_writes.store(writes, Ordering::Release);
        Ok(true)
    }

    /// Reads every listed group and swaps the new index in; answers where
    /// the change table stood before, so what changed meanwhile is read next.
    async fn rebuild(&self, db: &Db) -> StoreResult<Cursor> {
        let cursor = load::cursor_now(db).await?;
        let fresh = load::build(db).await?;
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(cursor)
    }
}

async fn listener(pool: &PgPool) -> StoreResult<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
