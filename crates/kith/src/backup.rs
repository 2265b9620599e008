//! `kith backup` and `kith restore`: a whole site in one archive and back.
//!
//! - `archive`: the archive's layout, its manifest and its checks.
//! - `restore`: putting an archive's database and mail in place.
//!
//! A backup is staged in a hidden folder beside the archive it writes and
//! written under a temporary name that is renamed when complete: a failure
//! (a full disk) removes both and leaves no half-written archive.

mod archive;
mod restore;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use secrecy::ExposeSecret;

pub use restore::{RestoreArgs, restore};

/// `kith backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    database: crate::cli::DatabaseArgs,
    /// The archive to write, or a folder to write
    /// `kith-backup-YYYYMMDDTHHMMSSZ.tar.gz` into (default: the current
    /// folder).
    #[arg(long)]
    to: Option<PathBuf>,
    /// The folder of `.eml` mail to include (default: `outbox/` next to
    /// the SQLite file, else `kith-data/outbox`).
    #[arg(long, env = "KITH_MAIL_DIR")]
    mail_dir: Option<PathBuf>,
}

/// Where the archive goes: a named file, or a dated name in a folder.
fn destination(to: Option<&Path>, now: jiff::Timestamp) -> PathBuf {
    let name = format!("kith-backup-{}.tar.gz", now.strftime("%Y%m%dT%H%M%SZ"));
    match to {
        Some(path) if path.is_dir() => path.join(name),
        Some(path) => path.to_path_buf(),
        None => PathBuf::from(name),
    }
}

/// The folder a path is in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A progress bar on a terminal; nothing elsewhere (logs, timers).
fn progress(total: u64) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {binary_bytes}/{binary_total_bytes} {msg}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// Runs `kith backup`.
pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let url = args.database.database_url.expose_secret().to_owned();
    let backend = kith_store::backup::backend_of(&url)?;
    let now = jiff::Timestamp::now();
    let dest = destination(args.to.as_deref(), now);
    if dest.exists() {
        bail!(
            "{} exists already; kith backup never overwrites",
            dest.display()
        );
    }
    let dir = folder_of(&dest);
    let staging = tempfile::Builder::new()
        .prefix(".kith-backup-")
        .tempdir_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;

    let database_entry = archive::database_entry(backend);
    let database_file = staging.path().join(database_entry);
    let snapshot = match backend {
        kith_store::Backend::Sqlite => {
            kith_store::backup::snapshot_sqlite(&url, &database_file).await
        }
        kith_store::Backend::Postgres => {
            kith_store::backup::dump_postgres(&url, &database_file).await
        }
    }
    .context("copying the database")?;

    let mut files = vec![(database_entry.to_owned(), database_file)];
    let mail_dir = args
        .mail_dir
        .clone()
        .unwrap_or_else(|| crate::cli::default_mail_dir(&url));
    files.extend(stage_mail(&mail_dir, &staging.path().join("mail"))?);

    let mut manifest = archive::Manifest {
        backend,
        schema_version: snapshot.schema_version,
        kith_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: now.to_string(),
        tables: snapshot.tables,
        entries: Default::default(),
    };
    let mut total = 0;
    for (name, path) in &files {
        let entry = archive::checksum(path)?;
        total += entry.bytes;
        manifest.entries.insert(name.clone(), entry);
    }

    let partial = tempfile::Builder::new()
        .prefix(".kith-backup-")
        .suffix(".tar.gz.partial")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    let bar = progress(total);
    let written = archive::write(
        std::io::BufWriter::new(partial.as_file()),
        &manifest,
        &files,
        &bar,
    )
    .and_then(|()| Ok(partial.as_file().sync_all()?));
    bar.finish_and_clear();
    written.with_context(|| format!("writing the archive in {}", dir.display()))?;
    // Dropped on an error above, the temporary file is removed with it.
    partial
        .persist_noclobber(&dest)
        .map_err(|e| e.error)
        .with_context(|| format!("naming the archive {}", dest.display()))?;
    if let Ok(folder) = std::fs::File::open(&dir) {
        let _ = folder.sync_all();
    }
    let rows: u64 = manifest.tables.values().sum();
    eprintln!(
        "backed up {} tables ({rows} rows, schema version {}) and {} mails",
        manifest.tables.len(),
        manifest.schema_version,
        files.len() - 1
    );
    println!("{}", dest.display());
    Ok(())
}

/// Copies the `.eml` files of the mail folder (if there is one) into
/// `staging`: mails are written once under a temporary name and renamed,
/// so each copy is whole, and the archive's checksums describe exactly
/// what it holds.
fn stage_mail(mail_dir: &Path, staging: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let listing = match std::fs::read_dir(mail_dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", mail_dir.display())),
    };
    let mut names = Vec::new();
    for entry in listing {
        let entry = entry.with_context(|| format!("reading {}", mail_dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".eml") && !name.starts_with('.') && entry.file_type()?.is_file() {
            names.push(name);
        }
    }
    names.sort();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    std::fs::create_dir_all(staging).with_context(|| format!("creating {}", staging.display()))?;
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let copy = staging.join(&name);
        std::fs::copy(mail_dir.join(&name), &copy)
            .with_context(|| format!("copying mail {name}"))?;
        files.push((format!("mail/{name}"), copy));
    }
    Ok(files)
}
