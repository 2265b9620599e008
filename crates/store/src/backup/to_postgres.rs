//! A whole SQLite site copied into PostgreSQL: how a site that grew moves
//! to several instances. Both sides are first migrated to this binary's
//! latest schema, which is the same on both; then every table is copied
//! in foreign-key order with `COPY … FROM STDIN`, in one transaction, so a
//! failure leaves the target as it was. Values are converted by the
//! PostgreSQL column's type (SQLite's 0/1 to booleans, blobs to `bytea`),
//! and the identity sequences are moved past the copied ids.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use rusqlite::types::ValueRef;
use sqlx::{Connection, PgConnection};

use super::{BackupError, BackupResult};

/// Bytes of COPY text sent at a time.
const CHUNK_BYTES: usize = 4 << 20;

/// Copies the SQLite file `sqlite_file` (migrated in place first: pass a
/// copy) into the PostgreSQL database `url` names, replacing its rows.
pub async fn copy_sqlite_into_postgres(sqlite_file: &Path, url: &str) -> BackupResult<()> {
    let sqlite_url = format!("sqlite://{}", sqlite_file.display());
    drop(crate::open(&sqlite_url, 1).await?);
    drop(crate::open(url, 1).await?);

    let mut conn = PgConnection::connect(url).await?;
    let columns = postgres_columns(&mut conn).await?;
    let order = foreign_key_order(&mut conn, columns.keys().cloned().collect()).await?;
    let mut tx = conn.begin().await?;
    // Migrations seed some rows (the mailing list's interests and forms);
    // the archive has them too, with the site's changes.
    let all = order
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!("TRUNCATE {all} RESTART IDENTITY CASCADE"))
        .execute(&mut *tx)
        .await?;
    for table in &order {
        let Some(pg_columns) = columns.get(table) else {
            continue;
        };
        copy_table(&mut tx, sqlite_file, table, pg_columns).await?;
    }
    reset_identities(&mut tx).await?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

/// Each table's columns and their types, without generated columns
/// (`search_vector`), sqlx's table and the directory's recent changes
/// (written afresh by the triggers as the groups go in) left out.
async fn postgres_columns(
    conn: &mut PgConnection,
) -> BackupResult<BTreeMap<String, Vec<(String, String)>>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.is_generated = 'NEVER' \
           AND c.table_name NOT IN ('_sqlx_migrations', 'directory_changes') \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (table, column, kind) in rows {
        tables.entry(table).or_default().push((column, kind));
    }
    Ok(tables)
}

/// The tables ordered so that every table comes after those it refers to
/// (a table referring to itself, `comments`, is copied in id order).
async fn foreign_key_order(
    conn: &mut PgConnection,
    tables: BTreeSet<String>,
) -> BackupResult<Vec<String>> {
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut needs: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (from, to) in &edges {
        if from != to {
            if let Some(set) = needs.get_mut(from.as_str()) {
                set.insert(to.as_str());
            }
        }
    }
    let mut order: Vec<String> = Vec::with_capacity(tables.len());
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while done.len() < needs.len() {
        let ready: Vec<&str> = needs
            .iter()
            .filter(|(t, deps)| !done.contains(*t) && deps.iter().all(|d| done.contains(d)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            return Err(BackupError::Refused(
                "the tables' foreign keys form a cycle; kith does not know this schema".into(),
            ));
        }
        for t in ready {
            done.insert(t);
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

/// Streams one table from SQLite into PostgreSQL's COPY.
async fn copy_table(
    conn: &mut PgConnection,
    sqlite_file: &Path,
    table: &str,
    pg_columns: &[(String, String)],
) -> BackupResult<()> {
    let file = sqlite_file.to_path_buf();
    let table_owned = table.to_owned();
    let wanted = pg_columns.to_vec();
    let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    // The SQLite side reads on a thread of its own, a chunk ahead.
    let reader = tokio::task::spawn_blocking(move || -> Result<(), String> {
        read_table(&file, &table_owned, &wanted, &send).map_err(|e| e.to_string())
    });
    let outcome = match receive.recv().await {
        Some(first) => {
            let mut copy = start_copy(&mut *conn, table, pg_columns).await?;
            copy.send(first).await?;
            while let Some(chunk) = receive.recv().await {
                copy.send(chunk).await?;
            }
            match reader.await {
                Ok(Ok(())) => {
                    copy.finish().await?;
                    Ok(())
                }
                Ok(Err(e)) => {
                    copy.abort("reading SQLite failed").await?;
                    Err(e)
                }
                Err(e) => {
                    copy.abort("reading SQLite failed").await?;
                    Err(e.to_string())
                }
            }
        }
        None => reader
            .await
            .map_err(|e| e.to_string())
            .and_then(|read| read),
    };
    outcome
        .map_err(|e| BackupError::Refused(format!("reading {table} from the SQLite file: {e}")))?;
    Ok(())
}

/// Starts `COPY table (columns) FROM STDIN` for the columns both sides have.
async fn start_copy<'c>(
    conn: &'c mut PgConnection,
    table: &str,
    pg_columns: &[(String, String)],
) -> BackupResult<sqlx::postgres::PgCopyIn<&'c mut PgConnection>> {
    let list = pg_columns
        .iter()
        .map(|(c, _)| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(conn
        .copy_in_raw(&format!("COPY \"{table}\" ({list}) FROM STDIN"))
        .await?)
}

/// Reads a table's rows as COPY text, in chunks. Columns PostgreSQL has and
/// the SQLite file lacks are sent as NULL (none today: the schemas match
/// but for the full-text columns, which are derived).
fn read_table(
    file: &Path,
    table: &str,
    wanted: &[(String, String)],
    send: &tokio::sync::mpsc::Sender<Vec<u8>>,
) -> rusqlite::Result<()> {
    let conn = rusqlite::Connection::open_with_flags(
        file,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut present = BTreeSet::new();
    {
        let mut info = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
        let mut rows = info.query([])?;
        while let Some(row) = rows.next()? {
            present.insert(row.get::<_, String>(0)?);
        }
    }
    let select = wanted
        .iter()
        .map(|(c, _)| {
            if present.contains(c) {
                format!("\"{c}\"")
            } else {
                "NULL".to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut statement =
        conn.prepare(&format!("SELECT {select} FROM \"{table}\" ORDER BY rowid"))?;
    let mut rows = statement.query([])?;
    let mut chunk = Vec::with_capacity(CHUNK_BYTES);
    let mut line = String::new();
    while let Some(row) = rows.next()? {
        line.clear();
        for (i, (_, kind)) in wanted.iter().enumerate() {
            if i > 0 {
                line.push('\t');
            }
            write_value(&mut line, row.get_ref(i)?, kind);
        }
        line.push('\n');
        chunk.extend_from_slice(line.as_bytes());
        if chunk.len() >= CHUNK_BYTES {
            if send.blocking_send(std::mem::take(&mut chunk)).is_err() {
                // The COPY failed; its error is the one to report.
                return Ok(());
            }
            chunk.reserve(CHUNK_BYTES);
        }
    }
    if !chunk.is_empty() {
        let _ = send.blocking_send(chunk);
    }
    Ok(())
}

/// One value in COPY's text format, converted to the PostgreSQL column's
/// type.
fn write_value(out: &mut String, value: ValueRef<'_>, kind: &str) {
    match (value, kind) {
        (ValueRef::Null, _) => out.push_str("\\N"),
        (ValueRef::Integer(i), "boolean") => out.push(if i != 0 { 't' } else { 'f' }),
        (ValueRef::Integer(i), _) => {
            let _ = write!(out, "{i}");
        }
        (ValueRef::Real(r), _) => {
            let _ = write!(out, "{r}");
        }
        (ValueRef::Blob(bytes) | ValueRef::Text(bytes), "bytea") => {
            // `\\x…` is COPY's escaped backslash before bytea's hex form.
            out.push_str("\\\\x");
            for b in bytes {
                let _ = write!(out, "{b:02x}");
            }
        }
        (ValueRef::Text(bytes) | ValueRef::Blob(bytes), _) => {
            for c in String::from_utf8_lossy(bytes).chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// Moves every identity column's sequence past the highest id copied.
async fn reset_identities(conn: &mut PgConnection) -> BackupResult<()> {
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (table, column) in columns {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), \
             COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0) + 1, false)"
        ))
        .bind(format!("\"{table}\""))
        .bind(&column)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
