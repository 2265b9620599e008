//! `kith check` (is the database whole, up to date, and safe from losing
//! acknowledged writes?), `kith migrate [--check]` (what would run, or run
//! it), and the durability guard `kith serve` starts behind.

use anyhow::Context;
use kith_store::health::{self, Finding, Level};
use secrecy::ExposeSecret;

use crate::cli::DatabaseArgs;

/// `kith check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    database: DatabaseArgs,
}

/// `kith migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Only say which migrations would run; exits 2 when some are pending,
    /// 0 when none are.
    #[arg(long)]
    check: bool,
}

/// Exit status of `kith migrate --check` when migrations are pending, so
/// a deploy script can tell "up to date" (0) from "would migrate" (2) from
/// an error (1).
pub const PENDING_EXIT: u8 = 2;

/// Prints one line per finding; fails (exit 1) when one is a problem.
pub async fn check(args: CheckArgs) -> anyhow::Result<()> {
    let findings = health::check(
        args.database.database_url.expose_secret(),
        jiff::Timestamp::now(),
    )
    .await
    .context("opening the database (the URL is in KITH_DATABASE_URL)")?;
    for finding in &findings {
        println!("{finding}");
    }
    let problems = findings
        .iter()
        .filter(|f| f.level == Level::Problem)
        .count();
    if problems > 0 {
        anyhow::bail!("{problems} problem(s) found");
    }
    let warnings = findings.iter().filter(|f| f.level == Level::Warn).count();
    println!("no problems ({warnings} warning(s))");
    Ok(())
}

/// Lists pending migrations, and without `--check` runs them. Answers
/// whether `--check` found some pending (the caller exits 2).
pub async fn migrate(args: MigrateArgs) -> anyhow::Result<bool> {
    let url = args.database.database_url.expose_secret();
    // A SQLite file that does not exist yet has every migration pending;
    // reading its status must not create it.
    let missing_file = sqlite_path(url).is_some_and(|p| !std::path::Path::new(&p).exists());
    let status = if missing_file {
        kith_store::schema::compare(kith_store::schema::migrator_for(url), Vec::new())
    } else {
        kith_store::schema::status(url)
            .await
            .context("opening the database (the URL is in KITH_DATABASE_URL)")?
    };
    if status.is_newer() {
        anyhow::bail!(
            "{}",
            kith_store::schema::NewerSchema {
                found: status.applied_latest(),
                known: status.latest_known,
            }
        );
    }
    if status.pending.is_empty() {
        println!(
            "schema {} is up to date; nothing to run",
            status.latest_known
        );
        return Ok(false);
    }
    for (version, description) in &status.pending {
        let verb = if args.check { "would run" } else { "running" };
        println!("{verb} {version} {description}");
    }
    if args.check {
        println!(
            "{} migration(s) pending (schema {} of {})",
            status.pending.len(),
            status.applied_latest(),
            status.latest_known
        );
        return Ok(true);
    }
    // Opening migrates, under the lock that keeps a starting server from
    // migrating at the same moment.
    crate::cli::open_store(&args.database).await?;
    println!("schema {} is up to date", status.latest_known);
    Ok(false)
}

/// Refuses settings that lose acknowledged writes, unless the operator
/// allowed them; with the override, each is logged as a warning.
pub async fn guard_durability(database_url: &str, allow_unsafe: bool) -> anyhow::Result<()> {
    // A SQLite file not made yet is made in WAL by kith itself.
    if sqlite_path(database_url).is_some_and(|p| !std::path::Path::new(&p).exists()) {
        return Ok(());
    }
    let findings: Vec<Finding> = health::durability(database_url).await.context(
        "opening the database (the URL is in KITH_DATABASE_URL) to read its durability settings",
    )?;
    let unsafe_ones: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.level == Level::Problem)
        .collect();
    if unsafe_ones.is_empty() {
        return Ok(());
    }
    if allow_unsafe {
        for finding in unsafe_ones {
            tracing::warn!(
                check = finding.check,
                "{} (allowed by KITH_ALLOW_UNSAFE_DURABILITY)",
                finding.detail
            );
        }
        return Ok(());
    }
    let why: Vec<String> = unsafe_ones
        .iter()
        .map(|f| format!("{}: {}", f.check, f.detail))
        .collect();
    anyhow::bail!(
        "refusing to start: {} — fix the setting, or start with --allow-unsafe-durability (KITH_ALLOW_UNSAFE_DURABILITY=true) to accept losing writes",
        why.join("; ")
    )
}

/// The file a `sqlite:` URL names.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest).to_owned())
}
