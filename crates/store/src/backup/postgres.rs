//! PostgreSQL backups wrap `pg_dump --format=custom` and `pg_restore`.
//! The counts come from the very snapshot the dump reads: a repeatable
//! read transaction exports it and `pg_dump --snapshot` uses it, so the
//! manifest describes exactly the rows in the dump even while the site
//! writes. The URL reaches the tools without its password, which goes in
//! `PGPASSWORD` (never on a command line others can read, never logged).

use std::path::Path;
use std::process::Command;

use sqlx::{Connection, PgConnection};

use super::{BackupError, BackupResult, Snapshot, TableCounts};

/// The base tables of the current schema, sqlx's included, but not the
/// directory's recent changes (kept an hour for the running instances'
/// indexes, which a restored database's instances build afresh).
const TABLES: &str = "SELECT table_name::text FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
       AND table_name <> 'directory_changes' ORDER BY 1";

/// Row counts of every table but sqlx's, on this connection's snapshot.
pub(super) async fn counts(conn: &mut PgConnection) -> BackupResult<TableCounts> {
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

/// A `pg_dump`/`pg_restore` command for `url`: the URL without its
/// password in `--dbname`, the password in the environment.
fn tool(program: &str, url: &str) -> BackupResult<Command> {
    let mut parsed = url::Url::parse(url)
        .map_err(|_| BackupError::Refused("the PostgreSQL database URL is not valid".into()))?;
    let password = parsed.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    let _ = parsed.set_password(None);
    let mut command = Command::new(program);
    command.arg(format!("--dbname={parsed}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    Ok(command)
}

/// Runs a tool, turning a failure into its standard error.
async fn run(tool_name: &'static str, mut command: Command) -> BackupResult<()> {
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| BackupError::Refused(format!("{tool_name} did not finish: {e}")))?
        .map_err(|e| BackupError::Refused(format!(
            "could not run {tool_name} ({e}); install PostgreSQL's client tools of the server's version"
        )))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool: tool_name,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

/// The highest migration applied, on this connection.
async fn schema_version(conn: &mut PgConnection) -> BackupResult<i64> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await
            .map_err(|_| BackupError::Refused("the database is not a kith database".into()))?;
    Ok(version.unwrap_or(0))
}

/// Dumps the database `url` names to `dest` (custom format, no owners) and
/// counts its rows, both on one snapshot.
pub async fn dump_postgres(url: &str, dest: &Path) -> BackupResult<Snapshot> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut conn)
        .await?;
    let snapshot_id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await?;
    let schema_version = schema_version(&mut conn).await?;
    let tables = counts(&mut conn).await?;
    let mut command = tool("pg_dump", url)?;
    command
        .args(["--format=custom", "--no-owner"])
        .arg(format!("--snapshot={snapshot_id}"))
        .arg("--file")
        .arg(dest);
    // The exported snapshot lives as long as this transaction.
    let dumped = run("pg_dump", command).await;
    sqlx::query("COMMIT").execute(&mut conn).await?;
    conn.close().await?;
    dumped?;
    Ok(Snapshot {
        schema_version,
        tables,
    })
}

/// The tables of a target database with their rows, or `None` when it
/// has none.
pub(super) async fn existing_tables(url: &str) -> BackupResult<Option<TableCounts>> {
    let mut conn = PgConnection::connect(url).await?;
    let names: Vec<String> = sqlx::query_scalar(TABLES).fetch_all(&mut conn).await?;
    let tables = if names.is_empty() {
        None
    } else {
        Some(counts(&mut conn).await?)
    };
    conn.close().await?;
    Ok(tables)
}

/// Restores a custom-format dump into the database `url` names in one
/// transaction (`clean`: dropping the dump's objects first, for a target
/// that has them), then migrates it to the latest schema.
pub async fn restore_pgdump(dump: &Path, url: &str, clean: bool) -> BackupResult<()> {
    let mut command = tool("pg_restore", url)?;
    command.args(["--no-owner", "--single-transaction"]);
    if clean {
        command.args(["--clean", "--if-exists"]);
    }
    command.arg(dump);
    run("pg_restore", command).await?;
    let store = crate::open(url, 1).await?;
    drop(store);
    Ok(())
}
