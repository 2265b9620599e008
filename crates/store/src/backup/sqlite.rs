//! SQLite snapshots: `VACUUM INTO` reads one consistent transaction of a
//! live database (in WAL mode, without stopping its writers) into a new
//! file, which is what a backup holds; never a copy of the live file,
//! which may be caught between a write and its checkpoint.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use super::{BackupError, BackupResult, Snapshot, TableCounts, io};

/// The file a `sqlite://` URL names.
pub(super) fn file_of(url: &str) -> BackupResult<PathBuf> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|_| BackupError::Refused("the SQLite database URL is not valid".into()))?;
    Ok(options.get_filename().to_path_buf())
}

/// An existing file's connection, never creating one.
async fn open_existing(file: &Path) -> BackupResult<SqliteConnection> {
    Ok(SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await?)
}

/// Writes a consistent copy of the database `url` names to `dest` (which
/// must not exist) and reads its counts from the copy.
pub async fn snapshot_sqlite(url: &str, dest: &Path) -> BackupResult<Snapshot> {
    let file = file_of(url)?;
    if !file.is_file() {
        return Err(BackupError::Refused(format!(
            "there is no SQLite database at {}",
            file.display()
        )));
    }
    let mut conn = open_existing(&file).await?;
    let dest_text = dest.to_str().ok_or_else(|| {
        BackupError::Refused("the backup's folder has a name that is not UTF-8".into())
    })?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest_text)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    read_snapshot(dest).await
}

/// Tables that hold rows of their own: not SQLite's, not the full-text
/// index's virtual and shadow tables (rebuilt from `groups`, and absent
/// on PostgreSQL, so counts compare across databases), nor the directory's
/// recent changes (see `postgres::TABLES`).
const TABLES: &str = "SELECT name FROM pragma_table_list \
     WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
       AND name <> 'directory_changes' ORDER BY name";

/// Row counts of every table but sqlx's.
async fn counts(conn: &mut SqliteConnection) -> BackupResult<TableCounts> {
    let names: Vec<String> = sqlx::query_scalar(TABLES).fetch_all(&mut *conn).await?;
    let mut tables = TableCounts::new();
    for name in names.into_iter().filter(|n| n != "_sqlx_migrations") {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{name}\""))
            .fetch_one(&mut *conn)
            .await?;
        tables.insert(name, u64::try_from(rows).unwrap_or(0));
    }
    Ok(tables)
}

/// The schema version and row counts of a SQLite file.
pub(super) async fn read_snapshot(file: &Path) -> BackupResult<Snapshot> {
    let mut conn = open_existing(file).await?;
    let schema_version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| BackupError::Refused("the database is not a kith database".into()))?;
    let tables = counts(&mut conn).await?;
    conn.close().await?;
    Ok(Snapshot {
        schema_version: schema_version.unwrap_or(0),
        tables,
    })
}

/// The tables of a target file with their rows, or `None` when there is no
/// file or it has no tables.
pub(super) async fn existing_tables(file: &Path) -> BackupResult<Option<TableCounts>> {
    let Ok(meta) = std::fs::metadata(file) else {
        return Ok(None);
    };
    if meta.len() == 0 {
        return Ok(None);
    }
    let mut conn = open_existing(file).await?;
    let names: Vec<String> = sqlx::query_scalar(TABLES).fetch_all(&mut conn).await?;
    let tables = if names.is_empty() {
        None
    } else {
        Some(counts(&mut conn).await?)
    };
    conn.close().await?;
    Ok(tables)
}

/// Puts a snapshot file where `url` points, atomically: moved (or copied)
/// beside the target under a temporary name, synced, then renamed over
/// it, so a failure leaves the target as it was. Then opens it through the
/// store, which migrates it to the latest schema. The snapshot is
/// consumed.
pub async fn restore_sqlite_file(snapshot: &Path, url: &str) -> BackupResult<()> {
    let target = file_of(url)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kith.db".into());
    let temp = dir.join(format!(".{name}.restoring"));
    let placed = (|| -> std::io::Result<()> {
        if std::fs::rename(snapshot, &temp).is_err() {
            std::fs::copy(snapshot, &temp)?;
        }
        std::fs::File::open(&temp)?.sync_all()?;
        std::fs::rename(&temp, &target)?;
        // A WAL left by the file it replaced belongs to that file: SQLite
        // would otherwise read its frames as the new file's.
        for suffix in ["-wal", "-shm"] {
            let mut side = target.clone().into_os_string();
            side.push(suffix);
            match std::fs::remove_file(&side) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        std::fs::File::open(&dir)?.sync_all()
    })();
    if let Err(err) = placed {
        let _ = std::fs::remove_file(&temp);
        return Err(io(format!("writing {}", target.display()))(err));
    }
    let store = crate::open(url, 1).await?;
    drop(store);
    Ok(())
}
