//! One SQL text, two databases: the pool and transaction of either backend
//! behind one type, and a query whose values are bound to whichever it
//! runs on. Store methods are plain code over these; where the backends
//! differ, they `match` on [`Db::backend`].
//!
//! The rule that lets one text serve both: placeholders are `$1…` (both
//! drivers accept them), times are stored as integer unix seconds, flags as
//! integers (0/1) except the few `BOOLEAN` columns of mail preferences,
//! which are bound as [`Arg::Bool`]; and nothing backend-specific (full-text
//! search, `FOR UPDATE`, `pg_notify`) goes in shared text.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::TryStreamExt;
use jiff::Timestamp;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::{Backend, StoreError, StoreResult};

/// Commits this process has made, on any store: the directory index reads
/// its change table before a search when this has moved (see
/// `directory_index`). One counter for the process, not per store: a
/// false alarm costs one small read, a missed write a stale answer.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// How many commits this process has made.
pub(crate) fn writes() -> u64 {
    WRITES.load(Ordering::Acquire)
}

/// Counts a commit (made through `Db`, or through a connection of its own).
pub(crate) fn note_write() {
    WRITES.fetch_add(1, Ordering::AcqRel);
}

/// A pool of connections to either database.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    /// The embedded SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// An open transaction on either database; dropped without
/// [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    /// On SQLite, begun `IMMEDIATE` (see [`Db::begin`]).
    Sqlite(Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// Which database this is.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Begins a writing transaction. On SQLite it takes the write lock at
    /// once: a deferred transaction that reads and then writes fails with
    /// SQLITE_BUSY when another connection wrote in between, instead of
    /// waiting its turn.
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// Which database this is on.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Commits everything written in the transaction.
    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        note_write();
        Ok(())
    }
}

/// A value bound to a placeholder. Borrowed text stays borrowed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg<'a> {
    /// An integer, or NULL.
    Int(Option<i64>),
    /// Text, or NULL.
    Text(Option<Cow<'a, str>>),
    /// A `BOOLEAN` column's value.
    Bool(bool),
    /// A `BLOB` (SQLite) or `BYTEA` (PostgreSQL) column's value.
    Bytes(Cow<'a, [u8]>),
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Self::Int(Some(value))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(value: Option<i64>) -> Self {
        Self::Int(value)
    }
}

/// Times are stored as unix seconds.
impl From<Timestamp> for Arg<'_> {
    fn from(value: Timestamp) -> Self {
        Self::Int(Some(value.as_second()))
    }
}

impl From<Option<Timestamp>> for Arg<'_> {
    fn from(value: Option<Timestamp>) -> Self {
        Self::Int(value.map(|t| t.as_second()))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(Some(Cow::Borrowed(value)))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(Some(Cow::Borrowed(value)))
    }
}

impl From<String> for Arg<'_> {
    fn from(value: String) -> Self {
        Self::Text(Some(Cow::Owned(value)))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Self::Text(value.map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Arg<'_> {
    fn from(value: Option<String>) -> Self {
        Self::Text(value.map(Cow::Owned))
    }
}

impl<'a> From<Cow<'a, str>> for Arg<'a> {
    fn from(value: Cow<'a, str>) -> Self {
        Self::Text(Some(value))
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Bytes(Cow::Borrowed(value))
    }
}

impl From<bool> for Arg<'_> {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

/// A row type both drivers can read.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// Where a query runs: a pool (a connection of its own) or an open
/// transaction.
pub(crate) enum On<'c> {
    /// Any connection of the pool.
    Db(&'c Db),
    /// The transaction's connection.
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Db> for On<'c> {
    fn from(db: &'c Db) -> Self {
        Self::Db(db)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        Self::Tx(tx)
    }
}

/// A statement with its values, placeholders numbered `$1…`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query<'a> {
    text: Cow<'a, str>,
    args: Vec<Arg<'a>>,
}

/// A statement to bind values to.
pub(crate) fn query<'a>(text: impl Into<Cow<'a, str>>) -> Query<'a> {
    Query {
        text: text.into(),
        args: Vec::new(),
    }
}

impl<'a> Query<'a> {
    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl Into<Arg<'a>>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Binds a value and answers its placeholder, for statements built a
    /// piece at a time.
    pub(crate) fn arg(&mut self, value: impl Into<Arg<'a>>) -> String {
        self.args.push(value.into());
        format!("${}", self.args.len())
    }

    /// Appends a comma-separated list of placeholders, one per value (for
    /// `IN (…)`).
    pub(crate) fn push_list<V: Into<Arg<'a>>>(&mut self, values: impl IntoIterator<Item = V>) {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            let placeholder = self.arg(value);
            self.push(&placeholder);
        }
    }

    /// Appends `VALUES (…), (…)`, one parenthesised row per item (for
    /// multi-row inserts).
    pub(crate) fn push_values<R, V>(&mut self, rows: impl IntoIterator<Item = R>)
    where
        R: IntoIterator<Item = V>,
        V: Into<Arg<'a>>,
    {
        self.push(" VALUES ");
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i > 0 { ", (" } else { "(" });
            self.push_list(row);
            self.push(")");
        }
    }

    /// Appends text to the statement.
    pub(crate) fn push(&mut self, text: &str) {
        self.text.to_mut().push_str(text);
    }

    /// The statement, as it will run.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// How many values are bound.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.args.len()
    }

    /// Runs a statement that changes the row it names; `NotFound` when
    /// there is no such row (nothing was changed).
    pub(crate) async fn execute_or_not_found(self, on: impl Into<On<'_>>) -> StoreResult<()> {
        match self.execute(on).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    /// Runs the statement; answers how many rows it changed.
    pub(crate) async fn execute(self, on: impl Into<On<'_>>) -> StoreResult<u64> {
        let on = on.into();
        let committed = matches!(on, On::Db(_));
        let changed = match on {
            On::Db(Db::Sqlite(pool)) => sqlx::query_with(&self.text, sqlite_args(&self.args)?)
                .execute(pool)
                .await?
                .rows_affected(),
            On::Db(Db::Postgres(pool)) => sqlx::query_with(&self.text, pg_args(&self.args)?)
                .execute(pool)
                .await?
                .rows_affected(),
            On::Tx(Tx::Sqlite(tx)) => sqlx::query_with(&self.text, sqlite_args(&self.args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            On::Tx(Tx::Postgres(tx)) => sqlx::query_with(&self.text, pg_args(&self.args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        };
        if committed {
            note_write();
        }
        Ok(changed)
    }

    /// Every row the statement answers.
    pub(crate) async fn fetch_all<R: Row>(self, on: impl Into<On<'_>>) -> StoreResult<Vec<R>> {
        Ok(match on.into() {
            On::Db(Db::Sqlite(pool)) => {
                sqlx::query_as_with(&self.text, sqlite_args(&self.args)?)
                    .fetch_all(pool)
                    .await?
            }
            On::Db(Db::Postgres(pool)) => {
                sqlx::query_as_with(&self.text, pg_args(&self.args)?)
                    .fetch_all(pool)
                    .await?
            }
            On::Tx(Tx::Sqlite(tx)) => {
                sqlx::query_as_with(&self.text, sqlite_args(&self.args)?)
                    .fetch_all(&mut **tx)
                    .await?
            }
            On::Tx(Tx::Postgres(tx)) => {
                sqlx::query_as_with(&self.text, pg_args(&self.args)?)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    /// Hands each row to `each` as it arrives, never holding them all: for
    /// reading a whole table into a structure of another shape.
    pub(crate) async fn for_each<R: Row>(
        self,
        db: &Db,
        mut each: impl FnMut(R) -> StoreResult<()>,
    ) -> StoreResult<()> {
        match db {
            Db::Sqlite(pool) => {
                let args = sqlite_args(&self.args)?;
                let mut rows = sqlx::query_as_with::<_, R, _>(&self.text, args).fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(row)?;
                }
            }
            Db::Postgres(pool) => {
                let args = pg_args(&self.args)?;
                let mut rows = sqlx::query_as_with::<_, R, _>(&self.text, args).fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(row)?;
                }
            }
        }
        Ok(())
    }

    /// The first row the statement answers, if any.
    pub(crate) async fn fetch_optional<R: Row>(
        self,
        on: impl Into<On<'_>>,
    ) -> StoreResult<Option<R>> {
        Ok(match on.into() {
            On::Db(Db::Sqlite(pool)) => {
                sqlx::query_as_with(&self.text, sqlite_args(&self.args)?)
                    .fetch_optional(pool)
                    .await?
            }
            On::Db(Db::Postgres(pool)) => {
                sqlx::query_as_with(&self.text, pg_args(&self.args)?)
                    .fetch_optional(pool)
                    .await?
            }
            On::Tx(Tx::Sqlite(tx)) => {
                sqlx::query_as_with(&self.text, sqlite_args(&self.args)?)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            On::Tx(Tx::Postgres(tx)) => {
                sqlx::query_as_with(&self.text, pg_args(&self.args)?)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    /// The first row the statement answers; `NotFound` when there is none.
    pub(crate) async fn fetch_one<R: Row>(self, on: impl Into<On<'_>>) -> StoreResult<R> {
        self.fetch_optional(on).await?.ok_or(StoreError::NotFound)
    }

    /// The first column of every row.
    pub(crate) async fn scalars<T>(self, on: impl Into<On<'_>>) -> StoreResult<Vec<T>>
    where
        (T,): Row,
    {
        let rows: Vec<(T,)> = self.fetch_all(on).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }

    /// The first column of the first row, if there is a row.
    pub(crate) async fn scalar_optional<T>(self, on: impl Into<On<'_>>) -> StoreResult<Option<T>>
    where
        (T,): Row,
    {
        let row: Option<(T,)> = self.fetch_optional(on).await?;
        Ok(row.map(|(value,)| value))
    }

    /// The first column of the first row; `NotFound` when there is none.
    pub(crate) async fn scalar<T>(self, on: impl Into<On<'_>>) -> StoreResult<T>
    where
        (T,): Row,
    {
        self.scalar_optional(on).await?.ok_or(StoreError::NotFound)
    }
}

fn bind_error(err: sqlx::error::BoxDynError) -> StoreError {
    StoreError::Other(err)
}

fn sqlite_args<'q>(args: &'q [Arg<'_>]) -> StoreResult<SqliteArguments<'q>> {
    let mut out = SqliteArguments::default();
    for arg in args {
        match arg {
            Arg::Int(v) => out.add(*v),
            Arg::Text(v) => out.add(v.as_deref()),
            Arg::Bool(v) => out.add(*v),
            Arg::Bytes(v) => out.add(v.as_ref()),
        }
        .map_err(bind_error)?;
    }
    Ok(out)
}

fn pg_args(args: &[Arg<'_>]) -> StoreResult<PgArguments> {
    let mut out = PgArguments::default();
    for arg in args {
        match arg {
            Arg::Int(v) => out.add(*v),
            Arg::Text(v) => out.add(v.as_deref()),
            Arg::Bool(v) => out.add(*v),
            Arg::Bytes(v) => out.add(v.as_ref()),
        }
        .map_err(bind_error)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_from_one_in_binding_order() {
        let mut q = query("SELECT 1 WHERE a = ");
        let first = q.arg(7);
        q.push(&first);
        q.push(" AND b = ");
        let second = q.arg("x");
        q.push(&second);
        assert_eq!(q.text(), "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn rows_and_lists_number_on_from_what_is_bound() {
        let mut q = query("INSERT INTO t (a, b)");
        q.push_values([
            [Arg::from(1), Arg::from("x")],
            [Arg::from(2), Arg::from("y")],
        ]);
        assert_eq!(q.text(), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        q.push(" WHERE c IN (");
        q.push_list([5_i64, 6]);
        q.push(")");
        assert!(q.text().ends_with("IN ($5, $6)"), "{}", q.text());
        assert_eq!(q.len(), 6);
    }

    #[test]
    fn times_bind_as_unix_seconds() {
        let at = Timestamp::from_second(1_700_000_000).expect("in range");
        assert_eq!(Arg::from(at), Arg::Int(Some(1_700_000_000)));
        assert_eq!(Arg::from(None::<Timestamp>), Arg::Int(None));
    }
}
