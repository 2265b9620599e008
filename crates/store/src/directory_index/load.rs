//! Reading the index's groups from the database, and the change table that
//! says which groups to read again.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use kith_domain::ids::OccurrenceId;

use super::data::{FacetKeys, Index, IndexedGroup, Meeting};
use crate::bulk::MAX_BINDS;
use crate::db::{Db, query};
use crate::sql::HitRow;
use crate::{Backend, StoreError, StoreResult};

/// A group's own columns, and a placeholder meeting each search replaces.
const GROUPS: &str = "SELECT id, slug, name, sort_name, format, focus_mask, attribute_mask, \
    language, language_primary, country, region, city, region_key, city_key, time_zone, search_text, \
    '' AS occurrence_id, CAST(0 AS BIGINT) AS starts_at, CAST(0 AS BIGINT) AS ends_at \
    FROM groups WHERE status = 'listed'";

const MEETINGS: &str = "SELECT o.group_id, o.id, o.starts_at, o.ends_at \
    FROM occurrences o JOIN groups g ON g.id = o.group_id \
    WHERE g.status = 'listed' AND o.cancelled = 0";

/// Where a reader of the change table has read to: on SQLite the last
/// sequence number (commits are serial, so numbers are in commit order);
/// on PostgreSQL the oldest transaction still running when it last read
/// (numbers are taken before commit, so a later commit can hold an earlier
/// number: every change from that transaction on is read again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cursor {
    /// The last sequence number read.
    Sqlite(i64),
    /// `pg_snapshot_xmin` at the last read, as text.
    Postgres(String),
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    sort_name: String,
    language_primary: String,
    region_key: Option<String>,
    city_key: Option<String>,
    search_text: String,
    #[sqlx(flatten)]
    hit: HitRow,
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    group_id: i64,
    id: String,
    starts_at: i64,
    ends_at: i64,
}

/// Where the change table ends now: read before the groups, so that every
/// change made while they are read is read again after.
pub(super) async fn cursor_now(db: &Db) -> StoreResult<Cursor> {
    Ok(match db.backend() {
        Backend::Sqlite => Cursor::Sqlite(
            query("SELECT COALESCE(MAX(seq), 0) FROM directory_changes")
                .scalar(db)
                .await?,
        ),
        Backend::Postgres => Cursor::Postgres(
            query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
                .scalar(db)
                .await?,
        ),
    })
}

/// The groups changed since `cursor`, and the cursor after them.
pub(super) async fn changes_since(db: &Db, cursor: &Cursor) -> StoreResult<(Vec<i64>, Cursor)> {
    match cursor {
        Cursor::Sqlite(after) => {
            let rows: Vec<(i64, i64)> =
                query("SELECT seq, group_id FROM directory_changes WHERE seq > $1 ORDER BY seq")
                    .bind(*after)
                    .fetch_all(db)
                    .await?;
            let last = rows.last().map_or(*after, |&(seq, _)| seq);
            let groups: BTreeSet<i64> = rows.into_iter().map(|(_, group)| group).collect();
            Ok((groups.into_iter().collect(), Cursor::Sqlite(last)))
        }
        Cursor::Postgres(from) => {
            // The new cursor first: every transaction older than it has
            // ended, so the read after it sees all of their changes.
            let next = cursor_now(db).await?;
            let groups: Vec<i64> =
                query("SELECT DISTINCT group_id FROM directory_changes WHERE xid >= $1::xid8")
                    .bind(from.as_str())
                    .scalars(db)
                    .await?;
            Ok((groups, next))
        }
    }
}

/// Forgets changes older than `before` (unix seconds).
pub(super) async fn prune_changes(db: &Db, before: i64) -> StoreResult<u64> {
    query("DELETE FROM directory_changes WHERE changed_at < $1")
        .bind(before)
        .execute(db)
        .await
}

/// An index of every listed group, built as the rows arrive: neither the
/// rows nor the groups are ever all held twice (at 100,000 groups, holding
/// them first doubled the server's peak memory).
pub(super) async fn build(db: &Db) -> StoreResult<Index> {
    match own_reader(db).await? {
        Some(own) => {
            let built = build_from(&Db::Sqlite(own.clone())).await;
            own.close().await;
            built
        }
        None => build_from(db).await,
    }
}

/// On SQLite, a connection of the build's own that does not map the file:
/// reading every group through the map counted 240–400 MiB of the file in
/// the server's resident memory at 100,000 groups, and the operating
/// system caches the file either way. `None` on PostgreSQL, and for a
/// database in memory, which the build reads through the pool.
async fn own_reader(db: &Db) -> StoreResult<Option<sqlx::SqlitePool>> {
    let Db::Sqlite(pool) = db else {
        return Ok(None);
    };
    let options = (*pool.connect_options()).clone();
    if !options.get_filename().is_file() {
        return Ok(None);
    }
    let own = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.pragma("mmap_size", "0"))
        .await?;
    Ok(Some(own))
}

async fn build_from(db: &Db) -> StoreResult<Index> {
    let mut by_group: HashMap<i64, Vec<Meeting>> = HashMap::new();
    query(MEETINGS)
        .for_each(db, |row: MeetingRow| {
            let group = row.group_id;
            by_group.entry(group).or_default().push(row.into_meeting()?);
            Ok(())
        })
        .await?;
    let mut index = Index::default();
    query(GROUPS)
        .for_each(db, |row: GroupRow| {
            let meetings = by_group.remove(&row.id).unwrap_or_default();
            index.upsert(row.into_indexed(meetings)?);
            Ok(())
        })
        .await?;
    Ok(index)
}

/// The listed ones among `ids`, with their meetings; a group not answered
/// is not listed (or is gone).
pub(super) async fn some_groups(db: &Db, ids: &[i64]) -> StoreResult<Vec<IndexedGroup>> {
    let mut groups: Vec<GroupRow> = Vec::new();
    let mut meetings: Vec<MeetingRow> = Vec::new();
    for chunk in ids.chunks(MAX_BINDS) {
        let mut select = query(format!("{GROUPS} AND id IN ("));
        select.push_list(chunk.iter().copied());
        select.push(")");
        groups.extend(select.fetch_all::<GroupRow>(db).await?);
        let mut select = query(format!("{MEETINGS} AND o.group_id IN ("));
        select.push_list(chunk.iter().copied());
        select.push(")");
        meetings.extend(select.fetch_all::<MeetingRow>(db).await?);
    }
    assemble(groups, meetings)
}

fn assemble(groups: Vec<GroupRow>, meetings: Vec<MeetingRow>) -> StoreResult<Vec<IndexedGroup>> {
    let mut by_group: HashMap<i64, Vec<Meeting>> = HashMap::with_capacity(groups.len());
    for row in meetings {
        by_group
            .entry(row.group_id)
            .or_default()
            .push(row.into_meeting()?);
    }
    groups
        .into_iter()
        .map(|row| {
            let meetings = by_group.remove(&row.id).unwrap_or_default();
            row.into_indexed(meetings)
        })
        .collect()
}

impl MeetingRow {
    fn into_meeting(self) -> StoreResult<Meeting> {
        // A meeting's times must make a timestamp, or it could not be shown.
        Timestamp::from_second(self.starts_at)
            .and(Timestamp::from_second(self.ends_at))
            .map_err(|_| StoreError::corrupt("meeting time"))?;
        let id = OccurrenceId::parse(&self.id)
            .and_then(|id| u128::from_str_radix(id.as_str(), 16).ok())
            .ok_or_else(|| StoreError::corrupt("meeting id"))?;
        Ok(Meeting {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            id,
        })
    }
}

impl GroupRow {
    /// The group as the index keeps it, its meetings in order.
    fn into_indexed(self, mut meetings: Vec<Meeting>) -> StoreResult<IndexedGroup> {
        meetings.sort_unstable();
        meetings.shrink_to_fit();
        let id = u32::try_from(self.id).map_err(|_| StoreError::corrupt("group id"))?;
        Ok(IndexedGroup {
            id,
            sort_name: self.sort_name.into(),
            search_text: self.search_text.into(),
            keys: FacetKeys {
                focus_mask: self.hit.focus_mask,
                attribute_mask: self.hit.attribute_mask,
                primary_language: self.language_primary.into(),
                region: self.region_key.map(Box::from),
                city: self.city_key.map(Box::from),
            },
            meetings,
            hit: self.hit.into_hit()?,
        })
    }
}
