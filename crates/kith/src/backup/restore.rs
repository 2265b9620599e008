//! `kith restore`: checks the whole archive first (manifest, every
//! entry's checksum) in a staging folder, then the target (empty, or
//! `--force`), and only then writes: SQLite files by rename, PostgreSQL in
//! one transaction, so a refusal or failure leaves the target as it was.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use kith_store::Backend;
use kith_store::backup::{self as store_backup, TableCounts};
use secrecy::ExposeSecret;

use super::archive;

/// `kith restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The archive `kith backup` wrote.
    file: PathBuf,
    /// Overwrite a database that has tables already.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    database: crate::cli::DatabaseArgs,
    /// Where the archive's `.eml` mail goes (default: `outbox/` next to
    /// the SQLite file, else `kith-data/outbox`).
    #[arg(long, env = "KITH_MAIL_DIR")]
    mail_dir: Option<PathBuf>,
}

/// Where to unpack: beside a SQLite target (so the file is renamed into
/// place, not copied), else the system's temporary folder.
fn staging_dir(url: &str, backend: Backend) -> anyhow::Result<tempfile::TempDir> {
    let beside = (backend == Backend::Sqlite)
        .then(|| {
            let file = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))?;
            let file = Path::new(file.split('?').next().unwrap_or(file));
            let dir = super::folder_of(file);
            dir.is_dir().then_some(dir)
        })
        .flatten();
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix(".kith-restore-");
        b
    };
    Ok(match beside {
        Some(dir) => builder
            .tempdir_in(&dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?,
        None => builder.tempdir().context("creating a temporary folder")?,
    })
}

/// Tables with rows, for the refusal's list.
fn describe(tables: &TableCounts) -> String {
    let mut lines: Vec<String> = tables
        .iter()
        .filter(|(_, rows)| **rows > 0)
        .map(|(name, rows)| format!("  {name}: {rows} rows"))
        .collect();
    let empty = tables.values().filter(|rows| **rows == 0).count();
    if empty > 0 {
        lines.push(format!("  and {empty} empty tables"));
    }
    lines.join("\n")
}

/// Runs `kith restore`.
pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let url = args.database.database_url.expose_secret().to_owned();
    let target = store_backup::backend_of(&url)?;
    if !args.file.is_file() {
        bail!("there is no file at {}", args.file.display());
    }
    let staging = staging_dir(&url, target)?;
    let manifest = archive::read(&args.file, staging.path())?;
    let latest = store_backup::latest_schema_version(manifest.backend);
    if manifest.schema_version > latest {
        bail!(
            "this backup's schema version is {}, newer than this kith knows ({latest}); restore it with kith {} or later",
            manifest.schema_version,
            manifest.kith_version
        );
    }
    if manifest.backend == Backend::Postgres && target == Backend::Sqlite {
        bail!(
            "a PostgreSQL backup cannot be restored into SQLite: kith moves sites from SQLite to PostgreSQL, not back"
        );
    }
    if let Some(existing) = store_backup::existing_tables(&url)
        .await
        .context("reading the target database")?
    {
        if !args.force {
            bail!(
                "the target database is not empty; restoring would overwrite:\n{}\nrun kith restore again with --force to replace it",
                describe(&existing)
            );
        }
        eprintln!("replacing the target database's\n{}", describe(&existing));
    }
    let database = staging.path().join(manifest.database_entry());
    match (manifest.backend, target) {
        (Backend::Sqlite, Backend::Sqlite) => {
            store_backup::restore_sqlite_file(&database, &url).await
        }
        (Backend::Sqlite, Backend::Postgres) => {
            store_backup::copy_sqlite_into_postgres(&database, &url).await
        }
        (Backend::Postgres, _) => store_backup::restore_pgdump(&database, &url, args.force).await,
    }
    .context("restoring the database")?;
    // Read back: the rows restored are the rows the manifest counted (when
    // no migration ran since, which may add rows of its own).
    let latest_target = store_backup::latest_schema_version(target);
    if manifest.schema_version == latest_target {
        let restored = store_backup::existing_tables(&url)
            .await
            .context("reading the restored database")?
            .unwrap_or_default();
        if let Some((table, rows)) = manifest
            .tables
            .iter()
            .find(|(table, rows)| restored.get(*table) != Some(*rows))
        {
            bail!(
                "the restored database does not hold what the backup counted: {table} has {} rows, the manifest says {rows}",
                restored.get(table).copied().unwrap_or(0)
            );
        }
    }
    let mails = restore_mail(
        &staging.path().join("mail"),
        &args
            .mail_dir
            .clone()
            .unwrap_or_else(|| crate::cli::default_mail_dir(&url)),
    )?;
    let rows: u64 = manifest.tables.values().sum();
    println!(
        "restored {} tables ({rows} rows, schema version {}, now {}) and {mails} mails from {}",
        manifest.tables.len(),
        manifest.schema_version,
        latest_target,
        args.file.display()
    );
    Ok(())
}

/// Moves the archive's mails into the mail folder, each under a temporary
/// name renamed into place, as kith writes them.
fn restore_mail(staged: &Path, mail_dir: &Path) -> anyhow::Result<usize> {
    let Ok(listing) = std::fs::read_dir(staged) else {
        return Ok(0);
    };
    std::fs::create_dir_all(mail_dir)
        .with_context(|| format!("creating {}", mail_dir.display()))?;
    let mut count = 0;
    for entry in listing {
        let entry = entry?;
        let name = entry.file_name();
        let part = mail_dir.join(format!(".{}.part", name.to_string_lossy()));
        std::fs::copy(entry.path(), &part)
            .and_then(|_| std::fs::rename(&part, mail_dir.join(&name)))
            .with_context(|| format!("writing mail into {}", mail_dir.display()))?;
        count += 1;
    }
    Ok(count)
}
