//! `kith`: the server and its operator commands.
//!
//! - `cli`: the flags and `KITH_*` settings, opening the store, the
//!   operator commands (`admin create`, `generate`) and the
//!   [`kith_app::App`] they run with.
//! - `serve`: `kith serve` wires config → store → [`kith_app::App`] →
//!   `kith_web::router`, and starts the background tasks (the occurrence
//!   refresher, the session sweeper, the mail sender waiting on the app's
//!   wake, meeting and journal reminders, the rooms' follower and closer);
//!   it installs the metrics recorder when `/metrics` is exposed, and on
//!   SIGTERM stops within `KITH_SHUTDOWN_SECONDS`: requests finished, room
//!   clients told to reconnect, the mail sender's batch recorded.
//! - `import`: `kith import meeting-guide`.
//! - `check`: `kith check`, `kith migrate [--check]`, and the durability
//!   guard `serve` starts behind.
//! - `backup`: `kith backup` and `kith restore`.

mod backup;
mod check;
mod cli;
mod import;
mod serve;

use std::process::ExitCode;

use clap::Parser;

/// An allocator that keeps per-thread free lists: an import allocates and
/// frees millions of small values across threads, and glibc's allocator
/// spent a fifth of its time consolidating them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A command that fails as expected (records it could not import, a
/// database it cannot open) says why and exits non-zero; backtraces stay
/// for panics, which are bugs.
fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    cli::init_logging(&cli.log_format, cli.unsafe_log_all);
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| {
            let outcome = runtime.block_on(cli.run());
            // A blocking task still running (a file being written) does
            // not hold the exit `KITH_SHUTDOWN_SECONDS` promised.
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            outcome
        });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
