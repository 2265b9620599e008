//! Writing new groups to SQLite through a connection of its own: `rusqlite`
//! on the same SQLite library sqlx links, one prepared statement per table
//! reused for every row, on a blocking thread.
//!
//! Why: sqlx's SQLite driver hands every statement to a worker thread and
//! copies every bound value across; for a fresh import of 100,000 Meeting
//! Guide records that doubled SQLite's own time (docs/performance.md). The
//! rows are the same as the multi-row statements write ([`group_values`],
//! [`rule_values`]), and the contract tests hold both paths to one
//! behaviour.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::types::Value;
use rusqlite::{Connection, TransactionBehavior, params_from_iter};

use crate::bulk::{
    GROUP_BINDS, INSERT_GROUPS, INSERT_HOSTS, INSERT_OCCURRENCES, INSERT_RULES, OCCURRENCE_BINDS,
    RULE_BINDS, group_values, rule_values,
};
use crate::db::Arg;
use crate::groups::GroupColumns;
use crate::{GroupDraft, StoreError, StoreResult};

/// SQLite's own connection for inserting groups, opened on first use and
/// kept (with its page cache) for the next batch.
#[derive(Debug)]
pub(crate) struct DirectWriter {
    path: PathBuf,
    /// `PRAGMA` settings like the pool's: page cache and checkpoint size.
    pragmas: String,
    connection: Mutex<Option<Connection>>,
}

/// A group to insert, every value owned: the write runs on another thread.
struct OwnedGroup {
    slug: kith_domain::ids::Slug,
    values: Vec<Value>,
    hosts: Vec<i64>,
    /// Each rule's values after its group id.
    rules: Vec<Vec<Value>>,
    occurrences: Vec<OwnedOccurrence>,
}

struct OwnedOccurrence {
    rule_index: usize,
    id: String,
    local_start: String,
    sort_name: String,
    starts_at: i64,
    ends_at: i64,
}

impl DirectWriter {
    /// A writer for the database file at `path`, with a page cache of
    /// `cache_kib` KiB and a checkpoint every `checkpoint_pages`, like the
    /// pool's connections.
    pub(crate) fn new(path: PathBuf, cache_kib: i64, checkpoint_pages: i64) -> Self {
        Self {
            path,
            pragmas: format!(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = memory;
                 PRAGMA cache_size = -{cache_kib}; PRAGMA wal_autocheckpoint = {checkpoint_pages};
                 PRAGMA mmap_size = 1073741824;"
            ),
            connection: Mutex::new(None),
        }
    }

    /// Inserts groups with their hosts, rules and first occurrences in one
    /// transaction; answers their slugs in order. A taken slug is a
    /// `Conflict` and nothing is written.
    pub(crate) async fn insert_groups(
        self: &Arc<Self>,
        drafts: &[GroupDraft<'_>],
        now: jiff::Timestamp,
    ) -> StoreResult<Vec<kith_domain::ids::Slug>> {
        let groups: Vec<OwnedGroup> = drafts
            .iter()
            .map(|draft| owned(draft, now.as_second()))
            .collect::<StoreResult<_>>()?;
        let writer = self.clone();
        tokio::task::spawn_blocking(move || writer.write(&groups))
            .await
            .map_err(|e| StoreError::Other(Box::new(e)))?
    }

    fn write(&self, groups: &[OwnedGroup]) -> StoreResult<Vec<kith_domain::ids::Slug>> {
        let mut slot = self
            .connection
            .lock()
            .map_err(|_| StoreError::Other("the direct writer's lock is poisoned".into()))?;
        if slot.is_none() {
            *slot = Some(self.open().map_err(store_error)?);
        }
        let connection = slot
            .as_mut()
            .ok_or_else(|| StoreError::corrupt("no connection"))?;
        insert(connection, groups).map_err(store_error)?;
        crate::db::note_write();
        Ok(groups.iter().map(|g| g.slug.clone()).collect())
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open(&self.path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // The file is already in WAL mode.
        connection.execute_batch(&self.pragmas)?;
        Ok(connection)
    }
}

/// Groups per statement: each statement that writes a group also writes
/// the full-text index, whose pending words SQLite flushes to a new segment
/// at every statement — one statement per group spent a fifth of an import
/// merging those segments.
const GROUPS_PER_STATEMENT: usize = 256;

fn insert(connection: &mut Connection, groups: &[OwnedGroup]) -> rusqlite::Result<()> {
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut ids = std::collections::HashMap::with_capacity(groups.len());
        for chunk in groups.chunks(GROUPS_PER_STATEMENT) {
            let mut insert = tx.prepare_cached(&format!(
                "{} RETURNING id, slug",
                statement(INSERT_GROUPS, GROUP_BINDS, chunk.len())
            ))?;
            let mut rows = insert.query(params_from_iter(chunk.iter().flat_map(|g| &g.values)))?;
            while let Some(row) = rows.next()? {
                ids.insert(row.get::<_, String>(1)?, row.get::<_, i64>(0)?);
            }
        }
        let mut host = tx.prepare_cached(&statement(INSERT_HOSTS, 3, 1))?;
        let mut rule = tx.prepare_cached(&statement(INSERT_RULES, RULE_BINDS, 1))?;
        let mut occurrence =
            tx.prepare_cached(&statement(INSERT_OCCURRENCES, OCCURRENCE_BINDS, 1))?;
        let mut rule_ids = Vec::new();
        for g in groups {
            let id = *ids
                .get(g.slug.as_str())
                .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            for (position, account) in g.hosts.iter().enumerate() {
                host.execute((id, account, position as i64))?;
            }
            rule_ids.clear();
            for values in &g.rules {
                rule.execute(params_from_iter(
                    std::iter::once(&Value::Integer(id)).chain(values),
                ))?;
                rule_ids.push(tx.last_insert_rowid());
            }
            for o in &g.occurrences {
                // Checked against the group's rules in `owned`.
                let rule_id = rule_ids[o.rule_index];
                occurrence.execute((
                    &o.id,
                    id,
                    rule_id,
                    &o.local_start,
                    &o.sort_name,
                    o.starts_at,
                    o.ends_at,
                ))?;
            }
        }
    }
    tx.commit()
}

/// `prefix` with `rows` rows of `binds` placeholders.
fn statement(prefix: &str, binds: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; binds].join(", "));
    format!("{prefix}VALUES {}", vec![row; rows].join(", "))
}

fn owned(draft: &GroupDraft<'_>, now: i64) -> StoreResult<OwnedGroup> {
    let columns = GroupColumns::of(draft.group);
    let schedule = &draft.group.profile.schedule;
    if draft
        .occurrences
        .iter()
        .any(|o| o.rule_index >= schedule.rules.len())
    {
        return Err(StoreError::corrupt("occurrence rule index"));
    }
    Ok(OwnedGroup {
        slug: draft.group.profile.slug.clone(),
        values: group_values(draft, &columns, now).map(value).to_vec(),
        hosts: draft.hosts.iter().map(|h| h.0).collect(),
        rules: schedule
            .rules
            .iter()
            .enumerate()
            .map(|(position, rule)| {
                let values = rule_values(0, position as i64, rule, crate::sql::rule_columns(rule));
                values.into_iter().skip(1).map(value).collect()
            })
            .collect(),
        occurrences: draft
            .occurrences
            .iter()
            .map(|o| OwnedOccurrence {
                rule_index: o.rule_index,
                id: kith_domain::ids::OccurrenceId::random().to_string(),
                local_start: o.local_start.to_string(),
                sort_name: columns.sort_name.clone(),
                starts_at: o.starts_at.as_second(),
                ends_at: o.ends_at.as_second(),
            })
            .collect(),
    })
}

fn value(arg: Arg<'_>) -> Value {
    match arg {
        Arg::Text(Some(text)) => Value::Text(text.into_owned()),
        Arg::Int(Some(n)) => Value::Integer(n),
        Arg::Bool(b) => Value::Integer(i64::from(b)),
        Arg::Bytes(bytes) => Value::Blob(bytes.into_owned()),
        Arg::Text(None) | Arg::Int(None) => Value::Null,
    }
}

/// A taken slug (or any unique value) is a conflict, as from sqlx; the rest
/// goes to the log as it is.
fn store_error(err: rusqlite::Error) -> StoreError {
    match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation)
            if matches!(
                err.sqlite_error().map(|e| e.extended_code),
                Some(
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                )
            ) =>
        {
            StoreError::Conflict {
                what: "unique value already taken",
            }
        }
        _ => StoreError::Other(Box::new(err)),
    }
}
