//! `kith import meeting-guide <file, - or http(s) URL> [--pending]`: groups
//! from another site's Meeting Guide feed, with a progress bar on a
//! terminal and plain lines otherwise. Every refused record is reported;
//! the exit status is non-zero when any was.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use anyhow::Context;
use kith_app::imports::import_meeting_guide;
use kith_domain::group::ListingStatus;

use crate::cli::{DatabaseArgs, open_store_for_bulk_writes, operator_app};

/// The largest feed read, in bytes.
const MAX_FEED: u64 = 256 * 1024 * 1024;

/// `kith import meeting-guide`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The feed: a file, `-` for standard input, or an http(s) URL.
    source: String,
    /// Send the groups to the moderators' review instead of listing them at
    /// once.
    #[arg(long)]
    pending: bool,
    /// Pretend it is always this instant, as `kith serve` does in tests.
    #[arg(long, env = "KITH_FIXED_NOW", hide = true)]
    fixed_now: Option<jiff::Timestamp>,
}

fn read_feed(source: &str) -> anyhow::Result<String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut response = agent
            .get(source)
            .call()
            .with_context(|| format!("fetching {source}"))?;
        return response
            .body_mut()
            .with_config()
            .limit(MAX_FEED)
            .read_to_string()
            .with_context(|| format!("reading {source}"));
    }
    let mut text = String::new();
    if source == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the feed from standard input")?;
    } else {
        text = std::fs::read_to_string(source).with_context(|| format!("reading {source}"))?;
    }
    Ok(text)
}

/// Runs the import and prints its summary.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let feed = read_feed(&args.source)?;
    let store = open_store_for_bulk_writes(&args.database).await?;
    let status = if args.pending {
        ListingStatus::Pending
    } else {
        ListingStatus::Listed
    };
    let terminal = std::io::stdout().is_terminal();
    let bar = terminal.then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} records ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut progress = |done: usize, total: usize| match &bar {
        Some(bar) => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
        None if done % 1000 == 0 || done == total => println!("{done} of {total} records"),
        None => {}
    };
    // The server's cache lives in another process; its results are at most
    // KITH_SEARCH_CACHE_SECONDS old.
    let app = operator_app(store.clone());
    let report = import_meeting_guide(
        &app,
        &feed,
        &args.source,
        status,
        args.fixed_now
            .map_or(kith_app::Clock::System, kith_app::Clock::Fixed)
            .now(),
        &mut progress,
    )
    .await
    .map_err(|err| match err {
        kith_app::AppError::Invalid(_) => {
            anyhow::anyhow!("{} is not a JSON array of meetings", args.source)
        }
        other => anyhow::Error::new(other).context("importing"),
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // Statistics only change with the data: `ANALYZE` alone takes about a
    // second at 100,000 groups, a fifth of importing an unchanged feed.
    if report.created + report.updated > 0 {
        store.optimize().await?;
    }
    // Counted under the names `/metrics` uses; a recorder sees them only
    // in the process that has one (`kith serve` with metrics on), not this
    // command's own, which exits at once.
    for (outcome, groups) in [
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("failed", report.failed.len()),
    ] {
        metrics::counter!("kith_imported_groups_total", "outcome" => outcome)
            .increment(u64::try_from(groups).unwrap_or(u64::MAX));
    }
    for (record, fields) in &report.failed {
        let reasons: Vec<String> = fields.iter().map(|(f, c)| format!("{f} {c}")).collect();
        eprintln!("{record}: {}", reasons.join(", "));
    }
    println!(
        "created {}, updated {}, unchanged {}, failed {}",
        report.created,
        report.updated,
        report.unchanged,
        report.failed.len()
    );
    if report.failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} records were not imported", report.failed.len())
    }
}
